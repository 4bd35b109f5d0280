//! `entitlements`, the enterprise `department` and the Connect extension's
//! `securityProfiles` are alternative sources of a user's security profiles,
//! and `scim:profileSource` records which one decided them: a PATCH `add` to
//! another one starts over (the user gets exactly what it added), an `add` to
//! the recorded one adds. The tag changes only when the source does. Checked
//! in SCIM answers, Connect's profiles and tags, and Connect calls.

use connect_scim::connect::Connect;
use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::{TestApp, patch};

const SOURCE: &str = "scim:profileSource";
const CONNECT: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Pat", "familyName": "Source"},
        "emails": [{"value": username, "type": "work", "primary": true}],
    })
}

fn add(path: &str, value: Value) -> Value {
    patch(json!([{"op": "add", "path": path, "value": value}]))
}

fn department() -> String {
    format!("{ENTERPRISE}:department")
}

fn security_profiles() -> String {
    format!("{CONNECT}:securityProfiles")
}

/// The profile names a SCIM answer shows, sorted, after asserting that its
/// three profile attributes show the same ones.
fn shown(reply: &Value) -> Vec<String> {
    let mut entitlements: Vec<String> = reply["entitlements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_owned())
        .collect();
    entitlements.sort();
    let mut department: Vec<String> = reply[ENTERPRISE]["department"]
        .as_str()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    department.sort();
    let mut extension: Vec<String> = reply[CONNECT]["securityProfiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    extension.sort();
    assert_eq!(entitlements, department, "{reply}");
    assert_eq!(entitlements, extension, "{reply}");
    entitlements
}

#[tokio::test]
async fn adding_each_profile_attribute_in_turn_gives_exactly_what_each_added() {
    // scim2-tester's sequence: one user, an `add` to every published
    // attribute in turn, each answer checked against what it added.
    let app = TestApp::spawn().await;
    app.create_user(&user("warm@example.com")).await;
    let id = app.create_user(&user("tester@example.com")).await;
    let path = format!("/Users/{id}");
    let steps = [
        (
            "entitlements".to_owned(),
            json!([{"value": "CallCenterManager"}]),
            "CallCenterManager",
            "entitlements",
        ),
        (
            department(),
            json!("QualityAnalyst"),
            "QualityAnalyst",
            "department",
        ),
        (
            security_profiles(),
            json!(["Agent"]),
            "Agent",
            "securityProfiles",
        ),
    ];
    let (mut records, mut expected) = (Vec::new(), Vec::new());
    for (attribute, value, name, recorded) in steps {
        app.reset_stats();
        let reply = app.patch(&path, &add(&attribute, value)).await;
        assert_eq!(reply.status, 200, "{attribute}: {}", reply.body);
        assert_eq!(shown(&reply.body), [name], "{attribute}");
        assert_eq!(
            app.profile_ids("tester@example.com"),
            app.profile_ids_named(&[name]),
            "{attribute}"
        );
        // DescribeUser, UpdateUserSecurityProfiles, TagResource (the source).
        records.push((
            app.tag("tester@example.com", SOURCE),
            (app.calls("TagResource"), app.stats().total),
        ));
        expected.push((Some(recorded.to_owned()), (1, 3)));
        assert_eq!(shown(&app.get(&path).await.body), [name], "{attribute}");
    }
    // Checked once all three are done, so that what each answer shows
    // fails first.
    assert_eq!(records, expected);
}

#[tokio::test]
async fn an_add_to_the_attribute_that_decided_adds_and_writes_no_tag() {
    let app = TestApp::spawn().await;
    app.create_user(&user("warm@example.com")).await;
    for (username, attribute, first, more) in [
        (
            "okta@example.com",
            "entitlements".to_owned(),
            json!([{"value": "Agent"}]),
            json!([{"value": "QualityAnalyst"}]),
        ),
        (
            "ext@example.com",
            security_profiles(),
            json!(["Agent"]),
            json!(["QualityAnalyst"]),
        ),
    ] {
        let mut body = user(username);
        match attribute.as_str() {
            "entitlements" => body["entitlements"] = first,
            _ => body[CONNECT] = json!({"securityProfiles": first}),
        }
        app.reset_stats();
        let id = app.create_user(&body).await;
        assert_eq!(app.stats().total, 1, "the source rides in CreateUser");
        let recorded = app.tag(username, SOURCE);
        assert!(
            recorded.as_deref().is_some_and(|r| attribute.ends_with(r)),
            "{recorded:?}"
        );

        app.reset_stats();
        let reply = app
            .patch(&format!("/Users/{id}"), &add(&attribute, more))
            .await;
        assert_eq!(shown(&reply.body), ["Agent", "QualityAnalyst"]);
        assert_eq!(
            app.profile_ids(username),
            app.profile_ids_named(&["Agent", "QualityAnalyst"])
        );
        // DescribeUser, UpdateUserSecurityProfiles.
        assert_eq!(app.stats().total, 2, "{attribute}: {:?}", app.stats());
        assert_eq!(app.tag(username, SOURCE), recorded);
    }
}

#[tokio::test]
async fn a_replace_records_the_attribute_it_decided_with_in_the_requests_own_tag_write() {
    let app = TestApp::spawn().await;
    let mut body = user("switch@example.com");
    body["entitlements"] = json!([{"value": "Agent"}]);
    let id = app.create_user(&body).await;
    let path = format!("/Users/{id}");

    app.reset_stats();
    let reply = app
        .patch(
            &path,
            &patch(json!([{"op": "Replace", "path": department(), "value": "QualityAnalyst"}])),
        )
        .await;
    assert_eq!(shown(&reply.body), ["QualityAnalyst"]);
    assert_eq!(
        app.tag("switch@example.com", SOURCE).as_deref(),
        Some("department")
    );
    // DescribeUser, UpdateUserSecurityProfiles, TagResource.
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());

    // The same source again: no tag.
    app.reset_stats();
    let reply = app
        .patch(
            &path,
            &patch(json!([{"op": "Replace", "path": department(), "value": "CallCenterManager"}])),
        )
        .await;
    assert_eq!(shown(&reply.body), ["CallCenterManager"]);
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());

    // A switch in a request that writes a tag anyway: one TagResource for both.
    app.reset_stats();
    let reply = app
        .patch(
            &path,
            &patch(json!([
                {"op": "replace", "path": "entitlements", "value": [{"value": "Agent"}]},
                {"op": "replace", "path": "externalId", "value": "00u-switch"}
            ])),
        )
        .await;
    assert_eq!(shown(&reply.body), ["Agent"]);
    let tags = &app.connect_user("switch@example.com").unwrap()["Tags"];
    assert_eq!(
        (&tags[SOURCE], &tags["scim:externalId"]),
        (&json!("entitlements"), &json!("00u-switch"))
    );
    // DescribeUser, TagResource, UpdateUserSecurityProfiles.
    assert_eq!(
        (app.calls("TagResource"), app.stats().total),
        (1, 3),
        "{:?}",
        app.stats()
    );

    // And an `add` to another attribute now starts over.
    let reply = app
        .patch(&path, &add(&security_profiles(), json!(["QualityAnalyst"])))
        .await;
    assert_eq!(shown(&reply.body), ["QualityAnalyst"]);
}

