//! Bearer-token authentication (RFC 6750 §2.1), checked in constant time. The
//! accepted tokens are kept only as SHA-256 digests; a caller is identified in
//! logs by a short hash of its token, never by the token.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::scim::error::ScimError;

use super::App;
use super::error::ApiError;

/// The accepted bearer tokens (several during a rotation).
#[derive(Clone, Default)]
pub struct Tokens {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} accepted)", self.digests.len())
    }
}

/// Who called, as the logs may show it: the first 8 hex digits of the token's SHA-256.
#[derive(Debug, Clone)]
pub struct Caller(pub String);

impl Tokens {
    /// Accepts the given tokens (empty strings are ignored).
    pub fn new<I, S>(tokens: I) -> Tokens
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Tokens {
            digests: tokens
                .into_iter()
                .filter(|t| !t.as_ref().is_empty())
                .map(|t| Sha256::digest(t.as_ref().as_bytes()).into())
                .collect(),
        }
    }

    /// How many tokens are accepted.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether no token is accepted (every request is then refused).
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// Whether `presented` is one of the tokens. Digests of equal length are
    /// compared in constant time, and every accepted token is compared, so
    /// neither the position nor a matching prefix shows in the timing.
    pub fn verify(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.digests
            .iter()
            .fold(subtle::Choice::from(0), |found, d| found | d.ct_eq(&digest))
            .into()
    }
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive).
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Middleware: 401 with `WWW-Authenticate: Bearer` unless the token is accepted.
pub async fn require_bearer(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    match bearer(&request) {
        Some(token) if app.tokens.verify(token) => {
            let hash = Sha256::digest(token.as_bytes());
            let caller = Caller(hash.iter().take(4).map(|b| format!("{b:02x}")).collect());
            request.extensions_mut().insert(caller.clone());
            let mut response = next.run(request).await;
            response.extensions_mut().insert(caller);
            response
        }
        Some(_) => {
            ApiError::from(ScimError::unauthorized("the bearer token is not valid")).into_response()
        }
        None => ApiError::from(ScimError::unauthorized(
            "authentication required: send Authorization: Bearer <token>",
        ))
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_of_the_rotation_tokens_is_accepted() {
        let tokens = Tokens::new(["new-token", "old-token"]);
        assert!(tokens.verify("new-token"));
        assert!(tokens.verify("old-token"));
        assert!(!tokens.verify("new-toke"));
        assert!(!tokens.verify(""));
    }

    #[test]
    fn no_tokens_accept_nothing() {
        assert!(!Tokens::new(Vec::<String>::new()).verify(""));
    }
}
