//! PATCH tests: every example of RFC 7644 §3.5.2.1–§3.5.2.3 with the resulting
//! JSON, the Okta and Entra quirks (named after the IdP), errors, atomicity,
//! and a no-panic property.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::error::ScimType;
use super::super::schema::{CONNECT_USER, ENTERPRISE_USER, GROUP, PATCH_OP, ResourceSchema, USER};
use super::*;

const BABS: &str = "2819c223-7f76-453a-919d-413861904646";
const JAMES: &str = "08e1d05d-121c-4561-8b96-473d93df9210";

fn patch(ops: Value) -> PatchRequest {
    PatchRequest::from_json(&json!({"schemas": [PATCH_OP], "Operations": ops}))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn apply_to(resource: Value, schema: ResourceSchema, ops: Value) -> Result<Value, ScimError> {
    let mut resource = resource;
    patch(ops).apply(&mut resource, &schema)?;
    Ok(resource)
}

fn user(ops: Value, resource: Value) -> Value {
    apply_to(resource, ResourceSchema::user(), ops).unwrap_or_else(|e| panic!("{e}"))
}

fn group(ops: Value, resource: Value) -> Value {
    apply_to(resource, ResourceSchema::group(), ops).unwrap_or_else(|e| panic!("{e}"))
}

fn babs_member() -> Value {
    json!({"display": "Babs Jensen", "$ref": format!("https://example.com/v2/Users/{BABS}"), "value": BABS})
}

fn james_member() -> Value {
    json!({"display": "James Smith", "$ref": format!("https://example.com/v2/Users/{JAMES}"), "value": JAMES})
}

fn tour_guides(members: Value) -> Value {
    json!({"schemas": [GROUP], "id": "acbf3ae7", "displayName": "Tour Guides", "members": members})
}

fn bjensen() -> Value {
    json!({
        "schemas": [USER],
        "id": BABS,
        "userName": "bjensen",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
        "addresses": [
            {"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true},
            {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}
        ]
    })
}

// RFC 7644 §3.5.2.1 (add)

#[test]
fn rfc7644_add_member_to_group() {
    let out = group(
        json!([{"op": "add", "path": "members", "value": [babs_member()]}]),
        tour_guides(json!([])),
    );
    assert_eq!(out["members"], json!([babs_member()]));
}

#[test]
fn rfc7644_add_without_path_adds_email_and_nickname() {
    let out = user(
        json!([{"op": "add", "value": {"emails": [{"value": "babs@jensen.org", "type": "home"}], "nickname": "Babs"}}]),
        bjensen(),
    );
    assert_eq!(
        out["emails"],
        json!([
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ])
    );
    assert_eq!(out["nickName"], "Babs");
}

#[test]
fn add_of_an_existing_value_changes_nothing() {
    let before = tour_guides(json!([babs_member()]));
    let out = group(
        json!([{"op": "add", "path": "members", "value": [babs_member()]}]),
        before.clone(),
    );
    assert_eq!(out, before);
}

// RFC 7644 §3.5.2.2 (remove)

#[test]
fn rfc7644_remove_single_member() {
    let path = format!("members[value eq \"{BABS}\"]");
    let out = group(
        json!([{"op": "remove", "path": path}]),
        tour_guides(json!([babs_member(), james_member()])),
    );
    assert_eq!(out["members"], json!([james_member()]));
}

#[test]
fn rfc7644_remove_all_members() {
    let out = group(
        json!([{"op": "remove", "path": "members"}]),
        tour_guides(json!([babs_member(), james_member()])),
    );
    assert!(out.get("members").is_none());
}

#[test]
fn rfc7644_remove_multi_valued_values_matching_a_filter() {
    let mut u = bjensen();
    u["emails"] = json!([
        {"value": "a@example.com", "type": "work"},
        {"value": "b@example.org", "type": "work"},
        {"value": "c@example.com", "type": "home"}
    ]);
    let out = user(
        json!([{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}]),
        u,
    );
    assert_eq!(
        out["emails"],
        json!([{"value": "b@example.org", "type": "work"}, {"value": "c@example.com", "type": "home"}])
    );
}

#[test]
fn rfc7644_remove_a_member_and_add_another() {
    let path = format!("members[value eq \"{BABS}\"]");
    let out = group(
        json!([
            {"op": "remove", "path": path},
            {"op": "add", "path": "members", "value": [james_member()]}
        ]),
        tour_guides(json!([babs_member()])),
    );
    assert_eq!(out["members"], json!([james_member()]));
}

#[test]
fn rfc7644_remove_all_members_then_add_new_ones() {
    let out = group(
        json!([
            {"op": "remove", "path": "members"},
            {"op": "add", "path": "members", "value": [babs_member(), james_member()]}
        ]),
        tour_guides(json!([{"value": "someone-else"}])),
    );
    assert_eq!(out["members"], json!([babs_member(), james_member()]));
}

// RFC 7644 §3.5.2.3 (replace)

#[test]
fn rfc7644_replace_all_members() {
    let out = group(
        json!([{"op": "replace", "path": "members", "value": [babs_member(), james_member()]}]),
        tour_guides(json!([{"value": "someone-else"}])),
    );
    assert_eq!(out["members"], json!([babs_member(), james_member()]));
}

#[test]
fn rfc7644_replace_work_address() {
    let new_work = json!({
        "type": "work", "streetAddress": "911 Universal City Plaza", "locality": "Hollywood",
        "region": "CA", "postalCode": "91608", "country": "US",
        "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US", "primary": true
    });
    let out = user(
        json!([{"op": "replace", "path": "addresses[type eq \"work\"]", "value": new_work}]),
        bjensen(),
    );
    assert_eq!(out["addresses"][0], new_work);
    assert_eq!(out["addresses"][1]["type"], "home");
}

#[test]
fn rfc7644_replace_street_address_sub_attribute() {
    let out = user(
        json!([{"op": "replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway Ave"}]),
        bjensen(),
    );
    assert_eq!(out["addresses"][0]["streetAddress"], "1010 Broadway Ave");
    assert_eq!(out["addresses"][0]["locality"], "Hollywood");
    assert_eq!(out["addresses"][1]["streetAddress"], "456 Hollywood Blvd");
}

#[test]
fn rfc7644_replace_without_path_replaces_emails_and_nickname() {
    let out = user(
        json!([{"op": "replace", "value": {
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                       {"value": "babs@jensen.org", "type": "home"}],
            "nickName": "Babs"
        }}]),
        bjensen(),
    );
    assert_eq!(
        out["emails"],
        json!([{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}])
    );
    assert_eq!(out["nickName"], "Babs");
}

// Okta

#[test]
fn okta_pathless_active_false_deactivates() {
    let out = user(
        json!([{"op": "replace", "value": {"active": false}}]),
        json!({"userName": "a", "active": true}),
    );
    assert_eq!(out["active"], false);
}

#[test]
fn okta_group_pathless_replace_of_display_name_and_members() {
    let out = group(
        json!([{"op": "replace", "value": {"id": "acbf3ae7", "displayName": "Tour Guides 2", "members": [{"value": JAMES, "display": "James Smith"}]}}]),
        tour_guides(json!([babs_member()])),
    );
    assert_eq!(out["displayName"], "Tour Guides 2");
    assert_eq!(
        out["members"],
        json!([{"value": JAMES, "display": "James Smith"}])
    );
    assert_eq!(out["id"], "acbf3ae7");
}

#[test]
fn okta_group_pathless_replace_cannot_change_the_id() {
    let e = apply_to(
        tour_guides(json!([])),
        ResourceSchema::group(),
        json!([{"op": "replace", "value": {"id": "other"}}]),
    )
    .unwrap_err();
    assert_eq!(e.scim_type, Some(ScimType::Mutability));
}

#[test]
fn okta_removes_a_member_that_is_already_gone_without_error() {
    let out = group(
        json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
        tour_guides(json!([babs_member()])),
    );
    assert_eq!(out["members"], json!([babs_member()]));
}

// Entra

#[test]
fn entra_capitalized_replace_is_accepted() {
    let out = user(
        json!([{"op": "Replace", "path": "displayName", "value": "Babs"}]),
        bjensen(),
    );
    assert_eq!(out["displayName"], "Babs");
    let req = PatchRequest::from_json(&json!({"schemas": [PATCH_OP], "operations": [{"op": "ADD", "path": "title", "value": "x"}, {"op": "Remove", "path": "title"}]})).unwrap();
    assert_eq!(
        req.operations.iter().map(|o| o.op).collect::<Vec<_>>(),
        vec![PatchOpKind::Add, PatchOpKind::Remove]
    );
}

#[test]
fn entra_string_false_deactivates() {
    for (text, expected) in [
        ("False", false),
        ("false", false),
        ("True", true),
        ("true", true),
    ] {
        let out = user(
            json!([{"op": "Replace", "path": "active", "value": text}]),
            json!({"userName": "a", "active": !expected}),
        );
        assert_eq!(out["active"], expected, "{text}");
    }
}

#[test]
fn entra_pathless_replace_with_dotted_and_urn_keys() {
    let out = user(
        json!([{"op": "replace", "value": {
            "name.givenName": "Barbara",
            "name.familyName": "Jensen",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Tour Operations",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "701984",
            "active": "False"
        }}]),
        bjensen(),
    );
    assert_eq!(
        out["name"],
        json!({"givenName": "Barbara", "familyName": "Jensen"})
    );
    assert_eq!(
        out[ENTERPRISE_USER],
        json!({"department": "Tour Operations", "employeeNumber": "701984"})
    );
    assert_eq!(out["active"], false);
    assert_eq!(out["schemas"], json!([USER, ENTERPRISE_USER]));
}

#[test]
fn entra_pathless_replace_with_nested_extension_object() {
    let out = user(
        json!([{"op": "replace", "value": {ENTERPRISE_USER: {"Department": "Sales"}, CONNECT_USER: {"autoAccept": "True", "afterContactWorkTimeLimit": "45"}}}]),
        bjensen(),
    );
    assert_eq!(out[ENTERPRISE_USER]["department"], "Sales");
    assert_eq!(
        out[CONNECT_USER],
        json!({"autoAccept": true, "afterContactWorkTimeLimit": 45})
    );
}

#[test]
fn entra_remove_members_with_value_array() {
    let out = group(
        json!([{"op": "Remove", "path": "members", "value": [{"value": BABS}]}]),
        tour_guides(json!([babs_member(), james_member()])),
    );
    assert_eq!(out["members"], json!([james_member()]));
}

#[test]
fn entra_add_members_with_null_ref() {
    let out = group(
        json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": JAMES}]}]),
        tour_guides(json!([])),
    );
    assert_eq!(out["members"], json!([{"$ref": null, "value": JAMES}]));
}

#[test]
fn entra_add_on_missing_work_email_creates_it() {
    let out = user(
        json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "babs@example.com"}]),
        json!({"schemas": [USER], "userName": "a"}),
    );
    assert_eq!(
        out["emails"],
        json!([{"type": "work", "value": "babs@example.com"}])
    );
    let out = user(
        json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}]),
        bjensen(),
    );
    assert_eq!(
        out["emails"],
        json!([{"value": "new@example.com", "type": "work", "primary": true}])
    );
}

