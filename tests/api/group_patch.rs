//! The answer to PATCH /Groups/{id} (RFC 7644 §3.5.2): 204 by default (what
//! Entra and Okta expect, and no membership read); 200 with the group as a GET
//! shows it under `GROUP_PATCH_RESPONSE=resource` or when `attributes` or
//! `excludedAttributes` is given, its members computed from the membership
//! read before the writes plus the request's changes. Each answer's Connect
//! calls are counted.

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::{TestApp, patch};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// Creates users over SCIM, each assigned Agent (so a group grant adds to a
/// real assignment, not to the default fallback); returns their ids, sorted.
async fn users(app: &TestApp, names: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                          "userName": name, "name": {"givenName": "Pat", "familyName": "Ch"},
                          "entitlements": [{"value": "Agent"}]});
        ids.push(app.create_user(&body).await);
    }
    ids
}

/// The member ids an answer lists, sorted; `None` when it has no `members`.
fn members(body: &Value) -> Option<Vec<String>> {
    let mut ids: Vec<String> = body
        .get("members")?
        .as_array()?
        .iter()
        .map(|m| m["value"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    Some(ids)
}

/// An answer with its members sorted and without `meta.lastModified`, which a
/// write's answer takes from this process's clock and a GET from Connect.
fn comparable(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(members) = body.get_mut("members").and_then(Value::as_array_mut) {
        members.sort_by_key(|m| m["value"].as_str().unwrap_or_default().to_owned());
    }
    if let Some(meta) = body.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("lastModified");
    }
    body
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    ids.sort();
    ids
}

/// A group with these members, created over SCIM; its path.
async fn group(app: &TestApp, name: &str, members: &[&String]) -> String {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    let created = app
        .post(
            "/Groups",
            &json!({"schemas": [GROUP], "displayName": name, "externalId": "ext-9",
                    "members": members}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    format!("/Groups/{}", created.body["id"].as_str().unwrap())
}

#[tokio::test]
async fn by_default_a_group_patch_answers_204_and_reads_no_members() {
    let app = TestApp::spawn().await;
    let ids = users(&app, &["d1@example.com", "d2@example.com"]).await;
    let path = group(&app, "Default Answer", &[&ids[0]]).await;
    app.reset_stats();
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": ids[1]}]}]));
    let reply = app.patch(&path, &add).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(app.calls("SearchUsers"), 1, "{:?}", app.stats());
    assert_eq!(app.calls("UpdateUserSecurityProfiles"), 1);
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());
}

#[tokio::test]
async fn with_group_patch_response_resource_the_answer_is_the_whole_group_with_exact_members() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("GROUP_PATCH_RESPONSE", "resource")],
    )
    .await;
    let ids = users(
        &app,
        &["r1@example.com", "r2@example.com", "r3@example.com"],
    )
    .await;
    let [a, b, c] = [&ids[0], &ids[1], &ids[2]];
    let path = group(&app, "Whole Answer", &[a, b]).await;

    // add: the membership is read (2 SearchUsers) before the writes, the
    // added id looked up (1), one write.
    app.reset_stats();
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": c}]}]));
    let reply = app.patch(&path, &add).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(members(&reply.body), Some(sorted(&[a, b, c])));
    assert_eq!(reply.body["displayName"], "Whole Answer");
    assert_eq!(reply.body["externalId"], "ext-9");
    assert_eq!(reply.body["meta"]["resourceType"], "Group");
    assert_eq!(
        comparable(&reply.body),
        comparable(&app.get(&path).await.body)
    );
    // The same add again: its user is a current member now, so no lookup
    // and no write.
    app.reset_stats();
    let again = app.patch(&path, &add).await;
    assert_eq!(members(&again.body), Some(sorted(&[a, b, c])));
    assert_eq!(app.calls("SearchUsers"), 2, "{:?}", app.stats());
    assert_eq!(app.stats().total, 2, "{:?}", app.stats());

    // remove by filter of a current member: the 2 reads and its write, and
    // a DescribeUser because the member was written moments before (within
    // the search index's lag).
    app.reset_stats();
    let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]));
    let reply = app.patch(&path, &remove).await;
    assert_eq!(members(&reply.body), Some(sorted(&[b, c])));
    assert_eq!(app.calls("SearchUsers"), 2, "{:?}", app.stats());
    assert_eq!(app.calls("DescribeUser"), 1, "{:?}", app.stats());
    assert_eq!(app.stats().total, 4, "{:?}", app.stats());

    // replace and remove-all read the membership anyway: the answer costs 0 more.
    app.reset_stats();
    let replace = patch(json!([{"op": "replace", "path": "members", "value": [{"value": a}]}]));
    let reply = app.patch(&path, &replace).await;
    assert_eq!(members(&reply.body), Some(sorted(&[a])));
    assert_eq!(
        app.calls("SearchUsers"),
        3,
        "2 for the members, 1 for the id: {:?}",
        app.stats()
    );
    assert_eq!(app.calls("UpdateUserSecurityProfiles"), 3);
    app.reset_stats();
    let reply = app
        .patch(&path, &patch(json!([{"op": "remove", "path": "members"}])))
        .await;
    assert_eq!(members(&reply.body), Some(vec![]));
    assert_eq!(app.calls("SearchUsers"), 2, "{:?}", app.stats());
    // + 1 DescribeUser: the member was written moments before (index lag).
    assert_eq!(app.stats().total, 4, "{:?}", app.stats());
}

