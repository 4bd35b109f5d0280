//! Mobile numbers as identity providers send them: national formats are read
//! in `DEFAULT_PHONE_REGION` and stored in E.164; one that cannot be read does
//! not block provisioning unless `INVALID_PHONE=reject`.

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::TestApp;

fn with_mobile(username: &str, mobile: &str) -> Value {
    json!({
        "userName": username,
        "name": {"givenName": "Pat", "familyName": "Ng"},
        "phoneNumbers": [{"value": mobile, "type": "mobile"}]
    })
}

#[tokio::test]
async fn a_mobile_in_national_format_is_stored_in_e164() {
    let app = TestApp::spawn().await;
    app.create_user(
        &json!({"userName": "warmup", "name": {"givenName": "Warm", "familyName": "Up"}}),
    )
    .await;
    for (i, mobile) in ["(415) 555-0100", "415 555 0100", "+1 415.555.0100"]
        .iter()
        .enumerate()
    {
        let username = format!("national{i}");
        app.reset_stats();
        let reply = app.post("/Users", &with_mobile(&username, mobile)).await;
        assert_eq!(reply.status, 201, "{mobile}: {}", reply.body);
        assert_eq!(
            app.connect_user(&username).unwrap()["IdentityInfo"]["Mobile"],
            "+14155550100",
            "{mobile}"
        );
        assert_eq!(reply.body["phoneNumbers"][0]["value"], "+14155550100");
        assert_eq!(app.calls("CreateUser"), 1);
        assert_eq!(app.stats().total, 1, "{:?}", app.stats());
    }
}

#[tokio::test]
async fn default_phone_region_says_which_country_national_numbers_are_in() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("DEFAULT_PHONE_REGION", "GB")],
    )
    .await;
    let reply = app
        .post("/Users", &with_mobile("london", "07400 123456"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        app.connect_user("london").unwrap()["IdentityInfo"]["Mobile"],
        "+447400123456"
    );
}

#[tokio::test]
async fn an_unreadable_mobile_does_not_block_provisioning_and_is_shown_as_absent() {
    let app = TestApp::spawn().await;
    let reply = app
        .post("/Users", &with_mobile("nophone", "ask reception"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert!(reply.body.get("phoneNumbers").is_none(), "{}", reply.body);
    let connect = app.connect_user("nophone").unwrap();
    assert!(connect["IdentityInfo"].get("Mobile").is_none(), "{connect}");
}

#[tokio::test]
async fn invalid_phone_reject_refuses_an_unreadable_mobile_before_any_write() {
    let app = TestApp::spawn_with(SimulatorConfig::default(), &[("INVALID_PHONE", "reject")]).await;
    let reply = app
        .post("/Users", &with_mobile("strict", "ask reception"))
        .await;
    reply.assert_scim_error(400, Some("invalidValue"));
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("phoneNumbers"),
        "{}",
        reply.body
    );
    assert_eq!(app.calls("CreateUser"), 0);
    assert!(app.connect_user("strict").is_none());
}
