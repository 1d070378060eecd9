//! The escrow from every side: the committee only by the hospitals together, categories only by
//! the patient or a delegate, shares only for opted-in records and the whole current committee,
//! releases only by committee hospitals during an open emergency access, and nothing left in
//! state once the access ends.

use crate::{
	mock::*, Committee, Epoch, Error, EscrowedShares, Event, Released, ReleasedToClear, Threshold,
	Thresholds,
};
use ehr_primitives::{AuditEvent, RecordCategory};
use frame_support::traits::Hooks;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

fn release(by: u64, records: &[(u64, u8)]) -> sp_runtime::DispatchResult {
	let shares: BoundedVec<_, _> = records
		.iter()
		.map(|(record, id)| (*record, stanza(*id)))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap();
	Escrow::release_shares(RuntimeOrigin::signed(by), PATIENT, DOCTOR, shares)
		.map(|_| ())
		.map_err(|error| error.error)
}

/// The patient escrows `records` for the current committee.
fn escrow_for_committee(records: &[u64]) {
	for record in records {
		assert_ok!(Escrow::escrow_key(
			RuntimeOrigin::signed(PATIENT),
			*record,
			Epoch::<Test>::get(),
			committee_shares()
		));
	}
}

fn trail_events(patient: u64) -> Vec<AuditEvent<u64>> {
	let length = pallet_ehr_consent::TrailLength::<Test>::get(patient);
	(0..length)
		.filter_map(|index| pallet_ehr_consent::Trail::<Test>::get(patient, index))
		.map(|entry| entry.event)
		.collect()
}

#[test]
fn only_the_hospitals_together_name_a_committee_of_hospitals() {
	new_test_ext().execute_with(|| {
		let members = |list: Vec<(u64, [u8; 32])>| -> BoundedVec<_, _> { list.try_into().unwrap() };
		// A hospital alone (any signed account) cannot.
		assert_noop!(
			Escrow::set_committee(
				RuntimeOrigin::signed(HOSPITAL),
				members(vec![(HOSPITAL, key(1))]),
				1
			),
			DispatchError::BadOrigin
		);
		// Members are hospitals, once each, with usable keys; 1 ≤ t ≤ n.
		assert_noop!(
			Escrow::set_committee(RuntimeOrigin::root(), members(vec![(DOCTOR, key(1))]), 1),
			Error::<Test>::NotHospital
		);
		assert_noop!(
			Escrow::set_committee(RuntimeOrigin::root(), members(vec![(HOSPITAL, [0; 32])]), 1),
			Error::<Test>::InvalidEscrowKey
		);
		assert_noop!(
			Escrow::set_committee(
				RuntimeOrigin::root(),
				members(vec![(HOSPITAL, key(1)), (HOSPITAL, key(2))]),
				1
			),
			Error::<Test>::DuplicateMember
		);
		for threshold in [0, 3] {
			assert_noop!(
				Escrow::set_committee(
					RuntimeOrigin::root(),
					members(vec![(HOSPITAL, key(1)), (SECOND, key(2))]),
					threshold
				),
				Error::<Test>::InvalidThreshold
			);
		}
		// No single custodian, not even a committee of one (that exists only in a development
		// genesis); no key held twice.
		for list in [vec![(HOSPITAL, key(1)), (SECOND, key(2))], vec![(HOSPITAL, key(1))]] {
			assert_noop!(
				Escrow::set_committee(RuntimeOrigin::root(), members(list), 1),
				Error::<Test>::InvalidThreshold
			);
		}
		assert_noop!(
			Escrow::set_committee(
				RuntimeOrigin::root(),
				members(vec![(HOSPITAL, key(1)), (SECOND, key(1))]),
				2
			),
			Error::<Test>::DuplicateEscrowKey
		);
		assert_ok!(Escrow::set_committee(
			RuntimeOrigin::root(),
			members(vec![(HOSPITAL, key(1)), (SECOND, key(2))]),
			2
		));
		// A change starts a new epoch.
		assert_eq!(Epoch::<Test>::get(), 2);
		assert_ok!(Escrow::set_committee(
			RuntimeOrigin::root(),
			members(vec![(HOSPITAL, key(1)), (SECOND, key(2)), (THIRD, key(3))]),
			2
		));
		assert_eq!(Epoch::<Test>::get(), 3);
		assert_ok!(Escrow::set_committee(
			RuntimeOrigin::root(),
			members(vec![(HOSPITAL, key(1)), (OUTSIDER, key(4))]),
			2
		));
		assert_eq!((Epoch::<Test>::get(), Threshold::<Test>::get()), (4, 2));
		assert_eq!(Committee::<Test>::get().len(), 2);
		System::assert_last_event(
			Event::CommitteeSet { epoch: 4, members: 2, threshold: 2 }.into(),
		);
		assert_ok!(Escrow::do_try_state());
	});
}

