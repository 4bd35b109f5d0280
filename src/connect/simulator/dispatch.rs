//! Routing restJson1 requests to Connect operations by method and URI (the
//! `http` traits of the Connect 2017-08-08 model) and running them against
//! the instance.

use std::time::{Duration, Instant};

use axum::http::Method;
use serde_json::Value;

use super::state::Instance;
use super::wire::{ApiError, ApiResult, Fields, Query, decode, parse_body};
use super::{hierarchy, proficiencies, profile_search, profiles, search, statuses, tags, users};

/// The Connect operations the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateUser,
    DescribeUser,
    DeleteUser,
    ListUsers,
    SearchUsers,
    UpdateUserIdentityInfo,
    UpdateUserSecurityProfiles,
    UpdateUserRoutingProfile,
    UpdateUserPhoneConfig,
    UpdateUserHierarchy,
    ListSecurityProfiles,
    DescribeSecurityProfile,
    SearchSecurityProfiles,
    CreateSecurityProfile,
    DeleteSecurityProfile,
    ListRoutingProfiles,
    DescribeRoutingProfile,
    ListUserHierarchyGroups,
    DescribeUserHierarchyGroup,
    SearchUserHierarchyGroups,
    TagResource,
    UntagResource,
    ListTagsForResource,
    DescribeInstance,
    ListInstances,
    ListAgentStatuses,
    PutUserStatus,
    ListUserProficiencies,
    AssociateUserProficiencies,
    UpdateUserProficiencies,
    DisassociateUserProficiencies,
    ListPredefinedAttributes,
    DescribePredefinedAttribute,
}

impl Operation {
    /// The operation name as the model spells it (and `/simulator/stats` counts it).
    pub fn name(self) -> &'static str {
        use Operation::*;
        match self {
            CreateUser => "CreateUser",
            DescribeUser => "DescribeUser",
            DeleteUser => "DeleteUser",
            ListUsers => "ListUsers",
            SearchUsers => "SearchUsers",
            UpdateUserIdentityInfo => "UpdateUserIdentityInfo",
            UpdateUserSecurityProfiles => "UpdateUserSecurityProfiles",
            UpdateUserRoutingProfile => "UpdateUserRoutingProfile",
            UpdateUserPhoneConfig => "UpdateUserPhoneConfig",
            UpdateUserHierarchy => "UpdateUserHierarchy",
            ListSecurityProfiles => "ListSecurityProfiles",
            DescribeSecurityProfile => "DescribeSecurityProfile",
            SearchSecurityProfiles => "SearchSecurityProfiles",
            CreateSecurityProfile => "CreateSecurityProfile",
            DeleteSecurityProfile => "DeleteSecurityProfile",
            ListRoutingProfiles => "ListRoutingProfiles",
            DescribeRoutingProfile => "DescribeRoutingProfile",
            ListUserHierarchyGroups => "ListUserHierarchyGroups",
            DescribeUserHierarchyGroup => "DescribeUserHierarchyGroup",
            SearchUserHierarchyGroups => "SearchUserHierarchyGroups",
            TagResource => "TagResource",
            UntagResource => "UntagResource",
            ListTagsForResource => "ListTagsForResource",
            DescribeInstance => "DescribeInstance",
            ListInstances => "ListInstances",
            ListAgentStatuses => "ListAgentStatuses",
            PutUserStatus => "PutUserStatus",
            ListUserProficiencies => "ListUserProficiencies",
            AssociateUserProficiencies => "AssociateUserProficiencies",
            UpdateUserProficiencies => "UpdateUserProficiencies",
            DisassociateUserProficiencies => "DisassociateUserProficiencies",
            ListPredefinedAttributes => "ListPredefinedAttributes",
            DescribePredefinedAttribute => "DescribePredefinedAttribute",
        }
    }

    /// Whether a success changes the instance (and so is persisted).
    pub fn is_write(self) -> bool {
        use Operation::*;
        matches!(
            self,
            CreateUser
                | DeleteUser
                | UpdateUserIdentityInfo
                | UpdateUserSecurityProfiles
                | UpdateUserRoutingProfile
                | UpdateUserPhoneConfig
                | UpdateUserHierarchy
                | CreateSecurityProfile
                | DeleteSecurityProfile
                | TagResource
                | UntagResource
                | PutUserStatus
                | AssociateUserProficiencies
                | UpdateUserProficiencies
                | DisassociateUserProficiencies
        )
    }
}

