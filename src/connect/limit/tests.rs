//! Unit tests of the gateway against [`FakeConnect`], in real time (the quota
//! store's clock is the wall clock), with quotas chosen to keep them short.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::{Gateway, LimitConfig};
use crate::connect::fake::FakeConnect;
use crate::connect::quota::{LeaseTry, MemoryStore, Store, now_ms};
use crate::connect::{Connect, ConnectError, IdentityInfo, NewUser, PhoneConfig, Tags};

/// A quota that never gets in the way, and short backoffs.
fn roomy() -> LimitConfig {
    LimitConfig {
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..LimitConfig::with_rate(1000.0, 1000)
    }
}

fn gateway(config: LimitConfig) -> (Arc<FakeConnect>, Gateway) {
    let fake = Arc::new(FakeConnect::new());
    let gateway = Gateway::new(fake.clone(), config);
    (fake, gateway)
}

fn in_secs(secs: u64) -> Instant {
    Instant::now() + Duration::from_secs(secs)
}

fn new_user() -> NewUser {
    NewUser {
        username: "jdoe@example.com".into(),
        identity: IdentityInfo::default(),
        phone: PhoneConfig::default(),
        security_profile_ids: vec!["sp-agent".into()],
        routing_profile_id: "rp-basic".into(),
        hierarchy_group_id: None,
        tags: Tags::new(),
        password: None,
    }
}

fn throttled() -> ConnectError {
    ConnectError::Throttled {
        retry_after: Duration::from_secs(1),
    }
}

#[tokio::test]
async fn a_call_that_cannot_meet_its_deadline_fails_fast_with_throttled() {
    let config = LimitConfig {
        ..LimitConfig::with_rate(1.0, 1)
    };
    let (fake, gateway) = gateway(config);
    let drained = gateway.session(in_secs(5)).describe_instance().await;
    assert!(drained.is_ok());

    let started = Instant::now();
    let session = gateway.session(started + Duration::from_millis(300));
    let result = session.describe_instance().await;

    assert!(
        started.elapsed() < Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        result.map(|_| ()),
        Err(ConnectError::Throttled {
            retry_after: Duration::from_secs(1)
        })
    );
    assert_eq!(session.calls(), 0);
    assert_eq!(fake.total_calls(), 1);
}

