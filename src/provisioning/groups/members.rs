//! Group members are the users holding the security profile: active users
//! hold it in Connect, deactivated ones keep it among the profiles to restore
//! (`scim:restore.N` tags), so [`AgentState`] decides who is a member.
//!
//! A membership change is validated whole before anything is written (nobody
//! ends up with more than 10 profiles, every user whose membership changes is
//! SCIM-managed), then costs one write per user whose state changes:
//! UpdateUserSecurityProfiles for an active user, TagResource/UntagResource of
//! the restore tags for an inactive one. Users already in the desired state
//! are skipped, so a retry after a 429 writes only what the throttle left
//! undone. An added id no Connect user has is skipped with a warning (see
//! [`super::unknown`]); the rest of the request is applied.
//!
//! Each write is a read-modify-write of the user's whole profile set
//! (UpdateUserSecurityProfiles replaces it), so each is made under the
//! user's write lease; a user another request wrote since (or shortly
//! before) this request read it is read again with DescribeUser first.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use crate::connect::{
    Comparison, Connect, TagFilter, Tags, UserCriteria, UserField, UserSearch, UserSummary,
};
use crate::scim::filter::Filter;
use crate::scim::path::AttrPath;
use crate::scim::schema::ResourceSchema;

use super::super::agent::{AgentState, same_ids};
use super::super::audit::{self, Change};
use super::super::decider;
use super::super::digest::{DIGEST, Written};
use super::super::tags::{ACTIVE, restore_diff};
use super::super::{Error, Provisioning};
use super::edit::MemberOp;

/// SearchUsers' largest page (`MaxResult500`).
const SEARCH_PAGE: i32 = 500;
/// User ids looked up per SearchUsers (an `Or` of `ResourceId` conditions).
const IDS_PER_SEARCH: usize = 50;
/// Connect's most security profiles per user (UpdateUserSecurityProfiles).
const MAX_PROFILES: usize = 10;

/// A member as a group shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRef {
    pub id: String,
    pub username: String,
}

impl MemberRef {
    /// The member a SearchUsers summary shows.
    pub fn of(user: &UserSummary) -> MemberRef {
        MemberRef {
            id: user.id.clone(),
            username: user.username.clone(),
        }
    }
}

/// Who should be a member, and the current state of each user named.
#[derive(Debug, Clone, Default)]
pub struct ResolvedMembers {
    wanted: BTreeMap<String, bool>,
    users: HashMap<String, UserSummary>,
    /// When the users were read (epoch ms).
    read_ms: i64,
    /// Added ids no Connect user has: skipped.
    skipped: Vec<String>,
}

impl ResolvedMembers {
    /// Whether nobody's membership is asked about.
    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty()
    }

    /// Added ids no Connect user has, which the request skips.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }
}

/// The write that changes one user's membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberWrite {
    /// UpdateUserSecurityProfiles of an active user.
    Profiles { user_id: String, ids: Vec<String> },
    /// The restore tags of an inactive user: set, then remove.
    Restore {
        arn: String,
        set: Tags,
        remove: Vec<String>,
    },
}

/// Who ends up a member (`true`) or not (`false`), replaying the operations
/// in order over the current members (when an operation needs them).
pub fn outcome(ops: &[MemberOp], current: Option<&[MemberRef]>) -> BTreeMap<String, bool> {
    let mut wanted: BTreeMap<String, bool> = current
        .unwrap_or_default()
        .iter()
        .map(|m| (m.id.clone(), true))
        .collect();
    let names: HashMap<&str, &str> = current
        .unwrap_or_default()
        .iter()
        .map(|m| (m.id.as_str(), m.username.as_str()))
        .collect();
    for op in ops {
        match op {
            MemberOp::Add(ids) => wanted.extend(ids.iter().map(|id| (id.clone(), true))),
            MemberOp::Remove(ids) => wanted.extend(ids.iter().map(|id| (id.clone(), false))),
            MemberOp::RemoveAll => wanted.values_mut().for_each(|member| *member = false),
            MemberOp::Replace(ids) => {
                wanted.values_mut().for_each(|member| *member = false);
                wanted.extend(ids.iter().map(|id| (id.clone(), true)));
            }
            MemberOp::RemoveMatching(filter) => {
                let selected = Filter::ValuePath {
                    path: AttrPath::attr("members"),
                    filter: Box::new(filter.clone()),
                };
                for (id, member) in wanted.iter_mut().filter(|(_, m)| **m) {
                    let value = json!({"members": [{
                        "value": id,
                        "display": names.get(id.as_str()),
                        "type": "User",
                    }]});
                    if selected.matches(&value, &ResourceSchema::group()) {
                        *member = false;
                    }
                }
            }
        }
    }
    wanted
}

