//! The fewest Connect writes that turn a user's actual state into the desired
//! one, in an order that a retry converges from wherever a throttle stopped it:
//! validation-prone identity first; tags that record a deactivation before the
//! profile swap; tags that end one after the profiles are restored.

use crate::connect::cache::CachedList;
use crate::connect::{Connect, ConnectError, IdentityInfo, PhoneConfig, Tags, User};

use crate::scim::error::ScimError;

use super::agent::{AgentState, same_ids};
use super::tags;

/// One Connect write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// UpdateUserIdentityInfo.
    IdentityInfo(IdentityInfo),
    /// UpdateUserPhoneConfig.
    PhoneConfig(PhoneConfig),
    /// UpdateUserRoutingProfile.
    RoutingProfile(String),
    /// UpdateUserHierarchy.
    Hierarchy(Option<String>),
    /// TagResource (new or changed `scim:` tags).
    Tag(Tags),
    /// UpdateUserSecurityProfiles.
    SecurityProfiles(Vec<String>),
    /// UntagResource (`scim:` tags no longer wanted).
    Untag(Vec<String>),
    /// PutUserStatus (the Offline status, when a deactivation stops routing).
    AgentStatus(String),
}

/// The writes that make `actual` (from DescribeUser) look like `desired`.
/// A deactivation records the profiles and swaps them first, so that nothing
/// else in the request (an identity Connect refuses) can leave the agent its
/// permissions; otherwise the validation-prone identity goes first.
pub fn plan(actual: &User, desired: &AgentState, disabled_profile_id: &str) -> Vec<Step> {
    let (set, remove) = tags::diff(&actual.tags, &desired.tags_beside(&actual.tags));
    let profiles = desired.connect_profiles(disabled_profile_id);
    let mut permissions = Vec::new();
    if !set.is_empty() {
        permissions.push(Step::Tag(set));
    }
    if !same_ids(&actual.security_profile_ids, &profiles) {
        permissions.push(Step::SecurityProfiles(profiles));
    }
    let mut steps = Vec::new();
    if !desired.active {
        steps.append(&mut permissions);
    }
    if actual.identity != desired.identity {
        steps.push(Step::IdentityInfo(desired.identity.clone()));
    }
    if actual.phone != desired.phone {
        steps.push(Step::PhoneConfig(desired.phone.clone()));
    }
    if actual.routing_profile_id != desired.routing_profile_id {
        steps.push(Step::RoutingProfile(desired.routing_profile_id.clone()));
    }
    if actual.hierarchy_group_id != desired.hierarchy_group_id {
        steps.push(Step::Hierarchy(desired.hierarchy_group_id.clone()));
    }
    steps.append(&mut permissions);
    if !remove.is_empty() {
        steps.push(Step::Untag(remove));
    }
    steps
}

/// Makes a deactivation stop routing at once: PutUserStatus with the
/// instance's Offline status just before the profile swap. Only a plan that
/// still swaps the profiles gets it, so a retry interrupted before the swap
/// sets the status again, and a finished deactivation is not repeated.
pub fn stop_routing(steps: &mut Vec<Step>, desired: &AgentState, offline_status_id: &str) {
    if desired.active {
        return;
    }
    if let Some(at) = steps
        .iter()
        .position(|s| matches!(s, Step::SecurityProfiles(_)))
    {
        steps.insert(at, Step::AgentStatus(offline_status_id.to_owned()));
    }
}

/// Refuses, before anything is written, a plan whose TagResource Connect
/// would refuse for its 50-tag limit (the tags that say so are ours: the
/// record of a deactivation, or a new externalId or email mirror).
pub fn check_tag_room(actual: &User, steps: &[Step]) -> Result<(), ScimError> {
    for step in steps {
        if let Step::Tag(set) = step
            && let Err((have, more)) = tags::room_for(&actual.tags, set)
        {
            let why = if set.contains_key(tags::ACTIVE) {
                "to deactivate it (swap its security profiles for the no-permission one and remember them for reactivation)"
            } else {
                "to record this change"
            };
            return Err(ScimError::invalid_value(format!(
                "user {} has {have} tags and needs {more} more scim: tags {why}, but Amazon Connect allows {} tags per user: \
                 remove {} of its other tags in Amazon Connect and retry; nothing in this request was applied",
                actual.username,
                tags::MAX_TAGS,
                have + more - tags::MAX_TAGS,
            )));
        }
    }
    Ok(())
}

/// A step Connect refused; the steps before it were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// The index of the refused step.
    pub step: usize,
    pub error: ConnectError,
}