/// A routed request: the operation and its decoded URI labels in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub operation: Operation,
    pub params: Vec<String>,
}

/// Finds the operation for `method` and raw (still percent-encoded) `path`.
pub fn route(method: &Method, path: &str) -> Option<Route> {
    use Operation::*;
    let raw: Vec<&str> = path.trim_matches('/').split('/').collect();
    if raw.first() == Some(&"tags") && raw.len() >= 2 {
        // `{resourceArn}` is one label; clients encode its slashes, but
        // accept them unencoded too.
        let arn = decode(&raw[1..].join("/"));
        let operation = match *method {
            Method::GET => ListTagsForResource,
            Method::POST => TagResource,
            Method::DELETE => UntagResource,
            _ => return None,
        };
        return Some(Route {
            operation,
            params: vec![arn],
        });
    }
    let segments: Vec<String> = raw.iter().map(|s| decode(s)).collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (operation, params) = match (method.clone(), s.as_slice()) {
        (Method::PUT, ["users", i]) => (CreateUser, vec![*i]),
        (Method::GET, ["users", i, u]) => (DescribeUser, vec![*i, *u]),
        (Method::DELETE, ["users", i, u]) => (DeleteUser, vec![*i, *u]),
        (Method::POST, ["users", i, u, action]) => {
            let operation = match *action {
                "identity-info" => UpdateUserIdentityInfo,
                "security-profiles" => UpdateUserSecurityProfiles,
                "routing-profile" => UpdateUserRoutingProfile,
                "phone-config" => UpdateUserPhoneConfig,
                "hierarchy" => UpdateUserHierarchy,
                "associate-proficiencies" => AssociateUserProficiencies,
                "proficiencies" => UpdateUserProficiencies,
                "disassociate-proficiencies" => DisassociateUserProficiencies,
                _ => return None,
            };
            (operation, vec![*i, *u])
        }
        (Method::GET, ["users-summary", i]) => (ListUsers, vec![*i]),
        (Method::POST, ["search-users"]) => (SearchUsers, vec![]),
        (Method::POST, ["search-security-profiles"]) => (SearchSecurityProfiles, vec![]),
        (Method::POST, ["search-user-hierarchy-groups"]) => (SearchUserHierarchyGroups, vec![]),
        (Method::GET, ["security-profiles-summary", i]) => (ListSecurityProfiles, vec![*i]),
        (Method::GET, ["security-profiles", i, p]) => (DescribeSecurityProfile, vec![*i, *p]),
        (Method::PUT, ["security-profiles", i]) => (CreateSecurityProfile, vec![*i]),
        (Method::DELETE, ["security-profiles", i, p]) => (DeleteSecurityProfile, vec![*i, *p]),
        (Method::GET, ["routing-profiles-summary", i]) => (ListRoutingProfiles, vec![*i]),
        (Method::GET, ["routing-profiles", i, p]) => (DescribeRoutingProfile, vec![*i, *p]),
        (Method::GET, ["user-hierarchy-groups-summary", i]) => (ListUserHierarchyGroups, vec![*i]),
        (Method::GET, ["user-hierarchy-groups", i, g]) => {
            (DescribeUserHierarchyGroup, vec![*i, *g])
        }
        (Method::PUT, ["users", i, u, "status"]) => (PutUserStatus, vec![*i, *u]),
        (Method::GET, ["agent-status", i]) => (ListAgentStatuses, vec![*i]),
        (Method::GET, ["users", i, u, "proficiencies"]) => (ListUserProficiencies, vec![*i, *u]),
        (Method::GET, ["predefined-attributes", i]) => (ListPredefinedAttributes, vec![*i]),
        (Method::GET, ["predefined-attributes", i, n]) => {
            (DescribePredefinedAttribute, vec![*i, *n])
        }
        (Method::GET, ["instance", i]) => (DescribeInstance, vec![*i]),
        (Method::GET, ["instance"]) => (ListInstances, vec![]),
        _ => return None,
    };
    Some(Route {
        operation,
        params: params.into_iter().map(str::to_owned).collect(),
    })
}

/// One call's inputs as the operations read them.
#[derive(Debug)]
pub struct Call {
    params: Vec<String>,
    /// Query-string members (`nextToken`, `maxResults`, `tagKeys`).
    pub query: Query,
    body: Value,
    /// When the request was handled (for eventual consistency).
    pub now: Instant,
    consistency_delay: Duration,
}

