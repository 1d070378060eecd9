//! Consent from the attacker's side, on the real runtime with signed extrinsics (`dev` preset:
//! Alice is the hospital): queues nobody can fill for someone else, and an audit trail that
//! records only what happened.

use crate::common::*;
use ehr_primitives::{AccessLevel, AuditEvent, Moment, Purpose, RecordCategory, Scope};
use ehr_runtime::{Runtime, RuntimeCall};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::DispatchError;

/// 2026-01-01T00:00:00Z.
const START: Moment = 1_767_225_600_000;
const MINUTE: Moment = 60_000;
const HOUR: Moment = 60 * MINUTE;

fn consent(call: pallet_ehr_consent::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Consent(call)
}

/// Apply a signed call that must be included; returns what it dispatched to.
fn dispatch(signer: Sr25519Keyring, call: RuntimeCall) -> Result<(), DispatchError> {
	apply(signer, call).expect("the transaction is valid")
}

fn consent_error(error: pallet_ehr_consent::Error<Runtime>) -> DispatchError {
	error.into()
}

/// The `dev` chain at `START`, with Alice's doctors and registered patients.
fn chain(doctors: &[Sr25519Keyring], patients: &[Sr25519Keyring], test: impl FnOnce()) {
	ext_from_preset(DEV).execute_with(|| {
		start_block(1);
		pallet_timestamp::Now::<Runtime>::put(START);
		for (index, doctor) in doctors.iter().enumerate() {
			dispatch(
				Alice,
				RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
					doctor: account(*doctor),
					name: b"Dr.".to_vec(),
					specialty: b"emergency medicine".to_vec(),
					licence: format!("MD-{index}").into_bytes(),
				}),
			)
			.expect("the hospital offers the role");
			dispatch(
				*doctor,
				RuntimeCall::Identity(pallet_ehr_identity::Call::accept_doctor {
					hospital: account(Alice),
					encryption_key: [index as u8 + 40; 32],
				}),
			)
			.expect("the doctor accepts");
		}
		for (index, patient) in patients.iter().enumerate() {
			dispatch(
				Alice,
				RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient {
					patient: account(*patient),
				}),
			)
			.expect("the hospital invites the patient");
			dispatch(
				*patient,
				RuntimeCall::Identity(pallet_ehr_identity::Call::register_patient {
					encryption_key: [index as u8 + 1; 32],
				}),
			)
			.expect("the invited patient registers");
		}
		test();
	});
}

fn grant_call(
	patient: Sr25519Keyring,
	grantee: Sr25519Keyring,
	scope: Scope,
	expires_at: Option<Moment>,
) -> RuntimeCall {
	consent(pallet_ehr_consent::Call::grant_access {
		patient: account(patient),
		grantee: account(grantee),
		scope,
		access: AccessLevel::Read,
		expires_at,
		purpose: Purpose::Treatment,
	})
}

fn change_call(
	patient: Sr25519Keyring,
	grantee: Sr25519Keyring,
	expires_at: Option<Moment>,
) -> RuntimeCall {
	consent(pallet_ehr_consent::Call::change_access {
		patient: account(patient),
		grantee: account(grantee),
		scope: Scope::All,
		access: AccessLevel::Read,
		expires_at,
		purpose: Purpose::Treatment,
	})
}

/// The patient adds a record of `category` (a real CIDv1 and the patient's own key); returns
/// its id.
fn add_record(patient: Sr25519Keyring, category: RecordCategory, seed: u8) -> u64 {
	let id = pallet_ehr_records::NextRecordId::<Runtime>::get();
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	dispatch(
		patient,
		RuntimeCall::Records(pallet_ehr_records::Call::add_record {
			patient: account(patient),
			category,
			cid: cid.try_into().unwrap(),
			content_hash: [seed; 32],
			size: 1_000,
			keys: vec![(account(patient), vec![seed; 80].try_into().unwrap())].try_into().unwrap(),
			escrow: None,
		}),
	)
	.expect("the patient adds a record");
	id
}

