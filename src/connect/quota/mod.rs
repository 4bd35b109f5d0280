//! Amazon Connect's API quota as connect-scim spends it: a GCRA bucket per
//! Connect operation (AWS's API reference: "The throttling limits are defined
//! for each API separately at the AWS account level") or one bucket for every
//! operation (the admin guide's other reading), each slowed down when Connect
//! throttles anyway, and per-user write leases.
//!
//! The buckets and leases live in a [`Store`]: [`MemoryStore`] in the process,
//! or [`dynamo::DynamoStore`], one DynamoDB table shared by every instance
//! (`QUOTA_TABLE`), behind [`Fallback`], which meters in the process at a
//! fraction of the rate while DynamoDB cannot be reached. The gateway
//! ([`crate::connect::limit`]) is the only user; provisioning never sees a store.

pub mod dynamo;
mod fallback;
mod gcra;
mod lease;
mod memory;

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

pub use fallback::Fallback;
pub use gcra::{BucketState, Params};
pub use lease::{Fence, Leases, UserLease};
pub use memory::MemoryStore;

/// Which calls share a bucket (`CONNECT_QUOTA_SCOPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// One bucket per Connect operation (the default, as the API reference states).
    #[default]
    Operation,
    /// One bucket for every operation of the account and region.
    Account,
}

impl Scope {
    /// Parses `operation` or `account`.
    pub fn parse(raw: &str) -> Result<Scope, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "operation" => Ok(Scope::Operation),
            "account" => Ok(Scope::Account),
            other => Err(format!(
                "'{other}' is not a quota scope: use operation or account"
            )),
        }
    }

    /// The name `parse` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Operation => "operation",
            Scope::Account => "account",
        }
    }
}

/// A steady rate and a burst, as Connect's quota table states them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Calls per second.
    pub per_second: f64,
    /// Calls at once after a quiet period.
    pub burst: u32,
}

impl Rate {
    /// Connect's default for the user and profile APIs: 2/s, burst 5.
    pub const CONNECT_DEFAULT: Rate = Rate {
        per_second: 2.0,
        burst: 5,
    };
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.per_second, self.burst)
    }
}

/// The bucket name of the `account` scope.
pub const ALL_OPERATIONS: &str = "all";

/// The quota model: scope, the rate every bucket gets, and raised quotas.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaConfig {
    pub scope: Scope,
    /// `CONNECT_RATE_LIMIT` / `CONNECT_BURST`.
    pub default: Rate,
    /// `CONNECT_QUOTA_OVERRIDES`: operation → rate (in `account` scope, an
    /// override of `all` sets the one bucket).
    pub overrides: BTreeMap<String, Rate>,
}

impl Default for QuotaConfig {
    fn default() -> Self {
        QuotaConfig {
            scope: Scope::Operation,
            default: Rate::CONNECT_DEFAULT,
            overrides: BTreeMap::new(),
        }
    }
}

impl QuotaConfig {
    /// Parses `SearchUsers=5/8,CreateUser=4/6` (rate may be fractional; the
    /// burst is a whole number ≥ 1). Empty means no overrides.
    pub fn parse_overrides(raw: &str) -> Result<BTreeMap<String, Rate>, String> {
        let mut overrides = BTreeMap::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || format!("'{item}' is not OPERATION=RATE/BURST (e.g. SearchUsers=5/8)");
            let (operation, rate) = item.split_once('=').ok_or_else(bad)?;
            let (per_second, burst) = rate.split_once('/').ok_or_else(bad)?;
            let per_second: f64 = per_second.trim().parse().map_err(|_| bad())?;
            let burst: u32 = burst.trim().parse().map_err(|_| bad())?;
            let operation = operation.trim();
            let named =
                !operation.is_empty() && operation.chars().all(|c| c.is_ascii_alphanumeric());
            let usable = per_second > 0.0 && per_second.is_finite() && burst > 0;
            if !(named && usable) {
                return Err(bad());
            }
            overrides.insert(operation.to_owned(), Rate { per_second, burst });
        }
        Ok(overrides)
    }

    /// The bucket a call of `operation` spends, and its rate.
    pub fn bucket<'a>(&'a self, operation: &'a str) -> (&'a str, Rate) {
        let name = match self.scope {
            Scope::Operation => operation,
            Scope::Account => ALL_OPERATIONS,
        };
        let rate = self.overrides.get(name).copied().unwrap_or(self.default);
        (name, rate)
    }
}

