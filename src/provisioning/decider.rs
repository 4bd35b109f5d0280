//! Which source decided a user's security profiles, kept in the
//! `scim:profileSource` tag. `entitlements` (Okta), the enterprise
//! `department` (Entra) and the Connect extension's `securityProfiles` are
//! alternative sources of one setting, and every one of them shows the same
//! names; the tag says which one the profiles came from, so that a PATCH
//! `add` to another one starts over instead of adding to profiles it never
//! gave: the user gets exactly what that attribute then holds, and it becomes
//! the source. An `add` to the recorded source adds, as RFC 7644 §3.5.2.1
//! says. `replace`, PUT and `remove` decide as always and record what they
//! decided with. The tag changes only when the source does, so an identity
//! provider that always uses one attribute pays for it once, in CreateUser's
//! tags.
//!
//! `DEFAULT_SECURITY_PROFILES` given because nothing named a profile (a
//! create with no source, a PATCH or PUT that empties the profiles, a group
//! removal of the last one) are recorded as `defaults:` and a fingerprint of
//! the profiles given: a fallback, not an assignment, which any `add` to a
//! profile attribute and the first group grant replace (least privilege).
//! The fingerprint holds only while the user has exactly those profiles, so a
//! grant made in the Connect console is never replaced. A mapping rule
//! (`MAPPING_FILE`) that decides the profiles is recorded as `rules`: it is no
//! attribute, so an `add` to any of the three starts over too.
//!
//! Users without the tag (created before it existed, adopted without
//! profiles, or whose default fallback was changed in the console) keep the
//! plain RFC behaviour: an `add` adds. The next request that decides their
//! profiles records its source.

use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::connect::{Connect, Tags, UserSummary};
use crate::scim::patch::{PatchOpKind, PatchRequest};
use crate::scim::schema::{CONNECT_USER, ENTERPRISE_USER};

use super::agent::{AgentState, same_ids};
use super::audit::{self, Change};
use super::groups::members::MemberWrite;
use super::tags::{PROFILE_SOURCE, restore_diff};
use super::{Error, Provisioning};

/// What decided a user's security profiles (the `scim:profileSource` tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    /// `DEFAULT_SECURITY_PROFILES`, because nothing named a profile.
    Defaults,
    /// Okta's `entitlements`.
    Entitlements,
    /// The enterprise extension's `department` (comma-separated names).
    Department,
    /// The Connect extension's `securityProfiles`.
    SecurityProfiles,
    /// A `MAPPING_FILE` rule.
    Rules,
}

/// The prefix of the [`Decider::Defaults`] tag value; the fingerprint follows.
const DEFAULTS: &str = "defaults:";

/// The profile attributes: the decider each stands for, where a rendered
/// user shows it (the extension, if any) and its name.
const ATTRIBUTES: [(Decider, Option<&str>, &str); 3] = [
    (Decider::Entitlements, None, "entitlements"),
    (Decider::Department, Some(ENTERPRISE_USER), "department"),
    (
        Decider::SecurityProfiles,
        Some(CONNECT_USER),
        "securityProfiles",
    ),
];

impl Decider {
    /// The decider a tag value names for a user whose profiles that count
    /// are `ids`: `None` for no tag, an unknown value, or a default fallback
    /// whose fingerprint no longer holds.
    pub fn read(value: Option<&str>, ids: &[String]) -> Option<Decider> {
        let value = value?;
        if let Some(mark) = value.strip_prefix(DEFAULTS) {
            return holds(mark, ids).then_some(Decider::Defaults);
        }
        [Decider::Rules]
            .into_iter()
            .chain(ATTRIBUTES.map(|(decider, _, _)| decider))
            .find(|d| d.name() == value)
    }

