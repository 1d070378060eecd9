use crate::{
	mock::*, Error, Event, PatientRecords, ReaderRecords, RecordCount, Records as RecordStore,
	WrappedKeys,
};
use ehr_primitives::{
	AccessLevel::{Read, ReadWrite},
	AuditEvent,
	RecordCategory::*,
	Scope,
};
use frame_support::{assert_noop, assert_ok};

fn trail_events(patient: u64) -> Vec<AuditEvent<u64>> {
	Consent::trail(&patient, 0, 1000).into_iter().map(|(_, entry)| entry.event).collect()
}

fn has_key(record: u64, reader: u64) -> bool {
	WrappedKeys::<Test>::contains_key(record, reader)
}

#[test]
fn a_patient_adds_a_record_with_their_own_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT]));
		let record = RecordStore::<Test>::get(0).unwrap();
		assert_eq!((record.patient, record.author, record.category), (PATIENT, PATIENT, LabReport));
		assert_eq!(record.cid.to_vec(), raw_cid(LabReport as u8));
		assert_eq!((record.content_hash, record.size, record.version), ([9; 32], 1_024, 1));
		assert_eq!((record.created_at, record.created_in, record.key_count), (START, 1, 1));
		assert_eq!(WrappedKeys::<Test>::get(0, PATIENT).unwrap().to_vec(), wrapped(PATIENT));
		assert!(PatientRecords::<Test>::contains_key(PATIENT, 0));
		assert_eq!(RecordCount::<Test>::get(PATIENT), 1);
		System::assert_last_event(
			Event::RecordAdded {
				record: 0,
				patient: PATIENT,
				author: PATIENT,
				category: LabReport,
				cid: raw_cid(LabReport as u8),
			}
			.into(),
		);
		assert_eq!(
			trail_events(PATIENT),
			vec![AuditEvent::RecordAdded { record: 0, category: LabReport }]
		);
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn the_patient_key_is_required() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_noop!(add(PATIENT, PATIENT, LabReport, &[DOCTOR]), Error::<Test>::MissingPatientKey);
		assert_noop!(add(PATIENT, PATIENT, LabReport, &[]), Error::<Test>::MissingPatientKey);
	});
}

#[test]
fn a_doctor_with_write_consent_writes_a_prescription_the_patient_reads() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_with(PATIENT, DOCTOR, categories(&[Prescription]), ReadWrite));
		assert_ok!(add(DOCTOR, PATIENT, Prescription, &[PATIENT, DOCTOR]));
		let record = RecordStore::<Test>::get(0).unwrap();
		assert_eq!((record.author, record.key_count), (DOCTOR, 2));
		assert!(has_key(0, PATIENT) && has_key(0, DOCTOR));
		let mine = Records::reader_records(&PATIENT, None);
		assert_eq!(mine.len(), 1);
		assert_eq!(mine[0].wrapped_key.as_deref(), Some(&wrapped(PATIENT)[..]));
		let trail = trail_events(PATIENT);
		assert_eq!(
			&trail[1..],
			&[
				AuditEvent::RecordAdded { record: 0, category: Prescription },
				AuditEvent::KeyShared { record: 0, reader: DOCTOR },
			]
		);
		assert_eq!(Consent::trail(&PATIENT, 1, 1)[0].1.actor, DOCTOR);
	});
}

#[test]
fn writers_without_write_consent_are_refused() {
	new_test_ext().execute_with(|| {
		// No consent at all.
		assert_noop!(add(DOCTOR, PATIENT, Prescription, &[PATIENT]), Error::<Test>::NotAuthorized);
		// Read-only consent.
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_noop!(add(DOCTOR, PATIENT, Prescription, &[PATIENT]), Error::<Test>::NotAuthorized);
		// Write consent for another category.
		assert_ok!(grant_with(PATIENT, OTHER_DOCTOR, categories(&[LabReport]), ReadWrite));
		assert_noop!(
			add(OTHER_DOCTOR, PATIENT, Prescription, &[PATIENT]),
			Error::<Test>::NotAuthorized
		);
		// An unverified account, another patient, a delegate (delegates manage consent only).
		for attacker in [UNVERIFIED, OTHER_PATIENT, GUARDIAN] {
			assert_noop!(add(attacker, PATIENT, Profile, &[PATIENT]), Error::<Test>::NotAuthorized);
		}
		// Records only for registered patients.
		assert_noop!(add(DOCTOR, UNVERIFIED, Profile, &[UNVERIFIED]), Error::<Test>::NotPatient);
	});
}

