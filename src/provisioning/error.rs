//! The use cases' error: a SCIM error decided here, or a Connect failure that the
//! HTTP layer renders (429 with Retry-After for throttling, 503 when unavailable).

use crate::connect::ConnectError;
use crate::scim::error::ScimError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is wrong or conflicts with the directory (RFC 7644 §3.12).
    #[error(transparent)]
    Scim(#[from] ScimError),
    /// Amazon Connect failed or throttled.
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

impl Error {
    /// A 400 `invalidValue` error.
    pub fn invalid_value(detail: impl Into<String>) -> Error {
        Error::Scim(ScimError::invalid_value(detail))
    }

    /// A 404 error for a user or group id.
    pub fn not_found(detail: impl Into<String>) -> Error {
        Error::Scim(ScimError::not_found(detail))
    }
}
