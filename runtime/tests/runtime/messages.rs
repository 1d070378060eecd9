//! Messages and alerts on the real runtime (`local` preset, nobody holds a token), from the
//! attacker's side: only a doctor who cares for the patient (a current grant or an open
//! appointment) writes to the patient, and the patient only to such a doctor; not through a
//! batch, not through a derivative account, not after the grant is revoked; the messages are
//! free for both; oversized pointers do not even decode.

use crate::common::*;
use codec::{Decode, Encode};
use ehr_primitives::{AccessLevel, MessageKind, Purpose, Scope, Severity};
use ehr_runtime::{Balances, Runtime, RuntimeCall, RuntimeEvent, System};
use frame_support::traits::Get;
use pallet_ehr_messages::{Error, Inbox};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Eve, Ferdie, One};
use sp_runtime::DispatchError;

const ALERT: MessageKind = MessageKind::Alert { severity: Severity::Urgent };

fn identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

fn consent(call: pallet_ehr_consent::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Consent(call)
}

fn ok(signer: Sr25519Keyring, call: RuntimeCall) {
	assert_eq!(apply(signer, call), Ok(Ok(())));
}

fn dispatch(signer: Sr25519Keyring, call: RuntimeCall) -> Result<(), DispatchError> {
	apply(signer, call).expect("a valid transaction")
}

fn refused(error: Error<Runtime>) -> Result<(), DispatchError> {
	Err(error.into())
}

fn message(to: Sr25519Keyring, kind: MessageKind) -> RuntimeCall {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([9; 32]);
	RuntimeCall::Messages(pallet_ehr_messages::Call::send {
		recipient: account(to),
		kind,
		cid: cid.try_into().unwrap(),
		size: 200,
		recipient_key: vec![1; 80].try_into().unwrap(),
		sender_key: vec![2; 80].try_into().unwrap(),
	})
}

/// Alice's hospital verifies the doctors Ferdie and One (with encryption keys) and invites the
/// patient Eve, who registers.
fn people() {
	for (doctor, key) in [(Ferdie, 2u8), (One, 3)] {
		ok(
			Alice,
			identity(pallet_ehr_identity::Call::register_doctor {
				doctor: account(doctor),
				name: b"Dr.".to_vec(),
				specialty: b"general".to_vec(),
				licence: b"MD-7".to_vec(),
			}),
		);
		ok(
			doctor,
			identity(pallet_ehr_identity::Call::accept_doctor {
				hospital: account(Alice),
				encryption_key: [key; 32],
			}),
		);
	}
	ok(Alice, identity(pallet_ehr_identity::Call::invite_patient { patient: account(Eve) }));
	ok(Eve, identity(pallet_ehr_identity::Call::register_patient { encryption_key: [1; 32] }));
}

fn grant(patient: Sr25519Keyring, doctor: Sr25519Keyring) -> RuntimeCall {
	consent(pallet_ehr_consent::Call::grant_access {
		patient: account(patient),
		grantee: account(doctor),
		scope: Scope::All,
		access: AccessLevel::Read,
		expires_at: None,
		purpose: Purpose::Treatment,
	})
}

