//! /Users handlers (RFC 7644 §3.3–§3.6): parse, call a use case, render.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::connect::limit::Session;
use crate::provisioning::users::Rendered;
use crate::scim::etag;
use crate::scim::list::{self, ListQuery, ListResponse};
use crate::scim::patch::PatchRequest;
use crate::scim::schema::ResourceSchema;

use super::App;
use super::error::ApiError;
use super::extract::{Base, Query, SCIM_JSON, ScimJson};
use super::log::ConnectUsage;

/// GET /Users.
pub async fn list(State(app): State<Arc<App>>, Base(base): Base, Query(query): Query) -> Response {
    let cx = app.session();
    let result = app.provisioning.list_users(&cx, &query, &base).await;
    finish(
        &cx,
        result.map_err(ApiError::from).map(|page| {
            let resources = page.resources.iter().map(|r| project(r, &query)).collect();
            scim_json(
                StatusCode::OK,
                &ListResponse::new(resources, page.total_results, page.start_index).to_json(),
            )
        }),
    )
}

/// POST /Users.
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
            let mut response = resource(StatusCode::CREATED, &user, None);
            if let Ok(location) = HeaderValue::from_str(&format!("{base}/Users/{}", user.id)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
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
    let result = app.provisioning.get_user(&cx, &id, &base).await;
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
                resource(StatusCode::OK, &user, Some(&query))
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
    finish(
        &cx,
        result
            .map_err(ApiError::from)
            .map(|u| resource(StatusCode::OK, &u, None)),
    )
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
    let request = match PatchRequest::from_json(&body) {
        Ok(r) => r,
        Err(e) => return finish(&cx, Err(e.into())),
    };
    let if_match = header_str(&headers, header::IF_MATCH);
    let result = app
        .provisioning
        .patch_user(&cx, &id, &request, if_match, &base)
        .await;
    finish(
        &cx,
        result
            .map_err(ApiError::from)
            .map(|u| resource(StatusCode::OK, &u, None)),
    )
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

/// The response, or the error's, with the request's Connect usage attached for
/// the request log.
pub fn finish(cx: &Session, result: Result<Response, ApiError>) -> Response {
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    response.extensions_mut().insert(ConnectUsage {
        calls: cx.calls(),
        connect_throttles: cx.connect_throttles(),
        throttle_wait: cx.throttle_wait(),
    });
    response
}

/// A JSON body with the SCIM media type.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

fn resource(status: StatusCode, user: &Rendered, query: Option<&ListQuery>) -> Response {
    let body = match query {
        Some(q) => project(&user.json, q),
        None => user.json.clone(),
    };
    let mut response = scim_json(status, &body);
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

fn project(resource: &Value, query: &ListQuery) -> Value {
    if query.attributes.is_empty() && query.excluded_attributes.is_empty() {
        return resource.clone();
    }
    list::project(
        resource,
        &ResourceSchema::user(),
        &query.attributes,
        &query.excluded_attributes,
    )
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
