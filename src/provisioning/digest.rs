//! What SCIM last wrote to a user, as a compact per-field digest in one user
//! tag (`scim:digest`), so `connect-scim drift` can tell which fields someone
//! changed in the Connect console without a database: each field's value is
//! hashed (SHA-256, the first 6 hex digits), and a write that changes a field
//! rewrites the tag in the same TagResource (or CreateUser) where there is one.
//!
//! Only fields a SearchUsers summary carries are digested (first and last
//! name, phone settings, security profiles, routing profile, hierarchy group),
//! so a drift check costs one SearchUsers per 500 users.

use sha2::{Digest as _, Sha256};

use crate::connect::{PhoneConfig, Tags, User, UserSummary};

use super::plan::Step;

/// The tag holding the digest.
pub const DIGEST: &str = "scim:digest";

/// Records the digest of `written` (the user a plan leaves) in the plan: in
/// its TagResource when it has one, else in one more TagResource at its end;
/// and in `written`'s tags.
pub fn stamp(actual: &User, steps: &mut Vec<Step>, written: &mut User) {
    let digest = Written::of_user(written).digest();
    written.tags.insert(DIGEST.to_owned(), digest.clone());
    if actual.tags.get(DIGEST) == Some(&digest) {
        return;
    }
    match steps.iter_mut().find_map(|s| match s {
        Step::Tag(tags) => Some(tags),
        _ => None,
    }) {
        Some(tags) => {
            tags.insert(DIGEST.to_owned(), digest);
        }
        None => steps.push(Step::Tag(Tags::from([(DIGEST.to_owned(), digest)]))),
    }
}

/// A user's fields as Connect holds them.
#[derive(Debug, Clone, Copy)]
pub struct Written<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub phone: &'a PhoneConfig,
    /// What Connect holds (the no-permission profile while deactivated).
    pub security_profile_ids: &'a [String],
    pub routing_profile_id: &'a str,
    pub hierarchy_group_id: Option<&'a str>,
}

impl<'a> Written<'a> {
    /// The fields of a DescribeUser answer.
    pub fn of_user(user: &'a User) -> Written<'a> {
        Written {
            first_name: user.identity.first_name.as_deref(),
            last_name: user.identity.last_name.as_deref(),
            phone: &user.phone,
            security_profile_ids: &user.security_profile_ids,
            routing_profile_id: &user.routing_profile_id,
            hierarchy_group_id: user.hierarchy_group_id.as_deref(),
        }
    }

    /// The fields of a CreateUser input.
    pub fn of_new_user(user: &'a crate::connect::NewUser) -> Written<'a> {
        Written {
            first_name: user.identity.first_name.as_deref(),
            last_name: user.identity.last_name.as_deref(),
            phone: &user.phone,
            security_profile_ids: &user.security_profile_ids,
            routing_profile_id: &user.routing_profile_id,
            hierarchy_group_id: user.hierarchy_group_id.as_deref(),
        }
    }

    /// The fields of a SearchUsers summary (a summary without phone settings
    /// counts as Connect's defaults).
    pub fn of_summary(user: &'a UserSummary, default_phone: &'a PhoneConfig) -> Written<'a> {
        Written {
            first_name: user.first_name.as_deref(),
            last_name: user.last_name.as_deref(),
            phone: user.phone.as_ref().unwrap_or(default_phone),
            security_profile_ids: &user.security_profile_ids,
            routing_profile_id: &user.routing_profile_id,
            hierarchy_group_id: user.hierarchy_group_id.as_deref(),
        }
    }

    fn fields(&self) -> [(&'static str, String); 5] {
        let mut profiles = self.security_profile_ids.to_vec();
        profiles.sort();
        profiles.dedup();
        let phone = self.phone;
        [
            (
                "names",
                format!(
                    "{}\u{1f}{}",
                    self.first_name.unwrap_or_default(),
                    self.last_name.unwrap_or_default()
                ),
            ),
            (
                "phone",
                format!(
                    "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                    phone.phone_type.as_str(),
                    phone.auto_accept,
                    phone.after_contact_work_time_limit,
                    phone.desk_phone_number.as_deref().unwrap_or_default()
                ),
            ),
            ("securityProfiles", profiles.join(",")),
            ("routingProfile", self.routing_profile_id.to_owned()),
            (
                "hierarchyGroup",
                self.hierarchy_group_id.unwrap_or_default().to_owned(),
            ),
        ]
    }

    /// The tag value: `names=1a2b3c/phone=…/securityProfiles=…/…` (43 to 80
    /// characters, all allowed in a tag value).
    pub fn digest(&self) -> String {
        self.fields()
            .iter()
            .map(|(name, value)| format!("{}={}", short(name), hash(value)))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The fields whose value differs from what `tag` recorded (every field
    /// when the tag is unreadable).
    pub fn drifted(&self, tag: &str) -> Vec<&'static str> {
        let recorded: Vec<(&str, &str)> = tag
            .split('/')
            .filter_map(|part| part.split_once('='))
            .collect();
        self.fields()
            .iter()
            .filter(|(name, value)| {
                let short = short(name);
                recorded
                    .iter()
                    .find(|(k, _)| *k == short)
                    .is_none_or(|(_, h)| *h != hash(value))
            })
            .map(|(name, _)| *name)
            .collect()
    }
}

fn short(field: &str) -> &'static str {
    match field {
        "names" => "n",
        "phone" => "ph",
        "securityProfiles" => "sp",
        "routingProfile" => "rp",
        _ => "hg",
    }
}

fn hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest[..3].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<'a>(profiles: &'a [String], phone: &'a PhoneConfig) -> Written<'a> {
        Written {
            first_name: Some("Ana"),
            last_name: Some("Lopez"),
            phone,
            security_profile_ids: profiles,
            routing_profile_id: "rp-basic",
            hierarchy_group_id: None,
        }
    }

    #[test]
    fn an_unchanged_user_has_no_drift_and_a_changed_field_is_named() {
        let phone = PhoneConfig::default();
        let agent = vec!["sp-agent".to_owned()];
        let tag = written(&agent, &phone).digest();
        assert!(
            tag.len() <= 80
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "=/".contains(c))
        );
        assert!(written(&agent, &phone).drifted(&tag).is_empty());
        let admin = vec!["sp-admin".to_owned(), "sp-agent".to_owned()];
        assert_eq!(
            written(&admin, &phone).drifted(&tag),
            vec!["securityProfiles"]
        );
        let reordered = vec!["sp-agent".to_owned(), "sp-agent".to_owned()];
        assert!(
            written(&reordered, &phone).drifted(&tag).is_empty(),
            "a set, not a list"
        );
    }

    #[test]
    fn an_unreadable_digest_reports_every_field() {
        let phone = PhoneConfig::default();
        assert_eq!(written(&[], &phone).drifted("garbage").len(), 5);
    }
}
