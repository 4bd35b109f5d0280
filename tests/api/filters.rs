//! User filters as the README's table states them, with their Connect calls:
//! `or` of `externalId eq` is one SearchUsers and `or` of `id eq` one
//! DescribeUser per id (never the bounded scan); filters on a secondary email
//! or on phoneNumbers match (they read the candidates' full records); sortBy
//! past the scan bound says so.

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::TestApp;

fn person(username: &str) -> Value {
    json!({
        "userName": username,
        "name": {"givenName": "Kim", "familyName": username},
        "externalId": format!("ext-{username}"),
        "emails": [
            {"value": format!("{username}@work.example"), "type": "work", "primary": true},
            {"value": format!("{username}@home.example"), "type": "home"}
        ],
        "phoneNumbers": [{"value": "+1 415 555 0100", "type": "mobile"}]
    })
}

fn usernames(reply: &Value) -> Vec<String> {
    let mut names: Vec<String> = reply["Resources"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

/// Three users on an instance whose scan bound is two users.
async fn small_scan_bound() -> (TestApp, Vec<String>) {
    let app = TestApp::spawn_with(SimulatorConfig::default(), &[("MAX_FILTER_SCAN", "2")]).await;
    let mut ids = Vec::new();
    for name in ["amy", "bo", "cy"] {
        ids.push(app.create_user(&person(name)).await);
    }
    (app, ids)
}

#[tokio::test]
async fn an_or_of_external_ids_is_one_search_users() {
    let (app, _) = small_scan_bound().await;
    app.reset_stats();
    let reply = app
        .get("/Users?filter=externalId%20eq%20%22ext-amy%22%20or%20externalId%20eq%20%22ext-cy%22")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(usernames(&reply.body), vec!["amy", "cy"]);
    assert_eq!(reply.body["totalResults"], 2);
    assert_eq!(app.stats().total, 1, "{:?}", app.stats());
    assert_eq!(app.calls("SearchUsers"), 1);
}

#[tokio::test]
async fn an_or_of_ids_is_one_describe_user_per_id() {
    let (app, ids) = small_scan_bound().await;
    app.reset_stats();
    let filter = format!(
        "id eq \"{}\" or id eq \"{}\" or id eq \"nobody\"",
        ids[0], ids[1]
    );
    let reply = app
        .get(&format!(
            "/Users?filter={}",
            filter.replace(' ', "%20").replace('"', "%22")
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(usernames(&reply.body), vec!["amy", "bo"]);
    assert_eq!(app.calls("DescribeUser"), 3, "{:?}", app.stats());
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
}

#[tokio::test]
async fn sort_by_past_the_scan_bound_says_sorting_needs_it() {
    let (app, _) = small_scan_bound().await;
    let reply = app.get("/Users?sortBy=userName").await;
    reply.assert_scim_error(400, Some("tooMany"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("sortBy"), "{detail}");
    assert!(!detail.contains("this filter"), "{detail}");
}

#[tokio::test]
async fn filters_on_a_secondary_email_or_a_phone_number_match() {
    let app = TestApp::spawn().await;
    for name in ["dee", "eli"] {
        app.create_user(&person(name)).await;
    }
    app.reset_stats();
    let reply = app
        .get("/Users?filter=emails.value%20eq%20%22eli@home.example%22")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(usernames(&reply.body), vec!["eli"]);
    // One SearchUsers for the candidates, one DescribeUser each.
    assert_eq!(app.calls("SearchUsers"), 1, "{:?}", app.stats());
    assert_eq!(app.calls("DescribeUser"), 2, "{:?}", app.stats());

    let reply = app
        .get("/Users?filter=userName%20eq%20%22dee%22%20and%20phoneNumbers%5Btype%20eq%20%22mobile%22%20and%20value%20eq%20%22%2B14155550100%22%5D")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(usernames(&reply.body), vec!["dee"]);
    assert_eq!(
        reply.body["Resources"][0]["phoneNumbers"][0]["value"],
        "+14155550100"
    );

    let primary = app
        .get("/Users?filter=emails%20eq%20%22dee@work.example%22")
        .await;
    assert_eq!(usernames(&primary.body), vec!["dee"]);
}
