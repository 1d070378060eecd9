//! Benchmarks for `pallet_ehr_identity`: each call on its most expensive path.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn hospital<T: Config>() -> T::AccountId {
	let hospital: T::AccountId = account("hospital", 0, 0);
	T::BenchmarkHelper::make_hospital(&hospital);
	hospital
}

fn text<T: Config>() -> Vec<u8> {
	vec![b'a'; T::MaxTextLength::get() as usize]
}

fn doctor<T: Config>(hospital: &T::AccountId) -> T::AccountId {
	let doctor: T::AccountId = account("doctor", 0, 0);
	Pallet::<T>::register_doctor(
		RawOrigin::Signed(hospital.clone()).into(),
		doctor.clone(),
		text::<T>(),
		text::<T>(),
		text::<T>(),
	)
	.expect("the hospital offers the role");
	Pallet::<T>::accept_doctor(RawOrigin::Signed(doctor.clone()).into(), hospital.clone(), [2; 32])
		.expect("the account accepts");
	doctor
}

fn patient<T: Config>(index: u32) -> T::AccountId {
	let patient: T::AccountId = account("patient", index, 0);
	Pallet::<T>::register_patient(RawOrigin::Signed(patient.clone()).into(), [1; 32])
		.expect("a fresh account registers");
	patient
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_hospital_name() {
		let hospital = hospital::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital.clone()), text::<T>());
		assert!(HospitalNames::<T>::contains_key(&hospital));
	}

	#[benchmark]
	fn register_doctor() {
		let hospital = hospital::<T>();
		let doctor: T::AccountId = account("doctor", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital), doctor.clone(), text::<T>(), text::<T>(), text::<T>());
		assert!(DoctorOffers::<T>::contains_key(&doctor));
	}

	#[benchmark]
	fn accept_doctor() {
		let hospital = hospital::<T>();
		let doctor: T::AccountId = account("doctor", 0, 0);
		Pallet::<T>::register_doctor(
			RawOrigin::Signed(hospital.clone()).into(),
			doctor.clone(),
			text::<T>(),
			text::<T>(),
			text::<T>(),
		)
		.expect("the hospital offers the role");
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), hospital, [2; 32]);
		assert!(Pallet::<T>::is_active_doctor(&doctor));
	}

	#[benchmark]
	fn suspend_doctor() {
		let hospital = hospital::<T>();
		let doctor = doctor::<T>(&hospital);
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital), doctor.clone());
		assert!(!Pallet::<T>::is_active_doctor(&doctor));
	}

	#[benchmark]
	fn reinstate_doctor() {
		let hospital = hospital::<T>();
		let doctor = doctor::<T>(&hospital);
		Pallet::<T>::suspend_doctor(RawOrigin::Signed(hospital.clone()).into(), doctor.clone())
			.expect("suspends");
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital), doctor.clone());
		assert!(Pallet::<T>::is_active_doctor(&doctor));
	}

	#[benchmark]
	fn invite_patient() {
		let hospital = hospital::<T>();
		let invited: T::AccountId = account("invited", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital), invited.clone());
		assert!(Invitations::<T>::contains_key(&invited));
	}

	#[benchmark]
	fn cancel_invitation() {
		let hospital = hospital::<T>();
		let invited: T::AccountId = account("invited", 0, 0);
		Pallet::<T>::invite_patient(RawOrigin::Signed(hospital.clone()).into(), invited.clone())
			.expect("invites");
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital), invited.clone());
		assert!(!Invitations::<T>::contains_key(&invited));
	}

	#[benchmark]
	fn register_patient() {
		// With an invitation: one more storage access than without.
		let hospital = hospital::<T>();
		let patient: T::AccountId = account("patient", 0, 0);
		Pallet::<T>::invite_patient(RawOrigin::Signed(hospital).into(), patient.clone())
			.expect("invites");
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), [1; 32]);
		assert!(Patients::<T>::contains_key(&patient));
	}

	#[benchmark]
	fn set_encryption_key() {
		// A patient: the doctor lookup misses first.
		let patient = patient::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), [2; 32]);
		assert_eq!(Pallet::<T>::encryption_key(&patient), Some([2; 32]));
	}

	#[benchmark]
	fn add_delegate() {
		let patient = patient::<T>(0);
		for index in 1..T::MaxDelegates::get() {
			let delegate = self::patient::<T>(index);
			Pallet::<T>::add_delegate(RawOrigin::Signed(patient.clone()).into(), delegate)
				.expect("below the bound");
		}
		let last = self::patient::<T>(T::MaxDelegates::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), last.clone());
		assert!(Pallet::<T>::is_delegate(&patient, &last));
	}

	#[benchmark]
	fn remove_delegate() {
		let patient = patient::<T>(0);
		let mut last = None;
		for index in 1..=T::MaxDelegates::get() {
			let delegate = self::patient::<T>(index);
			Pallet::<T>::add_delegate(RawOrigin::Signed(patient.clone()).into(), delegate.clone())
				.expect("within the bound");
			last = Some(delegate);
		}
		let last = last.expect("at least one delegate");
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), last.clone());
		assert!(!Pallet::<T>::is_delegate(&patient, &last));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
