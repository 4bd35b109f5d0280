//! `POST /Users/.search` and `POST /Groups/.search` (RFC 7644 §3.4.3): the
//! SearchRequest body becomes the query a GET list takes and the GET list's
//! handler answers it, so a search costs, pages and fails exactly as the
//! matching GET does. The root `POST /.search`, across resource types, is
//! optional in the RFC and not implemented: 501, which RFC 7644 §3.12 gives
//! for "does not support the request operation" (a 404 would say the
//! endpoint does not exist).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;

use crate::scim::error::ScimError;

use super::App;
use super::error::ApiError;
use super::extract::{Base, Query, SearchBody};
use super::{groups, users};

/// POST /Users/.search: as GET /Users.
pub async fn users(app: State<Arc<App>>, base: Base, SearchBody(query): SearchBody) -> Response {
    users::list(app, base, Query(query)).await
}

/// POST /Groups/.search: as GET /Groups.
pub async fn groups(app: State<Arc<App>>, base: Base, SearchBody(query): SearchBody) -> Response {
    groups::list(app, base, Query(query)).await
}

/// POST /.search: 501, with what to use instead.
pub async fn all_resource_types() -> ApiError {
    ScimError::not_implemented(
        "searching several resource types at once (POST /.search) is not supported; \
         POST /Users/.search or /Groups/.search",
    )
    .into()
}
