//! The audit trail as a security team reads it: `serve` with JSON logs, every
//! write path taken, and one `audit=true` event per Connect write (counted
//! against the simulator's own write counters) with the right before → after
//! values and no secret.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const TOKEN: &str = "audit-test-token-0123456789abcdefghijkl";
const PASSWORD: &str = "Audit-never-logged-Pa55";

fn is_write(operation: &str) -> bool {
    [
        "Create",
        "Update",
        "Delete",
        "Tag",
        "Untag",
        "Associate",
        "Disassociate",
        "Put",
    ]
    .iter()
    .any(|verb| operation.starts_with(verb))
}

#[tokio::test]
async fn every_connect_write_is_one_audit_event_with_before_and_after_and_no_secret() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-scim"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("CONNECT_INSTANCE_ID")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("SCIM_BEARER_TOKEN", TOKEN)
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut reader = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut sim) = (None, None);
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = reader.next_line().await.unwrap() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("SCIM base URL:") {
                base = Some(rest.trim().to_owned());
            }
            if let Some(rest) = t.strip_prefix("Amazon Connect: the embedded Connect simulator at ")
            {
                sim = rest.split_whitespace().next().map(str::to_owned);
            }
            if base.is_some() && sim.is_some() {
                break;
            }
        }
    })
    .await
    .expect("serve starts");
    let (base, sim) = (base.unwrap(), sim.unwrap());
    let collected = lines.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = reader.next_line().await {
            collected.lock().unwrap().push(line);
        }
    });
    let http = reqwest::Client::new();
    let send = |method: reqwest::Method, path: String, body: Option<Value>| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            let mut request = http.request(method, url).bearer_auth(TOKEN);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let reply = request.send().await.unwrap();
            let status = reply.status().as_u16();
            (status, reply.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let before = http
        .get(format!("{sim}/simulator/stats"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();

    let (status, user) = send(
        reqwest::Method::POST,
        "/Users".into(),
        Some(
            json!({"userName": "audited@example.com", "password": PASSWORD,
                    "name": {"givenName": "Al", "familyName": "Dit"}}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    let rename = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "path": "name.givenName", "value": "Alan"}]});
    assert_eq!(
        send(reqwest::Method::PATCH, format!("/Users/{id}"), Some(rename))
            .await
            .0,
        200
    );
    let (status, group) = send(
        reqwest::Method::POST,
        "/Groups".into(),
        Some(json!({"displayName": "Audited"})),
    )
    .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_owned();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
    assert_eq!(
        send(reqwest::Method::PATCH, format!("/Groups/{gid}"), Some(add))
            .await
            .0,
        204
    );
    let off = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "replace", "value": {"active": false}}]});
    assert_eq!(
        send(reqwest::Method::PATCH, format!("/Users/{id}"), Some(off))
            .await
            .0,
        200
    );
    assert_eq!(
        send(reqwest::Method::DELETE, format!("/Users/{id}"), None)
            .await
            .0,
        204
    );

    let after = http
        .get(format!("{sim}/simulator/stats"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = lines.lock().unwrap().clone();
    let audit: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["audit"] == true)
        .collect();
    // User writes: every Connect write except the group's own profile writes.
    let user_writes: u64 = after["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(op, _)| {
            is_write(op) && !op.contains("SecurityProfile") || *op == "UpdateUserSecurityProfiles"
        })
        .map(|(op, n)| n.as_u64().unwrap() - before["calls"][op].as_u64().unwrap_or(0))
        .sum();
    let user_events: Vec<&Value> = audit
        .iter()
        .filter(|e| e["resource_type"] == "user")
        .collect();
    assert_eq!(
        user_events.len() as u64,
        user_writes,
        "{user_events:#?}\n{after}"
    );

    let op = |name: &str| user_events.iter().find(|e| e["operation"] == name).copied();
    let created = op("CreateUser").expect("CreateUser audited");
    assert_eq!(created["resource_id"], id.as_str());
    assert_eq!(created["resource_name"], "audited@example.com");
    assert!(
        created["caller"] == "token#1" && created["request_id"].as_str().is_some_and(|r| r != "-")
    );
    let renamed = op("UpdateUserIdentityInfo").expect("the rename audited");
    let (b, a): (Value, Value) = (
        serde_json::from_str(renamed["before"].as_str().unwrap()).unwrap(),
        serde_json::from_str(renamed["after"].as_str().unwrap()).unwrap(),
    );
    assert_eq!(
        (b["firstName"].clone(), a["firstName"].clone()),
        (json!("Al"), json!("Alan"))
    );
    let granted = user_events
        .iter()
        .find(|e| e["operation"] == "UpdateUserSecurityProfiles")
        .expect("the grant audited");
    let a: Value = serde_json::from_str(granted["after"].as_str().unwrap()).unwrap();
    // The user had only the default fallback, which the grant replaced.
    assert_eq!(a["securityProfiles"], json!(["Audited"]));
    let unmarked = op("UntagResource").expect("the fallback record's removal audited");
    let b: Value = serde_json::from_str(unmarked["before"].as_str().unwrap()).unwrap();
    assert!(
        b["tags"]["scim:profileSource"]
            .as_str()
            .is_some_and(|v| v.starts_with("defaults:")),
        "{b}"
    );
    assert!(op("DeleteUser").is_some());
    for line in &lines {
        assert!(!line.contains(PASSWORD) && !line.contains(TOKEN), "{line}");
    }
    child.kill().await.ok();
}
