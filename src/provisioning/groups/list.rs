//! GET /Groups (RFC 7644 §3.4.2): pages over the cached security profile list
//! (names, LastModifiedTime) and every group's tags (externalId, renamed
//! displayName, creation time; see [`super::facts`]), so a list or a
//! `displayName eq` lookup costs no Connect call when both are warm, and 1
//! ListSecurityProfiles + 1 SearchSecurityProfiles per 100 groups when cold.
//! `members.value eq "<user id>"` is the groups of one user (one
//! DescribeUser). Members are looked up only when `attributes` asks for them:
//! two SearchUsers per listed group would spend the quota of a whole page of
//! lookups on data Okta and Entra never read from a list.

use serde_json::Value;

use crate::connect::{Connect, ConnectError, Summary};
use crate::scim::error::ScimError;
use crate::scim::filter::{CompValue, CompareOp, Filter};
use crate::scim::list::{self, ListQuery};
use crate::scim::path::AttrPath;
use crate::scim::schema::ResourceSchema;

use super::super::agent::AgentState;
use super::super::{Error, Provisioning};
use super::members::MemberRef;
use super::render::group_json;

/// One page of groups for a ListResponse.
#[derive(Debug, Clone)]
pub struct GroupList {
    pub resources: Vec<Value>,
    pub total_results: usize,
    pub start_index: usize,
}

/// Whether a query wants `members` (RFC 7644 §3.9): in a list only when
/// `attributes` names it; for one group unless `excludedAttributes` does.
pub fn wants_members(query: &ListQuery, in_list: bool) -> bool {
    let names = |paths: &[AttrPath]| paths.iter().any(names_members);
    if !query.attributes.is_empty() || in_list {
        names(&query.attributes)
    } else {
        !names(&query.excluded_attributes)
    }
}

fn names_members(path: &AttrPath) -> bool {
    path.attr.eq_ignore_ascii_case("members")
}

impl Provisioning {
    /// GET /Groups (RFC 7644 §3.4.2).
    pub async fn list_groups(
        &self,
        connect: &dyn Connect,
        query: &ListQuery,
        base: &str,
    ) -> Result<GroupList, Error> {
        let (member_of, rest) = match &query.filter {
            Some(filter) => split_member_filter(filter)?,
            None => (Vec::new(), None),
        };
        let profiles = self.cache.security_profiles(connect).await?;
        self.fresh_group_facts(connect).await?;
        let mut groups: Vec<&Summary> = profiles
            .iter()
            .filter(|p| !self.is_disabled_profile(&p.name))
            .collect();
        for user_id in &member_of {
            let held = self.profiles_of_user(connect, user_id).await?;
            groups.retain(|p| held.contains(&p.id));
        }
        let schema = ResourceSchema::group();
        let select = || -> Vec<Value> {
            groups
                .iter()
                .map(|p| group_json(p, &self.group_facts.get(&p.id), None, base))
                .filter(|json| rest.as_ref().is_none_or(|f| f.matches(json, &schema)))
                .collect()
        };
        let mut matched = select();
        if let Some(by) = &query.sort_by {
            list::sort(&mut matched, by, query.sort_order, &schema);
        }
        let total = matched.len();
        let start = query.start_index.max(1);
        let count = query
            .count
            .unwrap_or(self.settings.max_page_size)
            .min(self.settings.max_page_size);
        let mut resources: Vec<Value> = matched.into_iter().skip(start - 1).take(count).collect();
        if wants_members(query, true) {
            for json in &mut resources {
                let Some(profile) = groups.iter().find(|p| json["id"] == p.id.as_str()) else {
                    continue;
                };
                let members: Vec<MemberRef> = self
                    .group_members(connect, &profile.id)
                    .await?
                    .iter()
                    .map(MemberRef::of)
                    .collect();
                let tags = self.group_facts.get(&profile.id);
                *json = group_json(profile, &tags, Some(&members), base);
            }
        }
        Ok(GroupList {
            resources,
            total_results: total,
            start_index: start,
        })
    }

