//! The user operations: CreateUser, DescribeUser, DeleteUser, ListUsers and
//! the UpdateUser* family, validated as Connect does, applying nothing when a
//! request is rejected.

use serde_json::{Value, json};

use super::dispatch::Call;
use super::state::{EpochMillis, Identity, Instance, Phone, REGION, Tags, UserRecord};
use super::validation;
use super::wire::{ApiError, ApiResult, paginate};

/// The `User` document DescribeUser returns, tags included.
pub fn user_json(instance: &Instance, user: &UserRecord) -> Value {
    json!({
        "Id": user.id,
        "Arn": instance.resource_arn("agent", &user.id),
        "Username": user.username,
        "IdentityInfo": identity_json(&user.identity),
        "PhoneConfig": phone_json(&user.phone),
        "SecurityProfileIds": user.security_profile_ids,
        "RoutingProfileId": user.routing_profile_id,
        "HierarchyGroupId": user.hierarchy_group_id,
        "Tags": user.tags,
        "LastModifiedTime": user.last_modified.seconds(),
        "LastModifiedRegion": REGION,
    })
}

fn identity_json(identity: &Identity) -> Value {
    json!({
        "FirstName": identity.first_name,
        "LastName": identity.last_name,
        "Email": identity.email,
        "SecondaryEmail": identity.secondary_email,
        "Mobile": identity.mobile,
    })
}

/// `UserPhoneConfig` as JSON.
pub fn phone_json(phone: &Phone) -> Value {
    json!({
        "PhoneType": phone.phone_type,
        "AutoAccept": phone.auto_accept,
        "AfterContactWorkTimeLimit": phone.after_contact_work_time_limit,
        "DeskPhoneNumber": phone.desk_phone_number,
    })
}

