// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Weights for `pallet_ehr_appointments`, measured by `scripts/benchmark.sh`; do not edit by hand.
//!
//! Benchmark CLI 64.0.0, 2026-12-07, steps `50`, repeat `20`.
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
// pallet_ehr_appointments
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
// pallets/appointments/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_ehr_appointments`.
pub trait WeightInfo {
	fn publish_slot() -> Weight;
	fn withdraw_slot() -> Weight;
	fn book() -> Weight;
	fn confirm() -> Weight;
	fn propose_reschedule() -> Weight;
	fn answer_reschedule() -> Weight;
	fn cancel() -> Weight;
	fn finish() -> Weight;
	fn start_visit() -> Weight;
	fn end_visit() -> Weight;
	fn set_on_call(n: u32, ) -> Weight;
	fn on_call_visit() -> Weight;
}

/// Weights for `pallet_ehr_appointments` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorSlots` (r:256 w:1)
	/// Proof: `Appointments::DoctorSlots` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Slots` (r:255 w:1)
	/// Proof: `Appointments::Slots` (`max_values`: None, `max_size`: Some(70), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::SlotCount` (r:1 w:1)
	/// Proof: `Appointments::SlotCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::NextSlotId` (r:1 w:1)
	/// Proof: `Appointments::NextSlotId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	fn publish_slot() -> Weight {
		// Proof size: measured `23245`, estimated `650974`.
		// Minimum execution time: 1_388_224_000 picoseconds.
		Weight::from_parts(1_499_480_000, 650974)
			.saturating_add(T::DbWeight::get().reads(516))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	/// Storage: `Appointments::Slots` (r:1 w:1)
	/// Proof: `Appointments::Slots` (`max_values`: None, `max_size`: Some(70), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::SlotCount` (r:1 w:1)
	/// Proof: `Appointments::SlotCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorSlots` (r:0 w:1)
	/// Proof: `Appointments::DoctorSlots` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	fn withdraw_slot() -> Weight {
		// Proof size: measured `233`, estimated `3535`.
		// Minimum execution time: 20_581_000 picoseconds.
		Weight::from_parts(22_584_000, 3535)
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Slots` (r:1 w:1)
	/// Proof: `Appointments::Slots` (`max_values`: None, `max_size`: Some(70), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::NextAppointmentId` (r:1 w:1)
	/// Proof: `Appointments::NextAppointmentId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OpenVisits` (r:1 w:1)
	/// Proof: `Appointments::OpenVisits` (`max_values`: None, `max_size`: Some(433), added: 2908, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::PatientAppointments` (r:0 w:1)
	/// Proof: `Appointments::PatientAppointments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Appointments` (r:0 w:1)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorAppointments` (r:0 w:1)
	/// Proof: `Appointments::DoctorAppointments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn book() -> Weight {
		// Proof size: measured `1689`, estimated `3973`.
		// Minimum execution time: 62_663_000 picoseconds.
		Weight::from_parts(67_330_000, 3973)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	/// Storage: `Appointments::Appointments` (r:1 w:1)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn confirm() -> Weight {
		// Proof size: measured `1132`, estimated `4460`.
		// Minimum execution time: 40_590_000 picoseconds.
		Weight::from_parts(43_575_000, 4460)
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Appointments::Appointments` (r:1 w:1)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Slots` (r:1 w:1)
	/// Proof: `Appointments::Slots` (`max_values`: None, `max_size`: Some(70), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn propose_reschedule() -> Weight {
		// Proof size: measured `1221`, estimated `4460`.
		// Minimum execution time: 47_311_000 picoseconds.
		Weight::from_parts(50_104_000, 4460)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	/// Storage: `Appointments::Appointments` (r:1 w:1)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Slots` (r:2 w:1)
	/// Proof: `Appointments::Slots` (`max_values`: None, `max_size`: Some(70), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OpenVisits` (r:1 w:1)
	/// Proof: `Appointments::OpenVisits` (`max_values`: None, `max_size`: Some(433), added: 2908, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::SlotCount` (r:1 w:1)
	/// Proof: `Appointments::SlotCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorSlots` (r:0 w:1)
	/// Proof: `Appointments::DoctorSlots` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn answer_reschedule() -> Weight {
		// Proof size: measured `2103`, estimated `6080`.
		// Minimum execution time: 59_899_000 picoseconds.
		Weight::from_parts(64_466_000, 6080)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(7))
	}
	/// Storage: `Appointments::Appointments` (r:1 w:1)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Slots` (r:2 w:2)
	/// Proof: `Appointments::Slots` (`max_values`: None, `max_size`: Some(70), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::SlotCount` (r:1 w:1)
	/// Proof: `Appointments::SlotCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OpenVisits` (r:1 w:1)
	/// Proof: `Appointments::OpenVisits` (`max_values`: None, `max_size`: Some(433), added: 2908, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorSlots` (r:0 w:1)
	/// Proof: `Appointments::DoctorSlots` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorAppointments` (r:0 w:1)
	/// Proof: `Appointments::DoctorAppointments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn cancel() -> Weight {
		// Proof size: measured `2103`, estimated `6080`.
		// Minimum execution time: 63_444_000 picoseconds.
		Weight::from_parts(68_171_000, 6080)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(9))
	}
	/// Storage: `Appointments::Appointments` (r:1 w:1)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Slots` (r:1 w:1)
	/// Proof: `Appointments::Slots` (`max_values`: None, `max_size`: Some(70), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::SlotCount` (r:1 w:1)
	/// Proof: `Appointments::SlotCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OpenVisits` (r:1 w:1)
	/// Proof: `Appointments::OpenVisits` (`max_values`: None, `max_size`: Some(433), added: 2908, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorSlots` (r:0 w:1)
	/// Proof: `Appointments::DoctorSlots` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorAppointments` (r:0 w:1)
	/// Proof: `Appointments::DoctorAppointments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn finish() -> Weight {
		// Proof size: measured `2409`, estimated `4460`.
		// Minimum execution time: 68_632_000 picoseconds.
		Weight::from_parts(72_888_000, 4460)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	/// Storage: `Appointments::Appointments` (r:1 w:0)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Visits` (r:1 w:1)
	/// Proof: `Appointments::Visits` (`max_values`: None, `max_size`: Some(33), added: 2508, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn start_visit() -> Weight {
		// Proof size: measured `775`, estimated `4460`.
		// Minimum execution time: 30_765_000 picoseconds.
		Weight::from_parts(33_219_000, 4460)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Appointments::Appointments` (r:1 w:0)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Visits` (r:1 w:1)
	/// Proof: `Appointments::Visits` (`max_values`: None, `max_size`: Some(33), added: 2508, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn end_visit() -> Weight {
		// Proof size: measured `821`, estimated `4460`.
		// Minimum execution time: 31_938_000 picoseconds.
		Weight::from_parts(33_970_000, 4460)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:64 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OnCall` (r:0 w:1)
	/// Proof: `Appointments::OnCall` (`max_values`: None, `max_size`: Some(3122), added: 5597, mode: `MaxEncodedLen`)
	/// The range of component `n` is `[1, 64]`.
	fn set_on_call(n: u32, ) -> Weight {
		// Proof size: measured `357 + n * (85 ±0)`, estimated `3535 + n * (2983 ±0)`.
		// Minimum execution time: 25_959_000 picoseconds.
		Weight::from_parts(21_235_140, 3535)
			// Standard error: 5_660
			.saturating_add(Weight::from_parts(7_993_457, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(n.into()))
	}
	/// Storage: `Identity::Patients` (r:1 w:0)
	/// Proof: `Identity::Patients` (`max_values`: None, `max_size`: Some(341), added: 2816, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Identity::Doctors` (r:1 w:0)
	/// Proof: `Identity::Doctors` (`max_values`: None, `max_size`: Some(508), added: 2983, mode: `MaxEncodedLen`)
	/// Storage: `Hospitals::Members` (r:1 w:0)
	/// Proof: `Hospitals::Members` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OnCall` (r:1 w:0)
	/// Proof: `Appointments::OnCall` (`max_values`: None, `max_size`: Some(3122), added: 5597, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::LastAnswer` (r:1 w:1)
	/// Proof: `Appointments::LastAnswer` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::NextAppointmentId` (r:1 w:1)
	/// Proof: `Appointments::NextAppointmentId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OnCallOpen` (r:1 w:1)
	/// Proof: `Appointments::OnCallOpen` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::OpenVisits` (r:1 w:1)
	/// Proof: `Appointments::OpenVisits` (`max_values`: None, `max_size`: Some(433), added: 2908, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::NextSlotId` (r:1 w:1)
	/// Proof: `Appointments::NextSlotId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Consent::TrailLength` (r:1 w:1)
	/// Proof: `Consent::TrailLength` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::PatientAppointments` (r:0 w:1)
	/// Proof: `Appointments::PatientAppointments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::Appointments` (r:0 w:1)
	/// Proof: `Appointments::Appointments` (`max_values`: None, `max_size`: Some(995), added: 3470, mode: `MaxEncodedLen`)
	/// Storage: `Appointments::DoctorAppointments` (r:0 w:1)
	/// Proof: `Appointments::DoctorAppointments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Consent::Trail` (r:0 w:1)
	/// Proof: `Consent::Trail` (`max_values`: None, `max_size`: Some(201), added: 2676, mode: `MaxEncodedLen`)
	fn on_call_visit() -> Weight {
		// Proof size: measured `5527`, estimated `6587`.
		// Minimum execution time: 147_469_000 picoseconds.
		Weight::from_parts(177_824_000, 6587)
			.saturating_add(T::DbWeight::get().reads(11))
			.saturating_add(T::DbWeight::get().writes(10))
	}
}

