//! `ehr_freeBudget`: what a registered account may still do for free, for apps to show.

use std::sync::Arc;

use ehr_primitives::{FeeBudgetApi, FreeBudget};
use ehr_runtime::{opaque::Block, AccountId, BlockNumber, Hash};
use jsonrpsee::core::RpcResult;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

use ehr_rpc_api::FeesRpcServer;

use crate::ehr_rpc::{error, RUNTIME_ERROR};

/// Serves `ehr_freeBudget` from a client.
pub struct Fees<C> {
	client: Arc<C>,
}

impl<C> Fees<C> {
	/// Serve from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> FeesRpcServer for Fees<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: FeeBudgetApi<Block, AccountId, BlockNumber>,
{
	fn free_budget(&self, who: AccountId, at: Option<Hash>) -> RpcResult<FreeBudget<BlockNumber>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().free_budget(at, who).map_err(|e| error(RUNTIME_ERROR, e))
	}
}
