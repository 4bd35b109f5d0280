//! CloudWatch metrics as Embedded Metric Format log lines: with JSON logs (on
//! Lambda, or `serve` with `LOG_FORMAT=json`) every request prints one line of
//! SCIM-operation metrics and one per Connect operation it called, which
//! CloudWatch Logs turns into metrics in the `ConnectScim` namespace without a
//! PutMetricData call. Names and dimensions are a contract (README,
//! Operations; the templates' dashboard and alarms read them).

use std::time::Duration;

use serde_json::{Value, json};

use super::log::ConnectUsage;

/// The CloudWatch namespace.
pub const NAMESPACE: &str = "ConnectScim";

/// One request, as the metrics see it.
#[derive(Debug, Clone)]
pub struct RequestMetrics<'a> {
    /// `POST /scim/v2/Users`: the method and the route template.
    pub operation: String,
    pub status: u16,
    pub latency: Duration,
    pub usage: &'a ConnectUsage,
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The function's name inside Lambda (`AWS_LAMBDA_FUNCTION_NAME`): a second
/// dimension set, the per-stack aggregate the templates' alarms read.
fn function_name() -> Option<String> {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME")
        .ok()
        .filter(|n| !n.is_empty())
}

fn directive(
    timestamp_ms: i64,
    dimension: &str,
    aggregate: Option<Vec<&str>>,
    metrics: &[(&str, &str)],
) -> Value {
    let mut dimensions = vec![vec![dimension]];
    dimensions.extend(aggregate);
    json!({
        "Timestamp": timestamp_ms,
        "CloudWatchMetrics": [{
            "Namespace": NAMESPACE,
            "Dimensions": dimensions,
            "Metrics": metrics
                .iter()
                .map(|(name, unit)| json!({"Name": name, "Unit": unit}))
                .collect::<Vec<_>>(),
        }],
    })
}

/// The EMF lines of one request: SCIM-operation metrics (`Operation`
/// dimension: Requests, Latency, ConnectCalls, LimiterWait, Answered429,
/// Answered5xx, ConnectThrottles), then `QuotaUse` per Connect operation
/// (`ConnectOperation` dimension).
pub fn emf_lines(
    request: &RequestMetrics<'_>,
    function: Option<&str>,
    timestamp_ms: i64,
) -> Vec<Value> {
    let usage = request.usage;
    let aggregate = function.map(|_| vec!["FunctionName"]);
    let mut first = json!({
        "_aws": directive(timestamp_ms, "Operation", aggregate, &[
            ("Requests", "Count"),
            ("Latency", "Milliseconds"),
            ("ConnectCalls", "Count"),
            ("LimiterWait", "Milliseconds"),
            ("Answered429", "Count"),
            ("Answered5xx", "Count"),
            ("ConnectThrottles", "Count"),
        ]),
        "Operation": request.operation,
        "Requests": 1,
        "Latency": millis(request.latency),
        "ConnectCalls": usage.calls,
        "LimiterWait": millis(usage.throttle_wait),
        "Answered429": u32::from(request.status == 429),
        "Answered5xx": u32::from(request.status >= 500),
        "ConnectThrottles": usage.connect_throttles,
    });
    if let Some(name) = function {
        first["FunctionName"] = json!(name);
    }
    let mut lines = vec![first];
    for (operation, calls) in &usage.by_operation {
        lines.push(json!({
            "_aws": directive(timestamp_ms, "ConnectOperation", None, &[("QuotaUse", "Count")]),
            "ConnectOperation": operation,
            "QuotaUse": calls,
        }));
    }
    lines
}

/// Prints the request's EMF lines on stdout, where Lambda's log capture (or a
/// log shipper in front of `serve`) takes them.
pub fn emit(request: &RequestMetrics<'_>) {
    let now = crate::connect::quota::now_ms();
    for line in emf_lines(request, function_name().as_deref(), now) {
        println!("{line}");
    }
}

