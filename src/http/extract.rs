//! Extractors that own their rejections, so no handler repeats them:
//! [`ScimJson`] (content types, body limit, JSON syntax → SCIM errors),
//! [`Base`] (the SCIM base URL as the client sees it, for `Location` and
//! `meta.location`, never from a header an attacker can set unless told),
//! [`Query`] (RFC 7644 §3.4.2 query parameters) and [`SearchBody`] (the same
//! parameters from a SearchRequest body, RFC 7644 §3.4.3).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde_json::Value;

use crate::scim::error::ScimError;
use crate::scim::list::ListQuery;

use super::error::ApiError;
use super::{App, BASE_PATH};

/// The SCIM media type (RFC 7644 §3.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// A JSON request body: `application/scim+json`, `application/json` or no
/// content type at all (Okta's spec test sends none).
pub struct ScimJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            if !(essence.is_empty() || essence == SCIM_JSON || essence == "application/json") {
                return Err(ScimError::new(
                    415,
                    None,
                    format!(
                        "content type '{essence}' is not supported; send application/scim+json"
                    ),
                )
                .into());
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::from(ScimError::payload_too_large(format!(
                    "the request body is larger than {} bytes",
                    super::MAX_BODY_BYTES
                )))
            } else {
                ApiError::from(ScimError::invalid_syntax(
                    "the request body could not be read",
                ))
            }
        })?;
        if bytes.is_empty() {
            return Err(ScimError::invalid_syntax(
                "the request body is empty; a JSON object is expected",
            )
            .into());
        }
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::from(ScimError::invalid_syntax(format!(
                "the request body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )))
        })?;
        if !value.is_object() {
            return Err(ScimError::invalid_syntax("the request body must be a JSON object").into());
        }
        Ok(ScimJson(value))
    }
}

/// A request extension the Lambda entry point sets: the API Gateway stage
/// (`/prod`) that the client's URLs carry in front of the SCIM base path.
#[derive(Debug, Clone)]
pub struct StagePrefix(pub String);

/// A request extension the Lambda entry point sets: the host the client
/// called (API Gateway's `requestContext.domainName`), reached over https.
#[derive(Debug, Clone)]
pub struct ClientHost(pub String);

/// The SCIM base URL as the client sees it, e.g. `https://host/prod/scim/v2`:
/// `PUBLIC_BASE_URL` when set; on Lambda, API Gateway's domain and stage;
/// else `http://` and the Host header. `X-Forwarded-Proto`/`-Host` count only
/// with `TRUST_FORWARDED_HEADERS=true`, and a scheme only if http or https.
pub struct Base(pub String);

impl<S> FromRequestParts<S> for Base
where
    S: Send + Sync,
    Arc<App>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = Arc::<App>::from_ref(state);
        if let Some(public) = &app.config.public_base_url {
            return Ok(Base(format!("{public}{BASE_PATH}")));
        }
        let stage = parts
            .extensions
            .get::<StagePrefix>()
            .map(|s| s.0.clone())
            .unwrap_or_default();
        if let Some(ClientHost(host)) = parts.extensions.get::<ClientHost>() {
            return Ok(Base(format!("https://{host}{stage}{BASE_PATH}")));
        }
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let trust = app.config.trust_forwarded_headers;
        let scheme = header("x-forwarded-proto")
            .filter(|_| trust)
            .map(|s| s.to_ascii_lowercase())
            .filter(|s| s == "http" || s == "https")
            .unwrap_or_else(|| "http".to_owned());
        let host = header("x-forwarded-host")
            .filter(|h| trust && is_host(h))
            .or_else(|| header("host").filter(|h| is_host(h)))
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .filter(|h| is_host(h))
            .unwrap_or_else(|| "localhost".to_owned());
        Ok(Base(format!("{scheme}://{host}{stage}{BASE_PATH}")))
    }
}

/// Whether `text` is a bare `host[:port]` (no user, path or anything else).
fn is_host(text: &str) -> bool {
    !text.contains('@')
        && text
            .parse::<axum::http::uri::Authority>()
            .is_ok_and(|a| a.as_str() == text)
}

/// The list/projection query parameters of RFC 7644 §3.4.2 and §3.9.
pub struct Query(pub ListQuery);

impl<S> FromRequestParts<S> for Query
where
    S: Send + Sync,
    Arc<App>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = Arc::<App>::from_ref(state);
        Ok(Query(ListQuery::from_query(
            parts.uri.query(),
            app.config.max_page_size,
        )?))
    }
}

/// The list parameters of a `POST …/.search` SearchRequest body (RFC 7644
/// §3.4.3), as [`Query`] gives them for a GET; the request's query string is
/// not read.
pub struct SearchBody(pub ListQuery);

impl<S> FromRequest<S> for SearchBody
where
    S: Send + Sync,
    Arc<App>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let app = Arc::<App>::from_ref(state);
        let ScimJson(body) = ScimJson::from_request(req, state).await?;
        Ok(SearchBody(ListQuery::from_search_request(
            &body,
            app.config.max_page_size,
        )?))
    }
}
