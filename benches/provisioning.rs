//! Connect calls and time per SCIM operation, at Connect's default quota
//! (2 requests/s, burst 5), measured with the simulator's counters.
//!
//! `cargo bench --bench provisioning` runs the production Router on loopback in
//! front of the simulator, replays an Okta-style lifecycle for N users and prints
//! one line per operation: Connect calls (total and per request, by operation),
//! 429s that reached Connect, and wall time. Set `BENCH_USERS` to change N.

use std::collections::BTreeMap;
use std::time::Instant;

use connect_scim::app::{self, Target};
use connect_scim::config::Config;
use connect_scim::connect::simulator::{self, SimulatorConfig, SimulatorHandle};
use connect_scim::http;
use serde_json::{Value, json};
use tokio::net::TcpListener;

const TOKEN: &str = "bench-token-0123456789abcdefghijklmnop";

struct Bench {
    base: String,
    sim: SimulatorHandle,
    client: reqwest::Client,
}

impl Bench {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Runs `op` once per user, then prints what it cost.
    async fn measure<F, Fut>(&self, label: &str, users: usize, mut op: F)
    where
        F: FnMut(usize) -> Fut,
        Fut: std::future::Future<Output = u16>,
    {
        self.sim.reset_stats();
        let started = Instant::now();
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        for i in 0..users {
            *statuses.entry(op(i).await).or_default() += 1;
        }
        let elapsed = started.elapsed();
        let stats = self.sim.stats();
        let per_op: Vec<String> = stats
            .calls
            .iter()
            .map(|(k, v)| format!("{k} {:.2}", *v as f64 / users as f64))
            .collect();
        println!(
            "{label:<34} {:>6.2} calls/req  {:>7.2} s total  {:>6.0} ms/req  429s from Connect: {}  statuses: {statuses:?}  [{}]",
            stats.total as f64 / users as f64,
            elapsed.as_secs_f64(),
            elapsed.as_millis() as f64 / users as f64,
            stats.throttled,
            per_op.join(", ")
        );
    }
}

fn user(i: usize) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("bench{i}@example.com"),
        "name": {"givenName": "Bench", "familyName": format!("User{i}")},
        "emails": [{"value": format!("bench{i}@example.com"), "type": "work", "primary": true}],
        "externalId": format!("00ubench{i}"),
        "entitlements": ["Agent"],
        "active": true
    })
}

#[tokio::main]
async fn main() {
    let users: usize = std::env::var("BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let sim = simulator::spawn(
        SimulatorConfig::default(),
        TcpListener::bind("127.0.0.1:0").await.expect("bind"),
    )
    .await
    .expect("simulator");
    let config = Config::from_lookup(|k| (k == "SCIM_BEARER_TOKEN").then(|| TOKEN.to_owned()))
        .expect("config");
    let built = app::build(
        config,
        Target::Endpoint {
            url: sim.url(),
            instance_id: sim.instance_id().to_owned(),
        },
    )
    .await
    .expect("service");
    app::check_profiles(&built.app)
        .await
        .expect("profiles resolve");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!(
        "http://{}{}",
        listener.local_addr().expect("addr"),
        http::BASE_PATH
    );
    let router = http::router(built.app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let bench = Bench {
        base,
        sim,
        client: reqwest::Client::new(),
    };
    println!(
        "{users} users, simulator quota 2 rps burst 5 (Connect's default), profile cache warm\n"
    );

    bench
        .measure("lookup by userName (absent)", users, |i| {
            let b = &bench;
            async move {
                let path = format!("/Users?filter=userName%20eq%20%22bench{i}%40example.com%22&startIndex=1&count=100");
                b.send(reqwest::Method::GET, &path, None).await.0
            }
        })
        .await;
    bench
        .measure("create", users, |i| {
            let b = &bench;
            async move {
                b.send(reqwest::Method::POST, "/Users", Some(&user(i)))
                    .await
                    .0
            }
        })
        .await;
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for i in 0..users {
            let path = format!("/Users?filter=externalId%20eq%20%2200ubench{i}%22");
            let (_, body) = bench.send(reqwest::Method::GET, &path, None).await;
            ids.push(
                body["Resources"][0]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        ids
    };
    bench
        .measure("get by id", users, |i| {
            let (b, id) = (&bench, ids[i].clone());
            async move {
                b.send(reqwest::Method::GET, &format!("/Users/{id}"), None)
                    .await
                    .0
            }
        })
        .await;
    let mut echoes = Vec::new();
    for id in &ids {
        echoes.push(
            bench
                .send(reqwest::Method::GET, &format!("/Users/{id}"), None)
                .await
                .1,
        );
    }
    bench
        .measure("no-op PUT (Okta profile push)", users, |i| {
            let (b, id, body) = (&bench, ids[i].clone(), echoes[i].clone());
            async move {
                b.send(reqwest::Method::PUT, &format!("/Users/{id}"), Some(&body))
                    .await
                    .0
            }
        })
        .await;
    bench
        .measure("PUT changing givenName", users, |i| {
            let (b, id) = (&bench, ids[i].clone());
            let mut body = echoes[i].clone();
            body["name"]["givenName"] = json!("Changed");
            async move {
                b.send(reqwest::Method::PUT, &format!("/Users/{id}"), Some(&body))
                    .await
                    .0
            }
        })
        .await;
    let active = |on: bool| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
               "Operations": [{"op": "replace", "value": {"active": on}}]})
    };
    bench
        .measure("deactivate (disable)", users, |i| {
            let (b, id, body) = (&bench, ids[i].clone(), active(false));
            async move {
                b.send(reqwest::Method::PATCH, &format!("/Users/{id}"), Some(&body))
                    .await
                    .0
            }
        })
        .await;
    bench
        .measure("reactivate", users, |i| {
            let (b, id, body) = (&bench, ids[i].clone(), active(true));
            async move {
                b.send(reqwest::Method::PATCH, &format!("/Users/{id}"), Some(&body))
                    .await
                    .0
            }
        })
        .await;
    let pages = users.div_ceil(5);
    bench
        .measure("import page (count=5)", pages, |p| {
            let b = &bench;
            async move {
                let path = format!("/Users?startIndex={}&count=5", p * 5 + 1);
                b.send(reqwest::Method::GET, &path, None).await.0
            }
        })
        .await;
    bench
        .measure("delete", users, |i| {
            let (b, id) = (&bench, ids[i].clone());
            async move {
                b.send(reqwest::Method::DELETE, &format!("/Users/{id}"), None)
                    .await
                    .0
            }
        })
        .await;
}
