//! Per-user write leases: whoever reads a user to write it back (profiles,
//! restore tags, any diff-then-write) holds the user's lease from before the
//! read until after the write, so two requests never interleave on one user.
//!
//! Two layers: an async keyed lock in the process (callers queue on it in
//! arrival order, and never poll the store against each other), then the
//! store's lease (a DynamoDB item with an expiry when `QUOTA_TABLE` is set),
//! which excludes every other instance. A lease that cannot be had before
//! the request's deadline is the typed throttled error (429 + Retry-After).
//!
//! A store lease expires (the request's deadline + [`GRACE_MS`]), so that a
//! vanished holder does not block the user forever; a holder must then never
//! write once it may have expired. Every Connect write under a store lease is
//! preceded by [`Fence::cover`]: the lease must last until the write can no
//! longer be in flight, else it is renewed first, and a lease another request
//! took over fails the write before it is made. A lease taken over from an
//! expired holder counts as written just now (the holder may have written
//! without recording it), so its new holder reads the user again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use super::{LeaseTry, Store, epoch_ms_of, millis, now_ms};
use crate::connect::ConnectError;

/// How long past the request's deadline a lease lasts if its holder vanishes
/// (a Lambda environment frozen mid-request): then another may take it. Also
/// how long past the end of a write's span a renewal extends it.
const GRACE_MS: i64 = 5_000;
/// How long the process remembers a user's last write once nobody holds or
/// waits for its lease (on top of the index lag): longer than a request may
/// run (Lambda's 15 minute limit), so that a request that read the user
/// before that write still learns of it when it takes the lease. Without a
/// shared store this is the only record; with one, the store's is kept too.
const REMEMBER_WRITE_MS: i64 = 15 * 60 * 1000;
/// Longest pause between two tries of a lease someone else holds.
const MAX_POLL: Duration = Duration::from_millis(250);

/// The process's side of user leases: one async lock per user being written.
#[derive(Debug, Default)]
pub struct Leases {
    local: Mutex<HashMap<String, Arc<tokio::sync::Mutex<LocalSlot>>>>,
}

/// What this process remembers of a user while nobody holds its lease.
#[derive(Debug, Default)]
pub struct LocalSlot {
    last_write_ms: Option<i64>,
}

/// A held lease; given back when dropped (the store's part by a spawned task,
/// so that an early return or a cancelled request releases it too).
#[derive(Debug)]
pub struct UserLease {
    held: Option<Held>,
    last_write_ms: Option<i64>,
    /// Taken over from a holder whose lease expired: it may have written
    /// without recording it.
    taken_over: bool,
    /// How long Connect's search index may lag a write.
    lag_ms: i64,
}

#[derive(Debug)]
struct Held {
    local: OwnedMutexGuard<LocalSlot>,
    remote: Option<Arc<Fence>>,
    writes: Arc<AtomicU32>,
    writes_before: u32,
}

impl UserLease {
    /// A lease that guards nothing: what a bare Connect adapter hands out.
    pub fn unguarded() -> UserLease {
        UserLease {
            held: None,
            last_write_ms: None,
            taken_over: false,
            lag_ms: 0,
        }
    }

    /// Whether a read of the user made at `read_ms` (epoch ms) from Connect's
    /// search index may miss a previous holder's write: the write came after
    /// the read, or so shortly before it that the index may not show it yet,
    /// or the previous holder's lease expired (its writes are unknown).
    /// Then the user must be read again, with DescribeUser.
    pub fn newer_than_read_at(&self, read_ms: i64) -> bool {
        self.taken_over
            || self
                .last_write_ms
                .is_some_and(|at| at >= read_ms.saturating_sub(self.lag_ms))
    }

    /// The store lease's fence, which the session's writes check (none
    /// without a shared store: the process lock does not expire).
    pub fn fence(&self) -> Option<Weak<Fence>> {
        let held = self.held.as_ref()?;
        held.remote.as_ref().map(Arc::downgrade)
    }
}

/// A held store lease, as the writes made under it see it.
#[derive(Debug)]
pub struct Fence {
    store: Arc<dyn Store>,
    key: String,
    owner: String,
    /// Until when (epoch ms) the store holds it for us, as far as we know.
    until_ms: AtomicI64,
    /// Given back (or being): no write is made under it any more.
    released: AtomicBool,
}

impl Fence {
    /// Makes sure the lease stays ours until `needed_ms` (epoch ms: the end
    /// of the span a write about to start may be in flight): when it would
    /// expire sooner, renews it to `needed_ms` + [`GRACE_MS`] (the margin also
    /// covers the renewal's own time). A lease that another request took over
    /// fails with Throttled: the write must not be made, as this holder's
    /// read of the user may be stale and the other may have written since.
    pub async fn cover(&self, needed_ms: i64) -> Result<(), ConnectError> {
        if self.released.load(Ordering::SeqCst) || self.until_ms.load(Ordering::SeqCst) >= needed_ms
        {
            return Ok(());
        }
        let until_ms = needed_ms.saturating_add(GRACE_MS);
        match self
            .store
            .renew_lease(&self.key, &self.owner, until_ms)
            .await
        {
            Ok(true) => {
                self.until_ms.fetch_max(until_ms, Ordering::SeqCst);
                Ok(())
            }
            Ok(false) => {
                tracing::warn!(
                    user_id = %self.key,
                    "the user lease expired and another request took it: the write is not made"
                );
                Err(ConnectError::Throttled {
                    retry_after: Duration::from_secs(1),
                })
            }
            Err(e) => Err(ConnectError::Unavailable(format!("user lease: {e}"))),
        }
    }
}