/// Checks `SecurityProfileIds`: 1–10 ids, each an existing profile.
fn security_profile_ids(instance: &Instance, ids: Vec<String>) -> Result<Vec<String>, ApiError> {
    if !(1..=10).contains(&ids.len()) {
        return Err(ApiError::invalid_parameter(format!(
            "SecurityProfileIds must hold 1 to 10 ids, got {}",
            ids.len()
        )));
    }
    for id in &ids {
        instance.security_profile(id)?;
    }
    let mut unique = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

/// CreateUser (`PUT /users/{InstanceId}`).
pub fn create(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let body = call.fields()?;
    let username = body.required_string("Username")?;
    validation::username(&username)?;
    let password_set = validation::password(
        &instance.identity_management_type,
        body.string("Password")?.as_deref(),
    )?;
    let identity = match body.object("IdentityInfo")? {
        Some(fields) => validation::identity(&fields)?,
        None => Identity::default(),
    };
    validation::required_names(&instance.identity_management_type, &identity)?;
    let phone = match body.object("PhoneConfig")? {
        Some(fields) => validation::phone(&fields)?,
        None => Phone::default(),
    };
    let tags = body.string_map("Tags")?.unwrap_or_default();
    let tags = validation::merged_tags(&Tags::new(), &tags)?;
    let profile_ids = body
        .strings("SecurityProfileIds")?
        .ok_or_else(|| ApiError::invalid_parameter("SecurityProfileIds is required"))?;
    let profile_ids = security_profile_ids(instance, profile_ids)?;
    let routing_profile_id = body.required_string("RoutingProfileId")?;
    instance.routing_profile(&routing_profile_id)?;
    let hierarchy_group_id = body.string("HierarchyGroupId")?;
    if let Some(group) = &hierarchy_group_id {
        instance.hierarchy_group(group)?;
    }
    if instance.user_by_username(&username).is_some() {
        return Err(ApiError::duplicate(format!(
            "A user with username {username} already exists"
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let seq = instance.take_seq();
    instance.users.push(UserRecord {
        seq,
        id: id.clone(),
        username,
        identity,
        phone,
        security_profile_ids: profile_ids,
        routing_profile_id,
        hierarchy_group_id,
        tags,
        last_modified: EpochMillis::now(),
        agent_status_id: None,
        proficiencies: Vec::new(),
        password_set,
        visible_from: call.visible_from(),
    });
    Ok(json!({ "UserId": id, "UserArn": instance.resource_arn("agent", &id) }))
}

/// A user as reads see it: not yet visible counts as not found.
fn visible_user<'a>(instance: &'a Instance, call: &Call) -> Result<&'a UserRecord, ApiError> {
    instance.check_id(call.param(0))?;
    let id = call.param(1);
    let user = instance.user(id)?;
    if user.visible(call.now) {
        Ok(user)
    } else {
        Err(ApiError::not_found(format!("User not found: {id}")))
    }
}

/// DescribeUser (`GET /users/{InstanceId}/{UserId}`).
pub fn describe(instance: &Instance, call: &Call) -> ApiResult {
    let user = visible_user(instance, call)?;
    Ok(json!({ "User": user_json(instance, user) }))
}

/// DeleteUser (`DELETE /users/{InstanceId}/{UserId}`).
pub fn delete(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let id = call.param(1);
    instance.user(id)?;
    instance.users.retain(|u| u.id != id);
    Ok(json!({}))
}

/// ListUsers (`GET /users-summary/{InstanceId}`): `UserSummary`s in creation order.
pub fn list(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let max = call.query.max_results(100, 1000)?;
    let items = instance
        .users
        .iter()
        .filter(|u| u.visible(call.now))
        .map(|u| {
            let summary = json!({
                "Id": u.id,
                "Arn": instance.resource_arn("agent", &u.id),
                "Username": u.username,
                "LastModifiedTime": u.last_modified.seconds(),
                "LastModifiedRegion": REGION,
            });
            (u.seq, summary)
        })
        .collect();
    let (page, next) = paginate(items, "ListUsers", call.query.get("nextToken"), max)?;
    Ok(json!({ "UserSummaryList": page, "NextToken": next }))
}

/// Applies `change` to the user named in the path once it has been checked,
/// and bumps `LastModifiedTime`.
fn update(instance: &mut Instance, call: &Call, change: impl FnOnce(&mut UserRecord)) -> ApiResult {
    let user = instance.user_mut(call.param(1))?;
    change(user);
    user.last_modified = EpochMillis::now();
    Ok(json!({}))
}

/// UpdateUserIdentityInfo (`POST /users/{InstanceId}/{UserId}/identity-info`):
/// replaces the whole identity info.
pub fn update_identity_info(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let body = call.fields()?;
    let fields = body
        .object("IdentityInfo")?
        .ok_or_else(|| ApiError::invalid_parameter("IdentityInfo is required"))?;
    let identity = validation::identity(&fields)?;
    update(instance, call, |user| user.identity = identity)
}

/// UpdateUserSecurityProfiles (`POST /users/{InstanceId}/{UserId}/security-profiles`).
pub fn update_security_profiles(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let ids = call
        .fields()?
        .strings("SecurityProfileIds")?
        .ok_or_else(|| ApiError::invalid_parameter("SecurityProfileIds is required"))?;
    let ids = security_profile_ids(instance, ids)?;
    update(instance, call, |user| user.security_profile_ids = ids)
}

/// UpdateUserRoutingProfile (`POST /users/{InstanceId}/{UserId}/routing-profile`).
pub fn update_routing_profile(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let id = call.fields()?.required_string("RoutingProfileId")?;
    instance.routing_profile(&id)?;
    update(instance, call, |user| user.routing_profile_id = id)
}

/// UpdateUserPhoneConfig (`POST /users/{InstanceId}/{UserId}/phone-config`).
pub fn update_phone_config(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let body = call.fields()?;
    let fields = body
        .object("PhoneConfig")?
        .ok_or_else(|| ApiError::invalid_parameter("PhoneConfig is required"))?;
    let phone = validation::phone(&fields)?;
    update(instance, call, |user| user.phone = phone)
}

/// UpdateUserHierarchy (`POST /users/{InstanceId}/{UserId}/hierarchy`): no
/// `HierarchyGroupId` removes the user from any group.
pub fn update_hierarchy(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let group = call.fields()?.string("HierarchyGroupId")?;
    if let Some(group) = &group {
        instance.hierarchy_group(group)?;
    }
    update(instance, call, |user| user.hierarchy_group_id = group)
}
