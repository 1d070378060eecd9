//! Benchmark of the [`FreeWithinBudget`] transaction extension on its most expensive path.

use super::*;
use crate::extension::BalanceOf;
use frame_benchmarking::v2::*;
use frame_support::{
	dispatch::{DispatchClass, Pays, PostDispatchInfo},
	weights::Weight,
};
use frame_system::RawOrigin;
use pallet_transaction_payment::OnChargeTransaction;
use sp_runtime::traits::{
	AsTransactionAuthorizedOrigin, DispatchTransaction, One, Saturating, TransactionExtension, Zero,
};

#[benchmarks(where T::RuntimeOrigin: AsTransactionAuthorizedOrigin)]
mod benchmarks {
	use super::*;

	/// The whole extension (nonce, block weight and length, registration, budget, tip) on its
	/// costliest path: an account that every check of [`Pallet::eligible`] reads (the helper's
	/// choice; in the runtime a patient without free use making a protective call), which used
	/// some of its budget this period already, sends a free call with a tip; the call uses less
	/// than it declared, so the budget gets the rest back.
	#[benchmark]
	fn free_within_budget() {
		let caller: T::AccountId = account("caller", 0, 0);
		T::BenchmarkHelper::register(&caller);
		let existential_deposit =
			<T::OnChargeTransaction as OnChargeTransaction<T>>::minimum_balance();
		let tip: BalanceOf<T> = if existential_deposit.is_zero() {
			1_000_000_000u32.into()
		} else {
			existential_deposit
		};
		<T::OnChargeTransaction as OnChargeTransaction<T>>::endow_account(
			&caller,
			tip.saturating_mul(10u32.into()).saturating_add(existential_deposit),
		);
		let period = Pallet::<T>::current_period();
		Usage::<T>::insert(&caller, BudgetUsage { period, ref_time: 1, bytes: 1 });

		let nonce = frame_system::Pallet::<T>::account_nonce(&caller);
		let ext = FreeWithinBudget::<T>::new(nonce, tip);
		let call = T::BenchmarkHelper::free_call(&caller);
		let info = DispatchInfo {
			call_weight: Weight::from_parts(1_000_000, 0),
			extension_weight: ext.weight(&call),
			class: DispatchClass::Normal,
			pays_fee: Pays::Yes,
		};
		let used = Weight::from_parts(400_000, 0);
		let post_info = PostDispatchInfo { actual_weight: Some(used), pays_fee: Pays::Yes };
		let len = 100;
		assert!(Pallet::<T>::is_free(&caller, &call, &info, len), "the transaction is free");

		#[block]
		{
			ext.test_run(RawOrigin::Signed(caller.clone()).into(), &call, &info, len, 0, |_| {
				Ok(post_info)
			})
			.expect("the transaction is valid")
			.expect("the substitute call succeeds");
		}

		// Free: the budget paid for what was used, and the tip was taken.
		let usage = Usage::<T>::get(&caller).expect("the budget was used");
		assert_eq!(usage.ref_time, 1 + used.ref_time() + info.extension_weight.ref_time());
		assert_eq!(usage.bytes, 1 + len as u32);
		assert_eq!(frame_system::Pallet::<T>::account_nonce(&caller), nonce + One::one());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