#[test]
fn a_suspended_or_revoked_doctor_cannot_write() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_with(PATIENT, DOCTOR, Scope::All, ReadWrite));
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert_noop!(add(DOCTOR, PATIENT, ClinicalNote, &[PATIENT]), Error::<Test>::NotAuthorized);
		assert_ok!(Identity::reinstate_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert_ok!(add(DOCTOR, PATIENT, ClinicalNote, &[PATIENT]));
		assert_ok!(Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR));
		assert_noop!(add(DOCTOR, PATIENT, ClinicalNote, &[PATIENT]), Error::<Test>::NotAuthorized);
	});
}

#[test]
fn malformed_input_is_refused() {
	new_test_ext().execute_with(|| {
		let submit = |cid: Vec<u8>, size: u64, keys: Vec<(u64, Vec<u8>)>| {
			Records::add_record(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				Imaging,
				cid.try_into().unwrap(),
				[1; 32],
				size,
				bounded_keys(keys),
				None,
			)
		};
		let good = raw_keys(&[PATIENT]);
		let cid = raw_cid;
		let mut cid_v0 = cid(1);
		cid_v0.drain(..2);
		assert_noop!(submit(cid_v0, 1, good.clone()), Error::<Test>::InvalidCid);
		assert_noop!(submit(cid(1)[..10].to_vec(), 1, good.clone()), Error::<Test>::InvalidCid);
		assert_noop!(submit(cid(1), 0, good.clone()), Error::<Test>::EmptyRecord);
		assert_noop!(submit(cid(1), 1, vec![(PATIENT, vec![])]), Error::<Test>::InvalidWrappedKey);
		assert_noop!(
			submit(cid(1), 1, raw_keys(&[PATIENT, PATIENT])),
			Error::<Test>::DuplicateReader
		);
	});
}

#[test]
fn oversized_arguments_do_not_even_decode() {
	use codec::{Decode, Encode};
	use ehr_primitives::RecordCategory;
	// What an attacker can put in a transaction: the same call with unbounded lists.
	#[derive(Encode)]
	struct AddRecord {
		patient: u64,
		category: RecordCategory,
		cid: Vec<u8>,
		content_hash: [u8; 32],
		size: u64,
		keys: Vec<(u64, Vec<u8>)>,
		escrow: Option<(u32, Vec<(u64, [u8; 81])>)>,
	}
	let with_escrow = |cid: Vec<u8>, keys: Vec<(u64, Vec<u8>)>, escrow| {
		let mut bytes = vec![0u8]; // call index of `add_record`
		AddRecord {
			patient: PATIENT,
			category: Imaging,
			cid,
			content_hash: [1; 32],
			size: 1,
			keys,
			escrow,
		}
		.encode_to(&mut bytes);
		bytes
	};
	let encoded = |cid: Vec<u8>, keys: Vec<(u64, Vec<u8>)>| with_escrow(cid, keys, None);
	let decodes = |bytes: Vec<u8>| crate::Call::<Test>::decode(&mut bytes.as_slice()).is_ok();
	assert!(decodes(encoded(raw_cid(1), raw_keys(&[PATIENT]))));
	// A CID beyond `MaxCidLength` (64 here), a key beyond `MaxWrappedKeyLength` (96), more keys
	// than `MaxReadersPerRecord` (4): refused before any weight is declared.
	assert!(!decodes(encoded(vec![1; 65], raw_keys(&[PATIENT]))));
	assert!(!decodes(encoded(raw_cid(1), vec![(PATIENT, vec![1; 97])])));
	assert!(!decodes(encoded(raw_cid(1), raw_keys(&[PATIENT, 1, 2, 3, 4]))));
	// More escrow shares than the escrow takes (none in this test runtime, which has no
	// escrow).
	assert!(decodes(with_escrow(raw_cid(1), raw_keys(&[PATIENT]), Some((1, vec![])))));
	assert!(!decodes(with_escrow(raw_cid(1), raw_keys(&[PATIENT]), Some((1, vec![(1, [1; 81])])))));
	// `share_keys` carries at most `MaxKeysPerShare` (6) keys.
	let mut share = vec![2u8];
	(DOCTOR, (0..7u64).map(|id| (id, vec![1u8; 80])).collect::<Vec<_>>()).encode_to(&mut share);
	assert!(!decodes(share));
}

