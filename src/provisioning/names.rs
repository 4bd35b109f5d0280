//! Names ⇄ ids of security profiles, routing profiles and hierarchy groups,
//! through the profile cache (zero Connect calls when warm). Unknown names are
//! a 400 naming them, never silently dropped.

use crate::connect::Connect;
use crate::connect::cache::path_of;
use crate::scim::error::ScimError;

use super::{Error, Provisioning};

/// The names a user's representation shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub security_profiles: Vec<String>,
    pub routing_profile: String,
    pub hierarchy_group: Option<String>,
}

impl Provisioning {
    /// Security profile ids for names (1–10, as Connect allows).
    pub async fn security_profile_ids(
        &self,
        connect: &dyn Connect,
        names: &[String],
    ) -> Result<Vec<String>, Error> {
        if names.len() > 10 {
            return Err(Error::invalid_value(format!(
                "{} security profiles were given; Amazon Connect allows at most 10 per user",
                names.len()
            )));
        }
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            if name.eq_ignore_ascii_case(&self.settings.disabled_security_profile) {
                return Err(Error::invalid_value(format!(
                    "security profile '{name}' is reserved for deactivated users; set active to false instead"
                )));
            }
            match self.cache.security_profile_by_name(connect, name).await? {
                Some(profile) if !ids.contains(&profile.id) => ids.push(profile.id),
                Some(_) => {}
                None => {
                    return Err(Error::invalid_value(format!(
                        "security profile '{name}' does not exist in the Amazon Connect instance"
                    )));
                }
            }
        }
        Ok(ids)
    }

    /// The default security profile ids (`DEFAULT_SECURITY_PROFILES`).
    pub async fn default_security_profile_ids(
        &self,
        connect: &dyn Connect,
    ) -> Result<Vec<String>, Error> {
        let names = self.settings.default_security_profiles.clone();
        self.security_profile_ids(connect, &names).await
    }

    /// The no-permission profile's id (`DISABLED_SECURITY_PROFILE`).
    pub async fn disabled_profile_id(&self, connect: &dyn Connect) -> Result<String, Error> {
        let name = &self.settings.disabled_security_profile;
        match self.cache.security_profile_by_name(connect, name).await? {
            Some(profile) => Ok(profile.id),
            None => Err(Error::Scim(ScimError::internal(format!(
                "the no-permission security profile '{name}' (DISABLED_SECURITY_PROFILE) does not exist in the Amazon Connect instance; create it or run `connect-scim check`"
            )))),
        }
    }

    /// A routing profile id for a name (None: `DEFAULT_ROUTING_PROFILE`).
    pub async fn routing_profile_id(
        &self,
        connect: &dyn Connect,
        name: Option<&str>,
    ) -> Result<String, Error> {
        let name = name.unwrap_or(&self.settings.default_routing_profile);
        match self.cache.routing_profile_by_name(connect, name).await? {
            Some(profile) => Ok(profile.id),
            None => Err(Error::invalid_value(format!(
                "routing profile '{name}' does not exist in the Amazon Connect instance"
            ))),
        }
    }

    /// A hierarchy group id for a name path such as `Seattle/Tier1`.
    pub async fn hierarchy_group_id(
        &self,
        connect: &dyn Connect,
        path: &str,
    ) -> Result<String, Error> {
        match self.cache.hierarchy_group_by_path(connect, path).await? {
            Some(group) => Ok(group.id),
            None => Err(Error::invalid_value(format!(
                "hierarchy group '{path}' does not exist in the Amazon Connect instance (give the full path from the top level, e.g. Site/Team)"
            ))),
        }
    }

    /// The names a user's ids stand for (an id Connect no longer knows is shown as is).
    pub async fn names_of(
        &self,
        connect: &dyn Connect,
        profile_ids: &[String],
        routing_profile_id: &str,
        hierarchy_group_id: Option<&str>,
    ) -> Result<Names, Error> {
        let mut security_profiles = Vec::with_capacity(profile_ids.len());
        for id in profile_ids {
            let name = self.cache.security_profile_by_id(connect, id).await?;
            security_profiles.push(name.map_or_else(|| id.clone(), |p| p.name));
        }
        let routing_profile = self
            .cache
            .routing_profile_by_id(connect, routing_profile_id)
            .await?
            .map_or_else(|| routing_profile_id.to_owned(), |p| p.name);
        let hierarchy_group = match hierarchy_group_id {
            None => None,
            Some(id) => Some(
                self.cache
                    .hierarchy_group_by_id(connect, id)
                    .await?
                    .map_or_else(|| id.to_owned(), |g| path_of(&g)),
            ),
        };
        Ok(Names {
            security_profiles,
            routing_profile,
            hierarchy_group,
        })
    }
}
