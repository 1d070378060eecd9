//! Fees on the real runtime, from the attacker's side: registered accounts transact with no
//! tokens within a budget of work; everything else pays or is refused. Transactions are real
//! signed extrinsics applied through `Executive`.

use crate::common::*;
use codec::{Decode, Encode};
use ehr_primitives::{AccessLevel, Purpose, RecordCategory, Scope};
use ehr_runtime::{Balances, FeeQuota, Runtime, RuntimeCall, System, UNIT};
use frame_support::{dispatch::GetDispatchInfo, traits::Get};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Eve, Ferdie, One, Two};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};

const PAYMENT: TransactionValidityError =
	TransactionValidityError::Invalid(InvalidTransaction::Payment);

fn identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

fn batch(calls: Vec<RuntimeCall>) -> RuntimeCall {
	RuntimeCall::Utility(pallet_utility::Call::batch { calls })
}

/// A cheap EHR call every hospital may make.
fn hospital_name() -> RuntimeCall {
	identity(pallet_ehr_identity::Call::set_hospital_name { name: b"General".to_vec() })
}

/// On `local`: Alice's hospital verifies the doctor Ferdie (with an encryption key) and invites
/// the patient Eve, who registers. Nobody holds a token.
fn people() {
	assert_eq!(
		apply(
			Alice,
			identity(pallet_ehr_identity::Call::register_doctor {
				doctor: account(Ferdie),
				name: b"Dr. Ferdie".to_vec(),
				specialty: b"cardiology".to_vec(),
				licence: b"MD-7".to_vec(),
			})
		),
		Ok(Ok(()))
	);
	assert_eq!(
		apply(Alice, identity(pallet_ehr_identity::Call::invite_patient { patient: account(Eve) })),
		Ok(Ok(()))
	);
	assert_eq!(
		apply(
			Eve,
			identity(pallet_ehr_identity::Call::register_patient { encryption_key: [1; 32] })
		),
		Ok(Ok(()))
	);
	assert_eq!(
		apply(
			Ferdie,
			identity(pallet_ehr_identity::Call::accept_doctor {
				hospital: account(Alice),
				encryption_key: [2; 32],
			})
		),
		Ok(Ok(()))
	);
}

fn grant(patient: Sr25519Keyring, grantee: Sr25519Keyring) -> RuntimeCall {
	RuntimeCall::Consent(pallet_ehr_consent::Call::grant_access {
		patient: account(patient),
		grantee: account(grantee),
		scope: Scope::All,
		access: AccessLevel::ReadWrite,
		expires_at: None,
		purpose: Purpose::Treatment,
	})
}

fn cid(seed: u8) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	cid
}

fn add_record(patient: Sr25519Keyring, readers: &[Sr25519Keyring]) -> RuntimeCall {
	RuntimeCall::Records(pallet_ehr_records::Call::add_record {
		patient: account(patient),
		category: RecordCategory::LabReport,
		cid: cid(1).try_into().unwrap(),
		content_hash: [1; 32],
		size: 100,
		keys: readers
			.iter()
			.map(|reader| (account(*reader), vec![*reader as u8; 80].try_into().unwrap()))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
		escrow: None,
	})
}

fn share(reader: Sr25519Keyring, record: u64, key: u8) -> RuntimeCall {
	RuntimeCall::Records(pallet_ehr_records::Call::share_keys {
		reader: account(reader),
		keys: vec![(record, vec![key; 80].try_into().unwrap())].try_into().unwrap(),
	})
}

fn ref_time_left(who: Sr25519Keyring) -> u64 {
	FeeQuota::remaining(&account(who)).0
}

#[test]
fn a_registered_hospital_transacts_with_no_balance() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		assert_eq!(Balances::free_balance(account(Alice)), 0);
		assert_eq!(apply(Alice, hospital_name()), Ok(Ok(())));
		assert_eq!(apply(Alice, hospital_name()), Ok(Ok(())));
		assert_eq!(System::account_nonce(account(Alice)), 2);
		assert_eq!(Balances::free_balance(account(Alice)), 0);
	});
}

