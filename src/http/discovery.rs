//! Discovery endpoints (RFC 7644 §4): generated from one capabilities value and
//! the schema definitions, so what is advertised is what is implemented.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::scim::discovery;
use crate::scim::error::ScimError;
use crate::scim::list::ListResponse;

use super::App;
use super::error::ApiError;
use super::extract::Base;
use super::respond::{finish, scim_json};

/// GET /ServiceProviderConfig (RFC 7643 §5).
pub async fn service_provider_config(State(app): State<Arc<App>>, Base(base): Base) -> Response {
    scim_json(
        StatusCode::OK,
        &discovery::service_provider_config(&app.capabilities(), &base),
    )
}

/// GET /ResourceTypes (RFC 7643 §6).
pub async fn resource_types(Base(base): Base) -> Response {
    let all = discovery::resource_types(&base);
    let n = all.len();
    scim_json(StatusCode::OK, &ListResponse::new(all, n, 1).to_json())
}

/// GET /ResourceTypes/{id}.
pub async fn resource_type(Base(base): Base, Path(id): Path<String>) -> Response {
    find(discovery::resource_types(&base), &id, "ResourceType")
}

/// GET /Schemas (RFC 7643 §7), with the instance's profile names and
/// hierarchy paths as canonical values (the profile cache: no Connect call
/// when warm).
pub async fn schemas(State(app): State<Arc<App>>, Base(base): Base) -> Response {
    let cx = app.session();
    let names = app.provisioning.canonical_names(&cx).await;
    let all = discovery::schemas(&base, &names);
    let n = all.len();
    let list = ListResponse::new(all, n, 1).to_json();
    finish(&cx, Ok(scim_json(StatusCode::OK, &list)))
}

/// GET /Schemas/{id}.
pub async fn schema(
    State(app): State<Arc<App>>,
    Base(base): Base,
    Path(id): Path<String>,
) -> Response {
    let cx = app.session();
    let names = app.provisioning.canonical_names(&cx).await;
    finish(
        &cx,
        Ok(find(discovery::schemas(&base, &names), &id, "Schema")),
    )
}

fn find(all: Vec<serde_json::Value>, id: &str, kind: &str) -> Response {
    match all.into_iter().find(|r| {
        r.get("id")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case(id))
    }) {
        Some(found) => scim_json(StatusCode::OK, &found),
        None => {
            ApiError::from(ScimError::not_found(format!("{kind} {id} not found"))).into_response()
        }
    }
}
