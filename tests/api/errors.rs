//! Failures inside the service: what the identity provider sees (a generic
//! detail with the request id, never an account, role or instance ARN) and
//! what the log keeps (the Connect operation, error code and message).

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use connect_scim::app::{self, Target};
use connect_scim::config::Config;
use connect_scim::http;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::app::TOKEN;

const DENIAL: &str = "User: arn:aws:sts::123456789012:assumed-role/connect-scim-role/connect-scim \
     is not authorized to perform: connect:DescribeUser on resource: \
     arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-4333-8444-555555555555/agent/x";

/// A Connect endpoint that denies every call, as IAM does for a role that
/// lacks the permission (restJson1: 403, `x-amzn-ErrorType`).
async fn denying_connect() -> String {
    let deny = || async {
        let body = json!({"Message": DENIAL, "__type": "AccessDeniedException"});
        (
            StatusCode::FORBIDDEN,
            [
                ("x-amzn-ErrorType", "AccessDeniedException"),
                ("content-type", "application/json"),
            ],
            body.to_string(),
        )
            .into_response()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, Router::new().fallback(deny)).await });
    format!("http://{addr}")
}

/// Log lines, as the JSON formatter writes them.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_access_denied_answers_a_generic_500_with_the_request_id_and_logs_the_cause() {
    let url = denying_connect().await;
    let config =
        Config::from_lookup(|k| (k == "SCIM_BEARER_TOKEN").then(|| TOKEN.to_owned())).unwrap();
    let target = Target::Endpoint {
        url,
        instance_id: "11111111-2222-4333-8444-555555555555".to_owned(),
    };
    let built = app::build(config, target).await.unwrap();
    let router = http::router(built.app.clone());

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(move || writer.clone())
        .finish();
    // See lambda::the_request_log_is_json_…: keeps tracing's interest cache per thread.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let guard = tracing::subscriber::set_default(subscriber);
    let request = axum::http::Request::get("/scim/v2/Users/0f6f0a8e-5b1c-4d5e-9a7b-2c3d4e5f6a7b")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
    drop(guard);

    assert_eq!(response.status(), 500);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let detail = body["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        !detail.contains("arn:aws") && !detail.contains("123456789012"),
        "{detail}"
    );

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let request_line = lines
        .iter()
        .find(|l| l["message"] == "request")
        .unwrap_or_else(|| panic!("no request line: {text}"));
    let request_id = request_line["request_id"]
        .as_str()
        .unwrap_or_else(|| panic!("the request line carries a request id: {request_line}"));
    assert!(
        detail.contains(request_id),
        "the detail names the request id {request_id}: {detail}"
    );
    let cause = lines
        .iter()
        .find(|l| l["code"] == "AccessDeniedException")
        .unwrap_or_else(|| panic!("no line with Connect's error code: {text}"));
    assert_eq!(cause["operation"], "DescribeUser", "{cause}");
    assert!(
        cause["error"]
            .as_str()
            .is_some_and(|m| m.contains("not authorized")),
        "{cause}"
    );
    assert_eq!(cause["request_id"], request_id, "{cause}");
    assert!(!text.contains(TOKEN), "{text}");
}
