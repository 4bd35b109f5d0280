//! The Amazon Connect port: the operations connect-scim needs, in Connect's own
//! terms (no SCIM here, no SDK types), and the adapters behind it.
//!
//! - [`aws::AwsConnect`]: the aws-sdk-connect adapter, the only place SDK types appear.
//! - [`limit::Gateway`]: the one rate limiter (2 rps, burst 5 by default) every call
//!   of the process passes through, with retries and per-request deadlines.
//! - [`cache::ProfileCache`]: security/routing profile name ⇄ id maps with a TTL.
//! - [`simulator`]: a wire-compatible fake Connect endpoint (restJson1 over HTTP).

pub mod aws;
pub mod cache;
pub mod error;
#[cfg(test)]
mod fake;
pub mod limit;
pub mod quota;
pub mod simulator;

use std::collections::BTreeMap;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use error::ConnectError;

/// Resource tags (`TagMap` in the Connect API): at most 50, keys ≤ 128, values ≤ 256.
pub type Tags = BTreeMap<String, String>;

/// `UserIdentityInfo` (DescribeUser, CreateUser, UpdateUserIdentityInfo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityInfo {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub secondary_email: Option<String>,
    /// E.164, e.g. `+14155550100`.
    pub mobile: Option<String>,
}

/// `PhoneType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneType {
    SoftPhone,
    DeskPhone,
}

impl PhoneType {
    /// The wire name (`SOFT_PHONE`, `DESK_PHONE`).
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneType::SoftPhone => "SOFT_PHONE",
            PhoneType::DeskPhone => "DESK_PHONE",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "SOFT_PHONE" => Some(PhoneType::SoftPhone),
            "DESK_PHONE" => Some(PhoneType::DeskPhone),
            _ => None,
        }
    }
}

/// `UserPhoneConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneConfig {
    pub phone_type: PhoneType,
    pub auto_accept: bool,
    /// Seconds of after-contact work (`AfterContactWorkTimeLimit`, ≥ 0).
    pub after_contact_work_time_limit: i32,
    pub desk_phone_number: Option<String>,
}

impl Default for PhoneConfig {
    /// A new Connect agent's defaults: soft phone, no auto-accept, 30 s ACW.
    fn default() -> Self {
        PhoneConfig {
            phone_type: PhoneType::SoftPhone,
            auto_accept: false,
            after_contact_work_time_limit: 30,
            desk_phone_number: None,
        }
    }
}

/// A Connect user as DescribeUser returns it (`User`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub arn: String,
    pub username: String,
    pub identity: IdentityInfo,
    pub phone: PhoneConfig,
    pub security_profile_ids: Vec<String>,
    pub routing_profile_id: String,
    pub hierarchy_group_id: Option<String>,
    pub tags: Tags,
    pub last_modified: Option<OffsetDateTime>,
}

/// A Connect user as SearchUsers returns it (`UserSearchSummary`): no email or
/// mobile (`UserIdentityInfoLite`), no timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: String,
    pub arn: String,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<PhoneConfig>,
    pub security_profile_ids: Vec<String>,
    pub routing_profile_id: String,
    pub hierarchy_group_id: Option<String>,
    pub tags: Tags,
}

impl From<&User> for UserSummary {
    /// The summary SearchUsers would give of a user DescribeUser returned.
    fn from(user: &User) -> UserSummary {
        UserSummary {
            id: user.id.clone(),
            arn: user.arn.clone(),
            username: user.username.clone(),
            first_name: user.identity.first_name.clone(),
            last_name: user.identity.last_name.clone(),
            phone: Some(user.phone.clone()),
            security_profile_ids: user.security_profile_ids.clone(),
            routing_profile_id: user.routing_profile_id.clone(),
            hierarchy_group_id: user.hierarchy_group_id.clone(),
            tags: user.tags.clone(),
        }
    }
}

/// The input of CreateUser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub identity: IdentityInfo,
    pub phone: PhoneConfig,
    pub security_profile_ids: Vec<String>,
    pub routing_profile_id: String,
    pub hierarchy_group_id: Option<String>,
    pub tags: Tags,
    /// Only for an instance that manages identities itself
    /// (`CONNECT_MANAGED`), which requires one; any other refuses one.
    pub password: Option<Password>,
}

/// A user's password for CreateUser: write-only, never logged (its `Debug`
/// shows no character of it) and never kept.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// A password that meets CreateUser's rule (`Password` in the Connect
    /// API: 8 to 64 characters without whitespace, with a lowercase letter,
    /// an uppercase letter and a digit); else what it misses.
    pub fn parse(value: &str) -> Result<Password, &'static str> {
        let chars = value.chars().count();
        if !(8..=64).contains(&chars) {
            return Err("8 to 64 characters");
        }
        if value.chars().any(char::is_whitespace) {
            return Err("no whitespace");
        }
        let has = |f: fn(&char) -> bool| value.chars().any(|c| f(&c));
        if !(has(char::is_ascii_lowercase)
            && has(char::is_ascii_uppercase)
            && has(char::is_ascii_digit))
        {
            return Err("a lowercase letter, an uppercase letter and a digit");
        }
        Ok(Password(value.to_owned()))
    }

    /// The password itself, for CreateUser's request only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// The output of CreateUser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedUser {
    pub id: String,
    pub arn: String,
}

