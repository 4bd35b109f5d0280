//! Wire-level tests: a spawned simulator on a loopback socket, called with
//! plain HTTP/1.1 the way an SDK does (quota, faults, eventual consistency,
//! counters, persistence).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{SimulatorConfig, SimulatorHandle, spawn};

struct Answer {
    status: u16,
    error_type: Option<String>,
    body: Value,
}

async fn start(config: SimulatorConfig) -> SimulatorHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(config, listener).await.unwrap()
}

fn unlimited() -> SimulatorConfig {
    SimulatorConfig {
        no_quota: true,
        ..SimulatorConfig::default()
    }
}

async fn call(sim: &SimulatorHandle, method: &str, path: &str, body: Option<Value>) -> Answer {
    let addr = sim.url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/connect/aws4_request, \
         SignedHeaders=host, Signature=00\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let error_type = head.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("x-amzn-errortype: ")
            .map(str::to_owned)
    });
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap()
    };
    Answer {
        status,
        error_type,
        body,
    }
}

fn new_user(sim: &SimulatorHandle, username: &str) -> Value {
    json!({
        "Username": username,
        "SecurityProfileIds": [sim.security_profile_id("Agent").unwrap()],
        "RoutingProfileId": sim.routing_profile_id("Basic Routing Profile").unwrap(),
        "PhoneConfig": { "PhoneType": "SOFT_PHONE" },
        "IdentityInfo": { "FirstName": "Ana", "LastName": "Silva", "Email": "ana@example.com" },
        "Tags": { "scim:externalId": "00u1" },
    })
}

fn users_path(sim: &SimulatorHandle) -> String {
    format!("/users/{}", sim.instance_id())
}

#[tokio::test]
async fn a_created_user_is_described_with_its_tags() {
    let sim = start(unlimited()).await;
    let created = call(&sim, "PUT", &users_path(&sim), Some(new_user(&sim, "ana"))).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.body["UserId"].as_str().unwrap();
    let described = call(&sim, "GET", &format!("{}/{id}", users_path(&sim)), None).await;
    assert_eq!(described.body["User"]["Tags"]["scim:externalId"], "00u1");
    assert_eq!(described.body["User"]["IdentityInfo"]["FirstName"], "Ana");
    assert!(described.body["User"]["LastModifiedTime"].is_f64());
    assert_eq!(sim.user_by_username("ANA").unwrap()["Id"], id);
    assert_eq!(sim.user(id).unwrap()["Username"], "ana");
    assert_eq!(sim.user_count(), 1);
    let stats = sim.stats();
    assert_eq!(stats.calls["CreateUser"], 1);
    assert_eq!(stats.calls["DescribeUser"], 1);
    assert_eq!(stats.total, 2);
}

#[tokio::test]
async fn calls_over_the_burst_are_throttled_and_counted() {
    let sim = start(SimulatorConfig {
        rate: 0.001,
        burst: 2,
        quota_scope: super::QuotaScope::Account,
        ..SimulatorConfig::default()
    })
    .await;
    let path = format!("/instance/{}", sim.instance_id());
    assert_eq!(call(&sim, "GET", &path, None).await.status, 200);
    assert_eq!(call(&sim, "GET", "/instance", None).await.status, 200);
    let throttled = call(&sim, "GET", &path, None).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.error_type.as_deref(), Some("throttlingexception"));
    assert_eq!(throttled.body["Message"], "Rate exceeded");
    let stats = sim.stats();
    assert_eq!((stats.total, stats.throttled), (3, 1));
    assert_eq!(stats.calls["DescribeInstance"], 2);
    assert_eq!(stats.throttled_calls["DescribeInstance"], 1);
    sim.set_quota_scope(super::QuotaScope::Operation);
    assert_eq!(call(&sim, "GET", &path, None).await.status, 200);
    assert_eq!(call(&sim, "GET", "/instance", None).await.status, 200);
    assert_eq!(call(&sim, "GET", "/instance", None).await.status, 200);
    assert_eq!(
        call(&sim, "GET", "/instance", None).await.status,
        429,
        "in operation scope each operation has its own burst"
    );
    sim.set_quota_scope(super::QuotaScope::Account);
    sim.disable_quota();
    assert_eq!(call(&sim, "GET", &path, None).await.status, 200);
    sim.set_quota(0.001, 1);
    assert_eq!(call(&sim, "GET", &path, None).await.status, 200);
    assert_eq!(call(&sim, "GET", &path, None).await.status, 429);
}

