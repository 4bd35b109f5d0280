//! Response helpers every handler shares: SCIM JSON bodies, 201 with
//! `Location`, projection (RFC 7644 §3.9), list pages, and the request's
//! Connect usage for the request log.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::connect::limit::Session;
use crate::scim::list::{self, ListQuery, ListResponse};
use crate::scim::schema::ResourceSchema;

use super::error::ApiError;
use super::extract::SCIM_JSON;
use super::log::ConnectUsage;

/// The response, or the error's, with the request's Connect usage attached for
/// the request log.
pub fn finish(cx: &Session, result: Result<Response, ApiError>) -> Response {
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    response.extensions_mut().insert(ConnectUsage {
        calls: cx.calls(),
        connect_throttles: cx.connect_throttles(),
        throttle_wait: cx.throttle_wait(),
        by_operation: cx.calls_by_operation(),
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

/// 201 Created with the resource and its `Location` (RFC 7644 §3.3).
pub fn created(location: &str, body: &Value) -> Response {
    let mut response = scim_json(StatusCode::CREATED, body);
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A ListResponse page (RFC 7644 §3.4.2) of projected resources.
pub fn page(
    resources: &[Value],
    total_results: usize,
    start_index: usize,
    schema: &ResourceSchema,
    query: &ListQuery,
) -> Response {
    let resources = resources
        .iter()
        .map(|r| project(r, schema, query))
        .collect();
    let body = ListResponse::new(resources, total_results, start_index);
    scim_json(StatusCode::OK, &body.to_json())
}

/// The resource with `attributes` / `excludedAttributes` applied (RFC 7644 §3.9).
pub fn project(resource: &Value, schema: &ResourceSchema, query: &ListQuery) -> Value {
    if query.attributes.is_empty() && query.excluded_attributes.is_empty() {
        return resource.clone();
    }
    list::project(
        resource,
        schema,
        &query.attributes,
        &query.excluded_attributes,
    )
}

/// A header's value as text, if it is text.
pub fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
