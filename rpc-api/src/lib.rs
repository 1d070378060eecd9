//! The node's `ehr_*` JSON-RPC interface, defined once: the answer types, the error codes and
//! the method traits. `ehr-node` implements the generated `…Server` traits; clients (the `ehr`
//! command, tests, apps written in Rust) call the generated `…Client` traits on any jsonrpsee
//! client, so a method's name, parameters and answer cannot drift apart between the two sides.
//! Apps in other languages see the same JSON (camelCase fields) documented in the README.

use ehr_primitives::{
	AccessLevel, AppointmentEntry, AppointmentStatus, AuditEntry, EmergencyReason, FreeBudget,
	Grant, HistoryEntry, Moment, RecordCategory, RecordEntry, RecordId, Slot, SlotId, VisitKind,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sp_core::{Bytes, H256 as Hash};
use sp_runtime::AccountId32 as AccountId;

/// Block numbers, as the runtime counts them.
pub type BlockNumber = u32;

/// The largest page the list methods and `ehr_auditTrail` return.
pub const MAX_PAGE: u32 = ehr_primitives::MAX_AUDIT_PAGE;

/// The error codes of the `ehr_*` methods (JSON-RPC `error.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorCode {
	/// The runtime or the database failed to answer (see the message).
	Runtime = 9000,
	/// The block asked for is not finalized (audits are served at finalized blocks only).
	NotFinalized = 9001,
	/// The storage proof could not be made.
	Proof = 9002,
	/// The node cannot prove finality of what is asked (see the message).
	NoFinalityProof = 9003,
}

impl ErrorCode {
	/// The error object for this code and `message`.
	pub fn error(self, message: impl ToString) -> jsonrpsee::types::ErrorObjectOwned {
		jsonrpsee::types::ErrorObject::owned(self as i32, message.to_string(), None::<()>)
	}
}

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

/// One version of a record.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Record {
	/// The record's id.
	pub id: RecordId,
	/// Whose record it is.
	pub patient: AccountId,
	/// Who added it.
	pub author: AccountId,
	/// What kind of record.
	pub category: RecordCategory,
	/// Binary CIDv1 of the encrypted file; empty once erased.
	pub cid: Bytes,
	/// The envelope's commitment (SHA-256 of the plaintext for version 1 envelopes).
	pub content_hash: Bytes,
	/// Size of the encrypted file, in bytes.
	pub size: u64,
	/// When it was added (ms since the Unix epoch).
	pub created_at: Moment,
	/// The block that added it.
	pub created_in: BlockNumber,
	/// 1 for a new record, one more per amendment.
	pub version: u32,
	/// The version it amends.
	pub supersedes: Option<RecordId>,
	/// The version that amends it.
	pub superseded_by: Option<RecordId>,
	/// How many readers hold a key.
	pub key_count: u32,
	/// Erased by the patient.
	pub erased: bool,
	/// The content key wrapped for the reader asked about, if any.
	pub wrapped_key: Option<Bytes>,
}

impl From<RecordEntry<AccountId, BlockNumber>> for Record {
	fn from(entry: RecordEntry<AccountId, BlockNumber>) -> Self {
		let record = entry.record;
		Record {
			id: entry.id,
			patient: record.patient,
			author: record.author,
			category: record.category,
			cid: Bytes(record.cid),
			content_hash: Bytes(record.content_hash.to_vec()),
			size: record.size,
			created_at: record.created_at,
			created_in: record.created_in,
			version: record.version,
			supersedes: record.supersedes,
			superseded_by: record.superseded_by,
			key_count: record.key_count,
			erased: record.erased,
			wrapped_key: entry.wrapped_key.map(Bytes),
		}
	}
}

/// A published slot.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
	/// The slot's id.
	pub id: SlotId,
	/// The doctor.
	pub doctor: AccountId,
	/// Start (ms since the Unix epoch).
	pub start: Moment,
	/// Length in minutes.
	pub duration_minutes: u32,
	/// In person or video.
	pub kind: VisitKind,
	/// The appointment holding it, if any.
	pub held_by: Option<u64>,
}

impl From<(SlotId, Slot<AccountId>)> for SlotView {
	fn from((id, slot): (SlotId, Slot<AccountId>)) -> Self {
		SlotView {
			id,
			doctor: slot.doctor,
			start: slot.start,
			duration_minutes: slot.duration_minutes,
			kind: slot.kind,
			held_by: slot.held_by,
		}
	}
}

