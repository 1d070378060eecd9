//! Break-glass escrow from the attacker's side, on the real runtime (`local` preset: four
//! hospitals, the escrow committee of Alice, Bob and Charlie with t = 2; Dave's hospital is no
//! custodian), every step a signed extrinsic applied through `Executive` in real blocks: only
//! two thirds of the hospitals name a committee; only the patient chooses and escrows; only a
//! committee hospital releases, only during an open emergency access of an active doctor, only
//! opted-in records, also inside batches; released shares leave state in the block after the
//! access ends.

use crate::common::*;
use ehr_primitives::{EmergencyReason, RecordCategory};
use ehr_runtime::{Runtime, RuntimeCall};
use pallet_ehr_escrow::{
	Committee, Epoch, Error, EscrowedBy, EscrowedShares, Released, ReleasedToClear, ShareStanza,
	Threshold,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie, One};
use sp_runtime::DispatchError;

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const SECOND: u64 = 1_000;

const PATIENT: Sr25519Keyring = Eve;
const DOCTOR: Sr25519Keyring = Ferdie;
const INTRUDER: Sr25519Keyring = One;

fn escrow(call: pallet_ehr_escrow::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Escrow(call)
}

fn dispatch(signer: Sr25519Keyring, call: RuntimeCall) -> Result<(), DispatchError> {
	apply(signer, call).expect("a valid transaction")
}

fn refused(error: Error<Runtime>) -> Result<(), DispatchError> {
	Err(error.into())
}

/// A share stanza with identifier `id` (the chain cannot open one; the custodian can).
fn stanza(id: u8) -> ShareStanza {
	let mut stanza = [id; 81];
	stanza[0] = id;
	stanza
}

fn categories(list: &[RecordCategory]) -> RuntimeCall {
	escrow(pallet_ehr_escrow::Call::set_emergency_categories {
		patient: account(PATIENT),
		categories: list.to_vec().try_into().unwrap(),
	})
}

fn escrow_call(record: u64, epoch: u32, custodians: &[Sr25519Keyring]) -> RuntimeCall {
	escrow(pallet_ehr_escrow::Call::escrow_key {
		record,
		epoch,
		shares: custodians
			.iter()
			.enumerate()
			.map(|(index, custodian)| (account(*custodian), stanza(index as u8 + 1)))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	})
}

fn release_call(records: &[(u64, u8)]) -> RuntimeCall {
	escrow(pallet_ehr_escrow::Call::release_shares {
		patient: account(PATIENT),
		doctor: account(DOCTOR),
		shares: records
			.iter()
			.map(|(record, id)| (*record, stanza(*id)))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	})
}

/// The doctor opens emergency access to the patient.
fn open_emergency(code: EmergencyReason) {
	dispatch(
		DOCTOR,
		RuntimeCall::Consent(pallet_ehr_consent::Call::open_emergency_access {
			patient: account(PATIENT),
			code,
			commitment: None,
		}),
	)
	.expect("an active doctor opens emergency access");
}

fn add_record(category: RecordCategory, seed: u8) -> u64 {
	let id = pallet_ehr_records::NextRecordId::<Runtime>::get();
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	dispatch(
		PATIENT,
		RuntimeCall::Records(pallet_ehr_records::Call::add_record {
			patient: account(PATIENT),
			category,
			cid: cid.try_into().unwrap(),
			content_hash: [seed; 32],
			size: 1_000,
			keys: vec![(account(PATIENT), vec![seed; 80].try_into().unwrap())].try_into().unwrap(),
			escrow: None,
		}),
	)
	.expect("the patient adds a record");
	id
}

/// The `local` chain at block 1: Dave's hospital verified the doctor, Alice's invited the
/// patient and the intruder (a registered patient too), who registered.
fn chain(test: impl FnOnce()) {
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		dispatch(
			Dave,
			RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
				doctor: account(DOCTOR),
				name: b"Dr. Ferdie".to_vec(),
				specialty: b"emergency medicine".to_vec(),
				licence: b"MD-1".to_vec(),
			}),
		)
		.expect("the hospital offers the role");
		dispatch(
			DOCTOR,
			RuntimeCall::Identity(pallet_ehr_identity::Call::accept_doctor {
				hospital: account(Dave),
				encryption_key: [2; 32],
			}),
		)
		.expect("the doctor accepts");
		// These tests are about the escrow: the doctor breaks glass at once (the policy's
		// waiting time for new doctors is tested in `insiders`).
		pallet_ehr_consent::Policy::<Runtime>::mutate(|policy| policy.new_doctor_wait = 0);
		for (index, patient) in [PATIENT, INTRUDER].into_iter().enumerate() {
			dispatch(
				Alice,
				RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient {
					patient: account(patient),
				}),
			)
			.expect("a hospital invites");
			dispatch(
				patient,
				RuntimeCall::Identity(pallet_ehr_identity::Call::register_patient {
					encryption_key: [index as u8 + 3; 32],
				}),
			)
			.expect("the invited patient registers");
		}
		test();
	});
}

