//! PATCH is bounded: at most 100 operations per request, 100 values per
//! multi-valued attribute in one operation, and 1,000 group members per
//! request; beyond that, 400 `tooMany` before any Connect call.

use serde_json::{Value, json};

use crate::app::{TestApp, patch};

async fn a_user(app: &TestApp) -> String {
    app.create_user(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "many@example.com",
        "name": {"givenName": "Many", "familyName": "Values"},
    }))
    .await
}

fn emails(n: usize) -> Value {
    (0..n)
        .map(|i| json!({"value": format!("a{i}@example.com"), "type": "other"}))
        .collect()
}

#[tokio::test]
async fn a_patch_of_more_than_100_operations_is_refused_with_too_many() {
    let app = TestApp::spawn().await;
    let id = a_user(&app).await;
    let op = json!({"op": "replace", "path": "name.givenName", "value": "Again"});
    app.reset_stats();
    let reply = app
        .patch(&format!("/Users/{id}"), &patch(Value::Array(vec![op; 101])))
        .await;
    reply.assert_scim_error(400, Some("tooMany"));
    assert_eq!(app.stats().total, 0, "refused before any Connect call");
}

#[tokio::test]
async fn adding_more_than_100_values_to_one_attribute_is_refused_with_too_many() {
    let app = TestApp::spawn().await;
    let id = a_user(&app).await;
    let path = format!("/Users/{id}");
    let over = patch(json!([{"op": "add", "path": "emails", "value": emails(101)}]));
    app.reset_stats();
    app.patch(&path, &over)
        .await
        .assert_scim_error(400, Some("tooMany"));
    let pathless = patch(json!([{"op": "add", "value": {"emails": emails(101)}}]));
    app.patch(&path, &pathless)
        .await
        .assert_scim_error(400, Some("tooMany"));
    assert_eq!(app.stats().total, 0, "refused before any Connect call");

    let at_cap = patch(json!([{"op": "add", "path": "emails", "value": emails(100)}]));
    let reply = app.patch(&path, &at_cap).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn a_group_patch_of_more_than_1000_members_is_refused_with_too_many() {
    let app = TestApp::spawn().await;
    let created = app.post("/Groups", &json!({"displayName": "Agent"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/Groups/{}", created.body["id"].as_str().unwrap());
    let members = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"value": format!("00000000-0000-4000-8000-{i:012}")}))
            .collect()
    };
    app.reset_stats();
    let one_op = patch(json!([{"op": "add", "path": "members", "value": members(1001)}]));
    app.patch(&path, &one_op)
        .await
        .assert_scim_error(400, Some("tooMany"));
    let ops: Vec<Value> = (0..3)
        .map(|_| json!({"op": "add", "path": "members", "value": members(400)}))
        .collect();
    app.patch(&path, &patch(Value::Array(ops)))
        .await
        .assert_scim_error(400, Some("tooMany"));
    assert_eq!(app.stats().total, 0, "refused before any Connect call");
}
