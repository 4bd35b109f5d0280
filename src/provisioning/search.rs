//! GET /Users with a filter or pages (RFC 7644 §3.4.2): the filter as the
//! fewest Connect calls ([`translate`]), evaluated on what comes back where
//! Connect cannot express it exactly, up to a bound. Connect NextTokens are kept
//! so Okta's sequential pages never re-read earlier ones.

use serde_json::Value;

use crate::connect::{Connect, ConnectError, TagFilter, UserSearch, UserSummary};
use crate::scim::error::ScimError;
use crate::scim::list::{self, ListQuery};
use crate::scim::schema::ResourceSchema;

use super::agent::AgentState;
use super::render::user_json;
use super::tags::MANAGED;
use super::{Error, Provisioning};

mod cursors;
mod translate;

pub use cursors::Cursors;
pub use translate::{Translation, needs_full_records, translate};

/// SearchUsers' largest page (`MaxResult500`).
const SEARCH_PAGE: usize = 500;

/// Full records (DescribeUser) one list request reads at most: the ids of an
/// `or` of `id eq`, or the candidates of a filter on emails or phoneNumbers.
/// 20 calls are 10 s of Connect's default quota.
pub const MAX_DESCRIBED: usize = 20;

/// One page of users for a ListResponse.
#[derive(Debug, Clone)]
pub struct UserList {
    pub resources: Vec<Value>,
    pub total_results: usize,
    pub start_index: usize,
}

impl Provisioning {
    /// GET /Users (RFC 7644 §3.4.2).
    pub async fn list_users(
        &self,
        connect: &dyn Connect,
        query: &ListQuery,
        base: &str,
    ) -> Result<UserList, Error> {
        let count = query
            .count
            .unwrap_or(self.settings.max_page_size)
            .min(self.settings.max_page_size);
        let start = query.start_index.max(1);
        match translate(query.filter.as_ref()) {
            Translation::ByIds(ids) => {
                self.list_by_ids(connect, &ids, query, start, count, base)
                    .await
            }
            Translation::Search { search, exact } if exact && query.sort_by.is_none() => {
                self.list_exact(connect, only_managed(search), query, start, count, base)
                    .await
            }
            Translation::Search { search, .. } => {
                self.list_scanned(connect, only_managed(search), query, start, count, base)
                    .await
            }
        }
    }

    /// `id eq` (or an `or` of them): one DescribeUser per id (users SCIM does
    /// not manage are not SCIM resources).
    async fn list_by_ids(
        &self,
        connect: &dyn Connect,
        ids: &[String],
        query: &ListQuery,
        start: usize,
        count: usize,
        base: &str,
    ) -> Result<UserList, Error> {
        let mut unique: Vec<&String> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        if unique.len() > MAX_DESCRIBED {
            return Err(Error::Scim(ScimError::too_many(format!(
                "this filter names {} ids, one DescribeUser each; at most {MAX_DESCRIBED} are read per request",
                unique.len()
            ))));
        }
        let mut matched = Vec::new();
        for id in unique {
            if let Some(json) = self.full_record(connect, id, base).await?
                && matches(query, &json)
            {
                matched.push(json);
            }
        }
        Ok(page_of(matched, query, start, count))
    }