#[test]
fn the_genesis_committee_is_three_hospitals_with_t_two_and_only_two_thirds_change_it() {
	chain(|| {
		let members: Vec<_> = Committee::<Runtime>::get().into_iter().map(|(h, _)| h).collect();
		assert_eq!(members, vec![account(Alice), account(Bob), account(Charlie)]);
		assert_eq!((Threshold::<Runtime>::get(), Epoch::<Runtime>::get()), (2, 1));
		let new_committee = escrow(pallet_ehr_escrow::Call::set_committee {
			members: vec![
				(account(Alice), [11; 32]),
				(account(Bob), [12; 32]),
				(account(Dave), [14; 32]),
			]
			.try_into()
			.unwrap(),
			threshold: 2,
		});
		// A hospital alone cannot, nor inside a batch.
		assert_eq!(dispatch(Dave, new_committee.clone()), Err(DispatchError::BadOrigin));
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![new_committee.clone()],
		});
		assert!(dispatch(Dave, batch).is_err());
		// Two of four ayes pass a motion of threshold 2, but its origin is not two thirds.
		let motion = propose_and_vote(new_committee.clone(), 2, &[Dave, Bob], &[]).unwrap();
		close(Dave, &motion).expect("the motion closes");
		assert_eq!(Epoch::<Runtime>::get(), 1);
		// Three of four do.
		council_motion(new_committee, 3, &[Alice, Bob, Dave]).expect("the motion closes");
		assert_eq!(Epoch::<Runtime>::get(), 2);
		assert_eq!(Committee::<Runtime>::get()[2].0, account(Dave));
	});
}

#[test]
fn only_the_patient_chooses_and_escrows_and_only_custodians_release_during_an_emergency() {
	chain(|| {
		let lab = add_record(RecordCategory::LabReport, 1);
		let note = add_record(RecordCategory::ClinicalNote, 2);
		// Nobody else chooses the patient's categories or escrows the patient's records.
		assert_eq!(
			dispatch(INTRUDER, categories(&[RecordCategory::LabReport])),
			refused(Error::NotPatientOrDelegate)
		);
		assert_eq!(
			dispatch(PATIENT, escrow_call(lab, 1, &[Alice, Bob, Charlie])),
			refused(Error::NotOpenable)
		);
		dispatch(PATIENT, categories(&[RecordCategory::LabReport])).unwrap();
		assert_eq!(
			dispatch(INTRUDER, escrow_call(lab, 1, &[Alice, Bob, Charlie])),
			refused(Error::NotAuthorized)
		);
		assert_eq!(
			dispatch(PATIENT, escrow_call(lab, 1, &[Alice, Bob, Dave])),
			refused(Error::WrongCommittee)
		);
		assert_eq!(
			dispatch(PATIENT, escrow_call(note, 1, &[Alice, Bob, Charlie])),
			refused(Error::NotOpenable)
		);
		dispatch(PATIENT, escrow_call(lab, 1, &[Alice, Bob, Charlie])).unwrap();
		assert_eq!(EscrowedShares::<Runtime>::iter_prefix(lab).count(), 3);
		assert_eq!(EscrowedBy::<Runtime>::get(lab), Some(account(PATIENT)));

		// No emergency access: nothing is released, to a doctor or anyone.
		assert_eq!(dispatch(Alice, release_call(&[(lab, 1)])), refused(Error::NoEmergencyAccess));
		open_emergency(EmergencyReason::Unconscious);
		// A hospital outside the committee, a patient, the doctor itself: no custodian, also
		// inside a batch.
		for outsider in [Dave, INTRUDER, DOCTOR] {
			assert_eq!(dispatch(outsider, release_call(&[(lab, 1)])), refused(Error::NotCustodian));
		}
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![release_call(&[(lab, 1)])],
		});
		assert!(dispatch(Dave, batch).is_err());
		assert!(Released::<Runtime>::get((account(PATIENT), account(DOCTOR), lab)).is_none());
		// Only the custodian's own share, only opted-in records.
		assert_eq!(dispatch(Alice, release_call(&[(lab, 2)])), refused(Error::BadShare));
		assert_eq!(dispatch(Alice, release_call(&[(note, 1)])), refused(Error::NotOpenable));
		// Two custodians release: the doctor holds t shares.
		dispatch(Alice, release_call(&[(lab, 1)])).unwrap();
		assert_eq!(dispatch(Alice, release_call(&[(lab, 1)])), refused(Error::AlreadyReleased));
		dispatch(Charlie, release_call(&[(lab, 3)])).unwrap();
		let released = Released::<Runtime>::get((account(PATIENT), account(DOCTOR), lab)).unwrap();
		assert_eq!((released.threshold, released.shares.len()), (2, 2));

		// The doctor's hospital closes the access after review: in the next block the shares
		// are gone from state, with nobody asking.
		dispatch(
			Dave,
			RuntimeCall::Consent(pallet_ehr_consent::Call::close_emergency_access {
				patient: account(PATIENT),
				doctor: account(DOCTOR),
			}),
		)
		.unwrap();
		assert!(ReleasedToClear::<Runtime>::contains_key(account(PATIENT), account(DOCTOR)));
		assert_eq!(dispatch(Bob, release_call(&[(lab, 2)])), refused(Error::NoEmergencyAccess));
		block_at(2, T0 + 6 * SECOND);
		assert!(Released::<Runtime>::get((account(PATIENT), account(DOCTOR), lab)).is_none());
		assert!(!ReleasedToClear::<Runtime>::contains_key(account(PATIENT), account(DOCTOR)));
		// The patient drops the category: no more releases of it.
		dispatch(PATIENT, categories(&[])).unwrap();
		open_emergency(EmergencyReason::Unconscious);
		assert_eq!(dispatch(Alice, release_call(&[(lab, 1)])), refused(Error::NotOpenable));
	});
}

