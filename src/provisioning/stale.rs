//! Profiles deleted in Connect behind the profile cache. A write naming an id
//! the cache still listed is refused by Connect with "not found"; that is never
//! the user's 404. The list concerned is refreshed once and the desired state
//! recomputed from the same request: a name that no longer exists is then a 400
//! naming it, a remembered profile (restored on reactivation) that no longer
//! exists is dropped (logged), and whatever is left is written.

use tracing::{info, warn};

use crate::connect::cache::CachedList;
use crate::connect::{Connect, ConnectError, CreatedUser, NewUser, User};

use super::agent::{AgentState, Intent};
use super::plan::{Step, applied, check_tag_room, execute, plan, resulting_user, stop_routing};
use super::{Error, Provisioning};

impl Provisioning {
    /// Writes `desired` over `current` (the fewest Update* calls): the user as
    /// written, or `None` when nothing needed writing. A write refused for an
    /// id the cache listed is retried once after a refresh (see the module docs).
    pub(super) async fn write_user(
        &self,
        connect: &dyn Connect,
        current: &User,
        state: &AgentState,
        intent: &Intent,
        desired: AgentState,
    ) -> Result<Option<User>, Error> {
        let disabled = self.disabled_id_if_needed(connect, &desired).await?;
        let (mut steps, written) = self.planned(current, &desired, &disabled);
        if steps.is_empty() {
            return Ok(None);
        }
        check_tag_room(current, &steps)?;
        self.stop_routing(connect, &mut steps, &desired).await?;
        let failed = match execute(connect, current, &steps).await {
            Ok(()) => {
                info!(user_id = %current.id, writes = steps.len(), active = desired.active, "updated Connect user");
                self.audit_steps(connect, current, &steps, steps.len())
                    .await;
                return Ok(Some(written));
            }
            Err(failed) => failed,
        };
        self.audit_steps(connect, current, &steps, failed.step)
            .await;
        let Some(list) = failed.stale_list(&steps) else {
            return Err(failed.error.into());
        };
        self.cache.invalidate(list);
        let partial = applied(current, &steps, failed.step);
        let refreshed = self.desired(connect, Some(state), intent).await?;
        let refreshed_disabled = self.disabled_id_if_needed(connect, &refreshed).await?;
        if refreshed == desired && refreshed_disabled == disabled {
            // Every id still exists: what Connect no longer knows is the user.
            return Err(match failed.error {
                ConnectError::NotFound(_) => super::users::user_not_found(&current.id),
                other => other.into(),
            });
        }
        warn!(user_id = %current.id, list = ?list, "a profile the cache listed is gone from Connect; wrote what still exists");
        let (mut steps, written) = self.planned(&partial, &refreshed, &refreshed_disabled);
        check_tag_room(&partial, &steps)?;
        self.stop_routing(connect, &mut steps, &refreshed).await?;
        let outcome = execute(connect, &partial, &steps).await;
        let done = outcome
            .as_ref()
            .err()
            .map_or(steps.len(), |failed| failed.step);
        self.audit_steps(connect, &partial, &steps, done).await;
        outcome.map_err(|failed| gone_again(failed.error))?;
        Ok(Some(written))
    }

    /// Adds PutUserStatus Offline to a plan that deactivates (the status id
    /// from the cache: no call when warm, ListAgentStatuses when cold). An
    /// instance without an Offline status is only logged: the profile swap
    /// still takes every permission away.
    async fn stop_routing(
        &self,
        connect: &dyn Connect,
        steps: &mut Vec<Step>,
        desired: &AgentState,
    ) -> Result<(), Error> {
        if desired.active || !steps.iter().any(|s| matches!(s, Step::SecurityProfiles(_))) {
            return Ok(());
        }
        match self.cache.offline_status_id(connect).await? {
            Some(offline) => stop_routing(steps, desired, &offline),
            None => warn!(
                "the instance has no agent status of type OFFLINE; the deactivated agent's status is left as it is"
            ),
        }
        Ok(())
    }

    /// The writes from `actual` to `desired` and the user they leave, with
    /// the drift digest recorded when `DRIFT_DIGEST` is on.
    fn planned(&self, actual: &User, desired: &AgentState, disabled: &str) -> (Vec<Step>, User) {
        let mut steps = plan(actual, desired, disabled);
        let mut written = resulting_user(actual, desired, disabled);
        if self.settings.drift_digest && !steps.is_empty() {
            super::digest::stamp(actual, &mut steps, &mut written);
        }
        (steps, written)
    }

    /// CreateUser; refused for a profile or hierarchy group id the cache
    /// listed, it is retried once with every list refreshed.
    pub(super) async fn create_connect_user(
        &self,
        connect: &dyn Connect,
        intent: &Intent,
        new_user: NewUser,
    ) -> Result<(CreatedUser, NewUser), Error> {
        let first = match connect.create_user(&new_user).await {
            Err(ConnectError::Unavailable(why)) => {
                self.settle_create(connect, &new_user, why).await
            }
            other => other,
        };
        let error = match first {
            Ok(created) => return Ok((created, new_user)),
            Err(e @ ConnectError::NotFound(_)) => e,
            Err(e) => return Err(e.into()),
        };
        for list in [
            CachedList::SecurityProfiles,
            CachedList::RoutingProfiles,
            CachedList::HierarchyGroups,
        ] {
            self.cache.invalidate(list);
        }
        let mut refreshed = self.new_user(connect, intent).await?;
        refreshed.password = new_user.password.clone();
        if refreshed == new_user {
            return Err(gone_again(error));
        }
        warn!("a profile the cache listed is gone from Connect; created the user with what exists");
        match connect.create_user(&refreshed).await {
            Ok(created) => Ok((created, refreshed)),
            Err(e) => Err(gone_again(e)),
        }
    }

    /// The remembered security profiles (to restore on reactivation) that
    /// still exist; the defaults if none does. Dropped ones are logged.
    pub(super) async fn remembered_profiles(
        &self,
        connect: &dyn Connect,
        ids: &[String],
    ) -> Result<Vec<String>, Error> {
        let mut kept = Vec::with_capacity(ids.len());
        for id in ids {
            match self.cache.security_profile_by_id(connect, id).await? {
                Some(profile) if !self.is_disabled_profile(&profile.name) => kept.push(id.clone()),
                _ => {
                    warn!(security_profile_id = %id, "a security profile to restore on reactivation no longer exists in Connect; dropped")
                }
            }
        }
        if kept.is_empty() && !ids.is_empty() {
            warn!(
                "no security profile to restore exists any more; the user gets DEFAULT_SECURITY_PROFILES"
            );
            return self.default_security_profile_ids(connect).await;
        }
        Ok(kept)
    }
}

/// A write refused again after the refresh: Connect's message as a 400, never
/// a 404 for the user.
fn gone_again(error: ConnectError) -> Error {
    match error {
        ConnectError::NotFound(m) | ConnectError::InvalidParameter(m) => {
            Error::invalid_value(format!(
                "Amazon Connect no longer has a profile or hierarchy group this request needs: {m}"
            ))
        }
        other => other.into(),
    }
}
