//! GET /Users with a filter or pages (RFC 7644 §3.4.2): SCIM filters turned
//! into one SearchUsers where Connect can express them (`userName`, `name.*`
//! with eq/sw/co, `externalId eq` and `active eq false` through our tags, `id eq`
//! as one DescribeUser), else evaluated on fetched pages up to a bound. Connect
//! NextTokens are kept so Okta's sequential pages never re-read earlier ones.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::connect::{
    Comparison, Connect, ConnectError, TagFilter, UserCriteria, UserField, UserSearch, UserSummary,
};
use crate::scim::error::ScimError;
use crate::scim::filter::{CompValue, CompareOp, Filter};
use crate::scim::list::{self, ListQuery};
use crate::scim::path::AttrPath;
use crate::scim::schema::{self, ResourceSchema};

use super::agent::AgentState;
use super::render::user_json;
use super::tags;
use super::{Error, Provisioning};

/// SearchUsers' largest page (`MaxResult500`).
const SEARCH_PAGE: usize = 500;

/// One page of users for a ListResponse.
#[derive(Debug, Clone)]
pub struct UserList {
    pub resources: Vec<Value>,
    pub total_results: usize,
    pub start_index: usize,
}

/// How a filter reaches Connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// `id eq "…"`: one DescribeUser.
    ById(String),
    /// One SearchUsers; `exact` when Connect's answer is exactly the filter's
    /// (else the filter is re-evaluated on what comes back, within a bound).
    Search { search: UserSearch, exact: bool },
}

/// Translates a SCIM filter (None: every user).
pub fn translate(filter: Option<&Filter>) -> Translation {
    let Some(filter) = filter else {
        return Translation::Search {
            search: UserSearch::default(),
            exact: true,
        };
    };
    if let Filter::Or(..) = filter {
        let mut terms = Vec::new();
        if or_terms(filter, &mut terms) {
            return Translation::Search {
                search: UserSearch {
                    criteria: Some(UserCriteria::Or(terms)),
                    ..UserSearch::default()
                },
                exact: true,
            };
        }
        return Translation::Search {
            search: UserSearch::default(),
            exact: false,
        };
    }
    let mut criteria = Vec::new();
    let mut tag_terms = Vec::new();
    let mut exact = true;
    for term in filter.conjuncts() {
        if let Some(id) = id_eq(term) {
            return Translation::ById(id);
        }
        match term_of(term) {
            Some(Term::Criteria(c)) => criteria.push(c),
            Some(Term::Tag(k, v)) => tag_terms.push((k, v)),
            None => exact = false,
        }
    }
    let criteria = match criteria.len() {
        0 => None,
        1 => criteria.pop(),
        _ => Some(UserCriteria::And(criteria)),
    };
    let tag_filter = match tag_terms.len() {
        0 => None,
        1 => tag_terms
            .pop()
            .map(|(key, value)| TagFilter::Tag { key, value }),
        _ => Some(TagFilter::And(tag_terms)),
    };
    Translation::Search {
        search: UserSearch {
            criteria,
            tag_filter,
            ..UserSearch::default()
        },
        exact,
    }
}

enum Term {
    Criteria(UserCriteria),
    Tag(String, String),
}

fn or_terms(filter: &Filter, out: &mut Vec<UserCriteria>) -> bool {
    match filter {
        Filter::Or(a, b) => or_terms(a, out) && or_terms(b, out),
        other => match term_of(other) {
            Some(Term::Criteria(c)) => {
                out.push(c);
                true
            }
            _ => false,
        },
    }
}

fn core_attr(path: &AttrPath) -> bool {
    path.urn
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(schema::USER))
}

fn id_eq(term: &Filter) -> Option<String> {
    match term {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(v),
        } if core_attr(path) && path.attr.eq_ignore_ascii_case("id") && path.sub_attr.is_none() => {
            Some(v.clone())
        }
        _ => None,
    }
}

fn term_of(term: &Filter) -> Option<Term> {
    let Filter::Compare { path, op, value } = term else {
        return None;
    };
    if !core_attr(path) {
        return None;
    }
    let attr = path.attr.to_ascii_lowercase();
    let sub = path.sub_attr.as_deref().map(str::to_ascii_lowercase);
    match (attr.as_str(), sub.as_deref(), op, value) {
        ("externalid", None, CompareOp::Eq, CompValue::String(v)) => {
            Some(Term::Tag(tags::EXTERNAL_ID.to_owned(), v.clone()))
        }
        ("active", None, CompareOp::Eq, CompValue::Bool(false)) => {
            Some(Term::Tag(tags::ACTIVE.to_owned(), "false".to_owned()))
        }
        (attr, sub, op, CompValue::String(v)) => {
            let field = match (attr, sub) {
                ("username", None) => UserField::Username,
                ("name", Some("givenname")) => UserField::FirstName,
                ("name", Some("familyname")) => UserField::LastName,
                _ => return None,
            };
            let comparison = match op {
                CompareOp::Eq => Comparison::Exact,
                CompareOp::Sw => Comparison::StartsWith,
                CompareOp::Co => Comparison::Contains,
                _ => return None,
            };
            Some(Term::Criteria(UserCriteria::String {
                field,
                comparison,
                value: v.clone(),
            }))
        }
        _ => None,
    }
}

/// Connect NextTokens by (search, the startIndex they lead to), so page N+1 of
/// a sequential read costs one call. Bounded and short-lived.
#[derive(Default)]
pub struct Cursors {
    tokens: Mutex<HashMap<(String, usize), (String, Instant)>>,
}

const CURSOR_TTL: Duration = Duration::from_secs(600);
const CURSOR_MAX: usize = 1024;

