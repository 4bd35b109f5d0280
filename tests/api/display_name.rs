//! A user's `displayName`, which Connect has no field for: "givenName
//! familyName" unless the identity provider sent another, which is kept in
//! the `scim:displayName` tag. Checked in the SCIM answers (POST, PUT, PATCH,
//! GET, list entries), in Connect's tags, and in Connect calls.

use serde_json::{Value, json};

use crate::app::{TestApp, patch};

const TAG: &str = "scim:displayName";

fn user(username: &str, display_name: Option<&str>) -> Value {
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Sam", "familyName": "Lee"},
        "emails": [{"value": username, "type": "work", "primary": true}],
    });
    if let Some(d) = display_name {
        body["displayName"] = json!(d);
    }
    body
}

#[tokio::test]
async fn okta_post_with_the_names_as_display_name_writes_no_tag() {
    let app = TestApp::spawn().await;
    app.create_user(&user("warm@example.com", None)).await;
    app.reset_stats();
    let created = app
        .post("/Users", &user("okta@example.com", Some("Sam Lee")))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["displayName"], "Sam Lee");
    assert_eq!(app.stats().total, 1, "{:?}", app.stats());
    assert_eq!(app.tag("okta@example.com", TAG), None);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/Users/{id}")).await.body["displayName"],
        "Sam Lee"
    );
}

#[tokio::test]
async fn another_display_name_is_kept_in_create_user_and_shown_everywhere() {
    let app = TestApp::spawn().await;
    app.create_user(&user("warm@example.com", None)).await;
    app.reset_stats();
    let created = app
        .post("/Users", &user("boss@example.com", Some("The Boss")))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        app.stats().total,
        1,
        "CreateUser carries the tag: {:?}",
        app.stats()
    );
    assert_eq!(created.body["displayName"], "The Boss");
    assert_eq!(
        app.tag("boss@example.com", TAG).as_deref(),
        Some("The Boss")
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/Users/{id}")).await.body["displayName"],
        "The Boss"
    );
    assert_eq!(
        app.listed("boss@example.com").await["displayName"],
        "The Boss"
    );

    // A name that AWS's tag characters cannot hold as it is: base64url.
    let odd = "Zoë (Ops, EMEA) ✈";
    let created = app
        .post("/Users", &user("zoe@example.com", Some(odd)))
        .await;
    assert_eq!(created.body["displayName"], odd);
    assert!(app.tag("zoe@example.com", TAG).unwrap().starts_with("b64:"));
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/Users/{id}")).await.body["displayName"],
        odd
    );
    assert_eq!(app.listed("zoe@example.com").await["displayName"], odd);
}

#[tokio::test]
async fn put_and_patch_write_the_display_name_in_one_tag_call_and_names_keep_it() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&user("sanity@example.com", None)).await;
    let path = format!("/Users/{id}");

    // scim-sanity: a PUT with a new displayName, then a GET.
    app.reset_stats();
    let put = app
        .put(&path, &user("sanity@example.com", Some("Sanity Check")))
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body["displayName"], "Sanity Check");
    assert_eq!(
        (app.calls("DescribeUser"), app.calls("TagResource")),
        (1, 1)
    );
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
    assert_eq!(app.get(&path).await.body["displayName"], "Sanity Check");

    // scim2-tester: a PATCH replace.
    app.reset_stats();
    let replaced = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "displayName", "value": "Tester"}])),
        )
        .await;
    assert_eq!(replaced.body["displayName"], "Tester");
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
    assert_eq!(
        app.tag("sanity@example.com", TAG).as_deref(),
        Some("Tester")
    );

    // A names-only change keeps the stored displayName.
    app.reset_stats();
    let renamed = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "name.givenName", "value": "Samuel"}])),
        )
        .await;
    assert_eq!(renamed.body["displayName"], "Tester");
    assert_eq!(renamed.body["name"]["givenName"], "Samuel");
    assert_eq!(
        (app.calls("UpdateUserIdentityInfo"), app.stats().total),
        (1, 2)
    );
    assert_eq!(
        app.tag("sanity@example.com", TAG).as_deref(),
        Some("Tester")
    );

    // Equal to the names again: the tag goes.
    app.reset_stats();
    let same = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "displayName", "value": "Samuel Lee"}])),
        )
        .await;
    assert_eq!(same.body["displayName"], "Samuel Lee");
    assert_eq!((app.calls("UntagResource"), app.stats().total), (1, 2));
    assert_eq!(app.tag("sanity@example.com", TAG), None);

    // PATCH remove clears a stored one, and leaves displayName unassigned
    // (the `scim:unset` mark) until a request gives one again.
    app.patch(
        &path,
        &patch(json!([{"op": "replace", "path": "displayName", "value": "Again"}])),
    )
    .await;
    app.reset_stats();
    let removed = app
        .patch(
            &path,
            &patch(json!([{"op": "remove", "path": "displayName"}])),
        )
        .await;
    assert!(
        removed.body.get("displayName").is_none(),
        "{}",
        removed.body
    );
    assert_eq!(
        (
            app.calls("UntagResource"),
            app.calls("TagResource"),
            app.stats().total
        ),
        (1, 1, 3)
    );
    assert_eq!(app.tag("sanity@example.com", TAG), None);
    let unset = |app: &TestApp| app.tag("sanity@example.com", "scim:unset");
    assert_eq!(unset(&app).as_deref(), Some("displayName"));
    let got = app.get(&path).await;
    assert!(got.body.get("displayName").is_none(), "{}", got.body);

    // A name change leaves it unassigned; a displayName given shows again.
    let renamed = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "name.givenName", "value": "Sam"}])),
        )
        .await;
    assert!(
        renamed.body.get("displayName").is_none(),
        "{}",
        renamed.body
    );
    let given = app
        .patch(
            &path,
            &patch(json!([{"op": "add", "path": "displayName", "value": "Sam Lee"}])),
        )
        .await;
    assert_eq!(given.body["displayName"], "Sam Lee");
    assert_eq!(unset(&app), None);
}

