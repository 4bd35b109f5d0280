//! `connect-scim serve` as a new user runs it: no configuration, an embedded
//! simulated Connect, a printed base URL and token that answer a ListResponse.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn serve_with_no_configuration_prints_a_working_base_url_and_token() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-scim"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("CONNECT_INSTANCE_ID")
        .env_remove("SCIM_BEARER_TOKEN")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut token) = (None, None);
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.trim().strip_prefix("SCIM base URL:") {
                base = Some(rest.trim().to_owned());
            }
            if let Some(rest) = line.trim().strip_prefix("Bearer token:") {
                token = rest.split_whitespace().next().map(str::to_owned);
            }
            if base.is_some() && token.is_some() {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("serve prints its base URL and token");
    let (base, token) = (base.unwrap(), token.unwrap());
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/scim/v2"),
        "{base}"
    );

    let reply = reqwest::Client::new()
        .get(format!("{base}/Users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );

    let health = reqwest::get(base.replace("/scim/v2", "/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    child.kill().await.ok();
}

#[tokio::test]
async fn serve_refuses_a_bearer_token_shorter_than_32_characters() {
    let output = Command::new(env!("CARGO_BIN_EXE_connect-scim"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("CONNECT_INSTANCE_ID")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("SCIM_BEARER_TOKEN", "short-token-0123456789")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("serve stops at start instead of serving")
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("at least 32 characters") && stderr.contains("SCIM_BEARER_TOKEN"),
        "{stderr}"
    );
    assert!(!stderr.contains("short-token-0123456789"), "{stderr}");
}
