//! `TestApp`: the production Router on a real loopback socket, in front of a
//! Connect simulator (quota on), driven over HTTP like an identity provider.

use std::collections::HashMap;
use std::sync::Arc;

use connect_scim::app::{self, Target};
use connect_scim::config::Config;
use connect_scim::connect::aws::{AwsConnect, simulator_client};
use connect_scim::connect::simulator::{self, SimulatorConfig, SimulatorHandle, Stats};
use connect_scim::http::{self, App};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;

pub const TOKEN: &str = "test-token-4f1c9a-7d2e8b5c0a3f6e9d1b4c";

/// A PatchOp request of these operations.
pub fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT/scim/v2`
    pub base: String,
    pub sim: SimulatorHandle,
    /// The service's state, for tests that call it in-process.
    #[allow(dead_code)]
    pub app: Arc<App>,
    client: reqwest::Client,
}

/// A response: status, headers, JSON body (Null when empty).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl TestApp {
    /// Default settings, simulator with Connect's default quota (2 rps, burst 5).
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(SimulatorConfig::default(), &[]).await
    }

    /// With simulator settings and extra environment variables.
    pub async fn spawn_with(sim_config: SimulatorConfig, env: &[(&str, &str)]) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = simulator::spawn(sim_config, listener).await.unwrap();
        let mut vars: HashMap<String, String> = HashMap::new();
        vars.insert("SCIM_BEARER_TOKEN".into(), TOKEN.into());
        for (k, v) in env {
            vars.insert(k.to_string(), v.to_string());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        let built = app::build(
            config,
            Target::Endpoint {
                url: sim.url(),
                instance_id: sim.instance_id().to_owned(),
            },
        )
        .await
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = http::router(built.app.clone());
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        TestApp {
            base: format!("http://{addr}{}", http::BASE_PATH),
            sim,
            app: built.app,
            client: reqwest::Client::new(),
        }
    }

    /// Connect call counters since the last reset.
    pub fn stats(&self) -> Stats {
        self.sim.stats()
    }

    /// Zeroes the simulator's counters.
    pub fn reset_stats(&self) {
        self.sim.reset_stats();
    }

    /// Calls of one Connect operation since the last reset.
    pub fn calls(&self, operation: &str) -> u64 {
        self.stats().calls.get(operation).copied().unwrap_or(0)
    }

    /// Sends a request with the test token; `path` is under the SCIM base.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.send_raw(method, path, body.map(|b| b.to_string()), Some(TOKEN), &[])
            .await
    }

    /// Sends with full control over body text, token and headers.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/scim+json; charset=utf-8")
                .body(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Sends a body with no Content-Type header at all (Okta's spec test does).
    pub async fn send_raw_untyped(&self, method: Method, path: &str, body: String) -> Reply {
        let resp = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    /// POSTs a user, asserts 201, and returns its id.
    pub async fn create_user(&self, body: &Value) -> String {
        let reply = self.post("/Users", body).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().expect("an id").to_owned()
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// The simulator's record of a user (DescribeUser JSON), without using quota.
    pub fn connect_user(&self, username: &str) -> Option<Value> {
        self.sim.user_by_username(username)
    }

    /// Security profile ids of a user, sorted.
    pub fn profile_ids(&self, username: &str) -> Vec<String> {
        let user = self.connect_user(username).expect("user in Connect");
        let mut ids: Vec<String> = user["SecurityProfileIds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    }

    /// One of a user's tags in Connect (None: the user has no such tag).
    pub fn tag(&self, username: &str, key: &str) -> Option<String> {
        self.connect_user(username).expect("user in Connect")["Tags"][key]
            .as_str()
            .map(str::to_owned)
    }

    /// The list entry of a user, from one SearchUsers (its summary and tags).
    pub async fn listed(&self, username: &str) -> Value {
        let list = self
            .get(&format!("/Users?filter=userName%20eq%20%22{username}%22"))
            .await;
        assert_eq!(list.body["totalResults"], 1, "{}", list.body);
        list.body["Resources"][0].clone()
    }

    /// The Connect console: the Connect API with no SCIM in between.
    pub fn console(&self) -> AwsConnect {
        AwsConnect::new(
            simulator_client(&self.sim.url()),
            self.sim.instance_id().to_owned(),
        )
    }

    /// Ids of security profiles by name, sorted.
    pub fn profile_ids_named(&self, names: &[&str]) -> Vec<String> {
        let mut ids: Vec<String> = names
            .iter()
            .map(|n| self.sim.security_profile_id(n).expect("seeded profile"))
            .collect();
        ids.sort();
        ids
    }
}

impl Reply {
    /// Asserts a SCIM error body with this status (and scimType when given).
    pub fn assert_scim_error(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status.to_string(), "{}", self.body);
        if let Some(t) = scim_type {
            assert_eq!(self.body["scimType"], t, "{}", self.body);
        }
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}
