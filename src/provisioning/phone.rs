//! Phone numbers as Amazon Connect takes them (E.164, `+14155550100`), read from
//! what identity providers carry: international or national formats
//! (`(415) 555-0100`), the latter in `DEFAULT_PHONE_REGION`. A mobile number that
//! cannot be read does not block provisioning unless `INVALID_PHONE=reject`.

use phonenumber::{Mode, country};
use tracing::warn;

use crate::config::InvalidPhone;
use crate::scim::error::ScimError;

/// How phone numbers are read (`DEFAULT_PHONE_REGION`, `INVALID_PHONE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRules {
    /// The country of numbers written without a `+` country code.
    pub region: country::Id,
    /// What an unreadable mobile number does.
    pub invalid: InvalidPhone,
}

impl Default for PhoneRules {
    /// US national numbers; an unreadable mobile is ignored.
    fn default() -> Self {
        PhoneRules {
            region: country::Id::US,
            invalid: InvalidPhone::Ignore,
        }
    }
}

impl PhoneRules {
    /// The mobile number in E.164; `None` when there is none, or (with
    /// `INVALID_PHONE=ignore`) when it cannot be read: that is logged without the
    /// number and the user is provisioned without a mobile.
    pub fn mobile(&self, raw: &str, attribute: &str) -> Result<Option<String>, ScimError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        match (self.e164(raw), self.invalid) {
            (Some(number), _) => Ok(Some(number)),
            (None, InvalidPhone::Reject) => Err(unreadable(raw, attribute, self.region)),
            (None, InvalidPhone::Ignore) => {
                warn!(
                    attribute,
                    region = self.region.as_ref(),
                    "a mobile number is not a phone number this service can read; the user is provisioned without it (INVALID_PHONE=ignore)"
                );
                Ok(None)
            }
        }
    }

    /// A number that must be readable (a desk phone routes calls), in E.164.
    pub fn required(&self, raw: &str, attribute: &str) -> Result<String, ScimError> {
        self.e164(raw)
            .ok_or_else(|| unreadable(raw, attribute, self.region))
    }

    /// E.164 of a valid number, international or national in the region.
    fn e164(&self, raw: &str) -> Option<String> {
        let number = phonenumber::parse(Some(self.region), raw).ok()?;
        number
            .is_valid()
            .then(|| number.format().mode(Mode::E164).to_string())
    }
}

/// `DEFAULT_PHONE_REGION`'s value as a country (ISO 3166 alpha-2, any case).
pub fn region(code: &str) -> Option<country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

fn unreadable(raw: &str, attribute: &str, region: country::Id) -> ScimError {
    ScimError::invalid_value(format!(
        "{attribute}: '{raw}' is not a phone number: give it in E.164 such as +14155550100, \
         or in the national format of {} (DEFAULT_PHONE_REGION)",
        region.as_ref()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(invalid: InvalidPhone) -> PhoneRules {
        PhoneRules {
            invalid,
            ..PhoneRules::default()
        }
    }

    #[test]
    fn international_and_national_formats_become_e164() {
        let us = PhoneRules::default();
        for raw in [
            "+1 (415) 555-0100",
            "(415) 555-0100",
            "415 555 0100",
            "415.555.0100",
            "+14155550100",
        ] {
            assert_eq!(
                us.mobile(raw, "m").unwrap().as_deref(),
                Some("+14155550100"),
                "{raw}"
            );
        }
        let gb = PhoneRules {
            region: region("gb").unwrap(),
            ..us
        };
        assert_eq!(gb.required("020 7946 0018", "d").unwrap(), "+442079460018");
    }

    #[test]
    fn an_unreadable_mobile_is_dropped_or_refused_as_configured() {
        assert_eq!(rules(InvalidPhone::Ignore).mobile("call me", "m"), Ok(None));
        assert_eq!(rules(InvalidPhone::Ignore).mobile("+0123", "m"), Ok(None));
        let refused = rules(InvalidPhone::Reject).mobile("12", "m").unwrap_err();
        assert_eq!(refused.status, 400);
        assert!(rules(InvalidPhone::Ignore).required("12", "d").is_err());
    }

    #[test]
    fn regions_are_iso_codes_in_any_case() {
        assert_eq!(region("us"), Some(country::Id::US));
        assert_eq!(region("Narnia"), None);
    }
}
