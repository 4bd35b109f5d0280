//! PATCH `remove` (and `replace` with null) of the attributes a PUT keeps when
//! omitted: removing means removed (RFC 7644 §3.5.2.2): security profiles fall
//! back to the defaults, routing to the default, the hierarchy group is
//! cleared and the externalId tag removed. Connect's state is checked after
//! each step, and so is the cost of each PATCH.

use serde_json::{Value, json};

use crate::app::TestApp;

const CONNECT: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

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
        let source = |app: &TestApp| {
            app.connect_user("linked").unwrap()["Tags"]["scim:profileSource"]
                .as_str()
                .map(str::to_owned)
        };
        let marked = source(&app).is_some_and(|v| v.starts_with("defaults:"));
        assert_eq!(marked, fallback, "{op}");
        assert_eq!(app.calls("TagResource"), u64::from(fallback), "{op}");
        assert_eq!(
            app.stats().total,
            2 + u64::from(fallback),
            "{op}: {:?}",
            app.stats()
        );
        if fallback {
            assert_eq!(body["entitlements"], json!([{"value": "Agent"}]), "{op}");
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
        assert_eq!(app.stats().total, 2, "{op}: {:?}", app.stats());
        assert_eq!(body[CONNECT]["routingProfile"], "Basic Routing Profile");
        relink(&app, &id).await;
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
