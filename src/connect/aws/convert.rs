//! Conversions between the port's domain types and aws-sdk-connect's types, both
//! ways. Pure functions; the only other place besides `aws.rs` that names SDK types.

use crate::connect::Proficiency;
use aws_sdk_connect::types as sdk;
use time::OffsetDateTime;

use crate::connect::{
    AgentStatus, Comparison, ConnectError, HierarchyGroup, IdentityInfo, Instance, PhoneConfig,
    PhoneType, SecurityProfile, Summary, TagFilter, Tags, User, UserCriteria, UserSummary,
};

/// `UserIdentityInfo` for CreateUser / UpdateUserIdentityInfo.
pub(super) fn identity_to_sdk(identity: &IdentityInfo) -> sdk::UserIdentityInfo {
    sdk::UserIdentityInfo::builder()
        .set_first_name(identity.first_name.clone())
        .set_last_name(identity.last_name.clone())
        .set_email(identity.email.clone())
        .set_secondary_email(identity.secondary_email.clone())
        .set_mobile(identity.mobile.clone())
        .build()
}

fn identity_from_sdk(identity: Option<sdk::UserIdentityInfo>) -> IdentityInfo {
    let identity = identity.unwrap_or_else(|| sdk::UserIdentityInfo::builder().build());
    IdentityInfo {
        first_name: identity.first_name,
        last_name: identity.last_name,
        email: identity.email,
        secondary_email: identity.secondary_email,
        mobile: identity.mobile,
    }
}

/// `UserPhoneConfig` for CreateUser / UpdateUserPhoneConfig.
pub(super) fn phone_to_sdk(phone: &PhoneConfig) -> sdk::UserPhoneConfig {
    sdk::UserPhoneConfig::builder()
        .phone_type(sdk::PhoneType::from(phone.phone_type.as_str()))
        .auto_accept(phone.auto_accept)
        .after_contact_work_time_limit(phone.after_contact_work_time_limit)
        .set_desk_phone_number(phone.desk_phone_number.clone())
        .build()
}

fn phone_from_sdk(phone: sdk::UserPhoneConfig) -> PhoneConfig {
    PhoneConfig {
        // Connect only knows the two types; an unknown future one reads as the default.
        phone_type: PhoneType::parse(phone.phone_type.as_str()).unwrap_or(PhoneType::SoftPhone),
        auto_accept: phone.auto_accept,
        after_contact_work_time_limit: phone.after_contact_work_time_limit,
        desk_phone_number: phone.desk_phone_number,
    }
}

fn tags_from_sdk(tags: Option<std::collections::HashMap<String, String>>) -> Tags {
    tags.unwrap_or_default().into_iter().collect()
}

/// A Connect timestamp (`LastModifiedTime`) as a point in time.
pub(super) fn timestamp_from_sdk(
    at: Option<aws_sdk_connect::primitives::DateTime>,
) -> Option<OffsetDateTime> {
    at.and_then(|at| OffsetDateTime::from_unix_timestamp_nanos(at.as_nanos()).ok())
}

/// A field Connect always returns was missing: the answer is not one we understand.
fn missing(operation: &str, field: &str) -> ConnectError {
    ConnectError::Other(format!("{operation}: the answer has no {field}"))
}

/// DescribeUser's `User`.
pub(super) fn user_from_sdk(user: sdk::User) -> Result<User, ConnectError> {
    Ok(User {
        id: user.id.ok_or_else(|| missing("DescribeUser", "Id"))?,
        arn: user.arn.unwrap_or_default(),
        username: user
            .username
            .ok_or_else(|| missing("DescribeUser", "Username"))?,
        identity: identity_from_sdk(user.identity_info),
        phone: user.phone_config.map(phone_from_sdk).unwrap_or_default(),
        security_profile_ids: user.security_profile_ids.unwrap_or_default(),
        routing_profile_id: user.routing_profile_id.unwrap_or_default(),
        hierarchy_group_id: user.hierarchy_group_id,
        tags: tags_from_sdk(user.tags),
        last_modified: timestamp_from_sdk(user.last_modified_time),
    })
}

/// SearchUsers' `UserSearchSummary`; `None` for an entry without an id.
pub(super) fn user_summary_from_sdk(user: sdk::UserSearchSummary) -> Option<UserSummary> {
    let (first_name, last_name) = match user.identity_info {
        Some(lite) => (lite.first_name, lite.last_name),
        None => (None, None),
    };
    Some(UserSummary {
        id: user.id?,
        arn: user.arn.unwrap_or_default(),
        username: user.username.unwrap_or_default(),
        first_name,
        last_name,
        phone: user.phone_config.map(phone_from_sdk),
        security_profile_ids: user.security_profile_ids.unwrap_or_default(),
        routing_profile_id: user.routing_profile_id.unwrap_or_default(),
        hierarchy_group_id: user.hierarchy_group_id,
        tags: tags_from_sdk(user.tags),
    })
}

