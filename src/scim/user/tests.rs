//! ScimUser reading and rendering tests, with the Okta and Entra bodies.

use serde_json::json;

use super::super::error::ScimType;
use super::*;

#[test]
fn okta_create_body_is_read() {
    let u = ScimUser::from_json(&json!({
        "schemas": [USER],
        "userName": "isaac.brock@example.com",
        "name": {"givenName": "Isaac", "familyName": "Brock"},
        "emails": [{"primary": true, "value": "isaac.brock@example.com", "type": "work"}],
        "displayName": "Isaac Brock", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [], "password": "1mz050nq", "active": true
    }))
    .unwrap();
    assert_eq!(u.user_name, "isaac.brock@example.com");
    assert_eq!(
        u.name.as_ref().and_then(|n| n.given_name.as_deref()),
        Some("Isaac")
    );
    assert_eq!(u.primary_email(), Some("isaac.brock@example.com"));
    assert_eq!(
        (u.active, u.password.as_deref()),
        (Some(true), Some("1mz050nq"))
    );
    let out = u.to_json();
    assert!(out.get("password").is_none());
    assert_eq!(out["schemas"], json!([USER]));
    assert_eq!(
        out["emails"],
        json!([{"value": "isaac.brock@example.com", "type": "work", "primary": true}])
    );
}

#[test]
fn entra_create_body_with_string_booleans_and_enterprise_extension() {
    let u = ScimUser::from_json(&json!({
        "schemas": [USER, ENTERPRISE_USER],
        "externalId": "0a21f0f2", "userName": "Test_User_ab6490ee@testuser.com", "active": "True",
        "emails": [{"primary": "true", "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        ENTERPRISE_USER: {"department": "Agent,CallCenterManager", "manager": "271"}
    }))
    .unwrap();
    assert_eq!(u.active, Some(true));
    assert!(u.emails[0].is_primary());
    let ent = u.enterprise.clone().unwrap_or_default();
    assert_eq!(ent.department.as_deref(), Some("Agent,CallCenterManager"));
    assert_eq!(ent.manager.map(|m| m.value), Some("271".into()));
    assert_eq!(u.to_json()["schemas"], json!([USER, ENTERPRISE_USER]));
}

#[test]
fn roles_and_entitlements_may_be_plain_strings() {
    let u = ScimUser::from_json(&json!({"userName": "a", "roles": ["Basic Routing Profile"], "entitlements": ["Agent", {"value": "Admin", "primary": "True"}]})).unwrap();
    assert_eq!(u.roles[0].value, "Basic Routing Profile");
    assert_eq!(
        u.entitlements
            .iter()
            .map(|e| (e.value.as_str(), e.primary))
            .collect::<Vec<_>>(),
        vec![("Agent", None), ("Admin", Some(true))],
        "an absent primary stays absent"
    );
}

#[test]
fn connect_extension_keeps_absent_apart_from_null() {
    let read = |ext: Value| {
        ScimUser::from_json(&json!({"userName": "a", CONNECT_USER: ext}))
            .unwrap()
            .connect
            .unwrap_or_default()
    };
    let c = read(
        json!({"hierarchyGroup": null, "autoAccept": "true", "afterContactWorkTimeLimit": "30", "securityProfiles": "Agent"}),
    );
    assert_eq!(c.hierarchy_group, Some(None));
    assert_eq!(
        (c.auto_accept, c.after_contact_work_time_limit),
        (Some(true), Some(30))
    );
    assert_eq!(c.security_profiles, Some(vec!["Agent".to_owned()]));
    let c = read(json!({"HierarchyGroup": "Seattle/Tier1", "phoneType": "SOFT_PHONE"}));
    assert_eq!(c.hierarchy_group, Some(Some("Seattle/Tier1".into())));
    let c = read(json!({"routingProfile": "Basic Routing Profile"}));
    assert_eq!((c.hierarchy_group, c.security_profiles), (None, None));
}

#[test]
fn connect_extension_round_trips() {
    let body = json!({
        "schemas": [USER, CONNECT_USER], "userName": "a",
        CONNECT_USER: {"securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile", "hierarchyGroup": "Seattle/Tier1",
                       "phoneType": "DESK_PHONE", "deskPhoneNumber": "+12065550100", "autoAccept": false, "afterContactWorkTimeLimit": 30}
    });
    assert_eq!(ScimUser::from_json(&body).unwrap().to_json(), body);
}

#[test]
fn user_name_is_required_and_types_are_checked() {
    let e = ScimUser::from_json(&json!({"name": {"givenName": "x"}})).unwrap_err();
    assert_eq!(
        (e.scim_type, e.detail.as_str()),
        (Some(ScimType::InvalidValue), "userName is required")
    );
    for (body, attr) in [
        (json!({"userName": "a", "active": "maybe"}), "active"),
        (json!({"userName": {"x": 1}}), "userName"),
        (json!({"userName": "a", "name": "Babs"}), "name"),
        (
            json!({"userName": "a", CONNECT_USER: {"afterContactWorkTimeLimit": "soon"}}),
            "afterContactWorkTimeLimit",
        ),
    ] {
        let e = ScimUser::from_json(&body).unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue), "{body}");
        assert!(e.detail.contains(attr), "{}", e.detail);
    }
}

#[test]
fn email_and_phone_helpers_pick_like_connect_needs() {
    let mv = |value: &str, type_: &str, primary: bool| MultiValue {
        value: value.into(),
        type_: Some(type_.into()),
        primary: Some(primary),
        display: None,
    };
    let mut u = ScimUser {
        user_name: "a".into(),
        ..ScimUser::default()
    };
    assert_eq!(
        (u.primary_email(), u.secondary_email(), u.mobile_phone()),
        (None, None, None)
    );
    u.emails = vec![mv("home@x", "home", false), mv("work@x", "work", false)];
    assert_eq!(
        (u.primary_email(), u.secondary_email()),
        (Some("work@x"), Some("home@x"))
    );
    u.emails.push(mv("p@x", "other", true));
    assert_eq!(u.primary_email(), Some("p@x"));
    u.phone_numbers = vec![mv("+1", "work", true), mv("+2", "Mobile", false)];
    assert_eq!(u.mobile_phone(), Some("+2"));
    u.phone_numbers.pop();
    assert_eq!(u.mobile_phone(), Some("+1"));
}
