//! Requests the client gives up on mid-flight: one attempt in five is dropped
//! by the client (its timeout is shorter than Connect's answer to the write it
//! made), then retried as an IdP retries. Connect converges on the model: no
//! duplicate users and no half-applied one (tags and profiles agree).

use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_scim::connect::simulator::SimulatorConfig;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::app::TestApp;
use crate::model::{Driver, Group, ModelUser, Tally, assert_connect_matches};
use crate::state;

const CLIENTS: usize = 8;
const USERS_PER_CLIENT: usize = 3;
const OPERATIONS_PER_CLIENT: usize = 20;
/// How long Connect holds back the answer to each write (after applying it).
const WRITE_LATENCY: Duration = Duration::from_millis(300);
/// The client's timeout on a cancelled attempt: mid-way through a write.
const CANCEL_AFTER: Duration = Duration::from_millis(150);

const WRITES: [&str; 6] = [
    "CreateUser",
    "UpdateUserIdentityInfo",
    "TagResource",
    "UntagResource",
    "UpdateUserSecurityProfiles",
    "DeleteUser",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_cancelled_mid_flight_and_retried_converge_with_no_duplicate_or_half_applied_user()
{
    let app = Arc::new(
        TestApp::spawn_with(
            SimulatorConfig {
                no_quota: true,
                ..SimulatorConfig::default()
            },
            &[("CONNECT_RATE_LIMIT", "1000"), ("CONNECT_BURST", "1000")],
        )
        .await,
    );
    let mut groups = Vec::new();
    for name in ["Tier 1", "Tier 2"] {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name});
        let created = app.post("/Groups", &body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        groups.push(Group {
            id,
            name: name.into(),
        });
    }
    let groups = Arc::new(groups);
    for operation in WRITES {
        app.sim.set_latency(operation, WRITE_LATENCY);
    }
    let started = Instant::now();

    let clients = (0..CLIENTS).map(|client| {
        let (app, groups) = (app.clone(), groups.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let driver = Driver {
                http: &http,
                base: &app.base,
                groups: &groups,
                cancel_rate: 0.2,
                cancel_after: CANCEL_AFTER,
            };
            let mut rng = StdRng::seed_from_u64(1000 + client as u64);
            let mut users: Vec<ModelUser> = (0..USERS_PER_CLIENT)
                .map(|n| ModelUser::new(format!("cancel-{client}-{n}@example.com")))
                .collect();
            let mut tally = Tally::default();
            for _ in 0..OPERATIONS_PER_CLIENT {
                let user = &mut users[rng.random_range(0..USERS_PER_CLIENT)];
                let op = user.pick(&mut rng, groups.len(), true);
                tally.add(driver.run(user, &op, &mut rng).await);
            }
            (users, tally)
        })
    });
    let finished =
        tokio::time::timeout(Duration::from_secs(180), futures::future::join_all(clients))
            .await
            .expect("the run finishes within 3 minutes");
    let elapsed = started.elapsed();
    let (mut model, mut tally) = (Vec::new(), Tally::default());
    for client in finished {
        let (users, t) = client.expect("a client ran to the end");
        model.extend(users);
        tally.add(t);
    }
    // Work a dropped request left running server-side ends within its writes.
    tokio::time::sleep(WRITE_LATENCY * 8).await;

    let connect = state::users_by_name(&app.sim).await;
    assert_connect_matches(&model, &connect);
    for user in connect.values() {
        let disabled = user.profiles.contains(crate::model::DISABLED);
        assert_eq!(
            disabled,
            user.tagged_inactive(),
            "{}: half-applied (profiles {:?}, tags {:?})",
            user.username,
            user.profiles,
            user.tags
        );
    }
    assert!(tally.cancelled > 0, "some attempts were cancelled");
    eprintln!(
        "cancel: {} operations ({} attempts, {} cancelled) in {:.1} s, {} creates 409 after a \
         lost answer (resolved by lookup), {} deletes 404 after a lost answer",
        tally.operations,
        tally.attempts,
        tally.cancelled,
        elapsed.as_secs_f64(),
        tally.create_409_after_lost_answer,
        tally.delete_404_after_lost_answer,
    );
}
