//! What SCIM needs and Connect's user record lacks, kept in Connect user tags
//! (DESIGN.md: Connect is the source of truth, no database). Only keys under
//! `scim:` belong to us; every other tag is left alone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::connect::Tags;

use super::emails::EmailTypes;
use super::unset::Unset;

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
/// Prefix of the security profile ids to restore on reactivation
/// (`scim:restore.1` …): one id per tag, which group member searches find by
/// exact value, when the user's tags leave room for that; else compact, the
/// ids joined by spaces in as few tags as Connect's 256-character values allow
/// (six profile ids a tag, so ten take two). Both forms are read.
pub const RESTORE_PREFIX: &str = "scim:restore.";
/// When SCIM created the user (RFC 3339, UTC, whole seconds): written once, in
/// CreateUser's tags, and never rewritten or removed by a later diff. Users SCIM
/// adopted or found have none; `meta.created` then falls back to `lastModified`.
pub const CREATED: &str = "scim:created";
/// The identity provider's `displayName` of a user, only when it differs from
/// "givenName familyName" (Connect has no field for it), encoded by
/// [`encode_name`].
pub const DISPLAY_NAME: &str = "scim:displayName";
/// The `type` and `primary` of the user's two emails, only when they differ
/// from what Email and SecondaryEmail show by default (`work`/primary,
/// `other`): see [`EmailTypes`].
pub const EMAIL_TYPES: &str = "scim:emailTypes";
/// What decided the user's security profiles: `entitlements`, `department`,
/// `securityProfiles`, `rules`, or `defaults:` and a fingerprint of the
/// default profiles given because nothing named any (see [`super::decider`]).
pub const PROFILE_SOURCE: &str = "scim:profileSource";
/// The attributes a PATCH removed that Connect holds a default for, shown
/// unassigned while it does (see [`super::unset`]); absent when none are.
pub const UNSET: &str = "scim:unset";
/// The prefix of a tag value holding base64url (no padding) of a text that
/// AWS's tag characters cannot hold as it is (see [`encode_name`]).
pub const ENCODED: &str = "b64:";
/// Amazon Connect's most tags per resource (TagResource).
pub const MAX_TAGS: usize = 50;
/// Amazon Connect's longest tag value.
pub const MAX_TAG_VALUE: usize = 256;

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
    /// The stored `displayName` ([`DISPLAY_NAME`]), decoded.
    pub display_name: Option<String>,
    /// How the emails show ([`EMAIL_TYPES`]; the defaults when absent).
    pub email_types: EmailTypes,
    /// [`PROFILE_SOURCE`], as written.
    pub profile_source: Option<String>,
    /// [`UNSET`], read.
    pub unset: Unset,
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
            restore: restore
                .iter()
                .flat_map(|(_, v)| v.split(' ').filter(|id| !id.is_empty()))
                .map(str::to_owned)
                .collect(),
            display_name: tags.get(DISPLAY_NAME).and_then(|v| decode_name(v)),
            email_types: tags
                .get(EMAIL_TYPES)
                .map(|v| EmailTypes::from_tag(v))
                .unwrap_or_default(),
            profile_source: tags.get(PROFILE_SOURCE).cloned(),
            unset: tags
                .get(UNSET)
                .map(|v| Unset::from_tag(v))
                .unwrap_or_default(),
        }
    }

    /// Our tags as a tag map (keys absent where there is nothing to say), the
    /// restore record one id per tag.
    pub fn to_tags(&self) -> Tags {
        self.to_tags_beside(0)
    }

    /// Our tags for a user that also holds `foreign` tags of others: the
    /// restore record one id per tag when all fit in Connect's 50, else compact.
    pub fn to_tags_beside(&self, foreign: usize) -> Tags {
        let mut tags = self.without_restore();
        if self.active {
            return tags;
        }
        let room = MAX_TAGS.saturating_sub(foreign + tags.len());
        let values = if self.restore.len() <= room {
            self.restore.clone()
        } else {
            packed(&self.restore)
        };
        for (i, value) in values.into_iter().enumerate() {
            tags.insert(format!("{RESTORE_PREFIX}{}", i + 1), value);
        }
        tags
    }

    fn without_restore(&self) -> Tags {
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
        }
        if let Some(name) = self.display_name.as_deref().and_then(encode_name) {
            tags.insert(DISPLAY_NAME.to_owned(), name);
        }
        if let Some(types) = self.email_types.to_tag() {
            tags.insert(EMAIL_TYPES.to_owned(), types);
        }
        if let Some(source) = &self.profile_source {
            tags.insert(PROFILE_SOURCE.to_owned(), source.clone());
        }
        if let Some(unset) = self.unset.to_tag() {
            tags.insert(UNSET.to_owned(), unset);
        }
        tags
    }
}

/// A name (a group's or a user's `displayName`) as a Connect tag value: as it
/// is when AWS's tag value rules allow (letters, digits, spaces, `_.:/=+-@`;
/// at most 256 characters) and it does not start with [`ENCODED`]; else
/// [`ENCODED`] + base64url of its UTF-8. `None` when even that exceeds 256
/// characters (a name over 189 bytes).
pub fn encode_name(name: &str) -> Option<String> {
    let plain = name.chars().all(|c| {
        c.is_alphanumeric()
            || c == ' '
            || (c.is_whitespace() && !c.is_control())
            || "_.:/=+-@".contains(c)
    });
    if plain && !name.starts_with(ENCODED) && name.chars().count() <= MAX_TAG_VALUE {
        return Some(name.to_owned());
    }
    let encoded = format!("{ENCODED}{}", URL_SAFE_NO_PAD.encode(name.as_bytes()));
    (encoded.len() <= MAX_TAG_VALUE).then_some(encoded)
}

