//! `DEFAULT_SECURITY_PROFILES` as a fallback: a user given the defaults
//! because nothing named a profile carries `scim:profileSource` = `defaults:`
//! and a fingerprint, and its first real assignment (a PATCH `add`, a group
//! grant) replaces the defaults instead of adding to them. Checked in SCIM
//! answers, Connect's profiles and tags, and Connect calls. (The other
//! sources the tag records are in `profile_source.rs`.)

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
        "name": {"givenName": "New", "familyName": "Hire"},
        "emails": [{"value": username, "type": "work", "primary": true}],
    })
}

/// Whether the user's profiles are recorded as the default fallback.
fn marked(app: &TestApp, username: &str) -> bool {
    app.tag(username, SOURCE)
        .is_some_and(|v| v.starts_with("defaults:"))
}

fn names(reply: &Value) -> Vec<String> {
    let mut names: Vec<String> = reply["entitlements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_patch_add_replaces_the_defaults_of_a_user_created_without_profiles() {
    let app = TestApp::spawn().await;
    app.create_user(&user("warm@example.com")).await;
    app.reset_stats();
    let id = app.create_user(&user("new@example.com")).await;
    assert_eq!(
        app.stats().total,
        1,
        "the mark rides in CreateUser: {:?}",
        app.stats()
    );
    assert!(marked(&app, "new@example.com"));
    assert_eq!(
        app.profile_ids("new@example.com"),
        app.profile_ids_named(&["Agent"])
    );

    let path = format!("/Users/{id}");
    app.reset_stats();
    let added = app
        .patch(&path, &patch(json!([{"op": "add", "path": "entitlements", "value": [{"value": "CallCenterManager"}]}])))
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(names(&added.body), ["CallCenterManager"]);
    assert_eq!(
        app.profile_ids("new@example.com"),
        app.profile_ids_named(&["CallCenterManager"])
    );
    assert!(!marked(&app, "new@example.com"));
    // DescribeUser, UpdateUserSecurityProfiles, TagResource (the source is
    // now entitlements: once per user).
    assert_eq!(app.calls("TagResource"), 1, "{:?}", app.stats());
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
    assert_eq!(names(&app.get(&path).await.body), ["CallCenterManager"]);

    // Assigned now: the next add adds.
    app.reset_stats();
    let again = app
        .patch(&path, &patch(json!([{"op": "add", "path": "entitlements", "value": [{"value": "QualityAnalyst"}]}])))
        .await;
    assert_eq!(names(&again.body), ["CallCenterManager", "QualityAnalyst"]);
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
}

#[tokio::test]
async fn entra_department_and_the_extension_replace_the_defaults_too() {
    let app = TestApp::spawn().await;
    let entra = app.create_user(&user("entra@example.com")).await;
    let reply = app
        .patch(
            &format!("/Users/{entra}"),
            &patch(json!([{"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "QualityAnalyst"}])),
        )
        .await;
    assert_eq!(names(&reply.body), ["QualityAnalyst"]);
    assert!(!marked(&app, "entra@example.com"));

    let ext = app.create_user(&user("ext@example.com")).await;
    let reply = app
        .patch(
            &format!("/Users/{ext}"),
            &patch(json!([{"op": "add", "path": CONNECT, "value": {"securityProfiles": ["CallCenterManager"]}}])),
        )
        .await;
    assert_eq!(names(&reply.body), ["CallCenterManager"]);
    assert_eq!(
        app.profile_ids("ext@example.com"),
        app.profile_ids_named(&["CallCenterManager"])
    );
}

#[tokio::test]
async fn adding_the_default_itself_makes_it_an_assignment() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&user("keep@example.com")).await;
    let path = format!("/Users/{id}");
    app.reset_stats();
    let reply = app
        .patch(
            &path,
            &patch(json!([{"op": "add", "path": "entitlements", "value": [{"value": "Agent"}]}])),
        )
        .await;
    assert_eq!(names(&reply.body), ["Agent"]);
    assert!(!marked(&app, "keep@example.com"));
    assert_eq!((app.calls("TagResource"), app.stats().total), (1, 2));
    let reply = app
        .patch(&path, &patch(json!([{"op": "add", "path": "entitlements", "value": [{"value": "QualityAnalyst"}]}])))
        .await;
    assert_eq!(names(&reply.body), ["Agent", "QualityAnalyst"]);
}

#[tokio::test]
async fn emptying_the_profiles_makes_the_defaults_a_fallback_again() {
    let app = TestApp::spawn().await;
    let mut body = user("back@example.com");
    body["entitlements"] = json!([{"value": "QualityAnalyst"}]);
    let id = app.create_user(&body).await;
    assert!(
        !marked(&app, "back@example.com"),
        "named profiles are no fallback"
    );
    let path = format!("/Users/{id}");
    let emptied = app
        .patch(
            &path,
            &patch(json!([{"op": "remove", "path": "entitlements"}])),
        )
        .await;
    // Removed, so unassigned in SCIM; Connect holds the default fallback.
    assert!(
        emptied.body.get("entitlements").is_none(),
        "{}",
        emptied.body
    );
    let agent = app.profile_ids_named(&["Agent"]);
    assert_eq!(app.profile_ids("back@example.com"), agent);
    assert!(marked(&app, "back@example.com"));
    let added = app
        .patch(&path, &patch(json!([{"op": "add", "path": "entitlements", "value": [{"value": "CallCenterManager"}]}])))
        .await;
    assert_eq!(names(&added.body), ["CallCenterManager"]);

    // A PUT that names profiles sets exactly them, the default's included.
    let emptied = app
        .patch(
            &path,
            &patch(json!([{"op": "remove", "path": "entitlements"}])),
        )
        .await;
    assert!(
        emptied.body.get("entitlements").is_none(),
        "{}",
        emptied.body
    );
    assert_eq!(app.profile_ids("back@example.com"), agent);
    let mut put = user("back@example.com");
    put["entitlements"] = json!([{"value": "Agent"}, {"value": "QualityAnalyst"}]);
    let reply = app.put(&path, &put).await;
    assert_eq!(names(&reply.body), ["Agent", "QualityAnalyst"]);
    assert!(!marked(&app, "back@example.com"));
}

#[tokio::test]
async fn a_group_grant_replaces_the_defaults_and_granting_the_default_group_assigns_it() {
    let app = TestApp::spawn().await;
    let one = app.create_user(&user("one@example.com")).await;
    let two = app.create_user(&user("two@example.com")).await;
    let sales = app.post("/Groups", &json!({"displayName": "Sales"})).await;
    let sales = sales.body["id"].as_str().unwrap().to_owned();
    let agent = app.post("/Groups", &json!({"displayName": "Agent"})).await;
    assert_eq!(agent.status, 201, "{}", agent.body);
    let agent = agent.body["id"].as_str().unwrap().to_owned();
    let grant =
        |id: &str| patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));

    app.reset_stats();
    let reply = app.patch(&format!("/Groups/{sales}"), &grant(&one)).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        app.profile_ids("one@example.com"),
        app.profile_ids_named(&["Sales"])
    );
    assert!(!marked(&app, "one@example.com"));
    // SearchUsers, UpdateUserSecurityProfiles, UntagResource.
    assert_eq!(app.calls("UntagResource"), 1, "{:?}", app.stats());
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());

    // The Agent group for a user holding Agent as the fallback: it stays, assigned.
    app.reset_stats();
    app.patch(&format!("/Groups/{agent}"), &grant(&two)).await;
    assert_eq!(
        app.profile_ids("two@example.com"),
        app.profile_ids_named(&["Agent"])
    );
    assert!(!marked(&app, "two@example.com"));
    assert_eq!(
        (
            app.calls("UntagResource"),
            app.calls("UpdateUserSecurityProfiles")
        ),
        (1, 0)
    );
    app.patch(&format!("/Groups/{sales}"), &grant(&two)).await;
    assert_eq!(
        app.profile_ids("two@example.com"),
        app.profile_ids_named(&["Agent", "Sales"])
    );
}

