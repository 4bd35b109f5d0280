//! `POST /Users/.search` and `POST /Groups/.search` (RFC 7644 §3.4.3) answer
//! exactly as the matching GET list: same ListResponse, same Connect calls,
//! same errors for the same mistakes; what only a body can get wrong is
//! `invalidSyntax`. `POST /.search` lists Users then Groups, each as its GET
//! list with the filter as it reads for that type.

use reqwest::Method;
use serde_json::{Value, json};

use crate::app::{Reply, TestApp};

const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

fn user(username: &str, given: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": given, "familyName": "Search"},
        "emails": [{"value": format!("{username}@example.com"), "type": "work", "primary": true}]
    })
}

/// The GET and the POST .search, each with the Connect calls it made.
async fn both(app: &TestApp, get: &str, post: &str, body: &Value) -> [(Reply, Value); 2] {
    app.reset_stats();
    let listed = app.get(get).await;
    let listed_calls = json!(app.stats().calls);
    app.reset_stats();
    let searched = app.post(post, body).await;
    let searched_calls = json!(app.stats().calls);
    [(listed, listed_calls), (searched, searched_calls)]
}

#[tokio::test]
async fn users_search_answers_as_the_get_list_with_filter_attributes_and_paging() {
    let app = TestApp::spawn().await;
    for (name, given) in [
        ("search.ana", "Ana"),
        ("search.bo", "Bo"),
        ("search.cy", "Cy"),
    ] {
        app.create_user(&user(name, given)).await;
    }
    app.create_user(&user("other.dee", "Dee")).await;

    let [(listed, listed_calls), (searched, searched_calls)] = both(
        &app,
        "/Users?filter=userName%20sw%20%22search.%22&attributes=userName,name.givenName&startIndex=2&count=1",
        "/Users/.search",
        &json!({
            "schemas": [SEARCH_REQUEST],
            "filter": "userName sw \"search.\"",
            "attributes": ["userName", "name.givenName"],
            "startIndex": 2,
            "count": 1
        }),
    )
    .await;

    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(searched.status, 200, "{}", searched.body);
    assert_eq!(searched.body, listed.body);
    assert_eq!(searched.body["totalResults"], 3);
    assert_eq!(searched.body["startIndex"], 2);
    assert_eq!(searched.body["Resources"].as_array().unwrap().len(), 1);
    let found = &searched.body["Resources"][0];
    assert!(found.get("emails").is_none(), "projected: {found}");
    assert!(found["name"]["givenName"].is_string(), "{found}");
    assert_eq!(searched_calls, listed_calls);
    assert_eq!(searched_calls, json!({"SearchUsers": 1}));
    assert_eq!(
        searched.headers["content-type"], "application/scim+json",
        "{:?}",
        searched.headers
    );

    let [(listed, listed_calls), (searched, searched_calls)] = both(
        &app,
        "/Users?excludedAttributes=emails&sortBy=name.givenName&sortOrder=descending&count=2",
        "/Users/.search",
        &json!({"excludedAttributes": ["emails"], "sortBy": "name.givenName",
                "sortOrder": "descending", "count": 2}),
    )
    .await;
    assert_eq!(searched.status, 200, "{}", searched.body);
    assert_eq!(searched.body, listed.body);
    assert_eq!(searched.body["Resources"][0]["userName"], "other.dee");
    assert_eq!(searched_calls, listed_calls);
}

