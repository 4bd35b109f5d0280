//! Protected security profiles (`PROTECTED_SECURITY_PROFILES`, default
//! `Admin`) are never linked, granted, revoked or deleted through SCIM, and
//! group writes need a profile that SCIM linked or created.

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::json;

use crate::app::{TestApp, patch};

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
    // The user held only the default fallback, which the grant replaced.
    assert_eq!(
        app.profile_ids("lin@example.com"),
        app.profile_ids_named(&["QualityAnalyst"])
    );
    assert_eq!(app.delete(&path).await.status, 204, "unlinks it");
    app.delete(&path).await.assert_scim_error(404, None);
}

async fn console_user(app: &TestApp, username: &str, profile: &str) -> String {
    use connect_scim::connect::{Connect, NewUser, PhoneConfig, Tags};
    app.console()
        .create_user(&NewUser {
            username: username.into(),
            identity: connect_scim::connect::IdentityInfo {
                first_name: Some("Console".into()),
                last_name: Some("User".into()),
                ..Default::default()
            },
            phone: PhoneConfig::default(),
            security_profile_ids: vec![app.sim.security_profile_id(profile).unwrap()],
            routing_profile_id: app.sim.routing_profile_id("Basic Routing Profile").unwrap(),
            hierarchy_group_id: None,
            tags: Tags::new(),
            password: None,
        })
        .await
        .expect("the console creates a user")
        .id
}

#[tokio::test]
async fn a_user_scim_does_not_manage_is_not_a_scim_resource() {
    let app = TestApp::spawn().await;
    let admin = console_user(&app, "breakglass", "Admin").await;
    let agent = console_user(&app, "handmade", "Agent").await;

    for id in [&admin, &agent] {
        app.get(&format!("/Users/{id}"))
            .await
            .assert_scim_error(404, None);
        let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
        app.patch(&format!("/Users/{id}"), &off)
            .await
            .assert_scim_error(404, None);
        app.delete(&format!("/Users/{id}"))
            .await
            .assert_scim_error(404, None);
    }
    let found = app
        .get("/Users?filter=userName%20eq%20%22breakglass%22")
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body["totalResults"], 0, "{}", found.body);
    let all = app.get("/Users").await;
    assert_eq!(all.body["totalResults"], 0, "{}", all.body);
    let by_id = app
        .get(&format!("/Users?filter=id%20eq%20%22{admin}%22"))
        .await;
    assert_eq!(by_id.body["totalResults"], 0, "{}", by_id.body);

    let group = app.post("/Groups", &json!({"displayName": "Sales"})).await;
    let group = group.body["id"].as_str().unwrap().to_owned();
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": agent}]}]));
    let refused = app.patch(&format!("/Groups/{group}"), &add).await;
    refused.assert_scim_error(400, Some("invalidValue"));
    names_profile(&refused, "handmade");

    let admin_user = app.sim.user(&admin).expect("still there");
    assert_eq!(
        admin_user["SecurityProfileIds"],
        json!([app.sim.security_profile_id("Admin").unwrap()]),
        "the break-glass admin is untouched"
    );
    assert!(app.sim.user(&agent).is_some(), "nothing was deleted");
}

#[tokio::test]
async fn a_scim_user_holding_a_protected_profile_is_only_read() {
    use connect_scim::connect::Connect;
    let app = TestApp::spawn().await;
    let user = a_user(&app, "promoted@example.com").await;
    let admin = app.sim.security_profile_id("Admin").unwrap();
    app.console()
        .update_user_security_profiles(&user, std::slice::from_ref(&admin))
        .await
        .expect("the console grants Admin");

    assert_eq!(app.get(&format!("/Users/{user}")).await.status, 200);
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    let refused = app.patch(&format!("/Users/{user}"), &off).await;
    refused.assert_scim_error(403, None);
    names_profile(&refused, "Admin");
    app.delete(&format!("/Users/{user}"))
        .await
        .assert_scim_error(403, None);
    assert_eq!(
        app.sim.user(&user).unwrap()["SecurityProfileIds"],
        json!([admin])
    );

    let asks_admin = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "wants-admin@example.com",
        "name": {"givenName": "Test", "familyName": "Agent"},
        "entitlements": [{"value": "Admin"}],
    });
    let refused = app.post("/Users", &asks_admin).await;
    refused.assert_scim_error(403, None);
    assert!(app.connect_user("wants-admin@example.com").is_none());
}