impl Cursors {
    fn get(&self, search: &str, start: usize) -> Option<String> {
        let tokens = self.tokens.lock().ok()?;
        tokens
            .get(&(search.to_owned(), start))
            .filter(|(_, at)| at.elapsed() < CURSOR_TTL)
            .map(|(t, _)| t.clone())
    }

    fn put(&self, search: &str, start: usize, token: String) {
        if let Ok(mut tokens) = self.tokens.lock() {
            if tokens.len() >= CURSOR_MAX {
                tokens.retain(|_, (_, at)| at.elapsed() < CURSOR_TTL);
                if tokens.len() >= CURSOR_MAX {
                    tokens.clear();
                }
            }
            tokens.insert((search.to_owned(), start), (token, Instant::now()));
        }
    }
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
            Translation::ById(id) => self.list_by_id(connect, &id, query, base).await,
            Translation::Search { search, exact } if exact && query.sort_by.is_none() => {
                self.list_exact(connect, search, query, start, count, base)
                    .await
            }
            Translation::Search { search, .. } => {
                self.list_scanned(connect, search, query, start, count, base)
                    .await
            }
        }
    }

    async fn list_by_id(
        &self,
        connect: &dyn Connect,
        id: &str,
        query: &ListQuery,
        base: &str,
    ) -> Result<UserList, Error> {
        let resources = match connect.describe_user(id).await {
            Ok(user) => {
                let json = self.render(connect, &user, base).await?.json;
                matches(query, &json).then_some(json).into_iter().collect()
            }
            Err(ConnectError::NotFound(_)) | Err(ConnectError::InvalidParameter(_)) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let total = resources.len();
        let start = query.start_index.max(1);
        Ok(UserList {
            resources: resources.into_iter().skip(start - 1).collect(),
            total_results: total,
            start_index: start,
        })
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
        let mut token = if start == 1 {
            None
        } else {
            self.cursors.get(&key, start)
        };
        let mut position = if start == 1 || token.is_some() {
            start
        } else {
            1
        };
        // No cursor for a later page: walk to it, as few calls as Connect allows.
        while position < start {
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
        let page = connect
            .search_users(&UserSearch {
                max_results: Some(count.clamp(1, SEARCH_PAGE) as i32),
                next_token: token,
                ..search
            })
            .await?;
        let served = if count == 0 { 0 } else { page.items.len() };
        if let Some(t) = &page.next_token {
            self.cursors.put(&key, start + page.items.len(), t.clone());
        }
        let counted = start - 1 + page.items.len() + usize::from(page.next_token.is_some());
        let total = page
            .approximate_total
            .and_then(|t| usize::try_from(t).ok())
            .map_or(counted, |t| t.max(start - 1 + page.items.len()));
        let mut resources = Vec::with_capacity(served);
        for summary in page.items.iter().take(served) {
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

    /// Filters Connect cannot express: read up to MAX_FILTER_SCAN users
    /// (narrowed by whatever part of the filter Connect can search), evaluate.
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
        let mut matched = Vec::new();
        let mut token = None;
        let mut scanned = 0usize;
        loop {
            let page = connect
                .search_users(&UserSearch {
                    max_results: Some(SEARCH_PAGE.min(bound + 1 - scanned) as i32),
                    next_token: token,
                    ..search.clone()
                })
                .await?;
            scanned += page.items.len();
            if scanned > bound {
                return Err(Error::Scim(ScimError::too_many(format!(
                    "this filter needs more than {bound} users examined (MAX_FILTER_SCAN); \
                     narrow it with userName, name.givenName, name.familyName or externalId, which Amazon Connect searches directly"
                ))));
            }
            for summary in &page.items {
                let json = self.render_summary(connect, summary, base).await?;
                if matches(query, &json) {
                    matched.push(json);
                }
            }
            match page.next_token {
                Some(t) if !page.items.is_empty() => token = Some(t),
                _ => break,
            }
        }
        if let Some(by) = &query.sort_by {
            list::sort(&mut matched, by, query.sort_order, &ResourceSchema::user());
        }
        let total = matched.len();
        Ok(UserList {
            resources: matched.into_iter().skip(start - 1).take(count).collect(),
            total_results: total,
            start_index: start,
        })
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
            &self.meta(&summary.id, base, None, None),
        ))
    }
}

fn matches(query: &ListQuery, json: &Value) -> bool {
    query
        .filter
        .as_ref()
        .is_none_or(|f| f.matches(json, &ResourceSchema::user()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(filter: &str) -> Translation {
        translate(Some(&Filter::parse(filter).unwrap()))
    }

    #[test]
    fn username_eq_is_one_exact_search() {
        let Translation::Search { search, exact } = t(r#"userName eq "jdoe""#) else {
            panic!()
        };
        assert!(exact);
        assert_eq!(
            search.criteria,
            Some(UserCriteria::String {
                field: UserField::Username,
                comparison: Comparison::Exact,
                value: "jdoe".into()
            })
        );
    }

    #[test]
    fn external_id_eq_is_a_tag_search() {
        let Translation::Search { search, exact } = t(r#"externalId eq "00u1""#) else {
            panic!()
        };
        assert!(exact);
        assert_eq!(
            search.tag_filter,
            Some(TagFilter::Tag {
                key: tags::EXTERNAL_ID.into(),
                value: "00u1".into()
            })
        );
    }

    #[test]
    fn id_eq_is_one_describe() {
        assert_eq!(t(r#"id eq "abc""#), Translation::ById("abc".into()));
    }

    #[test]
    fn untranslatable_terms_fall_back_to_a_bounded_scan() {
        let Translation::Search { search, exact } =
            t(r#"userName sw "j" and emails[type eq "work" and value co "@x"]"#)
        else {
            panic!()
        };
        assert!(!exact);
        assert!(search.criteria.is_some());
    }
}