#[tokio::test]
async fn injected_faults_change_nothing() {
    let sim = start(SimulatorConfig {
        fault_rate: 1.0,
        ..unlimited()
    })
    .await;
    let answer = call(&sim, "PUT", &users_path(&sim), Some(new_user(&sim, "ana"))).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.body["__type"], "InternalServiceException");
    assert_eq!(sim.user_count(), 0);
    assert_eq!(sim.stats().faults, 1);
    sim.set_fault_rate(0.0);
    let answer = call(&sim, "PUT", &users_path(&sim), Some(new_user(&sim, "ana"))).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn new_users_are_invisible_to_reads_for_the_consistency_delay() {
    let sim = start(SimulatorConfig {
        consistency_delay_ms: 300,
        ..unlimited()
    })
    .await;
    let created = call(&sim, "PUT", &users_path(&sim), Some(new_user(&sim, "ana"))).await;
    let id = created.body["UserId"].as_str().unwrap().to_owned();
    let describe = format!("{}/{id}", users_path(&sim));
    assert_eq!(call(&sim, "GET", &describe, None).await.status, 404);
    let search = json!({ "InstanceId": sim.instance_id() });
    let found = call(&sim, "POST", "/search-users", Some(search.clone())).await;
    assert_eq!(found.body["ApproximateTotalCount"], 0);
    let duplicate = call(&sim, "PUT", &users_path(&sim), Some(new_user(&sim, "ana"))).await;
    assert_eq!(
        duplicate.status, 409,
        "the write side already knows the user"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(call(&sim, "GET", &describe, None).await.status, 200);
    let found = call(&sim, "POST", "/search-users", Some(search)).await;
    assert_eq!(found.body["ApproximateTotalCount"], 1);
}

#[tokio::test]
async fn rejected_requests_apply_nothing() {
    let sim = start(unlimited()).await;
    let mut bad_group = new_user(&sim, "ana");
    bad_group["HierarchyGroupId"] = json!("no-such-group");
    let answer = call(&sim, "PUT", &users_path(&sim), Some(bad_group)).await;
    assert_eq!(answer.status, 404);
    assert_eq!(sim.user_count(), 0);
    let malformed = call(&sim, "POST", "/search-users", None).await;
    assert_eq!(malformed.status, 400);
    let mut wrong_type = new_user(&sim, "ana");
    wrong_type["SecurityProfileIds"] = json!("Agent");
    let answer = call(&sim, "PUT", &users_path(&sim), Some(wrong_type)).await;
    assert_eq!(
        answer.error_type.as_deref(),
        Some("invalidparameterexception")
    );
    assert!(
        answer.body["Message"]
            .as_str()
            .unwrap()
            .contains("SecurityProfileIds")
    );
    assert_eq!(sim.user_count(), 0);
}

#[tokio::test]
async fn other_instances_and_unknown_routes_are_not_found() {
    let sim = start(unlimited()).await;
    let other = call(&sim, "GET", "/users-summary/another-instance", None).await;
    assert_eq!(other.status, 404);
    assert_eq!(other.body["__type"], "ResourceNotFoundException");
    let unknown = call(&sim, "GET", "/queues/x", None).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["__type"], "UnknownOperationException");
    assert_eq!(sim.stats().total, 1, "only Connect operations are counted");
}

