//! The project's JSON-RPC methods (`ehr_*`) for apps and auditors, served from the runtime's
//! `EhrApi` at a block of the caller's choice (by default the latest finalized block).
//!
//! `ehr_auditTrail` answers with what an auditor needs to check the page without trusting this
//! node: the finalized block it was read at, each entry's storage key and SCALE-encoded value,
//! and a storage proof of those keys (and of the trail's length) against that block's state
//! root. See `node/tests/node/e2e_dev.rs` for an independent verification.

use std::sync::Arc;

use codec::Encode;
use ehr_primitives::{AccessLevel, EhrApi as EhrRuntimeApi, RecordCategory};
use ehr_rpc_api::{
	Doctor, EhrApiServer, EmergencyAccess, ErrorCode, PatientGrant, ProvenEntry,
	VerifiableTrailPage, MAX_PAGE,
};
use ehr_runtime::{opaque::Block, AccountId, BlockNumber, Hash, Runtime};
use jsonrpsee::{
	core::RpcResult,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use sc_client_api::ProofProvider;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::Bytes;

/// Serves the `ehr_*` methods from a client.
pub struct Ehr<C> {
	client: Arc<C>,
}

impl<C> Ehr<C> {
	/// Serve from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

/// Error codes of the `ehr_*` methods (defined once, in `ehr-rpc-api`).
pub(crate) const RUNTIME_ERROR: i32 = ErrorCode::Runtime as i32;
const NOT_FINALIZED: i32 = ErrorCode::NotFinalized as i32;
const PROOF_ERROR: i32 = ErrorCode::Proof as i32;

pub(crate) fn error(code: i32, message: impl ToString) -> ErrorObjectOwned {
	ErrorObject::owned(code, message.to_string(), None::<()>)
}

fn text(bytes: Vec<u8>) -> String {
	String::from_utf8_lossy(&bytes).into_owned()
}

/// The block to read at: the caller's, or the latest finalized one.
pub(crate) fn at_or_finalized<C: HeaderBackend<Block>>(client: &C, at: Option<Hash>) -> Hash {
	at.unwrap_or_else(|| client.info().finalized_hash)
}

impl<C> Ehr<C>
where
	C: HeaderBackend<Block>,
{
	fn at_or_finalized(&self, at: Option<Hash>) -> Hash {
		at_or_finalized(&*self.client, at)
	}
}

impl<C> EhrApiServer for Ehr<C>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: EhrRuntimeApi<Block, AccountId, BlockNumber>,
{
	fn doctors(
		&self,
		after: Option<AccountId>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<Doctor>> {
		let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
		let entries = self
			.client
			.runtime_api()
			.doctors(self.at_or_finalized(at), after, limit)
			.map_err(|e| error(RUNTIME_ERROR, e))?;
		Ok(entries
			.into_iter()
			.map(|entry| Doctor {
				account: entry.account,
				hospital: entry.hospital,
				name: text(entry.name),
				specialty: text(entry.specialty),
				licence: text(entry.licence),
				encryption_key: entry.encryption_key.map(|key| Bytes(key.to_vec())),
				suspended: entry.suspended,
			})
			.collect())
	}

	fn doctor_patients(&self, doctor: AccountId, at: Option<Hash>) -> RpcResult<Vec<AccountId>> {
		self.client
			.runtime_api()
			.doctor_patients(self.at_or_finalized(at), doctor)
			.map_err(|e| error(RUNTIME_ERROR, e))
	}

	fn patient_grants(&self, patient: AccountId, at: Option<Hash>) -> RpcResult<Vec<PatientGrant>> {
		let grants = self
			.client
			.runtime_api()
			.patient_grants(self.at_or_finalized(at), patient)
			.map_err(|e| error(RUNTIME_ERROR, e))?;
		Ok(grants.into_iter().map(|(grantee, grant)| PatientGrant { grantee, grant }).collect())
	}

	fn check_access(
		&self,
		who: AccountId,
		patient: AccountId,
		category: RecordCategory,
		level: AccessLevel,
		at: Option<Hash>,
	) -> RpcResult<bool> {
		self.client
			.runtime_api()
			.check_access(self.at_or_finalized(at), who, patient, category, level)
			.map_err(|e| error(RUNTIME_ERROR, e))
	}

	fn emergency_accesses(
		&self,
		patient: AccountId,
		at: Option<Hash>,
	) -> RpcResult<Vec<EmergencyAccess>> {
		let accesses = self
			.client
			.runtime_api()
			.emergency_accesses(self.at_or_finalized(at), patient)
			.map_err(|e| error(RUNTIME_ERROR, e))?;
		Ok(accesses
			.into_iter()
			.map(|access| EmergencyAccess {
				doctor: access.doctor,
				code: access.code,
				commitment: access.commitment.map(|commitment| Bytes(commitment.to_vec())),
				opened_at: access.opened_at,
				expires_at: access.expires_at,
			})
			.collect())
	}

	fn audit_trail(
		&self,
		patient: AccountId,
		from: u64,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<VerifiableTrailPage> {
		let info = self.client.info();
		let at = at.unwrap_or(info.finalized_hash);
		let block_number = self
			.client
			.number(at)
			.map_err(|e| error(RUNTIME_ERROR, e))?
			.ok_or_else(|| error(NOT_FINALIZED, "unknown block"))?;
		// Only finalized blocks: an auditor's evidence must not be reverted.
		let canonical = self.client.hash(block_number).map_err(|e| error(RUNTIME_ERROR, e))?;
		if block_number > info.finalized_number || canonical != Some(at) {
			return Err(error(NOT_FINALIZED, "the block is not finalized"));
		}

		let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
		let page = self
			.client
			.runtime_api()
			.audit_trail(at, patient.clone(), from, limit)
			.map_err(|e| error(RUNTIME_ERROR, e))?;

		let length_key = pallet_ehr_consent::TrailLength::<Runtime>::hashed_key_for(&patient);
		let entries: Vec<ProvenEntry> = page
			.entries
			.into_iter()
			.map(|(index, entry)| ProvenEntry {
				index,
				key: Bytes(pallet_ehr_consent::Trail::<Runtime>::hashed_key_for(&patient, index)),
				value: Bytes(entry.encode()),
				entry,
			})
			.collect();
		let mut keys = entries.iter().map(|entry| entry.key.0.as_slice()).collect::<Vec<_>>();
		keys.push(length_key.as_slice());
		let proof =
			self.client.read_proof(at, &mut keys.into_iter()).map_err(|e| error(PROOF_ERROR, e))?;

		Ok(VerifiableTrailPage {
			at,
			block_number,
			total: page.total,
			length_key: Bytes(length_key),
			entries,
			proof: proof.into_iter_nodes().map(Bytes).collect(),
		})
	}
}
