use crate::{mock::*, FreeWithinBudget, Pallet, Usage, BUDGET_EXHAUSTED};
use codec::Encode;
use frame_support::{
	assert_ok,
	dispatch::{DispatchInfo, GetDispatchInfo},
};
use sp_runtime::{
	traits::{DispatchTransaction, TransactionExtension},
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction,
	},
};

const LEN: usize = 20;

fn extension(nonce: u32, tip: u64) -> FreeWithinBudget<Test> {
	FreeWithinBudget::new(nonce, tip)
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![1, 2, 3] })
}

fn transfer() -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death { dest: 7, value: 1 })
}

/// An allowed call that fails for a signed origin.
fn failing() -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::force_set_balance { who: 7, new_free: 1 })
}

fn info(call: &RuntimeCall) -> DispatchInfo {
	let mut info = call.get_dispatch_info();
	info.extension_weight = extension(0, 0).weight(call);
	info
}

/// The budget cost of `call` (declared weight and length).
fn cost(call: &RuntimeCall) -> (u64, u32) {
	Pallet::<Test>::cost(&info(call), LEN)
}

/// Give every account a budget of exactly `times` transactions of `call`.
fn budget_for(times: u64, call: &RuntimeCall) {
	let (ref_time, bytes) = cost(call);
	FreeRefTime::set(&(ref_time * times));
	FreeBytes::set(&(bytes * times as u32 + bytes / 2));
}

/// Validates, prepares, dispatches and post-dispatches `call` signed by `who` with its next
/// nonce, as block execution does. `Ok(result of the call)` if the transaction was included.
fn submit_with_tip(
	who: u64,
	call: RuntimeCall,
	tip: u64,
) -> Result<sp_runtime::DispatchResult, TransactionValidityError> {
	let info = info(&call);
	let nonce = System::account_nonce(who);
	extension(nonce, tip)
		.dispatch_transaction(RuntimeOrigin::signed(who), call, &info, LEN, 0)
		.map(|result| result.map(|_| ()).map_err(|e| e.error))
}

fn submit(
	who: u64,
	call: RuntimeCall,
) -> Result<sp_runtime::DispatchResult, TransactionValidityError> {
	submit_with_tip(who, call, 0)
}

/// Pool validation of `call` by `who` with a nonce `ahead` of its next one.
fn pool(
	who: u64,
	call: &RuntimeCall,
	ahead: u32,
	tip: u64,
) -> Result<ValidTransaction, TransactionValidityError> {
	let info = info(call);
	let nonce = System::account_nonce(who) + ahead;
	extension(nonce, tip)
		.validate_only(RuntimeOrigin::signed(who), call, &info, LEN, TransactionSource::External, 0)
		.map(|(valid, _, _)| valid)
}

#[test]
fn a_registered_account_transacts_with_no_balance() {
	new_test_ext().execute_with(|| {
		budget_for(3, &remark());
		assert_eq!(Balances::free_balance(PATIENT), 0);
		assert!(pool(PATIENT, &remark(), 0, 0).is_ok());
		assert_eq!(submit(PATIENT, remark()), Ok(Ok(())));
		assert_eq!(submit(DOCTOR, remark()), Ok(Ok(())));
		let (ref_time, bytes) = cost(&remark());
		assert_eq!(Pallet::<Test>::remaining(&PATIENT), (2 * ref_time, 2 * bytes + bytes / 2));
		assert_eq!(
			Usage::<Test>::get(PATIENT).map(|u| (u.ref_time, u.bytes)),
			Some(cost(&remark()))
		);
		assert_eq!(System::account_nonce(PATIENT), 1);
		assert_ok!(Pallet::<Test>::do_try_state());
	});
}

#[test]
fn an_unregistered_account_without_balance_is_refused() {
	new_test_ext().execute_with(|| {
		assert_eq!(pool(STRANGER, &remark(), 0, 0), Err(InvalidTransaction::Payment.into()));
		assert_eq!(submit(STRANGER, remark()), Err(InvalidTransaction::Payment.into()));
		assert_eq!(Usage::<Test>::get(STRANGER), None);
		assert_eq!(System::account_nonce(STRANGER), 0);
	});
}

