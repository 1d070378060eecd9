// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.
//! Weights for `pallet_ehr_consent`, measured by `scripts/benchmark.sh`; do not edit by hand.
//!
//! ESTIMATED, not yet re-measured: `change_access`, `revoke_access`, `open_emergency_access`,
//! `close_emergency_access`, `log_access` and `process_expiries` (changed calls: the measured
//! figures below plus the storage they now read and write) and `end_emergency_access`,
//! `clean_expired` (new calls: estimated from the closest measured calls). The next run of
//! `scripts/benchmark.sh` replaces this file with measurements.
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
	fn log_access() -> Weight;
	fn end_emergency_access() -> Weight;
	fn clean_expired() -> Weight;
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
	/// Storage: `Consent::ExpiryCursor` (r:1 w:0)
	/// Proof: `Consent::NextExpiryMinute` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:1 w:1)
	/// Proof: `Consent::ExpiryQueue` (`max_values`: None, `max_size`: Some(4178), added: 6653, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GranteePatients` (r:0 w:1)
	/// Proof: `Consent::GranteePatients` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	fn grant_access() -> Weight {
		// Proof size: measured `411`, estimated `7643`.
		// Minimum execution time: 69_721_000 picoseconds.
		Weight::from_parts(109_826_000, 7643)
			.saturating_add(T::DbWeight::get().reads(9))
			.saturating_add(T::DbWeight::get().writes(6))
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
	/// Proof: `Consent::NextExpiryMinute` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:1 w:1)
	/// Proof: `Consent::ExpiryQueue` (`max_values`: None, `max_size`: Some(4178), added: 6653, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	fn change_access() -> Weight {
		// Proof size: measured `724`, estimated `7643`.
		// Minimum execution time: 66_945_000 picoseconds.
		Weight::from_parts(95_308_000, 7643)
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
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GranteePatients` (r:0 w:1)
	/// Proof: `Consent::GranteePatients` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	fn revoke_access() -> Weight {
		// Proof size: measured `583`, estimated `3806`.
		// Minimum execution time: 65_613_000 picoseconds.
		Weight::from_parts(128_391_000, 3806)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(7))
	}
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:1)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(370), added: 2845, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::ExpiryCursor` (r:1 w:0)
	/// Proof: `Consent::NextExpiryMinute` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:1 w:1)
	/// Proof: `Consent::ExpiryQueue` (`max_values`: None, `max_size`: Some(4178), added: 6653, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	fn open_emergency_access() -> Weight {
		// Proof size: measured `411`, estimated `7643`.
		// Minimum execution time: 60_564_000 picoseconds.
		Weight::from_parts(147_892_000, 7643)
			.saturating_add(T::DbWeight::get().reads(10))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	/// Storage: `Consent::EmergencyAccesses` (r:1 w:1)
	/// Proof: `Consent::EmergencyAccesses` (`max_values`: None, `max_size`: Some(370), added: 2845, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	fn close_emergency_access() -> Weight {
		// Proof size: measured `622`, estimated `3835`.
		// Minimum execution time: 37_009_000 picoseconds.
		Weight::from_parts(80_613_000, 3835)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:1 w:0)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	fn log_access() -> Weight {
		// Proof size: measured `679`, estimated `3973`.
		// Minimum execution time: 53_771_000 picoseconds.
		Weight::from_parts(75_203_000, 3973)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	fn end_emergency_access() -> Weight {
		// Estimated: `close_emergency_access` plus the patient and delegate checks.
		Weight::from_parts(80_613_000, 3835)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	fn clean_expired() -> Weight {
		// Estimated: `revoke_access` (without the records hook, added by the call) plus
		// `close_emergency_access`.
		Weight::from_parts(195_000_000, 7643)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(12))
	}
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::ExpiryCursor` (r:1 w:1)
	/// Proof: `Consent::NextExpiryMinute` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Expiries` (r:1 w:1)
	/// Proof: `Consent::ExpiryQueue` (`max_values`: None, `max_size`: Some(4178), added: 6653, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Grants` (r:64 w:64)
	/// Proof: `Consent::Grants` (`max_values`: None, `max_size`: Some(156), added: 2631, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GrantCount` (r:1 w:1)
	/// Proof: `Consent::GrantCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Records::ReaderRecords` (r:64 w:0)
	/// Proof: `Records::ReaderRecords` (`max_values`: None, `max_size`: Some(112), added: 2587, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:64)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(407), added: 2882, mode: `MaxEncodedLen`)
	/// Storage: `Consent::GranteePatients` (r:0 w:64)
	/// Proof: `Consent::GranteePatients` (`max_values`: None, `max_size`: Some(96), added: 2571, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[0, 64]`.
	fn process_expiries(n: u32, ) -> Weight {
		// Proof size: measured `481 + n * (150 ±0)`, estimated `7643 + n * (2631 ±0)`.
		// Minimum execution time: 14_347_000 picoseconds.
		Weight::from_parts(31_246_602, 7643)
			// Standard error: 299_494
			.saturating_add(Weight::from_parts(57_189_463, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().reads((4_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(T::DbWeight::get().writes((6_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2631).saturating_mul(n.into()))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn grant_access() -> Weight {
		Weight::from_parts(109_826_000, 7643)
			.saturating_add(RocksDbWeight::get().reads(9))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	fn change_access() -> Weight {
		Weight::from_parts(95_308_000, 7643)
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
	fn revoke_access() -> Weight {
		Weight::from_parts(128_391_000, 3806)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(7))
	}
	fn open_emergency_access() -> Weight {
		Weight::from_parts(147_892_000, 7643)
			.saturating_add(RocksDbWeight::get().reads(10))
			.saturating_add(RocksDbWeight::get().writes(8))
	}
	fn close_emergency_access() -> Weight {
		Weight::from_parts(80_613_000, 3835)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	fn log_access() -> Weight {
		Weight::from_parts(75_203_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn end_emergency_access() -> Weight {
		// Estimated: `close_emergency_access` plus the patient and delegate checks.
		Weight::from_parts(80_613_000, 3835)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	fn clean_expired() -> Weight {
		// Estimated: `revoke_access` (without the records hook, added by the call) plus
		// `close_emergency_access`.
		Weight::from_parts(195_000_000, 7643)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(12))
	}
	fn process_expiries(n: u32, ) -> Weight {
		Weight::from_parts(31_246_602, 7643)
			.saturating_add(Weight::from_parts(57_189_463, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().reads((4_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1))
			.saturating_add(RocksDbWeight::get().writes((6_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2631).saturating_mul(n.into()))
	}
}
