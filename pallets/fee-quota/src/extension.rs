//! The [`FreeWithinBudget`] transaction extension.

use crate::{Config, Pallet, WeightInfo, BUDGET_EXHAUSTED};

/// The priority a paid transaction has over a free one of the same tip: a quarter of the whole
/// range, far above what any tip is worth (a tip's priority is the tip times the transactions a
/// block could hold), so that a flood of free work never delays what someone pays for. Free
/// work is also kept to its share of each block ([`Config::MaxFreeRefTimePerBlock`]).
pub const PAID_FIRST: sp_runtime::transaction_validity::TransactionPriority =
	sp_runtime::transaction_validity::TransactionPriority::MAX / 4;
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::fmt;
use frame_support::{
	dispatch::{DispatchInfo, PostDispatchInfo},
	pallet_prelude::TransactionSource,
	traits::{ContainsPair, Get},
	weights::Weight,
};
use frame_system::{CheckNonce, CheckWeight};
use pallet_transaction_payment::{ChargeTransactionPayment, OnChargeTransaction};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, DispatchOriginOf, Dispatchable, Implication,
		PostDispatchInfoOf, TransactionExtension, UniqueSaturatedInto, ValidateResult, Zero,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	DispatchResult, Saturating,
};

/// The balance type fees are paid in.
pub type BalanceOf<T> = <<T as pallet_transaction_payment::Config>::OnChargeTransaction as OnChargeTransaction<T>>::Balance;
type Liquidity<T> = <<T as pallet_transaction_payment::Config>::OnChargeTransaction as OnChargeTransaction<T>>::LiquidityInfo;

/// `CheckNonce`, `CheckWeight` and `ChargeTransactionPayment` in one extension that makes the
/// transactions of registered accounts free within their budget. See the crate documentation.
///
/// Encodes as the three standard extensions in that order (the nonce, nothing, the tip).
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct FreeWithinBudget<T: Config> {
	/// The signer's nonce check.
	pub nonce: CheckNonce<T>,
	/// The block weight and length check.
	pub weight: CheckWeight<T>,
	/// The fee (with the tip) charged when the transaction is not free.
	pub fee: ChargeTransactionPayment<T>,
}

impl<T: Config> FreeWithinBudget<T> {
	/// The extension of a transaction with `nonce` and `tip`.
	pub fn new(nonce: T::Nonce, tip: BalanceOf<T>) -> Self {
		Self {
			nonce: CheckNonce::from(nonce),
			weight: CheckWeight::new(),
			fee: ChargeTransactionPayment::from(tip),
		}
	}
}

impl<T: Config> fmt::Debug for FreeWithinBudget<T> {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "FreeWithinBudget<{:?}, {:?}>", self.nonce, self.fee)
	}
}

/// What [`FreeWithinBudget::validate`] decided about the fee.
pub enum FeeVal<T: Config> {
	/// Free: the budget is reserved in `prepare`; only the tip is paid.
	Free { who: T::AccountId, tip: BalanceOf<T> },
	/// Charged by `ChargeTransactionPayment`.
	Charged(<ChargeTransactionPayment<T> as TransactionExtension<T::RuntimeCall>>::Val),
}

/// What [`FreeWithinBudget::prepare`] did about the fee.
pub enum FeePre<T: Config> {
	/// Free: `reserved` execution time was taken from the budget of `who`, the tip withdrawn;
	/// `unmetered` if the call is one of [`Config::Unmetered`].
	Free {
		who: T::AccountId,
		reserved: u64,
		unmetered: bool,
		tip: BalanceOf<T>,
		liquidity: Liquidity<T>,
	},
	/// Charged by `ChargeTransactionPayment`.
	Charged(<ChargeTransactionPayment<T> as TransactionExtension<T::RuntimeCall>>::Pre),
}

/// Passed from `validate` to `prepare`.
pub struct Val<T: Config> {
	nonce: <CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::Val,
	next_len: u32,
	fee: FeeVal<T>,
}

/// Passed from `prepare` to `post_dispatch`.
pub struct Pre<T: Config> {
	nonce: <CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::Pre,
	fee: FeePre<T>,
}

