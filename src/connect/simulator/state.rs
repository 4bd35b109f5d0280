//! The simulated Amazon Connect instance: its users, security and routing
//! profiles and agent hierarchy, seeded like a new instance, with lookups,
//! ARNs and JSON persistence (`--state FILE`).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::wire::ApiError;

/// The region every ARN and `LastModifiedRegion` names.
pub const REGION: &str = "us-east-1";
/// The account every ARN names.
pub const ACCOUNT: &str = "123456789012";
/// The instance alias (`InstanceAlias`).
pub const ALIAS: &str = "connect-scim-sim";
/// The name of the seeded no-permission profile for deactivated users.
pub const DISABLED_PROFILE: &str = "SCIM-Disabled";

/// `TagMap`.
pub type Tags = BTreeMap<String, String>;

/// A point in time as milliseconds since the epoch (exact in the state file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EpochMillis(pub i64);

impl EpochMillis {
    /// Now.
    pub fn now() -> Self {
        EpochMillis((OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64)
    }

    /// Seconds since the epoch, as Connect's JSON timestamps carry them.
    pub fn seconds(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `UserIdentityInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub secondary_email: Option<String>,
    pub mobile: Option<String>,
}

/// `UserPhoneConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    pub phone_type: String,
    pub auto_accept: bool,
    pub after_contact_work_time_limit: i64,
    pub desk_phone_number: Option<String>,
}

impl Default for Phone {
    /// A new agent: soft phone, no auto-accept, 30 s after-contact work.
    fn default() -> Self {
        Phone {
            phone_type: "SOFT_PHONE".to_owned(),
            auto_accept: false,
            after_contact_work_time_limit: 30,
            desk_phone_number: None,
        }
    }
}

/// A Connect user (`User`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// Creation order; pagination tokens resume after one.
    pub seq: u64,
    pub id: String,
    pub username: String,
    pub identity: Identity,
    pub phone: Phone,
    pub security_profile_ids: Vec<String>,
    pub routing_profile_id: String,
    pub hierarchy_group_id: Option<String>,
    pub tags: Tags,
    pub last_modified: EpochMillis,
    /// The id of the agent's current status (PutUserStatus); `None` until
    /// one is put: a new agent who never logged in is offline.
    #[serde(default)]
    pub agent_status_id: Option<String>,
    /// `UserProficiency` list, in association order.
    #[serde(default)]
    pub proficiencies: Vec<ProficiencyRecord>,
    /// Whether CreateUser set a password (`CONNECT_MANAGED`); the password
    /// itself is not kept.
    #[serde(default)]
    pub password_set: bool,
    /// Until when reads do not see the user yet (eventual consistency).
    #[serde(skip)]
    pub visible_from: Option<Instant>,
}

impl UserRecord {
    /// Whether DescribeUser / ListUsers / SearchUsers see the user at `now`.
    pub fn visible(&self, now: Instant) -> bool {
        self.visible_from.is_none_or(|from| now >= from)
    }
}

/// A security profile (`SecurityProfile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityProfileRecord {
    pub seq: u64,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    pub tags: Tags,
    pub last_modified: EpochMillis,
}

/// A routing profile (`RoutingProfile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingProfileRecord {
    pub seq: u64,
    pub id: String,
    pub name: String,
    pub description: String,
    pub default_outbound_queue_id: String,
    pub is_default: bool,
    pub last_modified: EpochMillis,
}

/// A level of the agent hierarchy (`HierarchyLevel`); `id` is `"1"`, `"2"`, ….
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchyLevelRecord {
    pub id: String,
    pub name: String,
}

/// An agent hierarchy group (`HierarchyGroup`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchyGroupRecord {
    pub seq: u64,
    pub id: String,
    pub name: String,
    /// 1-based level (`LevelId`).
    pub level: usize,
    pub parent_id: Option<String>,
    pub last_modified: EpochMillis,
}

/// An agent status (`AgentStatus`): the ones a new instance has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentStatusRecord {
    pub seq: u64,
    pub id: String,
    pub name: String,
    /// `ROUTABLE`, `CUSTOM` or `OFFLINE`.
    pub status_type: String,
}

