//! AWS Lambda mode: the one Router of [`crate::http::router`] served through
//! lambda_http behind an API Gateway REST API (`aws_proxy` integrations, see
//! swagger.json). API Gateway's stage (`/prod`) is taken off the path before
//! routing and kept as [`StagePrefix`] for the URLs responses carry; each
//! request runs in a span holding API Gateway's request id.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use axum::response::Response;
use http::Uri;
use http::uri::PathAndQuery;
use lambda_http::request::RequestContext;
use lambda_http::{LambdaEvent, Service as _};
use tower::ServiceExt;
use tower::util::BoxCloneService;
use tracing::Instrument;

use crate::app::{self, Target};
use crate::config::Config;
use crate::http::extract::{ClientHost, StagePrefix};
use crate::http::log::RequestId;
use crate::http::{self as scim_http, App};
use crate::secrets;

/// The variable the Lambda runtime sets in every execution environment.
pub const RUNTIME_API_VARIABLE: &str = "AWS_LAMBDA_RUNTIME_API";

/// Whether this process runs inside AWS Lambda.
pub fn in_lambda() -> bool {
    std::env::var_os(RUNTIME_API_VARIABLE).is_some()
}

/// The service lambda_http runs: API Gateway requests in, the Router's responses out.
pub type LambdaService = BoxCloneService<lambda_http::Request, Response, Infallible>;

/// Starts the service inside Lambda (the cold start): tokens from
/// `SCIM_TOKEN_SECRET_ARN` and `SCIM_BEARER_TOKEN`, the Connect instance of
/// `CONNECT_INSTANCE_ID` (the embedded simulator is refused), the profile cache
/// warmed, then serves invocations until the environment is shut down.
pub async fn run(mut config: Config) -> anyhow::Result<()> {
    let started = Instant::now();
    secrets::add_secret_tokens(&mut config).await?;
    if config.bearer_tokens.is_empty() {
        bail!(
            "no bearer token: set SCIM_TOKEN_SECRET_ARN (a Secrets Manager secret) or SCIM_BEARER_TOKEN"
        );
    }
    let target = Target::from_config(&config);
    let built = app::build(config, target).await?;
    if let Err(error) = app::check_profiles(&built.app).await {
        // Serve anyway: requests that need the profile answer a SCIM error
        // naming it, and /healthz keeps working.
        tracing::error!(error = %error, "the configured Amazon Connect profiles could not be resolved (run `connect-scim check`)");
    }
    tracing::info!(
        connect = %built.app.connect_description,
        tokens = built.app.tokens.len(),
        cold_start_ms = started.elapsed().as_millis() as u64,
        "ready"
    );
    let app = built.app;
    let http = service(app.clone());
    let handler = lambda_http::service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let (app, http) = (app.clone(), http.clone());
        async move {
            match Event::of(event.payload)? {
                Event::Action(action) => run_action(&app, &action.connect_scim_action).await,
                Event::Http(request) => {
                    let mut adapter = lambda_http::Adapter::from(http);
                    let answer = adapter
                        .call(LambdaEvent::new(*request, event.context))
                        .await;
                    match answer {
                        Ok(response) => Ok(serde_json::to_value(response)?),
                        Err(never) => match never {},
                    }
                }
            }
        }
    });
    lambda_http::lambda_runtime::run(handler)
        .await
        .map_err(|e| anyhow::anyhow!("the Lambda runtime stopped: {e}"))
}

/// What the function is invoked with: an API Gateway request, or a scheduled
/// action (EventBridge's constant input `{"connect_scim_action": "drift"}`).
#[derive(Debug)]
pub enum Event {
    Action(Action),
    Http(Box<lambda_http::request::LambdaRequest>),
}

impl Event {
    /// Reads an invocation's payload: an action when it names one, else an
    /// API Gateway (or other HTTP) event.
    pub fn of(payload: serde_json::Value) -> Result<Event, serde_json::Error> {
        if payload.get("connect_scim_action").is_some() {
            return serde_json::from_value(payload).map(Event::Action);
        }
        serde_json::from_value(payload).map(|request| Event::Http(Box::new(request)))
    }
}

/// A scheduled action's input.
#[derive(Debug, serde::Deserialize)]
pub struct Action {
    pub connect_scim_action: String,
}

/// Runs a scheduled action: `drift` logs its report (one event per finding,
/// then a summary) and prints its metrics; the answer is the summary.
async fn run_action(app: &App, action: &str) -> Result<serde_json::Value, lambda_http::Error> {
    if action != "drift" {
        return Err(
            format!("unknown connect_scim_action '{action}': the only action is 'drift'").into(),
        );
    }
    let report = crate::drift::run(app)
        .await
        .map_err(|e| format!("drift failed: {e:#}"))?;
    crate::drift::log(&report);
    crate::http::metrics::emit_drift(&report);
    Ok(serde_json::json!({
        "changed": report.changed.len(),
        "unmanaged": report.unmanaged.len(),
        "missing_profiles": report.missing_profiles.len(),
        "users_scanned": report.users_scanned,
        "connect_calls": report.connect_calls,
    }))
}

