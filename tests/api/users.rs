//! Users beyond the IdP scripts: Connect call counts per operation, bad input
//! (each a precise SCIM error with Connect unchanged), renames, the Connect
//! extension, adoption, the `delete` policy, versions, and throttling.

use connect_scim::connect::simulator::SimulatorConfig;
use reqwest::Method;
use serde_json::{Value, json};

use crate::app::{TOKEN, TestApp};

const CONNECT: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User";

fn user(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Sam", "familyName": "Lee"},
        "emails": [{"value": format!("{username}@example.com"), "type": "work", "primary": true}],
        "externalId": format!("ext-{username}")
    })
}

fn deactivate() -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "replace", "value": {"active": false}}]})
}

#[tokio::test]
async fn connect_calls_per_operation_stay_at_their_minimum() {
    let app = TestApp::spawn().await;
    // Warm the profile cache, as any running service has.
    assert_eq!(app.post("/Users", &user("warmup")).await.status, 201);

    app.reset_stats();
    let lookup = app
        .get("/Users?filter=userName%20eq%20%22sam.lee%22&startIndex=1&count=100")
        .await;
    assert_eq!(lookup.status, 200);
    assert_eq!(
        app.stats().total,
        1,
        "lookup by userName: {:?}",
        app.stats()
    );
    assert_eq!(app.calls("SearchUsers"), 1);

    app.reset_stats();
    let created = app.post("/Users", &user("sam.lee")).await;
    assert_eq!(created.status, 201);
    assert_eq!(app.stats().total, 1, "create: {:?}", app.stats());
    assert_eq!(app.calls("CreateUser"), 1);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let current = app.get(&format!("/Users/{id}")).await.body;
    app.reset_stats();
    let put = app.put(&format!("/Users/{id}"), &current).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(app.stats().total, 1, "no-op PUT: {:?}", app.stats());
    assert_eq!(app.calls("DescribeUser"), 1);

    app.reset_stats();
    let off = app.patch(&format!("/Users/{id}"), &deactivate()).await;
    assert_eq!(off.status, 200);
    // DescribeUser, ListAgentStatuses (cold cache), TagResource, PutUserStatus,
    // UpdateUserSecurityProfiles.
    assert!(app.stats().total <= 5, "deactivate: {:?}", app.stats());

    app.reset_stats();
    assert_eq!(
        app.get("/Users?filter=externalId%20eq%20%22ext-sam.lee%22")
            .await
            .body["totalResults"],
        1
    );
    assert_eq!(
        app.stats().total,
        1,
        "lookup by externalId: {:?}",
        app.stats()
    );
    assert_eq!(
        app.calls("ListUsers"),
        0,
        "nothing lists the whole instance"
    );
}

