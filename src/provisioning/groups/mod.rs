//! The Group use cases (RFC 7644 §3.3 create, §3.4.1 read, §3.5.1 replace,
//! §3.5.2 modify, §3.6 delete): a SCIM Group is an Amazon Connect security
//! profile (`id` = profile id, `displayName` = its name), its members the
//! users holding it. The no-permission profile of deactivated users is never
//! a group.
//!
//! Costs, in Connect calls with a warm profile cache: list or `displayName eq`
//! 0 (cold: ListSecurityProfiles + 1 SearchSecurityProfiles per 100 groups for
//! their tags, see [`facts`]); read 1 (DescribeSecurityProfile) + 2
//! SearchUsers for the members; create 1 (CreateSecurityProfile or
//! TagResource); a membership PATCH 1 SearchUsers per 50 named users + 1
//! write per user that changes (+2 SearchUsers for a `replace` or a
//! remove-all, or for an answer that shows the members); delete 1 + 2 + 1 per
//! member + 1.
//!
//! `meta.lastModified` is the profile's LastModifiedTime: it moves when the
//! profile or its tags change (created, linked, renamed, a new externalId),
//! not when members do (membership lives on the users). A write's answer shows
//! this process's clock at the write, as Connect's answers carry no time.
//!
//! Writes need a profile SCIM linked or created and refuse a protected one
//! (`PROTECTED_SECURITY_PROFILES`, see [`profile`]) with 403.
//!
//! Connect cannot rename a security profile (UpdateSecurityProfile has no
//! name), and a new profile would change the group's id behind the IdP's
//! back, so a `displayName` change is kept in the profile's
//! `scim:displayName` tag (1 TagResource; 1 UntagResource when it goes back
//! to the profile's own name); `GROUP_RENAME=refuse` answers 400 instead.

pub mod edit;
pub mod facts;
pub mod list;
pub mod members;
pub mod profile;
pub mod rename;
pub mod render;
pub mod unknown;

use serde_json::{Value, json};
use tracing::info;

use crate::config::GroupCreate;
use crate::connect::{Connect, ConnectError, Summary, Tags};
use crate::scim::error::ScimError;
use crate::scim::group::ScimGroup;
use crate::scim::patch::PatchRequest;

use self::edit::{GroupEdit, MemberOp};
use self::members::MemberRef;
use self::profile::{CREATED, CREATED_BY, DISPLAY_NAME, EXTERNAL_ID, GROUP, GroupTags};
use self::render::group_json;
use super::audit;
use super::{Error, Provisioning};

/// The description of a profile SCIM creates for a group.
const CREATED_DESCRIPTION: &str = "Created by connect-scim for a SCIM group; it has no permissions until an administrator grants them";

/// What a POST asks for, before the profile is known.
struct NewGroup {
    ops: Vec<MemberOp>,
    /// The body had `members` (the response then lists them).
    show_members: bool,
    tags: GroupTags,
}

/// A group as a response shows it.
#[derive(Debug, Clone)]
pub struct RenderedGroup {
    pub id: String,
    pub json: Value,
}

/// What a Group PATCH answers (RFC 7644 §3.5.2): 204, or 200 with the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchAnswer {
    /// No content: nothing is read to render an answer.
    NoContent,
    /// The group as a GET would show it, with its members or not (their read
    /// costs 2 SearchUsers unless the request read them anyway).
    Group { with_members: bool },
}

