//! An identity provider's HTTP client for the soak tests: one request with an
//! optional client-side timeout (which drops the connection mid-flight), and
//! retries that follow `Retry-After` on 429 and 503, as Okta and Entra do.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::app::TOKEN;

/// What one attempt got: an answer, or nothing (the client gave up on it).
#[derive(Debug)]
pub enum Attempt {
    Answer {
        status: u16,
        retry_after: Option<u64>,
        body: Value,
    },
    Cancelled,
}

/// Sends one request; `timeout` cancels it client-side (the connection is dropped).
pub async fn attempt(
    http: &reqwest::Client,
    url: &str,
    method: Method,
    body: Option<&Value>,
    timeout: Duration,
) -> Attempt {
    let mut request = http
        .request(method, url)
        .bearer_auth(TOKEN)
        .timeout(timeout);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/scim+json")
            .body(body.to_string());
    }
    let reply = match request.send().await {
        Ok(reply) => reply,
        Err(e) if e.is_timeout() => return Attempt::Cancelled,
        Err(e) => panic!("{url}: no answer: {e}"),
    };
    let status = reply.status().as_u16();
    let retry_after = reply
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let text = match reply.text().await {
        Ok(text) => text,
        Err(e) if e.is_timeout() => return Attempt::Cancelled,
        Err(e) => panic!("{url}: body: {e}"),
    };
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{url}: not JSON ({status}): {text}"))
    };
    if status >= 400 {
        assert_eq!(
            body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
            "{url}: {status} without a SCIM error body: {text}"
        );
    }
    if status == 429 || status == 503 {
        assert!(retry_after.is_some(), "{url}: {status} without Retry-After");
    }
    Attempt::Answer {
        status,
        retry_after,
        body,
    }
}

/// Seconds to wait before retrying an answer the IdP retries (429, 503),
/// capped so that a test stays short; None for any other answer.
pub fn backoff(attempt: &Attempt) -> Option<Duration> {
    match attempt {
        Attempt::Answer {
            status: 429 | 503,
            retry_after,
            ..
        } => Some(Duration::from_secs(retry_after.unwrap_or(1).min(5))),
        _ => None,
    }
}
