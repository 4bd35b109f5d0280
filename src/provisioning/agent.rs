//! The SCIM ⇄ Connect mapping as pure functions (DESIGN.md, "Mapping").
//!
//! [`AgentState`] is a Connect user as SCIM sees it (its record plus our tags);
//! [`Intent`] is what a SCIM request asks for, with "no opinion" kept apart from
//! "clear"; [`AgentState::apply`] merges the two once names are resolved to ids.

use crate::config::ProfileSource;
use crate::connect::{IdentityInfo, PhoneConfig, PhoneType, Tags, User, UserSummary};
use crate::scim::error::ScimError;
use crate::scim::user::{MultiValue, ScimUser};

use super::decider::Decider;
use super::emails::EmailTypes;
use super::phone::PhoneRules;
use super::tags::ScimTags;
use super::unset::Unset;
use super::username::ConnectUsername;

/// A Connect user as SCIM sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentState {
    pub username: String,
    pub identity: IdentityInfo,
    pub phone: PhoneConfig,
    /// The security profiles the agent holds while active; while inactive, the
    /// ones to restore on reactivation.
    pub profile_ids: Vec<String>,
    pub routing_profile_id: String,
    pub hierarchy_group_id: Option<String>,
    pub external_id: Option<String>,
    pub manager: Option<String>,
    pub active: bool,
    /// Provisioned (or adopted) by SCIM.
    pub managed: bool,
    /// The identity provider's `displayName`, only when it differs from the
    /// names (see [`super::display_name`]).
    pub display_name: Option<String>,
    /// The `type` and `primary` the two emails show (see [`super::emails`]).
    pub email_types: EmailTypes,
    /// What decided the profiles, when recorded (see [`super::decider`]).
    pub profile_source: Option<Decider>,
    /// What a PATCH removed that Connect holds a default for (see
    /// [`super::unset`]).
    pub unset: Unset,
}

impl AgentState {
    /// The state of a user from DescribeUser.
    pub fn of_user(user: &User) -> AgentState {
        AgentState::from_parts(
            &user.tags,
            &user.username,
            user.identity.clone(),
            user.phone.clone(),
            &user.security_profile_ids,
            &user.routing_profile_id,
            user.hierarchy_group_id.as_deref(),
        )
    }

    /// The state of a user from a SearchUsers summary: no email or mobile in
    /// Connect's summary, so the email comes from our mirror tag.
    pub fn of_summary(user: &UserSummary) -> AgentState {
        let identity = IdentityInfo {
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: ScimTags::read(&user.tags).email,
            secondary_email: None,
            mobile: None,
        };
        AgentState::from_parts(
            &user.tags,
            &user.username,
            identity,
            user.phone.clone().unwrap_or_default(),
            &user.security_profile_ids,
            &user.routing_profile_id,
            user.hierarchy_group_id.as_deref(),
        )
    }

    fn from_parts(
        tags: &Tags,
        username: &str,
        identity: IdentityInfo,
        phone: PhoneConfig,
        security_profile_ids: &[String],
        routing_profile_id: &str,
        hierarchy_group_id: Option<&str>,
    ) -> AgentState {
        let scim = ScimTags::read(tags);
        let profile_ids = effective_profiles(&scim, security_profile_ids);
        AgentState {
            username: username.to_owned(),
            identity,
            phone,
            profile_source: Decider::read(scim.profile_source.as_deref(), &profile_ids),
            profile_ids,
            routing_profile_id: routing_profile_id.to_owned(),
            hierarchy_group_id: hierarchy_group_id.map(str::to_owned),
            external_id: scim.external_id,
            manager: scim.manager,
            active: scim.active,
            managed: scim.managed,
            display_name: scim.display_name,
            email_types: scim.email_types,
            unset: scim.unset,
        }
    }

    /// The security profiles Connect should hold: the agent's own while active,
    /// only the no-permission profile while inactive.
    pub fn connect_profiles(&self, disabled_profile_id: &str) -> Vec<String> {
        if self.active {
            self.profile_ids.clone()
        } else {
            vec![disabled_profile_id.to_owned()]
        }
    }

