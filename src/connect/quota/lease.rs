//! Per-user write leases: whoever reads a user to write it back (profiles,
//! restore tags, any diff-then-write) holds the user's lease from before the
//! read until after the write, so two requests never interleave on one user.
//!
//! Two layers: an async keyed lock in the process (callers queue on it in
//! arrival order, and never poll the store against each other), then the
//! store's lease (a DynamoDB item with an expiry when `QUOTA_TABLE` is set),
//! which excludes every other instance. A lease that cannot be had before
//! the request's deadline is the typed throttled error (429 + Retry-After).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use super::{LeaseTry, Store, epoch_ms_of, millis, now_ms};
use crate::connect::ConnectError;

/// How long past the request's deadline a lease lasts if its holder vanishes
/// (a Lambda environment frozen mid-request): then another may take it.
const GRACE_MS: i64 = 5_000;
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
    /// How long Connect's search index may lag a write.
    lag_ms: i64,
}

#[derive(Debug)]
struct Held {
    local: OwnedMutexGuard<LocalSlot>,
    remote: Option<(Arc<dyn Store>, String, String)>,
    writes: Arc<AtomicU32>,
    writes_before: u32,
}

impl UserLease {
    /// A lease that guards nothing: what a bare Connect adapter hands out.
    pub fn unguarded() -> UserLease {
        UserLease {
            held: None,
            last_write_ms: None,
            lag_ms: 0,
        }
    }

    /// Whether a read of the user made at `read_ms` (epoch ms) from Connect's
    /// search index may miss a previous holder's write: the write came after
    /// the read, or so shortly before it that the index may not show it yet.
    /// Then the user must be read again, with DescribeUser.
    pub fn newer_than_read_at(&self, read_ms: i64) -> bool {
        self.last_write_ms
            .is_some_and(|at| at >= read_ms.saturating_sub(self.lag_ms))
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
        let Some((store, key, owner)) = held.remote.take() else {
            return;
        };
        let local = held.local;
        let release = async move {
            if let Err(e) = store.release_lease(&key, &owner, wrote).await {
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
            local.retain(|_, slot| Arc::strong_count(slot) > 1 || slot.try_lock().is_err());
            local.entry(user_id.to_owned()).or_default().clone()
        };
        let local = tokio::time::timeout_at(deadline, slot.lock_owned())
            .await
            .map_err(|_| busy())?;
        let mut last_write_ms = local.last_write_ms;
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
                            last_write_ms: at, ..
                        } => {
                            last_write_ms = last_write_ms.max(at);
                            break Some((store, user_id.to_owned(), owner));
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
            lag_ms: i64::try_from(index_lag.as_millis()).unwrap_or(i64::MAX),
        })
    }
}
