//! Shared test helpers: a Connect simulator on a loopback port, and the
//! production gateway (real aws-sdk-connect client, `AwsConnect`, `Gateway`)
//! in front of it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use connect_scim::connect::aws::{AwsConnect, simulator_client};
use connect_scim::connect::limit::{Gateway, LimitConfig};
use connect_scim::connect::simulator::{self, SimulatorConfig, SimulatorHandle};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::time::Instant;

/// A simulator with `config`, listening on 127.0.0.1 on a free port.
pub async fn spawn_simulator(config: SimulatorConfig) -> SimulatorHandle {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    simulator::spawn(config, listener)
        .await
        .expect("the simulator starts")
}

/// A gateway with `config` whose calls go over the wire to `sim`.
pub fn gateway_for(sim: &SimulatorHandle, config: LimitConfig) -> Gateway {
    let client = simulator_client(&sim.url());
    let connect = AwsConnect::new(client, sim.instance_id().to_owned());
    Gateway::new(Arc::new(connect), config)
}

/// A deadline `secs` seconds from now.
pub fn in_secs(secs: u64) -> Instant {
    Instant::now() + Duration::from_secs(secs)
}

/// Every line `child` writes to stdout and stderr, collected until it exits.
pub fn collect_output(child: &mut tokio::process::Child) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let sink = lines.clone();
    tokio::spawn(async move {
        let mut out = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = out.next_line().await {
            sink.lock().unwrap().push(line);
        }
    });
    let sink = lines.clone();
    tokio::spawn(async move {
        let mut err = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = err.next_line().await {
            sink.lock().unwrap().push(line);
        }
    });
    lines
}
