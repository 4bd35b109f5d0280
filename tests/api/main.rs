//! Integration tests: one binary, modules per area. `app::TestApp` runs the
//! production Router on loopback against the Connect simulator.

mod app;
mod connect;
mod entra;
mod helpers;
mod okta;
mod serve;
mod users;
