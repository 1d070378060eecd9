// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Weights for `pallet_ehr_records`, measured by `scripts/benchmark.sh`; do not edit by hand.
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
// pallet_ehr_records
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
// pallets/records/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_ehr_records`.
pub trait WeightInfo {
	fn add_record(k: u32, ) -> Weight;
	fn amend_record(k: u32, ) -> Weight;
	fn share_keys(n: u32, ) -> Weight;
	fn remove_key() -> Weight;
	fn erase_record(v: u32, k: u32, ) -> Weight;
	fn remove_reader_keys(n: u32, ) -> Weight;
}

/// Weights for `pallet_ehr_records` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:33 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:33 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Records::RecordCount` (r:1 w:1)
	/// Proof: `Records::RecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Records::NextRecordId` (r:1 w:1)
	/// Proof: `Records::NextRecordId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:0 w:32)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:0 w:32)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// Storage: `Records::PatientRecords` (r:0 w:1)
	/// Proof: `Records::PatientRecords` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Records::Records` (r:0 w:1)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:32)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// The range of component `k` is `[1, 32]`.
	fn add_record(k: u32, ) -> Weight {
		// Proof size: measured `3133 + k * (167 ±0)`, estimated `3973 + k * (2983 ±0)`.
		// Minimum execution time: 68_833_000 picoseconds.
		Weight::from_parts(61_484_312, 3973)
			// Standard error: 31_789
			.saturating_add(Weight::from_parts(21_090_869, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(5))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	/// Storage: `Records::Records` (r:1 w:2)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:33 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:33 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Records::RecordCount` (r:1 w:1)
	/// Proof: `Records::RecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Records::NextRecordId` (r:1 w:1)
	/// Proof: `Records::NextRecordId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:0 w:32)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:0 w:32)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// Storage: `Records::PatientRecords` (r:0 w:1)
	/// Proof: `Records::PatientRecords` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:32)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// The range of component `k` is `[1, 32]`.
	fn amend_record(k: u32, ) -> Weight {
		// Proof size: measured `3608 + k * (167 ±0)`, estimated `3973 + k * (2983 ±0)`.
		// Minimum execution time: 80_260_000 picoseconds.
		Weight::from_parts(63_987_835, 3973)
			// Standard error: 26_330
			.saturating_add(Weight::from_parts(22_232_506, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(9))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(6))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	/// Storage: `Identity::Doctors` (r:2 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Records::Records` (r:64 w:64)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:128 w:64)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:2 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:0 w:64)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:64)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 64]`.
	fn share_keys(n: u32, ) -> Weight {
		// Proof size: measured `2658 + n * (140 ±0)`, estimated `6956 + n * (5338 ±0)`.
		// Minimum execution time: 71_848_000 picoseconds.
		Weight::from_parts(35_362_411, 6956)
			// Standard error: 57_453
			.saturating_add(Weight::from_parts(35_505_122, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 5338).saturating_mul(n.into()))
	}
	/// Storage: `Records::Records` (r:1 w:1)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:1 w:1)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:0 w:1)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn remove_key() -> Weight {
		// Proof size: measured `1071`, estimated `3806`.
		// Minimum execution time: 29_424_000 picoseconds.
		Weight::from_parts(31_367_000, 3806)
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(5))
	}
	/// Storage: `Records::Records` (r:16 w:16)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:63 w:47)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// Storage: `Records::RecordCount` (r:1 w:1)
	/// Proof: `Records::RecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:0 w:47)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Records::PatientRecords` (r:0 w:16)
	/// Proof: `Records::PatientRecords` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:16)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// The range of component `v` is `[1, 16]`.
	/// The range of component `k` is `[1, 32]`.
	fn erase_record(v: u32, k: u32, ) -> Weight {
		// Proof size: measured `630 + k * (86 ±0) + v * (367 ±0)`, estimated `86398 + k * (928 ±85) + v * (2733 ±170)`.
		// Minimum execution time: 266_049_000 picoseconds.
		Weight::from_parts(271_608_000, 86398)
			// Standard error: 170_839
			.saturating_add(Weight::from_parts(18_556_277, 0).saturating_mul(v.into()))
			// Standard error: 85_291
			.saturating_add(Weight::from_parts(3_931_986, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(v.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes((5_u64).saturating_mul(v.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 928).saturating_mul(k.into()))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(v.into()))
	}
	/// Storage: `Records::ReaderRecords` (r:1025 w:1024)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Records::Records` (r:1024 w:1024)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:0 w:1024)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[0, 1024]`.
	fn remove_reader_keys(n: u32, ) -> Weight {
		// Proof size: measured `1143 + n * (71 ±0)`, estimated `3577 + n * (2733 ±0)`.
		// Minimum execution time: 4_677_000 picoseconds.
		Weight::from_parts(4_777_000, 3577)
			// Standard error: 14_307
			.saturating_add(Weight::from_parts(9_109_064, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(n.into()))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn add_record(k: u32, ) -> Weight {
		Weight::from_parts(61_484_312, 3973)
			.saturating_add(Weight::from_parts(21_090_869, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(5))
			.saturating_add(RocksDbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	fn amend_record(k: u32, ) -> Weight {
		Weight::from_parts(63_987_835, 3973)
			.saturating_add(Weight::from_parts(22_232_506, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(9))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(6))
			.saturating_add(RocksDbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	fn share_keys(n: u32, ) -> Weight {
		Weight::from_parts(35_362_411, 6956)
			.saturating_add(Weight::from_parts(35_505_122, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 5338).saturating_mul(n.into()))
	}
	fn remove_key() -> Weight {
		Weight::from_parts(31_367_000, 3806)
			.saturating_add(RocksDbWeight::get().reads(5))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
	fn erase_record(v: u32, k: u32, ) -> Weight {
		Weight::from_parts(271_608_000, 86398)
			.saturating_add(Weight::from_parts(18_556_277, 0).saturating_mul(v.into()))
			.saturating_add(Weight::from_parts(3_931_986, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(3))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(v.into())))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes((5_u64).saturating_mul(v.into())))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 928).saturating_mul(k.into()))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(v.into()))
	}
	fn remove_reader_keys(n: u32, ) -> Weight {
		Weight::from_parts(4_777_000, 3577)
			.saturating_add(Weight::from_parts(9_109_064, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes((3_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(n.into()))
	}
}
