//! A Connect user rendered as a SCIM User (RFC 7643 §4.1, with the enterprise
//! extension §4.3 and our Connect extension). Every source attribute of the
//! profiles (entitlements, department, the extension) shows the same names, so
//! an identity provider sees back what it sent; `displayName` and the emails'
//! `type` and `primary` show what it sent too (kept in tags where they differ
//! from what Connect's fields give).

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::connect::User;
use crate::scim::{etag, schema};

use super::agent::AgentState;
use super::names::Names;
use super::unset::Unset;

/// `meta` of a rendered user.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The resource's URL (`…/scim/v2/Users/{id}`).
    pub location: String,
    /// When SCIM created the user (its `scim:created` tag); rendered as
    /// `meta.created`, which falls back to `last_modified` when unknown.
    pub created: Option<OffsetDateTime>,
    pub last_modified: Option<OffsetDateTime>,
    /// The weak ETag, where the full Connect record was at hand.
    pub version: Option<String>,
}

impl Meta {
    /// This meta with `created` read from a user's tags.
    pub fn with_created(self, tags: &crate::connect::Tags) -> Meta {
        Meta {
            created: super::tags::created(tags),
            ..self
        }
    }
}

/// The SCIM User JSON of an agent. What a PATCH left unassigned and Connect
/// holds the default for is not shown (see [`super::unset`]), and an
/// extension with nothing to show is left out, with its schema.
pub fn user_json(id: &str, agent: &AgentState, names: &Names, meta: &Meta) -> Value {
    let hidden = Unset::shown_unassigned(agent);
    let mut out = Map::new();
    out.insert("schemas".into(), json!([schema::USER]));
    out.insert("id".into(), json!(id));
    if let Some(x) = &agent.external_id {
        out.insert("externalId".into(), json!(x));
    }
    out.insert("userName".into(), json!(agent.username));

    let identity = &agent.identity;
    let mut name = Map::new();
    if let Some(g) = &identity.first_name {
        name.insert("givenName".into(), json!(g));
    }
    if let Some(f) = &identity.last_name {
        name.insert("familyName".into(), json!(f));
    }
    if !name.is_empty() {
        out.insert("name".into(), Value::Object(name));
    }
    if let Some(display_name) = super::display_name::shown(agent.display_name.as_deref(), identity)
        .filter(|_| !hidden.display_name)
    {
        out.insert("displayName".into(), json!(display_name));
    }

    let mut emails = Vec::new();
    let types = &agent.email_types;
    for (email, label) in [
        (&identity.email, &types.email),
        (&identity.secondary_email, &types.secondary),
    ] {
        if let Some(e) = email {
            emails.push(json!({"value": e, "type": label.type_, "primary": label.primary}));
        }
    }
    if !emails.is_empty() {
        out.insert("emails".into(), Value::Array(emails));
    }
    if let Some(m) = &identity.mobile {
        out.insert(
            "phoneNumbers".into(),
            json!([{"value": m, "type": "mobile"}]),
        );
    }
    if !hidden.active {
        out.insert("active".into(), json!(agent.active));
    }
    let profiles = !hidden.security_profiles;
    let routing = hidden.routing_profile.is_none();
    if profiles {
        out.insert(
            "entitlements".into(),
            Value::Array(
                names
                    .security_profiles
                    .iter()
                    .map(|n| json!({"value": n}))
                    .collect(),
            ),
        );
    }
    if routing {
        out.insert("roles".into(), json!([{"value": names.routing_profile}]));
    }

    let mut enterprise = Map::new();
    if profiles {
        enterprise.insert(
            "department".into(),
            json!(names.security_profiles.join(",")),
        );
    }
    if let Some(m) = &agent.manager {
        enterprise.insert("manager".into(), json!({"value": m}));
    }
    extension(&mut out, schema::ENTERPRISE_USER, enterprise);

    let mut connect = Map::new();
    if profiles {
        connect.insert("securityProfiles".into(), json!(names.security_profiles));
    }
    if routing {
        connect.insert("routingProfile".into(), json!(names.routing_profile));
    }
    if let Some(h) = &names.hierarchy_group {
        connect.insert("hierarchyGroup".into(), json!(h));
    }
    if !hidden.phone_type {
        connect.insert("phoneType".into(), json!(agent.phone.phone_type.as_str()));
    }
    if let Some(d) = &agent.phone.desk_phone_number {
        connect.insert("deskPhoneNumber".into(), json!(d));
    }
    if !hidden.auto_accept {
        connect.insert("autoAccept".into(), json!(agent.phone.auto_accept));
    }
    if !hidden.after_contact_work_time_limit {
        connect.insert(
            "afterContactWorkTimeLimit".into(),
            json!(agent.phone.after_contact_work_time_limit),
        );
    }
    extension(&mut out, schema::CONNECT_USER, connect);

    let mut m = Map::new();
    m.insert("resourceType".into(), json!("User"));
    let created = meta.created.or(meta.last_modified);
    if let Some(t) = created.and_then(|t| t.format(&Rfc3339).ok()) {
        m.insert("created".into(), json!(t));
    }
    if let Some(t) = meta.last_modified.and_then(|t| t.format(&Rfc3339).ok()) {
        m.insert("lastModified".into(), json!(t));
    }
    m.insert("location".into(), json!(meta.location));
    if let Some(v) = &meta.version {
        m.insert("version".into(), json!(v));
    }
    out.insert("meta".into(), Value::Object(m));
    Value::Object(out)
}

/// Puts an extension's attributes into the user, and its URN into `schemas`,
/// when there is anything to show.
fn extension(out: &mut Map<String, Value>, urn: &str, attributes: Map<String, Value>) {
    if attributes.is_empty() {
        return;
    }
    if let Some(Value::Array(schemas)) = out.get_mut("schemas") {
        schemas.push(json!(urn));
    }
    out.insert(urn.into(), Value::Object(attributes));
}

/// The user's version (a weak ETag) over everything its representation shows,
/// so the ETag of a write's response equals that of a GET that follows it.
pub fn version(user: &User) -> String {
    let mut canonical = String::new();
    let mut push = |s: &str| {
        canonical.push_str(s);
        canonical.push('\u{1f}');
    };
    push(&user.username);
    let i = &user.identity;
    for field in [
        &i.first_name,
        &i.last_name,
        &i.email,
        &i.secondary_email,
        &i.mobile,
    ] {
        push(field.as_deref().unwrap_or("\u{0}"));
    }
    push(user.phone.phone_type.as_str());
    push(if user.phone.auto_accept { "1" } else { "0" });
    push(&user.phone.after_contact_work_time_limit.to_string());
    push(user.phone.desk_phone_number.as_deref().unwrap_or("\u{0}"));
    let mut profiles = user.security_profile_ids.clone();
    profiles.sort();
    push(&profiles.join(","));
    push(&user.routing_profile_id);
    push(user.hierarchy_group_id.as_deref().unwrap_or("\u{0}"));
    for (k, v) in &user.tags {
        push(k);
        push(v);
    }
    etag::weak_etag(canonical.as_bytes())
}
