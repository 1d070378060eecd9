//! The free budget of registered accounts (the fee-quota pallet) as apps and wallets see it.

use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// What an account may still do for free in the current period, and when that renews.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct FreeBudget<BlockNumber> {
	/// Whether the account is registered (only registered accounts have a free budget).
	pub registered: bool,
	/// Execution time left (weight `ref_time`, picoseconds).
	pub ref_time_left: u64,
	/// Transaction bytes left.
	pub bytes_left: u32,
	/// Execution time per period.
	pub ref_time_per_period: u64,
	/// Transaction bytes per period.
	pub bytes_per_period: u32,
	/// The block at which the next period starts with a full budget.
	pub renews_at: BlockNumber,
}

sp_api::decl_runtime_apis! {
	/// The free budget of registered accounts.
	pub trait FeeBudgetApi<AccountId, BlockNumber>
	where
		AccountId: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// What `who` may still do for free in the current period.
		fn free_budget(who: AccountId) -> FreeBudget<BlockNumber>;
	}
}

sp_api::decl_runtime_apis! {
	/// Whether a call would succeed if `who` signed it now: dispatched on the state of the block
	/// asked (through `state_call`, whose changes are never kept), without a signature. Clients
	/// ask before they sign and submit, so that a refusal the state already decides (already
	/// granted, slot taken, not authorized) is answered at once; and, unlike a dry run of the
	/// signed transaction, nothing is handed to the node that it could include later.
	/// Transaction checks (nonce, fees, the free budget) are not part of it: the pool decides
	/// those.
	pub trait CallDryRunApi<AccountId, Call>
	where
		AccountId: codec::Codec,
		Call: codec::Codec,
	{
		/// `Ok` if `call` dispatched from `who` succeeds now; otherwise its error.
		fn dry_run(who: AccountId, call: Call) -> Result<(), sp_runtime::DispatchError>;
	}
}