/// The name a tag value written by [`encode_name`] holds (`None` if unreadable).
pub fn decode_name(value: &str) -> Option<String> {
    match value.strip_prefix(ENCODED) {
        Some(b64) => String::from_utf8(URL_SAFE_NO_PAD.decode(b64).ok()?).ok(),
        None => Some(value.to_owned()),
    }
}

/// Ids joined by spaces, as few values of at most MAX_TAG_VALUE characters as hold them.
fn packed(ids: &[String]) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for id in ids {
        match values.last_mut() {
            Some(last) if last.len() + 1 + id.len() <= MAX_TAG_VALUE => {
                last.push(' ');
                last.push_str(id);
            }
            _ => values.push(id.clone()),
        }
    }
    values
}

/// The tags a user would hold after TagResource adds `set`: more than Connect's
/// 50 is refused by Connect, so it is refused here first, before any write.
pub fn room_for(actual: &Tags, set: &Tags) -> Result<(), (usize, usize)> {
    let after = actual.len() + set.keys().filter(|k| !actual.contains_key(*k)).count();
    if after > MAX_TAGS {
        Err((actual.len(), after - actual.len()))
    } else {
        Ok(())
    }
}

/// Whether a tag key is ours to rewrite: under `scim:`, except the write-once
/// [`CREATED`], which the state diff neither sets nor removes (and which counts
/// against Connect's 50 like another tool's tag).
pub fn is_ours(key: &str) -> bool {
    key.starts_with("scim:") && key != CREATED
}

/// The [`CREATED`] tag's value for now.
pub fn created_now() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// When the tags say the resource was created, if they say it readably.
pub fn created(tags: &Tags) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(tags.get(CREATED)?, &Rfc3339).ok()
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

/// [`diff`] of the restore record (`scim:restore.N`) alone.
pub fn restore_diff(actual: &Tags, desired: &Tags) -> (Tags, Vec<String>) {
    let restore = |tags: &Tags| -> Tags {
        tags.iter()
            .filter(|(k, _)| k.starts_with(RESTORE_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    diff(&restore(actual), &restore(desired))
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
            ..ScimTags::default()
        };
        assert_eq!(ScimTags::read(&state.to_tags()), state);
    }

    #[test]
    fn a_user_with_little_room_gets_a_compact_restore_record_read_like_the_long_one() {
        let ids: Vec<String> = (0..10)
            .map(|i| format!("{i:0>8}-1111-4222-8333-444444444444"))
            .collect();
        let state = ScimTags {
            managed: true,
            external_id: Some("00u1".into()),
            active: false,
            email: Some("a@example.com".into()),
            manager: None,
            restore: ids.clone(),
            ..ScimTags::default()
        };
        let roomy = state.to_tags_beside(30);
        assert_eq!(roomy.len(), 14);
        let tight = state.to_tags_beside(45);
        assert_eq!(
            tight.len(),
            6,
            "managed, externalId, email, active, 2 restore: {tight:?}"
        );
        assert!(tight.values().all(|v| v.len() <= MAX_TAG_VALUE));
        assert_eq!(ScimTags::read(&tight), state);
        assert_eq!(ScimTags::read(&roomy), state);
    }

    #[test]
    fn display_name_email_types_and_the_profile_source_round_trip_and_count_against_the_50() {
        let state = ScimTags {
            managed: true,
            active: false,
            restore: (0..10).map(|i| format!("{i:0>36}")).collect(),
            display_name: Some("Zoë (Ops)".into()),
            email_types: EmailTypes::from_tag("+home -work"),
            profile_source: Some("defaults:0123456789ab".into()),
            ..ScimTags::default()
        };
        let tags = state.to_tags_beside(36);
        assert!(tags[DISPLAY_NAME].starts_with(ENCODED));
        assert_eq!(tags[EMAIL_TYPES], "+home -work");
        assert_eq!(ScimTags::read(&tags), state);
        // managed, active, displayName, emailTypes, profileSource: 5 of ours
        // beside 36 leave 9, one short of ten restore tags one id each.
        assert_eq!(tags.len(), 5 + 2, "{tags:?}");
        assert_eq!(state.to_tags_beside(35).len(), 5 + 10);
    }

    #[test]
    fn room_for_counts_new_keys_only() {
        let actual: Tags = (0..49).map(|i| (format!("k{i}"), "v".into())).collect();
        let same: Tags = [("k1".to_owned(), "w".to_owned())].into();
        assert!(room_for(&actual, &same).is_ok());
        let two: Tags = [
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ]
        .into();
        assert_eq!(room_for(&actual, &two), Err((49, 2)));
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
    fn the_created_tag_is_written_once_and_no_diff_removes_it() {
        let mut actual = Tags::new();
        actual.insert(CREATED.into(), created_now());
        actual.insert(MANAGED.into(), "true".into());
        let desired = ScimTags {
            managed: true,
            active: true,
            ..ScimTags::default()
        }
        .to_tags();
        let (set, remove) = diff(&actual, &desired);
        assert!(set.is_empty() && remove.is_empty(), "{set:?} {remove:?}");
        let when = created(&actual).unwrap();
        assert_eq!(when.nanosecond(), 0);
        assert!(created(&Tags::new()).is_none());
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
