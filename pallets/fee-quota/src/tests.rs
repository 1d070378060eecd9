use crate::{mock::*, FreeWithinQuota, Pallet, Usage, QUOTA_EXHAUSTED};
use frame_support::dispatch::{DispatchInfo, GetDispatchInfo};
use pallet_transaction_payment::ChargeTransactionPayment;
use sp_runtime::{
	traits::DispatchTransaction,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};

type Extension = FreeWithinQuota<Test, ChargeTransactionPayment<Test>>;

fn extension() -> Extension {
	FreeWithinQuota::new(ChargeTransactionPayment::from(0))
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![1, 2, 3] })
}

fn transfer() -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death { dest: 7, value: 1 })
}

fn info(call: &RuntimeCall) -> DispatchInfo {
	call.get_dispatch_info()
}

/// Validates, prepares, dispatches and post-dispatches `call` signed by `who`, as block
/// execution does.
fn submit(who: u64, call: RuntimeCall) -> Result<(), TransactionValidityError> {
	let info = info(&call);
	extension()
		.dispatch_transaction(RuntimeOrigin::signed(who), call, &info, 20, 0)
		.map(|result| assert!(result.is_ok(), "the call itself failed: {result:?}"))
}

fn pool_accepts(who: u64, call: RuntimeCall) -> bool {
	let info = info(&call);
	extension()
		.validate_only(RuntimeOrigin::signed(who), &call, &info, 20, TransactionSource::External, 0)
		.is_ok()
}

#[test]
fn a_registered_account_transacts_with_no_balance() {
	new_test_ext().execute_with(|| {
		assert_eq!(Balances::free_balance(PATIENT), 0);
		assert!(pool_accepts(PATIENT, remark()));
		assert_eq!(submit(PATIENT, remark()), Ok(()));
		assert_eq!(submit(DOCTOR, remark()), Ok(()));
		assert_eq!(Pallet::<Test>::remaining(&PATIENT), 2);
		assert_eq!(Usage::<Test>::get(PATIENT).map(|u| u.used), Some(1));
	});
}

#[test]
fn an_unregistered_account_without_balance_is_refused() {
	new_test_ext().execute_with(|| {
		assert!(!pool_accepts(STRANGER, remark()));
		assert_eq!(submit(STRANGER, remark()), Err(InvalidTransaction::Payment.into()),);
		assert_eq!(Usage::<Test>::get(STRANGER), None);
	});
}

#[test]
fn an_unregistered_account_is_charged() {
	new_test_ext().execute_with(|| {
		assert_eq!(submit(RICH_STRANGER, remark()), Ok(()));
		assert!(Balances::free_balance(RICH_STRANGER) < BALANCE);
		assert_eq!(Pallet::<Test>::remaining(&RICH_STRANGER), 0);
	});
}

#[test]
fn the_quota_stops_a_flood_and_resets_next_period() {
	new_test_ext().execute_with(|| {
		for _ in 0..3 {
			assert_eq!(submit(PATIENT, remark()), Ok(()));
		}
		// Fourth in the period: no free quota, no balance to pay.
		assert!(!pool_accepts(PATIENT, remark()));
		assert_eq!(submit(PATIENT, remark()), Err(InvalidTransaction::Payment.into()));

		// The next period starts at block 10.
		System::set_block_number(10);
		assert_eq!(Pallet::<Test>::remaining(&PATIENT), 3);
		assert_eq!(submit(PATIENT, remark()), Ok(()));
	});
}

#[test]
fn beyond_the_quota_a_registered_account_pays() {
	new_test_ext().execute_with(|| {
		for _ in 0..3 {
			assert_eq!(submit(RICH_PATIENT, remark()), Ok(()));
		}
		assert_eq!(Balances::free_balance(RICH_PATIENT), BALANCE);
		assert_eq!(submit(RICH_PATIENT, remark()), Ok(()));
		assert!(Balances::free_balance(RICH_PATIENT) < BALANCE);
	});
}

#[test]
fn transfers_are_never_free() {
	new_test_ext().execute_with(|| {
		assert!(!pool_accepts(PATIENT, transfer()));
		assert_eq!(submit(RICH_PATIENT, transfer()), Ok(()));
		assert!(Balances::free_balance(RICH_PATIENT) < BALANCE - 1);
		assert_eq!(Pallet::<Test>::remaining(&RICH_PATIENT), 3);
	});
}

#[test]
fn quota_used_between_pool_and_block_is_refused_in_the_block() {
	new_test_ext().execute_with(|| {
		let call = remark();
		let info = info(&call);
		// Four transactions pass pool validation while the quota is untouched...
		let validated: Vec<_> = (0..4)
			.map(|_| {
				let (_, val, origin) = extension()
					.validate_only(
						RuntimeOrigin::signed(PATIENT),
						&call,
						&info,
						20,
						TransactionSource::External,
						0,
					)
					.expect("valid while the quota is unused");
				(val, origin)
			})
			.collect();
		// ...but only three fit in the period when the block prepares them.
		let results: Vec<_> = validated
			.into_iter()
			.map(|(val, origin)| {
				sp_runtime::traits::TransactionExtension::prepare(
					extension(),
					val,
					&origin,
					&call,
					&info,
					20,
				)
				.map(|_| ())
			})
			.collect();
		assert_eq!(results[..3], [Ok(()), Ok(()), Ok(())]);
		assert_eq!(results[3], Err(InvalidTransaction::Custom(QUOTA_EXHAUSTED).into()));
	});
}

#[test]
fn encodes_as_the_wrapped_extension() {
	use codec::Encode;
	let wrapped = FreeWithinQuota::<Test, _>::new(ChargeTransactionPayment::<Test>::from(5));
	assert_eq!(wrapped.encode(), ChargeTransactionPayment::<Test>::from(5).encode());
	assert_eq!(
		<Extension as sp_runtime::traits::TransactionExtension<RuntimeCall>>::IDENTIFIER,
		"ChargeTransactionPayment"
	);
}
