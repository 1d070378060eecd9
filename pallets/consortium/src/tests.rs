use crate::{mock::*, Error, Event, Validators, ValidatorsChanged};
use frame_support::{assert_noop, assert_ok};
use pallet_session::SessionManager;
use sp_runtime::DispatchError;

#[test]
fn genesis_sorts_validators() {
	new_test_ext().execute_with(|| {
		assert_eq!(Consortium::validators(), vec![1, 2]);
		assert!(!ValidatorsChanged::<Test>::get());
		assert_ok!(Consortium::do_try_state());
	});
}

#[test]
fn governance_adds_a_validator_in_order() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 0));
		assert_eq!(Consortium::validators(), vec![0, 1, 2]);
		assert!(ValidatorsChanged::<Test>::get());
		System::assert_last_event(Event::ValidatorAdded { validator: 0 }.into());
		assert_ok!(Consortium::do_try_state());
	});
}

#[test]
fn a_signed_account_cannot_change_validators() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::signed(1), 3),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn duplicate_and_overflow_are_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::AlreadyValidator
		);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 3));
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 4));
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn removal_keeps_the_minimum() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 7),
			Error::<Test>::NotValidator
		);
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 3));
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 1));
		assert_eq!(Validators::<Test>::get().into_inner(), vec![2, 3]);
		System::assert_last_event(Event::ValidatorRemoved { validator: 1 }.into());
		assert_ok!(Consortium::do_try_state());
	});
}

#[test]
fn session_manager_reports_only_changes() {
	new_test_ext().execute_with(|| {
		assert_eq!(Consortium::new_session(1), Some(vec![1, 2]));
		assert_eq!(Consortium::new_session(2), None);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 3));
		assert_eq!(Consortium::new_session(3), Some(vec![1, 2, 3]));
		assert_eq!(Consortium::new_session(4), None);
	});
}

#[test]
fn dispatch_as_root_needs_the_root_origin() {
	new_test_ext().execute_with(|| {
		let call = Box::new(RuntimeCall::Consortium(crate::Call::add_validator { validator: 3 }));
		assert_noop!(
			Consortium::dispatch_as_root(RuntimeOrigin::signed(1), call.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(Consortium::dispatch_as_root(RuntimeOrigin::signed(RootCouncil::get()), call));
		assert_eq!(Consortium::validators(), vec![1, 2, 3]);
		System::assert_last_event(Event::DispatchedAsRoot { result: Ok(()) }.into());
		assert_ok!(Consortium::do_try_state());
	});
}

#[test]
fn dispatch_as_root_reports_the_inner_failure() {
	new_test_ext().execute_with(|| {
		let call = Box::new(RuntimeCall::Consortium(crate::Call::add_validator { validator: 1 }));
		assert_ok!(Consortium::dispatch_as_root(RuntimeOrigin::signed(RootCouncil::get()), call));
		System::assert_last_event(
			Event::DispatchedAsRoot { result: Err(Error::<Test>::AlreadyValidator.into()) }.into(),
		);
	});
}

#[test]
fn try_state_catches_an_unsorted_short_or_unbacked_validator_set() {
	use frame_support::BoundedVec;
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 3));
		assert_ok!(Consortium::do_try_state());

		// Out of order: binary searches would miss validators.
		Validators::<Test>::put(BoundedVec::truncate_from(vec![3, 1, 2]));
		assert!(Consortium::do_try_state().is_err(), "an unsorted set breaks the invariant");

		// Twice the same account.
		Validators::<Test>::put(BoundedVec::truncate_from(vec![1, 1, 2]));
		assert!(Consortium::do_try_state().is_err(), "a duplicate breaks the invariant");

		// Below `MinValidators` (2 in the mock).
		Validators::<Test>::put(BoundedVec::truncate_from(vec![1]));
		assert!(Consortium::do_try_state().is_err(), "a set below the minimum breaks it");

		// A validator whose account nobody keeps alive (put in without `add_validator`).
		Validators::<Test>::put(BoundedVec::truncate_from(vec![1, 2, 42]));
		assert!(Consortium::do_try_state().is_err(), "an account without provider breaks it");

		Validators::<Test>::put(BoundedVec::truncate_from(vec![1, 2, 3]));
		assert_ok!(Consortium::do_try_state());
	});
}