/// The write that makes `user` a member of `profile_id` or not, or None when
/// it already is what is wanted. An emptied profile set becomes `defaults`
/// (Connect requires at least one); more than 10 is a 400 naming the user.
pub fn member_write(
    user: &UserSummary,
    profile_id: &str,
    member: bool,
    defaults: &[String],
    disabled_id: &str,
) -> Result<Option<MemberWrite>, Error> {
    let mut state = AgentState::of_summary(user);
    if let Some(write) = decider::grant_over_defaults(user, &mut state, profile_id, member) {
        return Ok(Some(write));
    }
    let mut ids: Vec<String> = Vec::with_capacity(state.profile_ids.len() + 1);
    for id in &state.profile_ids {
        // A deactivated user's restore list never holds the no-permission profile.
        let disabled = !state.active && id == disabled_id;
        if !ids.contains(id) && !disabled && (member || id != profile_id) {
            ids.push(id.clone());
        }
    }
    if member && !ids.iter().any(|id| id == profile_id) {
        ids.push(profile_id.to_owned());
    }
    if ids.is_empty() {
        ids = defaults.to_vec();
    }
    if ids.len() > MAX_PROFILES {
        return Err(Error::invalid_value(format!(
            "user {} ({}) already holds {MAX_PROFILES} security profiles, the most Amazon Connect allows; \
             remove one before adding this group. Nothing in this request was applied",
            user.id, user.username
        )));
    }
    if state.active {
        if same_ids(&user.security_profile_ids, &ids) {
            return Ok(decider::member_tag_write(user, profile_id, member, &ids));
        }
        return Ok(Some(MemberWrite::Profiles {
            user_id: user.id.clone(),
            ids,
        }));
    }
    let (mut set, mut remove) = decider::member_tags(user, &mut state, profile_id, member, &ids);
    let desired = AgentState {
        profile_ids: ids,
        ..state
    }
    .tags_beside(&user.tags);
    let (restore_set, restore_remove) = restore_diff(&user.tags, &desired);
    set.extend(restore_set);
    remove.extend(restore_remove);
    if set.is_empty() && remove.is_empty() {
        return Ok(None);
    }
    Ok(Some(MemberWrite::Restore {
        arn: user.arn.clone(),
        set,
        remove,
    }))
}

impl Provisioning {
    /// The members of a group: SearchUsers by `SecurityProfileId` (active
    /// holders) and by the restore tags (deactivated ones), all pages.
    pub async fn group_members(
        &self,
        connect: &dyn Connect,
        profile_id: &str,
    ) -> Result<Vec<UserSummary>, Error> {
        let holders = UserSearch {
            criteria: Some(UserCriteria::String {
                field: UserField::SecurityProfileId,
                comparison: Comparison::Exact,
                value: profile_id.to_owned(),
            }),
            ..UserSearch::default()
        };
        // Deactivated users, whose restore record (one id per tag, or several
        // packed in one) says whether they are members.
        let restoring = UserSearch {
            tag_filter: Some(TagFilter::Tag {
                key: ACTIVE.to_owned(),
                value: "false".to_owned(),
            }),
            ..UserSearch::default()
        };
        let mut members: Vec<UserSummary> = Vec::new();
        for search in [holders, restoring] {
            for user in search_all(connect, search).await? {
                let is_member = AgentState::of_summary(&user)
                    .profile_ids
                    .iter()
                    .any(|id| id == profile_id);
                if is_member && !members.iter().any(|m| m.id == user.id) {
                    members.push(user);
                }
            }
        }
        Ok(members)
    }

