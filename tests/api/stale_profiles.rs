//! Profiles an administrator deleted in Connect behind the service's back:
//! reactivation restores what still exists (the defaults if nothing does), and
//! a Connect "not found" for a profile is never a SCIM 404 for the user: the
//! profile cache is refreshed once, and a profile that is truly gone is a 400
//! naming it.

use connect_scim::connect::aws::{AwsConnect, simulator_client};
use connect_scim::connect::simulator::SimulatorConfig;
use connect_scim::connect::{Connect, NewUser, PhoneConfig, Tags};
use serde_json::{Value, json};

use crate::app::TestApp;

fn agent(username: &str, entitlements: &[&str]) -> Value {
    json!({
        "userName": username,
        "name": {"givenName": "Ari", "familyName": "Cole"},
        "entitlements": entitlements.iter().map(|e| json!({"value": e})).collect::<Vec<_>>()
    })
}

fn active(on: bool) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "replace", "value": {"active": on}}]})
}

/// A user SCIM deactivated long ago (made directly in Connect, so the service
/// has no memory of creating it) remembering `held` in `scim:restore.N` tags;
/// then an administrator deletes `gone` (the service's cache still lists it).
async fn deactivated_then_profile_deleted(
    app: &TestApp,
    username: &str,
    held: &[&str],
    gone: &str,
) -> String {
    let connect = AwsConnect::new(
        simulator_client(&app.sim.url()),
        app.sim.instance_id().to_owned(),
    );
    let mut tags = Tags::from([
        ("scim:managed".to_owned(), "true".to_owned()),
        ("scim:active".to_owned(), "false".to_owned()),
    ]);
    for (i, name) in held.iter().enumerate() {
        let id = app.sim.security_profile_id(name).unwrap();
        tags.insert(format!("scim:restore.{}", i + 1), id);
    }
    let created = connect
        .create_user(&NewUser {
            username: username.to_owned(),
            identity: connect_scim::connect::IdentityInfo {
                first_name: Some("Console".into()),
                last_name: Some("User".into()),
                ..Default::default()
            },
            phone: PhoneConfig::default(),
            security_profile_ids: vec![app.sim.security_profile_id("SCIM-Disabled").unwrap()],
            routing_profile_id: app.sim.routing_profile_id("Basic Routing Profile").unwrap(),
            hierarchy_group_id: None,
            tags,
            password: None,
        })
        .await
        .unwrap();
    // The service has seen the profile: its cache is warm.
    let shown = app.get(&format!("/Users/{}", created.id)).await;
    assert_eq!(shown.body["active"], false, "{}", shown.body);
    assert!(app.sim.delete_security_profile(gone));
    created.id
}

#[tokio::test]
async fn reactivation_restores_the_profiles_that_still_exist() {
    let app = TestApp::spawn().await;
    app.sim.add_security_profile("Night");
    let id =
        deactivated_then_profile_deleted(&app, "night.owl", &["Agent", "Night"], "Night").await;

    app.reset_stats();
    let on = app.patch(&format!("/Users/{id}"), &active(true)).await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(on.body["active"], true);
    assert_eq!(
        app.profile_ids("night.owl"),
        app.profile_ids_named(&["Agent"])
    );
    assert_eq!(on.body["entitlements"], json!([{"value": "Agent"}]));
    let tags = &app.connect_user("night.owl").unwrap()["Tags"];
    assert!(tags.get("scim:active").is_none(), "{tags}");
    // DescribeUser, the refused UpdateUserSecurityProfiles, one refill of the
    // profile list, the restore, and the UntagResource that ends the record.
    let stats = app.stats();
    assert_eq!(stats.total - stats.throttled, 5, "{stats:?}");
    assert_eq!(app.calls("ListSecurityProfiles"), 1);
}

#[tokio::test]
async fn okta_put_echo_reactivates_a_user_whose_only_remembered_profile_is_gone() {
    let app = TestApp::spawn().await;
    app.sim.add_security_profile("Night");
    let id = deactivated_then_profile_deleted(&app, "only.night", &["Night"], "Night").await;

    let mut echo = app.get(&format!("/Users/{id}")).await.body;
    echo["active"] = json!(true);
    let on = app.put(&format!("/Users/{id}"), &echo).await;
    assert_eq!(on.status, 200, "{}", on.body);
    let mut echo = app.get(&format!("/Users/{id}")).await.body;
    echo["active"] = json!(true);
    let again = app.put(&format!("/Users/{id}"), &echo).await;
    assert_eq!(
        again.status, 200,
        "the next echo is a no-op: {}",
        again.body
    );
    assert_eq!(
        app.profile_ids("only.night"),
        app.profile_ids_named(&["Agent"]),
        "nothing remembered is left: the defaults"
    );
}

#[tokio::test]
async fn a_put_naming_a_profile_deleted_behind_a_warm_cache_is_a_400_naming_it() {
    let app = TestApp::spawn().await;
    app.sim.add_security_profile("Evening");
    let id = app.create_user(&agent("evening", &["Evening"])).await;
    let mut body = app.get(&format!("/Users/{id}")).await.body;
    let back = app
        .put(&format!("/Users/{id}"), &agent("evening", &["Agent"]))
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert!(app.sim.delete_security_profile("Evening"));

    body["name"]["givenName"] = json!("Eve");
    let reply = app.put(&format!("/Users/{id}"), &body).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("Evening"), "{detail}");
    assert_eq!(
        app.profile_ids("evening"),
        app.profile_ids_named(&["Agent"])
    );
}

#[tokio::test]
async fn a_post_group_naming_a_profile_deleted_behind_a_warm_cache_creates_it_again() {
    let app = TestApp::spawn().await;
    app.sim.add_security_profile("Weekend");
    let listed = app
        .get("/Groups?filter=displayName%20eq%20%22Weekend%22")
        .await;
    assert_eq!(listed.body["totalResults"], 1, "{}", listed.body);
    assert!(app.sim.delete_security_profile("Weekend"));

    let reply = app
        .post("/Groups", &json!({"displayName": "Weekend", "members": []}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        reply.body["id"].as_str(),
        app.sim.security_profile_id("Weekend").as_deref()
    );
}

#[tokio::test]
async fn with_group_create_reject_a_group_whose_profile_was_deleted_is_a_400_naming_it() {
    let app = TestApp::spawn_with(SimulatorConfig::default(), &[("GROUP_CREATE", "reject")]).await;
    app.sim.add_security_profile("Weekend");
    let listed = app
        .get("/Groups?filter=displayName%20eq%20%22Weekend%22")
        .await;
    assert_eq!(listed.body["totalResults"], 1, "{}", listed.body);
    assert!(app.sim.delete_security_profile("Weekend"));

    let reply = app
        .post("/Groups", &json!({"displayName": "Weekend"}))
        .await;
    reply.assert_scim_error(400, Some("invalidValue"));
    assert!(reply.body["detail"].as_str().unwrap().contains("Weekend"));
}