#[test]
fn keys_go_only_to_readers_with_consent_for_the_category() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]),
			Error::<Test>::NotAReader
		);
		assert_ok!(grant_with(PATIENT, DOCTOR, categories(&[Imaging]), Read));
		assert_noop!(
			add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]),
			Error::<Test>::NotAReader
		);
		// A hospital has consent but no encryption key: its doctors get keys one by one.
		assert_ok!(grant(PATIENT, PATIENT, HOSPITAL));
		assert_noop!(
			add(PATIENT, PATIENT, LabReport, &[PATIENT, HOSPITAL]),
			Error::<Test>::NoEncryptionKey
		);
		assert_ok!(add(PATIENT, PATIENT, Imaging, &[PATIENT, DOCTOR]));
	});
}

#[test]
fn a_patient_cannot_add_more_records_than_the_limit() {
	new_test_ext().execute_with(|| {
		for _ in 0..6 {
			assert_ok!(add(PATIENT, PATIENT, Observation, &[PATIENT]));
		}
		assert_noop!(add(PATIENT, PATIENT, Observation, &[PATIENT]), Error::<Test>::TooManyRecords);
		// Erasing makes room.
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(PATIENT), 0));
		assert_ok!(add(PATIENT, PATIENT, Observation, &[PATIENT]));
	});
}

#[test]
fn sharing_on_grant_gives_the_new_reader_the_keys_in_scope() {
	new_test_ext().execute_with(|| {
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT]));
		assert_ok!(add(PATIENT, PATIENT, Imaging, &[PATIENT]));
		assert_ok!(grant_with(PATIENT, DOCTOR, categories(&[LabReport]), Read));
		assert_ok!(Records::share_keys(
			RuntimeOrigin::signed(PATIENT),
			DOCTOR,
			shares(vec![(0, wrapped(DOCTOR))])
		));
		assert!(has_key(0, DOCTOR));
		assert_eq!(RecordStore::<Test>::get(0).unwrap().key_count, 2);
		assert!(ReaderRecords::<Test>::contains_key((DOCTOR, PATIENT, 0)));
		// The imaging study is out of the grant's scope.
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(PATIENT),
				DOCTOR,
				shares(vec![(1, wrapped(DOCTOR))])
			),
			Error::<Test>::NotAReader
		);
		let readable = Records::reader_records(&DOCTOR, Some(&PATIENT));
		assert_eq!(readable.iter().map(|entry| entry.id).collect::<Vec<_>>(), vec![0]);
		assert!(
			trail_events(PATIENT).contains(&AuditEvent::KeyShared { record: 0, reader: DOCTOR })
		);
		System::assert_last_event(Event::KeyShared { record: 0, reader: DOCTOR }.into());
	});
}

#[test]
fn only_those_who_can_open_a_record_share_it() {
	new_test_ext().execute_with(|| {
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT]));
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, COLLEAGUE));
		// The doctor holds no key yet: it cannot wrap one for a colleague (or for itself).
		for sharer in [DOCTOR, OTHER_PATIENT, GUARDIAN, UNVERIFIED] {
			assert_noop!(
				Records::share_keys(
					RuntimeOrigin::signed(sharer),
					COLLEAGUE,
					shares(vec![(0, wrapped(COLLEAGUE))])
				),
				Error::<Test>::NotAuthorized
			);
		}
		// Once it holds a key, it may pass it on to a reader the patient consented to.
		assert_ok!(Records::share_keys(
			RuntimeOrigin::signed(PATIENT),
			DOCTOR,
			shares(vec![(0, wrapped(DOCTOR))])
		));
		assert_ok!(Records::share_keys(
			RuntimeOrigin::signed(DOCTOR),
			COLLEAGUE,
			shares(vec![(0, wrapped(COLLEAGUE))])
		));
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(DOCTOR),
				OTHER_DOCTOR,
				shares(vec![(0, wrapped(1))])
			),
			Error::<Test>::NotAReader
		);
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(PATIENT),
				DOCTOR,
				shares(vec![(7, wrapped(1))])
			),
			Error::<Test>::UnknownRecord
		);
	});
}

