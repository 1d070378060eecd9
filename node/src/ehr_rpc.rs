//! The project's JSON-RPC methods (`ehr_*`) for apps and auditors, served from the runtime's
//! `EhrApi` at a block of the caller's choice (by default the latest finalized block).
//!
//! `ehr_auditTrail` answers with what an auditor needs to check the page without trusting this
//! node: the finalized block it was read at, each entry's storage key and SCALE-encoded value,
//! and a storage proof of those keys (and of the trail's length) against that block's state
//! root. See `node/tests/e2e_dev.rs` for an independent verification.

use std::sync::Arc;

use codec::Encode;
use ehr_primitives::{
	AccessLevel, AuditEntry, EhrApi as EhrRuntimeApi, EmergencyReason, Grant, RecordCategory,
};
use ehr_runtime::{opaque::Block, AccountId, BlockNumber, Hash, Runtime};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use sc_client_api::ProofProvider;
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::Bytes;

/// The largest page an RPC call returns.
pub const MAX_PAGE: u32 = ehr_primitives::MAX_AUDIT_PAGE;

/// A doctor of the directory.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Doctor {
	/// The doctor's account.
	pub account: AccountId,
	/// The hospital that verified the doctor.
	pub hospital: AccountId,
	/// Full name.
	pub name: String,
	/// Specialty.
	pub specialty: String,
	/// Licence number.
	pub licence: String,
	/// The X25519 encryption key, once the doctor set it.
	pub encryption_key: Option<Bytes>,
	/// Suspended by the hospital.
	pub suspended: bool,
}

/// A grant of a patient.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PatientGrant {
	/// Who the grant is for.
	pub grantee: AccountId,
	/// Its terms.
	pub grant: Grant<AccountId>,
}

/// An open break-glass access.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyAccess {
	/// The doctor.
	pub doctor: AccountId,
	/// The coded reason (e.g. `unconscious`).
	pub code: EmergencyReason,
	/// The commitment to the doctor's note kept off chain (SHA-256 of salt and note), if any.
	pub commitment: Option<Bytes>,
	/// When it was opened (ms since the Unix epoch).
	pub opened_at: u64,
	/// When it closes by itself (ms since the Unix epoch).
	pub expires_at: u64,
}

/// One entry of an audit trail page, with what proves it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProvenEntry {
	/// Position in the patient's trail.
	pub index: u64,
	/// The entry, decoded.
	pub entry: AuditEntry<AccountId, BlockNumber>,
	/// Its storage key.
	pub key: Bytes,
	/// Its SCALE-encoded value, as stored.
	pub value: Bytes,
}

/// A page of a patient's audit trail that an auditor can verify.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VerifiableTrailPage {
	/// The finalized block the page was read at.
	pub at: Hash,
	/// Its number.
	pub block_number: BlockNumber,
	/// How many entries the whole trail has.
	pub total: u64,
	/// Storage key of the trail's length (its value is `total`, SCALE `u64`).
	pub length_key: Bytes,
	/// The entries.
	pub entries: Vec<ProvenEntry>,
	/// Trie nodes proving every key above against the state root of `at`.
	pub proof: Vec<Bytes>,
}

/// The `ehr_*` methods.
#[rpc(client, server)]
pub trait EhrApi {
	/// Up to `limit` (at most 100) doctors of the directory, after the account `after`.
	#[method(name = "ehr_doctors")]
	fn doctors(
		&self,
		after: Option<AccountId>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<Doctor>>;

	/// The patients who granted `doctor`, or the doctor's hospital, access.
	#[method(name = "ehr_doctorPatients")]
	fn doctor_patients(&self, doctor: AccountId, at: Option<Hash>) -> RpcResult<Vec<AccountId>>;

	/// The grants of `patient`.
	#[method(name = "ehr_patientGrants")]
	fn patient_grants(&self, patient: AccountId, at: Option<Hash>) -> RpcResult<Vec<PatientGrant>>;

	/// Whether `who` may access records of `category` of `patient` at `level`.
	#[method(name = "ehr_checkAccess")]
	fn check_access(
		&self,
		who: AccountId,
		patient: AccountId,
		category: RecordCategory,
		level: AccessLevel,
		at: Option<Hash>,
	) -> RpcResult<bool>;

	/// The open emergency accesses to `patient`.
	#[method(name = "ehr_emergencyAccesses")]
	fn emergency_accesses(
		&self,
		patient: AccountId,
		at: Option<Hash>,
	) -> RpcResult<Vec<EmergencyAccess>>;

	/// Entries `from..from + limit` (at most 100) of the audit trail of `patient`, read at a
	/// finalized block (`at`, or the latest), with a storage proof.
	#[method(name = "ehr_auditTrail")]
	fn audit_trail(
		&self,
		patient: AccountId,
		from: u64,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<VerifiableTrailPage>;
}

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

/// Error codes of the `ehr_*` methods.
pub(crate) const RUNTIME_ERROR: i32 = 9000;
const NOT_FINALIZED: i32 = 9001;
const PROOF_ERROR: i32 = 9002;

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