#[tokio::test]
async fn missing_or_wrong_tokens_get_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    for token in [None, Some("wrong"), Some("")] {
        let reply = app.send_raw(Method::GET, "/Users", None, token, &[]).await;
        reply.assert_scim_error(401, None);
        assert!(
            reply.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
    assert_eq!(app.stats().total, 0);
}

#[tokio::test]
async fn bad_input_gets_precise_scim_errors_and_leaves_connect_unchanged() {
    let app = TestApp::spawn().await;
    let post = |body: String| app.send_raw(Method::POST, "/Users", Some(body), Some(TOKEN), &[]);

    post("{\"userName\": ".into())
        .await
        .assert_scim_error(400, Some("invalidSyntax"));
    for wrong in [
        json!({"userName": ["a"]}),
        json!({"userName": "ok.name", "active": "maybe"}),
        json!({"userName": "ok.name", "name": "Jane Doe"}),
        json!({"userName": "ok.name", "emails": [{"value": "not-an-email"}]}),
    ] {
        post(wrong.to_string())
            .await
            .assert_scim_error(400, Some("invalidValue"));
    }
    post(json!({"name": {"givenName": "x"}}).to_string())
        .await
        .assert_scim_error(400, Some("invalidValue"));

    let reply = post(json!({"userName": "jane doe"}).to_string()).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("1 to 64 characters")
    );

    let mut unknown = user("ok.name");
    unknown["entitlements"] = json!(["Agent", "Astronaut"]);
    let reply = post(unknown.to_string()).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    assert!(reply.body["detail"].as_str().unwrap().contains("Astronaut"));

    let big = json!({"userName": "big", "title": "x".repeat(1_100_000)}).to_string();
    post(big).await.assert_scim_error(413, None);

    app.get("/Users?filter=userName%20eq")
        .await
        .assert_scim_error(400, Some("invalidFilter"));
    app.get("/Users?filter=JANEDOE")
        .await
        .assert_scim_error(400, Some("invalidFilter"));

    assert_eq!(app.sim.user_count(), 0);
    assert_eq!(app.calls("CreateUser"), 0);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_scim_errors() {
    let app = TestApp::spawn().await;
    app.get("/Nope").await.assert_scim_error(404, None);
    app.send(Method::POST, "/ServiceProviderConfig", Some(&json!({})))
        .await
        .assert_scim_error(405, None);
    app.get("/Users/00919288221112222")
        .await
        .assert_scim_error(404, None);
    let spc = app.get("/ServiceProviderConfig").await;
    assert_eq!(spc.status, 200);
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(spc.body["bulk"]["supported"], false);
    assert_eq!(spc.headers["content-type"], "application/scim+json");
}

#[tokio::test]
async fn a_rename_is_refused_with_mutability_and_nothing_is_applied() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&user("before")).await;
    let mut body = app.get(&format!("/Users/{id}")).await.body;
    body["userName"] = json!("after");
    body["name"]["givenName"] = json!("Changed");
    let reply = app.put(&format!("/Users/{id}"), &body).await;
    reply.assert_scim_error(400, Some("mutability"));
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("Deprovision")
    );
    assert_eq!(
        app.connect_user("before").unwrap()["IdentityInfo"]["FirstName"],
        "Sam"
    );

    // A change of letter case only is not a rename.
    body["userName"] = json!("BEFORE");
    body["name"]["givenName"] = json!("Sam");
    assert_eq!(app.put(&format!("/Users/{id}"), &body).await.status, 200);
}

#[tokio::test]
async fn the_connect_extension_sets_profiles_routing_hierarchy_and_phone() {
    let app = TestApp::spawn().await;
    let mut body = user("ext.user");
    body["schemas"].as_array_mut().unwrap().push(json!(CONNECT));
    body["entitlements"] = json!(["Admin"]);
    body[CONNECT] = json!({
        "securityProfiles": ["Agent", "QualityAnalyst"],
        "routingProfile": "Basic Routing Profile",
        "hierarchyGroup": "Seattle/Tier1",
        "phoneType": "DESK_PHONE",
        "deskPhoneNumber": "+1 206 555 0100",
        "autoAccept": true,
        "afterContactWorkTimeLimit": 60
    });
    let reply = app.post("/Users", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        app.profile_ids("ext.user"),
        app.profile_ids_named(&["Agent", "QualityAnalyst"])
    );
    let connect = app.connect_user("ext.user").unwrap();
    assert_eq!(
        connect["HierarchyGroupId"].as_str(),
        app.sim.hierarchy_group_id("Seattle/Tier1").as_deref()
    );
    assert_eq!(connect["PhoneConfig"]["PhoneType"], "DESK_PHONE");
    assert_eq!(connect["PhoneConfig"]["DeskPhoneNumber"], "+12065550100");
    assert_eq!(connect["PhoneConfig"]["AutoAccept"], true);
    assert_eq!(connect["PhoneConfig"]["AfterContactWorkTimeLimit"], 60);
    assert_eq!(reply.body[CONNECT]["hierarchyGroup"], "Seattle/Tier1");

    let id = reply.body["id"].as_str().unwrap();
    let moved = app
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": format!("{CONNECT}:hierarchyGroup"), "value": "Dublin/Tier1"}]}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let connect = app.connect_user("ext.user").unwrap();
    assert_eq!(
        connect["HierarchyGroupId"].as_str(),
        app.sim.hierarchy_group_id("Dublin/Tier1").as_deref()
    );
}