/// `StringCondition.FieldName` values SearchUsers accepts that we use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Username,
    FirstName,
    LastName,
    SecurityProfileId,
    RoutingProfileId,
    /// The user's id.
    ResourceId,
}

impl UserField {
    /// The wire name (`Username`, `FirstName`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            UserField::Username => "Username",
            UserField::FirstName => "FirstName",
            UserField::LastName => "LastName",
            UserField::SecurityProfileId => "SecurityProfileId",
            UserField::RoutingProfileId => "RoutingProfileId",
            UserField::ResourceId => "ResourceId",
        }
    }
}

/// `StringComparisonType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Exact,
    Contains,
    StartsWith,
}

impl Comparison {
    /// The wire name (`EXACT`, `CONTAINS`, `STARTS_WITH`).
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Exact => "EXACT",
            Comparison::Contains => "CONTAINS",
            Comparison::StartsWith => "STARTS_WITH",
        }
    }
}

/// `UserSearchCriteria`: a string condition, or And/Or of nested criteria.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCriteria {
    String {
        field: UserField,
        comparison: Comparison,
        value: String,
    },
    And(Vec<UserCriteria>),
    Or(Vec<UserCriteria>),
}

/// `ControlPlaneTagFilter`: one tag, all of several, or any of several
/// conjunctions (`OrConditions` is a list of `TagAndConditionList`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagFilter {
    Tag { key: String, value: String },
    And(Vec<(String, String)>),
    Or(Vec<Vec<(String, String)>>),
}

/// A SearchUsers request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSearch {
    pub criteria: Option<UserCriteria>,
    pub tag_filter: Option<TagFilter>,
    /// 1..=500 (`MaxResult500`).
    pub max_results: Option<i32>,
    pub next_token: Option<String>,
}

/// A SearchSecurityProfiles request (the parts we use): a tag filter, paged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityProfileSearch {
    pub tag_filter: Option<TagFilter>,
    /// 1..=100 (`MaxResult100`).
    pub max_results: Option<i32>,
    pub next_token: Option<String>,
}

/// One page of a paginated Connect answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
    /// SearchUsers' `ApproximateTotalCount`, where the operation gives one.
    pub approximate_total: Option<i64>,
}

/// A named Connect resource as the List* summaries give it (security profile,
/// routing profile, hierarchy group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// `LastModifiedTime`, where the answer carries it (the List* summaries
    /// do; CreateSecurityProfile's answer does not).
    pub last_modified: Option<OffsetDateTime>,
}

/// DescribeSecurityProfile's `SecurityProfile` (the parts we use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityProfile {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub tags: Tags,
    /// `LastModifiedTime` (DescribeSecurityProfile gives it; a
    /// SearchSecurityProfiles summary does not).
    pub last_modified: Option<OffsetDateTime>,
}

/// A `HierarchyGroup` as SearchUserHierarchyGroups returns it (the parts we
/// use): the group and its ancestors from level one down to itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HierarchyGroup {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// `"1"` to `"5"`; `"0"` is the instance's foundation group, which Connect
    /// says is not user-definable nor shown in its console.
    pub level_id: String,
    /// Level one first, this group last.
    pub path: Vec<Summary>,
}

impl HierarchyGroup {
    /// The `LevelId` of the foundation group SearchUserHierarchyGroups may
    /// return ("not user-definable, nor visible in the UI").
    pub const FOUNDATION_LEVEL: &'static str = "0";
}

/// DescribeInstance / ListInstances (the parts we use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub arn: String,
    pub alias: Option<String>,
    pub status: Option<String>,
    /// `SAML`, `CONNECT_MANAGED` or `EXISTING_DIRECTORY`.
    pub identity_management_type: Option<String>,
}

/// An agent status as ListAgentStatuses gives it (`AgentStatusSummary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStatus {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// `AgentStatusType`: `ROUTABLE`, `CUSTOM` or `OFFLINE`.
    pub status_type: String,
}

impl AgentStatus {
    /// The `AgentStatusType` of the status an agent takes when routing stops.
    pub const OFFLINE: &'static str = "OFFLINE";
}

/// `UserProficiency`: a predefined attribute value and the agent's level in
/// it (1.0–5.0), used by routing criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct Proficiency {
    pub attribute_name: String,
    pub attribute_value: String,
    pub level: f32,
}

