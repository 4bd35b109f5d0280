//! The gateway every Amazon Connect call passes through: a quota bucket per
//! Connect operation (or one for all, `CONNECT_QUOTA_SCOPE`) held in a
//! [`Store`] that every instance may share, slowed down when Connect
//! throttles anyway; retries with jittered backoff; per-request deadlines that
//! make a call fail fast with [`ConnectError::Throttled`] instead of waiting
//! past them; and per-user write leases.
//!
//! [`Gateway`] is the shared part; [`Session`] is a per-request handle that
//! implements [`Connect`] and counts the calls and the waiting of that request.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use async_trait::async_trait;
use rand::Rng;
use tokio::time::Instant;
use tracing::Instrument;

use crate::connect::quota::{
    Fence, Leases, MemoryStore, Params, QuotaConfig, Rate, Slot, Store, UserLease, epoch_ms_of,
    millis, now_ms,
};
use crate::connect::{
    AgentStatus, Connect, ConnectError, CreatedUser, HierarchyGroup, IdentityInfo, Instance,
    NewUser, Page, PhoneConfig, Proficiency, SecurityProfile, SecurityProfileSearch, Summary, Tags,
    User, UserSearch, UserSummary,
};

/// Burst tokens each bucket keeps in hand (see [`Gateway::new`]).
const HEADROOM: u32 = 1;
/// A call is not started later than this before the request's deadline, so
/// that it is answered in time (a write must never be abandoned in flight).
const CALL_MARGIN_MS: i64 = 250;
/// How long a Connect write may be in flight once started (the client's
/// attempt timeout): the user leases a session holds must last that long
/// past the start of each of its writes.
const WRITE_SPAN: Duration = super::aws::ATTEMPT_TIMEOUT;

/// How the gateway paces and retries Connect calls.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitConfig {
    /// The quota model: scope, rate and burst per bucket, raised quotas.
    pub quota: QuotaConfig,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// First retry backoff ceiling; doubles per attempt ("full jitter").
    pub base_backoff: Duration,
    /// Largest backoff ceiling.
    pub max_backoff: Duration,
    /// How long after CreateUser a NotFound for that user is taken as Connect's
    /// eventual consistency and retried; also how long after a write a user is
    /// read with DescribeUser rather than trusted from the search index.
    pub consistency_window: Duration,
}

impl Default for LimitConfig {
    /// Connect's default quota (2/s, burst 5, per operation), 4 attempts,
    /// backoff 200 ms..2 s, a 10 s consistency window.
    fn default() -> Self {
        LimitConfig {
            quota: QuotaConfig::default(),
            max_attempts: 4,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            consistency_window: Duration::from_secs(10),
        }
    }
}

impl LimitConfig {
    /// The default configuration with every bucket at `per_second`/`burst`.
    pub fn with_rate(per_second: f64, burst: u32) -> LimitConfig {
        let mut config = LimitConfig::default();
        config.quota.default = Rate { per_second, burst };
        config
    }
}

/// The process-wide Connect gateway: a cheap-to-clone handle on the quota
/// store and the wrapped adapter. Make one [`Session`] per request.
#[derive(Clone)]
pub struct Gateway {
    shared: Arc<Shared>,
}

struct Shared {
    inner: Arc<dyn Connect>,
    config: LimitConfig,
    store: Arc<dyn Store>,
    /// Whether the store is shared with other instances (leases go there too).
    store_is_shared: bool,
    leases: Leases,
    /// Users created recently: id → (ARN, when).
    recently_created: Mutex<HashMap<String, (String, Instant)>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("config", &self.shared.config)
            .field("store", &self.shared.store.describe())
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A gateway in front of `inner` (usually [`crate::connect::aws::AwsConnect`])
    /// with its buckets and leases in this process.
    ///
    /// Each bucket keeps one token of its burst in hand: calls it releases
    /// exactly one interval apart can reach Connect closer together (the first
    /// call of a burst often waits longer for its connection), and Connect's
    /// bucket would then answer 429. One token of headroom absorbs that jitter
    /// at the cost of one call of burst; the steady rate is unchanged.
    pub fn new(inner: Arc<dyn Connect>, config: LimitConfig) -> Gateway {
        Gateway::with_store(inner, config, Arc::new(MemoryStore::new()), false)
    }

