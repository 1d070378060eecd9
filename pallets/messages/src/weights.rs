// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Weights for `pallet_ehr_messages`, measured by `scripts/benchmark.sh`; do not edit by hand.
//!
//! Benchmark CLI 64.0.0, 2026-11-26, steps `50`, repeat `20`.
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
// pallet_ehr_messages
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
// pallets/messages/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_ehr_messages`.
pub trait WeightInfo {
	fn send() -> Weight;
	fn remove(n: u32, ) -> Weight;
}

/// Weights for `pallet_ehr_messages` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Identity::Doctors` (r:2 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:2 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OpenVisits` (r:1 w:0)
	/// Proof: `Appointments::OpenVisits` (`max_values`: None, `max_size`: Some(433), added: 2908, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Appointments` (r:16 w:0)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Messages::NextMessageId` (r:1 w:1)
	/// Proof: `Messages::NextMessageId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Messages::Kept` (r:1 w:1)
	/// Proof: `Messages::Kept` (`max_values`: None, `max_size`: Some(610), added: 3085, mode: `MaxEncodedLen`)
	/// Storage: `Messages::Inbox` (r:0 w:2)
	/// Proof: `Messages::Inbox` (`max_values`: None, `max_size`: Some(468), added: 2943, mode: `MaxEncodedLen`)
	fn send() -> Weight {
		// Proof size: measured `3479`, estimated `56510`.
		// Minimum execution time: 100_221_000 picoseconds.
		Weight::from_parts(103_665_000, 56510)
			.saturating_add(T::DbWeight::get().reads(26))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	/// Storage: `Messages::Inbox` (r:64 w:64)
	/// Proof: `Messages::Inbox` (`max_values`: None, `max_size`: Some(468), added: 2943, mode: `MaxEncodedLen`)
	/// Storage: `Messages::Kept` (r:64 w:64)
	/// Proof: `Messages::Kept` (`max_values`: None, `max_size`: Some(610), added: 3085, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 64]`.
	fn remove(n: u32, ) -> Weight {
		// Proof size: measured `178 + n * (997 ±0)`, estimated `990 + n * (3085 ±0)`.
		// Minimum execution time: 14_712_000 picoseconds.
		Weight::from_parts(15_023_000, 990)
			// Standard error: 4_133
			.saturating_add(Weight::from_parts(9_755_340, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 3085).saturating_mul(n.into()))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn send() -> Weight {
		Weight::from_parts(103_665_000, 56510)
			.saturating_add(RocksDbWeight::get().reads(26))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn remove(n: u32, ) -> Weight {
		Weight::from_parts(15_023_000, 990)
			.saturating_add(Weight::from_parts(9_755_340, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 3085).saturating_mul(n.into()))
	}
}