#[test]
fn an_unregistered_account_with_no_balance_is_refused() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		assert_eq!(apply(Eve, remark()), Err(PAYMENT));
		assert_eq!(apply(Eve, hospital_name()), Err(PAYMENT));
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
fn remarks_transfers_and_derivative_calls_are_never_free_even_in_a_batch() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
			dest: account(Eve).into(),
			value: 1,
		});
		// A remark of a few MiB in a batch carried a whole block for free before.
		let big_remark =
			RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 1 << 20] });
		// One account registering keyless patients through derivative accounts, without
		// invitations.
		let derivative = RuntimeCall::Utility(pallet_utility::Call::as_derivative {
			index: 7,
			call: Box::new(identity(pallet_ehr_identity::Call::register_patient {
				encryption_key: [3; 32],
			})),
		});
		let dispatch_as = RuntimeCall::Utility(pallet_utility::Call::dispatch_as {
			as_origin: Box::new(frame_system::RawOrigin::Signed(account(Two)).into()),
			call: Box::new(hospital_name()),
		});
		for call in [remark(), big_remark, transfer, derivative.clone(), dispatch_as] {
			// Alice is a hospital with no tokens: not free means refused.
			assert_eq!(apply(Alice, call.clone()), Err(PAYMENT));
			assert_eq!(apply(Alice, batch(vec![hospital_name(), call.clone()])), Err(PAYMENT));
			// Nested batches are looked into too.
			assert_eq!(apply(Alice, batch(vec![batch(vec![call])])), Err(PAYMENT));
		}
		// A batch of only EHR calls is free.
		assert_eq!(apply(Alice, batch(vec![hospital_name(), hospital_name()])), Ok(Ok(())));
		// No patient was registered on the way.
		let derived = pallet_utility::derivative_account_id(account(Alice), 7);
		assert!(!pallet_ehr_identity::Patients::<Runtime>::contains_key(derived));
		assert_eq!(System::account_nonce(account(Alice)), 1);
	});
}

#[test]
fn the_budget_stops_a_flood_of_free_transactions() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let budget: u64 = <Runtime as pallet_fee_quota::Config>::FreeRefTimePerPeriod::get();
		let mut sent = 0u64;
		while apply(Alice, hospital_name()) == Ok(Ok(())) {
			sent += 1;
			assert!(sent < 100_000, "the budget never ran out");
		}
		println!("{sent} free `set_hospital_name` transactions before the budget ran out");
		// What was spent fits the budget, and nothing more fits.
		assert!(ref_time_left(Alice) < budget / sent.max(1) * 2);
		assert_eq!(apply(Alice, hospital_name()), Err(PAYMENT));
		assert_eq!(System::account_nonce(account(Alice)), sent as u32);
		// Another hospital is not affected.
		assert_eq!(apply(Bob, hospital_name()), Ok(Ok(())));
		// The next period renews it.
		let period: u32 = <Runtime as pallet_fee_quota::Config>::Period::get();
		System::set_block_number(period);
		assert_eq!(ref_time_left(Alice), budget);
		assert_eq!(apply(Alice, hospital_name()), Ok(Ok(())));
	});
}

#[test]
fn failed_calls_spend_the_budget_and_unused_weight_is_given_back() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let budget: u64 = <Runtime as pallet_fee_quota::Config>::FreeRefTimePerPeriod::get();
		// Suspending a doctor who does not exist fails: it still costs its weight.
		let failing =
			identity(pallet_ehr_identity::Call::suspend_doctor { doctor: account(Charlie) });
		assert!(matches!(apply(Alice, failing), Ok(Err(_))));
		let after_failure = ref_time_left(Alice);
		assert!(after_failure < budget);
		// `erase_record` declares its worst case (every version, every key) and reports what
		// it did: the budget pays only that.
		people();
		assert_eq!(apply(Eve, add_record(Eve, &[Eve])), Ok(Ok(())));
		let erase = RuntimeCall::Records(pallet_ehr_records::Call::erase_record { record: 0 });
		let declared = erase.get_dispatch_info().total_weight().ref_time();
		let before = ref_time_left(Eve);
		assert_eq!(apply(Eve, erase), Ok(Ok(())));
		let spent = before - ref_time_left(Eve);
		assert!(spent < declared, "spent {spent} of the declared {declared}");
	});
}

