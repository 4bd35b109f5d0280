//! Integration tests: one binary, modules per area. `app::TestApp` runs the
//! production Router on loopback against the Connect simulator.

mod app;
mod audit;
mod check;
mod cold_start;
mod connect;
mod deactivation;
mod default_profiles;
mod display_name;
mod drift;
mod email_types;
mod entra;
mod errors;
mod filters;
mod fleet;
mod groups;
mod guards;
mod helpers;
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
mod profile_source;
mod protected;
mod quota;
mod serve;
mod stale_profiles;
mod swagger;
mod users;
