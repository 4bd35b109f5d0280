//! The audit trail: one structured log event per Connect write that
//! provisioning makes (`audit=true`), with the SCIM request id, the caller
//! (the slot of its token), the Connect operation, the user and the before →
//! after values of exactly what the write changed: profile, routing and
//! hierarchy *names*, phone settings, names, emails, mobile, `scim:` tags.
//! Never a token, a password or a body. The schema is a contract (README,
//! Operations → Audit trail): a security team writes queries against it.

use serde_json::{Map, Value, json};

use crate::connect::cache::path_of;
use crate::connect::{Connect, IdentityInfo, PhoneConfig, Tags, User};
use crate::http::log::{current_caller, current_request_id};

use super::Provisioning;
use super::plan::Step;

/// One Connect write: what changed, from what, to what.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub before: Map<String, Value>,
    pub after: Map<String, Value>,
}

impl Change {
    /// Records `field` when its value changes.
    pub fn field(&mut self, field: &str, before: Value, after: Value) {
        if before != after {
            self.before.insert(field.to_owned(), before);
            self.after.insert(field.to_owned(), after);
        }
    }
}

/// Logs one audit event about a user.
pub fn event(operation: &str, user_id: &str, username: &str, change: &Change) {
    resource_event(operation, "user", user_id, username, change);
}

/// Logs one audit event about a Connect resource (`user` or `security-profile`).
pub fn resource_event(
    operation: &str,
    resource_type: &str,
    resource_id: &str,
    resource_name: &str,
    change: &Change,
) {
    let fields: Vec<&str> = change.after.keys().map(String::as_str).collect();
    let before = Value::Object(change.before.clone()).to_string();
    let after = Value::Object(change.after.clone()).to_string();
    tracing::info!(
        audit = true,
        request_id = %current_request_id().unwrap_or_else(|| "-".to_owned()),
        caller = %current_caller().unwrap_or_else(|| "-".to_owned()),
        operation,
        resource_type,
        resource_id,
        resource_name,
        fields = %fields.join(","),
        before = %before,
        after = %after,
        "audit"
    );
}

/// Logs one audit event about a security profile (a SCIM group): `field`
/// went from `before` to `after`.
pub fn profile_event(
    operation: &str,
    profile_id: &str,
    name: &str,
    field: &str,
    before: Value,
    after: Value,
) {
    let mut change = Change::default();
    change.field(field, before, after);
    resource_event(operation, "security-profile", profile_id, name, &change);
}

fn identity_change(change: &mut Change, before: &IdentityInfo, after: &IdentityInfo) {
    change.field(
        "firstName",
        json!(before.first_name),
        json!(after.first_name),
    );
    change.field("lastName", json!(before.last_name), json!(after.last_name));
    change.field("email", json!(before.email), json!(after.email));
    change.field(
        "secondaryEmail",
        json!(before.secondary_email),
        json!(after.secondary_email),
    );
    change.field("mobile", json!(before.mobile), json!(after.mobile));
}

fn phone_json(phone: &PhoneConfig) -> Value {
    json!({
        "phoneType": phone.phone_type.as_str(),
        "autoAccept": phone.auto_accept,
        "afterContactWorkTimeLimit": phone.after_contact_work_time_limit,
        "deskPhoneNumber": phone.desk_phone_number,
    })
}

fn tags_json(tags: &Tags, keys: impl Iterator<Item = String>) -> Value {
    Value::Object(
        keys.map(|k| {
            let v = tags.get(&k).map_or(Value::Null, |v| json!(v));
            (k, v)
        })
        .collect(),
    )
}

impl Provisioning {
    /// Security profile names for ids (the cache; an id it lacks stays an id).
    pub async fn profile_names(&self, connect: &dyn Connect, ids: &[String]) -> Vec<String> {
        let mut names = Vec::with_capacity(ids.len());
        for id in ids {
            let name = match self.cache.security_profile_by_id(connect, id).await {
                Ok(Some(profile)) => profile.name,
                _ => id.clone(),
            };
            names.push(name);
        }
        names.sort();
        names
    }