impl Provisioning {
    /// POST /Groups (RFC 7644 §3.3): links the security profile of that name
    /// (409 if already linked), or creates one with no permissions
    /// (`GROUP_CREATE=create`) or refuses (`reject`). Members in the body are
    /// added like a PATCH add; the response lists those members.
    pub async fn create_group(
        &self,
        connect: &dyn Connect,
        body: &Value,
        base: &str,
    ) -> Result<RenderedGroup, Error> {
        let group = ScimGroup::from_json(body)?;
        let name = group.display_name.trim().to_owned();
        if self.is_disabled_profile(&name) {
            return Err(Error::invalid_value(format!(
                "'{name}' is the no-permission security profile of deactivated users (DISABLED_SECURITY_PROFILE) and cannot be a group"
            )));
        }
        self.refuse_protected(&name)?;
        let request = NewGroup {
            ops: vec![MemberOp::Add(
                group
                    .members
                    .iter()
                    .flatten()
                    .map(|m| m.value.clone())
                    .collect(),
            )],
            show_members: group.members.is_some(),
            tags: GroupTags {
                linked: true,
                created_by_scim: false,
                external_id: group.external_id.clone().filter(|x| !x.is_empty()),
                ..GroupTags::default()
            },
        };
        if let Some(id) = self.renamed_group(connect, &name).await? {
            return Err(Error::Scim(ScimError::uniqueness(format!(
                "group '{name}' already exists (security profile {id}, a group renamed to that displayName)"
            ))));
        }
        let profile = match self
            .profile_for_group(connect, &name, &request, base)
            .await?
        {
            Ok(created) => return Ok(created),
            Err(existing) => existing,
        };
        if let Some(linked) = self.link(connect, &profile, &request, base).await? {
            return Ok(linked);
        }
        // The cache listed a profile that Connect no longer has: refresh it
        // once and go on as if the name had never been seen.
        self.cache
            .invalidate(crate::connect::cache::CachedList::SecurityProfiles);
        let profile = match self
            .profile_for_group(connect, &name, &request, base)
            .await?
        {
            Ok(created) => return Ok(created),
            Err(existing) => existing,
        };
        self.link(connect, &profile, &request, base)
            .await?
            .ok_or_else(|| {
                Error::invalid_value(format!(
                    "the security profile '{name}' was deleted in Amazon Connect while this request ran; push the group again"
                ))
            })
    }

    /// The profile named `name` for a new group: `Err(existing)` to link, or
    /// `Ok(group)` for one just created (`GROUP_CREATE=create`); 400 with
    /// `GROUP_CREATE=reject` when there is none.
    async fn profile_for_group(
        &self,
        connect: &dyn Connect,
        name: &str,
        request: &NewGroup,
        base: &str,
    ) -> Result<Result<RenderedGroup, Summary>, Error> {
        match self.cache.security_profile_by_name(connect, name).await? {
            Some(existing) => Ok(Err(existing)),
            None if self.settings.group_create == GroupCreate::Reject => {
                Err(Error::invalid_value(format!(
                    "no security profile named '{name}' exists in the Amazon Connect instance, and GROUP_CREATE=reject; \
                     create it in Connect (or set GROUP_CREATE=create) and push the group again"
                )))
            }
            None => self.create_linked(connect, name, request, base).await,
        }
    }

    /// Creates the profile for a new group, then adds its members (checked
    /// first). With members, the link tag comes last, so a 429 part-way leaves
    /// an unlinked profile that the retried POST links. `Err(profile)` when
    /// Connect already had one of that name.
    async fn create_linked(
        &self,
        connect: &dyn Connect,
        name: &str,
        request: &NewGroup,
        base: &str,
    ) -> Result<Result<RenderedGroup, Summary>, Error> {
        let resolved = self
            .resolve_members(connect, None, &request.ops, false)
            .await?;
        let has_members = !resolved.is_empty();
        let tags = GroupTags {
            created_by_scim: true,
            created: Some(super::tags::created_now()),
            ..request.tags.clone()
        };
        let first_tags = GroupTags {
            linked: !has_members,
            ..tags.clone()
        };
        let Some(created) = self.create_profile(connect, name, &first_tags).await? else {
            let existing = self.cache.security_profile_by_name(connect, name).await?;
            return existing
                .map(Err)
                .ok_or_else(|| Error::Connect(ConnectError::Duplicate(name.to_owned())));
        };
        self.linked_groups.insert(&created.id);
        self.group_facts.record(&created.id, &tags);
        let members = self.write_members(connect, &created.id, &resolved).await?;
        if has_members {
            connect.tag_resource(&created.arn, &tags.to_tags()).await?;
            audit::profile_event(
                "TagResource",
                &created.id,
                &created.name,
                "tags",
                json!(first_tags.to_tags()),
                json!(tags.to_tags()),
            );
        }
        let shown = request.show_members.then_some(members);
        let written = self.profile_written(&created);
        Ok(Ok(rendered(&written, &tags, shown, base)))
    }

