use crate::{mock::*, DoctorStatus, Doctors, Error, Event, Invitations, Patients};
use ehr_primitives::Identities;
use frame_support::{assert_noop, assert_ok, traits::Contains};
use sp_runtime::DispatchError;

/// The doctor's key in these tests.
const DOCTOR_KEY: [u8; 32] = [2; 32];

/// `hospital` offers `doctor` the role, and the account accepts it with [`DOCTOR_KEY`].
fn register_doctor(hospital: u64, doctor: u64) -> sp_runtime::DispatchResult {
	Identity::register_doctor(
		RuntimeOrigin::signed(hospital),
		doctor,
		b"Dr. Grey".to_vec(),
		b"surgery".to_vec(),
		b"LIC-1".to_vec(),
	)?;
	Identity::accept_doctor(RuntimeOrigin::signed(doctor), hospital, DOCTOR_KEY)
}

fn register_patient(who: u64) -> sp_runtime::DispatchResult {
	Identity::register_patient(RuntimeOrigin::signed(who), KEY)
}

#[test]
fn a_hospital_names_itself_and_others_cannot() {
	new_test_ext().execute_with(|| {
		assert_ok!(Identity::set_hospital_name(
			RuntimeOrigin::signed(HOSPITAL),
			b"St. Mary".to_vec()
		));
		assert_eq!(crate::HospitalNames::<Test>::get(HOSPITAL).unwrap().to_vec(), b"St. Mary");
		assert_noop!(
			Identity::set_hospital_name(RuntimeOrigin::signed(STRANGER), b"Fake".to_vec()),
			Error::<Test>::NotHospital
		);
		assert_noop!(
			Identity::set_hospital_name(RuntimeOrigin::signed(HOSPITAL), vec![b'x'; 17]),
			Error::<Test>::TextTooLong
		);
		assert_noop!(
			Identity::set_hospital_name(RuntimeOrigin::signed(HOSPITAL), vec![]),
			Error::<Test>::EmptyText
		);
		assert_noop!(
			Identity::set_hospital_name(RuntimeOrigin::none(), b"x".to_vec()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_hospital_verifies_a_doctor() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_doctor(HOSPITAL, DOCTOR));
		let doctor = Doctors::<Test>::get(DOCTOR).unwrap();
		assert_eq!(doctor.hospital, HOSPITAL);
		assert_eq!(doctor.status, DoctorStatus::Active);
		assert_eq!(doctor.encryption_key, Some(DOCTOR_KEY));
		assert!(Identity::is_active_doctor(&DOCTOR));
		assert_eq!(Identity::hospital_of(&DOCTOR), Some(HOSPITAL));
		// The doctor's account exists without a balance.
		assert_eq!(System::sufficients(&DOCTOR), 1);
		System::assert_has_event(
			Event::DoctorRegistered { doctor: DOCTOR, hospital: HOSPITAL }.into(),
		);
		assert_eq!(Identity::doctor_directory(None, 10).len(), 1);
	});
}

#[test]
fn only_a_hospital_verifies_doctors_and_only_once() {
	new_test_ext().execute_with(|| {
		assert_noop!(register_doctor(STRANGER, DOCTOR), Error::<Test>::NotHospital);
		// A doctor cannot verify another doctor, nor a patient.
		assert_ok!(register_doctor(HOSPITAL, DOCTOR));
		assert_noop!(register_doctor(DOCTOR, 11), Error::<Test>::NotHospital);
		assert_ok!(register_patient(PATIENT));
		assert_noop!(register_doctor(PATIENT, 11), Error::<Test>::NotHospital);
		// Already a doctor, or already a patient.
		assert_noop!(register_doctor(OTHER_HOSPITAL, DOCTOR), Error::<Test>::AlreadyRegistered);
		assert_noop!(register_doctor(HOSPITAL, PATIENT), Error::<Test>::AlreadyRegistered);
		assert_noop!(
			Identity::register_doctor(
				RuntimeOrigin::signed(HOSPITAL),
				11,
				vec![],
				b"s".to_vec(),
				b"l".to_vec()
			),
			Error::<Test>::EmptyText
		);
	});
}

#[test]
fn the_doctor_sets_its_own_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_doctor(HOSPITAL, DOCTOR));
		assert_eq!(Identity::encryption_key(&DOCTOR), Some(DOCTOR_KEY));
		assert_ok!(Identity::set_encryption_key(RuntimeOrigin::signed(DOCTOR), [3; 32]));
		assert_eq!(Identity::encryption_key(&DOCTOR), Some([3; 32]));
		assert_noop!(
			Identity::set_encryption_key(RuntimeOrigin::signed(DOCTOR), [0; 32]),
			Error::<Test>::InvalidEncryptionKey
		);
		assert_noop!(
			Identity::set_encryption_key(RuntimeOrigin::signed(STRANGER), [3; 32]),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn suspension_and_reinstatement_by_the_doctors_hospital_only() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_doctor(HOSPITAL, DOCTOR));
		assert_noop!(
			Identity::suspend_doctor(RuntimeOrigin::signed(OTHER_HOSPITAL), DOCTOR),
			Error::<Test>::NotDoctorsHospital
		);
		assert_noop!(
			Identity::suspend_doctor(RuntimeOrigin::signed(DOCTOR), DOCTOR),
			Error::<Test>::NotHospital
		);
		assert_noop!(
			Identity::reinstate_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR),
			Error::<Test>::NotSuspended
		);
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(!Identity::is_active_doctor(&DOCTOR));
		assert_noop!(
			Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR),
			Error::<Test>::AlreadySuspended
		);
		assert_ok!(Identity::reinstate_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(Identity::is_active_doctor(&DOCTOR));
		assert_noop!(
			Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), STRANGER),
			Error::<Test>::NotDoctor
		);
		assert_ok!(Identity::do_try_state());
	});
}

