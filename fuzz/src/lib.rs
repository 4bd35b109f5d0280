//! The SCIM protocol core of connect-scim (`src/scim/`), compiled on its own
//! for the fuzz targets: the same source files, none of the service around them.

#[path = "../../src/scim/mod.rs"]
pub mod scim;
