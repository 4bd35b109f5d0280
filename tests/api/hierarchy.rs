//! Hierarchy groups: /Schemas lists the instance's paths as the extension's
//! `hierarchyGroup` canonical values (one SearchUserHierarchyGroups per 100
//! groups when cold, none when warm), leaves the attribute out on an instance
//! without groups, and a user write naming a path costs that same listing.

use serde_json::{Value, json};

use crate::app::TestApp;

const CONNECT: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User";

fn user(username: &str, hierarchy_group: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", CONNECT],
        "userName": username,
        "name": {"givenName": "Sam", "familyName": "Lee"},
        CONNECT: {"hierarchyGroup": hierarchy_group}
    })
}

/// The Connect extension's `hierarchyGroup` as /Schemas/{extension} publishes it.
async fn published_hierarchy_group(app: &TestApp) -> Option<Value> {
    let reply = app.get(&format!("/Schemas/{CONNECT}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "hierarchyGroup")
        .cloned()
}

#[tokio::test]
async fn schemas_list_the_hierarchy_paths_at_one_search_cold_and_none_warm() {
    let app = TestApp::spawn().await;
    app.reset_stats();

    let cold = published_hierarchy_group(&app).await.expect("published");
    assert_eq!(
        cold["canonicalValues"],
        json!([
            "Seattle",
            "Seattle/Tier1",
            "Seattle/Tier2",
            "Dublin",
            "Dublin/Tier1"
        ])
    );
    assert_eq!(
        app.calls("SearchUserHierarchyGroups"),
        1,
        "{:?}",
        app.stats()
    );
    assert_eq!(app.calls("ListUserHierarchyGroups"), 0);
    assert_eq!(app.calls("DescribeUserHierarchyGroup"), 0);

    app.reset_stats();
    let warm = published_hierarchy_group(&app).await.expect("published");
    assert_eq!(warm, cold);
    assert_eq!(app.stats().total, 0, "warm: {:?}", app.stats());

    // What a generic client picks from canonicalValues reads back exactly.
    let created = app
        .post("/Users", &user("picked.path", "Seattle/Tier2"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let read = app.get(&format!("/Users/{id}")).await;
    assert_eq!(read.body[CONNECT]["hierarchyGroup"], "Seattle/Tier2");
}

#[tokio::test]
async fn an_instance_with_more_than_a_hundred_groups_costs_one_search_per_hundred() {
    let app = TestApp::spawn().await;
    for store in 0..150 {
        app.sim
            .add_hierarchy_group(&format!("Stores/Store{store:03}"));
    }
    app.reset_stats();

    let published = published_hierarchy_group(&app).await.expect("published");

    let values = published["canonicalValues"].as_array().unwrap();
    assert_eq!(values.len(), 5 + 1 + 150, "every group, every page");
    assert!(values.contains(&json!("Stores/Store149")));
    assert_eq!(
        app.calls("SearchUserHierarchyGroups"),
        2,
        "{:?}",
        app.stats()
    );
}

#[tokio::test]
async fn an_instance_without_hierarchy_groups_does_not_publish_hierarchy_group() {
    let app = TestApp::spawn().await;
    app.sim.delete_hierarchy_groups();
    app.reset_stats();

    assert!(published_hierarchy_group(&app).await.is_none());
    assert_eq!(app.calls("SearchUserHierarchyGroups"), 1);
    let list = app.get("/Schemas").await;
    let connect = list.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == CONNECT)
        .unwrap()
        .clone();
    let names: Vec<&str> = connect["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(!names.contains(&"hierarchyGroup"), "{names:?}");
    assert!(names.contains(&"routingProfile"), "{names:?}");

    // Still read on write, and refused as precisely as before.
    let refused = app
        .post("/Users", &user("no.groups", "Seattle/Tier1"))
        .await;
    refused.assert_scim_error(400, Some("invalidValue"));
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("'Seattle/Tier1' does not exist"),
        "{detail}"
    );
    assert!(app.connect_user("no.groups").is_none());
}

#[tokio::test]
async fn schemas_still_answer_when_connect_cannot_list_the_groups() {
    let app = TestApp::spawn().await;
    app.sim.fail_after_applying("SearchUserHierarchyGroups", 8);

    let published = published_hierarchy_group(&app).await.expect("published");

    assert!(published.get("canonicalValues").is_none(), "{published}");
}

#[tokio::test]
async fn a_user_write_naming_a_path_costs_one_search_cold_and_none_warm() {
    let app = TestApp::spawn().await;
    // Warm the profile cache, as any running service has.
    let mut warmup = user("warmup", "");
    warmup[CONNECT] = json!({});
    assert_eq!(app.post("/Users", &warmup).await.status, 201);
    app.reset_stats();

    let created = app.post("/Users", &user("cold.path", "dublin/TIER1")).await;

    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body[CONNECT]["hierarchyGroup"], "Dublin/Tier1");
    let stats = app.stats();
    assert_eq!(stats.calls.get("CreateUser"), Some(&1), "{stats:?}");
    assert_eq!(
        stats.calls.get("SearchUserHierarchyGroups"),
        Some(&1),
        "{stats:?}"
    );
    assert_eq!(stats.total, 2, "{stats:?}");
    let connect = app.connect_user("cold.path").unwrap();
    assert_eq!(
        connect["HierarchyGroupId"].as_str(),
        app.sim.hierarchy_group_id("Dublin/Tier1").as_deref()
    );

    app.reset_stats();
    let id = created.body["id"].as_str().unwrap();
    let moved = app
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": format!("{CONNECT}:hierarchyGroup"),
                                    "value": "Seattle/Tier1"}]}),
        )
        .await;

    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body[CONNECT]["hierarchyGroup"], "Seattle/Tier1");
    let stats = app.stats();
    assert_eq!(stats.calls.get("DescribeUser"), Some(&1), "{stats:?}");
    assert_eq!(
        stats.calls.get("UpdateUserHierarchy"),
        Some(&1),
        "{stats:?}"
    );
    assert_eq!(stats.total, 2, "warm: no listing: {stats:?}");
}