/// The Connect operations connect-scim uses, one method per API operation,
/// against the one configured instance.
#[async_trait]
pub trait Connect: Send + Sync {
    /// CreateUser.
    async fn create_user(&self, user: &NewUser) -> Result<CreatedUser, ConnectError>;
    /// DescribeUser.
    async fn describe_user(&self, user_id: &str) -> Result<User, ConnectError>;
    /// DeleteUser.
    async fn delete_user(&self, user_id: &str) -> Result<(), ConnectError>;
    /// ListUsers (`MaxResult1000`).
    async fn list_users(
        &self,
        next_token: Option<&str>,
        max_results: i32,
    ) -> Result<Page<Summary>, ConnectError>;
    /// SearchUsers.
    async fn search_users(&self, search: &UserSearch) -> Result<Page<UserSummary>, ConnectError>;
    /// UpdateUserIdentityInfo (replaces the whole identity info).
    async fn update_user_identity_info(
        &self,
        user_id: &str,
        identity: &IdentityInfo,
    ) -> Result<(), ConnectError>;
    /// UpdateUserSecurityProfiles (replaces the whole set, 1–10 ids).
    async fn update_user_security_profiles(
        &self,
        user_id: &str,
        security_profile_ids: &[String],
    ) -> Result<(), ConnectError>;
    /// UpdateUserRoutingProfile.
    async fn update_user_routing_profile(
        &self,
        user_id: &str,
        routing_profile_id: &str,
    ) -> Result<(), ConnectError>;
    /// UpdateUserPhoneConfig.
    async fn update_user_phone_config(
        &self,
        user_id: &str,
        phone: &PhoneConfig,
    ) -> Result<(), ConnectError>;
    /// UpdateUserHierarchy (`None` removes the user from any group).
    async fn update_user_hierarchy(
        &self,
        user_id: &str,
        hierarchy_group_id: Option<&str>,
    ) -> Result<(), ConnectError>;
    /// ListSecurityProfiles (`MaxResult1000`).
    async fn list_security_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError>;
    /// DescribeSecurityProfile.
    async fn describe_security_profile(
        &self,
        profile_id: &str,
    ) -> Result<SecurityProfile, ConnectError>;
    /// SearchSecurityProfiles: the profiles a filter selects, with their tags
    /// (`SecurityProfileSearchSummary` has no `LastModifiedTime`).
    async fn search_security_profiles(
        &self,
        search: &SecurityProfileSearch,
    ) -> Result<Page<SecurityProfile>, ConnectError>;
    /// CreateSecurityProfile with no permissions.
    async fn create_security_profile(
        &self,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<Summary, ConnectError>;
    /// DeleteSecurityProfile.
    async fn delete_security_profile(&self, profile_id: &str) -> Result<(), ConnectError>;
    /// ListRoutingProfiles (`MaxResult1000`).
    async fn list_routing_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError>;
    /// SearchUserHierarchyGroups with no criteria: every hierarchy group with
    /// its `HierarchyPath`, 100 a page (`MaxResults` 1–100).
    async fn search_user_hierarchy_groups(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<HierarchyGroup>, ConnectError>;
    /// TagResource.
    async fn tag_resource(&self, arn: &str, tags: &Tags) -> Result<(), ConnectError>;
    /// UntagResource.
    async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), ConnectError>;
    /// ListTagsForResource.
    async fn list_tags_for_resource(&self, arn: &str) -> Result<Tags, ConnectError>;
    /// DescribeInstance of the configured instance.
    async fn describe_instance(&self) -> Result<Instance, ConnectError>;
    /// ListAgentStatuses (`MaxResult1000`).
    async fn list_agent_statuses(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<AgentStatus>, ConnectError>;
    /// ListUserProficiencies (`MaxResult100`).
    async fn list_user_proficiencies(
        &self,
        user_id: &str,
        next_token: Option<&str>,
    ) -> Result<Page<Proficiency>, ConnectError>;
    /// AssociateUserProficiencies (1–20 new ones).
    async fn associate_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError>;
    /// UpdateUserProficiencies (levels of associated ones, 1–20).
    async fn update_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError>;
    /// DisassociateUserProficiencies (the levels are not sent, 1–20).
    async fn disassociate_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError>;
    /// DescribePredefinedAttribute: the attribute's string values, `NotFound`
    /// when the instance has no such attribute.
    async fn describe_predefined_attribute(&self, name: &str) -> Result<Vec<String>, ConnectError>;
    /// PutUserStatus: the agent's current status (e.g. the Offline one).
    async fn put_user_status(
        &self,
        user_id: &str,
        agent_status_id: &str,
    ) -> Result<(), ConnectError>;

    /// Holds off every other writer of `user_id` (in this process and, with a
    /// shared quota store, in every instance) until the lease is dropped. Take
    /// it before reading a user to write it back. A bare adapter guards nothing.
    async fn lease_user(&self, _user_id: &str) -> Result<quota::UserLease, ConnectError> {
        Ok(quota::UserLease::unguarded())
    }
}
