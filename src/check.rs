//! `connect-scim check`: verifies a deployment's configuration against Amazon
//! Connect before an identity provider is pointed at it — credentials, the
//! instance, every configured profile, and one read-only call per permission
//! the service needs. One line per check (`ok   …` or `FAIL …: what to do`).
//! Every Connect call goes through the rate-limited gateway.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_connect::config::ProvideCredentials;
use tokio::time::Instant;

use crate::app::{self, Target};
use crate::config::Config;
use crate::connect::limit::Session;
use crate::connect::{Connect, ConnectError, SecurityProfileSearch, Summary, UserSearch};
use crate::http::App;

/// How long all the checks may take together (they wait for the Connect quota).
const CHECK_DEADLINE: Duration = Duration::from_secs(60);

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What was checked, e.g. `security profile 'Agent' (DEFAULT_SECURITY_PROFILES)`.
    pub what: String,
    /// On success what was found; on failure what is wrong and what to do.
    pub result: Result<String, String>,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(found) => write!(f, "ok   {}: {found}", self.what),
            Err(fix) => write!(f, "FAIL {}: {fix}", self.what),
        }
    }
}

/// Every check's outcome, in the order they ran.
#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// How many checks failed.
    pub fn failures(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_err()).count()
    }

    fn record(&mut self, what: impl Into<String>, result: Result<String, String>) {
        let outcome = Outcome {
            what: what.into(),
            result,
        };
        println!("{outcome}");
        self.outcomes.push(outcome);
    }
}

/// Runs every check against the instance `config` names (printing each line as
/// it completes) and returns the report; the caller exits non-zero on failures.
pub async fn run(config: Config) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let target = Target::from_config(&config);
    if let Target::Aws { .. } = &target {
        let usable = check_aws_chain(&mut report).await;
        if !usable {
            return Ok(report);
        }
    }
    if let Some(table) = config.quota_table.clone() {
        check_quota_table(&config, &table, &mut report).await;
    }
    let built = app::build(config, target).await?;
    println!("checking {}", built.app.connect_description);
    check_connect(&built.app, &mut report).await;
    Ok(report)
}

/// The region and credentials of the standard AWS chain; false when no Connect
/// call can be made.
async fn check_aws_chain(report: &mut Report) -> bool {
    let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let region = shared.region().map(|r| r.to_string());
    report.record(
        "AWS region",
        region.clone().ok_or_else(|| {
            "none configured: set AWS_REGION (the region of the Connect instance)".to_owned()
        }),
    );
    let credentials = match shared.credentials_provider() {
        None => Err("no credentials provider in the AWS configuration chain".to_owned()),
        Some(provider) => match provider.provide_credentials().await {
            Ok(c) => Ok(format!(
                "resolved (access key {}…)",
                c.access_key_id().chars().take(4).collect::<String>()
            )),
            Err(e) => Err(format!(
                "{e}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached"
            )),
        },
    };
    report.record("AWS credentials", credentials);
    report.failures() == 0
}

/// `QUOTA_TABLE` exists and takes a write (PutItem, then DeleteItem of a
/// check item), and the account prefix of its keys can be had.
async fn check_quota_table(config: &Config, table: &str, report: &mut Report) {
    use crate::connect::quota::dynamo::{DynamoStore, account_prefix, client};
    let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let prefix = match &config.quota_key_prefix {
        Some(prefix) => Ok(format!("{prefix} (QUOTA_KEY_PREFIX)")),
        None => account_prefix(&shared)
            .await
            .map_err(|e| format!("{e}: grant sts:GetCallerIdentity, or set QUOTA_KEY_PREFIX")),
    };
    let usable = prefix.is_ok();
    report.record("quota key prefix (STS GetCallerIdentity)", prefix.clone());
    if !usable {
        return;
    }
    let store = DynamoStore::new(client(&shared).await, table, prefix.unwrap_or_default());
    report.record(
        format!("quota table '{table}' (QUOTA_TABLE)"),
        store
            .verify()
            .await
            .map(|()| "exists and takes a write".to_owned())
            .map_err(|e| {
                format!(
                    "{e}: create it (partition key `pk`, string; TTL on `expires_at`) and grant dynamodb:GetItem, PutItem, UpdateItem, DeleteItem on it"
                )
            }),
    );
}

