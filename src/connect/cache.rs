//! [`ProfileCache`]: security profile, routing profile and user hierarchy group
//! name ⇄ id maps, so a SCIM request naming a profile costs no Connect call
//! when the cache is warm.
//!
//! Lists are filled from ListSecurityProfiles / ListRoutingProfiles /
//! ListUserHierarchyGroups (all pages), kept for a TTL, and refreshed once on a
//! miss, but at most once per `miss_refresh_interval`, so a stream of requests
//! naming a profile that does not exist cannot burn the quota. Every method
//! takes the `&dyn Connect` to use (the request's gateway session), so fills
//! count against that request's deadline. Names compare case-insensitively.

mod named_list;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use tokio::time::Instant;

use crate::connect::{AgentStatus, Connect, ConnectError, HierarchyGroup, Summary};
use named_list::{Listing, NamedList};

/// How long the cache trusts what it learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheConfig {
    /// Lists older than this are refilled before use (default 5 min).
    pub ttl: Duration,
    /// A miss refills a list only if it is at least this old (default 10 s).
    pub miss_refresh_interval: Duration,
}

impl Default for CacheConfig {
    /// A 5 minute TTL; at most one miss-driven refill per list per 10 s.
    fn default() -> Self {
        CacheConfig {
            ttl: Duration::from_secs(300),
            miss_refresh_interval: Duration::from_secs(10),
        }
    }
}

/// One of the lists the cache keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachedList {
    SecurityProfiles,
    RoutingProfiles,
    HierarchyGroups,
}

/// The process-wide cache of Connect profile and hierarchy group names.
#[derive(Debug)]
pub struct ProfileCache {
    config: CacheConfig,
    security_profiles: NamedList,
    routing_profiles: NamedList,
    hierarchy_groups: NamedList,
    /// DescribeUserHierarchyGroup answers (their paths), with when they came.
    group_details: RwLock<HashMap<String, (HierarchyGroup, Instant)>>,
    /// The id of the instance's Offline agent status (ListAgentStatuses), with
    /// when it was found.
    offline_status: RwLock<Option<(String, Instant)>>,
    /// The instance's `IdentityManagementType` (DescribeInstance), kept for
    /// good: Connect fixes it when the instance is created.
    identity_management_type: RwLock<Option<String>>,
    /// DescribePredefinedAttribute answers: the values of each attribute
    /// (by its exact name), with when they came.
    predefined_attributes: RwLock<HashMap<String, (Vec<String>, Instant)>>,
}

impl Default for ProfileCache {
    /// An empty cache with the default TTLs.
    fn default() -> Self {
        ProfileCache::new(CacheConfig::default())
    }
}

/// Connect names compare case-insensitively.
fn same_name(a: &str, b: &str) -> bool {
    a == b || a.to_lowercase() == b.to_lowercase()
}

impl ProfileCache {
    /// An empty cache; lists are filled on first use.
    pub fn new(config: CacheConfig) -> Self {
        ProfileCache {
            config,
            security_profiles: NamedList::new(Listing::SecurityProfiles),
            routing_profiles: NamedList::new(Listing::RoutingProfiles),
            hierarchy_groups: NamedList::new(Listing::HierarchyGroups),
            group_details: RwLock::default(),
            offline_status: RwLock::default(),
            identity_management_type: RwLock::default(),
            predefined_attributes: RwLock::default(),
        }
    }

