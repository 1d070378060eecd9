use crate::{
	mock::*, AccessLogCounts, DoctorEmergencies, EmergencyAccess, EmergencyAccesses, Error, Event,
	Expiries, Expiring, GrantCount, Grants, Trail, TrailLength,
};
use ehr_primitives::{
	AccessLevel::{Read, ReadWrite},
	AuditEvent, ConsentProvider,
	EmergencyReason::{self, *},
	Purpose,
	RecordCategory::{self, *},
	Scope,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn may(who: u64, category: RecordCategory, level: ehr_primitives::AccessLevel) -> bool {
	Consent::may_access(&who, &PATIENT, category, level)
}

fn trail_events(patient: u64) -> Vec<AuditEvent<u64>> {
	Consent::trail(&patient, 0, 1000).into_iter().map(|(_, entry)| entry.event).collect()
}

fn open_emergency(doctor: u64, patient: u64) -> sp_runtime::DispatchResult {
	Consent::open_emergency_access(RuntimeOrigin::signed(doctor), patient, Unconscious, None)
}

fn grant_until(patient: u64, grantee: u64, expiry: u64) -> sp_runtime::DispatchResult {
	Consent::grant_access(
		RuntimeOrigin::signed(patient),
		patient,
		grantee,
		Scope::All,
		Read,
		Some(expiry),
		Purpose::Treatment,
	)
}

#[test]
fn a_patient_grants_a_doctor_read_access() {
	new_test_ext().execute_with(|| {
		assert!(!may(DOCTOR, Prescription, Read));
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert!(may(DOCTOR, Prescription, Read));
		assert!(!may(DOCTOR, Prescription, ReadWrite));
		assert_eq!(GrantCount::<Test>::get(PATIENT), 1);
		assert_eq!(Consent::patients_of(&DOCTOR), vec![PATIENT]);
		let grant = Grants::<Test>::get(PATIENT, DOCTOR).unwrap();
		assert_eq!(grant.granted_at, START);
		assert_eq!(grant.granted_by, PATIENT);
		System::assert_last_event(
			Event::ConsentGranted { patient: PATIENT, grantee: DOCTOR, by: PATIENT }.into(),
		);
		let entry = Trail::<Test>::get(PATIENT, 0).unwrap();
		assert_eq!((entry.block, entry.time, entry.actor), (1, START, PATIENT));
		assert!(matches!(entry.event, AuditEvent::ConsentGranted { grantee: DOCTOR, .. }));
	});
}

#[test]
fn the_patient_always_reads_their_own_records() {
	new_test_ext().execute_with(|| {
		assert!(may(PATIENT, Imaging, ReadWrite));
		assert_eq!(Consent::readers(&PATIENT, Imaging), vec![PATIENT]);
	});
}

#[test]
fn a_doctor_without_consent_is_refused() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		let record = add_record(PATIENT, LabReport);
		assert!(!may(OTHER_DOCTOR, LabReport, Read));
		assert_noop!(
			Consent::log_access(RuntimeOrigin::signed(OTHER_DOCTOR), PATIENT, record, LabReport),
			Error::<Test>::NotAuthorized
		);
		// Consent for one patient says nothing about another.
		assert!(!Consent::may_access(&DOCTOR, &OTHER_PATIENT, LabReport, Read));
	});
}

#[test]
fn scope_and_access_level_are_enforced() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			categories(&[Prescription, LabReport, Prescription]),
			ReadWrite,
			None,
			Purpose::Treatment,
		));
		assert!(may(DOCTOR, Prescription, ReadWrite));
		assert!(may(DOCTOR, LabReport, Read));
		assert!(!may(DOCTOR, Imaging, Read));
		// The scope is stored sorted and without duplicates.
		assert_eq!(
			Grants::<Test>::get(PATIENT, DOCTOR).unwrap().scope,
			categories(&[Prescription, LabReport])
		);
		assert_eq!(Consent::readers(&PATIENT, LabReport), vec![PATIENT, DOCTOR]);
		assert_eq!(Consent::readers(&PATIENT, Imaging), vec![PATIENT]);
	});
}

