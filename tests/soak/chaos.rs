//! Mixed operations under injected Connect faults and eventual consistency:
//! creates, PUTs, PATCHes, deactivations, reactivations, group PATCHes and
//! deletes from several clients while 10 % of Connect calls fail with
//! InternalServiceException and new users stay invisible for 2 s. Connect's
//! final state must equal the model the test computed from its answers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_scim::connect::simulator::SimulatorConfig;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::app::TestApp;
use crate::model::{Driver, Group, ModelUser, Tally, assert_connect_matches};
use crate::state;

const CLIENTS: usize = 20;
const USERS_PER_CLIENT: usize = 5;
const OPERATIONS_PER_CLIENT: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_mixed_operations_under_faults_and_lag_leave_connect_as_the_model_says() {
    let app = Arc::new(
        TestApp::spawn_with(
            SimulatorConfig {
                no_quota: true,
                consistency_delay_ms: 2000,
                ..SimulatorConfig::default()
            },
            &[("CONNECT_RATE_LIMIT", "1000"), ("CONNECT_BURST", "1000")],
        )
        .await,
    );
    let mut groups = Vec::new();
    for name in ["Night Shift", "Day Shift"] {
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
    app.sim.set_fault_rate(0.1);
    let started = Instant::now();

    let clients = (0..CLIENTS).map(|client| {
        let (app, groups) = (app.clone(), groups.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let driver = Driver {
                http: &http,
                base: &app.base,
                groups: &groups,
                cancel_rate: 0.0,
                cancel_after: Duration::from_secs(60),
            };
            let mut rng = StdRng::seed_from_u64(client as u64);
            let mut users: Vec<ModelUser> = (0..USERS_PER_CLIENT)
                .map(|n| ModelUser::new(format!("chaos-{client:02}-{n}@example.com")))
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
        tokio::time::timeout(Duration::from_secs(240), futures::future::join_all(clients))
            .await
            .expect("the run finishes within 4 minutes");
    let elapsed = started.elapsed();
    let (mut model, mut tally) = (Vec::new(), Tally::default());
    for client in finished {
        let (users, t) = client.expect("a client ran to the end");
        model.extend(users);
        tally.add(t);
    }
    let faults = app.stats().faults;

    app.sim.set_fault_rate(0.0);
    assert_connect_matches(&model, &state::users_by_name(&app.sim).await);

    // Reactivating everyone restores exactly the groups the model holds.
    let http = reqwest::Client::new();
    let mut rng = StdRng::seed_from_u64(99);
    let driver = Driver {
        http: &http,
        base: &app.base,
        groups: &groups,
        cancel_rate: 0.0,
        cancel_after: Duration::from_secs(60),
    };
    for user in model.iter_mut().filter(|u| u.id.is_some() && !u.active) {
        driver
            .run(user, &crate::model::Op::Reactivate, &mut rng)
            .await;
    }
    assert_connect_matches(&model, &state::users_by_name(&app.sim).await);

    assert_eq!(tally.operations, CLIENTS * OPERATIONS_PER_CLIENT);
    assert!(faults > 0, "faults were injected");
    eprintln!(
        "chaos: {} operations ({} attempts) in {:.1} s, {faults} injected faults, {} × 429, {} × 503, \
         {} creates 409 after a lost answer, {} deletes 404 after a lost answer",
        tally.operations,
        tally.attempts,
        elapsed.as_secs_f64(),
        tally.retried_429,
        tally.retried_503,
        tally.create_409_after_lost_answer,
        tally.delete_404_after_lost_answer,
    );
}