    /// How long the cache trusts what it learned.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// The values of the predefined attribute `name` (DescribePredefinedAttribute,
    /// kept for the TTL); `None` when the instance has no such attribute (not
    /// kept, so an attribute an administrator adds is seen at once).
    pub async fn predefined_attribute_values(
        &self,
        connect: &dyn Connect,
        name: &str,
    ) -> Result<Option<Vec<String>>, ConnectError> {
        if let Some((values, at)) = self
            .predefined_attributes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            && at.elapsed() < self.config.ttl
        {
            return Ok(Some(values.clone()));
        }
        match connect.describe_predefined_attribute(name).await {
            Ok(values) => {
                self.predefined_attributes
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(name.to_owned(), (values.clone(), Instant::now()));
                Ok(Some(values))
            }
            Err(ConnectError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The instance's `IdentityManagementType` (`SAML`, `CONNECT_MANAGED`,
    /// `EXISTING_DIRECTORY`; empty if Connect gave none): one DescribeInstance
    /// per process, then none.
    pub async fn identity_management_type(
        &self,
        connect: &dyn Connect,
    ) -> Result<String, ConnectError> {
        if let Some(known) = self
            .identity_management_type
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            return Ok(known);
        }
        let found = connect
            .describe_instance()
            .await?
            .identity_management_type
            .unwrap_or_default();
        *self
            .identity_management_type
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(found.clone());
        Ok(found)
    }

    /// The id of the instance's agent status of type `OFFLINE`
    /// (ListAgentStatuses, all pages, kept for the TTL); `None` when the
    /// instance has none.
    pub async fn offline_status_id(
        &self,
        connect: &dyn Connect,
    ) -> Result<Option<String>, ConnectError> {
        if let Some((id, at)) = self
            .offline_status
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            && at.elapsed() < self.config.ttl
        {
            return Ok(Some(id));
        }
        let mut next_token: Option<String> = None;
        loop {
            let page = connect.list_agent_statuses(next_token.as_deref()).await?;
            if let Some(offline) = page
                .items
                .into_iter()
                .find(|s| s.status_type == AgentStatus::OFFLINE)
            {
                *self
                    .offline_status
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) =
                    Some((offline.id.clone(), Instant::now()));
                return Ok(Some(offline.id));
            }
            match page.next_token {
                Some(token) => next_token = Some(token),
                None => return Ok(None),
            }
        }
    }

    /// The security profile named `name` (ListSecurityProfiles).
    pub async fn security_profile_by_name(
        &self,
        connect: &dyn Connect,
        name: &str,
    ) -> Result<Option<Summary>, ConnectError> {
        self.security_profiles
            .find(connect, &self.config, |s| same_name(&s.name, name))
            .await
    }

    /// The security profile with id `id` (ListSecurityProfiles).
    pub async fn security_profile_by_id(
        &self,
        connect: &dyn Connect,
        id: &str,
    ) -> Result<Option<Summary>, ConnectError> {
        self.security_profiles
            .find(connect, &self.config, |s| s.id == id)
            .await
    }

    /// Every security profile of the instance (ListSecurityProfiles).
    pub async fn security_profiles(
        &self,
        connect: &dyn Connect,
    ) -> Result<Arc<Vec<Summary>>, ConnectError> {
        self.security_profiles.all(connect, &self.config).await
    }

    /// Forgets the security profiles: the next use lists them again.
    pub fn invalidate_security_profiles(&self) {
        self.security_profiles.invalidate();
    }

    /// Forgets one list (and, for hierarchy groups, their paths): the next use
    /// lists it again. For when Connect says an id the list held is gone.
    pub fn invalidate(&self, list: CachedList) {
        match list {
            CachedList::SecurityProfiles => self.security_profiles.invalidate(),
            CachedList::RoutingProfiles => self.routing_profiles.invalidate(),
            CachedList::HierarchyGroups => {
                self.hierarchy_groups.invalidate();
                self.group_details
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clear();
            }
        }
    }

    /// Records a security profile this process just created (CreateSecurityProfile).
    pub fn insert_security_profile(&self, profile: Summary) {
        self.security_profiles.insert(profile);
    }

    /// Forgets a security profile this process just deleted (DeleteSecurityProfile).
    pub fn remove_security_profile(&self, id: &str) {
        self.security_profiles.remove(id);
    }

    /// The routing profile named `name` (ListRoutingProfiles).
    pub async fn routing_profile_by_name(
        &self,
        connect: &dyn Connect,
        name: &str,
    ) -> Result<Option<Summary>, ConnectError> {
        self.routing_profiles
            .find(connect, &self.config, |s| same_name(&s.name, name))
            .await
    }

    /// The routing profile with id `id` (ListRoutingProfiles).
    pub async fn routing_profile_by_id(
        &self,
        connect: &dyn Connect,
        id: &str,
    ) -> Result<Option<Summary>, ConnectError> {
        self.routing_profiles
            .find(connect, &self.config, |s| s.id == id)
            .await
    }

    /// Every routing profile of the instance (ListRoutingProfiles).
    pub async fn routing_profiles(
        &self,
        connect: &dyn Connect,
    ) -> Result<Arc<Vec<Summary>>, ConnectError> {
        self.routing_profiles.all(connect, &self.config).await
    }

    /// The hierarchy group at `path`, names from level one down separated by
    /// `/` (e.g. `Seattle/Tier1`), compared case-insensitively
    /// (ListUserHierarchyGroups, then DescribeUserHierarchyGroup of the groups
    /// whose name is the last segment, to check their path).
    pub async fn hierarchy_group_by_path(
        &self,
        connect: &dyn Connect,
        path: &str,
    ) -> Result<Option<HierarchyGroup>, ConnectError> {
        let segments: Vec<&str> = path.split('/').map(str::trim).collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Ok(None);
        }
        let groups = self.hierarchy_groups.all(connect, &self.config).await?;
        if let Some(found) = self.group_at_path(connect, &groups, &segments).await? {
            return Ok(Some(found));
        }
        match self
            .hierarchy_groups
            .refill_after_miss(connect, &self.config)
            .await?
        {
            Some(groups) => self.group_at_path(connect, &groups, &segments).await,
            None => Ok(None),
        }
    }