#[test]
fn protective_calls_are_free_for_an_unregistered_patient_within_its_budget() {
	new_test_ext().execute_with(|| {
		let revoke = RuntimeCall::System(frame_system::Call::remark { remark: b"revoke".to_vec() });
		budget_for(2, &revoke);
		assert_eq!(Balances::free_balance(PAYING_PATIENT), 0);
		// Anything else is charged (and refused without funds); the protective call is free.
		assert_eq!(submit(PAYING_PATIENT, remark()), Err(InvalidTransaction::Payment.into()));
		assert!(pool(PAYING_PATIENT, &revoke, 0, 0).is_ok());
		assert_eq!(submit(PAYING_PATIENT, revoke.clone()), Ok(Ok(())));
		assert_eq!(submit(PAYING_PATIENT, revoke.clone()), Ok(Ok(())));
		// Within the budget only: a flood of them is not free.
		assert_eq!(submit(PAYING_PATIENT, revoke.clone()), Err(InvalidTransaction::Payment.into()));
		// The same call by another unregistered account is not protective for it.
		assert_eq!(submit(STRANGER, revoke), Err(InvalidTransaction::Payment.into()));
		// Wallets are told the truth: not registered, no general budget.
		assert_eq!(Pallet::<Test>::remaining(&PAYING_PATIENT), (0, 0));
	});
}

/// Runs `call` by `who` through the extension with a dispatch that reports `pays` and `result`
/// instead of the call's own (as a custodian's release or a council vote ends).
fn submit_reporting(
	who: u64,
	call: RuntimeCall,
	pays: frame_support::dispatch::Pays,
	result: sp_runtime::DispatchResult,
) -> Result<sp_runtime::DispatchResult, TransactionValidityError> {
	let info = info(&call);
	let nonce = System::account_nonce(who);
	let post_info =
		frame_support::dispatch::PostDispatchInfo { actual_weight: None, pays_fee: pays };
	extension(nonce, 0)
		.test_run(RuntimeOrigin::signed(who), &call, &info, LEN, 0, |_| match result {
			Ok(()) => Ok(post_info),
			Err(error) => Err(sp_runtime::DispatchErrorWithPostInfo { post_info, error }),
		})
		.map(|result| result.map(|_| ()).map_err(|e| e.error))
}

#[test]
fn only_unmetered_calls_that_succeed_without_a_fee_cost_no_budget() {
	use frame_support::dispatch::Pays;
	new_test_ext().execute_with(|| {
		let release =
			RuntimeCall::System(frame_system::Call::remark { remark: b"release".to_vec() });
		budget_for(2, &release);
		let full = Pallet::<Test>::remaining(&PATIENT);
		// The unmetered call, succeeding with `Pays::No`: the budget stays whole, however often.
		for _ in 0..5 {
			assert_eq!(submit_reporting(PATIENT, release.clone(), Pays::No, Ok(())), Ok(Ok(())));
		}
		assert_eq!(Pallet::<Test>::remaining(&PATIENT), full);
		// The same call failing, or saying it pays: spent.
		let failed = sp_runtime::DispatchError::Other("refused");
		assert_eq!(
			submit_reporting(PATIENT, release.clone(), Pays::No, Err(failed)),
			Ok(Err(failed))
		);
		assert_eq!(Pallet::<Test>::remaining(&PATIENT).1, full.1 - cost(&release).1);
		// Any other call saying `Pays::No` (as a council member's first vote does) spends its
		// budget like every call: a "no fee" answer mints no free work.
		let (ref_time, bytes) = cost(&remark());
		budget_for(2, &remark());
		assert_eq!(submit_reporting(DOCTOR, remark(), Pays::No, Ok(())), Ok(Ok(())));
		assert_eq!(submit_reporting(DOCTOR, remark(), Pays::No, Ok(())), Ok(Ok(())));
		assert_eq!(
			Usage::<Test>::get(DOCTOR).map(|u| (u.ref_time, u.bytes)),
			Some((2 * ref_time, 2 * bytes))
		);
		// ... and once it is spent, the next one is not free (the doctor has no tokens).
		assert_eq!(
			submit_reporting(DOCTOR, remark(), Pays::No, Ok(())),
			Err(InvalidTransaction::Payment.into())
		);
	});
}

#[test]
fn an_unregistered_account_is_charged() {
	new_test_ext().execute_with(|| {
		assert_eq!(submit(RICH_STRANGER, remark()), Ok(Ok(())));
		assert!(Balances::free_balance(RICH_STRANGER) < BALANCE);
		assert_eq!(Pallet::<Test>::remaining(&RICH_STRANGER), (0, 0));
	});
}

