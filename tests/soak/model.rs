//! What Connect must hold after a run of mixed SCIM operations, computed by
//! the test alone: each simulated IdP user's expected Connect state, the
//! requests that change it, an IdP-like driver that retries each operation
//! until it is answered, and the comparison with the simulator's state.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::rngs::StdRng;
use reqwest::Method;
use serde_json::{Value, json};

use crate::idp::{self, Attempt};
use crate::state::ConnectUser;

/// The default security profile every user holds while active.
pub const AGENT: &str = "Agent";
/// The no-permission profile deactivated users hold.
pub const DISABLED: &str = "SCIM-Disabled";

/// A SCIM group (a security profile) the operations add users to.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub name: String,
}

/// One user as the IdP has it, and so as Connect must hold it.
#[derive(Debug, Clone)]
pub struct ModelUser {
    pub username: String,
    pub external_id: String,
    /// The Connect id while the user exists.
    pub id: Option<String>,
    pub given: String,
    pub family: String,
    pub active: bool,
    /// Groups (profile names) held while active, besides Agent.
    pub groups: BTreeSet<String>,
    revision: u32,
}

/// A SCIM operation on one user.
#[derive(Debug, Clone)]
pub enum Op {
    Create,
    Replace {
        given: String,
    },
    PatchFamily {
        family: String,
    },
    Deactivate,
    Reactivate,
    /// Adds the user to the group, or removes them if they are a member.
    ToggleGroup(usize),
    Delete,
}

/// Counts of what the driver saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub operations: usize,
    pub attempts: usize,
    pub cancelled: usize,
    pub retried_429: usize,
    pub retried_503: usize,
    /// Creates answered 409 after an attempt of theirs was cancelled or
    /// failed, resolved as an IdP does: by looking the userName up.
    pub create_409_after_lost_answer: usize,
    /// Deletes answered 404 after an attempt of theirs was cancelled or failed.
    pub delete_404_after_lost_answer: usize,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.operations += other.operations;
        self.attempts += other.attempts;
        self.cancelled += other.cancelled;
        self.retried_429 += other.retried_429;
        self.retried_503 += other.retried_503;
        self.create_409_after_lost_answer += other.create_409_after_lost_answer;
        self.delete_404_after_lost_answer += other.delete_404_after_lost_answer;
    }
}

impl ModelUser {
    pub fn new(username: String) -> ModelUser {
        ModelUser {
            external_id: format!("idp-{username}"),
            username,
            id: None,
            given: "Ana".into(),
            family: "Base".into(),
            active: true,
            groups: BTreeSet::new(),
            revision: 0,
        }
    }

    /// A random next operation that makes sense for the user's state.
    pub fn pick(&mut self, rng: &mut StdRng, groups: usize, with_groups: bool) -> Op {
        if self.id.is_none() {
            return Op::Create;
        }
        self.revision += 1;
        let roll = rng.random_range(0..100);
        match roll {
            0..20 => Op::Replace {
                given: format!("G{}", self.revision),
            },
            20..40 => Op::PatchFamily {
                family: format!("F{}", self.revision),
            },
            40..62 if self.active => Op::Deactivate,
            40..62 => Op::Reactivate,
            62..94 if with_groups => {
                let g = rng.random_range(0..groups);
                Op::ToggleGroup(g)
            }
            62..94 if self.active => Op::Deactivate,
            62..94 => Op::Reactivate,
            _ => Op::Delete,
        }
    }

    fn resource(&self, given: &str, family: &str) -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": self.username,
            "externalId": self.external_id,
            "name": {"givenName": given, "familyName": family},
            "emails": [{"value": self.username, "type": "work", "primary": true}],
        })
    }

    /// The request for `op`: method, path under the SCIM base, body, and the
    /// statuses that mean it was done.
    fn request(
        &self,
        op: &Op,
        groups: &[Group],
    ) -> (Method, String, Option<Value>, &'static [u16]) {
        let id = self.id.clone().unwrap_or_default();
        let patch = |ops: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        match op {
            Op::Create => {
                let mut body = self.resource(&self.given, &self.family);
                body["active"] = json!(true);
                // Assigned, so that group grants add to it (the default
                // fallback alone would be replaced by the first grant).
                body["entitlements"] = json!([{"value": AGENT}]);
                (Method::POST, "/Users".into(), Some(body), &[201])
            }
            Op::Replace { given } => (
                Method::PUT,
                format!("/Users/{id}"),
                Some(self.resource(given, &self.family)),
                &[200],
            ),
            Op::PatchFamily { family } => (
                Method::PATCH,
                format!("/Users/{id}"),
                Some(patch(
                    json!([{"op": "replace", "path": "name.familyName", "value": family}]),
                )),
                &[200, 204],
            ),
            Op::Deactivate | Op::Reactivate => (
                Method::PATCH,
                format!("/Users/{id}"),
                Some(patch(
                    json!([{"op": "replace", "value": {"active": matches!(op, Op::Reactivate)}}]),
                )),
                &[200, 204],
            ),
            Op::ToggleGroup(g) => {
                let ops = if self.groups.contains(&groups[*g].name) {
                    json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}])
                } else {
                    json!([{"op": "add", "path": "members", "value": [{"value": id}]}])
                };
                (
                    Method::PATCH,
                    format!("/Groups/{}", groups[*g].id),
                    Some(patch(ops)),
                    &[204],
                )
            }
            Op::Delete => (Method::DELETE, format!("/Users/{id}"), None, &[204]),
        }
    }

    /// The model after `op` was done; `created` is the new user's id.
    fn apply(&mut self, op: &Op, groups: &[Group], created: Option<String>) {
        match op {
            Op::Create => self.id = created,
            Op::Replace { given } => self.given = given.clone(),
            Op::PatchFamily { family } => self.family = family.clone(),
            Op::Deactivate => self.active = false,
            Op::Reactivate => self.active = true,
            Op::ToggleGroup(g) => {
                let name = &groups[*g].name;
                if !self.groups.remove(name) {
                    self.groups.insert(name.clone());
                }
            }
            Op::Delete => {
                let username = self.username.clone();
                *self = ModelUser {
                    revision: self.revision,
                    ..ModelUser::new(username)
                };
            }
        }
    }

    /// The security profiles Connect must show for this user.
    pub fn expected_profiles(&self) -> BTreeSet<String> {
        if self.active {
            let mut all = self.groups.clone();
            all.insert(AGENT.into());
            all
        } else {
            BTreeSet::from([DISABLED.to_owned()])
        }
    }
}

