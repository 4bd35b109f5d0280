//! Input rules Connect enforces on users and tags (CreateUser,
//! UpdateUserIdentityInfo, UpdateUserPhoneConfig, TagResource): each check
//! answers `InvalidParameterException` with a message saying what is wrong.

use super::state::{Identity, Phone, Tags};
use super::wire::{ApiError, Fields};

/// Most tags a resource may carry (`TagMap` max 50).
pub const MAX_TAGS: usize = 50;

/// `Username` on a SAML instance: 1–64 characters of `[a-zA-Z0-9_\-.@]`,
/// `@` only when the whole username is an email address (CreateUser).
pub fn username(username: &str) -> Result<(), ApiError> {
    let len = username.chars().count();
    if !(1..=64).contains(&len) {
        return Err(ApiError::invalid_parameter(format!(
            "Username must be 1 to 64 characters long, got {len}"
        )));
    }
    if let Some(bad) = username
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@')))
    {
        return Err(ApiError::invalid_parameter(format!(
            "Username contains {bad:?}; allowed characters are [a-zA-Z0-9_-.@]"
        )));
    }
    if username.contains('@') && !is_email(username) {
        return Err(ApiError::invalid_parameter(
            "Username can include @ only if used in an email format",
        ));
    }
    Ok(())
}

/// A plausible email address: `local@domain.tld`, no spaces, one `@`,
/// non-empty dot-separated domain labels.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
}

/// E.164 (`^\+[1-9]\d{1,14}$`), the pattern of `PhoneNumber`.
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Parses and checks `UserIdentityInfo`: names ≤ 100 characters, emails
/// that look like emails, an E.164 mobile.
/// CreateUser on an instance that uses SAML or Connect itself for identity
/// management needs `IdentityInfo.FirstName` and `LastName` (the API
/// reference's `UserIdentityInfo`); an existing directory supplies them.
pub fn required_names(identity_management_type: &str, identity: &Identity) -> Result<(), ApiError> {
    if !matches!(identity_management_type, "SAML" | "CONNECT_MANAGED") {
        return Ok(());
    }
    for (member, value) in [
        ("FirstName", &identity.first_name),
        ("LastName", &identity.last_name),
    ] {
        if value.as_deref().is_none_or(str::is_empty) {
            return Err(ApiError::invalid_parameter(format!(
                "IdentityInfo.{member} is required when the instance uses {identity_management_type} for identity management"
            )));
        }
    }
    Ok(())
}

/// CreateUser's `Password`: required when the instance manages identities
/// itself (`CONNECT_MANAGED`) and then held to its pattern; an error on any
/// other instance (the SDK's documentation of `Password`). Whether one was
/// set; the password itself is never kept.
pub fn password(identity_management_type: &str, password: Option<&str>) -> Result<bool, ApiError> {
    match (identity_management_type, password) {
        ("CONNECT_MANAGED", None) => Err(ApiError::invalid_parameter(
            "Password is required when the instance uses CONNECT_MANAGED identity management",
        )),
        ("CONNECT_MANAGED", Some(p)) => match crate::connect::Password::parse(p) {
            Ok(_) => Ok(true),
            Err(_) => Err(ApiError::invalid_parameter(
                "Password does not match the pattern /^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)[a-zA-Z\\d\\S]{8,64}$/",
            )),
        },
        (_, None) => Ok(false),
        (other, Some(_)) => Err(ApiError::invalid_parameter(format!(
            "Password is not allowed: the instance uses {other} for identity management"
        ))),
    }
}

pub fn identity(fields: &Fields) -> Result<Identity, ApiError> {
    let identity = Identity {
        first_name: fields.string("FirstName")?,
        last_name: fields.string("LastName")?,
        email: fields.string("Email")?,
        secondary_email: fields.string("SecondaryEmail")?,
        mobile: fields.string("Mobile")?,
    };
    for (member, value) in [
        ("FirstName", &identity.first_name),
        ("LastName", &identity.last_name),
    ] {
        if let Some(value) = value
            && value.chars().count() > 100
        {
            return Err(ApiError::invalid_parameter(format!(
                "IdentityInfo.{member} must be at most 100 characters"
            )));
        }
    }
    for (member, value) in [
        ("Email", &identity.email),
        ("SecondaryEmail", &identity.secondary_email),
    ] {
        if let Some(value) = value
            && !is_email(value)
        {
            return Err(ApiError::invalid_parameter(format!(
                "IdentityInfo.{member} is not a valid email address: {value:?}"
            )));
        }
    }
    if let Some(mobile) = &identity.mobile
        && !is_e164(mobile)
    {
        return Err(ApiError::invalid_parameter(format!(
            "IdentityInfo.Mobile must be an E.164 phone number (+ and 2 to 15 digits): {mobile:?}"
        )));
    }
    Ok(identity)
}

/// Parses and checks `UserPhoneConfig`: `PhoneType` required,
/// `DESK_PHONE` needs an E.164 `DeskPhoneNumber`, `AfterContactWorkTimeLimit` ≥ 0.
pub fn phone(fields: &Fields) -> Result<Phone, ApiError> {
    let phone_type = fields.required_string("PhoneType")?;
    if phone_type != "SOFT_PHONE" && phone_type != "DESK_PHONE" {
        return Err(ApiError::invalid_parameter(format!(
            "PhoneConfig.PhoneType must be SOFT_PHONE or DESK_PHONE, got {phone_type:?}"
        )));
    }
    let after_contact_work_time_limit = fields.integer("AfterContactWorkTimeLimit")?.unwrap_or(0);
    if after_contact_work_time_limit < 0 {
        return Err(ApiError::invalid_parameter(
            "PhoneConfig.AfterContactWorkTimeLimit must be at least 0",
        ));
    }
    let desk_phone_number = fields.string("DeskPhoneNumber")?;
    if let Some(number) = &desk_phone_number
        && !is_e164(number)
    {
        return Err(ApiError::invalid_parameter(format!(
            "PhoneConfig.DeskPhoneNumber must be an E.164 phone number: {number:?}"
        )));
    }
    if phone_type == "DESK_PHONE" && desk_phone_number.is_none() {
        return Err(ApiError::invalid_parameter(
            "PhoneConfig.DeskPhoneNumber is required when PhoneType is DESK_PHONE",
        ));
    }
    Ok(Phone {
        phone_type,
        auto_accept: fields.boolean("AutoAccept")?.unwrap_or(false),
        after_contact_work_time_limit,
        desk_phone_number,
    })
}

