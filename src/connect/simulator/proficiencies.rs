//! Predefined attributes (ListPredefinedAttributes, DescribePredefinedAttribute)
//! and user proficiencies (List/Associate/Update/DisassociateUserProficiencies),
//! validated as Connect does: the attribute and value must be predefined, the
//! level is 1.0–5.0, 1–20 per call, Update only changes associated ones.

use serde_json::{Value, json};

use super::dispatch::Call;
use super::state::{EpochMillis, Instance, ProficiencyRecord, REGION};
use super::wire::{ApiError, ApiResult, Fields, paginate};

/// Most proficiencies one call may name (`UserProficiencyList` 1–20).
const MAX_PER_CALL: usize = 20;

fn attribute_json(name: &str, values: Option<&[String]>) -> Value {
    let mut attribute = json!({
        "Name": name,
        "LastModifiedTime": EpochMillis::now().seconds(),
        "LastModifiedRegion": REGION,
    });
    if let Some(values) = values {
        attribute["Values"] = json!({ "StringList": values });
    }
    attribute
}

/// ListPredefinedAttributes (`GET /predefined-attributes/{InstanceId}`).
pub fn list_attributes(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let max = call.query.max_results(100, 100)?;
    let items = instance
        .predefined_attributes
        .iter()
        .map(|a| (a.seq, attribute_json(&a.name, None)))
        .collect();
    let (page, next) = paginate(
        items,
        "ListPredefinedAttributes",
        call.query.get("nextToken"),
        max,
    )?;
    Ok(json!({ "PredefinedAttributeSummaryList": page, "NextToken": next }))
}

/// DescribePredefinedAttribute (`GET /predefined-attributes/{InstanceId}/{Name}`).
pub fn describe_attribute(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let name = call.param(1);
    let attribute = instance
        .predefined_attributes
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| ApiError::not_found(format!("PredefinedAttribute not found: {name}")))?;
    Ok(json!({ "PredefinedAttribute": attribute_json(&attribute.name, Some(&attribute.values)) }))
}

/// ListUserProficiencies (`GET /users/{InstanceId}/{UserId}/proficiencies`).
pub fn list(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let max = call.query.max_results(100, 100)?;
    let user = instance.user(call.param(1))?;
    let items = user
        .proficiencies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let item = json!({
                "AttributeName": p.attribute_name,
                "AttributeValue": p.attribute_value,
                "Level": p.level,
            });
            (i as u64 + 1, item)
        })
        .collect();
    let (page, next) = paginate(
        items,
        "ListUserProficiencies",
        call.query.get("nextToken"),
        max,
    )?;
    Ok(json!({
        "UserProficiencyList": page,
        "NextToken": next,
        "LastModifiedTime": user.last_modified.seconds(),
        "LastModifiedRegion": REGION,
    }))
}

/// The `UserProficiencies` member: 1–20 items, each predefined, with a level
/// in 1.0–5.0 when `with_level`.
fn proficiencies(
    instance: &Instance,
    body: &Fields,
    with_level: bool,
) -> Result<Vec<ProficiencyRecord>, ApiError> {
    let items = body
        .objects("UserProficiencies")?
        .ok_or_else(|| ApiError::invalid_parameter("UserProficiencies is required"))?;
    if items.is_empty() || items.len() > MAX_PER_CALL {
        return Err(ApiError::invalid_parameter(format!(
            "UserProficiencies must hold 1 to {MAX_PER_CALL} items"
        )));
    }
    items
        .iter()
        .map(|item| {
            let attribute_name = item.required_string("AttributeName")?;
            let attribute_value = item.required_string("AttributeValue")?;
            let Some(attribute) = instance
                .predefined_attributes
                .iter()
                .find(|a| a.name == attribute_name)
            else {
                return Err(ApiError::invalid_parameter(format!(
                    "The predefined attribute {attribute_name} does not exist"
                )));
            };
            if !attribute.values.contains(&attribute_value) {
                return Err(ApiError::invalid_parameter(format!(
                    "{attribute_value} is not a value of the predefined attribute {attribute_name}"
                )));
            }
            let level = if with_level {
                let level = item
                    .float("Level")?
                    .ok_or_else(|| ApiError::invalid_parameter("Level is required"))?;
                if !(1.0..=5.0).contains(&level) {
                    return Err(ApiError::invalid_parameter(format!(
                        "Level must be between 1.0 and 5.0: {level}"
                    )));
                }
                level
            } else {
                0.0
            };
            Ok(ProficiencyRecord {
                attribute_name,
                attribute_value,
                level,
            })
        })
        .collect()
}

fn same(a: &ProficiencyRecord, b: &ProficiencyRecord) -> bool {
    a.attribute_name == b.attribute_name && a.attribute_value == b.attribute_value
}

/// AssociateUserProficiencies (`POST /users/{InstanceId}/{UserId}/associate-proficiencies`).
pub fn associate(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let new = proficiencies(instance, &call.fields()?, true)?;
    let user = instance.user_mut(call.param(1))?;
    if let Some(held) = new
        .iter()
        .find(|n| user.proficiencies.iter().any(|p| same(p, n)))
    {
        return Err(ApiError::invalid_parameter(format!(
            "The user already has the proficiency {}:{}; use UpdateUserProficiencies",
            held.attribute_name, held.attribute_value
        )));
    }
    user.proficiencies.extend(new);
    user.last_modified = EpochMillis::now();
    Ok(json!({}))
}

/// UpdateUserProficiencies (`POST /users/{InstanceId}/{UserId}/proficiencies`):
/// only proficiencies the user already has.
pub fn update(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let changed = proficiencies(instance, &call.fields()?, true)?;
    let user = instance.user_mut(call.param(1))?;
    if let Some(missing) = changed
        .iter()
        .find(|c| !user.proficiencies.iter().any(|p| same(p, c)))
    {
        return Err(ApiError::invalid_parameter(format!(
            "The user has no proficiency {}:{}; use AssociateUserProficiencies",
            missing.attribute_name, missing.attribute_value
        )));
    }
    for c in changed {
        if let Some(p) = user.proficiencies.iter_mut().find(|p| same(p, &c)) {
            p.level = c.level;
        }
    }
    user.last_modified = EpochMillis::now();
    Ok(json!({}))
}

/// DisassociateUserProficiencies (`POST /users/{InstanceId}/{UserId}/disassociate-proficiencies`).
pub fn disassociate(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let gone = proficiencies(instance, &call.fields()?, false)?;
    let user = instance.user_mut(call.param(1))?;
    user.proficiencies
        .retain(|p| !gone.iter().any(|g| same(p, g)));
    user.last_modified = EpochMillis::now();
    Ok(json!({}))
}
