//! The runtime's integration tests, one test binary (each module was its own binary; one link
//! of the native runtime instead of eleven). Every module builds its state from the runtime's
//! real genesis presets and applies signed extrinsics through `Executive` (see `common`).
//!
//! `cargo test -p ehr-runtime --test runtime MODULE::` runs one module, e.g. `insiders::`.

mod common;

mod appointments;
#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helpers;
mod consent_attacks;
mod dry_run;
mod escrow;
mod fees;
mod governance;
mod insiders;
mod messages;
mod randomized;
mod upgrade;
