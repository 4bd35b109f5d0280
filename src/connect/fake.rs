//! [`FakeConnect`]: a small scriptable in-memory [`Connect`] for the unit tests
//! of the gateway and the profile cache. It counts calls per operation, can be
//! told to fail its next calls, and pages its lists two items at a time.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;

use crate::connect::{
    AgentStatus, Connect, ConnectError, CreatedUser, HierarchyGroup, IdentityInfo, Instance,
    NewUser, Page, PhoneConfig, Proficiency, SecurityProfile, SecurityProfileSearch, Summary, Tags,
    User, UserSearch, UserSummary,
};

/// Items per page of the fake's List* answers.
const PAGE_SIZE: usize = 2;

/// A fake Connect instance; see the module docs.
pub(crate) struct FakeConnect {
    calls: Mutex<BTreeMap<&'static str, u32>>,
    failures: Mutex<VecDeque<ConnectError>>,
    next_user: AtomicU32,
    pub(crate) security_profiles: Mutex<Vec<Summary>>,
    pub(crate) routing_profiles: Mutex<Vec<Summary>>,
    pub(crate) hierarchy_groups: Mutex<Vec<HierarchyGroup>>,
}

pub(crate) fn summary(id: &str, name: &str) -> Summary {
    Summary {
        id: id.into(),
        arn: format!("arn:aws:connect:us-east-1:111122223333:instance/fake/{id}"),
        name: name.into(),
        last_modified: None,
    }
}

pub(crate) fn group(id: &str, path: &[(&str, &str)]) -> HierarchyGroup {
    let path: Vec<Summary> = path.iter().map(|(id, name)| summary(id, name)).collect();
    HierarchyGroup {
        id: id.into(),
        arn: summary(id, "").arn,
        name: path.last().map(|s| s.name.clone()).unwrap_or_default(),
        level_id: path.len().to_string(),
        path,
    }
}

impl FakeConnect {
    /// Seeded with four security profiles, one routing profile, the groups
    /// Seattle, Seattle/Tier1, Dublin, Dublin/Tier1, and the foundation group
    /// (level 0) SearchUserHierarchyGroups also returns.
    pub(crate) fn new() -> Self {
        FakeConnect {
            calls: Mutex::default(),
            failures: Mutex::default(),
            next_user: AtomicU32::new(0),
            security_profiles: Mutex::new(vec![
                summary("sp-admin", "Admin"),
                summary("sp-agent", "Agent"),
                summary("sp-manager", "CallCenterManager"),
                summary("sp-quality", "QualityAnalyst"),
            ]),
            routing_profiles: Mutex::new(vec![summary("rp-basic", "Basic Routing Profile")]),
            hierarchy_groups: Mutex::new(vec![
                HierarchyGroup {
                    level_id: HierarchyGroup::FOUNDATION_LEVEL.into(),
                    name: "root".into(),
                    ..group("hg-root", &[])
                },
                group("hg-sea", &[("hg-sea", "Seattle")]),
                group("hg-sea-1", &[("hg-sea", "Seattle"), ("hg-sea-1", "Tier1")]),
                group("hg-dub", &[("hg-dub", "Dublin")]),
                group("hg-dub-1", &[("hg-dub", "Dublin"), ("hg-dub-1", "Tier1")]),
            ]),
        }
    }

    /// The next calls (whatever their operation) fail with these errors, in order.
    pub(crate) fn fail_next(&self, errors: impl IntoIterator<Item = ConnectError>) {
        lock(&self.failures).extend(errors);
    }

    /// Calls made of `operation` (e.g. `"DescribeUser"`).
    pub(crate) fn calls(&self, operation: &str) -> u32 {
        lock(&self.calls).get(operation).copied().unwrap_or(0)
    }

    /// Calls made, all operations.
    pub(crate) fn total_calls(&self) -> u32 {
        lock(&self.calls).values().sum()
    }

