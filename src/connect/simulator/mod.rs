//! A wire-compatible Amazon Connect simulator: a fake Connect endpoint
//! speaking restJson1 that the real aws-sdk-connect client (or boto3) talks
//! to over loopback with only the endpoint overridden. It enforces Connect's
//! API quota, validates as Connect does, and injects faults on demand.
//!
//! Self-contained: it knows nothing of SCIM or of the crate's Connect port,
//! and refers to its own modules only through `super::`/`self::` paths.

mod dispatch;
mod hierarchy;
mod proficiencies;
mod profile_search;
mod profiles;
mod quota;
mod search;
mod state;
mod statuses;
mod tags;
#[cfg(test)]
mod tests;
mod users;
mod validation;
mod wire;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;

use self::dispatch::{Call, Operation};
use self::quota::Quota;
pub use self::quota::QuotaScope;
use self::state::{Instance, REGION};
use self::wire::{ApiError, Query};

/// The instance id used unless configured: fixed, so tests and demos are stable.
pub const DEFAULT_INSTANCE_ID: &str = "11111111-2222-4333-8444-555555555555";

/// How the simulator behaves: quota, faults, instance id, persistence.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulatorConfig {
    /// Steady request rate of each Connect API quota bucket, per second.
    #[arg(long = "rate", env = "SIMULATOR_RATE", default_value_t = 2.0)]
    pub rate: f64,
    /// Burst of each Connect API quota bucket.
    #[arg(long = "burst", env = "SIMULATOR_BURST", default_value_t = 5)]
    pub burst: u32,
    /// A bucket per Connect operation (`operation`) or one for all (`account`).
    #[arg(long = "quota-scope", env = "SIMULATOR_QUOTA_SCOPE", value_enum, default_value_t = QuotaScope::Operation)]
    pub quota_scope: QuotaScope,
    /// Raised quotas, e.g. `SearchUsers=5/8,CreateUser=4/6` (`all=…` in account scope).
    #[arg(long = "quota-overrides", env = "SIMULATOR_QUOTA_OVERRIDES", default_value = "",
          value_parser = parse_overrides)]
    pub quota_overrides: BTreeMap<String, (f64, u32)>,
    /// Disable the quota (never answer ThrottlingException).
    #[arg(long = "no-quota", env = "SIMULATOR_NO_QUOTA")]
    pub no_quota: bool,
    /// Probability (0..1) of answering InternalServiceException instead of serving a call.
    #[arg(long = "fault-rate", env = "SIMULATOR_FAULT_RATE", default_value_t = 0.0,
          value_parser = parse_probability)]
    pub fault_rate: f64,
    /// Milliseconds a new user stays invisible to DescribeUser, ListUsers and SearchUsers.
    #[arg(
        long = "consistency-delay-ms",
        env = "SIMULATOR_CONSISTENCY_DELAY_MS",
        default_value_t = 0
    )]
    pub consistency_delay_ms: u64,
    /// The instance id.
    #[arg(long = "instance-id", env = "SIMULATOR_INSTANCE_ID", default_value = DEFAULT_INSTANCE_ID)]
    pub instance_id: String,
    /// JSON file holding the instance: loaded at start if present, saved after every write.
    #[arg(long = "state", env = "SIMULATOR_STATE")]
    pub state: Option<PathBuf>,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            rate: 2.0,
            burst: 5,
            quota_scope: QuotaScope::Operation,
            quota_overrides: BTreeMap::new(),
            no_quota: false,
            fault_rate: 0.0,
            consistency_delay_ms: 0,
            instance_id: DEFAULT_INSTANCE_ID.to_owned(),
            state: None,
        }
    }
}

fn parse_overrides(raw: &str) -> Result<BTreeMap<String, (f64, u32)>, String> {
    let parsed = crate::connect::quota::QuotaConfig::parse_overrides(raw)?;
    Ok(parsed
        .into_iter()
        .map(|(op, rate)| (op, (rate.per_second, rate.burst)))
        .collect())
}

fn parse_probability(raw: &str) -> Result<f64, String> {
    let p: f64 = raw.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not a probability between 0 and 1"))
    }
}

