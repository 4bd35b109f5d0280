//! The process's log subscriber: `RUST_LOG` (default `info`) in text or JSON,
//! except that the crates which log raw traffic at TRACE (the Lambda runtime's
//! raw event with its Authorization header and body, the AWS SDK's requests and
//! responses with usernames, mobiles, tag values and secrets, the HTTP stacks)
//! are held at DEBUG whatever `RUST_LOG` asks.

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// Crates (the first segment of a target) never logged at TRACE.
const CLAMPED_CRATES: &[&str] = &[
    "lambda_runtime",
    "lambda_runtime_api_client",
    "lambda_http",
    "aws_lambda_events",
    "aws_config",
    "aws_credential_types",
    "aws_runtime",
    "aws_sigv4",
    "aws_types",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "tower",
    "tower_http",
    "axum",
];

/// Crate-name prefixes never logged at TRACE (`aws_smithy_runtime`, `aws_sdk_connect`…).
const CLAMPED_PREFIXES: &[&str] = &["aws_smithy_", "aws_sdk_"];

/// Whether a span or event may be logged: anything but TRACE from a clamped crate.
pub fn allowed(metadata: &Metadata<'_>) -> bool {
    *metadata.level() != Level::TRACE || !is_clamped(metadata.target())
}

/// Whether `target` belongs to a crate held at DEBUG.
pub fn is_clamped(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or(target);
    CLAMPED_CRATES.contains(&krate) || CLAMPED_PREFIXES.iter().any(|p| krate.starts_with(p))
}

/// Installs the subscriber (and the `log` bridge) for the process.
pub fn init(json: bool) {
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let filter = env.and(filter_fn(allowed));
    let layer = fmt::layer().with_target(false);
    let layer = if json {
        layer.json().flatten_event(true).with_filter(filter).boxed()
    } else {
        layer.with_filter(filter).boxed()
    };
    tracing_subscriber::registry().with(layer).init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_runtime_and_http_crates_are_held_below_trace() {
        for target in [
            "lambda_runtime::layers::api_response",
            "aws_smithy_runtime::client::orchestrator",
            "aws_sdk_connect::operation",
            "aws_sdk_secretsmanager",
            "aws_config::imds",
            "hyper::proto::h1",
            "reqwest::connect",
        ] {
            assert!(is_clamped(target), "{target}");
        }
        for target in [
            "connect_scim::http::log",
            "aws_smithy",
            "hyperlocal",
            "awsome",
        ] {
            assert!(!is_clamped(target), "{target}");
        }
    }
}
