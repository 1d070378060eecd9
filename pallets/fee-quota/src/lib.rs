//! # Fee quota pallet
//!
//! Registered people use the chain without buying a token; everyone else pays. What a registered
//! account gets for free is a **budget of work**, not a count of transactions: per period of
//! [`Config::Period`] blocks, [`Config::FreeRefTimePerPeriod`] of execution time (weight
//! `ref_time`) and [`Config::FreeBytesPerPeriod`] of transaction length.
//!
//! [`FreeWithinBudget`] is the transaction extension that decides, for each signed transaction:
//!
//! - The signer is registered ([`Config::IsRegistered`]: a hospital, an active doctor, a patient,
//!   an invited account, a validator), the call is on the allow-list ([`Config::FreeCalls`]: the
//!   EHR calls and council votes; a batch only if every inner call is), and the budget left
//!   covers the transaction's declared weight and its length: the transaction is free. The
//!   declared weight is reserved before dispatch and what the call did not use is given back
//!   after it, so the budget pays for the actual weight, failed calls included. A call that
//!   succeeds, ends with `Pays::No` and is named by [`Config::Unmetered`] (a custodian's release
//!   of shares, so that custodians never starve however many emergency accesses doctors open)
//!   costs no budget; it still takes its room among the block's free work. Any other call that
//!   ends with `Pays::No` (a council member's first vote on a motion) spends the budget like
//!   every call: saying "no fee" does not mint free work.
//! - The call protects the signer's own data ([`Config::ProtectiveCalls`]: a patient revoking
//!   consent, ending an emergency access, removing a delegate, opting out of break-glass,
//!   erasing a record) and the budget covers it: free, whether or not the signer is registered
//!   for free use (a patient whose inviting hospital left, or who registered paying, never needs
//!   tokens to protect itself).
//! - Otherwise the normal fee is charged (`ChargeTransactionPayment`), and an account that
//!   cannot pay is refused by the transaction pool.
//!
//! The transaction pool checks the same budget, and a free transaction is only valid in the pool
//! if it is among the next [`Config::MaxPendingFree`] transactions of its signer and the budget
//! left covers it together with the pending ones before it (counted at its own cost): one
//! account cannot fill the pool with free transactions that would fail in the block. A tip on a
//! free transaction is paid and raises its priority exactly as it does for a paid one.
//!
//! The extension takes the place of the three standard extensions `CheckNonce`, `CheckWeight`
//! and `ChargeTransactionPayment` (it needs the nonce for the pool bound), encodes exactly as
//! they do in that order and reports their metadata, so wallets and client libraries that know
//! the standard extensions need nothing new.
//!
//! Runtime APIs and wallets: [`Pallet::free_budget`] tells an account what is left, and
//! [`Pallet::is_free`] lets `TransactionPaymentApi::query_info` report a zero fee for a
//! transaction that will be free.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod extension;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use extension::{FreeWithinBudget, PAID_FIRST};
pub use pallet::*;
pub use weights::WeightInfo;

use codec::{Decode, Encode, MaxEncodedLen};
use ehr_primitives::FreeBudget;
use frame_support::{
	dispatch::{DispatchClass, DispatchInfo},
	traits::{Contains, ContainsPair, Get},
};
use scale_info::TypeInfo;
use sp_runtime::traits::UniqueSaturatedInto;

/// The free budget an account has used in one period.
#[derive(Clone, Copy, Default, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct BudgetUsage {
	/// The period the usage belongs to (block number divided by [`Config::Period`]).
	pub period: u32,
	/// Execution time used in that period (weight `ref_time`, picoseconds).
	pub ref_time: u64,
	/// Transaction bytes used in that period.
	pub bytes: u32,
}

/// What the benchmark of [`FreeWithinBudget`] needs from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, RuntimeCall> {
	/// Make `who` an account whose transactions take the longest path of
	/// [`Pallet::eligible`] and are free (the runtime: a patient with no free use, its inviting
	/// hospital gone, making a protective call: every registration check reads and misses,
	/// then [`Config::ProtectiveCalls`] reads).
	fn register(who: &AccountId);
	/// The call `who` makes for free on that path.
	fn free_call(who: &AccountId) -> RuntimeCall;
}

