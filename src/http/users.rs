//! /Users handlers (RFC 7644 §3.3–§3.6): parse, call a use case, render.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::provisioning::users::Rendered;
use crate::scim::etag;
use crate::scim::list::ListQuery;
use crate::scim::patch::PatchRequest;
use crate::scim::schema::ResourceSchema;

use super::App;
use super::error::ApiError;
use super::extract::{Base, Query, ScimJson};
use super::respond::{self, finish, header_str};

/// GET /Users.
pub async fn list(State(app): State<Arc<App>>, Base(base): Base, Query(query): Query) -> Response {
    let cx = app.session();
    let result = app.provisioning.list_users(&cx, &query, &base).await;
    finish(
        &cx,
        result.map_err(ApiError::from).map(|page| {
            respond::page(
                &page.resources,
                page.total_results,
                page.start_index,
                &ResourceSchema::user(),
                &query,
            )
        }),
    )
}

/// POST /Users: 201 with the user and its Location.
pub async fn create(
    State(app): State<Arc<App>>,
    Base(base): Base,
    ScimJson(body): ScimJson,
) -> Response {
    let cx = app.session();
    let result = app.provisioning.create_user(&cx, body, &base).await;
    finish(
        &cx,
        result.map_err(ApiError::from).map(|(user, _)| {
            let mut response = respond::created(&format!("{base}/Users/{}", user.id), &user.json);
            set_etag(&mut response, &user);
            response
        }),
    )
}

/// GET /Users/{id}, honouring If-None-Match (304).
pub async fn get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Base(base): Base,
    Query(query): Query,
    headers: HeaderMap,
) -> Response {
    let cx = app.session();
    let with_proficiencies = query
        .attributes
        .iter()
        .any(|a| a.attr.eq_ignore_ascii_case("proficiencies"));
    let result = app
        .provisioning
        .get_user(&cx, &id, &base, with_proficiencies)
        .await;
    finish(
        &cx,
        result.map_err(ApiError::from).map(|user| {
            let unchanged = match (header_str(&headers, header::IF_NONE_MATCH), &user.version) {
                (Some(h), Some(v)) => !etag::if_none_match_satisfied(h, v),
                _ => false,
            };
            if unchanged {
                let mut response = StatusCode::NOT_MODIFIED.into_response();
                set_etag(&mut response, &user);
                response
            } else {
                ok(&user, Some(&query))
            }
        }),
    )
}

/// PUT /Users/{id}.
pub async fn replace(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Base(base): Base,
    headers: HeaderMap,
    ScimJson(body): ScimJson,
) -> Response {
    let cx = app.session();
    let if_match = header_str(&headers, header::IF_MATCH);
    let result = app
        .provisioning
        .replace_user(&cx, &id, body, if_match, &base)
        .await;
    finish(&cx, result.map_err(ApiError::from).map(|u| ok(&u, None)))
}

/// PATCH /Users/{id}: 200 with the user (Entra's validator wants the body).
pub async fn patch(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Base(base): Base,
    headers: HeaderMap,
    ScimJson(body): ScimJson,
) -> Response {
    let cx = app.session();
    let if_match = header_str(&headers, header::IF_MATCH);
    let result = match PatchRequest::from_json(&body) {
        Ok(request) => {
            app.provisioning
                .patch_user(&cx, &id, &request, if_match, &base)
                .await
        }
        Err(e) => Err(e.into()),
    };
    finish(&cx, result.map_err(ApiError::from).map(|u| ok(&u, None)))
}

/// DELETE /Users/{id}: 204.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let cx = app.session();
    let if_match = header_str(&headers, header::IF_MATCH);
    let result = app.provisioning.delete_user(&cx, &id, if_match).await;
    finish(
        &cx,
        result
            .map_err(ApiError::from)
            .map(|()| StatusCode::NO_CONTENT.into_response()),
    )
}

/// 200 with the user (projected when a query asks) and its ETag.
fn ok(user: &Rendered, query: Option<&ListQuery>) -> Response {
    let body = match query {
        Some(q) => respond::project(&user.json, &ResourceSchema::user(), q),
        None => user.json.clone(),
    };
    let mut response = respond::scim_json(StatusCode::OK, &body);
    set_etag(&mut response, user);
    response
}

fn set_etag(response: &mut Response, user: &Rendered) {
    if let Some(v) = user
        .version
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        response.headers_mut().insert(header::ETAG, v);
    }
}
