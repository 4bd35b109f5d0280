//! The `type` and `primary` of a user's emails (RFC 7643 §4.1.2, §2.4), shown
//! exactly as the identity provider sent them although Connect keeps only two
//! addresses (Email, SecondaryEmail). Which email goes where is decided as
//! always (the primary, else `work`, else the first, is Email; the first
//! other address is SecondaryEmail); what each was sent with, where it differs
//! from the defaults (`work` and primary for Email, `other` and not primary for
//! SecondaryEmail), is kept in one compact tag, `scim:emailTypes`, so Okta's
//! and Entra's usual emails cost no tag and no call.
//!
//! The tag's value is one field per email, separated by a space, the
//! SecondaryEmail's only when it differs: `+` (primary) or `-`, then the type
//! as it is when it is made of ASCII letters, digits and `_.:=@/-`, else `b64:`
//! and base64url of its UTF-8 (e.g. `+other`, `-work -home`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::scim::error::ScimError;
use crate::scim::user::{MultiValue, ScimUser};

use super::tags::ENCODED;

/// The longest email `type` kept, in bytes of UTF-8: two encoded types stay
/// well within Connect's 256-character tag value.
pub const MAX_TYPE_BYTES: usize = 64;

/// The `type` values RFC 7643 §4.1.2 names for emails, published as
/// `canonicalValues` and written in lower case whatever case was sent
/// (`type` is not case-exact).
pub const CANONICAL_TYPES: [&str; 3] = ["work", "home", "other"];

/// How one of Connect's two emails shows in SCIM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailLabel {
    /// `type`.
    pub type_: String,
    /// `primary`.
    pub primary: bool,
}

impl EmailLabel {
    fn new(type_: &str, primary: bool) -> EmailLabel {
        EmailLabel {
            type_: type_.to_owned(),
            primary,
        }
    }

    /// The label an email was sent with: a missing `type` or `primary` is the
    /// slot's default.
    fn of(value: &MultiValue, default: &EmailLabel) -> Result<EmailLabel, ScimError> {
        let type_ = match value.type_.as_deref().map(str::trim) {
            None | Some("") => default.type_.clone(),
            Some(t) => canonical(t)?,
        };
        Ok(EmailLabel {
            type_,
            primary: value.primary.unwrap_or(default.primary),
        })
    }

    fn to_field(&self) -> String {
        let flag = if self.primary { '+' } else { '-' };
        let plain = self
            .type_
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:=@/-".contains(c));
        if plain && !self.type_.is_empty() && !self.type_.starts_with(ENCODED) {
            format!("{flag}{}", self.type_)
        } else {
            let encoded = URL_SAFE_NO_PAD.encode(self.type_.as_bytes());
            format!("{flag}{ENCODED}{encoded}")
        }
    }

    fn from_field(field: &str) -> Option<EmailLabel> {
        let primary = match field.chars().next()? {
            '+' => true,
            '-' => false,
            _ => return None,
        };
        let rest = &field[1..];
        let type_ = match rest.strip_prefix(ENCODED) {
            Some(b64) => String::from_utf8(URL_SAFE_NO_PAD.decode(b64).ok()?).ok()?,
            None => rest.to_owned(),
        };
        (!type_.is_empty()).then_some(EmailLabel { type_, primary })
    }
}

/// A type as kept: the canonical ones in lower case, others as sent; one
/// longer than [`MAX_TYPE_BYTES`] is a 400 naming it.
fn canonical(type_: &str) -> Result<String, ScimError> {
    if let Some(known) = CANONICAL_TYPES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(type_))
    {
        return Ok((*known).to_owned());
    }
    if type_.len() > MAX_TYPE_BYTES {
        let shown: String = type_.chars().take(40).collect();
        return Err(ScimError::invalid_value(format!(
            "emails: type '{shown}…' is {} bytes long; at most {MAX_TYPE_BYTES} bytes are kept \
             (Amazon Connect has no email type, so it is kept in a user tag). Nothing in this request was applied",
            type_.len()
        )));
    }
    Ok(type_.to_owned())
}

/// The `type` and `primary` of the user's Email and SecondaryEmail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailTypes {
    pub email: EmailLabel,
    pub secondary: EmailLabel,
}

impl Default for EmailTypes {
    /// What Email and SecondaryEmail show when nothing else was sent.
    fn default() -> EmailTypes {
        EmailTypes {
            email: EmailLabel::new("work", true),
            secondary: EmailLabel::new("other", false),
        }
    }
}