    /// A gateway whose buckets (and, when `shared`, leases) live in `store`.
    pub fn with_store(
        inner: Arc<dyn Connect>,
        config: LimitConfig,
        store: Arc<dyn Store>,
        shared: bool,
    ) -> Gateway {
        Gateway {
            shared: Arc::new(Shared {
                inner,
                config,
                store,
                store_is_shared: shared,
                leases: Leases::default(),
                recently_created: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The configuration this gateway was built with.
    pub fn config(&self) -> &LimitConfig {
        &self.shared.config
    }

    /// Where the buckets live, for logs.
    pub fn store_description(&self) -> String {
        self.shared.store.describe()
    }

    /// A handle for one request that must be answered by `deadline`.
    pub fn session(&self, deadline: Instant) -> Session {
        Session {
            gateway: self.clone(),
            deadline,
            calls: AtomicU32::new(0),
            calls_by_operation: Mutex::new(BTreeMap::new()),
            writes: Arc::new(AtomicU32::new(0)),
            fences: Mutex::new(Vec::new()),
            connect_throttles: AtomicU32::new(0),
            throttle_wait_nanos: AtomicU64::new(0),
        }
    }

    fn remember_created(&self, user: &CreatedUser) {
        let now = Instant::now();
        let window = self.shared.config.consistency_window;
        let mut created = self
            .shared
            .recently_created
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        created.retain(|_, (_, at)| now.duration_since(*at) < window);
        created.insert(user.id.clone(), (user.arn.clone(), now));
    }

    /// A deleted user's NotFound is real: no more consistency retries for it.
    fn forget_created(&self, user_id: &str) {
        let mut created = self
            .shared
            .recently_created
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        created.remove(user_id);
    }

    fn created_recently(&self, id_or_arn: &str) -> bool {
        let created = self
            .shared
            .recently_created
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let window = self.shared.config.consistency_window;
        created
            .iter()
            .any(|(id, (arn, at))| (id == id_or_arn || arn == id_or_arn) && at.elapsed() < window)
    }

    /// The bucket a call of `operation` spends and its parameters.
    fn bucket(&self, operation: &str) -> (String, Params) {
        let (name, rate) = self.shared.config.quota.bucket(operation);
        (name.to_owned(), Params::new(rate, HEADROOM))
    }
}

/// A request's view of the gateway: implements [`Connect`] with the gateway's
/// pacing and retries, bounded by the request's deadline.
#[derive(Debug)]
pub struct Session {
    gateway: Gateway,
    deadline: Instant,
    calls: AtomicU32,
    /// The same, per Connect operation (the quota each bucket spent).
    calls_by_operation: Mutex<BTreeMap<&'static str, u32>>,
    /// Connect writes this session made (shared with the user leases it holds).
    writes: Arc<AtomicU32>,
    /// The store leases this session holds (or held), which its writes check.
    fences: Mutex<Vec<Weak<Fence>>>,
    connect_throttles: AtomicU32,
    throttle_wait_nanos: AtomicU64,
}

/// Whether a NotFound message names a security profile, routing profile or
/// hierarchy group (Connect's messages name the missing resource).
fn names_other_resource(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("profile") || m.contains("hierarchy")
}

/// Whether a Connect operation makes a new resource (not idempotent: the same
/// call twice fails the second time with a duplicate).
fn creates(operation: &str) -> bool {
    operation.starts_with("Create")
}

/// Whether a Connect operation changes something.
fn is_write(operation: &str) -> bool {
    [
        "Create",
        "Update",
        "Delete",
        "Tag",
        "Untag",
        "Associate",
        "Disassociate",
        "Put",
    ]
    .iter()
    .any(|verb| operation.starts_with(verb))
}

/// `wait` rounded up to whole seconds, at least one (`Retry-After` granularity).
fn retry_after(wait: Duration) -> Duration {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Duration::from_secs(secs.max(1))
}

/// The variant name, for logs: Connect's messages may echo request contents.
fn error_kind(error: &ConnectError) -> &'static str {
    match error {
        ConnectError::NotFound(_) => "NotFound",
        ConnectError::Duplicate(_) => "Duplicate",
        ConnectError::InvalidParameter(_) => "InvalidParameter",
        ConnectError::LimitExceeded(_) => "LimitExceeded",
        ConnectError::Throttled { .. } => "Throttled",
        ConnectError::Unavailable(_) => "Unavailable",
        ConnectError::AccessDenied(_) => "AccessDenied",
        ConnectError::Other(_) => "Other",
    }
}

impl Session {
    /// Connect calls this session made, retries included.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Connect calls this session made per operation, retries included.
    pub fn calls_by_operation(&self) -> BTreeMap<&'static str, u32> {
        self.calls_by_operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// ThrottlingExceptions Amazon Connect itself answered this session (each
    /// retried or returned): non-zero means something else shares the quota.
    pub fn connect_throttles(&self) -> u32 {
        self.connect_throttles.load(Ordering::Relaxed)
    }

    /// Time this session spent waiting for the rate limiter or backing off.
    pub fn throttle_wait(&self) -> Duration {
        Duration::from_nanos(self.throttle_wait_nanos.load(Ordering::Relaxed))
    }

    /// When the request must be answered.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    fn add_wait(&self, since: Instant) {
        let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.throttle_wait_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Runs `attempt` as the Connect operation `operation`: one limiter token per
    /// attempt, retries on Throttled/Unavailable (and on NotFound for a user in
    /// `consistency_key` created moments ago), never past the deadline.
    async fn call<T, F, Fut>(
        &self,
        operation: &'static str,
        consistency_key: Option<&str>,
        attempt: F,
    ) -> Result<T, ConnectError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ConnectError>>,
    {
        let span = tracing::debug_span!("connect", operation);
        async {
            let max_attempts = self.gateway.shared.config.max_attempts.max(1);
            let (bucket, params) = self.gateway.bucket(operation);
            let mut tries = 0;
            loop {
                tries += 1;
                self.take_slot(&bucket, params).await?;
                if is_write(operation) {
                    // After the wait for a slot, just before the write.
                    self.cover_leases().await?;
                }
                self.calls.fetch_add(1, Ordering::Relaxed);
                *self
                    .calls_by_operation
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(operation)
                    .or_default() += 1;
                if is_write(operation) {
                    self.writes.fetch_add(1, Ordering::SeqCst);
                }
                tracing::debug!(attempt = tries, "calling Amazon Connect");
                // A read is abandoned at the deadline; a write in flight is not
                // (Connect may apply it anyway): it is waited for, within the
                // client's own attempt timeout, so the answer says what happened.
                let answer = if is_write(operation) {
                    Ok(attempt().await)
                } else {
                    tokio::time::timeout_at(self.deadline, attempt()).await
                };
                let error = match answer {
                    Ok(Ok(answer)) => return Ok(answer),
                    Ok(Err(error)) => error,
                    Err(_) => ConnectError::Unavailable(format!(
                        "{operation}: no answer before the request's deadline"
                    )),
                };
                if matches!(error, ConnectError::Throttled { .. }) {
                    self.connect_throttles.fetch_add(1, Ordering::Relaxed);
                    self.slow_down(&bucket, params).await;
                }
                // A user created moments ago may not be visible yet: keep trying
                // while it is in the consistency window (bounded by the window and
                // the deadline, not by max_attempts, which is for failures).
                // A NotFound naming a profile or hierarchy group is about that
                // resource, not the new user, and waiting will not change it.
                let settling = matches!(&error, ConnectError::NotFound(m) if !names_other_resource(m))
                    && consistency_key.is_some_and(|key| self.gateway.created_recently(key));
                // A throttled call was not applied; a create that failed otherwise
                // may have been (a timeout, a 5xx after sending), and a blind
                // retry would meet its own user as a duplicate: the caller
                // decides (see provisioning's create paths).
                let retryable = settling
                    || matches!(error, ConnectError::Throttled { .. })
                    || (matches!(error, ConnectError::Unavailable(_)) && !creates(operation));
                tracing::debug!(attempt = tries, error = error_kind(&error), retryable);
                if !retryable || (tries >= max_attempts && !settling) {
                    return Err(error);
                }
                self.back_off(tries).await?;
            }
        }
        .instrument(span)
        .await
    }

    /// Reserves the next slot of `bucket` and waits for it, or fails fast
    /// with Throttled (and the true wait as Retry-After) when no slot starts
    /// before the deadline. Slots are handed out in reservation order, and a
    /// request holds a slot of one bucket only for the call it is about to make.
    async fn take_slot(&self, bucket: &str, params: Params) -> Result<(), ConnectError> {
        let started = Instant::now();
        let now = now_ms();
        let slot = self
            .gateway
            .shared
            .store
            .reserve(
                bucket,
                params,
                now,
                epoch_ms_of(self.deadline) - CALL_MARGIN_MS,
            )
            .await;
        let result = match slot {
            Ok(Slot::Granted { at_ms }) => {
                let wait = millis(at_ms - now_ms());
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(())
            }
            Ok(Slot::Full { first_ms }) => {
                tracing::debug!(bucket, "no Connect slot before the deadline");
                Err(ConnectError::Throttled {
                    retry_after: retry_after(millis(first_ms - now)),
                })
            }
            Err(e) => Err(ConnectError::Unavailable(format!("quota store: {e}"))),
        };
        self.add_wait(started);
        result
    }

    /// Connect throttled a call of `bucket` despite the limiter: slow the
    /// bucket down for everyone sharing it.
    async fn slow_down(&self, bucket: &str, params: Params) {
        let store = &self.gateway.shared.store;
        if let Err(e) = store.slow_down(bucket, params, now_ms()).await {
            tracing::warn!(bucket, error = %e, "could not slow the quota bucket down");
        } else {
            tracing::info!(bucket, "Amazon Connect throttled: bucket slowed down");
        }
    }

    /// Takes the write lease of `user_id` until the returned guard drops, or
    /// fails with Throttled when another request holds it past the deadline.
    pub async fn lease(&self, user_id: &str) -> Result<UserLease, ConnectError> {
        let shared = &self.gateway.shared;
        let store = shared.store_is_shared.then(|| shared.store.clone());
        let started = Instant::now();
        let lease = shared
            .leases
            .acquire(
                store,
                user_id,
                self.deadline,
                self.writes.clone(),
                shared.config.consistency_window,
            )
            .await;
        self.add_wait(started);
        if let Some(fence) = lease.as_ref().ok().and_then(UserLease::fence) {
            let mut fences = self.fences.lock().unwrap_or_else(PoisonError::into_inner);
            fences.retain(|f| f.strong_count() > 0);
            fences.push(fence);
        }
        lease
    }

    /// Before a write: every store lease this session holds must outlast the
    /// write's span, renewed if need be; a lease lost to another request
    /// fails the write before it is made (see [`Fence::cover`]).
    async fn cover_leases(&self) -> Result<(), ConnectError> {
        let held: Vec<Arc<Fence>> = self
            .fences
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        if held.is_empty() {
            return Ok(());
        }
        let span = i64::try_from(WRITE_SPAN.as_millis()).unwrap_or(i64::MAX);
        let needed_ms = now_ms().saturating_add(span);
        for fence in held {
            fence.cover(needed_ms).await?;
        }
        Ok(())
    }

    /// Sleeps a "full jitter" backoff before retry number `tries`, or fails fast
    /// with Throttled when it would end past the deadline.
    async fn back_off(&self, tries: u32) -> Result<(), ConnectError> {
        let config = &self.gateway.shared.config;
        let ceiling = config
            .base_backoff
            .saturating_mul(2u32.saturating_pow(tries.saturating_sub(1)))
            .min(config.max_backoff);
        let backoff = ceiling.mul_f64(rand::rng().random::<f64>());
        let started = Instant::now();
        if started + backoff > self.deadline {
            return Err(ConnectError::Throttled {
                retry_after: retry_after(backoff),
            });
        }
        tokio::time::sleep(backoff).await;
        self.add_wait(started);
        Ok(())
    }

    fn inner(&self) -> &dyn Connect {
        self.gateway.shared.inner.as_ref()
    }
}

#[async_trait]
impl Connect for Session {
    /// CreateUser; remembers the new user for the consistency window.
    async fn create_user(&self, user: &NewUser) -> Result<CreatedUser, ConnectError> {
        let created = self
            .call("CreateUser", None, || self.inner().create_user(user))
            .await?;
        self.gateway.remember_created(&created);
        Ok(created)
    }

    /// DescribeUser.
    async fn describe_user(&self, user_id: &str) -> Result<User, ConnectError> {
        self.call("DescribeUser", Some(user_id), || {
            self.inner().describe_user(user_id)
        })
        .await
    }

    /// DeleteUser.
    async fn delete_user(&self, user_id: &str) -> Result<(), ConnectError> {
        self.call("DeleteUser", Some(user_id), || {
            self.inner().delete_user(user_id)
        })
        .await?;
        self.gateway.forget_created(user_id);
        Ok(())
    }

    /// ListUsers.
    async fn list_users(
        &self,
        next_token: Option<&str>,
        max_results: i32,
    ) -> Result<Page<Summary>, ConnectError> {
        self.call("ListUsers", None, || {
            self.inner().list_users(next_token, max_results)
        })
        .await
    }

    /// SearchUsers.
    async fn search_users(&self, search: &UserSearch) -> Result<Page<UserSummary>, ConnectError> {
        self.call("SearchUsers", None, || self.inner().search_users(search))
            .await
    }

    /// UpdateUserIdentityInfo.
    async fn update_user_identity_info(
        &self,
        user_id: &str,
        identity: &IdentityInfo,
    ) -> Result<(), ConnectError> {
        self.call("UpdateUserIdentityInfo", Some(user_id), || {
            self.inner().update_user_identity_info(user_id, identity)
        })
        .await
    }

    /// UpdateUserSecurityProfiles.
    async fn update_user_security_profiles(
        &self,
        user_id: &str,
        security_profile_ids: &[String],
    ) -> Result<(), ConnectError> {
        self.call("UpdateUserSecurityProfiles", Some(user_id), || {
            self.inner()
                .update_user_security_profiles(user_id, security_profile_ids)
        })
        .await
    }

    /// UpdateUserRoutingProfile.
    async fn update_user_routing_profile(
        &self,
        user_id: &str,
        routing_profile_id: &str,
    ) -> Result<(), ConnectError> {
        self.call("UpdateUserRoutingProfile", Some(user_id), || {
            self.inner()
                .update_user_routing_profile(user_id, routing_profile_id)
        })
        .await
    }

    /// UpdateUserPhoneConfig.
    async fn update_user_phone_config(
        &self,
        user_id: &str,
        phone: &PhoneConfig,
    ) -> Result<(), ConnectError> {
        self.call("UpdateUserPhoneConfig", Some(user_id), || {
            self.inner().update_user_phone_config(user_id, phone)
        })
        .await
    }

    /// UpdateUserHierarchy.
    async fn update_user_hierarchy(
        &self,
        user_id: &str,
        hierarchy_group_id: Option<&str>,
    ) -> Result<(), ConnectError> {
        self.call("UpdateUserHierarchy", Some(user_id), || {
            self.inner()
                .update_user_hierarchy(user_id, hierarchy_group_id)
        })
        .await
    }

    /// ListSecurityProfiles.
    async fn list_security_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError> {
        self.call("ListSecurityProfiles", None, || {
            self.inner().list_security_profiles(next_token)
        })
        .await
    }

    /// DescribeSecurityProfile.
    async fn describe_security_profile(
        &self,
        profile_id: &str,
    ) -> Result<SecurityProfile, ConnectError> {
        self.call("DescribeSecurityProfile", None, || {
            self.inner().describe_security_profile(profile_id)
        })
        .await
    }

    /// SearchSecurityProfiles.
    async fn search_security_profiles(
        &self,
        search: &SecurityProfileSearch,
    ) -> Result<Page<SecurityProfile>, ConnectError> {
        self.call("SearchSecurityProfiles", None, || {
            self.inner().search_security_profiles(search)
        })
        .await
    }

    /// CreateSecurityProfile.
    async fn create_security_profile(
        &self,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<Summary, ConnectError> {
        self.call("CreateSecurityProfile", None, || {
            self.inner()
                .create_security_profile(name, description, tags)
        })
        .await
    }

    /// DeleteSecurityProfile.
    async fn delete_security_profile(&self, profile_id: &str) -> Result<(), ConnectError> {
        self.call("DeleteSecurityProfile", None, || {
            self.inner().delete_security_profile(profile_id)
        })
        .await
    }

    /// ListRoutingProfiles.
    async fn list_routing_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError> {
        self.call("ListRoutingProfiles", None, || {
            self.inner().list_routing_profiles(next_token)
        })
        .await
    }

    /// SearchUserHierarchyGroups.
    async fn search_user_hierarchy_groups(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<HierarchyGroup>, ConnectError> {
        self.call("SearchUserHierarchyGroups", None, || {
            self.inner().search_user_hierarchy_groups(next_token)
        })
        .await
    }

    /// TagResource.
    async fn tag_resource(&self, arn: &str, tags: &Tags) -> Result<(), ConnectError> {
        self.call("TagResource", Some(arn), || {
            self.inner().tag_resource(arn, tags)
        })
        .await
    }

    /// UntagResource.
    async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), ConnectError> {
        self.call("UntagResource", Some(arn), || {
            self.inner().untag_resource(arn, keys)
        })
        .await
    }

    /// ListTagsForResource.
    async fn list_tags_for_resource(&self, arn: &str) -> Result<Tags, ConnectError> {
        self.call("ListTagsForResource", Some(arn), || {
            self.inner().list_tags_for_resource(arn)
        })
        .await
    }

    /// DescribeInstance.
    async fn describe_instance(&self) -> Result<Instance, ConnectError> {
        self.call("DescribeInstance", None, || {
            self.inner().describe_instance()
        })
        .await
    }

    /// ListAgentStatuses.
    async fn list_agent_statuses(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<AgentStatus>, ConnectError> {
        self.call("ListAgentStatuses", None, || {
            self.inner().list_agent_statuses(next_token)
        })
        .await
    }

    /// ListUserProficiencies.
    async fn list_user_proficiencies(
        &self,
        user_id: &str,
        next_token: Option<&str>,
    ) -> Result<Page<Proficiency>, ConnectError> {
        self.call("ListUserProficiencies", Some(user_id), || {
            self.inner().list_user_proficiencies(user_id, next_token)
        })
        .await
    }

    /// AssociateUserProficiencies.
    async fn associate_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.call("AssociateUserProficiencies", Some(user_id), || {
            self.inner()
                .associate_user_proficiencies(user_id, proficiencies)
        })
        .await
    }

    /// UpdateUserProficiencies.
    async fn update_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.call("UpdateUserProficiencies", Some(user_id), || {
            self.inner()
                .update_user_proficiencies(user_id, proficiencies)
        })
        .await
    }

    /// DisassociateUserProficiencies.
    async fn disassociate_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.call("DisassociateUserProficiencies", Some(user_id), || {
            self.inner()
                .disassociate_user_proficiencies(user_id, proficiencies)
        })
        .await
    }

    /// DescribePredefinedAttribute.
    async fn describe_predefined_attribute(&self, name: &str) -> Result<Vec<String>, ConnectError> {
        self.call("DescribePredefinedAttribute", None, || {
            self.inner().describe_predefined_attribute(name)
        })
        .await
    }

    /// PutUserStatus.
    async fn put_user_status(
        &self,
        user_id: &str,
        agent_status_id: &str,
    ) -> Result<(), ConnectError> {
        self.call("PutUserStatus", Some(user_id), || {
            self.inner().put_user_status(user_id, agent_status_id)
        })
        .await
    }

    /// The user's write lease (see [`Session::lease`]).
    async fn lease_user(&self, user_id: &str) -> Result<UserLease, ConnectError> {
        self.lease(user_id).await
    }
}

#[cfg(test)]
mod tests;