#[test]
fn a_doctor_of_a_hospital_that_left_is_not_active() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_doctor(OTHER_HOSPITAL, DOCTOR));
		HospitalMembers::set(vec![HOSPITAL]);
		assert!(!Identity::is_active_doctor(&DOCTOR));
	});
}

#[test]
fn a_patient_registers_with_only_a_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_patient(PATIENT));
		let patient = Patients::<Test>::get(PATIENT).unwrap();
		assert_eq!(patient.encryption_key, KEY);
		assert!(patient.delegates.is_empty());
		assert!(Identity::is_patient(&PATIENT));
		// Self-registered: a patient, but not free (see `only_invited_patients_transact_for_free…`).
		assert!(!Identity::contains(&PATIENT));
		assert_eq!(System::sufficients(&PATIENT), 1);
		assert_noop!(register_patient(PATIENT), Error::<Test>::AlreadyRegistered);
		assert_noop!(
			Identity::register_patient(RuntimeOrigin::signed(OTHER_PATIENT), [0; 32]),
			Error::<Test>::InvalidEncryptionKey
		);
		assert_ok!(Identity::set_encryption_key(RuntimeOrigin::signed(PATIENT), [9; 32]));
		assert_eq!(Identity::encryption_key(&PATIENT), Some([9; 32]));
	});
}

#[test]
fn an_invitation_makes_the_account_exist_and_is_used_by_registration() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Identity::invite_patient(RuntimeOrigin::signed(STRANGER), PATIENT),
			Error::<Test>::NotHospital
		);
		assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), PATIENT));
		assert!(Identity::contains(&PATIENT));
		assert_eq!(System::sufficients(&PATIENT), 1);
		assert_noop!(
			Identity::invite_patient(RuntimeOrigin::signed(OTHER_HOSPITAL), PATIENT),
			Error::<Test>::AlreadyInvited
		);
		assert_ok!(register_patient(PATIENT));
		assert_eq!(Invitations::<Test>::get(PATIENT), None);
		// The invitation's reference became the patient's: still exactly one.
		assert_eq!(System::sufficients(&PATIENT), 1);
		assert_noop!(
			Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), PATIENT),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn only_the_inviting_hospital_cancels_an_invitation() {
	new_test_ext().execute_with(|| {
		assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), PATIENT));
		assert_noop!(
			Identity::cancel_invitation(RuntimeOrigin::signed(OTHER_HOSPITAL), PATIENT),
			Error::<Test>::NotInvitingHospital
		);
		assert_ok!(Identity::cancel_invitation(RuntimeOrigin::signed(HOSPITAL), PATIENT));
		assert!(!Identity::contains(&PATIENT));
		assert_eq!(System::sufficients(&PATIENT), 0);
		assert_noop!(
			Identity::cancel_invitation(RuntimeOrigin::signed(HOSPITAL), PATIENT),
			Error::<Test>::NotInvited
		);
	});
}

