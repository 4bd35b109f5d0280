//! A user's `displayName` (RFC 7643 §4.1.1), which Connect has no field for.
//! It shows "givenName familyName" unless the identity provider sent another
//! one; only that other one is kept, in the `scim:displayName` tag (encoded
//! like a renamed group's name), so Okta, which sends exactly the two names,
//! and users without one cost no tag.

use crate::connect::IdentityInfo;
use crate::scim::error::ScimError;
use crate::scim::patch::PatchRequest;
use crate::scim::path::PatchPath;

use super::tags::encode_name;

/// "givenName familyName" (either alone when the other is missing); `None`
/// for a user without names.
pub fn derived(identity: &IdentityInfo) -> Option<String> {
    let names: Vec<&str> = [&identity.first_name, &identity.last_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    (!names.is_empty()).then(|| names.join(" "))
}

/// What a user shows as `displayName`: the stored one, else the names.
pub fn shown(stored: Option<&str>, identity: &IdentityInfo) -> Option<String> {
    stored.map(str::to_owned).or_else(|| derived(identity))
}

/// The `displayName` to keep in the tag for a user who will hold `identity`:
/// none when none is wanted or it equals the names; a 400 naming
/// `displayName` and the limit when a tag cannot hold it (checked before any
/// write).
pub fn stored(wanted: Option<&str>, identity: &IdentityInfo) -> Result<Option<String>, ScimError> {
    let Some(wanted) = wanted.filter(|w| !w.trim().is_empty()) else {
        return Ok(None);
    };
    if derived(identity).as_deref() == Some(wanted) {
        return Ok(None);
    }
    if encode_name(wanted).is_none() {
        return Err(ScimError::invalid_value(format!(
            "displayName is {} bytes long; Amazon Connect has no field for it, so it is kept in a user tag, \
             which holds at most 256 characters of letters, digits, spaces and _.:/=+-@, or 189 bytes of \
             other text. Nothing in this request was applied",
            wanted.len()
        )));
    }
    Ok(Some(wanted.to_owned()))
}

/// Whether a PATCH names `displayName`: by path, or as a key of a path-less
/// value. A PATCH that does not leaves a name-derived `displayName` to follow
/// the names.
pub fn patched(request: &PatchRequest) -> bool {
    request.operations.iter().any(|op| match &op.path {
        Some(path) => names_display_name(path),
        None => op
            .value
            .as_ref()
            .and_then(|v| v.as_object())
            .is_some_and(|map| {
                map.keys().any(|k| {
                    k.eq_ignore_ascii_case("displayName")
                        || k.eq_ignore_ascii_case(&format!(
                            "{}:displayName",
                            crate::scim::schema::USER
                        ))
                })
            }),
    })
}

fn names_display_name(path: &PatchPath) -> bool {
    let attr = &path.attr;
    attr.attr.eq_ignore_ascii_case("displayName")
        && attr
            .urn
            .as_deref()
            .is_none_or(|u| u.eq_ignore_ascii_case(crate::scim::schema::USER))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names(first: Option<&str>, last: Option<&str>) -> IdentityInfo {
        IdentityInfo {
            first_name: first.map(str::to_owned),
            last_name: last.map(str::to_owned),
            ..IdentityInfo::default()
        }
    }

    #[test]
    fn only_a_display_name_other_than_the_names_is_kept() {
        let sam = names(Some("Sam"), Some("Lee"));
        assert_eq!(stored(Some("Sam Lee"), &sam).unwrap(), None);
        assert_eq!(stored(None, &sam).unwrap(), None);
        assert_eq!(stored(Some("  "), &sam).unwrap(), None);
        assert_eq!(
            stored(Some("sam lee"), &sam).unwrap().as_deref(),
            Some("sam lee")
        );
        assert_eq!(derived(&names(None, Some("Lee"))).as_deref(), Some("Lee"));
        assert_eq!(derived(&names(None, None)), None);
        assert_eq!(shown(Some("Boss"), &sam).as_deref(), Some("Boss"));
    }

    #[test]
    fn a_display_name_no_tag_can_hold_is_refused_naming_it() {
        let sam = names(Some("Sam"), Some("Lee"));
        assert!(stored(Some(&"a".repeat(256)), &sam).is_ok());
        let e = stored(Some(&"(".repeat(190)), &sam).unwrap_err();
        assert!(e.detail.starts_with("displayName") && e.detail.contains("189 bytes"));
    }

    #[test]
    fn a_patch_names_display_name_by_path_or_pathless_key() {
        let read =
            |ops: serde_json::Value| PatchRequest::from_json(&json!({"Operations": ops})).unwrap();
        assert!(patched(&read(
            json!([{"op": "replace", "path": "displayName", "value": "X"}])
        )));
        assert!(patched(&read(
            json!([{"op": "remove", "path": "DisplayName"}])
        )));
        assert!(patched(&read(
            json!([{"op": "Replace", "value": {"displayName": "X"}}])
        )));
        assert!(!patched(&read(
            json!([{"op": "replace", "path": "name.givenName", "value": "X"}])
        )));
    }
}