#[test]
fn nobody_overwrites_another_readers_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, COLLEAGUE));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR, COLLEAGUE]));
		// A reader with a key writes junk over the patient's key and a colleague's: refused.
		for victim in [PATIENT, COLLEAGUE] {
			assert_noop!(
				Records::share_keys(
					RuntimeOrigin::signed(DOCTOR),
					victim,
					shares(vec![(0, vec![0xee; 80])])
				),
				Error::<Test>::KeyAlreadyShared
			);
		}
		assert_eq!(WrappedKeys::<Test>::get(0, PATIENT).unwrap().to_vec(), wrapped(PATIENT));
		// A colleague's key: the doctor may not replace it, the patient may (repairing a key
		// someone wrapped badly).
		assert_ok!(Records::share_keys(
			RuntimeOrigin::signed(PATIENT),
			COLLEAGUE,
			shares(vec![(0, vec![4; 80])])
		));
		assert_eq!(WrappedKeys::<Test>::get(0, COLLEAGUE).unwrap().to_vec(), vec![4; 80]);
		// A reader replaces its own key (after rotating its encryption key), counted once.
		assert_ok!(Records::share_keys(
			RuntimeOrigin::signed(DOCTOR),
			DOCTOR,
			shares(vec![(0, vec![3; 80])])
		));
		assert_eq!(WrappedKeys::<Test>::get(0, DOCTOR).unwrap().to_vec(), vec![3; 80]);
		assert_eq!(RecordStore::<Test>::get(0).unwrap().key_count, 3);
	});
}

#[test]
fn a_sharer_needs_current_consent_not_only_a_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, COLLEAGUE));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		// Suspended: the doctor still holds its key, but may not pass it on.
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(DOCTOR),
				COLLEAGUE,
				shares(vec![(0, wrapped(COLLEAGUE))])
			),
			Error::<Test>::NotAuthorized
		);
	});
}

#[test]
fn a_record_holds_at_most_the_reader_limit() {
	new_test_ext().execute_with(|| {
		for reader in [DOCTOR, COLLEAGUE, OTHER_DOCTOR, OTHER_PATIENT] {
			assert_ok!(grant(PATIENT, PATIENT, reader));
		}
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR, COLLEAGUE, OTHER_DOCTOR]));
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(PATIENT),
				OTHER_PATIENT,
				shares(vec![(0, wrapped(OTHER_PATIENT))])
			),
			Error::<Test>::TooManyKeys
		);
	});
}

#[test]
fn revocation_removes_the_readers_keys_and_later_records_are_never_wrapped_for_them() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, COLLEAGUE));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR, COLLEAGUE]));
		assert_ok!(add(PATIENT, PATIENT, Imaging, &[PATIENT, DOCTOR]));
		assert_ok!(Consent::revoke_access(RuntimeOrigin::signed(PATIENT), PATIENT, DOCTOR));
		assert_ok!(Records::do_try_state());
		// Refused at once; the keys go at the end of the block.
		assert!(!<Consent as ehr_primitives::ConsentProvider<u64>>::is_reader(
			&PATIENT, &DOCTOR, LabReport
		));
		Records::reconcile_keys(frame_support::weights::Weight::MAX);
		assert!(!has_key(0, DOCTOR) && !has_key(1, DOCTOR));
		assert!(has_key(0, PATIENT) && has_key(0, COLLEAGUE));
		assert_eq!(RecordStore::<Test>::get(0).unwrap().key_count, 2);
		assert!(Records::reader_records(&DOCTOR, None).is_empty());
		System::assert_has_event(
			Event::OutOfConsentKeysRemoved {
				patient: PATIENT,
				reader: DOCTOR,
				count: 2,
				done: true,
			}
			.into(),
		);
		assert_noop!(
			add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]),
			Error::<Test>::NotAReader
		);
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(PATIENT),
				DOCTOR,
				shares(vec![(0, wrapped(DOCTOR))])
			),
			Error::<Test>::NotAReader
		);
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn expiry_removes_the_readers_keys_too() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			Some(START + HOUR),
			ehr_primitives::Purpose::Treatment,
		));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		// A block a minute, as on a live chain; each block processes one minute of expiries.
		for minute in 0..=61 {
			advance_to(START + minute * MINUTE);
		}
		assert!(!has_key(0, DOCTOR));
		assert!(has_key(0, PATIENT));
	});
}

