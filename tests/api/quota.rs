//! Many callers, one Connect: several service processes sharing one quota
//! table on a DynamoDB-compatible emulator, against one simulator with
//! Connect's real quota; the same without the table (the problem shown);
//! the adaptive slowdown; a table outage; parallel group PATCHes on one user.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use connect_scim::connect::simulator::{QuotaScope, SimulatorConfig, SimulatorHandle};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::fleet::{Dynalite, Service, send, send_following_retry_after};
use crate::helpers::spawn_simulator;

/// What an Okta assign saw: every answer's status and Retry-After.
type Seen = Vec<(StatusCode, Option<u64>)>;

/// Okta's assign: look the user up by userName, then create it.
async fn okta_assign(http: &reqwest::Client, base: &str, username: &str, seen: &mut Seen) {
    let filter = format!("/Users?filter=userName%20eq%20%22{username}%22");
    let found = send_following_retry_after(http, base, Method::GET, &filter, None, 30, seen).await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(found.body["totalResults"], 0, "{:?}", found.body);
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Fleet", "familyName": "Agent"},
        "emails": [{"value": username, "type": "work", "primary": true}],
        "active": true,
    });
    let created =
        send_following_retry_after(http, base, Method::POST, "/Users", Some(&body), 30, seen).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
}

/// `count` Okta assigns, `clients` at a time, spread over `bases`; every
/// answer any of them saw.
async fn assigns(bases: &[String], prefix: &str, count: usize, clients: usize) -> Seen {
    let http = reqwest::Client::new();
    let next = Arc::new(Mutex::new(0usize));
    let tasks = (0..clients).map(|_| {
        let (http, next, bases, prefix) = (
            http.clone(),
            next.clone(),
            bases.to_vec(),
            prefix.to_owned(),
        );
        tokio::spawn(async move {
            let mut seen = Seen::new();
            loop {
                let n = {
                    let mut next = next.lock().await;
                    *next += 1;
                    *next - 1
                };
                if n >= count {
                    return seen;
                }
                let base = &bases[n % bases.len()];
                okta_assign(&http, base, &format!("{prefix}{n}@example.com"), &mut seen).await;
            }
        })
    });
    join_all(tasks)
        .await
        .into_iter()
        .flat_map(|t| t.expect("a client task"))
        .collect()
}

fn assert_only_success_or_retry_after(seen: &Seen) {
    for (status, retry_after) in seen {
        assert!(
            [
                StatusCode::OK,
                StatusCode::CREATED,
                StatusCode::TOO_MANY_REQUESTS
            ]
            .contains(status),
            "unexpected answer {status}"
        );
        if *status == StatusCode::TOO_MANY_REQUESTS {
            assert!(
                retry_after.is_some_and(|s| s >= 1),
                "429 without Retry-After"
            );
        }
    }
}

fn assert_each_user_exactly_once(sim: &SimulatorHandle, prefix: &str, count: usize) {
    for n in 0..count {
        let username = format!("{prefix}{n}@example.com");
        assert!(
            sim.user_by_username(&username).is_some(),
            "{username} missing"
        );
    }
}

async fn fleet(sim: &SimulatorHandle, table: Option<&str>, env: &[(&str, &str)]) -> Vec<Service> {
    join_all((0..3).map(|_| Service::start(sim, table, env))).await
}

#[tokio::test]
async fn three_processes_sharing_the_quota_table_never_make_connect_throttle() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let dynamo = Dynalite::start().await;
    let services = fleet(&sim, Some(&dynamo.url), &[("REQUEST_DEADLINE_MS", "5000")]).await;
    let bases: Vec<String> = services.iter().map(|s| s.base.clone()).collect();
    let users_before = sim.user_count();
    sim.reset_stats();
    let started = Instant::now();

    let seen = assigns(&bases, "shared", 60, 24).await;

    let elapsed = started.elapsed();
    let stats = sim.stats();
    assert_eq!(stats.throttled, 0, "Connect throttled: {stats:?}");
    assert_only_success_or_retry_after(&seen);
    assert_each_user_exactly_once(&sim, "shared", 60);
    assert_eq!(sim.user_count(), users_before + 60);
    assert_eq!(stats.calls.get("CreateUser"), Some(&60));
    // Within quota: 60 CreateUser at 2/s with a burst of 5 need 27.5 s.
    assert!(
        elapsed >= Duration::from_millis(27_000),
        "faster than CreateUser's quota allows: {elapsed:?}"
    );
    eprintln!(
        "shared quota: 60 assigns over 3 processes in {elapsed:?}, {} answers, {} × 429, calls {:?}",
        seen.len(),
        seen.iter()
            .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        stats.calls
    );
}

