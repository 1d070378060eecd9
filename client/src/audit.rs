//! The auditor's side: read a page of a patient's audit trail and verify it against the state
//! root of a finalized block, trusting the node for nothing but the header chain.

use codec::Decode;
use ehr_primitives::AuditEntry;
use ehr_runtime::{BlockNumber, Hash, Header, Runtime};
use jsonrpsee::rpc_params;
use serde_json::Value;
use sp_core::{bytes::from_hex, crypto::Ss58Codec};
use sp_runtime::{
	traits::{BlakeTwo256, Header as _},
	AccountId32 as AccountId,
};

use crate::{chain::Chain, Error};

/// A page of a trail that checked against a finalized block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPage {
	/// The finalized block it was checked against.
	pub at: Hash,
	/// Its number.
	pub block_number: BlockNumber,
	/// How many entries the whole trail has.
	pub total: u64,
	/// The entries with their indices, in order.
	pub entries: Vec<(u64, AuditEntry<AccountId, BlockNumber>)>,
}

/// Reads entries `from..from + limit` of the trail of `patient` with `ehr_auditTrail` and
/// verifies them.
pub async fn verified_trail(
	chain: &Chain,
	patient: &AccountId,
	from: u64,
	limit: u32,
) -> Result<VerifiedPage, Error> {
	let page: Value =
		chain.request("ehr_auditTrail", rpc_params![patient.to_ss58check(), from, limit]).await?;
	verify_page(chain, patient, from, &page).await
}

fn unverified(reason: impl Into<String>) -> Error {
	Error::Unverified(reason.into())
}

/// Verifies a page answered by `ehr_auditTrail` for entries from `from`: the block is
/// finalized, the proof checks against its state root, the entries are the stored ones, and
/// none is missing.
pub async fn verify_page(
	chain: &Chain,
	patient: &AccountId,
	from: u64,
	page: &Value,
) -> Result<VerifiedPage, Error> {
	let at: Hash = serde_json::from_value(page["at"].clone())
		.map_err(|_| unverified("the page names no block"))?;
	let header: Header = chain.request("chain_getHeader", rpc_params![at]).await?;
	let finalized: Hash = chain.finalized().await?;
	let finalized_header: Header = chain.request("chain_getHeader", rpc_params![finalized]).await?;
	let canonical: Hash =
		chain.request("chain_getBlockHash", rpc_params![*header.number()]).await?;
	if header.number() > finalized_header.number() || canonical != at {
		return Err(unverified("the page was not read at a finalized block"));
	}

	// The keys come from the storage layout, not from the node.
	let total = page["total"].as_u64().ok_or_else(|| unverified("no total"))?;
	let length_key = pallet_ehr_consent::TrailLength::<Runtime>::hashed_key_for(patient);
	let claimed = page["entries"].as_array().ok_or_else(|| unverified("no entries"))?;
	let mut expected = Vec::with_capacity(claimed.len());
	for (offset, entry) in claimed.iter().enumerate() {
		let index = entry["index"].as_u64().ok_or_else(|| unverified("an entry has no index"))?;
		// No gaps: a node must not leave entries out.
		if index != from + offset as u64 {
			return Err(unverified(format!("entry {} is missing", from + offset as u64)));
		}
		let value = from_hex(entry["value"].as_str().unwrap_or_default())
			.map_err(|_| unverified("an entry's value is not hex"))?;
		expected.push((
			index,
			pallet_ehr_consent::Trail::<Runtime>::hashed_key_for(patient, index),
			value,
		));
	}
	let end = total.min(from.saturating_add(claimed.len() as u64));
	if (claimed.len() as u64) < end.saturating_sub(from) {
		return Err(unverified("the page is shorter than the trail"));
	}
	let proof: Vec<Vec<u8>> = page["proof"]
		.as_array()
		.ok_or_else(|| unverified("no proof"))?
		.iter()
		.map(|node| from_hex(node.as_str().unwrap_or_default()))
		.collect::<Result<_, _>>()
		.map_err(|_| unverified("a proof node is not hex"))?;

	let keys = std::iter::once(length_key.as_slice())
		.chain(expected.iter().map(|(_, key, _)| key.as_slice()));
	let proven = sp_state_machine::read_proof_check::<BlakeTwo256, _>(
		*header.state_root(),
		sp_trie::StorageProof::new(proof),
		keys,
	)
	.map_err(|e| unverified(format!("the proof does not check: {e:?}")))?;

	let proven_total = proven
		.get(&length_key)
		.cloned()
		.flatten()
		.and_then(|bytes| u64::decode(&mut &bytes[..]).ok())
		.unwrap_or_default();
	if proven_total != total {
		return Err(unverified(format!("the trail has {proven_total} entries, not {total}")));
	}
	let mut entries = Vec::with_capacity(expected.len());
	for (index, key, value) in expected {
		if proven.get(&key).cloned().flatten().as_ref() != Some(&value) {
			return Err(unverified(format!("entry {index} is not the one in the state")));
		}
		let entry = AuditEntry::decode(&mut &value[..])
			.map_err(|e| unverified(format!("entry {index} does not decode: {e}")))?;
		entries.push((index, entry));
	}
	Ok(VerifiedPage { at, block_number: *header.number(), total, entries })
}
