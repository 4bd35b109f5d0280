//! Microsoft Entra ID's request sequences (shared/reference/idp-behaviour.md
//! §2.2–2.5), asserting the Connect state in the simulator after each step.

use serde_json::{Value, json};

use crate::app::{TestApp, patch};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn entra_user(username: &str, department: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": "8f9e0c3a-1111-4a2b-9c3d-5e6f7a8b9c0d",
        "userName": username,
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": username}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Alex Wilber", "familyName": "Wilber", "givenName": "Alex"},
        "roles": [],
        ENTERPRISE: {"department": department}
    })
}

#[tokio::test]
async fn entra_connection_test_with_a_random_guid_gets_an_empty_200() {
    let app = TestApp::spawn().await;
    for filter in [
        "userName%20eq%20%22a1b2c3d4-0000-4000-8000-000000000000%22",
        "externalId+eq+%22a1b2c3d4-0000-4000-8000-000000000000%22",
    ] {
        let reply = app.get(&format!("/Users?filter={filter}")).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["totalResults"], 0);
        assert_eq!(reply.body["Resources"], json!([]));
    }
    assert_eq!(app.get("/Schemas").await.status, 200);
}

#[tokio::test]
async fn entra_create_with_department_assigns_those_security_profiles() {
    let app = TestApp::spawn().await;
    let name = "alex@contoso.com";
    let reply = app
        .post("/Users", &entra_user(name, "Agent, CallCenterManager"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        reply.body[ENTERPRISE]["department"],
        "Agent,CallCenterManager"
    );
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["Agent", "CallCenterManager"])
    );

    let by_external = app
        .get("/Users?filter=externalId+eq+%228f9e0c3a-1111-4a2b-9c3d-5e6f7a8b9c0d%22")
        .await;
    assert_eq!(by_external.body["totalResults"], 1);
    assert_eq!(by_external.body["Resources"][0]["userName"], name);
}

#[tokio::test]
async fn entra_capitalized_patch_with_string_booleans_updates_and_disables() {
    let app = TestApp::spawn().await;
    let name = "megan@contoso.com";
    let id = app.create_user(&entra_user(name, "Agent")).await;

    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([
                {"op": "Replace", "path": "name.familyName", "value": "Bowen"},
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "megan.bowen@contoso.com"},
                {"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Agent,QualityAnalyst"}
            ])),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let connect = app.connect_user(name).unwrap();
    assert_eq!(connect["IdentityInfo"]["LastName"], "Bowen");
    assert_eq!(connect["IdentityInfo"]["Email"], "megan.bowen@contoso.com");
    assert_eq!(
        reply.body["emails"],
        json!([{"value": "megan.bowen@contoso.com", "type": "work", "primary": true}])
    );
    assert!(connect["Tags"]["scim:emailTypes"].is_null());
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["Agent", "QualityAnalyst"])
    );

    let disable = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .await;
    assert_eq!(disable.status, 200, "{}", disable.body);
    assert_eq!(disable.body["active"], false);
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["SCIM-Disabled"])
    );

    // The validator then filters and requires `active` present.
    let found = app
        .get("/Users?filter=userName+eq+%22megan%40contoso.com%22")
        .await;
    assert_eq!(found.body["Resources"][0]["active"], false);

    let enable = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([{"op": "Replace", "path": "active", "value": "True"}])),
        )
        .await;
    assert_eq!(enable.body["active"], true);
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["Agent", "QualityAnalyst"])
    );
}