#[test]
fn bad_grants_are_refused_with_named_errors() {
	new_test_ext().execute_with(|| {
		let grant_with = |by, grantee, scope, access, expires_at| {
			Consent::grant_access(
				RuntimeOrigin::signed(by),
				PATIENT,
				grantee,
				scope,
				access,
				expires_at,
				Purpose::Treatment,
			)
		};
		assert_noop!(
			grant_with(PATIENT, UNVERIFIED, Scope::All, Read, None),
			Error::<Test>::UnknownGrantee
		);
		assert_noop!(
			grant_with(PATIENT, PATIENT, Scope::All, Read, None),
			Error::<Test>::CannotGrantSelf
		);
		assert_noop!(
			grant_with(PATIENT, OTHER_PATIENT, Scope::All, ReadWrite, None),
			Error::<Test>::WriteNeedsClinician
		);
		assert_noop!(
			grant_with(PATIENT, DOCTOR, categories(&[]), Read, None),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			grant_with(PATIENT, DOCTOR, Scope::All, Read, Some(START)),
			Error::<Test>::ExpiryInPast
		);
		// Another patient cannot grant access to this patient's records.
		assert_noop!(
			grant_with(OTHER_PATIENT, OTHER_DOCTOR, Scope::All, Read, None),
			Error::<Test>::NotPatientOrDelegate
		);
		// Nor can a doctor grant itself access.
		assert_noop!(
			grant_with(DOCTOR, DOCTOR, Scope::All, Read, None),
			Error::<Test>::NotPatientOrDelegate
		);
		assert_noop!(
			Consent::grant_access(
				RuntimeOrigin::signed(UNVERIFIED),
				UNVERIFIED,
				DOCTOR,
				Scope::All,
				Read,
				None,
				Purpose::Other
			),
			Error::<Test>::NotPatient
		);
		assert_noop!(
			Consent::grant_access(
				RuntimeOrigin::none(),
				PATIENT,
				DOCTOR,
				Scope::All,
				Read,
				None,
				Purpose::Other
			),
			DispatchError::BadOrigin
		);
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_noop!(grant(PATIENT, PATIENT, DOCTOR), Error::<Test>::AlreadyGranted);
		assert_ok!(grant(PATIENT, PATIENT, OTHER_DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, HOSPITAL));
		assert_noop!(grant(PATIENT, PATIENT, COLLEAGUE), Error::<Test>::TooManyGrants);
	});
}

#[test]
fn a_revoked_doctor_is_refused_and_its_keys_go() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		let record = add_record(PATIENT, Prescription);
		assert_ok!(Consent::log_access(
			RuntimeOrigin::signed(DOCTOR),
			PATIENT,
			record,
			Prescription
		));
		hold_keys(PATIENT, DOCTOR, 3);
		assert_ok!(Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR));
		assert!(!may(DOCTOR, Prescription, Read));
		// The records pallet is told; it removes the keys at the end of the block (bounded
		// work, so that revoking stays cheap: see the records pallet's tests).
		assert_eq!(ChangedAccesses::get(), vec![(PATIENT, DOCTOR)]);
		assert!(!Consent::is_reader(&PATIENT, &DOCTOR, Prescription));
		assert_eq!(GrantCount::<Test>::get(PATIENT), 0);
		assert!(Consent::patients_of(&DOCTOR).is_empty());
		// Nothing of the grant is left behind.
		assert!(!AccessLogCounts::<Test>::contains_key(PATIENT, DOCTOR));
		assert_noop!(
			Consent::log_access(RuntimeOrigin::signed(DOCTOR), PATIENT, record, Prescription),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR),
			Error::<Test>::NotGranted
		);
		assert!(matches!(
			trail_events(PATIENT)[..],
			[
				AuditEvent::ConsentGranted { .. },
				AuditEvent::RecordAccessed { .. },
				AuditEvent::ConsentRevoked { grantee: DOCTOR }
			]
		));
		assert_ok!(Consent::do_try_state());
	});
}

#[test]
fn a_suspended_doctor_is_refused_and_gets_no_new_consent() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(!may(DOCTOR, Prescription, Read));
		assert_noop!(grant(OTHER_PATIENT, OTHER_PATIENT, DOCTOR), Error::<Test>::DoctorSuspended);
		assert_noop!(open_emergency(DOCTOR, PATIENT), Error::<Test>::NotActiveDoctor);
		// Even a grant to the doctor's hospital does not let a suspended doctor in.
		assert_ok!(grant(PATIENT, PATIENT, HOSPITAL));
		assert!(!may(DOCTOR, Prescription, Read));
		// Reinstated: the standing grant works again.
		assert_ok!(Identity::reinstate_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(may(DOCTOR, Prescription, Read));
	});
}

#[test]
fn an_unverified_account_is_refused_everywhere() {
	new_test_ext().execute_with(|| {
		assert!(!may(UNVERIFIED, Prescription, Read));
		let record = add_record(PATIENT, Prescription);
		assert_noop!(open_emergency(UNVERIFIED, PATIENT), Error::<Test>::NotActiveDoctor);
		assert_noop!(
			Consent::log_access(RuntimeOrigin::signed(UNVERIFIED), PATIENT, record, Prescription),
			Error::<Test>::NotAuthorized
		);
	});
}