#[test]
fn oversized_argument_lists_do_not_decode() {
	// `share_keys` with thousands of entries declared more than a second of weight and failed
	// at once; now it cannot even be decoded.
	let limit: u32 = <Runtime as pallet_ehr_records::Config>::MaxKeysPerShare::get();
	let mut call = vec![32u8, 2]; // Records, share_keys
	(account(Bob), (0..=limit as u64).map(|id| (id, vec![1u8; 80])).collect::<Vec<_>>())
		.encode_to(&mut call);
	assert!(RuntimeCall::decode(&mut call.as_slice()).is_err());
	let mut call = vec![32u8, 2];
	(account(Bob), (0..limit as u64).map(|id| (id, vec![1u8; 80])).collect::<Vec<_>>())
		.encode_to(&mut call);
	assert!(RuntimeCall::decode(&mut call.as_slice()).is_ok());
	// And the weight a valid call declares is bounded by the largest valid input.
	let call = RuntimeCall::decode(&mut call.as_slice()).unwrap();
	let max_block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	assert!(call.get_dispatch_info().total_weight().ref_time() < max_block.ref_time() / 10);
}

#[test]
fn wallets_see_a_zero_fee_only_for_transactions_that_will_be_free() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let query = |signer, call| {
			let uxt = signed_extrinsic(signer, call);
			let len = uxt.encoded_size() as u32;
			(
				ehr_runtime::is_free_transaction(&uxt, len),
				pallet_transaction_payment::Pallet::<Runtime>::query_info(uxt, len).partial_fee,
			)
		};
		assert_eq!(query(Alice, hospital_name()).0, true);
		assert!(!query(Alice, remark()).0);
		assert!(query(Alice, remark()).1 > 0);
		assert!(!query(Eve, hospital_name()).0);
		let budget = FeeQuota::free_budget(&account(Alice));
		assert!(budget.registered && budget.ref_time_left == budget.ref_time_per_period);
		assert!(!FeeQuota::free_budget(&account(Eve)).registered);
	});
}

#[test]
fn an_invited_patient_and_a_verified_doctor_never_need_tokens() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		assert_eq!(apply(Eve, grant(Eve, Ferdie)), Ok(Ok(())));
		assert_eq!(Balances::free_balance(account(Eve)), 0);
		assert_eq!(Balances::free_balance(account(Ferdie)), 0);

		// Someone nobody invited, with no tokens, cannot register: flooding needs tokens.
		assert_eq!(
			apply(
				One,
				identity(pallet_ehr_identity::Call::register_patient { encryption_key: [3; 32] })
			),
			Err(PAYMENT)
		);
	});
}

#[test]
fn a_suspended_doctor_loses_its_free_budget() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		assert_eq!(
			apply(Ferdie, identity(pallet_ehr_identity::Call::set_encryption_key { key: [4; 32] })),
			Ok(Ok(()))
		);
		assert_eq!(
			apply(
				Alice,
				identity(pallet_ehr_identity::Call::suspend_doctor { doctor: account(Ferdie) })
			),
			Ok(Ok(()))
		);
		assert_eq!(
			apply(Ferdie, identity(pallet_ehr_identity::Call::set_encryption_key { key: [5; 32] })),
			Err(PAYMENT)
		);
		assert!(!FeeQuota::free_budget(&account(Ferdie)).registered);
	});
}

