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
	/// Storage: `Identity::Doctors` (r:32 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:32 w:0)
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
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	/// The range of component `k` is `[1, 32]`.
	fn add_record(k: u32, ) -> Weight {
		// Proof size: measured `525 + k * (187 ±0)`, estimated `3806 + k * (2983 ±0)`.
		// Minimum execution time: 75_591_000 picoseconds.
		Weight::from_parts(68_918_450, 3806)
			// Standard error: 374_552
			.saturating_add(Weight::from_parts(44_498_865, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(5))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	/// Storage: `Records::Records` (r:1 w:2)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:32 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:32 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
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
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	/// The range of component `k` is `[1, 32]`.
	fn amend_record(k: u32, ) -> Weight {
		// Proof size: measured `903 + k * (187 ±0)`, estimated `3806 + k * (2983 ±0)`.
		// Minimum execution time: 90_750_000 picoseconds.
		Weight::from_parts(97_339_138, 3806)
			// Standard error: 468_025
			.saturating_add(Weight::from_parts(37_784_224, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(6))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Records::Records` (r:1023 w:1023)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:2 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:1023 w:1023)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:0 w:1023)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1023)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 1024]`.
	fn share_keys(n: u32, ) -> Weight {
		// Proof size: measured `1087 + n * (153 ±0)`, estimated `6252 + n * (2733 ±0)`.
		// Minimum execution time: 86_663_000 picoseconds.
		Weight::from_parts(88_355_000, 6252)
			// Standard error: 807_005
			.saturating_add(Weight::from_parts(78_072_683, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(n.into()))
	}
	/// Storage: `Records::Records` (r:1 w:1)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Records::WrappedKeys` (r:1 w:1)
	/// Proof: `Records::WrappedKeys` (`max_values`: None, `max_size`: Some(194), added: 2669, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:0 w:1)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	fn remove_key() -> Weight {
		// Proof size: measured `908`, estimated `3723`.
		// Minimum execution time: 54_292_000 picoseconds.
		Weight::from_parts(82_845_000, 3723)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(5))
	}
	/// Storage: `Records::Records` (r:16 w:16)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
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
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	/// The range of component `v` is `[1, 16]`.
	/// The range of component `k` is `[1, 32]`.
	fn erase_record(v: u32, k: u32, ) -> Weight {
		// Proof size: measured `467 + k * (86 ±0) + v * (367 ±0)`, estimated `86398 + k * (1009 ±102) + v * (2733 ±0)`.
		// Minimum execution time: 491_500_000 picoseconds.
		Weight::from_parts(524_362_000, 86398)
			// Standard error: 1_258_660
			.saturating_add(Weight::from_parts(76_867_552, 0).saturating_mul(v.into()))
			// Standard error: 628_383
			.saturating_add(Weight::from_parts(15_001_877, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(v.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes((5_u64).saturating_mul(v.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 1009).saturating_mul(k.into()))
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
		// Minimum execution time: 16_099_000 picoseconds.
		Weight::from_parts(19_056_000, 3577)
			// Standard error: 186_346
			.saturating_add(Weight::from_parts(21_957_222, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(n.into()))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn add_record(k: u32, ) -> Weight {
		Weight::from_parts(68_918_450, 3806)
			.saturating_add(Weight::from_parts(44_498_865, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(5))
			.saturating_add(RocksDbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	fn amend_record(k: u32, ) -> Weight {
		Weight::from_parts(97_339_138, 3806)
			.saturating_add(Weight::from_parts(37_784_224, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(6))
			.saturating_add(RocksDbWeight::get().writes((3_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(k.into()))
	}
	fn share_keys(n: u32, ) -> Weight {
		Weight::from_parts(88_355_000, 6252)
			.saturating_add(Weight::from_parts(78_072_683, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(5))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(n.into()))
	}
	fn remove_key() -> Weight {
		Weight::from_parts(82_845_000, 3723)
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
	fn erase_record(v: u32, k: u32, ) -> Weight {
		Weight::from_parts(524_362_000, 86398)
			.saturating_add(Weight::from_parts(76_867_552, 0).saturating_mul(v.into()))
			.saturating_add(Weight::from_parts(15_001_877, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(v.into())))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes((5_u64).saturating_mul(v.into())))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 1009).saturating_mul(k.into()))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(v.into()))
	}
	fn remove_reader_keys(n: u32, ) -> Weight {
		Weight::from_parts(19_056_000, 3577)
			.saturating_add(Weight::from_parts(21_957_222, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes((3_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2733).saturating_mul(n.into()))
	}
}
