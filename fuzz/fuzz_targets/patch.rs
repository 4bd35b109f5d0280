//! Fuzz target: `connect_scim::scim::fuzz::patch` (see src/scim/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| connect_scim_fuzz::scim::fuzz::patch(data));