    /// A user's full representation (DescribeUser), `None` when there is no such user.
    async fn full_record(
        &self,
        connect: &dyn Connect,
        id: &str,
        base: &str,
    ) -> Result<Option<Value>, Error> {
        match connect.describe_user(id).await {
            Ok(user) if !AgentState::of_user(&user).managed => Ok(None),
            Ok(user) => Ok(Some(self.render(connect, &user, base).await?.json)),
            Err(ConnectError::NotFound(_)) | Err(ConnectError::InvalidParameter(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Connect's own paging: one SearchUsers per page once the cursor is known.
    async fn list_exact(
        &self,
        connect: &dyn Connect,
        search: UserSearch,
        query: &ListQuery,
        start: usize,
        count: usize,
        base: &str,
    ) -> Result<UserList, Error> {
        let key = format!("{:?}|{:?}", search.criteria, search.tag_filter);
        // A later page resumes from the furthest cursor this query reached
        // before it (that page's own, after a sequential read); with none, it
        // walks from the first user, in Connect's largest pages, and each page
        // walked leaves a cursor, so a retry after a 429 goes on from there.
        let (mut position, mut token) = match self.cursors.resume(&key, start) {
            Some((position, token)) if start > 1 => (position, Some(token)),
            _ => (1, None),
        };
        let wanted = count.clamp(1, SEARCH_PAGE);
        // Whole pages while the page asked for is not within the next one.
        while position < start && start - position + wanted > SEARCH_PAGE {
            let step = (start - position).min(SEARCH_PAGE);
            let page = connect
                .search_users(&UserSearch {
                    max_results: Some(step as i32),
                    next_token: token.clone(),
                    ..search.clone()
                })
                .await?;
            position += page.items.len();
            match page.next_token {
                Some(t) if !page.items.is_empty() => {
                    self.cursors.put(&key, position, t.clone());
                    token = Some(t);
                }
                _ => {
                    return Ok(UserList {
                        resources: Vec::new(),
                        total_results: position - 1,
                        start_index: start,
                    });
                }
            }
        }
        // The last stretch of the walk and the page itself in one call.
        let skip = start - position;
        let page = connect
            .search_users(&UserSearch {
                max_results: Some((skip + wanted) as i32),
                next_token: token,
                ..search
            })
            .await?;
        let items: Vec<&UserSummary> = page.items.iter().skip(skip).collect();
        let served = if count == 0 { 0 } else { items.len() };
        if let Some(t) = &page.next_token {
            self.cursors.put(&key, start + items.len(), t.clone());
        }
        // Every user up to the end of this page is counted: without a next
        // page that is the total (also past the end, where the page asked
        // for is empty); with one, at least one more, or Connect's count.
        let seen = position - 1 + page.items.len();
        let total = match &page.next_token {
            None => seen,
            Some(_) => page
                .approximate_total
                .and_then(|t| usize::try_from(t).ok())
                .map_or(seen + 1, |t| t.max(seen + 1)),
        };
        let mut resources = Vec::with_capacity(served);
        for summary in items.into_iter().take(served) {
            let json = self.render_summary(connect, summary, base).await?;
            if matches(query, &json) {
                resources.push(json);
            }
        }
        Ok(UserList {
            resources,
            total_results: total,
            start_index: start,
        })
    }

    /// Filters Connect cannot express (and sortBy): read up to MAX_FILTER_SCAN
    /// users (narrowed by whatever part of the filter Connect can search) and
    /// evaluate. A filter on emails or phoneNumbers, which summaries lack, is
    /// evaluated on the candidates' full records (MAX_DESCRIBED at most).
    async fn list_scanned(
        &self,
        connect: &dyn Connect,
        search: UserSearch,
        query: &ListQuery,
        start: usize,
        count: usize,
        base: &str,
    ) -> Result<UserList, Error> {
        let bound = self.settings.max_filter_scan;
        let full = query.filter.as_ref().is_some_and(needs_full_records);
        let mut candidates = Vec::new();
        let mut token = None;
        loop {
            let page = connect
                .search_users(&UserSearch {
                    max_results: Some(SEARCH_PAGE.min(bound + 1 - candidates.len()) as i32),
                    next_token: token,
                    ..search.clone()
                })
                .await?;
            let more = page.next_token.filter(|_| !page.items.is_empty());
            candidates.extend(page.items);
            if candidates.len() > bound {
                return Err(Error::Scim(ScimError::too_many(scan_refused(query, bound))));
            }
            match more {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        if full && candidates.len() > MAX_DESCRIBED {
            return Err(Error::Scim(ScimError::too_many(format!(
                "a filter on emails or phoneNumbers reads each candidate's full record (Amazon Connect's search \
                 has neither the secondary email nor the mobile number), at most {MAX_DESCRIBED}, and {} users \
                 remain; narrow it with userName, name.givenName, name.familyName or externalId",
                candidates.len()
            ))));
        }
        let mut matched = Vec::new();
        for summary in &candidates {
            let json = if full {
                self.full_record(connect, &summary.id, base).await?
            } else {
                Some(self.render_summary(connect, summary, base).await?)
            };
            if let Some(json) = json.filter(|json| matches(query, json)) {
                matched.push(json);
            }
        }
        Ok(page_of(matched, query, start, count))
    }

    /// A SearchUsers summary as a SCIM user (no email beyond our mirror tag,
    /// no mobile, no version: Connect's summary lacks them).
    pub async fn render_summary(
        &self,
        connect: &dyn Connect,
        summary: &UserSummary,
        base: &str,
    ) -> Result<Value, Error> {
        let state = AgentState::of_summary(summary);
        let names = self
            .names_of(
                connect,
                &state.profile_ids,
                &state.routing_profile_id,
                state.hierarchy_group_id.as_deref(),
            )
            .await?;
        Ok(user_json(
            &summary.id,
            &state,
            &names,
            &self
                .meta(&summary.id, base, None, None)
                .with_created(&summary.tags),
        ))
    }
}

/// Sorted (if asked) and cut to the requested page.
fn page_of(mut matched: Vec<Value>, query: &ListQuery, start: usize, count: usize) -> UserList {
    if let Some(by) = &query.sort_by {
        list::sort(&mut matched, by, query.sort_order, &ResourceSchema::user());
    }
    let total = matched.len();
    UserList {
        resources: matched.into_iter().skip(start - 1).take(count).collect(),
        total_results: total,
        start_index: start,
    }
}

/// Why a scan past MAX_FILTER_SCAN is refused: the filter, or sortBy alone.
fn scan_refused(query: &ListQuery, bound: usize) -> String {
    match (&query.filter, &query.sort_by) {
        (None, Some(by)) => format!(
            "sortBy={by} sorts every user, and the instance has more than {bound} (MAX_FILTER_SCAN); \
             leave sortBy out (pages then come in Amazon Connect's order) or add a filter on userName, \
             name.givenName, name.familyName or externalId"
        ),
        (Some(_), Some(by)) => format!(
            "this filter with sortBy={by} needs more than {bound} users examined and sorted (MAX_FILTER_SCAN); \
             narrow it with userName, name.givenName, name.familyName or externalId, or leave sortBy out"
        ),
        _ => format!(
            "this filter needs more than {bound} users examined (MAX_FILTER_SCAN); \
             narrow it with userName, name.givenName, name.familyName or externalId, which Amazon Connect searches directly"
        ),
    }
}

fn matches(query: &ListQuery, json: &Value) -> bool {
    query
        .filter
        .as_ref()
        .is_none_or(|f| f.matches(json, &ResourceSchema::user()))
}

/// The search narrowed to SCIM-managed users (`scim:managed = true`), so a
/// Connect user SCIM does not manage is never a SCIM resource (lists and
/// lookups alike); Connect applies it, so paging and totals stay exact.
fn only_managed(mut search: UserSearch) -> UserSearch {
    let managed = (MANAGED.to_owned(), "true".to_owned());
    search.tag_filter = Some(match search.tag_filter.take() {
        None => TagFilter::Tag {
            key: managed.0,
            value: managed.1,
        },
        Some(TagFilter::Tag { key, value }) => TagFilter::And(vec![managed, (key, value)]),
        Some(TagFilter::And(mut all)) => {
            all.insert(0, managed);
            TagFilter::And(all)
        }
        Some(TagFilter::Or(any)) => TagFilter::Or(
            any.into_iter()
                .map(|mut all| {
                    all.insert(0, managed.clone());
                    all
                })
                .collect(),
        ),
    });
    search
}
