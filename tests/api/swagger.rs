//! swagger.json, the API definition both deployment templates import, matches
//! the Router: every route is an operation, every operation a route, and every
//! operation goes to the function through an `aws_proxy` integration.

use std::collections::BTreeSet;

use connect_scim::http;
use serde_json::Value;

/// OpenAPI's operation keys (lower-case HTTP methods) and API Gateway's "any".
const ANY_METHOD: &str = "x-amazon-apigateway-any-method";
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn swagger() -> Value {
    let path = format!("{}/swagger.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("swagger.json is not JSON: {e}"))
}

/// Every (METHOD, path) operation of swagger.json, the catch-all included.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("swagger.json has paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item is an object");
            item.keys()
                .filter(|k| METHODS.contains(&k.as_str()) || k.as_str() == ANY_METHOD)
                .map(|k| (k.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn routes() -> BTreeSet<(String, String)> {
    http::routes()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path.to_owned()))
        .collect()
}

#[test]
fn every_route_of_the_router_is_in_swagger_json_and_nothing_else() {
    let documented = operations(&swagger());
    let catch_all = (ANY_METHOD.to_uppercase(), "/{proxy+}".to_owned());
    assert!(
        documented.contains(&catch_all),
        "swagger.json needs the /{{proxy+}} catch-all so unknown paths get SCIM 404/405"
    );
    let documented: BTreeSet<_> = documented.into_iter().filter(|o| *o != catch_all).collect();
    let served = routes();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from swagger.json: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "swagger.json operations the Router does not serve: {unserved:?}"
    );
}

#[test]
fn every_operation_goes_to_the_function_through_aws_proxy() {
    let doc = swagger();
    let ops = operations(&doc);
    assert!(!ops.is_empty());
    for (method, path) in ops {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let integration = &op["x-amazon-apigateway-integration"];
        assert_eq!(integration["type"], "aws_proxy", "{method} {path}");
        assert_eq!(integration["httpMethod"], "POST", "{method} {path}");
        let uri = integration["uri"].as_str().unwrap_or_default();
        assert!(
            uri.ends_with("function:${stageVariables.lambdaFunctionName}/invocations"),
            "{method} {path}: {uri}"
        );
    }
}

#[test]
fn the_path_parameters_of_swagger_json_match_the_router_templates() {
    let doc = swagger();
    for (method, path) in routes() {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let mut declared: Vec<String> = [&doc["paths"][&path]["parameters"], &op["parameters"]]
            .iter()
            .filter_map(|p| p.as_array())
            .flatten()
            .map(|p| resolve(&doc, p))
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        declared.sort();
        let mut in_template: Vec<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}').map(str::to_owned))
            .collect();
        in_template.sort();
        assert_eq!(declared, in_template, "{method} {path}");
    }
}

/// A parameter object, following one local `$ref`.
fn resolve<'a>(doc: &'a Value, parameter: &'a Value) -> &'a Value {
    match parameter["$ref"].as_str() {
        Some(reference) => reference
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(doc, |v, k| &v[k]))
            .unwrap_or(parameter),
        None => parameter,
    }
}
