//! Consortium governance on the `local` preset: four hospitals (Alice, Bob, Charlie, Dave).

mod common;

use common::*;
use ehr_runtime::{
	Consortium, Hospitals, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Session, SessionKeys,
	System,
};
use frame_support::{assert_noop, assert_ok, traits::Contains};
use pallet_collective::Instance1;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::DispatchError;

type CouncilError = pallet_collective::Error<Runtime, Instance1>;

fn add_hospital(who: Sr25519Keyring) -> RuntimeCall {
	RuntimeCall::Hospitals(pallet_membership::Call::add_member { who: account(who).into() })
}

fn remove_hospital(who: Sr25519Keyring) -> RuntimeCall {
	RuntimeCall::Hospitals(pallet_membership::Call::remove_member { who: account(who).into() })
}

fn council_members() -> Vec<ehr_runtime::AccountId> {
	pallet_collective::Members::<Runtime, Instance1>::get()
}

/// The last `Executed` result of the council, if any.
fn last_execution() -> Option<Result<(), DispatchError>> {
	System::events().into_iter().rev().find_map(|record| match record.event {
		RuntimeEvent::HospitalCouncil(pallet_collective::Event::Executed { result, .. }) => {
			Some(result)
		}
		_ => None,
	})
}

#[test]
fn genesis_has_four_hospitals_and_four_validators() {
	ext_from_preset(LOCAL).execute_with(|| {
		let mut expected: Vec<_> =
			[Alice, Bob, Charlie, Dave].iter().map(|k| account(*k)).collect();
		expected.sort();
		assert_eq!(council_members(), expected);
		assert_eq!(
			pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get().to_vec(),
			expected
		);
		assert_eq!(Consortium::validators().len(), 4);
		assert_eq!(Session::validators().len(), 4);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
		// No sudo outside `dev`.
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
}

#[test]
fn a_non_member_cannot_add_a_hospital() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		// Not directly...
		assert_noop!(
			Hospitals::add_member(signed(Eve), account(Eve).into()),
			DispatchError::BadOrigin
		);
		// ...nor through the council, where only members may propose...
		assert_noop!(council_motion(add_hospital(Eve), 3, &[Eve]), CouncilError::NotMember);
		// ...nor as a single member acting alone.
		assert_noop!(
			Hospitals::add_member(signed(Alice), account(Eve).into()),
			DispatchError::BadOrigin
		);
		assert!(!Hospitals::contains(&account(Eve)));
	});
}

#[test]
fn a_majority_vote_adds_a_hospital() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		assert_ok!(council_motion(add_hospital(Eve), 3, &[Alice, Bob, Charlie]));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(Hospitals::contains(&account(Eve)));
		assert!(council_members().contains(&account(Eve)));
		// The new member votes at once: Eve's proposal passes with Eve's vote counted.
		assert_ok!(council_motion(add_hospital(Ferdie), 3, &[Eve, Alice, Bob]));
		assert!(Hospitals::contains(&account(Ferdie)));
	});
}

#[test]
fn a_minority_vote_does_not_add_a_hospital() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		// Two of four is not more than half: the motion passes its own threshold but the
		// membership pallet refuses the origin.
		assert_ok!(council_motion(add_hospital(Eve), 2, &[Alice, Bob]));
		assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		assert!(!Hospitals::contains(&account(Eve)));
	});
}

#[test]
fn a_removed_hospital_loses_its_vote() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		assert_ok!(council_motion(remove_hospital(Dave), 3, &[Alice, Bob, Charlie]));
		assert!(!Hospitals::contains(&account(Dave)));
		assert!(!council_members().contains(&account(Dave)));

		// Dave can neither propose nor vote any more.
		assert_noop!(council_motion(add_hospital(Eve), 2, &[Dave]), CouncilError::NotMember);
		let call = add_hospital(Eve);
		let hash = <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash_of(&call);
		let index = pallet_collective::ProposalCount::<Runtime, Instance1>::get();
		assert_ok!(pallet_collective::Pallet::<Runtime, Instance1>::propose(
			signed(Alice),
			2,
			Box::new(call.clone()),
			codec::Encode::encoded_size(&call) as u32,
		));
		assert_noop!(
			pallet_collective::Pallet::<Runtime, Instance1>::vote(signed(Dave), hash, index, true),
			CouncilError::NotMember
		);
	});
}

#[test]
fn a_validator_added_by_vote_is_active_after_the_next_session_change() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		let newcomer = account(Eve);
		let add = RuntimeCall::Consortium(pallet_consortium::Call::add_validator {
			validator: newcomer.clone(),
		});
		// A single hospital may not do it.
		assert_noop!(
			Consortium::add_validator(signed(Alice), newcomer.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(council_motion(add, 3, &[Alice, Bob, Charlie]));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(Consortium::validators().contains(&newcomer));

		// The new validator registers its session keys (with an ownership proof), as
		// `author_rotateKeys` + `session.setKeys` do on a real node.
		let generated = SessionKeys::generate(&codec::Encode::encode(&newcomer), None);
		assert_ok!(Session::set_keys(
			RuntimeOrigin::signed(newcomer.clone()),
			generated.keys.clone(),
			codec::Encode::encode(&generated.proof),
		));

		assert!(!Session::validators().contains(&newcomer));
		// The first session change queues the new set, the second activates it.
		Session::rotate_session();
		assert!(!Session::validators().contains(&newcomer));
		Session::rotate_session();
		assert!(Session::validators().contains(&newcomer));
		assert_eq!(Session::validators().len(), 5);
		assert!(pallet_aura::Authorities::<Runtime>::get().contains(&generated.keys.aura));
	});
}

#[test]
fn a_validator_removed_by_vote_leaves_the_set() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		let leaving = account(Sr25519Keyring::DaveStash);
		let remove = RuntimeCall::Consortium(pallet_consortium::Call::remove_validator {
			validator: leaving.clone(),
		});
		assert_ok!(council_motion(remove, 3, &[Alice, Bob, Charlie]));
		Session::rotate_session();
		Session::rotate_session();
		assert!(!Session::validators().contains(&leaving));
		assert_eq!(Session::validators().len(), 3);
	});
}

#[test]
fn a_runtime_upgrade_needs_two_thirds() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		// `set_heap_pages` stands in for `set_code`: both need `Root`.
		let root_call =
			Box::new(RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 100 }));
		let via_consortium =
			RuntimeCall::Consortium(pallet_consortium::Call::dispatch_as_root { call: root_call });
		let heap_pages_set = || {
			System::events().iter().any(|record| {
				matches!(
					record.event,
					RuntimeEvent::Consortium(pallet_consortium::Event::DispatchedAsRoot {
						result: Ok(())
					})
				)
			})
		};

		// Two of four: refused.
		assert_ok!(council_motion(via_consortium.clone(), 2, &[Alice, Bob]));
		assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		assert!(!heap_pages_set());

		// Three of four (at least two thirds): done.
		assert_ok!(council_motion(via_consortium, 3, &[Alice, Bob, Charlie]));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(heap_pages_set());
	});
}