    /// The security profiles a user holds as SCIM sees them (the remembered
    /// ones while deactivated): one DescribeUser; none for an unknown id.
    async fn profiles_of_user(
        &self,
        connect: &dyn Connect,
        user_id: &str,
    ) -> Result<Vec<String>, Error> {
        match connect.describe_user(user_id).await {
            Ok(user) => Ok(AgentState::of_user(&user).profile_ids),
            Err(ConnectError::NotFound(_)) | Err(ConnectError::InvalidParameter(_)) => {
                Ok(Vec::new())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Splits `members.value eq "<id>"` terms (or `members[value eq "<id>"]`,
/// or `members eq "<id>"`) out of a conjunction; any other use of `members`
/// in a filter is 400 `invalidFilter`.
fn split_member_filter(filter: &Filter) -> Result<(Vec<String>, Option<Filter>), Error> {
    let mut member_of: Vec<String> = Vec::new();
    let mut rest: Option<Filter> = None;
    for term in filter.conjuncts() {
        if !mentions_members(term) {
            rest = Some(match rest {
                None => term.clone(),
                Some(r) => Filter::And(Box::new(r), Box::new(term.clone())),
            });
            continue;
        }
        match member_value_eq(term) {
            Some(id) => member_of.push(id),
            None => {
                return Err(Error::Scim(ScimError::invalid_filter(
                    "members can be filtered only with members.value eq \"<user id>\" (optionally and-ed with other terms)",
                )));
            }
        }
    }
    Ok((member_of, rest))
}

fn mentions_members(filter: &Filter) -> bool {
    match filter {
        Filter::Compare { path, .. } | Filter::Present(path) => names_members(path),
        Filter::ValuePath { path, .. } => names_members(path),
        Filter::And(a, b) | Filter::Or(a, b) => mentions_members(a) || mentions_members(b),
        Filter::Not(f) => mentions_members(f),
    }
}

fn member_value_eq(term: &Filter) -> Option<String> {
    match term {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(id),
        } if names_members(path)
            && path
                .sub_attr
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("value")) =>
        {
            Some(id.clone())
        }
        Filter::ValuePath { path, filter } if names_members(path) => match filter.as_ref() {
            Filter::Compare {
                path: inner,
                op: CompareOp::Eq,
                value: CompValue::String(id),
            } if inner.attr.eq_ignore_ascii_case("value") && inner.sub_attr.is_none() => {
                Some(id.clone())
            }
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (Vec<String>, Option<String>) {
        let (id, rest) = split_member_filter(&Filter::parse(text).unwrap()).unwrap();
        (id, rest.map(|f| f.to_string()))
    }

    #[test]
    fn a_member_term_is_split_from_the_rest() {
        assert_eq!(
            split(r#"members.value eq "u1" and displayName sw "S""#),
            (vec!["u1".to_string()], Some(r#"displayName sw "S""#.into()))
        );
        assert_eq!(
            split(r#"members[value eq "u2"]"#),
            (vec!["u2".to_string()], None)
        );
        assert_eq!(
            split(r#"displayName eq "Sales""#),
            (vec![], Some(r#"displayName eq "Sales""#.into()))
        );
    }

    #[test]
    fn other_member_filters_are_refused() {
        let f = Filter::parse(r#"members.value eq "u1" or displayName eq "x""#).unwrap();
        assert!(split_member_filter(&f).is_err());
    }

    #[test]
    fn lists_show_members_only_when_asked() {
        let q = |raw: &str| ListQuery::from_query(Some(raw), 100).unwrap();
        assert!(!wants_members(&q("count=5"), true));
        assert!(wants_members(&q("attributes=members"), true));
        assert!(wants_members(&q("count=5"), false));
        assert!(!wants_members(&q("excludedAttributes=members"), false));
        assert!(!wants_members(&q("attributes=displayName"), false));
    }
}
