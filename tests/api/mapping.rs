//! Mapping rules (`MAPPING_FILE`): Entra's department PATCH replayed with
//! rules (profiles, routing, hierarchy and proficiencies change as they say)
//! and without (the department names security profiles, as before).

use std::path::PathBuf;

use connect_scim::config::Config;
use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::TestApp;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn mapping_file(name: &str, body: &Value) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "connect-scim-mapping-{name}-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, body.to_string()).unwrap();
    path
}

fn rules() -> Value {
    json!({
        "rules": [
            {"when": {"attribute": format!("{ENTERPRISE}:department"), "equals": "retail"},
             "securityProfiles": ["Agent"], "routingProfile": "Retail Routing",
             "hierarchyGroup": "Seattle/Tier1",
             "proficiencies": [{"attribute": "Language", "value": "English", "level": 4}]},
            {"when": {"attribute": "title", "equals": "Lead"},
             "securityProfiles": ["CallCenterManager"],
             "proficiencies": "Skill:Billing=3"}
        ],
        "otherwise": "keep"
    })
}

fn entra_user(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": username,
        "active": true,
        "title": "Lead",
        "name": {"givenName": "Megan", "familyName": "Bowen"},
        "emails": [{"primary": true, "type": "work", "value": username}],
        ENTERPRISE: {"department": "Agent"}
    })
}

fn department(value: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": value}]})
}

/// Entra's department `Add` with the title it sends in the same PATCH (Connect
/// keeps no title, so a PATCH's rules see it only when the PATCH carries it).
fn department_and_title(value: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": value},
                          {"op": "Replace", "path": "title", "value": "Lead"}]})
}

async fn with_rules(name: &str, body: &Value) -> TestApp {
    let path = mapping_file(name, body);
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("MAPPING_FILE", path.to_str().unwrap())],
    )
    .await;
    app.sim.add_routing_profile("Retail Routing");
    app
}

#[tokio::test]
async fn entra_department_patch_applies_the_mapping_rules() {
    let app = with_rules("entra", &rules()).await;
    let name = "megan@contoso.com";
    let id = app.create_user(&entra_user(name)).await;
    // title Lead matched at create: CallCenterManager and Skill:Billing.
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["CallCenterManager"])
    );

    let reply = app
        .patch(&format!("/Users/{id}"), &department_and_title("Retail"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let connect = app.connect_user(name).unwrap();
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["Agent", "CallCenterManager"]),
        "both matching rules' profiles"
    );
    assert_eq!(
        connect["RoutingProfileId"],
        app.sim.routing_profile_id("Retail Routing").unwrap()
    );
    assert_eq!(
        connect["HierarchyGroupId"],
        app.sim.hierarchy_group_id("Seattle/Tier1").unwrap()
    );
    let mut held = app.sim.user_proficiencies(&id);
    held.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        held,
        vec![
            ("Language".into(), "English".into(), 4.0),
            ("Skill".into(), "Billing".into(), 3.0)
        ]
    );
}

#[tokio::test]
async fn without_a_mapping_file_the_department_names_security_profiles() {
    let app = TestApp::spawn().await;
    let name = "adele@contoso.com";
    let id = app.create_user(&entra_user(name)).await;
    let reply = app
        .patch(&format!("/Users/{id}"), &department("QualityAnalyst"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["QualityAnalyst"])
    );
    assert!(app.sim.user_proficiencies(&id).is_empty());
}

#[tokio::test]
async fn conflicting_rules_are_a_400_naming_both() {
    let mut body = rules();
    body["rules"][1]["routingProfile"] = json!("Basic Routing Profile");
    let app = with_rules("conflict", &body).await;
    let name = "lee@contoso.com";
    let id = app.create_user(&entra_user(name)).await;
    let reply = app
        .patch(&format!("/Users/{id}"), &department_and_title("Retail"))
        .await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("rule 1") && detail.contains("rule 2") && detail.contains("routingProfile"),
        "{detail}"
    );
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["CallCenterManager"]),
        "nothing applied"
    );
}

#[tokio::test]
async fn otherwise_reject_names_the_value_no_rule_matched() {
    let mut body = rules();
    body["otherwise"] = json!("reject");
    let app = with_rules("reject", &body).await;
    let mut user = entra_user("kai@contoso.com");
    user["title"] = json!("Clerk");
    user[ENTERPRISE]["department"] = json!("Wholesale");
    let reply = app.post("/Users", &user).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("'Wholesale'"), "{detail}");
    assert_eq!(app.calls("CreateUser"), 0);
}

#[test]
fn an_invalid_mapping_file_is_refused_at_start_naming_the_rule() {
    let mut body = rules();
    body["rules"][1]["proficiencies"] = json!("Skill:Billing=9");
    let path = mapping_file("invalid", &body);
    let path = path.to_str().unwrap().to_owned();
    let error = Config::from_lookup(|k| match k {
        "SCIM_BEARER_TOKEN" => Some(crate::app::TOKEN.to_owned()),
        "MAPPING_FILE" => Some(path.clone()),
        _ => None,
    })
    .expect_err("refused");
    let text = error.to_string();
    assert!(text.starts_with("MAPPING_FILE"), "{text}");
    assert!(text.contains("rule 2"), "{text}");
    assert!(text.contains("between 1.0 and 5.0"), "{text}");
}
