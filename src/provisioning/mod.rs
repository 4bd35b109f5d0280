//! The use cases: what each SCIM request does to Amazon Connect. The only layer
//! that knows both SCIM (`crate::scim`) and Connect (`crate::connect`).
//!
//! Every use case takes the request's `&dyn Connect` (a rate-limited
//! [`crate::connect::limit::Session`] carrying the request's deadline), reads the
//! Connect user once, computes the desired Connect state as pure functions
//! ([`agent`], [`plan`]) and calls only the Update* operations whose part changed.

pub mod agent;
pub mod audit;
mod catalog;
pub mod decider;
pub mod digest;
pub mod display_name;
pub mod emails;
pub mod error;
pub mod groups;
pub mod mapping;
pub mod names;
pub mod phone;
pub mod plan;
pub mod proficiencies;
pub mod removed;
pub mod render;
pub mod search;
pub mod search_all;
mod stale;
pub mod tags;
pub mod unset;
pub mod username;
pub mod users;

use crate::config::{Deactivation, GroupCreate, ProfileSource};
use crate::connect::cache::ProfileCache;

pub use error::Error;

/// The settings the use cases read (a slice of [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct Settings {
    pub default_security_profiles: Vec<String>,
    pub default_routing_profile: String,
    pub disabled_security_profile: String,
    pub protected_security_profiles: Vec<String>,
    pub deactivation: Deactivation,
    pub adopt_existing_users: bool,
    pub profile_source: ProfileSource,
    pub group_create: GroupCreate,
    pub group_rename: crate::config::GroupRename,
    pub max_page_size: usize,
    pub max_filter_scan: usize,
    pub phones: phone::PhoneRules,
    /// `DRIFT_DIGEST`: record a digest of what SCIM wrote in each user's tags,
    /// so `drift` can tell which fields changed behind its back.
    pub drift_digest: bool,
    /// `MAPPING_FILE`: rules that decide profiles, routing, hierarchy and
    /// proficiencies from an attribute value.
    pub mapping: Option<std::sync::Arc<mapping::Mapping>>,
}

impl Settings {
    /// The use-case settings of a configuration.
    pub fn from_config(config: &crate::config::Config) -> Settings {
        Settings {
            default_security_profiles: config.default_security_profiles.clone(),
            default_routing_profile: config.default_routing_profile.clone(),
            disabled_security_profile: config.disabled_security_profile.clone(),
            protected_security_profiles: config.protected_security_profiles.clone(),
            deactivation: config.deactivation,
            adopt_existing_users: config.adopt_existing_users,
            profile_source: config.profile_source,
            group_create: config.group_create,
            group_rename: config.group_rename,
            max_page_size: config.max_page_size,
            max_filter_scan: config.max_filter_scan,
            phones: phone::PhoneRules {
                region: config.default_phone_region,
                invalid: config.invalid_phone,
            },
            drift_digest: config.drift_digest,
            mapping: config.mapping.clone(),
        }
    }
}

/// The provisioning service: settings, the profile cache, and list cursors.
/// Shared by every request of the process.
pub struct Provisioning {
    pub settings: Settings,
    pub cache: ProfileCache,
    pub cursors: search::Cursors,
    /// Profiles known to be linked to SCIM (so a group write needs no
    /// DescribeSecurityProfile to check it).
    pub linked_groups: groups::profile::LinkedGroups,
    /// What this process knows of groups' tags (externalId, renamed
    /// displayName, creation time), so lists and lookups cost no Connect call
    /// when warm.
    pub group_facts: groups::facts::GroupFacts,
    /// Member ids recently confirmed to be no Connect user.
    pub unknown_users: groups::unknown::UnknownUsers,
}

impl Provisioning {
    /// A service over the given settings and cache.
    pub fn new(settings: Settings, cache: ProfileCache) -> Provisioning {
        Provisioning {
            settings,
            cache,
            cursors: search::Cursors::default(),
            linked_groups: groups::profile::LinkedGroups::default(),
            group_facts: groups::facts::GroupFacts::default(),
            unknown_users: groups::unknown::UnknownUsers::default(),
        }
    }
}