    /// The tag value for a user given the profiles `ids` by this decider.
    pub fn tag_value(self, ids: &[String]) -> String {
        match self {
            Decider::Defaults => format!("{DEFAULTS}{}", fingerprint(ids)),
            other => other.name().to_owned(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Decider::Defaults => "defaults",
            Decider::Entitlements => "entitlements",
            Decider::Department => "department",
            Decider::SecurityProfiles => "securityProfiles",
            Decider::Rules => "rules",
        }
    }
}

/// The fingerprint of the profiles `ids`: 12 hex digits of SHA-256 over the
/// sorted ids.
fn fingerprint(ids: &[String]) -> String {
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let digest = Sha256::digest(sorted.join(" ").as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Whether a fingerprint holds for a user whose profiles that count are `ids`.
fn holds(mark: &str, ids: &[String]) -> bool {
    !ids.is_empty() && mark == fingerprint(ids)
}

/// The profile attributes a PATCH `add`s to: by path (also a value-filter
/// path), or in a path-less or extension-wide value naming them.
pub fn added(request: &PatchRequest) -> Vec<Decider> {
    let mut found = Vec::new();
    for op in request
        .operations
        .iter()
        .filter(|op| op.op == PatchOpKind::Add)
    {
        for (decider, _, name) in ATTRIBUTES {
            let by_path = op
                .path
                .as_ref()
                .is_some_and(|p| p.attr.attr.eq_ignore_ascii_case(name));
            if (by_path || op.value.as_ref().is_some_and(|v| names(v, name)))
                && !found.contains(&decider)
            {
                found.push(decider);
            }
        }
    }
    found
}

/// Whether a PATCH value (an object, at any depth) names the attribute.
fn names(value: &Value, attribute: &str) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    map.iter().any(|(key, inner)| {
        let leaf = key.rsplit([':', '.']).next().unwrap_or(key);
        leaf.eq_ignore_ascii_case(attribute) || names(inner, attribute)
    })
}

/// Whether a PATCH starts the user's profiles over: it `add`s to a profile
/// attribute, and none of those it adds to is the recorded source (a default
/// fallback and a rule's decision are none of them). Untagged users add.
pub fn starts_over(recorded: Option<Decider>, request: &PatchRequest) -> bool {
    let Some(recorded) = recorded else {
        return false;
    };
    let added = added(request);
    !added.is_empty() && !added.contains(&recorded)
}

/// A user's representation as a PATCH that starts over sees it: no profile
/// attribute holds anything, so what the PATCH adds is all the user gets.
pub fn clear_sources(resource: &mut Value) {
    let Some(root) = resource.as_object_mut() else {
        return;
    };
    for (_, extension, name) in ATTRIBUTES {
        let container: Option<&mut Map<String, Value>> = match extension {
            None => Some(&mut *root),
            Some(urn) => root.get_mut(urn).and_then(Value::as_object_mut),
        };
        if let Some(container) = container {
            container.retain(|k, _| !k.eq_ignore_ascii_case(name));
        }
    }
}

/// A group grant of `profile_id` to a user holding the default fallback
/// (`state` read from `user`) replaces the defaults: the write that makes the
/// grant all the user holds. `None` for anyone else (and for a removal),
/// whose write is computed as usual; for an active user whose profiles are
/// not just the grant, the state's profiles are emptied so that the usual
/// write (one UpdateUserSecurityProfiles, then
/// [`Provisioning::untag_after_group_write`]) gives only the grant. Otherwise
/// it is a tag write (restore tags, the record removed): made like a
/// deactivated user's membership change.
pub fn grant_over_defaults(
    user: &UserSummary,
    state: &mut AgentState,
    profile_id: &str,
    member: bool,
) -> Option<MemberWrite> {
    if !member || state.profile_source != Some(Decider::Defaults) {
        return None;
    }
    let grant = vec![profile_id.to_owned()];
    let exact = same_ids(&state.profile_ids, &grant);
    if state.active && !exact {
        state.profile_ids.clear();
        return None;
    }
    let mut remove = vec![PROFILE_SOURCE.to_owned()];
    let mut set = Tags::new();
    if !state.active && !exact {
        let desired = AgentState {
            profile_ids: grant,
            profile_source: None,
            ..state.clone()
        }
        .tags_beside(&user.tags);
        let (restore_set, restore_remove) = restore_diff(&user.tags, &desired);
        set = restore_set;
        remove.extend(restore_remove);
    }
    Some(MemberWrite::Restore {
        arn: user.arn.clone(),
        set,
        remove,
    })
}

/// The `scim:profileSource` change of a group membership change that leaves
/// `user` (`state` read from it) holding, or to restore, `ids`: a removal
/// that leaves nothing gives the defaults, recorded as the fallback like a
/// PATCH that empties the profiles; any other change to a default fallback
/// ends it (the tag goes: no source). Other records stay: a group changes
/// the set, not which attribute shows it. `state.profile_source` is set to
/// what the change leaves. Nothing for a user SCIM does not manage, or whose
/// membership does not change. Tags to set, keys to remove.
pub fn member_tags(
    user: &UserSummary,
    state: &mut AgentState,
    profile_id: &str,
    member: bool,
    ids: &[String],
) -> (Tags, Vec<String>) {
    let held = state.profile_ids.iter().any(|id| id == profile_id);
    if !state.managed || held == member {
        return (Tags::new(), Vec::new());
    }
    let emptied = !member && state.profile_ids.iter().all(|id| id == profile_id);
    state.profile_source = if emptied {
        Some(Decider::Defaults)
    } else if state.profile_source == Some(Decider::Defaults) {
        None
    } else {
        return (Tags::new(), Vec::new());
    };
    let current = user.tags.get(PROFILE_SOURCE);
    match state.profile_source.map(|d| d.tag_value(ids)) {
        Some(value) if current != Some(&value) => {
            (Tags::from([(PROFILE_SOURCE.to_owned(), value)]), Vec::new())
        }
        None if current.is_some() => (Tags::new(), vec![PROFILE_SOURCE.to_owned()]),
        _ => (Tags::new(), Vec::new()),
    }
}

/// The tag write (the [`MemberWrite::Restore`] kind) of a membership change
/// whose profile write is not needed, when its `scim:profileSource` changes:
/// an active user removed from the one profile it holds, which is also the
/// default, keeps it as the fallback.
pub fn member_tag_write(
    user: &UserSummary,
    profile_id: &str,
    member: bool,
    ids: &[String],
) -> Option<MemberWrite> {
    let mut state = AgentState::of_summary(user);
    let (set, remove) = member_tags(user, &mut state, profile_id, member, ids);
    (!set.is_empty() || !remove.is_empty()).then(|| MemberWrite::Restore {
        arn: user.arn.clone(),
        set,
        remove,
    })
}

impl Provisioning {
    /// Before a group's UpdateUserSecurityProfiles of `user` (as read before
    /// it) to `ids`, for a grant (`member`) or removal of `profile_id`: the
    /// [`member_tags`] record and the drift `digest`, if any, in one
    /// TagResource, audited. Written first, like a user write's tags, so
    /// that a retry after a failed profile write still finds the write to
    /// make and converges (a record of the defaults does not hold until the
    /// user has them). Returns the keys to remove once the profiles are
    /// written (a default fallback the write ends), for
    /// [`Provisioning::untag_after_group_write`].
    pub(in crate::provisioning) async fn tag_before_group_write(
        &self,
        connect: &dyn Connect,
        user: &UserSummary,
        (profile_id, member): (&str, bool),
        ids: &[String],
        digest: Option<Tags>,
    ) -> Result<Vec<String>, Error> {
        let mut state = AgentState::of_summary(user);
        let (mut set, remove) = member_tags(user, &mut state, profile_id, member, ids);
        set.extend(digest.unwrap_or_default());
        if !set.is_empty() {
            connect.tag_resource(&user.arn, &set).await?;
            let mut change = Change::default();
            change.field("tags", tags_of(user, set.keys()), json!(set));
            audit::event("TagResource", &user.id, &user.username, &change);
        }
        Ok(remove)
    }

    /// After a group's UpdateUserSecurityProfiles of `user`: UntagResource of
    /// `keys` (from [`Provisioning::tag_before_group_write`]), audited. Left
    /// for after the write, so that a retry of a grant still finds the
    /// default fallback to replace.
    pub(in crate::provisioning) async fn untag_after_group_write(
        &self,
        connect: &dyn Connect,
        user: &UserSummary,
        keys: &[String],
    ) -> Result<(), Error> {
        if keys.is_empty() {
            return Ok(());
        }
        connect.untag_resource(&user.arn, keys).await?;
        let gone: Map<String, Value> = keys.iter().map(|k| (k.clone(), Value::Null)).collect();
        let mut change = Change::default();
        change.field("tags", tags_of(user, keys.iter()), Value::Object(gone));
        audit::event("UntagResource", &user.id, &user.username, &change);
        Ok(())
    }
}

/// The values `keys` have in the user's tags (null where absent), for an
/// audit event's `before`.
fn tags_of<'a>(user: &UserSummary, keys: impl Iterator<Item = &'a String>) -> Value {
    keys.map(|k| (k.clone(), json!(user.tags.get(k))))
        .collect::<Map<_, _>>()
        .into()
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

    fn read(ops: Value) -> PatchRequest {
        PatchRequest::from_json(&json!({"Operations": ops})).unwrap()
    }

    #[test]
    fn the_defaults_record_holds_only_for_the_profiles_it_was_made_for() {
        let mark = Decider::Defaults.tag_value(&ids(&["b", "a"]));
        assert_eq!(mark.len(), DEFAULTS.len() + 12);
        let read = |value: &str, list: &[&str]| Decider::read(Some(value), &ids(list));
        assert_eq!(read(&mark, &["a", "b"]), Some(Decider::Defaults));
        assert_eq!(read(&mark, &["a", "b", "c"]), None);
        assert_eq!(Decider::read(None, &ids(&["a", "b"])), None);
        assert_eq!(read(&Decider::Defaults.tag_value(&[]), &[]), None);
    }

    #[test]
    fn every_decider_reads_back_from_its_tag_value_and_unknown_values_are_none() {
        for decider in [
            Decider::Entitlements,
            Decider::Department,
            Decider::SecurityProfiles,
            Decider::Rules,
        ] {
            let value = decider.tag_value(&ids(&["a"]));
            assert_eq!(Decider::read(Some(&value), &ids(&["x"])), Some(decider));
        }
        assert_eq!(Decider::read(Some("groups"), &ids(&["a"])), None);
    }

    #[test]
    fn the_attributes_an_add_names_are_found_by_path_and_by_value() {
        for (adds, expected) in [
            (
                json!([{"op": "add", "path": "entitlements", "value": [{"value": "X"}]}]),
                vec![Decider::Entitlements],
            ),
            (
                json!([{"op": "Add", "path": format!("{CONNECT_USER}:securityProfiles"), "value": ["X"]}]),
                vec![Decider::SecurityProfiles],
            ),
            (
                json!([{"op": "add", "value": {"entitlements": [{"value": "X"}]}}]),
                vec![Decider::Entitlements],
            ),
            (
                json!([{"op": "add", "path": CONNECT_USER, "value": {"securityProfiles": ["X"]}}]),
                vec![Decider::SecurityProfiles],
            ),
            (
                json!([{"op": "add", "value": {format!("{ENTERPRISE_USER}:department"): "X"}}]),
                vec![Decider::Department],
            ),
            (
                json!([{"op": "add", "value": {"entitlements": [{"value": "X"}], ENTERPRISE_USER: {"department": "X"}}}]),
                vec![Decider::Entitlements, Decider::Department],
            ),
            (
                json!([{"op": "replace", "path": "entitlements", "value": [{"value": "X"}]}]),
                vec![],
            ),
            (
                json!([{"op": "add", "path": "name.givenName", "value": "X"}]),
                vec![],
            ),
        ] {
            assert_eq!(added(&read(adds.clone())), expected, "{adds}");
        }
    }

    #[test]
    fn an_add_starts_over_unless_it_adds_to_the_recorded_source() {
        let entitlements =
            read(json!([{"op": "add", "path": "entitlements", "value": [{"value": "X"}]}]));
        let department = read(
            json!([{"op": "add", "path": format!("{ENTERPRISE_USER}:department"), "value": "X"}]),
        );
        let replace =
            read(json!([{"op": "replace", "path": "entitlements", "value": [{"value": "X"}]}]));
        let starts =
            |recorded: Option<Decider>, request: &PatchRequest| starts_over(recorded, request);
        assert!(!starts(Some(Decider::Entitlements), &entitlements));
        assert!(starts(Some(Decider::Entitlements), &department));
        assert!(starts(Some(Decider::SecurityProfiles), &entitlements));
        assert!(starts(Some(Decider::Defaults), &entitlements));
        assert!(starts(Some(Decider::Rules), &department));
        assert!(!starts(None, &department), "untagged users add");
        assert!(!starts(Some(Decider::Department), &replace));
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
    fn a_group_grant_to_a_user_holding_the_defaults_replaces_them() {
        let mark = Decider::Defaults.tag_value(&ids(&["agent"]));
        let marked = summary(
            &["agent"],
            &[("scim:managed", "true"), (PROFILE_SOURCE, &mark)],
        );
        let mut state = AgentState::of_summary(&marked);
        assert_eq!(state.profile_source, Some(Decider::Defaults));
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
                remove: vec![PROFILE_SOURCE.to_owned()]
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
    fn a_group_grant_to_a_deactivated_user_holding_the_defaults_replaces_what_is_restored() {
        let mark = Decider::Defaults.tag_value(&ids(&["agent", "qa"]));
        let user = summary(
            &["off"],
            &[
                ("scim:managed", "true"),
                ("scim:active", "false"),
                ("scim:restore.1", "agent"),
                ("scim:restore.2", "qa"),
                (PROFILE_SOURCE, &mark),
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
            vec![PROFILE_SOURCE.to_owned(), "scim:restore.2".to_owned()]
        );
    }

    #[test]
    fn a_removal_that_leaves_nothing_records_the_defaults_and_other_changes_keep_the_source() {
        let defaults = ids(&["agent"]);
        let mark = Decider::Defaults.tag_value(&defaults);
        fn tags(source: &str) -> [(&str, &str); 2] {
            [("scim:managed", "true"), (PROFILE_SOURCE, source)]
        }
        let change = |user: &UserSummary, profile: &str, member: bool, after: &[String]| {
            let mut state = AgentState::of_summary(user);
            member_tags(user, &mut state, profile, member, after)
        };

        let last = summary(&["sales"], &tags("entitlements"));
        assert_eq!(
            change(&last, "sales", false, &defaults),
            (
                Tags::from([(PROFILE_SOURCE.to_owned(), mark.clone())]),
                vec![]
            )
        );
        let two = summary(&["sales", "qa"], &tags("entitlements"));
        assert_eq!(
            change(&two, "sales", false, &ids(&["qa"])),
            (Tags::new(), vec![]),
            "a group changes the set, not which attribute shows it"
        );
        assert_eq!(
            change(&two, "agent", true, &ids(&["sales", "qa", "agent"])),
            (Tags::new(), vec![])
        );
        assert_eq!(
            change(&last, "qa", false, &ids(&["sales"])),
            (Tags::new(), vec![]),
            "no membership change, no tag change"
        );

        let both = ids(&["agent", "qa"]);
        let fallback = summary(&["agent", "qa"], &tags(&Decider::Defaults.tag_value(&both)));
        assert_eq!(
            change(&fallback, "qa", false, &defaults),
            (Tags::new(), vec![PROFILE_SOURCE.to_owned()]),
            "what is left of the defaults is no fallback"
        );

        let unmanaged = summary(&["agent"], &[]);
        assert_eq!(
            member_tag_write(&unmanaged, "agent", false, &defaults),
            None
        );
        let assigned = summary(&["agent"], &tags("entitlements"));
        assert_eq!(
            member_tag_write(&assigned, "agent", false, &defaults),
            Some(MemberWrite::Restore {
                arn: "arn:u1".into(),
                set: Tags::from([(PROFILE_SOURCE.to_owned(), mark.clone())]),
                remove: vec![]
            }),
            "removed from the default itself: kept, as the fallback"
        );
        let fallback = summary(&["agent"], &tags(&mark));
        assert_eq!(member_tag_write(&fallback, "agent", false, &defaults), None);
    }
}
