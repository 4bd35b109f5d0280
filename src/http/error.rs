//! `ApiError`: every failure as an RFC 7644 §3.12 JSON body with the right
//! status and headers (`Retry-After` on 429/503, `WWW-Authenticate` on 401).
//! A failure that is not the caller's (Connect unavailable, access denied,
//! anything unexpected) answers a generic detail naming the request id; its
//! cause, Connect's operation, error code and message, goes to the log only,
//! since Connect's messages carry account, role and instance ARNs.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::connect::ConnectError;
use crate::provisioning::Error;
use crate::scim::error::ScimError;

use super::extract::SCIM_JSON;
use super::log::current_request_id;

/// A SCIM error response.
#[derive(Debug)]
pub struct ApiError {
    pub error: ScimError,
    /// Seconds for `Retry-After`.
    pub retry_after: Option<u64>,
}

impl From<ScimError> for ApiError {
    fn from(error: ScimError) -> ApiError {
        ApiError {
            error,
            retry_after: None,
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        match error {
            Error::Scim(e) => e.into(),
            Error::Connect(e) => e.into(),
        }
    }
}

impl From<ConnectError> for ApiError {
    fn from(error: ConnectError) -> ApiError {
        let scim = |e: ScimError| ApiError::from(e);
        match error {
            ConnectError::Throttled { retry_after } => {
                let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
                ApiError {
                    error: ScimError::too_many_requests(format!(
                        "Amazon Connect's request quota is used up; retry after {secs} s. \
                         Nothing that could not be finished was left half-applied: a retry of the same request completes it"
                    )),
                    retry_after: Some(secs),
                }
            }
            ConnectError::Unavailable(m) => {
                let id = log_cause("Unavailable", &m);
                ApiError {
                    error: ScimError::unavailable(format!(
                        "Amazon Connect is unavailable; retry later (request id {id})"
                    )),
                    retry_after: Some(5),
                }
            }
            ConnectError::InvalidParameter(m) => scim(ScimError::invalid_value(format!(
                "Amazon Connect rejected the request: {m}"
            ))),
            ConnectError::Duplicate(m) => scim(ScimError::uniqueness(format!(
                "Amazon Connect reports a duplicate: {m}"
            ))),
            ConnectError::NotFound(m) => scim(ScimError::not_found(format!(
                "Amazon Connect has no such resource: {m}"
            ))),
            ConnectError::LimitExceeded(m) => scim(ScimError::new(
                400,
                None,
                format!("an Amazon Connect service quota is reached: {m}"),
            )),
            ConnectError::AccessDenied(m) => {
                let id = log_cause("AccessDeniedException", &m);
                scim(ScimError::internal(format!(
                    "Amazon Connect refused a call of the service's AWS role; the service's log has the cause (request id {id})"
                )))
            }
            ConnectError::Other(m) => {
                let id = log_cause("Other", &m);
                scim(ScimError::internal(format!(
                    "Amazon Connect failed; the service's log has the cause (request id {id})"
                )))
            }
        }
    }
}

/// Logs a Connect failure the caller is not told about: `text` is the
/// adapter's `Operation: message`. Returns the request id it is filed under.
fn log_cause(code: &str, text: &str) -> String {
    let (operation, message) = text.split_once(": ").unwrap_or(("-", text));
    let request_id = current_request_id().unwrap_or_else(|| "-".to_owned());
    tracing::error!(
        operation,
        code,
        error = message,
        request_id = %request_id,
        "Amazon Connect call failed"
    );
    request_id
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.error.to_json()).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"connect-scim\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:connect:us-east-1:123456789012:instance/abc";

    #[test]
    fn connect_failures_answer_without_connects_message() {
        for error in [
            ConnectError::AccessDenied(format!("DescribeUser: not authorized on {ARN}")),
            ConnectError::Unavailable(format!("DescribeUser: could not reach {ARN}")),
            ConnectError::Other(format!("DescribeUser: odd answer about {ARN}")),
        ] {
            let answer = ApiError::from(error);
            assert!(answer.error.status >= 500, "{answer:?}");
            assert!(!answer.error.detail.contains(ARN), "{answer:?}");
            assert!(answer.error.detail.contains("request id"), "{answer:?}");
        }
    }

    #[test]
    fn a_callers_mistake_still_says_what_connect_refused() {
        let answer = ApiError::from(ConnectError::InvalidParameter(
            "CreateUser: the username is too long".to_owned(),
        ));
        assert_eq!(answer.error.status, 400);
        assert!(answer.error.detail.contains("the username is too long"));
    }
}
