//! # Fee quota pallet
//!
//! Registered people use the chain without buying a token; everyone else pays.
//!
//! [`FreeWithinQuota`] wraps the runtime's fee-charging transaction extension (normally
//! `pallet_transaction_payment::ChargeTransactionPayment`). For a signed transaction it decides:
//!
//! - The signer is registered ([`Config::IsRegistered`]: a hospital, a verified doctor, a
//!   patient, a validator), the call is one that may be free ([`Config::FreeCalls`]), and the
//!   signer has used fewer than [`Config::FreeTransactionsPerPeriod`] free transactions in the
//!   current period of [`Config::Period`] blocks: the transaction is free and counts against the
//!   quota.
//! - Otherwise: the wrapped extension runs as usual, so the fee is charged, and an account that
//!   cannot pay is refused by the transaction pool. An unregistered account therefore cannot
//!   flood blocks without paying, and a registered one cannot flood beyond its quota.
//!
//! The wrapper encodes exactly as the wrapped extension and keeps its identifier, so wallets and
//! client libraries that know `ChargeTransactionPayment` need nothing new.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod extension;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use extension::FreeWithinQuota;
pub use pallet::*;

use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The free transactions an account has used in one period.
#[derive(Clone, Copy, Default, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct QuotaUsage {
	/// The period the count belongs to (block number divided by [`Config::Period`]).
	pub period: u32,
	/// Free transactions used in that period.
	pub used: u32,
}

/// The transaction validity error code for "the free quota ran out before inclusion".
pub const QUOTA_EXHAUSTED: u8 = 170;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::Contains};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::UniqueSaturatedInto, Saturating};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Accounts that transact for free within their quota.
		type IsRegistered: Contains<Self::AccountId>;

		/// Calls that may be free; others are always charged (for example token transfers).
		type FreeCalls: Contains<<Self as frame_system::Config>::RuntimeCall>;

		/// Length of a quota period in blocks.
		#[pallet::constant]
		type Period: Get<BlockNumberFor<Self>>;

		/// Free transactions per account and period.
		#[pallet::constant]
		type FreeTransactionsPerPeriod: Get<u32>;
	}

	/// Free transactions used by each registered account in its latest active period.
	#[pallet::storage]
	pub type Usage<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, QuotaUsage>;

	impl<T: Config> Pallet<T> {
		/// The index of the quota period that contains the current block.
		pub fn current_period() -> u32 {
			let now = frame_system::Pallet::<T>::block_number();
			let period = T::Period::get().max(1u32.into());
			(now / period).unique_saturated_into()
		}

		/// Free transactions `who` may still send in the current period (0 if unregistered).
		pub fn remaining(who: &T::AccountId) -> u32 {
			if !T::IsRegistered::contains(who) {
				return 0;
			}
			let period = Self::current_period();
			let used = Usage::<T>::get(who).filter(|u| u.period == period).map_or(0, |u| u.used);
			T::FreeTransactionsPerPeriod::get().saturating_sub(used)
		}

		/// Count one free transaction for `who`; `false` if the quota is used up.
		pub(crate) fn try_consume(who: &T::AccountId) -> bool {
			let period = Self::current_period();
			Usage::<T>::mutate(who, |usage| {
				let mut current =
					usage.filter(|u| u.period == period).unwrap_or(QuotaUsage { period, used: 0 });
				if current.used >= T::FreeTransactionsPerPeriod::get() {
					return false;
				}
				current.used.saturating_inc();
				*usage = Some(current);
				true
			})
		}
	}
}