/// A store's own failure (DynamoDB unreachable, access denied, …).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// The answer to a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The call may go at this time (epoch ms; now or later).
    Granted { at_ms: i64 },
    /// No slot starts by the latest time asked; the first one starts here.
    Full { first_ms: i64 },
}

/// The answer to a lease request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseTry {
    /// Held until released or expired. `last_write_ms`: when the previous
    /// holder last wrote the user, if it recorded one. `taken_over`: the
    /// previous holder never gave the lease back (it expired), so it may have
    /// written without recording it.
    Held {
        last_write_ms: Option<i64>,
        taken_over: bool,
    },
    /// Someone else holds it until then (epoch ms).
    Busy { until_ms: i64 },
}

/// Where buckets and leases live. Times are wall-clock epoch milliseconds so
/// that processes sharing a store agree on them.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Reserves the next slot of bucket `key` if it starts by `latest_ms`.
    async fn reserve(
        &self,
        key: &str,
        params: Params,
        now_ms: i64,
        latest_ms: i64,
    ) -> Result<Slot, StoreError>;

    /// Connect throttled a call of bucket `key` anyway: halve its rate and
    /// push its next slot out, for every user of the store (once per episode).
    async fn slow_down(&self, key: &str, params: Params, now_ms: i64) -> Result<(), StoreError>;

    /// Takes lease `key` for `owner` until `until_ms`, unless another holds it.
    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<LeaseTry, StoreError>;

    /// Extends lease `key` to `until_ms` if `owner` still holds it (also past
    /// its expiry, as long as nobody took it since); false if another took it.
    async fn renew_lease(&self, key: &str, owner: &str, until_ms: i64) -> Result<bool, StoreError>;

    /// Gives lease `key` back (only if `owner` still holds it), recording
    /// `wrote_ms` as the user's last write when the holder wrote.
    async fn release_lease(
        &self,
        key: &str,
        owner: &str,
        wrote_ms: Option<i64>,
    ) -> Result<(), StoreError>;

    /// For logs: `memory`, `dynamodb:TABLE`, ….
    fn describe(&self) -> String;
}

/// Now, as epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The wall-clock time (epoch ms) `deadline` (a tokio instant) stands for.
pub fn epoch_ms_of(deadline: tokio::time::Instant) -> i64 {
    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
    now_ms().saturating_add(i64::try_from(left.as_millis()).unwrap_or(i64::MAX))
}

/// Milliseconds as a Duration (negative is zero).
pub fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse_operation_rate_and_burst() {
        let o = QuotaConfig::parse_overrides(" SearchUsers=5/8, CreateUser=0.5/1 ").unwrap();
        assert_eq!(
            o["SearchUsers"],
            Rate {
                per_second: 5.0,
                burst: 8
            }
        );
        assert_eq!(
            o["CreateUser"],
            Rate {
                per_second: 0.5,
                burst: 1
            }
        );
        assert!(QuotaConfig::parse_overrides("").unwrap().is_empty());
    }

    #[test]
    fn a_malformed_override_is_refused_naming_it() {
        for bad in [
            "SearchUsers",
            "SearchUsers=5",
            "SearchUsers=0/5",
            "Search Users=1/1",
            "X=1/0",
        ] {
            let e = QuotaConfig::parse_overrides(bad).unwrap_err();
            assert!(e.contains(bad.split(',').next().unwrap()), "{e}");
        }
    }

    #[test]
    fn operation_scope_gives_each_operation_its_bucket_and_account_scope_one() {
        let mut config = QuotaConfig {
            overrides: QuotaConfig::parse_overrides("CreateUser=4/6").unwrap(),
            ..QuotaConfig::default()
        };
        assert_eq!(
            config.bucket("CreateUser"),
            (
                "CreateUser",
                Rate {
                    per_second: 4.0,
                    burst: 6
                }
            )
        );
        assert_eq!(
            config.bucket("SearchUsers"),
            ("SearchUsers", Rate::CONNECT_DEFAULT)
        );
        config.scope = Scope::Account;
        assert_eq!(config.bucket("CreateUser"), ("all", Rate::CONNECT_DEFAULT));
    }
}