    /// Our `scim:` tags for this state.
    pub fn tags(&self) -> Tags {
        self.scim_tags().to_tags()
    }

    /// Our `scim:` tags for this state on a user that holds `actual` (whose
    /// other tags count against Connect's 50: see [`ScimTags::to_tags_beside`]).
    pub fn tags_beside(&self, actual: &Tags) -> Tags {
        let foreign = actual.keys().filter(|k| !super::tags::is_ours(k)).count();
        self.scim_tags().to_tags_beside(foreign)
    }

    fn scim_tags(&self) -> ScimTags {
        ScimTags {
            managed: true,
            external_id: self.external_id.clone(),
            active: self.active,
            email: self.identity.email.clone(),
            manager: self.manager.clone(),
            restore: if self.active {
                Vec::new()
            } else {
                self.profile_ids.clone()
            },
            display_name: self.display_name.clone(),
            email_types: self.email_types.clone(),
            profile_source: self
                .profile_source
                .map(|source| source.tag_value(&self.profile_ids)),
            unset: self.unset.clone(),
        }
    }
}

/// While inactive the profiles that count are the remembered ones; a user
/// deactivated outside SCIM (no remembered profiles) shows what Connect holds.
fn effective_profiles(scim: &ScimTags, actual: &[String]) -> Vec<String> {
    if !scim.active && !scim.restore.is_empty() {
        scim.restore.clone()
    } else {
        actual.to_vec()
    }
}

/// What one SCIM request asks of a user, names not yet resolved to ids.
/// `None` means "no opinion": keep the current value (or the default on create).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub username: ConnectUsername,
    /// Replaces Connect's identity info (SCIM replace semantics).
    pub identity: IdentityInfo,
    /// `Some(None)` clears; `None` keeps (externalId is the IdP's join key).
    pub external_id: Option<Option<String>>,
    pub manager: Option<String>,
    pub active: Option<bool>,
    /// The `displayName` wanted (`None`: show the names); kept only where it
    /// differs from them.
    pub display_name: Option<String>,
    /// The `type` and `primary` of the two emails (replaced like them).
    pub email_types: EmailTypes,
    /// Security profile names; an empty list means the default profiles.
    pub security_profiles: Option<Vec<String>>,
    /// The attribute (or mapping rule) the names came from.
    pub profiles_decided_by: Option<Decider>,
    /// Routing profile name; `Some(None)` means the default routing profile.
    pub routing_profile: Option<Option<String>>,
    /// Hierarchy group name path; `Some(None)` removes the user from any group.
    pub hierarchy_group: Option<Option<String>>,
    pub phone_type: Option<PhoneType>,
    pub desk_phone_number: Option<Option<String>>,
    pub auto_accept: Option<bool>,
    pub after_contact_work_time_limit: Option<i32>,
}

/// The profile names a user currently shows in every source attribute
/// (extension, entitlements, department, roles): a source that still says the
/// same has not been changed by the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub security_profiles: Vec<String>,
    pub routing_profile: String,
}

