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
    for secret in [SERVE_TOKEN, PASSWORD] {
        if let Some(line) = lines.iter().find(|l| l.contains(secret)) {
            panic!("a log line shows {secret}: {line}");
        }
    }
    // The mobile number is personal data, not a secret: only the audit trail,
    // which records what each write changed, may show it; nothing else (the
    // SDK's request logging at trace would).
    if let Some(line) = lines
        .iter()
        .find(|l| l.contains(MOBILE) && !l.contains("audit"))
    {
        panic!("a non-audit log line shows {MOBILE}: {line}");
    }
}

const LIMIT_TOKEN: &str = "serve-limits-token-0123456789abcdefghijklmnop";

/// `serve` on the embedded simulator with `env`, optionally under a lower
/// open-file limit; returns it and its `http://127.0.0.1:PORT`.
async fn spawn_serve(
    env: &[(&str, &str)],
    fd_limit: Option<u32>,
) -> (tokio::process::Child, String) {
    let binary = env!("CARGO_BIN_EXE_connect-scim");
    let mut command = match fd_limit {
        Some(limit) => {
            let mut sh = Command::new("sh");
            sh.arg("-c")
                .arg(format!(
                    "ulimit -n {limit} && exec \"$0\" serve --listen 127.0.0.1:0"
                ))
                .arg(binary);
            sh
        }
        None => {
            let mut direct = Command::new(binary);
            direct.args(["serve", "--listen", "127.0.0.1:0"]);
            direct
        }
    };
    command
        .env_remove("CONNECT_INSTANCE_ID")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("SCIM_BEARER_TOKEN", LIMIT_TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.trim().strip_prefix("SCIM base URL:") {
                return rest.trim().trim_end_matches("/scim/v2").to_owned();
            }
        }
        panic!("serve exited before printing its base URL")
    })
    .await
    .expect("serve starts");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

/// Reads until the server closes the connection; how long that took, or None
/// if it was still open after `wait`.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<Duration> {
    use tokio::io::AsyncReadExt;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

async fn connect(base: &str) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_slowloris_connection_is_closed_after_the_header_timeout() {
    use tokio::io::AsyncWriteExt;
    let (_child, base) = spawn_serve(&[("SERVE_HEADER_TIMEOUT_MS", "500")], None).await;
    let mut stream = connect(&base).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    let closed = closed.expect("a connection that never finishes its head is closed");
    assert!(
        closed >= Duration::from_millis(400),
        "closed too early: {closed:?}"
    );
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_answered_408_after_the_body_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_child, base) = spawn_serve(&[("SERVE_BODY_TIMEOUT_MS", "700")], None).await;
    let mut stream = connect(&base).await;
    let head = format!(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {LIMIT_TOKEN}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            tokio::select! {
                n = stream.read(&mut buf) => match n {
                    Ok(0) | Err(_) => return,
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                },
                () = tokio::time::sleep(Duration::from_millis(300)) => {
                    let _ = stream.write_all(b" ").await;
                }
            }
        }
    })
    .await;
    read.expect("the server answers and closes instead of waiting for the body");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_child, base) = spawn_serve(&[("SERVE_IDLE_TIMEOUT_MS", "500")], None).await;
    let mut stream = connect(&base).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    let closed = closed.expect("an idle keep-alive connection is closed");
    assert!(
        closed >= Duration::from_millis(300),
        "closed too early: {closed:?}"
    );
}

#[tokio::test]
async fn many_half_open_connections_do_not_stop_healthz_from_answering() {
    use tokio::io::AsyncWriteExt;
    let env = [
        ("SERVE_HEADER_TIMEOUT_MS", "500"),
        ("SERVE_MAX_CONNECTIONS", "16"),
    ];
    // 96 descriptors for the whole server: 150 half-open connections would exhaust them.
    let (_child, base) = spawn_serve(&env, Some(96)).await;
    let mut half_open = Vec::new();
    for _ in 0..150 {
        let mut stream = connect(&base).await;
        let _ = stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await;
        half_open.push(stream);
    }
    let health = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("/healthz answers while half-open connections pile up");
    assert_eq!(health.status(), 200);
    drop(half_open);
}

#[tokio::test]
async fn serve_with_json_logs_prints_cloudwatch_embedded_metrics_per_request() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-scim"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("CONNECT_INSTANCE_ID")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("SCIM_BEARER_TOKEN", "emf-test-token-0123456789abcdefghijkl")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.trim().strip_prefix("SCIM base URL:") {
                return rest.trim().to_owned();
            }
        }
        panic!("no base URL")
    })
    .await
    .expect("serve starts");

    let reply = reqwest::Client::new()
        .get(format!(
            "{base}/Users?filter=userName%20eq%20%22x%40example.com%22"
        ))
        .bearer_auth("emf-test-token-0123456789abcdefghijkl")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);

    let (mut operation, mut quota) = (None, None);
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if value["_aws"]["CloudWatchMetrics"][0]["Namespace"] != "ConnectScim" {
                continue;
            }
            if value["Operation"] == "GET /scim/v2/Users" {
                operation = Some(value);
            } else if value["ConnectOperation"] == "SearchUsers" {
                quota = Some(value);
            }
            if operation.is_some() && quota.is_some() {
                break;
            }
        }
    })
    .await
    .expect("the request's metrics are printed");
    let operation = operation.unwrap();
    assert_eq!(operation["Requests"], 1);
    assert_eq!(operation["ConnectCalls"], 1);
    assert_eq!(quota.unwrap()["QuotaUse"], 1);
    child.kill().await.ok();
}

#[tokio::test]
async fn idle_keep_alive_clients_do_not_lock_others_out_when_connections_are_scarce() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_child, base) = spawn_serve(
        &[
            ("SERVE_MAX_CONNECTIONS", "4"),
            ("SERVE_IDLE_TIMEOUT_MS", "60000"),
        ],
        None,
    )
    .await;
    // Four clients take every connection slot, each makes one keep-alive
    // request and then sits idle.
    let mut idle = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&base).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        idle.push(stream);
    }
    // A fifth is served long before the idle timeout: under pressure idle
    // keep-alives are closed and new connections serve one request.
    let started = std::time::Instant::now();
    let reply = tokio::time::timeout(
        Duration::from_secs(15),
        reqwest::get(format!("{base}/healthz")),
    )
    .await
    .expect("a fifth client is served while four sit idle")
    .unwrap();
    assert_eq!(reply.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(15));
}