/// The instance, the configured profiles, and one call per permission.
async fn check_connect(app: &Arc<App>, report: &mut Report) {
    let cx = app.gateway.session(Instant::now() + CHECK_DEADLINE);
    let config = &app.config;
    let cache = &app.provisioning.cache;

    let instance = cx.describe_instance().await;
    report.record(
        "instance (DescribeInstance)",
        match &instance {
            Ok(i) => Ok(format!(
                "{} ({}, {}, identity management {})",
                i.id,
                i.alias.as_deref().unwrap_or("no alias"),
                i.status.as_deref().unwrap_or("status unknown"),
                i.identity_management_type.as_deref().unwrap_or("unknown")
            )),
            Err(e) => Err(fix(
                e,
                "connect:DescribeInstance",
                "check CONNECT_INSTANCE_ID (the instance id, not its ARN or alias) and AWS_REGION",
            )),
        },
    );

    let security = cache.security_profiles(&cx).await;
    report.record(
        "security profiles (ListSecurityProfiles)",
        counted(&security, "connect:ListSecurityProfiles"),
    );
    let disabled_name = config.disabled_security_profile.as_str();
    let mut disabled = None;
    if let Ok(profiles) = &security {
        for name in &config.default_security_profiles {
            report.record(
                format!("security profile '{name}' (DEFAULT_SECURITY_PROFILES)"),
                named(profiles, name, "DEFAULT_SECURITY_PROFILES", "security"),
            );
        }
        disabled = find(profiles, disabled_name).cloned();
        report.record(
            format!("no-permission profile '{disabled_name}' (DISABLED_SECURITY_PROFILE)"),
            named(
                profiles,
                disabled_name,
                "DISABLED_SECURITY_PROFILE",
                "security",
            ),
        );
    }
    let probe = disabled.or_else(|| {
        security
            .as_ref()
            .ok()
            .and_then(|profiles| profiles.first().cloned())
    });
    if let Some(profile) = &probe {
        let described = cx.describe_security_profile(&profile.id).await;
        report.record(
            "DescribeSecurityProfile",
            described
                .map(|p| format!("read '{}'", p.name))
                .map_err(|e| fix(&e, "connect:DescribeSecurityProfile", "")),
        );
        let search = SecurityProfileSearch {
            max_results: Some(1),
            ..SecurityProfileSearch::default()
        };
        let searched = cx.search_security_profiles(&search).await;
        report.record(
            "SearchSecurityProfiles",
            searched
                .map(|page| {
                    let total = page.approximate_total.unwrap_or(page.items.len() as i64);
                    format!("read the tags of security profiles ({total} in the instance)")
                })
                .map_err(|e| fix(&e, "connect:SearchSecurityProfiles", "")),
        );
        let tags = cx.list_tags_for_resource(&profile.arn).await;
        report.record(
            "ListTagsForResource",
            tags.map(|t| format!("read {} tag(s) of '{}'", t.len(), profile.name))
                .map_err(|e| fix(&e, "connect:ListTagsForResource", "")),
        );
    }

    let routing = cache.routing_profiles(&cx).await;
    report.record(
        "routing profiles (ListRoutingProfiles)",
        counted(&routing, "connect:ListRoutingProfiles"),
    );
    if let Ok(profiles) = &routing {
        let name = &config.default_routing_profile;
        report.record(
            format!("routing profile '{name}' (DEFAULT_ROUTING_PROFILE)"),
            named(profiles, name, "DEFAULT_ROUTING_PROFILE", "routing"),
        );
    }

    let offline = cache.offline_status_id(&cx).await;
    report.record(
        "Offline agent status (ListAgentStatuses)",
        match offline {
            Ok(Some(id)) => Ok(format!("{id}: deactivated agents are set Offline")),
            Ok(None) => Err("the instance has no agent status of type OFFLINE: deactivated agents keep their status".to_owned()),
            Err(e) => Err(fix(&e, "connect:ListAgentStatuses", "")),
        },
    );

    let groups = cache.hierarchy_groups(&cx).await;
    report.record(
        "hierarchy groups (SearchUserHierarchyGroups)",
        match &groups {
            Ok(all) if all.is_empty() => Ok(
                "none: /Schemas leaves hierarchyGroup out until the instance has one".to_owned(),
            ),
            Ok(all) => Ok(format!("{} found", all.len())),
            Err(e) => Err(fix(e, "connect:SearchUserHierarchyGroups", "")),
        },
    );

    if let Some(mapping) = &config.mapping {
        check_mapping(app, &cx, mapping, report).await;
    }

    check_user_reads(&cx, report).await;
}

/// Every name a mapping rule sets exists in the instance.
async fn check_mapping(
    app: &Arc<App>,
    cx: &dyn crate::connect::Connect,
    mapping: &crate::provisioning::mapping::Mapping,
    report: &mut Report,
) {
    let p = &app.provisioning;
    for (label, sets) in mapping.decisions() {
        let mut missing = Vec::new();
        if let Some(names) = &sets.security_profiles
            && let Err(e) = p.security_profile_ids(cx, names).await
        {
            missing.push(e.to_string());
        }
        if let Some(name) = &sets.routing_profile
            && let Err(e) = p.routing_profile_id(cx, Some(name)).await
        {
            missing.push(e.to_string());
        }
        if let Some(path) = &sets.hierarchy_group
            && let Err(e) = p.hierarchy_group_id(cx, path).await
        {
            missing.push(e.to_string());
        }
        if let Some(wanted) = &sets.proficiencies
            && let Err(e) = p.checked_proficiencies(cx, wanted).await
        {
            missing.push(e.to_string());
        }
        report.record(
            format!("mapping {label} (MAPPING_FILE)"),
            if missing.is_empty() {
                Ok("every name it sets exists".to_owned())
            } else {
                Err(missing.join("; "))
            },
        );
    }
}