/// The EMF line of a drift report (`Report` = `drift`, and with the function's
/// name when in Lambda): DriftedUsers, UnmanagedUsers, MissingProfiles, zeros
/// included, so a clean run clears the alarm.
pub fn drift_line(
    report: &crate::drift::Report,
    function: Option<&str>,
    timestamp_ms: i64,
) -> Value {
    let aggregate = function.map(|_| vec!["Report", "FunctionName"]);
    let mut line = json!({
        "_aws": directive(timestamp_ms, "Report", aggregate, &[
            ("DriftedUsers", "Count"),
            ("UnmanagedUsers", "Count"),
            ("MissingProfiles", "Count"),
        ]),
        "Report": "drift",
        "DriftedUsers": report.changed.len(),
        "UnmanagedUsers": report.unmanaged.len(),
        "MissingProfiles": report.missing_profiles.len(),
    });
    if let Some(name) = function {
        line["FunctionName"] = json!(name);
    }
    line
}

/// Prints a drift report's EMF line.
pub fn emit_drift(report: &crate::drift::Report) {
    let line = drift_line(
        report,
        function_name().as_deref(),
        crate::connect::quota::now_ms(),
    );
    println!("{line}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Checks the EMF specification's rules on one line: a `_aws` object with
    /// a Timestamp and CloudWatchMetrics directives, every dimension and
    /// metric named at the top level, metric values numbers.
    fn assert_valid_emf(line: &Value) {
        let aws = &line["_aws"];
        assert!(aws["Timestamp"].is_i64(), "{line}");
        let directives = aws["CloudWatchMetrics"].as_array().expect("directives");
        assert!(!directives.is_empty());
        for d in directives {
            assert!(d["Namespace"].as_str().is_some_and(|n| !n.is_empty()));
            for set in d["Dimensions"].as_array().expect("dimension sets") {
                for dim in set.as_array().expect("a dimension set") {
                    let name = dim.as_str().expect("a dimension name");
                    assert!(line[name].is_string(), "dimension {name} missing: {line}");
                }
            }
            let metrics = d["Metrics"].as_array().expect("metrics");
            assert!(!metrics.is_empty() && metrics.len() <= 100);
            for m in metrics {
                let name = m["Name"].as_str().expect("a metric name");
                assert!(line[name].is_number(), "metric {name} missing: {line}");
                assert!(m["Unit"].is_string());
            }
        }
    }

    #[test]
    fn a_request_gives_valid_emf_with_quota_use_per_connect_operation() {
        let usage = ConnectUsage {
            calls: 3,
            connect_throttles: 1,
            throttle_wait: Duration::from_millis(750),
            by_operation: BTreeMap::from([("SearchUsers", 1), ("CreateUser", 2)]),
        };
        let lines = emf_lines(
            &RequestMetrics {
                operation: "POST /scim/v2/Users".into(),
                status: 429,
                latency: Duration::from_millis(1200),
                usage: &usage,
            },
            Some("connect-scim"),
            1_700_000_000_000,
        );
        assert_eq!(lines.len(), 3);
        lines.iter().for_each(assert_valid_emf);
        assert_eq!(lines[0]["Operation"], "POST /scim/v2/Users");
        assert_eq!(lines[0]["Answered429"], 1);
        assert_eq!(lines[0]["LimiterWait"], 750.0);
        assert_eq!(lines[1]["ConnectOperation"], "CreateUser");
        assert_eq!(lines[1]["QuotaUse"], 2);
        assert_eq!(lines[0]["FunctionName"], "connect-scim");
        assert_eq!(
            lines[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Operation"], ["FunctionName"]])
        );
    }

    #[test]
    fn a_drift_report_gives_valid_emf_with_zeros_included() {
        let report = crate::drift::Report::default();
        let line = drift_line(&report, Some("connect-scim"), 1_700_000_000_000);
        assert_valid_emf(&line);
        assert_eq!(line["DriftedUsers"], 0);
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Report"], ["Report", "FunctionName"]])
        );
        assert_valid_emf(&drift_line(&report, None, 0));
    }
}