/// Call counters, as `GET /simulator/stats` reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Connect requests received per operation, throttled and faulted included.
    pub calls: BTreeMap<String, u64>,
    /// All Connect requests received (the sum of `calls`).
    pub total: u64,
    /// Requests answered 429 ThrottlingException.
    pub throttled: u64,
    /// Of those, per operation.
    pub throttled_calls: BTreeMap<String, u64>,
    /// Requests answered with an injected 500 InternalServiceException.
    pub faults: u64,
}

/// What the request handlers share.
#[derive(Debug)]
struct Simulator {
    instance: Mutex<Instance>,
    quota: Mutex<Quota>,
    stats: Mutex<Stats>,
    fault_rate: Mutex<f64>,
    /// Operation → how many next calls are applied, then answered 500 (the
    /// answer "lost" after Connect made the change).
    fail_after_apply: Mutex<BTreeMap<String, u32>>,
    /// Operation → how long its answers are held back.
    latency: Mutex<BTreeMap<String, Duration>>,
    consistency_delay: Mutex<Duration>,
    state_file: Option<PathBuf>,
    /// Serializes saves so renames land in write order.
    saving: Mutex<()>,
}

/// Locks a mutex, recovering the data if a holder panicked.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Simulator {
    fn new(config: &SimulatorConfig) -> std::io::Result<Self> {
        let instance = match &config.state {
            Some(path) if path.exists() => Instance::load(path)?,
            _ => Instance::seeded(&config.instance_id),
        };
        let simulator = Simulator {
            instance: Mutex::new(instance),
            quota: Mutex::new(Quota::new(
                config.quota_scope,
                config.rate,
                config.burst,
                config.quota_overrides.clone(),
                !config.no_quota,
            )),
            stats: Mutex::new(Stats::default()),
            fault_rate: Mutex::new(config.fault_rate),
            fail_after_apply: Mutex::new(BTreeMap::new()),
            latency: Mutex::new(BTreeMap::new()),
            consistency_delay: Mutex::new(Duration::from_millis(config.consistency_delay_ms)),
            state_file: config.state.clone(),
            saving: Mutex::new(()),
        };
        simulator.save()?;
        Ok(simulator)
    }

    /// Counts, throttles, injects faults, then runs one Connect call.
    fn serve(
        &self,
        operation: Operation,
        params: Vec<String>,
        query: Query,
        body: &[u8],
    ) -> Response {
        let now = Instant::now();
        {
            let mut stats = lock(&self.stats);
            *stats.calls.entry(operation.name().to_owned()).or_default() += 1;
            stats.total += 1;
        }
        if !lock(&self.quota).try_acquire(operation.name(), now) {
            let mut stats = lock(&self.stats);
            stats.throttled += 1;
            *stats
                .throttled_calls
                .entry(operation.name().to_owned())
                .or_default() += 1;
            return ApiError::throttled().into_response();
        }
        let fault_rate = *lock(&self.fault_rate);
        if fault_rate > 0.0 && rand::random::<f64>() < fault_rate {
            lock(&self.stats).faults += 1;
            return ApiError::internal("Injected fault: the simulator failed this call on purpose")
                .into_response();
        }
        let delay = *lock(&self.consistency_delay);
        let result = Call::new(params, query, body, now, delay).and_then(|call| {
            let mut instance = lock(&self.instance);
            dispatch::execute(operation, &mut instance, &call)
        });
        match result {
            Ok(output) => {
                if operation.is_write()
                    && let Err(e) = self.save()
                {
                    tracing::error!(error = %e, "could not save the simulator state");
                }
                if self.take_fail_after_apply(operation.name()) {
                    lock(&self.stats).faults += 1;
                    return ApiError::internal(
                        "Injected fault: the simulator applied this call, then failed its answer",
                    )
                    .into_response();
                }
                wire::ok(&without_nulls(output))
            }
            Err(error) => error.into_response(),
        }
    }

    /// Whether the next call of `operation` is to be applied and then failed.
    fn take_fail_after_apply(&self, operation: &str) -> bool {
        let mut pending = lock(&self.fail_after_apply);
        match pending.get_mut(operation) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Saves the instance to the state file, if there is one.
    fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let _saving = lock(&self.saving);
        let snapshot = lock(&self.instance).clone();
        snapshot.save(path)
    }
}

