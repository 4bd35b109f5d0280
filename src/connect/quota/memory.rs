//! Buckets and leases in this process: one mutex-guarded map each. The
//! store of a single `serve`, of tests, and the fallback when DynamoDB is
//! unreachable.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::gcra::{BucketState, Params};
use super::{LeaseTry, Slot, Store, StoreError};

#[derive(Debug, Clone)]
struct LeaseItem {
    owner: Option<String>,
    until_ms: i64,
    last_write_ms: Option<i64>,
}

/// The in-process [`Store`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    buckets: Mutex<HashMap<String, BucketState>>,
    leases: Mutex<HashMap<String, LeaseItem>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A bucket's state, for tests and metrics.
    pub fn bucket(&self, key: &str) -> Option<BucketState> {
        lock(&self.buckets).get(key).copied()
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn reserve(
        &self,
        key: &str,
        params: Params,
        now_ms: i64,
        latest_ms: i64,
    ) -> Result<Slot, StoreError> {
        let mut buckets = lock(&self.buckets);
        let state = buckets
            .entry(key.to_owned())
            .or_insert_with(BucketState::idle);
        Ok(match state.reserve(params, now_ms, latest_ms) {
            Ok((next, at_ms)) => {
                *state = next;
                Slot::Granted { at_ms }
            }
            Err(first_ms) => Slot::Full { first_ms },
        })
    }

    async fn slow_down(&self, key: &str, params: Params, now_ms: i64) -> Result<(), StoreError> {
        let mut buckets = lock(&self.buckets);
        let state = buckets
            .entry(key.to_owned())
            .or_insert_with(BucketState::idle);
        if let Some(slowed) = state.slowed_down(params, now_ms) {
            *state = slowed;
        }
        Ok(())
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<LeaseTry, StoreError> {
        let mut leases = lock(&self.leases);
        let item = leases.entry(key.to_owned()).or_insert(LeaseItem {
            owner: None,
            until_ms: 0,
            last_write_ms: None,
        });
        if item.owner.is_some() && item.until_ms >= now_ms {
            return Ok(LeaseTry::Busy {
                until_ms: item.until_ms,
            });
        }
        let taken_over = item.owner.replace(owner.to_owned()).is_some();
        item.until_ms = until_ms;
        Ok(LeaseTry::Held {
            last_write_ms: item.last_write_ms,
            taken_over,
        })
    }

    async fn renew_lease(&self, key: &str, owner: &str, until_ms: i64) -> Result<bool, StoreError> {
        let mut leases = lock(&self.leases);
        match leases.get_mut(key) {
            Some(item) if item.owner.as_deref() == Some(owner) => {
                item.until_ms = item.until_ms.max(until_ms);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn release_lease(
        &self,
        key: &str,
        owner: &str,
        wrote_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut leases = lock(&self.leases);
        if let Some(item) = leases.get_mut(key)
            && item.owner.as_deref() == Some(owner)
        {
            item.owner = None;
            item.last_write_ms = wrote_ms.or(item.last_write_ms);
            if item.last_write_ms.is_none() {
                leases.remove(key);
            }
        }
        Ok(())
    }

    fn describe(&self) -> String {
        "in-process".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Params = Params {
        interval_ms: 500.0,
        burst: 2,
    };

    #[tokio::test]
    async fn concurrent_reservations_get_distinct_slots_in_order() {
        let store = std::sync::Arc::new(MemoryStore::new());
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.reserve("b", P, 0, i64::MAX).await.unwrap() })
            })
            .collect();
        let mut slots = Vec::new();
        for t in tasks {
            let Slot::Granted { at_ms } = t.await.unwrap() else {
                panic!("refused")
            };
            slots.push(at_ms);
        }
        slots.sort();
        let expected: Vec<i64> = (0..20).map(|i| (i - 1).max(0) * 500).collect();
        assert_eq!(slots, expected);
    }

    #[tokio::test]
    async fn a_lease_is_exclusive_until_released_or_expired_and_remembers_the_write() {
        let store = MemoryStore::new();
        assert_eq!(
            store.acquire_lease("u", "a", 0, 1_000).await.unwrap(),
            LeaseTry::Held {
                last_write_ms: None,
                taken_over: false
            }
        );
        assert_eq!(
            store.acquire_lease("u", "b", 10, 2_000).await.unwrap(),
            LeaseTry::Busy { until_ms: 1_000 }
        );
        store.release_lease("u", "b", Some(5)).await.unwrap();
        store.release_lease("u", "a", Some(20)).await.unwrap();
        assert_eq!(
            store.acquire_lease("u", "b", 30, 2_000).await.unwrap(),
            LeaseTry::Held {
                last_write_ms: Some(20),
                taken_over: false
            }
        );
        assert_eq!(
            store.acquire_lease("u", "c", 2_001, 3_000).await.unwrap(),
            LeaseTry::Held {
                last_write_ms: Some(20),
                taken_over: true
            },
            "an expired lease is taken over, and says so"
        );
    }

    #[tokio::test]
    async fn only_the_holder_renews_a_lease_even_past_its_expiry_until_another_takes_it() {
        let store = MemoryStore::new();
        store.acquire_lease("u", "a", 0, 1_000).await.unwrap();
        assert!(!store.renew_lease("u", "b", 5_000).await.unwrap());
        assert!(store.renew_lease("u", "a", 5_000).await.unwrap());
        assert_eq!(
            store.acquire_lease("u", "b", 2_000, 6_000).await.unwrap(),
            LeaseTry::Busy { until_ms: 5_000 },
            "renewed past its first expiry"
        );
        assert!(
            store.renew_lease("u", "a", 6_000).await.unwrap(),
            "expired but nobody took it: still a's"
        );
        assert!(matches!(
            store.acquire_lease("u", "b", 7_000, 8_000).await.unwrap(),
            LeaseTry::Held {
                taken_over: true,
                ..
            }
        ));
        assert!(
            !store.renew_lease("u", "a", 9_000).await.unwrap(),
            "taken over: a's lease is gone"
        );
        assert!(!store.renew_lease("nobody", "a", 9_000).await.unwrap());
    }
}
