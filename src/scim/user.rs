//! A typed view of a User (RFC 7643 §4.1, §4.3) plus our Connect extension, for
//! the provisioning code: read leniently like PATCH values, strict where it
//! matters (`userName` required, wrong JSON types named), rendered with only
//! the attributes that are present.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::group::Member;
use super::json_keys::{self, put, string};
use super::patch::coerce;
use super::schema::{CONNECT_USER, ENTERPRISE_USER, ResourceSchema, USER};

pub mod proficiency;
pub use proficiency::ProficiencyValue;

/// The `name` complex attribute (RFC 7643 §4.1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    /// `formatted`.
    pub formatted: Option<String>,
    /// `givenName`.
    pub given_name: Option<String>,
    /// `familyName`.
    pub family_name: Option<String>,
    /// `middleName`.
    pub middle_name: Option<String>,
    /// `honorificPrefix`.
    pub honorific_prefix: Option<String>,
    /// `honorificSuffix`.
    pub honorific_suffix: Option<String>,
}

const NAME_FIELDS: [&str; 6] = [
    "formatted",
    "givenName",
    "familyName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
];

impl Name {
    fn fields(&self) -> [&Option<String>; 6] {
        [
            &self.formatted,
            &self.given_name,
            &self.family_name,
            &self.middle_name,
            &self.honorific_prefix,
            &self.honorific_suffix,
        ]
    }
}

/// One value of `emails`, `phoneNumbers`, `entitlements` or `roles` (RFC 7643 §2.4, §4.1.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultiValue {
    /// `value`.
    pub value: String,
    /// `type`, e.g. `work`, `mobile`.
    pub type_: Option<String>,
    /// `primary`: `None` when not sent (the value's default applies).
    pub primary: Option<bool>,
    /// `display`.
    pub display: Option<String>,
}

impl MultiValue {
    fn from_value(value: &Value) -> Option<MultiValue> {
        let map = value.as_object()?;
        Some(MultiValue {
            value: string(map, "value").filter(|v| !v.is_empty())?,
            type_: string(map, "type"),
            primary: json_keys::get(map, "primary").and_then(Value::as_bool),
            display: string(map, "display"),
        })
    }

    fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("value".into(), Value::from(self.value.as_str()));
        put(&mut map, "type", self.type_.clone());
        put(&mut map, "primary", self.primary);
        put(&mut map, "display", self.display.clone());
        Value::Object(map)
    }

    /// Whether the value was sent with `primary: true`.
    pub fn is_primary(&self) -> bool {
        self.primary == Some(true)
    }

    fn is_type(&self, wanted: &str) -> bool {
        self.type_
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(wanted))
    }
}

/// The enterprise `manager` (RFC 7643 §4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    /// The manager's `id`.
    pub value: String,
    /// `$ref`: the manager's URI.
    pub ref_: Option<String>,
    /// `displayName` (read-only; set by the server when rendering).
    pub display_name: Option<String>,
}

/// The Enterprise User extension (RFC 7643 §4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnterpriseUser {
    /// `employeeNumber`.
    pub employee_number: Option<String>,
    /// `costCenter`.
    pub cost_center: Option<String>,
    /// `organization`.
    pub organization: Option<String>,
    /// `division`.
    pub division: Option<String>,
    /// `department` (Entra: comma-separated security profile names, see DESIGN.md).
    pub department: Option<String>,
    /// `manager`.
    pub manager: Option<Manager>,
}

/// Our Amazon Connect extension (`urn:...:amazonconnect:2.0:User`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectExtension {
    /// Security profile names; `Some(empty)` when sent as `null` or `[]`.
    pub security_profiles: Option<Vec<String>>,
    /// Routing profile name.
    pub routing_profile: Option<String>,
    /// Hierarchy group name path (`Seattle/Tier1`): `None` absent, `Some(None)` explicit null (clear).
    pub hierarchy_group: Option<Option<String>>,
    /// `SOFT_PHONE` or `DESK_PHONE`.
    pub phone_type: Option<String>,
    /// Desk phone number (E.164).
    pub desk_phone_number: Option<String>,
    /// Auto-accept calls.
    pub auto_accept: Option<bool>,
    /// After-contact work time limit, seconds.
    pub after_contact_work_time_limit: Option<i64>,
    /// Routing proficiencies; `None` absent (left as they are), `Some(empty)`
    /// sent as `null` or `[]` (remove them all).
    pub proficiencies: Option<Vec<ProficiencyValue>>,
}