#[tokio::test]
async fn adopt_existing_users_takes_over_a_hand_made_agent() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("ADOPT_EXISTING_USERS", "true")],
    )
    .await;
    // An agent made in the Connect console: create it through the service, then strip our tags.
    let made = app.post("/Users", &user("handmade")).await;
    assert_eq!(made.status, 201);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let arn = app.connect_user("handmade").unwrap()["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = connect_scim::connect::aws::simulator_client(&app.sim.url());
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("scim:managed")
        .tag_keys("scim:externalId")
        .tag_keys("scim:email")
        .send()
        .await
        .unwrap();

    let mut body = user("handmade");
    body["name"]["givenName"] = json!("Adopted");
    let reply = app.post("/Users", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["id"], id.as_str());
    let connect = app.connect_user("handmade").unwrap();
    assert_eq!(connect["Tags"]["scim:managed"], "true");
    assert_eq!(connect["IdentityInfo"]["FirstName"], "Adopted");

    // Now managed: a second POST is a duplicate.
    app.post("/Users", &body)
        .await
        .assert_scim_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn the_delete_policy_deletes_the_agent_on_deactivation() {
    let app = TestApp::spawn_with(SimulatorConfig::default(), &[("DEACTIVATION", "delete")]).await;
    let id = app.create_user(&user("temp")).await;
    let reply = app.patch(&format!("/Users/{id}"), &deactivate()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["active"], false);
    assert!(app.connect_user("temp").is_none());
}

#[tokio::test]
async fn if_match_guards_writes_and_if_none_match_saves_a_body() {
    let app = TestApp::spawn().await;
    let created = app.post("/Users", &user("versioned")).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let version = created.body["meta"]["version"].as_str().unwrap().to_owned();
    assert_eq!(created.headers["etag"].to_str().unwrap(), version);
    let got = app.get(&format!("/Users/{id}")).await;
    assert_eq!(
        got.body["meta"]["version"],
        version.as_str(),
        "a write's version equals the next read's"
    );

    let not_modified = app
        .send_raw(
            Method::GET,
            &format!("/Users/{id}"),
            None,
            Some(TOKEN),
            &[("If-None-Match", &version)],
        )
        .await;
    assert_eq!(not_modified.status, 304);

    let mut body = got.body.clone();
    body["name"]["givenName"] = json!("Stale");
    let stale = app
        .send_raw(
            Method::PUT,
            &format!("/Users/{id}"),
            Some(body.to_string()),
            Some(TOKEN),
            &[("If-Match", "W/\"0000000000000000\"")],
        )
        .await;
    stale.assert_scim_error(412, None);
    assert_eq!(
        app.connect_user("versioned").unwrap()["IdentityInfo"]["FirstName"],
        "Sam"
    );
    let fresh = app
        .send_raw(
            Method::PUT,
            &format!("/Users/{id}"),
            Some(body.to_string()),
            Some(TOKEN),
            &[("If-Match", &version)],
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
}

#[tokio::test]
async fn a_request_that_cannot_finish_in_its_deadline_gets_429_and_its_retry_converges() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("REQUEST_DEADLINE_MS", "600")],
    )
    .await;
    // Six concurrent creates against a burst of five and 600 ms: some must wait too long.
    let bodies: Vec<Value> = (0..8).map(|i| user(&format!("rush{i}"))).collect();
    let replies = futures::future::join_all(bodies.iter().map(|b| app.post("/Users", b))).await;
    let throttled: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert!(!throttled.is_empty(), "some requests must be throttled");
    for r in &throttled {
        r.assert_scim_error(429, None);
        let after: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(after >= 1);
    }
    assert!(replies.iter().all(|r| r.status == 201 || r.status == 429));
    assert_eq!(
        app.stats().throttled,
        0,
        "no 429 from Connect reached anyone: the limiter held"
    );

    // Retrying the throttled ones after Retry-After converges.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    for (i, r) in replies.iter().enumerate() {
        if r.status == 429 {
            let again = app.post("/Users", &bodies[i]).await;
            assert_eq!(again.status, 201, "{}", again.body);
            tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        }
    }
    assert_eq!(app.sim.user_count(), 8);
}

