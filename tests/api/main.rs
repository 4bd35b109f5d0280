//! Integration tests: one binary, modules per area (see tests/api/helpers.rs).

mod connect;
mod helpers;
