//! The SCIM 2.0 protocol core (RFC 7643, RFC 7644): schemas, attribute paths,
//! filters, PATCH, list queries, discovery documents, ETags and typed resources.
//! Pure functions over `serde_json::Value`; nothing here knows HTTP or Connect.

pub mod discovery;
pub mod error;
pub mod etag;
pub mod filter;
pub mod fuzz;
pub mod group;
pub mod list;
pub mod patch;
pub mod path;
pub mod schema;
pub mod user;

mod json_keys;
mod value_coercion;