#[test]
fn delegates_are_named_bounded_and_removed() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_patient(PATIENT));
		assert_noop!(
			Identity::add_delegate(RuntimeOrigin::signed(PATIENT), OTHER_PATIENT),
			Error::<Test>::DelegateNotRegistered
		);
		assert_ok!(register_patient(OTHER_PATIENT));
		assert_noop!(
			Identity::add_delegate(RuntimeOrigin::signed(STRANGER), OTHER_PATIENT),
			Error::<Test>::NotPatient
		);
		assert_noop!(
			Identity::add_delegate(RuntimeOrigin::signed(PATIENT), PATIENT),
			Error::<Test>::CannotDelegateToSelf
		);
		assert_ok!(Identity::add_delegate(RuntimeOrigin::signed(PATIENT), OTHER_PATIENT));
		assert!(Identity::is_delegate(&PATIENT, &OTHER_PATIENT));
		assert!(!Identity::is_delegate(&OTHER_PATIENT, &PATIENT));
		assert_noop!(
			Identity::add_delegate(RuntimeOrigin::signed(PATIENT), OTHER_PATIENT),
			Error::<Test>::AlreadyDelegate
		);
		for who in [30, 31] {
			assert_ok!(register_patient(who));
		}
		assert_ok!(Identity::add_delegate(RuntimeOrigin::signed(PATIENT), 30));
		assert_noop!(
			Identity::add_delegate(RuntimeOrigin::signed(PATIENT), 31),
			Error::<Test>::TooManyDelegates
		);
		assert_ok!(Identity::remove_delegate(RuntimeOrigin::signed(PATIENT), OTHER_PATIENT));
		assert!(!Identity::is_delegate(&PATIENT, &OTHER_PATIENT));
		assert_noop!(
			Identity::remove_delegate(RuntimeOrigin::signed(PATIENT), OTHER_PATIENT),
			Error::<Test>::NotDelegate
		);
		System::assert_last_event(
			Event::DelegateRemoved { patient: PATIENT, delegate: OTHER_PATIENT }.into(),
		);
		assert_ok!(Identity::do_try_state());
	});
}

#[test]
fn a_suspended_doctor_loses_its_free_use() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_doctor(HOSPITAL, DOCTOR));
		assert!(<Identity as Contains<u64>>::contains(&DOCTOR));
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(!<Identity as Contains<u64>>::contains(&DOCTOR));
		assert_ok!(Identity::reinstate_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(<Identity as Contains<u64>>::contains(&DOCTOR));
	});
}

#[test]
fn a_hospital_that_leaves_has_its_doctors_suspended_a_few_per_block() {
	use crate::{DepartedHospitals, SuspendDoctorsOfLeavers};
	use frame_support::{traits::ChangeMembers, weights::Weight};
	new_test_ext().execute_with(|| {
		for doctor in [10, 11, 12] {
			assert_ok!(register_doctor(HOSPITAL, doctor));
		}
		assert_ok!(register_doctor(OTHER_HOSPITAL, 13));
		// The hospital leaves; the membership pallet tells the identity pallet.
		HospitalMembers::set(vec![OTHER_HOSPITAL]);
		<SuspendDoctorsOfLeavers<Test, ()> as ChangeMembers<u64>>::change_members_sorted(
			&[],
			&[HOSPITAL],
			&[OTHER_HOSPITAL],
		);
		assert!(DepartedHospitals::<Test>::contains_key(HOSPITAL));
		// Access is refused at once, before any doctor is marked.
		assert!(!Identity::is_active_doctor(&10));
		// No spare weight: nothing happens.
		assert_eq!(Identity::suspend_doctors_of_departed(Weight::zero()), Weight::zero());
		// Two per block (`MaxSuspensionsPerBlock`), then the rest.
		Identity::suspend_doctors_of_departed(Weight::MAX);
		assert_ok!(Identity::do_try_state());
		let suspended = |d: u64| Doctors::<Test>::get(d).unwrap().status == DoctorStatus::Suspended;
		assert_eq!([10, 11, 12].iter().filter(|d| suspended(**d)).count(), 2);
		Identity::suspend_doctors_of_departed(Weight::MAX);
		assert!([10, 11, 12].iter().all(|d| suspended(*d)));
		assert!(!DepartedHospitals::<Test>::contains_key(HOSPITAL));
		// Another hospital's doctor is untouched.
		assert!(!suspended(13) && Identity::is_active_doctor(&13));
		System::assert_has_event(
			Event::DoctorSuspendedWithHospital { doctor: 12, hospital: HOSPITAL }.into(),
		);
		// If the hospital comes back, its doctors stay suspended until it reinstates them.
		HospitalMembers::set(vec![HOSPITAL, OTHER_HOSPITAL]);
		assert!(!Identity::is_active_doctor(&10));
		assert_ok!(Identity::reinstate_doctor(RuntimeOrigin::signed(HOSPITAL), 10));
		assert!(Identity::is_active_doctor(&10));
		assert_ok!(Identity::do_try_state());
	});
}

