//! The SCIM error response (RFC 7644 §3.12): an HTTP status, an optional
//! `scimType` keyword and a human-readable detail, rendered as SCIM JSON.

use serde_json::{Value, json};

use super::schema::ERROR;

/// The `scimType` keywords of RFC 7644 §3.12, table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScimType {
    /// The filter syntax was invalid or the filter is not supported.
    InvalidFilter,
    /// The filter yields more results than the server is willing to return.
    TooMany,
    /// One or more unique attribute values are already in use.
    Uniqueness,
    /// The attempted modification is not compatible with the attribute's mutability.
    Mutability,
    /// The request body structure was invalid.
    InvalidSyntax,
    /// The path attribute was invalid or malformed.
    InvalidPath,
    /// The path did not yield an attribute or value that could be operated on.
    NoTarget,
    /// A required value was missing or the value was not compatible.
    InvalidValue,
    /// The SCIM protocol version is not supported.
    InvalidVers,
    /// The request cannot be completed because it would reveal sensitive data.
    Sensitive,
}

impl ScimType {
    /// The RFC 7644 §3.12 keyword, e.g. `invalidFilter`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }
}

impl std::fmt::Display for ScimType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An RFC 7644 §3.12 error: HTTP status, optional `scimType`, and detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}{}: {detail}", scim_type.map(|t| format!(" {t}")).unwrap_or_default())]
pub struct ScimError {
    /// The HTTP status code (RFC 7644 §3.12 `status`).
    pub status: u16,
    /// The `scimType` keyword, for 400 and 409 responses (RFC 7644 §3.12).
    pub scim_type: Option<ScimType>,
    /// A human-readable explanation (RFC 7644 §3.12 `detail`).
    pub detail: String,
}

impl ScimError {
    /// Any RFC 7644 §3.12 error.
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::new(400, Some(scim_type), detail)
    }

    /// 400 `invalidFilter` (RFC 7644 §3.4.2.2).
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidFilter, detail)
    }

    /// 400 `invalidSyntax` (RFC 7644 §3.12).
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    /// 400 `invalidPath` (RFC 7644 §3.5.2).
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidPath, detail)
    }

    /// 400 `noTarget` (RFC 7644 §3.5.2).
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::NoTarget, detail)
    }

    /// 400 `mutability` (RFC 7644 §3.5.2, RFC 7643 §2.2).
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    /// 400 `invalidValue` (RFC 7644 §3.12).
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    /// 400 `invalidVers` (RFC 7644 §3.12).
    pub fn invalid_vers(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidVers, detail)
    }

    /// 400 `tooMany` (RFC 7644 §3.4.2.2, §3.12).
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::TooMany, detail)
    }

    /// 409 `uniqueness` (RFC 7644 §3.3, §3.12).
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some(ScimType::Uniqueness), detail)
    }

    /// 401 Unauthorized (RFC 7644 §3.12).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(401, None, detail)
    }

    /// 404 Not Found (RFC 7644 §3.12).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }

    /// 405 Method Not Allowed, e.g. POST on a discovery endpoint (RFC 7644 §4).
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(405, None, detail)
    }

    /// 304 Not Modified, for a matching `If-None-Match` (RFC 7644 §3.14).
    pub fn not_modified(detail: impl Into<String>) -> Self {
        Self::new(304, None, detail)
    }

    /// 412 Precondition Failed, for a mismatched `If-Match` (RFC 7644 §3.14).
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(412, None, detail)
    }

    /// 413 Payload Too Large (RFC 7644 §3.12).
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(413, None, detail)
    }

    /// 429 Too Many Requests, when the Connect quota is exhausted (RFC 6585 §4).
    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::new(429, None, detail)
    }

    /// 500 Internal Server Error (RFC 7644 §3.12).
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, None, detail)
    }

    /// 503 Service Unavailable (RFC 7644 §3.12).
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(503, None, detail)
    }

    /// The RFC 7644 §3.12 JSON body; `status` is a string, `scimType` omitted when absent.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let (Some(scim_type), Some(map)) = (self.scim_type, body.as_object_mut()) {
            map.insert("scimType".into(), Value::from(scim_type.as_str()));
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_json_has_string_status_and_scim_type() {
        let body = ScimError::invalid_value("bad").to_json();
        assert_eq!(
            body,
            json!({"schemas":[ERROR],"status":"400","scimType":"invalidValue","detail":"bad"})
        );
    }

    #[test]
    fn error_json_omits_scim_type_when_absent() {
        let body = ScimError::not_found("no such user").to_json();
        assert_eq!(body["status"], "404");
        assert!(body.get("scimType").is_none());
    }

    #[test]
    fn display_names_status_type_and_detail() {
        assert_eq!(
            ScimError::uniqueness("taken").to_string(),
            "409 uniqueness: taken"
        );
        assert_eq!(ScimError::internal("boom").to_string(), "500: boom");
    }
}
