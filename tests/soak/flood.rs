//! A flood at `connect-scim serve` (the binary): 1,000 requests at once while
//! Connect holds every SearchUsers answer back for a second, so requests pile
//! up past `MAX_IN_FLIGHT_REQUESTS`. Every answer is 2xx, 429 or 503 with a
//! SCIM body, `/healthz` keeps answering throughout, and the process's peak
//! resident memory stays under 100 MB.

use std::process::Stdio;
use std::time::{Duration, Instant};

use connect_scim::connect::simulator::{self, SimulatorConfig, SimulatorHandle};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

use crate::app::TOKEN;

const REQUESTS: usize = 1000;
const PEAK_RSS_LIMIT_KB: u64 = 100 * 1024;

/// Starts `serve` on a free loopback port with Connect at `sim`; returns the
/// process and its SCIM base URL.
async fn serve(sim: &SimulatorHandle, env: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connect-scim"));
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("CONNECT_INSTANCE_ID", sim.instance_id())
        .env("AWS_ENDPOINT_URL_CONNECT", sim.url())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "TEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("QUOTA_TABLE")
        .env("SCIM_BEARER_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("serve's output") {
            if let Some(rest) = line.trim().strip_prefix("SCIM base URL:") {
                return rest.trim().to_owned();
            }
        }
        panic!("serve exited before printing its base URL")
    })
    .await
    .expect("serve starts within a minute");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

/// `VmHWM` (peak resident set) of a process, in kB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_a_thousand_requests_is_served_or_shed_with_scim_answers_in_bounded_memory() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = simulator::spawn(SimulatorConfig::default(), listener)
        .await
        .unwrap();
    sim.disable_quota();
    sim.set_latency("SearchUsers", Duration::from_secs(1));
    let (child, base) = serve(
        &sim,
        &[
            ("REQUEST_DEADLINE_MS", "5000"),
            ("CONNECT_RATE_LIMIT", "1000"),
            ("CONNECT_BURST", "1000"),
            // Every request of the flood on its own connection: what is measured
            // here is the in-flight bound and memory. With the default 256
            // connections the rest wait in the kernel's backlog, and /healthz
            // behind them (serve.rs's tests cover the connection limit).
            ("SERVE_MAX_CONNECTIONS", "1100"),
        ],
    )
    .await;
    let pid = child.id().expect("a pid");
    let healthz = base.replace("/scim/v2", "/healthz");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let before = peak_rss_kb(pid);
    let started = Instant::now();

    let flood = (0..REQUESTS).map(|n| {
        let http = http.clone();
        let url = match n % 4 {
            0 => format!("{base}/Users?filter=userName%20eq%20%22u{n}%22"),
            1 => format!("{base}/ServiceProviderConfig"),
            2 => format!("{base}/Groups"),
            _ => format!("{base}/Users?startIndex=1&count=2"),
        };
        async move {
            let reply = http.get(&url).bearer_auth(TOKEN).send().await;
            let reply = reply.unwrap_or_else(|e| panic!("{url}: no answer: {e}"));
            let status = reply.status().as_u16();
            let body: Value = reply.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    });
    let probe = async {
        let mut worst = Duration::ZERO;
        let mut probes = 0;
        while started.elapsed() < Duration::from_secs(4) {
            let asked = Instant::now();
            let reply = http.get(&healthz).send().await.expect("healthz answers");
            assert_eq!(reply.status(), 200);
            worst = worst.max(asked.elapsed());
            probes += 1;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        (probes, worst)
    };
    let (answers, (probes, worst_health)) = tokio::time::timeout(Duration::from_secs(120), async {
        tokio::join!(futures::future::join_all(flood), probe)
    })
    .await
    .expect("the flood is answered within 2 minutes");
    let elapsed = started.elapsed();
    let peak = peak_rss_kb(pid);

    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    for (status, body) in &answers {
        *by_status.entry(*status).or_default() += 1;
        match status {
            200..=299 => assert!(body["schemas"][0].as_str().is_some(), "{body}"),
            429 | 503 => {
                assert_eq!(
                    body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
                    "{status}: {body}"
                );
                assert_eq!(body["status"], status.to_string());
            }
            other => panic!("{other}: {body}"),
        }
    }
    eprintln!(
        "flood: {REQUESTS} requests in {:.1} s, answers {by_status:?}; healthz {probes} probes, \
         slowest {:?}; serve VmHWM {before} kB before, {peak} kB after",
        elapsed.as_secs_f64(),
        worst_health,
    );
    assert!(
        worst_health < Duration::from_secs(2),
        "healthz took {worst_health:?}"
    );
    assert!(peak < PEAK_RSS_LIMIT_KB, "peak RSS {peak} kB");
    assert!(
        by_status.get(&503).is_some_and(|n| *n > 0),
        "the bound shed some: {by_status:?}"
    );
    drop(child);
}