#[tokio::test]
async fn a_display_name_shown_from_the_names_follows_them() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&user("follow@example.com", None)).await;
    let path = format!("/Users/{id}");
    let renamed = app
        .patch(
            &path,
            &patch(json!([{"op": "Replace", "path": "name.givenName", "value": "Samuel"}])),
        )
        .await;
    assert_eq!(renamed.body["displayName"], "Samuel Lee");

    // A PUT echoing the user it read, with a new family name.
    let mut echo = app.get(&path).await.body;
    echo["name"]["familyName"] = json!("Leigh");
    app.reset_stats();
    let put = app.put(&path, &echo).await;
    assert_eq!(put.body["displayName"], "Samuel Leigh");
    assert_eq!(app.calls("TagResource"), 0, "{:?}", app.stats());
    assert_eq!(app.tag("follow@example.com", TAG), None);
}

#[tokio::test]
async fn a_display_name_no_tag_can_hold_is_refused_before_any_write() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&user("long@example.com", None)).await;
    let too_long = "(".repeat(190);
    app.reset_stats();
    let reply = app
        .post("/Users", &user("longer@example.com", Some(&too_long)))
        .await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("displayName") && detail.contains("189 bytes"),
        "{detail}"
    );
    assert_eq!(app.calls("CreateUser"), 0);
    assert!(app.connect_user("longer@example.com").is_none());

    app.reset_stats();
    let patched = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([
                {"op": "replace", "path": "name.givenName", "value": "Changed"},
                {"op": "replace", "path": "displayName", "value": too_long}
            ])),
        )
        .await;
    patched.assert_scim_error(400, Some("invalidValue"));
    assert_eq!(app.stats().total, 1, "only DescribeUser: {:?}", app.stats());
    assert_eq!(
        app.connect_user("long@example.com").unwrap()["IdentityInfo"]["FirstName"],
        "Sam"
    );
}

#[tokio::test]
async fn a_display_name_filter_finds_stored_and_name_shown_ones_in_one_search() {
    let app = TestApp::spawn().await;
    app.create_user(&user("a@example.com", Some("Desk Lead")))
        .await;
    app.create_user(&user("b@example.com", None)).await;
    app.reset_stats();
    let stored = app
        .get("/Users?filter=displayName%20eq%20%22desk%20lead%22")
        .await;
    assert_eq!(stored.body["totalResults"], 1, "{}", stored.body);
    assert_eq!(stored.body["Resources"][0]["userName"], "a@example.com");
    let shown = app
        .get("/Users?filter=displayName%20eq%20%22Sam%20Lee%22")
        .await;
    assert_eq!(shown.body["totalResults"], 1, "{}", shown.body);
    assert_eq!(shown.body["Resources"][0]["userName"], "b@example.com");
    assert_eq!(app.calls("SearchUsers"), 2, "{:?}", app.stats());
    assert_eq!(app.stats().total, 2);
}
