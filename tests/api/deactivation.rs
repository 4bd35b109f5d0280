//! Deactivation fails closed: a user whose tags leave little room (Connect
//! allows 50 per user) is still swapped to the no-permission profile, its
//! profiles remembered compactly; and when even that cannot fit, the request
//! is refused before anything is written, saying why.

use connect_scim::connect::aws::simulator_client;
use serde_json::{Value, json};

use crate::app::TestApp;

fn agent(username: &str) -> Value {
    json!({
        "userName": username,
        "name": {"givenName": "Test", "familyName": "Agent"},
        "externalId": format!("00u-{username}"),
        "emails": [{"value": format!("{username}@example.com"), "primary": true}],
        "entitlements": [{"value": "Agent"}, {"value": "CallCenterManager"}, {"value": "QualityAnalyst"}]
    })
}

fn active(on: bool) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "replace", "value": {"active": on}}]})
}

/// Tags an administrator put on the agent (cost centre, site, …).
async fn add_foreign_tags(app: &TestApp, username: &str, n: usize) {
    let arn = app.connect_user(username).unwrap()["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut request = simulator_client(&app.sim.url())
        .tag_resource()
        .resource_arn(arn);
    for i in 0..n {
        request = request.tags(format!("team:{i}"), format!("value {i}"));
    }
    request.send().await.unwrap();
}

fn tag_count(app: &TestApp, username: &str) -> usize {
    app.connect_user(username).unwrap()["Tags"]
        .as_object()
        .map_or(0, |t| t.len())
}

#[tokio::test]
async fn a_user_with_43_foreign_tags_is_deactivated_and_reactivated_with_its_profiles() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&agent("tagged")).await;
    // 43 foreign tags beside its five scim: tags (scim:created and
    // scim:profileSource among them).
    add_foreign_tags(&app, "tagged", 43).await;
    let held = app.profile_ids_named(&["Agent", "CallCenterManager", "QualityAnalyst"]);
    assert_eq!(app.profile_ids("tagged"), held);

    app.reset_stats();
    let off = app.patch(&format!("/Users/{id}"), &active(false)).await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(off.body["active"], false);
    assert_eq!(
        app.profile_ids("tagged"),
        app.profile_ids_named(&["SCIM-Disabled"])
    );
    assert!(tag_count(&app, "tagged") <= 50);
    // DescribeUser, ListAgentStatuses (cold), TagResource, PutUserStatus,
    // UpdateUserSecurityProfiles (a throttle caused by the administrator's
    // direct tagging above, retried, is not a call of ours).
    let stats = app.stats();
    assert_eq!(stats.total - stats.throttled, 5, "{stats:?}");

    let on = app.patch(&format!("/Users/{id}"), &active(true)).await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(app.profile_ids("tagged"), held);
    assert_eq!(tag_count(&app, "tagged"), 48, "the record is gone again");
}

#[tokio::test]
async fn a_deactivation_that_cannot_be_recorded_is_refused_before_any_write() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&agent("full")).await;
    add_foreign_tags(&app, "full", 45).await;
    assert_eq!(tag_count(&app, "full"), 50);

    app.reset_stats();
    let mut body = active(false);
    body["Operations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"op": "replace", "path": "name.givenName", "value": "Changed"}));
    let reply = app.patch(&format!("/Users/{id}"), &body).await;
    reply.assert_scim_error(400, None);
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("50 tags"), "{detail}");
    let stats = app.stats();
    assert_eq!(
        stats.total - stats.throttled,
        1,
        "only the DescribeUser: {stats:?}"
    );
    let connect = app.connect_user("full").unwrap();
    assert_eq!(connect["IdentityInfo"]["FirstName"], "Test", "{connect}");
}

#[tokio::test]
async fn a_disabled_agent_is_offline_and_reactivation_leaves_the_status_to_the_agent() {
    let app = TestApp::spawn().await;
    let first = app.create_user(&agent("routed")).await;
    let second = app.create_user(&agent("routed2")).await;
    for id in [&first, &second] {
        assert!(app.sim.set_user_status(id, "Available"));
    }

    app.reset_stats();
    let off = app.patch(&format!("/Users/{first}"), &active(false)).await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(app.sim.user_status(&first).as_deref(), Some("Offline"));
    assert_eq!(app.calls("ListAgentStatuses"), 1, "{:?}", app.stats());

    app.reset_stats();
    let off = app.patch(&format!("/Users/{second}"), &active(false)).await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(app.sim.user_status(&second).as_deref(), Some("Offline"));
    // Warm cache: DescribeUser, TagResource, PutUserStatus, UpdateUserSecurityProfiles.
    assert_eq!(app.stats().total, 4, "{:?}", app.stats());
    assert_eq!(app.calls("PutUserStatus"), 1);

    app.reset_stats();
    let again = app.patch(&format!("/Users/{second}"), &active(false)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(app.calls("PutUserStatus"), 0, "already deactivated");

    assert!(app.sim.set_user_status(&first, "Offline"));
    app.reset_stats();
    let on = app.patch(&format!("/Users/{first}"), &active(true)).await;
    assert_eq!(on.status, 200, "{}", on.body);
    // DescribeUser, UpdateUserSecurityProfiles, UntagResource: no PutUserStatus.
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
    assert_eq!(app.calls("PutUserStatus"), 0);
    assert_eq!(app.sim.user_status(&first).as_deref(), Some("Offline"));
}
