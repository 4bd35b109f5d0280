//! Integration tests: one binary, modules per area. `app::TestApp` runs the
//! production Router on loopback against the Connect simulator.

mod app;
mod check;
mod cold_start;
mod connect;
mod entra;
mod fleet;
mod groups;
mod guards;
mod helpers;
mod idempotency;
mod lambda;
mod okta;
mod quota;
mod serve;
mod swagger;
mod users;