#[test]
fn nobody_overwrites_the_patients_or_another_readers_key() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		assert_eq!(apply(Eve, grant(Eve, Ferdie)), Ok(Ok(())));
		assert_eq!(apply(Eve, add_record(Eve, &[Eve, Ferdie])), Ok(Ok(())));
		// The doctor, a reader with a key, writes junk over the patient's key: refused, and
		// the patient's key is intact.
		let refused = apply(Ferdie, share(Eve, 0, 0xee));
		assert!(matches!(refused, Ok(Err(_))), "{refused:?}");
		let key = pallet_ehr_records::WrappedKeys::<Runtime>::get(0, account(Eve)).unwrap();
		assert_eq!(key.to_vec(), vec![Eve as u8; 80]);
		// It may replace its own key (after rotating its encryption key).
		assert_eq!(apply(Ferdie, share(Ferdie, 0, 9)), Ok(Ok(())));
		let key = pallet_ehr_records::WrappedKeys::<Runtime>::get(0, account(Ferdie)).unwrap();
		assert_eq!(key.to_vec(), vec![9; 80]);
	});
}

#[test]
fn a_delegate_cannot_erase_records_or_remove_keys() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		// Charlie is a hospital; it invites a guardian (Two) who registers and becomes Eve's
		// delegate.
		assert_eq!(
			apply(
				Charlie,
				identity(pallet_ehr_identity::Call::invite_patient { patient: account(Two) })
			),
			Ok(Ok(()))
		);
		assert_eq!(
			apply(
				Two,
				identity(pallet_ehr_identity::Call::register_patient { encryption_key: [6; 32] })
			),
			Ok(Ok(()))
		);
		assert_eq!(
			apply(
				Eve,
				identity(pallet_ehr_identity::Call::add_delegate { delegate: account(Two) })
			),
			Ok(Ok(()))
		);
		assert_eq!(apply(Eve, grant(Eve, Ferdie)), Ok(Ok(())));
		assert_eq!(apply(Eve, add_record(Eve, &[Eve, Ferdie])), Ok(Ok(())));
		let erase = RuntimeCall::Records(pallet_ehr_records::Call::erase_record { record: 0 });
		let remove = RuntimeCall::Records(pallet_ehr_records::Call::remove_key {
			record: 0,
			reader: account(Ferdie),
		});
		for call in [erase, remove] {
			assert!(matches!(apply(Two, call), Ok(Err(_))));
		}
		assert!(pallet_ehr_records::WrappedKeys::<Runtime>::contains_key(0, account(Ferdie)));
		assert!(!pallet_ehr_records::Records::<Runtime>::get(0).unwrap().erased);
	});
}

#[test]
fn a_patient_who_registered_without_an_invitation_pays_for_everything() {
	ext_from_preset(DEV).execute_with(|| {
		start_block(1);
		// In `dev`, Bob holds tokens; nobody invited him. Registering costs the fee...
		let before = Balances::free_balance(account(Bob));
		assert_eq!(
			apply(
				Bob,
				identity(pallet_ehr_identity::Call::register_patient { encryption_key: [7; 32] })
			),
			Ok(Ok(()))
		);
		let after_registering = Balances::free_balance(account(Bob));
		assert!(after_registering < before);
		// ...and so does every later transaction: free accounts cannot be bought.
		assert!(!FeeQuota::free_budget(&account(Bob)).registered);
		assert_eq!(apply(Bob, grant(Bob, Alice)), Ok(Ok(())));
		assert!(Balances::free_balance(account(Bob)) < after_registering);
	});
}

#[test]
fn council_calls_are_free_only_for_member_hospitals() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		let close = RuntimeCall::HospitalCouncil(pallet_collective::Call::close {
			proposal_hash: Default::default(),
			index: 0,
			proposal_weight_bound: frame_support::weights::Weight::from_parts(1_000_000_000, 0),
			length_bound: 1_000,
		});
		// An invited patient (free for EHR calls) cannot burn the operational reserve for free.
		assert_eq!(apply(Eve, close.clone()), Err(PAYMENT));
		// A member hospital's council work is free (this one fails: no such motion).
		assert!(matches!(apply(Alice, close), Ok(Err(_))));
		assert_eq!(Balances::free_balance(account(Alice)), 0);
	});
}