impl Intent {
    /// Reads a SCIM user (a POST or PUT body, or a resource after PATCH).
    ///
    /// `shown` is what the user's current representation says (None on create).
    /// Security profiles come from the first of the Connect extension's
    /// `securityProfiles`, Okta `entitlements`, enterprise `department` that the
    /// request changed (on create: that is present), routing from the extension's
    /// `routingProfile` or `roles` the same way. Phone numbers are read by `phones`.
    pub fn from_scim(
        user: &ScimUser,
        shown: Option<&Shown>,
        source: ProfileSource,
        phones: &PhoneRules,
    ) -> Result<Intent, ScimError> {
        let username = ConnectUsername::parse(&user.user_name).map_err(ScimError::invalid_value)?;
        let ext = user.connect.as_ref();
        let (security_profiles, profiles_decided_by) = match source {
            ProfileSource::Groups => (None, None),
            ProfileSource::Attributes => {
                let sources = [
                    ext.and_then(|e| e.security_profiles.clone()).map(clean),
                    values(&user.entitlements),
                    user.enterprise
                        .as_ref()
                        .and_then(|e| e.department.as_deref())
                        .map(|d| clean(d.split(',').map(str::to_owned).collect())),
                ];
                match choose_at(&sources, shown.map(|s| s.security_profiles.as_slice())) {
                    Some((at, names)) => (Some(names), PROFILE_SOURCES.get(at).copied()),
                    None => (None, None),
                }
            }
        };
        let roles = values(&user.roles);
        if roles.as_ref().is_some_and(|r| r.len() > 1) {
            return Err(ScimError::invalid_value(
                "roles holds the user's one Amazon Connect routing profile; more than one was given",
            ));
        }
        let routing_sources = [
            ext.and_then(|e| e.routing_profile.clone())
                .map(|r| clean(vec![r])),
            roles,
        ];
        let routing_profile = choose(
            &routing_sources,
            shown.map(|s| std::slice::from_ref(&s.routing_profile)),
        )
        .map(|names| names.into_iter().next());

        let phone_type = match ext.and_then(|e| e.phone_type.as_deref()) {
            None => None,
            Some(raw) => Some(PhoneType::parse(&raw.to_ascii_uppercase()).ok_or_else(|| {
                ScimError::invalid_value(format!(
                    "phoneType '{raw}' is not SOFT_PHONE or DESK_PHONE"
                ))
            })?),
        };
        let after_contact_work_time_limit = match ext.and_then(|e| e.after_contact_work_time_limit)
        {
            None => None,
            Some(n) => Some(i32::try_from(n).ok().filter(|n| *n >= 0).ok_or_else(|| {
                ScimError::invalid_value(format!(
                    "afterContactWorkTimeLimit {n} must be a number of seconds from 0"
                ))
            })?),
        };
        let desk_phone_number = match ext.and_then(|e| e.desk_phone_number.as_deref()) {
            None => None,
            Some("") => Some(None),
            Some(raw) => Some(Some(phones.required(raw, "deskPhoneNumber")?)),
        };

        Ok(Intent {
            username,
            identity: identity_of(user, phones)?,
            external_id: user
                .external_id
                .clone()
                .map(|x| Some(x).filter(|x| !x.is_empty())),
            manager: user
                .enterprise
                .as_ref()
                .and_then(|e| e.manager.as_ref())
                .map(|m| m.value.clone())
                .filter(|v| !v.is_empty()),
            active: user.active,
            display_name: user.display_name.clone().filter(|d| !d.trim().is_empty()),
            email_types: EmailTypes::of_user(user)?,
            security_profiles,
            profiles_decided_by,
            routing_profile,
            hierarchy_group: ext.and_then(|e| e.hierarchy_group.clone()).map(|h| {
                h.map(|p| p.trim().trim_matches('/').to_owned())
                    .filter(|p| !p.is_empty())
            }),
            phone_type,
            desk_phone_number,
            auto_accept: ext.and_then(|e| e.auto_accept),
            after_contact_work_time_limit,
        })
    }
}

/// Connect's identity info from the SCIM user: given/family name, the primary
/// (else work, else first) email, another email as secondary, the mobile number.
fn identity_of(user: &ScimUser, phones: &PhoneRules) -> Result<IdentityInfo, ScimError> {
    let name = user.name.as_ref();
    let (primary, secondary) = user.connect_emails();
    let primary = primary.map(|e| e.value.clone());
    let secondary = secondary.map(|e| e.value.clone());
    for email in primary.iter().chain(secondary.iter()) {
        if !looks_like_email(email) {
            return Err(ScimError::invalid_value(format!(
                "emails: '{email}' is not an email address"
            )));
        }
    }
    let mobile = user
        .phone_numbers
        .iter()
        .find(|p| {
            p.type_
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("mobile"))
        })
        .map(|p| phones.mobile(&p.value, "phoneNumbers[type eq \"mobile\"]"))
        .transpose()?
        .flatten();
    Ok(IdentityInfo {
        first_name: name
            .and_then(|n| n.given_name.clone())
            .filter(|s| !s.is_empty()),
        last_name: name
            .and_then(|n| n.family_name.clone())
            .filter(|s| !s.is_empty()),
        email: primary,
        secondary_email: secondary,
        mobile,
    })
}

