//! PATCH `remove` (and `replace` with null) of the attributes a PUT keeps when
//! omitted: removing means removed (RFC 7644 §3.5.2.2): security profiles fall
//! back to the defaults, routing to the default, the hierarchy group is
//! cleared and the externalId tag removed. Connect's state is checked after
//! each step, and so is the cost of each PATCH.

use serde_json::{Value, json};

use crate::app::{TestApp, patch};

const CONNECT: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn linked_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", CONNECT],
        "userName": "linked",
        "name": {"givenName": "Test", "familyName": "Agent"},
        "externalId": "00u-linked",
        "entitlements": [{"value": "CallCenterManager"}, {"value": "QualityAnalyst"}],
        "roles": [{"value": "Night Routing"}],
        CONNECT: {"hierarchyGroup": "Seattle/Tier1"}
    })
}

/// Puts the user back to its linked state: CallCenterManager + QualityAnalyst, Night
/// Routing, Seattle/Tier1, its externalId.
async fn relink(app: &TestApp, id: &str) {
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([
                {"op": "replace", "path": "entitlements", "value": [{"value": "CallCenterManager"}, {"value": "QualityAnalyst"}]},
                {"op": "replace", "path": "roles", "value": [{"value": "Night Routing"}]},
                {"op": "replace", "path": format!("{CONNECT}:hierarchyGroup"), "value": "Seattle/Tier1"},
                {"op": "replace", "path": "externalId", "value": "00u-linked"}
            ])),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

