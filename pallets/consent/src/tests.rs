use crate::{
	mock::*, EmergencyAccesses, Error, Event, ExpiryQueue, GrantCount, Grants, Trail, TrailLength,
};
use ehr_primitives::{
	AccessLevel::{Read, ReadWrite},
	AuditEvent, ConsentProvider, Purpose,
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
		assert!(!may(OTHER_DOCTOR, LabReport, Read));
		assert_noop!(
			Consent::log_access(RuntimeOrigin::signed(OTHER_DOCTOR), PATIENT, 0, LabReport),
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
		assert_ok!(Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR));
		assert!(!may(DOCTOR, Prescription, Read));
		assert_eq!(EndedAccesses::get(), vec![(PATIENT, DOCTOR)]);
		assert_eq!(GrantCount::<Test>::get(PATIENT), 0);
		assert!(Consent::patients_of(&DOCTOR).is_empty());
		assert_noop!(
			Consent::log_access(RuntimeOrigin::signed(DOCTOR), PATIENT, 0, Prescription),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR),
			Error::<Test>::NotGranted
		);
		assert!(matches!(
			trail_events(PATIENT)[..],
			[AuditEvent::ConsentGranted { .. }, AuditEvent::ConsentRevoked { grantee: DOCTOR }]
		));
	});
}

#[test]
fn a_suspended_doctor_is_refused_and_gets_no_new_consent() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(!may(DOCTOR, Prescription, Read));
		assert_noop!(grant(OTHER_PATIENT, OTHER_PATIENT, DOCTOR), Error::<Test>::DoctorSuspended);
		assert_noop!(
			Consent::open_emergency_access(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				b"crash".to_vec()
			),
			Error::<Test>::NotActiveDoctor
		);
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
		assert_noop!(
			Consent::open_emergency_access(
				RuntimeOrigin::signed(UNVERIFIED),
				PATIENT,
				b"x".to_vec()
			),
			Error::<Test>::NotActiveDoctor
		);
		assert_noop!(
			Consent::log_access(RuntimeOrigin::signed(UNVERIFIED), PATIENT, 0, Prescription),
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
fn too_many_expiries_in_one_minute_are_refused() {
	new_test_ext().execute_with(|| {
		let expiry = Some(START + HOUR);
		for grantee in [DOCTOR, OTHER_DOCTOR] {
			assert_ok!(Consent::grant_access(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				grantee,
				Scope::All,
				Read,
				expiry,
				Purpose::Treatment,
			));
		}
		assert_noop!(
			Consent::grant_access(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				HOSPITAL,
				Scope::All,
				Read,
				expiry,
				Purpose::Treatment
			),
			Error::<Test>::TooManyExpiriesAtThatTime
		);
		assert_eq!(ExpiryQueue::<Test>::get((START + HOUR) / MINUTE).len(), 2);
	});
}

#[test]
fn emergency_access_opens_read_only_is_flagged_and_expires() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::open_emergency_access(RuntimeOrigin::signed(DOCTOR), PATIENT, vec![]),
			Error::<Test>::EmptyReason
		);
		assert_noop!(
			Consent::open_emergency_access(RuntimeOrigin::signed(DOCTOR), PATIENT, vec![b'x'; 257]),
			Error::<Test>::ReasonTooLong
		);
		assert_noop!(
			Consent::open_emergency_access(RuntimeOrigin::signed(DOCTOR), UNVERIFIED, b"x".to_vec()),
			Error::<Test>::NotPatient
		);
		assert_ok!(Consent::open_emergency_access(
			RuntimeOrigin::signed(DOCTOR),
			PATIENT,
			b"unconscious after accident".to_vec()
		));
		assert!(may(DOCTOR, LabReport, Read));
		assert!(!may(DOCTOR, LabReport, ReadWrite));
		assert!(!may(COLLEAGUE, LabReport, Read));
		assert_noop!(
			Consent::open_emergency_access(RuntimeOrigin::signed(DOCTOR), PATIENT, b"again".to_vec()),
			Error::<Test>::EmergencyAccessAlreadyOpen
		);
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
	});
}

#[test]
fn the_doctors_hospital_closes_an_emergency_access_after_review() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::open_emergency_access(
			RuntimeOrigin::signed(DOCTOR),
			PATIENT,
			b"x".to_vec()
		));
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
	});
}

#[test]
fn reads_are_logged_in_order_with_block_and_time() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		advance_to(START + 5_000);
		assert_ok!(Consent::log_access(RuntimeOrigin::signed(DOCTOR), PATIENT, 7, Prescription));
		advance_to(START + 11_000);
		assert_ok!(Consent::log_access(RuntimeOrigin::signed(PATIENT), PATIENT, 8, LabReport));
		assert_eq!(TrailLength::<Test>::get(PATIENT), 3);
		let page = Consent::trail(&PATIENT, 1, 10);
		assert_eq!(page.len(), 2);
		assert_eq!(page[0].0, 1);
		assert_eq!((page[0].1.block, page[0].1.time, page[0].1.actor), (2, START + 5_000, DOCTOR));
		assert_eq!(
			page[0].1.event,
			AuditEvent::RecordAccessed { record: 7, category: Prescription }
		);
		assert_eq!((page[1].1.block, page[1].1.time), (3, START + 11_000));
		// Pages past the end are empty, and limits hold.
		assert!(Consent::trail(&PATIENT, 3, 10).is_empty());
		assert_eq!(Consent::trail(&PATIENT, 0, 1).len(), 1);
		System::assert_last_event(
			Event::AccessLogged { patient: PATIENT, reader: PATIENT, record: 8 }.into(),
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
		assert_ok!(Consent::open_emergency_access(
			RuntimeOrigin::signed(OTHER_DOCTOR),
			OTHER_PATIENT,
			b"unconscious".to_vec()
		));
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(OTHER_PATIENT),
			OTHER_PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			Some(expiry),
			Purpose::Treatment,
		));
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
		assert_ok!(Consent::open_emergency_access(
			RuntimeOrigin::signed(OTHER_DOCTOR),
			PATIENT,
			b"unconscious".to_vec()
		));
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
