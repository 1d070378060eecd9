//! A lying node: a JSON-RPC proxy in front of a real node that forwards every call and alters
//! the answers of the one it is told to lie about. The auditor's checks must catch each lie
//! with its own error, and must pass when the proxy tells the truth.

use std::sync::{Arc, Mutex};

use codec::{Decode, Encode};
use ehr_client::finality::{FinalityProof, Justification};
use jsonrpsee::{
	core::{
		client::{ClientT, SubscriptionClientT},
		params::ArrayParams,
		ClientError,
	},
	server::{RpcModule, Server, ServerHandle, SubscriptionMessage},
	types::{ErrorObject, ErrorObjectOwned},
	ws_client::{WsClient, WsClientBuilder},
};
use serde_json::Value;
use sp_core::{
	bytes::{from_hex, to_hex},
	Pair,
};

/// What the proxy lies about.
#[derive(Clone, Debug, PartialEq)]
pub enum Lie {
	/// Nothing: every answer is the node's.
	Truth,
	/// Headers with another state root.
	ForgedHeader,
	/// Finality proofs whose justification has no votes.
	NoSignatures,
	/// Finality proofs whose vote is signed by a key outside the authority set.
	StrangerSigns,
	/// Finality proofs recorded earlier, replayed.
	ReplayOldProof,
	/// "Not yet finalized" for every finality proof: hides every block.
	WithholdFinality,
	/// The last entry of an audit page dropped.
	DropLastEntry,
	/// An entry in the middle of a page dropped.
	DropMiddleEntry,
	/// No entries at all.
	EmptyPage,
	/// A smaller total, with the page cut to match.
	ForgedTotal,
	/// The page read at another block.
	OtherBlock,
	/// One entry's bytes altered.
	AlteredEntry,
	/// These bytes replaced by those in every storage answer and proof (e.g. a doctor's
	/// encryption key by the node's own, or a record's commitment).
	Replace(Vec<u8>, Vec<u8>),
	/// The last key of every key listing left out (e.g. a grant hidden).
	HideLastKey,
	/// The runtime's metadata (`state_call` of `Metadata_metadata_at_version`, and
	/// `state_getMetadata`) with the call indices of two calls of a pallet swapped, so that a
	/// wallet that encodes from it sends the other call: (pallet, call, call).
	SwappedCalls(&'static str, &'static str, &'static str),
}

struct State {
	upstream: WsClient,
	lie: Mutex<Lie>,
	/// The first finality proof seen, for [`Lie::ReplayOldProof`].
	recorded: Mutex<Option<Value>>,
}

/// The proxy; drop it to stop it.
pub struct LyingNode {
	state: Arc<State>,
	handle: ServerHandle,
	/// Its `ws://` address.
	pub url: String,
}

impl Drop for LyingNode {
	fn drop(&mut self) {
		let _ = self.handle.stop();
	}
}

const METHODS: &[&str] = &[
	"chain_getBlockHash",
	"chain_getHeader",
	"chain_getFinalizedHead",
	"chain_getBlock",
	"ehr_finalityProof",
	"ehr_auditTrail",
	"state_getReadProof",
	"state_getKeysPaged",
	"state_getStorage",
	"state_getRuntimeVersion",
	"system_accountNextIndex",
	"ehr_patientGrants",
	"ehr_readerRecords",
	"ehr_record",
	"state_call",
	"state_getMetadata",
];

impl LyingNode {
	/// A proxy to the node at `upstream` that tells the truth until told otherwise.
	pub async fn start(upstream: &str) -> LyingNode {
		let upstream = WsClientBuilder::default().build(upstream).await.expect("the node");
		let state =
			Arc::new(State { upstream, lie: Mutex::new(Lie::Truth), recorded: Mutex::new(None) });
		let mut module = RpcModule::from_arc(state.clone());
		for method in METHODS {
			module
				.register_async_method(method, move |params, state, _| async move {
					let params: Vec<Value> = params.parse().unwrap_or_default();
					forward(&state, method, params).await
				})
				.expect("unique names");
		}
		// Transactions go through too: their status stream is forwarded as it comes.
		module
			.register_subscription(
				"author_submitAndWatchExtrinsic",
				"author_extrinsicUpdate",
				"author_unwatchExtrinsic",
				|params, pending, state, _| async move {
					let mut array = ArrayParams::new();
					for param in params.parse::<Vec<Value>>().unwrap_or_default() {
						array.insert(param).unwrap();
					}
					let upstream = state
						.upstream
						.subscribe::<Value, _>(
							"author_submitAndWatchExtrinsic",
							array,
							"author_unwatchExtrinsic",
						)
						.await;
					let mut upstream = match upstream {
						Ok(upstream) => upstream,
						Err(ClientError::Call(error)) => {
							pending.reject(error).await;
							return Ok(());
						}
						Err(other) => {
							pending
								.reject(ErrorObject::owned(-32000, other.to_string(), None::<()>))
								.await;
							return Ok(());
						}
					};
					let sink = pending.accept().await?;
					while let Some(Ok(update)) = upstream.next().await {
						sink.send(SubscriptionMessage::from_json(&update)?).await?;
					}
					Ok::<(), jsonrpsee::core::StringError>(())
				},
			)
			.expect("unique names");
		let server = Server::builder().build("127.0.0.1:0").await.expect("a loopback port");
		let url = format!("ws://{}", server.local_addr().unwrap());
		let handle = server.start(module);
		LyingNode { state, handle, url }
	}

