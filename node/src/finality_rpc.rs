//! `ehr_finalityProof`: GRANDPA finality proofs that a client checks itself, from any block on.
//!
//! `grandpa_proveFinality` answers only once the authority set has changed at least once (on a
//! chain whose hospitals never changed validators it fails for every block), and its headers are
//! unbounded. This method answers for every finalized block after `after`:
//!
//! - the justification of the last block of the authority set in force after `after`, if that
//!   set has ended (always stored: GRANDPA keeps the justification of every set change);
//! - else the justification of the newest finalized block;
//! - if that block is more than [`MAX_HEADERS`] blocks ahead, the newest justification the node
//!   stored within reach instead (GRANDPA stores one at least every 512 blocks), so a client far
//!   behind walks in steps;
//!
//! together with every header in `(after, target]`. Encoded as sc-consensus-grandpa's
//! `FinalityProof` (block hash, justification, headers). The node is not trusted: the client
//! checks each header's link to the one before and the justification's signatures
//! (`ehr_client::finality`).

use std::sync::Arc;

use codec::Encode;
use ehr_runtime::{opaque::Block, BlockNumber, Hash};
use jsonrpsee::core::RpcResult;
use sc_client_api::Backend;
use sc_consensus_grandpa::{FinalityProof, SharedAuthoritySet, GRANDPA_ENGINE_ID};
use sp_blockchain::{Backend as _, HeaderBackend};
use sp_core::Bytes;

use ehr_rpc_api::FinalityRpcServer;

use crate::ehr_rpc::{error, RUNTIME_ERROR};

/// The most headers one answer carries.
pub const MAX_HEADERS: BlockNumber = 4096;

/// The error code when the node cannot prove what is asked (see the message).
const NO_PROOF: i32 = ehr_rpc_api::ErrorCode::NoFinalityProof as i32;

/// Serves finality proofs from a node's backend and GRANDPA's authority sets.
pub struct Finality<B> {
	backend: Arc<B>,
	authority_set: SharedAuthoritySet<Hash, BlockNumber>,
}

impl<B> Finality<B> {
	/// Serve from `backend` with the voter's `authority_set`.
	pub fn new(backend: Arc<B>, authority_set: SharedAuthoritySet<Hash, BlockNumber>) -> Self {
		Finality { backend, authority_set }
	}
}

impl<B> FinalityRpcServer for Finality<B>
where
	B: Backend<Block> + Send + Sync + 'static,
{
	fn finality_proof(&self, after: BlockNumber) -> RpcResult<Option<Bytes>> {
		let chain = self.backend.blockchain();
		let finalized = chain.info().finalized_number;
		if after >= finalized {
			return Ok(None);
		}
		let hash_of = |number: BlockNumber| -> RpcResult<Hash> {
			chain
				.hash(number)
				.map_err(|e| error(RUNTIME_ERROR, e))?
				.ok_or_else(|| error(NO_PROOF, format!("block #{number} is unknown")))
		};
		let stored = |number: BlockNumber| -> RpcResult<Option<Vec<u8>>> {
			Ok(chain
				.justifications(hash_of(number)?)
				.map_err(|e| error(RUNTIME_ERROR, e))?
				.and_then(|all| all.into_justification(GRANDPA_ENGINE_ID)))
		};

		// The end of the set in force after `after`, if it has ended.
		let changes = self.authority_set.authority_set_changes();
		let end_of_set = changes
			.iter_from(after)
			.ok_or_else(|| {
				error(NO_PROOF, "this node does not know the authority sets before this block")
			})?
			.next()
			.map(|(_, last)| *last);
		let (mut target, mut justification) = match end_of_set {
			Some(last) => (
				last,
				stored(last)?.ok_or_else(|| {
					error(NO_PROOF, format!("no justification stored for set change #{last}"))
				})?,
			),
			None => {
				let best = sc_consensus_grandpa::best_justification::<_, Block>(&*self.backend)
					.map_err(|e| error(RUNTIME_ERROR, e))?
					.ok_or_else(|| error(NO_PROOF, "no block is finalized by GRANDPA yet"))?;
				(best.target().0, best.encode())
			}
		};
		if target <= after {
			return Ok(None);
		}
		if target - after > MAX_HEADERS {
			// Too far: the newest stored justification within reach, of the same set.
			let reach = after + MAX_HEADERS;
			let mut found = None;
			for number in (after + 1..=reach).rev() {
				if let Some(within) = stored(number)? {
					found = Some((number, within));
					break;
				}
			}
			(target, justification) = found.ok_or_else(|| {
				error(NO_PROOF, format!("no justification stored in #{}..=#{reach}", after + 1))
			})?;
		}
		let mut headers = Vec::with_capacity((target - after) as usize);
		for number in after + 1..=target {
			let header = chain
				.header(hash_of(number)?)
				.map_err(|e| error(RUNTIME_ERROR, e))?
				.ok_or_else(|| error(NO_PROOF, format!("header #{number} is unknown")))?;
			headers.push(header);
		}
		let proof =
			FinalityProof { block: hash_of(target)?, justification, unknown_headers: headers };
		Ok(Some(Bytes(proof.encode())))
	}
}