#[test]
fn entra_add_on_missing_home_email_creates_whole_element() {
    let out = user(
        json!([{"op": "Add", "path": "emails[type eq \"home\"]", "value": {"value": "h@example.org"}}]),
        bjensen(),
    );
    assert_eq!(
        out["emails"][1],
        json!({"type": "home", "value": "h@example.org"})
    );
}

#[test]
fn entra_add_department_to_enterprise_extension() {
    let path = format!("{ENTERPRISE_USER}:department");
    let out = user(
        json!([{"op": "Add", "path": path, "value": "Tours"}]),
        bjensen(),
    );
    assert_eq!(out[ENTERPRISE_USER], json!({"department": "Tours"}));
    assert!(
        out["schemas"]
            .as_array()
            .is_some_and(|s| s.contains(&json!(ENTERPRISE_USER)))
    );
}

#[test]
fn entra_manager_as_bare_string() {
    let path = format!("{ENTERPRISE_USER}:manager");
    let out = user(
        json!([{"op": "Replace", "path": path, "value": "271"}]),
        bjensen(),
    );
    assert_eq!(out[ENTERPRISE_USER]["manager"], json!({"value": "271"}));
}

#[test]
fn entra_manager_as_object_and_as_array_with_ref() {
    let out = user(
        json!([{"op": "Add", "path": "manager", "value": {"value": "42"}}]),
        bjensen(),
    );
    assert_eq!(out[ENTERPRISE_USER]["manager"], json!({"value": "42"}));
    let out = user(
        json!([{"op": "Add", "path": "manager", "value": [{"$ref": "../Users/43", "value": "43"}]}]),
        out,
    );
    assert_eq!(
        out[ENTERPRISE_USER]["manager"],
        json!({"$ref": "../Users/43", "value": "43"})
    );
}

