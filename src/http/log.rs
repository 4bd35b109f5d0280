//! One log line per request: method, route, status, latency, the Connect calls
//! it made, the time it waited for the quota, whether Connect itself throttled
//! it (`throttled`: the quota is shared with something else), and the slot of the
//! token the caller presented (`token#1`). Never a token, a password or a body.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

use super::auth::Caller;

/// What a request cost in Connect terms (set by the handlers).
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectUsage {
    pub calls: u32,
    /// ThrottlingExceptions Connect answered (retried, or ending in a 429).
    pub connect_throttles: u32,
    pub throttle_wait: Duration,
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

/// Middleware: logs the request when its response is ready.
pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or("unmatched", |r| r.0.as_str());
    let usage = response
        .extensions()
        .get::<ConnectUsage>()
        .copied()
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
        "request"
    );
    response
}