#[tokio::test]
async fn attributes_on_a_patch_answer_200_with_the_projection_and_excluded_members_are_not_read() {
    let app = TestApp::spawn().await;
    let ids = users(
        &app,
        &["p1@example.com", "p2@example.com", "p3@example.com"],
    )
    .await;
    let path = group(&app, "Projected", &[&ids[0]]).await;
    let add =
        |id: &String| patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));

    app.reset_stats();
    let reply = app
        .patch(&format!("{path}?attributes=displayName"), &add(&ids[1]))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["displayName"], "Projected");
    assert!(reply.body["id"].is_string());
    assert!(reply.body.get("members").is_none() && reply.body.get("externalId").is_none());
    assert_eq!(
        app.calls("SearchUsers"),
        1,
        "no membership read: {:?}",
        app.stats()
    );

    app.reset_stats();
    let reply = app
        .patch(&format!("{path}?excludedAttributes=members"), &add(&ids[2]))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["externalId"], "ext-9");
    assert!(reply.body.get("members").is_none());
    assert!(reply.body["meta"]["lastModified"].is_string());
    assert_eq!(
        app.calls("SearchUsers"),
        1,
        "no membership read: {:?}",
        app.stats()
    );

    app.reset_stats();
    let remove =
        patch(json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0])}]));
    let reply = app
        .patch(&format!("{path}?attributes=members"), &remove)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(members(&reply.body), Some(sorted(&[&ids[1], &ids[2]])));
    assert!(reply.body.get("displayName").is_none());
    assert_eq!(
        app.calls("SearchUsers"),
        2,
        "the membership read: {:?}",
        app.stats()
    );
}

#[tokio::test]
async fn a_patch_answer_for_a_group_linked_elsewhere_reads_its_tags_once() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("GROUP_PATCH_RESPONSE", "resource")],
    )
    .await;
    let id = app.sim.add_security_profile("Linked Elsewhere");
    assert!(app.sim.tag_security_profile(
        &id,
        &[
            ("scim:group", "linked"),
            ("scim:externalId", "ext-elsewhere")
        ]
    ));
    app.reset_stats();
    let rename = patch(json!([{"op": "replace", "path": "displayName", "value": "Linked Here"}]));
    let reply = app
        .patch(&format!("/Groups/{id}?excludedAttributes=members"), &rename)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["displayName"], "Linked Here");
    assert_eq!(reply.body["externalId"], "ext-elsewhere");
    assert!(
        reply.body["meta"].get("created").is_none(),
        "{}",
        reply.body
    );
    let tag_reads = app.calls("DescribeSecurityProfile") + app.calls("SearchSecurityProfiles");
    assert_eq!(tag_reads, 1, "{:?}", app.stats());
    assert_eq!(app.calls("TagResource"), 1, "{:?}", app.stats());
}