#[test]
fn a_council_members_first_vote_says_no_fee_but_spends_its_budget() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let motion = RuntimeCall::System(frame_system::Call::remark_with_event {
			remark: b"motion".to_vec(),
		});
		let hash = <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash_of(&motion);
		let propose = RuntimeCall::HospitalCouncil(pallet_collective::Call::propose {
			threshold: 3,
			proposal: Box::new(motion.clone()),
			length_bound: motion.encoded_size() as u32,
		});
		assert_eq!(apply(Alice, propose), Ok(Ok(())));
		let vote = RuntimeCall::HospitalCouncil(pallet_collective::Call::vote {
			proposal: hash,
			index: 0,
			approve: true,
		});
		// The council reports a member's first vote as `Pays::No`; only a custodian's release is
		// unmetered, so the vote costs the hospital's free budget like any call (a hospital
		// cannot vote on motions of its own forever for nothing).
		let before = ref_time_left(Bob);
		assert_eq!(apply(Bob, vote), Ok(Ok(())));
		assert!(ref_time_left(Bob) < before, "the first vote spent budget");
		assert_eq!(Balances::free_balance(account(Bob)), 0);
	});
}

#[test]
fn free_transactions_leave_room_in_every_block() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		let per_block: u64 = <Runtime as pallet_fee_quota::Config>::MaxFreeRefTimePerBlock::get();
		let per_account: u64 = <Runtime as pallet_fee_quota::Config>::FreeRefTimePerPeriod::get();
		assert!(per_account < per_block && per_block < 2 * per_account);
		// Two hospitals spend all they can in one block: the second stops at the block's cap,
		// not at its own budget.
		while apply(Alice, hospital_name()) == Ok(Ok(())) {}
		while apply(Bob, hospital_name()) == Ok(Ok(())) {}
		let bob_left = ref_time_left(Bob);
		assert!(bob_left > per_account / 4, "Bob was stopped by the block, not his budget");
		let (_, used) = pallet_fee_quota::BlockUsage::<Runtime>::get();
		assert!(used <= per_block);
		// A full block does not make Bob's transaction invalid: the block builder keeps it in
		// the pool for the next block (an invalid one would be dropped from the pool, and
		// anyone filling a block's free room would drop everyone else's).
		assert_eq!(
			apply(Bob, hospital_name()),
			Err(sp_runtime::transaction_validity::TransactionValidityError::Invalid(
				sp_runtime::transaction_validity::InvalidTransaction::ExhaustsResources
			))
		);
		// In the next block Bob goes on.
		start_block(2);
		assert_eq!(apply(Bob, hospital_name()), Ok(Ok(())));
	});
}

/// The block hooks' spare-weight work, as the end of a block runs it.
fn idle() {
	use frame_support::traits::OnIdle;
	<ehr_runtime::AllPalletsWithSystem as OnIdle<u32>>::on_idle(
		System::block_number(),
		frame_support::weights::Weight::from_parts(1_000_000_000_000, u64::MAX),
	);
}