async fn remove(app: &TestApp, id: &str, op: Value) -> Value {
    app.reset_stats();
    let reply = app
        .patch(&format!("/Users/{id}"), &patch(json!([op])))
        .await;
    assert_eq!(reply.status, 200, "{op}: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn removing_a_profile_source_gives_the_default_security_profiles() {
    let app = TestApp::spawn().await;
    app.sim.add_routing_profile("Night Routing");
    let id = app.create_user(&linked_user()).await;
    let linked = app.profile_ids_named(&["CallCenterManager", "QualityAnalyst"]);
    assert_eq!(app.profile_ids("linked"), linked);

    for op in [
        json!({"op": "remove", "path": "entitlements"}),
        json!({"op": "remove", "path": format!("{ENTERPRISE}:department")}),
        json!({"op": "remove", "path": format!("{CONNECT}:securityProfiles")}),
        json!({"op": "Remove", "path": "entitlements[value eq \"CallCenterManager\"]"}),
    ] {
        let body = remove(&app, &id, op.clone()).await;
        let expected = if op["path"].as_str().unwrap().contains("[value") {
            app.profile_ids_named(&["QualityAnalyst"])
        } else {
            app.profile_ids_named(&["Agent"])
        };
        assert_eq!(app.profile_ids("linked"), expected, "{op}");
        assert_eq!(
            app.calls("UpdateUserSecurityProfiles"),
            1,
            "{op}: {:?}",
            app.stats()
        );
        let fallback = expected == app.profile_ids_named(&["Agent"]);
        // The defaults given for nothing are recorded as that fallback, in
        // one TagResource (the request writes no other tag); a removal that
        // leaves entitlements holding names keeps them the source.
        let source = |app: &TestApp| app.tag("linked", "scim:profileSource");
        let marked = source(&app).is_some_and(|v| v.starts_with("defaults:"));
        assert_eq!(marked, fallback, "{op}");
        assert_eq!(app.calls("TagResource"), u64::from(fallback), "{op}");
        assert_eq!(
            app.stats().total,
            2 + u64::from(fallback),
            "{op}: {:?}",
            app.stats()
        );
        // Removed means unassigned: no profile attribute shows the fallback
        // (the `scim:unset` mark, in the same TagResource) until one is given.
        for (ext, name) in [
            (None, "entitlements"),
            (Some(ENTERPRISE), "department"),
            (Some(CONNECT), "securityProfiles"),
        ] {
            let shown = match ext {
                None => body.get(name),
                Some(urn) => body.get(urn).and_then(|e| e.get(name)),
            };
            assert_eq!(shown.is_none(), fallback, "{op}: {name} in {body}");
        }
        relink(&app, &id).await;
        assert_eq!(app.profile_ids("linked"), linked);
        assert_eq!(source(&app).as_deref(), Some("entitlements"), "{op}");
    }
}

#[tokio::test]
async fn removing_routing_hierarchy_or_external_id_clears_them_in_connect() {
    let app = TestApp::spawn().await;
    let night = app.sim.add_routing_profile("Night Routing");
    let basic = app.sim.routing_profile_id("Basic Routing Profile").unwrap();
    let id = app.create_user(&linked_user()).await;
    let connect = app.connect_user("linked").unwrap();
    assert_eq!(connect["RoutingProfileId"], night.as_str());
    assert!(connect["HierarchyGroupId"].is_string());

    for op in [
        json!({"op": "remove", "path": "roles"}),
        json!({"op": "remove", "path": format!("{CONNECT}:routingProfile")}),
    ] {
        let body = remove(&app, &id, op.clone()).await;
        assert_eq!(
            app.connect_user("linked").unwrap()["RoutingProfileId"],
            basic.as_str(),
            "{op}"
        );
        assert_eq!(app.calls("UpdateUserRoutingProfile"), 1, "{op}");
        // The default is shown unassigned: the `scim:unset` mark holds the
        // routing profile it gave, in one TagResource.
        assert_eq!(app.calls("TagResource"), 1, "{op}");
        assert_eq!(app.stats().total, 3, "{op}: {:?}", app.stats());
        assert!(body.get("roles").is_none(), "{op}: {body}");
        assert!(
            body[CONNECT].get("routingProfile").is_none(),
            "{op}: {body}"
        );
        assert_eq!(
            app.tag("linked", "scim:unset"),
            Some(format!("routingProfile={basic}"))
        );
        relink(&app, &id).await;
        assert!(
            app.connect_user("linked").unwrap()["Tags"]
                .get("scim:unset")
                .is_none()
        );
    }

    for op in [
        json!({"op": "remove", "path": format!("{CONNECT}:hierarchyGroup")}),
        json!({"op": "replace", "path": format!("{CONNECT}:hierarchyGroup"), "value": null}),
        json!({"op": "replace", "value": {CONNECT: {"hierarchyGroup": null}}}),
    ] {
        let body = remove(&app, &id, op.clone()).await;
        let connect = app.connect_user("linked").unwrap();
        assert!(connect.get("HierarchyGroupId").is_none(), "{op}: {connect}");
        assert_eq!(app.calls("UpdateUserHierarchy"), 1, "{op}");
        assert!(body[CONNECT].get("hierarchyGroup").is_none(), "{body}");
        relink(&app, &id).await;
    }

    let body = remove(&app, &id, json!({"op": "remove", "path": "externalId"})).await;
    let connect = app.connect_user("linked").unwrap();
    assert!(
        connect["Tags"].get("scim:externalId").is_none(),
        "{connect}"
    );
    assert!(body.get("externalId").is_none(), "{body}");
    assert_eq!(app.calls("UntagResource"), 1, "{:?}", app.stats());
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
}

#[tokio::test]
async fn a_put_that_omits_the_linking_attributes_still_keeps_them() {
    let app = TestApp::spawn().await;
    let night = app.sim.add_routing_profile("Night Routing");
    let id = app.create_user(&linked_user()).await;
    app.reset_stats();
    let reply = app
        .put(
            &format!("/Users/{id}"),
            &json!({"userName": "linked", "name": {"givenName": "New"}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let connect = app.connect_user("linked").unwrap();
    assert_eq!(
        app.profile_ids("linked"),
        app.profile_ids_named(&["CallCenterManager", "QualityAnalyst"])
    );
    assert_eq!(connect["RoutingProfileId"], night.as_str());
    assert!(connect["HierarchyGroupId"].is_string());
    assert_eq!(connect["Tags"]["scim:externalId"], "00u-linked");
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
}

#[tokio::test]
async fn removing_what_connect_always_holds_gives_its_default_and_shows_it_unassigned() {
    use connect_scim::connect::{Connect as _, PhoneConfig, PhoneType};

    let app = TestApp::spawn().await;
    app.sim.add_routing_profile("Night Routing");
    let mut body = linked_user();
    body["active"] = json!(false);
    body[CONNECT]["phoneType"] = json!("DESK_PHONE");
    body[CONNECT]["deskPhoneNumber"] = json!("+14155550100");
    body[CONNECT]["autoAccept"] = json!(true);
    body[CONNECT]["afterContactWorkTimeLimit"] = json!(120);
    let id = app.create_user(&body).await;
    assert_eq!(app.tag("linked", "scim:unset"), None);

    // `active`: the agent is active again (a new agent's default).
    let body = remove(&app, &id, json!({"op": "remove", "path": "active"})).await;
    assert!(body.get("active").is_none(), "{body}");
    assert_eq!(
        app.profile_ids("linked"),
        app.profile_ids_named(&["CallCenterManager", "QualityAnalyst"])
    );
    assert_eq!(app.tag("linked", "scim:unset").as_deref(), Some("active"));

    // The phone settings, one by one: Connect gets a new agent's defaults.
    // A desk phone without its number is refused, before any write.
    app.reset_stats();
    let refused = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([{"op": "remove", "path": format!("{CONNECT}:deskPhoneNumber")}])),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("deskPhoneNumber")
    );
    assert_eq!(app.stats().total, 1, "{:?}", app.stats());
    for (name, json_default) in [
        ("phoneType", json!("SOFT_PHONE")),
        ("autoAccept", json!(false)),
        ("afterContactWorkTimeLimit", json!(30)),
    ] {
        let body = remove(
            &app,
            &id,
            json!({"op": "remove", "path": format!("{CONNECT}:{name}")}),
        )
        .await;
        assert!(body[CONNECT].get(name).is_none(), "{name}: {body}");
        let phone = &app.connect_user("linked").unwrap()["PhoneConfig"];
        let key = match name {
            "phoneType" => "PhoneType",
            "autoAccept" => "AutoAccept",
            _ => "AfterContactWorkTimeLimit",
        };
        assert_eq!(phone[key], json_default, "{name}: {phone}");
        let got = app.get(&format!("/Users/{id}")).await;
        assert!(
            got.body[CONNECT].get(name).is_none(),
            "{name}: {}",
            got.body
        );
    }
    assert_eq!(
        app.tag("linked", "scim:unset").as_deref(),
        Some("active phoneType autoAccept afterContactWorkTimeLimit")
    );

    // A change in the console shows again: the mark hides only the default.
    let user_id = app.connect_user("linked").unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.console()
        .update_user_phone_config(
            &user_id,
            &PhoneConfig {
                phone_type: PhoneType::SoftPhone,
                auto_accept: true,
                after_contact_work_time_limit: 30,
                desk_phone_number: None,
            },
        )
        .await
        .unwrap();
    let got = app.get(&format!("/Users/{id}")).await;
    assert_eq!(got.body[CONNECT]["autoAccept"], true, "{}", got.body);
    assert!(got.body[CONNECT].get("phoneType").is_none(), "{}", got.body);

    // A value given clears its mark.
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([{"op": "replace", "path": format!("{CONNECT}:phoneType"), "value": "SOFT_PHONE"}])),
        )
        .await;
    assert_eq!(
        reply.body[CONNECT]["phoneType"], "SOFT_PHONE",
        "{}",
        reply.body
    );
    assert_eq!(
        app.tag("linked", "scim:unset").as_deref(),
        Some("active afterContactWorkTimeLimit")
    );

    // The whole extension: every attribute of it unassigned, the extension
    // and its schema left out, Connect at its defaults.
    let body = remove(&app, &id, json!({"op": "remove", "path": CONNECT})).await;
    assert!(body.get(CONNECT).is_none(), "{body}");
    assert!(
        !body["schemas"]
            .as_array()
            .unwrap()
            .contains(&json!(CONNECT)),
        "{body}"
    );
    let connect = app.connect_user("linked").unwrap();
    assert!(connect.get("HierarchyGroupId").is_none(), "{connect}");
    assert_eq!(connect["PhoneConfig"]["AutoAccept"], false, "{connect}");
    assert_eq!(app.profile_ids("linked"), app.profile_ids_named(&["Agent"]));
    assert_eq!(
        connect["RoutingProfileId"],
        app.sim
            .routing_profile_id("Basic Routing Profile")
            .unwrap()
            .as_str()
    );
    let got = app.get(&format!("/Users/{id}")).await;
    assert!(got.body.get(CONNECT).is_none(), "{}", got.body);
    assert!(got.body.get("entitlements").is_none(), "{}", got.body);
    assert!(got.body.get("roles").is_none(), "{}", got.body);
}