/// Checks a tag key (`TagKey`: 1–128 characters of letters, digits, spaces
/// and `_.:/=+-@`, not starting with `aws:`).
pub fn tag_key(key: &str) -> Result<(), ApiError> {
    let len = key.chars().count();
    if !(1..=128).contains(&len) {
        return Err(ApiError::invalid_parameter(format!(
            "Tag keys must be 1 to 128 characters long: {key:?}"
        )));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(ApiError::invalid_parameter(format!(
            "Tag keys starting with aws: are reserved: {key:?}"
        )));
    }
    if let Some(bad) = key.chars().find(|c| {
        !(c.is_alphanumeric()
            || c.is_whitespace()
            || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@'))
    }) {
        return Err(ApiError::invalid_parameter(format!(
            "Tag key {key:?} contains {bad:?}"
        )));
    }
    Ok(())
}

/// Checks every key and value of a `TagMap` (values ≤ 256 characters).
pub fn tags(tags: &Tags) -> Result<(), ApiError> {
    for (key, value) in tags {
        tag_key(key)?;
        if value.chars().count() > 256 {
            return Err(ApiError::invalid_parameter(format!(
                "The value of tag {key:?} is longer than 256 characters"
            )));
        }
    }
    Ok(())
}

/// `tags` merged over `existing`, refused past [`MAX_TAGS`].
pub fn merged_tags(existing: &Tags, new: &Tags) -> Result<Tags, ApiError> {
    tags(new)?;
    let mut merged = existing.clone();
    merged.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
    if merged.len() > MAX_TAGS {
        return Err(ApiError::invalid_parameter(format!(
            "A resource can have at most {MAX_TAGS} tags; this request would leave {}",
            merged.len()
        )));
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn usernames_follow_connects_saml_rules() {
        for ok in ["jdoe", "j.doe-1_x", "jdoe@example.com", &"a".repeat(64)] {
            assert!(username(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "j doe",
            "jdoe@example",
            "jdoe@",
            "@example.com",
            "jdö",
            &"a".repeat(65),
        ] {
            assert!(username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_must_be_e164() {
        assert!(is_e164("+14155550100"));
        assert!(is_e164("+44"));
        for bad in ["14155550100", "+0123", "+1", "+1234567890123456", "+1 415"] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn identity_info_rejects_long_names_bad_emails_and_mobiles() {
        let long = format!(r#"{{"FirstName": "{}"}}"#, "x".repeat(101));
        for text in [
            long.as_str(),
            r#"{"Email": "not-an-email"}"#,
            r#"{"SecondaryEmail": "a@b"}"#,
            r#"{"Mobile": "555-1234"}"#,
        ] {
            let value = body(text);
            assert!(identity(&Fields::of(&value).unwrap()).is_err(), "{text}");
        }
        let value =
            body(r#"{"FirstName": "Ana", "Email": "ana@example.com", "Mobile": "+353871234567"}"#);
        let parsed = identity(&Fields::of(&value).unwrap()).unwrap();
        assert_eq!(parsed.first_name.as_deref(), Some("Ana"));
    }

    #[test]
    fn desk_phones_need_a_number_and_work_time_cannot_be_negative() {
        for text in [
            r#"{"PhoneType": "DESK_PHONE"}"#,
            r#"{"PhoneType": "CELL_PHONE"}"#,
            r#"{"AutoAccept": true}"#,
            r#"{"PhoneType": "SOFT_PHONE", "AfterContactWorkTimeLimit": -1}"#,
            r#"{"PhoneType": "DESK_PHONE", "DeskPhoneNumber": "12"}"#,
        ] {
            let value = body(text);
            assert!(phone(&Fields::of(&value).unwrap()).is_err(), "{text}");
        }
        let value = body(r#"{"PhoneType": "DESK_PHONE", "DeskPhoneNumber": "+14155550100"}"#);
        assert!(phone(&Fields::of(&value).unwrap()).is_ok());
    }

    #[test]
    fn tags_are_limited_in_number_length_and_prefix() {
        assert!(tag_key("aws:owner").is_err());
        assert!(tag_key("").is_err());
        assert!(tag_key(&"k".repeat(129)).is_err());
        assert!(tag_key("scim:externalId").is_ok());
        let long_value: Tags = [("k".to_owned(), "v".repeat(257))].into();
        assert!(tags(&long_value).is_err());
        let existing: Tags = (0..49).map(|i| (format!("k{i}"), String::new())).collect();
        let two: Tags = [
            ("a".to_owned(), String::new()),
            ("b".to_owned(), String::new()),
        ]
        .into();
        assert!(merged_tags(&existing, &two).is_err());
        let overwrite: Tags = [
            ("k1".to_owned(), "x".to_owned()),
            ("a".to_owned(), String::new()),
        ]
        .into();
        assert_eq!(merged_tags(&existing, &overwrite).unwrap().len(), 50);
    }
}