#[tokio::test]
async fn the_stats_endpoint_reports_and_resets_the_counters() {
    let sim = start(unlimited()).await;
    call(&sim, "GET", "/instance", None).await;
    let stats = call(&sim, "GET", "/simulator/stats", None).await;
    assert_eq!(
        stats.body,
        json!({"calls": {"ListInstances": 1}, "total": 1, "throttled": 0, "throttled_calls": {}, "faults": 0})
    );
    call(&sim, "POST", "/simulator/reset", None).await;
    assert_eq!(sim.stats().total, 0);
    let state = call(&sim, "GET", "/simulator/state", None).await;
    assert_eq!(state.body["id"], sim.instance_id());
    assert_eq!(sim.stats().total, 0, "simulator endpoints are not counted");
}

#[tokio::test]
async fn the_state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("sim-restart-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = SimulatorConfig {
        state: Some(dir.join("connect.json")),
        instance_id: "22222222-2222-4333-8444-555555555555".to_owned(),
        ..unlimited()
    };
    let sim = start(config.clone()).await;
    call(&sim, "PUT", &users_path(&sim), Some(new_user(&sim, "ana"))).await;
    let agent = sim.security_profile_id("Agent");
    sim.shutdown();
    sim.stopped().await.unwrap();
    let again = start(config).await;
    assert_eq!(again.instance_id(), "22222222-2222-4333-8444-555555555555");
    assert!(again.user_by_username("ana").is_some());
    assert_eq!(again.security_profile_id("Agent"), agent);
    drop(again);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A profile's `LastModifiedTime` in a ListSecurityProfiles and a
/// DescribeSecurityProfile answer (epoch seconds, as Connect sends it).
async fn profile_modified(sim: &SimulatorHandle, id: &str) -> (f64, f64) {
    let instance = sim.instance_id().to_owned();
    let listed = call(
        sim,
        "GET",
        &format!("/security-profiles-summary/{instance}"),
        None,
    )
    .await;
    let summary = listed.body["SecurityProfileSummaryList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Id"] == id)
        .cloned()
        .unwrap();
    let described = call(
        sim,
        "GET",
        &format!("/security-profiles/{instance}/{id}"),
        None,
    )
    .await;
    let listed = summary["LastModifiedTime"].as_f64().unwrap();
    let described = described.body["SecurityProfile"]["LastModifiedTime"]
        .as_f64()
        .unwrap();
    (listed, described)
}

#[tokio::test]
async fn a_profiles_tags_move_its_last_modified_time_and_its_holders_do_not() {
    let sim = start(unlimited()).await;
    let instance = sim.instance_id().to_owned();
    let created = call(
        &sim,
        "PUT",
        &format!("/security-profiles/{instance}"),
        Some(json!({"SecurityProfileName": "Night", "Tags": {"scim:createdBy": "scim"}})),
    )
    .await;
    let id = created.body["SecurityProfileId"]
        .as_str()
        .unwrap()
        .to_owned();
    let arn = created.body["SecurityProfileArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let (listed, described) = profile_modified(&sim, &id).await;
    assert_eq!(listed, described);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let user = call(
        &sim,
        "PUT",
        &users_path(&sim),
        Some(new_user(&sim, "holder")),
    )
    .await;
    let user_id = user.body["UserId"].as_str().unwrap();
    let grant = call(
        &sim,
        "POST",
        &format!("/users/{instance}/{user_id}/security-profiles"),
        Some(json!({"SecurityProfileIds": [id]})),
    )
    .await;
    assert_eq!(grant.status, 200, "{}", grant.body);
    assert_eq!(profile_modified(&sim, &id).await, (listed, described));

    let encoded = arn.replace(':', "%3A").replace('/', "%2F");
    let tagged = call(
        &sim,
        "POST",
        &format!("/tags/{encoded}"),
        Some(json!({"tags": {"scim:externalId": "e1"}})),
    )
    .await;
    assert_eq!(tagged.status, 200, "{}", tagged.body);
    let (after, described_after) = profile_modified(&sim, &id).await;
    assert!(after > listed, "{after} after {listed}");
    assert_eq!(after, described_after);
}
