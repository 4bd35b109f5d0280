//! `connect-scim drift` as an operator runs it (the binary, against the
//! simulator through the standard AWS chain), after SCIM provisioned users and
//! someone changed Connect "in the console": plain Connect API calls that
//! carry none of SCIM's tags.

use std::process::Output;
use std::time::Duration;

use connect_scim::connect::simulator::SimulatorConfig;
use connect_scim::connect::{Connect, NewUser, PhoneConfig, Tags};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::app::TestApp;

async fn drift(app: &TestApp) -> (Output, Value) {
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        Command::new(env!("CARGO_BIN_EXE_connect-scim"))
            .args(["drift", "--json"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL_CONNECT", app.sim.url())
            .env("CONNECT_INSTANCE_ID", app.sim.instance_id())
            .env("AWS_ACCESS_KEY_ID", "AKIDDRIFTTEST")
            .env("AWS_SECRET_ACCESS_KEY", "drift-test-secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("RUST_LOG", "warn")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("drift finishes")
    .expect("the binary runs");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, report)
}

fn user(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Sam", "familyName": "Lee"},
        "externalId": format!("ext-{username}"),
    })
}

#[tokio::test]
async fn drift_is_clean_after_provisioning_and_names_what_changed_behind_scims_back() {
    let app = TestApp::spawn_with(SimulatorConfig::default(), &[("DRIFT_DIGEST", "true")]).await;
    let ana = app.create_user(&user("ana@example.com")).await;
    let bo = app.create_user(&user("bo@example.com")).await;
    let night = app
        .post(
            "/Groups",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Night"}),
        )
        .await;
    let night = night.body["id"].as_str().expect("a group id").to_owned();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "add", "path": "members", "value": [{"value": bo}]}]});
    assert_eq!(
        app.patch(&format!("/Groups/{night}"), &add).await.status,
        204
    );
    let day = app
        .post(
            "/Groups",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Day"}),
        )
        .await;
    let day = day.body["id"].as_str().expect("a group id").to_owned();
    let add_ana = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                         "Operations": [{"op": "add", "path": "members", "value": [{"value": ana}]}]});
    assert_eq!(
        app.patch(&format!("/Groups/{day}"), &add_ana).await.status,
        204
    );
    let off = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "replace", "value": {"active": false}}]});
    assert_eq!(app.patch(&format!("/Users/{bo}"), &off).await.status, 200);

    let (output, report) = drift(&app).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(report["users_scanned"], 2);
    assert!(
        report["changed"].as_array().is_some_and(Vec::is_empty),
        "{report}"
    );

    let console = app.console();
    let admin = app.sim.security_profile_id("Admin").expect("Admin");
    console
        .update_user_security_profiles(&ana, &[admin])
        .await
        .expect("the console grants Admin");
    console
        .create_user(&NewUser {
            username: "breakglass".into(),
            identity: connect_scim::connect::IdentityInfo {
                first_name: Some("Console".into()),
                last_name: Some("User".into()),
                ..Default::default()
            },
            phone: PhoneConfig::default(),
            security_profile_ids: vec![app.sim.security_profile_id("Admin").expect("Admin")],
            routing_profile_id: app
                .sim
                .routing_profile_id("Basic Routing Profile")
                .expect("routing"),
            hierarchy_group_id: None,
            tags: Tags::new(),
            password: None,
        })
        .await
        .expect("the console creates a user");
    console
        .delete_security_profile(&night)
        .await
        .expect("the console deletes a profile held only in restore tags");

    let (output, report) = drift(&app).await;
    assert_eq!(output.status.code(), Some(1), "{report}");
    let changed = &report["changed"];
    assert_eq!(changed.as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!(changed[0]["id"], ana.as_str());
    assert_eq!(changed[0]["fields"], json!(["securityProfiles"]));
    assert_eq!(report["unmanaged"][0]["username"], "breakglass");
    assert_eq!(report["missing_profiles"][0]["id"], bo.as_str());
    assert_eq!(report["missing_profiles"][0]["profile_ids"], json!([night]));
    assert!(
        report["connect_calls"].as_u64().is_some_and(|c| c <= 3),
        "{report}"
    );
}