impl Drop for UserLease {
    fn drop(&mut self) {
        let Some(mut held) = self.held.take() else {
            return;
        };
        let wrote = (held.writes.load(Ordering::SeqCst) != held.writes_before).then(now_ms);
        if wrote.is_some() {
            held.local.last_write_ms = wrote;
        }
        let Some(fence) = held.remote.take() else {
            return;
        };
        fence.released.store(true, Ordering::SeqCst);
        let local = held.local;
        let release = async move {
            let Fence {
                store, key, owner, ..
            } = &*fence;
            if let Err(e) = store.release_lease(key, owner, wrote).await {
                tracing::warn!(error = %e, "could not give a user lease back; it expires by itself");
            }
            drop(local);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(release);
            }
            Err(_) => tracing::warn!("no runtime to give a user lease back; it expires by itself"),
        }
    }
}

fn lag_ms(index_lag: Duration) -> i64 {
    i64::try_from(index_lag.as_millis()).unwrap_or(i64::MAX / 2)
}

impl Leases {
    /// Takes the lease of `user_id` for a request due by `deadline`: the
    /// process lock, then (with a shared store) the store's lease. `writes`
    /// counts the holder's Connect writes, so the release records whether it wrote.
    pub async fn acquire(
        &self,
        store: Option<Arc<dyn Store>>,
        user_id: &str,
        deadline: Instant,
        writes: Arc<AtomicU32>,
        index_lag: Duration,
    ) -> Result<UserLease, ConnectError> {
        let busy = || ConnectError::Throttled {
            retry_after: Duration::from_secs(1),
        };
        let slot = {
            let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
            // A user nobody holds or waits for is forgotten once its last
            // write is too old to matter to any request's read.
            let forget_before = now_ms() - REMEMBER_WRITE_MS - lag_ms(index_lag);
            local.retain(|_, slot| {
                Arc::strong_count(slot) > 1
                    || slot.try_lock().map_or(true, |idle| {
                        idle.last_write_ms.is_some_and(|at| at >= forget_before)
                    })
            });
            local.entry(user_id.to_owned()).or_default().clone()
        };
        let local = tokio::time::timeout_at(deadline, slot.lock_owned())
            .await
            .map_err(|_| busy())?;
        let mut last_write_ms = local.last_write_ms;
        let mut taken_over = false;
        let remote = match store {
            None => None,
            Some(store) => {
                let owner = uuid::Uuid::new_v4().to_string();
                let until_ms = epoch_ms_of(deadline) + GRACE_MS;
                let mut pause = Duration::from_millis(20);
                loop {
                    let tried = store
                        .acquire_lease(user_id, &owner, now_ms(), until_ms)
                        .await
                        .map_err(|e| ConnectError::Unavailable(format!("user lease: {e}")))?;
                    match tried {
                        LeaseTry::Held {
                            last_write_ms: at,
                            taken_over: expired,
                        } => {
                            last_write_ms = last_write_ms.max(at);
                            taken_over = expired;
                            break Some(Arc::new(Fence {
                                store,
                                key: user_id.to_owned(),
                                owner,
                                until_ms: AtomicI64::new(until_ms),
                                released: AtomicBool::new(false),
                            }));
                        }
                        LeaseTry::Busy { until_ms } => {
                            let wait = pause.min(millis(until_ms - now_ms()).max(pause / 2));
                            if Instant::now() + wait >= deadline {
                                return Err(busy());
                            }
                            tokio::time::sleep(wait).await;
                            pause = (pause * 2).min(MAX_POLL);
                        }
                    }
                }
            }
        };
        Ok(UserLease {
            held: Some(Held {
                local,
                remote,
                writes_before: writes.load(Ordering::SeqCst),
                writes,
            }),
            last_write_ms,
            taken_over,
            lag_ms: lag_ms(index_lag),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::quota::MemoryStore;

    async fn take(leases: &Leases, store: &Arc<MemoryStore>, user: &str) -> UserLease {
        let store: Arc<dyn Store> = store.clone();
        let deadline = Instant::now() + Duration::from_secs(5);
        let writes = Arc::new(AtomicU32::new(0));
        leases
            .acquire(Some(store), user, deadline, writes, Duration::ZERO)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_lease_taken_over_from_an_expired_holder_calls_for_a_fresh_read() {
        let store = Arc::new(MemoryStore::new());
        // A holder that vanished (a frozen Lambda environment): it never gave
        // the lease back, and what it wrote was never recorded.
        store.acquire_lease("u1", "ghost", 0, 1).await.unwrap();
        let leases = Leases::default();

        let taken_over = take(&leases, &store, "u1").await;
        let fresh = take(&leases, &store, "u2").await;

        assert!(taken_over.newer_than_read_at(now_ms()));
        assert!(!fresh.newer_than_read_at(now_ms()));
    }

    #[tokio::test]
    async fn a_write_is_remembered_in_the_process_once_nobody_waits_for_the_user() {
        let leases = Leases::default();
        let writes = Arc::new(AtomicU32::new(0));
        let take = |user: &'static str| {
            let deadline = Instant::now() + Duration::from_secs(5);
            leases.acquire(None, user, deadline, writes.clone(), Duration::ZERO)
        };
        // A request reads u1, then another writes it first.
        let read_ms = now_ms();
        let first = take("u1").await.unwrap();
        writes.fetch_add(1, Ordering::SeqCst);
        drop(first);
        // Any lease taken while nobody waits for u1's must not forget that write.
        drop(take("u2").await.unwrap());

        let second = take("u1").await.unwrap();

        assert!(second.newer_than_read_at(read_ms));
    }
}
