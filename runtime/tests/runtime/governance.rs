//! Consortium governance on the real runtime: the `local` preset (four hospitals: Alice, Bob,
//! Charlie, Dave), the same with a fifth hospital (Eve) where more than half is not yet two
//! thirds, and the `dev` preset (Alice alone).

use crate::common::*;
use ehr_runtime::{
	configs::MotionDuration, Consortium, Hospitals, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, Session, SessionKeys, System,
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
fn two_thirds_add_a_hospital() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		// Three of four.
		assert_ok!(council_motion(add_hospital(Eve), 3, &[Alice, Bob, Charlie]));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(Hospitals::contains(&account(Eve)));
		assert!(council_members().contains(&account(Eve)));
		// The new member votes at once: Eve's proposal passes with Eve's vote counted (four of
		// five).
		assert_ok!(council_motion(add_hospital(Ferdie), 4, &[Eve, Alice, Bob, Charlie]));
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

/// Whether a `Consortium.dispatch_as_root` ran its call successfully.
fn dispatched_as_root() -> bool {
	System::events().iter().any(|record| {
		matches!(
			record.event,
			RuntimeEvent::Consortium(pallet_consortium::Event::DispatchedAsRoot { result: Ok(()) })
		)
	})
}

fn as_root(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Consortium(pallet_consortium::Call::dispatch_as_root { call: Box::new(call) })
}

fn set_heap_pages(pages: u64) -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::set_heap_pages { pages })
}

fn heap_pages() -> Option<u64> {
	sp_io::storage::get(sp_core::storage::well_known_keys::HEAP_PAGES)
		.map(|bytes| codec::Decode::decode(&mut &bytes[..]).expect("heap pages are a u64"))
}

/// Three of five (more than half, less than two thirds) cannot change the membership: were it
/// otherwise, they could remove the other two, add puppets, and then pass anything, `Root`
/// included. Four of five can.
#[test]
fn three_of_five_cannot_change_the_membership_four_of_five_can() {
	five_hospitals().execute_with(|| {
		let majority = [Alice, Bob, Charlie];
		let two_thirds = [Alice, Bob, Charlie, Dave];
		let attempts = [
			add_hospital(Ferdie),
			remove_hospital(Dave),
			RuntimeCall::Hospitals(pallet_membership::Call::swap_member {
				remove: account(Dave).into(),
				add: account(Ferdie).into(),
			}),
			RuntimeCall::Hospitals(pallet_membership::Call::set_prime {
				who: account(Alice).into(),
			}),
		];
		for call in attempts {
			assert_ok!(council_motion(call, 3, &majority));
			assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		}
		assert!(!Hospitals::contains(&account(Ferdie)));
		assert!(Hospitals::contains(&account(Dave)));
		assert_eq!(council_members().len(), 5);
		assert_eq!(pallet_collective::Prime::<Runtime, Instance1>::get(), None);

		assert_ok!(council_motion(add_hospital(Ferdie), 4, &two_thirds));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(council_members().contains(&account(Ferdie)));
		// Six now: four of six is two thirds.
		assert_ok!(council_motion(remove_hospital(Ferdie), 4, &two_thirds));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(!council_members().contains(&account(Ferdie)));
		let swap = RuntimeCall::Hospitals(pallet_membership::Call::swap_member {
			remove: account(Dave).into(),
			add: account(Ferdie).into(),
		});
		assert_ok!(council_motion(swap, 4, &two_thirds));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(council_members().contains(&account(Ferdie)));
		assert!(!council_members().contains(&account(Dave)));
		let prime = RuntimeCall::Hospitals(pallet_membership::Call::set_prime {
			who: account(Alice).into(),
		});
		assert_ok!(council_motion(prime, 4, &[Alice, Bob, Charlie, Eve]));
		assert_eq!(last_execution(), Some(Ok(())));
		assert_eq!(pallet_collective::Prime::<Runtime, Instance1>::get(), Some(account(Alice)));
	});
}