#[test]
fn a_hospital_grant_covers_its_active_doctors_only() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, HOSPITAL));
		assert!(may(DOCTOR, Observation, Read));
		assert!(may(COLLEAGUE, Observation, Read));
		assert!(!may(OTHER_DOCTOR, Observation, Read));
	});
}

#[test]
fn a_delegate_manages_consent_until_removed() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(GUARDIAN, PATIENT, DOCTOR));
		assert_eq!(Grants::<Test>::get(PATIENT, DOCTOR).unwrap().granted_by, GUARDIAN);
		System::assert_last_event(
			Event::ConsentGranted { patient: PATIENT, grantee: DOCTOR, by: GUARDIAN }.into(),
		);
		assert_eq!(Trail::<Test>::get(PATIENT, 0).unwrap().actor, GUARDIAN);
		// A delegate has no access of its own unless granted.
		assert!(!may(GUARDIAN, Prescription, Read));
		assert_ok!(Identity::remove_delegate(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		assert_noop!(
			Consent::revoke_access(RuntimeOrigin::signed(GUARDIAN), PATIENT, DOCTOR),
			Error::<Test>::NotPatientOrDelegate
		);
		assert_noop!(grant(GUARDIAN, PATIENT, OTHER_DOCTOR), Error::<Test>::NotPatientOrDelegate);
	});
}

#[test]
fn change_replaces_the_terms() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::change_access(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				DOCTOR,
				Scope::All,
				Read,
				None,
				Purpose::Research
			),
			Error::<Test>::NotGranted
		);
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(Consent::change_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			categories(&[LabReport]),
			ReadWrite,
			Some(START + HOUR),
			Purpose::Research,
		));
		assert!(!may(DOCTOR, Prescription, Read));
		assert!(may(DOCTOR, LabReport, ReadWrite));
		assert_eq!(GrantCount::<Test>::get(PATIENT), 1);
		assert!(matches!(
			trail_events(PATIENT)[1],
			AuditEvent::ConsentChanged { grantee: DOCTOR, .. }
		));
		assert_ok!(Consent::do_try_state());
	});
}

#[test]
fn an_expired_grant_stops_working_by_itself_and_is_trailed() {
	new_test_ext().execute_with(|| {
		let expiry = START + 10 * MINUTE + 30_000;
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			Some(expiry),
			Purpose::Treatment,
		));
		advance_to(expiry - 1);
		assert!(may(DOCTOR, Prescription, Read));
		// At the expiry time the grant stops working, before anything is processed.
		advance_to(expiry);
		assert!(!may(DOCTOR, Prescription, Read));
		assert!(Grants::<Test>::contains_key(PATIENT, DOCTOR));
		// Once its minute has passed, the expiry is written to the trail.
		for minute in 1..=12 {
			advance_to(expiry + minute * MINUTE);
		}
		assert!(!Grants::<Test>::contains_key(PATIENT, DOCTOR));
		assert_eq!(EndedAccesses::get(), vec![(PATIENT, DOCTOR)]);
		assert!(matches!(
			trail_events(PATIENT)[..],
			[_, AuditEvent::ConsentExpired { grantee: DOCTOR }]
		));
		System::assert_has_event(
			Event::ConsentExpired { patient: PATIENT, grantee: DOCTOR }.into(),
		);
	});
}

#[test]
fn a_grant_extended_before_expiry_does_not_expire_early() {
	new_test_ext().execute_with(|| {
		let first = START + 2 * MINUTE;
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			Some(first),
			Purpose::Treatment,
		));
		assert_ok!(Consent::change_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			None,
			Purpose::Treatment,
		));
		for minute in 1..=5 {
			advance_to(START + minute * MINUTE);
		}
		assert!(may(DOCTOR, Prescription, Read));
		assert!(EndedAccesses::get().is_empty());
	});
}

#[test]
fn emergency_access_opens_read_only_is_flagged_and_expires() {
	new_test_ext().execute_with(|| {
		assert_noop!(open_emergency(DOCTOR, UNVERIFIED), Error::<Test>::NotPatient);
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		assert!(may(DOCTOR, LabReport, Read));
		assert!(!may(DOCTOR, LabReport, ReadWrite));
		assert!(!may(COLLEAGUE, LabReport, Read));
		assert_noop!(open_emergency(DOCTOR, PATIENT), Error::<Test>::EmergencyAccessAlreadyOpen);
		// Visible to the patient.
		assert_eq!(Consent::emergency_accesses_of(&PATIENT).len(), 1);
		assert!(matches!(
			&trail_events(PATIENT)[..],
			[AuditEvent::EmergencyAccessOpened { doctor: DOCTOR, expires_at, .. }] if *expires_at == START + 4 * HOUR
		));
		advance_to(START + 4 * HOUR);
		assert!(!may(DOCTOR, LabReport, Read));
		for minute in 1..=2 {
			advance_to(START + 4 * HOUR + minute * MINUTE);
		}
		assert!(EmergencyAccesses::<Test>::get(PATIENT, DOCTOR).is_none());
		assert!(matches!(
			trail_events(PATIENT)[1],
			AuditEvent::EmergencyAccessClosed { doctor: DOCTOR, expired: true }
		));
		assert_eq!(DoctorEmergencies::<Test>::get(DOCTOR).open, 0);
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		assert_ok!(Consent::do_try_state());
	});
}