impl Failed {
    /// The cached list whose id the refused step named, when Connect answered
    /// that it does not know it (the cache was stale: the id was deleted).
    pub fn stale_list(&self, steps: &[Step]) -> Option<CachedList> {
        if !matches!(
            self.error,
            ConnectError::NotFound(_) | ConnectError::InvalidParameter(_)
        ) {
            return None;
        }
        match steps.get(self.step)? {
            Step::SecurityProfiles(_) => Some(CachedList::SecurityProfiles),
            Step::RoutingProfile(_) => Some(CachedList::RoutingProfiles),
            Step::Hierarchy(Some(_)) => Some(CachedList::HierarchyGroups),
            _ => None,
        }
    }
}

/// The user as Connect holds it after the first `done` steps were written.
pub fn applied(user: &User, steps: &[Step], done: usize) -> User {
    let mut user = user.clone();
    for step in steps.iter().take(done) {
        match step {
            Step::IdentityInfo(info) => user.identity = info.clone(),
            Step::PhoneConfig(phone) => user.phone = phone.clone(),
            Step::RoutingProfile(id) => user.routing_profile_id = id.clone(),
            Step::Hierarchy(id) => user.hierarchy_group_id = id.clone(),
            Step::Tag(tags) => user.tags.extend(tags.clone()),
            Step::SecurityProfiles(ids) => user.security_profile_ids = ids.clone(),
            Step::Untag(keys) => user.tags.retain(|k, _| !keys.contains(k)),
            Step::AgentStatus(_) => {}
        }
    }
    user
}

/// Runs the steps in order; the first failure stops the rest (a retry of the
/// same request plans again from what Connect then holds).
pub async fn execute(connect: &dyn Connect, user: &User, steps: &[Step]) -> Result<(), Failed> {
    for (i, step) in steps.iter().enumerate() {
        run(connect, user, step)
            .await
            .map_err(|error| Failed { step: i, error })?;
    }
    Ok(())
}

async fn run(connect: &dyn Connect, user: &User, step: &Step) -> Result<(), ConnectError> {
    match step {
        Step::IdentityInfo(info) => connect.update_user_identity_info(&user.id, info).await?,
        Step::PhoneConfig(phone) => connect.update_user_phone_config(&user.id, phone).await?,
        Step::RoutingProfile(id) => connect.update_user_routing_profile(&user.id, id).await?,
        Step::Hierarchy(id) => {
            connect
                .update_user_hierarchy(&user.id, id.as_deref())
                .await?
        }
        Step::Tag(tags) => connect.tag_resource(&user.arn, tags).await?,
        Step::SecurityProfiles(ids) => connect.update_user_security_profiles(&user.id, ids).await?,
        Step::Untag(keys) => connect.untag_resource(&user.arn, keys).await?,
        Step::AgentStatus(id) => connect.put_user_status(&user.id, id).await?,
    }
    Ok(())
}

