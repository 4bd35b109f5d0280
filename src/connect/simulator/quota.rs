//! The Connect API quota: a token bucket per Connect operation (AWS's API
//! reference: "The throttling limits are defined for each API separately at
//! the AWS account level"), or one shared by every operation (the admin
//! guide's other reading): 2 requests/s steady, burst 5 by default, with
//! per-operation overrides for raised quotas.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Which calls share a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum QuotaScope {
    /// A bucket per operation.
    #[default]
    Operation,
    /// One bucket for every operation.
    Account,
}

/// The quota of the whole simulated account: its buckets, created on first use.
#[derive(Debug, Clone)]
pub struct Quota {
    scope: QuotaScope,
    rate: f64,
    burst: u32,
    overrides: BTreeMap<String, (f64, u32)>,
    enabled: bool,
    buckets: HashMap<String, TokenBucket>,
}

impl Quota {
    /// Every bucket at `rate`/`burst` unless `overrides` names it.
    pub fn new(
        scope: QuotaScope,
        rate: f64,
        burst: u32,
        overrides: BTreeMap<String, (f64, u32)>,
        enabled: bool,
    ) -> Quota {
        Quota {
            scope,
            rate,
            burst,
            overrides,
            enabled,
            buckets: HashMap::new(),
        }
    }

    /// Changes the default rate and burst, enables or disables, refills all.
    pub fn reconfigure(&mut self, rate: f64, burst: u32, enabled: bool) {
        self.rate = rate;
        self.burst = burst;
        self.enabled = enabled;
        self.buckets.clear();
    }

    /// Changes the scope and refills all.
    pub fn set_scope(&mut self, scope: QuotaScope) {
        self.scope = scope;
        self.buckets.clear();
    }

    /// Takes one token of the bucket `operation` spends; `false` means throttle.
    pub fn try_acquire(&mut self, operation: &str, now: Instant) -> bool {
        if !self.enabled {
            return true;
        }
        let name = match self.scope {
            QuotaScope::Operation => operation,
            QuotaScope::Account => "all",
        };
        let (rate, burst) = self
            .overrides
            .get(name)
            .copied()
            .unwrap_or((self.rate, self.burst));
        self.buckets
            .entry(name.to_owned())
            .or_insert_with(|| TokenBucket::new(rate, burst, true, now))
            .try_acquire(now)
    }
}

/// A token bucket refilled continuously at `rate` tokens per second up to
/// `burst` tokens; each request takes one token or is throttled.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    refilled_at: Instant,
    enabled: bool,
}

impl TokenBucket {
    /// A full bucket; `enabled: false` admits everything.
    pub fn new(rate: f64, burst: u32, enabled: bool, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: rate.max(0.0),
            burst,
            tokens: burst,
            refilled_at: now,
            enabled,
        }
    }

    /// Takes one token if there is one; `false` means throttle.
    pub fn try_acquire(&mut self, now: Instant) -> bool {
        if !self.enabled {
            return true;
        }
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_full_bucket_admits_the_burst_then_throttles() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, 5, true, start);
        let admitted = (0..10).filter(|_| bucket.try_acquire(start)).count();
        assert_eq!(admitted, 5);
    }

    #[test]
    fn tokens_come_back_at_the_steady_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, 5, true, start);
        while bucket.try_acquire(start) {}
        let later = start + Duration::from_millis(1000);
        let admitted = (0..10).filter(|_| bucket.try_acquire(later)).count();
        assert_eq!(admitted, 2);
        let much_later = later + Duration::from_secs(60);
        let admitted = (0..10).filter(|_| bucket.try_acquire(much_later)).count();
        assert_eq!(admitted, 5, "the bucket never holds more than the burst");
    }

    #[test]
    fn each_operation_has_its_own_bucket_unless_the_scope_is_the_account() {
        let start = Instant::now();
        let overrides = BTreeMap::from([("SearchUsers".to_owned(), (5.0, 8))]);
        let mut quota = Quota::new(QuotaScope::Operation, 2.0, 5, overrides, true);
        let admitted = |q: &mut Quota, op| (0..20).filter(|_| q.try_acquire(op, start)).count();
        assert_eq!(admitted(&mut quota, "CreateUser"), 5);
        assert_eq!(admitted(&mut quota, "DescribeUser"), 5);
        assert_eq!(admitted(&mut quota, "SearchUsers"), 8);
        quota.set_scope(QuotaScope::Account);
        assert_eq!(admitted(&mut quota, "CreateUser"), 5);
        assert_eq!(admitted(&mut quota, "DescribeUser"), 0);
    }

    #[test]
    fn a_disabled_bucket_admits_everything() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, 5, false, start);
        assert!((0..1000).all(|_| bucket.try_acquire(start)));
    }
}