/// The production Router wrapped for API Gateway REST proxy events: the stage
/// is stripped ([`from_api_gateway`]) and the request runs in a `request` span
/// with `request_id` (API Gateway's `requestContext.requestId`).
pub fn service(app: Arc<App>) -> LambdaService {
    let router = scim_http::router(app);
    BoxCloneService::new(tower::service_fn(move |request: lambda_http::Request| {
        let router = router.clone();
        async move {
            let id = request_id(&request).to_owned();
            let span = tracing::info_span!("request", request_id = %id);
            let mut request = from_api_gateway(request);
            if id != "-" {
                request.extensions_mut().insert(RequestId(id));
            }
            router.oneshot(request).instrument(span).await
        }
    }))
}

/// API Gateway's id of the request (the one its access logs show), or `-`.
fn request_id(request: &lambda_http::Request) -> &str {
    match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV1(context)) => context.request_id.as_deref(),
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.as_deref(),
        _ => None,
    }
    .unwrap_or("-")
}

/// Takes API Gateway's stage off the path the Router sees, and records what
/// the client's URLs carry in front of the SCIM paths as [`StagePrefix`], and
/// the host it called (`requestContext.domainName`) as [`ClientHost`].
///
/// lambda_http puts `/{stage}` in front of a REST event's `path` (unless
/// `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH` is set); both forms are handled. The
/// prefix the client used is `requestContext.path` minus the routed path:
/// `/prod` on the `execute-api` host, nothing on a custom domain mapped to the stage.
pub fn from_api_gateway(request: lambda_http::Request) -> lambda_http::Request {
    let (mut parts, body) = request.into_parts();
    let (stage, client_path, domain) = match parts.extensions.get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV1(context)) => (
            context.stage.clone(),
            context.path.clone(),
            context.domain_name.clone(),
        ),
        _ => (None, None, None),
    };
    if let Some(domain) = domain.filter(|d| !d.is_empty()) {
        parts.extensions.insert(ClientHost(domain));
    }
    let Some(stage) = stage.filter(|s| !s.is_empty() && s != "$default") else {
        return lambda_http::Request::from_parts(parts, body);
    };
    let stage_prefix = format!("/{stage}");
    let path = parts.uri.path();
    let routed = strip_prefix_segment(path, &stage_prefix).unwrap_or(path);
    let client_prefix = client_path
        .as_deref()
        .and_then(|p| p.strip_suffix(routed))
        .unwrap_or(&stage_prefix)
        .to_owned();
    if routed.len() != path.len() {
        let routed = routed.to_owned();
        if let Some(uri) = with_path(&parts.uri, &routed) {
            parts.uri = uri;
        }
    }
    parts.extensions.insert(StagePrefix(client_prefix));
    lambda_http::Request::from_parts(parts, body)
}

/// `path` without its leading `prefix` when `prefix` is a whole segment
/// (`/prod/x` → `/x`, `/prod` → `/`, `/production` → none).
fn strip_prefix_segment<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some("/")
    } else if rest.starts_with('/') {
        Some(rest)
    } else {
        None
    }
}

/// `uri` with its path replaced, query kept.
fn with_path(uri: &Uri, path: &str) -> Option<Uri> {
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyRequestContext;

    fn request(uri: &str, stage: &str, context_path: &str) -> lambda_http::Request {
        let context = ApiGatewayProxyRequestContext {
            stage: Some(stage.to_owned()),
            path: Some(context_path.to_owned()),
            ..Default::default()
        };
        let mut request = lambda_http::Request::new(lambda_http::Body::Empty);
        *request.uri_mut() = uri.parse().unwrap();
        request
            .extensions_mut()
            .insert(RequestContext::ApiGatewayV1(context));
        request
    }

    fn prefix(request: &lambda_http::Request) -> Option<&str> {
        request
            .extensions()
            .get::<StagePrefix>()
            .map(|p| p.0.as_str())
    }

    #[test]
    fn the_stage_lambda_http_adds_is_taken_off_the_routed_path() {
        let r = from_api_gateway(request(
            "https://h/prod/scim/v2/Users?count=1",
            "prod",
            "/prod/scim/v2/Users",
        ));
        assert_eq!(r.uri().path(), "/scim/v2/Users");
        assert_eq!(r.uri().query(), Some("count=1"));
        assert_eq!(prefix(&r), Some("/prod"));
    }

    #[test]
    fn a_path_without_the_stage_is_routed_as_is() {
        // AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH set: lambda_http keeps API Gateway's path.
        let r = from_api_gateway(request(
            "https://h/scim/v2/Users",
            "prod",
            "/prod/scim/v2/Users",
        ));
        assert_eq!(r.uri().path(), "/scim/v2/Users");
        assert_eq!(prefix(&r), Some("/prod"));
    }

    #[test]
    fn a_custom_domain_mapped_to_the_stage_has_no_prefix() {
        let r = from_api_gateway(request(
            "https://scim.example.com/prod/scim/v2/Users",
            "prod",
            "/scim/v2/Users",
        ));
        assert_eq!(r.uri().path(), "/scim/v2/Users");
        assert_eq!(prefix(&r), Some(""));
    }

    #[test]
    fn only_a_whole_segment_is_a_stage() {
        assert_eq!(strip_prefix_segment("/production/x", "/prod"), None);
        assert_eq!(strip_prefix_segment("/prod", "/prod"), Some("/"));
        assert_eq!(strip_prefix_segment("/prod/x", "/prod"), Some("/x"));
    }
}
