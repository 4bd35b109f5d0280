//! Properties of the protocol core on arbitrary input, as entry points for the
//! coverage-guided fuzz targets in `fuzz/` and for the short proptest pass of
//! `cargo test`: nothing panics, every refusal is a SCIM 400 of the right
//! kind, and what is accepted survives its own rendering. Each function
//! panics when a property fails, which is what a fuzzer reports.

use serde_json::{Value, json};

use super::error::{ScimError, ScimType};
use super::filter::Filter;
use super::group::ScimGroup;
use super::patch::PatchRequest;
use super::schema::ResourceSchema;
use super::user::ScimUser;

/// The largest input the properties look at (longer inputs only slow a
/// fuzzer down; the HTTP layer caps requests far below what matters here).
pub const MAX_INPUT: usize = 64 * 1024;

fn assert_client_error(error: &ScimError, what: &str, input: &str) {
    assert_eq!(
        error.status, 400,
        "{what}: not a 400 for {input:?}: {error:?}"
    );
    assert!(!error.detail.is_empty(), "{what}: an error with no detail");
}

/// Users and a group to evaluate filters and apply PATCHes on.
fn resources() -> [(Value, ResourceSchema); 3] {
    [
        (
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "id": "2819c223-7f76-453a-919d-413861904646",
                "externalId": "00u1",
                "userName": "bjensen@example.com",
                "name": {"familyName": "Jensen", "givenName": "Barbara"},
                "active": true,
                "emails": [
                    {"value": "bjensen@example.com", "type": "work", "primary": true},
                    {"value": "babs@jensen.org", "type": "home"}
                ],
                "phoneNumbers": [{"value": "+15555550100", "type": "mobile"}],
                "entitlements": [{"value": "Agent"}],
                "roles": [{"value": "Basic Routing Profile"}],
                "meta": {"resourceType": "User", "lastModified": "2011-05-13T04:42:34Z",
                         "created": "2010-01-23T04:56:22Z", "version": "W/\"a330bc54f0671c9\""},
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                    {"employeeNumber": "701984", "department": "Agent,Admin",
                     "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}},
                "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User":
                    {"securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile",
                     "hierarchyGroup": "Seattle/Tier1", "phoneType": "SOFT_PHONE",
                     "autoAccept": false, "afterContactWorkTimeLimit": 30}
            }),
            ResourceSchema::user(),
        ),
        (
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": "b1", "userName": "Jim", "active": false,
                "emails": [{"value": "jim@example.org", "type": "home"}]
            }),
            ResourceSchema::user(),
        ),
        (
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
                "displayName": "Tour Guides",
                "members": [{"value": "2819c223-7f76-453a-919d-413861904646",
                             "display": "bjensen@example.com"}]
            }),
            ResourceSchema::group(),
        ),
    ]
}

/// A filter (RFC 7644 §3.4.2.2): parsed, evaluated on every resource, and
/// its rendering parses to a filter that renders the same.
pub fn filter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() > MAX_INPUT {
        return;
    }
    match Filter::parse(text) {
        Err(error) => {
            assert_client_error(&error, "filter", text);
            assert!(
                matches!(
                    error.scim_type,
                    Some(ScimType::InvalidFilter | ScimType::TooMany)
                ),
                "filter: {text:?} refused as {:?}",
                error.scim_type
            );
        }
        Ok(parsed) => {
            for (resource, schema) in resources() {
                let _ = parsed.matches(&resource, &schema);
            }
            let _ = parsed.as_simple_eq();
            let _ = parsed.conjuncts();
            let rendered = parsed.to_string();
            let reparsed = Filter::parse(&rendered)
                .unwrap_or_else(|e| panic!("{text:?} renders as {rendered:?}, which fails: {e:?}"));
            assert_eq!(reparsed.to_string(), rendered, "from {text:?}");
        }
    }
}

/// A PATCH body (RFC 7644 §3.5.2) applied to each resource; the input is the
/// body, or `[body, resource]` to patch a resource of its own.
pub fn patch(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let Ok(input) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (body, targets) = match &input {
        // The service patches only resources it rendered: always objects.
        Value::Array(pair) if pair.len() == 2 && !pair[1].is_object() => return,
        Value::Array(pair) if pair.len() == 2 => (
            pair[0].clone(),
            vec![
                (pair[1].clone(), ResourceSchema::user()),
                (pair[1].clone(), ResourceSchema::group()),
            ],
        ),
        _ => (input.clone(), resources().into_iter().collect()),
    };
    let request = match PatchRequest::from_json(&body) {
        Err(error) => return assert_client_error(&error, "patch body", &body.to_string()),
        Ok(request) => request,
    };
    for (mut resource, schema) in targets {
        if let Err(error) = request.apply(&mut resource, &schema) {
            assert_client_error(&error, "patch", &body.to_string());
        }
    }
}

/// A User body (RFC 7643 §4.1) read into a `ScimUser`; what is read renders
/// to JSON that reads back to the same user.
pub fn user(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    match ScimUser::from_json(&body) {
        Err(error) => assert_client_error(&error, "user", &body.to_string()),
        Ok(user) => {
            let rendered = user.to_json();
            let again = ScimUser::from_json(&rendered)
                .unwrap_or_else(|e| panic!("{body} renders as {rendered}, which fails: {e:?}"));
            assert_eq!(again.to_json(), rendered, "from {body}");
        }
    }
}

