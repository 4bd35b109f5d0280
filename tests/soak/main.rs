//! Slow tests, kept out of the `api` binary: load, injected faults, cancelled
//! requests and a flood, each driving the production Router (or the `serve`
//! binary) against the Connect simulator and checking every answer and the
//! final Connect state. Every loop is bounded in count and time.

#[allow(dead_code)]
#[path = "../api/app.rs"]
mod app;
mod cancel;
mod chaos;
mod flood;
mod idp;
mod load;
mod model;
mod state;
