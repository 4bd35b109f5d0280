//! Creates are answered for what Connect did: a CreateUser or
//! CreateSecurityProfile that Connect applied but whose answer was lost, or
//! that was still in flight at the request's deadline, is answered 201 for
//! the resource this request made, never 409 for it and never a second one;
//! a group add right after a create waits out Connect's lag.

use std::time::Duration;

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::TestApp;

fn user(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "externalId": format!("ext-{username}"),
        "name": {"givenName": "Ana", "familyName": "Lopez"},
        "emails": [{"value": username, "type": "work", "primary": true}],
    })
}

fn group(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name,
        "externalId": format!("ext-{name}"),
    })
}

#[tokio::test]
async fn a_create_connect_applied_but_answered_500_is_201_for_that_user_and_a_second_post_is_409() {
    let app = TestApp::spawn().await;
    app.sim.fail_after_applying("CreateUser", 1);

    let created = app.post("/Users", &user("ana@example.com")).await;

    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(app.sim.user_count(), 1, "exactly one user");
    let connect = app.connect_user("ana@example.com").expect("the user");
    assert_eq!(created.body["id"], connect["Id"]);
    let again = app.post("/Users", &user("ana@example.com")).await;
    again.assert_scim_error(409, Some("uniqueness"));
    assert_eq!(app.sim.user_count(), 1);
}

#[tokio::test]
async fn a_create_still_in_flight_at_the_deadline_is_waited_for_and_answered_201() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("REQUEST_DEADLINE_MS", "1000")],
    )
    .await;
    app.sim
        .set_latency("CreateUser", Duration::from_millis(1500));

    let created = app.post("/Users", &user("late@example.com")).await;

    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(app.sim.user_count(), 1);
    assert_eq!(app.calls("CreateUser"), 1, "the write was not sent twice");
}

#[tokio::test]
async fn a_group_create_connect_applied_but_answered_500_is_201_and_a_second_post_is_409() {
    let app = TestApp::spawn().await;
    app.sim.fail_after_applying("CreateSecurityProfile", 1);

    let created = app.post("/Groups", &group("Night Shift")).await;

    assert_eq!(created.status, 201, "{}", created.body);
    let id = app
        .sim
        .security_profile_id("Night Shift")
        .expect("the profile");
    assert_eq!(created.body["id"], id.as_str());
    let again = app.post("/Groups", &group("Night Shift")).await;
    again.assert_scim_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn a_group_add_right_after_a_create_waits_out_connects_lag() {
    let app = TestApp::spawn_with(
        SimulatorConfig {
            consistency_delay_ms: 3000,
            ..SimulatorConfig::default()
        },
        &[],
    )
    .await;
    let sales = app.post("/Groups", &group("Sales")).await;
    assert_eq!(sales.status, 201, "{}", sales.body);
    let group_id = sales.body["id"].as_str().expect("an id").to_owned();
    let user_id = app.create_user(&user("new@example.com")).await;

    let added = app
        .patch(
            &format!("/Groups/{group_id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}],
            }),
        )
        .await;

    assert_eq!(added.status, 204, "{}", added.body);
    assert!(
        app.profile_ids("new@example.com").contains(&group_id),
        "the grant reached Connect"
    );
}