#[test]
fn the_doctors_hospital_closes_an_emergency_access_after_review() {
	new_test_ext().execute_with(|| {
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		assert_noop!(
			Consent::close_emergency_access(RuntimeOrigin::signed(OTHER_HOSPITAL), PATIENT, DOCTOR),
			Error::<Test>::NotDoctorOrHospital
		);
		assert_noop!(
			Consent::close_emergency_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR),
			Error::<Test>::NotDoctorOrHospital
		);
		assert_ok!(Consent::close_emergency_access(
			RuntimeOrigin::signed(HOSPITAL),
			PATIENT,
			DOCTOR
		));
		assert!(!may(DOCTOR, LabReport, Read));
		System::assert_last_event(
			Event::EmergencyAccessClosed { patient: PATIENT, doctor: DOCTOR, by: Some(HOSPITAL) }
				.into(),
		);
		assert_noop!(
			Consent::close_emergency_access(RuntimeOrigin::signed(DOCTOR), PATIENT, DOCTOR),
			Error::<Test>::NoEmergencyAccess
		);
		assert_ok!(Consent::do_try_state());
	});
}

#[test]
fn reads_are_logged_in_order_with_block_and_time() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		let (prescription, lab_report) =
			(add_record(PATIENT, Prescription), add_record(PATIENT, LabReport));
		advance_to(START + 5_000);
		assert_ok!(Consent::log_access(
			RuntimeOrigin::signed(DOCTOR),
			PATIENT,
			prescription,
			Prescription
		));
		advance_to(START + 11_000);
		assert_ok!(Consent::log_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			lab_report,
			LabReport
		));
		assert_eq!(TrailLength::<Test>::get(PATIENT), 3);
		let page = Consent::trail(&PATIENT, 1, 10);
		assert_eq!(page.len(), 2);
		assert_eq!(page[0].0, 1);
		assert_eq!((page[0].1.block, page[0].1.time, page[0].1.actor), (2, START + 5_000, DOCTOR));
		assert_eq!(
			page[0].1.event,
			AuditEvent::RecordAccessed { record: prescription, category: Prescription }
		);
		assert_eq!((page[1].1.block, page[1].1.time), (3, START + 11_000));
		// Pages past the end are empty, and limits hold.
		assert!(Consent::trail(&PATIENT, 3, 10).is_empty());
		assert_eq!(Consent::trail(&PATIENT, 0, 1).len(), 1);
		System::assert_last_event(
			Event::AccessLogged { patient: PATIENT, reader: PATIENT, record: lab_report }.into(),
		);
	});
}

#[test]
fn the_trail_is_never_rewritten() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		let first = Trail::<Test>::get(PATIENT, 0).unwrap();
		assert_ok!(Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		// Every change appends; the first entry is untouched.
		assert_eq!(Trail::<Test>::get(PATIENT, 0).unwrap(), first);
		assert_eq!(TrailLength::<Test>::get(PATIENT), 3);
		// Other patients' trails are separate.
		assert_eq!(TrailLength::<Test>::get(OTHER_PATIENT), 0);
	});
}

#[test]
fn one_patient_cannot_fill_an_expiry_minute_for_everyone() {
	new_test_ext().execute_with(|| {
		// The emergency access opened below expires four hours from now.
		let expiry = START + 4 * HOUR;
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			Some(expiry),
			Purpose::Treatment,
		));
		for offset in 1..=20 {
			assert_ok!(Consent::change_access(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				DOCTOR,
				Scope::All,
				Read,
				Some(expiry + offset),
				Purpose::Treatment,
			));
		}
		// Another doctor's emergency access to another patient, and another patient's grant,
		// expiring in the same minute, are not refused.
		assert_ok!(open_emergency(OTHER_DOCTOR, OTHER_PATIENT));
		assert_ok!(grant_until(OTHER_PATIENT, DOCTOR, expiry));
		// One item per grant and emergency access, however often a grant changed.
		assert_eq!(Expiries::<Test>::iter().count(), 3);
	});
}