/// Available (routable) and Offline, as a new Connect instance has them.
pub fn seeded_agent_statuses() -> Vec<AgentStatusRecord> {
    [("Available", "ROUTABLE"), ("Offline", "OFFLINE")]
        .into_iter()
        .enumerate()
        .map(|(i, (name, status_type))| AgentStatusRecord {
            seq: i as u64,
            id: new_id(),
            name: name.to_owned(),
            status_type: status_type.to_owned(),
        })
        .collect()
}

/// A user's proficiency (`UserProficiency`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProficiencyRecord {
    pub attribute_name: String,
    pub attribute_value: String,
    pub level: f64,
}

/// A predefined attribute with string values (`PredefinedAttribute`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredefinedAttributeRecord {
    pub seq: u64,
    pub name: String,
    pub values: Vec<String>,
}

/// Language (English, Spanish, French) and Skill (Billing, Sales), as an
/// administrator would define them for routing criteria.
pub fn seeded_predefined_attributes() -> Vec<PredefinedAttributeRecord> {
    [
        ("Language", &["English", "Spanish", "French"][..]),
        ("Skill", &["Billing", "Sales"][..]),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (name, values))| PredefinedAttributeRecord {
        seq: i as u64,
        name: name.to_owned(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    })
    .collect()
}

/// `IdentityManagementType` of the simulated instance.
pub fn default_identity_management_type() -> String {
    "SAML".to_owned()
}

/// The one simulated instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub alias: String,
    pub created_time: EpochMillis,
    pub next_seq: u64,
    pub users: Vec<UserRecord>,
    pub security_profiles: Vec<SecurityProfileRecord>,
    pub routing_profiles: Vec<RoutingProfileRecord>,
    pub hierarchy_levels: Vec<HierarchyLevelRecord>,
    pub hierarchy_groups: Vec<HierarchyGroupRecord>,
    #[serde(default = "seeded_agent_statuses")]
    pub agent_statuses: Vec<AgentStatusRecord>,
    /// `SAML`, `CONNECT_MANAGED` or `EXISTING_DIRECTORY` (fixed when an
    /// instance is created, as in Connect).
    #[serde(default = "default_identity_management_type")]
    pub identity_management_type: String,
    #[serde(default = "seeded_predefined_attributes")]
    pub predefined_attributes: Vec<PredefinedAttributeRecord>,
}

impl Instance {
    /// A new instance as Connect seeds one, plus the `SCIM-Disabled` profile
    /// and a two-level Site/Team hierarchy for tests and demos.
    pub fn seeded(id: &str) -> Self {
        let now = EpochMillis::now();
        let mut instance = Instance {
            id: id.to_owned(),
            alias: ALIAS.to_owned(),
            created_time: now,
            next_seq: 1,
            users: Vec::new(),
            security_profiles: Vec::new(),
            routing_profiles: Vec::new(),
            hierarchy_levels: vec![
                HierarchyLevelRecord {
                    id: "1".to_owned(),
                    name: "Site".to_owned(),
                },
                HierarchyLevelRecord {
                    id: "2".to_owned(),
                    name: "Team".to_owned(),
                },
            ],
            hierarchy_groups: Vec::new(),
            agent_statuses: seeded_agent_statuses(),
            identity_management_type: default_identity_management_type(),
            predefined_attributes: seeded_predefined_attributes(),
        };
        for (name, description) in [
            ("Admin", "Full administrative access to the instance."),
            ("Agent", "Contact Control Panel access for agents."),
            ("CallCenterManager", "Manages users, metrics and routing."),
            ("QualityAnalyst", "Listens to and reviews contacts."),
            (
                DISABLED_PROFILE,
                "No permissions: held by users deactivated through SCIM.",
            ),
        ] {
            let seq = instance.take_seq();
            instance.security_profiles.push(SecurityProfileRecord {
                seq,
                id: new_id(),
                name: name.to_owned(),
                description: Some(description.to_owned()),
                permissions: Vec::new(),
                tags: Tags::new(),
                last_modified: now,
            });
        }
        let seq = instance.take_seq();
        instance.routing_profiles.push(RoutingProfileRecord {
            seq,
            id: new_id(),
            name: "Basic Routing Profile".to_owned(),
            description: "Default routing profile".to_owned(),
            default_outbound_queue_id: new_id(),
            is_default: true,
            last_modified: now,
        });
        for (site, teams) in [
            ("Seattle", &["Tier1", "Tier2"][..]),
            ("Dublin", &["Tier1"][..]),
        ] {
            let site_id = instance.add_group(site, 1, None, now);
            for team in teams {
                instance.add_group(team, 2, Some(site_id.clone()), now);
            }
        }
        instance
    }