#[tokio::test]
async fn deactivation_and_reactivation_keep_the_defaults_a_fallback() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&user("off@example.com")).await;
    let path = format!("/Users/{id}");
    let set_active = |active: bool| patch(json!([{"op": "replace", "value": {"active": active}}]));
    assert_eq!(app.patch(&path, &set_active(false)).await.status, 200);
    assert!(
        marked(&app, "off@example.com"),
        "deactivated, still a fallback"
    );
    assert_eq!(names(&app.get(&path).await.body), ["Agent"]);
    assert_eq!(app.patch(&path, &set_active(true)).await.status, 200);
    assert_eq!(
        app.profile_ids("off@example.com"),
        app.profile_ids_named(&["Agent"])
    );
    assert!(
        marked(&app, "off@example.com"),
        "reactivated, still a fallback"
    );
    let added = app
        .patch(&path, &patch(json!([{"op": "add", "path": "entitlements", "value": [{"value": "QualityAnalyst"}]}])))
        .await;
    assert_eq!(names(&added.body), ["QualityAnalyst"]);

    // A group grant while deactivated replaces what reactivation restores.
    let other = app.create_user(&user("away@example.com")).await;
    let other_path = format!("/Users/{other}");
    app.patch(&other_path, &set_active(false)).await;
    let sales = app.post("/Groups", &json!({"displayName": "Sales"})).await;
    let sales = sales.body["id"].as_str().unwrap().to_owned();
    app.patch(
        &format!("/Groups/{sales}"),
        &patch(json!([{"op": "add", "path": "members", "value": [{"value": other}]}])),
    )
    .await;
    assert!(!marked(&app, "away@example.com"));
    app.patch(&other_path, &set_active(true)).await;
    assert_eq!(
        app.profile_ids("away@example.com"),
        app.profile_ids_named(&["Sales"])
    );
}

