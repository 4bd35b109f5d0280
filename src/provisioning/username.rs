//! `ConnectUsername`: a SCIM `userName` that Amazon Connect will accept, checked
//! before any Connect call so a bad name costs nothing and gets a precise error.

use std::fmt;

/// The rule, as told to the identity provider's admin.
pub const RULE: &str = "Amazon Connect usernames are 1 to 64 characters of letters, digits, \
     '_', '-', '.' and '@', where '@' may appear only in an email address form (name@domain)";

/// A username valid for Connect's `CreateUser` (`AgentUsername`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectUsername(String);

impl ConnectUsername {
    /// Parses a SCIM userName; the error says what is wrong and the rule.
    pub fn parse(raw: &str) -> Result<ConnectUsername, String> {
        let len = raw.chars().count();
        if len == 0 || len > 64 {
            return Err(format!(
                "userName '{}' has {len} characters. {RULE}",
                shorten(raw)
            ));
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@')))
        {
            return Err(format!(
                "userName '{}' contains '{bad}'. {RULE}",
                shorten(raw)
            ));
        }
        if raw.contains('@') && !is_email_form(raw) {
            return Err(format!(
                "userName '{raw}' has an '@' outside an email address form. {RULE}"
            ));
        }
        Ok(ConnectUsername(raw.to_owned()))
    }

    /// The username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConnectUsername {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `local@domain.tld` with exactly one `@`, a non-empty local part and a dotted domain.
fn is_email_form(raw: &str) -> bool {
    let mut parts = raw.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn shorten(raw: &str) -> String {
    if raw.chars().count() > 80 {
        let head: String = raw.chars().take(77).collect();
        format!("{head}...")
    } else {
        raw.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_email_usernames_are_accepted() {
        for ok in ["jdoe", "j.doe-1_x", "jane.doe@example.com", "a"] {
            assert!(ConnectUsername::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn bad_usernames_explain_the_rule() {
        for bad in [
            "",
            "jane doe",
            "jäne",
            "a@b",
            "@example.com",
            "a@b@c.com",
            &"x".repeat(65),
        ] {
            let err = ConnectUsername::parse(bad).unwrap_err();
            assert!(err.contains("1 to 64 characters"), "{bad}: {err}");
        }
    }
}
