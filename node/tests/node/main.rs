//! The node's end-to-end tests, one test binary: each test starts its own `ehr-node` (a dev
//! chain on free loopback ports, see `common`) or runs one of its commands.
//!
//! `cargo test -p ehr-node --test node MODULE::` runs one module, e.g. `e2e_consent::`.

mod common;

mod consortium_spec;
mod e2e_consent;
mod e2e_dev;
mod e2e_records;
mod e2e_relay;
