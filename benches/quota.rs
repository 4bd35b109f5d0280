//! Okta assigns (SearchUsers, then CreateUser) and bulk deactivations at
//! Connect's default quota, against the quota floor, in both quota scopes;
//! and the cost of one slot reservation on a DynamoDB-compatible table.
//!
//! `cargo bench --bench quota` (`BENCH_ASSIGNS`, default 200; `BENCH_DEACTIVATE`,
//! default 50). Each line: wall time, the floor (the time CreateUser's bucket
//! alone needs: (N − burst) / rate), their ratio, and 429s from Connect. With
//! `BENCH_DYNALITE=URL` (a dynalite with table `connect-scim-quota`, as the
//! tests start one) it also times reservations on the table: round trips, p50, p99.
//! `BENCH_ONLY_DRIFT=1` runs only the cost of `connect-scim drift` over 1,000
//! and 5,000 users.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use connect_scim::app::{self, Target};
use connect_scim::config::Config;
use connect_scim::connect::quota::{Params, Rate, Store, dynamo::DynamoStore, now_ms};
use connect_scim::connect::simulator::{self, QuotaScope, SimulatorConfig, SimulatorHandle};
use connect_scim::http;
use serde_json::json;
use tokio::net::TcpListener;

const TOKEN: &str = "bench-token-0123456789abcdefghijklmnop";

/// The service in front of `sim`, with the bench's token and `env` on top.
async fn build(sim: &SimulatorHandle, env: &[(&str, &str)]) -> app::Built {
    let config = Config::from_lookup(|k| {
        std::iter::once(&("SCIM_BEARER_TOKEN", TOKEN))
            .chain(env)
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.to_string())
    })
    .expect("config");
    app::build(
        config,
        Target::Endpoint {
            url: sim.url(),
            instance_id: sim.instance_id().to_owned(),
        },
    )
    .await
    .expect("the service")
}

async fn service(scope: &str) -> (String, SimulatorHandle) {
    let sim_scope = if scope == "account" {
        QuotaScope::Account
    } else {
        QuotaScope::Operation
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let sim = simulator::spawn(
        SimulatorConfig {
            quota_scope: sim_scope,
            ..SimulatorConfig::default()
        },
        listener,
    )
    .await
    .expect("the simulator");
    let built = build(
        &sim,
        &[
            ("CONNECT_QUOTA_SCOPE", scope),
            ("REQUEST_DEADLINE_MS", "25000"),
        ],
    )
    .await;
    app::check_profiles(&built.app).await.expect("profiles");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    let router = http::router(built.app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}{}", http::BASE_PATH), sim)
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<serde_json::Value>,
) -> u16 {
    loop {
        let mut request = http.request(method.clone(), &url).bearer_auth(TOKEN);
        if let Some(b) = &body {
            request = request.json(b);
        }
        let reply = request.send().await.expect("an answer");
        let status = reply.status().as_u16();
        if status != 429 {
            return status;
        }
        let wait = reply
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(1);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

/// `n` items done by `clients` workers; returns the wall time.
async fn run<F, Fut>(n: usize, clients: usize, work: F) -> Duration
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (next, work) = (next.clone(), work.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        return;
                    }
                    work(i).await;
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("a worker");
    }
    started.elapsed()
}

async fn assigns(scope: &str, n: usize, clients: usize) {
    let (base, sim) = service(scope).await;
    sim.reset_stats();
    let http = reqwest::Client::new();
    let prefix = format!("{scope}{clients}");
    let wall = run(n, clients, move |i| {
        let (http, base, prefix) = (http.clone(), base.clone(), prefix.clone());
        async move {
            let name = format!("{prefix}-{i}@example.com");
            let filter = format!("{base}/Users?filter=userName%20eq%20%22{name}%22");
            assert_eq!(send(&http, reqwest::Method::GET, filter, None).await, 200);
            let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "name": {"givenName": "Bench", "familyName": "Agent"}});
            assert_eq!(send(&http, reqwest::Method::POST, format!("{base}/Users"), Some(body)).await, 201);
        }
    })
    .await;
    let floor = (n as f64 - 5.0) / 2.0;
    let stats = sim.stats();
    println!(
        "assign  scope {scope:<9} N {n:>4} concurrency {clients:>2}: {:>7.1} s, floor {floor:>6.1} s, floor/wall {:.2}, Connect calls {}, 429s from Connect {}",
        wall.as_secs_f64(),
        floor / wall.as_secs_f64(),
        stats.total,
        stats.throttled
    );
}