#[tokio::test]
async fn groups_search_answers_as_the_get_list() {
    let app = TestApp::spawn().await;
    // Warm the profile cache, as any running service has.
    assert_eq!(app.get("/Groups").await.status, 200);
    for (get, body) in [
        (
            "/Groups?filter=displayName%20eq%20%22agent%22&excludedAttributes=members",
            json!({"schemas": [SEARCH_REQUEST], "filter": "displayName eq \"agent\"",
                   "excludedAttributes": ["members"]}),
        ),
        (
            "/Groups?startIndex=2&count=2&attributes=displayName",
            json!({"startIndex": 2, "count": 2, "attributes": ["displayName"]}),
        ),
    ] {
        let [(listed, listed_calls), (searched, searched_calls)] =
            both(&app, get, "/Groups/.search", &body).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        assert_eq!(searched.status, 200, "{}", searched.body);
        assert_eq!(searched.body, listed.body, "{body}");
        assert_eq!(searched_calls, listed_calls, "{body}");
    }
    let agent = app
        .post(
            "/Groups/.search",
            &json!({"filter": "displayName eq \"Agent\""}),
        )
        .await;
    assert_eq!(agent.body["totalResults"], 1, "{}", agent.body);
    assert_eq!(agent.body["Resources"][0]["displayName"], "Agent");
}