impl<T> TransactionExtension<T::RuntimeCall> for FreeWithinBudget<T>
where
	T: Config + Send + Sync,
	T::RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>,
	DispatchOriginOf<T::RuntimeCall>: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "FreeWithinBudget";
	type Implicit = ();
	type Val = Val<T>;
	type Pre = Pre<T>;

	/// The three standard extensions it stands for, in order: what clients see in the metadata.
	fn metadata() -> alloc::vec::Vec<sp_runtime::traits::TransactionExtensionMetadata> {
		let mut metadata = <CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::metadata();
		metadata.extend(<CheckWeight<T> as TransactionExtension<T::RuntimeCall>>::metadata());
		metadata.extend(
			<ChargeTransactionPayment<T> as TransactionExtension<T::RuntimeCall>>::metadata(),
		);
		metadata
	}

	fn implicit(&self) -> Result<Self::Implicit, TransactionValidityError> {
		Ok(())
	}

	/// Measured on its most expensive path, which includes the work of the three extensions it
	/// stands for: an account that every check of [`Pallet::eligible`] reads (the runtime: a
	/// patient without free use making a protective call) transacting for free with a tip. The charged path does no more: the registration and budget checks without
	/// the budget write, then the fee withdrawn and settled as the tip is on the free path.
	fn weight(&self, _call: &T::RuntimeCall) -> Weight {
		<T as Config>::WeightInfo::free_within_budget()
	}

	// Inherents and unsigned transactions go through the block weight and length checks, as
	// with the standard `CheckWeight`.
	fn bare_validate(
		call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		len: usize,
	) -> frame_support::pallet_prelude::TransactionValidity {
		<CheckWeight<T> as TransactionExtension<T::RuntimeCall>>::bare_validate(call, info, len)
	}

	fn bare_validate_and_prepare(
		call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		len: usize,
	) -> Result<(), TransactionValidityError> {
		<CheckWeight<T> as TransactionExtension<T::RuntimeCall>>::bare_validate_and_prepare(
			call, info, len,
		)
	}

	fn bare_post_dispatch(
		info: &DispatchInfoOf<T::RuntimeCall>,
		post_info: &mut PostDispatchInfoOf<T::RuntimeCall>,
		len: usize,
		result: &DispatchResult,
	) -> Result<(), TransactionValidityError> {
		<CheckWeight<T> as TransactionExtension<T::RuntimeCall>>::bare_post_dispatch(
			info, post_info, len, result,
		)
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<T::RuntimeCall>,
		call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		len: usize,
		_self_implicit: Self::Implicit,
		inherited_implication: &impl Implication,
		source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let (nonce_validity, nonce, origin) =
			self.nonce.validate(origin, call, info, len, (), inherited_implication, source)?;
		let (weight_validity, next_len, origin) =
			self.weight.validate(origin, call, info, len, (), inherited_implication, source)?;
		let validity = nonce_validity.combine_with(weight_validity);

		if let Some(who) = origin.as_system_origin_signer() {
			let free = Self::free_in_pool(who, self.nonce.0, call, info, len);
			if free == Some(false) {
				// Free, but the block's room for free work is full: it waits for the next
				// block (kept in the pool), neither refused nor charged.
				return Err(InvalidTransaction::ExhaustsResources.into());
			}
			if free == Some(true) {
				let tip = self.fee.tip();
				if !tip.is_zero() {
					<T::OnChargeTransaction as OnChargeTransaction<T>>::can_withdraw_fee(
						who, call, info, tip, tip,
					)?;
				}
				let priority = ChargeTransactionPayment::<T>::get_priority(info, len, tip, tip);
				let free = ValidTransaction { priority, ..Default::default() };
				let fee = FeeVal::Free { who: who.clone(), tip };
				return Ok((validity.combine_with(free), Val { nonce, next_len, fee }, origin));
			}
		}
		let (fee_validity, fee, origin) =
			self.fee.validate(origin, call, info, len, (), inherited_implication, source)?;
		// Paid work goes first: a block builder takes it before any free transaction that does
		// not tip more than [`PAID_FIRST`] is worth.
		let paid_first = ValidTransaction { priority: PAID_FIRST, ..Default::default() };
		Ok((
			validity.combine_with(fee_validity).combine_with(paid_first),
			Val { nonce, next_len, fee: FeeVal::Charged(fee) },
			origin,
		))
	}

	fn prepare(
		self,
		val: Self::Val,
		origin: &DispatchOriginOf<T::RuntimeCall>,
		call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		let nonce = self.nonce.prepare(val.nonce, origin, call, info, len)?;
		self.weight.prepare(val.next_len, origin, call, info, len)?;
		let fee = match val.fee {
			FeeVal::Free { who, tip } => {
				let cost = Pallet::<T>::cost(info, len);
				// The block's room for free work is full: the transaction waits for the next
				// block (`ExhaustsResources` keeps it in the pool), it is not invalid. Were it
				// refused as invalid, anyone filling a block's free room would have everyone
				// else's free transactions dropped from the pool.
				if !Pallet::<T>::block_has_room(cost.0) {
					return Err(InvalidTransaction::ExhaustsResources.into());
				}
				// Other transactions of the same block may have used the account's budget since
				// `validate`.
				if !Pallet::<T>::try_reserve(&who, cost) {
					return Err(InvalidTransaction::Custom(BUDGET_EXHAUSTED).into());
				}
				let liquidity = <T::OnChargeTransaction as OnChargeTransaction<T>>::withdraw_fee(
					&who, call, info, tip, tip,
				)?;
				let unmetered = T::Unmetered::contains(&who, call);
				FeePre::Free { who, reserved: cost.0, unmetered, tip, liquidity }
			}
			FeeVal::Charged(val) => {
				FeePre::Charged(self.fee.prepare(val, origin, call, info, len)?)
			}
		};
		Ok(Pre { nonce, fee })
	}

	fn post_dispatch_details(
		pre: Self::Pre,
		info: &DispatchInfoOf<T::RuntimeCall>,
		post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		len: usize,
		result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		let mut refund =
			<CheckNonce<T> as TransactionExtension<T::RuntimeCall>>::post_dispatch_details(
				pre.nonce, info, post_info, len, result,
			)?;
		refund = refund.saturating_add(
			<CheckWeight<T> as TransactionExtension<T::RuntimeCall>>::post_dispatch_details(
				(),
				info,
				post_info,
				len,
				result,
			)?,
		);
		match pre.fee {
			FeePre::Free { who, reserved, unmetered, tip, liquidity } => {
				// The budget pays for what the transaction actually used, failed calls included.
				let actual = post_info.calc_actual_weight(info).ref_time();
				Pallet::<T>::give_back(&who, reserved.saturating_sub(actual));
				// An unmetered call (a custodian's release of shares) that succeeded and says it
				// does not pay costs no budget at all: it still took its room in the block.
				// Other calls saying `Pays::No` (a council member's first vote) pay with budget.
				if unmetered
					&& post_info.pays_fee(info) == frame_support::dispatch::Pays::No
					&& result.is_ok()
				{
					Pallet::<T>::forgive(&who, actual.min(reserved), len.unique_saturated_into());
				}
				<T::OnChargeTransaction as OnChargeTransaction<T>>::correct_and_deposit_fee(
					&who, info, post_info, tip, tip, liquidity,
				)?;
				// As for a paid transaction, so indexers and wallets see what was paid: the tip.
				pallet_transaction_payment::Pallet::<T>::deposit_fee_paid_event(who, tip, tip);
				Ok(refund)
			}
			FeePre::Charged(pre) => {
				Ok(refund.saturating_add(<ChargeTransactionPayment<T> as TransactionExtension<
					T::RuntimeCall,
				>>::post_dispatch_details(
					pre, info, post_info, len, result
				)?))
			}
		}
	}
}

impl<T: Config> FreeWithinBudget<T> {
	/// Whether the pool (and the block) takes a transaction of `who` with `nonce` as free:
	/// `None` if not (not an allowed call, never a mandatory one; beyond the signer's next
	/// [`Config::MaxPendingFree`] transactions; the budget left does not cover it and each
	/// pending one before it at its cost); otherwise whether the current block still has room
	/// for free work (`Some(false)`: free, but in a later block).
	fn free_in_pool(
		who: &T::AccountId,
		nonce: T::Nonce,
		call: &T::RuntimeCall,
		info: &DispatchInfo,
		len: usize,
	) -> Option<bool> {
		use frame_support::dispatch::DispatchClass;
		if info.class == DispatchClass::Mandatory || !Pallet::<T>::eligible(who, call) {
			return None;
		}
		let current = frame_system::Pallet::<T>::account_nonce(who);
		let ahead: u32 = nonce.saturating_sub(current).unique_saturated_into();
		let cost = Pallet::<T>::cost(info, len);
		(ahead < T::MaxPendingFree::get()
			&& Pallet::<T>::covers(who, cost, ahead.saturating_add(1)))
		.then(|| Pallet::<T>::block_has_room(cost.0))
	}
}
