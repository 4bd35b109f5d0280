//! A shared store with a local fallback: while the shared store (DynamoDB)
//! cannot be reached, buckets are metered in this process at a fraction of
//! their rate (`QUOTA_FALLBACK_FRACTION`, default 0.25, burst 1) and leases
//! are taken in this process only. Connect is never called unmetered. The
//! shared store is tried again after [`RETRY_AFTER_MS`].

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use async_trait::async_trait;

use super::gcra::Params;
use super::{LeaseTry, MemoryStore, Slot, Store, StoreError, now_ms};

/// How long the shared store is left alone after it failed.
pub const RETRY_AFTER_MS: i64 = 30_000;

/// [`Store`] over a shared store, falling back to an in-process one.
#[derive(Debug)]
pub struct Fallback {
    shared: Box<dyn Store>,
    local: MemoryStore,
    fraction: f64,
    /// Until when (epoch ms) the shared store is skipped.
    degraded_until: AtomicI64,
    /// Times the shared store failed (for logs and tests).
    failures: AtomicU64,
}

impl Fallback {
    /// `shared` backed by an in-process store at `fraction` of each rate.
    pub fn new(shared: Box<dyn Store>, fraction: f64) -> Fallback {
        Fallback {
            shared,
            local: MemoryStore::new(),
            fraction: fraction.clamp(0.01, 1.0),
            degraded_until: AtomicI64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    /// Times the shared store failed so far.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    fn degraded(&self) -> bool {
        now_ms() < self.degraded_until.load(Ordering::Relaxed)
    }

    fn failed(&self, e: &StoreError) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let until = now_ms() + RETRY_AFTER_MS;
        let before = self.degraded_until.swap(until, Ordering::Relaxed);
        if before < now_ms() {
            tracing::warn!(
                store = %self.shared.describe(),
                error = %e,
                fraction = self.fraction,
                "the shared quota store failed: metering Connect calls in this process at a fraction of the rate, and taking user leases in this process only"
            );
        }
    }

    fn local_params(&self, params: Params) -> Params {
        Params {
            interval_ms: params.interval_ms / self.fraction,
            burst: 1,
        }
    }
}

#[async_trait]
impl Store for Fallback {
    async fn reserve(
        &self,
        key: &str,
        params: Params,
        now_ms: i64,
        latest_ms: i64,
    ) -> Result<Slot, StoreError> {
        if !self.degraded() {
            match self.shared.reserve(key, params, now_ms, latest_ms).await {
                Ok(slot) => return Ok(slot),
                Err(e) => self.failed(&e),
            }
        }
        let now = super::now_ms();
        self.local
            .reserve(key, self.local_params(params), now, latest_ms)
            .await
    }

    async fn slow_down(&self, key: &str, params: Params, now_ms: i64) -> Result<(), StoreError> {
        if !self.degraded() {
            match self.shared.slow_down(key, params, now_ms).await {
                Ok(()) => return Ok(()),
                Err(e) => self.failed(&e),
            }
        }
        self.local
            .slow_down(key, self.local_params(params), now_ms)
            .await
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<LeaseTry, StoreError> {
        if !self.degraded() {
            match self
                .shared
                .acquire_lease(key, owner, now_ms, until_ms)
                .await
            {
                Ok(tried) => return Ok(tried),
                Err(e) => self.failed(&e),
            }
        }
        self.local.acquire_lease(key, owner, now_ms, until_ms).await
    }

    async fn renew_lease(&self, key: &str, owner: &str, until_ms: i64) -> Result<bool, StoreError> {
        if !self.degraded() {
            match self.shared.renew_lease(key, owner, until_ms).await {
                Ok(true) => return Ok(true),
                // Not ours there: it may have been taken here, while degraded.
                Ok(false) => {}
                Err(e) => self.failed(&e),
            }
        }
        self.local.renew_lease(key, owner, until_ms).await
    }

    async fn release_lease(
        &self,
        key: &str,
        owner: &str,
        wrote_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        // Release on both: the lease was taken on one of them.
        let local = self.local.release_lease(key, owner, wrote_ms).await;
        match self.shared.release_lease(key, owner, wrote_ms).await {
            Ok(()) => local,
            Err(e) if self.degraded() => {
                tracing::debug!(error = %e, "shared store still down at lease release");
                local
            }
            Err(e) => Err(e),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} (falling back to the process at {} of the rate)",
            self.shared.describe(),
            self.fraction
        )
    }
}