#[test]
fn an_amendment_supersedes_and_keeps_the_history_readable() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_with(PATIENT, DOCTOR, Scope::All, ReadWrite));
		assert_ok!(add(DOCTOR, PATIENT, Prescription, &[PATIENT, DOCTOR]));
		assert_ok!(Records::amend_record(
			RuntimeOrigin::signed(DOCTOR),
			0,
			cid(42),
			[8; 32],
			2_048,
			keys(&[PATIENT, DOCTOR]),
			None,
		));
		let (old, new) =
			(RecordStore::<Test>::get(0).unwrap(), RecordStore::<Test>::get(1).unwrap());
		assert_eq!((old.superseded_by, new.supersedes, new.version), (Some(1), Some(0), 2));
		assert_eq!((new.category, new.patient, new.content_hash), (Prescription, PATIENT, [8; 32]));
		assert!(has_key(0, PATIENT) && has_key(1, PATIENT));
		let versions: Vec<u64> = Records::record_versions(1).into_iter().map(|e| e.id).collect();
		assert_eq!(versions, vec![0, 1]);
		assert_eq!(Records::record_versions(0).len(), 2);
		assert!(trail_events(PATIENT)
			.contains(&AuditEvent::RecordAmended { record: 0, new_version: 1 }));
		// Only the latest version is amended.
		assert_noop!(
			Records::amend_record(
				RuntimeOrigin::signed(PATIENT),
				0,
				cid(1),
				[1; 32],
				1,
				keys(&[PATIENT]),
				None,
			),
			Error::<Test>::NotLatestVersion
		);
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn amendments_are_refused_to_others_and_beyond_the_version_limit() {
	new_test_ext().execute_with(|| {
		assert_ok!(add(PATIENT, PATIENT, ClinicalNote, &[PATIENT]));
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		let amend = |by: u64, record: u64| {
			Records::amend_record(
				RuntimeOrigin::signed(by),
				record,
				cid(5),
				[5; 32],
				5,
				keys(&[PATIENT]),
				None,
			)
		};
		for attacker in [DOCTOR, OTHER_DOCTOR, OTHER_PATIENT, GUARDIAN] {
			assert_noop!(amend(attacker, 0), Error::<Test>::NotAuthorized);
		}
		assert_noop!(amend(PATIENT, 9), Error::<Test>::UnknownRecord);
		assert_ok!(amend(PATIENT, 0));
		assert_ok!(amend(PATIENT, 1));
		assert_noop!(amend(PATIENT, 2), Error::<Test>::TooManyVersions);
	});
}

