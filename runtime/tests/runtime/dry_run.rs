//! The dry-run runtime API (`CallDryRunApi`) from the attacker's side, on the real runtime: it
//! answers what the same call signed by that account would do, keeps nothing, runs nothing
//! larger than a block, and lends no origin the account does not have.

use crate::common::*;
use ehr_primitives::runtime_decl_for_call_dry_run_api::CallDryRunApiV1;
use ehr_runtime::{AccountId, Block, Runtime, RuntimeCall};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie};
use sp_runtime::{DispatchError, StateVersion};

fn dry_run(who: Sr25519Keyring, call: RuntimeCall) -> Result<(), DispatchError> {
	<Runtime as CallDryRunApiV1<Block, AccountId, RuntimeCall>>::dry_run(account(who), call)
}

fn register(doctor: Sr25519Keyring) -> RuntimeCall {
	RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
		doctor: account(doctor),
		name: b"Dr. Bob Kelso".to_vec(),
		specialty: b"internal medicine".to_vec(),
		licence: b"MD-1001".to_vec(),
	})
}

fn root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

#[test]
fn a_dry_run_answers_as_the_signed_call_would_and_keeps_nothing() {
	ext_from_preset(DEV).execute_with(|| {
		start_block(1);
		let before = root();
		// Alice is the dev chain's hospital: registering a doctor would succeed…
		assert_eq!(dry_run(Alice, register(Bob)), Ok(()));
		// …and nothing of it is kept: no doctor, no event, the same state.
		assert!(pallet_ehr_identity::Doctors::<Runtime>::get(account(Bob)).is_none());
		assert_eq!(root(), before);
		// Bob is no hospital: refused, with the error the signed call then gets.
		let refused = dry_run(Bob, register(Charlie)).unwrap_err();
		assert_eq!(apply(Bob, register(Charlie)).expect("valid transaction"), Err(refused));
		// The signed call that the dry run allowed goes through.
		assert_eq!(apply(Alice, register(Bob)).expect("valid transaction"), Ok(()));
		// And now the chain's state decides: registering again is refused at once.
		let again = dry_run(Alice, register(Bob)).unwrap_err();
		assert_eq!(apply(Alice, register(Bob)).expect("valid transaction"), Err(again));
	});
}

#[test]
fn a_dry_run_lends_no_origin_and_runs_nothing_larger_than_a_block() {
	ext_from_preset(DEV).execute_with(|| {
		start_block(1);
		let before = root();
		// A call for the hospitals together (Root): a signed account gets `BadOrigin`.
		let set_storage = RuntimeCall::System(frame_system::Call::set_storage {
			items: vec![(b":code".to_vec(), b"attacker".to_vec())],
		});
		assert_eq!(dry_run(Alice, set_storage), Err(DispatchError::BadOrigin));
		// More declared work than a block holds is refused before anything runs.
		use frame_support::dispatch::GetDispatchInfo;
		let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		let one = register(Bob).get_dispatch_info().total_weight();
		let copies = (max.ref_time() / one.ref_time().max(1) + 2) as usize;
		let heavy = RuntimeCall::Utility(pallet_utility::Call::batch {
			calls: vec![register(Bob); copies],
		});
		assert!(heavy.get_dispatch_info().total_weight().any_gt(max));
		assert_eq!(dry_run(Alice, heavy), Err(DispatchError::Exhausted));
		assert_eq!(root(), before);
	});
}
