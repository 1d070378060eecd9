//! The node's JSON-RPC methods beyond the standard ones of `sc-service`: account nonces, fee
//! estimates, and the `ehr_*` methods for apps and auditors.

use std::sync::Arc;

use ehr_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce};
use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC methods need.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
}

/// All RPC methods of a full node: account nonces, fee estimates, and the project's modules.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ sc_client_api::ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ ehr_primitives::EhrApi<Block, AccountId, BlockNumber>
		+ ehr_primitives::RecordsApi<Block, AccountId, BlockNumber>
		+ ehr_primitives::AppointmentsApi<Block, AccountId>
		+ ehr_primitives::FeeBudgetApi<Block, AccountId, BlockNumber>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module
		.merge(crate::ehr_rpc::EhrApiServer::into_rpc(crate::ehr_rpc::Ehr::new(client.clone())))?;
	module.merge(crate::records_rpc::RecordsRpcServer::into_rpc(
		crate::records_rpc::Records::new(client.clone()),
	))?;
	module.merge(crate::fees_rpc::FeesRpcServer::into_rpc(crate::fees_rpc::Fees::new(client)))?;

	Ok(module)
}