#[tokio::test]
async fn a_user_without_the_record_adds_as_before_and_then_records_its_source() {
    let app = TestApp::spawn().await;
    let mut body = user("old@example.com");
    body["entitlements"] = json!([{"value": "Agent"}]);
    let id = app.create_user(&body).await;
    let arn = app.connect_user("old@example.com").unwrap()["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    // As created before the tag existed.
    app.console()
        .untag_resource(&arn, &[SOURCE.to_owned()])
        .await
        .unwrap();

    app.reset_stats();
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &add(&security_profiles(), json!(["QualityAnalyst"])),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(shown(&reply.body), ["Agent", "QualityAnalyst"]);
    assert_eq!(
        app.profile_ids("old@example.com"),
        app.profile_ids_named(&["Agent", "QualityAnalyst"])
    );
    // DescribeUser, UpdateUserSecurityProfiles, TagResource: the attribute
    // that decided is recorded, once.
    assert_eq!(
        app.tag("old@example.com", SOURCE).as_deref(),
        Some("securityProfiles")
    );
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
}

#[tokio::test]
async fn okta_and_entra_write_no_source_tag_after_create() {
    let app = TestApp::spawn().await;
    app.create_user(&user("warm@example.com")).await;

    // Okta: entitlements on create, then profile pushes (PUT) and a deactivation.
    let mut okta = user("okta@example.com");
    okta["externalId"] = json!("00u1okta");
    okta["entitlements"] = json!([{"value": "Agent"}]);
    app.reset_stats();
    let id = app.create_user(&okta).await;
    assert_eq!(app.stats().total, 1);
    assert_eq!(
        app.tag("okta@example.com", SOURCE).as_deref(),
        Some("entitlements")
    );
    let path = format!("/Users/{id}");
    for entitlements in [
        json!([{"value": "Agent"}, {"value": "QualityAnalyst"}]),
        json!([{"value": "CallCenterManager"}]),
    ] {
        let mut current = app.get(&path).await.body;
        current["entitlements"] = entitlements;
        app.reset_stats();
        let pushed = app.put(&path, &current).await;
        assert_eq!(pushed.status, 200, "{}", pushed.body);
        // DescribeUser, UpdateUserSecurityProfiles.
        assert_eq!(app.stats().total, 2, "{:?}", app.stats());
    }
    for active in [false, true] {
        let reply = app
            .patch(
                &path,
                &patch(json!([{"op": "replace", "path": "active", "value": active}])),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    assert_eq!(
        app.profile_ids("okta@example.com"),
        app.profile_ids_named(&["CallCenterManager"])
    );
    assert_eq!(
        app.tag("okta@example.com", SOURCE).as_deref(),
        Some("entitlements")
    );

    // Entra: department on create, then `Replace` and `Add` of department.
    let mut entra = user("entra@example.com");
    entra[ENTERPRISE] = json!({"department": "Agent"});
    app.reset_stats();
    let id = app.create_user(&entra).await;
    assert_eq!(app.stats().total, 1);
    assert_eq!(
        app.tag("entra@example.com", SOURCE).as_deref(),
        Some("department")
    );
    for (op, value, names) in [
        (
            "Replace",
            "Agent,QualityAnalyst",
            &["Agent", "QualityAnalyst"][..],
        ),
        ("Add", "CallCenterManager", &["CallCenterManager"][..]),
    ] {
        app.reset_stats();
        let reply = app
            .patch(
                &format!("/Users/{id}"),
                &patch(json!([{"op": op, "path": department(), "value": value}])),
            )
            .await;
        assert_eq!(shown(&reply.body), names, "{op}");
        // DescribeUser, UpdateUserSecurityProfiles.
        assert_eq!(app.stats().total, 2, "{op}: {:?}", app.stats());
    }
    assert_eq!(
        app.tag("entra@example.com", SOURCE).as_deref(),
        Some("department")
    );
}

#[tokio::test]
async fn a_group_removal_that_leaves_no_profile_records_the_defaults_as_the_fallback() {
    for digest in [false, true] {
        let env: &[(&str, &str)] = if digest {
            &[("DRIFT_DIGEST", "true")]
        } else {
            &[]
        };
        let app = TestApp::spawn_with(SimulatorConfig::default(), env).await;
        let sales = app.post("/Groups", &json!({"displayName": "Sales"})).await;
        assert_eq!(sales.status, 201, "{}", sales.body);
        let sales = format!("/Groups/{}", sales.body["id"].as_str().unwrap());
        let mut body = user("last@example.com");
        body["entitlements"] = json!([{"value": "Sales"}]);
        let id = app.create_user(&body).await;
        assert_eq!(
            app.tag("last@example.com", SOURCE).as_deref(),
            Some("entitlements")
        );

        app.reset_stats();
        let removed = app
            .patch(
                &sales,
                &patch(json!([{"op": "remove", "path": "members", "value": [{"value": id}]}])),
            )
            .await;
        assert_eq!(removed.status, 204, "{}", removed.body);
        assert_eq!(
            app.profile_ids("last@example.com"),
            app.profile_ids_named(&["Agent"])
        );
        assert!(
            app.tag("last@example.com", SOURCE)
                .is_some_and(|s| s.starts_with("defaults:")),
            "digest {digest}"
        );
        // SearchUsers, UpdateUserSecurityProfiles, TagResource (the record,
        // and the drift digest when on: one call for both).
        assert_eq!(
            (
                app.calls("UpdateUserSecurityProfiles"),
                app.calls("TagResource"),
                app.stats().total
            ),
            (1, 1, 3),
            "digest {digest}: {:?}",
            app.stats()
        );
        if digest {
            assert!(
                app.connect_user("last@example.com").unwrap()["Tags"]["scim:digest"].is_string()
            );
        }

        // A fallback, so an `add` replaces it.
        let reply = app
            .patch(
                &format!("/Users/{id}"),
                &add("entitlements", json!([{"value": "QualityAnalyst"}])),
            )
            .await;
        assert_eq!(shown(&reply.body), ["QualityAnalyst"], "digest {digest}");
    }
}

#[tokio::test]
async fn a_group_removal_of_a_deactivated_users_last_profile_records_the_defaults_in_the_same_write()
 {
    let app = TestApp::spawn().await;
    let sales = app.post("/Groups", &json!({"displayName": "Sales"})).await;
    let sales = format!("/Groups/{}", sales.body["id"].as_str().unwrap());
    let mut body = user("away@example.com");
    body["entitlements"] = json!([{"value": "Sales"}]);
    let id = app.create_user(&body).await;
    let path = format!("/Users/{id}");
    let set_active = |active: bool| patch(json!([{"op": "replace", "value": {"active": active}}]));
    assert_eq!(app.patch(&path, &set_active(false)).await.status, 200);

    app.reset_stats();
    let removed = app
        .patch(
            &sales,
            &patch(json!([{"op": "remove", "path": "members", "value": [{"value": id}]}])),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert!(
        app.tag("away@example.com", SOURCE)
            .is_some_and(|s| s.starts_with("defaults:"))
    );
    // The restore record and the source in one TagResource, as before.
    assert_eq!(
        (app.calls("TagResource"), app.calls("UntagResource")),
        (1, 0),
        "{:?}",
        app.stats()
    );

    assert_eq!(app.patch(&path, &set_active(true)).await.status, 200);
    assert_eq!(
        app.profile_ids("away@example.com"),
        app.profile_ids_named(&["Agent"])
    );
    let reply = app
        .patch(
            &path,
            &add("entitlements", json!([{"value": "QualityAnalyst"}])),
        )
        .await;
    assert_eq!(shown(&reply.body), ["QualityAnalyst"]);
}

#[tokio::test]
async fn a_mapping_rules_decision_is_recorded_and_an_add_to_an_attribute_starts_over() {
    let rules = json!({
        "rules": [{"when": {"attribute": "title", "equals": "Supervisor"},
                   "securityProfiles": ["CallCenterManager"]}],
        "otherwise": "keep"
    });
    let file = std::env::temp_dir().join(format!(
        "connect-scim-mapping-source-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, rules.to_string()).unwrap();
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("MAPPING_FILE", file.to_str().unwrap())],
    )
    .await;
    let mut body = user("lead@example.com");
    body["title"] = json!("Supervisor");
    let id = app.create_user(&body).await;
    assert_eq!(
        app.tag("lead@example.com", SOURCE).as_deref(),
        Some("rules")
    );

    app.reset_stats();
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &add(&security_profiles(), json!(["QualityAnalyst"])),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(shown(&reply.body), ["QualityAnalyst"]);
    assert_eq!(
        app.tag("lead@example.com", SOURCE).as_deref(),
        Some("securityProfiles")
    );
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
    std::fs::remove_file(&file).ok();
}

#[tokio::test]
async fn a_user_removed_from_the_default_group_it_alone_holds_keeps_it_as_the_fallback() {
    let app = TestApp::spawn().await;
    let agent = app.post("/Groups", &json!({"displayName": "Agent"})).await;
    assert_eq!(agent.status, 201, "{}", agent.body);
    let agent = format!("/Groups/{}", agent.body["id"].as_str().unwrap());
    let mut body = user("only@example.com");
    body["entitlements"] = json!([{"value": "Agent"}]);
    let id = app.create_user(&body).await;

    app.reset_stats();
    let removed = app
        .patch(
            &agent,
            &patch(json!([{"op": "remove", "path": "members", "value": [{"value": id}]}])),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(
        app.profile_ids("only@example.com"),
        app.profile_ids_named(&["Agent"]),
        "Connect needs one profile: the default stays"
    );
    assert!(
        app.tag("only@example.com", SOURCE)
            .is_some_and(|s| s.starts_with("defaults:"))
    );
    // SearchUsers, TagResource: the profiles need no write.
    assert_eq!(
        (app.calls("TagResource"), app.stats().total),
        (1, 2),
        "{:?}",
        app.stats()
    );
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &add("entitlements", json!([{"value": "QualityAnalyst"}])),
        )
        .await;
    assert_eq!(shown(&reply.body), ["QualityAnalyst"]);
}