impl EmailTypes {
    /// The labels of the two emails Connect stores of `user`
    /// ([`ScimUser::connect_emails`]). SecondaryEmail is never primary: RFC
    /// 7643 §2.4 allows one primary value, and Email is chosen as that one.
    pub fn of_user(user: &ScimUser) -> Result<EmailTypes, ScimError> {
        let defaults = EmailTypes::default();
        let (email, secondary) = user.connect_emails();
        let email = match email {
            Some(e) => EmailLabel::of(e, &defaults.email)?,
            None => defaults.email,
        };
        let secondary = match secondary {
            Some(e) => EmailLabel {
                primary: false,
                ..EmailLabel::of(e, &defaults.secondary)?
            },
            None => defaults.secondary,
        };
        Ok(EmailTypes { email, secondary })
    }

    /// The [`super::tags::EMAIL_TYPES`] value, or `None` when both show
    /// their defaults (no tag).
    pub fn to_tag(&self) -> Option<String> {
        let defaults = EmailTypes::default();
        if *self == defaults {
            return None;
        }
        let mut value = self.email.to_field();
        if self.secondary != defaults.secondary {
            value.push(' ');
            value.push_str(&self.secondary.to_field());
        }
        Some(value)
    }

    /// Reads a [`super::tags::EMAIL_TYPES`] value; what cannot be read shows
    /// the defaults.
    pub fn from_tag(value: &str) -> EmailTypes {
        let defaults = EmailTypes::default();
        let mut fields = value.split(' ').filter(|f| !f.is_empty());
        let email = fields.next().and_then(EmailLabel::from_field);
        let secondary = fields.next().and_then(EmailLabel::from_field);
        EmailTypes {
            email: email.unwrap_or(defaults.email),
            secondary: secondary.unwrap_or(defaults.secondary),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn types(emails: serde_json::Value) -> Result<EmailTypes, ScimError> {
        let user = ScimUser::from_json(&json!({"userName": "a", "emails": emails})).unwrap();
        EmailTypes::of_user(&user)
    }

    #[test]
    fn okta_and_entra_emails_need_no_tag() {
        for emails in [
            json!([{"value": "a@x.io", "type": "work", "primary": true}]),
            json!([{"value": "a@x.io", "type": "work"}]),
            json!([{"value": "a@x.io", "type": "Work", "primary": "True"}]),
            json!([{"value": "a@x.io"}]),
            json!([{"value": "a@x.io", "type": "work", "primary": true}, {"value": "b@x.io", "type": "other"}]),
            json!([]),
        ] {
            assert_eq!(types(emails.clone()).unwrap().to_tag(), None, "{emails}");
        }
    }

    #[test]
    fn what_differs_from_the_defaults_round_trips_through_one_tag_value() {
        let cases = [
            (
                json!([{"value": "a@x.io", "type": "other", "primary": true}]),
                "+other",
            ),
            (
                json!([{"value": "a@x.io", "type": "other", "primary": false}]),
                "-other",
            ),
            (
                json!([{"value": "a@x.io", "type": "work", "primary": false}, {"value": "b@x.io", "type": "HOME"}]),
                "-work -home",
            ),
            (
                json!([{"value": "a@x.io"}, {"value": "b@x.io", "type": "privé (maison)"}]),
                "+work -b64:cHJpdsOpIChtYWlzb24p",
            ),
        ];
        for (emails, tag) in cases {
            let read = types(emails.clone()).unwrap();
            assert_eq!(read.to_tag().as_deref(), Some(tag), "{emails}");
            assert_eq!(EmailTypes::from_tag(tag), read, "{tag}");
            assert!(
                tag.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.:/=+-@ ".contains(c))
            );
        }
    }

    #[test]
    fn secondary_email_is_never_primary_and_an_unreadable_tag_shows_the_defaults() {
        let two_primaries = types(json!([
            {"value": "a@x.io", "type": "home", "primary": true},
            {"value": "b@x.io", "type": "work", "primary": true}
        ]))
        .unwrap();
        assert!(two_primaries.email.primary && !two_primaries.secondary.primary);
        assert_eq!(two_primaries.to_tag().as_deref(), Some("+home -work"));
        assert_eq!(EmailTypes::from_tag("?? !!"), EmailTypes::default());
    }

    #[test]
    fn a_type_too_long_to_keep_is_refused_naming_emails() {
        let e = types(json!([{"value": "a@x.io", "type": "t".repeat(65)}])).unwrap_err();
        assert!(
            e.detail.contains("emails") && e.detail.contains("64"),
            "{}",
            e.detail
        );
        assert!(types(json!([{"value": "a@x.io", "type": "t".repeat(64)}])).is_ok());
    }
}
