//! Lambda mode in-process: API Gateway REST proxy events (stage `prod`, from
//! `tests/api/fixtures/`) parsed by lambda_http and fed to the service
//! `connect_scim::lambda::service` builds around the production Router.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use connect_scim::lambda::{self, LambdaService};
use serde_json::Value;
use tower::ServiceExt;

use crate::app::TestApp;

/// The base URL the fixtures' client sees.
const BASE: &str = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/scim/v2";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

/// A fixture event as lambda_http parses it, `USER_ID` replaced by `id`.
fn event(fixture: &str, id: &str) -> lambda_http::Request {
    let path = format!(
        "{}/tests/api/fixtures/{fixture}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    lambda_http::request::from_str(&text.replace("USER_ID", id))
        .unwrap_or_else(|e| panic!("{fixture} is not an API Gateway event: {e}"))
}

async fn invoke(service: &LambdaService, fixture: &str, id: &str) -> Answer {
    let response = service
        .clone()
        .oneshot(event(fixture, id))
        .await
        .unwrap_or_else(|e| match e {});
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Answer {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn every_route_answers_api_gateway_rest_events_that_carry_the_stage() {
    let t = TestApp::spawn().await;
    let service = lambda::service(t.app.clone());

    let health = invoke(&service, "healthz", "").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");

    let empty = invoke(&service, "list-users", "").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(empty.body["totalResults"], 0);

    let created = invoke(&service, "create-user", "").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let location = format!("{BASE}/Users/{id}");
    assert_eq!(created.headers["location"], location.as_str());
    assert_eq!(created.body["meta"]["location"], location);
    assert!(t.connect_user("ada@example.com").is_some());

    let found = invoke(&service, "list-users", "").await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
    assert_eq!(found.body["Resources"][0]["id"], id.as_str());

    let fetched = invoke(&service, "get-user", &id).await;
    assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.body);
    assert_eq!(fetched.body["userName"], "ada@example.com");
    assert_eq!(fetched.body["meta"]["location"], location);

    let patched = invoke(&service, "patch-user", &id).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["name"]["givenName"], "Augusta");

    let deleted = invoke(&service, "delete-user", &id).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert!(t.connect_user("ada@example.com").is_none());
    let gone = invoke(&service, "get-user", &id).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);
}

#[tokio::test]
async fn discovery_urls_carry_the_stage() {
    let t = TestApp::spawn().await;
    let service = lambda::service(t.app.clone());
    let config = invoke(&service, "service-provider-config", "").await;
    assert_eq!(config.status, StatusCode::OK, "{}", config.body);
    assert_eq!(
        config.body["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    assert_eq!(config.body["patch"]["supported"], true);
    assert_eq!(
        config.body["meta"]["location"],
        format!("{BASE}/ServiceProviderConfig")
    );
}

#[tokio::test]
async fn a_request_without_a_token_is_a_scim_401() {
    let t = TestApp::spawn().await;
    let answer = invoke(&lambda::service(t.app.clone()), "no-token", "").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let challenge = answer.headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert_eq!(
        answer.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(t.stats().total, 0, "no Connect call for a refused request");
}

#[tokio::test]
async fn an_unknown_path_through_the_catch_all_route_is_a_scim_404() {
    let t = TestApp::spawn().await;
    let answer = invoke(&lambda::service(t.app.clone()), "unknown-path", "").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.body["status"], "404");
    assert_eq!(
        answer.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
}

/// Log lines written while a test runs on this thread.
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
async fn the_request_log_is_json_with_api_gateways_request_id_and_no_secrets() {
    let t = TestApp::spawn().await;
    let service = lambda::service(t.app.clone());
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(move || writer.clone())
        .finish();
    // With one registered dispatcher, tracing-core caches a callsite's
    // interest from the default of whichever thread hits it first (a parallel
    // test, with none); a second live dispatcher makes every callsite ask the
    // thread's own default instead.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let guard = tracing::subscriber::set_default(subscriber);
    let created = invoke(&service, "create-user", "").await;
    drop(guard);
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line: Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "request")
        .unwrap_or_else(|| panic!("no request line in: {text}"));
    assert_eq!(line["method"], "POST");
    assert_eq!(line["route"], "/scim/v2/Users");
    assert_eq!(line["status"], 201);
    assert!(line["connect_calls"].as_u64() >= Some(1), "{line}");
    assert_eq!(line["throttled"], false);
    assert_eq!(
        line["span"]["request_id"], "0d1e2f3a-0000-4000-8000-000000000003",
        "{line}"
    );
    for secret in [crate::app::TOKEN, "never-logged-Pa55"] {
        assert!(!text.contains(secret), "the log shows {secret}: {text}");
    }
    // Personal data only in the audit trail, which records what a write changed.
    for line in text.lines().filter(|l| !l.contains("\"audit\":true")) {
        assert!(
            !line.contains("Lovelace"),
            "a non-audit line shows the name: {line}"
        );
    }
}

#[tokio::test]
async fn a_forwarded_host_in_an_api_gateway_event_does_not_change_the_location() {
    let t = TestApp::spawn().await;
    let service = lambda::service(t.app.clone());
    let path = format!(
        "{}/tests/api/fixtures/create-user.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (name, value) in [
        ("X-Forwarded-Host", "evil.attacker.example"),
        ("X-Forwarded-Proto", "javascript"),
    ] {
        event["headers"][name] = Value::from(value);
        event["multiValueHeaders"][name] = serde_json::json!([value]);
    }
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let response = service
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{BASE}/Users/")),
        "{location}"
    );
}
