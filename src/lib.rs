//! connect-scim: a SCIM 2.0 service provider (RFC 7643, RFC 7644) whose directory
//! is an Amazon Connect instance. See DESIGN.md in the team's shared notes and the
//! README for the layers: `scim` (protocol), `provisioning` (use cases and the
//! SCIM ⇄ Connect mapping), `connect` (the port, its adapters, the rate limiter)
//! and `http` (the axum Router served locally and, through `lambda`, on Lambda);
//! `secrets` reads the bearer token from Secrets Manager, `check` verifies a
//! deployment's configuration `logging` sets up the log subscriber and `serve` is the local HTTP server.

pub mod connect;
pub mod scim;

pub mod app;
pub mod check;
pub mod config;
pub mod drift;
pub mod http;
pub mod lambda;
pub mod logging;
pub mod provisioning;
pub mod secrets;
pub mod serve;