#[tokio::test]
async fn three_processes_each_metering_alone_make_connect_throttle() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let services = fleet(&sim, None, &[("REQUEST_DEADLINE_MS", "5000")]).await;
    let bases: Vec<String> = services.iter().map(|s| s.base.clone()).collect();
    sim.reset_stats();

    let seen = assigns(&bases, "alone", 30, 24).await;

    let stats = sim.stats();
    assert!(
        stats.throttled > 0,
        "three private buckets must overrun Connect's: {stats:?}"
    );
    assert_each_user_exactly_once(&sim, "alone", 30);
    eprintln!(
        "private quotas: {} ThrottlingExceptions from Connect ({:?}), {} answers",
        stats.throttled,
        stats.throttled_calls,
        seen.len()
    );
}

#[tokio::test]
async fn connect_throttling_despite_the_limiter_slows_the_bucket_down_and_dies_out() {
    // Connect keeps one bucket for the account; the service believes in one
    // per operation (the default), so it overruns Connect until it adapts.
    let sim = spawn_simulator(SimulatorConfig {
        quota_scope: QuotaScope::Account,
        ..SimulatorConfig::default()
    })
    .await;
    let services = join_all((0..1).map(|_| Service::start(&sim, None, &[]))).await;
    let bases: Vec<String> = services.iter().map(|s| s.base.clone()).collect();
    sim.reset_stats();

    let first = assigns(&bases, "adapt-a", 20, 8).await;
    let early = sim.stats().throttled;
    let second = assigns(&bases, "adapt-b", 20, 8).await;
    let late = sim.stats().throttled - early;

    assert!(early > 0, "the test must provoke Connect's throttling");
    assert!(late < early, "throttles must die out: {early} then {late}");
    assert_only_success_or_retry_after(&first);
    assert_only_success_or_retry_after(&second);
    assert_each_user_exactly_once(&sim, "adapt-a", 20);
    assert_each_user_exactly_once(&sim, "adapt-b", 20);
    eprintln!("adaptive: {early} throttles in the first 20 assigns, {late} in the next 20");
}

#[tokio::test]
async fn a_quota_table_outage_falls_back_to_a_metered_share_of_the_rate() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let mut dynamo = Dynalite::start().await;
    let services = fleet(&sim, Some(&dynamo.url), &[]).await;
    let bases: Vec<String> = services.iter().map(|s| s.base.clone()).collect();
    dynamo.stop().await;
    sim.reset_stats();

    let seen = assigns(&bases, "outage", 12, 6).await;

    let stats = sim.stats();
    assert_eq!(stats.throttled, 0, "never unmetered: {stats:?}");
    assert_only_success_or_retry_after(&seen);
    assert_each_user_exactly_once(&sim, "outage", 12);
}

#[tokio::test]
async fn parallel_group_patches_on_three_processes_never_lose_a_grant() {
    let sim = spawn_simulator(SimulatorConfig {
        no_quota: true,
        ..SimulatorConfig::default()
    })
    .await;
    let dynamo = Dynalite::start().await;
    let fast = [("CONNECT_RATE_LIMIT", "200"), ("CONNECT_BURST", "200")];
    let services = fleet(&sim, Some(&dynamo.url), &fast).await;
    let http = reqwest::Client::new();
    let base = |n: usize| services[n % services.len()].base.as_str();

    let mut groups = Vec::new();
    for n in 0..10 {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": format!("Fleet Group {n}"),
        });
        let created = send(&http, base(n), Method::POST, "/Groups", Some(&body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        groups.push(created.body["id"].as_str().expect("a group id").to_owned());
    }
    for trial in 0..5 {
        let username = format!("member{trial}@example.com");
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"],
            "userName": username,
            "name": {"givenName": "Test", "familyName": "Agent"},
            "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User": {
                "securityProfiles": ["Fleet Group 0"]
            },
        });
        // The process that made the groups knows their names without a cache refresh.
        let created = send(&http, base(0), Method::POST, "/Users", Some(&body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let user_id = created.body["id"].as_str().expect("a user id").to_owned();

        let patches = groups.iter().enumerate().map(|(n, group)| {
            let http = http.clone();
            let base = base(n + trial).to_owned();
            let path = format!("/Groups/{group}");
            let body = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}],
            });
            async move { send(&http, &base, Method::PATCH, &path, Some(&body)).await }
        });
        for answer in join_all(patches).await {
            assert_eq!(answer.status, StatusCode::NO_CONTENT, "{:?}", answer.body);
        }

        let user = sim.user(&user_id).expect("the user");
        let held: BTreeSet<&str> = user["SecurityProfileIds"]
            .as_array()
            .expect("profile ids")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let wanted: BTreeSet<&str> = groups.iter().map(String::as_str).collect();
        assert_eq!(held, wanted, "trial {trial}: grants lost");
    }
}

