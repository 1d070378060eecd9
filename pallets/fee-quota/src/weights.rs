// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Weights for `pallet_fee_quota`, measured by `scripts/benchmark.sh`; do not edit by hand.
//!
//! Benchmark CLI 64.0.0, 2026-12-06, steps `50`, repeat `20`.
//! Host `vm`, CPU `Intel(R) Xeon(R) Processor`, wasm execution `Compiled`, chain
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
// pallet_fee_quota
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
// pallets/fee-quota/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_fee_quota`.
pub trait WeightInfo {
	fn free_within_budget() -> Weight;
}

/// Weights for `pallet_fee_quota` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Consortium::Validators` (r:1 w:0)
	/// Proof: `Consortium::Validators` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Identity::InvitedPatients` (r:1 w:0)
	/// Proof: `Identity::InvitedPatients` (`max_values`: None, `max_size`: Some(80), added: 2555, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Invitations` (r:1 w:0)
	/// Proof: `Identity::Invitations` (`max_values`: None, `max_size`: Some(80), added: 2555, mode: `MaxEncodedLen`)
	/// Storage: `Identity::DoctorOffers` (r:1 w:0)
	/// Proof: `Identity::DoctorOffers` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::CustodianOf` (r:1 w:0)
	/// Proof: `Escrow::CustodianOf` (`max_values`: None, `max_size`: Some(80), added: 2555, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `FeeQuota::Usage` (r:1 w:1)
	/// Proof: `FeeQuota::Usage` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `FeeQuota::BlockUsage` (r:1 w:1)
	/// Proof: `FeeQuota::BlockUsage` (`max_values`: Some(1), `max_size`: Some(12), added: 507, mode: `MaxEncodedLen`)
	fn free_within_budget() -> Weight {
		// Proof size: measured `805`, estimated `3973`.
		// Minimum execution time: 86_128_000 picoseconds.
		Weight::from_parts(108_326_000, 3973)
			.saturating_add(T::DbWeight::get().reads(11))
			.saturating_add(T::DbWeight::get().writes(3))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn free_within_budget() -> Weight {
		Weight::from_parts(108_326_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(11))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
}