#[test]
fn only_invited_patients_transact_for_free_and_invitations_are_capped() {
	use crate::OpenInvitations;
	new_test_ext().execute_with(|| {
		// Self-registered (the runtime charges the fee for it): a patient, but no free use, so
		// that free accounts cannot be bought one registration fee at a time.
		assert_ok!(register_patient(PATIENT));
		assert!(Identity::is_patient(&PATIENT));
		assert!(!<Identity as Contains<u64>>::contains(&PATIENT));
		// Invited: free from the invitation on.
		assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), OTHER_PATIENT));
		assert!(<Identity as Contains<u64>>::contains(&OTHER_PATIENT));
		assert_ok!(register_patient(OTHER_PATIENT));
		assert!(<Identity as Contains<u64>>::contains(&OTHER_PATIENT));
		assert_eq!(OpenInvitations::<Test>::get(HOSPITAL), 0);
		// At most `MaxOpenInvitations` (3) unused invitations per hospital.
		for who in [30, 31, 32] {
			assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), who));
		}
		assert_noop!(
			Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), 33),
			Error::<Test>::TooManyInvitations
		);
		// Another hospital has its own allowance; a used or cancelled one frees a place.
		assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(OTHER_HOSPITAL), 33));
		assert_ok!(Identity::cancel_invitation(RuntimeOrigin::signed(HOSPITAL), 30));
		assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), 34));
		assert_ok!(Identity::do_try_state());
	});
}

#[test]
fn an_offer_is_no_doctor_until_the_account_accepts_it() {
	new_test_ext().execute_with(|| {
		let offer = |hospital: u64, who: u64| {
			Identity::register_doctor(
				RuntimeOrigin::signed(hospital),
				who,
				b"Dr. Grey".to_vec(),
				b"surgery".to_vec(),
				b"LIC-1".to_vec(),
			)
		};
		assert_ok!(offer(HOSPITAL, DOCTOR));
		assert!(!Identity::is_active_doctor(&DOCTOR));
		assert!(Identity::contains(&DOCTOR), "an offered account transacts to accept");
		assert_noop!(offer(OTHER_HOSPITAL, DOCTOR), Error::<Test>::AlreadyOffered);
		assert_noop!(
			Identity::accept_doctor(RuntimeOrigin::signed(DOCTOR), OTHER_HOSPITAL, DOCTOR_KEY),
			Error::<Test>::NoOffer
		);
		assert_noop!(
			Identity::accept_doctor(RuntimeOrigin::signed(DOCTOR), HOSPITAL, [0; 32]),
			Error::<Test>::InvalidEncryptionKey
		);
		assert_noop!(register_patient(DOCTOR), Error::<Test>::AlreadyOffered);
		assert_noop!(offer(HOSPITAL, OTHER_HOSPITAL), Error::<Test>::AccountIsHospital);
		assert_ok!(Identity::decline_doctor(RuntimeOrigin::signed(DOCTOR)));
		assert!(!Identity::contains(&DOCTOR));
		assert_eq!(System::sufficients(&DOCTOR), 0);
		assert_ok!(offer(OTHER_HOSPITAL, DOCTOR));
		assert_ok!(Identity::accept_doctor(
			RuntimeOrigin::signed(DOCTOR),
			OTHER_HOSPITAL,
			DOCTOR_KEY
		));
		assert_eq!(Identity::hospital_of(&DOCTOR), Some(OTHER_HOSPITAL));
		assert_eq!(crate::OpenInvitations::<Test>::get(OTHER_HOSPITAL), 0);
		// An invited account is offered nothing.
		assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), PATIENT));
		assert_noop!(offer(OTHER_HOSPITAL, PATIENT), Error::<Test>::AlreadyInvited);
		assert_ok!(Identity::do_try_state());
	});
}

#[test]
fn try_state_catches_a_miscounted_invitation_and_an_unlisted_active_doctor() {
	use crate::{DoctorOffers, HospitalDoctors, OpenInvitations};
	new_test_ext().execute_with(|| {
		assert_ok!(register_doctor(HOSPITAL, DOCTOR));
		assert_ok!(Identity::invite_patient(RuntimeOrigin::signed(HOSPITAL), PATIENT));
		assert_ok!(Identity::do_try_state());

		// A count that does not match what the hospital has out.
		OpenInvitations::<Test>::mutate(HOSPITAL, |open| *open += 1);
		assert!(Identity::do_try_state().is_err(), "a wrong count breaks the invariant");
		OpenInvitations::<Test>::mutate(HOSPITAL, |open| *open -= 1);
		assert_ok!(Identity::do_try_state());

		// An active doctor its hospital's departure would miss.
		HospitalDoctors::<Test>::remove(HOSPITAL, DOCTOR);
		assert!(Identity::do_try_state().is_err(), "an unlisted active doctor breaks it");
		HospitalDoctors::<Test>::insert(HOSPITAL, DOCTOR, ());

		// A doctor that also has an offer out.
		let info = Doctors::<Test>::get(DOCTOR).unwrap();
		DoctorOffers::<Test>::insert(DOCTOR, info);
		assert!(Identity::do_try_state().is_err(), "a doctor with an offer breaks it");
	});
}