#[test]
fn an_expired_grant_is_refused_and_not_listed_before_it_is_cleaned_up() {
	new_test_ext().execute_with(|| {
		let expiry = START + 10 * MINUTE;
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			Some(expiry),
			Purpose::Treatment,
		));
		assert_ok!(open_emergency(OTHER_DOCTOR, PATIENT));
		// The clock reaches the expiries; no block has cleaned anything up.
		Timestamp::set_timestamp(START + 4 * HOUR);
		assert!(Grants::<Test>::contains_key(PATIENT, DOCTOR));
		assert!(EmergencyAccesses::<Test>::contains_key(PATIENT, OTHER_DOCTOR));
		assert!(!may(DOCTOR, Prescription, Read));
		assert!(!may(OTHER_DOCTOR, Prescription, Read));
		assert_eq!(Consent::readers(&PATIENT, Prescription), vec![PATIENT]);
		assert!(Consent::grants_of(&PATIENT).is_empty());
		assert!(Consent::patients_of(&DOCTOR).is_empty());
		assert!(Consent::emergency_accesses_of(&PATIENT).is_empty());
	});
}

#[test]
fn a_change_or_revocation_drops_the_old_expiry_item() {
	new_test_ext().execute_with(|| {
		let item = Expiring::Grant { patient: PATIENT, grantee: DOCTOR };
		assert_ok!(grant_until(PATIENT, DOCTOR, START + HOUR));
		assert!(Expiries::<Test>::contains_key((START + HOUR) / MINUTE, &item));
		let change = |expires_at| {
			Consent::change_access(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				DOCTOR,
				Scope::All,
				Read,
				expires_at,
				Purpose::Treatment,
			)
		};
		assert_ok!(change(Some(START + 2 * HOUR)));
		assert_eq!(
			Expiries::<Test>::iter_keys().collect::<Vec<_>>(),
			vec![((START + 2 * HOUR) / MINUTE, item.clone())]
		);
		assert_ok!(change(None));
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		assert_ok!(change(Some(START + 3 * HOUR)));
		assert_ok!(Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR));
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		// Closing an emergency access drops its item too.
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		assert_ok!(Consent::close_emergency_access(RuntimeOrigin::signed(DOCTOR), PATIENT, DOCTOR));
		assert_eq!(Expiries::<Test>::iter().count(), 0);
	});
}

#[test]
fn the_expiry_clean_up_is_bounded_per_block_and_carries_over() {
	new_test_ext().execute_with(|| {
		use frame_support::traits::Hooks;
		let expiry = START + 10 * MINUTE;
		for (patient, grantee, keys) in [
			(PATIENT, DOCTOR, 12),
			(PATIENT, OTHER_DOCTOR, 0),
			(PATIENT, HOSPITAL, 1),
			(OTHER_PATIENT, COLLEAGUE, 0),
			(OTHER_PATIENT, DOCTOR, 3),
		] {
			assert_ok!(grant_until(patient, grantee, expiry));
			hold_keys(patient, grantee, keys);
		}
		assert_ok!(open_emergency(OTHER_DOCTOR, GUARDIAN));
		// 1 + 5 + 1 items and 16 keys, all due in the same minute.
		let mut block = System::block_number();
		let mut cleaned_up = 0;
		let mut time = expiry + 4 * HOUR;
		while Expiries::<Test>::iter().count() > 0 {
			assert!(block < 20, "the clean-up makes progress");
			block += 1;
			time += 6_000;
			System::set_block_number(block);
			System::reset_events();
			Timestamp::set_timestamp(time);
			KeyRemovals::take();
			let weight = Consent::on_initialize(block);
			assert_ok!(Consent::do_try_state());
			// At most three items and five keys a block; the weight says so.
			let ended = System::events()
				.iter()
				.filter(|record| {
					matches!(
						record.event,
						RuntimeEvent::Consent(
							Event::ConsentExpired { .. } | Event::EmergencyAccessClosed { .. }
						)
					)
				})
				.count();
			assert!(ended <= 3);
			assert!(KeyRemovals::get().iter().sum::<u32>() <= 5);
			assert!(weight.all_lte(Consent::max_expiry_weight()));
			cleaned_up += ended;
			// Whatever is still to clean up, every one of them is refused already.
			assert!(!may(DOCTOR, LabReport, Read));
			assert!(!Consent::may_access(&DOCTOR, &OTHER_PATIENT, LabReport, Read));
			assert!(!Consent::may_access(&OTHER_DOCTOR, &GUARDIAN, LabReport, Read));
		}
		assert_eq!(cleaned_up, 6);
		assert!(block - 1 >= 4, "16 keys at 5 a block take four blocks at least");
		assert!(HeldKeys::get().is_empty());
		assert_eq!(GrantCount::<Test>::get(PATIENT), 0);
		assert_eq!(GrantCount::<Test>::get(OTHER_PATIENT), 0);
		assert_eq!(EndedAccesses::get().len(), 5);
		assert_eq!(DoctorEmergencies::<Test>::get(OTHER_DOCTOR).open, 0);
		assert_eq!(
			trail_events(PATIENT)
				.iter()
				.filter(|event| matches!(event, AuditEvent::ConsentExpired { .. }))
				.count(),
			3
		);
		assert_ok!(Consent::do_try_state());
	});
}