    /// Applies membership operations to group `profile_id`: validates, then
    /// writes only the users whose membership changes. Returns the users who
    /// end up members among those the request named and, when an operation
    /// needed them or `read_current` asks, the current members: then the
    /// whole membership after the request.
    pub async fn change_members(
        &self,
        connect: &dyn Connect,
        profile_id: &str,
        ops: &[MemberOp],
        read_current: bool,
    ) -> Result<Vec<MemberRef>, Error> {
        let resolved = self
            .resolve_members(connect, Some(profile_id), ops, read_current)
            .await?;
        self.write_members(connect, profile_id, &resolved).await
    }

    /// Who should be a member, with the current state of every user named
    /// (one SearchUsers per 50 ids; the group's members first when an
    /// operation needs them or `read_current` asks). An added id Connect does
    /// not have (confirmed, see [`super::unknown`]) is skipped; removing one is
    /// already done. `profile_id` is None for a group not created yet.
    pub async fn resolve_members(
        &self,
        connect: &dyn Connect,
        profile_id: Option<&str>,
        ops: &[MemberOp],
        read_current: bool,
    ) -> Result<ResolvedMembers, Error> {
        let mut users: HashMap<String, UserSummary> = HashMap::new();
        let read_ms = crate::connect::quota::now_ms();
        let needs_current = read_current || ops.iter().any(MemberOp::needs_current_members);
        let current = match profile_id {
            Some(id) if needs_current => {
                let members = self.group_members(connect, id).await?;
                let refs: Vec<MemberRef> = members.iter().map(MemberRef::of).collect();
                users.extend(members.into_iter().map(|u| (u.id.clone(), u)));
                Some(refs)
            }
            _ => None,
        };
        let mut wanted = outcome(ops, current.as_deref());
        let unknown: Vec<String> = wanted
            .keys()
            .filter(|id| !users.contains_key(*id))
            .cloned()
            .collect();
        for user in users_by_id(connect, &unknown).await? {
            users.insert(user.id.clone(), user);
        }
        let unseen: Vec<String> = wanted
            .iter()
            .filter(|(id, member)| **member && !users.contains_key(*id))
            .map(|(id, _)| id.clone())
            .collect();
        let confirmed = self.confirm_unseen(connect, &unseen).await?;
        for user in confirmed.found {
            users.insert(user.id.clone(), user);
        }
        for id in &confirmed.unknown {
            wanted.remove(id);
        }
        Ok(ResolvedMembers {
            wanted,
            users,
            read_ms,
            skipped: confirmed.unknown,
        })
    }

    /// Writes resolved members to group `profile_id`: every write is planned
    /// (and the 10-profile limit checked) before the first is made.
    pub async fn write_members(
        &self,
        connect: &dyn Connect,
        profile_id: &str,
        resolved: &ResolvedMembers,
    ) -> Result<Vec<MemberRef>, Error> {
        if !resolved.skipped.is_empty() {
            tracing::warn!(
                group_id = %profile_id,
                members = %quoted_list(&resolved.skipped.iter().map(String::as_str).collect::<Vec<_>>()),
                "members: no Amazon Connect user has these ids; they were skipped and the rest of the request applied"
            );
        }
        if resolved.wanted.is_empty() {
            return Ok(Vec::new());
        }
        let defaults = self.default_security_profile_ids(connect).await?;
        let disabled = self.disabled_profile_id(connect).await?;
        let mut changing = Vec::new();
        let mut result = Vec::new();
        for (id, member) in &resolved.wanted {
            let Some(user) = resolved.users.get(id) else {
                continue;
            };
            if member_write(user, profile_id, *member, &defaults, &disabled)?.is_some() {
                let state = AgentState::of_summary(user);
                if !state.managed {
                    return Err(Error::invalid_value(format!(
                        "members: user {} ({}) is not provisioned by SCIM (no scim:managed tag), so SCIM does not \
                         change its permissions; manage it in Amazon Connect. Nothing in this request was applied",
                        user.id, user.username
                    )));
                }
                self.refuse_protected_holder(connect, &state).await?;
                changing.push((user, *member));
            }
            if *member {
                result.push(MemberRef::of(user));
            }
        }
        let mut writes = 0;
        for (user, member) in changing {
            let lease = connect.lease_user(&user.id).await?;
            let fresh;
            let user = if lease.newer_than_read_at(resolved.read_ms) {
                fresh = UserSummary::from(&connect.describe_user(&user.id).await?);
                &fresh
            } else {
                user
            };
            match member_write(user, profile_id, member, &defaults, &disabled)? {
                Some(MemberWrite::Profiles { user_id, ids }) => {
                    let digest = digest_after(user, &ids).filter(|_| self.settings.drift_digest);
                    let ended = self
                        .tag_before_group_write(connect, user, (profile_id, member), &ids, digest)
                        .await?;
                    connect
                        .update_user_security_profiles(&user_id, &ids)
                        .await?;
                    let mut change = Change::default();
                    change.field(
                        "securityProfiles",
                        json!(
                            self.profile_names(connect, &user.security_profile_ids)
                                .await
                        ),
                        json!(self.profile_names(connect, &ids).await),
                    );
                    audit::event(
                        "UpdateUserSecurityProfiles",
                        &user.id,
                        &user.username,
                        &change,
                    );
                    self.untag_after_group_write(connect, user, &ended).await?;
                }
                Some(MemberWrite::Restore { arn, set, remove }) => {
                    if !set.is_empty() {
                        connect.tag_resource(&arn, &set).await?;
                        let change = tag_change(user, &set, set.keys());
                        audit::event("TagResource", &user.id, &user.username, &change);
                    }
                    if !remove.is_empty() {
                        connect.untag_resource(&arn, &remove).await?;
                        let change = tag_change(user, &Tags::new(), remove.iter());
                        audit::event("UntagResource", &user.id, &user.username, &change);
                    }
                }
                None => continue,
            }
            writes += 1;
        }
        if writes > 0 {
            tracing::info!(group_id = %profile_id, users = writes, "changed group members");
        }
        Ok(result)
    }
}

