//! CreateUser's identity rules as Connect enforces them: an instance that
//! uses SAML or Connect itself for identity management needs FirstName and
//! LastName; an existing directory supplies them.

use connect_scim::connect::aws::simulator_client;
use serde_json::{Value, json};

use crate::app::TestApp;

fn without_family_name(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Noor"},
        "emails": [{"value": format!("{username}@example.com"), "primary": true}]
    })
}

#[tokio::test]
async fn a_saml_instance_refuses_a_user_without_a_family_name_before_any_write() {
    let app = TestApp::spawn().await;
    let reply = app.post("/Users", &without_family_name("noor")).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("name.familyName is required"), "{detail}");
    assert!(detail.contains("SAML"), "{detail}");
    assert!(!detail.contains("name.givenName and"), "{detail}");
    assert_eq!(app.calls("CreateUser"), 0);
    assert_eq!(app.calls("DescribeInstance"), 1, "{:?}", app.stats());
    assert!(app.connect_user("noor").is_none());

    app.reset_stats();
    let again = app.post("/Users", &json!({"userName": "nameless"})).await;
    again.assert_scim_error(400, Some("invalidValue"));
    let detail = again.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("name.givenName and name.familyName are required"),
        "{detail}"
    );
    assert_eq!(
        app.stats().total,
        0,
        "the identity type is cached: {:?}",
        app.stats()
    );

    app.reset_stats();
    let mut named = without_family_name("noor");
    named["name"]["familyName"] = json!("Haddad");
    app.create_user(&named).await;
    // A named user needs no DescribeInstance (the profile lists are cold:
    // the refusals above were made before any was read).
    assert_eq!(app.calls("DescribeInstance"), 0, "{:?}", app.stats());
    assert_eq!(app.calls("CreateUser"), 1);
}

#[tokio::test]
async fn a_connect_managed_instance_needs_names_and_an_existing_directory_does_not() {
    let app = TestApp::spawn().await;
    app.sim.set_identity_management_type("CONNECT_MANAGED");
    let reply = app.post("/Users", &without_family_name("lin")).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("Amazon Connect itself"), "{detail}");

    let other = TestApp::spawn().await;
    other.sim.set_identity_management_type("EXISTING_DIRECTORY");
    other.create_user(&without_family_name("lin")).await;
}

#[tokio::test]
async fn the_simulator_refuses_create_user_without_a_last_name_as_connect_does() {
    let app = TestApp::spawn().await;
    let client = simulator_client(&app.sim.url());
    let error = client
        .create_user()
        .instance_id(app.sim.instance_id())
        .username("direct")
        .identity_info(
            aws_sdk_connect::types::UserIdentityInfo::builder()
                .first_name("Direct")
                .build(),
        )
        .phone_config(
            aws_sdk_connect::types::UserPhoneConfig::builder()
                .phone_type(aws_sdk_connect::types::PhoneType::SoftPhone)
                .build(),
        )
        .security_profile_ids(app.sim.security_profile_id("Agent").unwrap())
        .routing_profile_id(app.sim.routing_profile_id("Basic Routing Profile").unwrap())
        .send()
        .await
        .expect_err("LastName is required on a SAML instance");
    let text = format!("{}", aws_sdk_connect::error::DisplayErrorContext(&error));
    assert!(text.contains("InvalidParameterException"), "{text}");
    assert!(text.contains("IdentityInfo.LastName is required"), "{text}");
}
