//! The built binary as Lambda runs it: started with no arguments under a fake
//! Lambda Runtime API on loopback, its token read from a fake Secrets Manager,
//! its Connect a simulator; one API Gateway event in, one proxy response out.
//! Also the cold-start refusals, and `secrets::read_tokens` against the fake.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use connect_scim::connect::simulator::{self, SimulatorConfig};
use connect_scim::secrets;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::mpsc;

const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:connect-scim-token-AbCdEf";

/// Serves `router` on an ephemeral loopback port; returns `http://127.0.0.1:PORT`.
async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// Secrets Manager's GetSecretValue (awsJson1_1): `secret` for [`SECRET_ARN`],
/// ResourceNotFoundException for any other id.
async fn fake_secrets_manager(secret: &'static str) -> String {
    let handler = move |headers: HeaderMap, body: Bytes| async move {
        let target = headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let json = [("content-type", "application/x-amz-json-1.1")];
        if target == "secretsmanager.GetSecretValue" && request["SecretId"] == SECRET_ARN {
            let answer = json!({"ARN": SECRET_ARN, "Name": "connect-scim-token",
                "SecretString": secret, "VersionId": "v1", "VersionStages": ["AWSCURRENT"]});
            (StatusCode::OK, json, answer.to_string()).into_response()
        } else {
            let answer = json!({"__type": "ResourceNotFoundException",
                "message": "Secrets Manager can't find the specified secret."});
            (StatusCode::BAD_REQUEST, json, answer.to_string()).into_response()
        }
    };
    serve(Router::new().route("/", post(handler))).await
}

fn secrets_client(endpoint: &str) -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "test-secret", None, None, "t"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

#[tokio::test]
async fn both_rotation_tokens_are_read_from_secrets_manager() {
    let endpoint = fake_secrets_manager(" new-token , old-token\n").await;
    let tokens = secrets::read_tokens(&secrets_client(&endpoint), SECRET_ARN)
        .await
        .unwrap();
    assert_eq!(tokens, vec!["new-token", "old-token"]);
}

#[tokio::test]
async fn an_unknown_secret_is_explained_without_any_value() {
    let endpoint = fake_secrets_manager("s3cret-value").await;
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:typo-XyZ";
    let err = secrets::read_tokens(&secrets_client(&endpoint), arn)
        .await
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains(arn), "{message}");
    assert!(message.contains("no such secret"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

/// What the fake Runtime API saw.
#[derive(Default)]
struct Runtime {
    event: Mutex<Option<String>>,
    first_poll: Mutex<Option<Instant>>,
}

/// The Lambda Runtime API (2018-06-01): hands out `event` once, then holds the
/// next poll open; responses and errors are sent to `tx`.
async fn fake_runtime_api(
    event: String,
    tx: mpsc::Sender<(String, String)>,
) -> (String, Arc<Runtime>) {
    let runtime = Arc::new(Runtime {
        event: Mutex::new(Some(event)),
        first_poll: Mutex::new(None),
    });
    let next = |State(rt): State<Arc<Runtime>>| async move {
        rt.first_poll
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
        let event = rt.event.lock().unwrap().take();
        let Some(event) = event else {
            std::future::pending::<()>().await;
            return StatusCode::GONE.into_response();
        };
        let deadline =
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30);
        Response::builder()
            .header(
                "lambda-runtime-aws-request-id",
                "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
            )
            .header(
                "lambda-runtime-deadline-ms",
                deadline.as_millis().to_string(),
            )
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:connect-scim",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700",
            )
            .header("content-type", "application/json")
            .body(axum::body::Body::from(event))
            .unwrap()
    };
    let respond = {
        let tx = tx.clone();
        move |Path((_, kind)): Path<(String, String)>, body: String| async move {
            let _ = tx.send((kind, body)).await;
            StatusCode::ACCEPTED
        }
    };
    let init_error = move |body: String| async move {
        let _ = tx.send(("init-error".to_owned(), body)).await;
        StatusCode::ACCEPTED
    };
    let router = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(respond))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(runtime.clone());
    let url = serve(router).await;
    (url.trim_start_matches("http://").to_owned(), runtime)
}

fn bootstrap(runtime_api: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connect-scim"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "connect-scim")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/connect-scim")
        .env(
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/25/[$LATEST]0123456789abcdef",
        )
        .env("AWS_ACCESS_KEY_ID", "AKIDLAMBDATEST")
        .env("AWS_SECRET_ACCESS_KEY", "lambda-test-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("RUST_LOG", "info")
        .kill_on_drop(true);
    command
}