/// The `Id`/`Arn`/`Name` triple every List* summary carries; `None` without an id.
pub(super) fn summary(
    id: Option<String>,
    arn: Option<String>,
    name: Option<String>,
) -> Option<Summary> {
    Some(Summary {
        id: id?,
        arn: arn.unwrap_or_default(),
        name: name.unwrap_or_default(),
        last_modified: None,
    })
}

/// An `AgentStatusSummary` (none without an id).
pub(super) fn agent_status_from_sdk(s: sdk::AgentStatusSummary) -> Option<AgentStatus> {
    Some(AgentStatus {
        id: s.id?,
        arn: s.arn.unwrap_or_default(),
        name: s.name.unwrap_or_default(),
        status_type: s.r#type.map(|t| t.as_str().to_owned()).unwrap_or_default(),
    })
}

/// A `UserProficiency`.
pub(super) fn proficiency_from_sdk(p: sdk::UserProficiency) -> Proficiency {
    Proficiency {
        attribute_name: p.attribute_name,
        attribute_value: p.attribute_value,
        level: p.level,
    }
}

fn built<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<T, ConnectError> {
    r.map_err(|e| ConnectError::InvalidParameter(format!("{what}: {e}")))
}

/// `UserProficiency` list (Associate/UpdateUserProficiencies).
pub(super) fn proficiencies_to_sdk(
    proficiencies: &[Proficiency],
) -> Result<Vec<sdk::UserProficiency>, ConnectError> {
    proficiencies
        .iter()
        .map(|p| {
            built(
                "UserProficiency",
                sdk::UserProficiency::builder()
                    .attribute_name(&p.attribute_name)
                    .attribute_value(&p.attribute_value)
                    .level(p.level)
                    .build(),
            )
        })
        .collect()
}

/// `UserProficiencyDisassociate` list.
pub(super) fn proficiency_keys_to_sdk(
    proficiencies: &[Proficiency],
) -> Result<Vec<sdk::UserProficiencyDisassociate>, ConnectError> {
    proficiencies
        .iter()
        .map(|p| {
            built(
                "UserProficiencyDisassociate",
                sdk::UserProficiencyDisassociate::builder()
                    .attribute_name(&p.attribute_name)
                    .attribute_value(&p.attribute_value)
                    .build(),
            )
        })
        .collect()
}

/// The string values of a `PredefinedAttribute`.
pub(super) fn predefined_values_from_sdk(
    attribute: Option<sdk::PredefinedAttribute>,
) -> Vec<String> {
    match attribute.and_then(|a| a.values) {
        Some(sdk::PredefinedAttributeValues::StringList(values)) => values,
        _ => Vec::new(),
    }
}

/// `UserSearchCriteria` from the port's criteria tree.
pub(super) fn criteria_to_sdk(criteria: &UserCriteria) -> sdk::UserSearchCriteria {
    match criteria {
        UserCriteria::String {
            field,
            comparison,
            value,
        } => sdk::UserSearchCriteria::builder()
            .string_condition(
                sdk::StringCondition::builder()
                    .field_name(field.as_str())
                    .value(value)
                    .comparison_type(comparison_to_sdk(*comparison))
                    .build(),
            )
            .build(),
        UserCriteria::And(all) => sdk::UserSearchCriteria::builder()
            .set_and_conditions(Some(all.iter().map(criteria_to_sdk).collect()))
            .build(),
        UserCriteria::Or(any) => sdk::UserSearchCriteria::builder()
            .set_or_conditions(Some(any.iter().map(criteria_to_sdk).collect()))
            .build(),
    }
}

fn comparison_to_sdk(comparison: Comparison) -> sdk::StringComparisonType {
    sdk::StringComparisonType::from(comparison.as_str())
}

fn tag_condition(key: &str, value: &str) -> sdk::TagCondition {
    sdk::TagCondition::builder()
        .tag_key(key)
        .tag_value(value)
        .build()
}

/// `ControlPlaneTagFilter` from the port's tag filter.
pub(super) fn tag_filter_to_sdk(filter: &TagFilter) -> sdk::ControlPlaneTagFilter {
    let conditions = |pairs: &[(String, String)]| -> Vec<sdk::TagCondition> {
        pairs.iter().map(|(k, v)| tag_condition(k, v)).collect()
    };
    match filter {
        TagFilter::Tag { key, value } => sdk::ControlPlaneTagFilter::builder()
            .tag_condition(tag_condition(key, value))
            .build(),
        TagFilter::And(all) => sdk::ControlPlaneTagFilter::builder()
            .set_and_conditions(Some(conditions(all)))
            .build(),
        TagFilter::Or(any) => sdk::ControlPlaneTagFilter::builder()
            .set_or_conditions(Some(any.iter().map(|all| conditions(all)).collect()))
            .build(),
    }
}

