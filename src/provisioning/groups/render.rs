//! A security profile rendered as a SCIM Group (RFC 7643 §4.2): `id` is the
//! profile id, `displayName` its name, members carry `value`, `display` (the
//! userName), `$ref` and `type`.

use serde_json::{Map, Value, json};

use crate::connect::Summary;
use crate::scim::schema;

use super::members::MemberRef;

/// The SCIM Group JSON of a security profile; `members` only when given.
pub fn group_json(
    profile: &Summary,
    external_id: Option<&str>,
    members: Option<&[MemberRef]>,
    base: &str,
) -> Value {
    let mut out = Map::new();
    out.insert("schemas".into(), json!([schema::GROUP]));
    out.insert("id".into(), json!(profile.id));
    if let Some(x) = external_id {
        out.insert("externalId".into(), json!(x));
    }
    out.insert("displayName".into(), json!(profile.name));
    if let Some(members) = members {
        let members: Vec<Value> = members
            .iter()
            .map(|m| {
                json!({
                    "value": m.id,
                    "display": m.username,
                    "$ref": format!("{base}/Users/{}", m.id),
                    "type": "User",
                })
            })
            .collect();
        out.insert("members".into(), Value::Array(members));
    }
    out.insert(
        "meta".into(),
        json!({
            "resourceType": "Group",
            "location": format!("{base}/Groups/{}", profile.id),
        }),
    );
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_carry_value_display_and_ref() {
        let profile = Summary {
            id: "g1".into(),
            arn: "arn:g1".into(),
            name: "Sales".into(),
        };
        let members = [MemberRef {
            id: "u1".into(),
            username: "ana@example.com".into(),
        }];
        let json = group_json(&profile, Some("8aa1"), Some(&members), "https://h/scim/v2");
        assert_eq!(json["displayName"], "Sales");
        assert_eq!(json["externalId"], "8aa1");
        assert_eq!(json["members"][0]["display"], "ana@example.com");
        assert_eq!(json["members"][0]["$ref"], "https://h/scim/v2/Users/u1");
        assert_eq!(json["meta"]["location"], "https://h/scim/v2/Groups/g1");
        assert!(
            group_json(&profile, None, None, "b")
                .get("members")
                .is_none()
        );
    }
}
