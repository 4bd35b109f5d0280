//! One log line per request: method, route, status, latency, the Connect calls
//! it made, the time it waited for the quota, whether Connect itself throttled
//! it (`throttled`: the quota is shared with something else), and the slot of the
//! token the caller presented (`token#1`). Never a token, a password or a body.
//! Each request has a [`RequestId`] (API Gateway's on Lambda, else a new UUID),
//! shown in the log line and in the detail of a 5xx answer.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::auth::Caller;
use super::metrics::{self, RequestMetrics};

/// What a request cost in Connect terms (set by the handlers).
#[derive(Debug, Clone, Default)]
pub struct ConnectUsage {
    pub calls: u32,
    /// ThrottlingExceptions Connect answered (retried, or ending in a 429).
    pub connect_throttles: u32,
    pub throttle_wait: Duration,
    /// Calls per Connect operation.
    pub by_operation: BTreeMap<&'static str, u32>,
}

/// A request's id: set by the Lambda entry point (API Gateway's
/// `requestContext.requestId`), else made up by [`log_request`].
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    static REQUEST_ID: String;
    /// The caller (the slot of its token) of the request this task serves.
    pub static CALLER: String;
}

/// The id of the request this task is serving, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The caller of the request this task is serving (`token#N`), if authenticated.
pub fn current_caller() -> Option<String> {
    CALLER.try_with(Clone::clone).ok()
}

/// The route template a request matched (`/scim/v2/Users/{id}`), never its ids.
#[derive(Debug, Clone)]
pub struct Route(pub String);

/// Route-layer middleware: carries the matched route to the request log.
pub async fn tag_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| Route(p.as_str().to_owned()));
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Middleware: logs the request when its response is ready (and, when its
/// state says so, with JSON logs, prints its CloudWatch metrics).
pub async fn log_request(
    State(emit_metrics): State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let response = REQUEST_ID
        .scope(request_id.clone(), next.run(request))
        .await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or("unmatched", |r| r.0.as_str());
    let usage = response
        .extensions()
        .get::<ConnectUsage>()
        .cloned()
        .unwrap_or_default();
    let caller = response
        .extensions()
        .get::<Caller>()
        .map(|c| c.0.as_str())
        .unwrap_or("-");
    let status = response.status().as_u16();
    tracing::info!(
        method = %method,
        route = %route,
        status,
        latency_ms = started.elapsed().as_millis() as u64,
        connect_calls = usage.calls,
        throttle_wait_ms = usage.throttle_wait.as_millis() as u64,
        connect_throttles = usage.connect_throttles,
        throttled = usage.connect_throttles > 0,
        caller,
        request_id = %request_id,
        "request"
    );
    if emit_metrics {
        metrics::emit(&RequestMetrics {
            operation: format!("{method} {route}"),
            status,
            latency: started.elapsed(),
            usage: &usage,
        });
    }
    response
}
