//! Bearer-token authentication (RFC 6750 §2.1), checked in constant time. The
//! accepted tokens are kept only as SHA-256 digests, each at least
//! [`MIN_TOKEN_CHARS`] long; a caller is identified in logs by the slot of the
//! token it presented (`token#1`), never by the token or anything derived from it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};

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

/// The shortest bearer token accepted at start: 32 characters (e.g. the 64 of
/// `openssl rand -hex 32`), so a token cannot be guessed within any request budget.
pub const MIN_TOKEN_CHARS: usize = 32;

/// Why the configured tokens cannot be used. Never quotes a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// A token under [`MIN_TOKEN_CHARS`].
    #[error(
        "bearer token #{slot} (SCIM_BEARER_TOKEN first, then SCIM_TOKEN_SECRET_ARN's) has {length} characters; at least {MIN_TOKEN_CHARS} characters are required (e.g. `openssl rand -hex 32`)"
    )]
    TooShort { slot: usize, length: usize },
}

/// Who called, as the logs may show it: the slot of the matching token,
/// `token#1` for the first configured (SCIM_BEARER_TOKEN's, then the secret's).
#[derive(Debug, Clone)]
pub struct Caller(pub String);

impl Tokens {
    /// Accepts the given tokens (empty strings are ignored); a token shorter
    /// than [`MIN_TOKEN_CHARS`] is refused.
    pub fn new<I, S>(tokens: I) -> Result<Tokens, TokenError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut digests = Vec::new();
        for token in tokens.into_iter().filter(|t| !t.as_ref().is_empty()) {
            let length = token.as_ref().chars().count();
            if length < MIN_TOKEN_CHARS {
                return Err(TokenError::TooShort {
                    slot: digests.len() + 1,
                    length,
                });
            }
            digests.push(Sha256::digest(token.as_ref().as_bytes()).into());
        }
        Ok(Tokens { digests })
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
        self.slot(presented).is_some()
    }

    /// The 1-based slot of the token `presented` matches, found in constant
    /// time as [`Tokens::verify`] describes.
    pub fn slot(&self, presented: &str) -> Option<usize> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let slot = self
            .digests
            .iter()
            .zip(1u32..)
            .fold(0u32, |found, (d, slot)| {
                u32::conditional_select(&found, &slot, d.ct_eq(&digest))
            });
        (slot > 0).then_some(slot as usize)
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
    let presented = bearer(&request).map(|token| app.tokens.slot(token));
    match presented {
        Some(Some(slot)) => {
            let caller = Caller(format!("token#{slot}"));
            request.extensions_mut().insert(caller.clone());
            let mut response = super::log::CALLER
                .scope(caller.0.clone(), next.run(request))
                .await;
            response.extensions_mut().insert(caller);
            response
        }
        Some(None) => {
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

    const NEW: &str = "new-token-0123456789abcdefghijklmn";
    const OLD: &str = "old-token-0123456789abcdefghijklmn";

    #[test]
    fn any_of_the_rotation_tokens_is_accepted() {
        let tokens = Tokens::new([NEW, OLD]).unwrap();
        assert!(tokens.verify(NEW));
        assert!(tokens.verify(OLD));
        assert!(!tokens.verify(&NEW[..NEW.len() - 1]));
        assert!(!tokens.verify(""));
    }

    #[test]
    fn the_caller_is_the_slot_of_the_matching_token() {
        let tokens = Tokens::new([NEW, OLD]).unwrap();
        assert_eq!(tokens.slot(NEW), Some(1));
        assert_eq!(tokens.slot(OLD), Some(2));
        assert_eq!(tokens.slot("another-token-0123456789abcdefghij"), None);
    }

    #[test]
    fn a_token_shorter_than_32_characters_is_refused_without_quoting_it() {
        let err = Tokens::new([NEW, "short-s3cret"]).unwrap_err();
        assert_eq!(
            err,
            TokenError::TooShort {
                slot: 2,
                length: 12
            }
        );
        let message = err.to_string();
        assert!(message.contains("at least 32 characters"), "{message}");
        assert!(!message.contains("short-s3cret"), "{message}");
        assert!(Tokens::new(["x".repeat(MIN_TOKEN_CHARS)]).is_ok());
    }

    #[test]
    fn no_tokens_accept_nothing() {
        assert!(!Tokens::new(Vec::<String>::new()).unwrap().verify(""));
    }
}
