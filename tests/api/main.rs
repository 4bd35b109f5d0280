//! Integration tests: one binary, modules per area. `app::TestApp` runs the
//! production Router on loopback against the Connect simulator.

mod app;
mod check;
mod cold_start;
mod connect;
mod entra;
mod errors;
mod fleet;
mod groups;
mod helpers;
mod lambda;
mod location;
mod okta;
mod patch_limits;
mod protected;
mod quota;
mod serve;
mod swagger;
mod users;
