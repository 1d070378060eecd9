//! Benchmarks for `pallet_ehr_consent`: each call on its most expensive path.

use super::*;
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

fn open<T: Config>(doctor: &T::AccountId, patient: &T::AccountId) {
	Pallet::<T>::open_emergency_access(
		RawOrigin::Signed(doctor.clone()).into(),
		patient.clone(),
		EmergencyReason::LifeThreatening,
		Some([7; 32]),
	)
	.expect("an active doctor opens emergency access");
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
		// Worst case: an old expiry to drop and a new one to schedule.
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		grant::<T>(&patient, &doctor, Some(START + 3_600_000));
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			patient.clone(),
			doctor.clone(),
			all_categories(),
			AccessLevel::Read,
			Some(START + 7_200_000),
			Purpose::Research,
		);
		assert_eq!(Grants::<T>::get(&patient, &doctor).map(|g| g.access), Some(AccessLevel::Read));
		assert_eq!(Expiries::<T>::iter().count(), 1);
	}

	#[benchmark]
	fn revoke_access() {
		// Worst case: an expiry item and a log counter go with the grant (the records hook is
		// weighed by the records pallet).
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		grant::<T>(&patient, &doctor, Some(START + 3_600_000));
		let record = T::BenchmarkHelper::add_record(&patient, RecordCategory::Document);
		Pallet::<T>::log_access(
			RawOrigin::Signed(doctor.clone()).into(),
			patient.clone(),
			record,
			RecordCategory::Document,
		)
		.expect("the doctor reads");
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), patient.clone(), doctor.clone());
		assert!(!Grants::<T>::contains_key(&patient, &doctor));
		assert_eq!(Expiries::<T>::iter().count(), 0);
	}

	#[benchmark]
	fn open_emergency_access() {
		// Worst case: the doctor's expired access to the same patient is closed first.
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		open::<T>(&doctor, &patient);
		T::BenchmarkHelper::set_time(START + T::EmergencyAccessDuration::get());
		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctor.clone()),
			patient.clone(),
			EmergencyReason::LifeThreatening,
			Some([7; 32]),
		);
		assert!(Pallet::<T>::may_access(
			&doctor,
			&patient,
			RecordCategory::Document,
			AccessLevel::Read
		));
		assert_eq!(TrailLength::<T>::get(&patient), 3);
	}

	#[benchmark]
	fn close_emergency_access() {
		// Worst case: the hospital closes it (one more lookup than the doctor).
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		let hospital = T::Identity::hospital_of(&doctor).expect("the doctor has a hospital");
		open::<T>(&doctor, &patient);
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital), patient.clone(), doctor.clone());
		assert!(!EmergencyAccesses::<T>::contains_key(&patient, &doctor));
	}

	#[benchmark]
	fn end_emergency_access() {
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		open::<T>(&doctor, &patient);
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), patient.clone(), doctor.clone());
		assert!(!EmergencyAccesses::<T>::contains_key(&patient, &doctor));
	}

	#[benchmark]
	fn log_access() {
		// Worst case: a doctor through a grant, with a counter from an earlier period to reset.
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		grant::<T>(&patient, &doctor, None);
		let record = T::BenchmarkHelper::add_record(&patient, RecordCategory::Document);
		AccessLogCounts::<T>::insert(&patient, &doctor, (0u64, T::MaxAccessLogsPerPeriod::get()));
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone(), record, RecordCategory::Document);
		assert!(matches!(
			Trail::<T>::get(&patient, TrailLength::<T>::get(&patient) - 1).map(|e| e.event),
			Some(AuditEvent::RecordAccessed { .. })
		));
	}

	#[benchmark]
	fn clean_expired() {
		// Worst case: both a grant and an emergency access of the account have expired (the
		// records hook is weighed by the records pallet).
		let patient = patient::<T>();
		let doctor = doctor::<T>(0);
		grant::<T>(&patient, &doctor, Some(START + 60_000));
		open::<T>(&doctor, &patient);
		let caller: T::AccountId = account("anyone", 0, 0);
		T::BenchmarkHelper::set_time(START + T::EmergencyAccessDuration::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), patient.clone(), doctor.clone());
		assert!(!Grants::<T>::contains_key(&patient, &doctor));
		assert!(!EmergencyAccesses::<T>::contains_key(&patient, &doctor));
	}

	#[benchmark]
	fn process_expiries(n: Linear<0, { T::MaxExpiriesPerBlock::get() }>) {
		// `n` grants, each of another doctor, all expired in the same minute.
		let patient = patient::<T>();
		let expiry = START + 2 * MINUTE;
		for index in 0..n {
			let doctor = doctor::<T>(index);
			grant::<T>(&patient, &doctor, Some(expiry));
		}
		T::BenchmarkHelper::set_time(expiry + 2 * MINUTE);
		ExpiryCursor::<T>::put(expiry / MINUTE);
		#[block]
		{
			Pallet::<T>::process_expiries();
		}
		assert_eq!(GrantCount::<T>::get(&patient), 0);
		assert_eq!(Expiries::<T>::iter().count(), 0);
	}

	#[benchmark]
	fn set_emergency_policy() -> Result<(), BenchmarkError> {
		let origin =
			T::PolicyOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let policy = EmergencyPolicy { new_doctor_wait: 14_400, hospital_daily_limit: 50 };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, policy);
		assert_eq!(Policy::<T>::get(), policy);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
