//! Benchmarks for `pallet_ehr_appointments`: each call on its most expensive path.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// 2026-01-01T00:00:00Z: the clock of every benchmark.
const NOW: Moment = 1_767_225_600_000;
const HOUR: Moment = 3_600_000;

fn doctor<T: Config>() -> T::AccountId {
	let doctor: T::AccountId = account("doctor", 0, 0);
	T::BenchmarkHelper::set_time(NOW);
	T::BenchmarkHelper::register_doctor(&doctor);
	doctor
}

fn patient<T: Config>() -> T::AccountId {
	let patient: T::AccountId = account("patient", 0, 0);
	T::BenchmarkHelper::register_patient(&patient);
	patient
}

/// `doctor` publishes a slot `hours` hours from now; returns its id.
fn slot<T: Config>(doctor: &T::AccountId, hours: u64) -> SlotId {
	let id = NextSlotId::<T>::get();
	Pallet::<T>::publish_slot(
		RawOrigin::Signed(doctor.clone()).into(),
		NOW + hours * HOUR,
		30,
		VisitKind::Video,
	)
	.expect("a free future time");
	id
}

fn reason<T: Config>() -> Vec<u8> {
	let digest = T::MaxCidLength::get() as usize - 4;
	let mut cid = vec![0x01, 0x55, 0x12, digest as u8];
	cid.resize(T::MaxCidLength::get() as usize, 0xcd);
	cid
}

/// `patient` books `count` more slots of `doctor`, back to back from `first_hour` hours from now:
/// the overlap check then compares with every one of them.
fn open_appointments<T: Config>(
	doctor: &T::AccountId,
	patient: &T::AccountId,
	first_hour: u64,
	count: u32,
) {
	for hour in first_hour..first_hour + u64::from(count) {
		let slot = slot::<T>(doctor, hour);
		Pallet::<T>::book(RawOrigin::Signed(patient.clone()).into(), slot, Some(reason::<T>()))
			.expect("a free slot at a free time of the patient");
	}
}

