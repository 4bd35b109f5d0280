//! Connect's state as the simulator holds it (`GET /simulator/state`): what
//! the tests compare with their own model, read without quota or lag.

use std::collections::{BTreeMap, BTreeSet};

use connect_scim::connect::simulator::SimulatorHandle;
use serde_json::Value;

/// One Connect user, with its security profiles by name.
#[derive(Debug, Clone)]
pub struct ConnectUser {
    pub id: String,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub profiles: BTreeSet<String>,
    pub tags: BTreeMap<String, String>,
}

impl ConnectUser {
    /// The `scim:active` tag reads false.
    pub fn tagged_inactive(&self) -> bool {
        self.tags.get("scim:active").is_some_and(|v| v == "false")
    }
}

/// Every user of the instance.
pub async fn users(sim: &SimulatorHandle) -> Vec<ConnectUser> {
    let state: Value = reqwest::get(format!("{}/simulator/state", sim.url()))
        .await
        .expect("the simulator answers")
        .json()
        .await
        .expect("state JSON");
    let names: BTreeMap<&str, &str> = state["security_profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let text = |v: &Value| v.as_str().map(str::to_owned);
    state["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| ConnectUser {
            id: text(&u["id"]).expect("id"),
            username: text(&u["username"]).expect("username"),
            first_name: text(&u["identity"]["first_name"]),
            last_name: text(&u["identity"]["last_name"]),
            profiles: u["security_profile_ids"]
                .as_array()
                .expect("profile ids")
                .iter()
                .map(|id| names[id.as_str().unwrap()].to_owned())
                .collect(),
            tags: u["tags"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Users by username; panics if a username appears twice.
pub async fn users_by_name(sim: &SimulatorHandle) -> BTreeMap<String, ConnectUser> {
    let mut by_name = BTreeMap::new();
    for user in users(sim).await {
        let key = user.username.to_ascii_lowercase();
        assert!(
            by_name.insert(key, user.clone()).is_none(),
            "{} is in Connect twice",
            user.username
        );
    }
    by_name
}