#[test]
fn entra_manager_empty_value_removes_it() {
    let path = format!("{ENTERPRISE_USER}:manager");
    for empty in [json!(""), json!({"value": ""}), Value::Null] {
        let mut u = bjensen();
        u[ENTERPRISE_USER] = json!({"manager": {"value": "271"}});
        u["schemas"] = json!([USER, ENTERPRISE_USER]);
        let out = user(json!([{"op": "Replace", "path": path, "value": empty}]), u);
        assert!(out.get(ENTERPRISE_USER).is_none(), "{empty}: {out}");
        assert_eq!(out["schemas"], json!([USER]));
    }
    let mut u = bjensen();
    u[ENTERPRISE_USER] = json!({"manager": {"value": "271"}, "department": "x"});
    let out = user(json!([{"op": "Remove", "path": path}]), u);
    assert_eq!(out[ENTERPRISE_USER], json!({"department": "x"}));
}

#[test]
fn entra_adscim_group_schema_attributes_are_ignored() {
    let out = group(
        json!([{"op": "Replace", "value": {"http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group:objectId": "x", "displayName": "New"}},
               {"op": "Add", "path": "urn:example:unknown:2.0:Group:thing", "value": 1}]),
        tour_guides(json!([])),
    );
    assert_eq!(out["displayName"], "New");
}