/// The transaction validity error code for "the free budget ran out before inclusion".
pub const BUDGET_EXHAUSTED: u8 = 170;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::PostDispatchInfo, pallet_prelude::*};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{AsSystemOriginSigner, Dispatchable};

	/// The storage layout's version: 0, as it has been since genesis (the pallet declared
	/// none until now, and an undeclared version reads as 0: no migration is due).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<
			RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>,
			RuntimeOrigin: AsSystemOriginSigner<Self::AccountId> + Clone,
		> + pallet_transaction_payment::Config
		+ Send
		+ Sync
	{
		/// Accounts that transact for free within their budget.
		type IsRegistered: Contains<Self::AccountId>;

		/// Calls that may be free for a signer (an allow-list of (signer, call)); every other call
		/// is always charged. Mandatory-class calls are never free.
		type FreeCalls: ContainsPair<Self::AccountId, <Self as frame_system::Config>::RuntimeCall>;

		/// Calls that protect the signer's own data: free within the signer's budget whether or
		/// not it is registered ([`Config::IsRegistered`]). Mandatory-class calls are never free.
		type ProtectiveCalls: ContainsPair<
			Self::AccountId,
			<Self as frame_system::Config>::RuntimeCall,
		>;

		/// Calls that cost no budget when they succeed and end with `Pays::No` (the runtime: a
		/// hospital custodian's release of shares, bounded by the emergency accesses doctors may
		/// open). Every other call spends the budget for its actual weight, whatever it reports
		/// about fees. Only the call itself is looked at: a batch is never unmetered.
		type Unmetered: ContainsPair<Self::AccountId, <Self as frame_system::Config>::RuntimeCall>;

		/// Length of a budget period in blocks.
		#[pallet::constant]
		type Period: Get<BlockNumberFor<Self>>;

		/// Free execution time (weight `ref_time`, picoseconds) per account and period.
		#[pallet::constant]
		type FreeRefTimePerPeriod: Get<u64>;

		/// Free transaction bytes per account and period.
		#[pallet::constant]
		type FreeBytesPerPeriod: Get<u32>;

		/// Most free transactions of one account waiting in the transaction pool.
		#[pallet::constant]
		type MaxPendingFree: Get<u32>;

		/// Most execution time that free transactions may take in one block, all accounts
		/// together, so that paid transactions and block hooks always find room.
		#[pallet::constant]
		type MaxFreeRefTimePerBlock: Get<u64>;

		/// The weight of [`FreeWithinBudget`] (the three extensions it stands for included).
		type WeightInfo: WeightInfo;

		/// Registers an account and names an allowed call for the benchmark.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<
			Self::AccountId,
			<Self as frame_system::Config>::RuntimeCall,
		>;
	}

	/// Execution time taken by free transactions in the current block: (block, ref_time).
	#[pallet::storage]
	pub type BlockUsage<T: Config> = StorageValue<_, (BlockNumberFor<T>, u64), ValueQuery>;

	/// The free budget used by each registered account in its latest active period.
	#[pallet::storage]
	pub type Usage<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BudgetUsage>;

	impl<T: Config> Pallet<T> {
		/// The index of the budget period that contains the current block.
		pub fn current_period() -> u32 {
			let now = frame_system::Pallet::<T>::block_number();
			let period = T::Period::get().max(1u32.into());
			(now / period).unique_saturated_into()
		}

		/// What `who` used in the current period.
		fn usage(who: &T::AccountId) -> BudgetUsage {
			let period = Self::current_period();
			Usage::<T>::get(who).filter(|usage| usage.period == period).unwrap_or(BudgetUsage {
				period,
				ref_time: 0,
				bytes: 0,
			})
		}

		/// The free execution time and bytes `who` has left in the current period (zero if not
		/// registered).
		pub fn remaining(who: &T::AccountId) -> (u64, u32) {
			if !T::IsRegistered::contains(who) {
				return (0, 0);
			}
			Self::left(who)
		}

		/// The budget `who` has left in the current period, registered or not (the caller
		/// decides whether the call may use it: [`Pallet::eligible`]).
		fn left(who: &T::AccountId) -> (u64, u32) {
			let usage = Self::usage(who);
			(
				T::FreeRefTimePerPeriod::get().saturating_sub(usage.ref_time),
				T::FreeBytesPerPeriod::get().saturating_sub(usage.bytes),
			)
		}

		/// The free budget of `who` as the runtime API reports it.
		pub fn free_budget(who: &T::AccountId) -> FreeBudget<BlockNumberFor<T>> {
			let (ref_time_left, bytes_left) = Self::remaining(who);
			let period = T::Period::get().max(1u32.into());
			let now = frame_system::Pallet::<T>::block_number();
			FreeBudget {
				registered: T::IsRegistered::contains(who),
				ref_time_left,
				bytes_left,
				ref_time_per_period: T::FreeRefTimePerPeriod::get(),
				bytes_per_period: T::FreeBytesPerPeriod::get(),
				renews_at: (now / period + 1u32.into()) * period,
			}
		}

		/// The cost of a transaction against the budget: its declared weight (call and
		/// extensions) and its length.
		pub fn cost(info: &DispatchInfo, len: usize) -> (u64, u32) {
			(info.total_weight().ref_time(), len.unique_saturated_into())
		}

		/// Whether a transaction of `who` with `call` would be free now: registered, an allowed
		/// call, and within the budget. (The pool also bounds pending transactions; see the
		/// crate documentation.)
		pub fn is_free(
			who: &T::AccountId,
			call: &<T as frame_system::Config>::RuntimeCall,
			info: &DispatchInfo,
			len: usize,
		) -> bool {
			info.class != DispatchClass::Mandatory
				&& Self::eligible(who, call)
				&& Self::covers(who, Self::cost(info, len), 1)
				&& Self::block_has_room(Self::cost(info, len).0)
		}

		/// Whether `call` by `who` may use the budget: a registered signer with an allowed call,
		/// or a call that protects the signer's own data.
		pub fn eligible(
			who: &T::AccountId,
			call: &<T as frame_system::Config>::RuntimeCall,
		) -> bool {
			(T::IsRegistered::contains(who) && T::FreeCalls::contains(who, call))
				|| T::ProtectiveCalls::contains(who, call)
		}

		/// Whether free transactions may still take `ref_time` in the current block.
		pub(crate) fn block_has_room(ref_time: u64) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			let (block, used) = BlockUsage::<T>::get();
			let used = if block == now { used } else { 0 };
			used.saturating_add(ref_time) <= T::MaxFreeRefTimePerBlock::get()
		}

		/// Whether the budget left covers `times` transactions of `cost`.
		pub(crate) fn covers(who: &T::AccountId, cost: (u64, u32), times: u32) -> bool {
			let (ref_time_left, bytes_left) = Self::left(who);
			cost.0.saturating_mul(times.into()) <= ref_time_left
				&& cost.1.saturating_mul(times) <= bytes_left
		}

		/// Reserve `cost` from the budget of `who` (registered: checked by the caller in the
		/// same transaction) and from the block's room for free transactions; `false` if it does
		/// not fit.
		pub(crate) fn try_reserve(who: &T::AccountId, cost: (u64, u32)) -> bool {
			let mut usage = Self::usage(who);
			let fits = usage.ref_time.saturating_add(cost.0) <= T::FreeRefTimePerPeriod::get()
				&& usage.bytes.saturating_add(cost.1) <= T::FreeBytesPerPeriod::get();
			if !fits || !Self::block_has_room(cost.0) {
				return false;
			}
			usage.ref_time = usage.ref_time.saturating_add(cost.0);
			usage.bytes = usage.bytes.saturating_add(cost.1);
			Usage::<T>::insert(who, usage);
			let now = frame_system::Pallet::<T>::block_number();
			BlockUsage::<T>::mutate(|(block, used)| {
				if *block != now {
					*block = now;
					*used = 0;
				}
				*used = used.saturating_add(cost.0);
			});
			true
		}

		/// Gives `who` back `ref_time` and `bytes` of its budget, not of the block's room (the
		/// work was done): for [`Config::Unmetered`] calls that succeeded with `Pays::No`.
		pub(crate) fn forgive(who: &T::AccountId, ref_time: u64, bytes: u32) {
			let period = Self::current_period();
			Usage::<T>::mutate(who, |usage| {
				if let Some(usage) = usage.as_mut().filter(|usage| usage.period == period) {
					usage.ref_time = usage.ref_time.saturating_sub(ref_time);
					usage.bytes = usage.bytes.saturating_sub(bytes);
				}
			});
		}

		/// Give back execution time reserved for a transaction that used less.
		pub(crate) fn give_back(who: &T::AccountId, ref_time: u64) {
			if ref_time == 0 {
				return;
			}
			let period = Self::current_period();
			Usage::<T>::mutate(who, |usage| {
				if let Some(usage) = usage.as_mut().filter(|usage| usage.period == period) {
					usage.ref_time = usage.ref_time.saturating_sub(ref_time);
				}
			});
			let now = frame_system::Pallet::<T>::block_number();
			BlockUsage::<T>::mutate(|(block, used)| {
				if *block == now {
					*used = used.saturating_sub(ref_time);
				}
			});
		}

		/// The pallet's invariants: the block counted in [`BlockUsage`] is this one or an
		/// earlier one; and every account's [`Usage`] of the current period is within a
		/// period's budget ([`Config::FreeRefTimePerPeriod`] of execution time and
		/// [`Config::FreeBytesPerPeriod`] of bytes).
		///
		/// Not checked, on purpose (each holds for one fixed runtime, but a runtime upgrade
		/// breaks it without any bug, and `try_state` runs right after upgrades):
		/// - `Usage.period <= current_period()`: the period is `block / Period`, and `Period` is
		///   in blocks (`HOURS`); halving the block time doubles it and halves the current
		///   period's number, so every stored period is "in the future" after such an upgrade.
		/// - `BlockUsage.1 <= MaxFreeRefTimePerBlock` for the current block: a runtime that
		///   lowers the limit finds the upgrade block's count above it (harmless: the count
		///   restarts at the next block).
		/// - Usage of earlier periods: dead data, never read again.
		#[cfg(any(feature = "std", feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let now = frame_system::Pallet::<T>::block_number();
			let (block, _) = BlockUsage::<T>::get();
			ensure!(block <= now, "free work of a future block is counted");
			let period = Self::current_period();
			let (ref_time, bytes) = (T::FreeRefTimePerPeriod::get(), T::FreeBytesPerPeriod::get());
			for usage in Usage::<T>::iter_values() {
				if usage.period != period {
					continue;
				}
				ensure!(
					usage.ref_time <= ref_time,
					"an account used more execution time than a period's budget"
				);
				ensure!(usage.bytes <= bytes, "an account used more bytes than a period's budget");
			}
			Ok(())
		}
	}
}