	/// From now on, tell `lie`.
	pub fn lie(&self, lie: Lie) {
		*self.state.lie.lock().unwrap() = lie;
	}
}

async fn forward(
	state: &State,
	method: &str,
	params: Vec<Value>,
) -> Result<Value, ErrorObjectOwned> {
	let lie = state.lie.lock().unwrap().clone();
	if method == "ehr_finalityProof" && lie == Lie::WithholdFinality {
		return Ok(Value::Null);
	}
	if method == "ehr_finalityProof" && lie == Lie::ReplayOldProof {
		if let Some(old) = state.recorded.lock().unwrap().clone() {
			return Ok(old);
		}
	}
	let first_param = params.first().and_then(Value::as_str).map(str::to_owned);
	let mut array = ArrayParams::new();
	for param in params {
		array.insert(param).unwrap();
	}
	let mut answer: Value = state.upstream.request(method, array).await.map_err(|e| match e {
		ClientError::Call(error) => error,
		other => ErrorObject::owned(-32000, other.to_string(), None::<()>),
	})?;
	if method == "ehr_finalityProof" && !answer.is_null() {
		state.recorded.lock().unwrap().get_or_insert_with(|| answer.clone());
	}
	match (method, lie) {
		("ehr_finalityProof", Lie::ForgedHeader) if !answer.is_null() => {
			answer = rewrite_proof(&answer, |proof| {
				proof.unknown_headers[0].state_root = [0x11; 32].into();
			});
		}
		("ehr_finalityProof", Lie::NoSignatures) if !answer.is_null() => {
			answer = rewrite_justification(&answer, |justification| {
				justification.commit.precommits.clear();
			});
		}
		("ehr_finalityProof", Lie::StrangerSigns) if !answer.is_null() => {
			answer = rewrite_justification(&answer, |justification| {
				// A well-formed vote for the right block, signed by a key that is no authority.
				let stranger = sp_core::ed25519::Pair::from_string("//Mallory", None).unwrap();
				let round = justification.round;
				let vote = &mut justification.commit.precommits[0];
				let message = finality_grandpa::Message::Precommit(vote.precommit.clone());
				let payload = sp_consensus_grandpa::localized_payload(round, 0, &message);
				vote.id = stranger.public().into();
				vote.signature = stranger.sign(&payload).into();
			});
		}
		("ehr_auditTrail", Lie::DropLastEntry) => {
			answer["entries"].as_array_mut().unwrap().pop();
		}
		("ehr_auditTrail", Lie::DropMiddleEntry) => {
			answer["entries"].as_array_mut().unwrap().remove(2);
		}
		("ehr_auditTrail", Lie::EmptyPage) => {
			answer["entries"] = Value::Array(vec![]);
		}
		("ehr_auditTrail", Lie::ForgedTotal) => {
			answer["entries"].as_array_mut().unwrap().truncate(7);
			answer["total"] = Value::from(7);
		}
		("ehr_auditTrail", Lie::OtherBlock) => {
			answer["at"] = Value::String(format!("0x{}", "22".repeat(32)));
		}
		("ehr_auditTrail", Lie::AlteredEntry) => {
			let value = &mut answer["entries"][1]["value"];
			let mut bytes = from_hex(value.as_str().unwrap()).unwrap();
			let last = bytes.len() - 1;
			bytes[last] ^= 1;
			*value = Value::String(to_hex(&bytes, false));
		}
		("state_getReadProof", Lie::Replace(from, to)) => {
			for node in answer["proof"].as_array_mut().unwrap() {
				*node = Value::String(replace_hex(node.as_str().unwrap(), &from, &to));
			}
		}
		("state_getStorage", Lie::Replace(from, to)) if !answer.is_null() => {
			answer = Value::String(replace_hex(answer.as_str().unwrap(), &from, &to));
		}
		("state_getKeysPaged", Lie::HideLastKey) => {
			answer.as_array_mut().unwrap().pop();
		}
		("state_call", Lie::SwappedCalls(pallet, a, b))
			if first_param.as_deref() == Some("Metadata_metadata_at_version") =>
		{
			let bytes = from_hex(answer.as_str().unwrap()).unwrap();
			let metadata = Option::<Vec<u8>>::decode(&mut &bytes[..]).unwrap().unwrap();
			let altered = swap_calls(&metadata, pallet, a, b);
			answer = Value::String(to_hex(&Some(altered).encode(), false));
		}
		("state_getMetadata", Lie::SwappedCalls(pallet, a, b)) => {
			let metadata = from_hex(answer.as_str().unwrap()).unwrap();
			answer = Value::String(to_hex(&swap_calls(&metadata, pallet, a, b), false));
		}
		_ => {}
	}
	Ok(answer)
}

/// `metadata` (SCALE `RuntimeMetadataPrefixed`, version 14 or 15) with the indices of calls `a`
/// and `b` of `pallet` swapped.
pub fn swap_calls(metadata: &[u8], pallet: &str, a: &str, b: &str) -> Vec<u8> {
	use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
	let mut prefixed = RuntimeMetadataPrefixed::decode(&mut &metadata[..]).unwrap();
	let (types, calls) = match &mut prefixed.1 {
		RuntimeMetadata::V15(v15) => {
			let pallet = v15.pallets.iter().find(|p| p.name == pallet).unwrap();
			(&mut v15.types, pallet.calls.as_ref().unwrap().ty.id)
		}
		RuntimeMetadata::V14(v14) => {
			let pallet = v14.pallets.iter().find(|p| p.name == pallet).unwrap();
			(&mut v14.types, pallet.calls.as_ref().unwrap().ty.id)
		}
		_ => panic!("metadata version 14 or 15"),
	};
	let ty = types.types.iter_mut().find(|ty| ty.id == calls).unwrap();
	let scale_info::TypeDef::Variant(variants) = &mut ty.ty.type_def else {
		panic!("a pallet's calls are an enum")
	};
	let position = |name: &str| variants.variants.iter().position(|v| v.name == name).unwrap();
	let (i, j) = (position(a), position(b));
	let (x, y) = (variants.variants[i].index, variants.variants[j].index);
	variants.variants[i].index = y;
	variants.variants[j].index = x;
	prefixed.encode()
}

fn rewrite_proof(answer: &Value, change: impl FnOnce(&mut FinalityProof)) -> Value {
	let bytes = from_hex(answer.as_str().unwrap()).unwrap();
	let mut proof = FinalityProof::decode(&mut &bytes[..]).unwrap();
	change(&mut proof);
	Value::String(to_hex(&proof.encode(), false))
}

fn rewrite_justification(answer: &Value, change: impl FnOnce(&mut Justification)) -> Value {
	rewrite_proof(answer, |proof| {
		let mut justification = Justification::decode(&mut &proof.justification[..]).unwrap();
		change(&mut justification);
		proof.justification = justification.encode();
	})
}

/// `hex` with every occurrence of the bytes `from` replaced by `to`.
fn replace_hex(hex: &str, from: &[u8], to: &[u8]) -> String {
	hex.replace(&hex::encode(from), &hex::encode(to))
}
