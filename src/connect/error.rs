//! Connect failures as one small typed enum, so callers never match on SDK errors.

use std::time::Duration;

/// What went wrong talking to Amazon Connect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// ResourceNotFoundException.
    #[error("not found: {0}")]
    NotFound(String),
    /// DuplicateResourceException.
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// InvalidParameterException / InvalidRequestException, with Connect's message.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// LimitExceededException (a service quota such as users per instance).
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// The quota (ThrottlingException / 429) left no room before the request's
    /// deadline; retrying after `retry_after` is expected to succeed.
    #[error("throttled, retry after {} s", .retry_after.as_secs().max(1))]
    Throttled { retry_after: Duration },
    /// Connect failed (5xx, timeouts, connection errors) and retries did not help.
    #[error("Amazon Connect unavailable: {0}")]
    Unavailable(String),
    /// AccessDeniedException / 403: the IAM role lacks a permission.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}