#[test]
fn the_patient_or_a_delegate_chooses_the_openable_categories_in_the_trail() {
	new_test_ext().execute_with(|| {
		let chosen = |list: Vec<RecordCategory>| -> BoundedVec<_, _> { list.try_into().unwrap() };
		for stranger in [DOCTOR, OTHER_PATIENT, HOSPITAL] {
			assert_noop!(
				Escrow::set_emergency_categories(
					RuntimeOrigin::signed(stranger),
					PATIENT,
					chosen(vec![RecordCategory::Profile])
				),
				Error::<Test>::NotPatientOrDelegate
			);
		}
		assert_noop!(
			Escrow::set_emergency_categories(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				chosen(vec![RecordCategory::Profile, RecordCategory::Profile])
			),
			Error::<Test>::DuplicateCategory
		);
		assert_ok!(Escrow::set_emergency_categories(
			RuntimeOrigin::signed(GUARDIAN),
			PATIENT,
			chosen(vec![RecordCategory::Profile])
		));
		assert!(Escrow::openable(&PATIENT, RecordCategory::Profile));
		assert!(!Escrow::openable(&PATIENT, RecordCategory::LabReport));
		// None at all.
		assert_ok!(Escrow::set_emergency_categories(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			chosen(vec![])
		));
		assert!(!Escrow::openable(&PATIENT, RecordCategory::Profile));
		let events = trail_events(PATIENT);
		assert!(events.contains(&AuditEvent::EmergencyCategoriesSet { categories: chosen(vec![]) }));
		assert!(events.contains(&AuditEvent::EmergencyCategoriesSet {
			categories: chosen(vec![RecordCategory::Profile])
		}));
	});
}

#[test]
fn shares_go_only_to_the_whole_current_committee_for_opted_in_records() {
	new_test_ext().execute_with(|| {
		let epoch = Epoch::<Test>::get();
		// Not openable: imaging (record 1) was not opted in.
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 1, epoch, committee_shares()),
			Error::<Test>::NotOpenable
		);
		// Someone else's record, or no write consent.
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(OTHER_PATIENT), 0, epoch, committee_shares()),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(DOCTOR), 0, epoch, committee_shares()),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 99, epoch, committee_shares()),
			Error::<Test>::UnknownRecord
		);
		// Another epoch; a missing, foreign or repeated member; a bad identifier.
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 0, epoch + 1, committee_shares()),
			Error::<Test>::StaleCommittee
		);
		let some: BoundedVecOf =
			vec![(HOSPITAL, stanza(1)), (SECOND, stanza(2))].try_into().unwrap();
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 0, epoch, some),
			Error::<Test>::WrongCommittee
		);
		let foreign: BoundedVecOf =
			vec![(HOSPITAL, stanza(1)), (SECOND, stanza(2)), (OUTSIDER, stanza(3))]
				.try_into()
				.unwrap();
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 0, epoch, foreign),
			Error::<Test>::WrongCommittee
		);
		let repeated: BoundedVecOf =
			vec![(HOSPITAL, stanza(1)), (SECOND, stanza(1)), (THIRD, stanza(3))]
				.try_into()
				.unwrap();
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 0, epoch, repeated),
			Error::<Test>::BadShare
		);
		let zero: BoundedVecOf =
			vec![(HOSPITAL, stanza(0)), (SECOND, stanza(2)), (THIRD, stanza(3))]
				.try_into()
				.unwrap();
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 0, epoch, zero),
			Error::<Test>::BadShare
		);
		// The patient escrows; a doctor with write consent may too (a prescription it wrote).
		assert_ok!(Escrow::escrow_key(
			RuntimeOrigin::signed(PATIENT),
			0,
			epoch,
			committee_shares()
		));
		// A doctor with write consent escrows the prescription it wrote, once; it cannot
		// replace the shares of the patient's records, nor of its own once escrowed.
		grant_write();
		let written = add_by(DOCTOR, PATIENT, RecordCategory::Prescription);
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(DOCTOR), 0, epoch, committee_shares()),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(Escrow::escrow_key(
			RuntimeOrigin::signed(DOCTOR),
			written,
			epoch,
			committee_shares()
		));
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(DOCTOR), written, epoch, committee_shares()),
			Error::<Test>::NotAuthorized
		);
		// The patient may always escrow again (after a committee change, say).
		assert_ok!(Escrow::escrow_key(
			RuntimeOrigin::signed(PATIENT),
			written,
			epoch,
			committee_shares()
		));
		assert_eq!(EscrowedShares::<Test>::iter_prefix(0).count(), 3);
		assert!(trail_events(PATIENT).contains(&AuditEvent::KeyEscrowed { record: 0, epoch }));
	});
}

