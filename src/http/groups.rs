//! /Groups handlers (RFC 7644 §3.3–§3.6): a Group is an Amazon Connect
//! security profile. Parse, call a use case, render; PATCH answers 204 (Entra
//! requires it, Okta accepts it) unless `GROUP_PATCH_RESPONSE=resource` or
//! `attributes`/`excludedAttributes` asks for the group (RFC 7644 §3.5.2).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::config::GroupPatchResponse;
use crate::provisioning::groups::PatchAnswer;
use crate::provisioning::groups::list::wants_members;
use crate::scim::list::ListQuery;
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

/// PATCH /Groups/{id}: 204, or 200 with the group (projected by
/// `attributes`/`excludedAttributes`), see [`patch_answer`].
pub async fn patch(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Base(base): Base,
    Query(query): Query,
    ScimJson(body): ScimJson,
) -> Response {
    let cx = app.session();
    let answer = patch_answer(app.config.group_patch_response, &query);
    let result = match PatchRequest::from_json(&body) {
        Ok(request) => {
            app.provisioning
                .patch_group(&cx, &id, &request, answer, &base)
                .await
        }
        Err(e) => Err(e.into()),
    };
    finish(
        &cx,
        result.map_err(ApiError::from).map(|group| match group {
            Some(group) => {
                let body = respond::project(&group.json, &ResourceSchema::group(), &query);
                scim_json(StatusCode::OK, &body)
            }
            None => StatusCode::NO_CONTENT.into_response(),
        }),
    )
}

/// What a PATCH answers (RFC 7644 §3.5.2): the group when `attributes` or
/// `excludedAttributes` is given (the RFC requires 200 then) or with
/// `GROUP_PATCH_RESPONSE=resource`, its members unless excluded; else 204.
pub fn patch_answer(setting: GroupPatchResponse, query: &ListQuery) -> PatchAnswer {
    let projected = !query.attributes.is_empty() || !query.excluded_attributes.is_empty();
    if projected || setting == GroupPatchResponse::Resource {
        PatchAnswer::Group {
            with_members: wants_members(query, false),
        }
    } else {
        PatchAnswer::NoContent
    }
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
