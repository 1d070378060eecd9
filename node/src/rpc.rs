//! The node's JSON-RPC methods beyond the standard ones of `sc-service`: account nonces, fee
//! estimates, the `ehr_*` methods for apps and auditors, and the signalling of video visits.

use std::sync::Arc;

use ehr_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash, Nonce};
use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the `grandpa_*` methods need: the voter's state, the authority sets, the stream of
/// justifications and the finality proofs. Light clients and the `ehr` auditor verify finality
/// from these themselves instead of trusting this node's word.
pub struct GrandpaDeps<B> {
	/// The voter's view of the current rounds.
	pub shared_voter_state: sc_consensus_grandpa::SharedVoterState,
	/// The authority sets and their changes.
	pub shared_authority_set: sc_consensus_grandpa::SharedAuthoritySet<Hash, BlockNumber>,
	/// Justifications as blocks are finalized.
	pub justification_stream: sc_consensus_grandpa::GrandpaJustificationStream<Block>,
	/// Finality proofs: a justification and the headers leading to it.
	pub finality_provider: Arc<sc_consensus_grandpa::FinalityProofProvider<B, Block>>,
	/// The database, for `ehr_finalityProof`.
	pub backend: Arc<B>,
}

// Not derived: the backend itself need not be `Clone`, only the `Arc` around it.
impl<B> Clone for GrandpaDeps<B> {
	fn clone(&self) -> Self {
		GrandpaDeps {
			shared_voter_state: self.shared_voter_state.clone(),
			shared_authority_set: self.shared_authority_set.clone(),
			justification_stream: self.justification_stream.clone(),
			finality_provider: self.finality_provider.clone(),
			backend: self.backend.clone(),
		}
	}
}

/// What the RPC methods need.
pub struct FullDeps<C, P, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// GRANDPA's finality proofs.
	pub grandpa: GrandpaDeps<B>,
	/// Runs subscriptions.
	pub subscription_executor: sc_rpc::SubscriptionTaskExecutor,
	/// The node's one signalling hub for video visits, and its TURN server.
	pub visits: (Arc<crate::visit_rpc::VisitHub>, crate::visit_rpc::VisitConfig),
}

/// All RPC methods of a full node: account nonces, fee estimates, GRANDPA's finality proofs, and
/// the project's modules.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ sc_client_api::ProofProvider<Block>
		+ sc_client_api::StorageProvider<Block, B>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ ehr_primitives::EhrApi<Block, AccountId, BlockNumber>
		+ ehr_primitives::RecordsApi<Block, AccountId, BlockNumber>
		+ ehr_primitives::AppointmentsApi<Block, AccountId>
		+ ehr_primitives::VisitsApi<Block>
		+ ehr_primitives::FeeBudgetApi<Block, AccountId, BlockNumber>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, grandpa, subscription_executor, visits } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(ehr_rpc_api::FinalityRpcServer::into_rpc(crate::finality_rpc::Finality::new(
		grandpa.backend,
		grandpa.shared_authority_set.clone(),
	)))?;
	module.merge(
		Grandpa::new(
			subscription_executor,
			grandpa.shared_authority_set,
			grandpa.shared_voter_state,
			grandpa.justification_stream,
			grandpa.finality_provider,
		)
		.into_rpc(),
	)?;
	module.merge(ehr_rpc_api::EhrApiServer::into_rpc(crate::ehr_rpc::Ehr::new(client.clone())))?;
	module.merge(ehr_rpc_api::RecordsRpcServer::into_rpc(crate::records_rpc::Records::new(
		client.clone(),
	)))?;
	module
		.merge(ehr_rpc_api::FeesRpcServer::into_rpc(crate::fees_rpc::Fees::new(client.clone())))?;
	module.merge(ehr_rpc_api::VisitRpcServer::into_rpc(crate::visit_rpc::Visits::new(
		client, visits.0, visits.1,
	)))?;

	Ok(module)
}