    async fn routing_name(&self, connect: &dyn Connect, id: &str) -> String {
        match self.cache.routing_profile_by_id(connect, id).await {
            Ok(Some(profile)) => profile.name,
            _ => id.to_owned(),
        }
    }

    async fn hierarchy_path(&self, connect: &dyn Connect, id: Option<&str>) -> Value {
        let Some(id) = id else { return Value::Null };
        match self.cache.hierarchy_group_by_id(connect, id).await {
            Ok(Some(group)) => json!(path_of(&group)),
            _ => json!(id),
        }
    }

    /// The audit events of `steps` (the first `done` of them were made) on
    /// `user` (its state before them).
    pub async fn audit_steps(
        &self,
        connect: &dyn Connect,
        user: &User,
        steps: &[Step],
        done: usize,
    ) {
        for step in steps.iter().take(done) {
            let mut change = Change::default();
            let operation = match step {
                Step::IdentityInfo(info) => {
                    identity_change(&mut change, &user.identity, info);
                    "UpdateUserIdentityInfo"
                }
                Step::PhoneConfig(phone) => {
                    change.field("phone", phone_json(&user.phone), phone_json(phone));
                    "UpdateUserPhoneConfig"
                }
                Step::RoutingProfile(id) => {
                    let before = self.routing_name(connect, &user.routing_profile_id).await;
                    let after = self.routing_name(connect, id).await;
                    change.field("routingProfile", json!(before), json!(after));
                    "UpdateUserRoutingProfile"
                }
                Step::Hierarchy(id) => {
                    let before = self
                        .hierarchy_path(connect, user.hierarchy_group_id.as_deref())
                        .await;
                    let after = self.hierarchy_path(connect, id.as_deref()).await;
                    change.field("hierarchyGroup", before, after);
                    "UpdateUserHierarchy"
                }
                Step::SecurityProfiles(ids) => {
                    let before = self
                        .profile_names(connect, &user.security_profile_ids)
                        .await;
                    let after = self.profile_names(connect, ids).await;
                    change.field("securityProfiles", json!(before), json!(after));
                    "UpdateUserSecurityProfiles"
                }
                Step::Tag(set) => {
                    change.field(
                        "tags",
                        tags_json(&user.tags, set.keys().cloned()),
                        tags_json(set, set.keys().cloned()),
                    );
                    "TagResource"
                }
                Step::AgentStatus(id) => {
                    change.field("agentStatus", Value::Null, json!(id));
                    "PutUserStatus"
                }
                Step::Untag(keys) => {
                    change.field(
                        "tags",
                        tags_json(&user.tags, keys.iter().cloned()),
                        tags_json(&Tags::new(), keys.iter().cloned()),
                    );
                    "UntagResource"
                }
            };
            event(operation, &user.id, &user.username, &change);
        }
    }

    /// The audit event of CreateUser.
    pub async fn audit_created(&self, connect: &dyn Connect, user: &User) {
        let mut change = Change::default();
        identity_change(&mut change, &IdentityInfo::default(), &user.identity);
        change.field("phone", Value::Null, phone_json(&user.phone));
        let profiles = self
            .profile_names(connect, &user.security_profile_ids)
            .await;
        change.field("securityProfiles", Value::Null, json!(profiles));
        let routing = self.routing_name(connect, &user.routing_profile_id).await;
        change.field("routingProfile", Value::Null, json!(routing));
        let hierarchy = self
            .hierarchy_path(connect, user.hierarchy_group_id.as_deref())
            .await;
        change.field("hierarchyGroup", Value::Null, hierarchy);
        change.field(
            "tags",
            Value::Null,
            tags_json(&user.tags, user.tags.keys().cloned()),
        );
        event("CreateUser", &user.id, &user.username, &change);
    }
}
