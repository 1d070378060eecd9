//! A page of a patient's audit trail, checked against a verified block.
//!
//! The node answers `ehr_auditTrail` with the entries, the trail's length and one proof for
//! all of them. [`verify_page`] computes the keys itself (the node's `key` and `lengthKey`
//! fields, and its decoded `entry`, are not used), checks the proof against the verified state
//! root, and accepts the page only if the total is the proven length, the entries are numbered
//! without a gap from where the auditor asked, each is the proven value, and there are exactly
//! as many as the trail has for the page: none hidden, altered or added.

use alloc::{format, string::String, vec::Vec};

use codec::Decode;
use ehr_primitives::{AuditEntry, MAX_AUDIT_PAGE};

use crate::{
	finality::{BlockNumber, Hash},
	state::{check_read_proof, keys, AccountId},
};

/// A stored trail entry.
pub type Entry = AuditEntry<AccountId, BlockNumber>;

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
	/// The page has fewer or more entries than the trail holds for it.
	#[error("the page holds {got} entries where the trail has {expected} (entries left out)")]
	WrongCount {
		/// What the trail holds for the page.
		expected: u64,
		/// What the node sent.
		got: u64,
	},
	/// An entry differs from the stored one (altered or invented).
	#[error("entry {0} is not the one in the verified state")]
	NotInState(u64),
	/// The proof does not check against the verified state root.
	#[error("the page's proof does not check against the verified block: {0}")]
	BadProof(String),
	/// The answer is malformed.
	#[error("the page is malformed: {0}")]
	Malformed(String),
}

/// A page the auditor may believe: read at `at`, with the trail's `total` length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPage {
	/// The verified block.
	pub at: Hash,
	/// Its number.
	pub block_number: BlockNumber,
	/// How many entries the whole trail has.
	pub total: u64,
	/// The entries, with their indices.
	pub entries: Vec<(u64, Entry)>,
}

/// What the node answered for a page (its `ehr_auditTrail` answer, reduced to what is checked).
pub struct ClaimedPage {
	/// The block it says it read at.
	pub at: Hash,
	/// The length it says the trail has.
	pub total: u64,
	/// The entries: index and SCALE-encoded value.
	pub entries: Vec<(u64, Vec<u8>)>,
	/// The proof.
	pub proof: Vec<Vec<u8>>,
}

/// Verifies `page`, answered for entries `from..from + limit` of `patient`'s trail, against the
/// verified block `(at, number, state_root)`.
pub fn verify_page(
	(at, number, state_root): (Hash, BlockNumber, Hash),
	patient: &AccountId,
	from: u64,
	limit: u32,
	page: ClaimedPage,
) -> Result<VerifiedPage, AuditError> {
	if page.at != at {
		return Err(AuditError::WrongBlock { asked: at, answered: page.at });
	}
	let length_key = keys::trail_length(patient);
	let mut wanted = Vec::with_capacity(page.entries.len() + 1);
	wanted.push(length_key.clone());
	for (offset, (index, _)) in page.entries.iter().enumerate() {
		let expected = from
			.checked_add(offset as u64)
			.ok_or_else(|| AuditError::Malformed("too many entries".into()))?;
		if *index != expected {
			return Err(AuditError::Gap(expected));
		}
		wanted.push(keys::trail(patient, *index));
	}
	let proven = check_read_proof(&state_root, page.proof, &wanted)
		.map_err(|e| AuditError::BadProof(format!("{e}")))?;
	let total = proven
		.get(&length_key)
		.cloned()
		.flatten()
		.map(|bytes| u64::decode(&mut &bytes[..]))
		.transpose()
		.map_err(|_| AuditError::Malformed("the proven length does not decode".into()))?
		.unwrap_or_default();
	if page.total != total {
		return Err(AuditError::ForgedTotal { claimed: page.total, proven: total });
	}
	// Exactly the entries the trail has for this page: none left out at the end, none empty.
	let expected = u64::from(limit.min(MAX_AUDIT_PAGE)).min(total.saturating_sub(from));
	if page.entries.len() as u64 != expected {
		return Err(AuditError::WrongCount { expected, got: page.entries.len() as u64 });
	}
	let mut entries = Vec::with_capacity(page.entries.len());
	for ((index, value), key) in page.entries.into_iter().zip(wanted.iter().skip(1)) {
		if proven.get(key).cloned().flatten().as_ref() != Some(&value) {
			return Err(AuditError::NotInState(index));
		}
		let entry = Entry::decode(&mut &value[..])
			.map_err(|e| AuditError::Malformed(format!("entry {index} does not decode: {e}")))?;
		entries.push((index, entry));
	}
	Ok(VerifiedPage { at, block_number: number, total, entries })
}