/// SearchUsers and ListUsers, one page of one.
async fn check_user_reads(cx: &Session, report: &mut Report) {
    let search = UserSearch {
        max_results: Some(1),
        ..UserSearch::default()
    };
    let searched = cx.search_users(&search).await;
    report.record(
        "SearchUsers",
        searched
            .map(|p| match p.approximate_total {
                Some(total) => format!("about {total} user(s)"),
                None => "searched".to_owned(),
            })
            .map_err(|e| fix(&e, "connect:SearchUsers", "")),
    );
    let listed = cx.list_users(None, 1).await;
    report.record(
        "ListUsers",
        listed
            .map(|p| format!("read {} user summary", p.items.len()))
            .map_err(|e| fix(&e, "connect:ListUsers", "")),
    );
}

fn find<'a>(profiles: &'a [Summary], name: &str) -> Option<&'a Summary> {
    profiles
        .iter()
        .find(|p| p.name == name || p.name.to_lowercase() == name.to_lowercase())
}

fn counted(
    listed: &Result<Arc<Vec<Summary>>, ConnectError>,
    action: &str,
) -> Result<String, String> {
    match listed {
        Ok(profiles) => Ok(format!("{} found", profiles.len())),
        Err(e) => Err(fix(e, action, "")),
    }
}

/// Whether the profile `name` is among `profiles`; the failure lists the
/// names that exist.
fn named(profiles: &[Summary], name: &str, variable: &str, kind: &str) -> Result<String, String> {
    match find(profiles, name) {
        Some(p) => Ok(format!("id {}", p.id)),
        None => {
            let mut names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
            names.sort_unstable();
            Err(format!(
                "no {kind} profile has this name; create it in the instance or set {variable} to one of: {}",
                names.join(", ")
            ))
        }
    }
}

/// A failure line: what went wrong and what to do about it.
fn fix(error: &ConnectError, action: &str, not_found_hint: &str) -> String {
    let todo = match error {
        ConnectError::AccessDenied(_) => format!(
            "grant {action} on the instance and its sub-resources to the role running connect-scim (terraform/lambda.tf, cloudformation/connect-scim.yaml)"
        ),
        ConnectError::NotFound(_) if !not_found_hint.is_empty() => not_found_hint.to_owned(),
        ConnectError::Throttled { .. } => {
            "Amazon Connect's quota is in use by something else; run check again in a minute"
                .to_owned()
        }
        ConnectError::Unavailable(_) => {
            "Amazon Connect could not be reached: check the network, AWS_REGION and AWS_ENDPOINT_URL_CONNECT".to_owned()
        }
        _ => "see Amazon Connect's message".to_owned(),
    };
    format!("{error}; {todo}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(name: &str) -> Summary {
        Summary {
            id: format!("id-{name}"),
            arn: format!("arn:aws:connect:us-east-1:1:instance/i/security-profile/id-{name}"),
            name: name.to_owned(),
            last_modified: None,
        }
    }

    #[test]
    fn lines_start_with_ok_or_fail() {
        let ok = Outcome {
            what: "ListUsers".into(),
            result: Ok("read 1 user summary".into()),
        };
        let failed = Outcome {
            what: "instance".into(),
            result: Err("not found: x; check CONNECT_INSTANCE_ID".into()),
        };
        assert_eq!(ok.to_string(), "ok   ListUsers: read 1 user summary");
        assert_eq!(
            failed.to_string(),
            "FAIL instance: not found: x; check CONNECT_INSTANCE_ID"
        );
    }

    #[test]
    fn a_missing_profile_names_the_variable_and_the_profiles_that_exist() {
        let profiles = [summary("Agent"), summary("Admin")];
        let err = named(&profiles, "Nope", "DEFAULT_SECURITY_PROFILES", "security").unwrap_err();
        assert!(err.contains("DEFAULT_SECURITY_PROFILES"), "{err}");
        assert!(err.contains("Admin, Agent"), "{err}");
        assert!(named(&profiles, "agent", "X", "security").is_ok());
    }

    #[test]
    fn access_denied_says_which_action_to_grant() {
        let line = fix(
            &ConnectError::AccessDenied("no".into()),
            "connect:ListUsers",
            "",
        );
        assert!(line.contains("grant connect:ListUsers"), "{line}");
    }
}