#[test]
fn the_budget_stops_a_flood_and_renews_next_period() {
	new_test_ext().execute_with(|| {
		budget_for(3, &remark());
		for _ in 0..3 {
			assert_eq!(submit(PATIENT, remark()), Ok(Ok(())));
		}
		// Fourth in the period: the budget is spent and there is no balance to pay.
		assert_eq!(pool(PATIENT, &remark(), 0, 0), Err(InvalidTransaction::Payment.into()));
		assert_eq!(submit(PATIENT, remark()), Err(InvalidTransaction::Payment.into()));
		assert_ok!(Pallet::<Test>::do_try_state());

		// The next period starts at block 10.
		System::set_block_number(10);
		assert_eq!(Pallet::<Test>::remaining(&PATIENT).0, 3 * cost(&remark()).0);
		assert_eq!(submit(PATIENT, remark()), Ok(Ok(())));
		assert_ok!(Pallet::<Test>::do_try_state());
	});
}

#[test]
fn length_counts_too() {
	new_test_ext().execute_with(|| {
		budget_for(100, &remark());
		// Plenty of execution time, but bytes for only one more transaction of this length.
		FreeBytes::set(&(LEN as u32 + 1));
		assert_eq!(submit(PATIENT, remark()), Ok(Ok(())));
		assert_eq!(submit(PATIENT, remark()), Err(InvalidTransaction::Payment.into()));
	});
}

#[test]
fn failed_calls_spend_the_budget() {
	new_test_ext().execute_with(|| {
		budget_for(2, &failing());
		// The call fails (a signed origin may not set balances), and still costs its weight.
		assert!(matches!(submit(PATIENT, failing()), Ok(Err(_))));
		assert!(matches!(submit(PATIENT, failing()), Ok(Err(_))));
		assert_eq!(submit(PATIENT, failing()), Err(InvalidTransaction::Payment.into()));
		assert_ok!(Pallet::<Test>::do_try_state());
	});
}

#[test]
fn beyond_the_budget_a_registered_account_pays() {
	new_test_ext().execute_with(|| {
		budget_for(3, &remark());
		for _ in 0..3 {
			assert_eq!(submit(RICH_PATIENT, remark()), Ok(Ok(())));
		}
		assert_eq!(Balances::free_balance(RICH_PATIENT), BALANCE);
		assert_eq!(submit(RICH_PATIENT, remark()), Ok(Ok(())));
		assert!(Balances::free_balance(RICH_PATIENT) < BALANCE);
	});
}

#[test]
fn calls_off_the_allow_list_are_never_free() {
	new_test_ext().execute_with(|| {
		assert_eq!(pool(PATIENT, &transfer(), 0, 0), Err(InvalidTransaction::Payment.into()));
		assert_eq!(submit(RICH_PATIENT, transfer()), Ok(Ok(())));
		assert!(Balances::free_balance(RICH_PATIENT) < BALANCE - 1);
		assert_eq!(Usage::<Test>::get(RICH_PATIENT), None);
	});
}

#[test]
fn the_pool_holds_only_what_the_budget_covers() {
	new_test_ext().execute_with(|| {
		budget_for(2, &remark());
		// The next two transactions fit the budget, the third pending one does not.
		assert!(pool(PATIENT, &remark(), 0, 0).is_ok());
		assert!(pool(PATIENT, &remark(), 1, 0).is_ok());
		assert_eq!(pool(PATIENT, &remark(), 2, 0), Err(InvalidTransaction::Payment.into()));

		// However large the budget, at most `MaxPendingFree` (4) wait in the pool.
		budget_for(100, &remark());
		assert!(pool(PATIENT, &remark(), 3, 0).is_ok());
		assert_eq!(pool(PATIENT, &remark(), 4, 0), Err(InvalidTransaction::Payment.into()));
	});
}

#[test]
fn budget_used_between_pool_and_block_is_refused_in_the_block() {
	new_test_ext().execute_with(|| {
		budget_for(1, &remark());
		let call = remark();
		let info = info(&call);
		// Another transaction of the account validated before either was included...
		let (_, val, origin) = extension(0, 0)
			.validate_only(
				RuntimeOrigin::signed(PATIENT),
				&call,
				&info,
				LEN,
				TransactionSource::External,
				0,
			)
			.expect("valid while the budget is unused");
		// ...the budget is spent by the time the block prepares it.
		assert_eq!(submit(PATIENT, remark()), Ok(Ok(())));
		let refused =
			TransactionExtension::prepare(extension(1, 0), val, &origin, &call, &info, LEN)
				.map(|_| ());
		assert_eq!(refused, Err(InvalidTransaction::Custom(BUDGET_EXHAUSTED).into()));
	});
}