#[tokio::test]
async fn the_binary_serves_an_api_gateway_event_under_the_lambda_runtime() {
    let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = simulator::spawn(SimulatorConfig::default(), sim_listener)
        .await
        .unwrap();
    let secrets_endpoint = fake_secrets_manager(
        "rotated-token-2-9e8d7c6b5a4f3e2d1c0b,test-token-4f1c9a-7d2e8b5c0a3f6e9d1b4c",
    )
    .await;
    let fixture = format!(
        "{}/tests/api/fixtures/list-users.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(fixture).unwrap();
    let (tx, mut rx) = mpsc::channel(4);
    let (runtime_api, runtime) = fake_runtime_api(event, tx).await;

    let started = Instant::now();
    let child = bootstrap(&runtime_api)
        .env("SCIM_TOKEN_SECRET_ARN", SECRET_ARN)
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &secrets_endpoint)
        .env("CONNECT_INSTANCE_ID", sim.instance_id())
        .env("AWS_ENDPOINT_URL_CONNECT", sim.url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (kind, body) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("the function answers the invocation")
        .expect("an answer");
    let cold_start = runtime.first_poll.lock().unwrap().map(|t| t - started);
    assert_eq!(kind, "response", "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["statusCode"], 200, "{answer}");
    // Text, not base64: the REST API has no binary media types to decode it.
    assert_eq!(answer["isBase64Encoded"], false, "{answer}");
    let scim: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        scim["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    let output = {
        let mut child = child;
        let _ = child.start_kill();
        child.wait_with_output().await.unwrap()
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let ready = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "ready")
        .unwrap_or_else(|| panic!("no JSON 'ready' line: {stdout}"));
    assert_eq!(ready["tokens"], 2, "{ready}");
    let request = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "request")
        .unwrap_or_else(|| panic!("no JSON request line: {stdout}"));
    assert_eq!(request["status"], 200, "{request}");
    assert_eq!(request["route"], "/scim/v2/Users", "{request}");
    assert_eq!(
        request["caller"], "token#2",
        "the slot of the fixture's token in the secret: {request}"
    );
    assert_eq!(
        request["span"]["request_id"], "0d1e2f3a-0000-4000-8000-000000000002",
        "API Gateway's request id: {request}"
    );
    let lambda_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
    assert!(
        request["spans"]
            .as_array()
            .is_some_and(|s| s.iter().any(|span| span["requestId"] == lambda_id)),
        "Lambda's request id: {request}"
    );
    assert!(
        !stdout.contains("rotated-token-2-9e8d7c6b5a4f3e2d1c0b")
            && !stdout.contains("test-token-4f1c9a-7d2e8b5c0a3f6e9d1b4c")
    );
    eprintln!(
        "cold start (process start to first /next): {cold_start:?}; init work: {} ms, {} Connect calls",
        ready["cold_start_ms"],
        sim.stats().total
    );
}

#[tokio::test]
async fn the_embedded_simulator_is_refused_inside_lambda() {
    let (tx, _rx) = mpsc::channel(4);
    let (runtime_api, _) = fake_runtime_api("{}".to_owned(), tx).await;
    let output = bootstrap(&runtime_api)
        .env("SCIM_BEARER_TOKEN", "some-token-0123456789abcdefghijklmnop")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to start the embedded Connect simulator inside AWS Lambda"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_cold_start_without_any_token_stops_with_a_clear_message() {
    let (tx, _rx) = mpsc::channel(4);
    let (runtime_api, _) = fake_runtime_api("{}".to_owned(), tx).await;
    let output = bootstrap(&runtime_api)
        .env(
            "CONNECT_INSTANCE_ID",
            "11111111-2222-4333-8444-555555555555",
        )
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SCIM_TOKEN_SECRET_ARN"), "{stderr}");
}

#[tokio::test]
async fn an_unreadable_secret_stops_the_cold_start_without_printing_it() {
    let endpoint = fake_secrets_manager("s3cret-value").await;
    let (tx, _rx) = mpsc::channel(4);
    let (runtime_api, _) = fake_runtime_api("{}".to_owned(), tx).await;
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-XyZ";
    let output = bootstrap(&runtime_api)
        .env("SCIM_TOKEN_SECRET_ARN", arn)
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &endpoint)
        .env(
            "CONNECT_INSTANCE_ID",
            "11111111-2222-4333-8444-555555555555",
        )
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(arn) && stderr.contains("no such secret"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[tokio::test]
async fn a_cold_start_with_a_short_token_stops_with_a_clear_message() {
    let endpoint = fake_secrets_manager("short-but-secret").await;
    let (tx, _rx) = mpsc::channel(4);
    let (runtime_api, _) = fake_runtime_api("{}".to_owned(), tx).await;
    let output = bootstrap(&runtime_api)
        .env("SCIM_TOKEN_SECRET_ARN", SECRET_ARN)
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &endpoint)
        .env(
            "CONNECT_INSTANCE_ID",
            "11111111-2222-4333-8444-555555555555",
        )
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("the cold start stops instead of serving")
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at least 32 characters"), "{stderr}");
    assert!(!stderr.contains("short-but-secret"), "{stderr}");
}

#[tokio::test]
async fn at_rust_log_trace_a_lambda_invocation_logs_no_token_password_or_secret() {
    const PASSWORD: &str = "never-logged-Pa55";
    let token = crate::app::TOKEN;
    let other = "rotated-token-2-9e8d7c6b5a4f3e2d1c0b";
    let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = simulator::spawn(SimulatorConfig::default(), sim_listener)
        .await
        .unwrap();
    let secrets_endpoint = fake_secrets_manager(
        "rotated-token-2-9e8d7c6b5a4f3e2d1c0b,test-token-4f1c9a-7d2e8b5c0a3f6e9d1b4c",
    )
    .await;
    let fixture = format!(
        "{}/tests/api/fixtures/create-user.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let event = std::fs::read_to_string(fixture).unwrap();
    assert!(event.contains(PASSWORD) && event.contains(token));
    let (tx, mut rx) = mpsc::channel(4);
    let (runtime_api, _) = fake_runtime_api(event, tx).await;
    let mut child = bootstrap(&runtime_api)
        .env("RUST_LOG", "trace")
        .env("SCIM_TOKEN_SECRET_ARN", SECRET_ARN)
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &secrets_endpoint)
        .env("CONNECT_INSTANCE_ID", sim.instance_id())
        .env("AWS_ENDPOINT_URL_CONNECT", sim.url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let lines = crate::helpers::collect_output(&mut child);
    let (kind, body) = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("the function answers the invocation")
        .expect("an answer");
    assert_eq!(kind, "response", "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["statusCode"], 201, "{answer}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().await.ok();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = lines.lock().unwrap().join("\n");
    assert!(text.contains("\"DEBUG\""), "verbose logging is on: {text}");
    for secret in [token, other, PASSWORD] {
        if let Some(line) = text.lines().find(|l| l.contains(secret)) {
            panic!("a log line shows {secret}: {line}");
        }
    }
}

#[tokio::test]
async fn a_scheduled_drift_event_runs_the_drift_report_and_prints_its_metrics() {
    let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = simulator::spawn(SimulatorConfig::default(), sim_listener)
        .await
        .unwrap();
    sim.add_agents("managed", 3, &[("scim:managed", "true")]);
    sim.add_agents("console", 2, &[]);
    let (tx, mut rx) = mpsc::channel(4);
    let (runtime_api, _runtime) =
        fake_runtime_api(r#"{"connect_scim_action": "drift"}"#.to_owned(), tx).await;

    let child = bootstrap(&runtime_api)
        .env(
            "SCIM_BEARER_TOKEN",
            "drift-event-token-0123456789abcdefghij",
        )
        .env("CONNECT_INSTANCE_ID", sim.instance_id())
        .env("AWS_ENDPOINT_URL_CONNECT", sim.url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (kind, body) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("the function answers the invocation")
        .expect("an answer");
    assert_eq!(kind, "response", "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["users_scanned"], 5, "{summary}");
    assert_eq!(summary["unmanaged"], 2, "{summary}");

    let output = {
        let mut child = child;
        let _ = child.start_kill();
        child.wait_with_output().await.unwrap()
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let emf = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["Report"] == "drift")
        .unwrap_or_else(|| panic!("no drift metrics: {stdout}"));
    assert_eq!(emf["UnmanagedUsers"], 2, "{emf}");
    assert_eq!(emf["DriftedUsers"], 0, "{emf}");
    assert_eq!(emf["FunctionName"], "connect-scim", "{emf}");
    assert!(
        stdout.contains("\"kind\":\"unmanaged\""),
        "each finding is a log event: {stdout}"
    );
}
