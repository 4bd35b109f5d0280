//! Fuzz target: `connect_scim::scim::fuzz::user` (see src/scim/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| connect_scim_fuzz::scim::fuzz::user(data));