/// A User as the provisioning code sees it (RFC 7643 §4.1, §4.3, our extension).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimUser {
    /// `userName`, required.
    pub user_name: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// `name`.
    pub name: Option<Name>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `nickName`.
    pub nick_name: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// `locale`.
    pub locale: Option<String>,
    /// `timezone`.
    pub timezone: Option<String>,
    /// `active`.
    pub active: Option<bool>,
    /// `emails`.
    pub emails: Vec<MultiValue>,
    /// `phoneNumbers`.
    pub phone_numbers: Vec<MultiValue>,
    /// `entitlements` (Okta: security profile names).
    pub entitlements: Vec<MultiValue>,
    /// `roles` (Okta: routing profile name).
    pub roles: Vec<MultiValue>,
    /// `groups`: read-only, ignored on input, rendered when set by the server.
    pub groups: Vec<Member>,
    /// `password`: write-only, never rendered.
    pub password: Option<String>,
    /// The Enterprise User extension, when sent.
    pub enterprise: Option<EnterpriseUser>,
    /// The Connect extension, when sent.
    pub connect: Option<ConnectExtension>,
}

fn multi(map: &Map<String, Value>, name: &str) -> Vec<MultiValue> {
    match json_keys::get(map, name) {
        Some(Value::Array(items)) => items.iter().filter_map(MultiValue::from_value).collect(),
        _ => Vec::new(),
    }
}

fn read_name(map: &Map<String, Value>) -> Option<Name> {
    let name = json_keys::get(map, "name")?.as_object()?;
    let [
        formatted,
        given_name,
        family_name,
        middle_name,
        honorific_prefix,
        honorific_suffix,
    ] = NAME_FIELDS.map(|f| string(name, f));
    Some(Name {
        formatted,
        given_name,
        family_name,
        middle_name,
        honorific_prefix,
        honorific_suffix,
    })
}

fn read_enterprise(ext: &Map<String, Value>) -> EnterpriseUser {
    let manager = json_keys::get(ext, "manager")
        .and_then(Value::as_object)
        .and_then(|m| {
            Some(Manager {
                value: string(m, "value")?,
                ref_: string(m, "$ref"),
                display_name: string(m, "displayName"),
            })
        });
    EnterpriseUser {
        employee_number: string(ext, "employeeNumber"),
        cost_center: string(ext, "costCenter"),
        organization: string(ext, "organization"),
        division: string(ext, "division"),
        department: string(ext, "department"),
        manager,
    }
}

fn read_connect(ext: &Map<String, Value>) -> Result<ConnectExtension, ScimError> {
    let security_profiles = json_keys::get(ext, "securityProfiles").map(|v| match v {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    });
    let hierarchy_group =
        json_keys::get(ext, "hierarchyGroup").map(|v| v.as_str().map(str::to_owned));
    let proficiencies = ext
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("proficiencies"))
        .map(|(_, v)| proficiency::read(v))
        .transpose()?;
    Ok(ConnectExtension {
        security_profiles,
        routing_profile: string(ext, "routingProfile"),
        hierarchy_group,
        phone_type: string(ext, "phoneType"),
        desk_phone_number: string(ext, "deskPhoneNumber"),
        auto_accept: json_keys::get(ext, "autoAccept").and_then(Value::as_bool),
        after_contact_work_time_limit: json_keys::get(ext, "afterContactWorkTimeLimit")
            .and_then(Value::as_i64),
        proficiencies,
    })
}