    /// Links an existing profile as a group (409 when it already is one),
    /// adding the members first so that the link marks a finished POST.
    /// `None` when Connect no longer has the profile (the cache was stale).
    async fn link(
        &self,
        connect: &dyn Connect,
        profile: &Summary,
        request: &NewGroup,
        base: &str,
    ) -> Result<Option<RenderedGroup>, Error> {
        if self.is_disabled_profile(&profile.name) {
            return Err(Error::invalid_value(format!(
                "'{}' is the no-permission security profile of deactivated users and cannot be a group",
                profile.name
            )));
        }
        self.refuse_protected(&profile.name)?;
        let described = match connect.describe_security_profile(&profile.id).await {
            Ok(described) => described,
            Err(ConnectError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let existing = GroupTags::read(&described.tags);
        self.group_facts.record(&profile.id, &existing);
        if existing.linked {
            return Err(Error::Scim(ScimError::uniqueness(format!(
                "group '{}' already exists (security profile {} is already linked to a SCIM group)",
                profile.name, profile.id
            ))));
        }
        let tags = GroupTags {
            linked: true,
            created_by_scim: existing.created_by_scim,
            external_id: request
                .tags
                .external_id
                .clone()
                .or(existing.external_id.clone()),
            display_name: None,
            created: existing.created.clone(),
        };
        let members = self
            .change_members(connect, &profile.id, &request.ops, false)
            .await?;
        connect.tag_resource(&profile.arn, &tags.to_tags()).await?;
        audit::profile_event(
            "TagResource",
            &profile.id,
            &profile.name,
            "tags",
            json!(existing.to_tags()),
            json!(tags.to_tags()),
        );
        self.linked_groups.insert(&profile.id);
        self.group_facts.record(&profile.id, &tags);
        let written = self.profile_written(profile);
        info!(group_id = %profile.id, "linked security profile as a SCIM group");
        let shown = request.show_members.then_some(members);
        Ok(Some(rendered(&written, &tags, shown, base)))
    }

    /// CreateSecurityProfile with no permissions; `None` when Connect already
    /// has one of that name (the cache was stale: it is forgotten). A create
    /// that failed in a way that may have applied it (a timeout, a 5xx after
    /// sending) is tried once more, and a duplicate then is this request's own
    /// profile when SCIM created it with the same tags (externalId included).
    async fn create_profile(
        &self,
        connect: &dyn Connect,
        name: &str,
        tags: &GroupTags,
    ) -> Result<Option<Summary>, Error> {
        let written = tags.to_tags();
        let create = || connect.create_security_profile(name, CREATED_DESCRIPTION, &written);
        let (outcome, ambiguous) = match create().await {
            Err(ConnectError::Unavailable(why)) => {
                tracing::warn!(reason = %why, "CreateSecurityProfile may have been applied; checking before answering");
                (create().await, true)
            }
            other => (other, false),
        };
        match outcome {
            Ok(created) => {
                info!(group_id = %created.id, "created security profile for a SCIM group");
                audit::profile_event(
                    "CreateSecurityProfile",
                    &created.id,
                    &created.name,
                    "tags",
                    Value::Null,
                    json!(written),
                );
                self.cache.insert_security_profile(created.clone());
                Ok(Some(created))
            }
            Err(ConnectError::Duplicate(_)) => {
                self.cache.invalidate_security_profiles();
                if !ambiguous {
                    return Ok(None);
                }
                let Some(existing) = self.cache.security_profile_by_name(connect, name).await?
                else {
                    return Ok(None);
                };
                let found =
                    GroupTags::read(&self.describe_group(connect, &existing.id).await?.tags);
                Ok((found == *tags).then_some(existing))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// GET /Groups/{id} (RFC 7644 §3.4.1), with members unless excluded.
    pub async fn get_group(
        &self,
        connect: &dyn Connect,
        id: &str,
        with_members: bool,
        base: &str,
    ) -> Result<RenderedGroup, Error> {
        let profile = self.group_profile(connect, id).await?;
        let described = self.describe_group(connect, id).await?;
        let tags = GroupTags::read(&described.tags);
        let profile = Summary {
            last_modified: described.last_modified,
            ..profile
        };
        let members = if with_members {
            let users = self.group_members(connect, id).await?;
            Some(users.iter().map(MemberRef::of).collect())
        } else {
            None
        };
        Ok(rendered(&profile, &tags, members, base))
    }

    /// PATCH /Groups/{id} (RFC 7644 §3.5.2): membership, externalId, and
    /// `displayName` (a rename, see [`Self::rename_group`]). With
    /// [`PatchAnswer::Group`], the group as a GET would show it: its tags as
    /// known within the TTL (else read once), its members as read before the
    /// writes with the request's changes (a search after the writes would lag).
    pub async fn patch_group(
        &self,
        connect: &dyn Connect,
        id: &str,
        request: &PatchRequest,
        answer: PatchAnswer,
        base: &str,
    ) -> Result<Option<RenderedGroup>, Error> {
        let profile = self.writable_group(connect, id).await?;
        let edit = GroupEdit::from_patch(request)?;
        if let Some(name) = &edit.display_name {
            self.check_rename(connect, &profile, name).await?;
        }
        let before = match answer {
            PatchAnswer::Group { .. } => Some(self.group_tags(connect, &profile).await?),
            PatchAnswer::NoContent => None,
        };
        let with_members = answer == PatchAnswer::Group { with_members: true };
        let members = self
            .change_members(connect, id, &edit.members, with_members)
            .await?;
        let mut wrote = false;
        if let Some(external_id) = &edit.external_id {
            self.write_external_id(connect, &profile, external_id.as_deref())
                .await?;
            wrote = true;
        }
        let mut display_name = None;
        if let Some(name) = &edit.display_name {
            let (shown, renamed) = self.rename_group(connect, &profile, name).await?;
            display_name = Some(shown);
            wrote |= renamed;
        }
        let written = wrote.then(|| self.profile_written(&profile));
        let Some((mut tags, read)) = before else {
            return Ok(None);
        };
        if let Some(external_id) = edit.external_id {
            tags.external_id = external_id;
        }
        if let Some(shown) = display_name {
            tags.display_name = shown;
        }
        let shown = with_members.then_some(members);
        Ok(Some(rendered(&written.unwrap_or(read), &tags, shown, base)))
    }

    /// PUT /Groups/{id} (RFC 7644 §3.5.1): `displayName` as given (a rename,
    /// see [`Self::rename_group`]), `members` as given (absent: kept),
    /// `externalId` as given (absent: kept).
    pub async fn replace_group(
        &self,
        connect: &dyn Connect,
        id: &str,
        body: &Value,
        base: &str,
    ) -> Result<RenderedGroup, Error> {
        let group = ScimGroup::from_json(body)?;
        let profile = self.writable_group(connect, id).await?;
        let described = self.describe_group(connect, id).await?;
        let mut tags = GroupTags::read(&described.tags);
        self.check_rename(connect, &profile, &group.display_name)
            .await?;
        let members = match &group.members {
            Some(list) => {
                let ids = list.iter().map(|m| m.value.clone()).collect();
                let replace = [MemberOp::Replace(ids)];
                Some(self.change_members(connect, id, &replace, false).await?)
            }
            None => None,
        };
        let mut wrote = false;
        let external_id = group.external_id.filter(|x| !x.is_empty());
        if external_id.is_some() && external_id != tags.external_id {
            self.write_external_id(connect, &profile, external_id.as_deref())
                .await?;
            tags.external_id = external_id;
            wrote = true;
        }
        let (display_name, renamed) = self
            .rename_group(connect, &profile, &group.display_name)
            .await?;
        tags.display_name = display_name;
        let shown = if wrote || renamed {
            self.profile_written(&profile)
        } else {
            Summary {
                last_modified: described.last_modified,
                ..profile
            }
        };
        Ok(rendered(&shown, &tags, members, base))
    }

    /// DELETE /Groups/{id} (RFC 7644 §3.6): every member loses the profile;
    /// a profile SCIM created is then deleted, one an administrator made is
    /// only unlinked (a later write, a second DELETE included, is then 404).
    pub async fn delete_group(&self, connect: &dyn Connect, id: &str) -> Result<(), Error> {
        let profile = self.writable_group(connect, id).await?;
        let described = self.describe_group(connect, id).await?;
        let tags = GroupTags::read(&described.tags);
        self.change_members(connect, id, &[MemberOp::RemoveAll], false)
            .await?;
        if tags.created_by_scim {
            match connect.delete_security_profile(id).await {
                Ok(()) => audit::profile_event(
                    "DeleteSecurityProfile",
                    id,
                    &profile.name,
                    "exists",
                    json!(true),
                    json!(false),
                ),
                Err(ConnectError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
            self.cache.remove_security_profile(id);
            self.linked_groups.remove(id);
            self.group_facts.forget(id);
            info!(group_id = %id, "deleted the security profile of a SCIM group");
            return Ok(());
        }
        let ours: Vec<String> = [GROUP, CREATED_BY, EXTERNAL_ID, DISPLAY_NAME, CREATED]
            .into_iter()
            .filter(|k| described.tags.contains_key(*k))
            .map(str::to_owned)
            .collect();
        if !ours.is_empty() {
            connect.untag_resource(&profile.arn, &ours).await?;
            let before: Tags = ours
                .iter()
                .filter_map(|k| Some((k.clone(), described.tags.get(k)?.clone())))
                .collect();
            audit::profile_event(
                "UntagResource",
                id,
                &profile.name,
                "tags",
                json!(before),
                json!({}),
            );
        }
        self.linked_groups.remove(id);
        self.group_facts.forget(id);
        info!(group_id = %id, "unlinked security profile from SCIM");
        Ok(())
    }

    /// Writes (TagResource) or removes (UntagResource) a group's externalId.
    async fn write_external_id(
        &self,
        connect: &dyn Connect,
        profile: &Summary,
        external_id: Option<&str>,
    ) -> Result<(), Error> {
        match external_id {
            Some(x) => {
                let tags = [(EXTERNAL_ID.to_owned(), x.to_owned())]
                    .into_iter()
                    .collect();
                connect.tag_resource(&profile.arn, &tags).await?;
                let kept = x.to_owned();
                self.group_facts
                    .update(&profile.id, |t| t.external_id = Some(kept));
                audit::profile_event(
                    "TagResource",
                    &profile.id,
                    &profile.name,
                    "externalId",
                    Value::Null,
                    json!(x),
                );
            }
            None => {
                connect
                    .untag_resource(&profile.arn, &[EXTERNAL_ID.to_owned()])
                    .await?;
                self.group_facts
                    .update(&profile.id, |t| t.external_id = None);
                audit::profile_event(
                    "UntagResource",
                    &profile.id,
                    &profile.name,
                    "externalId",
                    json!("(removed)"),
                    Value::Null,
                );
            }
        }
        Ok(())
    }
}

fn rendered(
    profile: &Summary,
    tags: &GroupTags,
    members: Option<Vec<MemberRef>>,
    base: &str,
) -> RenderedGroup {
    RenderedGroup {
        id: profile.id.clone(),
        json: group_json(profile, tags, members.as_deref(), base),
    }
}
