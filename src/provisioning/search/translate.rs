//! SCIM filters as Connect calls: one SearchUsers where Connect can express
//! the filter (`userName`, `name.*` with eq/sw/co, `externalId eq` and
//! `active eq false` through our tags, and `or`s of either kind), one
//! DescribeUser per id for `id eq` (and `or`s of them), else a search for the
//! part Connect can express, re-evaluated on what comes back.

use crate::connect::{Comparison, TagFilter, UserCriteria, UserField, UserSearch};
use crate::scim::filter::{CompValue, CompareOp, Filter};
use crate::scim::path::AttrPath;
use crate::scim::schema;

use super::super::tags;

/// How a filter reaches Connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// `id eq "…"`, or an `or` of them: one DescribeUser per id.
    ByIds(Vec<String>),
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
        return translate_or(&disjuncts(filter));
    }
    let mut criteria = Vec::new();
    let mut tag_terms = Vec::new();
    let mut exact = true;
    for term in filter.conjuncts() {
        if let Some(id) = id_eq(term) {
            return Translation::ByIds(vec![id]);
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

/// An `or`: of `id eq` (DescribeUser each), of searchable name terms (one
/// SearchUsers with OR criteria), or of conjunctions of tag terms such as
/// `externalId eq` (one SearchUsers with a tag filter's `OrConditions`).
/// Connect ANDs criteria with the tag filter, so a mix of the two kinds is
/// evaluated on every user, within the scan bound.
fn translate_or(disjuncts: &[&Filter]) -> Translation {
    if let Some(ids) = disjuncts
        .iter()
        .map(|d| id_eq(d))
        .collect::<Option<Vec<_>>>()
    {
        return Translation::ByIds(ids);
    }
    let criteria = disjuncts.iter().map(|d| match term_of(d) {
        Some(Term::Criteria(c)) => Some(c),
        _ => None,
    });
    if let Some(terms) = criteria.collect::<Option<Vec<_>>>() {
        return Translation::Search {
            search: UserSearch {
                criteria: Some(UserCriteria::Or(terms)),
                ..UserSearch::default()
            },
            exact: true,
        };
    }
    let tag_groups = disjuncts.iter().map(|d| {
        d.conjuncts()
            .into_iter()
            .map(|t| match term_of(t) {
                Some(Term::Tag(k, v)) => Some((k, v)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
    });
    if let Some(groups) = tag_groups.collect::<Option<Vec<_>>>() {
        return Translation::Search {
            search: UserSearch {
                tag_filter: Some(TagFilter::Or(groups)),
                ..UserSearch::default()
            },
            exact: true,
        };
    }
    Translation::Search {
        search: UserSearch::default(),
        exact: false,
    }
}

/// The operands of a chain of `or`, flattened.
fn disjuncts(filter: &Filter) -> Vec<&Filter> {
    match filter {
        Filter::Or(a, b) => {
            let mut out = disjuncts(a);
            out.extend(disjuncts(b));
            out
        }
        other => vec![other],
    }
}

/// Whether the filter names an attribute that SearchUsers summaries lack
/// (`phoneNumbers`; `emails`, of which summaries carry only the primary one,
/// through our mirror tag): such a filter is evaluated on full records.
pub fn needs_full_records(filter: &Filter) -> bool {
    let lacking = |path: &AttrPath| {
        core_attr(path)
            && (path.attr.eq_ignore_ascii_case("emails")
                || path.attr.eq_ignore_ascii_case("phoneNumbers"))
    };
    match filter {
        Filter::Compare { path, .. } | Filter::Present(path) => lacking(path),
        Filter::ValuePath { path, .. } => lacking(path),
        Filter::And(a, b) | Filter::Or(a, b) => needs_full_records(a) || needs_full_records(b),
        Filter::Not(inner) => needs_full_records(inner),
    }
}

enum Term {
    Criteria(UserCriteria),
    Tag(String, String),
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
        assert_eq!(t(r#"id eq "abc""#), Translation::ByIds(vec!["abc".into()]));
    }

    #[test]
    fn an_or_of_external_ids_is_one_tag_search_and_an_or_of_ids_describes_each() {
        let Translation::Search { search, exact } =
            t(r#"externalId eq "a" or (externalId eq "b" and active eq false)"#)
        else {
            panic!()
        };
        assert!(exact);
        assert_eq!(
            search.tag_filter,
            Some(TagFilter::Or(vec![
                vec![(tags::EXTERNAL_ID.into(), "a".into())],
                vec![
                    (tags::EXTERNAL_ID.into(), "b".into()),
                    (tags::ACTIVE.into(), "false".into())
                ],
            ]))
        );
        assert_eq!(
            t(r#"id eq "a" or id eq "b""#),
            Translation::ByIds(vec!["a".into(), "b".into()])
        );
        let Translation::Search { exact, .. } = t(r#"userName eq "a" or externalId eq "b""#) else {
            panic!()
        };
        assert!(!exact, "Connect ANDs criteria and tags: evaluated instead");
    }

    #[test]
    fn emails_and_phone_numbers_need_full_records() {
        let f = |s: &str| Filter::parse(s).unwrap();
        assert!(needs_full_records(&f(r#"emails.value eq "a@b.c""#)));
        assert!(needs_full_records(&f(
            r#"userName eq "a" and phoneNumbers[type eq "mobile" and value eq "+1"]"#
        )));
        assert!(!needs_full_records(&f(
            r#"userName eq "a" or name.givenName sw "b""#
        )));
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