#[test]
fn roles_primary_as_string_true() {
    let out = user(
        json!([{"op": "Add", "path": "roles", "value": [{"value": "Agent", "primary": "True"}, {"value": "Supervisor", "primary": "False"}]}]),
        bjensen(),
    );
    assert_eq!(
        out["roles"],
        json!([{"value": "Agent", "primary": true}, {"value": "Supervisor", "primary": false}])
    );
}

#[test]
fn setting_primary_clears_it_on_the_other_values() {
    let out = user(
        json!([{"op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "home", "primary": true}]}]),
        bjensen(),
    );
    assert_eq!(
        out["emails"],
        json!([{"value": "bjensen@example.com", "type": "work"}, {"value": "new@example.com", "type": "home", "primary": true}])
    );
}

#[test]
fn numbers_as_strings_become_integers() {
    let path = format!("{CONNECT_USER}:afterContactWorkTimeLimit");
    let out = user(
        json!([{"op": "replace", "path": path, "value": "60"}]),
        bjensen(),
    );
    assert_eq!(out[CONNECT_USER]["afterContactWorkTimeLimit"], 60);
}

#[test]
fn add_sub_attribute_of_complex_creates_it() {
    let out = user(
        json!([{"op": "add", "path": "name.givenName", "value": "Barbara"}]),
        bjensen(),
    );
    assert_eq!(out["name"], json!({"givenName": "Barbara"}));
}

// Errors and atomicity

#[test]
fn errors_have_the_rfc_scim_types() {
    let cases = [
        (
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            ScimType::Mutability,
        ),
        (
            json!([{"op": "replace", "path": "meta.created", "value": "x"}]),
            ScimType::Mutability,
        ),
        (
            json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}]),
            ScimType::Mutability,
        ),
        (
            json!([{"op": "remove", "path": "userName"}]),
            ScimType::Mutability,
        ),
        (
            json!([{"op": "replace", "path": "nosuchattr", "value": "x"}]),
            ScimType::InvalidPath,
        ),
        (
            json!([{"op": "replace", "path": "name.nosuch", "value": "x"}]),
            ScimType::InvalidPath,
        ),
        (
            json!([{"op": "replace", "path": "active", "value": "maybe"}]),
            ScimType::InvalidValue,
        ),
        (
            json!([{"op": "replace", "path": "userName", "value": {"a": 1}}]),
            ScimType::InvalidValue,
        ),
        (
            json!([{"op": "replace", "value": "not an object"}]),
            ScimType::InvalidValue,
        ),
        (
            json!([{"op": "remove", "path": "emails[type eq \"other\"]"}]),
            ScimType::NoTarget,
        ),
        (
            json!([{"op": "replace", "path": "userName[value eq \"x\"]", "value": "x"}]),
            ScimType::InvalidPath,
        ),
    ];
    for (ops, expected) in cases {
        let e = apply_to(bjensen(), ResourceSchema::user(), ops.clone()).unwrap_err();
        assert_eq!(e.scim_type, Some(expected), "{ops}: {e}");
    }
}

