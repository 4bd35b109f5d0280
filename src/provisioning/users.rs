//! The User use cases (RFC 7644 §3.3 create, §3.4.1 read, §3.5.1 replace,
//! §3.5.2 modify, §3.6 delete) against Amazon Connect. Costs, in Connect calls
//! with a warm profile cache: create 1 (CreateUser with its tags), read 1
//! (DescribeUser), no-op replace 1, deactivate in `disable` mode 4 (DescribeUser,
//! TagResource, PutUserStatus Offline, UpdateUserSecurityProfiles), delete 1
//! (DeleteUser).

use serde_json::Value;
use tracing::info;

use crate::config::Deactivation;
use crate::connect::{
    Comparison, Connect, ConnectError, NewUser, Password, PhoneConfig, PhoneType, Proficiency,
    User, UserCriteria, UserField, UserSearch,
};
use crate::scim::error::ScimError;
use crate::scim::etag;
use crate::scim::patch::{self, PatchOpKind, PatchOperation, PatchRequest};
use crate::scim::schema::{CONNECT_USER, ResourceSchema};
use crate::scim::user::{ProficiencyValue, ScimUser};

use super::agent::{AgentState, Intent, Shown};
use super::decider::Decider;
use super::names::Names;
use super::proficiencies::{diff, to_scim};
use super::removed::Removed;
use super::render::{Meta, user_json, version};
use super::unset::Unset;
use super::{Error, Provisioning};

/// A request's proficiencies: the wanted set, and what the user holds when
/// already read (a PATCH reads them to apply its operations).
pub(super) struct ProficiencyChange {
    wanted: Vec<ProficiencyValue>,
    current: Option<Vec<Proficiency>>,
    /// Whether the response shows them (the request named them).
    shown: bool,
}

/// The proficiencies a user representation names (`None`: not mentioned).
fn named_proficiencies(user: &ScimUser) -> Option<&[ProficiencyValue]> {
    user.connect.as_ref()?.proficiencies.as_deref()
}

/// Whether a PATCH reads and writes the proficiencies: an operation names
/// them, or removes the whole Connect extension (which removes them too).
fn touches_proficiencies(request: &PatchRequest) -> bool {
    request.operations.iter().any(|op| {
        names_them(op)
            || (op.op == PatchOpKind::Remove
                && op
                    .path
                    .as_ref()
                    .is_some_and(|path| path.to_string().eq_ignore_ascii_case(CONNECT_USER)))
    })
}

/// Whether a PATCH names the proficiencies, so that its answer shows them.
fn names_proficiencies(request: &PatchRequest) -> bool {
    request.operations.iter().any(names_them)
}

/// Whether an operation names the proficiencies: by path, or inside its
/// value (path-less, or on the whole Connect extension).
fn names_them(op: &PatchOperation) -> bool {
    let in_value = || {
        op.value.as_ref().is_some_and(|v| {
            v.to_string()
                .to_ascii_lowercase()
                .contains("\"proficiencies\"")
        })
    };
    match &op.path {
        Some(path) => {
            let path = path.to_string().to_ascii_lowercase();
            path.contains("proficiencies")
                || (path == CONNECT_USER.to_ascii_lowercase() && in_value())
        }
        None => in_value(),
    }
}

/// Puts the proficiencies into a rendered user's Connect extension.
fn show_proficiencies<P: ShownProficiencies + ?Sized>(json: &mut Value, proficiencies: Option<&P>) {
    let Some(proficiencies) = proficiencies else {
        return;
    };
    let Some(map) = json.as_object_mut() else {
        return;
    };
    let ext = map
        .entry(crate::scim::schema::CONNECT_USER)
        .or_insert_with(|| Value::Object(Default::default()));
    if let Some(ext) = ext.as_object_mut() {
        ext.insert(
            "proficiencies".into(),
            crate::scim::user::proficiency::to_json(&proficiencies.as_scim()),
        );
    }
    if let Some(Value::Array(schemas)) = map.get_mut("schemas") {
        let urn = Value::from(crate::scim::schema::CONNECT_USER);
        if !schemas.contains(&urn) {
            schemas.push(urn);
        }
    }
}

/// Proficiencies in either form, as SCIM shows them.
trait ShownProficiencies {
    fn as_scim(&self) -> Vec<ProficiencyValue>;
}

impl ShownProficiencies for [Proficiency] {
    fn as_scim(&self) -> Vec<ProficiencyValue> {
        to_scim(self)
    }
}

