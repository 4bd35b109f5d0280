//! `POST /Users/.search`, `POST /Groups/.search` and `POST /.search` (RFC 7644
//! §3.4.3). On a resource endpoint the SearchRequest body becomes the query a
//! GET list takes and the GET list's handler answers it, so a search costs,
//! pages and fails exactly as the matching GET does. At the root it spans
//! Users and Groups (`crate::provisioning::search_all`), each projected by its
//! own schema.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::scim::list::ListResponse;

use super::App;
use super::error::ApiError;
use super::extract::{Base, Query, SearchBody};
use super::respond::{finish, project, scim_json};
use super::{groups, users};

/// POST /Users/.search: as GET /Users.
pub async fn users(app: State<Arc<App>>, base: Base, SearchBody(query): SearchBody) -> Response {
    users::list(app, base, Query(query)).await
}

/// POST /Groups/.search: as GET /Groups.
pub async fn groups(app: State<Arc<App>>, base: Base, SearchBody(query): SearchBody) -> Response {
    groups::list(app, base, Query(query)).await
}

/// POST /.search: Users, then Groups, in one ListResponse.
pub async fn all_resource_types(
    State(app): State<Arc<App>>,
    Base(base): Base,
    SearchBody(query): SearchBody,
) -> Response {
    let cx = app.session();
    let result = app.provisioning.search_all_types(&cx, &query, &base).await;
    finish(
        &cx,
        result.map_err(ApiError::from).map(|page| {
            let resources = page
                .resources
                .iter()
                .map(|(kind, resource)| project(resource, &kind.schema(), &query))
                .collect();
            let list = ListResponse::new(resources, page.total_results, page.start_index);
            scim_json(StatusCode::OK, &list.to_json())
        }),
    )
}