impl ScimUser {
    /// Reads a POST/PUT User body (RFC 7644 §3.3, §3.5.1) with PATCH's leniency;
    /// a missing `userName` and uncoercible types are 400 `invalidValue`.
    pub fn from_json(body: &Value) -> Result<ScimUser, ScimError> {
        let mut body = body.clone();
        coerce(&mut body, &ResourceSchema::user())?;
        let map = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("the user must be a JSON object"))?;
        let user_name = string(map, "userName")
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ScimError::invalid_value("userName is required"))?;
        let extension = |urn: &str| json_keys::get(map, urn).and_then(Value::as_object);
        Ok(ScimUser {
            user_name,
            external_id: string(map, "externalId"),
            name: read_name(map),
            display_name: string(map, "displayName"),
            nick_name: string(map, "nickName"),
            title: string(map, "title"),
            locale: string(map, "locale"),
            timezone: string(map, "timezone"),
            active: json_keys::get(map, "active").and_then(Value::as_bool),
            emails: multi(map, "emails"),
            phone_numbers: multi(map, "phoneNumbers"),
            entitlements: multi(map, "entitlements"),
            roles: multi(map, "roles"),
            groups: Vec::new(),
            password: string(map, "password"),
            enterprise: extension(ENTERPRISE_USER).map(read_enterprise),
            connect: extension(CONNECT_USER).map(read_connect).transpose()?,
        })
    }

    /// The user as SCIM JSON (RFC 7643 §4.1): present attributes only, extension
    /// URNs in `schemas` only when they have content, never the password. The
    /// caller adds `id` and `meta`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        let mut schemas = vec![USER];
        map.insert("userName".into(), Value::from(self.user_name.as_str()));
        put(&mut map, "externalId", self.external_id.clone());
        if let Some(name) = &self.name {
            let mut n = Map::new();
            for (field, value) in NAME_FIELDS.iter().zip(name.fields()) {
                put(&mut n, field, value.clone());
            }
            if !n.is_empty() {
                map.insert("name".into(), Value::Object(n));
            }
        }
        put(&mut map, "displayName", self.display_name.clone());
        put(&mut map, "nickName", self.nick_name.clone());
        put(&mut map, "title", self.title.clone());
        put(&mut map, "locale", self.locale.clone());
        put(&mut map, "timezone", self.timezone.clone());
        put(&mut map, "active", self.active);
        for (key, values) in [
            ("emails", &self.emails),
            ("phoneNumbers", &self.phone_numbers),
            ("entitlements", &self.entitlements),
            ("roles", &self.roles),
        ] {
            if !values.is_empty() {
                map.insert(key.into(), values.iter().map(MultiValue::to_json).collect());
            }
        }
        if !self.groups.is_empty() {
            map.insert(
                "groups".into(),
                self.groups.iter().map(Member::to_json).collect(),
            );
        }
        if let Some(ext) = self
            .enterprise
            .as_ref()
            .map(enterprise_json)
            .filter(|e| !e.is_empty())
        {
            schemas.push(ENTERPRISE_USER);
            map.insert(ENTERPRISE_USER.into(), Value::Object(ext));
        }
        if let Some(ext) = self
            .connect
            .as_ref()
            .map(connect_json)
            .filter(|e| !e.is_empty())
        {
            schemas.push(CONNECT_USER);
            map.insert(CONNECT_USER.into(), Value::Object(ext));
        }
        map.insert("schemas".into(), Value::from(schemas));
        Value::Object(map)
    }

    /// The two emails Connect stores: as Email the primary, else `work`, else
    /// the first; as SecondaryEmail the first with another address.
    pub fn connect_emails(&self) -> (Option<&MultiValue>, Option<&MultiValue>) {
        let primary = self
            .emails
            .iter()
            .find(|e| e.is_primary())
            .or_else(|| self.emails.iter().find(|e| e.is_type("work")))
            .or_else(|| self.emails.first());
        let secondary = primary.and_then(|p| self.emails.iter().find(|e| e.value != p.value));
        (primary, secondary)
    }

    /// The email Connect stores as Email: primary, else `work`, else the first.
    pub fn primary_email(&self) -> Option<&str> {
        self.connect_emails().0.map(|e| e.value.as_str())
    }

    /// The email Connect stores as SecondaryEmail: the first other than the primary one.
    pub fn secondary_email(&self) -> Option<&str> {
        self.connect_emails().1.map(|e| e.value.as_str())
    }

    /// The phone Connect stores as Mobile: type `mobile`, else primary, else the first.
    pub fn mobile_phone(&self) -> Option<&str> {
        self.phone_numbers
            .iter()
            .find(|p| p.is_type("mobile"))
            .or_else(|| self.phone_numbers.iter().find(|p| p.is_primary()))
            .or_else(|| self.phone_numbers.first())
            .map(|p| p.value.as_str())
    }
}

fn enterprise_json(ext: &EnterpriseUser) -> Map<String, Value> {
    let mut map = Map::new();
    put(&mut map, "employeeNumber", ext.employee_number.clone());
    put(&mut map, "costCenter", ext.cost_center.clone());
    put(&mut map, "organization", ext.organization.clone());
    put(&mut map, "division", ext.division.clone());
    put(&mut map, "department", ext.department.clone());
    if let Some(manager) = &ext.manager {
        let mut m = Map::new();
        m.insert("value".into(), Value::from(manager.value.as_str()));
        put(&mut m, "$ref", manager.ref_.clone());
        put(&mut m, "displayName", manager.display_name.clone());
        map.insert("manager".into(), Value::Object(m));
    }
    map
}

fn connect_json(ext: &ConnectExtension) -> Map<String, Value> {
    let mut map = Map::new();
    put(&mut map, "securityProfiles", ext.security_profiles.clone());
    put(&mut map, "routingProfile", ext.routing_profile.clone());
    put(
        &mut map,
        "hierarchyGroup",
        ext.hierarchy_group.clone().flatten(),
    );
    put(&mut map, "phoneType", ext.phone_type.clone());
    put(&mut map, "deskPhoneNumber", ext.desk_phone_number.clone());
    put(&mut map, "autoAccept", ext.auto_accept);
    put(
        &mut map,
        "afterContactWorkTimeLimit",
        ext.after_contact_work_time_limit,
    );
    if let Some(proficiencies) = &ext.proficiencies {
        map.insert("proficiencies".into(), proficiency::to_json(proficiencies));
    }
    map
}

#[cfg(test)]
mod tests;