#[test]
fn malformed_bodies_are_rejected_when_read() {
    let cases = [
        (
            json!({"schemas": [USER], "Operations": []}),
            ScimType::InvalidSyntax,
        ),
        (
            json!({"schemas": [], "Operations": []}),
            ScimType::InvalidSyntax,
        ),
        (json!({"Operations": {}}), ScimType::InvalidSyntax),
        (json!({"schemas": [PATCH_OP]}), ScimType::InvalidSyntax),
        (json!({}), ScimType::InvalidSyntax),
        (
            json!({"schemas": [PATCH_OP], "Operations": [{"op": "move", "path": "a"}]}),
            ScimType::InvalidSyntax,
        ),
        (
            json!({"schemas": [PATCH_OP], "Operations": [{"op": "remove"}]}),
            ScimType::NoTarget,
        ),
        (
            json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "title"}]}),
            ScimType::InvalidValue,
        ),
        (
            json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "emails[type", "value": 1}]}),
            ScimType::InvalidPath,
        ),
    ];
    for (body, expected) in cases {
        let e = PatchRequest::from_json(&body).unwrap_err();
        assert_eq!(e.scim_type, Some(expected), "{body}: {e}");
    }
}

#[test]
fn a_whole_extension_value_may_repeat_its_schemas() {
    let mut u = bjensen();
    PatchRequest::from_json(
        &json!({"Operations": [{"op": "add", "path": ENTERPRISE_USER,
        "value": {"schemas": [ENTERPRISE_USER], "department": "Retail"}}]}),
    )
    .unwrap()
    .apply(&mut u, &ResourceSchema::user())
    .unwrap();
    assert_eq!(u[ENTERPRISE_USER]["department"], "Retail");
    assert!(u[ENTERPRISE_USER].get("schemas").is_none());
}

#[test]
fn a_patch_op_without_schemas_is_read_like_one_with_them() {
    let ops = json!([{"op": "Replace", "path": "title", "value": "Lead"}]);
    let bare = PatchRequest::from_json(&json!({"Operations": ops})).unwrap();
    let full = PatchRequest::from_json(&json!({"schemas": [PATCH_OP], "Operations": ops})).unwrap();
    assert_eq!(bare, full);
}

#[test]
fn empty_operations_change_nothing() {
    let mut u = bjensen();
    PatchRequest::from_json(&json!({"schemas": [PATCH_OP], "Operations": []}))
        .unwrap()
        .apply(&mut u, &ResourceSchema::user())
        .unwrap();
    assert_eq!(u, bjensen());
}

#[test]
fn a_failing_operation_leaves_the_resource_unchanged() {
    let mut u = bjensen();
    let req = patch(
        json!([{"op": "replace", "path": "displayName", "value": "Changed"}, {"op": "replace", "path": "id", "value": "x"}]),
    );
    assert!(req.apply(&mut u, &ResourceSchema::user()).is_err());
    assert_eq!(u, bjensen());
}

// coerce (POST/PUT bodies)

#[test]
fn okta_put_echo_is_coerced() {
    let mut body = json!({
        "schemas": [USER], "id": "x", "meta": {"created": "04-12-2018 00:00:00"},
        "UserName": "babs", "active": "true", "password": "secret", "groups": [],
        "emails": {"value": "b@example.com", "primary": "True"},
        "roles": ["Agent"],
        "urn:ietf:params:scim:schemas:extension:Enterprise:2.0:User": {"manager": "271", "employeeNumber": 701984},
        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User": {"x": 1}
    });
    coerce(&mut body, &ResourceSchema::user()).unwrap();
    assert_eq!(
        body,
        json!({
            "schemas": [USER], "userName": "babs", "active": true, "password": "secret",
            "emails": [{"value": "b@example.com", "primary": true}],
            "roles": [{"value": "Agent"}],
            ENTERPRISE_USER: {"manager": {"value": "271"}, "employeeNumber": "701984"}
        })
    );
}

