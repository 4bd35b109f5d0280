//! `DEFAULT_SECURITY_PROFILES` as a fallback, not a value. A user whose
//! profiles are the defaults because nothing named any (a create with no
//! profile source, a PATCH or PUT that empties them) carries the
//! `scim:defaultProfiles` mark; while marked, the first real assignment
//! replaces the defaults instead of adding to them (least privilege: the
//! default only stood for "nothing assigned"): a PATCH `add` to
//! `entitlements`, `department` or the extension's `securityProfiles`, and a
//! group grant. Any explicit assignment removes the mark.
//!
//! The mark's value is a fingerprint of the profiles the fallback gave, and it
//! holds only while the user has exactly those (held while active, to restore
//! while deactivated): profiles changed in the Connect console void it, so
//! nobody's console grant is ever replaced. Users created before the mark
//! existed have none, and keep adding to their profiles.

use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::connect::{Connect, Tags, UserSummary};
use crate::scim::patch::{PatchOpKind, PatchRequest};
use crate::scim::schema::{CONNECT_USER, ENTERPRISE_USER};

use super::agent::{AgentState, same_ids};
use super::audit::{self, Change};
use super::groups::members::MemberWrite;
use super::tags::{DEFAULT_PROFILES, RESTORE_PREFIX};
use super::{Error, Provisioning};

