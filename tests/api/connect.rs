//! The Connect port end to end: the real aws-sdk-connect client, `AwsConnect`
//! and the `Gateway`, against the simulator over loopback (its quota on unless a
//! test is about something else).

use std::time::Duration;

use connect_scim::connect::limit::LimitConfig;
use connect_scim::connect::simulator::{SimulatorConfig, SimulatorHandle};
use connect_scim::connect::{
    Comparison, Connect, ConnectError, IdentityInfo, NewUser, PhoneConfig, PhoneType, TagFilter,
    Tags, UserCriteria, UserField, UserSearch,
};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::helpers::{gateway_for, in_secs, spawn_simulator};

fn new_user(sim: &SimulatorHandle, username: &str, external_id: &str) -> NewUser {
    NewUser {
        username: username.into(),
        identity: IdentityInfo {
            first_name: Some("Jane".into()),
            last_name: Some("Doe".into()),
            email: Some(username.into()),
            ..IdentityInfo::default()
        },
        phone: PhoneConfig::default(),
        security_profile_ids: vec![profile(sim, "Agent")],
        routing_profile_id: sim
            .routing_profile_id("Basic Routing Profile")
            .expect("the seeded routing profile"),
        hierarchy_group_id: None,
        tags: Tags::from([("scim:externalId".to_owned(), external_id.to_owned())]),
        password: None,
    }
}

fn profile(sim: &SimulatorHandle, name: &str) -> String {
    sim.security_profile_id(name)
        .expect("a seeded security profile")
}

fn by_username(username: &str) -> UserSearch {
    UserSearch {
        criteria: Some(UserCriteria::String {
            field: UserField::Username,
            comparison: Comparison::Exact,
            value: username.into(),
        }),
        ..UserSearch::default()
    }
}

/// The simulator's own record of the user, bypassing quota and consistency delay.
fn state(sim: &SimulatorHandle, id: &str) -> Value {
    sim.user(id).unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_user_is_created_read_searched_updated_tagged_and_deleted() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let gateway = gateway_for(&sim, LimitConfig::default());
    let connect = gateway.session(in_secs(30));
    let new = new_user(&sim, "jdoe@example.com", "00u1");

    let created = connect.create_user(&new).await.expect("CreateUser");
    let user = connect
        .describe_user(&created.id)
        .await
        .expect("DescribeUser");
    assert_eq!(
        (user.arn.as_str(), user.username.as_str()),
        (created.arn.as_str(), "jdoe@example.com")
    );
    assert_eq!(
        (&user.identity, &user.phone, &user.tags),
        (&new.identity, &new.phone, &new.tags)
    );
    assert_eq!(user.security_profile_ids, new.security_profile_ids);
    assert_eq!(state(&sim, &created.id)["Username"], "jdoe@example.com");

    let found = connect.search_users(&by_username("jdoe@example.com")).await;
    let found = found.expect("SearchUsers by username");
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, created.id);
    assert_eq!(found.items[0].first_name.as_deref(), Some("Jane"));
    let tagged = UserSearch {
        tag_filter: Some(TagFilter::Tag {
            key: "scim:externalId".into(),
            value: "00u1".into(),
        }),
        ..UserSearch::default()
    };
    let found = connect
        .search_users(&tagged)
        .await
        .expect("SearchUsers by tag");
    let ids: Vec<_> = found.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, [created.id.as_str()]);

    let identity = IdentityInfo {
        first_name: Some("Janet".into()),
        mobile: Some("+14155550100".into()),
        ..new.identity.clone()
    };
    let profiles = vec![profile(&sim, "Agent"), profile(&sim, "QualityAnalyst")];
    let phone = PhoneConfig {
        phone_type: PhoneType::DeskPhone,
        auto_accept: true,
        after_contact_work_time_limit: 60,
        desk_phone_number: Some("+14155550101".into()),
    };
    let tier1 = sim
        .hierarchy_group_id("Seattle/Tier1")
        .expect("a seeded group");
    let id = created.id.as_str();
    connect
        .update_user_identity_info(id, &identity)
        .await
        .expect("identity");
    connect
        .update_user_security_profiles(id, &profiles)
        .await
        .expect("profiles");
    connect
        .update_user_routing_profile(id, &new.routing_profile_id)
        .await
        .expect("routing profile");
    connect
        .update_user_phone_config(id, &phone)
        .await
        .expect("phone");
    connect
        .update_user_hierarchy(id, Some(&tier1))
        .await
        .expect("hierarchy");

    let user = connect.describe_user(id).await.expect("DescribeUser");
    assert_eq!((&user.identity, &user.phone), (&identity, &phone));
    assert_eq!(user.security_profile_ids, profiles);
    assert_eq!(user.routing_profile_id, new.routing_profile_id);
    assert_eq!(user.hierarchy_group_id.as_deref(), Some(tier1.as_str()));
    let record = state(&sim, id);
    assert_eq!(record["IdentityInfo"]["FirstName"], "Janet");
    assert_eq!(record["PhoneConfig"]["PhoneType"], "DESK_PHONE");
    assert_eq!(record["SecurityProfileIds"], json!(profiles));
    assert_eq!(record["HierarchyGroupId"], json!(tier1));

    let more = Tags::from([("scim:active".to_owned(), "false".to_owned())]);
    connect
        .tag_resource(&created.arn, &more)
        .await
        .expect("TagResource");
    let tags = connect.list_tags_for_resource(&created.arn).await;
    assert_eq!(tags.map(|t| t.len()), Ok(2));
    assert_eq!(state(&sim, id)["Tags"]["scim:active"], "false");
    connect
        .untag_resource(&created.arn, &["scim:active".to_owned()])
        .await
        .expect("UntagResource");
    let tags = connect.list_tags_for_resource(&created.arn).await;
    assert_eq!(tags, Ok(new.tags.clone()));

    connect.delete_user(id).await.expect("DeleteUser");
    let gone = connect.describe_user(id).await;
    assert!(matches!(gone, Err(ConnectError::NotFound(_))), "{gone:?}");
    assert_eq!(sim.user_count(), 0);
    assert_eq!(connect.calls(), 16, "one Connect call per operation");
    assert_eq!(sim.stats().throttled, 0);
}

