//! Micro-benchmark of the SCIM protocol core: filter parse + evaluate and PATCH
//! apply throughput, printed as operations per second. A plain timing loop
//! (`harness = false`), run with `cargo bench --bench scim`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use connect_scim::scim::filter::Filter;
use connect_scim::scim::list::ListQuery;
use connect_scim::scim::patch::PatchRequest;
use connect_scim::scim::schema::{ENTERPRISE_USER, PATCH_OP, ResourceSchema, USER};
use serde_json::{Value, json};

/// Runs `f` repeatedly for about `budget` and prints its rate.
fn measure(label: &str, budget: Duration, mut f: impl FnMut()) {
    for _ in 0..1_000 {
        f();
    }
    let start = Instant::now();
    let mut iterations: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..1_000 {
            f();
        }
        iterations += 1_000;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let rate = iterations as f64 / elapsed;
    println!("{label:<60} {rate:>12.0} ops/s  {:>8.2} µs/op", 1e6 / rate);
}

fn user() -> Value {
    json!({
        "schemas": [USER, ENTERPRISE_USER],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "displayName": "Babs Jensen",
        "active": true,
        "userType": "Employee",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "phoneNumbers": [{"value": "+12065550100", "type": "mobile"}],
        "meta": {"resourceType": "User", "lastModified": "2011-05-13T04:42:34Z"},
        ENTERPRISE_USER: {"department": "Agent", "manager": {"value": "271"}}
    })
}

fn main() {
    let schema = ResourceSchema::user();
    let resource = user();
    let budget = Duration::from_millis(
        std::env::var("SCIM_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(700),
    );

    let simple = r#"userName eq "BJENSEN@example.com""#;
    let complex = r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org") and emails[type eq "work" and value co "@example.com"] and meta.lastModified ge "2011-05-13T04:42:34Z""#;
    measure("filter parse: userName eq", budget, || {
        black_box(Filter::parse(black_box(simple)).is_ok());
    });
    measure("filter parse + evaluate: userName eq", budget, || {
        let f = Filter::parse(black_box(simple));
        black_box(
            f.map(|f| f.matches(black_box(&resource), &schema))
                .unwrap_or(false),
        );
    });
    measure(
        "filter parse + evaluate: 4-clause RFC-style filter",
        budget,
        || {
            let f = Filter::parse(black_box(complex));
            black_box(
                f.map(|f| f.matches(black_box(&resource), &schema))
                    .unwrap_or(false),
            );
        },
    );
    let parsed = Filter::parse(complex).unwrap_or_else(|e| panic!("bench filter: {e}"));
    measure("filter evaluate only: 4-clause filter", budget, || {
        black_box(parsed.matches(black_box(&resource), &schema));
    });
    measure("list query: Okta filter + paging", budget, || {
        let q = ListQuery::from_query(
            black_box(Some(
                "filter=userName+eq+%22bjensen%40example.com%22&startIndex=1&count=100",
            )),
            100,
        );
        black_box(q.is_ok());
    });

    let okta_deactivate = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": false}}]});
    let entra_update = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "displayName", "value": "Barbara Jensen"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "barbara@example.com"},
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Agent,CallCenterManager"},
        {"op": "Replace", "value": {"name.givenName": "Barbara", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "272"}}
    ]});
    measure(
        "PATCH read + apply: Okta path-less deactivate (1 op)",
        budget,
        || {
            let mut r = resource.clone();
            let req = PatchRequest::from_json(black_box(&okta_deactivate));
            black_box(req.and_then(|req| req.apply(&mut r, &schema)).is_ok());
        },
    );
    measure("PATCH read + apply: Entra update (5 ops)", budget, || {
        let mut r = resource.clone();
        let req = PatchRequest::from_json(black_box(&entra_update));
        black_box(req.and_then(|req| req.apply(&mut r, &schema)).is_ok());
    });
    measure(
        "resource clone alone (baseline inside PATCH)",
        budget,
        || {
            black_box(black_box(&resource).clone());
        },
    );
}