fn log_call(patient: Sr25519Keyring, record: u64, category: RecordCategory) -> RuntimeCall {
	consent(pallet_ehr_consent::Call::log_access { patient: account(patient), record, category })
}

fn open_emergency_call(patient: Sr25519Keyring) -> RuntimeCall {
	consent(pallet_ehr_consent::Call::open_emergency_access {
		patient: account(patient),
		code: ehr_primitives::EmergencyReason::Unconscious,
		commitment: Some([9; 32]),
	})
}

fn accessed_entries(patient: Sr25519Keyring) -> usize {
	pallet_ehr_consent::Pallet::<Runtime>::trail(&account(patient), 0, 10_000)
		.into_iter()
		.filter(|(_, entry)| matches!(entry.event, AuditEvent::RecordAccessed { .. }))
		.count()
}

/// One patient changing its grant again and again within a minute, with expiries 24 hours
/// ahead, used to fill the shared expiry bucket of that minute, so that no doctor anywhere
/// could open emergency access (which also expires 24 hours ahead).
#[test]
fn a_patient_changing_a_grant_cannot_block_anyone_elses_emergency_access() {
	chain(&[Bob, Eve], &[Charlie, Dave], || {
		let day_ahead = START + 24 * HOUR;
		dispatch(Charlie, grant_call(Charlie, Bob, Scope::All, Some(day_ahead)))
			.expect("the attacker grants");
		// As often as an account may change its settings in an hour (64, the grant included);
		// the next change waits for the next hour.
		for offset in 0..63 {
			dispatch(Charlie, change_call(Charlie, Bob, Some(day_ahead + offset)))
				.expect("the patient may change its own grant");
		}
		assert_eq!(
			dispatch(Charlie, change_call(Charlie, Bob, Some(day_ahead + 63))),
			Err(consent_error(pallet_ehr_consent::Error::TooManySettingsChanges))
		);
		// Another doctor, another patient, the same minute of expiry.
		assert_eq!(dispatch(Eve, open_emergency_call(Dave)), Ok(()));
		// And another patient can still grant with an expiry in that minute.
		assert_eq!(dispatch(Dave, grant_call(Dave, Bob, Scope::All, Some(day_ahead))), Ok(()));
		// Every grant and emergency access has one expiry item, however often it changed.
		assert_eq!(pallet_ehr_consent::Expiries::<Runtime>::iter().count(), 3);
	});
}

/// `log_access` used to write whatever record and category the caller named.
#[test]
fn log_access_records_only_a_real_record_of_that_patient_and_category() {
	chain(&[Bob, Eve], &[Charlie, Dave], || {
		let lab_report = add_record(Charlie, RecordCategory::LabReport, 1);
		let someone_elses = add_record(Dave, RecordCategory::LabReport, 2);
		let prescription = add_record(Charlie, RecordCategory::Prescription, 3);
		let labs_only = Scope::Categories(vec![RecordCategory::LabReport].try_into().unwrap());
		dispatch(Charlie, grant_call(Charlie, Bob, labs_only, None)).expect("granted");

		// A record that does not exist.
		assert_eq!(
			dispatch(Bob, log_call(Charlie, 999, RecordCategory::LabReport)),
			Err(consent_error(pallet_ehr_consent::Error::UnknownRecord))
		);
		// Another patient's record, claimed for this patient.
		assert_eq!(
			dispatch(Bob, log_call(Charlie, someone_elses, RecordCategory::LabReport)),
			Err(consent_error(pallet_ehr_consent::Error::NotPatientsRecord))
		);
		// A prescription passed off as a lab report, to slip past the scope.
		assert_eq!(
			dispatch(Bob, log_call(Charlie, prescription, RecordCategory::LabReport)),
			Err(consent_error(pallet_ehr_consent::Error::WrongCategory))
		);
		// A category the reader has no consent for.
		assert_eq!(
			dispatch(Bob, log_call(Charlie, prescription, RecordCategory::Prescription)),
			Err(consent_error(pallet_ehr_consent::Error::NotAuthorized))
		);
		// A doctor with no consent at all.
		assert_eq!(
			dispatch(Eve, log_call(Charlie, lab_report, RecordCategory::LabReport)),
			Err(consent_error(pallet_ehr_consent::Error::NotAuthorized))
		);
		assert_eq!(accessed_entries(Charlie), 0);

		assert_eq!(dispatch(Bob, log_call(Charlie, lab_report, RecordCategory::LabReport)), Ok(()));
		assert_eq!(
			dispatch(Charlie, log_call(Charlie, prescription, RecordCategory::Prescription)),
			Ok(())
		);
		assert_eq!(accessed_entries(Charlie), 2);
	});
}

