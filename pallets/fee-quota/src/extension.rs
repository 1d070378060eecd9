//! The [`FreeWithinQuota`] transaction extension.

use crate::{Config, Pallet, QUOTA_EXHAUSTED};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::{fmt, marker::PhantomData};
use frame_support::{
	dispatch::{DispatchInfo, PostDispatchInfo},
	pallet_prelude::TransactionSource,
	traits::{Contains, Get},
	weights::Weight,
};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, DispatchOriginOf, Dispatchable, Implication,
		PostDispatchInfoOf, TransactionExtension, ValidateResult,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	DispatchResult,
};

/// Makes transactions of registered accounts free within their quota and otherwise runs the
/// wrapped fee extension `S`. See the crate documentation.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct FreeWithinQuota<T, S>(pub S, PhantomData<T>);

impl<T, S> FreeWithinQuota<T, S> {
	/// Wrap the fee extension `inner`.
	pub fn new(inner: S) -> Self {
		Self(inner, PhantomData)
	}
}

impl<T, S> From<S> for FreeWithinQuota<T, S> {
	fn from(inner: S) -> Self {
		Self::new(inner)
	}
}

impl<T, S: fmt::Debug> fmt::Debug for FreeWithinQuota<T, S> {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "FreeWithinQuota<{:?}>", self.0)
	}
}

/// What [`FreeWithinQuota::validate`] decided.
pub enum Val<AccountId, V> {
	/// Free: counted against the quota of this account in `prepare`.
	Free(AccountId),
	/// Charged by the wrapped extension.
	Charged(V),
}

/// What [`FreeWithinQuota::prepare`] did.
pub enum Pre<P> {
	/// Free; the wrapped extension's weight is refunded.
	Free { refund: Weight },
	/// Charged by the wrapped extension.
	Charged(P),
}

impl<T, S> TransactionExtension<T::RuntimeCall> for FreeWithinQuota<T, S>
where
	T: Config + Send + Sync,
	T::RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>,
	DispatchOriginOf<T::RuntimeCall>: AsSystemOriginSigner<T::AccountId>,
	S: TransactionExtension<T::RuntimeCall>,
{
	const IDENTIFIER: &'static str = S::IDENTIFIER;
	type Implicit = S::Implicit;
	type Val = Val<T::AccountId, S::Val>;
	type Pre = Pre<S::Pre>;

	fn metadata() -> alloc::vec::Vec<sp_runtime::traits::TransactionExtensionMetadata> {
		S::metadata()
	}

	fn implicit(&self) -> Result<Self::Implicit, TransactionValidityError> {
		self.0.implicit()
	}

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		// The registration check (the runtime's `IsRegistered` reads up to five items) and the
		// usage read and write.
		self.0.weight(call).saturating_add(T::DbWeight::get().reads_writes(6, 1))
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<T::RuntimeCall>,
		call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		len: usize,
		self_implicit: Self::Implicit,
		inherited_implication: &impl Implication,
		source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		if let Some(who) = origin.as_system_origin_signer() {
			if T::FreeCalls::contains(call) && Pallet::<T>::remaining(who) > 0 {
				let who = who.clone();
				return Ok((ValidTransaction::default(), Val::Free(who), origin));
			}
		}
		let (valid, val, origin) = self.0.validate(
			origin,
			call,
			info,
			len,
			self_implicit,
			inherited_implication,
			source,
		)?;
		Ok((valid, Val::Charged(val), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		origin: &DispatchOriginOf<T::RuntimeCall>,
		call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		match val {
			Val::Free(who) => {
				// Other transactions of the same block may have used the quota since `validate`.
				if !Pallet::<T>::try_consume(&who) {
					return Err(InvalidTransaction::Custom(QUOTA_EXHAUSTED).into());
				}
				Ok(Pre::Free { refund: self.0.weight(call) })
			}
			Val::Charged(val) => Ok(Pre::Charged(self.0.prepare(val, origin, call, info, len)?)),
		}
	}

	fn post_dispatch_details(
		pre: Self::Pre,
		info: &DispatchInfoOf<T::RuntimeCall>,
		post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		len: usize,
		result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		match pre {
			Pre::Free { refund } => Ok(refund),
			Pre::Charged(pre) => S::post_dispatch_details(pre, info, post_info, len, result),
		}
	}
}
