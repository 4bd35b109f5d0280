//! /Groups handlers. Until groups are provisioned as Connect security profiles,
//! the collection is empty (Okta's credential test reads it) and everything
//! else answers a precise SCIM error.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::scim::error::ScimError;
use crate::scim::list::ListResponse;

use super::App;
use super::error::ApiError;
use super::extract::Query;
use super::users::{finish, scim_json};

/// GET /Groups: an empty ListResponse.
pub async fn list(State(app): State<Arc<App>>, Query(query): Query) -> Response {
    let cx = app.session();
    let body = ListResponse::new(Vec::new(), 0, query.start_index).to_json();
    finish(&cx, Ok(scim_json(StatusCode::OK, &body)))
}

/// POST /Groups.
pub async fn create(State(app): State<Arc<App>>) -> Response {
    finish(&app.session(), Err(not_yet()))
}

/// GET /Groups/{id}.
pub async fn get(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    finish(
        &app.session(),
        Err(ScimError::not_found(format!("Group {id} not found")).into()),
    )
}

/// PUT /Groups/{id}.
pub async fn replace(State(app): State<Arc<App>>, Path(_id): Path<String>) -> Response {
    finish(&app.session(), Err(not_yet()))
}

/// PATCH /Groups/{id}.
pub async fn patch(State(app): State<Arc<App>>, Path(_id): Path<String>) -> Response {
    finish(&app.session(), Err(not_yet()))
}

/// DELETE /Groups/{id}.
pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    finish(
        &app.session(),
        Err(ScimError::not_found(format!("Group {id} not found")).into()),
    )
}

fn not_yet() -> ApiError {
    ScimError::new(
        501,
        None,
        "group provisioning is not available in this version",
    )
    .into()
}
