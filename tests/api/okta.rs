//! Okta's request sequences (shared/reference/idp-behaviour.md §1.2), step by
//! step, asserting the Connect state in the simulator after each step.

use serde_json::{Value, json};

use crate::app::TestApp;

fn okta_user(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "emails": [{"primary": true, "value": username, "type": "work"}],
        "displayName": "Jane Doe",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "password": "t1meMa$heen",
        "active": true
    })
}

fn filter_path(username: &str) -> String {
    format!(
        "/Users?filter=userName%20eq%20%22{}%22&startIndex=1&count=100",
        username.replace('@', "%40")
    )
}

#[tokio::test]
async fn okta_test_credentials_reads_users_and_groups() {
    let app = TestApp::spawn().await;
    let users = app.get("/Users?startIndex=1&count=2").await;
    assert_eq!(users.status, 200);
    assert_eq!(
        users.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert!(users.body["totalResults"].is_u64());
    assert!(users.body["startIndex"].is_u64() && users.body["itemsPerPage"].is_u64());
    let groups = app.get("/Groups?startIndex=1&count=100").await;
    assert_eq!(groups.status, 200);
    assert!(groups.body["Resources"].is_array());
}

#[tokio::test]
async fn okta_assign_looks_up_then_creates_one_agent() {
    let app = TestApp::spawn().await;
    let name = "jane.doe@example.com";
    let lookup = app.get(&filter_path(name)).await;
    assert_eq!(lookup.status, 200);
    assert_eq!(lookup.body["totalResults"], 0);

    let created = app.post("/Users", &okta_user(name)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        created.headers["location"].to_str().unwrap(),
        format!("{}/Users/{id}", app.base)
    );
    assert_eq!(created.body["active"], true);
    assert_eq!(created.body["userName"], name);
    assert_eq!(created.body["name"]["givenName"], "Jane");
    assert_eq!(created.body["entitlements"][0]["value"], "Agent");

    let connect = app.connect_user(name).expect("created in Connect");
    assert_eq!(connect["Id"], id);
    assert_eq!(connect["IdentityInfo"]["FirstName"], "Jane");
    assert_eq!(connect["IdentityInfo"]["Email"], name);
    assert_eq!(connect["Tags"]["scim:externalId"], "00u1abcd");
    assert_eq!(connect["Tags"]["scim:managed"], "true");
    // Okta's displayName is the two names and its email work/primary: no tag.
    assert!(connect["Tags"]["scim:displayName"].is_null());
    assert!(connect["Tags"]["scim:emailTypes"].is_null());
    assert_eq!(created.body["displayName"], "Jane Doe");
    assert_eq!(app.profile_ids(name), app.profile_ids_named(&["Agent"]));
    assert_eq!(
        connect["RoutingProfileId"].as_str(),
        app.sim
            .routing_profile_id("Basic Routing Profile")
            .as_deref()
    );

    // Found afterwards by the same lookup, with the fields Okta's spec test checks.
    let again = app.get(&filter_path(name)).await;
    assert_eq!(again.body["totalResults"], 1);
    let found = &again.body["Resources"][0];
    assert_eq!(found["id"], id);
    assert_eq!(found["emails"][0]["value"], name);
    assert_eq!(found["active"], true);
}

#[tokio::test]
async fn okta_duplicate_assign_gets_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let name = "dup@example.com";
    assert_eq!(app.post("/Users", &okta_user(name)).await.status, 201);
    let before = app.connect_user(name).unwrap();
    let mut again = okta_user(&name.to_uppercase());
    again["name"]["givenName"] = json!("Other");
    let reply = app.post("/Users", &again).await;
    reply.assert_scim_error(409, Some("uniqueness"));
    assert_eq!(app.connect_user(name).unwrap(), before);
    assert_eq!(app.sim.user_count(), 1);
}

