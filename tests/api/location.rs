//! Where `Location` and `meta.location` come from: `PUBLIC_BASE_URL` when set,
//! else the Host header (http) on `serve`; forwarded headers only when
//! `TRUST_FORWARDED_HEADERS=true`, and then only an http or https scheme.

use connect_scim::connect::simulator::SimulatorConfig;
use reqwest::Method;
use serde_json::json;

use crate::app::{TOKEN, TestApp};

const ATTACKER: [(&str, &str); 2] = [
    ("X-Forwarded-Host", "evil.attacker.example"),
    ("X-Forwarded-Proto", "javascript"),
];

async fn create(t: &TestApp, name: &str, headers: &[(&str, &str)]) -> (String, String, String) {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": "Grace", "familyName": "Hopper"},
    });
    let reply = t
        .send_raw(
            Method::POST,
            "/Users",
            Some(body.to_string()),
            Some(TOKEN),
            headers,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let header = reply.headers["location"].to_str().unwrap().to_owned();
    let meta = reply.body["meta"]["location"].as_str().unwrap().to_owned();
    let id = reply.body["id"].as_str().unwrap().to_owned();
    (id, header, meta)
}

#[tokio::test]
async fn forwarded_headers_do_not_change_the_location_by_default() {
    let t = TestApp::spawn().await;
    let (id, header, meta) = create(&t, "grace", &ATTACKER).await;
    let expected = format!("{}/Users/{id}", t.base);
    assert_eq!(header, expected);
    assert_eq!(meta, expected);
}

#[tokio::test]
async fn public_base_url_decides_the_location_whatever_the_headers() {
    let env = [
        ("PUBLIC_BASE_URL", "https://scim.example.com/"),
        ("TRUST_FORWARDED_HEADERS", "true"),
    ];
    let t = TestApp::spawn_with(SimulatorConfig::default(), &env).await;
    let (id, header, meta) = create(&t, "grace", &ATTACKER).await;
    let expected = format!("https://scim.example.com/scim/v2/Users/{id}");
    assert_eq!(header, expected);
    assert_eq!(meta, expected);
}

#[tokio::test]
async fn trusted_forwarded_headers_are_used_with_an_http_or_https_scheme_only() {
    let env = [("TRUST_FORWARDED_HEADERS", "true")];
    let t = TestApp::spawn_with(SimulatorConfig::default(), &env).await;
    let proxied = [
        ("X-Forwarded-Host", "scim.example.com"),
        ("X-Forwarded-Proto", "https"),
    ];
    let (id, header, _) = create(&t, "grace", &proxied).await;
    assert_eq!(
        header,
        format!("https://scim.example.com/scim/v2/Users/{id}")
    );
    let (id, header, meta) = create(&t, "alan", &ATTACKER).await;
    assert_eq!(
        header,
        format!("http://evil.attacker.example/scim/v2/Users/{id}")
    );
    assert!(meta.starts_with("http://"), "{meta}");
}

#[tokio::test]
async fn a_public_base_url_that_is_not_http_or_https_stops_the_start() {
    use connect_scim::config::Config;
    for bad in [
        "javascript://x",
        "ftp://scim.example.com",
        "https://",
        "not a url",
    ] {
        let err = Config::from_lookup(|k| (k == "PUBLIC_BASE_URL").then(|| bad.to_owned()))
            .err()
            .unwrap_or_else(|| panic!("{bad} is accepted"));
        assert_eq!(err.name, "PUBLIC_BASE_URL", "{bad}");
    }
}