/// `by` adds a record of `category` for `patient` carrying `escrow` (one transaction).
fn add_escrowed(
	by: u64,
	category: RecordCategory,
	escrow: Option<(u32, BoundedVecOf)>,
) -> sp_runtime::DispatchResult {
	let next = pallet_ehr_records::NextRecordId::<Test>::get() as u8;
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([next; 32]);
	let keys: pallet_ehr_records::ReaderKeysOf<Test> =
		vec![(PATIENT, vec![PATIENT as u8; 80].try_into().unwrap())].try_into().unwrap();
	Records::add_record(
		RuntimeOrigin::signed(by),
		PATIENT,
		category,
		cid.try_into().unwrap(),
		[next; 32],
		1,
		keys,
		escrow,
	)
}

#[test]
fn an_upload_carries_its_escrow_in_one_call_and_a_refused_escrow_adds_nothing() {
	new_test_ext().execute_with(|| {
		let epoch = Epoch::<Test>::get();
		let next = pallet_ehr_records::NextRecordId::<Test>::get();
		// The patient adds an openable lab report with its shares: one call, both done.
		assert_ok!(add_escrowed(
			PATIENT,
			RecordCategory::LabReport,
			Some((epoch, committee_shares()))
		));
		assert_eq!(EscrowedShares::<Test>::iter_prefix(next).count(), 3);
		assert_eq!(crate::EscrowedBy::<Test>::get(next), Some(PATIENT));
		let trail = trail_events(PATIENT);
		let added = trail.iter().position(
			|event| matches!(event, AuditEvent::RecordAdded { record, .. } if *record == next),
		);
		let escrowed = trail
			.iter()
			.position(|event| *event == AuditEvent::KeyEscrowed { record: next, epoch });
		assert!(added.is_some() && escrowed > added, "{trail:?}");
		// Refused escrows refuse the whole upload: nothing is added, nothing numbered.
		let after = pallet_ehr_records::NextRecordId::<Test>::get();
		let some: BoundedVecOf =
			vec![(HOSPITAL, stanza(1)), (SECOND, stanza(2))].try_into().unwrap();
		for (category, escrow, error) in [
			(RecordCategory::LabReport, Some((epoch, some)), Error::<Test>::WrongCommittee),
			(
				RecordCategory::LabReport,
				Some((epoch + 1, committee_shares())),
				Error::<Test>::StaleCommittee,
			),
			// Imaging is not openable for the patient.
			(
				RecordCategory::Imaging,
				Some((epoch, committee_shares())),
				Error::<Test>::NotOpenable,
			),
		] {
			assert_noop!(add_escrowed(PATIENT, category, escrow), error);
		}
		assert_eq!(pallet_ehr_records::NextRecordId::<Test>::get(), after);
		// A doctor with write consent adds a prescription with its shares, once per record; the
		// same escrow rules as `escrow_key`.
		grant_write();
		let written = pallet_ehr_records::NextRecordId::<Test>::get();
		assert_ok!(add_escrowed(
			DOCTOR,
			RecordCategory::Prescription,
			Some((epoch, committee_shares()))
		));
		assert_eq!(crate::EscrowedBy::<Test>::get(written), Some(DOCTOR));
		assert_noop!(
			Escrow::escrow_key(RuntimeOrigin::signed(DOCTOR), written, epoch, committee_shares()),
			Error::<Test>::NotAuthorized
		);
		// Without shares, an upload is as before.
		assert_ok!(add_escrowed(PATIENT, RecordCategory::LabReport, None));
		// An amendment carries the new version's shares.
		let latest = pallet_ehr_records::NextRecordId::<Test>::get() - 1;
		let mut cid = vec![0x01, 0x55, 0x12, 0x20];
		cid.extend([0xee; 32]);
		let keys: pallet_ehr_records::ReaderKeysOf<Test> =
			vec![(PATIENT, vec![PATIENT as u8; 80].try_into().unwrap())].try_into().unwrap();
		assert_ok!(Records::amend_record(
			RuntimeOrigin::signed(PATIENT),
			latest,
			cid.try_into().unwrap(),
			[0xee; 32],
			1,
			keys,
			Some((epoch, committee_shares())),
		));
		assert_eq!(EscrowedShares::<Test>::iter_prefix(latest + 1).count(), 3);
		assert_eq!(EscrowedShares::<Test>::iter_prefix(latest).count(), 0);
		// The call's weight counts the escrow's.
		let with = pallet_ehr_records::Call::<Test>::add_record {
			patient: PATIENT,
			category: RecordCategory::LabReport,
			cid: Default::default(),
			content_hash: [0; 32],
			size: 1,
			keys: Default::default(),
			escrow: Some((epoch, committee_shares())),
		};
		let mut without = with.clone();
		if let pallet_ehr_records::Call::add_record { escrow, .. } = &mut without {
			*escrow = None;
		}
		use frame_support::{dispatch::GetDispatchInfo, traits::Get};
		let escrow_weight = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::escrow_key(
			<Test as crate::Config>::MaxCommittee::get(),
		);
		assert_eq!(
			with.get_dispatch_info().call_weight,
			without.get_dispatch_info().call_weight + escrow_weight
		);
	});
}