/// A booked appointment on a fresh slot; returns (doctor, patient, appointment).
fn booked<T: Config>() -> (T::AccountId, T::AccountId, AppointmentId) {
	let doctor = doctor::<T>();
	let patient = patient::<T>();
	let slot = slot::<T>(&doctor, 1);
	let id = NextAppointmentId::<T>::get();
	Pallet::<T>::book(RawOrigin::Signed(patient.clone()).into(), slot, Some(reason::<T>()))
		.expect("a free slot");
	(doctor, patient, id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The overlap check reads every other slot of the doctor.
	#[benchmark]
	fn publish_slot() {
		let doctor = doctor::<T>();
		let existing = T::MaxSlotsPerDoctor::get() - 1;
		for hours in 0..existing {
			slot::<T>(&doctor, u64::from(hours) + 1);
		}
		let start = NOW + u64::from(existing + 1) * HOUR;
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), start, 30, VisitKind::InPerson);
		assert_eq!(SlotCount::<T>::get(&doctor), T::MaxSlotsPerDoctor::get());
	}

	#[benchmark]
	fn withdraw_slot() {
		let doctor = doctor::<T>();
		let slot = slot::<T>(&doctor, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor), slot);
		assert!(!Slots::<T>::contains_key(slot));
	}

	/// The patient holds all open appointments but one: the overlap check reads them all.
	#[benchmark]
	fn book() {
		let doctor = doctor::<T>();
		let patient = patient::<T>();
		let max = T::MaxOpenAppointmentsPerPatient::get();
		open_appointments::<T>(&doctor, &patient, 1, max - 1);
		let slot = slot::<T>(&doctor, u64::from(max));
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), slot, Some(reason::<T>()));
		assert_eq!(OpenVisits::<T>::get(&patient).len() as u32, max);
	}

	#[benchmark]
	fn confirm() {
		let (doctor, _, id) = booked::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor), id);
		assert_eq!(Appointments::<T>::get(id).unwrap().status, AppointmentStatus::Confirmed);
	}

	#[benchmark]
	fn propose_reschedule() {
		let (doctor, _, id) = booked::<T>();
		let new_slot = slot::<T>(&doctor, 5);
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor), id, new_slot);
		assert_eq!(Appointments::<T>::get(id).unwrap().proposed_slot, Some(new_slot));
	}

	/// Acceptance, with the patient holding all the open appointments it may: the new time is
	/// checked against every other one, the old slot is withdrawn and the appointment moves.
	#[benchmark]
	fn answer_reschedule() {
		let (doctor, patient, id) = booked::<T>();
		let max = T::MaxOpenAppointmentsPerPatient::get();
		open_appointments::<T>(&doctor, &patient, 2, max - 1);
		assert_eq!(OpenVisits::<T>::get(&patient).len() as u32, max);
		let new_slot = slot::<T>(&doctor, u64::from(max) + 5);
		Pallet::<T>::propose_reschedule(RawOrigin::Signed(doctor).into(), id, new_slot)
			.expect("a free slot of the doctor");
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id, true);
		assert_eq!(Appointments::<T>::get(id).unwrap().slot, new_slot);
	}

	/// The doctor cancels with a reschedule pending: two slots change; the patient holds all
	/// the open appointments it may.
	#[benchmark]
	fn cancel() {
		let (doctor, patient, id) = booked::<T>();
		open_appointments::<T>(&doctor, &patient, 2, T::MaxOpenAppointmentsPerPatient::get() - 1);
		let new_slot = slot::<T>(&doctor, u64::from(T::MaxOpenAppointmentsPerPatient::get()) + 5);
		Pallet::<T>::propose_reschedule(RawOrigin::Signed(doctor.clone()).into(), id, new_slot)
			.expect("a free slot of the doctor");
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor), id);
		assert_eq!(Appointments::<T>::get(id).unwrap().status, AppointmentStatus::Cancelled);
	}

	/// `complete` and `mark_no_show` share this path; the patient holds all the open
	/// appointments it may.
	#[benchmark]
	fn finish() {
		let (doctor, patient, id) = booked::<T>();
		open_appointments::<T>(&doctor, &patient, 2, T::MaxOpenAppointmentsPerPatient::get() - 1);
		Pallet::<T>::confirm(RawOrigin::Signed(doctor.clone()).into(), id).expect("requested");
		T::BenchmarkHelper::set_time(NOW + 2 * HOUR);
		#[block]
		{
			Pallet::<T>::complete(RawOrigin::Signed(doctor).into(), id).expect("started");
		}
		assert_eq!(Appointments::<T>::get(id).unwrap().status, AppointmentStatus::Completed);
	}

	/// The patient's app records the call's start (the appointment with the longest reason).
	#[benchmark]
	fn start_visit() {
		let (doctor, patient, id) = booked::<T>();
		Pallet::<T>::confirm(RawOrigin::Signed(doctor).into(), id).expect("requested");
		T::BenchmarkHelper::set_time(NOW + HOUR);
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id);
		assert!(Visits::<T>::get(id).is_some());
	}

	/// The doctor's app records the call's end.
	#[benchmark]
	fn end_visit() {
		let (doctor, patient, id) = booked::<T>();
		Pallet::<T>::confirm(RawOrigin::Signed(doctor.clone()).into(), id).expect("requested");
		T::BenchmarkHelper::set_time(NOW + HOUR);
		Pallet::<T>::start_visit(RawOrigin::Signed(patient).into(), id).expect("its time");
		T::BenchmarkHelper::set_time(NOW + HOUR + 20 * 60_000);
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor), id);
		assert_eq!(Visits::<T>::get(id).and_then(|v| v.minutes()), Some(20));
	}

	/// A roster of `n` shifts, each of another doctor of the hospital: every doctor is checked
	/// and the shifts are sorted and compared pairwise.
	#[benchmark]
	fn set_on_call(n: Linear<1, { T::MaxShifts::get() }>) {
		let first = doctor::<T>();
		let hospital = T::Identity::hospital_of(&first).expect("a doctor of a hospital");
		let shifts: Vec<ShiftOf<T>> = (0..n)
			.map(|i| {
				let doctor: T::AccountId = account("doctor", i, 0);
				T::BenchmarkHelper::register_doctor(&doctor);
				// Later doctors start earlier: the sort has work to do.
				let from = NOW + u64::from(n - i) * 60_000;
				Shift { doctor, from, until: from + 8 * HOUR }
			})
			.collect();
		let roster: RosterOf<T> = shifts.try_into().expect("at most MaxShifts");
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital.clone()), roster);
		assert_eq!(OnCall::<T>::get(&hospital).len() as u32, n);
	}

	/// The doctor's shift is the last of a full roster, and the patient holds all open
	/// appointments but one: the scan and the overlap check read them all.
	#[benchmark]
	fn on_call_visit() {
		T::BenchmarkHelper::set_time(NOW);
		let doctor = T::BenchmarkHelper::signer();
		T::BenchmarkHelper::register_doctor(&doctor);
		let hospital = T::Identity::hospital_of(&doctor).expect("a doctor of a hospital");
		let patient = patient::<T>();
		let max = T::MaxOpenAppointmentsPerPatient::get();
		open_appointments::<T>(&doctor, &patient, 1, max - 1);
		let others = T::MaxShifts::get() - 1;
		let mut shifts: Vec<ShiftOf<T>> = (0..others)
			.map(|i| {
				let other: T::AccountId = account("on call", i, 0);
				T::BenchmarkHelper::register_doctor(&other);
				Shift { doctor: other, from: NOW - HOUR, until: NOW + 8 * HOUR }
			})
			.collect();
		shifts.push(Shift { doctor: doctor.clone(), from: NOW, until: NOW + 8 * HOUR });
		Pallet::<T>::set_on_call(
			RawOrigin::Signed(hospital).into(),
			shifts.try_into().expect("at most MaxShifts"),
		)
		.expect("the hospital's doctors");
		// The doctor has open on-call visits but one, all within their window (none dropped:
		// the list is written back whole).
		let open: Vec<(AppointmentId, Moment)> = (0..T::MaxOnCallVisitsPerDoctor::get() - 1)
			.map(|i| (1_000 + AppointmentId::from(i), NOW + u64::from(i) * 60_000))
			.collect();
		OnCallOpen::<T>::insert(&doctor, BoundedVec::truncate_from(open));
		let answer = T::BenchmarkHelper::sign(
			&doctor,
			&ehr_primitives::on_call_answer_payload(&patient, &doctor, NOW),
		);
		let id = NextAppointmentId::<T>::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), doctor, NOW, answer);
		assert_eq!(OpenVisits::<T>::get(&patient).len() as u32, max);
		assert_eq!(Appointments::<T>::get(id).unwrap().status, AppointmentStatus::Confirmed);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
