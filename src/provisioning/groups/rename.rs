//! Group renames: Connect cannot rename a security profile, so a group's own
//! `displayName` lives in the profile's `scim:displayName` tag when it differs
//! from the profile's name (the Connect console keeps showing that name).
//! `GROUP_RENAME=refuse` answers 400 `mutability` instead. Lookups by a new
//! name are answered from [`GroupFacts`](super::facts::GroupFacts): no Connect
//! call when warm, 1 SearchSecurityProfiles per 100 groups when older than
//! the profile cache's TTL.

use crate::config::GroupRename;
use crate::connect::{Connect, Summary};
use crate::scim::error::ScimError;

use super::super::{Error, Provisioning};
use super::profile::{DISPLAY_NAME, encode_name};

impl Provisioning {
    /// The name a group shows: its own displayName, else the profile's.
    fn shown_name(&self, profile: &Summary) -> String {
        self.group_facts
            .get(&profile.id)
            .display_name
            .unwrap_or_else(|| profile.name.clone())
    }

    /// The profile of a group renamed to `name`, if any, from every group's
    /// tags as read within the TTL ([`Self::fresh_group_facts`]).
    pub async fn renamed_group(
        &self,
        connect: &dyn Connect,
        name: &str,
    ) -> Result<Option<String>, Error> {
        if self.settings.group_rename == GroupRename::Refuse {
            return Ok(None);
        }
        self.fresh_group_facts(connect).await?;
        Ok(self.group_facts.renamed_to(name))
    }

    /// Whether group `profile` may take `name` as its displayName, checked
    /// before anything of the request is written (the group's own tags as
    /// known within the TTL, else read once): `GROUP_RENAME=refuse`
    /// refuses any change (400 `mutability`); a name another profile or group
    /// has is 409 `uniqueness`; the no-permission or a protected profile's name
    /// is 400; an empty or unstorable one is 400 `invalidValue`.
    pub async fn check_rename(
        &self,
        connect: &dyn Connect,
        profile: &Summary,
        name: &str,
    ) -> Result<(), Error> {
        let name = name.trim();
        let (tags, _) = self.group_tags(connect, profile).await?;
        let shown = tags.display_name.unwrap_or_else(|| profile.name.clone());
        if name.eq_ignore_ascii_case(&shown) {
            return Ok(());
        }
        if self.settings.group_rename == GroupRename::Refuse {
            return Err(Error::Scim(ScimError::mutability(format!(
                "displayName cannot change from '{shown}' to '{name}': the group is an Amazon Connect security profile, \
                 Connect cannot rename one (UpdateSecurityProfile has no name), and GROUP_RENAME=refuse. Create a group \
                 with the new name and move the members, or rename the group in the identity provider back; nothing in \
                 this request was applied"
            ))));
        }
        if name.is_empty() {
            return Err(Error::invalid_value("displayName must not be empty"));
        }
        if encode_name(name).is_none() {
            return Err(Error::invalid_value(format!(
                "displayName '{name}' is too long to keep in an Amazon Connect tag (at most 256 characters of letters, \
                 digits, spaces and _.:/=+-@, or 189 bytes otherwise)"
            )));
        }
        if self.is_disabled_profile(name) {
            return Err(Error::invalid_value(format!(
                "'{name}' is the no-permission security profile of deactivated users (DISABLED_SECURITY_PROFILE) and cannot be a group's name"
            )));
        }
        self.refuse_protected(name)?;
        let taken = match self.cache.security_profile_by_name(connect, name).await? {
            Some(other) if other.id != profile.id => Some(other.id),
            _ => self
                .renamed_group(connect, name)
                .await?
                .filter(|id| *id != profile.id),
        };
        if let Some(other) = taken {
            return Err(Error::Scim(ScimError::uniqueness(format!(
                "displayName '{name}' is already the name of security profile {other}; choose another name"
            ))));
        }
        Ok(())
    }

    /// Gives group `profile` the displayName `name` (checked by
    /// [`Self::check_rename`]): 1 TagResource of `scim:displayName`, or 1
    /// UntagResource when it is the profile's own name again; no call when
    /// unchanged. Returns the displayName tag now in force and whether the
    /// profile's tags were written.
    pub async fn rename_group(
        &self,
        connect: &dyn Connect,
        profile: &Summary,
        name: &str,
    ) -> Result<(Option<String>, bool), Error> {
        let name = name.trim();
        if name.eq_ignore_ascii_case(&self.shown_name(profile)) {
            return Ok((self.group_facts.get(&profile.id).display_name, false));
        }
        let display_name = if name.eq_ignore_ascii_case(&profile.name) {
            connect
                .untag_resource(&profile.arn, &[DISPLAY_NAME.to_owned()])
                .await?;
            None
        } else {
            let value = encode_name(name).ok_or_else(|| {
                Error::invalid_value(format!("displayName '{name}' cannot be kept in a tag"))
            })?;
            let set = [(DISPLAY_NAME.to_owned(), value)].into_iter().collect();
            connect.tag_resource(&profile.arn, &set).await?;
            Some(name.to_owned())
        };
        let kept = display_name.clone();
        self.group_facts
            .update(&profile.id, move |tags| tags.display_name = kept);
        tracing::info!(group_id = %profile.id, "renamed SCIM group (scim:displayName tag)");
        Ok((display_name, true))
    }
}
