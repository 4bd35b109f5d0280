//! Buckets and leases in one DynamoDB table (`QUOTA_TABLE`, partition key
//! `pk`), shared by every instance: Lambda environments and `serve` replicas.
//!
//! A bucket is one item, `pk = quota#<prefix>#<bucket>`, with `tat` (epoch ms),
//! `slow`, `slowed_at` and `expires_at` (epoch s, the table's TTL). A
//! reservation is one conditional UpdateItem, with no read first:
//! - busy bucket: `SET tat = tat + :t` if `tat > :now AND tat <= :cap`; every
//!   concurrent caller gets its own slot, since DynamoDB applies updates to an
//!   item one at a time;
//! - idle bucket: `SET tat = :now_plus_t` if `attribute_not_exists(tat) OR tat <= :now`.
//!
//! Which path to try first is predicted from the state this process saw
//! last. A failed condition returns the item (`ReturnValuesOnConditionCheckFailure`);
//! where the endpoint does not (dynalite), one consistent GetItem tells it.
//! A reservation that would start past the request's deadline is not made.
//!
//! A lease is one item, `pk = lease#<prefix>#<user id>`, with `owner`,
//! `until_ms`, `last_write_ms` and `expires_at`: taken by a conditional
//! UpdateItem (free, or expired), extended before a write by one that sets
//! `until_ms` if `owner` is still ours, given back by one that removes
//! `owner` if it is still ours.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::gcra::{BucketState, Params};
use super::{LeaseTry, Slot, Store, StoreError};

type Item = HashMap<String, AttributeValue>;

/// Attempts at one reservation (a wrong prediction costs one more).
const ATTEMPTS: usize = 3;
/// How long an idle bucket item is kept (the table's TTL removes it after).
const BUCKET_TTL_S: i64 = 3600;

/// A DynamoDB client from the standard AWS chain (region, credentials,
/// `AWS_ENDPOINT_URL_DYNAMODB`), with short timeouts: a slow table must not
/// hold requests up, it makes the gateway fall back instead.
pub async fn client(shared: &aws_config::SdkConfig) -> Client {
    let config = aws_sdk_dynamodb::config::Builder::from(shared)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(1))
                .operation_attempt_timeout(std::time::Duration::from_secs(2))
                .build(),
        )
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2))
        .build();
    Client::from_conf(config)
}

/// `<account>#<region>`: STS GetCallerIdentity once, so that stacks of one
/// account sharing a table share one budget, as Connect's quota is shared.
pub async fn account_prefix(shared: &aws_config::SdkConfig) -> Result<String, StoreError> {
    let identity = aws_sdk_sts::Client::new(shared)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| store_error("STS GetCallerIdentity", e))?;
    let account = identity.account().unwrap_or("unknown-account");
    let region = shared.region().map_or("unknown-region", |r| r.as_ref());
    Ok(format!("{account}#{region}"))
}

/// The DynamoDB [`Store`].
#[derive(Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// Key prefix: `<account>#<region>` (or `QUOTA_KEY_PREFIX`).
    prefix: String,
    /// The last state seen per bucket, to pick the likely path first.
    seen: Mutex<HashMap<String, BucketState>>,
}

/// What one conditional UpdateItem did.
enum Outcome {
    Updated(Item),
    /// The condition failed; the item as it is, when the endpoint returned it.
    Failed(Option<Item>),
}

fn number(item: &Item, name: &str) -> Option<f64> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