/// The same measurements with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn publish_slot() -> Weight {
		Weight::from_parts(1_499_480_000, 650974)
			.saturating_add(RocksDbWeight::get().reads(516))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn withdraw_slot() -> Weight {
		Weight::from_parts(22_584_000, 3535)
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn book() -> Weight {
		Weight::from_parts(67_330_000, 3973)
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(8))
	}
	fn confirm() -> Weight {
		Weight::from_parts(43_575_000, 4460)
			.saturating_add(RocksDbWeight::get().reads(5))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn propose_reschedule() -> Weight {
		Weight::from_parts(50_104_000, 4460)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn answer_reschedule() -> Weight {
		Weight::from_parts(64_466_000, 6080)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(7))
	}
	fn cancel() -> Weight {
		Weight::from_parts(68_171_000, 6080)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(9))
	}
	fn finish() -> Weight {
		Weight::from_parts(72_888_000, 4460)
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(8))
	}
	fn start_visit() -> Weight {
		Weight::from_parts(33_219_000, 4460)
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn end_visit() -> Weight {
		Weight::from_parts(33_970_000, 4460)
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn set_on_call(n: u32, ) -> Weight {
		Weight::from_parts(21_235_140, 3535)
			.saturating_add(Weight::from_parts(7_993_457, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1))
			.saturating_add(Weight::from_parts(0, 2983).saturating_mul(n.into()))
	}
	fn on_call_visit() -> Weight {
		Weight::from_parts(177_824_000, 6587)
			.saturating_add(RocksDbWeight::get().reads(11))
			.saturating_add(RocksDbWeight::get().writes(10))
	}
}