/// DescribeSecurityProfile's `SecurityProfile`.
pub(super) fn security_profile_from_sdk(
    profile: sdk::SecurityProfile,
) -> Result<SecurityProfile, ConnectError> {
    Ok(SecurityProfile {
        id: profile
            .id
            .ok_or_else(|| missing("DescribeSecurityProfile", "Id"))?,
        arn: profile.arn.unwrap_or_default(),
        name: profile.security_profile_name.unwrap_or_default(),
        description: profile.description,
        tags: tags_from_sdk(profile.tags),
        last_modified: timestamp_from_sdk(profile.last_modified_time),
    })
}

/// SearchSecurityProfiles' `SecurityProfileSearchSummary` (no
/// `LastModifiedTime`); `None` without an id.
pub(super) fn security_profile_summary_from_sdk(
    profile: sdk::SecurityProfileSearchSummary,
) -> Option<SecurityProfile> {
    Some(SecurityProfile {
        id: profile.id?,
        arn: profile.arn.unwrap_or_default(),
        name: profile.security_profile_name.unwrap_or_default(),
        description: profile.description,
        tags: tags_from_sdk(profile.tags),
        last_modified: None,
    })
}

/// SearchUserHierarchyGroups' `HierarchyGroup`, its path flattened level one first.
pub(super) fn hierarchy_group_from_sdk(
    group: sdk::HierarchyGroup,
) -> Result<HierarchyGroup, ConnectError> {
    let levels = group
        .hierarchy_path
        .map(|path| {
            [
                path.level_one,
                path.level_two,
                path.level_three,
                path.level_four,
                path.level_five,
            ]
        })
        .unwrap_or_default();
    let path = levels
        .into_iter()
        .flatten()
        .filter_map(|level| summary(level.id, level.arn, level.name))
        .collect();
    Ok(HierarchyGroup {
        id: group
            .id
            .ok_or_else(|| missing("SearchUserHierarchyGroups", "Id"))?,
        arn: group.arn.unwrap_or_default(),
        name: group.name.unwrap_or_default(),
        level_id: group.level_id.unwrap_or_default(),
        path,
    })
}

/// DescribeInstance's `Instance`.
pub(super) fn instance_from_sdk(instance: sdk::Instance) -> Result<Instance, ConnectError> {
    Ok(Instance {
        id: instance
            .id
            .ok_or_else(|| missing("DescribeInstance", "Id"))?,
        arn: instance.arn.unwrap_or_default(),
        alias: instance.instance_alias,
        status: instance.instance_status.map(|s| s.as_str().to_owned()),
        identity_management_type: instance
            .identity_management_type
            .map(|t| t.as_str().to_owned()),
    })
}

/// ListInstances' `InstanceSummary`; `None` without an id.
pub(super) fn instance_summary_from_sdk(instance: sdk::InstanceSummary) -> Option<Instance> {
    Some(Instance {
        id: instance.id?,
        arn: instance.arn.unwrap_or_default(),
        alias: instance.instance_alias,
        status: instance.instance_status.map(|s| s.as_str().to_owned()),
        identity_management_type: instance
            .identity_management_type
            .map(|t| t.as_str().to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::UserField;

    #[test]
    fn a_phone_config_survives_the_round_trip() {
        let phone = PhoneConfig {
            phone_type: PhoneType::DeskPhone,
            auto_accept: true,
            after_contact_work_time_limit: 45,
            desk_phone_number: Some("+14155550100".into()),
        };
        assert_eq!(phone_from_sdk(phone_to_sdk(&phone)), phone);
    }

    #[test]
    fn nested_criteria_keep_their_shape() {
        let criteria = UserCriteria::And(vec![
            UserCriteria::String {
                field: UserField::Username,
                comparison: Comparison::Exact,
                value: "jdoe".into(),
            },
            UserCriteria::Or(vec![]),
        ]);
        let sdk = criteria_to_sdk(&criteria);
        let and = sdk.and_conditions.unwrap_or_default();
        assert_eq!(and.len(), 2);
        let condition = and[0]
            .string_condition
            .clone()
            .unwrap_or_else(|| sdk::StringCondition::builder().build());
        assert_eq!(condition.field_name.as_deref(), Some("Username"));
        assert_eq!(
            condition.comparison_type.as_ref().map(|c| c.as_str()),
            Some("EXACT")
        );
        assert!(and[1].or_conditions.is_some());
    }

    #[test]
    fn a_hierarchy_path_is_flattened_level_one_first() {
        let level = |id: &str, name: &str| {
            sdk::HierarchyGroupSummary::builder()
                .id(id)
                .arn(format!("arn:{id}"))
                .name(name)
                .build()
        };
        let group = sdk::HierarchyGroup::builder()
            .id("g2")
            .name("Tier1")
            .level_id("2")
            .hierarchy_path(
                sdk::HierarchyPath::builder()
                    .level_one(level("g1", "Seattle"))
                    .level_two(level("g2", "Tier1"))
                    .build(),
            )
            .build();
        let group = hierarchy_group_from_sdk(group);
        let names: Vec<String> = group
            .map(|g| g.path.into_iter().map(|s| s.name).collect())
            .unwrap_or_default();
        assert_eq!(names, ["Seattle", "Tier1"]);
    }
}
