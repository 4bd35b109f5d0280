//! What a Group shows besides its members: `meta.lastModified` as Connect
//! holds it (the profile's LastModifiedTime) on every answer, `meta.created`
//! where SCIM created the profile, and `externalId` and renamed displayNames
//! in lists, read with SearchSecurityProfiles at the profile cache's pace.

use std::time::Duration;

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::{TestApp, patch};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// A `meta` dateTime of an answer.
fn at(value: &Value) -> OffsetDateTime {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a dateTime: {value}"));
    OffsetDateTime::parse(text, &Rfc3339).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The profile's LastModifiedTime as the simulator holds it.
fn connect_modified(app: &TestApp, id: &str) -> OffsetDateTime {
    let profile = app.sim.security_profile(id).expect("the profile");
    let seconds = profile["LastModifiedTime"]
        .as_f64()
        .expect("LastModifiedTime");
    OffsetDateTime::from_unix_timestamp_nanos((seconds * 1e9).round() as i128).unwrap()
}

/// Whether two instants are the same to the millisecond (Connect's precision).
fn same_ms(a: OffsetDateTime, b: OffsetDateTime) -> bool {
    (a - b).abs() < time::Duration::milliseconds(1)
}

/// Asserts `t` lies between two instants taken around a request.
fn between(t: OffsetDateTime, before: OffsetDateTime, after: OffsetDateTime) {
    assert!(
        before - time::Duration::milliseconds(1) <= t && t <= after,
        "{t} not within the request ({before} .. {after})"
    );
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[tokio::test]
async fn every_group_answer_carries_last_modified_as_connect_holds_it() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("GROUP_PATCH_RESPONSE", "resource")],
    )
    .await;
    let user = app
        .create_user(
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                             "userName": "meta@example.com",
                             "name": {"givenName": "Meta", "familyName": "Agent"}}),
        )
        .await;

    // POST: the profile was just created; its time is this request's.
    let before = now();
    let created = app
        .post(
            "/Groups",
            &json!({"schemas": [GROUP], "displayName": "Night Desk", "externalId": "ext-1"}),
        )
        .await;
    let after = now();
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{id}");
    between(at(&created.body["meta"]["lastModified"]), before, after);
    assert!(at(&created.body["meta"]["created"]) <= at(&created.body["meta"]["lastModified"]));

    // GET and a list: exactly Connect's LastModifiedTime.
    let read = app.get(&path).await;
    let modified = connect_modified(&app, &id);
    assert!(
        same_ms(at(&read.body["meta"]["lastModified"]), modified),
        "{}",
        read.body
    );
    let listed = app
        .get("/Groups?filter=displayName%20eq%20%22Night%20Desk%22")
        .await;
    let group = &listed.body["Resources"][0];
    assert!(
        same_ms(at(&group["meta"]["lastModified"]), modified),
        "{group}"
    );
    assert_eq!(group["meta"]["created"], created.body["meta"]["created"]);

    // A membership change lives on the user: the profile is not modified.
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": user}]}]));
    let reply = app.patch(&path, &add).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        same_ms(at(&reply.body["meta"]["lastModified"]), modified),
        "{}",
        reply.body
    );
    assert!(same_ms(connect_modified(&app, &id), modified));

    // PUT with a new externalId and PATCH with a new name write the
    // profile's tags, which moves its LastModifiedTime.
    let before = now();
    let put = app
        .put(
            &path,
            &json!({"schemas": [GROUP], "displayName": "Night Desk", "externalId": "ext-2"}),
        )
        .await;
    let after = now();
    assert_eq!(put.status, 200, "{}", put.body);
    between(at(&put.body["meta"]["lastModified"]), before, after);
    between(connect_modified(&app, &id), before, after);

    let before = now();
    let renamed = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "displayName", "value": "Night Owls"}])),
        )
        .await;
    let after = now();
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["displayName"], "Night Owls");
    between(at(&renamed.body["meta"]["lastModified"]), before, after);
    let read = app.get(&path).await;
    assert!(same_ms(
        at(&read.body["meta"]["lastModified"]),
        connect_modified(&app, &id)
    ));
    assert_eq!(
        read.body["meta"]["created"],
        created.body["meta"]["created"]
    );
}