/// How the driver sends: the SCIM base URL, and the share of attempts it
/// cancels client-side after `cancel_after`.
pub struct Driver<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub groups: &'a [Group],
    pub cancel_rate: f64,
    pub cancel_after: Duration,
}

impl Driver<'_> {
    /// Sends `op` for `user` until it is done, as an IdP retries; applies it
    /// to the model. Panics on any answer an IdP could not act on.
    pub async fn run(&self, user: &mut ModelUser, op: &Op, rng: &mut StdRng) -> Tally {
        let (method, path, body, done) = user.request(op, self.groups);
        let url = format!("{}{path}", self.base);
        let mut tally = Tally {
            operations: 1,
            ..Tally::default()
        };
        let mut answer_lost = false;
        let started = Instant::now();
        for _ in 0..60 {
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "{op:?} on {} never finished",
                user.username
            );
            let cancel = rng.random_bool(self.cancel_rate);
            let timeout = if cancel {
                self.cancel_after
            } else {
                Duration::from_secs(60)
            };
            tally.attempts += 1;
            let attempt =
                idp::attempt(self.http, &url, method.clone(), body.as_ref(), timeout).await;
            if let Some(wait) = idp::backoff(&attempt) {
                match &attempt {
                    Attempt::Answer { status: 429, .. } => tally.retried_429 += 1,
                    _ => tally.retried_503 += 1,
                }
                answer_lost = true;
                tokio::time::sleep(wait).await;
                continue;
            }
            let Attempt::Answer {
                status,
                body: reply,
                ..
            } = attempt
            else {
                tally.cancelled += 1;
                answer_lost = true;
                continue;
            };
            if done.contains(&status) {
                let created = reply["id"].as_str().map(str::to_owned);
                user.apply(op, self.groups, created);
                return tally;
            }
            match (op, status) {
                (Op::Create, 409) if answer_lost => {
                    tally.create_409_after_lost_answer += 1;
                    let id = self.look_up(user).await;
                    user.apply(op, self.groups, Some(id));
                    return tally;
                }
                (Op::Delete, 404) if answer_lost => {
                    tally.delete_404_after_lost_answer += 1;
                    user.apply(op, self.groups, None);
                    return tally;
                }
                _ => panic!("{op:?} on {}: {status} {reply}", user.username),
            }
        }
        panic!("{op:?} on {}: no answer after 60 attempts", user.username)
    }

    /// The IdP's lookup after a 409: the user by userName, which must be the
    /// one this IdP made (its externalId). Waits out Connect's lag.
    async fn look_up(&self, user: &ModelUser) -> String {
        let url = format!(
            "{}/Users?filter=userName%20eq%20%22{}%22",
            self.base, user.username
        );
        for _ in 0..40 {
            let attempt =
                idp::attempt(self.http, &url, Method::GET, None, Duration::from_secs(30)).await;
            if let Attempt::Answer {
                status: 200, body, ..
            } = attempt
                && body["totalResults"] == 1
            {
                let found = &body["Resources"][0];
                assert_eq!(found["externalId"], user.external_id.as_str(), "{found}");
                return found["id"].as_str().expect("an id").to_owned();
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("{} answered 409 but cannot be found", user.username)
    }
}

/// Connect's users against the model: the same users, each once, with the
/// model's names, activity and profiles; none half-applied.
pub fn assert_connect_matches(model: &[ModelUser], connect: &BTreeMap<String, ConnectUser>) {
    let existing: Vec<&ModelUser> = model.iter().filter(|u| u.id.is_some()).collect();
    let expected: BTreeSet<String> = existing
        .iter()
        .map(|u| u.username.to_ascii_lowercase())
        .collect();
    let actual: BTreeSet<String> = connect.keys().cloned().collect();
    assert_eq!(actual, expected, "the users in Connect");
    for user in existing {
        let found = &connect[&user.username.to_ascii_lowercase()];
        let who = &user.username;
        assert_eq!(Some(found.id.as_str()), user.id.as_deref(), "{who}: id");
        assert_eq!(
            found.first_name.as_deref(),
            Some(user.given.as_str()),
            "{who}"
        );
        assert_eq!(
            found.last_name.as_deref(),
            Some(user.family.as_str()),
            "{who}"
        );
        assert_eq!(found.tagged_inactive(), !user.active, "{who}: scim:active");
        assert_eq!(found.profiles, user.expected_profiles(), "{who}: profiles");
        assert_eq!(
            found.tags.get("scim:externalId").map(String::as_str),
            Some(user.external_id.as_str()),
            "{who}: externalId"
        );
    }
}
