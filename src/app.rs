//! Building the service: configuration → Connect adapter (AWS, or the embedded
//! simulator) → the one rate-limited gateway → use cases → Router state. `serve`,
//! Lambda and the tests all build it here, so they run the same code path.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::TcpListener;
use tokio::time::Instant;

use crate::config::Config;
use crate::connect::aws::{AwsConnect, sdk_client, simulator_client};
use crate::connect::cache::{CacheConfig, ProfileCache};
use crate::connect::limit::{Gateway, LimitConfig};
use crate::connect::quota::{self, Fallback, MemoryStore, Store};
use crate::connect::simulator::{self, SimulatorConfig, SimulatorHandle};
use crate::http::{App, Tokens};
use crate::provisioning::{Error, Provisioning, Settings};

/// Which Amazon Connect the service talks to.
pub enum Target {
    /// `CONNECT_INSTANCE_ID` through the standard AWS configuration chain
    /// (region, credentials, `AWS_ENDPOINT_URL_CONNECT`).
    Aws { instance_id: String },
    /// A Connect-compatible endpoint (a `connect-scim simulate`), by URL.
    Endpoint { url: String, instance_id: String },
    /// A simulator started in this process on an ephemeral loopback port.
    Embedded(SimulatorConfig),
}

impl Target {
    /// The target a configuration names: AWS when `CONNECT_INSTANCE_ID` is set,
    /// else the embedded simulator.
    pub fn from_config(config: &Config) -> Target {
        match &config.instance_id {
            Some(id) => Target::Aws {
                instance_id: id.clone(),
            },
            None => Target::Embedded(SimulatorConfig::default()),
        }
    }
}

/// A built service, and the embedded simulator when there is one.
pub struct Built {
    pub app: Arc<App>,
    pub simulator: Option<SimulatorHandle>,
}

/// Builds the service for `target`. The bearer tokens come from `config`.
pub async fn build(config: Config, target: Target) -> anyhow::Result<Built> {
    let tokens = Tokens::new(&config.bearer_tokens)
        .context("the bearer tokens (SCIM_BEARER_TOKEN, SCIM_TOKEN_SECRET_ARN) cannot be used")?;
    let (client, instance_id, simulator, description) = match target {
        Target::Aws { instance_id } => {
            let client = sdk_client(None).await;
            let region = client
                .config()
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "an unset region".to_owned());
            let description = format!("Amazon Connect instance {instance_id} in {region}");
            (client, instance_id, None, description)
        }
        Target::Endpoint { url, instance_id } => {
            let description =
                format!("the Connect-compatible endpoint {url}, instance {instance_id}");
            (simulator_client(&url), instance_id, None, description)
        }
        Target::Embedded(sim_config) => {
            if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
                bail!(
                    "refusing to start the embedded Connect simulator inside AWS Lambda: set CONNECT_INSTANCE_ID"
                );
            }
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .context("binding a loopback port for the embedded Connect simulator")?;
            let handle = simulator::spawn(sim_config, listener)
                .await
                .context("starting the embedded Connect simulator")?;
            let url = handle.url();
            let instance_id = handle.instance_id().to_owned();
            let description = format!(
                "the embedded Connect simulator at {url} (instance {instance_id}; set CONNECT_INSTANCE_ID to use Amazon Connect)"
            );
            (
                simulator_client(&url),
                instance_id,
                Some(handle),
                description,
            )
        }
    };
    let connect = AwsConnect::new(client, instance_id);
    let (store, shared) = quota_store(&config).await?;
    let gateway = Gateway::with_store(
        Arc::new(connect),
        LimitConfig {
            quota: config.quota.clone(),
            ..LimitConfig::default()
        },
        store,
        shared,
    );
    let provisioning = Provisioning::new(
        Settings::from_config(&config),
        ProfileCache::new(CacheConfig {
            ttl: config.profile_cache_ttl,
            ..CacheConfig::default()
        }),
    );
    let app = App {
        config,
        gateway,
        provisioning,
        tokens,
        connect_description: description,
    };
    Ok(Built {
        app: Arc::new(app),
        simulator,
    })
}

/// Where the quota buckets and user leases live: the `QUOTA_TABLE` shared by
/// every instance (behind an in-process fallback), else this process.
pub async fn quota_store(config: &Config) -> anyhow::Result<(Arc<dyn Store>, bool)> {
    let Some(table) = &config.quota_table else {
        return Ok((Arc::new(MemoryStore::new()), false));
    };
    let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let prefix = match &config.quota_key_prefix {
        Some(prefix) => prefix.clone(),
        None => quota::dynamo::account_prefix(&aws).await.context(
            "QUOTA_TABLE is set: the account id keys its buckets; grant sts:GetCallerIdentity or set QUOTA_KEY_PREFIX",
        )?,
    };
    let dynamo = quota::dynamo::DynamoStore::new(quota::dynamo::client(&aws).await, table, prefix);
    let store = Fallback::new(Box::new(dynamo), config.quota_fallback_fraction);
    tracing::info!(store = %store.describe(), scope = config.quota.scope.as_str(), "Connect quota buckets are shared");
    Ok((Arc::new(store), true))
}

/// Resolves the configured profile names once, so a typo stops the service
/// at start-up with a message that says what to fix (and warms the cache).
pub async fn check_profiles(app: &App) -> anyhow::Result<()> {
    let cx = app
        .gateway
        .session(Instant::now() + Duration::from_secs(30));
    let p = &app.provisioning;
    let explain = |what: &str, e: Error| anyhow::anyhow!("{what}: {e}");
    p.default_security_profile_ids(&cx)
        .await
        .map_err(|e| explain("DEFAULT_SECURITY_PROFILES", e))?;
    p.routing_profile_id(&cx, None)
        .await
        .map_err(|e| explain("DEFAULT_ROUTING_PROFILE", e))?;
    p.disabled_profile_id(&cx)
        .await
        .map_err(|e| explain("DISABLED_SECURITY_PROFILE", e))?;
    Ok(())
}