#[test]
fn a_tip_raises_the_priority_of_a_free_transaction_and_is_paid() {
	new_test_ext().execute_with(|| {
		budget_for(3, &remark());
		let plain = pool(RICH_PATIENT, &remark(), 0, 0).expect("free");
		let tipped = pool(RICH_PATIENT, &remark(), 0, 1_000).expect("free with a tip");
		assert!(tipped.priority > plain.priority);

		assert_eq!(submit_with_tip(RICH_PATIENT, remark(), 1_000), Ok(Ok(())));
		// Free: only the tip was paid.
		assert_eq!(Balances::free_balance(RICH_PATIENT), BALANCE - 1_000);
		// Without the means to pay the tip, the transaction is refused.
		assert_eq!(pool(PATIENT, &remark(), 0, 1_000), Err(InvalidTransaction::Payment.into()));
		assert_ok!(Pallet::<Test>::do_try_state());
	});
}

#[test]
fn encodes_as_the_standard_extensions() {
	let standard = (
		frame_system::CheckNonce::<Test>::from(9),
		frame_system::CheckWeight::<Test>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Test>::from(5),
	);
	assert_eq!(extension(9, 5).encode(), standard.encode());
	let names: Vec<_> = <FreeWithinBudget<Test> as TransactionExtension<RuntimeCall>>::metadata()
		.into_iter()
		.map(|m| m.identifier)
		.collect();
	assert_eq!(names, ["CheckNonce", "CheckWeight", "ChargeTransactionPayment"]);
}

#[test]
fn query_helper_tells_whether_a_transaction_is_free() {
	new_test_ext().execute_with(|| {
		budget_for(1, &remark());
		assert!(Pallet::<Test>::is_free(&PATIENT, &remark(), &info(&remark()), LEN));
		assert!(!Pallet::<Test>::is_free(&PATIENT, &transfer(), &info(&transfer()), LEN));
		assert!(!Pallet::<Test>::is_free(&STRANGER, &remark(), &info(&remark()), LEN));
		assert_eq!(submit(PATIENT, remark()), Ok(Ok(())));
		assert!(!Pallet::<Test>::is_free(&PATIENT, &remark(), &info(&remark()), LEN));
		let budget = Pallet::<Test>::free_budget(&PATIENT);
		assert!(budget.registered);
		assert_eq!(budget.ref_time_left, 0);
		assert_eq!(budget.renews_at, 10);
	});
}

#[test]
fn try_state_catches_usage_beyond_the_budget_and_a_future_block() {
	use crate::{BlockUsage, BudgetUsage};
	new_test_ext().execute_with(|| {
		budget_for(3, &remark());
		assert_eq!(submit(PATIENT, remark()), Ok(Ok(())));
		assert_ok!(Pallet::<Test>::do_try_state());

		// More execution time than a period gives.
		let period = Pallet::<Test>::current_period();
		Usage::<Test>::insert(
			PATIENT,
			BudgetUsage { period, ref_time: FreeRefTime::get() + 1, bytes: 0 },
		);
		assert!(Pallet::<Test>::do_try_state().is_err(), "an overspent budget breaks it");

		// The same usage once its period is over is dead data: fine.
		Usage::<Test>::insert(
			PATIENT,
			BudgetUsage { period: period + 1, ref_time: FreeRefTime::get() + 1, bytes: 0 },
		);
		System::set_block_number(System::block_number() + 2 * Period::get());
		assert_ok!(Pallet::<Test>::do_try_state());

		// More bytes than a period gives, now.
		let period = Pallet::<Test>::current_period();
		Usage::<Test>::insert(
			PATIENT,
			BudgetUsage { period, ref_time: 0, bytes: FreeBytes::get() + 1 },
		);
		assert!(Pallet::<Test>::do_try_state().is_err(), "too many bytes break it");
		Usage::<Test>::remove(PATIENT);

		// The free work of a block that has not come yet.
		BlockUsage::<Test>::put((System::block_number() + 1, 0));
		assert!(Pallet::<Test>::do_try_state().is_err(), "a future block breaks it");
	});
}