#[test]
fn custodians_release_only_during_an_open_emergency_and_only_their_own_share() {
	new_test_ext().execute_with(|| {
		escrow_for_committee(&[0]);
		// No emergency access yet: nothing is released.
		assert_noop!(release(HOSPITAL, &[(0, 1)]), Error::<Test>::NoEmergencyAccess);
		open_emergency();
		// A hospital outside the committee, or a doctor, is no custodian.
		assert_noop!(release(OUTSIDER, &[(0, 1)]), Error::<Test>::NotCustodian);
		assert_noop!(release(DOCTOR, &[(0, 1)]), Error::<Test>::NotCustodian);
		// Only the share it was given, under its identifier; only escrowed, opted-in records
		// of this patient.
		assert_noop!(release(HOSPITAL, &[(0, 2)]), Error::<Test>::BadShare);
		assert_noop!(release(HOSPITAL, &[(1, 1)]), Error::<Test>::NotOpenable);
		assert_noop!(release(HOSPITAL, &[(2, 1)]), Error::<Test>::NotEscrowed);
		assert_noop!(release(HOSPITAL, &[(3, 1)]), Error::<Test>::NotPatientsRecord);
		// Two custodians release: the doctor has t = 2 shares, each in the trail.
		assert_ok!(release(HOSPITAL, &[(0, 1)]));
		assert_noop!(release(HOSPITAL, &[(0, 1)]), Error::<Test>::AlreadyReleased);
		assert_ok!(release(THIRD, &[(0, 3)]));
		let released = Released::<Test>::get((PATIENT, DOCTOR, 0)).unwrap();
		assert_eq!((released.epoch, released.threshold), (Epoch::<Test>::get(), 2));
		assert_eq!(
			released.shares.iter().map(|(by, stanza)| (*by, stanza[0])).collect::<Vec<_>>(),
			vec![(HOSPITAL, 1), (THIRD, 3)]
		);
		assert!(trail_events(PATIENT).contains(&AuditEvent::ShareReleased {
			record: 0,
			doctor: DOCTOR,
			hospital: THIRD
		}));
		assert_ok!(Escrow::do_try_state());
	});
}

