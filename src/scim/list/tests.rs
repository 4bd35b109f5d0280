//! List query, ListResponse, projection and sorting tests.

use proptest::prelude::*;
use serde_json::json;

use super::super::error::ScimType;
use super::super::schema::{ENTERPRISE_USER, GROUP, USER};
use super::*;

fn query(raw: &str) -> ListQuery {
    ListQuery::from_query(Some(raw), 100).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

fn eq_value(q: &ListQuery) -> (String, String) {
    let f = q
        .filter
        .as_ref()
        .and_then(Filter::as_simple_eq)
        .map(|(p, v)| (p.to_string(), v.as_str().unwrap_or("").to_owned()));
    f.unwrap_or_default()
}

#[test]
fn okta_filter_with_plus_encoded_spaces() {
    let q = query("filter=userName+eq+%22bjensen%40example.com%22&startIndex=1&count=100");
    assert_eq!(
        eq_value(&q),
        ("userName".into(), "bjensen@example.com".into())
    );
    assert_eq!((q.start_index, q.count), (1, Some(100)));
    let q = query("filter=userName%20eq%20%22a%2Bb%40example.com%22");
    assert_eq!(eq_value(&q).1, "a+b@example.com");
}

#[test]
fn entra_validator_filter_with_literal_quotes() {
    let q = query(r#"filter=userName+eq+"x%40y""#);
    assert_eq!(eq_value(&q), ("userName".into(), "x@y".into()));
    let q = query(r#"excludedAttributes=members&filter=displayName eq "Tour Guides""#);
    assert_eq!(eq_value(&q), ("displayName".into(), "Tour Guides".into()));
    assert_eq!(q.excluded_attributes, vec![AttrPath::attr("members")]);
}

#[test]
fn parameter_names_are_case_insensitive() {
    let q = query(
        "FILTER=title+pr&STARTINDEX=3&Count=2&SortBy=userName&sortorder=Descending&Attributes=userName,name.givenName",
    );
    assert!(q.filter.is_some());
    assert_eq!(
        (q.start_index, q.count, q.sort_order),
        (3, Some(2), SortOrder::Descending)
    );
    assert_eq!(q.attributes.len(), 2);
}

#[test]
fn paging_values_are_clamped() {
    let q = query("startIndex=0&count=-5");
    assert_eq!((q.start_index, q.count), (1, Some(0)));
    let q = query("startIndex=-10&count=100000");
    assert_eq!((q.start_index, q.count), (1, Some(100)));
    let q = ListQuery::from_query(None, 100).unwrap();
    assert_eq!((q.start_index, q.count, q.filter), (1, None, None));
}

#[test]
fn bad_parameters_are_rejected_with_the_right_type() {
    for (raw, expected) in [
        ("count=ten", ScimType::InvalidValue),
        ("startIndex=1.5", ScimType::InvalidValue),
        ("sortOrder=sideways", ScimType::InvalidValue),
        ("filter=BJENSEN", ScimType::InvalidFilter),
        ("filter=userName+eq", ScimType::InvalidFilter),
    ] {
        let e = ListQuery::from_query(Some(raw), 100).unwrap_err();
        assert_eq!(e.scim_type, Some(expected), "{raw}");
    }
}

#[test]
fn list_response_has_integer_paging_fields() {
    let body = ListResponse::new(vec![json!({"id": "1"})], 7, 3).to_json();
    assert_eq!(
        body,
        json!({"schemas": [LIST_RESPONSE], "totalResults": 7, "startIndex": 3, "itemsPerPage": 1, "Resources": [{"id": "1"}]})
    );
}

fn babs() -> Value {
    json!({
        "schemas": [USER, ENTERPRISE_USER],
        "id": "1", "userName": "bjensen", "password": "secret",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "b@example.com", "type": "work"}],
        "meta": {"resourceType": "User"},
        ENTERPRISE_USER: {"department": "Tours", "employeeNumber": "7"}
    })
}

#[test]
fn attributes_keep_always_returned_ones_and_drop_password() {
    let attrs = vec![
        AttrPath::parse("USERNAME").unwrap(),
        AttrPath::parse("name.givenName").unwrap(),
    ];
    let out = project(&babs(), &ResourceSchema::user(), &attrs, &[]);
    assert_eq!(
        out,
        json!({"schemas": [USER, ENTERPRISE_USER], "id": "1", "userName": "bjensen", "name": {"givenName": "Barbara"}, "meta": {"resourceType": "User"}})
    );
}

#[test]
fn urn_qualified_attributes_select_extension_values() {
    let attrs = vec![AttrPath::parse(&format!("{ENTERPRISE_USER}:department")).unwrap()];
    let out = project(&babs(), &ResourceSchema::user(), &attrs, &[]);
    assert_eq!(out[ENTERPRISE_USER], json!({"department": "Tours"}));
    assert!(out.get("userName").is_none());
}

#[test]
fn excluded_attributes_drop_values_but_never_id() {
    let excluded = vec![
        AttrPath::attr("emails"),
        AttrPath::attr("id"),
        AttrPath::parse("name.familyName").unwrap(),
    ];
    let out = project(&babs(), &ResourceSchema::user(), &[], &excluded);
    assert!(out.get("emails").is_none() && out.get("password").is_none());
    assert_eq!(out["id"], "1");
    assert_eq!(out["name"], json!({"givenName": "Barbara"}));
    assert_eq!(out[ENTERPRISE_USER]["department"], "Tours");
}

#[test]
fn entra_excluded_members_drops_group_members() {
    let g = json!({"schemas": [GROUP], "id": "g", "displayName": "Tour Guides", "members": [{"value": "1"}]});
    let out = project(
        &g,
        &ResourceSchema::group(),
        &[],
        &[AttrPath::attr("members")],
    );
    assert_eq!(
        out,
        json!({"schemas": [GROUP], "id": "g", "displayName": "Tour Guides"})
    );
}

#[test]
fn sort_is_case_insensitive_with_missing_values_last() {
    let mut users = vec![
        json!({"userName": "b"}),
        json!({"id": "none"}),
        json!({"userName": "A"}),
        json!({"userName": "c"}),
    ];
    sort(
        &mut users,
        &AttrPath::attr("userName"),
        SortOrder::Ascending,
        &ResourceSchema::user(),
    );
    let names: Vec<_> = users
        .iter()
        .map(|u| u.get("userName").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(names, vec![json!("A"), json!("b"), json!("c"), Value::Null]);
    sort(
        &mut users,
        &AttrPath::attr("userName"),
        SortOrder::Descending,
        &ResourceSchema::user(),
    );
    assert_eq!(users[0], json!({"id": "none"}));
    assert_eq!(users[1]["userName"], "c");
}

#[test]
fn sort_by_multi_valued_uses_the_primary_value() {
    let mut users = vec![
        json!({"id": "1", "emails": [{"value": "z@x"}, {"value": "a@x", "primary": true}]}),
        json!({"id": "2", "emails": [{"value": "m@x"}]}),
    ];
    sort(
        &mut users,
        &AttrPath::attr("emails"),
        SortOrder::Ascending,
        &ResourceSchema::user(),
    );
    assert_eq!(users[0]["id"], "1");
}

proptest! {
    #[test]
    fn from_query_never_panics(raw in ".{0,200}") {
        let _ = ListQuery::from_query(Some(&raw), 100);
    }

    #[test]
    fn from_query_never_panics_on_query_like_text(raw in "[a-zA-Z=&%+\"0-9 \\-]{0,100}") {
        if let Ok(q) = ListQuery::from_query(Some(&raw), 50) {
            prop_assert!(q.start_index >= 1);
            prop_assert!(q.count.is_none_or(|c| c <= 50));
        }
    }
}
