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

fn with_password(username: &str, password: Option<&str>) -> Value {
    let mut user = without_family_name(username);
    user["name"]["familyName"] = json!("Haddad");
    if let Some(p) = password {
        user["password"] = json!(p);
    }
    user
}

#[tokio::test]
async fn a_connect_managed_instance_gets_the_password_and_refuses_a_user_without_one() {
    let app = TestApp::spawn().await;
    app.sim.set_identity_management_type("CONNECT_MANAGED");

    // Not yet known to the process: CreateUser refuses the user, one
    // DescribeInstance says why, and the answer names `password`.
    let reply = app.post("/Users", &with_password("nopass", None)).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("password is required"), "{detail}");
    assert!(detail.contains("CONNECT_MANAGED"), "{detail}");
    assert_eq!(app.calls("DescribeInstance"), 1, "{:?}", app.stats());
    assert!(app.connect_user("nopass").is_none());

    // Known now: refused before any call.
    app.reset_stats();
    let again = app.post("/Users", &with_password("nopass", None)).await;
    again.assert_scim_error(400, Some("invalidValue"));
    assert_eq!(app.stats().total, 0, "{:?}", app.stats());

    // A password Connect's rule refuses is a 400 that does not echo it.
    let weak = app
        .post("/Users", &with_password("weak", Some("alllowercase1")))
        .await;
    weak.assert_scim_error(400, Some("invalidValue"));
    let detail = weak.body["detail"].as_str().unwrap();
    assert!(detail.contains("uppercase"), "{detail}");
    assert!(!detail.contains("alllowercase1"), "{detail}");
    assert_eq!(app.stats().total, 0, "{:?}", app.stats());

    // A good one reaches CreateUser, in its one call, and is never shown.
    let created = app
        .post(
            "/Users",
            &with_password("withpass", Some("Str0ngPassw0rd!")),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body.get("password").is_none(), "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(app.sim.user_password_set(id), Some(true));
    assert_eq!(app.calls("CreateUser"), 1, "{:?}", app.stats());
    let got = app.get(&format!("/Users/{id}")).await;
    assert!(got.body.get("password").is_none(), "{}", got.body);

    // /Schemas says so: `password` published as required, write-only.
    let schema = app
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    let password = schema.body["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "password")
        .cloned()
        .expect("password is published on a CONNECT_MANAGED instance");
    assert_eq!(password["required"], true, "{password}");
    assert_eq!(password["mutability"], "writeOnly", "{password}");

    // Connect has no API to change it: a later one changes nothing else.
    let put = app
        .put(
            &format!("/Users/{id}"),
            &with_password("withpass", Some("An0therPassw0rd")),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
}

#[tokio::test]
async fn a_saml_instance_takes_no_password_and_a_given_one_is_ignored() {
    let app = TestApp::spawn().await;
    let created = app
        .post("/Users", &with_password("saml", Some("Str0ngPassw0rd!")))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(app.sim.user_password_set(id), Some(false));
    // The type is learnt once, only because a password was given.
    assert_eq!(app.calls("DescribeInstance"), 1, "{:?}", app.stats());
    app.reset_stats();
    app.create_user(&with_password("saml2", Some("Str0ngPassw0rd!")))
        .await;
    assert_eq!(app.stats().total, 1, "{:?}", app.stats());
    let schema = app
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    assert!(
        !schema.body["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "password"),
        "a SAML instance takes no password: not published"
    );
}

#[tokio::test]
async fn the_simulator_holds_create_user_s_password_to_the_instance_type_as_connect_does() {
    let app = TestApp::spawn().await;
    let client = simulator_client(&app.sim.url());
    let create = |username: &str, password: Option<&str>| {
        client
            .create_user()
            .instance_id(app.sim.instance_id())
            .username(username)
            .identity_info(
                aws_sdk_connect::types::UserIdentityInfo::builder()
                    .first_name("Direct")
                    .last_name("Caller")
                    .build(),
            )
            .phone_config(
                aws_sdk_connect::types::UserPhoneConfig::builder()
                    .phone_type(aws_sdk_connect::types::PhoneType::SoftPhone)
                    .build(),
            )
            .security_profile_ids(app.sim.security_profile_id("Agent").unwrap())
            .routing_profile_id(app.sim.routing_profile_id("Basic Routing Profile").unwrap())
            .set_password(password.map(str::to_owned))
            .send()
    };
    let text = |e: &dyn std::error::Error| format!("{e:?}");
    let refused = create("saml", Some("Str0ngPassw0rd!"))
        .await
        .expect_err("a SAML instance takes no password");
    assert!(text(&refused).contains("SAML"), "{}", text(&refused));

    app.sim.set_identity_management_type("CONNECT_MANAGED");
    let missing = create("managed", None)
        .await
        .expect_err("a CONNECT_MANAGED instance needs one");
    assert!(
        text(&missing).contains("Password is required"),
        "{}",
        text(&missing)
    );
    let weak = create("managed", Some("short1A"))
        .await
        .expect_err("shorter than 8");
    assert!(text(&weak).contains("pattern"), "{}", text(&weak));
    create("managed", Some("Str0ngPassw0rd!"))
        .await
        .expect("a password that meets the rule");
}

#[tokio::test]
async fn at_rust_log_trace_a_connect_managed_password_is_in_no_log_line() {
    use crate::fleet::{Service, TOKEN};

    const PASSWORD: &str = "Never-Logged-Pa55w0rd";
    let sim = crate::helpers::spawn_simulator(Default::default()).await;
    sim.set_identity_management_type("CONNECT_MANAGED");
    let (service, lines) = Service::start_logged(&sim, &[("RUST_LOG", "trace")]).await;
    let created = reqwest::Client::new()
        .post(format!("{}/Users", service.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .body(with_password("managed", Some(PASSWORD)).to_string())
        .send()
        .await
        .unwrap();
    let status = created.status();
    let body = created.json::<Value>().await.unwrap();
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(sim.user_password_set(&id), Some(true));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(service);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let lines = lines.lock().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("TRACE") || l.contains("DEBUG"))
    );
    if let Some(line) = lines.iter().find(|l| l.contains(PASSWORD)) {
        panic!("a log line shows the password: {line}");
    }
}