impl ShownProficiencies for Vec<Proficiency> {
    fn as_scim(&self) -> Vec<ProficiencyValue> {
        to_scim(self)
    }
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|x| b.iter().any(|y| x.eq_ignore_ascii_case(y)))
}

/// Lookups of a user an ambiguous CreateUser may have made, and the pause
/// between them (Connect's search index lags new users).
const SETTLE_LOOKUPS: usize = 8;
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// A user as a response shows it.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub id: String,
    pub json: Value,
    /// The weak ETag (`meta.version`), also sent as the `ETag` header.
    pub version: Option<String>,
}

/// What a create did: made a new Connect user, or adopted an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New,
    Adopted,
}

impl Provisioning {
    /// POST /Users (RFC 7644 §3.3).
    pub async fn create_user(
        &self,
        connect: &dyn Connect,
        body: Value,
        base: &str,
    ) -> Result<(Rendered, Created), Error> {
        let user = parse_user(body.clone())?;
        let mut intent = Intent::from_scim(
            &user,
            None,
            self.settings.profile_source,
            &self.settings.phones,
        )?;
        let mut named = named_proficiencies(&user).map(<[ProficiencyValue]>::to_vec);
        self.apply_mapping(&body, &user, None, &mut intent, &mut named)?;
        self.require_names(connect, &intent).await?;
        let proficiencies = match &named {
            Some(wanted) => Some(self.checked_proficiencies(connect, wanted).await?),
            None => None,
        };
        let mut new_user = self.new_user(connect, &intent).await?;
        new_user.password = self.password_for(connect, &user).await?;
        let without_password = new_user.password.is_none();
        match self.create_connect_user(connect, &intent, new_user).await {
            Ok((created, new_user)) => {
                info!(user_id = %created.id, "created Connect user");
                if let Some(wanted) = &proficiencies {
                    self.write_proficiencies(connect, &created.id, &diff(&[], wanted))
                        .await?;
                }
                let written = User {
                    id: created.id,
                    arn: created.arn,
                    username: new_user.username,
                    identity: new_user.identity,
                    phone: new_user.phone,
                    security_profile_ids: new_user.security_profile_ids,
                    routing_profile_id: new_user.routing_profile_id,
                    hierarchy_group_id: new_user.hierarchy_group_id,
                    tags: new_user.tags,
                    last_modified: Some(time::OffsetDateTime::now_utc()),
                };
                self.audit_created(connect, &written).await;
                let mut rendered = self.render(connect, &written, base).await?;
                show_proficiencies(&mut rendered.json, proficiencies.as_deref());
                Ok((rendered, Created::New))
            }
            Err(Error::Connect(ConnectError::Duplicate(_)))
                if self.settings.adopt_existing_users =>
            {
                self.adopt(connect, &user, base).await
            }
            Err(Error::Connect(ConnectError::Duplicate(_))) => {
                // One SearchUsers, only on a duplicate: the 409 names the user
                // that exists, so an IdP that lost a create's answer can link it.
                let existing = self
                    .find_by_username(connect, intent.username.as_str())
                    .await
                    .ok()
                    .flatten()
                    .filter(|u| AgentState::of_summary(u).managed);
                let detail = match existing {
                    Some(user) => format!(
                        "userName '{}' already exists in Amazon Connect (id {})",
                        intent.username, user.id
                    ),
                    None => format!(
                        "userName '{}' already exists in Amazon Connect",
                        intent.username
                    ),
                };
                Err(Error::Scim(ScimError::uniqueness(detail)))
            }
            Err(Error::Connect(ConnectError::InvalidParameter(detail))) if without_password => {
                // The instance's type was not known yet: CreateUser refused
                // the user, so learn it (one DescribeInstance per process) and
                // say so precisely when the missing password was the reason.
                match self.cache.identity_management_type(connect).await {
                    Ok(t) if t == CONNECT_MANAGED => Err(password_required()),
                    _ => Err(Error::Connect(ConnectError::InvalidParameter(detail))),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The password CreateUser takes: only on an instance that manages
    /// identities itself (`CONNECT_MANAGED`), where it is required and held
    /// to Connect's rule (a 400 naming `password` before any write); on a
    /// SAML or directory instance, which refuses one, a given password is
    /// ignored. The instance's type comes from DescribeInstance, once per
    /// process, and only when a password is given: without one, a
    /// CONNECT_MANAGED instance not yet known is told by CreateUser's refusal.
    async fn password_for(
        &self,
        connect: &dyn Connect,
        user: &ScimUser,
    ) -> Result<Option<Password>, Error> {
        let given = user.password.as_deref().filter(|p| !p.is_empty());
        let identity_type = match (given, self.cache.known_identity_management_type()) {
            (_, Some(known)) => known,
            (None, None) => return Ok(None),
            (Some(_), None) => self.cache.identity_management_type(connect).await?,
        };
        if identity_type != CONNECT_MANAGED {
            return Ok(None);
        }
        let Some(given) = given else {
            return Err(password_required());
        };
        Password::parse(given).map(Some).map_err(|missing| {
            Error::Scim(ScimError::invalid_value(format!(
                "password does not meet Amazon Connect's rule: it needs {missing} \
                 (8 to 64 characters without whitespace, with a lowercase letter, an uppercase letter \
                 and a digit); nothing was created"
            )))
        })
    }

    /// MAPPING_FILE: the rules that match the user's SCIM JSON decide the
    /// settings they name (security profiles, routing profile, hierarchy
    /// group, proficiencies) over `entitlements`, `department` and `roles`;
    /// the Connect extension's values win when the request sets them
    /// (`shown`: what the user shows now, so an echoed value is not taken
    /// as set). Without a file nothing changes.
    fn apply_mapping(
        &self,
        resource: &Value,
        user: &ScimUser,
        shown: Option<&Names>,
        intent: &mut Intent,
        proficiencies: &mut Option<Vec<ProficiencyValue>>,
    ) -> Result<(), Error> {
        let Some(mapping) = &self.settings.mapping else {
            return Ok(());
        };
        let Some(decision) = mapping.decide(resource)? else {
            return Ok(());
        };
        let ext = user.connect.clone().unwrap_or_default();
        let profiles_set = ext.security_profiles.as_ref().is_some_and(|names| {
            !names.is_empty() && shown.is_none_or(|s| !same_names(names, &s.security_profiles))
        });
        if let Some(names) = decision.security_profiles
            && !profiles_set
            && self.settings.profile_source != crate::config::ProfileSource::Groups
        {
            intent.security_profiles = Some(names);
            intent.profiles_decided_by = Some(Decider::Rules);
        }
        let routing_set = ext
            .routing_profile
            .as_ref()
            .is_some_and(|r| shown.is_none_or(|s| !r.eq_ignore_ascii_case(&s.routing_profile)));
        if let Some(routing) = decision.routing_profile
            && !routing_set
        {
            intent.routing_profile = Some(Some(routing));
        }
        let hierarchy_set = ext.hierarchy_group.as_ref().is_some_and(|h| {
            shown.is_none_or(|s| {
                !h.as_deref()
                    .unwrap_or_default()
                    .eq_ignore_ascii_case(s.hierarchy_group.as_deref().unwrap_or_default())
            })
        });
        if let Some(group) = decision.hierarchy_group
            && !hierarchy_set
        {
            intent.hierarchy_group = Some(Some(group));
        }
        if let Some(wanted) = decision.proficiencies
            && proficiencies.is_none()
        {
            *proficiencies = Some(wanted);
        }
        Ok(())
    }

    /// 400 naming `name.givenName` / `name.familyName` when a new user lacks
    /// them and the instance uses SAML or Connect itself for identity
    /// management: CreateUser requires FirstName and LastName there
    /// (`UserIdentityInfo`, Connect API reference). Costs nothing when both
    /// are given; otherwise one DescribeInstance per process (cached); when
    /// that call fails, CreateUser is left to refuse the user itself.
    async fn require_names(&self, connect: &dyn Connect, intent: &Intent) -> Result<(), Error> {
        let missing: Vec<&str> = [
            ("name.givenName", &intent.identity.first_name),
            ("name.familyName", &intent.identity.last_name),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(attribute, _)| attribute)
        .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let identity_type = match self.cache.identity_management_type(connect).await {
            Ok(identity_type) => identity_type,
            Err(e) => {
                // Connect enforces the rule itself: without DescribeInstance
                // (a role that lacks it, a throttle) CreateUser answers it.
                tracing::warn!(error = %e, "DescribeInstance failed; CreateUser will check the names");
                return Ok(());
            }
        };
        let how = match identity_type.as_str() {
            "SAML" => "SAML",
            "CONNECT_MANAGED" => "Amazon Connect itself",
            _ => return Ok(()),
        };
        Err(Error::Scim(ScimError::invalid_value(format!(
            "{} {} required: the Amazon Connect instance uses {how} for identity management, \
             where CreateUser needs the user's FirstName and LastName (name.givenName, name.familyName); \
             nothing was created",
            missing.join(" and "),
            if missing.len() == 1 { "is" } else { "are" },
        ))))
    }

    /// CreateUser's input for a new user: the intent over the defaults.
    pub(super) async fn new_user(
        &self,
        connect: &dyn Connect,
        intent: &Intent,
    ) -> Result<NewUser, Error> {
        let desired = self.desired(connect, None, intent).await?;
        let disabled = self.disabled_id_if_needed(connect, &desired).await?;
        let mut new_user = NewUser {
            username: desired.username.clone(),
            identity: desired.identity.clone(),
            phone: desired.phone.clone(),
            security_profile_ids: desired.connect_profiles(&disabled),
            routing_profile_id: desired.routing_profile_id.clone(),
            hierarchy_group_id: desired.hierarchy_group_id.clone(),
            tags: desired.tags(),
            password: None,
        };
        new_user
            .tags
            .insert(super::tags::CREATED.to_owned(), super::tags::created_now());
        if self.settings.drift_digest {
            let digest = super::digest::Written::of_new_user(&new_user).digest();
            new_user
                .tags
                .insert(super::digest::DIGEST.to_owned(), digest);
        }
        Ok(new_user)
    }

    /// CreateUser failed in a way that may have applied it (a timeout, a 5xx
    /// after sending). It is tried once more: a success means the first was
    /// not applied; a duplicate is looked up, and the user is this request's
    /// own (SCIM-managed, same userName and externalId) or a genuine
    /// duplicate, answered 409 as usual. A new user may be missing from the
    /// search index for a while: the lookup is repeated until the deadline.
    pub(super) async fn settle_create(
        &self,
        connect: &dyn Connect,
        new_user: &NewUser,
        why: String,
    ) -> Result<crate::connect::CreatedUser, ConnectError> {
        tracing::warn!(reason = %why, "CreateUser may have been applied; checking before answering");
        match connect.create_user(new_user).await {
            Err(ConnectError::Duplicate(d)) => {
                let wanted_external_id = new_user.tags.get(super::tags::EXTERNAL_ID);
                for _ in 0..SETTLE_LOOKUPS {
                    let found = self
                        .find_by_username(connect, &new_user.username)
                        .await
                        .map_err(|e| ConnectError::Unavailable(e.to_string()))?;
                    if let Some(user) = found {
                        let ours = AgentState::of_summary(&user).managed
                            && user.tags.get(super::tags::EXTERNAL_ID) == wanted_external_id;
                        if !ours {
                            return Err(ConnectError::Duplicate(d));
                        }
                        info!(user_id = %user.id, "the ambiguous CreateUser had created the user");
                        return Ok(crate::connect::CreatedUser {
                            id: user.id,
                            arn: user.arn,
                        });
                    }
                    tokio::time::sleep(SETTLE_PAUSE).await;
                }
                Err(ConnectError::Unavailable(why))
            }
            other => other,
        }
    }

    /// ADOPT_EXISTING_USERS: a Connect user made by hand before provisioning is
    /// taken over (attributes applied, tagged as SCIM-managed); one already
    /// managed by SCIM stays a 409.
    async fn adopt(
        &self,
        connect: &dyn Connect,
        user: &ScimUser,
        base: &str,
    ) -> Result<(Rendered, Created), Error> {
        let found = self.find_by_username(connect, &user.user_name).await?;
        let Some(summary) = found else {
            return Err(Error::Scim(ScimError::uniqueness(format!(
                "userName '{}' already exists in Amazon Connect",
                user.user_name
            ))));
        };
        if AgentState::of_summary(&summary).managed {
            return Err(Error::Scim(ScimError::uniqueness(format!(
                "userName '{}' already exists and is already provisioned by SCIM",
                user.user_name
            ))));
        }
        let _lease = connect.lease_user(&summary.id).await?;
        let current = connect.describe_user(&summary.id).await?;
        let change = named_proficiencies(user).map(|wanted| ProficiencyChange {
            wanted: wanted.to_vec(),
            current: None,
            shown: true,
        });
        let resource = user.to_json();
        let rendered = self
            .update(
                connect,
                &current,
                (user, &resource),
                Removed::default(),
                change,
                base,
            )
            .await?;
        info!(user_id = %current.id, "adopted existing Connect user");
        Ok((rendered, Created::Adopted))
    }

    /// One SearchUsers for a username (Connect compares it case-insensitively).
    pub async fn find_by_username(
        &self,
        connect: &dyn Connect,
        username: &str,
    ) -> Result<Option<crate::connect::UserSummary>, Error> {
        let page = connect
            .search_users(&UserSearch {
                criteria: Some(UserCriteria::String {
                    field: UserField::Username,
                    comparison: Comparison::Exact,
                    value: username.to_owned(),
                }),
                max_results: Some(10),
                ..UserSearch::default()
            })
            .await?;
        Ok(page
            .items
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(username)))
    }

    /// GET /Users/{id} (RFC 7644 §3.4.1). The proficiencies cost one more
    /// call (ListUserProficiencies), so they are shown only when
    /// `with_proficiencies` (the request's `attributes` names them).
    pub async fn get_user(
        &self,
        connect: &dyn Connect,
        id: &str,
        base: &str,
        with_proficiencies: bool,
    ) -> Result<Rendered, Error> {
        let user = describe(connect, id).await?;
        let mut rendered = self.render(connect, &user, base).await?;
        if with_proficiencies {
            let held = self.user_proficiencies(connect, id).await?;
            show_proficiencies(&mut rendered.json, Some(&held));
        }
        Ok(rendered)
    }

    /// PUT /Users/{id} (RFC 7644 §3.5.1).
    pub async fn replace_user(
        &self,
        connect: &dyn Connect,
        id: &str,
        body: Value,
        if_match: Option<&str>,
        base: &str,
    ) -> Result<Rendered, Error> {
        let mut user = parse_user(body.clone())?;
        let _lease = connect.lease_user(id).await?;
        let current = describe(connect, id).await?;
        check_if_match(if_match, &current)?;
        let state = AgentState::of_user(&current);
        if state.display_name.is_none()
            && user.display_name.is_some()
            && user.display_name == super::display_name::derived(&state.identity)
        {
            // An echo of the names-derived displayName: it follows the names.
            user.display_name = None;
        }
        let change = named_proficiencies(&user).map(|wanted| ProficiencyChange {
            wanted: wanted.to_vec(),
            current: None,
            shown: true,
        });
        self.update(
            connect,
            &current,
            (&user, &body),
            Removed::default(),
            change,
            base,
        )
        .await
    }

    /// PATCH /Users/{id} (RFC 7644 §3.5.2): the operations are applied to the
    /// user's current representation, and the result is written like a PUT.
    pub async fn patch_user(
        &self,
        connect: &dyn Connect,
        id: &str,
        request: &PatchRequest,
        if_match: Option<&str>,
        base: &str,
    ) -> Result<Rendered, Error> {
        let _lease = connect.lease_user(id).await?;
        let current = describe(connect, id).await?;
        check_if_match(if_match, &current)?;
        let mut before = self.render(connect, &current, base).await?.json;
        // The proficiencies are read only when an operation names them, so
        // that an `add` adds to what the user holds.
        let held = if touches_proficiencies(request) {
            let held = self.user_proficiencies(connect, id).await?;
            show_proficiencies(&mut before, Some(&held));
            Some(held)
        } else {
            None
        };
        let state = AgentState::of_user(&current);
        // An `add` to a profile attribute that did not decide the profiles
        // starts them over from what it adds.
        let start_over = super::decider::starts_over(state.profile_source, request);
        if start_over {
            super::decider::clear_sources(&mut before);
        }
        let mut resource = before.clone();
        request.apply(&mut resource, &ResourceSchema::user())?;
        let mut user = ScimUser::from_json(&resource)?;
        if state.display_name.is_none() && !super::display_name::patched(request) {
            // Shown from the names, and not named: it follows the names.
            user.display_name = None;
        }
        let removed = Removed {
            start_over,
            ..Removed::between(&before, &resource)
        };
        let change = held.map(|held| ProficiencyChange {
            wanted: named_proficiencies(&user).unwrap_or_default().to_vec(),
            current: Some(held),
            shown: names_proficiencies(request),
        });
        self.update(connect, &current, (&user, &resource), removed, change, base)
            .await
    }

    /// DELETE /Users/{id} (RFC 7644 §3.6): DescribeUser (only a SCIM-managed
    /// user without a protected profile is deleted), then DeleteUser.
    pub async fn delete_user(
        &self,
        connect: &dyn Connect,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<(), Error> {
        let current = describe(connect, id).await?;
        check_if_match(if_match, &current)?;
        self.refuse_protected_holder(connect, &AgentState::of_user(&current))
            .await?;
        match connect.delete_user(id).await {
            Ok(()) => {
                info!(user_id = %id, "deleted Connect user");
                super::audit::event("DeleteUser", id, &current.username, &deleted());
                Ok(())
            }
            Err(ConnectError::NotFound(_)) => Err(user_not_found(id)),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes what a full user representation asks for: the fewest Update*
    /// calls, nothing at all when nothing changed. `removed`: what a PATCH
    /// removed of the attributes an omission keeps (nothing for a PUT);
    /// `resource`: the user's SCIM JSON the mapping rules look at.
    async fn update(
        &self,
        connect: &dyn Connect,
        current: &User,
        (user, resource): (&ScimUser, &Value),
        removed: Removed,
        mut proficiencies: Option<ProficiencyChange>,
        base: &str,
    ) -> Result<Rendered, Error> {
        let state = AgentState::of_user(current);
        self.refuse_protected_holder(connect, &state).await?;
        if user.password.is_some() {
            info!(user_id = %current.id, "password ignored: Amazon Connect's API cannot change an existing user's password");
        }
        let names = self.names_of_state(connect, &state).await?;
        // A PATCH `add` that starts the profiles over: what the user holds
        // is no assignment of the attribute it adds to, so every attribute
        // it leaves holding names speaks.
        let profiles_shown = if removed.start_over {
            Names {
                security_profiles: Vec::new(),
                ..names.clone()
            }
        } else {
            names.clone()
        };
        let shown = Shown {
            security_profiles: profiles_shown.security_profiles.clone(),
            routing_profile: names.routing_profile.clone(),
        };
        let mut intent = Intent::from_scim(
            user,
            Some(&shown),
            self.settings.profile_source,
            &self.settings.phones,
        )?;
        removed.apply_to(&mut intent, self.settings.profile_source);
        let mut named = proficiencies.as_ref().map(|c| c.wanted.clone());
        self.apply_mapping(
            resource,
            user,
            Some(&profiles_shown),
            &mut intent,
            &mut named,
        )?;
        if let Some(wanted) = named {
            match &mut proficiencies {
                Some(change) => change.wanted = wanted,
                None => {
                    proficiencies = Some(ProficiencyChange {
                        wanted,
                        current: None,
                        shown: true,
                    })
                }
            }
        }
        if !intent
            .username
            .as_str()
            .eq_ignore_ascii_case(&state.username)
        {
            return Err(Error::Scim(ScimError::mutability(format!(
                "userName cannot change from '{}' to '{}': Amazon Connect has no way to rename a user. \
                 Deprovision the user and provision it again under the new name; nothing in this request was applied",
                state.username, intent.username
            ))));
        }
        let wanted = match &proficiencies {
            Some(change) => Some(self.checked_proficiencies(connect, &change.wanted).await?),
            None => None,
        };
        let mut desired = self.desired(connect, Some(&state), &intent).await?;
        desired.unset = Unset::after(&state, &removed, &intent, resource, &desired);

        if !desired.active && self.settings.deactivation == Deactivation::Delete {
            match connect.delete_user(&current.id).await {
                Ok(()) => {
                    super::audit::event("DeleteUser", &current.id, &current.username, &deleted());
                }
                Err(ConnectError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
            info!(user_id = %current.id, "deactivated by deleting the Connect user (DEACTIVATION=delete)");
            let json = user_json(
                &current.id,
                &desired,
                &names,
                &self
                    .meta(&current.id, base, None, None)
                    .with_created(&current.tags),
            );
            return Ok(Rendered {
                id: current.id.clone(),
                json,
                version: None,
            });
        }

        let mut rendered = match self
            .write_user(connect, current, &state, &intent, desired)
            .await?
        {
            Some(written) => self.render(connect, &written, base).await?,
            None => self.render_with(current, &state, names, base)?,
        };
        if let (Some(wanted), Some(change)) = (wanted, proficiencies) {
            let held = match change.current {
                Some(held) => held,
                None => self.user_proficiencies(connect, &current.id).await?,
            };
            let plan = diff(&held, &wanted);
            if !plan.is_empty() {
                self.write_proficiencies(connect, &current.id, &plan)
                    .await?;
                info!(user_id = %current.id, associated = plan.associate.len(), updated = plan.update.len(),
                      disassociated = plan.disassociate.len(), "updated proficiencies");
            }
            if change.shown {
                show_proficiencies(&mut rendered.json, Some(&wanted));
            }
        }
        Ok(rendered)
    }

    /// 403 when the user holds (or, deactivated, is to be restored to) a
    /// protected profile (PROTECTED_SECURITY_PROFILES): SCIM only reads such
    /// a user. The names come from the profile cache (no call when warm).
    pub(super) async fn refuse_protected_holder(
        &self,
        connect: &dyn Connect,
        state: &AgentState,
    ) -> Result<(), Error> {
        for id in &state.profile_ids {
            if let Some(profile) = self.cache.security_profile_by_id(connect, id).await?
                && let Some(protected) = self.protected_profile(&profile.name)
            {
                return Err(Error::Scim(ScimError::new(
                    403,
                    None,
                    format!(
                        "user {} holds the protected security profile '{protected}' (PROTECTED_SECURITY_PROFILES): \
                         SCIM never modifies such a user; manage it in Amazon Connect. Nothing in this request was applied",
                        state.username
                    ),
                )));
            }
        }
        Ok(())
    }

    /// The desired state: the request's intent over the current state (or the
    /// defaults, on create), names resolved to ids.
    pub(super) async fn desired(
        &self,
        connect: &dyn Connect,
        state: Option<&AgentState>,
        intent: &Intent,
    ) -> Result<AgentState, Error> {
        for name in intent.security_profiles.iter().flatten() {
            self.refuse_protected(name)?;
        }
        // What decided the profiles is recorded with them: the attribute or
        // rule that named them, else the defaults, marked as the fallback
        // given for nothing; a kept fallback holds while the profiles stay
        // the same.
        let (profile_ids, profile_source) = match (&intent.security_profiles, state) {
            (Some(names), _) if !names.is_empty() => (
                self.security_profile_ids(connect, names).await?,
                intent.profiles_decided_by,
            ),
            (Some(_), _) | (None, None) => (
                self.default_security_profile_ids(connect).await?,
                Some(Decider::Defaults),
            ),
            (None, Some(s)) if !s.active => {
                let kept = self.remembered_profiles(connect, &s.profile_ids).await?;
                let fallback_gone = s.profile_source == Some(Decider::Defaults)
                    && !super::agent::same_ids(&kept, &s.profile_ids);
                (kept, s.profile_source.filter(|_| !fallback_gone))
            }
            (None, Some(s)) => (s.profile_ids.clone(), s.profile_source),
        };
        let routing_profile_id = match (&intent.routing_profile, state) {
            (Some(name), _) => self.routing_profile_id(connect, name.as_deref()).await?,
            (None, Some(s)) => s.routing_profile_id.clone(),
            (None, None) => self.routing_profile_id(connect, None).await?,
        };
        let hierarchy_group_id = match (&intent.hierarchy_group, state) {
            (Some(Some(path)), _) => Some(self.hierarchy_group_id(connect, path).await?),
            (Some(None), _) | (None, None) => None,
            (None, Some(s)) => s.hierarchy_group_id.clone(),
        };
        let mut phone = state.map(|s| s.phone.clone()).unwrap_or_default();
        apply_phone(&mut phone, intent)?;
        Ok(AgentState {
            username: state.map_or_else(|| intent.username.to_string(), |s| s.username.clone()),
            identity: intent.identity.clone(),
            phone,
            profile_ids,
            routing_profile_id,
            hierarchy_group_id,
            external_id: match &intent.external_id {
                Some(x) => x.clone(),
                None => state.and_then(|s| s.external_id.clone()),
            },
            manager: intent.manager.clone(),
            active: intent.active.unwrap_or(state.is_none_or(|s| s.active)),
            managed: true,
            display_name: super::display_name::stored(
                intent.display_name.as_deref(),
                &intent.identity,
            )?,
            email_types: intent.email_types.clone(),
            profile_source,
            unset: state.map(|s| s.unset.clone()).unwrap_or_default(),
        })
    }

    pub(super) async fn disabled_id_if_needed(
        &self,
        connect: &dyn Connect,
        desired: &AgentState,
    ) -> Result<String, Error> {
        if desired.active {
            Ok(String::new())
        } else {
            self.disabled_profile_id(connect).await
        }
    }

    async fn names_of_state(
        &self,
        connect: &dyn Connect,
        state: &AgentState,
    ) -> Result<Names, Error> {
        self.names_of(
            connect,
            &state.profile_ids,
            &state.routing_profile_id,
            state.hierarchy_group_id.as_deref(),
        )
        .await
    }

    /// Renders a full Connect user (with its version).
    pub async fn render(
        &self,
        connect: &dyn Connect,
        user: &User,
        base: &str,
    ) -> Result<Rendered, Error> {
        let state = AgentState::of_user(user);
        let names = self.names_of_state(connect, &state).await?;
        self.render_with(user, &state, names, base)
    }

    fn render_with(
        &self,
        user: &User,
        state: &AgentState,
        names: Names,
        base: &str,
    ) -> Result<Rendered, Error> {
        let v = version(user);
        let meta = self
            .meta(&user.id, base, user.last_modified, Some(v.clone()))
            .with_created(&user.tags);
        Ok(Rendered {
            id: user.id.clone(),
            json: user_json(&user.id, state, &names, &meta),
            version: Some(v),
        })
    }

    /// `meta` for a user id.
    pub fn meta(
        &self,
        id: &str,
        base: &str,
        last_modified: Option<time::OffsetDateTime>,
        version: Option<String>,
    ) -> Meta {
        Meta {
            location: format!("{base}/Users/{id}"),
            created: None,
            last_modified,
            version,
        }
    }
}

/// A POST/PUT body, leniently normalized (RFC 7643 §2.1 case-insensitive
/// names, string booleans) and read as a typed user. Read-only attributes an
/// IdP echoes (`id`, `meta`, `groups`) and the `password` are ignored.
fn parse_user(mut body: Value) -> Result<ScimUser, Error> {
    patch::coerce(&mut body, &ResourceSchema::user())?;
    Ok(ScimUser::from_json(&body)?)
}

fn apply_phone(phone: &mut PhoneConfig, intent: &Intent) -> Result<(), Error> {
    if let Some(t) = intent.phone_type {
        phone.phone_type = t;
    }
    if let Some(n) = &intent.desk_phone_number {
        phone.desk_phone_number = n.clone();
    }
    if let Some(a) = intent.auto_accept {
        phone.auto_accept = a;
    }
    if let Some(s) = intent.after_contact_work_time_limit {
        phone.after_contact_work_time_limit = s;
    }
    if phone.phone_type == PhoneType::DeskPhone && phone.desk_phone_number.is_none() {
        return Err(Error::invalid_value(
            "phoneType DESK_PHONE needs a deskPhoneNumber (E.164, e.g. +14155550100)",
        ));
    }
    Ok(())
}

/// `IdentityManagementType` of an instance that manages identities itself.
const CONNECT_MANAGED: &str = "CONNECT_MANAGED";

/// The 400 for a new user without a password on a CONNECT_MANAGED instance.
fn password_required() -> Error {
    Error::Scim(ScimError::invalid_value(
        "password is required: the Amazon Connect instance uses Amazon Connect itself for identity \
         management (CONNECT_MANAGED), where CreateUser needs the user's password (8 to 64 characters \
         with a lowercase letter, an uppercase letter and a digit); nothing was created",
    ))
}

/// DescribeUser of a SCIM resource: Connect's "not found", and a Connect user
/// SCIM does not manage (no `scim:managed` tag: a break-glass admin, an
/// agent made in the console), are the SCIM 404.
async fn describe(connect: &dyn Connect, id: &str) -> Result<User, Error> {
    match connect.describe_user(id).await {
        Ok(user) if AgentState::of_user(&user).managed => Ok(user),
        Ok(_) => Err(user_not_found(id)),
        Err(ConnectError::NotFound(_)) | Err(ConnectError::InvalidParameter(_)) => {
            Err(user_not_found(id))
        }
        Err(e) => Err(e.into()),
    }
}

/// A deletion's change: the user existed, and no longer does.
fn deleted() -> super::audit::Change {
    let mut change = super::audit::Change::default();
    change.field("exists", serde_json::json!(true), serde_json::json!(false));
    change
}

pub(super) fn user_not_found(id: &str) -> Error {
    Error::not_found(format!("User {id} not found"))
}

fn check_if_match(if_match: Option<&str>, current: &User) -> Result<(), Error> {
    match if_match {
        Some(header) if !etag::if_match_satisfied(header, &version(current)) => {
            Err(Error::Scim(ScimError::precondition_failed(
                "If-Match does not match the user's current version; read it again and retry",
            )))
        }
        _ => Ok(()),
    }
}