    /// The hierarchy group with id `id`, with its path
    /// (ListUserHierarchyGroups, DescribeUserHierarchyGroup).
    pub async fn hierarchy_group_by_id(
        &self,
        connect: &dyn Connect,
        id: &str,
    ) -> Result<Option<HierarchyGroup>, ConnectError> {
        if let Some(group) = self.cached_group(id) {
            return Ok(Some(group));
        }
        let listed = self
            .hierarchy_groups
            .find(connect, &self.config, |s| s.id == id)
            .await?;
        match listed {
            Some(_) => self.group_detail(connect, id).await,
            None => Ok(None),
        }
    }

    async fn group_at_path(
        &self,
        connect: &dyn Connect,
        groups: &[Summary],
        segments: &[&str],
    ) -> Result<Option<HierarchyGroup>, ConnectError> {
        let Some(last) = segments.last() else {
            return Ok(None);
        };
        for candidate in groups.iter().filter(|g| same_name(&g.name, last)) {
            let Some(group) = self.group_detail(connect, &candidate.id).await? else {
                continue;
            };
            let names = group.path.iter().map(|level| level.name.as_str());
            if group.path.len() == segments.len()
                && names
                    .zip(segments)
                    .all(|(name, segment)| same_name(name, segment))
            {
                return Ok(Some(group));
            }
        }
        Ok(None)
    }

    fn cached_group(&self, id: &str) -> Option<HierarchyGroup> {
        let details = self
            .group_details
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        details
            .get(id)
            .filter(|(_, at)| at.elapsed() < self.config.ttl)
            .map(|(group, _)| group.clone())
    }

    /// The group's description, cached; `None` if Connect no longer has it.
    async fn group_detail(
        &self,
        connect: &dyn Connect,
        id: &str,
    ) -> Result<Option<HierarchyGroup>, ConnectError> {
        if let Some(group) = self.cached_group(id) {
            return Ok(Some(group));
        }
        let group = match connect.describe_user_hierarchy_group(id).await {
            Ok(group) => group,
            Err(ConnectError::NotFound(_)) => return Ok(None),
            Err(error) => return Err(error),
        };
        self.group_details
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), (group.clone(), Instant::now()));
        Ok(Some(group))
    }
}

#[cfg(test)]
mod tests;
