//! Security profiles (List/Describe/Create/DeleteSecurityProfile), routing
//! profiles (List/DescribeRoutingProfile) and the instance itself
//! (DescribeInstance, ListInstances). The agent hierarchy is in `hierarchy`.

use serde_json::{Value, json};

use super::dispatch::Call;
use super::state::{EpochMillis, Instance, REGION, SecurityProfileRecord};
use super::validation;
use super::wire::{ApiError, ApiResult, paginate};

/// Most security profiles an instance may hold (Connect's default quota).
const MAX_SECURITY_PROFILES: usize = 100;

/// A List* summary (`Id`, `Arn`, `Name`, `LastModifiedTime`, `LastModifiedRegion`).
pub(super) fn summary(
    instance: &Instance,
    kind: &str,
    id: &str,
    name: &str,
    modified: f64,
) -> Value {
    json!({
        "Id": id,
        "Arn": instance.resource_arn(kind, id),
        "Name": name,
        "LastModifiedTime": modified,
        "LastModifiedRegion": REGION,
    })
}

/// ListSecurityProfiles (`GET /security-profiles-summary/{InstanceId}`).
pub fn list_security_profiles(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let max = call.query.max_results(100, 1000)?;
    let items = instance
        .security_profiles
        .iter()
        .map(|p| {
            let mut s = summary(
                instance,
                "security-profile",
                &p.id,
                &p.name,
                p.last_modified.seconds(),
            );
            s["Type"] = json!("CUSTOMER_MANAGED");
            (p.seq, s)
        })
        .collect();
    let (page, next) = paginate(
        items,
        "ListSecurityProfiles",
        call.query.get("nextToken"),
        max,
    )?;
    Ok(json!({ "SecurityProfileSummaryList": page, "NextToken": next }))
}

/// DescribeSecurityProfile's `SecurityProfile`.
pub fn security_profile_json(instance: &Instance, profile: &SecurityProfileRecord) -> Value {
    json!({
        "Id": profile.id,
        "Arn": instance.resource_arn("security-profile", &profile.id),
        "SecurityProfileName": profile.name,
        "Description": profile.description,
        "OrganizationResourceId": instance.id,
        "Tags": profile.tags,
        "Type": "CUSTOMER_MANAGED",
        "LastModifiedTime": profile.last_modified.seconds(),
        "LastModifiedRegion": REGION,
    })
}

/// DescribeSecurityProfile (`GET /security-profiles/{InstanceId}/{SecurityProfileId}`).
pub fn describe_security_profile(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let profile = instance.security_profile(call.param(1))?;
    Ok(json!({ "SecurityProfile": security_profile_json(instance, profile) }))
}

