//! The HTTP surface: one axum `Router` (served by `connect-scim serve` and by
//! lambda_http on AWS Lambda) with bearer auth, SCIM content types, body limits
//! and RFC 7644 §3.12 errors. Handlers are thin: parse, call a use case, render.

pub mod auth;
pub mod discovery;
pub mod error;
pub mod extract;
pub mod groups;
pub mod guard;
pub mod log;
pub mod metrics;
pub mod respond;
pub mod search;
pub mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tokio::time::Instant;

use crate::config::Config;
use crate::connect::limit::{Gateway, Session};
use crate::provisioning::Provisioning;
use crate::scim::discovery::Capabilities;
use crate::scim::error::ScimError;

pub use auth::Tokens;
pub use error::ApiError;

/// The largest request body accepted (413 beyond it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The SCIM base path under the host (API Gateway puts its stage in front).
pub const BASE_PATH: &str = "/scim/v2";

/// What every handler needs: settings, the Connect gateway, the use cases, the
/// accepted tokens.
pub struct App {
    pub config: Config,
    pub gateway: Gateway,
    pub provisioning: Provisioning,
    pub tokens: Tokens,
    /// What Connect this is (for `/healthz` and start-up lines).
    pub connect_description: String,
}

impl App {
    /// A Connect session bound to a new request's deadline (`REQUEST_DEADLINE_MS`).
    pub fn session(&self) -> Session {
        self.gateway
            .session(Instant::now() + self.config.request_deadline)
    }

    /// What ServiceProviderConfig advertises: exactly what is implemented.
    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            patch: true,
            bulk: false,
            filter_max_results: self.config.max_page_size,
            change_password: false,
            sort: true,
            etag: true,
            max_payload_bytes: MAX_BODY_BYTES,
            documentation_uri: None,
        }
    }
}

/// The one Router of the service.
pub fn router(app: Arc<App>) -> Router {
    let scim = Router::new()
        .route("/Users", get(users::list).post(users::create))
        .route("/Users/.search", post(search::users))
        .route(
            "/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route("/Groups/.search", post(search::groups))
        .route("/.search", post(search::all_resource_types))
        .route(
            "/Groups/{id}",
            get(groups::get)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            app.clone(),
            auth::require_bearer,
        ))
        .layer(middleware::from_fn_with_state(
            guard::InFlight::new(app.config.max_in_flight_requests),
            guard::limit_in_flight,
        ))
        .route_layer(middleware::from_fn(log::tag_route));
    Router::new()
        .route("/healthz", get(healthz))
        .route_layer(middleware::from_fn(log::tag_route))
        .nest(BASE_PATH, scim)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(guard::catch_panics())
        .layer(middleware::from_fn(guard::limit_request_head))
        .layer(middleware::from_fn_with_state(
            app.config.log_json,
            log::log_request,
        ))
        .with_state(app)
}

/// Every route of the Router as (method, path template), for the swagger.json
/// consistency test.
pub fn routes() -> Vec<(Method, &'static str)> {
    let user_item = [Method::GET, Method::PUT, Method::PATCH, Method::DELETE];
    let mut routes = vec![(Method::GET, "/healthz")];
    for (collection, search, item) in [
        (
            "/scim/v2/Users",
            "/scim/v2/Users/.search",
            "/scim/v2/Users/{id}",
        ),
        (
            "/scim/v2/Groups",
            "/scim/v2/Groups/.search",
            "/scim/v2/Groups/{id}",
        ),
    ] {
        routes.push((Method::GET, collection));
        routes.push((Method::POST, collection));
        routes.push((Method::POST, search));
        routes.extend(user_item.iter().cloned().map(|m| (m, item)));
    }
    routes.push((Method::POST, "/scim/v2/.search"));
    for path in [
        "/scim/v2/ServiceProviderConfig",
        "/scim/v2/ResourceTypes",
        "/scim/v2/ResourceTypes/{id}",
        "/scim/v2/Schemas",
        "/scim/v2/Schemas/{id}",
    ] {
        routes.push((Method::GET, path));
    }
    routes
}

async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

async fn not_found() -> ApiError {
    ScimError::not_found("no such endpoint; the SCIM base path is /scim/v2 (Users, Groups, ServiceProviderConfig, ResourceTypes, Schemas)").into()
}

async fn method_not_allowed() -> ApiError {
    ScimError::method_not_allowed("this method is not supported on this endpoint").into()
}
