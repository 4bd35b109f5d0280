//! What this process knows of SCIM groups' tags (`scim:externalId`,
//! `scim:displayName`, `scim:created`, linked or created by SCIM), by profile
//! id: ListSecurityProfiles carries no tags, so lists and lookups by a renamed
//! group's name read them here.
//!
//! Filled with SearchSecurityProfiles, filtered to the profiles SCIM linked or
//! created (1 call per 100 groups), whenever the last fill is older than the
//! profile cache's TTL, so a group renamed or re-tagged by another instance is
//! seen on the same schedule as a new profile name; warm, no Connect call. In
//! between, every DescribeSecurityProfile and every tag this process writes
//! keeps its own entries exact.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::connect::{Connect, SecurityProfileSearch, Summary, TagFilter};

use super::super::{Error, Provisioning};
use super::profile::{CREATED_BY, GROUP, GroupTags, LINKED, SCIM};

/// SearchSecurityProfiles' largest page (`MaxResult100`).
const SEARCH_PAGE: i32 = 100;
/// A fill stops after this many pages (10,000 groups) rather than follow a
/// broken `NextToken` forever.
const MAX_PAGES: usize = 100;

/// See the module docs.
#[derive(Debug, Default)]
pub struct GroupFacts {
    known: Mutex<Known>,
    /// One fill at a time; the others wait for it and use its result.
    refill: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct Known {
    /// Each profile's tags and when they were read or written.
    tags: HashMap<String, (GroupTags, Instant)>,
    /// When the last fill started: a profile it did not return had no group tags.
    filled: Option<Instant>,
}

impl GroupFacts {
    fn known(&self) -> MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records what a profile's tags now say (read or written by this process).
    pub fn record(&self, id: &str, tags: &GroupTags) {
        self.known()
            .tags
            .insert(id.to_owned(), (tags.clone(), Instant::now()));
    }

    /// Changes a known entry after a write of some of its tags; an unknown
    /// one stays unknown (the rest of its tags are not known).
    pub fn update(&self, id: &str, change: impl FnOnce(&mut GroupTags)) {
        if let Some((tags, at)) = self.known().tags.get_mut(id) {
            change(tags);
            *at = Instant::now();
        }
    }

    /// A profile that is no longer a group (unlinked or deleted): no group tags,
    /// even if a fill that started before says otherwise.
    pub fn forget(&self, id: &str) {
        self.record(id, &GroupTags::default());
    }

    /// What is known of profile `id`, however old (nothing: no group tags).
    pub fn get(&self, id: &str) -> GroupTags {
        self.known()
            .tags
            .get(id)
            .map(|(tags, _)| tags.clone())
            .unwrap_or_default()
    }

    /// Profile `id`'s tags if known within `ttl`: read or written since, or
    /// absent from a fill since (then it has no group tags).
    pub fn fresh(&self, id: &str, ttl: Duration) -> Option<GroupTags> {
        let known = self.known();
        match known.tags.get(id) {
            Some((tags, at)) if at.elapsed() < ttl => Some(tags.clone()),
            Some(_) => None,
            None => known
                .filled
                .filter(|at| at.elapsed() < ttl)
                .map(|_| GroupTags::default()),
        }
    }

    /// Whether every group's tags were read within `ttl`.
    pub fn filled_within(&self, ttl: Duration) -> bool {
        self.known().filled.is_some_and(|at| at.elapsed() < ttl)
    }

    /// The profile whose group was renamed to `name` (letter case ignored).
    pub fn renamed_to(&self, name: &str) -> Option<String> {
        self.known()
            .tags
            .iter()
            .find(|(_, (tags, _))| {
                tags.display_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
            })
            .map(|(id, _)| id.clone())
    }

    /// Replaces what is known by a fill that started at `started`; entries
    /// this process recorded since are newer and kept.
    fn fill(&self, found: HashMap<String, GroupTags>, started: Instant) {
        let mut known = self.known();
        known.tags.retain(|_, (_, at)| *at >= started);
        for (id, tags) in found {
            known.tags.entry(id).or_insert((tags, started));
        }
        known.filled = Some(started);
    }
}

/// The profiles SCIM linked (`scim:group=linked`) or created
/// (`scim:createdBy=scim`): the only ones with group tags.
fn scim_groups() -> TagFilter {
    TagFilter::Or(vec![
        vec![(GROUP.to_owned(), LINKED.to_owned())],
        vec![(CREATED_BY.to_owned(), SCIM.to_owned())],
    ])
}

impl Provisioning {
    /// How long group tags are trusted: the profile cache's TTL.
    pub fn group_facts_ttl(&self) -> Duration {
        self.cache.config().ttl
    }