#[tokio::test]
async fn meta_created_is_recorded_at_create_and_shown_everywhere_unchanged() {
    let app = TestApp::spawn().await;
    assert_eq!(app.post("/Users", &user("warmup")).await.status, 201);
    app.reset_stats();
    let created = app.post("/Users", &user("created.at")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(app.stats().total, 1, "only CreateUser: {:?}", app.stats());
    let id = created.body["id"].as_str().unwrap().to_owned();
    let when = created.body["meta"]["created"].as_str().unwrap().to_owned();
    assert!(when.ends_with('Z') && when.len() == 20, "{when}");
    assert_eq!(
        app.connect_user("created.at").unwrap()["Tags"]["scim:created"],
        when
    );

    let put = app.put(&format!("/Users/{id}"), &user("created.at")).await;
    let patch = app
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "name.familyName", "value": "Kim"}]}),
        )
        .await;
    let get = app.get(&format!("/Users/{id}")).await;
    let list = app
        .get("/Users?filter=userName%20eq%20%22created.at%22")
        .await;
    for (what, meta) in [
        ("PUT", &put.body["meta"]),
        ("PATCH", &patch.body["meta"]),
        ("GET", &get.body["meta"]),
        ("list", &list.body["Resources"][0]["meta"]),
    ] {
        assert_eq!(meta["created"], when.as_str(), "{what}: {meta}");
    }
    assert_eq!(
        app.connect_user("created.at").unwrap()["Tags"]["scim:created"],
        when
    );
}

#[tokio::test]
async fn a_patch_naming_the_whole_connect_extension_applies_its_members() {
    let app = TestApp::spawn().await;
    let sales = app.sim.add_routing_profile("Sales Routing");
    let id = app.create_user(&user("whole.ext")).await;
    for op in ["add", "Replace"] {
        let reply = app
            .patch(
                &format!("/Users/{id}"),
                &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": op, "path": CONNECT,
                                        "value": {"routingProfile": "Sales Routing", "autoAccept": true}}]}),
            )
            .await;
        assert_eq!(reply.status, 200, "{op}: {}", reply.body);
        assert_eq!(reply.body[CONNECT]["routingProfile"], "Sales Routing");
    }
    let connect = app.connect_user("whole.ext").unwrap();
    assert_eq!(connect["RoutingProfileId"], sales.as_str());
    assert_eq!(connect["PhoneConfig"]["AutoAccept"], true);
}

#[tokio::test]
async fn schemas_publish_what_round_trips_with_the_instance_names_at_no_cost() {
    let app = TestApp::spawn().await;
    assert_eq!(app.post("/Users", &user("warmup")).await.status, 201);
    app.reset_stats();
    let path = "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User";
    assert_eq!(app.get(path).await.status, 200);
    // The instance's identity type, once per process: SAML needs both names;
    // and its hierarchy paths (see hierarchy.rs).
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
    assert_eq!(app.calls("DescribeInstance"), 1);
    assert_eq!(app.calls("SearchUserHierarchyGroups"), 1);
    app.reset_stats();
    let reply = app.get(path).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(app.stats().total, 0, "warm cache: {:?}", app.stats());
    let attrs = reply.body["attributes"].as_array().unwrap();
    let find = |name: &str| attrs.iter().find(|a| a["name"] == name);
    assert!(find("password").is_none() && find("title").is_none());
    let name = find("name").unwrap();
    assert_eq!(name["required"], true, "the simulator's instance uses SAML");
    assert_eq!(find("userName").unwrap()["mutability"], "immutable");
    let values = find("entitlements").unwrap()["subAttributes"][0]["canonicalValues"]
        .as_array()
        .unwrap()
        .clone();
    for name in ["Agent", "CallCenterManager", "QualityAnalyst"] {
        assert!(values.contains(&json!(name)), "{name} in {values:?}");
    }
    // Never granted by SCIM: the no-permission and the protected profiles.
    assert!(!values.contains(&json!("SCIM-Disabled")) && !values.contains(&json!("Admin")));
    let list = app.get("/Schemas").await;
    assert_eq!(list.body["totalResults"], 4);
    let connect = list.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == CONNECT)
        .unwrap();
    let routing = connect["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "routingProfile")
        .unwrap();
    assert_eq!(routing["canonicalValues"], json!(["Basic Routing Profile"]));

    // What is not published is still accepted and ignored on write.
    let mut body = user("ignored.attrs");
    body["title"] = json!("Lead");
    body["locale"] = json!("en-US");
    body["password"] = json!("secret");
    assert_eq!(app.post("/Users", &body).await.status, 201);
}