#[test]
fn suspended_doctors_and_narrowed_consent_lose_their_keys() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		assert_eq!(apply(Eve, grant(Eve, Ferdie)), Ok(Ok(())));
		assert_eq!(apply(Eve, add_record(Eve, &[Eve, Ferdie])), Ok(Ok(())));
		let holds = |record| {
			pallet_ehr_records::WrappedKeys::<Runtime>::contains_key(record, account(Ferdie))
		};
		// The patient narrows the doctor's consent to imaging: the lab report's key goes at the
		// end of the block, with a trail entry.
		let narrow = RuntimeCall::Consent(pallet_ehr_consent::Call::change_access {
			patient: account(Eve),
			grantee: account(Ferdie),
			scope: Scope::Categories(vec![RecordCategory::Imaging].try_into().unwrap()),
			access: AccessLevel::Read,
			expires_at: None,
			purpose: Purpose::Treatment,
		});
		assert_eq!(apply(Eve, narrow), Ok(Ok(())));
		assert!(holds(0));
		idle();
		assert!(!holds(0));
		// Widened again and a new record shared; then the hospital suspends the doctor: its
		// keys go at the end of the block.
		assert_eq!(
			apply(
				Eve,
				RuntimeCall::Consent(pallet_ehr_consent::Call::change_access {
					patient: account(Eve),
					grantee: account(Ferdie),
					scope: Scope::All,
					access: AccessLevel::Read,
					expires_at: None,
					purpose: Purpose::Treatment,
				})
			),
			Ok(Ok(()))
		);
		assert_eq!(apply(Eve, add_record(Eve, &[Eve, Ferdie])), Ok(Ok(())));
		assert!(holds(1));
		assert_eq!(
			apply(
				Alice,
				identity(pallet_ehr_identity::Call::suspend_doctor { doctor: account(Ferdie) })
			),
			Ok(Ok(()))
		);
		idle();
		assert!(!holds(1));
		let trail = pallet_ehr_consent::Pallet::<Runtime>::trail(&account(Eve), 0, 100);
		let removed = trail
			.iter()
			.filter(|(_, entry)| {
				matches!(entry.event, ehr_primitives::AuditEvent::KeyRemoved { .. })
			})
			.count();
		assert_eq!(removed, 2);
	});
}

#[test]
fn revoking_stays_cheap_and_the_keys_go_at_the_end_of_the_block() {
	ext_from_preset(LOCAL).execute_with(|| {
		start_block(1);
		people();
		assert_eq!(apply(Eve, grant(Eve, Ferdie)), Ok(Ok(())));
		for _ in 0..3 {
			assert_eq!(apply(Eve, add_record(Eve, &[Eve, Ferdie])), Ok(Ok(())));
		}
		let revoke = RuntimeCall::Consent(pallet_ehr_consent::Call::revoke_access {
			patient: account(Eve),
			grantee: account(Ferdie),
		});
		// Whatever the patient holds, a revocation declares little weight: a patient can always
		// take consent back for free (it used to reserve the removal of 1,024 keys).
		let budget: u64 = <Runtime as pallet_fee_quota::Config>::FreeRefTimePerPeriod::get();
		assert!(revoke.get_dispatch_info().total_weight().ref_time() < budget / 100);
		assert_eq!(apply(Eve, revoke), Ok(Ok(())));
		assert!(!<ehr_runtime::Consent as ehr_primitives::ConsentProvider<_>>::may_access(
			&account(Ferdie),
			&account(Eve),
			RecordCategory::LabReport,
			AccessLevel::Read
		));
		assert_eq!(
			pallet_ehr_records::Pallet::<Runtime>::reader_records(&account(Ferdie), None).len(),
			3
		);
		idle();
		assert!(pallet_ehr_records::Pallet::<Runtime>::reader_records(&account(Ferdie), None)
			.is_empty());
	});
}

#[test]
fn paid_transactions_go_before_free_ones() {
	ext_from_preset(DEV).execute_with(|| {
		start_block(1);
		let priority = |signer, call| {
			ehr_runtime::Executive::validate_transaction(
				sp_runtime::transaction_validity::TransactionSource::External,
				signed_extrinsic(signer, call),
				System::parent_hash(),
			)
			.expect("valid")
			.priority
		};
		// Alice's hospital is free; Bob (tokens, no hospital) pays.
		let free = priority(Alice, hospital_name());
		let paid = priority(Bob, remark());
		assert!(paid >= pallet_fee_quota::PAID_FIRST, "paid {paid}");
		assert!(free < paid, "free {free}, paid {paid}");
		// Free work is kept to its share of the block: paid work finds the rest.
		let per_block: u64 = <Runtime as pallet_fee_quota::Config>::MaxFreeRefTimePerBlock::get();
		let normal = <Runtime as frame_system::Config>::BlockWeights::get()
			.get(frame_support::dispatch::DispatchClass::Normal)
			.max_total
			.unwrap()
			.ref_time();
		assert_eq!(per_block, normal / 10 * 9);
	});
}