/// Drops `null` members, as Connect omits absent ones.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

async fn connect_api(
    State(sim): State<Arc<Simulator>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Some(route) = dispatch::route(&method, uri.path()) else {
        return ApiError::unknown_operation(method.as_str(), uri.path()).into_response();
    };
    let query = Query::parse(uri.query());
    let latency = lock(&sim.latency).get(route.operation.name()).copied();
    let response = sim.serve(route.operation, route.params, query, &body);
    if let Some(latency) = latency {
        tokio::time::sleep(latency).await;
    }
    response
}

async fn stats(State(sim): State<Arc<Simulator>>) -> Response {
    wire::ok(&serde_json::to_value(lock(&sim.stats).clone()).unwrap_or_default())
}

async fn reset(State(sim): State<Arc<Simulator>>) -> Response {
    *lock(&sim.stats) = Stats::default();
    wire::ok(&serde_json::json!({}))
}

async fn state_dump(State(sim): State<Arc<Simulator>>) -> Response {
    let instance = lock(&sim.instance).clone();
    wire::ok(&serde_json::to_value(instance).unwrap_or_default())
}

/// The simulator's HTTP surface: every Connect operation, plus
/// `GET /simulator/stats`, `POST /simulator/reset` and `GET /simulator/state`.
fn router(sim: Arc<Simulator>) -> Router {
    Router::new()
        .route("/simulator/stats", get(stats))
        .route("/simulator/reset", post(reset))
        .route("/simulator/state", get(state_dump))
        .fallback(connect_api)
        .with_state(sim)
}

/// A running simulator. Dropping it shuts the server down.
#[derive(Debug)]
pub struct SimulatorHandle {
    sim: Arc<Simulator>,
    addr: SocketAddr,
    instance_id: String,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    server: Mutex<Option<tokio::task::JoinHandle<std::io::Result<()>>>>,
}

/// Starts serving on `listener` in a background task.
pub async fn spawn(
    config: SimulatorConfig,
    listener: tokio::net::TcpListener,
) -> std::io::Result<SimulatorHandle> {
    let sim = Arc::new(Simulator::new(&config)?);
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = router(Arc::clone(&sim));
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    let instance_id = lock(&sim.instance).id.clone();
    Ok(SimulatorHandle {
        sim,
        addr,
        instance_id,
        shutdown: Mutex::new(Some(tx)),
        server: Mutex::new(Some(server)),
    })
}