#[test]
fn the_patient_removes_a_readers_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		for attacker in [DOCTOR, OTHER_PATIENT, HOSPITAL] {
			assert_noop!(
				Records::remove_key(RuntimeOrigin::signed(attacker), 0, DOCTOR),
				Error::<Test>::NotAuthorized
			);
		}
		assert_noop!(
			Records::remove_key(RuntimeOrigin::signed(PATIENT), 0, PATIENT),
			Error::<Test>::CannotRemovePatientKey
		);
		// A delegate manages consent only: it may not take keys away.
		assert_noop!(
			Records::remove_key(RuntimeOrigin::signed(GUARDIAN), 0, DOCTOR),
			Error::<Test>::NotForDelegates
		);
		assert_ok!(Records::remove_key(RuntimeOrigin::signed(PATIENT), 0, DOCTOR));
		assert!(!has_key(0, DOCTOR));
		assert!(!ReaderRecords::<Test>::contains_key((DOCTOR, PATIENT, 0)));
		assert_eq!(RecordStore::<Test>::get(0).unwrap().key_count, 1);
		assert_noop!(
			Records::remove_key(RuntimeOrigin::signed(PATIENT), 0, DOCTOR),
			Error::<Test>::NoSuchKey
		);
		let entry = Consent::trail(&PATIENT, 3, 1)[0].1.clone();
		assert_eq!(entry.actor, PATIENT);
		assert_eq!(entry.event, AuditEvent::KeyRemoved { record: 0, reader: DOCTOR });
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn erasure_deletes_every_versions_keys_and_keeps_a_tombstone() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(add(PATIENT, PATIENT, Imaging, &[PATIENT, DOCTOR]));
		assert_ok!(Records::amend_record(
			RuntimeOrigin::signed(PATIENT),
			0,
			cid(77),
			[7; 32],
			10,
			keys(&[PATIENT, DOCTOR]),
			None,
		));
		for attacker in [DOCTOR, OTHER_PATIENT, HOSPITAL] {
			assert_noop!(
				Records::erase_record(RuntimeOrigin::signed(attacker), 1),
				Error::<Test>::NotAuthorized
			);
		}
		// A delegate may not erase the patient's records.
		assert_noop!(
			Records::erase_record(RuntimeOrigin::signed(GUARDIAN), 1),
			Error::<Test>::NotForDelegates
		);
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(PATIENT), 1));
		for id in [0, 1] {
			let tombstone = RecordStore::<Test>::get(id).unwrap();
			assert!(tombstone.erased && tombstone.cid.is_empty());
			assert_eq!(tombstone.key_count, 0);
			assert!(!has_key(id, PATIENT) && !has_key(id, DOCTOR));
			assert!(!ReaderRecords::<Test>::contains_key((DOCTOR, PATIENT, id)));
		}
		assert_eq!(RecordStore::<Test>::get(1).unwrap().content_hash, [7; 32]);
		assert_eq!(RecordCount::<Test>::get(PATIENT), 0);
		assert!(Records::patient_records(&PATIENT, None).is_empty());
		System::assert_has_event(
			Event::RecordErased { record: 0, patient: PATIENT, cid: raw_cid(Imaging as u8) }.into(),
		);
		System::assert_last_event(
			Event::RecordErased { record: 1, patient: PATIENT, cid: raw_cid(77) }.into(),
		);
		let trail = trail_events(PATIENT);
		assert!(trail.ends_with(&[
			AuditEvent::RecordErased { record: 0 },
			AuditEvent::RecordErased { record: 1 }
		]));
		assert_noop!(
			Records::erase_record(RuntimeOrigin::signed(PATIENT), 0),
			Error::<Test>::RecordErased
		);
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(PATIENT),
				DOCTOR,
				shares(vec![(1, wrapped(DOCTOR))])
			),
			Error::<Test>::RecordErased
		);
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn queries_filter_by_category_and_reader() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_with(PATIENT, DOCTOR, categories(&[LabReport]), Read));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		assert_ok!(add(PATIENT, PATIENT, Imaging, &[PATIENT]));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT]));
		assert_ok!(add(OTHER_PATIENT, OTHER_PATIENT, LabReport, &[OTHER_PATIENT]));
		let ids = |entries: Vec<crate::RecordEntryOf<Test>>| {
			entries.into_iter().map(|e| e.id).collect::<Vec<_>>()
		};
		assert_eq!(ids(Records::patient_records(&PATIENT, None)), vec![0, 1, 2]);
		assert_eq!(ids(Records::patient_records(&PATIENT, Some(LabReport))), vec![0, 2]);
		assert_eq!(ids(Records::reader_records(&DOCTOR, None)), vec![0]);
		assert_eq!(ids(Records::reader_records(&PATIENT, Some(&PATIENT))), vec![0, 1, 2]);
		let entry = Records::record(0, Some(&DOCTOR)).unwrap();
		assert_eq!(entry.wrapped_key, Some(wrapped(DOCTOR)));
		assert_eq!(Records::record(0, Some(&OTHER_DOCTOR)).unwrap().wrapped_key, None);
		assert!(Records::record(9, None).is_none());
		assert!(Records::record_versions(9).is_empty());
	});
}