/// A record of `category` for `patient` with the shares for `custodians` in the same call
/// (`None`: without).
fn upload(
	patient: Sr25519Keyring,
	category: RecordCategory,
	seed: u8,
	custodians: Option<&[Sr25519Keyring]>,
) -> RuntimeCall {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	let escrow = custodians.map(|custodians| {
		let shares = custodians
			.iter()
			.enumerate()
			.map(|(index, custodian)| (account(*custodian), stanza(index as u8 + 1)))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap();
		(Epoch::<Runtime>::get(), shares)
	});
	RuntimeCall::Records(pallet_ehr_records::Call::add_record {
		patient: account(patient),
		category,
		cid: cid.try_into().unwrap(),
		content_hash: [seed; 32],
		size: 1_000,
		keys: vec![(account(patient), vec![seed; 80].try_into().unwrap())].try_into().unwrap(),
		escrow,
	})
}

#[test]
fn an_upload_and_its_escrow_are_one_transaction_refused_together() {
	chain(|| {
		dispatch(PATIENT, categories(&[RecordCategory::LabReport])).unwrap();
		let committee = [Alice, Bob, Charlie];
		// One signed transaction: the record and its shares, both in the trail.
		let lab = pallet_ehr_records::NextRecordId::<Runtime>::get();
		dispatch(PATIENT, upload(PATIENT, RecordCategory::LabReport, 1, Some(&committee))).unwrap();
		assert!(pallet_ehr_records::Records::<Runtime>::contains_key(lab));
		assert_eq!(EscrowedShares::<Runtime>::iter_prefix(lab).count(), 3);
		assert_eq!(EscrowedBy::<Runtime>::get(lab), Some(account(PATIENT)));
		// Shares the chain refuses (a committee of the patient's choosing, a category not
		// openable) refuse the record with them: nothing is stored, no number is taken.
		let next = pallet_ehr_records::NextRecordId::<Runtime>::get();
		assert_eq!(
			dispatch(
				PATIENT,
				upload(PATIENT, RecordCategory::LabReport, 2, Some(&[Alice, Bob, Dave]))
			),
			refused(Error::WrongCommittee)
		);
		assert_eq!(
			dispatch(PATIENT, upload(PATIENT, RecordCategory::ClinicalNote, 3, Some(&committee))),
			refused(Error::NotOpenable)
		);
		assert_eq!(pallet_ehr_records::NextRecordId::<Runtime>::get(), next);
		// The intruder (a patient, no consent) cannot add to the patient's records with shares,
		// alone or in a batch; nothing is escrowed for records that do not exist.
		let intruding = upload(PATIENT, RecordCategory::LabReport, 4, Some(&committee));
		assert_eq!(
			dispatch(INTRUDER, intruding.clone()),
			Err(pallet_ehr_records::Error::<Runtime>::NotAuthorized.into())
		);
		let batch =
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![intruding] });
		assert!(dispatch(INTRUDER, batch).is_err());
		assert_eq!(pallet_ehr_records::NextRecordId::<Runtime>::get(), next);
		assert_eq!(EscrowedShares::<Runtime>::iter_prefix(next).count(), 0);
		// The declared weight counts the escrow's benchmarked worst case on top of the record's.
		use frame_support::{dispatch::GetDispatchInfo, traits::Get};
		let with = upload(PATIENT, RecordCategory::LabReport, 5, Some(&committee));
		let without = upload(PATIENT, RecordCategory::LabReport, 5, None);
		let escrow_weight =
			<<Runtime as pallet_ehr_escrow::Config>::WeightInfo as pallet_ehr_escrow::WeightInfo>::escrow_key(
				<Runtime as pallet_ehr_escrow::Config>::MaxCommittee::get(),
			);
		assert_eq!(
			with.get_dispatch_info().call_weight,
			without.get_dispatch_info().call_weight + escrow_weight
		);
	});
}