/// An appointment with its history.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentView {
	/// The appointment's id.
	pub id: u64,
	/// The doctor.
	pub doctor: AccountId,
	/// The patient.
	pub patient: AccountId,
	/// The slot it takes.
	pub slot: SlotId,
	/// Start (ms since the Unix epoch).
	pub start: Moment,
	/// Length in minutes.
	pub duration_minutes: u32,
	/// In person or video.
	pub kind: VisitKind,
	/// CID of the encrypted reason.
	pub reason: Option<Bytes>,
	/// Where it stands.
	pub status: AppointmentStatus,
	/// The slot the doctor proposed, until the patient answers.
	pub proposed_slot: Option<SlotId>,
	/// Every change, oldest first.
	pub history: Vec<HistoryEntry<AccountId>>,
}

impl From<AppointmentEntry<AccountId>> for AppointmentView {
	fn from((id, appointment): AppointmentEntry<AccountId>) -> Self {
		AppointmentView {
			id,
			doctor: appointment.doctor,
			patient: appointment.patient,
			slot: appointment.slot,
			start: appointment.start,
			duration_minutes: appointment.duration_minutes,
			kind: appointment.kind,
			reason: appointment.reason.map(Bytes),
			status: appointment.status,
			proposed_slot: appointment.proposed_slot,
			history: appointment.history,
		}
	}
}

/// The records and appointments methods.
#[rpc(client, server)]
pub trait RecordsRpc {
	/// The records of `patient` (every version that is not erased), of `category` if given.
	#[method(name = "ehr_patientRecords")]
	fn patient_records(
		&self,
		patient: AccountId,
		category: Option<RecordCategory>,
		at: Option<Hash>,
	) -> RpcResult<Vec<Record>>;

	/// The records `reader` holds a wrapped key for (of `patient` if given), with that key.
	#[method(name = "ehr_readerRecords")]
	fn reader_records(
		&self,
		reader: AccountId,
		patient: Option<AccountId>,
		at: Option<Hash>,
	) -> RpcResult<Vec<Record>>;

	/// One record, with the key wrapped for `reader` if given.
	#[method(name = "ehr_record")]
	fn record(
		&self,
		id: RecordId,
		reader: Option<AccountId>,
		at: Option<Hash>,
	) -> RpcResult<Option<Record>>;

	/// Every version of the record `id` belongs to, oldest first.
	#[method(name = "ehr_recordVersions")]
	fn record_versions(&self, id: RecordId, at: Option<Hash>) -> RpcResult<Vec<Record>>;

	/// The slots of `doctor` starting in `from..to`, by start time.
	#[method(name = "ehr_doctorSchedule")]
	fn doctor_schedule(
		&self,
		doctor: AccountId,
		from: Moment,
		to: Moment,
		at: Option<Hash>,
	) -> RpcResult<Vec<SlotView>>;

	/// The free slots of `doctor` starting in `from..to`, by start time.
	#[method(name = "ehr_freeSlots")]
	fn free_slots(
		&self,
		doctor: AccountId,
		from: Moment,
		to: Moment,
		at: Option<Hash>,
	) -> RpcResult<Vec<SlotView>>;

	/// The appointments of `patient`, newest first.
	#[method(name = "ehr_patientAppointments")]
	fn patient_appointments(
		&self,
		patient: AccountId,
		at: Option<Hash>,
	) -> RpcResult<Vec<AppointmentView>>;

	/// The open appointments of `doctor`, by start time.
	#[method(name = "ehr_doctorAppointments")]
	fn doctor_appointments(
		&self,
		doctor: AccountId,
		at: Option<Hash>,
	) -> RpcResult<Vec<AppointmentView>>;
}

/// The free-budget method.
#[rpc(client, server)]
pub trait FeesRpc {
	/// The free execution time and bytes `who` has left in the current period, and the block
	/// at which the budget renews. Read at `at`, or the best block (where the next transaction
	/// will be checked).
	#[method(name = "ehr_freeBudget")]
	fn free_budget(&self, who: AccountId, at: Option<Hash>) -> RpcResult<FreeBudget<BlockNumber>>;
}

/// The finality-proof method.
#[rpc(client, server)]
pub trait FinalityRpc {
	/// A GRANDPA finality proof of a finalized block after `after`, with the headers from
	/// `after` (exclusive) to it; `null` when nothing after `after` is finalized yet.
	#[method(name = "ehr_finalityProof")]
	fn finality_proof(&self, after: BlockNumber) -> RpcResult<Option<Bytes>>;
}
