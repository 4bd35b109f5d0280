//! Which security profiles are groups, and the `scim:` tags a profile carries
//! once SCIM has linked or created it (Connect stays the only store: no
//! database, the linking state lives on the profile itself; what this
//! process read of them is in [`super::facts`]). Group writes
//! need a profile SCIM linked or created, and never touch a protected one
//! (`PROTECTED_SECURITY_PROFILES`).

use std::collections::HashSet;
use std::sync::Mutex;

use crate::connect::{Connect, ConnectError, SecurityProfile, Summary, Tags};
use crate::scim::error::ScimError;

use super::super::{Error, Provisioning};

/// `linked` once a POST /Groups linked or created the profile.
pub const GROUP: &str = "scim:group";
/// The value of [`GROUP`].
pub const LINKED: &str = "linked";
/// `scim` when SCIM created the profile (only those are ever deleted).
pub const CREATED_BY: &str = "scim:createdBy";
/// The value of [`CREATED_BY`].
pub const SCIM: &str = "scim";
/// The group's `externalId` (Entra sends the group's objectId).
pub const EXTERNAL_ID: &str = "scim:externalId";
/// The group's `displayName` when it differs from the profile's own name (a
/// renamed group: Connect cannot rename a profile). Encoded by [`encode_name`].
pub const DISPLAY_NAME: &str = "scim:displayName";
/// When SCIM created the profile (RFC 3339 UTC), in CreateSecurityProfile's tags.
pub const CREATED: &str = super::super::tags::CREATED;
/// How a [`DISPLAY_NAME`] value is written and read (shared with users'
/// `scim:displayName`).
pub use super::super::tags::{ENCODED, decode_name, encode_name};

/// What a security profile's tags say about it as a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupTags {
    pub linked: bool,
    pub created_by_scim: bool,
    pub external_id: Option<String>,
    /// The group's own displayName (a renamed group), decoded.
    pub display_name: Option<String>,
    /// [`CREATED`], as written.
    pub created: Option<String>,
}

impl GroupTags {
    /// Reads our tags out of a profile's tag map (DescribeSecurityProfile).
    pub fn read(tags: &Tags) -> GroupTags {
        GroupTags {
            linked: tags.get(GROUP).is_some_and(|v| v == LINKED),
            created_by_scim: tags.get(CREATED_BY).is_some_and(|v| v == SCIM),
            external_id: tags.get(EXTERNAL_ID).cloned().filter(|x| !x.is_empty()),
            display_name: tags.get(DISPLAY_NAME).and_then(|v| decode_name(v)),
            created: tags.get(CREATED).cloned(),
        }
    }

    /// Our tags as a tag map (keys absent where there is nothing to say).
    pub fn to_tags(&self) -> Tags {
        let mut tags = Tags::new();
        if self.linked {
            tags.insert(GROUP.to_owned(), LINKED.to_owned());
        }
        if self.created_by_scim {
            tags.insert(CREATED_BY.to_owned(), SCIM.to_owned());
        }
        if let Some(x) = &self.external_id {
            tags.insert(EXTERNAL_ID.to_owned(), x.clone());
        }
        if let Some(name) = self.display_name.as_deref().and_then(encode_name) {
            tags.insert(DISPLAY_NAME.to_owned(), name);
        }
        if let Some(c) = &self.created {
            tags.insert(CREATED.to_owned(), c.clone());
        }
        tags
    }
}

/// Profile ids this process has seen linked to SCIM or created by it (added on
/// link, create, or a DescribeSecurityProfile showing the tags; removed on
/// delete), so a group write checks Connect once per profile, not per request.
#[derive(Debug, Default)]
pub struct LinkedGroups(Mutex<HashSet<String>>);

impl LinkedGroups {
    fn ids(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `id` is known to be linked.
    pub fn contains(&self, id: &str) -> bool {
        self.ids().contains(id)
    }

    /// `id` is linked (or created by SCIM).
    pub fn insert(&self, id: &str) {
        self.ids().insert(id.to_owned());
    }

    /// `id` is no longer linked.
    pub fn remove(&self, id: &str) {
        self.ids().remove(id);
    }
}

impl Provisioning {
    /// The configured protected profile a name is (letter case ignored), if any.
    pub fn protected_profile(&self, name: &str) -> Option<&str> {
        self.settings
            .protected_security_profiles
            .iter()
            .find(|p| p.trim().eq_ignore_ascii_case(name.trim()))
            .map(String::as_str)
    }

    /// 403 when `name` is a protected profile.
    pub fn refuse_protected(&self, name: &str) -> Result<(), Error> {
        match self.protected_profile(name) {
            Some(protected) => Err(Error::Scim(ScimError::new(
                403,
                None,
                format!(
                    "the security profile '{protected}' is protected (PROTECTED_SECURITY_PROFILES): SCIM never links, \
                     grants, revokes or deletes it; manage it in Amazon Connect. Nothing in this request was applied"
                ),
            ))),
            None => Ok(()),
        }
    }