fn state_of(item: &Item) -> BucketState {
    let idle = BucketState::idle();
    BucketState {
        tat: number(item, "tat").map_or(idle.tat, |n| n as i64),
        slow: number(item, "slow").unwrap_or(idle.slow),
        slowed_at: number(item, "slowed_at").map_or(idle.slowed_at, |n| n as i64),
    }
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn store_error<E: std::fmt::Debug>(what: &str, e: SdkError<E>) -> StoreError {
    let detail = match &e {
        SdkError::ServiceError(s) => format!("{:?}", s.err()),
        other => format!("{other}"),
    };
    StoreError(format!("DynamoDB {what}: {detail}"))
}

impl DynamoStore {
    /// A store on `table`, keys prefixed with `prefix` (account and region).
    pub fn new(client: Client, table: impl Into<String>, prefix: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
            prefix: prefix.into(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn key(&self, kind: &str, name: &str) -> AttributeValue {
        AttributeValue::S(format!("{kind}#{}#{name}", self.prefix))
    }

    fn remember(&self, key: &str, state: BucketState) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), state);
    }

    fn last_seen(&self, key: &str) -> Option<BucketState> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .copied()
    }

    /// One conditional UpdateItem of `pk`, returning the new item.
    async fn update(
        &self,
        pk: AttributeValue,
        update: &str,
        condition: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<Outcome, StoreError> {
        self.update_returning(pk, update, condition, values, ReturnValue::AllNew)
            .await
    }

    /// One conditional UpdateItem of `pk`, returning the item as `returning` says.
    async fn update_returning(
        &self,
        pk: AttributeValue,
        update: &str,
        condition: &str,
        values: Vec<(&str, AttributeValue)>,
        returning: ReturnValue,
    ) -> Result<Outcome, StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .update_expression(update)
            .condition_expression(condition)
            .return_values(returning)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        if update.contains("#owner") || condition.contains("#owner") {
            request = request.expression_attribute_names("#owner", "owner");
        }
        match request.send().await {
            Ok(out) => Ok(Outcome::Updated(out.attributes.unwrap_or_default())),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                let UpdateItemError::ConditionalCheckFailedException(failed) = e.err() else {
                    unreachable!("matched above")
                };
                Ok(Outcome::Failed(failed.item.clone()))
            }
            Err(e) => Err(store_error("UpdateItem", e)),
        }
    }

    /// The item as it is now (one consistent GetItem).
    async fn get(&self, pk: AttributeValue) -> Result<Item, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", pk)
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| store_error("GetItem", e))?;
        Ok(out.item.unwrap_or_default())
    }

    /// Whether the table exists and takes a write (for `check`).
    pub async fn verify(&self) -> Result<(), StoreError> {
        let pk = self.key("check", "write");
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", pk.clone())
            .item("expires_at", n(super::now_ms() / 1000 + 60))
            .send()
            .await
            .map_err(|e| store_error("PutItem", e))?;
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", pk)
            .send()
            .await
            .map_err(|e| store_error("DeleteItem", e))?;
        Ok(())
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn reserve(
        &self,
        key: &str,
        params: Params,
        now_ms: i64,
        latest_ms: i64,
    ) -> Result<Slot, StoreError> {
        let pk = self.key("quota", key);
        let mut state = self.last_seen(key).unwrap_or_else(BucketState::idle);
        let expires = n(now_ms / 1000 + BUCKET_TTL_S);
        for _ in 0..ATTEMPTS {
            let interval = state.interval_ms(params, now_ms);
            let burst_span = i64::from(params.burst) * interval;
            let outcome = if state.tat > now_ms {
                let cap = latest_ms + burst_span - interval;
                if state.tat > cap {
                    return Ok(Slot::Full {
                        first_ms: state.tat + interval - burst_span,
                    });
                }
                self.update(
                    pk.clone(),
                    "SET tat = tat + :t, expires_at = :exp",
                    "tat > :now AND tat <= :cap",
                    vec![
                        (":t", n(interval)),
                        (":now", n(now_ms)),
                        (":cap", n(cap)),
                        (":exp", expires.clone()),
                    ],
                )
                .await?
            } else {
                self.update(
                    pk.clone(),
                    "SET tat = :next, expires_at = :exp",
                    "attribute_not_exists(tat) OR tat <= :now",
                    vec![
                        (":next", n(now_ms + interval)),
                        (":now", n(now_ms)),
                        (":exp", expires.clone()),
                    ],
                )
                .await?
            };
            match outcome {
                Outcome::Updated(item) => {
                    let new = state_of(&item);
                    self.remember(key, new);
                    let at_ms = new.tat - i64::from(params.burst) * interval;
                    return Ok(Slot::Granted {
                        at_ms: at_ms.max(now_ms),
                    });
                }
                Outcome::Failed(item) => {
                    let item = match item {
                        Some(item) if !item.is_empty() => item,
                        _ => self.get(pk.clone()).await?,
                    };
                    state = state_of(&item);
                    self.remember(key, state);
                }
            }
        }
        // Still contended after every attempt: report the slot as it stands.
        let interval = state.interval_ms(params, now_ms);
        Ok(Slot::Full {
            first_ms: (state.tat.max(now_ms) + interval - i64::from(params.burst) * interval)
                .max(now_ms + interval),
        })
    }

    async fn slow_down(&self, key: &str, params: Params, now_ms: i64) -> Result<(), StoreError> {
        let pk = self.key("quota", key);
        let state = state_of(&self.get(pk.clone()).await?);
        let Some(slowed) = state.slowed_down(params, now_ms) else {
            return Ok(());
        };
        // Two conditional writes: the slowdown once per episode, and the push
        // of `tat` only forward (an update expression has no max()).
        self.update(
            pk.clone(),
            "SET slow = :slow, slowed_at = :now",
            "attribute_not_exists(slowed_at) OR slowed_at < :episode",
            vec![
                (":slow", n(slowed.slow)),
                (":now", n(now_ms)),
                (":episode", n(now_ms - super::gcra::EPISODE_MS)),
            ],
        )
        .await?;
        self.update(
            pk,
            "SET tat = :tat, expires_at = :exp",
            "attribute_not_exists(tat) OR tat < :tat",
            vec![
                (":tat", n(slowed.tat)),
                (":exp", n(now_ms / 1000 + BUCKET_TTL_S)),
            ],
        )
        .await?;
        self.remember(key, slowed);
        Ok(())
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<LeaseTry, StoreError> {
        let pk = self.key("lease", key);
        // `OWNER` is a DynamoDB reserved word, hence the `#owner` name. The
        // item as it was tells whether an expired holder is being replaced.
        let outcome = self
            .update_returning(
                pk.clone(),
                "SET #owner = :me, until_ms = :until, expires_at = :exp",
                "attribute_not_exists(#owner) OR until_ms < :now",
                vec![
                    (":me", AttributeValue::S(owner.to_owned())),
                    (":until", n(until_ms)),
                    (":now", n(now_ms)),
                    (":exp", n(until_ms / 1000 + BUCKET_TTL_S)),
                ],
                ReturnValue::AllOld,
            )
            .await?;
        match outcome {
            Outcome::Updated(old) => Ok(LeaseTry::Held {
                last_write_ms: number(&old, "last_write_ms").map(|n| n as i64),
                taken_over: old.contains_key("owner"),
            }),
            Outcome::Failed(item) => {
                let item = match item {
                    Some(item) if !item.is_empty() => item,
                    _ => self.get(pk).await?,
                };
                Ok(LeaseTry::Busy {
                    until_ms: number(&item, "until_ms").map_or(now_ms, |n| n as i64),
                })
            }
        }
    }

    async fn renew_lease(&self, key: &str, owner: &str, until_ms: i64) -> Result<bool, StoreError> {
        let outcome = self
            .update(
                self.key("lease", key),
                "SET until_ms = :until, expires_at = :exp",
                "#owner = :me",
                vec![
                    (":me", AttributeValue::S(owner.to_owned())),
                    (":until", n(until_ms)),
                    (":exp", n(until_ms / 1000 + BUCKET_TTL_S)),
                ],
            )
            .await?;
        Ok(matches!(outcome, Outcome::Updated(_)))
    }

    async fn release_lease(
        &self,
        key: &str,
        owner: &str,
        wrote_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let pk = self.key("lease", key);
        let mut values = vec![(":me", AttributeValue::S(owner.to_owned()))];
        let update = match wrote_ms {
            Some(ms) => {
                values.push((":wrote", n(ms)));
                "REMOVE #owner SET last_write_ms = :wrote"
            }
            None => "REMOVE #owner",
        };
        self.update(pk, update, "#owner = :me", values).await?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("DynamoDB table {}", self.table)
    }
}