    /// Makes sure every group's tags were read within the TTL: no call when
    /// they were, else SearchSecurityProfiles (1 call per 100 groups).
    pub async fn fresh_group_facts(&self, connect: &dyn Connect) -> Result<(), Error> {
        let ttl = self.group_facts_ttl();
        if self.group_facts.filled_within(ttl) {
            return Ok(());
        }
        let _one_at_a_time = self.group_facts.refill.lock().await;
        if self.group_facts.filled_within(ttl) {
            return Ok(());
        }
        let started = Instant::now();
        let mut found = HashMap::new();
        let mut next_token = None;
        for _ in 0..MAX_PAGES {
            let page = connect
                .search_security_profiles(&SecurityProfileSearch {
                    tag_filter: Some(scim_groups()),
                    max_results: Some(SEARCH_PAGE),
                    next_token,
                })
                .await?;
            let empty = page.items.is_empty();
            found.extend(
                page.items
                    .into_iter()
                    .map(|p| (p.id, GroupTags::read(&p.tags))),
            );
            match page.next_token {
                Some(token) if !empty => next_token = Some(token),
                _ => {
                    self.group_facts.fill(found, started);
                    return Ok(());
                }
            }
        }
        Err(Error::Connect(crate::connect::ConnectError::Other(
            format!("SearchSecurityProfiles: more than {MAX_PAGES} pages"),
        )))
    }

    /// The tags of group `profile` as known within the TTL: this process's own
    /// read or write, else every group's ([`Self::fresh_group_facts`], no call
    /// when warm), else DescribeSecurityProfile. Returns them with the profile
    /// (its LastModifiedTime) as last read.
    pub async fn group_tags(
        &self,
        connect: &dyn Connect,
        profile: &Summary,
    ) -> Result<(GroupTags, Summary), Error> {
        let ttl = self.group_facts_ttl();
        if let Some(tags) = self.group_facts.fresh(&profile.id, ttl) {
            return Ok((tags, profile.clone()));
        }
        self.fresh_group_facts(connect).await?;
        if let Some(tags) = self.group_facts.fresh(&profile.id, ttl) {
            return Ok((tags, profile.clone()));
        }
        let described = self.describe_group(connect, &profile.id).await?;
        let read = Summary {
            last_modified: described.last_modified,
            ..profile.clone()
        };
        Ok((GroupTags::read(&described.tags), read))
    }

    /// After this process wrote profile `profile`'s tags: its LastModifiedTime
    /// is now (Connect's answer gives none); the cached summary learns it.
    pub fn profile_written(&self, profile: &Summary) -> Summary {
        let written = Summary {
            last_modified: Some(time::OffsetDateTime::now_utc()),
            ..profile.clone()
        };
        self.cache.insert_security_profile(written.clone());
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> GroupTags {
        GroupTags {
            linked: true,
            display_name: Some(name.into()),
            ..GroupTags::default()
        }
    }

    #[test]
    fn a_fill_replaces_older_entries_and_keeps_newer_ones() {
        let facts = GroupFacts::default();
        facts.record("old", &named("Old"));
        let started = Instant::now();
        facts.record("written", &named("Written Since"));
        let found = HashMap::from([
            ("written".to_owned(), named("Stale Read")),
            ("other".to_owned(), named("Other")),
        ]);
        facts.fill(found, started);
        assert_eq!(facts.get("old"), GroupTags::default());
        assert_eq!(
            facts.renamed_to("written since").as_deref(),
            Some("written")
        );
        assert_eq!(facts.renamed_to("OTHER").as_deref(), Some("other"));
        let ttl = Duration::from_secs(60);
        assert!(facts.filled_within(ttl));
        assert_eq!(facts.fresh("never-tagged", ttl), Some(GroupTags::default()));
        assert_eq!(facts.fresh("never-tagged", Duration::ZERO), None);
    }

    #[test]
    fn an_update_changes_only_a_known_entry_and_forget_outlives_a_fill() {
        let facts = GroupFacts::default();
        facts.update("unknown", |t| t.external_id = Some("x".into()));
        assert_eq!(facts.fresh("unknown", Duration::from_secs(60)), None);
        facts.record("g", &named("G"));
        facts.update("g", |t| t.external_id = Some("x".into()));
        assert_eq!(facts.get("g").external_id.as_deref(), Some("x"));
        let started = Instant::now();
        facts.forget("g");
        facts.fill(HashMap::from([("g".to_owned(), named("G"))]), started);
        assert_eq!(facts.get("g"), GroupTags::default());
    }
}
