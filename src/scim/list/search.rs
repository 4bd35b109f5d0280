//! The SearchRequest body of `POST /Users/.search` and `POST /Groups/.search`
//! (RFC 7644 §3.4.3), read into the same [`ListQuery`] a GET's query string
//! gives, so that a search is answered exactly as the matching GET list.
//!
//! Values mean what they mean in the query string (a bad filter is
//! `invalidFilter`, a bad attribute path or `sortOrder` is `invalidValue`,
//! `startIndex` and `count` are clamped). What only a JSON body can get wrong,
//! a member of the wrong JSON type or `schemas` naming another message, is
//! `invalidSyntax` ("did not conform to the request schema", RFC 7644 §3.12).
//! A body without `schemas` is read as a SearchRequest, as a PATCH body without
//! `schemas` is read as a PatchOp: the path already says what the message is.
//! Members the RFC does not define are ignored, as unknown query parameters are.

use serde_json::{Map, Value};

use super::super::error::ScimError;
use super::super::json_keys;
use super::{ListQuery, attribute_list};
use crate::scim::path::AttrPath;

/// The SearchRequest message URN (RFC 7644 §3.4.3).
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

impl ListQuery {
    /// Reads a SearchRequest body (RFC 7644 §3.4.3); see the module docs.
    pub fn from_search_request(body: &Value, max_page_size: usize) -> Result<ListQuery, ScimError> {
        let Value::Object(map) = body else {
            return Err(ScimError::invalid_syntax(
                "the SearchRequest body must be a JSON object",
            ));
        };
        check_schemas(map)?;
        let mut query = ListQuery::default();
        if let Some(filter) = string(map, "filter")? {
            query.set_filter(filter)?;
        }
        if let Some(n) = integer(map, "startIndex")? {
            query.set_start_index(n);
        }
        if let Some(n) = integer(map, "count")? {
            query.set_count(n, max_page_size);
        }
        query.attributes = attributes(map, "attributes")?;
        query.excluded_attributes = attributes(map, "excludedAttributes")?;
        if let Some(path) = string(map, "sortBy")? {
            query.set_sort_by(path)?;
        }
        if let Some(order) = string(map, "sortOrder")? {
            query.set_sort_order(order)?;
        }
        Ok(query)
    }
}

/// `schemas`, when present, lists the SearchRequest URN (or is it).
fn check_schemas(map: &Map<String, Value>) -> Result<(), ScimError> {
    let is_search = |s: &Value| {
        s.as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST))
    };
    let listed = match json_keys::get(map, "schemas") {
        None | Some(Value::Null) => true,
        Some(Value::Array(schemas)) => schemas.iter().any(is_search),
        Some(one) => is_search(one),
    };
    if listed {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!(
            "schemas must contain {SEARCH_REQUEST}"
        )))
    }
}

/// A member that must be a string when present (`null` is absent).
fn string<'a>(map: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ScimError> {
    match json_keys::get(map, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

/// A member that must be an integer when present: a JSON number without a
/// fraction; beyond the 64-bit range it is as large as can be.
fn integer(map: &Map<String, Value>, name: &str) -> Result<Option<i64>, ScimError> {
    match json_keys::get(map, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(i64::MAX)),
        Some(other) => Err(wrong_type(name, "an integer", other)),
    }
}

/// `attributes` / `excludedAttributes`: an array of attribute names.
fn attributes(map: &Map<String, Value>, name: &str) -> Result<Vec<AttrPath>, ScimError> {
    let items = match json_keys::get(map, name) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong_type(name, "an array of attribute names", other)),
    };
    let mut paths = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) => paths.extend(attribute_list(s)?),
            other => return Err(wrong_type(name, "an array of attribute names", other)),
        }
    }
    Ok(paths)
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> ScimError {
    ScimError::invalid_syntax(format!(
        "{name} must be {expected}, not {}",
        crate::scim::value_coercion::json_kind(got)
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::SortOrder;
    use super::*;
    use crate::scim::error::ScimType;

    fn read(body: Value) -> Result<ListQuery, ScimError> {
        ListQuery::from_search_request(&body, 100)
    }

    #[test]
    fn a_search_request_reads_as_the_same_get_query_string() {
        let body = json!({
            "schemas": [SEARCH_REQUEST],
            "attributes": ["userName", "name.givenName"],
            "filter": "userName sw \"j\"",
            "sortBy": "userName",
            "sortOrder": "DESCENDING",
            "startIndex": 2,
            "count": 10
        });
        let get = ListQuery::from_query(
            Some(
                "attributes=userName,name.givenName&filter=userName+sw+%22j%22&sortBy=userName&sortOrder=DESCENDING&startIndex=2&count=10",
            ),
            100,
        );
        assert_eq!(read(body), get);
        let excluded = read(json!({"excludedAttributes": ["emails"]})).unwrap();
        assert_eq!(excluded.excluded_attributes.len(), 1);
        assert_eq!(excluded.sort_order, SortOrder::Ascending);
    }

    #[test]
    fn values_are_clamped_and_nulls_are_absent_as_in_a_query_string() {
        let q =
            read(json!({"startIndex": -3, "count": 5000, "filter": " ", "sortBy": null})).unwrap();
        assert_eq!((q.start_index, q.count), (1, Some(100)));
        assert!(q.filter.is_none() && q.sort_by.is_none());
        let huge = read(json!({"count": 18_446_744_073_709_551_615u64})).unwrap();
        assert_eq!(huge.count, Some(100));
        assert_eq!(read(json!({})), Ok(ListQuery::default()));
        assert_eq!(
            read(json!({"Count": 3})).unwrap().count,
            Some(3),
            "names ignore case"
        );
    }

    #[test]
    fn a_missing_schemas_is_accepted_and_another_message_is_invalid_syntax() {
        assert!(read(json!({"count": 1})).is_ok());
        assert!(read(json!({"schemas": SEARCH_REQUEST})).is_ok());
        for schemas in [
            json!(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]),
            json!([]),
            json!(7),
        ] {
            let e = read(json!({"schemas": schemas})).unwrap_err();
            assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax), "{schemas}");
            assert!(e.detail.contains(SEARCH_REQUEST), "{}", e.detail);
        }
    }

    #[test]
    fn members_of_the_wrong_type_are_invalid_syntax_naming_them() {
        for (body, member) in [
            (json!({"count": "10"}), "count"),
            (json!({"startIndex": 1.5}), "startIndex"),
            (json!({"filter": ["userName eq \"a\""]}), "filter"),
            (json!({"attributes": "userName"}), "attributes"),
            (json!({"excludedAttributes": [1]}), "excludedAttributes"),
            (json!({"sortOrder": true}), "sortOrder"),
        ] {
            let e = read(body.clone()).unwrap_err();
            assert_eq!(
                (e.status, e.scim_type),
                (400, Some(ScimType::InvalidSyntax))
            );
            assert!(e.detail.starts_with(member), "{body}: {}", e.detail);
        }
    }

    #[test]
    fn bad_values_get_the_errors_a_query_string_gets() {
        let filter = read(json!({"filter": "userName eq"})).unwrap_err();
        assert_eq!(filter.scim_type, Some(ScimType::InvalidFilter));
        let order = read(json!({"sortOrder": "upwards"})).unwrap_err();
        assert_eq!(order.scim_type, Some(ScimType::InvalidValue));
        let attribute = read(json!({"attributes": ["not a path!"]})).unwrap_err();
        assert_eq!(attribute.scim_type, Some(ScimType::InvalidValue));
    }
}
