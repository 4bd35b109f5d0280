//! Emails' `type` and `primary`, exactly as sent: Connect keeps two addresses
//! (Email, SecondaryEmail) and no type; what differs from `work`/primary and
//! `other` is kept in the `scim:emailTypes` tag. Checked in the SCIM answers
//! (POST, PATCH, GET, list entries), Connect's tags and Connect calls.

use serde_json::{Value, json};

use crate::app::{TestApp, patch};

const TAG: &str = "scim:emailTypes";

fn user(username: &str, emails: Value) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Ema", "familyName": "Ils"},
        "emails": emails,
    })
}

#[tokio::test]
async fn a_tester_shaped_email_round_trips_and_a_type_change_alone_is_one_tag_call() {
    let app = TestApp::spawn().await;
    app.create_user(&user("warm@example.com", json!([]))).await;
    let sent = json!([{"value": "t@example.com", "type": "other", "primary": true}]);
    app.reset_stats();
    let created = app
        .post("/Users", &user("t@example.com", sent.clone()))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        app.stats().total,
        1,
        "CreateUser carries the tag: {:?}",
        app.stats()
    );
    assert_eq!(created.body["emails"], sent);
    assert_eq!(app.tag("t@example.com", TAG).as_deref(), Some("+other"));
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    assert_eq!(app.get(&path).await.body["emails"], sent);
    assert_eq!(app.listed("t@example.com").await["emails"], sent);

    let not_primary = json!([{"value": "t@example.com", "type": "other", "primary": false}]);
    app.reset_stats();
    let replaced = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "emails", "value": not_primary}])),
        )
        .await;
    assert_eq!(replaced.body["emails"], not_primary);
    assert_eq!(
        (app.calls("DescribeUser"), app.calls("TagResource")),
        (1, 1)
    );
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
    assert_eq!(app.tag("t@example.com", TAG).as_deref(), Some("-other"));

    // Back to what Email shows by default: the tag goes.
    app.reset_stats();
    let work = json!([{"value": "t@example.com", "type": "work", "primary": true}]);
    let back = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "emails", "value": work}])),
        )
        .await;
    assert_eq!(back.body["emails"], work);
    assert_eq!((app.calls("UntagResource"), app.stats().total), (1, 2));
    assert_eq!(app.tag("t@example.com", TAG), None);
}

#[tokio::test]
async fn okta_and_entra_emails_cost_no_tag() {
    let app = TestApp::spawn().await;
    let work = |v: &str| json!([{"value": v, "type": "work", "primary": true}]);
    let created = app
        .post(
            "/Users",
            &user("okta@example.com", work("okta@example.com")),
        )
        .await;
    assert_eq!(created.body["emails"], work("okta@example.com"));
    assert_eq!(app.tag("okta@example.com", TAG), None);

    // No primary sent: shown as Email always was.
    let bare = json!([{"value": "bare@example.com", "type": "work"}]);
    let created = app.post("/Users", &user("bare@example.com", bare)).await;
    assert_eq!(created.body["emails"], work("bare@example.com"));
    assert_eq!(app.tag("bare@example.com", TAG), None);

    // Entra: `Replace` of emails[type eq "work"].value.
    let id = created.body["id"].as_str().unwrap().to_owned();
    app.reset_stats();
    let entra = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}])),
        )
        .await;
    assert_eq!(entra.status, 200, "{}", entra.body);
    assert_eq!(entra.body["emails"], work("new@example.com"));
    assert_eq!(app.tag("bare@example.com", TAG), None);
    // DescribeUser, UpdateUserIdentityInfo, TagResource (the scim:email mirror).
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
    assert!(app.connect_user("bare@example.com").unwrap()["Tags"][TAG].is_null());

    // Entra's create of a user with no email, then `Add` by that path.
    let created = app
        .post("/Users", &user("none@example.com", json!([])))
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let added = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "none@example.com"}])),
        )
        .await;
    assert_eq!(added.body["emails"], work("none@example.com"));
    assert_eq!(app.tag("none@example.com", TAG), None);
}

#[tokio::test]
async fn two_emails_keep_their_types_in_get_and_the_primary_one_in_list_entries() {
    let app = TestApp::spawn().await;
    let sent = json!([
        {"value": "home@example.com", "type": "home", "primary": true},
        {"value": "desk@example.com", "type": "work", "primary": false}
    ]);
    let created = app
        .post("/Users", &user("two@example.com", sent.clone()))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["emails"], sent);
    assert_eq!(
        app.tag("two@example.com", TAG).as_deref(),
        Some("+home -work")
    );
    let connect = app.connect_user("two@example.com").unwrap();
    assert_eq!(connect["IdentityInfo"]["Email"], "home@example.com");
    assert_eq!(
        connect["IdentityInfo"]["SecondaryEmail"],
        "desk@example.com"
    );
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/Users/{id}")).await.body["emails"], sent);
    // Search summaries carry no SecondaryEmail, but they carry the tags.
    assert_eq!(
        app.listed("two@example.com").await["emails"],
        json!([sent[0]])
    );
    let by_type = app
        .get("/Users?filter=emails%5Btype%20eq%20%22home%22%5D")
        .await;
    assert_eq!(by_type.body["totalResults"], 1, "{}", by_type.body);
}

#[tokio::test]
async fn an_email_type_too_long_to_keep_is_refused_before_any_write() {
    let app = TestApp::spawn().await;
    let sent = json!([{"value": "x@example.com", "type": "t".repeat(65)}]);
    let reply = app.post("/Users", &user("x@example.com", sent)).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    assert!(reply.body["detail"].as_str().unwrap().contains("64 bytes"));
    assert_eq!(app.calls("CreateUser"), 0);

    // Any other type fits, in base64url where AWS's tag characters cannot hold it.
    let odd = json!([{"value": "y@example.com", "type": "Büro (2)", "primary": true}]);
    let created = app
        .post("/Users", &user("y@example.com", odd.clone()))
        .await;
    assert_eq!(created.body["emails"], odd);
    assert!(app.tag("y@example.com", TAG).unwrap().starts_with("+b64:"));
}