/// The validator set decides who produces and finalizes blocks: three of five cannot change
/// it, four of five can.
#[test]
fn three_of_five_cannot_change_the_validators_four_of_five_can() {
	five_hospitals().execute_with(|| {
		let add = RuntimeCall::Consortium(pallet_consortium::Call::add_validator {
			validator: account(Ferdie),
		});
		let remove = RuntimeCall::Consortium(pallet_consortium::Call::remove_validator {
			validator: account(Sr25519Keyring::DaveStash),
		});
		for call in [add.clone(), remove.clone()] {
			assert_ok!(council_motion(call, 3, &[Alice, Bob, Charlie]));
			assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		}
		assert!(!Consortium::validators().contains(&account(Ferdie)));
		assert!(Consortium::validators().contains(&account(Sr25519Keyring::DaveStash)));

		for call in [add, remove] {
			assert_ok!(council_motion(call, 4, &[Alice, Bob, Charlie, Dave]));
			assert_eq!(last_execution(), Some(Ok(())));
		}
		assert!(Consortium::validators().contains(&account(Ferdie)));
		assert!(!Consortium::validators().contains(&account(Sr25519Keyring::DaveStash)));
	});
}

/// Close `motion` once its voting period is over, and tell whether the council approved it.
fn close_after_the_motion_period(motion: &Motion) -> bool {
	System::set_block_number(System::block_number() + MotionDuration::get());
	System::reset_events();
	assert_ok!(close(Ferdie, motion));
	System::events().iter().any(|record| {
		matches!(
			record.event,
			RuntimeEvent::HospitalCouncil(pallet_collective::Event::Approved { .. })
		)
	})
}

/// A motion that asks for four of five, with three ayes and two members who never vote, fails
/// when it is closed after its voting period: abstentions are not ayes.
#[test]
fn abstentions_never_count_as_aye() {
	five_hospitals().execute_with(|| {
		let motion = propose_and_vote(add_hospital(Ferdie), 4, &[Alice, Bob, Charlie], &[])
			.expect("members propose and vote");
		assert!(!close_after_the_motion_period(&motion));
		System::assert_has_event(RuntimeEvent::HospitalCouncil(pallet_collective::Event::Closed {
			proposal_hash: motion.hash,
			yes: 3,
			no: 2,
		}));
		assert!(!Hospitals::contains(&account(Ferdie)));

		// With four ayes (the one member left abstaining) it passes: the motion itself was fine.
		let motion = propose_and_vote(add_hospital(Ferdie), 4, &[Alice, Bob, Charlie, Dave], &[])
			.expect("members propose and vote");
		assert!(close_after_the_motion_period(&motion));
		assert!(Hospitals::contains(&account(Ferdie)));
	});
}

/// A prime member's vote does not stand in for the members who did not vote: neither three
/// ayes with the prime among them, nor the prime alone, pass a motion that asks for four of
/// five.
#[test]
fn a_prime_member_does_not_vote_for_those_who_abstain() {
	five_hospitals().execute_with(|| {
		let prime = RuntimeCall::Hospitals(pallet_membership::Call::set_prime {
			who: account(Alice).into(),
		});
		assert_ok!(council_motion(prime, 4, &[Alice, Bob, Charlie, Dave]));
		assert_eq!(pallet_collective::Prime::<Runtime, Instance1>::get(), Some(account(Alice)));

		let motion = propose_and_vote(add_hospital(Ferdie), 4, &[Alice, Bob, Charlie], &[])
			.expect("members propose and vote");
		assert!(!close_after_the_motion_period(&motion));
		assert!(!Hospitals::contains(&account(Ferdie)));

		let motion = propose_and_vote(add_hospital(Ferdie), 4, &[Alice], &[])
			.expect("members propose and vote");
		assert!(!close_after_the_motion_period(&motion));
		System::assert_has_event(RuntimeEvent::HospitalCouncil(pallet_collective::Event::Closed {
			proposal_hash: motion.hash,
			yes: 1,
			no: 4,
		}));
		assert!(!Hospitals::contains(&account(Ferdie)));
	});
}

