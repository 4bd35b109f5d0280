//! Groups as Amazon Connect security profiles: Okta Group Push and Entra group
//! provisioning replayed (shared/reference/idp-behaviour.md §1.2 G, §2.2),
//! asserting every user's security profiles in the simulator after each step
//! and the Connect calls each step costs.

use std::time::{Duration, Instant};

use connect_scim::connect::aws::{AwsConnect, simulator_client};
use connect_scim::connect::simulator::SimulatorConfig;
use connect_scim::connect::{Connect, NewUser, PhoneConfig, Tags};
use serde_json::{Value, json};

use crate::app::{TestApp, patch};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ADSCIM_GROUP: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

fn user(username: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": true, "value": username, "type": "work"}],
        "entitlements": [{"value": "Agent"}],
        "active": true
    })
}

/// Creates users over SCIM, assigned Agent (so group grants add to it; a
/// user given only the default fallback is in `default_profiles.rs`);
/// returns their ids.
async fn create_users(app: &TestApp, names: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names {
        let reply = app.post("/Users", &user(name)).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        ids.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// The Connect calls since the last step (printed for the report), then zeroes them.
fn step(app: &TestApp, name: &str) -> u64 {
    let stats = app.stats();
    eprintln!("{name}: {} Connect calls {:?}", stats.total, stats.calls);
    app.reset_stats();
    stats.total
}

/// Asserts each user's security profiles by name.
fn assert_profiles(app: &TestApp, expected: &[(&str, &[&str])]) {
    for (username, names) in expected {
        assert_eq!(
            app.profile_ids(username),
            app.profile_ids_named(names),
            "{username} should hold {names:?}"
        );
    }
}

fn member_values(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[tokio::test]
async fn okta_group_push_creates_moves_members_replaces_and_deletes() {
    let app = TestApp::spawn().await;
    let names = ["ann@example.com", "bob@example.com", "cat@example.com"];
    let [ann, bob, cat] = <[String; 3]>::try_from(create_users(&app, &names).await).unwrap();
    let [ann_name, bob_name, cat_name] = names;
    app.reset_stats();

    // 0. Lookup by displayName (Okta appends paging parameters).
    let lookup = app
        .get("/Groups?filter=displayName%20eq%20%22Tier%202%22&startIndex=1&count=100")
        .await;
    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert_eq!(lookup.body["totalResults"], 0);
    // The first lookup of the process reads every group's tags (externalId,
    // renamed displayNames): 1 SearchSecurityProfiles per 100 groups.
    assert_eq!(step(&app, "okta first lookup of the process"), 1);
    let again = app
        .get("/Groups?filter=displayName%20eq%20%22Tier%202%22&startIndex=1&count=100")
        .await;
    assert_eq!(again.body["totalResults"], 0);
    assert_eq!(step(&app, "okta lookup"), 0);

    // 1. Create with a member already provisioned.
    let created = app
        .post(
            "/Groups",
            &json!({"schemas": [GROUP], "displayName": "Tier 2",
                    "members": [{"value": ann, "display": ann_name}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let gid = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.sim.security_profile_id("Tier 2").as_deref(),
        Some(gid.as_str())
    );
    assert_eq!(created.body["displayName"], "Tier 2");
    assert_eq!(member_values(&created.body), vec![ann.clone()]);
    assert_eq!(
        created.headers["location"].to_str().unwrap(),
        format!("{}/Groups/{gid}", app.base)
    );
    assert_profiles(
        &app,
        &[(ann_name, &["Agent", "Tier 2"]), (bob_name, &["Agent"])],
    );
    assert!(step(&app, "okta create with 1 member") <= 4);

    // 2. The name PATCH Okta sends on every push: same name, a no-op.
    let path = format!("/Groups/{gid}");
    let same_name =
        patch(json!([{"op": "replace", "value": {"id": gid, "displayName": "Tier 2"}}]));
    let reply = app.patch(&path, &same_name).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(step(&app, "okta same-name replace"), 0);

    // 3. Membership: remove one, add two, one request.
    let reply = app
        .patch(
            &path,
            &patch(json!([
                {"op": "remove", "path": format!("members[value eq \"{ann}\"]")},
                {"op": "add", "path": "members", "value": [
                    {"value": bob, "display": bob_name}, {"value": cat, "display": cat_name}]}
            ])),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_profiles(
        &app,
        &[
            (ann_name, &["Agent"]),
            (bob_name, &["Agent", "Tier 2"]),
            (cat_name, &["Agent", "Tier 2"]),
        ],
    );
    // + 1 DescribeUser for the member written moments before (index lag).
    assert!(step(&app, "okta remove 1 + add 2") <= 5);

    let read = app.get(&path).await;
    assert_eq!(read.status, 200, "{}", read.body);
    let mut expected = vec![bob.clone(), cat.clone()];
    expected.sort();
    assert_eq!(member_values(&read.body), expected);
    let bob_member = read.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["value"] == bob.as_str())
        .unwrap();
    assert!(
        bob_member.get("display").is_none(),
        "RFC 7643 §8.7.1 members have no display"
    );
    assert_eq!(bob_member["$ref"], format!("{}/Users/{bob}", app.base));
    assert!(step(&app, "okta get with members") <= 3);

    // 4. Full push: replace the members.
    let reply = app
        .patch(
            &path,
            &patch(json!([{"op": "replace", "path": "members", "value": [
                {"value": ann, "display": ann_name}, {"value": cat, "display": cat_name}]}])),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_profiles(
        &app,
        &[
            (ann_name, &["Agent", "Tier 2"]),
            (bob_name, &["Agent"]),
            (cat_name, &["Agent", "Tier 2"]),
        ],
    );
    // + 2 DescribeUser for the members written moments before (index lag).
    assert!(step(&app, "okta full replace (1 in, 1 out, 1 kept)") <= 7);

    // 5. Rename: the profile keeps its name in Connect; the group's new
    // displayName is one scim:displayName tag, and lookups find it.
    let rename = patch(json!([{"op": "replace", "value": {"id": gid, "displayName": "Tier Two"}}]));
    let reply = app.patch(&path, &rename).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        app.sim.security_profile_id("Tier 2").as_deref(),
        Some(gid.as_str())
    );
    assert_eq!(step(&app, "okta rename"), 1);
    let found = app
        .get("/Groups?filter=displayName%20eq%20%22Tier%20Two%22&startIndex=1&count=100")
        .await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
    assert_eq!(found.body["Resources"][0]["id"], gid.as_str());
    assert_eq!(found.body["Resources"][0]["displayName"], "Tier Two");
    assert_eq!(step(&app, "okta lookup by the new name"), 0);
    app.post(
        "/Groups",
        &json!({"schemas": [GROUP], "displayName": "tier two"}),
    )
    .await
    .assert_scim_error(409, Some("uniqueness"));
    assert_eq!(step(&app, "okta push of the new name again"), 0);
    assert_eq!(app.get(&path).await.body["displayName"], "Tier Two");
    app.reset_stats();

    // 6. Delete: members lose the profile, the profile SCIM created is deleted.
    let reply = app.delete(&path).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(app.sim.security_profile_id("Tier 2"), None);
    assert_profiles(
        &app,
        &[
            (ann_name, &["Agent"]),
            (bob_name, &["Agent"]),
            (cat_name, &["Agent"]),
        ],
    );
    // + 2 DescribeUser for the members written moments before (index lag).
    assert!(step(&app, "okta delete (2 members)") <= 8);
    app.get(&path).await.assert_scim_error(404, None);
    app.delete(&path).await.assert_scim_error(404, None);
}

#[tokio::test]
async fn entra_group_provisioning_creates_adds_removes_both_shapes_and_deletes() {
    let app = TestApp::spawn().await;
    let names = ["adele@contoso.com", "lee@contoso.com", "nestor@contoso.com"];
    let [adele, lee, nestor] = <[String; 3]>::try_from(create_users(&app, &names).await).unwrap();
    let [adele_name, lee_name, nestor_name] = names;
    app.reset_stats();

    let lookup = app
        .get("/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales%22")
        .await;
    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert_eq!(lookup.body["totalResults"], 0);
    // The process's first lookup reads every group's tags: 1 SearchSecurityProfiles.
    assert_eq!(step(&app, "entra first lookup of the process"), 1);

    let created = app
        .post(
            "/Groups",
            &json!({"schemas": [GROUP, ADSCIM_GROUP], "externalId": "8aa1a0c0-objectid",
                    "displayName": "Sales"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["externalId"], "8aa1a0c0-objectid");
    assert!(created.body.get("members").is_none());
    let gid = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(step(&app, "entra create"), 1);

    let path = format!("/Groups/{gid}");
    let read = app.get(&format!("{path}?excludedAttributes=members")).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["externalId"], "8aa1a0c0-objectid");
    assert_eq!(read.body["displayName"], "Sales");
    assert!(read.body.get("members").is_none());
    assert_eq!(step(&app, "entra get excluding members"), 1);

    let add = patch(json!([{"op": "Add", "path": "members", "value": [
        {"$ref": null, "value": adele}, {"$ref": null, "value": lee}, {"$ref": null, "value": nestor}]}]));
    let reply = app.patch(&path, &add).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    for name in names {
        assert_profiles(&app, &[(name, &["Agent", "Sales"])]);
    }
    assert!(step(&app, "entra add 3") <= 4);

    // Remove, default dialect: a value list on path members.
    let remove_list =
        patch(json!([{"op": "Remove", "path": "members", "value": [{"value": adele}]}]));
    let reply = app.patch(&path, &remove_list).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_profiles(
        &app,
        &[(adele_name, &["Agent"]), (lee_name, &["Agent", "Sales"])],
    );
    // + 1 DescribeUser: the member was written moments before (within the
    // search index's lag), so its search read is confirmed before the write.
    assert!(step(&app, "entra remove (value list)") <= 3);

    // Remove, aadOptscim062020 dialect: a value filter in the path.
    let remove_filter =
        patch(json!([{"op": "remove", "path": format!("members[value eq \"{lee}\"]")}]));
    let reply = app.patch(&path, &remove_filter).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_profiles(
        &app,
        &[
            (adele_name, &["Agent"]),
            (lee_name, &["Agent"]),
            (nestor_name, &["Agent", "Sales"]),
        ],
    );
    // + 1 DescribeUser for the member written moments before (index lag).
    assert!(step(&app, "entra remove (value filter)") <= 3);

    // The groups of one user: one DescribeUser.
    let of_nestor = app
        .get(&format!(
            "/Groups?filter=members.value+eq+%22{nestor}%22&excludedAttributes=members"
        ))
        .await;
    assert_eq!(of_nestor.status, 200, "{}", of_nestor.body);
    let mut groups: Vec<&str> = of_nestor.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    groups.sort();
    assert_eq!(groups, ["Agent", "Sales"]);
    assert_eq!(step(&app, "entra groups of a user"), 1);

    let reply = app.delete(&path).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(app.sim.security_profile_id("Sales"), None);
    assert_profiles(&app, &[(nestor_name, &["Agent"])]);
    // + 1 DescribeUser for the member written moments before (index lag).
    assert!(step(&app, "entra delete (1 member)") <= 6);
    app.delete(&path).await.assert_scim_error(404, None);
}

#[tokio::test]
async fn a_deactivated_member_changes_only_the_profiles_to_restore() {
    let app = TestApp::spawn().await;
    let name = "night@example.com";
    let [uid] = <[String; 1]>::try_from(create_users(&app, &[name]).await).unwrap();
    let created = app
        .post(
            "/Groups",
            &json!({"displayName": "Night Shift", "members": [{"value": uid}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/Groups/{}", created.body["id"].as_str().unwrap());
    assert_profiles(&app, &[(name, &["Agent", "Night Shift"])]);

    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    assert_eq!(app.patch(&format!("/Users/{uid}"), &off).await.status, 200);
    assert_profiles(&app, &[(name, &["SCIM-Disabled"])]);

    // Still a member while deactivated: found through the restore tags.
    let read = app.get(&path).await;
    assert_eq!(member_values(&read.body), vec![uid.clone()]);

    app.reset_stats();
    let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{uid}\"]")}]));
    assert_eq!(app.patch(&path, &remove).await.status, 204);
    assert_profiles(&app, &[(name, &["SCIM-Disabled"])]);
    assert_eq!(app.calls("UpdateUserSecurityProfiles"), 0);
    assert!(
        app.get(&path).await.body["members"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let on = patch(json!([{"op": "replace", "value": {"active": true}}]));
    assert_eq!(app.patch(&format!("/Users/{uid}"), &on).await.status, 200);
    assert_profiles(&app, &[(name, &["Agent"])]);
}

#[tokio::test]
async fn unknown_members_are_skipped_the_rest_applied_and_a_last_profile_falls_back_to_the_default()
{
    let app = TestApp::spawn().await;
    let names = ["one@example.com"];
    let [uid] = <[String; 1]>::try_from(create_users(&app, &names).await).unwrap();
    let created = app.post("/Groups", &json!({"displayName": "Solo"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let gid = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{gid}");

    // An id no Connect user has (a user deleted behind the IdP's back) is
    // skipped after DescribeUser confirms it; the valid member is added.
    app.reset_stats();
    let add = patch(json!([{"op": "add", "path": "members",
                            "value": [{"value": uid}, {"value": "no-such-user-id"}]}]));
    let reply = app.patch(&path, &add).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_profiles(&app, &[("one@example.com", &["Agent", "Solo"])]);
    assert_eq!(app.calls("SearchUsers"), 1, "{:?}", app.stats());
    assert_eq!(app.calls("DescribeUser"), 1, "{:?}", app.stats());
    assert_eq!(app.calls("UpdateUserSecurityProfiles"), 1);
    assert_eq!(member_values(&app.get(&path).await.body), vec![uid.clone()]);

    // Sent again, the id is known to be no user: no DescribeUser this time.
    app.reset_stats();
    assert_eq!(app.patch(&path, &add).await.status, 204);
    assert_eq!(app.calls("DescribeUser"), 0, "{:?}", app.stats());

    // A replace keeps its known members and skips the unknown one; a POST
    // naming only unknown members creates the group without them.
    let replace = patch(json!([{"op": "replace", "path": "members",
                                "value": [{"value": uid}, {"value": "gone-too"}]}]));
    assert_eq!(app.patch(&path, &replace).await.status, 204);
    assert_profiles(&app, &[("one@example.com", &["Agent", "Solo"])]);
    let ghosts = app
        .post(
            "/Groups",
            &json!({"displayName": "Ghosts", "members": [{"value": "nobody"}]}),
        )
        .await;
    assert_eq!(ghosts.status, 201, "{}", ghosts.body);
    assert_eq!(ghosts.body["members"], json!([]));
    assert!(app.sim.security_profile_id("Ghosts").is_some());

    // A user whose only profile is the group gets DEFAULT_SECURITY_PROFILES when removed.
    let only = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                      "userName": "solo@example.com", "name": {"givenName": "Solo", "familyName": "Agent"}, "entitlements": [{"value": "Solo"}]});
    let solo = app.post("/Users", &only).await;
    assert_eq!(solo.status, 201, "{}", solo.body);
    assert_profiles(&app, &[("solo@example.com", &["Solo"])]);
    let solo_id = solo.body["id"].as_str().unwrap();
    let remove = patch(json!([{"op": "remove", "path": "members", "value": [{"value": solo_id}]}]));
    assert_eq!(app.patch(&path, &remove).await.status, 204);
    assert_profiles(&app, &[("solo@example.com", &["Agent"])]);
}

#[tokio::test]
async fn a_user_scim_does_not_manage_is_still_refused_whole_beside_an_unknown_id() {
    let app = TestApp::spawn().await;
    let [managed] =
        <[String; 1]>::try_from(create_users(&app, &["managed@example.com"]).await).unwrap();
    app.sim.add_agents("console-admin", 1, &[]);
    let console = app.connect_user("console-admin0").unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app
        .post("/Groups", &json!({"displayName": "Guarded"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/Groups/{}", created.body["id"].as_str().unwrap());
    app.reset_stats();
    let add = patch(json!([{"op": "add", "path": "members", "value": [
        {"value": managed}, {"value": console}, {"value": "no-such-user-id"}]}]));
    let reply = app.patch(&path, &add).await;
    reply.assert_scim_error(400, Some("invalidValue"));
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains(&console) && detail.contains("not provisioned by SCIM"),
        "{detail}"
    );
    assert_profiles(&app, &[("managed@example.com", &["Agent"])]);
    assert_eq!(app.calls("UpdateUserSecurityProfiles"), 0);
}

#[tokio::test]
async fn okta_aiw_put_replaces_the_members_and_a_new_name_renames() {
    let app = TestApp::spawn().await;
    let names = ["put1@example.com", "put2@example.com"];
    let [one, two] = <[String; 2]>::try_from(create_users(&app, &names).await).unwrap();
    let created = app
        .post(
            "/Groups",
            &json!({"displayName": "Escalations", "members": [{"value": one}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let gid = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{gid}");

    // Okta AIW: GET, then PUT the whole group back with the new members.
    let mut group = app.get(&path).await.body;
    group["members"] = json!([{"value": two, "display": names[1]}]);
    app.reset_stats();
    let put = app.put(&path, &group).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(member_values(&put.body), vec![two.clone()]);
    assert_profiles(
        &app,
        &[
            (names[0], &["Agent"]),
            (names[1], &["Agent", "Escalations"]),
        ],
    );
    // + 1 DescribeUser for the member written moments before (index lag).
    assert!(step(&app, "okta AIW put (1 in, 1 out)") <= 7);

    group["displayName"] = json!("Escalation Desk");
    app.reset_stats();
    let renamed = app.put(&path, &group).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["displayName"], "Escalation Desk");
    assert_profiles(&app, &[(names[1], &["Agent", "Escalations"])]);
    assert_eq!(app.get(&path).await.body["displayName"], "Escalation Desk");
}

#[tokio::test]
async fn entra_group_rename_by_patch_and_put_is_found_by_the_new_name() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/Groups",
            &json!({"schemas": [GROUP], "displayName": "Store 12", "externalId": "9f1c"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(
        created.body["meta"]["created"]
            .as_str()
            .is_some_and(|c| c.ends_with('Z'))
    );
    let gid = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{gid}");

    // Entra's PATCH: a capitalized Replace of displayName by path, a name
    // AWS's tag characters cannot hold as it is.
    let reply = app
        .patch(
            &path,
            &patch(json!([{"op": "Replace", "path": "displayName", "value": "Store 12 (Retail, Nord) ✓"}])),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    app.reset_stats();
    let found = app
        .get("/Groups?excludedAttributes=members&filter=displayName+eq+%22Store%2012%20(Retail%2C%20Nord)%20%E2%9C%93%22")
        .await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
    assert_eq!(found.body["Resources"][0]["id"], gid.as_str());
    assert_eq!(app.stats().total, 0, "{:?}", app.stats());

    // Entra's PUT with yet another name, then back to the profile's own.
    let put = app
        .put(
            &path,
            &json!({"schemas": [GROUP], "displayName": "Store Twelve", "externalId": "9f1c"}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body["displayName"], "Store Twelve");
    assert_eq!(put.body["meta"]["created"], created.body["meta"]["created"]);
    let back = app
        .patch(
            &path,
            &patch(json!([{"op": "Replace", "path": "displayName", "value": "Store 12"}])),
        )
        .await;
    assert_eq!(back.status, 204, "{}", back.body);
    assert_eq!(app.get(&path).await.body["displayName"], "Store 12");

    // A name another profile has is refused, nothing written.
    app.patch(
        &path,
        &patch(json!([{"op": "Replace", "path": "displayName", "value": "Agent"}])),
    )
    .await
    .assert_scim_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn with_group_rename_refuse_a_new_display_name_is_400_mutability() {
    let app = TestApp::spawn_with(SimulatorConfig::default(), &[("GROUP_RENAME", "refuse")]).await;
    let created = app.post("/Groups", &json!({"displayName": "Fixed"})).await;
    let gid = created.body["id"].as_str().unwrap().to_owned();
    app.reset_stats();
    let reply = app
        .patch(
            &format!("/Groups/{gid}"),
            &patch(json!([{"op": "replace", "value": {"id": gid, "displayName": "Moved"}}])),
        )
        .await;
    reply.assert_scim_error(400, Some("mutability"));
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("GROUP_RENAME")
    );
    assert_eq!(app.stats().total, 0, "{:?}", app.stats());
}

#[tokio::test]
async fn with_profile_source_groups_a_user_put_keeps_group_memberships() {
    let app =
        TestApp::spawn_with(SimulatorConfig::default(), &[("PROFILE_SOURCE", "groups")]).await;
    let name = "kept@example.com";
    let [uid] = <[String; 1]>::try_from(create_users(&app, &[name]).await).unwrap();
    let created = app
        .post(
            "/Groups",
            &json!({"displayName": "Quality", "members": [{"value": uid}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let mut body = user(name);
    body["entitlements"] = json!([{"value": "Admin"}]);
    let put = app.put(&format!("/Users/{uid}"), &body).await;
    assert_eq!(put.status, 200, "{}", put.body);
    // The create's entitlements counted for nothing: the user got the default
    // fallback, which the group grant replaced.
    assert_profiles(&app, &[(name, &["Quality"])]);
}

#[tokio::test]
async fn with_profile_source_attributes_a_later_user_put_with_entitlements_wins() {
    let app = TestApp::spawn().await;
    let name = "overwritten@example.com";
    let [uid] = <[String; 1]>::try_from(create_users(&app, &[name]).await).unwrap();
    let created = app
        .post(
            "/Groups",
            &json!({"displayName": "Quality", "members": [{"value": uid}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_profiles(&app, &[(name, &["Agent", "Quality"])]);
    let mut body = user(name);
    body["entitlements"] = json!([{"value": "QualityAnalyst"}]);
    let put = app.put(&format!("/Users/{uid}"), &body).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_profiles(&app, &[(name, &["QualityAnalyst"])]);
}

#[tokio::test]
async fn linking_an_admin_profile_and_deleting_the_group_only_unlinks_it() {
    let app = TestApp::spawn().await;
    let manager = app.sim.security_profile_id("CallCenterManager").unwrap();
    let linked = app
        .post("/Groups", &json!({"displayName": "callcentermanager"}))
        .await;
    assert_eq!(linked.status, 201, "{}", linked.body);
    assert_eq!(linked.body["id"], manager.as_str());
    assert_eq!(linked.body["displayName"], "CallCenterManager");

    app.post("/Groups", &json!({"displayName": "CallCenterManager"}))
        .await
        .assert_scim_error(409, Some("uniqueness"));
    app.post("/Groups", &json!({"displayName": "SCIM-Disabled"}))
        .await
        .assert_scim_error(400, Some("invalidValue"));

    let path = format!("/Groups/{manager}");
    assert_eq!(app.delete(&path).await.status, 204);
    assert_eq!(
        app.sim.security_profile_id("CallCenterManager"),
        Some(manager.clone())
    );
    app.delete(&path).await.assert_scim_error(404, None); // unlinked: SCIM no longer writes it
    let relinked = app
        .post("/Groups", &json!({"displayName": "CallCenterManager"}))
        .await;
    assert_eq!(relinked.status, 201, "{}", relinked.body);
}

#[tokio::test]
async fn group_create_reject_refuses_a_missing_profile_by_name() {
    let app = TestApp::spawn_with(SimulatorConfig::default(), &[("GROUP_CREATE", "reject")]).await;
    let reply = app
        .post("/Groups", &json!({"displayName": "Brand New"}))
        .await;
    reply.assert_scim_error(400, Some("invalidValue"));
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("'Brand New'")
    );
    assert_eq!(app.sim.security_profile_id("Brand New"), None);
}

#[tokio::test]
async fn group_lists_cost_at_most_the_profile_list_and_lookups_nothing_when_warm() {
    let app = TestApp::spawn().await;
    app.reset_stats();
    let list = app
        .get("/Groups?excludedAttributes=members&startIndex=1&count=100")
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    // Cold: the profile list and the groups' tags (1 SearchSecurityProfiles).
    assert!(step(&app, "list excluding members (cold cache)") <= 2);
    let names: Vec<&str> = list.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Agent") && !names.contains(&"SCIM-Disabled"),
        "{names:?}"
    );
    assert_eq!(list.body["totalResults"], names.len());

    let plain = app.get("/Groups?startIndex=1&count=2").await;
    assert_eq!(plain.body["itemsPerPage"], 2);
    let found = app
        .get("/Groups?filter=displayName%20eq%20%22agent%22")
        .await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
    assert_eq!(found.body["Resources"][0]["displayName"], "Agent");
    assert_eq!(step(&app, "list page + displayName eq (warm cache)"), 0);

    // Members in a list only when asked for: 2 SearchUsers per listed group.
    let with_members = app
        .get("/Groups?attributes=members&filter=displayName%20eq%20%22Agent%22&sortBy=displayName")
        .await;
    assert_eq!(with_members.status, 200, "{}", with_members.body);
    let agent = &with_members.body["Resources"][0];
    assert!(
        agent["members"].is_array() && agent["id"].is_string(),
        "{agent}"
    );
    assert!(
        agent.get("displayName").is_none(),
        "only what attributes asks: {agent}"
    );
    assert_eq!(step(&app, "list with attributes=members (1 group)"), 2);

    let disabled = app.sim.security_profile_id("SCIM-Disabled").unwrap();
    app.get(&format!("/Groups/{disabled}"))
        .await
        .assert_scim_error(404, None);
}

/// Creates `n` Connect users directly (the quota lifted), for a big push.
async fn seed_agents(app: &TestApp, n: usize) -> Vec<String> {
    let connect = AwsConnect::new(
        simulator_client(&app.sim.url()),
        app.sim.instance_id().to_owned(),
    );
    let agent = app.sim.security_profile_id("Agent").unwrap();
    let routing = app.sim.routing_profile_id("Basic Routing Profile").unwrap();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let created = connect
            .create_user(&NewUser {
                username: format!("agent{i:02}"),
                identity: connect_scim::connect::IdentityInfo {
                    first_name: Some("Console".into()),
                    last_name: Some("User".into()),
                    ..Default::default()
                },
                phone: PhoneConfig::default(),
                security_profile_ids: vec![agent.clone()],
                routing_profile_id: routing.clone(),
                hierarchy_group_id: None,
                tags: Tags::from([("scim:managed".to_owned(), "true".to_owned())]),
                password: None,
            })
            .await
            .unwrap();
        ids.push(created.id);
    }
    ids
}

#[tokio::test]
async fn a_forty_member_push_follows_retry_after_and_writes_each_member_once() {
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[("REQUEST_DEADLINE_MS", "5000")],
    )
    .await;
    app.sim.disable_quota();
    let ids = seed_agents(&app, 40).await;
    let created = app
        .post("/Groups", &json!({"displayName": "Big Team"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/Groups/{}", created.body["id"].as_str().unwrap());
    app.sim.set_quota(2.0, 5);
    app.reset_stats();

    let members: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
    let body = patch(json!([{"op": "add", "path": "members", "value": members}]));
    let started = Instant::now();
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 20, "the push does not converge");
        let reply = app.patch(&path, &body).await;
        match reply.status.as_u16() {
            204 => break,
            429 => {
                reply.assert_scim_error(429, None);
                let after: u64 = reply.headers["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                tokio::time::sleep(Duration::from_secs(after)).await;
            }
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    let elapsed = started.elapsed();
    let stats = app.stats();
    eprintln!(
        "40-member push: {rounds} requests, {:.1} s, {} Connect calls {:?}",
        elapsed.as_secs_f64(),
        stats.total,
        stats.calls
    );
    assert!(rounds > 1, "40 writes cannot fit one 5 s request at 2 rps");
    assert_eq!(
        app.calls("UpdateUserSecurityProfiles"),
        40,
        "no member written twice"
    );
    assert_eq!(
        stats.throttled, 0,
        "the limiter kept every call inside the quota"
    );
    for i in 0..40 {
        assert_profiles(&app, &[(&format!("agent{i:02}"), &["Agent", "Big Team"])]);
    }
}
