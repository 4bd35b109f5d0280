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
    let id = connect["Id"].as_str().expect("an id");
    assert!(
        again.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(id)),
        "the 409 names the existing user: {}",
        again.body
    );
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

/// The IdP's angle: a create whose first answer never said what happened (a
/// 5xx or 429 because Connect applied it but its answer was lost and the user
/// was not yet searchable) is retried by the IdP as a new POST. That POST is
/// 409 `uniqueness` naming the userName (and the id once Connect's search
/// shows the new user; here it does not yet), and the IdP's lookup by
/// userName finds exactly the one user, carrying the IdP's externalId.
#[tokio::test]
async fn an_idp_retry_of_a_create_connect_applied_is_409_and_its_lookup_finds_that_one_user() {
    let app = TestApp::spawn_with(
        SimulatorConfig {
            consistency_delay_ms: 4000,
            ..SimulatorConfig::default()
        },
        &[("REQUEST_DEADLINE_MS", "2000")],
    )
    .await;
    app.sim.fail_after_applying("CreateUser", 1);

    let first = app.post("/Users", &user("lost@example.com")).await;
    assert!(
        [429, 503].contains(&first.status.as_u16()),
        "neither 201 nor a lie: {} {}",
        first.status,
        first.body
    );
    assert!(
        first.headers.contains_key("retry-after"),
        "{:?}",
        first.headers
    );
    assert_eq!(app.sim.user_count(), 1, "Connect applied it once");

    let retry = app.post("/Users", &user("lost@example.com")).await;
    retry.assert_scim_error(409, Some("uniqueness"));
    let detail = retry.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("lost@example.com"), "{detail}");
    assert_eq!(app.sim.user_count(), 1, "never a second user");

    let connect = app.connect_user("lost@example.com").expect("the user");
    let mut found = Value::Null;
    for _ in 0..20 {
        let lookup = app
            .get("/Users?filter=userName%20eq%20%22lost@example.com%22")
            .await;
        assert_eq!(lookup.status, 200, "{}", lookup.body);
        if lookup.body["totalResults"] == 1 {
            found = lookup.body["Resources"][0].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(found["id"], connect["Id"], "the lookup finds the user");
    assert_eq!(found["externalId"], "ext-lost@example.com");
}
