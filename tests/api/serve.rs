//! `connect-scim serve` as a new user runs it: no configuration, an embedded
//! simulated Connect, a printed base URL and token that answer a ListResponse.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::helpers::collect_output;

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

#[tokio::test]
async fn at_rust_log_trace_serve_logs_no_token_password_or_mobile_number() {
    const SERVE_TOKEN: &str = "serve-trace-token-0123456789abcdefghijklmnop";
    const PASSWORD: &str = "never-logged-Pa55-trace";
    const MOBILE: &str = "+14155550199";
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-scim"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("CONNECT_INSTANCE_ID")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("SCIM_BEARER_TOKEN", SERVE_TOKEN)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let lines = collect_output(&mut child);
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let found = lines.lock().unwrap().iter().find_map(|l| {
                l.trim()
                    .strip_prefix("SCIM base URL:")
                    .map(|b| b.trim().to_owned())
            });
            if let Some(base) = found {
                return base;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("serve prints its base URL");
    let http = reqwest::Client::new();
    let user = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "trace@example.com",
        "name": {"givenName": "Tracy", "familyName": "Logan"},
        "password": PASSWORD,
        "phoneNumbers": [{"value": MOBILE, "type": "mobile"}],
    });
    let created = http
        .post(format!("{base}/Users"))
        .bearer_auth(SERVE_TOKEN)
        .header("content-type", "application/scim+json")
        .body(user.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fetched = http
        .get(format!("{base}/Users/{id}"))
        .bearer_auth(SERVE_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().await.ok();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let lines = lines.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.contains("DEBUG")),
        "verbose logging is on"
    );
    for secret in [SERVE_TOKEN, PASSWORD, MOBILE] {
        if let Some(line) = lines.iter().find(|l| l.contains(secret)) {
            panic!("a log line shows {secret}: {line}");
        }
    }
}
