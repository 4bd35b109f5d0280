//! A security profile rendered as a SCIM Group (RFC 7643 §4.2): `id` is the
//! profile id, `displayName` the group's own name (a renamed group's
//! `scim:displayName` tag) or else the profile's, members carry `value`,
//! `$ref` and `type` (RFC 7643 §8.7.1); `meta.lastModified` is the profile's
//! LastModifiedTime (RFC 7643 §3.1), `meta.created` its `scim:created` tag,
//! which only a profile SCIM created has (Connect keeps no creation time).

use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use crate::connect::Summary;
use crate::scim::schema;

use super::members::MemberRef;
use super::profile::GroupTags;

/// The SCIM Group JSON of a security profile (its LastModifiedTime in
/// `profile.last_modified`) with these tags; `members` only when given.
pub fn group_json(
    profile: &Summary,
    tags: &GroupTags,
    members: Option<&[MemberRef]>,
    base: &str,
) -> Value {
    let mut out = Map::new();
    out.insert("schemas".into(), json!([schema::GROUP]));
    out.insert("id".into(), json!(profile.id));
    if let Some(x) = &tags.external_id {
        out.insert("externalId".into(), json!(x));
    }
    let name = tags.display_name.as_deref().unwrap_or(&profile.name);
    out.insert("displayName".into(), json!(name));
    if let Some(members) = members {
        let members: Vec<Value> = members
            .iter()
            .map(|m| {
                json!({
                    "value": m.id,
                    "$ref": format!("{base}/Users/{}", m.id),
                    "type": "User",
                })
            })
            .collect();
        out.insert("members".into(), Value::Array(members));
    }
    let mut meta = Map::new();
    meta.insert("resourceType".into(), json!("Group"));
    if let Some(created) = &tags.created {
        meta.insert("created".into(), json!(created));
    }
    if let Some(modified) = profile.last_modified.and_then(|t| t.format(&Rfc3339).ok()) {
        meta.insert("lastModified".into(), json!(modified));
    }
    meta.insert(
        "location".into(),
        json!(format!("{base}/Groups/{}", profile.id)),
    );
    out.insert("meta".into(), Value::Object(meta));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_carry_value_ref_and_type_as_rfc_7643_defines_them() {
        let profile = Summary {
            id: "g1".into(),
            arn: "arn:g1".into(),
            name: "Sales".into(),
            last_modified: None,
        };
        let members = [MemberRef {
            id: "u1".into(),
            username: "ana@example.com".into(),
        }];
        let tags = GroupTags {
            external_id: Some("8aa1".into()),
            ..GroupTags::default()
        };
        let json = group_json(&profile, &tags, Some(&members), "https://h/scim/v2");
        assert_eq!(json["displayName"], "Sales");
        assert_eq!(json["externalId"], "8aa1");
        assert!(json["members"][0].get("display").is_none());
        assert_eq!(json["members"][0]["$ref"], "https://h/scim/v2/Users/u1");
        assert_eq!(json["meta"]["location"], "https://h/scim/v2/Groups/g1");
        assert!(json["meta"].get("lastModified").is_none());
        let renamed = GroupTags {
            display_name: Some("Retail Agents".into()),
            created: Some("2026-01-02T03:04:05Z".into()),
            ..GroupTags::default()
        };
        let modified = Summary {
            last_modified: time::OffsetDateTime::from_unix_timestamp_nanos(
                1_767_323_045_250_000_000,
            )
            .ok(),
            ..profile.clone()
        };
        let json = group_json(&modified, &renamed, None, "b");
        assert_eq!(json["displayName"], "Retail Agents");
        assert_eq!(json["meta"]["created"], "2026-01-02T03:04:05Z");
        assert_eq!(json["meta"]["lastModified"], "2026-01-02T03:04:05.25Z");
        assert!(
            group_json(&profile, &GroupTags::default(), None, "b")
                .get("members")
                .is_none()
        );
    }
}