#[tokio::test]
async fn a_duplicate_username_is_refused_with_duplicate() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let connect = gateway_for(&sim, LimitConfig::default()).session(in_secs(10));
    let first = connect
        .create_user(&new_user(&sim, "dup@example.com", "a"))
        .await;
    assert!(first.is_ok(), "{first:?}");

    let second = connect
        .create_user(&new_user(&sim, "dup@example.com", "b"))
        .await;

    assert!(
        matches!(second, Err(ConnectError::Duplicate(_))),
        "{second:?}"
    );
    assert_eq!(connect.calls(), 2, "no retry");
    assert_eq!(sim.user_count(), 1);
}

#[tokio::test]
async fn an_unknown_profile_id_is_refused_with_not_found() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let connect = gateway_for(&sim, LimitConfig::default()).session(in_secs(10));
    let mut new = new_user(&sim, "nobody@example.com", "c");
    new.security_profile_ids = vec!["00000000-0000-4000-8000-000000000000".into()];

    let refused = connect.create_user(&new).await;

    assert!(
        matches!(refused, Err(ConnectError::NotFound(_))),
        "{refused:?}"
    );
    assert_eq!(sim.user_count(), 0);
}

#[tokio::test]
async fn an_unknown_user_is_not_found_at_once() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let connect = gateway_for(&sim, LimitConfig::default()).session(in_secs(10));

    let missing = connect
        .describe_user("00000000-0000-4000-8000-000000000000")
        .await;

    assert!(
        matches!(missing, Err(ConnectError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(connect.calls(), 1);
}

#[tokio::test]
async fn a_burst_of_20_concurrent_calls_stays_under_the_quota() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let gateway = gateway_for(&sim, LimitConfig::default());
    let started = Instant::now();

    let calls: Vec<_> = (0..20)
        .map(|_| {
            let gateway = gateway.clone();
            tokio::spawn(async move { gateway.session(in_secs(15)).describe_instance().await })
        })
        .collect();
    for call in calls {
        let instance = call.await.expect("the task ran");
        assert_eq!(instance.map(|i| i.id), Ok(sim.instance_id().to_owned()));
    }

    let stats = sim.stats();
    eprintln!("20 calls at 2/s burst 5 took {:?}", started.elapsed());
    assert_eq!(stats.calls.get("DescribeInstance"), Some(&20));
    assert_eq!(stats.throttled, 0, "no 429 reached anyone");
}

#[tokio::test]
async fn a_call_that_cannot_meet_its_deadline_fails_fast_with_throttled() {
    let sim = spawn_simulator(SimulatorConfig::default()).await;
    let gateway = gateway_for(&sim, LimitConfig::default());
    for _ in 0..5 {
        let drained = gateway.session(in_secs(10)).describe_instance().await;
        assert!(drained.is_ok(), "{drained:?}");
    }

    let started = Instant::now();
    let session = gateway.session(started + Duration::from_millis(300));
    let result = session.describe_instance().await;
    let elapsed = started.elapsed();

    eprintln!("failed fast in {elapsed:?}");
    assert!(elapsed < Duration::from_millis(150), "{elapsed:?}");
    assert!(
        matches!(result, Err(ConnectError::Throttled { retry_after }) if retry_after >= Duration::from_secs(1)),
        "{result:?}"
    );
    assert_eq!(session.calls(), 0);
    assert_eq!(sim.stats().total, 5);
}

#[tokio::test]
async fn creates_then_reads_succeed_under_faults_and_eventual_consistency() {
    let sim = spawn_simulator(SimulatorConfig {
        fault_rate: 0.1,
        consistency_delay_ms: 1000,
        no_quota: true,
        ..SimulatorConfig::default()
    })
    .await;
    let roomy = LimitConfig {
        max_attempts: 10,
        ..LimitConfig::with_rate(50.0, 50)
    };
    let gateway = gateway_for(&sim, roomy);
    let started = Instant::now();

    let pairs: Vec<_> = (0..10)
        .map(|n| {
            let connect = gateway.session(in_secs(30));
            let username = format!("agent{n}@example.com");
            let new = new_user(&sim, &username, &n.to_string());
            tokio::spawn(async move {
                // The gateway leaves a create that may have been applied to
                // its caller (provisioning settles it); an injected fault
                // applied nothing, so sending it again is what the caller does.
                let mut created = connect.create_user(&new).await;
                for _ in 0..5 {
                    if !matches!(created, Err(ConnectError::Unavailable(_))) {
                        break;
                    }
                    created = connect.create_user(&new).await;
                }
                let created = created?;
                let user = connect.describe_user(&created.id).await?;
                Ok::<_, ConnectError>((username, user.username))
            })
        })
        .collect();
    for pair in pairs {
        let (asked, described) = pair
            .await
            .expect("the task ran")
            .expect("CreateUser then DescribeUser through faults and the consistency delay");
        assert_eq!(described, asked);
    }

    let stats = sim.stats();
    eprintln!(
        "10 create+describe under faults took {:?}: {} calls, {} faults",
        started.elapsed(),
        stats.total,
        stats.faults
    );
    assert_eq!(sim.user_count(), 10);
}