/// The mark's value for a user given the profiles `ids`: 12 hex digits of
/// SHA-256 over the sorted ids.
pub fn fingerprint(ids: &[String]) -> String {
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let digest = Sha256::digest(sorted.join(" ").as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Whether a mark (the tag's value) holds for a user whose profiles that
/// count are `ids`.
pub fn holds(mark: Option<&str>, ids: &[String]) -> bool {
    !ids.is_empty() && mark == Some(fingerprint(ids).as_str())
}

/// The profile sources, where a rendered user shows them.
const SOURCES: [(Option<&str>, &str); 3] = [
    (None, "entitlements"),
    (Some(ENTERPRISE_USER), "department"),
    (Some(CONNECT_USER), "securityProfiles"),
];

/// Whether a PATCH `add`s to a security profile source: by path (also a
/// value-filter path), or a path-less or extension-wide value naming one.
pub fn adds_profiles(request: &PatchRequest) -> bool {
    request
        .operations
        .iter()
        .filter(|op| op.op == PatchOpKind::Add)
        .any(|op| {
            let by_path = op.path.as_ref().is_some_and(|p| {
                SOURCES
                    .iter()
                    .any(|(_, name)| p.attr.attr.eq_ignore_ascii_case(name))
            });
            by_path || op.value.as_ref().is_some_and(names_a_source)
        })
}

fn names_a_source(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    map.iter().any(|(key, inner)| {
        let leaf = key.rsplit([':', '.']).next().unwrap_or(key);
        SOURCES
            .iter()
            .any(|(_, name)| leaf.eq_ignore_ascii_case(name))
            || names_a_source(inner)
    })
}

/// A marked user's representation as a PATCH `add` sees it: no profile
/// source holds anything, so what the PATCH adds is all the user gets.
pub fn clear_sources(resource: &mut Value) {
    let Some(root) = resource.as_object_mut() else {
        return;
    };
    for (extension, name) in SOURCES {
        let container: Option<&mut Map<String, Value>> = match extension {
            None => Some(&mut *root),
            Some(urn) => root.get_mut(urn).and_then(Value::as_object_mut),
        };
        if let Some(container) = container {
            container.retain(|k, _| !k.eq_ignore_ascii_case(name));
        }
    }
}

/// A group grant of `profile_id` to a marked user (`state` read from `user`)
/// replaces the defaults: the write that makes the grant all the user holds.
/// `None` for anyone else (and for a removal), whose write is computed as
/// usual; for an active user whose profiles are not just the grant, the
/// state's profiles are emptied so that the usual write (one
/// UpdateUserSecurityProfiles, then [`Provisioning::drop_default_mark`])
/// gives only the grant. Otherwise it is a tag write (restore tags, the mark
/// removed): made like a deactivated user's membership change.
pub fn grant_over_defaults(
    user: &UserSummary,
    state: &mut AgentState,
    profile_id: &str,
    member: bool,
) -> Option<MemberWrite> {
    if !member || !state.default_profiles {
        return None;
    }
    let grant = vec![profile_id.to_owned()];
    let exact = same_ids(&state.profile_ids, &grant);
    if state.active && !exact {
        state.profile_ids.clear();
        return None;
    }
    let mut remove = vec![DEFAULT_PROFILES.to_owned()];
    let mut set = Tags::new();
    if !state.active && !exact {
        let desired = AgentState {
            profile_ids: grant,
            default_profiles: false,
            ..state.clone()
        }
        .tags_beside(&user.tags);
        let restore = |key: &String| key.starts_with(RESTORE_PREFIX);
        set = desired
            .iter()
            .filter(|(k, v)| restore(k) && user.tags.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        remove.extend(
            user.tags
                .keys()
                .filter(|k| restore(k) && !desired.contains_key(*k))
                .cloned(),
        );
    }
    Some(MemberWrite::Restore {
        arn: user.arn.clone(),
        set,
        remove,
    })
}

impl Provisioning {
    /// After a group's UpdateUserSecurityProfiles of `user` (as read before
    /// it): the mark, if the user carried one, no longer describes what it
    /// holds, and goes (one UntagResource, audited), so that profiles coming
    /// back to the defaults later are never taken for the fallback.
    pub(in crate::provisioning) async fn drop_default_mark(
        &self,
        connect: &dyn Connect,
        user: &UserSummary,
    ) -> Result<(), Error> {
        let Some(mark) = user.tags.get(DEFAULT_PROFILES) else {
            return Ok(());
        };
        connect
            .untag_resource(&user.arn, &[DEFAULT_PROFILES.to_owned()])
            .await?;
        let mut change = Change::default();
        change.field(
            "tags",
            json!({DEFAULT_PROFILES: mark}),
            json!({DEFAULT_PROFILES: null}),
        );
        audit::event("UntagResource", &user.id, &user.username, &change);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::PhoneConfig;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn summary(profiles: &[&str], tags: &[(&str, &str)]) -> UserSummary {
        UserSummary {
            id: "u1".into(),
            arn: "arn:u1".into(),
            username: "jdoe".into(),
            first_name: None,
            last_name: None,
            phone: Some(PhoneConfig::default()),
            security_profile_ids: ids(profiles),
            routing_profile_id: "basic".into(),
            hierarchy_group_id: None,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_mark_holds_only_for_the_profiles_it_was_made_for() {
        let mark = fingerprint(&ids(&["b", "a"]));
        assert_eq!(mark.len(), 12);
        assert!(holds(Some(&mark), &ids(&["a", "b"])));
        assert!(!holds(Some(&mark), &ids(&["a", "b", "c"])));
        assert!(!holds(None, &ids(&["a", "b"])));
        assert!(!holds(Some(&fingerprint(&[])), &[]));
    }

    #[test]
    fn only_an_add_to_a_profile_source_replaces_the_defaults() {
        let read = |ops: Value| PatchRequest::from_json(&json!({"Operations": ops})).unwrap();
        for adds in [
            json!([{"op": "add", "path": "entitlements", "value": [{"value": "X"}]}]),
            json!([{"op": "Add", "path": format!("{CONNECT_USER}:securityProfiles"), "value": ["X"]}]),
            json!([{"op": "add", "value": {"entitlements": [{"value": "X"}]}}]),
            json!([{"op": "add", "path": CONNECT_USER, "value": {"securityProfiles": ["X"]}}]),
            json!([{"op": "add", "value": {format!("{ENTERPRISE_USER}:department"): "X"}}]),
        ] {
            assert!(adds_profiles(&read(adds.clone())), "{adds}");
        }
        for other in [
            json!([{"op": "replace", "path": "entitlements", "value": [{"value": "X"}]}]),
            json!([{"op": "add", "path": "name.givenName", "value": "X"}]),
        ] {
            assert!(!adds_profiles(&read(other.clone())), "{other}");
        }
    }

    #[test]
    fn clearing_the_sources_leaves_everything_else() {
        let mut user = json!({
            "userName": "a", "entitlements": [{"value": "Agent"}],
            ENTERPRISE_USER: {"department": "Agent", "manager": {"value": "m"}},
            CONNECT_USER: {"securityProfiles": ["Agent"], "routingProfile": "Basic"}
        });
        clear_sources(&mut user);
        assert_eq!(
            user,
            json!({"userName": "a", ENTERPRISE_USER: {"manager": {"value": "m"}},
                   CONNECT_USER: {"routingProfile": "Basic"}})
        );
    }

    #[test]
    fn a_group_grant_to_a_marked_user_replaces_the_defaults() {
        let mark = fingerprint(&ids(&["agent"]));
        let marked = summary(
            &["agent"],
            &[("scim:managed", "true"), (DEFAULT_PROFILES, &mark)],
        );
        let mut state = AgentState::of_summary(&marked);
        assert!(state.default_profiles);
        assert_eq!(
            grant_over_defaults(&marked, &mut state, "sales", true),
            None
        );
        assert!(
            state.profile_ids.is_empty(),
            "the usual write gives only the grant"
        );

        let mut state = AgentState::of_summary(&marked);
        assert_eq!(
            grant_over_defaults(&marked, &mut state, "agent", true),
            Some(MemberWrite::Restore {
                arn: "arn:u1".into(),
                set: Tags::new(),
                remove: vec![DEFAULT_PROFILES.to_owned()]
            }),
            "granting the default itself makes it a real assignment"
        );

        let unmarked = summary(&["agent"], &[("scim:managed", "true")]);
        let mut state = AgentState::of_summary(&unmarked);
        assert_eq!(
            grant_over_defaults(&unmarked, &mut state, "sales", true),
            None
        );
        assert_eq!(state.profile_ids, ids(&["agent"]));
    }

    #[test]
    fn a_group_grant_to_a_marked_deactivated_user_replaces_what_is_restored() {
        let mark = fingerprint(&ids(&["agent", "qa"]));
        let user = summary(
            &["off"],
            &[
                ("scim:managed", "true"),
                ("scim:active", "false"),
                ("scim:restore.1", "agent"),
                ("scim:restore.2", "qa"),
                (DEFAULT_PROFILES, &mark),
            ],
        );
        let mut state = AgentState::of_summary(&user);
        let Some(MemberWrite::Restore { set, remove, .. }) =
            grant_over_defaults(&user, &mut state, "sales", true)
        else {
            panic!("a tag write")
        };
        assert_eq!(set.get("scim:restore.1").map(String::as_str), Some("sales"));
        assert_eq!(
            remove,
            vec![DEFAULT_PROFILES.to_owned(), "scim:restore.2".to_owned()]
        );
    }
}
