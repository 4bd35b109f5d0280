//! Integration tests: one binary, modules per area. `app::TestApp` runs the
//! production Router on loopback against the Connect simulator.

mod app;
mod audit;
mod check;
mod cold_start;
mod connect;
mod deactivation;
mod drift;
mod entra;
mod errors;
mod filters;
mod fleet;
mod groups;
mod guards;
mod helpers;
mod hierarchy;
mod idempotency;
mod identity_rules;
mod lambda;
mod location;
mod mapping;
mod okta;
mod pages;
mod patch_limits;
mod patch_remove;
mod phones;
mod proficiencies;
mod protected;
mod quota;
mod search;
mod serve;
mod stale_profiles;
mod swagger;
mod users;