    fn add_group(
        &mut self,
        name: &str,
        level: usize,
        parent: Option<String>,
        now: EpochMillis,
    ) -> String {
        let seq = self.take_seq();
        let id = new_id();
        self.hierarchy_groups.push(HierarchyGroupRecord {
            seq,
            id: id.clone(),
            name: name.to_owned(),
            level,
            parent_id: parent,
            last_modified: now,
        });
        id
    }

    /// Adds the hierarchy group at this name path (e.g. `Stores/Retail`) and
    /// any missing group above it, as an administrator would in the console;
    /// the id of the group at the end of the path.
    pub fn add_hierarchy_path(&mut self, path: &str) -> String {
        let mut parent: Option<String> = None;
        for (level, name) in path.split('/').enumerate() {
            let existing = self
                .hierarchy_groups
                .iter()
                .find(|g| g.name == name && g.parent_id == parent)
                .map(|g| g.id.clone());
            let id = match existing {
                Some(id) => id,
                None => self.add_group(name, level + 1, parent.clone(), EpochMillis::now()),
            };
            parent = Some(id);
        }
        parent.unwrap_or_default()
    }

    /// Adds `n` agents named `{prefix}{i}` (the first security profile and
    /// routing profile, no tags), as a bulk import in the console would.
    pub fn add_agents(&mut self, prefix: &str, n: usize, tags: &[(&str, &str)]) {
        let profile = self.security_profiles.first().map(|p| p.id.clone());
        let routing = self.routing_profiles.first().map(|p| p.id.clone());
        for i in 0..n {
            let seq = self.take_seq();
            self.users.push(UserRecord {
                seq,
                id: new_id(),
                username: format!("{prefix}{i}"),
                identity: Identity::default(),
                phone: Phone::default(),
                security_profile_ids: profile.iter().cloned().collect(),
                routing_profile_id: routing.clone().unwrap_or_default(),
                hierarchy_group_id: None,
                tags: tags
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                last_modified: EpochMillis::now(),
                agent_status_id: None,
                proficiencies: Vec::new(),
                password_set: false,
                visible_from: None,
            });
        }
    }

    /// Adds a security profile with no permissions, as an administrator would
    /// in the console; its id.
    pub fn add_security_profile(&mut self, name: &str) -> String {
        let seq = self.take_seq();
        let id = new_id();
        self.security_profiles.push(SecurityProfileRecord {
            seq,
            id: id.clone(),
            name: name.to_owned(),
            description: None,
            permissions: Vec::new(),
            tags: Tags::new(),
            last_modified: EpochMillis::now(),
        });
        id
    }

    /// Adds a routing profile, as an administrator would in the console; its id.
    pub fn add_routing_profile(&mut self, name: &str) -> String {
        let seq = self.take_seq();
        let id = new_id();
        self.routing_profiles.push(RoutingProfileRecord {
            seq,
            id: id.clone(),
            name: name.to_owned(),
            description: format!("{name} (added by an administrator)"),
            default_outbound_queue_id: new_id(),
            is_default: false,
            last_modified: EpochMillis::now(),
        });
        id
    }

    /// The next creation sequence number.
    pub fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// `ResourceNotFoundException` unless `id` names this instance.
    pub fn check_id(&self, id: &str) -> Result<(), ApiError> {
        if id == self.id {
            Ok(())
        } else {
            Err(ApiError::not_found(format!("Instance not found: {id}")))
        }
    }

