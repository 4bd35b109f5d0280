//! Protected security profiles (`PROTECTED_SECURITY_PROFILES`, default
//! `Admin`) are never linked, granted, revoked or deleted through SCIM, and
//! group writes need a profile that SCIM linked or created.

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::TestApp;

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

async fn a_user(app: &TestApp, name: &str) -> String {
    app.create_user(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": "Pat", "familyName": "Rotected"},
    }))
    .await
}

fn names_profile(reply: &crate::app::Reply, name: &str) {
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(name), "{detail}");
}

#[tokio::test]
async fn the_admin_profile_is_never_linked_granted_revoked_or_deleted() {
    let app = TestApp::spawn().await;
    let user = a_user(&app, "pat@example.com").await;
    let admin = app.sim.security_profile_id("Admin").unwrap();
    app.reset_stats();

    let linked = app.post("/Groups", &json!({"displayName": "admin"})).await;
    linked.assert_scim_error(403, None);
    names_profile(&linked, "Admin");

    let path = format!("/Groups/{admin}");
    let grant = patch(json!([{"op": "add", "path": "members", "value": [{"value": user}]}]));
    let reply = app.patch(&path, &grant).await;
    reply.assert_scim_error(403, None);
    names_profile(&reply, "Admin");
    let put = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                     "displayName": "Admin", "members": []});
    app.put(&path, &put).await.assert_scim_error(403, None);
    app.delete(&path).await.assert_scim_error(403, None);

    assert_eq!(app.calls("UpdateUserSecurityProfiles"), 0);
    assert_eq!(app.calls("TagResource") + app.calls("UntagResource"), 0);
    assert_eq!(app.calls("DeleteSecurityProfile"), 0);
    assert_eq!(
        app.profile_ids("pat@example.com"),
        app.profile_ids_named(&["Agent"])
    );
}

#[tokio::test]
async fn protected_security_profiles_name_the_protected_ones() {
    let env = [("PROTECTED_SECURITY_PROFILES", "Admin, QualityAnalyst")];
    let app = TestApp::spawn_with(SimulatorConfig::default(), &env).await;
    let reply = app
        .post("/Groups", &json!({"displayName": "QualityAnalyst"}))
        .await;
    reply.assert_scim_error(403, None);
    names_profile(&reply, "QualityAnalyst");
    let linked = app
        .post("/Groups", &json!({"displayName": "CallCenterManager"}))
        .await;
    assert_eq!(linked.status, 201, "{}", linked.body);
}

#[tokio::test]
async fn group_writes_need_a_profile_scim_linked_or_created() {
    let app = TestApp::spawn().await;
    let user = a_user(&app, "lin@example.com").await;
    let analyst = app.sim.security_profile_id("QualityAnalyst").unwrap();
    let path = format!("/Groups/{analyst}");
    let grant = patch(json!([{"op": "add", "path": "members", "value": [{"value": user}]}]));

    let reply = app.patch(&path, &grant).await;
    reply.assert_scim_error(404, None);
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("QualityAnalyst") && detail.contains("POST /Groups"),
        "{detail}"
    );
    app.delete(&path).await.assert_scim_error(404, None);
    assert_eq!(
        app.profile_ids("lin@example.com"),
        app.profile_ids_named(&["Agent"])
    );

    let linked = app
        .post("/Groups", &json!({"displayName": "QualityAnalyst"}))
        .await;
    assert_eq!(linked.status, 201, "{}", linked.body);
    assert_eq!(app.patch(&path, &grant).await.status, 204);
    assert_eq!(
        app.profile_ids("lin@example.com"),
        app.profile_ids_named(&["Agent", "QualityAnalyst"])
    );
    assert_eq!(app.delete(&path).await.status, 204, "unlinks it");
    app.delete(&path).await.assert_scim_error(404, None);
}
