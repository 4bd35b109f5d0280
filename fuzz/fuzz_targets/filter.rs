//! Fuzz target: `connect_scim::scim::fuzz::filter` (see src/scim/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| connect_scim_fuzz::scim::fuzz::filter(data));
