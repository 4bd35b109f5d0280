//! Member ids that no Connect user has. SearchUsers' index lags new users,
//! so an added id the search did not find is confirmed with DescribeUser
//! (which the gateway retries for a user this process created moments ago)
//! before it is called unknown. An unknown id is then skipped, not refused:
//! a user deleted in Connect behind the identity provider's back would
//! otherwise block every later change of the group's members.
//!
//! Confirmed ids are remembered for the profile cache's TTL, so a request
//! naming many of them that ran out of time (429) goes further when retried
//! instead of confirming the same ones again.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::time::Instant;

use crate::connect::{Connect, ConnectError, UserSummary};

use super::super::{Error, Provisioning};

/// Ids remembered at most; past it the memory starts again.
const MAX_REMEMBERED: usize = 10_000;

/// Member ids confirmed to be no Connect user, with when.
#[derive(Debug, Default)]
pub struct UnknownUsers(Mutex<HashMap<String, Instant>>);

impl UnknownUsers {
    fn ids(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remember(&self, id: &str) {
        let mut ids = self.ids();
        if ids.len() >= MAX_REMEMBERED {
            ids.clear();
        }
        ids.insert(id.to_owned(), Instant::now());
    }

    fn known_within(&self, id: &str, ttl: std::time::Duration) -> bool {
        self.ids().get(id).is_some_and(|at| at.elapsed() < ttl)
    }
}

/// What confirming unseen ids found.
#[derive(Debug, Default)]
pub struct Confirmed {
    /// Users DescribeUser found (the search had not indexed them yet).
    pub found: Vec<UserSummary>,
    /// Ids no Connect user has.
    pub unknown: Vec<String>,
}

impl Provisioning {
    /// Confirms ids SearchUsers did not find: one DescribeUser each, except
    /// for ids confirmed unknown within the TTL (no call).
    pub async fn confirm_unseen(
        &self,
        connect: &dyn Connect,
        ids: &[String],
    ) -> Result<Confirmed, Error> {
        let ttl = self.cache.config().ttl;
        let mut confirmed = Confirmed::default();
        for id in ids {
            if self.unknown_users.known_within(id, ttl) {
                confirmed.unknown.push(id.clone());
                continue;
            }
            match connect.describe_user(id).await {
                Ok(user) => confirmed.found.push(UserSummary::from(&user)),
                Err(ConnectError::NotFound(_)) | Err(ConnectError::InvalidParameter(_)) => {
                    self.unknown_users.remember(id);
                    confirmed.unknown.push(id.clone());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(confirmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_remembered_for_the_ttl() {
        let unknown = UnknownUsers::default();
        unknown.remember("gone");
        assert!(unknown.known_within("gone", std::time::Duration::from_secs(60)));
        assert!(!unknown.known_within("gone", std::time::Duration::ZERO));
        assert!(!unknown.known_within("other", std::time::Duration::from_secs(60)));
    }
}
