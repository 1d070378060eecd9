//! The auditor's side: read a patient's audit trail and verify it against the state root of a
//! block whose finality the client verified itself ([`crate::finality`]), trusting the node
//! for nothing.
//!
//! A page for entries `from..from + limit` must hold exactly
//! `min(limit, MAX_AUDIT_PAGE, total - from)` entries, in order, each the value stored under its
//! key, and `total` must be the stored length of the trail — all proven against the verified
//! block. A node that drops, reorders, alters or invents entries, or answers at another block,
//! is caught, each with its own [`AuditError`].

use ehr_primitives::MAX_AUDIT_PAGE;
use ehr_runtime::Header;
use sp_runtime::{traits::Header as _, AccountId32 as AccountId};

use ehr_rpc_api::{EhrApiClient, VerifiableTrailPage};
pub use ehr_verify::trail::{AuditError, VerifiedPage};

use crate::{chain::Chain, finality::Finality, Error};

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
	// The node's `key` and `lengthKey` fields, and its decoded `entry`, are not used.
	let claimed = ehr_verify::trail::ClaimedPage {
		at: page.at,
		total: page.total,
		entries: page.entries.iter().map(|entry| (entry.index, entry.value.0.clone())).collect(),
		proof: page.proof.iter().map(|node| node.0.clone()).collect(),
	};
	ehr_verify::trail::verify_page(
		(header.hash(), *header.number(), header.state_root),
		patient,
		from,
		limit,
		claimed,
	)
}
