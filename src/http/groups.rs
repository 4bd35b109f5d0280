//! /Groups handlers (RFC 7644 §3.3–§3.6): a Group is an Amazon Connect
//! security profile. Parse, call a use case, render; PATCH answers 204 (Entra
//! requires it, Okta accepts it).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::provisioning::groups::list::wants_members;
use crate::scim::patch::PatchRequest;
use crate::scim::schema::ResourceSchema;

use super::App;
use super::error::ApiError;
use super::extract::{Base, Query, ScimJson};
use super::respond::{self, finish, scim_json};

/// GET /Groups.
pub async fn list(State(app): State<Arc<App>>, Base(base): Base, Query(query): Query) -> Response {
    let cx = app.session();
    let result = app.provisioning.list_groups(&cx, &query, &base).await;
    finish(
        &cx,
        result.map_err(ApiError::from).map(|page| {
            respond::page(
                &page.resources,
                page.total_results,
                page.start_index,
                &ResourceSchema::group(),
                &query,
            )
        }),
    )
}

/// POST /Groups: 201 with the group and its Location.
pub async fn create(
    State(app): State<Arc<App>>,
    Base(base): Base,
    ScimJson(body): ScimJson,
) -> Response {
    let cx = app.session();
    let result = app.provisioning.create_group(&cx, &body, &base).await;
    finish(
        &cx,
        result
            .map_err(ApiError::from)
            .map(|group| respond::created(&format!("{base}/Groups/{}", group.id), &group.json)),
    )
}

/// GET /Groups/{id}, with members unless `excludedAttributes=members`.
pub async fn get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Base(base): Base,
    Query(query): Query,
) -> Response {
    let cx = app.session();
    let with_members = wants_members(&query, false);
    let result = app
        .provisioning
        .get_group(&cx, &id, with_members, &base)
        .await;
    finish(
        &cx,
        result.map_err(ApiError::from).map(|group| {
            let body = respond::project(&group.json, &ResourceSchema::group(), &query);
            scim_json(StatusCode::OK, &body)
        }),
    )
}

/// PUT /Groups/{id} (Okta AIW apps): 200 with the group.
pub async fn replace(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Base(base): Base,
    ScimJson(body): ScimJson,
) -> Response {
    let cx = app.session();
    let result = app.provisioning.replace_group(&cx, &id, &body, &base).await;
    finish(
        &cx,
        result
            .map_err(ApiError::from)
            .map(|group| scim_json(StatusCode::OK, &group.json)),
    )
}

/// PATCH /Groups/{id}: 204.
pub async fn patch(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> Response {
    let cx = app.session();
    let result = match PatchRequest::from_json(&body) {
        Ok(request) => app.provisioning.patch_group(&cx, &id, &request).await,
        Err(e) => Err(e.into()),
    };
    finish(
        &cx,
        result
            .map_err(ApiError::from)
            .map(|()| StatusCode::NO_CONTENT.into_response()),
    )
}

/// DELETE /Groups/{id}: 204.
pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let cx = app.session();
    let result = app.provisioning.delete_group(&cx, &id).await;
    finish(
        &cx,
        result
            .map_err(ApiError::from)
            .map(|()| StatusCode::NO_CONTENT.into_response()),
    )
}
