//! What SCIM needs and Connect's user record lacks, kept in Connect user tags
//! (DESIGN.md: Connect is the source of truth, no database). Only keys under
//! `scim:` belong to us; every other tag is left alone.

use crate::connect::Tags;

/// Marks a user as provisioned by SCIM.
pub const MANAGED: &str = "scim:managed";
/// The identity provider's `externalId`.
pub const EXTERNAL_ID: &str = "scim:externalId";
/// `false` while the user is deactivated (absent means active).
pub const ACTIVE: &str = "scim:active";
/// The primary email, mirrored so SearchUsers summaries (which carry tags but no
/// email) render complete list results without a DescribeUser per user.
pub const EMAIL: &str = "scim:email";
/// The enterprise extension's `manager.value`.
pub const MANAGER: &str = "scim:manager";
/// Prefix of the security profile ids to restore on reactivation, one per tag
/// (`scim:restore.1` … `scim:restore.10`): ten ids do not fit one 256-char value.
pub const RESTORE_PREFIX: &str = "scim:restore.";

/// The SCIM state a user's tags hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimTags {
    pub managed: bool,
    pub external_id: Option<String>,
    pub active: bool,
    pub email: Option<String>,
    pub manager: Option<String>,
    /// Security profile ids to restore on reactivation (only while inactive).
    pub restore: Vec<String>,
}

impl ScimTags {
    /// Reads our tags out of a user's tag map.
    pub fn read(tags: &Tags) -> ScimTags {
        let mut restore: Vec<(u32, String)> = tags
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(RESTORE_PREFIX)?.parse().ok()?;
                Some((n, v.clone()))
            })
            .collect();
        restore.sort();
        ScimTags {
            managed: tags.get(MANAGED).is_some_and(|v| v == "true"),
            external_id: tags.get(EXTERNAL_ID).cloned(),
            active: !tags
                .get(ACTIVE)
                .is_some_and(|v| v.eq_ignore_ascii_case("false")),
            email: tags.get(EMAIL).cloned(),
            manager: tags.get(MANAGER).cloned(),
            restore: restore.into_iter().map(|(_, v)| v).collect(),
        }
    }

    /// Our tags as a tag map (keys absent where there is nothing to say).
    pub fn to_tags(&self) -> Tags {
        let mut tags = Tags::new();
        if self.managed {
            tags.insert(MANAGED.to_owned(), "true".to_owned());
        }
        let optional = [
            (EXTERNAL_ID, &self.external_id),
            (EMAIL, &self.email),
            (MANAGER, &self.manager),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                tags.insert(key.to_owned(), v.clone());
            }
        }
        if !self.active {
            tags.insert(ACTIVE.to_owned(), "false".to_owned());
            for (i, id) in self.restore.iter().enumerate() {
                tags.insert(format!("{RESTORE_PREFIX}{}", i + 1), id.clone());
            }
        }
        tags
    }
}

/// Whether a tag key is ours.
pub fn is_ours(key: &str) -> bool {
    key.starts_with("scim:")
}

/// The TagResource and UntagResource calls that turn the `scim:` tags of
/// `actual` into `desired`: tags to set (new or changed) and keys to remove.
pub fn diff(actual: &Tags, desired: &Tags) -> (Tags, Vec<String>) {
    let set: Tags = desired
        .iter()
        .filter(|(k, v)| actual.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = actual
        .keys()
        .filter(|k| is_ours(k) && !desired.contains_key(*k))
        .cloned()
        .collect();
    (set, remove)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_including_ten_restore_ids() {
        let state = ScimTags {
            managed: true,
            external_id: Some("00u1".into()),
            active: false,
            email: Some("a@example.com".into()),
            manager: None,
            restore: (1..=10).map(|i| format!("id-{i}")).collect(),
        };
        assert_eq!(ScimTags::read(&state.to_tags()), state);
    }

    #[test]
    fn an_active_user_keeps_no_restore_tags() {
        let state = ScimTags {
            managed: true,
            active: true,
            restore: vec!["x".into()],
            ..ScimTags::default()
        };
        let tags = state.to_tags();
        assert!(
            !tags
                .keys()
                .any(|k| k.starts_with(RESTORE_PREFIX) || k == ACTIVE)
        );
    }

    #[test]
    fn diff_leaves_foreign_tags_alone() {
        let mut actual = Tags::new();
        actual.insert("team".into(), "blue".into());
        actual.insert(ACTIVE.into(), "false".into());
        actual.insert(MANAGED.into(), "true".into());
        let mut desired = Tags::new();
        desired.insert(MANAGED.into(), "true".into());
        desired.insert(EXTERNAL_ID.into(), "x".into());
        let (set, remove) = diff(&actual, &desired);
        assert_eq!(set.keys().collect::<Vec<_>>(), vec![EXTERNAL_ID]);
        assert_eq!(remove, vec![ACTIVE.to_owned()]);
    }
}