#[tokio::test]
async fn entra_manager_in_each_shape_is_kept_and_removed() {
    let app = TestApp::spawn().await;
    let name = "lee@contoso.com";
    let id = app.create_user(&entra_user(name, "Agent")).await;
    let path = format!("/Users/{id}");
    let manager = format!("{ENTERPRISE}:manager");

    let shapes = [
        json!({"op": "Add", "path": "manager", "value": [{"$ref": null, "value": "mgr-1"}]}),
        json!({"op": "Replace", "path": manager, "value": "mgr-2"}),
        json!({"op": "Replace", "path": manager, "value": {"value": "mgr-3"}}),
    ];
    for (i, op) in shapes.into_iter().enumerate() {
        let reply = app.patch(&path, &patch(json!([op]))).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let expected = format!("mgr-{}", i + 1);
        assert_eq!(
            reply.body[ENTERPRISE]["manager"]["value"],
            expected.as_str()
        );
        assert_eq!(
            app.connect_user(name).unwrap()["Tags"]["scim:manager"],
            expected.as_str()
        );
    }
    let removed = app
        .patch(
            &path,
            &patch(json!([{"op": "Replace", "path": manager, "value": {"value": ""}}])),
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(removed.body[ENTERPRISE].get("manager").is_none());
    assert!(
        app.connect_user(name).unwrap()["Tags"]
            .get("scim:manager")
            .is_none()
    );
}

#[tokio::test]
async fn entra_hard_delete_removes_the_agent_and_a_second_delete_is_404() {
    let app = TestApp::spawn().await;
    let name = "gone@contoso.com";
    let id = app.create_user(&entra_user(name, "Agent")).await;
    let reply = app.delete(&format!("/Users/{id}")).await;
    assert_eq!(reply.status, 204);
    assert!(app.connect_user(name).is_none());
    app.get(&format!("/Users/{id}"))
        .await
        .assert_scim_error(404, None);
    app.delete(&format!("/Users/{id}"))
        .await
        .assert_scim_error(404, None);
}

#[tokio::test]
async fn entra_pathless_replace_with_dotted_and_urn_keys_is_applied() {
    let app = TestApp::spawn().await;
    let name = "dot@contoso.com";
    let id = app.create_user(&entra_user(name, "Agent")).await;
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &patch(json!([{"op": "replace", "value": {
                "name.givenName": "Dot",
                format!("{ENTERPRISE}:department"): "QualityAnalyst",
                "active": false
            }}])),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let connect = app.connect_user(name).unwrap();
    assert_eq!(connect["IdentityInfo"]["FirstName"], "Dot");
    assert_eq!(
        connect["Tags"]["scim:restore.1"].as_str(),
        app.sim.security_profile_id("QualityAnalyst").as_deref()
    );
    assert_eq!(
        app.profile_ids(name),
        app.profile_ids_named(&["SCIM-Disabled"])
    );
}

#[tokio::test]
async fn entra_validator_filters_with_literal_quotes_and_another_case() {
    let app = TestApp::spawn().await;
    let name = "Case.User@contoso.com";
    assert_eq!(
        app.post("/Users", &entra_user(name, "Agent")).await.status,
        201
    );
    for query in [
        "/Users?filter=userName+eq+\"Case.User%40contoso.com\"",
        "/Users?filter=userName%20eq%20%22case.user%40CONTOSO.com%22",
    ] {
        let reply = app.get(query).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["totalResults"], 1, "{query}");
        assert_eq!(reply.body["Resources"][0]["userName"], name);
    }
}

#[tokio::test]
async fn entra_patch_with_no_operations_changes_nothing() {
    let app = TestApp::spawn().await;
    let name = "noop@contoso.com";
    let id = app.create_user(&entra_user(name, "Agent")).await;
    let before = app.connect_user(name).unwrap();
    app.reset_stats();
    let reply = app.patch(&format!("/Users/{id}"), &patch(json!([]))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(app.stats().total, 1, "one DescribeUser: {:?}", app.stats());
    assert_eq!(app.connect_user(name).unwrap(), before);
}

#[tokio::test]
async fn entra_validator_patch_without_schemas_is_accepted_but_a_wrong_schema_is_not() {
    let app = TestApp::spawn().await;
    let name = "bare@contoso.com";
    let id = app.create_user(&entra_user(name, "Agent")).await;
    let bare =
        json!({"Operations": [{"op": "Replace", "path": "name.familyName", "value": "Postel"}]});
    let reply = app.patch(&format!("/Users/{id}"), &bare).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        app.connect_user(name).unwrap()["IdentityInfo"]["LastName"],
        "Postel"
    );

    let wrong = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "Operations": [{"op": "Replace", "path": "name.familyName", "value": "Strict"}]
    });
    let reply = app.patch(&format!("/Users/{id}"), &wrong).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.body["scimType"], "invalidSyntax");
    assert_eq!(
        app.connect_user(name).unwrap()["IdentityInfo"]["LastName"],
        "Postel"
    );
}