/// The runtime has no sudo pallet, and no preset configures one: the only way to `Root` is a
/// vote of at least two thirds of the hospitals.
#[test]
fn no_chain_has_sudo() {
	use frame_support::traits::PalletsInfoAccess;
	let pallets = ehr_runtime::AllPalletsWithSystem::infos();
	assert!(pallets.iter().any(|pallet| pallet.name == "Consortium"));
	let sudo: Vec<_> = pallets
		.iter()
		.filter(|pallet| pallet.name == "Sudo" || pallet.module_name == "pallet_sudo")
		.collect();
	assert!(sudo.is_empty(), "{sudo:?}");

	let config = serde_json::to_value(ehr_runtime::RuntimeGenesisConfig::default())
		.expect("the default config serializes");
	assert!(config.get("hospitals").is_some());
	assert!(config.get("sudo").is_none());
	for preset in ehr_runtime::genesis_config_presets::preset_names() {
		let patch: serde_json::Value = serde_json::from_slice(
			&ehr_runtime::genesis_config_presets::get_preset(&preset)
				.expect("listed presets exist"),
		)
		.expect("presets are JSON");
		assert!(patch.get("sudo").is_none(), "{preset:?}");
	}
}

/// On `dev`, Alice is the only hospital: her proposal with threshold 1 runs at once with the
/// council's origin "one of one", which is at least two thirds, so it reaches `Root`.
#[test]
fn on_dev_the_council_of_one_reaches_root() {
	ext_from_preset(DEV).execute_with(|| {
		System::set_block_number(1);
		assert_eq!(council_members(), vec![account(Alice)]);
		let call = as_root(set_heap_pages(100));
		let length = codec::Encode::encoded_size(&call) as u32;
		// Bob, who holds tokens on `dev` but is no hospital, cannot.
		assert_noop!(
			Council::propose(signed(Bob), 1, Box::new(call.clone()), length),
			CouncilError::NotMember
		);
		assert_ok!(Council::propose(signed(Alice), 1, Box::new(call), length));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(dispatched_as_root());
		assert_eq!(heap_pages(), Some(100));
	});
}

/// The same proposal with threshold 1 by one of four hospitals is one of four: refused.
#[test]
fn on_local_one_hospital_alone_cannot_reach_root() {
	ext_from_preset(LOCAL).execute_with(|| {
		System::set_block_number(1);
		let call = as_root(set_heap_pages(100));
		let length = codec::Encode::encoded_size(&call) as u32;
		assert_ok!(Council::propose(signed(Alice), 1, Box::new(call), length));
		assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		assert!(!dispatched_as_root());
		assert_eq!(heap_pages(), None);
	});
}

/// Any `Root` call (here `set_heap_pages`; `upgrade.rs` does a real `set_code`) needs two
/// thirds: three of five are refused, four of five pass.
#[test]
fn a_root_call_needs_two_thirds() {
	five_hospitals().execute_with(|| {
		assert_ok!(council_motion(as_root(set_heap_pages(100)), 3, &[Alice, Bob, Charlie]));
		assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		assert!(!dispatched_as_root());
		assert_eq!(heap_pages(), None);

		assert_ok!(council_motion(as_root(set_heap_pages(100)), 4, &[Alice, Bob, Charlie, Dave]));
		assert_eq!(last_execution(), Some(Ok(())));
		assert!(dispatched_as_root());
		assert_eq!(heap_pages(), Some(100));
	});
}

/// A chain that ran the runtime with sudo loses the sudo key with the upgrade: the migrations
/// remove the pallet's storage when a block starts under a higher `spec_version`.
#[test]
fn the_upgrade_removes_the_old_sudo_key() {
	ext_from_preset(DEV).execute_with(|| {
		let sudo_key =
			[sp_io::hashing::twox_128(b"Sudo").to_vec(), sp_io::hashing::twox_128(b"Key").to_vec()]
				.concat();
		let other_pallet_entry = frame_system::LastRuntimeUpgrade::<Runtime>::hashed_key();
		sp_io::storage::set(&sudo_key, &codec::Encode::encode(&account(Alice)));
		// The chain last ran an older runtime.
		frame_system::LastRuntimeUpgrade::<Runtime>::put(
			frame_system::LastRuntimeUpgradeInfo::from(sp_version::RuntimeVersion {
				spec_version: ehr_runtime::VERSION.spec_version - 1,
				..ehr_runtime::VERSION
			}),
		);
		start_block(1);
		assert_eq!(sp_io::storage::get(&sudo_key), None);
		assert!(sp_io::storage::get(&other_pallet_entry).is_some());
		assert_eq!(
			frame_system::LastRuntimeUpgrade::<Runtime>::get().map(|last| last.spec_version),
			Some(ehr_runtime::VERSION.spec_version.into())
		);
		assert!(Hospitals::contains(&account(Alice)));
	});
}
