//! Guards around the Router that keep one process serving under load and abuse:
//! a bound on SCIM requests in flight (503 + `Retry-After` past it, at once,
//! never a queue), limits on the request target and headers (tighter than the
//! HTTP parser's, so the answer is a SCIM error), and panics answered as a
//! SCIM 500 while the process keeps serving.

use std::any::Any;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;

use super::MAX_BODY_BYTES;
use super::error::ApiError;
use crate::scim::error::ScimError;

/// The longest request target (path and query) served; 414 beyond it. hyper
/// itself refuses targets past 65,534 bytes, with an empty body.
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// The most header bytes (names and values) served; 431 beyond it. hyper
/// itself refuses a head past about 400 KB, or past 100 headers, with an
/// empty body.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Seconds a shed request is told to wait (`Retry-After`).
pub const SHED_RETRY_AFTER_SECS: u64 = 1;

/// Middleware state: the permits of the requests in flight.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    /// At most `limit` requests at once (`MAX_IN_FLIGHT_REQUESTS`).
    pub fn new(limit: usize) -> InFlight {
        InFlight(Arc::new(Semaphore::new(limit)))
    }
}

/// Middleware: serves a request while a permit is free, else answers 503 with
/// `Retry-After` without waiting (RFC 7644 §3.12: the service is overloaded).
pub async fn limit_in_flight(
    State(in_flight): State<InFlight>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_permit) = in_flight.0.clone().try_acquire_owned() else {
        return ApiError {
            error: ScimError::unavailable(format!(
                "the service is serving as many requests as it allows at once; retry after {SHED_RETRY_AFTER_SECS} s"
            )),
            retry_after: Some(SHED_RETRY_AFTER_SECS),
        }
        .into_response();
    };
    next.run(request).await
}

/// Middleware: refuses a request target, a header block or a declared body too
/// large to serve, as a SCIM error (414, 431, 413), before any other work (a
/// declared body past the limit is refused before a byte of it is read).
pub async fn limit_request_head(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let target = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if target > MAX_URI_BYTES {
        return ApiError::from(ScimError::new(
            414,
            None,
            format!(
                "the request URI is {target} bytes, more than the {MAX_URI_BYTES} allowed; \
                 a long filter means a query this service cannot run"
            ),
        ))
        .into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > MAX_HEADER_BYTES {
        return ApiError::from(ScimError::new(
            431,
            None,
            format!(
                "the request headers are {headers} bytes, more than the {MAX_HEADER_BYTES} allowed"
            ),
        ))
        .into_response();
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return ApiError::from(ScimError::payload_too_large(format!(
            "the request body is larger than {MAX_BODY_BYTES} bytes"
        )))
        .into_response();
    }
    next.run(request).await
}

/// What a panic is answered with.
pub type PanicResponse = fn(Box<dyn Any + Send + 'static>) -> Response;

/// A layer that answers a panic in the wrapped service as a SCIM 500, logged
/// with its message only (never the request), and leaves the service serving.
pub fn catch_panics() -> CatchPanicLayer<PanicResponse> {
    CatchPanicLayer::custom(panic_response as PanicResponse)
}

fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_owned());
    let message: String = message.chars().take(200).collect();
    tracing::error!(panic = %message, "a request handler panicked; answered 500");
    ApiError::from(ScimError::internal(
        "the service failed while handling this request; it was not completed and may be retried",
    ))
    .into_response()
}
