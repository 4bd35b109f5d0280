//! Routing proficiencies through the Connect extension: added, changed and
//! removed as the diff of what the user holds, in either form (objects, or
//! Entra's one string), checked against the instance's predefined attributes.

use serde_json::{Value, json};

use crate::app::TestApp;

const EXT: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User";

fn agent(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", EXT],
        "userName": username,
        "name": {"givenName": "Rosa", "familyName": "Diaz"},
        EXT: {"proficiencies": [{"attribute": "Language", "value": "English", "level": 4}]}
    })
}

fn patch(op: &str, value: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": op, "path": format!("{EXT}:proficiencies"), "value": value}]})
}

fn held(app: &TestApp, id: &str) -> Vec<(String, String, f64)> {
    let mut all = app.sim.user_proficiencies(id);
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    all
}

fn p(attribute: &str, value: &str, level: f64) -> (String, String, f64) {
    (attribute.into(), value.into(), level)
}

#[tokio::test]
async fn a_proficiency_added_changed_and_removed_shows_in_connect() {
    let app = TestApp::spawn().await;
    let created = app.post("/Users", &agent("rosa")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body[EXT]["proficiencies"][0]["value"], "English");
    assert_eq!(held(&app, &id), vec![p("Language", "English", 4.0)]);

    // Added (PATCH add keeps what the user holds).
    app.reset_stats();
    let added = app
        .patch(
            &format!("/Users/{id}"),
            &patch(
                "add",
                json!([{"attribute": "Skill", "value": "billing", "level": 2}]),
            ),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(
        held(&app, &id),
        vec![p("Language", "English", 4.0), p("Skill", "Billing", 2.0)],
        "the value takes the predefined spelling"
    );
    // DescribeUser, ListUserProficiencies, DescribePredefinedAttribute (Skill,
    // cold), AssociateUserProficiencies.
    assert_eq!(app.stats().total, 4, "{:?}", app.stats());

    // Changed, in Entra's string form.
    app.reset_stats();
    let changed = app
        .patch(
            &format!("/Users/{id}"),
            &patch("replace", json!("Language:English=5;Skill:Billing=2")),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        held(&app, &id),
        vec![p("Language", "English", 5.0), p("Skill", "Billing", 2.0)]
    );
    // DescribeUser, ListUserProficiencies, UpdateUserProficiencies (warm cache).
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
    assert_eq!(app.calls("UpdateUserProficiencies"), 1);

    // Removed.
    app.reset_stats();
    let removed = app
        .patch(
            &format!("/Users/{id}"),
            &patch("replace", json!("Language:English=5")),
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(held(&app, &id), vec![p("Language", "English", 5.0)]);
    assert_eq!(app.calls("DisassociateUserProficiencies"), 1);
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());

    // A write that does not name them neither reads nor writes them.
    app.reset_stats();
    let renamed = app
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "name.givenName", "value": "Rosalind"}]}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(app.calls("ListUserProficiencies"), 0, "{:?}", app.stats());
    assert_eq!(held(&app, &id), vec![p("Language", "English", 5.0)]);

    // GET shows them only when asked (one more call).
    app.reset_stats();
    let plain = app.get(&format!("/Users/{id}")).await;
    assert!(
        plain.body[EXT].get("proficiencies").is_none(),
        "{}",
        plain.body
    );
    assert_eq!(app.stats().total, 1);
    let asked = app
        .get(&format!("/Users/{id}?attributes={EXT}:proficiencies"))
        .await;
    assert_eq!(
        asked.body[EXT]["proficiencies"][0]["level"], 5.0,
        "{}",
        asked.body
    );
    assert_eq!(app.calls("ListUserProficiencies"), 1);

    // Removed entirely.
    let none = app
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "remove", "path": format!("{EXT}:proficiencies")}]}),
        )
        .await;
    assert_eq!(none.status, 200, "{}", none.body);
    assert!(held(&app, &id).is_empty());
}

#[tokio::test]
async fn unknown_predefined_attributes_or_values_are_a_400_naming_them() {
    let app = TestApp::spawn().await;
    let id = app.create_user(&agent("kim")).await;
    app.reset_stats();
    let reply = app
        .patch(
            &format!("/Users/{id}"),
            &patch(
                "replace",
                json!("Language:Klingon=3;Tech:Rust=2;Skill:Sales=1"),
            ),
        )
        .await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("value 'Klingon' of 'Language'"), "{detail}");
    assert!(detail.contains("attribute 'Tech'"), "{detail}");
    assert!(!detail.contains("Sales"), "{detail}");
    assert_eq!(held(&app, &id), vec![p("Language", "English", 4.0)]);
    for write in [
        "AssociateUserProficiencies",
        "UpdateUserProficiencies",
        "DisassociateUserProficiencies",
    ] {
        assert_eq!(app.calls(write), 0, "{write}");
    }

    let bad_level = app
        .patch(
            &format!("/Users/{id}"),
            &patch("replace", json!("Language:English=7")),
        )
        .await;
    bad_level.assert_scim_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn the_whole_extension_writes_the_proficiencies_it_names_and_its_removal_removes_them() {
    let app = TestApp::spawn().await;
    let created = app.post("/Users", &agent("whole")).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    let ops = |ops: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});

    // An add of the extension object that does not name them leaves them,
    // without reading them.
    app.reset_stats();
    let phone = app
        .patch(
            &path,
            &ops(json!([{"op": "add", "path": EXT, "value": {"autoAccept": true}}])),
        )
        .await;
    assert_eq!(phone.status, 200, "{}", phone.body);
    assert_eq!(app.calls("ListUserProficiencies"), 0, "{:?}", app.stats());
    assert_eq!(held(&app, &id), vec![p("Language", "English", 4.0)]);

    // One that names them adds them, and shows them.
    let added = app
        .patch(
            &path,
            &ops(
                json!([{"op": "add", "path": EXT, "value": {"proficiencies": [
                {"attribute": "Skill", "value": "Billing", "level": 2}]}}]),
            ),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(
        held(&app, &id),
        vec![p("Language", "English", 4.0), p("Skill", "Billing", 2.0)]
    );
    assert_eq!(
        added.body[EXT]["proficiencies"].as_array().unwrap().len(),
        2
    );

    // Removing the extension removes them.
    let removed = app
        .patch(&path, &ops(json!([{"op": "remove", "path": EXT}])))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(held(&app, &id), vec![]);
}
