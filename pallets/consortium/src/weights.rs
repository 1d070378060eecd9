// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Weights for `pallet_consortium`, measured by `scripts/benchmark.sh`; do not edit by hand.
//!
//! Benchmark CLI 64.0.0, 2026-11-25, steps `50`, repeat `20`.
//! Host `vm`, CPU `AMD EPYC`, wasm execution `Compiled`, chain
//! `Some("dev")`, database cache 1024 MiB.
//!
//! `SubstrateWeight` prices storage with the runtime's database weights; `()` uses RocksDB-class
//! figures for tests.

// Command:
// /root/.cache/ehr-target-bench/release/ehr-node
// benchmark
// pallet
// --chain
// dev
// --pallet
// pallet_consortium
// --extrinsic
// *
// --steps
// 50
// --repeat
// 20
// --template
// scripts/weight-template.hbs
// --header
// scripts/weight-header.txt
// --output
// pallets/consortium/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_consortium`.
pub trait WeightInfo {
	fn add_validator(v: u32, ) -> Weight;
	fn remove_validator(v: u32, ) -> Weight;
	fn dispatch_as_root() -> Weight;
}

/// Weights for `pallet_consortium` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Consortium::Validators` (r:1 w:1)
	/// Proof: `Consortium::Validators` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Consortium::ValidatorsChanged` (r:0 w:1)
	/// Proof: `Consortium::ValidatorsChanged` (`max_values`: Some(1), `max_size`: Some(1), added: 496, mode: `MaxEncodedLen`)
	/// The range of component `v` is `[1, 31]`.
	fn add_validator(v: u32, ) -> Weight {
		// Proof size: measured `155 + v * (32 ±0)`, estimated `3593`.
		// Minimum execution time: 11_677_000 picoseconds.
		Weight::from_parts(12_584_899, 3593)
			// Standard error: 101
			.saturating_add(Weight::from_parts(12_210, 0).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Consortium::Validators` (r:1 w:1)
	/// Proof: `Consortium::Validators` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Consortium::ValidatorsChanged` (r:0 w:1)
	/// Proof: `Consortium::ValidatorsChanged` (`max_values`: Some(1), `max_size`: Some(1), added: 496, mode: `MaxEncodedLen`)
	/// The range of component `v` is `[2, 32]`.
	fn remove_validator(v: u32, ) -> Weight {
		// Proof size: measured `104 + v * (32 ±0)`, estimated `3593`.
		// Minimum execution time: 11_087_000 picoseconds.
		Weight::from_parts(11_831_575, 3593)
			// Standard error: 86
			.saturating_add(Weight::from_parts(11_611, 0).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	fn dispatch_as_root() -> Weight {
		// Proof size: measured `0`, estimated `0`.
		// Minimum execution time: 4_697_000 picoseconds.
		Weight::from_parts(5_398_000, 0)
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn add_validator(v: u32, ) -> Weight {
		Weight::from_parts(12_584_899, 3593)
			.saturating_add(Weight::from_parts(12_210, 0).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn remove_validator(v: u32, ) -> Weight {
		Weight::from_parts(11_831_575, 3593)
			.saturating_add(Weight::from_parts(11_611, 0).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn dispatch_as_root() -> Weight {
		Weight::from_parts(5_398_000, 0)
	}
}