/// CreateSecurityProfile (`PUT /security-profiles/{InstanceId}`): name 1–127
/// characters of `[ a-zA-Z0-9_@-]`, unique; description ≤ 250.
pub fn create_security_profile(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let body = call.fields()?;
    let name = body.required_string("SecurityProfileName")?;
    let len = name.chars().count();
    if !(1..=127).contains(&len)
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '@' | '-'))
    {
        return Err(ApiError::invalid_parameter(format!(
            "SecurityProfileName must be 1 to 127 characters of [ a-zA-Z0-9_@-]: {name:?}"
        )));
    }
    let description = body.string("Description")?;
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 250)
    {
        return Err(ApiError::invalid_parameter(
            "Description must be at most 250 characters",
        ));
    }
    let permissions = body.strings("Permissions")?.unwrap_or_default();
    if permissions.len() > 500 {
        return Err(ApiError::invalid_parameter("At most 500 Permissions"));
    }
    let tags = body.string_map("Tags")?.unwrap_or_default();
    validation::tags(&tags)?;
    if tags.len() > validation::MAX_TAGS {
        return Err(ApiError::invalid_parameter("At most 50 Tags"));
    }
    if instance
        .security_profiles
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case(&name))
    {
        return Err(ApiError::duplicate(format!(
            "A security profile named {name} already exists"
        )));
    }
    if instance.security_profiles.len() >= MAX_SECURITY_PROFILES {
        return Err(ApiError::limit_exceeded(format!(
            "The instance already has {MAX_SECURITY_PROFILES} security profiles"
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let seq = instance.take_seq();
    instance.security_profiles.push(SecurityProfileRecord {
        seq,
        id: id.clone(),
        name,
        description,
        permissions,
        tags,
        last_modified: EpochMillis::now(),
    });
    Ok(json!({
        "SecurityProfileId": id,
        "SecurityProfileArn": instance.resource_arn("security-profile", &id),
    }))
}

/// DeleteSecurityProfile (`DELETE /security-profiles/{InstanceId}/{SecurityProfileId}`):
/// `ResourceInUseException` while users still hold the profile.
pub fn delete_security_profile(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let id = call.param(1);
    instance.security_profile(id)?;
    let holders = instance
        .users
        .iter()
        .filter(|u| u.security_profile_ids.iter().any(|p| p == id))
        .count();
    if holders > 0 {
        return Err(ApiError::in_use(format!(
            "Security profile {id} is assigned to {holders} user(s)"
        )));
    }
    instance.security_profiles.retain(|p| p.id != id);
    Ok(json!({}))
}

/// ListRoutingProfiles (`GET /routing-profiles-summary/{InstanceId}`).
pub fn list_routing_profiles(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let max = call.query.max_results(100, 1000)?;
    let items = instance
        .routing_profiles
        .iter()
        .map(|p| {
            let s = summary(
                instance,
                "routing-profile",
                &p.id,
                &p.name,
                p.last_modified.seconds(),
            );
            (p.seq, s)
        })
        .collect();
    let (page, next) = paginate(
        items,
        "ListRoutingProfiles",
        call.query.get("nextToken"),
        max,
    )?;
    Ok(json!({ "RoutingProfileSummaryList": page, "NextToken": next }))
}

/// DescribeRoutingProfile (`GET /routing-profiles/{InstanceId}/{RoutingProfileId}`).
pub fn describe_routing_profile(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let profile = instance.routing_profile(call.param(1))?;
    let users = instance
        .users
        .iter()
        .filter(|u| u.routing_profile_id == profile.id)
        .count();
    Ok(json!({ "RoutingProfile": {
        "InstanceId": instance.id,
        "Name": profile.name,
        "RoutingProfileArn": instance.resource_arn("routing-profile", &profile.id),
        "RoutingProfileId": profile.id,
        "Description": profile.description,
        "DefaultOutboundQueueId": profile.default_outbound_queue_id,
        "MediaConcurrencies": [
            { "Channel": "VOICE", "Concurrency": 1,
              "CrossChannelBehavior": { "BehaviorType": "ROUTE_CURRENT_CHANNEL_ONLY" } },
            { "Channel": "CHAT", "Concurrency": 2,
              "CrossChannelBehavior": { "BehaviorType": "ROUTE_CURRENT_CHANNEL_ONLY" } },
            { "Channel": "TASK", "Concurrency": 1,
              "CrossChannelBehavior": { "BehaviorType": "ROUTE_CURRENT_CHANNEL_ONLY" } },
        ],
        "NumberOfAssociatedQueues": 1,
        "NumberOfAssociatedUsers": users,
        "IsDefault": profile.is_default,
        "Tags": {},
        "LastModifiedTime": profile.last_modified.seconds(),
        "LastModifiedRegion": REGION,
    }}))
}

fn instance_json(instance: &Instance) -> Value {
    json!({
        "Id": instance.id,
        "Arn": instance.arn(),
        "IdentityManagementType": instance.identity_management_type,
        "InstanceAlias": instance.alias,
        "CreatedTime": instance.created_time.seconds(),
        "ServiceRole": format!(
            "arn:aws:iam::{}:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect",
            super::state::ACCOUNT
        ),
        "InstanceStatus": "ACTIVE",
        "InboundCallsEnabled": true,
        "OutboundCallsEnabled": true,
        "InstanceAccessUrl": format!("https://{}.my.connect.aws", instance.alias),
    })
}

/// DescribeInstance (`GET /instance/{InstanceId}`).
pub fn describe_instance(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let mut described = instance_json(instance);
    described["Tags"] = json!({});
    Ok(json!({ "Instance": described }))
}

/// ListInstances (`GET /instance`): the one instance (`MaxResult10`).
pub fn list_instances(instance: &Instance, call: &Call) -> ApiResult {
    call.query.max_results(10, 10)?;
    if let Some(token) = call.query.get("nextToken") {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid NextToken: {token:?}"
        )));
    }
    Ok(json!({ "InstanceSummaryList": [instance_json(instance)] }))
}