#[tokio::test]
async fn a_linked_administrator_profile_shows_last_modified_but_no_invented_created() {
    let app = TestApp::spawn().await;
    let manager = app.sim.security_profile_id("CallCenterManager").unwrap();
    let before = now();
    let linked = app
        .post("/Groups", &json!({"displayName": "CallCenterManager"}))
        .await;
    let after = now();
    assert_eq!(linked.status, 201, "{}", linked.body);
    between(at(&linked.body["meta"]["lastModified"]), before, after);
    assert!(
        linked.body["meta"].get("created").is_none(),
        "{}",
        linked.body
    );

    let read = app.get(&format!("/Groups/{manager}")).await;
    assert!(same_ms(
        at(&read.body["meta"]["lastModified"]),
        connect_modified(&app, &manager)
    ));
    assert!(read.body["meta"].get("created").is_none(), "{}", read.body);
    // An unlinked profile in a list: Connect's time too.
    let agent = app.sim.security_profile_id("Agent").unwrap();
    let list = app
        .get("/Groups?filter=displayName%20eq%20%22Agent%22")
        .await;
    assert!(same_ms(
        at(&list.body["Resources"][0]["meta"]["lastModified"]),
        connect_modified(&app, &agent)
    ));
}

/// Tags `n` new administrator profiles as groups another process linked.
fn groups_linked_elsewhere(app: &TestApp, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let id = app.sim.add_security_profile(&format!("Linked {i:03}"));
            let external = format!("ext-{i:03}");
            assert!(app.sim.tag_security_profile(
                &id,
                &[("scim:group", "linked"), ("scim:externalId", &external)]
            ));
            id
        })
        .collect()
}

#[tokio::test]
async fn lists_show_every_groups_external_id_for_one_search_per_hundred_groups_when_cold() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("PROFILE_CACHE_TTL_SECONDS", "2"), ("MAX_PAGE_SIZE", "200")],
    )
    .await;
    app.sim.disable_quota();
    let ids = groups_linked_elsewhere(&app, 120);
    app.reset_stats();

    // Cold: the profile list, and 2 pages of SearchSecurityProfiles (100 each)
    // for the tags of the 120 groups.
    let list = app
        .get("/Groups?attributes=externalId&startIndex=1&count=200")
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let shown = |list: &Value, id: &str| -> Value {
        list["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == id)
            .map(|g| g["externalId"].clone())
            .unwrap_or(Value::Null)
    };
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(shown(&list.body, id), format!("ext-{i:03}"), "{id}");
    }
    assert_eq!(app.calls("ListSecurityProfiles"), 1, "{:?}", app.stats());
    assert_eq!(app.calls("SearchSecurityProfiles"), 2, "{:?}", app.stats());
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());

    // Warm: lists and lookups by externalId cost nothing.
    app.reset_stats();
    let found = app
        .get("/Groups?filter=externalId%20eq%20%22ext-007%22")
        .await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
    assert_eq!(found.body["Resources"][0]["id"], ids[7].as_str());
    assert_eq!(app.stats().total, 0, "{:?}", app.stats());

    // Another process renames a group and changes an externalId: seen once
    // the cache's TTL has passed, for the same 3 calls.
    assert!(app.sim.tag_security_profile(
        &ids[7],
        &[
            ("scim:externalId", "ext-new"),
            ("scim:displayName", "Renamed Elsewhere")
        ]
    ));
    let stale = app
        .get("/Groups?attributes=externalId,displayName&count=200")
        .await;
    assert_eq!(shown(&stale.body, &ids[7]), "ext-007");
    assert_eq!(app.stats().total, 0, "{:?}", app.stats());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let fresh = app
        .get("/Groups?filter=displayName%20eq%20%22renamed%20elsewhere%22")
        .await;
    assert_eq!(fresh.body["totalResults"], 1, "{}", fresh.body);
    assert_eq!(fresh.body["Resources"][0]["id"], ids[7].as_str());
    assert_eq!(fresh.body["Resources"][0]["externalId"], "ext-new");
    assert_eq!(app.stats().total, 3, "{:?}", app.stats());
}