/// A reader with consent used to be able to append reads to a patient's trail without end.
#[test]
fn a_reader_cannot_flood_a_patients_trail() {
	use frame_support::traits::Get;
	let limit: u32 = <Runtime as pallet_ehr_consent::Config>::MaxAccessLogsPerPeriod::get();
	let period: Moment = <Runtime as pallet_ehr_consent::Config>::AccessLogPeriod::get();
	chain(&[Bob, Ferdie], &[Charlie], || {
		let record = add_record(Charlie, RecordCategory::LabReport, 1);
		dispatch(Charlie, grant_call(Charlie, Bob, Scope::All, None)).expect("granted");
		dispatch(Charlie, grant_call(Charlie, Ferdie, Scope::All, None)).expect("granted");
		for _ in 0..limit {
			assert_eq!(dispatch(Bob, log_call(Charlie, record, RecordCategory::LabReport)), Ok(()));
		}
		assert_eq!(
			dispatch(Bob, log_call(Charlie, record, RecordCategory::LabReport)),
			Err(consent_error(pallet_ehr_consent::Error::TooManyAccessLogs))
		);
		// The bound is per reader: another reader of the same patient still logs.
		assert_eq!(dispatch(Ferdie, log_call(Charlie, record, RecordCategory::LabReport)), Ok(()));
		assert_eq!(accessed_entries(Charlie), limit as usize + 1);
		// The next period, the reader logs again.
		pallet_timestamp::Now::<Runtime>::put(START + period);
		assert_eq!(dispatch(Bob, log_call(Charlie, record, RecordCategory::LabReport)), Ok(()));
	});
}

/// One block's expiry clean-up, at its bound (items, keys, empty minutes), stays a small part
/// of the block, whatever expires at the same time: the rest waits for the next blocks.
#[test]
fn one_blocks_expiry_clean_up_fits_in_a_tenth_of_a_block() {
	let max_block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	let clean_up = pallet_ehr_consent::Pallet::<Runtime>::max_expiry_weight();
	assert!(
		clean_up.ref_time().saturating_mul(10) <= max_block.ref_time(),
		"clean-up {clean_up:?} of block {max_block:?}"
	);
}