#[test]
fn after_a_committee_change_the_hospitals_kept_still_release_the_earlier_shares() {
	new_test_ext().execute_with(|| {
		let first = Epoch::<Test>::get();
		assert_ok!(Escrow::escrow_key(
			RuntimeOrigin::signed(PATIENT),
			0,
			first,
			committee_shares()
		));
		// The hospitals drop SECOND and take OUTSIDER in, with t = 3.
		assert_ok!(Escrow::set_committee(
			RuntimeOrigin::root(),
			vec![(HOSPITAL, key(1)), (THIRD, key(3)), (OUTSIDER, key(4))].try_into().unwrap(),
			3
		));
		assert_ok!(Escrow::do_try_state());
		assert_eq!(Thresholds::<Test>::get(first), Some(2));
		open_emergency();
		// The dropped hospital releases nothing, though it holds a share of the first epoch;
		// the new member holds none of that record.
		assert_noop!(release(SECOND, &[(0, 2)]), Error::<Test>::NotCustodian);
		assert_noop!(release(OUTSIDER, &[(0, 4)]), Error::<Test>::NotEscrowed);
		// Those kept release theirs, with the first epoch's threshold for the doctor.
		assert_ok!(release(HOSPITAL, &[(0, 1)]));
		assert_ok!(release(THIRD, &[(0, 3)]));
		let released = Released::<Test>::get((PATIENT, DOCTOR, 0)).unwrap();
		assert_eq!((released.epoch, released.threshold, released.shares.len()), (first, 2, 2));
		// The patient's client escrows again for the new committee: a release from then on
		// starts over with the new epoch's shares, never mixed with the first's.
		let shares: BoundedVecOf =
			vec![(HOSPITAL, stanza(1)), (THIRD, stanza(2)), (OUTSIDER, stanza(3))]
				.try_into()
				.unwrap();
		assert_ok!(Escrow::escrow_key(RuntimeOrigin::signed(PATIENT), 0, first + 1, shares));
		// (OUTSIDER, the doctor's own hospital, never releases to it: `t` shares come from
		// the others.)
		assert_noop!(release(OUTSIDER, &[(0, 3)]), Error::<Test>::OwnHospital);
		assert_ok!(release(THIRD, &[(0, 2)]));
		let released = Released::<Test>::get((PATIENT, DOCTOR, 0)).unwrap();
		assert_eq!((released.epoch, released.threshold), (first + 1, 3));
		assert_eq!(released.shares.iter().map(|(by, _)| *by).collect::<Vec<_>>(), vec![THIRD]);
		assert_ok!(Escrow::do_try_state());
	});
}

#[test]
fn the_block_hook_removes_released_shares_once_the_access_ends_or_expires() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		escrow_for_committee(&[0, 2]);
		open_emergency();
		assert_ok!(release(HOSPITAL, &[(0, 1), (2, 1)]));
		// Open: the hook leaves the shares alone.
		Escrow::on_idle(1, frame_support::weights::Weight::MAX);
		assert_eq!(Released::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 2);
		assert_ok!(pallet_ehr_consent::Pallet::<Test>::close_emergency_access(
			RuntimeOrigin::signed(DOCTOR),
			PATIENT,
			DOCTOR
		));
		assert!(ReleasedToClear::<Test>::contains_key(PATIENT, DOCTOR));
	});
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		// Too little spare weight: nothing happens, nothing is lost.
		let db = frame_support::weights::constants::RocksDbWeight::get();
		assert_eq!(
			Escrow::on_idle(2, db.reads_writes(2, 1)),
			frame_support::weights::Weight::zero()
		);
		// Room for the base and one record: one goes, the rest waits for the next block.
		Escrow::on_idle(2, db.reads_writes(4, 2));
		assert_eq!(Released::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 1);
		assert!(ReleasedToClear::<Test>::contains_key(PATIENT, DOCTOR));
		Escrow::on_idle(3, frame_support::weights::Weight::MAX);
		assert_eq!(Released::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 0);
		assert!(!ReleasedToClear::<Test>::contains_key(PATIENT, DOCTOR));
		// An access that expires with nobody closing it: the consent pallet's own clean-up
		// ends it in a block hook, and the shares go after it.
		open_emergency();
		assert_ok!(release(SECOND, &[(0, 2)]));
		Timestamp::set_timestamp(START + 26 * HOUR);
		// (At most 600 empty minutes a block: a few blocks reach the expiry.)
		for block in 4..8 {
			pallet_ehr_consent::Pallet::<Test>::on_initialize(block);
		}
		assert!(ReleasedToClear::<Test>::contains_key(PATIENT, DOCTOR));
		Escrow::on_idle(4, frame_support::weights::Weight::MAX);
		assert_eq!(Released::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 0);
	});
}