#[tokio::test]
async fn a_search_gets_the_precise_errors_of_the_get_list() {
    let app = TestApp::spawn().await;
    app.reset_stats();
    let bad_filter = app
        .post("/Users/.search", &json!({"filter": "userName eq"}))
        .await;
    bad_filter.assert_scim_error(400, Some("invalidFilter"));
    let listed = app.get("/Users?filter=userName%20eq").await;
    assert_eq!(bad_filter.body, listed.body);

    let bad_attribute = app
        .post("/Groups/.search", &json!({"attributes": ["not a path!"]}))
        .await;
    bad_attribute.assert_scim_error(400, Some("invalidValue"));
    let bad_order = app
        .post("/Users/.search", &json!({"sortOrder": "upwards"}))
        .await;
    bad_order.assert_scim_error(400, Some("invalidValue"));

    for (body, member) in [
        (json!({"count": "10"}), "count"),
        (json!({"startIndex": 1.5}), "startIndex"),
        (json!({"attributes": "userName"}), "attributes"),
        (json!({"filter": 7}), "filter"),
    ] {
        let reply = app.post("/Users/.search", &body).await;
        reply.assert_scim_error(400, Some("invalidSyntax"));
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.starts_with(member), "{body}: {detail}");
    }
    let other_message = app
        .post(
            "/Users/.search",
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}),
        )
        .await;
    other_message.assert_scim_error(400, Some("invalidSyntax"));
    assert!(
        other_message.body["detail"]
            .as_str()
            .unwrap()
            .contains(SEARCH_REQUEST)
    );
    let not_json = app
        .send_raw(
            Method::POST,
            "/Groups/.search",
            Some("{".into()),
            Some(crate::app::TOKEN),
            &[],
        )
        .await;
    not_json.assert_scim_error(400, Some("invalidSyntax"));
    let form = app
        .send_raw(
            Method::POST,
            "/Users/.search",
            Some("count=1".into()),
            Some(crate::app::TOKEN),
            &[("Content-Type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(form.status, 415, "{}", form.body);
    assert_eq!(app.stats().total, 0, "refused before any Connect call");

    // Without `schemas`, as a PatchOp without `schemas` is read.
    let bare = app.post("/Users/.search", &json!({"count": 0})).await;
    assert_eq!(bare.status, 200, "{}", bare.body);
}

#[tokio::test]
async fn the_root_search_lists_users_then_groups_as_their_get_lists() {
    let app = TestApp::spawn().await;
    for (name, given) in [("root.ana", "Ana"), ("root.bo", "Bo")] {
        app.create_user(&user(name, given)).await;
    }
    let users = app.get("/Users?attributes=displayName").await;
    let groups = app.get("/Groups?attributes=displayName").await;
    let (n_users, n_groups) = (
        users.body["totalResults"].as_u64().unwrap(),
        groups.body["totalResults"].as_u64().unwrap(),
    );
    assert_eq!(n_users, 2);

    app.reset_stats();
    let all = app
        .post(
            "/.search",
            &json!({"schemas": [SEARCH_REQUEST], "attributes": ["displayName"]}),
        )
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.body["totalResults"], n_users + n_groups);
    let mut expected = users.body["Resources"].as_array().unwrap().clone();
    expected.extend(groups.body["Resources"].as_array().unwrap().iter().cloned());
    assert_eq!(all.body["Resources"], json!(expected));
    assert_eq!(
        json!(app.stats().calls),
        json!({"SearchUsers": 1}),
        "the two GET lists' calls"
    );

    // A page across the boundary: the last user, then the first group.
    let page = app
        .post("/.search", &json!({"startIndex": 2, "count": 2}))
        .await;
    assert_eq!(page.body["startIndex"], 2);
    assert_eq!(page.body["itemsPerPage"], 2);
    assert_eq!(page.body["Resources"][0]["meta"]["resourceType"], "User");
    assert_eq!(page.body["Resources"][1]["meta"]["resourceType"], "Group");
    assert_eq!(
        page.body["Resources"][1]["id"],
        groups.body["Resources"][0]["id"]
    );
    app.reset_stats();
    let groups_only = app
        .post("/.search", &json!({"startIndex": 4, "count": 1}))
        .await;
    assert_eq!(groups_only.body["totalResults"], n_users + n_groups);
    assert_eq!(
        json!(app.stats().calls),
        json!({"SearchUsers": 1}),
        "past the users: the one search that finds no page counts them"
    );
    // The Users list past its end: its true total, not startIndex - 1.
    let past = app.get("/Users?startIndex=50&count=5").await;
    assert_eq!(past.body["totalResults"], n_users, "{}", past.body);
    assert_eq!(past.body["Resources"], json!([]), "{}", past.body);
    assert_eq!(
        groups_only.body["Resources"][0]["id"], groups.body["Resources"][1]["id"],
        "{} {}",
        groups_only.body, groups.body
    );
}

#[tokio::test]
async fn the_root_search_filters_each_type_by_what_it_has() {
    let app = TestApp::spawn().await;
    app.create_user(&user("root.cy", "Cy")).await;
    assert_eq!(app.get("/Groups").await.status, 200);

    app.reset_stats();
    let users = app
        .post("/.search", &json!({"filter": "userName eq \"root.cy\""}))
        .await;
    assert_eq!(users.body["totalResults"], 1, "{}", users.body);
    assert_eq!(users.body["Resources"][0]["userName"], "root.cy");
    assert_eq!(
        app.stats().total,
        1,
        "no group has a userName: {:?}",
        app.stats()
    );

    app.reset_stats();
    let groups = app
        .post(
            "/.search",
            &json!({"filter": "meta.resourceType eq \"Group\" and displayName eq \"Agent\""}),
        )
        .await;
    assert_eq!(groups.body["totalResults"], 1, "{}", groups.body);
    assert_eq!(groups.body["Resources"][0]["displayName"], "Agent");
    assert_eq!(
        app.stats().total,
        0,
        "Users not searched: {:?}",
        app.stats()
    );

    let either = app
        .post(
            "/.search",
            &json!({"filter": "userName eq \"root.cy\" or displayName eq \"Agent\""}),
        )
        .await;
    assert_eq!(either.body["totalResults"], 2, "{}", either.body);

    let sorted = app
        .post("/.search", &json!({"sortBy": "displayName"}))
        .await;
    sorted.assert_scim_error(400, Some("invalidValue"));
    let bad = app
        .post("/.search", &json!({"filter": "userName eq"}))
        .await;
    bad.assert_scim_error(400, Some("invalidFilter"));
    let anonymous = app
        .send_raw(Method::POST, "/.search", Some("{}".into()), None, &[])
        .await;
    anonymous.assert_scim_error(401, None);
}

#[tokio::test]
async fn search_paths_take_only_post() {
    let app = TestApp::spawn().await;
    for path in ["/Users/.search", "/Groups/.search", "/.search"] {
        let get = app.get(path).await;
        get.assert_scim_error(405, None);
    }
    assert_eq!(app.stats().total, 0);
}
