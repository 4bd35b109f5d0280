//! Attributes a PATCH removed (RFC 7644 §3.5.2.2) that Connect cannot leave
//! without a value, kept in the `scim:unset` tag so that SCIM shows them
//! unassigned, as the removal asked, while Connect holds its default:
//! `displayName` (the names are still there), `active` (the agent is
//! active), the security profiles (`DEFAULT_SECURITY_PROFILES`), the routing
//! profile (`DEFAULT_ROUTING_PROFILE`), and the phone settings a new agent
//! gets: `phoneType` (`SOFT_PHONE`), `autoAccept` (`false`) and
//! `afterContactWorkTimeLimit` (30 s).
//!
//! A mark hides its attribute only while Connect still holds that default
//! (for the profiles: the fallback recorded by [`super::decider`]; for the
//! routing profile: the one the removal gave), so a change made in the
//! Connect console, or a group grant, shows again. A request that gives the
//! attribute a value clears its mark. The tag is written only after a
//! removal; users that never had one pay nothing.

use serde_json::Value;

use crate::connect::PhoneConfig;
use crate::scim::schema::CONNECT_USER;

use super::agent::{AgentState, Intent};
use super::decider::Decider;
use super::removed::{Removed, has_value};

const DISPLAY_NAME: &str = "displayName";
const ACTIVE: &str = "active";
const PROFILES: &str = "securityProfiles";
const ROUTING: &str = "routingProfile=";
const PHONE_TYPE: &str = "phoneType";
const AUTO_ACCEPT: &str = "autoAccept";
const ACW: &str = "afterContactWorkTimeLimit";

/// Which attributes a PATCH left unassigned (the `scim:unset` tag).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unset {
    pub display_name: bool,
    pub active: bool,
    /// `entitlements`, `department` and the extension's `securityProfiles`.
    pub security_profiles: bool,
    /// `roles` and the extension's `routingProfile`: the id of the default
    /// routing profile the removal gave.
    pub routing_profile: Option<String>,
    pub phone_type: bool,
    pub auto_accept: bool,
    pub after_contact_work_time_limit: bool,
}

impl Unset {
    /// Reads the tag value: space-separated marks, unknown ones ignored.
    pub fn from_tag(value: &str) -> Unset {
        let mut unset = Unset::default();
        for mark in value.split(' ') {
            match mark {
                DISPLAY_NAME => unset.display_name = true,
                ACTIVE => unset.active = true,
                PROFILES => unset.security_profiles = true,
                PHONE_TYPE => unset.phone_type = true,
                AUTO_ACCEPT => unset.auto_accept = true,
                ACW => unset.after_contact_work_time_limit = true,
                other => {
                    if let Some(id) = other.strip_prefix(ROUTING).filter(|id| !id.is_empty()) {
                        unset.routing_profile = Some(id.to_owned());
                    }
                }
            }
        }
        unset
    }

    /// The tag value; `None` when nothing is unset.
    pub fn to_tag(&self) -> Option<String> {
        let routing = self
            .routing_profile
            .as_ref()
            .map(|id| format!("{ROUTING}{id}"));
        let marks: Vec<&str> = [
            (self.display_name, DISPLAY_NAME),
            (self.active, ACTIVE),
            (self.security_profiles, PROFILES),
            (self.phone_type, PHONE_TYPE),
            (self.auto_accept, AUTO_ACCEPT),
            (self.after_contact_work_time_limit, ACW),
        ]
        .into_iter()
        .filter_map(|(set, mark)| set.then_some(mark))
        .chain(routing.as_deref())
        .collect();
        (!marks.is_empty()).then(|| marks.join(" "))
    }

    /// The marks of `agent` that hide their attribute: those whose default
    /// Connect still holds.
    pub fn shown_unassigned(agent: &AgentState) -> Unset {
        let marks = &agent.unset;
        let default = PhoneConfig::default();
        Unset {
            display_name: marks.display_name && agent.display_name.is_none(),
            active: marks.active && agent.active,
            security_profiles: marks.security_profiles
                && agent.profile_source == Some(Decider::Defaults),
            routing_profile: marks
                .routing_profile
                .clone()
                .filter(|id| *id == agent.routing_profile_id),
            phone_type: marks.phone_type && agent.phone.phone_type == default.phone_type,
            auto_accept: marks.auto_accept && agent.phone.auto_accept == default.auto_accept,
            after_contact_work_time_limit: marks.after_contact_work_time_limit
                && agent.phone.after_contact_work_time_limit
                    == default.after_contact_work_time_limit,
        }
    }

    /// The marks after a write of `desired`: those `current` had that the
    /// request (`resource`: the body of a PUT, the result of a PATCH's
    /// operations) gave no value, and those it `removed`, kept only while
    /// `desired` holds the default. `intent` is the request's, removals
    /// applied: its routing profile says whether the removal defaulted it.
    pub fn after(
        current: &AgentState,
        removed: &Removed,
        intent: &Intent,
        resource: &Value,
        desired: &AgentState,
    ) -> Unset {
        let old = Unset::shown_unassigned(current);
        let kept = |was: bool, at: (Option<&str>, &str)| was && !has_value(resource, at);
        let ext = Some(CONNECT_USER);
        let routing_profile = match &intent.routing_profile {
            Some(None) if removed.routing_profile => Some(desired.routing_profile_id.clone()),
            None => old.routing_profile,
            Some(_) => None,
        };
        let marks = Unset {
            display_name: kept(old.display_name, (None, DISPLAY_NAME)) || removed.display_name,
            active: kept(old.active, (None, ACTIVE)) || removed.active,
            security_profiles: old.security_profiles || removed.security_profiles,
            routing_profile,
            phone_type: kept(old.phone_type, (ext, PHONE_TYPE)) || removed.phone_type,
            auto_accept: kept(old.auto_accept, (ext, AUTO_ACCEPT)) || removed.auto_accept,
            after_contact_work_time_limit: kept(old.after_contact_work_time_limit, (ext, ACW))
                || removed.after_contact_work_time_limit,
        };
        Unset::shown_unassigned(&AgentState {
            unset: marks,
            ..desired.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_round_trips_and_ignores_what_it_does_not_know() {
        let unset = Unset {
            display_name: true,
            active: false,
            security_profiles: true,
            routing_profile: Some("0b6e2c1e-1111-2222-3333-444455556666".into()),
            phone_type: true,
            auto_accept: false,
            after_contact_work_time_limit: true,
        };
        let tag = unset.to_tag().unwrap();
        assert!(tag.len() <= super::super::tags::MAX_TAG_VALUE);
        assert_eq!(Unset::from_tag(&tag), unset);
        assert_eq!(Unset::from_tag(&format!("{tag} someday")), unset);
        assert_eq!(Unset::default().to_tag(), None);
        assert_eq!(Unset::from_tag("routingProfile="), Unset::default());
    }
}