    /// The instance ARN.
    pub fn arn(&self) -> String {
        format!("arn:aws:connect:{REGION}:{ACCOUNT}:instance/{}", self.id)
    }

    /// The ARN of a resource of the instance (`agent/ID`, `security-profile/ID`, …).
    pub fn resource_arn(&self, kind: &str, id: &str) -> String {
        format!("{}/{kind}/{id}", self.arn())
    }

    /// A user by id, visible or not.
    pub fn user(&self, id: &str) -> Result<&UserRecord, ApiError> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .ok_or_else(|| ApiError::not_found(format!("User not found: {id}")))
    }

    /// A user by id, for writing.
    pub fn user_mut(&mut self, id: &str) -> Result<&mut UserRecord, ApiError> {
        self.users
            .iter_mut()
            .find(|u| u.id == id)
            .ok_or_else(|| ApiError::not_found(format!("User not found: {id}")))
    }

    /// An agent status by id.
    pub fn agent_status(&self, id: &str) -> Result<&AgentStatusRecord, ApiError> {
        self.agent_statuses
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ApiError::not_found(format!("AgentStatus not found: {id}")))
    }

    /// A user by username, compared case-insensitively as Connect does.
    pub fn user_by_username(&self, username: &str) -> Option<&UserRecord> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    /// A security profile by id.
    pub fn security_profile(&self, id: &str) -> Result<&SecurityProfileRecord, ApiError> {
        self.security_profiles
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Security profile not found: {id}")))
    }

    /// A routing profile by id.
    pub fn routing_profile(&self, id: &str) -> Result<&RoutingProfileRecord, ApiError> {
        self.routing_profiles
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Routing profile not found: {id}")))
    }

    /// A hierarchy group by id.
    pub fn hierarchy_group(&self, id: &str) -> Result<&HierarchyGroupRecord, ApiError> {
        self.hierarchy_groups
            .iter()
            .find(|g| g.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Hierarchy group not found: {id}")))
    }

    /// A group and its ancestors, level one first.
    pub fn hierarchy_path(&self, id: &str) -> Vec<&HierarchyGroupRecord> {
        let mut path = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            match self.hierarchy_groups.iter().find(|g| g.id == id) {
                Some(group) if path.len() < 5 => {
                    path.push(group);
                    next = group.parent_id.as_deref();
                }
                _ => break,
            }
        }
        path.reverse();
        path
    }

    /// A hierarchy group by its name path, e.g. `Seattle/Tier1`.
    pub fn hierarchy_group_by_path(&self, names: &str) -> Option<&HierarchyGroupRecord> {
        let mut parent: Option<&str> = None;
        let mut found = None;
        for name in names.split('/') {
            let group = self
                .hierarchy_groups
                .iter()
                .find(|g| g.name == name && g.parent_id.as_deref() == parent)?;
            parent = Some(group.id.as_str());
            found = Some(group);
        }
        found
    }

    /// Loads an instance saved by [`Instance::save`].
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text).map_err(std::io::Error::other)
    }

    /// Saves the instance as JSON: to a temporary file, then renamed over
    /// `path`, so a crash never leaves a half-written file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_instance_has_the_default_profiles_and_hierarchy() {
        let instance = Instance::seeded("i-1");
        let names: Vec<_> = instance
            .security_profiles
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Admin",
                "Agent",
                "CallCenterManager",
                "QualityAnalyst",
                DISABLED_PROFILE
            ]
        );
        assert_eq!(instance.routing_profiles[0].name, "Basic Routing Profile");
        let tier1 = instance.hierarchy_group_by_path("Dublin/Tier1").unwrap();
        let path: Vec<_> = instance
            .hierarchy_path(&tier1.id)
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(path, ["Dublin", "Tier1"]);
        assert!(instance.hierarchy_group_by_path("Dublin/Tier2").is_none());
    }

    #[test]
    fn an_instance_survives_a_save_and_load() {
        let dir = std::env::temp_dir().join(format!("sim-state-{}", new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("state.json");
        let instance = Instance::seeded("i-2");
        instance.save(&file).unwrap();
        assert_eq!(Instance::load(&file).unwrap(), instance);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