    /// Group `id` for a write (PATCH, PUT, DELETE): 404 as [`Self::group_profile`],
    /// 403 for a protected profile, 404 for one SCIM neither linked nor created.
    /// The first time this process writes it, the groups' tags as read within
    /// the TTL say so (1 SearchSecurityProfiles when cold), else one
    /// DescribeSecurityProfile (another instance may have linked it since).
    pub async fn writable_group(&self, connect: &dyn Connect, id: &str) -> Result<Summary, Error> {
        let profile = self.group_profile(connect, id).await?;
        self.refuse_protected(&profile.name)?;
        if !self.linked_groups.contains(id) {
            self.fresh_group_facts(connect).await?;
            let tags = match self.group_facts.fresh(id, self.group_facts_ttl()) {
                Some(tags) if tags.linked || tags.created_by_scim => tags,
                _ => GroupTags::read(&self.describe_group(connect, id).await?.tags),
            };
            if !(tags.linked || tags.created_by_scim) {
                return Err(Error::not_found(format!(
                    "Group {id} (security profile '{}') is not linked to SCIM, so SCIM does not change it; \
                     POST /Groups with displayName '{}' links it first",
                    profile.name, profile.name
                )));
            }
            self.linked_groups.insert(id);
        }
        Ok(profile)
    }

    /// Whether a profile name is the no-permission profile, which is never a group.
    pub fn is_disabled_profile(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.settings.disabled_security_profile)
    }

    /// The security profile that is group `id` (the profile cache: no Connect
    /// call when warm); 404 for an unknown id and for the no-permission profile.
    /// An id the cache does not know is confirmed with DescribeSecurityProfile
    /// before the 404: another instance may have created the group since this
    /// one's cache was filled.
    pub async fn group_profile(&self, connect: &dyn Connect, id: &str) -> Result<Summary, Error> {
        let profile = match self.cache.security_profile_by_id(connect, id).await? {
            Some(profile) => profile,
            None => {
                let described = self.describe_group(connect, id).await?;
                Summary {
                    id: described.id,
                    arn: described.arn,
                    name: described.name,
                    last_modified: described.last_modified,
                }
            }
        };
        if self.is_disabled_profile(&profile.name) {
            return Err(group_not_found(id));
        }
        Ok(profile)
    }

    /// DescribeSecurityProfile of a group, with Connect's "not found" as the
    /// SCIM 404 (and the cache told, since it still listed the profile). What
    /// it says (tags, LastModifiedTime) is kept for lists.
    pub async fn describe_group(
        &self,
        connect: &dyn Connect,
        id: &str,
    ) -> Result<SecurityProfile, Error> {
        match connect.describe_security_profile(id).await {
            Ok(profile) => {
                self.group_facts.record(id, &GroupTags::read(&profile.tags));
                self.cache.insert_security_profile(Summary {
                    id: profile.id.clone(),
                    arn: profile.arn.clone(),
                    name: profile.name.clone(),
                    last_modified: profile.last_modified,
                });
                Ok(profile)
            }
            Err(ConnectError::NotFound(_)) | Err(ConnectError::InvalidParameter(_)) => {
                self.cache.remove_security_profile(id);
                Err(group_not_found(id))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The SCIM 404 for a group id.
pub fn group_not_found(id: &str) -> Error {
    Error::not_found(format!("Group {id} not found"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_tags_round_trip_and_ignore_foreign_tags() {
        let tags = GroupTags {
            linked: true,
            created_by_scim: true,
            external_id: Some("8aa1a0c0".into()),
            display_name: Some("Tour Guides (EMEA) ✈".into()),
            created: Some("2026-01-02T03:04:05Z".into()),
        };
        let mut map = tags.to_tags();
        map.insert("team".into(), "blue".into());
        assert_eq!(GroupTags::read(&map), tags);
        assert_eq!(GroupTags::read(&Tags::new()), GroupTags::default());
    }

    #[test]
    fn display_names_are_tagged_plainly_when_aws_allows_else_base64url() {
        assert_eq!(
            encode_name("Retail Agents_2 @HQ").as_deref(),
            Some("Retail Agents_2 @HQ")
        );
        for name in ["Sales, EMEA", "Support (Tier 1)", "b64:tricky", "Équipe ✈"] {
            let value = encode_name(name).unwrap();
            assert!(
                value.starts_with(ENCODED) || !name.is_ascii(),
                "{name}: {value}"
            );
            assert!(
                value
                    .chars()
                    .all(|c| c.is_alphanumeric() || "_.:/=+-@ ".contains(c)),
                "{value}"
            );
            assert_eq!(decode_name(&value).as_deref(), Some(name));
        }
        assert_eq!(encode_name(&"a".repeat(256)).map(|v| v.len()), Some(256));
        assert!(encode_name(&"(".repeat(190)).is_none());
    }
}