#[test]
fn anyone_may_finish_cleaning_up_an_expired_grant_at_once() {
	new_test_ext().execute_with(|| {
		let expiry = START + 10 * MINUTE;
		assert_ok!(grant_until(PATIENT, DOCTOR, expiry));
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		hold_keys(PATIENT, DOCTOR, 40);
		assert_noop!(
			Consent::clean_expired(RuntimeOrigin::signed(OTHER_PATIENT), PATIENT, DOCTOR),
			Error::<Test>::NothingExpired
		);
		// The grant has expired; the emergency access not yet. No block has run.
		Timestamp::set_timestamp(expiry);
		assert_noop!(grant(PATIENT, PATIENT, DOCTOR), Error::<Test>::AlreadyGranted);
		assert_ok!(Consent::clean_expired(RuntimeOrigin::signed(OTHER_PATIENT), PATIENT, DOCTOR));
		assert!(!Grants::<Test>::contains_key(PATIENT, DOCTOR));
		assert_eq!(held_keys(PATIENT, DOCTOR), 0);
		assert_eq!(Expiries::<Test>::iter().count(), 1);
		System::assert_last_event(
			Event::ConsentExpired { patient: PATIENT, grantee: DOCTOR }.into(),
		);
		assert!(EmergencyAccesses::<Test>::contains_key(PATIENT, DOCTOR));
		// Now the patient grants again.
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		// The emergency access expires too, and is cleaned up the same way.
		Timestamp::set_timestamp(START + 4 * HOUR);
		assert_ok!(Consent::clean_expired(RuntimeOrigin::signed(OTHER_PATIENT), PATIENT, DOCTOR));
		assert!(!EmergencyAccesses::<Test>::contains_key(PATIENT, DOCTOR));
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		assert!(matches!(
			trail_events(PATIENT)[..],
			[
				AuditEvent::ConsentGranted { .. },
				AuditEvent::EmergencyAccessOpened { .. },
				AuditEvent::ConsentExpired { grantee: DOCTOR },
				AuditEvent::ConsentGranted { .. },
				AuditEvent::EmergencyAccessClosed { doctor: DOCTOR, expired: true },
			]
		));
		// The standing grant without expiry is not touched.
		assert_noop!(
			Consent::clean_expired(RuntimeOrigin::signed(OTHER_PATIENT), PATIENT, DOCTOR),
			Error::<Test>::NothingExpired
		);
		assert!(may(DOCTOR, LabReport, Read));
	});
}

#[test]
fn log_access_checks_the_record_it_names() {
	new_test_ext().execute_with(|| {
		let log = |reader, patient, record, category| {
			Consent::log_access(RuntimeOrigin::signed(reader), patient, record, category)
		};
		let lab_report = add_record(PATIENT, LabReport);
		let prescription = add_record(PATIENT, Prescription);
		let someone_elses = add_record(OTHER_PATIENT, LabReport);
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			categories(&[LabReport]),
			Read,
			None,
			Purpose::Treatment,
		));
		assert_noop!(log(DOCTOR, PATIENT, 99, LabReport), Error::<Test>::UnknownRecord);
		assert_noop!(
			log(DOCTOR, PATIENT, someone_elses, LabReport),
			Error::<Test>::NotPatientsRecord
		);
		assert_noop!(log(DOCTOR, PATIENT, prescription, LabReport), Error::<Test>::WrongCategory);
		assert_noop!(
			log(DOCTOR, PATIENT, prescription, Prescription),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(log(COLLEAGUE, PATIENT, lab_report, LabReport), Error::<Test>::NotAuthorized);
		assert_eq!(TrailLength::<Test>::get(PATIENT), 1);
		assert_ok!(log(DOCTOR, PATIENT, lab_report, LabReport));
		assert_ok!(log(PATIENT, PATIENT, prescription, Prescription));
		// A doctor with an open emergency access may read, and log, any category.
		assert_ok!(open_emergency(COLLEAGUE, PATIENT));
		assert_ok!(log(COLLEAGUE, PATIENT, prescription, Prescription));
		assert_eq!(
			trail_events(PATIENT)
				.iter()
				.filter(|event| matches!(event, AuditEvent::RecordAccessed { .. }))
				.count(),
			3
		);
	});
}

