//! Deep pages of a large instance: with no cursor for a page (a new process,
//! a Lambda recycle), the walk to `startIndex` uses Connect's largest pages
//! and resumes across the identity provider's retries from the furthest page
//! it reached, so every retry gets further instead of starting again.

use std::time::Duration;

use connect_scim::connect::simulator::SimulatorConfig;

use crate::app::TestApp;

#[tokio::test]
async fn a_deep_page_without_a_cursor_is_reached_by_retrying_after_429() {
    // Four Connect calls fit in one request's deadline: a burst of 2, then 1/s.
    let app = TestApp::spawn_with(
        SimulatorConfig::default(),
        &[
            ("CONNECT_RATE_LIMIT", "1"),
            ("CONNECT_BURST", "2"),
            ("REQUEST_DEADLINE_MS", "2500"),
        ],
    )
    .await;
    app.sim
        .add_agents("bulk", 2500, &[("scim:managed", "true")]);
    let warm = app.get("/Users?startIndex=1&count=1").await;
    assert_eq!(warm.status, 200, "{}", warm.body);
    tokio::time::sleep(Duration::from_secs(3)).await;

    app.reset_stats();
    let mut tries = 0;
    let page = loop {
        tries += 1;
        let reply = app.get("/Users?startIndex=2401&count=10").await;
        if reply.status == 200 {
            break reply;
        }
        reply.assert_scim_error(429, None);
        assert!(tries < 4, "a retry must get further than the last one");
        let after: u64 = reply.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        tokio::time::sleep(Duration::from_secs(after + 2)).await;
    };
    assert_eq!(
        page.body["Resources"][0]["userName"], "bulk2400",
        "{}",
        page.body
    );
    assert_eq!(page.body["Resources"].as_array().unwrap().len(), 10);
    assert_eq!(page.body["totalResults"], 2500);
    assert!(
        tries >= 2,
        "the walk needs more calls than one request's deadline allows"
    );
    // Pages of 500 to reach user 2001, then users 2001..2410 in one call that
    // serves the last 10: nothing is read twice across the retries.
    assert_eq!(app.calls("SearchUsers"), 5, "{:?}", app.stats());
    assert_eq!(app.stats().throttled, 0);
}