#[test]
fn a_suspended_doctor_receives_nothing_more_and_loses_what_was_released() {
	chain(|| {
		dispatch(PATIENT, categories(&[RecordCategory::Profile])).unwrap();
		let profile = add_record(RecordCategory::Profile, 5);
		dispatch(PATIENT, escrow_call(profile, 1, &[Alice, Bob, Charlie])).unwrap();
		open_emergency(EmergencyReason::LifeThreatening);
		dispatch(Alice, release_call(&[(profile, 1)])).unwrap();
		let clear = escrow(pallet_ehr_escrow::Call::clear_released {
			patient: account(PATIENT),
			doctor: account(DOCTOR),
			limit: 10,
		});
		// While the doctor may use them, nobody removes the shares.
		assert_eq!(dispatch(INTRUDER, clear.clone()), refused(Error::StillOpen));
		dispatch(
			Dave,
			RuntimeCall::Identity(pallet_ehr_identity::Call::suspend_doctor {
				doctor: account(DOCTOR),
			}),
		)
		.unwrap();
		assert_eq!(dispatch(Bob, release_call(&[(profile, 2)])), refused(Error::NotActiveDoctor));
		// Suspended: the access is useless, and anyone may remove what was released.
		dispatch(INTRUDER, clear).unwrap();
		assert!(Released::<Runtime>::get((account(PATIENT), account(DOCTOR), profile)).is_none());
		dispatch(
			PATIENT,
			RuntimeCall::Records(pallet_ehr_records::Call::erase_record { record: profile }),
		)
		.unwrap();
		assert_eq!(EscrowedShares::<Runtime>::iter_prefix(profile).count(), 0);
	});
}

#[test]
fn a_hospital_that_leaves_the_consortium_gets_no_new_shares_and_releases_nothing() {
	chain(|| {
		dispatch(PATIENT, categories(&[RecordCategory::LabReport])).unwrap();
		let before = add_record(RecordCategory::LabReport, 6);
		dispatch(PATIENT, escrow_call(before, 1, &[Alice, Bob, Charlie])).unwrap();
		// Three of four hospitals remove Charlie's, which stays named in the committee.
		let remove = RuntimeCall::Hospitals(pallet_membership::Call::remove_member {
			who: account(Charlie).into(),
		});
		council_motion(remove, 3, &[Alice, Bob, Dave]).expect("the motion closes");
		// No new share goes to it: escrowing waits for a new committee.
		let after = add_record(RecordCategory::LabReport, 7);
		assert_eq!(
			dispatch(PATIENT, escrow_call(after, 1, &[Alice, Bob, Charlie])),
			refused(Error::CommitteeMemberLeft)
		);
		open_emergency(EmergencyReason::Unconscious);
		// It releases nothing it holds; the two still in the consortium open the record.
		let charlie = apply(Charlie, release_call(&[(before, 3)]));
		assert!(!matches!(charlie, Ok(Ok(()))), "a hospital that left released: {charlie:?}");
		dispatch(Alice, release_call(&[(before, 1)])).unwrap();
		dispatch(Bob, release_call(&[(before, 2)])).unwrap();
		let released =
			Released::<Runtime>::get((account(PATIENT), account(DOCTOR), before)).unwrap();
		assert_eq!(released.shares.len(), 2);
	});
}
