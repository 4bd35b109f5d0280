//! What a PATCH removed (RFC 7644 §3.5.2.2 `remove`, or `replace` with null or
//! an empty value) of the attributes that a PUT keeps when it omits them: the
//! security profile sources, the routing profile sources, the hierarchy group,
//! `externalId`, `active` and the phone settings; and `displayName`. A PUT's
//! omission means "keep"; a PATCH's removal means "removed", so the PATCH use
//! case compares the user before and after its operations and turns each
//! removal into the intent to clear, or to Connect's default where Connect
//! always holds a value (shown unassigned: see [`super::unset`]).

use serde_json::{Map, Value};

use crate::config::ProfileSource;
use crate::connect::PhoneConfig;
use crate::scim::schema::{CONNECT_USER, ENTERPRISE_USER};

use super::agent::Intent;

/// Where each attribute lives in a rendered user: the extension (if any), the name.
const SECURITY_PROFILES: [(Option<&str>, &str); 3] = [
    (None, "entitlements"),
    (Some(ENTERPRISE_USER), "department"),
    (Some(CONNECT_USER), "securityProfiles"),
];
const ROUTING_PROFILE: [(Option<&str>, &str); 2] =
    [(None, "roles"), (Some(CONNECT_USER), "routingProfile")];
const HIERARCHY_GROUP: (Option<&str>, &str) = (Some(CONNECT_USER), "hierarchyGroup");
const EXTERNAL_ID: (Option<&str>, &str) = (None, "externalId");
const DISPLAY_NAME: (Option<&str>, &str) = (None, "displayName");
const ACTIVE: (Option<&str>, &str) = (None, "active");
const PHONE_TYPE: (Option<&str>, &str) = (Some(CONNECT_USER), "phoneType");
const DESK_PHONE_NUMBER: (Option<&str>, &str) = (Some(CONNECT_USER), "deskPhoneNumber");
const AUTO_ACCEPT: (Option<&str>, &str) = (Some(CONNECT_USER), "autoAccept");
const AFTER_CONTACT_WORK: (Option<&str>, &str) = (Some(CONNECT_USER), "afterContactWorkTimeLimit");

/// Which kept-when-omitted attributes a PATCH removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub security_profiles: bool,
    pub routing_profile: bool,
    pub hierarchy_group: bool,
    pub external_id: bool,
    pub display_name: bool,
    pub active: bool,
    pub phone_type: bool,
    pub desk_phone_number: bool,
    pub auto_accept: bool,
    pub after_contact_work_time_limit: bool,
    /// The PATCH `add`ed security profiles to an attribute other than the
    /// one that decided the user's profiles (see [`super::decider`]): its
    /// operations saw no profile attribute holding anything, and whichever
    /// it leaves holding names is the user's assignment, even when they are
    /// the names the user already has.
    pub start_over: bool,
}

impl Removed {
    /// Compares the user's representation before the PATCH with the result of
    /// its operations: an attribute that had a value and has none is removed.
    pub fn between(before: &Value, after: &Value) -> Removed {
        let gone = |at: (Option<&str>, &str)| has_value(before, at) && !has_value(after, at);
        Removed {
            security_profiles: SECURITY_PROFILES.into_iter().any(gone),
            routing_profile: ROUTING_PROFILE.into_iter().any(gone),
            hierarchy_group: gone(HIERARCHY_GROUP),
            external_id: gone(EXTERNAL_ID),
            display_name: gone(DISPLAY_NAME),
            active: gone(ACTIVE),
            phone_type: gone(PHONE_TYPE),
            desk_phone_number: gone(DESK_PHONE_NUMBER),
            auto_accept: gone(AUTO_ACCEPT),
            after_contact_work_time_limit: gone(AFTER_CONTACT_WORK),
            start_over: false,
        }
    }

    /// Turns each removal the intent has no other opinion about into a clear:
    /// the default security profiles (unless groups decide them), the default
    /// routing profile, no hierarchy group, no externalId, no desk phone
    /// number; and into the defaults of a new agent: active, and the phone
    /// settings of [`PhoneConfig::default`]. A value the same request
    /// gives another source (remove `entitlements`, replace `department`)
    /// wins over the removal.
    pub fn apply_to(self, intent: &mut Intent, source: ProfileSource) {
        let phone = PhoneConfig::default();
        if self.security_profiles
            && source == ProfileSource::Attributes
            && intent.security_profiles.is_none()
        {
            intent.security_profiles = Some(Vec::new());
        }
        if self.routing_profile && intent.routing_profile.is_none() {
            intent.routing_profile = Some(None);
        }
        if self.hierarchy_group && intent.hierarchy_group.is_none() {
            intent.hierarchy_group = Some(None);
        }
        if self.external_id && intent.external_id.is_none() {
            intent.external_id = Some(None);
        }
        if self.active && intent.active.is_none() {
            intent.active = Some(true);
        }
        if self.phone_type && intent.phone_type.is_none() {
            intent.phone_type = Some(phone.phone_type);
        }
        if self.desk_phone_number && intent.desk_phone_number.is_none() {
            intent.desk_phone_number = Some(None);
        }
        if self.auto_accept && intent.auto_accept.is_none() {
            intent.auto_accept = Some(phone.auto_accept);
        }
        if self.after_contact_work_time_limit && intent.after_contact_work_time_limit.is_none() {
            intent.after_contact_work_time_limit = Some(phone.after_contact_work_time_limit);
        }
    }
}

/// Whether the attribute holds a value: not absent, null, `""` or `[]`.
pub(super) fn has_value(resource: &Value, (extension, name): (Option<&str>, &str)) -> bool {
    let Some(root) = resource.as_object() else {
        return false;
    };
    let container = match extension {
        None => Some(root),
        Some(urn) => get(root, urn).and_then(Value::as_object),
    };
    match container.and_then(|c| get(c, name)) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(_) => true,
    }
}

/// A key, compared case-insensitively (RFC 7643 §2.1).
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_attribute_that_lost_its_value_is_removed_and_a_changed_one_is_not() {
        let before = json!({
            "externalId": "x",
            "entitlements": [{"value": "Agent"}],
            "roles": [{"value": "Basic"}],
            CONNECT_USER: {"hierarchyGroup": "Seattle/Tier1", "routingProfile": "Basic"}
        });
        let after = json!({
            "externalId": "",
            "entitlements": [{"value": "Admin"}],
            "roles": [{"value": "Basic"}],
            CONNECT_USER: {"routingProfile": "Basic"}
        });
        assert_eq!(
            Removed::between(&before, &after),
            Removed {
                security_profiles: false,
                routing_profile: false,
                hierarchy_group: true,
                external_id: true,
                ..Removed::default()
            }
        );
    }

    #[test]
    fn an_empty_department_or_a_removed_extension_counts_as_removed() {
        let before = json!({
            ENTERPRISE_USER: {"department": "Agent"},
            CONNECT_USER: {"routingProfile": "Basic"}
        });
        let after = json!({ENTERPRISE_USER: {"department": " "}});
        let removed = Removed::between(&before, &after);
        assert!(removed.security_profiles && removed.routing_profile);
        assert_eq!(Removed::between(&before, &before), Removed::default());
    }
}