proptest! {
    #[test]
    fn patch_paths_never_panic(input in ".{0,120}") {
        let _ = PatchPath::parse(&input);
    }

    #[test]
    fn patch_bodies_never_panic(ops in proptest::collection::vec(arbitrary_op(), 0..4)) {
        let body = json!({"schemas": [PATCH_OP], "Operations": ops});
        if let Ok(req) = PatchRequest::from_json(&body) {
            let mut u = bjensen();
            let _ = req.apply(&mut u, &ResourceSchema::user());
            let mut g = tour_guides(json!([babs_member()]));
            let _ = req.apply(&mut g, &ResourceSchema::group());
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9 ]{0,8}".prop_map(Value::from),
        Just(Value::from("True")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("value".to_owned()),
                    Just("primary".to_owned()),
                    Just("type".to_owned()),
                    "[a-zA-Z.]{1,8}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arbitrary_op() -> impl Strategy<Value = Value> {
    let op = prop_oneof![Just("add"), Just("Replace"), Just("remove"), Just("bogus")];
    let path = prop_oneof![
        Just(None),
        Just(Some("members")),
        Just(Some("emails[type eq \"work\"].value")),
        Just(Some("emails[type eq \"work\"]")),
        Just(Some("name.givenName")),
        Just(Some("active")),
        Just(Some(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
        )),
        Just(Some(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        )),
        Just(Some("displayName")),
        Just(Some("roles")),
    ];
    (op, path, proptest::option::of(arbitrary_json())).prop_map(|(op, path, value)| {
        let mut m = serde_json::Map::new();
        m.insert("op".into(), Value::from(op));
        if let Some(p) = path {
            m.insert("path".into(), Value::from(p));
        }
        if let Some(v) = value {
            m.insert("value".into(), v);
        }
        Value::Object(m)
    })
}

#[test]
fn adding_and_removing_many_values_takes_linear_time_and_merges_duplicates() {
    // Built directly, past the reader's caps: the engine itself must not be quadratic.
    let values: Vec<Value> = (0..25_000)
        .map(|i| json!({"value": format!("A{i}@example.com"), "type": "other"}))
        .collect();
    let mut again = values.clone();
    again.push(json!({"value": "a7@EXAMPLE.com", "display": "merged"}));
    let request = |op, value: Vec<Value>| PatchRequest {
        operations: vec![PatchOperation {
            op,
            path: Some(PatchPath::parse("emails").unwrap()),
            value: Some(Value::Array(value)),
        }],
    };
    let started = std::time::Instant::now();
    let mut resource = json!({"schemas": [USER], "userName": "bjensen"});
    request(PatchOpKind::Add, values.clone())
        .apply(&mut resource, &ResourceSchema::user())
        .unwrap();
    request(PatchOpKind::Add, again)
        .apply(&mut resource, &ResourceSchema::user())
        .unwrap();
    assert_eq!(resource["emails"].as_array().unwrap().len(), 25_000);
    assert_eq!(resource["emails"][7]["display"], "merged");
    request(PatchOpKind::Remove, values[..24_999].to_vec())
        .apply(&mut resource, &ResourceSchema::user())
        .unwrap();
    assert_eq!(resource["emails"].as_array().unwrap().len(), 1);
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_request_over_the_caps_is_refused_with_too_many() {
    let ops = vec![json!({"op": "replace", "path": "displayName", "value": "x"}); 101];
    let body = json!({"schemas": [PATCH_OP], "Operations": ops});
    let err = PatchRequest::from_json(&body).unwrap_err();
    assert_eq!(err.scim_type, Some(ScimType::TooMany));
    let nested = json!({"schemas": [PATCH_OP], "Operations": [{"op": "add",
        "value": {ENTERPRISE_USER: {"x": vec![json!(1); 101]}}}]});
    let err = PatchRequest::from_json(&nested).unwrap_err();
    assert_eq!(err.scim_type, Some(ScimType::TooMany), "{err}");
    let members = json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "members",
        "value": vec![json!({"value": "id"}); 1000]}]});
    assert!(PatchRequest::from_json(&members).is_ok());
}
