//! Creates at Amazon Connect's real quota from many clients at once, with a
//! short request deadline: clients that follow Retry-After get every user made
//! exactly once, and never a 5xx.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_scim::connect::simulator::SimulatorConfig;
use serde_json::{Value, json};

use crate::app::TestApp;
use crate::state;

const USERS: usize = 200;
const CLIENTS: usize = 50;
/// Tries per user before the test gives up on it (each 429 waits Retry-After).
const TRIES: usize = 60;

fn user(n: usize) -> Value {
    let username = format!("load{n:03}@example.com");
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "externalId": format!("okta-{n:03}"),
        "name": {"givenName": "Load", "familyName": format!("User{n:03}")},
        "emails": [{"value": username, "type": "work", "primary": true}],
        "active": true,
    })
}

/// Every answer one user's POSTs got, in order, and the id of the 201.
#[derive(Debug, Default)]
struct Outcome {
    statuses: Vec<u16>,
    created_id: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_creates_from_fifty_clients_at_the_real_quota_make_each_user_exactly_once() {
    let app = Arc::new(
        TestApp::spawn_with(
            SimulatorConfig::default(),
            &[("REQUEST_DEADLINE_MS", "3000")],
        )
        .await,
    );
    let started = Instant::now();

    let clients = (0..CLIENTS).map(|client| {
        let app = app.clone();
        tokio::spawn(async move {
            let mut outcomes = BTreeMap::new();
            for n in (client..USERS).step_by(CLIENTS) {
                let body = user(n);
                let mut outcome = Outcome::default();
                for _ in 0..TRIES {
                    let reply = app.post("/Users", &body).await;
                    let status = reply.status.as_u16();
                    outcome.statuses.push(status);
                    match status {
                        201 => {
                            outcome.created_id = reply.body["id"].as_str().map(str::to_owned);
                            break;
                        }
                        429 => {
                            reply.assert_scim_error(429, None);
                            let wait: u64 = reply.headers["retry-after"]
                                .to_str()
                                .expect("Retry-After")
                                .parse()
                                .expect("Retry-After in seconds");
                            assert!((1..=30).contains(&wait), "Retry-After {wait}");
                            tokio::time::sleep(Duration::from_secs(wait)).await;
                        }
                        409 => {
                            reply.assert_scim_error(409, Some("uniqueness"));
                            let detail = reply.body["detail"].as_str().unwrap_or_default();
                            assert!(detail.contains(body["userName"].as_str().unwrap()));
                            break;
                        }
                        other => panic!("user {n}: {other} {}", reply.body),
                    }
                }
                outcomes.insert(n, outcome);
            }
            outcomes
        })
    });
    let mut outcomes = BTreeMap::new();
    let all = tokio::time::timeout(Duration::from_secs(420), futures::future::join_all(clients))
        .await
        .expect("the load finishes within 7 minutes");
    for finished in all {
        outcomes.extend(finished.expect("a client ran to the end"));
    }
    let elapsed = started.elapsed();

    let connect = state::users_by_name(&app.sim).await;
    assert_eq!(connect.len(), USERS, "every user exactly once");
    let (mut answers, mut throttled, mut conflicts) = (0, 0, 0);
    for (n, outcome) in &outcomes {
        let body = user(*n);
        let name = body["userName"].as_str().unwrap();
        let found = &connect[name];
        assert_eq!(found.tags["scim:externalId"], body["externalId"]);
        assert_eq!(
            found.last_name.as_deref(),
            body["name"]["familyName"].as_str()
        );
        let last = *outcome.statuses.last().expect("an answer");
        assert!(
            last == 201 || last == 409,
            "user {n}: {:?}",
            outcome.statuses
        );
        if last == 409 {
            conflicts += 1;
            assert!(
                outcome.statuses.contains(&429),
                "a 409 only follows an earlier attempt: {:?}",
                outcome.statuses
            );
        } else {
            assert_eq!(outcome.created_id.as_deref(), Some(found.id.as_str()));
        }
        answers += outcome.statuses.len();
        throttled += outcome.statuses.iter().filter(|s| **s == 429).count();
    }
    let stats = app.stats();
    assert_eq!(
        stats.calls.get("CreateUser").copied(),
        Some(USERS as u64),
        "one CreateUser per user, none repeated"
    );
    eprintln!(
        "load: {USERS} users from {CLIENTS} clients in {:.1} s; {answers} answers, {throttled} × 429, \
         {conflicts} × 409, 0 × 5xx; {} CreateUser calls, {} ThrottlingExceptions from Connect",
        elapsed.as_secs_f64(),
        stats.calls.get("CreateUser").copied().unwrap_or(0),
        stats.throttled,
    );
}
