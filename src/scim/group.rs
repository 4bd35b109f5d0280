//! A typed view of a Group (RFC 7643 §4.2) for the provisioning code, read
//! leniently (like PATCH values) and rendered with only present attributes.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::json_keys::{self, put, string};
use super::patch::coerce;
use super::schema::{GROUP, ResourceSchema};

/// One value of Group `members` (RFC 7643 §4.2), also used for User `groups` (§4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's (or group's) `id`.
    pub value: String,
    /// A human-readable name.
    pub display: Option<String>,
    /// The URI of the resource (`$ref`).
    pub ref_: Option<String>,
    /// `User` or `Group` (for `groups`: `direct` or `indirect`).
    pub type_: Option<String>,
}

impl Member {
    /// Reads one member object; `None` when it has no `value`.
    pub(super) fn from_value(value: &Value) -> Option<Member> {
        let map = value.as_object()?;
        Some(Member {
            value: string(map, "value").filter(|v| !v.is_empty())?,
            display: string(map, "display"),
            ref_: string(map, "$ref"),
            type_: string(map, "type"),
        })
    }

    /// The member as SCIM JSON.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("value".into(), Value::from(self.value.as_str()));
        put(&mut map, "display", self.display.clone());
        put(&mut map, "$ref", self.ref_.clone());
        put(&mut map, "type", self.type_.clone());
        Value::Object(map)
    }
}

/// A Group as the provisioning code sees it (RFC 7643 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimGroup {
    /// `displayName`, required.
    pub display_name: String,
    /// `externalId` (Entra sends the group's objectId).
    pub external_id: Option<String>,
    /// `members`: `None` when absent, `Some(empty)` when `null` or `[]`.
    pub members: Option<Vec<Member>>,
}

impl ScimGroup {
    /// Reads a POST/PUT Group body leniently (RFC 7644 §3.3, §3.5.1); a missing
    /// `displayName` or a member without `value` is 400 `invalidValue`.
    pub fn from_json(body: &Value) -> Result<ScimGroup, ScimError> {
        let mut body = body.clone();
        coerce(&mut body, &ResourceSchema::group())?;
        let map = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("the group must be a JSON object"))?;
        let display_name = string(map, "displayName")
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ScimError::invalid_value("displayName is required"))?;
        let members = match json_keys::get(map, "members") {
            None => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        Member::from_value(m).ok_or_else(|| {
                            ScimError::invalid_value(format!("members[{i}].value is required"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => Some(Vec::new()),
        };
        Ok(ScimGroup {
            display_name,
            external_id: string(map, "externalId"),
            members,
        })
    }

    /// The group as SCIM JSON, present attributes only (no `id`/`meta`: the caller adds them).
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("schemas".into(), Value::from(vec![GROUP]));
        map.insert(
            "displayName".into(),
            Value::from(self.display_name.as_str()),
        );
        put(&mut map, "externalId", self.external_id.clone());
        if let Some(members) = &self.members {
            map.insert(
                "members".into(),
                members.iter().map(Member::to_json).collect(),
            );
        }
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::error::ScimType;
    use super::*;

    #[test]
    fn entra_group_create_with_adscim_schema_is_read() {
        let g = ScimGroup::from_json(&json!({
            "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
            "externalId": "8aa1a0c0", "DisplayName": "Tour Guides"
        }))
        .unwrap();
        assert_eq!(
            g,
            ScimGroup {
                display_name: "Tour Guides".into(),
                external_id: Some("8aa1a0c0".into()),
                members: None
            }
        );
        assert_eq!(
            g.to_json(),
            json!({"schemas": [GROUP], "displayName": "Tour Guides", "externalId": "8aa1a0c0"})
        );
    }

    #[test]
    fn okta_group_push_with_members_round_trips() {
        let body = json!({"schemas": [GROUP], "displayName": "Agents", "members": [{"value": "u1", "display": "Babs"}]});
        let g = ScimGroup::from_json(&body).unwrap();
        assert_eq!(g.members.as_ref().map(Vec::len), Some(1));
        assert_eq!(g.to_json(), body);
        let empty = ScimGroup::from_json(&json!({"displayName": "A", "members": []})).unwrap();
        assert_eq!(empty.members, Some(Vec::new()));
    }

    #[test]
    fn display_name_and_member_values_are_required() {
        let e = ScimGroup::from_json(&json!({"schemas": [GROUP]})).unwrap_err();
        assert_eq!(
            (e.scim_type, e.detail.as_str()),
            (Some(ScimType::InvalidValue), "displayName is required")
        );
        let e = ScimGroup::from_json(&json!({"displayName": "A", "members": [{"display": "x"}]}))
            .unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
        let e = ScimGroup::from_json(&json!({"displayName": ["A"]})).unwrap_err();
        assert!(e.detail.contains("displayName"), "{}", e.detail);
    }
}
