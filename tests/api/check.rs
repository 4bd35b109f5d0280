//! `connect-scim check` as an operator runs it: the built binary against a
//! Connect simulator reached through `AWS_ENDPOINT_URL_CONNECT`, like a real
//! instance through the standard AWS configuration chain.

use std::process::Output;
use std::time::Duration;

use connect_scim::connect::simulator::{self, SimulatorConfig, SimulatorHandle};
use tokio::net::TcpListener;
use tokio::process::Command;

async fn simulator() -> SimulatorHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    simulator::spawn(SimulatorConfig::default(), listener)
        .await
        .unwrap()
}

/// Runs `connect-scim check` against `sim` with extra environment variables.
async fn check(sim: &SimulatorHandle, env: &[(&str, &str)]) -> (Output, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connect-scim"));
    command
        .arg("check")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL_CONNECT", sim.url())
        .env("CONNECT_INSTANCE_ID", sim.instance_id())
        .env("AWS_ACCESS_KEY_ID", "AKIDCHECKTEST")
        .env("AWS_SECRET_ACCESS_KEY", "check-test-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("check finishes")
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output, stdout)
}

#[tokio::test]
async fn check_passes_against_the_simulator_with_one_line_per_check() {
    let sim = simulator().await;
    let (output, stdout) = check(&sim, &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for expected in [
        "ok   AWS credentials",
        "ok   instance (DescribeInstance): 11111111-2222-4333-8444-555555555555",
        "ok   security profile 'Agent' (DEFAULT_SECURITY_PROFILES)",
        "ok   no-permission profile 'SCIM-Disabled' (DISABLED_SECURITY_PROFILE)",
        "ok   routing profile 'Basic Routing Profile' (DEFAULT_ROUTING_PROFILE)",
        "ok   DescribeSecurityProfile",
        "ok   SearchSecurityProfiles",
        "ok   ListTagsForResource",
        "ok   hierarchy groups (SearchUserHierarchyGroups): 5 found",
        "ok   SearchUsers",
        "ok   ListUsers",
    ] {
        assert!(stdout.contains(expected), "no '{expected}' in:\n{stdout}");
    }
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(!stdout.contains("check-test-secret"), "{stdout}");
    let stats = sim.stats();
    assert_eq!(
        stats.throttled, 0,
        "check stays within the quota: {stats:?}"
    );
    assert_eq!(stats.calls.get("SearchUsers"), Some(&1), "{stats:?}");
    assert_eq!(stats.calls.get("ListUsers"), Some(&1), "{stats:?}");
}

#[tokio::test]
async fn check_fails_with_a_clear_line_when_a_profile_is_missing() {
    let sim = simulator().await;
    let (output, stdout) = check(&sim, &[("DEFAULT_SECURITY_PROFILES", "Agent,Nope")]).await;
    assert!(!output.status.success(), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("FAIL "))
        .unwrap_or_else(|| panic!("no FAIL line in:\n{stdout}"));
    assert!(
        line.starts_with("FAIL security profile 'Nope' (DEFAULT_SECURITY_PROFILES): "),
        "{line}"
    );
    assert!(line.contains("create it"), "{line}");
    assert!(
        line.contains("Agent"),
        "lists the profiles that exist: {line}"
    );
    assert_eq!(stdout.matches("FAIL").count(), 1, "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("1 of"), "{stderr}");
}

#[tokio::test]
async fn check_fails_when_the_instance_does_not_exist() {
    let sim = simulator().await;
    let (output, stdout) = check(
        &sim,
        &[(
            "CONNECT_INSTANCE_ID",
            "99999999-2222-4333-8444-555555555555",
        )],
    )
    .await;
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL instance (DescribeInstance)")
                && l.contains("CONNECT_INSTANCE_ID")),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_verifies_the_quota_table_when_one_is_set() {
    let sim = simulator().await;
    let dynamo = crate::fleet::Dynalite::start().await;
    let shared = [
        ("QUOTA_TABLE", crate::fleet::TABLE),
        ("QUOTA_KEY_PREFIX", "check#us-east-1"),
        ("AWS_ENDPOINT_URL_DYNAMODB", dynamo.url.as_str()),
    ];
    let (output, stdout) = check(&sim, &shared).await;
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok   quota table 'connect-scim-quota' (QUOTA_TABLE): exists"),
        "{stdout}"
    );

    let missing = [
        ("QUOTA_TABLE", "no-such-table"),
        ("QUOTA_KEY_PREFIX", "check#us-east-1"),
        ("AWS_ENDPOINT_URL_DYNAMODB", dynamo.url.as_str()),
    ];
    let (output, stdout) = check(&sim, &missing).await;
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("FAIL quota table 'no-such-table' (QUOTA_TABLE)")
            && stdout.contains("partition key `pk`"),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_names_the_mapping_rule_whose_names_do_not_exist_and_refuses_an_invalid_file() {
    let sim = simulator().await;
    let dept = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";
    let good = serde_json::json!({"rules": [
        {"when": {"attribute": dept, "equals": "Retail"}, "securityProfiles": ["Agent"],
         "hierarchyGroup": "Seattle/Tier1", "proficiencies": "Language:English=4"},
        {"when": {"attribute": "title", "equals": "Lead"}, "routingProfile": "No Such Routing",
         "proficiencies": "Language:Klingon=2"}
    ]});
    let path = std::env::temp_dir().join(format!(
        "connect-scim-check-mapping-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, good.to_string()).unwrap();
    let (output, stdout) = check(&sim, &[("MAPPING_FILE", path.to_str().unwrap())]).await;
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok   Offline agent status (ListAgentStatuses)"),
        "{stdout}"
    );
    let rule1 = stdout
        .lines()
        .find(|l| l.contains("mapping rule 1"))
        .expect("rule 1 line");
    assert!(rule1.starts_with("ok   "), "{rule1}");
    let rule2 = stdout
        .lines()
        .find(|l| l.contains("mapping rule 2"))
        .expect("rule 2 line");
    assert!(rule2.starts_with("FAIL "), "{rule2}");
    assert!(
        rule2.contains("No Such Routing") && rule2.contains("Klingon"),
        "{rule2}"
    );

    let mut bad = good.clone();
    bad["rules"][1]["routingprofile"] = serde_json::json!("x");
    std::fs::write(&path, bad.to_string()).unwrap();
    let (output, stdout) = check(&sim, &[("MAPPING_FILE", path.to_str().unwrap())]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stderr.contains("MAPPING_FILE") && stderr.contains("rule 2"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(&path);
}
