//! TagResource, UntagResource and ListTagsForResource (`/tags/{resourceArn}`)
//! on users and security profiles, addressed by ARN.

use serde_json::json;

use super::dispatch::Call;
use super::state::{EpochMillis, Instance, Tags};
use super::validation;
use super::wire::{ApiError, ApiResult};

/// What an ARN names: `instance/{id}/agent/{id}` or `instance/{id}/security-profile/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tagged<'a> {
    User(&'a str),
    SecurityProfile(&'a str),
}

/// Resolves an ARN of this instance (any region or account) to a taggable resource.
fn resolve<'a>(instance: &Instance, arn: &'a str) -> Result<Tagged<'a>, ApiError> {
    let not_found = || ApiError::not_found(format!("Resource not found: {arn}"));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, _, service, _, _, resource] = parts[..] else {
        return Err(ApiError::invalid_parameter(format!("Not an ARN: {arn:?}")));
    };
    if prefix != "arn" || service != "connect" {
        return Err(ApiError::invalid_parameter(format!(
            "Not an Amazon Connect ARN: {arn:?}"
        )));
    }
    let segments: Vec<&str> = resource.split('/').collect();
    let tagged = match segments[..] {
        ["instance", id, "agent", user] if id == instance.id => Tagged::User(user),
        ["instance", id, "security-profile", profile] if id == instance.id => {
            Tagged::SecurityProfile(profile)
        }
        _ => return Err(not_found()),
    };
    let exists = match tagged {
        Tagged::User(id) => instance.user(id).is_ok(),
        Tagged::SecurityProfile(id) => instance.security_profile(id).is_ok(),
    };
    if exists { Ok(tagged) } else { Err(not_found()) }
}

fn tags_of<'a>(instance: &'a Instance, tagged: Tagged) -> Option<&'a Tags> {
    match tagged {
        Tagged::User(id) => instance.users.iter().find(|u| u.id == id).map(|u| &u.tags),
        Tagged::SecurityProfile(id) => instance
            .security_profiles
            .iter()
            .find(|p| p.id == id)
            .map(|p| &p.tags),
    }
}

fn set_tags(instance: &mut Instance, tagged: Tagged, tags: Tags) {
    let now = EpochMillis::now();
    match tagged {
        Tagged::User(id) => {
            if let Some(user) = instance.users.iter_mut().find(|u| u.id == id) {
                user.tags = tags;
                user.last_modified = now;
            }
        }
        Tagged::SecurityProfile(id) => {
            if let Some(profile) = instance.security_profiles.iter_mut().find(|p| p.id == id) {
                profile.tags = tags;
                profile.last_modified = now;
            }
        }
    }
}

/// Merges `tags` into security profile `id` as TagResource does (validated
/// the same way); whether the profile exists and took them.
pub fn tag_security_profile(instance: &mut Instance, id: &str, new: &Tags) -> bool {
    let tagged = Tagged::SecurityProfile(id);
    let Some(existing) = tags_of(instance, tagged).cloned() else {
        return false;
    };
    match validation::merged_tags(&existing, new) {
        Ok(merged) => {
            set_tags(instance, tagged, merged);
            true
        }
        Err(_) => false,
    }
}

/// TagResource (`POST /tags/{resourceArn}`): merges `tags`, at most 50 in all.
pub fn tag(instance: &mut Instance, call: &Call) -> ApiResult {
    let arn = call.param(0);
    let tagged = resolve(instance, arn)?;
    let new = call
        .fields()?
        .string_map("tags")?
        .ok_or_else(|| ApiError::invalid_parameter("tags is required"))?;
    if new.is_empty() {
        return Err(ApiError::invalid_parameter(
            "tags must hold at least one tag",
        ));
    }
    let existing = tags_of(instance, tagged).cloned().unwrap_or_default();
    let merged = validation::merged_tags(&existing, &new)?;
    set_tags(instance, tagged, merged);
    Ok(json!({}))
}

/// UntagResource (`DELETE /tags/{resourceArn}?tagKeys=…`): 1–50 keys.
pub fn untag(instance: &mut Instance, call: &Call) -> ApiResult {
    let arn = call.param(0);
    let tagged = resolve(instance, arn)?;
    let keys = call.query.all("tagKeys");
    if !(1..=50).contains(&keys.len()) {
        return Err(ApiError::invalid_parameter(format!(
            "tagKeys must hold 1 to 50 keys, got {}",
            keys.len()
        )));
    }
    for key in &keys {
        validation::tag_key(key)?;
    }
    let mut tags = tags_of(instance, tagged).cloned().unwrap_or_default();
    for key in &keys {
        tags.remove(key);
    }
    set_tags(instance, tagged, tags);
    Ok(json!({}))
}

/// ListTagsForResource (`GET /tags/{resourceArn}`).
pub fn list(instance: &Instance, call: &Call) -> ApiResult {
    let tagged = resolve(instance, call.param(0))?;
    let tags = tags_of(instance, tagged).cloned().unwrap_or_default();
    Ok(json!({ "tags": tags }))
}
