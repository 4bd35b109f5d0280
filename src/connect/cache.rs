//! [`ProfileCache`]: security profile, routing profile and user hierarchy group
//! name ⇄ id maps, so a SCIM request naming a profile costs no Connect call
//! when the cache is warm.
//!
//! Lists are filled from ListSecurityProfiles / ListRoutingProfiles (1,000 a
//! page) and SearchUserHierarchyGroups (100 a page, each group with its path),
//! all pages, kept for a TTL, and refreshed once on a miss, but at most once
//! per `miss_refresh_interval`, so a stream of requests naming a profile that
//! does not exist cannot burn the quota. Every method
//! takes the `&dyn Connect` to use (the request's gateway session), so fills
//! count against that request's deadline. Names compare case-insensitively.

mod named_list;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use tokio::time::Instant;

use crate::connect::{AgentStatus, Connect, ConnectError, HierarchyGroup, Summary};
use named_list::{HierarchyGroups, NamedList, Profiles};

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
    security_profiles: NamedList<Profiles>,
    routing_profiles: NamedList<Profiles>,
    /// Every hierarchy group with its path (SearchUserHierarchyGroups).
    hierarchy_groups: NamedList<HierarchyGroups>,
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
            security_profiles: NamedList::new(Profiles::Security),
            routing_profiles: NamedList::new(Profiles::Routing),
            hierarchy_groups: NamedList::new(HierarchyGroups),
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

    /// The instance's `IdentityManagementType` if already known (no call).
    pub fn known_identity_management_type(&self) -> Option<String> {
        self.identity_management_type
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The instance's `IdentityManagementType` (`SAML`, `CONNECT_MANAGED`,
    /// `EXISTING_DIRECTORY`; empty if Connect gave none): one DescribeInstance
    /// per process, then none.
    pub async fn identity_management_type(
        &self,
        connect: &dyn Connect,
    ) -> Result<String, ConnectError> {
        if let Some(known) = self.known_identity_management_type() {
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

    /// Forgets one list: the next use lists it again. For when Connect says
    /// an id the list held is gone.
    pub fn invalidate(&self, list: CachedList) {
        match list {
            CachedList::SecurityProfiles => self.security_profiles.invalidate(),
            CachedList::RoutingProfiles => self.routing_profiles.invalidate(),
            CachedList::HierarchyGroups => self.hierarchy_groups.invalidate(),
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

    /// Every hierarchy group of the instance with its path, the foundation
    /// group (level 0) left out (SearchUserHierarchyGroups, one call per 100
    /// groups when cold, none when warm).
    pub async fn hierarchy_groups(
        &self,
        connect: &dyn Connect,
    ) -> Result<Arc<Vec<HierarchyGroup>>, ConnectError> {
        self.hierarchy_groups.all(connect, &self.config).await
    }

    /// The hierarchy group at `path`, names from level one down separated by
    /// `/` (e.g. `Seattle/Tier1`), compared case-insensitively
    /// (SearchUserHierarchyGroups, which gives every group's path).
    pub async fn hierarchy_group_by_path(
        &self,
        connect: &dyn Connect,
        path: &str,
    ) -> Result<Option<HierarchyGroup>, ConnectError> {
        let segments: Vec<&str> = path.split('/').map(str::trim).collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Ok(None);
        }
        self.hierarchy_groups
            .find(connect, &self.config, |g| at_path(g, &segments))
            .await
    }

    /// The hierarchy group with id `id`, with its path (SearchUserHierarchyGroups).
    pub async fn hierarchy_group_by_id(
        &self,
        connect: &dyn Connect,
        id: &str,
    ) -> Result<Option<HierarchyGroup>, ConnectError> {
        self.hierarchy_groups
            .find(connect, &self.config, |g| g.id == id)
            .await
    }

    /// The path of every hierarchy group that a write naming it finds again,
    /// in Connect's order: none whose names hold a `/` or edge spaces, and
    /// only the first of paths equal but for letter case (what
    /// [`Self::hierarchy_group_by_path`] finds).
    pub async fn hierarchy_paths(
        &self,
        connect: &dyn Connect,
    ) -> Result<Vec<String>, ConnectError> {
        let groups = self.hierarchy_groups(connect).await?;
        let mut seen = HashSet::new();
        Ok(groups
            .iter()
            .filter(|g| {
                !g.path.is_empty()
                    && g.path.iter().all(|level| {
                        !level.name.is_empty()
                            && !level.name.contains('/')
                            && level.name.trim() == level.name
                    })
            })
            .map(path_of)
            .filter(|path| seen.insert(path.to_lowercase()))
            .collect())
    }
}

/// A group's path as SCIM shows it: names from level one down, `/` between.
pub fn path_of(group: &HierarchyGroup) -> String {
    group
        .path
        .iter()
        .map(|level| level.name.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether the group's path is `segments`, name by name, ignoring case.
fn at_path(group: &HierarchyGroup, segments: &[&str]) -> bool {
    group.path.len() == segments.len()
        && group
            .path
            .iter()
            .zip(segments)
            .all(|(level, segment)| same_name(&level.name, segment))
}

#[cfg(test)]
mod tests;