#[test]
fn a_reader_logs_a_bounded_number_of_reads_per_period() {
	new_test_ext().execute_with(|| {
		let record = add_record(PATIENT, LabReport);
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, OTHER_DOCTOR));
		let log =
			|reader| Consent::log_access(RuntimeOrigin::signed(reader), PATIENT, record, LabReport);
		for _ in 0..4 {
			assert_ok!(log(DOCTOR));
		}
		assert_noop!(log(DOCTOR), Error::<Test>::TooManyAccessLogs);
		// Per reader: another reader and the patient still log.
		assert_ok!(log(OTHER_DOCTOR));
		assert_ok!(log(PATIENT));
		// Still the same hour.
		advance_to(START + HOUR - 1);
		assert_noop!(log(DOCTOR), Error::<Test>::TooManyAccessLogs);
		advance_to(START + HOUR);
		assert_ok!(log(DOCTOR));
		assert_eq!(AccessLogCounts::<Test>::get(PATIENT, DOCTOR), Some(((START + HOUR) / HOUR, 1)));
	});
}

#[test]
fn a_doctor_opens_a_bounded_number_of_emergency_accesses() {
	new_test_ext().execute_with(|| {
		// At most two open at once.
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		assert_ok!(open_emergency(DOCTOR, OTHER_PATIENT));
		assert_noop!(open_emergency(DOCTOR, GUARDIAN), Error::<Test>::TooManyOpenEmergencyAccesses);
		// Other doctors are not affected.
		assert_ok!(open_emergency(COLLEAGUE, GUARDIAN));
		// At most three opened a day, closed or not.
		assert_ok!(Consent::close_emergency_access(RuntimeOrigin::signed(DOCTOR), PATIENT, DOCTOR));
		assert_ok!(open_emergency(DOCTOR, GUARDIAN));
		assert_ok!(Consent::close_emergency_access(
			RuntimeOrigin::signed(DOCTOR),
			GUARDIAN,
			DOCTOR
		));
		assert_eq!(DoctorEmergencies::<Test>::get(DOCTOR).open, 1);
		assert_noop!(open_emergency(DOCTOR, PATIENT), Error::<Test>::TooManyEmergencyAccessesToday);
		// The next day (by then the open ones expired and were cleaned up).
		let tomorrow = (START / crate::DAY + 1) * crate::DAY;
		for minute in 0..=5 {
			advance_to(tomorrow + minute * MINUTE);
		}
		assert_eq!(DoctorEmergencies::<Test>::get(DOCTOR).open, 0);
		assert_ok!(open_emergency(DOCTOR, PATIENT));
	});
}

#[test]
fn the_patient_ends_an_emergency_access() {
	new_test_ext().execute_with(|| {
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		assert_ok!(open_emergency(COLLEAGUE, PATIENT));
		assert_noop!(
			Consent::end_emergency_access(RuntimeOrigin::signed(OTHER_PATIENT), PATIENT, DOCTOR),
			Error::<Test>::NotPatientOrDelegate
		);
		assert_noop!(
			Consent::end_emergency_access(RuntimeOrigin::signed(DOCTOR), PATIENT, DOCTOR),
			Error::<Test>::NotPatientOrDelegate
		);
		assert_noop!(
			Consent::end_emergency_access(RuntimeOrigin::signed(PATIENT), PATIENT, OTHER_DOCTOR),
			Error::<Test>::NoEmergencyAccess
		);
		assert_ok!(Consent::end_emergency_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR));
		assert!(!may(DOCTOR, LabReport, Read));
		System::assert_last_event(
			Event::EmergencyAccessClosed { patient: PATIENT, doctor: DOCTOR, by: Some(PATIENT) }
				.into(),
		);
		// The patient's delegate may too.
		assert_ok!(Consent::end_emergency_access(
			RuntimeOrigin::signed(GUARDIAN),
			PATIENT,
			COLLEAGUE
		));
		assert!(!may(COLLEAGUE, LabReport, Read));
		let trail = Consent::trail(&PATIENT, 0, 10);
		assert_eq!((trail[2].1.actor, trail[3].1.actor), (PATIENT, GUARDIAN));
		assert!(matches!(
			trail[2].1.event,
			AuditEvent::EmergencyAccessClosed { doctor: DOCTOR, expired: false }
		));
		assert_eq!(DoctorEmergencies::<Test>::get(DOCTOR).open, 0);
		assert_eq!(Expiries::<Test>::iter().count(), 0);
	});
}

#[test]
fn the_emergency_reason_is_a_code_and_a_commitment_not_plain_text() {
	new_test_ext().execute_with(|| {
		let commitment = [7; 32];
		assert_ok!(Consent::open_emergency_access(
			RuntimeOrigin::signed(DOCTOR),
			PATIENT,
			EmergencyReason::LifeThreatening,
			Some(commitment)
		));
		assert_eq!(
			EmergencyAccesses::<Test>::get(PATIENT, DOCTOR),
			Some(EmergencyAccess {
				code: LifeThreatening,
				commitment: Some(commitment),
				opened_at: START,
				expires_at: START + 4 * HOUR,
			})
		);
		assert_eq!(
			trail_events(PATIENT),
			vec![AuditEvent::EmergencyAccessOpened {
				doctor: DOCTOR,
				code: LifeThreatening,
				commitment: Some(commitment),
				expires_at: START + 4 * HOUR,
			}]
		);
	});
}

