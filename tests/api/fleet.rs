//! Several connect-scim processes sharing one Connect and, optionally, one
//! quota table on a DynamoDB-compatible emulator (dynalite, installed from
//! npm by `scripts/test-tools.sh` into `target/test-tools` on first use), as a
//! deployment with several Lambda environments or `serve`
//! replicas runs.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use connect_scim::connect::simulator::SimulatorHandle;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::OnceCell;

use crate::helpers::collect_output;

/// The bearer token every process of a fleet accepts.
pub const TOKEN: &str = "fleet-test-token-0123456789abcdefghijklmnop";
/// The quota table's name in the emulator.
pub const TABLE: &str = "connect-scim-quota";

static INSTALLED: OnceCell<PathBuf> = OnceCell::const_new();

/// The dynalite executable, installed by `scripts/test-tools.sh` (`npm ci` of
/// the pinned lock file into `target/test-tools`; later runs reuse it).
async fn dynalite_bin() -> PathBuf {
    INSTALLED
        .get_or_init(|| async {
            let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let bin = repo.join("target/test-tools/node_modules/dynalite/cli.js");
            let status = Command::new("bash")
                .arg(repo.join("scripts/test-tools.sh"))
                .status()
                .await
                .expect("bash runs scripts/test-tools.sh");
            assert!(
                status.success() && bin.exists(),
                "scripts/test-tools.sh could not install dynalite (Node.js and npm are needed)"
            );
            bin
        })
        .await
        .clone()
}

/// A free loopback port (bound, then released for a child process to take).
fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    socket.local_addr().expect("an address").port()
}

/// A dynalite server on loopback holding the quota table; killed on drop.
pub struct Dynalite {
    pub url: String,
    child: Child,
}

impl Dynalite {
    /// Starts dynalite on a free loopback port and creates [`TABLE`].
    pub async fn start() -> Dynalite {
        let bin = dynalite_bin().await;
        let port = free_port();
        let child = Command::new("node")
            .arg(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--createTableMs", "0", "--deleteTableMs", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts dynalite");
        let dynalite = Dynalite {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        let client = dynalite.client();
        let mut tries = 0;
        loop {
            let created = client
                .create_table()
                .table_name(TABLE)
                .billing_mode(BillingMode::PayPerRequest)
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name("pk")
                        .key_type(KeyType::Hash)
                        .build()
                        .expect("a key schema"),
                )
                .attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name("pk")
                        .attribute_type(ScalarAttributeType::S)
                        .build()
                        .expect("an attribute definition"),
                )
                .send()
                .await;
            match created {
                Ok(_) => break,
                Err(_) if tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("dynalite never answered: {e:?}"),
            }
        }
        dynalite
    }

    /// An aws-sdk-dynamodb client for this emulator.
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "TEST",
                "test-secret",
                None,
                None,
                "fleet",
            ))
            .endpoint_url(&self.url)
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// Stops the emulator (a DynamoDB outage, as the service sees it).
    pub async fn stop(&mut self) {
        self.child.kill().await.ok();
    }
}

/// One `connect-scim serve` process against `sim`; killed on drop.
pub struct Service {
    pub base: String,
    _child: Child,
}

impl Service {
    /// `serve` on a free loopback port, Connect at `sim`, the quota in
    /// `table` (a dynalite URL) when given, and `env` on top.
    fn command(sim: &SimulatorHandle, table: Option<&str>, env: &[(&str, &str)]) -> Command {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_connect-scim"));
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env_remove("QUOTA_TABLE")
            .env("CONNECT_INSTANCE_ID", sim.instance_id())
            .env("AWS_ENDPOINT_URL_CONNECT", sim.url())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "TEST")
            .env("AWS_SECRET_ACCESS_KEY", "test-secret")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("SCIM_BEARER_TOKEN", TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        if let Some(url) = table {
            command
                .env("QUOTA_TABLE", TABLE)
                .env("QUOTA_KEY_PREFIX", "test#us-east-1")
                .env("AWS_ENDPOINT_URL_DYNAMODB", url);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        command
    }

    /// Starts [`Service::command`]; its logs go to the test's stderr.
    pub async fn start(
        sim: &SimulatorHandle,
        table: Option<&str>,
        env: &[(&str, &str)],
    ) -> Service {
        let mut child = Service::command(sim, table, env)
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("serve's output") {
                if let Some(base) = base_url(&line) {
                    return base;
                }
            }
            panic!("serve exited before printing its base URL")
        })
        .await
        .expect("serve starts within a minute");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Service {
            base,
            _child: child,
        }
    }

    /// Starts [`Service::command`] without a quota table, keeping every
    /// line it writes to stdout and stderr (its logs).
    pub async fn start_logged(
        sim: &SimulatorHandle,
        env: &[(&str, &str)],
    ) -> (Service, Arc<Mutex<Vec<String>>>) {
        let mut child = Service::command(sim, None, env)
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let lines = collect_output(&mut child);
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let found = lines.lock().unwrap().iter().find_map(|l| base_url(l));
                if let Some(base) = found {
                    return base;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .expect("serve starts within a minute");
        let service = Service {
            base,
            _child: child,
        };
        (service, lines)
    }
}

/// The base URL in serve's "SCIM base URL:" line.
fn base_url(line: &str) -> Option<String> {
    line.trim()
        .strip_prefix("SCIM base URL:")
        .map(|rest| rest.trim().to_owned())
}

/// A SCIM answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<u64>,
    pub body: Value,
}

/// One SCIM request to `base`.
pub async fn send(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Answer {
    let mut request = http
        .request(method, format!("{base}{path}"))
        .bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/scim+json")
            .body(body.to_string());
    }
    let reply = request.send().await.expect("the service answers");
    let status = reply.status();
    let retry_after = reply
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let text = reply.text().await.unwrap_or_default();
    Answer {
        status,
        retry_after,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// Sends a request as an identity provider does: on 429 it waits
/// `Retry-After` and sends it again (at most `tries` times). Every answer is
/// passed to `seen` (the tests assert on all of them, not just the last).
pub async fn send_following_retry_after(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    tries: usize,
    seen: &mut Vec<(StatusCode, Option<u64>)>,
) -> Answer {
    let mut answer = send(http, base, method.clone(), path, body).await;
    for _ in 1..tries {
        seen.push((answer.status, answer.retry_after));
        if answer.status != StatusCode::TOO_MANY_REQUESTS {
            return answer;
        }
        let wait = answer.retry_after.unwrap_or(1);
        tokio::time::sleep(Duration::from_secs(wait)).await;
        answer = send(http, base, method.clone(), path, body).await;
    }
    seen.push((answer.status, answer.retry_after));
    answer
}