    fn enter(&self, operation: &'static str) -> Result<(), ConnectError> {
        *lock(&self.calls).entry(operation).or_default() += 1;
        match lock(&self.failures).pop_front() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn page_of<T: Clone>(all: &[T], next_token: Option<&str>) -> Page<T> {
    let start: usize = next_token.and_then(|t| t.parse().ok()).unwrap_or(0);
    let end = (start + PAGE_SIZE).min(all.len());
    Page {
        items: all.get(start..end).unwrap_or_default().to_vec(),
        next_token: (end < all.len()).then(|| end.to_string()),
        approximate_total: None,
    }
}

fn not_found(what: &str) -> ConnectError {
    ConnectError::NotFound(format!("{what} not found"))
}

#[async_trait]
impl Connect for FakeConnect {
    async fn create_user(&self, _user: &NewUser) -> Result<CreatedUser, ConnectError> {
        self.enter("CreateUser")?;
        let n = self.next_user.fetch_add(1, Ordering::SeqCst);
        Ok(CreatedUser {
            id: format!("user-{n}"),
            arn: summary(&format!("agent/user-{n}"), "").arn,
        })
    }

    async fn describe_user(&self, user_id: &str) -> Result<User, ConnectError> {
        self.enter("DescribeUser")?;
        Ok(User {
            id: user_id.into(),
            arn: summary(&format!("agent/{user_id}"), "").arn,
            username: format!("{user_id}@example.com"),
            identity: IdentityInfo::default(),
            phone: PhoneConfig::default(),
            security_profile_ids: vec!["sp-agent".into()],
            routing_profile_id: "rp-basic".into(),
            hierarchy_group_id: None,
            tags: Tags::new(),
            last_modified: None,
        })
    }

    async fn delete_user(&self, _user_id: &str) -> Result<(), ConnectError> {
        self.enter("DeleteUser")
    }

    async fn list_users(
        &self,
        next_token: Option<&str>,
        _max_results: i32,
    ) -> Result<Page<Summary>, ConnectError> {
        self.enter("ListUsers")?;
        Ok(page_of::<Summary>(&[], next_token))
    }

    async fn search_users(&self, search: &UserSearch) -> Result<Page<UserSummary>, ConnectError> {
        self.enter("SearchUsers")?;
        Ok(page_of::<UserSummary>(&[], search.next_token.as_deref()))
    }

    async fn update_user_identity_info(
        &self,
        _user_id: &str,
        _identity: &IdentityInfo,
    ) -> Result<(), ConnectError> {
        self.enter("UpdateUserIdentityInfo")
    }

    async fn update_user_security_profiles(
        &self,
        _user_id: &str,
        _security_profile_ids: &[String],
    ) -> Result<(), ConnectError> {
        self.enter("UpdateUserSecurityProfiles")
    }

    async fn update_user_routing_profile(
        &self,
        _user_id: &str,
        _routing_profile_id: &str,
    ) -> Result<(), ConnectError> {
        self.enter("UpdateUserRoutingProfile")
    }

    async fn update_user_phone_config(
        &self,
        _user_id: &str,
        _phone: &PhoneConfig,
    ) -> Result<(), ConnectError> {
        self.enter("UpdateUserPhoneConfig")
    }

    async fn update_user_hierarchy(
        &self,
        _user_id: &str,
        _hierarchy_group_id: Option<&str>,
    ) -> Result<(), ConnectError> {
        self.enter("UpdateUserHierarchy")
    }

    async fn list_security_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError> {
        self.enter("ListSecurityProfiles")?;
        Ok(page_of(&lock(&self.security_profiles), next_token))
    }

    async fn describe_security_profile(
        &self,
        profile_id: &str,
    ) -> Result<SecurityProfile, ConnectError> {
        self.enter("DescribeSecurityProfile")?;
        let profiles = lock(&self.security_profiles);
        let found = profiles.iter().find(|p| p.id == profile_id);
        let profile = found.ok_or_else(|| not_found("security profile"))?;
        Ok(SecurityProfile {
            id: profile.id.clone(),
            arn: profile.arn.clone(),
            name: profile.name.clone(),
            description: None,
            tags: Tags::new(),
            last_modified: None,
        })
    }

    async fn search_security_profiles(
        &self,
        _search: &SecurityProfileSearch,
    ) -> Result<Page<SecurityProfile>, ConnectError> {
        self.enter("SearchSecurityProfiles")?;
        Ok(Page {
            items: Vec::new(),
            next_token: None,
            approximate_total: Some(0),
        })
    }

    async fn create_security_profile(
        &self,
        name: &str,
        _description: &str,
        _tags: &Tags,
    ) -> Result<Summary, ConnectError> {
        self.enter("CreateSecurityProfile")?;
        let created = summary(&format!("sp-{}", name.to_lowercase()), name);
        lock(&self.security_profiles).push(created.clone());
        Ok(created)
    }

    async fn delete_security_profile(&self, profile_id: &str) -> Result<(), ConnectError> {
        self.enter("DeleteSecurityProfile")?;
        lock(&self.security_profiles).retain(|p| p.id != profile_id);
        Ok(())
    }

    async fn list_routing_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError> {
        self.enter("ListRoutingProfiles")?;
        Ok(page_of(&lock(&self.routing_profiles), next_token))
    }

    async fn search_user_hierarchy_groups(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<HierarchyGroup>, ConnectError> {
        self.enter("SearchUserHierarchyGroups")?;
        Ok(page_of(&lock(&self.hierarchy_groups), next_token))
    }

    async fn tag_resource(&self, _arn: &str, _tags: &Tags) -> Result<(), ConnectError> {
        self.enter("TagResource")
    }

    async fn untag_resource(&self, _arn: &str, _keys: &[String]) -> Result<(), ConnectError> {
        self.enter("UntagResource")
    }

    async fn list_tags_for_resource(&self, _arn: &str) -> Result<Tags, ConnectError> {
        self.enter("ListTagsForResource")?;
        Ok(Tags::new())
    }

    async fn describe_instance(&self) -> Result<Instance, ConnectError> {
        self.enter("DescribeInstance")?;
        Ok(Instance {
            id: "fake".into(),
            arn: summary("fake", "").arn,
            alias: Some("fake".into()),
            status: Some("ACTIVE".into()),
            identity_management_type: Some("SAML".into()),
        })
    }

    async fn list_agent_statuses(
        &self,
        _next_token: Option<&str>,
    ) -> Result<Page<AgentStatus>, ConnectError> {
        self.enter("ListAgentStatuses")?;
        let status = |id: &str, name: &str, status_type: &str| AgentStatus {
            id: id.into(),
            arn: summary(id, "").arn,
            name: name.into(),
            status_type: status_type.into(),
        };
        Ok(Page {
            items: vec![
                status("as-available", "Available", "ROUTABLE"),
                status("as-offline", "Offline", AgentStatus::OFFLINE),
            ],
            next_token: None,
            approximate_total: None,
        })
    }

    async fn put_user_status(
        &self,
        _user_id: &str,
        _agent_status_id: &str,
    ) -> Result<(), ConnectError> {
        self.enter("PutUserStatus")
    }

    async fn list_user_proficiencies(
        &self,
        _user_id: &str,
        _next_token: Option<&str>,
    ) -> Result<Page<Proficiency>, ConnectError> {
        self.enter("ListUserProficiencies")?;
        Ok(page_of::<Proficiency>(&[], None))
    }

    async fn associate_user_proficiencies(
        &self,
        _user_id: &str,
        _proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.enter("AssociateUserProficiencies")
    }

    async fn update_user_proficiencies(
        &self,
        _user_id: &str,
        _proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.enter("UpdateUserProficiencies")
    }

    async fn disassociate_user_proficiencies(
        &self,
        _user_id: &str,
        _proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.enter("DisassociateUserProficiencies")
    }

    async fn describe_predefined_attribute(&self, name: &str) -> Result<Vec<String>, ConnectError> {
        self.enter("DescribePredefinedAttribute")?;
        match name {
            "Language" => Ok(vec!["English".into(), "Spanish".into()]),
            _ => Err(ConnectError::NotFound(format!(
                "PredefinedAttribute {name}"
            ))),
        }
    }
}