impl SimulatorHandle {
    /// The endpoint URL, e.g. `http://127.0.0.1:4599`.
    pub fn url(&self) -> String {
        let ip = if self.addr.ip().is_unspecified() {
            std::net::IpAddr::from([127, 0, 0, 1])
        } else {
            self.addr.ip()
        };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// The simulated instance's id.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// The region the simulator names in ARNs (it accepts any).
    pub fn region(&self) -> &str {
        REGION
    }

    /// The counters, as `GET /simulator/stats` reports them.
    pub fn stats(&self) -> Stats {
        lock(&self.sim.stats).clone()
    }

    /// Zeroes the counters (not the data).
    pub fn reset_stats(&self) {
        *lock(&self.sim.stats) = Stats::default();
    }

    /// Changes the fault probability (clamped to 0..=1).
    pub fn set_fault_rate(&self, rate: f64) {
        *lock(&self.sim.fault_rate) = rate.clamp(0.0, 1.0);
    }

    /// Sets every bucket's steady rate and burst, enables the quota and refills it.
    pub fn set_quota(&self, rate: f64, burst: u32) {
        lock(&self.sim.quota).reconfigure(rate, burst, true);
    }

    /// A bucket per operation or one for all (refills every bucket).
    pub fn set_quota_scope(&self, scope: QuotaScope) {
        lock(&self.sim.quota).set_scope(scope);
    }

    /// Turns the quota off (never throttle), as `--no-quota` does.
    pub fn disable_quota(&self) {
        lock(&self.sim.quota).reconfigure(0.0, 1, false);
    }

    /// Applies the next `times` calls of `operation`, then answers each with
    /// 500 InternalServiceException, as when Connect's answer is lost.
    pub fn fail_after_applying(&self, operation: &str, times: u32) {
        lock(&self.sim.fail_after_apply).insert(operation.to_owned(), times);
    }

    /// Holds back every answer to `operation` by `latency` (after applying it).
    pub fn set_latency(&self, operation: &str, latency: Duration) {
        lock(&self.sim.latency).insert(operation.to_owned(), latency);
    }

    /// Changes how long new users stay invisible to reads.
    pub fn set_consistency_delay(&self, delay: Duration) {
        *lock(&self.sim.consistency_delay) = delay;
    }

    /// The DescribeUser `User` document of the user with this username
    /// (case-insensitive), bypassing quota, counters and consistency delay.
    pub fn user_by_username(&self, username: &str) -> Option<Value> {
        let instance = lock(&self.sim.instance);
        let user = instance.user_by_username(username)?;
        Some(without_nulls(users::user_json(&instance, user)))
    }

    /// The DescribeUser `User` document of the user with this id.
    pub fn user(&self, id: &str) -> Option<Value> {
        let instance = lock(&self.sim.instance);
        let user = instance.user(id).ok()?;
        Some(without_nulls(users::user_json(&instance, user)))
    }

    /// Whether CreateUser set the user's password; `None` for an unknown user.
    pub fn user_password_set(&self, id: &str) -> Option<bool> {
        let instance = lock(&self.sim.instance);
        instance.user(id).ok().map(|user| user.password_set)
    }

    /// The name of the user's current agent status (PutUserStatus), `None`
    /// for an unknown user; an agent never set is `Offline`, as in Connect.
    pub fn user_status(&self, id: &str) -> Option<String> {
        let instance = lock(&self.sim.instance);
        let user = instance.user(id).ok()?;
        match &user.agent_status_id {
            Some(status) => Some(instance.agent_status(status).ok()?.name.clone()),
            None => Some("Offline".to_owned()),
        }
    }

    /// Sets the user's agent status by name, as the agent would in the
    /// Contact Control Panel (bypassing quota and counters).
    pub fn set_user_status(&self, id: &str, name: &str) -> bool {
        let mut instance = lock(&self.sim.instance);
        let Some(status) = instance.agent_statuses.iter().find(|s| s.name == name) else {
            return false;
        };
        let status = status.id.clone();
        match instance.user_mut(id) {
            Ok(user) => {
                user.agent_status_id = Some(status);
                true
            }
            Err(_) => false,
        }
    }

    /// Sets the instance's `IdentityManagementType` (`SAML`, the seeded one,
    /// `CONNECT_MANAGED` or `EXISTING_DIRECTORY`), as if it had been created so.
    pub fn set_identity_management_type(&self, identity_management_type: &str) {
        lock(&self.sim.instance).identity_management_type = identity_management_type.to_owned();
    }

    /// The user's proficiencies as `(attribute, value, level)`, in
    /// association order (bypassing quota and counters).
    pub fn user_proficiencies(&self, id: &str) -> Vec<(String, String, f64)> {
        let instance = lock(&self.sim.instance);
        instance.user(id).map_or_else(
            |_| Vec::new(),
            |u| {
                u.proficiencies
                    .iter()
                    .map(|p| (p.attribute_name.clone(), p.attribute_value.clone(), p.level))
                    .collect()
            },
        )
    }

    /// The id of the security profile with this name.
    pub fn security_profile_id(&self, name: &str) -> Option<String> {
        let instance = lock(&self.sim.instance);
        let profile = instance.security_profiles.iter().find(|p| p.name == name)?;
        Some(profile.id.clone())
    }

    /// The DescribeSecurityProfile `SecurityProfile` document of the profile
    /// with this id (its `LastModifiedTime` included), bypassing quota and counters.
    pub fn security_profile(&self, id: &str) -> Option<Value> {
        let instance = lock(&self.sim.instance);
        let profile = instance.security_profile(id).ok()?;
        Some(without_nulls(profiles::security_profile_json(
            &instance, profile,
        )))
    }

    /// Merges `tags` into the security profile with this id as another tool's
    /// TagResource would (it moves `LastModifiedTime`), bypassing quota and
    /// counters; whether the profile exists and took them.
    pub fn tag_security_profile(&self, id: &str, tags: &[(&str, &str)]) -> bool {
        let tags: state::Tags = tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut instance = lock(&self.sim.instance);
        self::tags::tag_security_profile(&mut instance, id, &tags)
    }

    /// The id of the routing profile with this name.
    pub fn routing_profile_id(&self, name: &str) -> Option<String> {
        let instance = lock(&self.sim.instance);
        let profile = instance.routing_profiles.iter().find(|p| p.name == name)?;
        Some(profile.id.clone())
    }

    /// The id of the hierarchy group at this name path, e.g. `Seattle/Tier1`.
    pub fn hierarchy_group_id(&self, path: &str) -> Option<String> {
        let instance = lock(&self.sim.instance);
        Some(instance.hierarchy_group_by_path(path)?.id.clone())
    }

    /// Adds the hierarchy group at this name path and any missing group above
    /// it, as an administrator would in the console (bypassing quota and
    /// counters); the id of the group at the end of the path.
    pub fn add_hierarchy_group(&self, path: &str) -> String {
        lock(&self.sim.instance).add_hierarchy_path(path)
    }

    /// Deletes every hierarchy group and takes every user out of theirs, as
    /// an administrator would in the console (bypassing quota and counters).
    pub fn delete_hierarchy_groups(&self) {
        let mut instance = lock(&self.sim.instance);
        instance.hierarchy_groups.clear();
        for user in &mut instance.users {
            user.hierarchy_group_id = None;
        }
    }

    /// Adds `n` agents named `{prefix}{i}` carrying `tags` (bypassing quota
    /// and counters), for tests of large instances.
    pub fn add_agents(&self, prefix: &str, n: usize, tags: &[(&str, &str)]) {
        lock(&self.sim.instance).add_agents(prefix, n, tags);
    }

    /// Adds a security profile as an administrator would in the console
    /// (bypassing quota and counters); its id.
    pub fn add_security_profile(&self, name: &str) -> String {
        lock(&self.sim.instance).add_security_profile(name)
    }

    /// Adds a routing profile as an administrator would in the console
    /// (bypassing quota and counters); its id.
    pub fn add_routing_profile(&self, name: &str) -> String {
        lock(&self.sim.instance).add_routing_profile(name)
    }

    /// Deletes a security profile as an administrator would in the console
    /// (bypassing quota and counters, and Connect's in-use check); whether it existed.
    pub fn delete_security_profile(&self, name: &str) -> bool {
        let mut instance = lock(&self.sim.instance);
        let before = instance.security_profiles.len();
        instance.security_profiles.retain(|p| p.name != name);
        instance.security_profiles.len() != before
    }

    /// How many users the instance holds (visible or not).
    pub fn user_count(&self) -> usize {
        lock(&self.sim.instance).users.len()
    }

    /// Stops accepting connections and lets in-flight requests finish.
    pub fn shutdown(&self) {
        if let Some(tx) = lock(&self.shutdown).take() {
            let _ = tx.send(());
        }
    }

    /// Waits until the server task has stopped (after [`Self::shutdown`]).
    pub async fn stopped(&self) -> std::io::Result<()> {
        let server = lock(&self.server).take();
        match server {
            Some(server) => server.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Serves the simulator on `listen` until Ctrl-C or SIGTERM (`connect-scim simulate`).
pub async fn run(config: SimulatorConfig, listen: SocketAddr) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding the simulator to {listen}"))?;
    let handle = spawn(config, listener)
        .await
        .context("starting the Connect simulator")?;
    println!(
        "Amazon Connect simulator listening on {} (instance {}, region {})",
        handle.url(),
        handle.instance_id(),
        handle.region()
    );
    shutdown_signal().await;
    handle.shutdown();
    handle.stopped().await.context("serving the simulator")?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
