// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Weights for `pallet_ehr_consent`, measured by `scripts/benchmark.sh`; do not edit by hand.
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
// pallet_ehr_consent
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
// pallets/consent/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_ehr_consent`.
pub trait WeightInfo {
	fn grant_access() -> Weight;
	fn change_access() -> Weight;
	fn revoke_access() -> Weight;
	fn open_emergency_access() -> Weight;
	fn close_emergency_access() -> Weight;
	fn end_emergency_access() -> Weight;
	fn log_access() -> Weight;
	fn clean_expired() -> Weight;
	fn set_emergency_policy() -> Weight;
	fn process_expiries(n: u32, ) -> Weight;
}

/// Weights for `pallet_ehr_consent` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:1)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GrantCount` (r:1 w:1)
	/// Proof: `Consent::GrantCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Consent::ExpiryCursor` (r:1 w:1)
	/// Proof: `Consent::ExpiryCursor` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:0 w:1)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GranteePatients` (r:0 w:1)
	/// Proof: `Consent::GranteePatients` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	fn grant_access() -> Weight {
		// Proof size: measured `444`, estimated `3973`.
		// Minimum execution time: 32_970_000 picoseconds.
		Weight::from_parts(35_523_000, 3973)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(7))
	}
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:1)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::ExpiryCursor` (r:1 w:0)
	/// Proof: `Consent::ExpiryCursor` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:1 w:0)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:0 w:2)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	fn change_access() -> Weight {
		// Proof size: measured `858`, estimated `3973`.
		// Minimum execution time: 39_629_000 picoseconds.
		Weight::from_parts(43_004_000, 3973)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(5))
	}
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:1)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GrantCount` (r:1 w:1)
	/// Proof: `Consent::GrantCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:1 w:0)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::AccessLogCounts` (r:0 w:1)
	/// Proof: `Consent::AccessLogCounts` (`max_values`: None, `max_size`: Some(108), added: 2583, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:0 w:1)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GranteePatients` (r:0 w:1)
	/// Proof: `Consent::GranteePatients` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	fn revoke_access() -> Weight {
		// Proof size: measured `1016`, estimated `3806`.
		// Minimum execution time: 35_013_000 picoseconds.
		Weight::from_parts(37_707_000, 3806)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(7))
	}
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:1)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(146), added: 2621, mode: `MaxEncodedLen`)
	/// Storage: `Consent::DoctorEmergencies` (r:1 w:1)
	/// Proof: `Consent::DoctorEmergencies` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::ExpiryCursor` (r:1 w:0)
	/// Proof: `Consent::ExpiryCursor` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:2)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::AccessLogCounts` (r:0 w:1)
	/// Proof: `Consent::AccessLogCounts` (`max_values`: None, `max_size`: Some(108), added: 2583, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:0 w:2)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	fn open_emergency_access() -> Weight {
		// Proof size: measured `876`, estimated `3973`.
		// Minimum execution time: 48_944_000 picoseconds.
		Weight::from_parts(52_990_000, 3973)
			.saturating_add(T::DbWeight::get().reads(9))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:1)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(146), added: 2621, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::DoctorEmergencies` (r:1 w:1)
	/// Proof: `Consent::DoctorEmergencies` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::AccessLogCounts` (r:0 w:1)
	/// Proof: `Consent::AccessLogCounts` (`max_values`: None, `max_size`: Some(108), added: 2583, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:0 w:1)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	fn close_emergency_access() -> Weight {
		// Proof size: measured `712`, estimated `3973`.
		// Minimum execution time: 31_897_000 picoseconds.
		Weight::from_parts(34_642_000, 3973)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:1)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(146), added: 2621, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::DoctorEmergencies` (r:1 w:1)
	/// Proof: `Consent::DoctorEmergencies` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::AccessLogCounts` (r:0 w:1)
	/// Proof: `Consent::AccessLogCounts` (`max_values`: None, `max_size`: Some(108), added: 2583, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:0 w:1)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	fn end_emergency_access() -> Weight {
		// Proof size: measured `665`, estimated `3806`.
		// Minimum execution time: 30_686_000 picoseconds.
		Weight::from_parts(32_419_000, 3806)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	/// Storage: `Records::Records` (r:1 w:0)
	/// Proof: `Records::Records` (`max_values`: None, `max_size`: Some(258), added: 2733, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::AccessLogCounts` (r:1 w:1)
	/// Proof: `Consent::AccessLogCounts` (`max_values`: None, `max_size`: Some(108), added: 2583, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn log_access() -> Weight {
		// Proof size: measured `1151`, estimated `3973`.
		// Minimum execution time: 35_112_000 picoseconds.
		Weight::from_parts(37_426_000, 3973)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:1)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GrantCount` (r:1 w:1)
	/// Proof: `Consent::GrantCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:1 w:0)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:1)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(146), added: 2621, mode: `MaxEncodedLen`)
	/// Storage: `Consent::DoctorEmergencies` (r:1 w:1)
	/// Proof: `Consent::DoctorEmergencies` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:2)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::AccessLogCounts` (r:0 w:1)
	/// Proof: `Consent::AccessLogCounts` (`max_values`: None, `max_size`: Some(108), added: 2583, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:0 w:2)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GranteePatients` (r:0 w:1)
	/// Proof: `Consent::GranteePatients` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	fn clean_expired() -> Weight {
		// Proof size: measured `782`, estimated `3621`.
		// Minimum execution time: 50_265_000 picoseconds.
		Weight::from_parts(53_049_000, 3621)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(11))
	}
	/// Entered by hand (one write of a two-number value, like `set_hospital_name`); the next
	/// `scripts/benchmark.sh` run measures it (its benchmark is `set_emergency_policy`).
	fn set_emergency_policy() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Storage: `Consent::ExpiryCursor` (r:1 w:1)
	/// Proof: `Consent::ExpiryCursor` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:32 w:32)
	/// Proof: `Consent::Expiries` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:32 w:32)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:32 w:0)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GrantCount` (r:1 w:1)
	/// Proof: `Consent::GrantCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:32)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	/// Storage: `Consent::AccessLogCounts` (r:0 w:32)
	/// Proof: `Consent::AccessLogCounts` (`max_values`: None, `max_size`: Some(108), added: 2583, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GranteePatients` (r:0 w:32)
	/// Proof: `Consent::GranteePatients` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[0, 32]`.
	fn process_expiries(n: u32, ) -> Weight {
		// Proof size: measured `474 + n * (174 ±0)`, estimated `6325 + n * (2631 ±6)`.
		// Minimum execution time: 10_596_000 picoseconds.
		Weight::from_parts(10_897_000, 6325)
			// Standard error: 31_434
			.saturating_add(Weight::from_parts(32_088_858, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(3))
			.saturating_add(T::DbWeight::get().writes((5_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2631).saturating_mul(n.into()))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn grant_access() -> Weight {
		Weight::from_parts(35_523_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(7))
	}
	fn change_access() -> Weight {
		Weight::from_parts(43_004_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
	fn revoke_access() -> Weight {
		Weight::from_parts(37_707_000, 3806)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(7))
	}
	fn open_emergency_access() -> Weight {
		Weight::from_parts(52_990_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(9))
			.saturating_add(RocksDbWeight::get().writes(8))
	}
	fn close_emergency_access() -> Weight {
		Weight::from_parts(34_642_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	fn end_emergency_access() -> Weight {
		Weight::from_parts(32_419_000, 3806)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	fn log_access() -> Weight {
		Weight::from_parts(37_426_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn clean_expired() -> Weight {
		Weight::from_parts(53_049_000, 3621)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(11))
	}
	/// Entered by hand (one write of a two-number value, like `set_hospital_name`); the next
	/// `scripts/benchmark.sh` run measures it (its benchmark is `set_emergency_policy`).
	fn set_emergency_policy() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn process_expiries(n: u32, ) -> Weight {
		Weight::from_parts(10_897_000, 6325)
			.saturating_add(Weight::from_parts(32_088_858, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(3))
			.saturating_add(RocksDbWeight::get().writes((5_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2631).saturating_mul(n.into()))
	}
}
