//! The auditor's side: read a patient's audit trail and verify it against the state root of a
//! block whose finality the client verified itself ([`crate::finality`]), trusting the node
//! for nothing.
//!
//! A page for entries `from..from + limit` must hold exactly
//! `min(limit, MAX_AUDIT_PAGE, total - from)` entries, in order, each the value stored under its
//! key, and `total` must be the stored length of the trail — all proven against the verified
//! block. A node that drops, reorders, alters or invents entries, or answers at another block,
//! is caught, each with its own [`AuditError`].

use codec::Decode;
use ehr_primitives::{AuditEntry, MAX_AUDIT_PAGE};
use ehr_runtime::{BlockNumber, Hash, Header, Runtime};
use sp_runtime::{traits::Header as _, AccountId32 as AccountId};

use ehr_rpc_api::{EhrApiClient, VerifiableTrailPage};

use crate::{
	chain::Chain,
	finality::{check_read_proof, Finality},
	Error,
};

/// Why a page of a trail is not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
	/// The page was read at another block than the verified one the auditor asked for.
	#[error("the page was read at block {answered:?}, not at the verified block {asked:?}")]
	WrongBlock {
		/// The verified block asked for.
		asked: Hash,
		/// The block the node answered at.
		answered: Hash,
	},
	/// The total the node claims is not the stored length.
	#[error("the node says the trail has {claimed} entries; the verified state says {proven}")]
	ForgedTotal {
		/// What the node says.
		claimed: u64,
		/// What the state proves.
		proven: u64,
	},
	/// An entry is missing inside the page.
	#[error("entry {0} is missing from the page")]
	Gap(u64),
	/// The page has fewer (or more) entries than the trail holds for it.
	#[error("the page holds {got} entries where the trail has {expected} (entries left out)")]
	WrongCount {
		/// How many the trail has for this page.
		expected: u64,
		/// How many the node sent.
		got: u64,
	},
	/// An entry is not the value stored for it.
	#[error("entry {0} is not the one in the verified state")]
	NotInState(u64),
	/// The answer is malformed.
	#[error("the page is malformed: {0}")]
	Malformed(String),
	/// The proof does not check against the verified state root.
	#[error("the page's proof does not check against the verified block: {0}")]
	BadProof(String),
}

/// A page of a trail that checked against a verified finalized block.
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

/// Reads entries `from..from + limit` of the trail of `patient` with `ehr_auditTrail` at the
/// newest block `finality` verified (syncing it first, and refusing it if it is old), and
/// verifies them.
pub async fn verified_trail(
	chain: &Chain,
	finality: &mut Finality,
	patient: &AccountId,
	from: u64,
	limit: u32,
) -> Result<VerifiedPage, Error> {
	let header = finality.sync(chain).await?;
	trail_page_at(chain, &header, patient, from, limit).await
}

/// Reads and verifies every entry of the trail of `patient` from `from`, in pages of `page`
/// entries (at most [`MAX_AUDIT_PAGE`]), all at the same verified block.
pub async fn verified_trail_all(
	chain: &Chain,
	finality: &mut Finality,
	patient: &AccountId,
	from: u64,
	page: u32,
) -> Result<VerifiedPage, Error> {
	let header = finality.sync(chain).await?;
	let page = page.clamp(1, MAX_AUDIT_PAGE);
	let mut all = trail_page_at(chain, &header, patient, from, page).await?;
	// Each page holds exactly what the trail has for it, so this ends at `total`.
	while from + (all.entries.len() as u64) < all.total {
		let next = from + all.entries.len() as u64;
		all.entries.extend(trail_page_at(chain, &header, patient, next, page).await?.entries);
	}
	Ok(all)
}

/// One page read at the verified `header`.
pub async fn trail_page_at(
	chain: &Chain,
	header: &Header,
	patient: &AccountId,
	from: u64,
	limit: u32,
) -> Result<VerifiedPage, Error> {
	let page = chain
		.rpc()
		.audit_trail(patient.clone(), from, Some(limit), Some(header.hash()))
		.await
		.map_err(crate::rpc_error("ehr_auditTrail"))?;
	verify_page(header, patient, from, limit, &page).map_err(Error::Unverified)
}

fn malformed(what: &str) -> AuditError {
	AuditError::Malformed(what.to_string())
}

/// Verifies a page answered by `ehr_auditTrail` for entries `from..from + limit` against the
/// verified `header`: read at that block, the proof checks against its state root, the total is
/// the stored length, the entries are the stored ones, none is missing and none is added.
pub fn verify_page(
	header: &Header,
	patient: &AccountId,
	from: u64,
	limit: u32,
	page: &VerifiableTrailPage,
) -> Result<VerifiedPage, AuditError> {
	if page.at != header.hash() {
		return Err(AuditError::WrongBlock { asked: header.hash(), answered: page.at });
	}

	// The keys come from the storage layout, not from the node (its `key` and `lengthKey`
	// fields, and its decoded `entry`, are not used).
	let claimed_total = page.total;
	let length_key = pallet_ehr_consent::TrailLength::<Runtime>::hashed_key_for(patient);
	let claimed = &page.entries;
	let mut expected = Vec::with_capacity(claimed.len());
	for (offset, entry) in claimed.iter().enumerate() {
		let expected_index =
			from.checked_add(offset as u64).ok_or_else(|| malformed("too many entries"))?;
		if entry.index != expected_index {
			return Err(AuditError::Gap(expected_index));
		}
		expected.push((
			entry.index,
			pallet_ehr_consent::Trail::<Runtime>::hashed_key_for(patient, entry.index),
			entry.value.0.clone(),
		));
	}
	let proof: Vec<Vec<u8>> = page.proof.iter().map(|node| node.0.clone()).collect();

	let mut keys = vec![length_key.clone()];
	keys.extend(expected.iter().map(|(_, key, _)| key.clone()));
	let proven =
		check_read_proof(header, proof, &keys).map_err(|e| AuditError::BadProof(e.to_string()))?;

	let total = proven
		.get(&length_key)
		.cloned()
		.flatten()
		.and_then(|bytes| u64::decode(&mut &bytes[..]).ok())
		.unwrap_or_default();
	if claimed_total != total {
		return Err(AuditError::ForgedTotal { claimed: claimed_total, proven: total });
	}
	// Exactly the entries the trail has for this page: none left out at the end, none empty.
	let wanted = u64::from(limit.min(MAX_AUDIT_PAGE)).min(total.saturating_sub(from));
	if claimed.len() as u64 != wanted {
		return Err(AuditError::WrongCount { expected: wanted, got: claimed.len() as u64 });
	}
	let mut entries = Vec::with_capacity(expected.len());
	for (index, key, value) in expected {
		if proven.get(&key).cloned().flatten().as_ref() != Some(&value) {
			return Err(AuditError::NotInState(index));
		}
		let entry = AuditEntry::decode(&mut &value[..])
			.map_err(|e| AuditError::Malformed(format!("entry {index} does not decode: {e}")))?;
		entries.push((index, entry));
	}
	Ok(VerifiedPage { at: page.at, block_number: *header.number(), total, entries })
}