impl Call {
    /// Parses the body; malformed JSON is `InvalidParameterException`.
    pub fn new(
        params: Vec<String>,
        query: Query,
        body: &[u8],
        now: Instant,
        consistency_delay: Duration,
    ) -> Result<Self, ApiError> {
        Ok(Call {
            params,
            query,
            body: parse_body(body)?,
            now,
            consistency_delay,
        })
    }

    /// The `n`th URI label (empty if absent).
    pub fn param(&self, n: usize) -> &str {
        self.params.get(n).map_or("", String::as_str)
    }

    /// The JSON body members.
    pub fn fields(&self) -> Result<Fields<'_>, ApiError> {
        Fields::of(&self.body)
    }

    /// When a user created by this call becomes visible to reads.
    pub fn visible_from(&self) -> Option<Instant> {
        (!self.consistency_delay.is_zero()).then(|| self.now + self.consistency_delay)
    }
}

/// Runs `operation` against the instance.
pub fn execute(operation: Operation, instance: &mut Instance, call: &Call) -> ApiResult {
    use Operation::*;
    match operation {
        CreateUser => users::create(instance, call),
        DescribeUser => users::describe(instance, call),
        DeleteUser => users::delete(instance, call),
        ListUsers => users::list(instance, call),
        SearchUsers => search::search(instance, call),
        UpdateUserIdentityInfo => users::update_identity_info(instance, call),
        UpdateUserSecurityProfiles => users::update_security_profiles(instance, call),
        UpdateUserRoutingProfile => users::update_routing_profile(instance, call),
        UpdateUserPhoneConfig => users::update_phone_config(instance, call),
        UpdateUserHierarchy => users::update_hierarchy(instance, call),
        ListSecurityProfiles => profiles::list_security_profiles(instance, call),
        DescribeSecurityProfile => profiles::describe_security_profile(instance, call),
        SearchSecurityProfiles => profile_search::search(instance, call),
        CreateSecurityProfile => profiles::create_security_profile(instance, call),
        DeleteSecurityProfile => profiles::delete_security_profile(instance, call),
        ListRoutingProfiles => profiles::list_routing_profiles(instance, call),
        DescribeRoutingProfile => profiles::describe_routing_profile(instance, call),
        ListUserHierarchyGroups => hierarchy::list(instance, call),
        DescribeUserHierarchyGroup => hierarchy::describe(instance, call),
        SearchUserHierarchyGroups => hierarchy::search(instance, call),
        TagResource => tags::tag(instance, call),
        UntagResource => tags::untag(instance, call),
        ListTagsForResource => tags::list(instance, call),
        DescribeInstance => profiles::describe_instance(instance, call),
        ListInstances => profiles::list_instances(instance, call),
        ListAgentStatuses => statuses::list(instance, call),
        PutUserStatus => statuses::put(instance, call),
        ListUserProficiencies => proficiencies::list(instance, call),
        AssociateUserProficiencies => proficiencies::associate(instance, call),
        UpdateUserProficiencies => proficiencies::update(instance, call),
        DisassociateUserProficiencies => proficiencies::disassociate(instance, call),
        ListPredefinedAttributes => proficiencies::list_attributes(instance, call),
        DescribePredefinedAttribute => proficiencies::describe_attribute(instance, call),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_model_uris() {
        let r = route(&Method::POST, "/users/i-1/u-1/phone-config").unwrap();
        assert_eq!(r.operation, Operation::UpdateUserPhoneConfig);
        assert_eq!(r.params, ["i-1", "u-1"]);
        assert_eq!(
            route(&Method::GET, "/instance").unwrap().operation,
            Operation::ListInstances
        );
        assert!(route(&Method::GET, "/users/i-1").is_none());
        assert!(route(&Method::PATCH, "/users/i-1/u-1").is_none());
    }

    #[test]
    fn tag_routes_take_the_whole_percent_encoded_arn() {
        let arn = "arn:aws:connect:us-east-1:123456789012:instance/i-1/agent/u-1";
        let encoded =
            "arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2Fi-1%2Fagent%2Fu-1";
        let r = route(&Method::DELETE, &format!("/tags/{encoded}")).unwrap();
        assert_eq!(r.operation, Operation::UntagResource);
        assert_eq!(r.params, [arn]);
        let r = route(&Method::GET, &format!("/tags/{arn}")).unwrap();
        assert_eq!(r.params, [arn]);
    }
}
