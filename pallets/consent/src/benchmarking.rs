//! Benchmarks for `pallet_ehr_consent`: each call on its most expensive path.

use super::*;
use alloc::vec;
use ehr_primitives::MAX_REASON_LENGTH;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// 2026-01-01T00:00:00Z.
const START: Moment = 1_767_225_600_000;

fn patient<T: Config>() -> T::AccountId {
	let patient: T::AccountId = account("patient", 0, 0);
	T::BenchmarkHelper::register_patient(&patient);
	T::BenchmarkHelper::set_time(START);
	patient
}

fn doctor<T: Config>(index: u32) -> T::AccountId {
	let doctor: T::AccountId = account("doctor", index, 0);
	T::BenchmarkHelper::register_doctor(&doctor);
	doctor
}

fn all_categories() -> Scope {
	Scope::Categories(RecordCategory::ALL.to_vec().try_into().expect("seven categories fit"))
}

fn grant<T: Config>(patient: &T::AccountId, grantee: &T::AccountId, expires_at: Option<Moment>) {
	Pallet::<T>::grant_access(
		RawOrigin::Signed(patient.clone()).into(),
		patient.clone(),
		grantee.clone(),
		all_categories(),
		AccessLevel::ReadWrite,
		expires_at,
		Purpose::Treatment,
	)
	.expect("the patient grants a doctor");
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn grant_access() {
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			patient.clone(),
			doctor.clone(),
			all_categories(),
			AccessLevel::ReadWrite,
			Some(START + 3_600_000),
			Purpose::Treatment,
		);
		assert!(Grants::<T>::contains_key(&patient, &doctor));
	}

	#[benchmark]
	fn change_access() {
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		grant::<T>(&patient, &doctor, None);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			patient.clone(),
			doctor.clone(),
			all_categories(),
			AccessLevel::Read,
			Some(START + 3_600_000),
			Purpose::Research,
		);
		assert_eq!(Grants::<T>::get(&patient, &doctor).map(|g| g.access), Some(AccessLevel::Read));
	}

	#[benchmark]
	fn revoke_access() {
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		grant::<T>(&patient, &doctor, None);
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), patient.clone(), doctor.clone());
		assert!(!Grants::<T>::contains_key(&patient, &doctor));
	}

	#[benchmark]
	fn open_emergency_access() {
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctor.clone()),
			patient.clone(),
			vec![b'r'; MAX_REASON_LENGTH as usize],
		);
		assert!(EmergencyAccesses::<T>::contains_key(&patient, &doctor));
	}

	#[benchmark]
	fn close_emergency_access() {
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		Pallet::<T>::open_emergency_access(
			RawOrigin::Signed(doctor.clone()).into(),
			patient.clone(),
			vec![b'r'; MAX_REASON_LENGTH as usize],
		)
		.expect("an active doctor opens emergency access");
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone(), doctor.clone());
		assert!(!EmergencyAccesses::<T>::contains_key(&patient, &doctor));
	}

	#[benchmark]
	fn log_access() {
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		grant::<T>(&patient, &doctor, None);
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone(), 0, RecordCategory::Document);
		assert_eq!(TrailLength::<T>::get(&patient), 2);
	}

	#[benchmark]
	fn process_expiries(n: Linear<0, { T::MaxExpiriesPerMinute::get() }>) {
		let patient = patient::<T>();
		// Start the expiry clock, then fill one minute with `n` expiring grants.
		Pallet::<T>::process_expiries();
		let expiry = START + 2 * MINUTE;
		for index in 0..n {
			let doctor = doctor::<T>(index);
			grant::<T>(&patient, &doctor, Some(expiry));
		}
		T::BenchmarkHelper::set_time(expiry + 2 * MINUTE);
		NextExpiryMinute::<T>::put(expiry / MINUTE);
		#[block]
		{
			Pallet::<T>::process_expiries();
		}
		assert_eq!(GrantCount::<T>::get(&patient), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