#[test]
fn a_suspended_doctor_loses_its_keys_block_by_block_with_trail_entries() {
	use frame_support::weights::Weight;
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(grant(PATIENT, PATIENT, COLLEAGUE));
		for _ in 0..3 {
			assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR, COLLEAGUE]));
		}
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert!(crate::ReadersToClear::<Test>::contains_key(DOCTOR));
		// Reinstated before the clean-up ran: its keys stay.
		assert_ok!(Identity::reinstate_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		Records::clear_suspended_readers(frame_support::weights::Weight::MAX);
		assert!(!crate::ReadersToClear::<Test>::contains_key(DOCTOR));
		assert_eq!(Records::reader_records(&DOCTOR, None).len(), 3);
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		// Just enough spare weight for two keys: two go now, the last in the next block.
		let db: frame_support::weights::RuntimeDbWeight =
			<<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<_>>::get();
		let per_key =
			<() as crate::WeightInfo>::remove_reader_keys(1).saturating_add(db.reads_writes(3, 3));
		let limit = db.reads(1).saturating_add(per_key.saturating_mul(2));
		Records::clear_suspended_readers(limit);
		assert_ok!(Records::do_try_state());
		assert_eq!(Records::reader_records(&DOCTOR, None).len(), 1);
		Records::clear_suspended_readers(Weight::MAX);
		assert!(Records::reader_records(&DOCTOR, None).is_empty());
		assert!(!crate::ReadersToClear::<Test>::contains_key(DOCTOR));
		// The patient's and the colleague's keys stay; the counts follow.
		for id in 0..3 {
			assert!(has_key(id, PATIENT) && has_key(id, COLLEAGUE) && !has_key(id, DOCTOR));
			assert_eq!(RecordStore::<Test>::get(id).unwrap().key_count, 2);
			assert!(trail_events(PATIENT)
				.contains(&AuditEvent::KeyRemoved { record: id, reader: DOCTOR }));
		}
		System::assert_last_event(
			Event::SuspendedReaderKeysRemoved { reader: DOCTOR, count: 1, done: true }.into(),
		);
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn an_expired_readers_keys_go_a_bounded_number_per_block() {
	new_test_ext().execute_with(|| {
		use ehr_primitives::ConsentProvider;
		let expiry = START + HOUR;
		assert_ok!(Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::All,
			Read,
			Some(expiry),
			ehr_primitives::Purpose::Treatment,
		));
		// Six records (the most a patient may have), each with a key for the doctor.
		for _ in 0..6 {
			assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		}
		let doctor_keys = || ReaderRecords::<Test>::iter_key_prefix((DOCTOR, PATIENT)).count();
		assert_eq!(doctor_keys(), 6);
		// Refused from the expiry time on, before any clean-up.
		advance_to(expiry);
		assert!(!Consent::may_access(&DOCTOR, &PATIENT, LabReport, Read));
		// The minute has passed: four keys this block (the bound), the grant stays refused.
		System::reset_events();
		advance_to(expiry + MINUTE);
		assert_eq!(doctor_keys(), 2);
		System::assert_has_event(
			Event::ReaderKeysRemoved { patient: PATIENT, reader: DOCTOR, count: 4 }.into(),
		);
		assert!(pallet_ehr_consent::Grants::<Test>::contains_key(PATIENT, DOCTOR));
		assert!(!Consent::may_access(&DOCTOR, &PATIENT, LabReport, Read));
		// The rest the next block, and then the grant ends.
		advance_to(expiry + MINUTE + 6_000);
		assert_eq!(doctor_keys(), 0);
		assert!(!pallet_ehr_consent::Grants::<Test>::contains_key(PATIENT, DOCTOR));
		for record in 0..6 {
			assert!(!has_key(record, DOCTOR));
			assert!(has_key(record, PATIENT));
			assert_eq!(RecordStore::<Test>::get(record).unwrap().key_count, 1);
		}
		assert!(matches!(
			trail_events(PATIENT).last(),
			Some(AuditEvent::ConsentExpired { grantee: DOCTOR })
		));
	});
}

#[test]
fn the_consent_pallet_looks_up_live_records_only() {
	new_test_ext().execute_with(|| {
		use ehr_primitives::RecordLookup;
		assert_ok!(add(PATIENT, PATIENT, Prescription, &[PATIENT]));
		assert_eq!(Records::patient_and_category(0), Some((PATIENT, Prescription)));
		assert_eq!(Records::patient_and_category(1), None);
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(PATIENT), 0));
		assert_eq!(Records::patient_and_category(0), None);
	});
}

