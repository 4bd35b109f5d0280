//! `connect-scim serve`'s HTTP/1.1 server: the one Router over hyper, with what
//! a server on a network needs and `axum::serve` lacks. A connection must send
//! a request head within `SERVE_HEADER_TIMEOUT_MS` (slowloris), a request body
//! within `SERVE_BODY_TIMEOUT_MS` (408), may wait for its next request
//! `SERVE_IDLE_TIMEOUT_MS`, and at most `SERVE_MAX_CONNECTIONS` are open at
//! once (more wait in the kernel's backlog, so file descriptors never run out).

mod watch;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch as signal};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::http::{ApiError, MAX_BODY_BYTES};
use crate::scim::error::ScimError;

use watch::{Expired, Watch, Watched};

/// The server's protections (README, Configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// `SERVE_HEADER_TIMEOUT_MS` (default 10000): from a connection's accept,
    /// or a later request's first byte, to its complete head; else it is closed.
    pub header_timeout: Duration,
    /// `SERVE_BODY_TIMEOUT_MS` (default 10000): to receive a whole request
    /// body once its head is read; else 408 and the connection is closed.
    pub body_timeout: Duration,
    /// `SERVE_IDLE_TIMEOUT_MS` (default 60000): how long a keep-alive
    /// connection may wait for its next request.
    pub idle_timeout: Duration,
    /// `SERVE_MAX_CONNECTIONS` (default 256): connections open at once.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
        }
    }
}

/// What to tell the operator when `serve` listens beyond loopback: there is
/// no TLS here, so the bearer token would cross the network in clear text.
pub fn exposure_warning(listen: std::net::SocketAddr) -> Option<String> {
    (!listen.ip().is_loopback()).then(|| {
        format!(
            "WARNING: listening on {listen}, beyond loopback, over plain HTTP. The bearer token and every \
             user's data cross the network unencrypted: put a TLS-terminating proxy or load balancer in \
             front (and set PUBLIC_BASE_URL), or listen on 127.0.0.1."
        )
    })
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open
/// requests finish.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) {
    let router = router.layer(middleware::from_fn_with_state(
        limits.body_timeout,
        read_body_in_time,
    ));
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopped) = signal::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // EMFILE and the like: the next accept may succeed once a connection closes.
                    tracing::warn!(error = %error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (router, stopped, pressure) = (router.clone(), stopped.clone(), permits.clone());
        connections.spawn(async move {
            serve_connection(stream, router, limits, stopped, pressure).await;
            drop(permit);
        });
        while connections.try_join_next().is_some() {}
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
}

/// One connection: hyper's HTTP/1.1 state machine, watched for the timeouts.
async fn serve_connection(
    stream: TcpStream,
    router: Router,
    limits: ServeLimits,
    mut stopped: signal::Receiver<bool>,
    free: Arc<Semaphore>,
) {
    // Under pressure (a quarter or less of the connection slots free) a new
    // connection serves one request and closes, and an idle keep-alive is
    // closed at the next check: connections waiting in the kernel's backlog
    // get their turn instead of waiting out idle clients.
    let pressed = |free: &Semaphore| free.available_permits() <= limits.max_connections / 4;
    let keep_alive = !pressed(&free);
    let _ = stream.set_nodelay(true);
    let watch = Arc::new(Watch::new());
    let io = TokioIo::new(Watched::new(stream, watch.clone()));
    let service = {
        let watch = watch.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let (router, watch) = (router.clone(), watch.clone());
            async move {
                watch.request_started();
                let response = router.oneshot(request.map(Body::new)).await;
                watch.request_finished();
                response
            }
        })
    };
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(keep_alive)
        .serve_connection(io, service);
    tokio::pin!(connection);
    let mut tick = tokio::time::interval(check_interval(&limits));
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(error = %error, "connection ended with an error");
                }
                return;
            }
            _ = tick.tick() => match watch.expired(
                limits.header_timeout,
                if pressed(&free) { Duration::ZERO } else { limits.idle_timeout },
            ) {
                Some(Expired::Header) => {
                    tracing::debug!("closing a connection that sent no complete request head in time (SERVE_HEADER_TIMEOUT_MS)");
                    return;
                }
                Some(Expired::Idle) if !closing => {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
                _ => {}
            },
            changed = stopped.changed(), if !closing => {
                if changed.is_err() || *stopped.borrow() {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// How often a connection's timeouts are checked: a quarter of the shortest,
/// between 10 ms and 1 s.
fn check_interval(limits: &ServeLimits) -> Duration {
    let shortest = limits.header_timeout.min(limits.idle_timeout);
    (shortest / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// Middleware: the whole request body within `SERVE_BODY_TIMEOUT_MS`, else
/// 408 (RFC 9110 §15.5.9) and `Connection: close`; more than the body limit is 413.
async fn read_body_in_time(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES);
    match tokio::time::timeout(limit, read).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(error)) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|e| e.is::<http_body_util::LengthLimitError>());
            let error = match too_large {
                true => ScimError::payload_too_large(format!(
                    "the request body is larger than {MAX_BODY_BYTES} bytes"
                )),
                false => ScimError::invalid_syntax("the request body could not be read"),
            };
            close(ApiError::from(error).into_response())
        }
        Err(_) => close(
            ApiError::from(ScimError::new(
                408,
                None,
                format!(
                    "the request body did not arrive within {} ms (SERVE_BODY_TIMEOUT_MS)",
                    limit.as_millis()
                ),
            ))
            .into_response(),
        ),
    }
}

fn close(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_beyond_loopback_warns_and_loopback_does_not() {
        assert!(exposure_warning("127.0.0.1:8080".parse().unwrap()).is_none());
        assert!(exposure_warning("[::1]:8080".parse().unwrap()).is_none());
        let warning = exposure_warning("0.0.0.0:8080".parse().unwrap()).unwrap();
        assert!(warning.contains("TLS"), "{warning}");
    }

    #[test]
    fn timeouts_are_checked_often_enough() {
        let limits = ServeLimits {
            header_timeout: Duration::from_millis(200),
            ..ServeLimits::default()
        };
        assert_eq!(check_interval(&limits), Duration::from_millis(50));
        assert_eq!(
            check_interval(&ServeLimits::default()),
            Duration::from_secs(1)
        );
    }
}