#[tokio::test]
async fn a_caller_behind_a_long_queue_fails_fast_without_waiting_its_turn() {
    let config = LimitConfig {
        ..LimitConfig::with_rate(2.0, 1)
    };
    let (_fake, gateway) = gateway(config);
    let queue: Vec<_> = (0..6)
        .map(|_| {
            let gateway = gateway.clone();
            tokio::spawn(async move { gateway.session(in_secs(10)).describe_instance().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;

    let started = Instant::now();
    let result = gateway
        .session(started + Duration::from_millis(300))
        .describe_instance()
        .await;

    assert!(
        started.elapsed() < Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(result, Err(ConnectError::Throttled { .. })));
    for waiting in queue {
        waiting.abort();
    }
}

#[tokio::test]
async fn concurrent_callers_are_paced_at_the_configured_rate() {
    let config = LimitConfig {
        ..LimitConfig::with_rate(10.0, 2)
    };
    let (fake, gateway) = gateway(config);
    let started = Instant::now();
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let gateway = gateway.clone();
            tokio::spawn(async move {
                let session = gateway.session(in_secs(5));
                session
                    .describe_instance()
                    .await
                    .map(|_| session.throttle_wait())
            })
        })
        .collect();
    let mut waited = Duration::ZERO;
    for call in calls {
        let wait = call.await.ok().and_then(Result::ok);
        waited += wait.unwrap_or(Duration::MAX / 8);
    }

    // One from the burst (its other token is headroom), then five more one
    // tenth of a second apart.
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "{:?}",
        started.elapsed()
    );
    assert!(waited > Duration::ZERO && waited < Duration::from_secs(5));
    assert_eq!(fake.calls("DescribeInstance"), 6);
}

#[tokio::test]
async fn throttled_calls_are_retried_until_they_succeed() {
    let (fake, gateway) = gateway(roomy());
    fake.fail_next([throttled(), ConnectError::Unavailable("500".into())]);
    let session = gateway.session(in_secs(5));

    let result = session.describe_instance().await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(session.calls(), 3);
    assert_eq!(fake.calls("DescribeInstance"), 3);
    assert_eq!(session.connect_throttles(), 1, "the request log reports it");
}

#[tokio::test]
async fn retries_stop_after_max_attempts_with_the_last_error() {
    let (fake, gateway) = gateway(roomy());
    fake.fail_next((0..10).map(|_| ConnectError::Unavailable("500".into())));
    let session = gateway.session(in_secs(5));

    let result = session.describe_instance().await;

    assert_eq!(
        result.map(|_| ()),
        Err(ConnectError::Unavailable("500".into()))
    );
    assert_eq!(session.calls(), 4);
}

#[tokio::test]
async fn retries_never_run_past_the_deadline() {
    let config = LimitConfig {
        max_attempts: 1000,
        base_backoff: Duration::from_millis(40),
        max_backoff: Duration::from_millis(40),
        ..roomy()
    };
    let (fake, gateway) = gateway(config);
    fake.fail_next((0..1000).map(|_| throttled()));
    let started = Instant::now();

    let result = gateway
        .session(started + Duration::from_millis(200))
        .describe_instance()
        .await;

    assert!(matches!(result, Err(ConnectError::Throttled { .. })));
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_create_that_failed_after_sending_is_not_retried_blindly() {
    let (fake, gateway) = gateway(roomy());
    fake.fail_next([ConnectError::Unavailable("500".into())]);
    let session = gateway.session(in_secs(5));
    let result = session.create_user(&new_user()).await;
    assert!(
        matches!(result, Err(ConnectError::Unavailable(_))),
        "{result:?}"
    );
    assert_eq!(session.calls(), 1);
}

#[tokio::test]
async fn a_duplicate_is_returned_at_once() {
    let (fake, gateway) = gateway(roomy());
    fake.fail_next([ConnectError::Duplicate("taken".into())]);
    let session = gateway.session(in_secs(5));

    let result = session.create_user(&new_user()).await;

    assert_eq!(result, Err(ConnectError::Duplicate("taken".into())));
    assert_eq!(session.calls(), 1);
}

#[tokio::test]
async fn a_not_found_for_a_user_created_moments_ago_is_retried() {
    let (fake, gateway) = gateway(roomy());
    let created = gateway.session(in_secs(5)).create_user(&new_user()).await;
    let created = created.unwrap_or_else(|e| panic!("create failed: {e}"));
    fake.fail_next([
        ConnectError::NotFound("not yet".into()),
        ConnectError::NotFound("not yet".into()),
    ]);
    let session = gateway.session(in_secs(5));

    let user = session.describe_user(&created.id).await;

    assert_eq!(user.map(|u| u.id), Ok(created.id));
    assert_eq!(session.calls(), 3);
    fake.fail_next([ConnectError::NotFound("not yet".into())]);
    let tags = gateway
        .session(in_secs(5))
        .list_tags_for_resource(&created.arn)
        .await;
    assert!(tags.is_ok(), "a tag call by ARN is retried too: {tags:?}");
}

#[tokio::test]
async fn a_not_found_for_any_other_user_is_returned_at_once() {
    let (fake, gateway) = gateway(roomy());
    fake.fail_next([ConnectError::NotFound("no such user".into())]);
    let session = gateway.session(in_secs(5));

    let result = session.describe_user("someone-else").await;

    assert_eq!(
        result.map(|u| u.id),
        Err(ConnectError::NotFound("no such user".into()))
    );
    assert_eq!(session.calls(), 1);
}

#[tokio::test]
async fn a_user_created_long_ago_gets_no_consistency_retries() {
    let config = LimitConfig {
        consistency_window: Duration::from_millis(30),
        ..roomy()
    };
    let (fake, gateway) = gateway(config);
    let created = gateway.session(in_secs(5)).create_user(&new_user()).await;
    let created = created.unwrap_or_else(|e| panic!("create failed: {e}"));
    tokio::time::sleep(Duration::from_millis(50)).await;
    fake.fail_next([ConnectError::NotFound("gone".into())]);

    let result = gateway.session(in_secs(5)).describe_user(&created.id).await;

    assert!(matches!(result, Err(ConnectError::NotFound(_))));
    assert_eq!(fake.calls("DescribeUser"), 1);
}

#[tokio::test]
async fn a_not_found_after_deleting_a_new_user_is_returned_at_once() {
    let (fake, gateway) = gateway(roomy());
    let session = gateway.session(in_secs(5));
    let created = session.create_user(&new_user()).await;
    let created = created.unwrap_or_else(|e| panic!("create failed: {e}"));
    assert_eq!(session.delete_user(&created.id).await, Ok(()));
    fake.fail_next([ConnectError::NotFound("deleted".into())]);

    let result = session.describe_user(&created.id).await;

    assert!(matches!(result, Err(ConnectError::NotFound(_))));
    assert_eq!(fake.calls("DescribeUser"), 1);
}

#[tokio::test]
async fn a_new_user_is_waited_for_beyond_max_attempts_within_the_consistency_window() {
    let (fake, gateway) = gateway(LimitConfig {
        max_attempts: 2,
        ..roomy()
    });
    let created = gateway.session(in_secs(5)).create_user(&new_user()).await;
    let created = created.unwrap_or_else(|e| panic!("create failed: {e}"));
    fake.fail_next((0..4).map(|_| ConnectError::NotFound("not yet".into())));
    let session = gateway.session(in_secs(10));

    let user = session.describe_user(&created.id).await;

    assert_eq!(user.map(|u| u.id), Ok(created.id));
    assert_eq!(session.calls(), 5);
}

/// A gateway whose leases live in a store shared with "other instances"
/// (the test, calling the store directly).
fn gateway_sharing(store: Arc<MemoryStore>) -> (Arc<FakeConnect>, Gateway) {
    let fake = Arc::new(FakeConnect::new());
    let gateway = Gateway::with_store(fake.clone(), roomy(), store, true);
    (fake, gateway)
}

fn profiles() -> Vec<String> {
    vec!["sp-agent".into(), "sp-quality".into()]
}

#[tokio::test]
async fn a_write_that_could_outlive_its_user_lease_renews_the_lease_first() {
    let store = Arc::new(MemoryStore::new());
    let (fake, gateway) = gateway_sharing(store.clone());
    // Due in 1 s: the lease lasts until 6 s from now, less than a write's span.
    let session = gateway.session(in_secs(1));
    let _lease = session.lease("u1").await.unwrap();

    let wrote = session
        .update_user_security_profiles("u1", &profiles())
        .await;

    assert_eq!(wrote, Ok(()));
    assert_eq!(fake.calls("UpdateUserSecurityProfiles"), 1);
    // Another instance, once the first expiry has passed, still finds it held
    // for the whole span of the write.
    let later = now_ms() + 7_000;
    match store
        .acquire_lease("u1", "other", later, later + 1_000)
        .await
    {
        Ok(LeaseTry::Busy { until_ms }) => assert!(until_ms > now_ms() + 10_000, "{until_ms}"),
        other => panic!("the lease was not renewed: {other:?}"),
    }
}

#[tokio::test]
async fn a_write_under_a_user_lease_another_request_took_over_is_not_made() {
    let store = Arc::new(MemoryStore::new());
    let (fake, gateway) = gateway_sharing(store.clone());
    let session = gateway.session(in_secs(1));
    let _lease = session.lease("u1").await.unwrap();
    // Past its expiry (as another instance's clock sees it), another takes it.
    let later = now_ms() + 7_000;
    let other = store
        .acquire_lease("u1", "other", later, later + 60_000)
        .await;
    assert!(
        matches!(
            other,
            Ok(LeaseTry::Held {
                taken_over: true,
                ..
            })
        ),
        "{other:?}"
    );

    let wrote = session
        .update_user_security_profiles("u1", &profiles())
        .await;

    assert!(
        matches!(wrote, Err(ConnectError::Throttled { .. })),
        "{wrote:?}"
    );
    assert_eq!(
        fake.calls("UpdateUserSecurityProfiles"),
        0,
        "the write was made"
    );
}

#[tokio::test]
async fn a_user_lease_given_back_does_not_hold_up_the_sessions_later_writes() {
    let store = Arc::new(MemoryStore::new());
    let (fake, gateway) = gateway_sharing(store.clone());
    let session = gateway.session(in_secs(1));
    let lease = session.lease("u1").await.unwrap();
    drop(lease);
    tokio::time::sleep(Duration::from_millis(20)).await;
    // Given back: another takes it at once, without taking it over.
    let now = now_ms();
    let other = store.acquire_lease("u1", "other", now, now + 60_000).await;
    assert!(
        matches!(
            other,
            Ok(LeaseTry::Held {
                taken_over: false,
                ..
            })
        ),
        "{other:?}"
    );

    let wrote = session
        .update_user_security_profiles("u2", &profiles())
        .await;

    assert_eq!(wrote, Ok(()));
    assert_eq!(fake.calls("UpdateUserSecurityProfiles"), 1);
}