/// The user as Connect holds it once the plan has run, so the response is
/// rendered from what was written, never from a read that could be throttled.
pub fn resulting_user(actual: &User, desired: &AgentState, disabled_profile_id: &str) -> User {
    let mut tags: Tags = actual
        .tags
        .iter()
        .filter(|(k, _)| !tags::is_ours(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    tags.extend(desired.tags_beside(&actual.tags));
    User {
        id: actual.id.clone(),
        arn: actual.arn.clone(),
        username: actual.username.clone(),
        identity: desired.identity.clone(),
        phone: desired.phone.clone(),
        security_profile_ids: desired.connect_profiles(disabled_profile_id),
        routing_profile_id: desired.routing_profile_id.clone(),
        hierarchy_group_id: desired.hierarchy_group_id.clone(),
        tags,
        last_modified: Some(time::OffsetDateTime::now_utc()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        let plain = base();
        User {
            tags: AgentState::of_user(&plain).tags(),
            ..plain
        }
    }

    fn base() -> User {
        User {
            id: "u1".into(),
            arn: "arn:u1".into(),
            username: "jdoe".into(),
            identity: IdentityInfo::default(),
            phone: PhoneConfig::default(),
            security_profile_ids: vec!["agent".into()],
            routing_profile_id: "basic".into(),
            hierarchy_group_id: None,
            tags: Tags::new(),
            last_modified: None,
        }
    }

    #[test]
    fn an_unchanged_user_needs_no_writes() {
        let actual = user();
        let desired = AgentState::of_user(&actual);
        assert!(plan(&actual, &desired, "disabled").is_empty());
    }

    #[test]
    fn a_deactivation_goes_offline_just_before_the_profile_swap() {
        let actual = user();
        let mut desired = AgentState::of_user(&actual);
        desired.active = false;
        let mut steps = plan(&actual, &desired, "disabled");
        stop_routing(&mut steps, &desired, "offline");
        assert!(matches!(steps[0], Step::Tag(_)));
        assert_eq!(steps[1], Step::AgentStatus("offline".into()));
        assert_eq!(steps[2], Step::SecurityProfiles(vec!["disabled".into()]));

        let done = resulting_user(&actual, &desired, "disabled");
        let mut again = plan(&done, &desired, "disabled");
        stop_routing(&mut again, &desired, "offline");
        assert!(again.is_empty(), "a finished deactivation is not repeated");

        let mut reactivated = plan(&done, &AgentState::of_user(&actual), "");
        stop_routing(&mut reactivated, &AgentState::of_user(&actual), "offline");
        assert!(
            !reactivated
                .iter()
                .any(|s| matches!(s, Step::AgentStatus(_))),
            "reactivation leaves the status to the agent"
        );
    }

    #[test]
    fn deactivation_records_the_profiles_before_swapping_them() {
        let actual = user();
        let mut desired = AgentState::of_user(&actual);
        desired.active = false;
        let steps = plan(&actual, &desired, "disabled");
        assert_eq!(steps.len(), 2, "{steps:?}");
        let Step::Tag(tags) = &steps[0] else {
            panic!("tag first: {steps:?}")
        };
        assert_eq!(
            tags.get("scim:restore.1").map(String::as_str),
            Some("agent")
        );
        assert_eq!(steps[1], Step::SecurityProfiles(vec!["disabled".into()]));
    }

    #[test]
    fn a_deactivation_swaps_the_profiles_before_the_rest_of_the_request() {
        let actual = user();
        let mut desired = AgentState::of_user(&actual);
        desired.active = false;
        desired.identity.first_name = Some("Changed".into());
        let steps = plan(&actual, &desired, "disabled");
        assert!(matches!(steps[0], Step::Tag(_)), "{steps:?}");
        assert_eq!(steps[1], Step::SecurityProfiles(vec!["disabled".into()]));
        assert!(matches!(steps[2], Step::IdentityInfo(_)), "{steps:?}");
    }

    #[test]
    fn a_plan_connect_would_refuse_for_its_tag_limit_is_refused_first() {
        let mut actual = user();
        for i in 0..48 {
            actual.tags.insert(format!("team:{i}"), "x".into());
        }
        let mut desired = AgentState::of_user(&actual);
        desired.active = false;
        let steps = plan(&actual, &desired, "disabled");
        let refused = check_tag_room(&actual, &steps).unwrap_err();
        assert!(refused.detail.contains("50 tags"), "{}", refused.detail);
    }

    #[test]
    fn reactivation_restores_profiles_before_dropping_the_record() {
        let mut actual = user();
        let mut inactive = AgentState::of_user(&actual);
        inactive.active = false;
        actual = resulting_user(&actual, &inactive, "disabled");
        let mut desired = AgentState::of_user(&actual);
        assert_eq!(desired.profile_ids, vec!["agent".to_string()]);
        desired.active = true;
        let steps = plan(&actual, &desired, "disabled");
        assert_eq!(steps[0], Step::SecurityProfiles(vec!["agent".into()]));
        assert!(matches!(&steps[1], Step::Untag(keys) if keys.len() == 2));
    }

    #[test]
    fn a_refused_profile_write_names_the_stale_list_and_keeps_what_ran_before_it() {
        let actual = user();
        let steps = vec![
            Step::IdentityInfo(IdentityInfo {
                first_name: Some("New".into()),
                ..IdentityInfo::default()
            }),
            Step::SecurityProfiles(vec!["gone".into()]),
        ];
        let failed = Failed {
            step: 1,
            error: ConnectError::NotFound("Security profile not found".into()),
        };
        assert_eq!(
            failed.stale_list(&steps),
            Some(CachedList::SecurityProfiles)
        );
        let partial = applied(&actual, &steps, failed.step);
        assert_eq!(partial.identity.first_name.as_deref(), Some("New"));
        assert_eq!(partial.security_profile_ids, actual.security_profile_ids);
        let throttled = Failed {
            step: 1,
            error: ConnectError::Throttled {
                retry_after: std::time::Duration::from_secs(1),
            },
        };
        assert_eq!(throttled.stale_list(&steps), None);
    }

    #[test]
    fn a_deactivation_interrupted_after_its_tags_converges_on_retry() {
        let actual = user();
        let mut desired = AgentState::of_user(&actual);
        desired.active = false;
        // Only the tag step ran before a throttle.
        let mut half = actual.clone();
        half.tags.extend(desired.tags());
        let retry_desired = {
            let mut d = AgentState::of_user(&half);
            d.active = false;
            d
        };
        assert_eq!(
            plan(&half, &retry_desired, "disabled"),
            vec![Step::SecurityProfiles(vec!["disabled".into()])]
        );
    }
}
