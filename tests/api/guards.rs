//! The guards in front of the handlers: a bound on requests in flight (503 +
//! `Retry-After` at once, `/healthz` exempt), request targets and headers too
//! large for the service (SCIM 414/431), what the HTTP parser refuses before
//! the Router sees a request, and panics answered as a SCIM 500.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use connect_scim::connect::simulator::SimulatorConfig;
use connect_scim::http::{guard, log};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::app::{TOKEN, TestApp};

const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

fn healthz(app: &TestApp) -> String {
    app.base.replace("/scim/v2", "/healthz")
}

fn authority(base: &str) -> String {
    base.trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_owned()
}

/// Sends `request` as raw bytes and reads the answer until the server closes
/// or 5 s pass: (status, body).
async fn raw_exchange(authority: &str, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(authority).await.expect("connects");
    stream.write_all(request).await.expect("sends");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn past_the_in_flight_bound_requests_are_answered_503_at_once_and_healthz_still_answers() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("MAX_IN_FLIGHT_REQUESTS", "3")],
    )
    .await;
    app.sim.disable_quota();
    app.sim.set_latency("SearchUsers", Duration::from_secs(3));
    let http = reqwest::Client::new();

    let requests = (0..8).map(|_| {
        let http = http.clone();
        let url = format!("{}/Users?count=1", app.base);
        async move {
            let started = std::time::Instant::now();
            let reply = http.get(url).bearer_auth(TOKEN).send().await.unwrap();
            let status = reply.status();
            let retry_after = reply.headers().get("retry-after").cloned();
            let body: Value = reply.json().await.unwrap_or(Value::Null);
            (status, retry_after, body, started.elapsed())
        }
    });
    let health = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = std::time::Instant::now();
        let reply = http.get(healthz(&app)).send().await.unwrap();
        (reply.status(), started.elapsed())
    };
    let (answers, (health_status, health_time)) =
        tokio::join!(futures::future::join_all(requests), health);

    assert_eq!(health_status, 200);
    assert!(health_time < Duration::from_secs(2), "{health_time:?}");
    let served = answers.iter().filter(|a| a.0 == StatusCode::OK).count();
    let shed: Vec<_> = answers
        .iter()
        .filter(|a| a.0 == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert_eq!(served + shed.len(), 8, "only 200 or 503");
    assert!(served <= 3, "at most the bound is served at once: {served}");
    assert!(shed.len() >= 5, "{} shed", shed.len());
    for (_, retry_after, body, took) in shed {
        assert_eq!(retry_after.as_ref().map(|v| v.as_bytes()), Some(&b"1"[..]));
        assert_eq!(body["schemas"][0], ERROR, "{body}");
        assert_eq!(body["status"], "503");
        assert!(
            *took < Duration::from_secs(2),
            "shed at once, not queued: {took:?}"
        );
    }
    app.sim.set_latency("SearchUsers", Duration::ZERO);
    let after = app.get("/Users?count=1").await;
    assert_eq!(after.status, 200, "permits come back: {}", after.body);
}

#[tokio::test]
async fn a_long_filter_is_answered_414_as_a_scim_error() {
    let app = TestApp::spawn().await;
    let filter = format!("userName eq \"{}\"", "a".repeat(20 * 1024));

    let reply = app.get(&format!("/Users?filter={filter}")).await;

    reply.assert_scim_error(414, None);
    assert_eq!(app.stats().total, 0, "no Connect call");
}

#[tokio::test]
async fn oversized_headers_are_answered_431_as_a_scim_error() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(40 * 1024);

    let reply = app
        .send_raw(
            reqwest::Method::GET,
            "/Users",
            None,
            Some(TOKEN),
            &[("X-Padding", &big)],
        )
        .await;

    reply.assert_scim_error(431, None);
}

#[tokio::test]
async fn a_declared_body_past_the_limit_is_a_scim_413_without_reading_it() {
    let app = TestApp::spawn().await;
    let head = format!(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n{{"
    );

    let (status, body) = raw_exchange(&authority(&app.base), head.as_bytes()).await;

    assert_eq!(status, 413, "{body}");
    let json: Value = serde_json::from_str(body.trim()).expect("a JSON body");
    assert_eq!(json["schemas"][0], ERROR);
}

/// What hyper answers itself, before any layer runs: a bare status with no
/// body (documented in the README). The service keeps serving after each.
#[tokio::test]
async fn what_the_http_parser_refuses_gets_a_bare_status_and_the_service_keeps_serving() {
    let app = TestApp::spawn().await;
    let at = authority(&app.base);
    let huge_target = format!(
        "GET /scim/v2/Users?filter={} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let huge_header = format!(
        "GET /scim/v2/Users HTTP/1.1\r\nHost: test\r\nX-Padding: {}\r\nConnection: close\r\n\r\n",
        "x".repeat(500 * 1024)
    );
    let bad_length = "POST /scim/v2/Users HTTP/1.1\r\nHost: test\r\nContent-Length: ten\r\n\
                      Connection: close\r\n\r\n{}";

    assert_eq!(raw_exchange(&at, huge_target.as_bytes()).await.0, 414);
    assert_eq!(raw_exchange(&at, huge_header.as_bytes()).await.0, 431);
    assert_eq!(raw_exchange(&at, bad_length.as_bytes()).await.0, 400);

    assert_eq!(app.get("/Users?count=1").await.status, 200);
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

async fn panics_after_reading(body: Bytes) -> &'static str {
    let _ = body.len();
    panic!("the handler broke on purpose")
}

#[tokio::test]
async fn a_panicking_handler_is_a_scim_500_logged_without_the_body_and_the_server_keeps_serving() {
    let router = Router::new()
        .route("/boom", post(panics_after_reading))
        .route("/ok", get(|| async { "fine" }))
        .layer(guard::catch_panics())
        .layer(axum::middleware::from_fn_with_state(
            false,
            log::log_request,
        ));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(move || writer.clone())
        .finish();
    let logs = tracing::subscriber::set_default(subscriber);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::new();

    let mut statuses = Vec::new();
    for _ in 0..3 {
        let reply = http
            .post(format!("http://{addr}/boom"))
            .body(r#"{"password":"SECRET-IN-THE-BODY"}"#)
            .send()
            .await
            .unwrap();
        statuses.push(reply.status());
        assert_eq!(
            reply.headers()["content-type"],
            "application/scim+json",
            "a SCIM media type"
        );
        let body: Value = reply.json().await.unwrap();
        assert_eq!(body["schemas"][0], ERROR, "{body}");
        assert_eq!(body["status"], "500");
    }
    let ok = http.get(format!("http://{addr}/ok")).send().await.unwrap();
    drop(logs);

    assert!(statuses.iter().all(|s| *s == 500), "{statuses:?}");
    assert_eq!(ok.status(), 200, "still serving");
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("the handler broke on purpose"), "{text}");
    assert!(
        !text.contains("SECRET-IN-THE-BODY"),
        "the body is logged: {text}"
    );
    let request_lines = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["message"] == "request" && l["status"] == 500)
        .count();
    assert_eq!(request_lines, 3, "each panic has its request line: {text}");
}