async fn deactivations(scope: &str, n: usize, clients: usize) {
    let (base, sim) = service(scope).await;
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("off{i}@example.com"), "name": {"givenName": "Bench", "familyName": "Agent"}});
        let reply = http
            .post(format!("{base}/Users"))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("create");
        let created: serde_json::Value = reply.json().await.expect("json");
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    sim.reset_stats();
    let ids = Arc::new(ids);
    let wall = run(n, clients, move |i| {
        let (http, base, ids) = (http.clone(), base.clone(), ids.clone());
        async move {
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                              "Operations": [{"op": "replace", "value": {"active": false}}]});
            assert_eq!(
                send(
                    &http,
                    reqwest::Method::PATCH,
                    format!("{base}/Users/{}", ids[i]),
                    Some(body)
                )
                .await,
                200
            );
        }
    })
    .await;
    let floor = (n as f64 - 5.0) / 2.0;
    let stats = sim.stats();
    println!(
        "disable scope {scope:<9} N {n:>4} concurrency {clients:>2}: {:>7.1} s, floor {floor:>6.1} s (each of its 4 operations' buckets), floor/wall {:.2}, Connect calls {}, 429s from Connect {}",
        wall.as_secs_f64(),
        floor / wall.as_secs_f64(),
        stats.total,
        stats.throttled
    );
}

/// `drift` over an instance of `n` users at Connect's default quota.
async fn drift_cost(n: usize) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let sim = simulator::spawn(SimulatorConfig::default(), listener)
        .await
        .expect("the simulator");
    sim.add_agents("agent", n, &[("scim:managed", "true")]);
    let built = build(&sim, &[]).await;
    sim.reset_stats();
    let report = connect_scim::drift::run(&built.app)
        .await
        .expect("drift runs");
    println!(
        "drift over {n} users: {} Connect calls ({:?}), {:.1} s, {} throttles",
        report.connect_calls,
        sim.stats().calls,
        report.seconds,
        sim.stats().throttled
    );
}

async fn reservations(url: &str) {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "B", "b", None, None, "bench",
        ))
        .endpoint_url(url)
        .build();
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        "connect-scim-quota",
        format!("bench{}", now_ms()),
    );
    let params = Params::new(
        Rate {
            per_second: 1000.0,
            burst: 1000,
        },
        1,
    );
    let mut times = Vec::new();
    for _ in 0..500 {
        let started = Instant::now();
        store
            .reserve("SearchUsers", params, now_ms(), i64::MAX / 2)
            .await
            .expect("a reservation");
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "reserve on DynamoDB (dynalite, loopback): 500 reservations, p50 {:.2} ms, p99 {:.2} ms",
        times[250].as_secs_f64() * 1000.0,
        times[495].as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_ASSIGNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let off: usize = std::env::var("BENCH_DEACTIVATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    if std::env::var("BENCH_ONLY_DRIFT").is_ok() {
        drift_cost(1000).await;
        drift_cost(5000).await;
        return;
    }
    if let Ok(url) = std::env::var("BENCH_DYNALITE") {
        reservations(&url).await;
    }
    for clients in [1, 4, 16] {
        assigns("operation", n, clients).await;
    }
    assigns("account", n, 16).await;
    deactivations("operation", off, 8).await;
    deactivations("account", off, 8).await;
}