fn looks_like_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(l), Some(d), None) if !l.is_empty() && d.contains('.') && !s.contains(char::is_whitespace))
}

/// The values of a multi-valued attribute, or None when it is absent or empty
/// (an empty `roles: []` on Entra's create is no opinion).
fn values(list: &[MultiValue]) -> Option<Vec<String>> {
    let names = clean(list.iter().map(|v| v.value.clone()).collect());
    (!names.is_empty()).then_some(names)
}

/// Trimmed, non-empty, de-duplicated (case-insensitively) names in input order.
fn clean(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim().to_owned();
        if !name.is_empty() && !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    out
}

/// What each security profile source of [`Intent::from_scim`] stands for, in
/// its order of precedence.
const PROFILE_SOURCES: [Decider; 3] = [
    Decider::SecurityProfiles,
    Decider::Entitlements,
    Decider::Department,
];

/// Picks the source that speaks: on create (nothing shown) the first present
/// one; on update the first whose value differs from what is shown, compared as
/// case-insensitive sets. None: keep what is there.
fn choose(sources: &[Option<Vec<String>>], shown: Option<&[String]>) -> Option<Vec<String>> {
    choose_at(sources, shown).map(|(_, names)| names)
}

/// [`choose`], with the index of the source that speaks.
fn choose_at(
    sources: &[Option<Vec<String>>],
    shown: Option<&[String]>,
) -> Option<(usize, Vec<String>)> {
    let mut present = sources
        .iter()
        .enumerate()
        .filter_map(|(at, names)| names.as_ref().map(|n| (at, n)));
    match shown {
        None => present.next(),
        Some(shown) => present.find(|(_, names)| !same_names(names, shown)),
    }
    .map(|(at, names)| (at, names.clone()))
}

/// Whether two name lists hold the same names, ignoring order and letter case.
pub fn same_names(a: &[String], b: &[String]) -> bool {
    let norm = |l: &[String]| {
        let mut v: Vec<String> = l.iter().map(|s| s.to_lowercase()).collect();
        v.sort();
        v.dedup();
        v
    };
    norm(a) == norm(b)
}

/// Whether two id lists hold the same ids, ignoring order.
pub fn same_ids(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a.dedup();
    b.dedup();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(list: &[&[&str]]) -> Vec<Option<Vec<String>>> {
        list.iter()
            .map(|l| (!l.is_empty()).then(|| l.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn on_create_the_first_present_source_wins() {
        let s = sources(&[&[], &["Agent"], &["Admin"]]);
        assert_eq!(choose(&s, None), Some(vec!["Agent".to_string()]));
    }

    #[test]
    fn on_update_the_changed_source_wins_over_an_echoed_one() {
        let shown = vec!["Agent".to_string()];
        let s = sources(&[&["Agent"], &["agent"], &["Admin", "Agent"]]);
        assert_eq!(
            choose(&s, Some(&shown)),
            Some(vec!["Admin".to_string(), "Agent".to_string()])
        );
        let unchanged = sources(&[&["Agent"], &["AGENT"], &[]]);
        assert_eq!(choose(&unchanged, Some(&shown)), None);
    }

    #[test]
    fn the_source_that_speaks_is_the_decider_recorded() {
        let decider = |s: &[Option<Vec<String>>], shown: Option<&[String]>| {
            choose_at(s, shown).map(|(at, _)| PROFILE_SOURCES[at])
        };
        let shown = vec!["Agent".to_string()];
        let s = sources(&[&["Agent"], &["Agent"], &["QualityAnalyst"]]);
        assert_eq!(decider(&s, Some(&shown)), Some(Decider::Department));
        assert_eq!(decider(&s, None), Some(Decider::SecurityProfiles));
        let s = sources(&[&[], &["Agent"], &["Agent"]]);
        assert_eq!(decider(&s, None), Some(Decider::Entitlements));
    }
}