/// The `scim:digest` tag of a SCIM-managed user once it holds `ids`, so
/// `drift` does not take SCIM's own group changes for console edits (one
/// TagResource, in its own quota bucket in `operation` scope); None for a user
/// SCIM does not manage.
fn digest_after(user: &UserSummary, ids: &[String]) -> Option<Tags> {
    if !AgentState::of_summary(user).managed {
        return None;
    }
    let after = UserSummary {
        security_profile_ids: ids.to_vec(),
        ..user.clone()
    };
    let phone = crate::connect::PhoneConfig::default();
    let digest = Written::of_summary(&after, &phone).digest();
    Some(Tags::from([(DIGEST.to_owned(), digest)]))
}

/// The audit change of writing `after` (or removing, with `after` empty) the
/// tags `keys`.
fn tag_change<'a>(
    user: &UserSummary,
    after: &Tags,
    keys: impl Iterator<Item = &'a String>,
) -> Change {
    let keys: Vec<&String> = keys.collect();
    let values = |tags: &Tags| -> serde_json::Value {
        keys.iter()
            .map(|k| ((*k).clone(), json!(tags.get(*k))))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let mut change = Change::default();
    change.field("tags", values(&user.tags), values(after));
    change
}

/// Every page of a SearchUsers.
async fn search_all(connect: &dyn Connect, search: UserSearch) -> Result<Vec<UserSummary>, Error> {
    let mut users = Vec::new();
    let mut token = None;
    loop {
        let page = connect
            .search_users(&UserSearch {
                max_results: Some(SEARCH_PAGE),
                next_token: token,
                ..search.clone()
            })
            .await?;
        let empty = page.items.is_empty();
        users.extend(page.items);
        match page.next_token {
            Some(t) if !empty => token = Some(t),
            _ => return Ok(users),
        }
    }
}

/// The users with these ids that exist: one SearchUsers per 50 ids
/// (`ResourceId` conditions under `Or`), instead of a DescribeUser each.
async fn users_by_id(connect: &dyn Connect, ids: &[String]) -> Result<Vec<UserSummary>, Error> {
    let mut users = Vec::new();
    for chunk in ids.chunks(IDS_PER_SEARCH) {
        let criteria = UserCriteria::Or(
            chunk
                .iter()
                .map(|id| UserCriteria::String {
                    field: UserField::ResourceId,
                    comparison: Comparison::Exact,
                    value: id.clone(),
                })
                .collect(),
        );
        let found = search_all(
            connect,
            UserSearch {
                criteria: Some(criteria),
                ..UserSearch::default()
            },
        )
        .await?;
        users.extend(found.into_iter().filter(|u| chunk.contains(&u.id)));
    }
    Ok(users)
}

/// `'a', 'b' and 3 more` for an error detail.
fn quoted_list(items: &[&str]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<String> = items.iter().take(SHOWN).map(|s| format!("'{s}'")).collect();
    match items.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::PhoneConfig;

    fn user(profiles: &[&str], tags: &[(&str, &str)]) -> UserSummary {
        UserSummary {
            id: "u1".into(),
            arn: "arn:u1".into(),
            username: "jdoe".into(),
            first_name: None,
            last_name: None,
            phone: Some(PhoneConfig::default()),
            security_profile_ids: profiles.iter().map(|s| s.to_string()).collect(),
            routing_profile_id: "basic".into(),
            hierarchy_group_id: None,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn refs(ids: &[&str]) -> Vec<MemberRef> {
        ids.iter()
            .map(|id| MemberRef {
                id: id.to_string(),
                username: format!("{id}@example.com"),
            })
            .collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn add_then_remove_of_the_same_member_leaves_it_out() {
        let ops = [
            MemberOp::Add(ids(&["u1", "u2"])),
            MemberOp::Remove(ids(&["u1"])),
        ];
        let wanted = outcome(&ops, None);
        assert_eq!(wanted.get("u1"), Some(&false));
        assert_eq!(wanted.get("u2"), Some(&true));
    }

    #[test]
    fn replace_removes_current_members_not_named() {
        let current = refs(&["u1", "u2"]);
        let wanted = outcome(&[MemberOp::Replace(ids(&["u2", "u3"]))], Some(&current));
        assert_eq!(
            wanted.into_iter().collect::<Vec<_>>(),
            vec![
                ("u1".to_string(), false),
                ("u2".to_string(), true),
                ("u3".to_string(), true)
            ]
        );
    }

    #[test]
    fn remove_by_display_filter_selects_current_members() {
        let current = refs(&["u1", "u2"]);
        let filter = Filter::parse(r#"display eq "U2@EXAMPLE.COM""#).unwrap();
        let wanted = outcome(&[MemberOp::RemoveMatching(filter)], Some(&current));
        assert_eq!(wanted.get("u1"), Some(&true));
        assert_eq!(wanted.get("u2"), Some(&false));
    }

    #[test]
    fn an_active_user_gets_one_profile_write_and_none_when_already_there() {
        let u = user(&["agent"], &[]);
        assert_eq!(
            member_write(&u, "sales", true, &ids(&["agent"]), "off").unwrap(),
            Some(MemberWrite::Profiles {
                user_id: "u1".into(),
                ids: ids(&["agent", "sales"])
            })
        );
        assert_eq!(member_write(&u, "agent", true, &[], "off").unwrap(), None);
        assert_eq!(member_write(&u, "sales", false, &[], "off").unwrap(), None);
    }

    #[test]
    fn removing_the_last_profile_gives_the_defaults() {
        let u = user(&["sales"], &[]);
        assert_eq!(
            member_write(&u, "sales", false, &ids(&["agent"]), "off").unwrap(),
            Some(MemberWrite::Profiles {
                user_id: "u1".into(),
                ids: ids(&["agent"])
            })
        );
    }

    #[test]
    fn an_eleventh_profile_is_refused_naming_the_user() {
        let ten: Vec<String> = (0..10).map(|i| format!("p{i}")).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        let e = member_write(&user(&ten, &[]), "sales", true, &[], "off").unwrap_err();
        assert!(e.to_string().contains("jdoe"), "{e}");
    }

    #[test]
    fn an_inactive_user_changes_only_the_profiles_to_restore() {
        let u = user(
            &["off"],
            &[
                ("scim:managed", "true"),
                ("scim:active", "false"),
                ("scim:restore.1", "agent"),
                ("scim:restore.2", "sales"),
            ],
        );
        let write = member_write(&u, "agent", false, &ids(&["agent"]), "off").unwrap();
        let Some(MemberWrite::Restore { set, remove, .. }) = write else {
            panic!("{write:?}")
        };
        assert_eq!(set.get("scim:restore.1").map(String::as_str), Some("sales"));
        assert_eq!(remove, vec!["scim:restore.2".to_string()]);
        assert_eq!(member_write(&u, "sales", true, &[], "off").unwrap(), None);
    }
}