#[test]
fn an_expired_emergency_access_may_be_opened_again_before_clean_up() {
	new_test_ext().execute_with(|| {
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		Timestamp::set_timestamp(START + 4 * HOUR);
		assert_ok!(open_emergency(DOCTOR, PATIENT));
		assert!(may(DOCTOR, LabReport, Read));
		assert_eq!(DoctorEmergencies::<Test>::get(DOCTOR).open, 1);
		assert_eq!(Expiries::<Test>::iter().count(), 1);
		assert!(matches!(
			trail_events(PATIENT)[..],
			[
				AuditEvent::EmergencyAccessOpened { .. },
				AuditEvent::EmergencyAccessClosed { doctor: DOCTOR, expired: true },
				AuditEvent::EmergencyAccessOpened { .. },
			]
		));
		assert_ok!(Consent::do_try_state());
	});
}

#[test]
fn a_delegate_manages_consent_but_never_for_itself() {
	new_test_ext().execute_with(|| {
		// GUARDIAN is PATIENT's delegate: it may grant a doctor...
		assert_ok!(grant(GUARDIAN, PATIENT, DOCTOR));
		// ...but not itself, which would give it every future record's key.
		assert_noop!(grant(GUARDIAN, PATIENT, GUARDIAN), Error::<Test>::DelegateCannotGrantItself);
		// The patient may grant the guardian explicitly.
		assert_ok!(grant(PATIENT, PATIENT, GUARDIAN));
		assert_noop!(
			Consent::change_access(
				RuntimeOrigin::signed(GUARDIAN),
				PATIENT,
				GUARDIAN,
				Scope::All,
				Read,
				None,
				Purpose::Treatment,
			),
			Error::<Test>::DelegateCannotGrantItself
		);
	});
}

#[test]
fn try_state_catches_a_wrong_count_a_lost_expiry_and_a_short_trail() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_until(PATIENT, DOCTOR, START + HOUR));
		assert_ok!(open_emergency(OTHER_DOCTOR, PATIENT));
		assert_ok!(Consent::do_try_state());

		// A grant count one too high: the patient would reach MaxGrantsPerPatient early.
		GrantCount::<Test>::mutate(PATIENT, |count| *count += 1);
		assert!(Consent::do_try_state().is_err(), "a wrong grant count breaks the invariant");
		GrantCount::<Test>::mutate(PATIENT, |count| *count -= 1);
		assert_ok!(Consent::do_try_state());

		// A grant whose expiry item is lost: its keys would never be cleaned up.
		let minute = (START + HOUR) / crate::MINUTE;
		let item = Expiring::Grant { patient: PATIENT, grantee: DOCTOR };
		Expiries::<Test>::remove(minute, &item);
		assert!(Consent::do_try_state().is_err(), "an unscheduled expiry breaks it");
		Expiries::<Test>::insert(minute, &item, ());
		assert_ok!(Consent::do_try_state());

		// A doctor whose open count forgot an access.
		DoctorEmergencies::<Test>::mutate(OTHER_DOCTOR, |counts| counts.open = 0);
		assert!(Consent::do_try_state().is_err(), "a wrong emergency count breaks it");
		DoctorEmergencies::<Test>::mutate(OTHER_DOCTOR, |counts| counts.open = 1);
		assert_ok!(Consent::do_try_state());

		// A review by another hospital of the trail entry that opened the access (entry 1:
		// entry 0 is the grant): fine. A review naming the grant's entry: broken.
		assert_ok!(Consent::review_emergency_access(
			RuntimeOrigin::signed(HOSPITAL),
			PATIENT,
			1,
			ehr_primitives::ReviewVerdict::Justified
		));
		assert_ok!(Consent::do_try_state());
		crate::Reviews::<Test>::insert(
			(PATIENT, 0u64, OTHER_HOSPITAL),
			ehr_primitives::ReviewVerdict::Unjustified,
		);
		assert!(Consent::do_try_state().is_err(), "a review of no emergency access breaks it");
		crate::Reviews::<Test>::remove((PATIENT, 0u64, OTHER_HOSPITAL));
		assert_ok!(Consent::do_try_state());

		// A trail longer than its entries.
		TrailLength::<Test>::mutate(PATIENT, |length| *length += 1);
		assert!(Consent::do_try_state().is_err(), "a missing trail entry breaks it");
	});
}