/// A holder whose Connect write is still in flight when its lease reaches
/// its expiry (the request's deadline + grace: a write started before the
/// deadline is waited for, up to the client's attempt timeout) must not let
/// a request that read the user before that write take the lease and write
/// its stale read back. Process A has a short deadline; UpdateUserSecurityProfiles
/// is answered 8 s after it is applied, so A's lease would expire under it.
/// B reads the user before A's write (SearchUsers is answered 2 s late,
/// from state taken when called) and waits for the lease.
#[tokio::test]
async fn a_lease_outlived_by_its_holders_write_never_lets_a_stale_read_win() {
    let sim = spawn_simulator(SimulatorConfig {
        no_quota: true,
        ..SimulatorConfig::default()
    })
    .await;
    let dynamo = Dynalite::start().await;
    let fast = [("CONNECT_RATE_LIMIT", "200"), ("CONNECT_BURST", "200")];
    let short = [
        ("CONNECT_RATE_LIMIT", "200"),
        ("CONNECT_BURST", "200"),
        ("REQUEST_DEADLINE_MS", "3000"),
    ];
    let (a, b) = tokio::join!(
        Service::start(&sim, Some(&dynamo.url), &short),
        Service::start(&sim, Some(&dynamo.url), &fast),
    );
    let http = reqwest::Client::new();

    let mut groups = Vec::new();
    for n in 0..3 {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": format!("Slow Group {n}"),
        });
        let created = send(&http, &b.base, Method::POST, "/Groups", Some(&body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        groups.push(created.body["id"].as_str().expect("a group id").to_owned());
    }
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"],
        "userName": "slow@example.com",
        "name": {"givenName": "Slow", "familyName": "Agent"},
        "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User": {
            "securityProfiles": ["Slow Group 0"]
        },
    });
    let created = send(&http, &b.base, Method::POST, "/Users", Some(&body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let user_id = created.body["id"].as_str().expect("a user id").to_owned();
    // Both processes know every name and default before the race starts.
    for service in [&a, &b] {
        let listed = send(&http, &service.base, Method::GET, "/Groups", None).await;
        assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    }

    sim.set_latency("SearchUsers", Duration::from_secs(2));
    sim.set_latency("UpdateUserSecurityProfiles", Duration::from_secs(8));
    let add = |group: &str| {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}],
        });
        (format!("/Groups/{group}"), body)
    };
    let ((path_a, body_a), (path_b, body_b)) = (add(&groups[1]), add(&groups[2]));
    let first = send(&http, &a.base, Method::PATCH, &path_a, Some(&body_a));
    let second = async {
        // B reads after A has read, before A writes (A's read is answered at 2 s).
        tokio::time::sleep(Duration::from_millis(1000)).await;
        send(&http, &b.base, Method::PATCH, &path_b, Some(&body_b)).await
    };
    let (first, second) = tokio::join!(first, second);
    sim.set_latency("SearchUsers", Duration::ZERO);
    sim.set_latency("UpdateUserSecurityProfiles", Duration::ZERO);

    let user = sim.user(&user_id).expect("the user");
    let held: BTreeSet<&str> = user["SecurityProfileIds"]
        .as_array()
        .expect("profile ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // Each request either wrote its grant or said it did not (a 429 to retry).
    let mut wanted: BTreeSet<&str> = BTreeSet::from([groups[0].as_str()]);
    for (answer, group) in [(&first, &groups[1]), (&second, &groups[2])] {
        match answer.status {
            StatusCode::NO_CONTENT => {
                wanted.insert(group.as_str());
            }
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected answer {other}: {:?}", answer.body),
        }
    }
    eprintln!(
        "lease outlived: A {}, B {}, user holds {} of 3 groups",
        first.status,
        second.status,
        held.len()
    );
    assert_eq!(first.status, StatusCode::NO_CONTENT, "{:?}", first.body);
    assert!(
        wanted.is_subset(&held),
        "a grant answered 204 was lost: wanted {wanted:?}, held {held:?} (A {}, B {})",
        first.status,
        second.status
    );
}
