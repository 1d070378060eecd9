// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Weights for `pallet_ehr_escrow`, measured by `scripts/benchmark.sh`; do not edit by hand.
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
// pallet_ehr_escrow
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
// pallets/escrow/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_ehr_escrow`.
pub trait WeightInfo {
	fn set_committee(n: u32, ) -> Weight;
	fn set_emergency_categories() -> Weight;
	fn escrow_key(n: u32, ) -> Weight;
	fn release_shares(n: u32, ) -> Weight;
	fn clear_released(l: u32, ) -> Weight;
	fn set_custodian() -> Weight;
}

/// Weights for `pallet_ehr_escrow` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Epoch` (r:1 w:1)
	/// Proof: `Escrow::Epoch` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Thresholds` (r:0 w:1)
	/// Proof: `Escrow::Thresholds` (`max_values`: None, `max_size`: Some(13), added: 2488, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Committee` (r:0 w:1)
	/// Proof: `Escrow::Committee` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Threshold` (r:0 w:1)
	/// Proof: `Escrow::Threshold` (`max_values`: Some(1), `max_size`: Some(1), added: 496, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[2, 16]`.
	fn set_committee(n: u32, ) -> Weight {
		// Proof size: measured `186 + n * (32 ±0)`, estimated `3535`.
		// Minimum execution time: 12_960_000 picoseconds.
		Weight::from_parts(12_611_958, 3535)
			// Standard error: 334
			.saturating_add(Weight::from_parts(648_941, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::EmergencyCategories` (r:0 w:1)
	/// Proof: `Escrow::EmergencyCategories` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn set_emergency_categories() -> Weight {
		// Proof size: measured `233`, estimated `3806`.
		// Minimum execution time: 17_937_000 picoseconds.
		Weight::from_parts(19_119_000, 3806)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Records::Records` (r:1 w:0)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::EscrowedShares` (r:17 w:16)
	/// Proof: `Escrow::EscrowedShares` (`max_values`: None, `max_size`: Some(149), added: 2624, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::EmergencyCategories` (r:1 w:0)
	/// Proof: `Escrow::EmergencyCategories` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Committee` (r:1 w:0)
	/// Proof: `Escrow::Committee` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Epoch` (r:1 w:0)
	/// Proof: `Escrow::Epoch` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::EscrowedBy` (r:0 w:1)
	/// Proof: `Escrow::EscrowedBy` (`max_values`: None, `max_size`: Some(48), added: 2523, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[2, 16]`.
	fn escrow_key(n: u32, ) -> Weight {
		// Proof size: measured `856 + n * (181 ±0)`, estimated `3723 + n * (2624 ±0)`.
		// Minimum execution time: 43_075_000 picoseconds.
		Weight::from_parts(38_987_623, 3723)
			// Standard error: 1_772
			.saturating_add(Weight::from_parts(3_314_748, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(3))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2624).saturating_mul(n.into()))
	}
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Committee` (r:1 w:0)
	/// Proof: `Escrow::Committee` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:0)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(146), added: 2621, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Records::Records` (r:64 w:0)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::EmergencyCategories` (r:1 w:0)
	/// Proof: `Escrow::EmergencyCategories` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::EscrowedShares` (r:64 w:0)
	/// Proof: `Escrow::EscrowedShares` (`max_values`: None, `max_size`: Some(149), added: 2624, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Thresholds` (r:1 w:0)
	/// Proof: `Escrow::Thresholds` (`max_values`: None, `max_size`: Some(13), added: 2488, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Released` (r:64 w:64)
	/// Proof: `Escrow::Released` (`max_values`: None, `max_size`: Some(1934), added: 4409, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:64)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 64]`.
	fn release_shares(n: u32, ) -> Weight {
		// Proof size: measured `4699 + n * (560 ±0)`, estimated `3973 + n * (4409 ±0)`.
		// Minimum execution time: 62_444_000 picoseconds.
		Weight::from_parts(28_035_552, 3973)
			// Standard error: 64_265
			.saturating_add(Weight::from_parts(26_275_717, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4409).saturating_mul(n.into()))
	}
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:0)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(146), added: 2621, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::Released` (r:65 w:64)
	/// Proof: `Escrow::Released` (`max_values`: None, `max_size`: Some(1934), added: 4409, mode: `MaxEncodedLen`)
	/// Storage: `Escrow::ReleasedToClear` (r:0 w:1)
	/// Proof: `Escrow::ReleasedToClear` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	/// The range of component `l` is `[1, 64]`.
	fn clear_released(l: u32, ) -> Weight {
		// Proof size: measured `488 + l * (51 ±0)`, estimated `5399 + l * (4409 ±0)`.
		// Minimum execution time: 21_342_000 picoseconds.
		Weight::from_parts(13_102_559, 5399)
			// Standard error: 22_893
			.saturating_add(Weight::from_parts(5_300_168, 0).saturating_mul(l.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(l.into())))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(l.into())))
			.saturating_add(Weight::from_parts(0, 4409).saturating_mul(l.into()))
	}
	/// Entered by hand (the member check, the identity checks of the account, both custodian
	/// maps and the account's reference: five reads, five writes); the next
	/// `scripts/benchmark.sh` run measures it (its benchmark is `set_custodian`).
	fn set_custodian() -> Weight {
		Weight::from_parts(20_000_000, 3973)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(5))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn set_committee(n: u32, ) -> Weight {
		Weight::from_parts(12_611_958, 3535)
			.saturating_add(Weight::from_parts(648_941, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn set_emergency_categories() -> Weight {
		Weight::from_parts(19_119_000, 3806)
			.saturating_add(RocksDbWeight::get().reads(3))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn escrow_key(n: u32, ) -> Weight {
		Weight::from_parts(38_987_623, 3723)
			.saturating_add(Weight::from_parts(3_314_748, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(3))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2624).saturating_mul(n.into()))
	}
	fn release_shares(n: u32, ) -> Weight {
		Weight::from_parts(28_035_552, 3973)
			.saturating_add(Weight::from_parts(26_275_717, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 4409).saturating_mul(n.into()))
	}
	fn clear_released(l: u32, ) -> Weight {
		Weight::from_parts(13_102_559, 5399)
			.saturating_add(Weight::from_parts(5_300_168, 0).saturating_mul(l.into()))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(l.into())))
			.saturating_add(RocksDbWeight::get().writes(1))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(l.into())))
			.saturating_add(Weight::from_parts(0, 4409).saturating_mul(l.into()))
	}
	/// Entered by hand (the member check, the identity checks of the account, both custodian
	/// maps and the account's reference: five reads, five writes); the next
	/// `scripts/benchmark.sh` run measures it (its benchmark is `set_custodian`).
	fn set_custodian() -> Weight {
		Weight::from_parts(20_000_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
}