#[test]
fn a_narrowed_consent_loses_the_keys_it_no_longer_covers() {
	use frame_support::weights::Weight;
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		assert_ok!(add(PATIENT, PATIENT, Imaging, &[PATIENT, DOCTOR]));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		// The patient narrows the doctor's consent to lab reports.
		assert_ok!(Consent::change_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			categories(&[LabReport]),
			Read,
			None,
			ehr_primitives::Purpose::Treatment,
		));
		// The imaging key can no longer be passed on, even before the clean-up...
		assert_ok!(grant(PATIENT, PATIENT, COLLEAGUE));
		assert_noop!(
			Records::share_keys(
				RuntimeOrigin::signed(DOCTOR),
				COLLEAGUE,
				shares(vec![(1, wrapped(COLLEAGUE))])
			),
			Error::<Test>::NotAuthorized
		);
		// ...and the clean-up removes it, with a trail entry, and keeps the lab reports' keys.
		Records::reconcile_keys(Weight::MAX);
		assert!(has_key(0, DOCTOR) && !has_key(1, DOCTOR) && has_key(2, DOCTOR));
		assert_eq!(RecordStore::<Test>::get(1).unwrap().key_count, 1);
		assert!(
			trail_events(PATIENT).contains(&AuditEvent::KeyRemoved { record: 1, reader: DOCTOR })
		);
		assert!(crate::KeysToReconcile::<Test>::iter().next().is_none());
		System::assert_has_event(
			Event::OutOfConsentKeysRemoved {
				patient: PATIENT,
				reader: DOCTOR,
				count: 1,
				done: true,
			}
			.into(),
		);
	});
}

#[test]
fn the_key_clean_up_after_a_narrowed_consent_is_bounded_and_carries_over() {
	use frame_support::weights::Weight;
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		for _ in 0..4 {
			assert_ok!(add(PATIENT, PATIENT, Imaging, &[PATIENT, DOCTOR]));
		}
		assert_ok!(Consent::change_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			categories(&[LabReport]),
			Read,
			None,
			ehr_primitives::Purpose::Treatment,
		));
		let db: frame_support::weights::RuntimeDbWeight =
			<<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<_>>::get();
		let per_key =
			<() as crate::WeightInfo>::remove_reader_keys(1).saturating_add(db.reads_writes(6, 3));
		// Room for one key per block.
		let limit = db.reads(1).saturating_add(per_key);
		for left in [3, 2, 1, 0] {
			Records::reconcile_keys(limit);
			assert_eq!(Records::reader_records(&DOCTOR, None).len(), left);
		}
		Records::reconcile_keys(Weight::MAX);
		assert!(crate::KeysToReconcile::<Test>::iter().next().is_none());
		assert_eq!(Records::reconcile_keys(Weight::zero()), Weight::zero());
	});
}

#[test]
fn try_state_catches_a_wrong_key_count_a_lost_index_and_a_keyless_patient() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR));
		assert_ok!(add(PATIENT, PATIENT, LabReport, &[PATIENT, DOCTOR]));
		assert_ok!(Records::do_try_state());

		// A key count one too high: the record would refuse a reader too early.
		RecordStore::<Test>::mutate(0, |record| record.as_mut().unwrap().key_count += 1);
		assert!(Records::do_try_state().is_err(), "a wrong key count breaks the invariant");
		RecordStore::<Test>::mutate(0, |record| record.as_mut().unwrap().key_count -= 1);
		assert_ok!(Records::do_try_state());

		// A key missing from the reader's index: a revocation would leave it behind.
		ReaderRecords::<Test>::remove((DOCTOR, PATIENT, 0));
		assert!(Records::do_try_state().is_err(), "an unindexed key breaks it");
		ReaderRecords::<Test>::insert((DOCTOR, PATIENT, 0), ());
		assert_ok!(Records::do_try_state());

		// The patient's own key gone from a live record.
		WrappedKeys::<Test>::remove(0, PATIENT);
		ReaderRecords::<Test>::remove((PATIENT, PATIENT, 0));
		RecordStore::<Test>::mutate(0, |record| record.as_mut().unwrap().key_count -= 1);
		assert!(Records::do_try_state().is_err(), "a record its patient cannot open breaks it");
	});
}