#[tokio::test]
async fn users_without_the_mark_or_changed_in_the_console_keep_adding() {
    let app = TestApp::spawn().await;
    let add_qa = patch(
        json!([{"op": "add", "path": "entitlements", "value": [{"value": "QualityAnalyst"}]}]),
    );

    // A user created before the mark existed.
    let old = app.create_user(&user("old@example.com")).await;
    let arn = app.connect_user("old@example.com").unwrap()["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    app.console()
        .untag_resource(&arn, &[SOURCE.to_owned()])
        .await
        .unwrap();
    let reply = app.patch(&format!("/Users/{old}"), &add_qa).await;
    assert_eq!(names(&reply.body), ["Agent", "QualityAnalyst"]);

    // Profiles an administrator changed in the console void the mark.
    let edited = app.create_user(&user("edited@example.com")).await;
    let ids = app.profile_ids_named(&["Agent", "CallCenterManager"]);
    app.console()
        .update_user_security_profiles(&edited, &ids)
        .await
        .unwrap();
    let reply = app.patch(&format!("/Users/{edited}"), &add_qa).await;
    assert_eq!(
        names(&reply.body),
        ["Agent", "CallCenterManager", "QualityAnalyst"]
    );
}

#[tokio::test]
async fn with_profile_source_groups_a_group_grant_replaces_the_defaults() {
    let app =
        TestApp::spawn_with(SimulatorConfig::default(), &[("PROFILE_SOURCE", "groups")]).await;
    let mut body = user("grouped@example.com");
    body["entitlements"] = json!([{"value": "CallCenterManager"}]);
    let id = app.create_user(&body).await;
    assert!(
        marked(&app, "grouped@example.com"),
        "entitlements decide nothing here"
    );
    let created = app
        .post(
            "/Groups",
            &json!({"displayName": "Sales", "members": [{"value": id}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        app.profile_ids("grouped@example.com"),
        app.profile_ids_named(&["Sales"])
    );
    assert!(!marked(&app, "grouped@example.com"));
}

#[tokio::test]
async fn a_mapping_rule_that_decides_profiles_is_an_assignment_and_replaces_the_fallback() {
    let rules = json!({
        "rules": [{"when": {"attribute": format!("{ENTERPRISE}:department"), "equals": "Care"},
                   "securityProfiles": ["QualityAnalyst"]}],
        "otherwise": "keep"
    });
    let path = std::env::temp_dir().join(format!(
        "connect-scim-mapping-fallback-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, rules.to_string()).unwrap();
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("MAPPING_FILE", path.to_str().unwrap())],
    )
    .await;
    let mut care = user("care@example.com");
    care[ENTERPRISE] = json!({"department": "Care"});
    app.create_user(&care).await;
    assert!(
        !marked(&app, "care@example.com"),
        "a rule decided: no fallback"
    );

    // No rule matches: the defaults, as a fallback the rule then replaces.
    let id = app.create_user(&user("later@example.com")).await;
    assert!(marked(&app, "later@example.com"));
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &patch(
                json!([{"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Care"}]),
            ),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(names(&reply.body), ["QualityAnalyst"]);
    assert!(!marked(&app, "later@example.com"));
    std::fs::remove_file(&path).ok();
}