#[test]
fn released_shares_leave_state_once_the_access_ends_not_before() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		escrow_for_committee(&[0, 2]);
		open_emergency();
		assert_ok!(release(HOSPITAL, &[(0, 1), (2, 1)]));
		assert_ok!(release(SECOND, &[(0, 2), (2, 2)]));
		assert_noop!(
			Escrow::clear_released(RuntimeOrigin::signed(OTHER_PATIENT), PATIENT, DOCTOR, 10),
			Error::<Test>::StillOpen
		);
		assert_ok!(pallet_ehr_consent::Pallet::<Test>::end_emergency_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR
		));
	});
	// In later blocks (the shares in the database, where the limit applies): anyone clears, a
	// bounded number per call.
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		assert_ok!(Escrow::clear_released(
			RuntimeOrigin::signed(OTHER_PATIENT),
			PATIENT,
			DOCTOR,
			1
		));
		System::assert_last_event(
			Event::ReleasedCleared { patient: PATIENT, doctor: DOCTOR, removed: 1, done: false }
				.into(),
		);
		assert_eq!(Released::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 1);
		assert_ok!(Escrow::clear_released(
			RuntimeOrigin::signed(OTHER_PATIENT),
			PATIENT,
			DOCTOR,
			1
		));
		assert_eq!(Released::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 0);
		// An expired access counts as ended too.
		open_emergency();
		assert_ok!(release(HOSPITAL, &[(0, 1)]));
		Timestamp::set_timestamp(START + 25 * HOUR);
		assert_noop!(release(SECOND, &[(0, 2)]), Error::<Test>::NoEmergencyAccess);
		assert_ok!(Escrow::clear_released(RuntimeOrigin::signed(DOCTOR), PATIENT, DOCTOR, 4));
		assert_eq!(Released::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 0);
	});
}

#[test]
fn a_reopened_access_gets_fresh_shares_never_mixed_with_the_last_ones() {
	new_test_ext().execute_with(|| {
		escrow_for_committee(&[0]);
		open_emergency();
		assert_ok!(release(HOSPITAL, &[(0, 1)]));
		assert_ok!(pallet_ehr_consent::Pallet::<Test>::end_emergency_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR
		));
		// Before any block hook ran, the doctor opens again a minute later: the old release is
		// replaced, and the queued clean-up leaves the new access's shares alone.
		Timestamp::set_timestamp(START + 60_000);
		open_emergency();
		assert_ok!(release(SECOND, &[(0, 2)]));
		let released = Released::<Test>::get((PATIENT, DOCTOR, 0)).unwrap();
		assert_eq!(released.opened_at, START + 60_000);
		assert_eq!(released.shares.iter().map(|(by, _)| *by).collect::<Vec<_>>(), vec![SECOND]);
		// And the first custodian may release to the new access.
		assert_ok!(release(HOSPITAL, &[(0, 1)]));
		Escrow::on_idle(1, frame_support::weights::Weight::MAX);
		assert_eq!(Released::<Test>::get((PATIENT, DOCTOR, 0)).unwrap().shares.len(), 2);
		assert!(!ReleasedToClear::<Test>::contains_key(PATIENT, DOCTOR));
		assert_ok!(Escrow::do_try_state());
	});
}

#[test]
fn erasing_a_record_removes_its_escrowed_shares() {
	new_test_ext().execute_with(|| {
		escrow_for_committee(&[0]);
		assert_eq!(EscrowedShares::<Test>::iter_prefix(0).count(), 3);
		assert_ok!(pallet_ehr_records::Pallet::<Test>::erase_record(
			RuntimeOrigin::signed(PATIENT),
			0
		));
		assert_eq!(EscrowedShares::<Test>::iter_prefix(0).count(), 0);
		// Nothing can be released for it any more.
		open_emergency();
		assert_noop!(release(HOSPITAL, &[(0, 1)]), Error::<Test>::UnknownRecord);
		assert_ok!(Escrow::do_try_state());
	});
}

#[test]
fn try_state_catches_unpaired_custodians_orphan_shares_and_a_wrong_threshold() {
	use crate::{CustodianOf, EscrowedBy};
	new_test_ext().execute_with(|| {
		escrow_for_committee(&[0]);
		assert_ok!(Escrow::set_custodian(RuntimeOrigin::signed(HOSPITAL), Some(50)));
		assert_ok!(Escrow::do_try_state());

		// A custodian whose back link is gone.
		CustodianOf::<Test>::remove(50);
		assert!(Escrow::do_try_state().is_err(), "an unpaired custodian breaks the invariant");
		CustodianOf::<Test>::insert(50, HOSPITAL);
		assert_ok!(Escrow::do_try_state());

		// Shares nobody escrowed: `escrow_key` would let the author replace them.
		EscrowedBy::<Test>::remove(0);
		assert!(Escrow::do_try_state().is_err(), "shares without EscrowedBy break it");
		EscrowedBy::<Test>::insert(0, PATIENT);
		assert_ok!(Escrow::do_try_state());

		// A threshold the current epoch was not named with.
		Threshold::<Test>::put(3);
		assert!(Escrow::do_try_state().is_err(), "a threshold not in Thresholds breaks it");
	});
}