#[test]
fn only_a_doctor_who_cares_for_the_patient_writes_and_it_is_free() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		// Strangers: before any grant, either way.
		assert_eq!(dispatch(Ferdie, message(Eve, ALERT)), refused(Error::NoCareRelationship));
		assert_eq!(
			dispatch(Eve, message(Ferdie, MessageKind::Message)),
			refused(Error::NoCareRelationship)
		);
		// A hospital is not a doctor.
		assert_eq!(dispatch(Bob, message(Eve, ALERT)), refused(Error::NotPatientAndDoctor));

		ok(Eve, grant(Eve, Ferdie));
		ok(Ferdie, message(Eve, ALERT));
		ok(Eve, message(Ferdie, MessageKind::Message));
		assert_eq!(pallet_ehr_messages::Pallet::<Runtime>::inbox(&account(Eve)).len(), 1);
		assert_eq!(pallet_ehr_messages::Pallet::<Runtime>::inbox(&account(Ferdie)).len(), 1);
		// Nobody held a token, and nobody was charged.
		assert_eq!(Balances::free_balance(account(Eve)), 0);
		assert_eq!(Balances::free_balance(account(Ferdie)), 0);

		// Ferdie's colleague One has no relationship of its own.
		assert_eq!(dispatch(One, message(Eve, ALERT)), refused(Error::NoCareRelationship));
		// Nor through a batch: the batch stops at the refused call.
		let batch_all = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![message(Eve, ALERT)],
		});
		assert_eq!(dispatch(One, batch_all), refused(Error::NoCareRelationship));
		// Nor from a derivative account (which is nobody, and must pay: One has no tokens).
		let derivative = RuntimeCall::Utility(pallet_utility::Call::as_derivative {
			index: 0,
			call: Box::new(message(Eve, ALERT)),
		});
		assert!(apply(One, derivative).is_err());
		assert!(Inbox::<Runtime>::iter_prefix(account(Eve)).all(|(_, m)| m.sender != account(One)));

		// The patient revokes: the doctor's messages stop; the patient cannot write either.
		ok(
			Eve,
			consent(pallet_ehr_consent::Call::revoke_access {
				patient: account(Eve),
				grantee: account(Ferdie),
			}),
		);
		assert_eq!(dispatch(Ferdie, message(Eve, ALERT)), refused(Error::NoCareRelationship));
		assert_eq!(
			dispatch(Eve, message(Ferdie, MessageKind::Message)),
			refused(Error::NoCareRelationship)
		);
	});
}

#[test]
fn a_suspended_doctor_cannot_write_and_patients_cannot_alert() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		ok(Eve, grant(Eve, Ferdie));
		assert_eq!(dispatch(Eve, message(Ferdie, ALERT)), refused(Error::OnlyDoctorsAlert));
		ok(Alice, identity(pallet_ehr_identity::Call::suspend_doctor { doctor: account(Ferdie) }));
		// Suspended: refused before dispatch (no free budget) or by the pallet.
		assert!(!matches!(apply(Ferdie, message(Eve, ALERT)), Ok(Ok(()))));
		assert_eq!(
			dispatch(Eve, message(Ferdie, MessageKind::Message)),
			refused(Error::NotPatientAndDoctor)
		);
	});
}

#[test]
fn a_flooding_doctor_only_replaces_its_own_messages() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		ok(Eve, grant(Eve, Ferdie));
		ok(Eve, grant(Eve, One));
		ok(One, message(Eve, ALERT));
		let kept: u32 = <Runtime as pallet_ehr_messages::Config>::MaxKeptPerSender::get();
		for _ in 0..kept + 3 {
			ok(Ferdie, message(Eve, MessageKind::Message));
		}
		let inbox = pallet_ehr_messages::Pallet::<Runtime>::inbox(&account(Eve));
		assert_eq!(inbox.len() as u32, kept + 1);
		assert_eq!(inbox.iter().filter(|(_, m)| m.sender == account(One)).count(), 1);
		assert!(System::events().iter().any(|record| matches!(
			record.event,
			RuntimeEvent::Messages(pallet_ehr_messages::Event::MessageDropped { .. })
		)));
	});
}

#[test]
fn an_oversized_pointer_or_key_does_not_decode() {
	let max_cid: u32 = <Runtime as pallet_ehr_messages::Config>::MaxCidLength::get();
	let max_key: u32 = <Runtime as pallet_ehr_messages::Config>::MaxWrappedKeyLength::get();
	let encode = |cid_len: u32, key_len: u32| {
		let mut call = vec![35u8, 0]; // Messages, send
		(
			account(Eve),
			MessageKind::Message,
			vec![1u8; cid_len as usize],
			200u32,
			vec![1u8; key_len as usize],
			vec![2u8; 80],
		)
			.encode_to(&mut call);
		call
	};
	assert!(RuntimeCall::decode(&mut encode(max_cid, max_key).as_slice()).is_ok());
	assert!(RuntimeCall::decode(&mut encode(max_cid + 1, max_key).as_slice()).is_err());
	assert!(RuntimeCall::decode(&mut encode(max_cid, max_key + 1).as_slice()).is_err());
}