/// Access ends at the expiry time in every answer of the runtime API, whatever is still to be
/// cleaned up; the next block's clean-up then writes the expiry to the trail.
#[test]
fn expired_access_is_refused_and_unlisted_by_the_runtime_api_before_clean_up() {
	use ehr_primitives::runtime_decl_for_ehr_api::EhrApiV1;
	use ehr_runtime::{AccountId, Block, BlockNumber};
	chain(&[Bob, Eve], &[Charlie], || {
		let (doctor, emergency_doctor, patient) = (account(Bob), account(Eve), account(Charlie));
		dispatch(Charlie, grant_call(Charlie, Bob, Scope::All, Some(START + HOUR)))
			.expect("granted");
		dispatch(Eve, open_emergency_call(Charlie)).expect("opened");
		let check = |who: &AccountId| {
			<Runtime as EhrApiV1<Block, AccountId, BlockNumber>>::check_access(
				who.clone(),
				patient.clone(),
				RecordCategory::LabReport,
				AccessLevel::Read,
			)
		};
		assert!(check(&doctor) && check(&emergency_doctor));

		// A day later, before any block has cleaned up.
		pallet_timestamp::Now::<Runtime>::put(START + 24 * HOUR);
		assert!(pallet_ehr_consent::Grants::<Runtime>::contains_key(&patient, &doctor));
		assert!(!check(&doctor) && !check(&emergency_doctor));
		assert!(<Runtime as EhrApiV1<Block, AccountId, BlockNumber>>::patient_grants(
			patient.clone()
		)
		.is_empty());
		assert!(<Runtime as EhrApiV1<Block, AccountId, BlockNumber>>::doctor_patients(
			doctor.clone()
		)
		.is_empty());
		assert!(<Runtime as EhrApiV1<Block, AccountId, BlockNumber>>::emergency_accesses(
			patient.clone()
		)
		.is_empty());

		// The next blocks clean up, in their `on_initialize` (the cursor passes over at most
		// 600 empty minutes a block: the emergency access is 23 hours after the grant).
		for block in 2..=5 {
			pallet_timestamp::Now::<Runtime>::put(
				START + 24 * HOUR + MINUTE + block as u64 * 6_000,
			);
			start_block(block);
		}
		assert!(!pallet_ehr_consent::Grants::<Runtime>::contains_key(&patient, &doctor));
		assert!(!pallet_ehr_consent::EmergencyAccesses::<Runtime>::contains_key(
			&patient,
			&emergency_doctor
		));
		let trail = pallet_ehr_consent::Pallet::<Runtime>::trail(&patient, 0, 100);
		assert!(trail
			.iter()
			.any(|(_, entry)| matches!(entry.event, AuditEvent::ConsentExpired { .. })));
	});
}

/// A published encryption key of small order (or a second encoding of one) would make every
/// content key wrapped for it readable by anyone: the chain refuses each, for doctors and
/// patients, directly and inside a batch; a usable key still goes through.
#[test]
fn small_order_and_non_canonical_encryption_keys_are_refused() {
	chain(&[Ferdie], &[], || {
		let refused: DispatchError =
			pallet_ehr_identity::Error::<Runtime>::InvalidEncryptionKey.into();
		let mut non_canonical = [0xff; 32];
		non_canonical[31] = 0x7f;
		non_canonical[0] = 0xed; // p: a second name for 0
		let mut top_bit = [9; 32];
		top_bit[31] |= 0x80;
		let bad_keys: Vec<[u8; 32]> = ehr_primitives::LOW_ORDER_ENCRYPTION_KEYS
			.into_iter()
			.chain([non_canonical, top_bit])
			.collect();
		for key in &bad_keys {
			let set_key =
				RuntimeCall::Identity(pallet_ehr_identity::Call::set_encryption_key { key: *key });
			assert_eq!(dispatch(Ferdie, set_key.clone()), Err(refused), "{key:02x?}");
			let batch =
				RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![set_key] });
			assert!(dispatch(Ferdie, batch).is_err(), "{key:02x?} in a batch");
		}
		// The key the doctor accepted its role with stays.
		assert_eq!(
			pallet_ehr_identity::Doctors::<Runtime>::get(account(Ferdie)).unwrap().encryption_key,
			Some([40; 32])
		);
		for key in &bad_keys {
			dispatch(
				Alice,
				RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient {
					patient: account(Eve),
				}),
			)
			.ok();
			let register = RuntimeCall::Identity(pallet_ehr_identity::Call::register_patient {
				encryption_key: *key,
			});
			assert_eq!(dispatch(Eve, register), Err(refused), "{key:02x?}");
		}
		assert!(!pallet_ehr_identity::Patients::<Runtime>::contains_key(account(Eve)));
		let usable =
			RuntimeCall::Identity(pallet_ehr_identity::Call::set_encryption_key { key: [9; 32] });
		assert_eq!(dispatch(Ferdie, usable), Ok(()));
	});
}