/// A Group body (RFC 7643 §4.2) read into a `ScimGroup`; what is read renders
/// to JSON that reads back to the same group.
pub fn group(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    match ScimGroup::from_json(&body) {
        Err(error) => assert_client_error(&error, "group", &body.to_string()),
        Ok(group) => {
            let rendered = group.to_json();
            let again = ScimGroup::from_json(&rendered)
                .unwrap_or_else(|e| panic!("{body} renders as {rendered}, which fails: {e:?}"));
            assert_eq!(again.to_json(), rendered, "from {body}");
        }
    }
}

#[cfg(test)]
mod tests {
    //! The short pass `cargo test` runs: the fuzz targets' seeds and every
    //! input a fuzzer ever failed on (fuzz/regressions/), then proptest
    //! inputs shaped like filters, PATCH bodies, Users and Groups.

    use std::path::Path;

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    fn replay(folder: &str, property: fn(&[u8])) -> usize {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
        let mut replayed = 0;
        for kind in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(kind).join(folder)) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("a corpus entry").path();
                let data = std::fs::read(&path).expect("a corpus file");
                property(&data);
                replayed += 1;
            }
        }
        replayed
    }

    #[test]
    fn every_seed_and_past_fuzzer_failure_holds_the_properties() {
        assert!(replay("filter", super::filter) > 10);
        assert!(replay("patch", super::patch) > 10);
        assert!(replay("user", super::user) > 5);
        assert!(replay("group", super::group) > 5);
    }

    const ATTRIBUTES: &[&str] = &[
        "userName",
        "name.givenName",
        "name.familyName",
        "emails",
        "emails.value",
        "emails[type eq \"work\"].value",
        "phoneNumbers[type eq \"mobile\"].value",
        "active",
        "externalId",
        "displayName",
        "members",
        "members[value eq \"2819c223\"]",
        "meta.lastModified",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User:securityProfiles",
        "entitlements",
        "roles",
        "nope",
    ];

    fn attribute() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(ATTRIBUTES).prop_map(str::to_owned),
            "[a-zA-Z:.\\[\\]\" ]{0,30}",
        ]
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-zA-Z0-9 @.,\"]{0,20}".prop_map(Value::String),
            proptest::sample::select(&["True", "False", "true", "Agent", "+15555550100"][..])
                .prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((attribute(), inner), 0..4)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    fn filter_text() -> impl Strategy<Value = String> {
        let op = proptest::sample::select(
            &[
                "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "pr", "zz",
            ][..],
        );
        let value = prop_oneof![
            "\"[a-zA-Z0-9 @.\\\\\"]{0,12}\"",
            "-?[0-9]{1,25}(\\.[0-9]{1,5})?(e[+-]?[0-9]{1,3})?",
            Just("true".to_owned()),
            Just("null".to_owned()),
        ];
        let comparison = (attribute(), op, value).prop_map(|(a, o, v)| format!("{a} {o} {v}"));
        prop_oneof![
            ".{0,120}",
            prop::collection::vec(
                (
                    comparison,
                    proptest::sample::select(&[" and ", " or ", ") and not ("][..])
                ),
                1..4
            )
            .prop_map(|parts| parts
                .into_iter()
                .map(|(c, j)| format!("{c}{j}"))
                .collect::<String>()),
        ]
    }

    fn patch_body() -> impl Strategy<Value = Value> {
        let op =
            proptest::sample::select(&["add", "remove", "replace", "Add", "Replace", "move"][..]);
        let operation = (
            op,
            proptest::option::of(attribute()),
            proptest::option::of(json_value()),
        )
            .prop_map(|(op, path, value)| {
                let mut o = json!({"op": op});
                if let Some(path) = path {
                    o["path"] = Value::from(path);
                }
                if let Some(value) = value {
                    o["value"] = value;
                }
                o
            });
        prop::collection::vec(operation, 0..4).prop_map(|ops| {
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
        })
    }

    fn resource_body(required: &'static str) -> impl Strategy<Value = Value> {
        (json_value(), proptest::option::of("[a-zA-Z0-9@._-]{0,20}")).prop_map(
            move |(extra, name)| {
                let mut body = match extra {
                    Value::Object(map) => Value::Object(map),
                    other => json!({"emails": other}),
                };
                if let Some(name) = name {
                    body[required] = Value::from(name);
                }
                body
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn filters_parse_evaluate_and_render_without_panics(text in filter_text()) {
            super::filter(text.as_bytes());
        }

        #[test]
        fn patch_bodies_apply_or_are_refused_as_scim_400s(body in patch_body(), target in json_value()) {
            super::patch(body.to_string().as_bytes());
            super::patch(json!([body, target]).to_string().as_bytes());
        }

        #[test]
        fn user_bodies_read_and_render_stably_or_are_refused_as_scim_400s(body in resource_body("userName")) {
            super::user(body.to_string().as_bytes());
        }

        #[test]
        fn group_bodies_read_and_render_stably_or_are_refused_as_scim_400s(body in resource_body("displayName")) {
            super::group(body.to_string().as_bytes());
        }
    }
}