#[tokio::test]
async fn okta_profile_push_echoes_meta_and_password_and_changes_only_what_changed() {
    let app = TestApp::spawn().await;
    let name = "push@example.com";
    let id = app.create_user(&okta_user(name)).await;
    let mut current = app.get(&format!("/Users/{id}")).await.body;
    current["name"]["givenName"] = json!("Janet");
    current["entitlements"] = json!([{"value": "Agent"}, {"value": "QualityAnalyst"}]);
    current["password"] = json!("n3wRandom!");
    current["meta"]["created"] = json!("04-12-2018 00:00:00");
    app.reset_stats();
    let pushed = app.put(&format!("/Users/{id}"), &current).await;
    assert_eq!(pushed.status, 200, "{}", pushed.body);
    assert_eq!(pushed.body["name"]["givenName"], "Janet");
    assert_eq!(
        app.connect_user(name).unwrap()["IdentityInfo"]["FirstName"],
        "Janet"
    );
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["Agent", "QualityAnalyst"])
    );
    assert_eq!(app.calls("DescribeUser"), 1);
    assert_eq!(app.calls("UpdateUserIdentityInfo"), 1);
    assert_eq!(app.calls("UpdateUserSecurityProfiles"), 1);
    assert_eq!(app.calls("UpdateUserRoutingProfile"), 0);
    assert_eq!(app.calls("UpdateUserPhoneConfig"), 0);
}

#[tokio::test]
async fn okta_deactivate_and_reactivate_swap_and_restore_profiles() {
    let app = TestApp::spawn().await;
    let name = "cycle@example.com";
    let mut body = okta_user(name);
    body["entitlements"] = json!(["Agent", "CallCenterManager"]);
    let id = app.create_user(&body).await;
    let original = app.profile_ids_named(&["Agent", "CallCenterManager"]);
    assert_eq!(app.profile_ids(name), original);

    let deactivate = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}]
    });
    let reply = app.patch(&format!("/Users/{id}"), &deactivate).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["active"], false);
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["SCIM-Disabled"])
    );
    let tags = &app.connect_user(name).unwrap()["Tags"];
    assert_eq!(tags["scim:active"], "false");

    // Deactivating twice is harmless and writes nothing.
    app.reset_stats();
    let twice = app.patch(&format!("/Users/{id}"), &deactivate).await;
    assert_eq!(twice.status, 200);
    assert_eq!(app.stats().total, 1, "{:?}", app.stats());
    assert_eq!(twice.body["entitlements"].as_array().unwrap().len(), 2);

    let reactivate = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": true}}]
    });
    let reply = app.patch(&format!("/Users/{id}"), &reactivate).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["active"], true);
    assert_eq!(app.profile_ids(name), original);
    let tags = app.connect_user(name).unwrap()["Tags"].clone();
    assert!(tags.get("scim:active").is_none(), "{tags}");
    assert!(tags.get("scim:restore.1").is_none(), "{tags}");
}

#[tokio::test]
async fn okta_import_pages_without_rereading_earlier_pages() {
    let app = TestApp::spawn_with(
        connect_scim::connect::simulator::SimulatorConfig {
            no_quota: true,
            ..Default::default()
        },
        &[],
    )
    .await;
    for i in 0..5 {
        let reply = app
            .post("/Users", &okta_user(&format!("import{i}@example.com")))
            .await;
        assert_eq!(reply.status, 201);
    }
    let mut seen = Vec::new();
    app.reset_stats();
    for start in [1, 3, 5] {
        let page = app.get(&format!("/Users?startIndex={start}&count=2")).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["totalResults"], 5);
        assert_eq!(page.body["startIndex"], start);
        for r in page.body["Resources"].as_array().unwrap() {
            seen.push(r["userName"].as_str().unwrap().to_owned());
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(
        app.calls("SearchUsers"),
        3,
        "one call per page: {:?}",
        app.stats()
    );
    assert_eq!(app.calls("ListUsers"), 0);
}

#[tokio::test]
async fn okta_spec_test_creates_without_a_content_type() {
    let app = TestApp::spawn().await;
    let body = okta_user("runscope1abc@example.com").to_string();
    let reply = app
        .send_raw_untyped(reqwest::Method::POST, "/Users", body)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert!(app.connect_user("runscope1abc@example.com").is_some());
}
