//! Fees: registered accounts transact with no tokens within a quota; others pay or are refused.
//! Transactions are real signed extrinsics applied through `Executive`.

mod common;

use common::*;
use ehr_runtime::{Balances, FeeQuota, System, UNIT};
use frame_support::traits::Get;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Eve};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};

const PAYMENT: TransactionValidityError =
	TransactionValidityError::Invalid(InvalidTransaction::Payment);

#[test]
fn a_registered_hospital_transacts_with_no_balance() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		assert_eq!(Balances::free_balance(account(Alice)), 0);
		assert_eq!(apply(Alice, remark()), Ok(Ok(())));
		assert_eq!(apply(Alice, remark()), Ok(Ok(())));
		assert_eq!(System::account_nonce(account(Alice)), 2);
		assert_eq!(Balances::free_balance(account(Alice)), 0);
	});
}

#[test]
fn an_unregistered_account_with_no_balance_is_refused() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		assert_eq!(apply(Eve, remark()), Err(PAYMENT));
		assert_eq!(System::account_nonce(account(Eve)), 0);
	});
}

#[test]
fn an_unregistered_account_is_charged() {
	ext_from_preset(DEV).execute_with(|| {
		start_block(1);
		// In `dev`, Bob holds tokens but is no hospital.
		let before = Balances::free_balance(account(Bob));
		assert!(before > UNIT);
		assert_eq!(apply(Bob, remark()), Ok(Ok(())));
		assert!(Balances::free_balance(account(Bob)) < before);
	});
}

#[test]
fn the_quota_stops_a_flood() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let quota: u32 =
			<ehr_runtime::Runtime as pallet_fee_quota::Config>::FreeTransactionsPerPeriod::get();
		for _ in 0..quota {
			assert_eq!(apply(Alice, remark()), Ok(Ok(())));
		}
		assert_eq!(FeeQuota::remaining(&account(Alice)), 0);
		// One more in the same period: no quota left and no tokens to pay with.
		assert_eq!(apply(Alice, remark()), Err(PAYMENT));
		assert_eq!(System::account_nonce(account(Alice)), quota);
	});
}

#[test]
fn token_transfers_are_never_free() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let transfer =
			ehr_runtime::RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
				dest: account(Eve).into(),
				value: 1,
			});
		assert_eq!(apply(Alice, transfer), Err(PAYMENT));
	});
}

#[test]
fn an_invited_patient_and_a_verified_doctor_never_need_tokens() {
	use ehr_primitives::{AccessLevel, Purpose, Scope};
	use ehr_runtime::RuntimeCall;
	use sp_keyring::Sr25519Keyring::{Ferdie, One};
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let (patient, doctor) = (Eve, Ferdie);
		// The hospital (Alice) verifies a doctor and invites a patient, for free.
		assert_eq!(
			apply(
				Alice,
				RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
					doctor: account(doctor),
					name: b"Dr. Ferdie".to_vec(),
					specialty: b"cardiology".to_vec(),
					licence: b"MD-7".to_vec(),
				})
			),
			Ok(Ok(()))
		);
		assert_eq!(
			apply(
				Alice,
				RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient {
					patient: account(patient)
				})
			),
			Ok(Ok(()))
		);
		// Neither the patient nor the doctor holds a token, yet both transact.
		assert_eq!(
			apply(
				patient,
				RuntimeCall::Identity(pallet_ehr_identity::Call::register_patient {
					encryption_key: [1; 32]
				})
			),
			Ok(Ok(()))
		);
		assert_eq!(
			apply(
				doctor,
				RuntimeCall::Identity(pallet_ehr_identity::Call::set_encryption_key {
					key: [2; 32]
				})
			),
			Ok(Ok(()))
		);
		assert_eq!(
			apply(
				patient,
				RuntimeCall::Consent(pallet_ehr_consent::Call::grant_access {
					patient: account(patient),
					grantee: account(doctor),
					scope: Scope::All,
					access: AccessLevel::ReadWrite,
					expires_at: None,
					purpose: Purpose::Treatment,
				})
			),
			Ok(Ok(()))
		);
		assert_eq!(Balances::free_balance(account(patient)), 0);
		assert_eq!(Balances::free_balance(account(doctor)), 0);

		// Someone nobody invited, with no tokens, cannot register: flooding needs tokens.
		assert_eq!(
			apply(
				One,
				RuntimeCall::Identity(pallet_ehr_identity::Call::register_patient {
					encryption_key: [3; 32]
				})
			),
			Err(PAYMENT)
		);
	});
}
