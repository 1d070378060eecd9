//! The node's `ehr_*` JSON-RPC interface, defined once: the answer types, the error codes and
//! the method traits. `ehr-node` implements the generated `…Server` traits; clients (the `ehr`
//! command, tests, apps written in Rust) call the generated `…Client` traits on any jsonrpsee
//! client, so a method's name, parameters and answer cannot drift apart between the two sides.
//! Apps in other languages see the same JSON (camelCase fields) documented in docs/reference.md.

use ehr_primitives::{
	AccessLevel, AppointmentEntry, AppointmentStatus, AuditEntry, EmergencyReason, FreeBudget,
	Grant, HistoryEntry, Moment, RecordCategory, RecordEntry, RecordId, Slot, SlotId, VisitKind,
	VisitTimes,
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
	/// A visit's signalling was refused: a bad signature or time, or not a party of a current
	/// video visit (see the message).
	VisitRefused = 9004,
	/// A visit's signalling is over a limit: the message's size, the sender's rate, or the
	/// number of listeners (see the message).
	VisitLimit = 9005,
	/// This node gives no TURN credentials (it was started without `--turn-url` and
	/// `--turn-secret-file`).
	NoTurn = 9006,
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
	/// When the video call took place, once it started.
	#[serde(default)]
	pub visit: Option<VisitTimes>,
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
			visit: None,
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

/// The largest sealed body of a visit's signalling message, in bytes: a session description
/// with its candidates, encrypted (a few KiB in practice).
pub const MAX_VISIT_SIGNAL: usize = 16 * 1024;

/// How far a signed time of a visit's signalling (`sentAt`, `at`) may be from the node's clock,
/// in milliseconds: an old message or listening proof cannot be used again later.
pub const VISIT_CLOCK_SKEW_MS: u64 = 60_000;

/// A party may join a video visit from [`VISIT_EARLY_MS`] before its start until
/// [`VISIT_LATE_MS`] after its end (the same window as the chain's `start_visit`).
pub use ehr_primitives::{VISIT_EARLY_MS, VISIT_LATE_MS};

/// One signalling message of a video visit, forwarded by the node between its two parties and
/// kept nowhere. `sealed` is opaque to the node: the recipient's wrapped key (80 bytes), the
/// commitment (32 bytes) and an envelope of the session description, encrypted for the
/// recipient. `signature` is the sender's sr25519 signature of [`visit_signal_payload`]: the node
/// forwards only messages the sender signed, and the recipient checks it again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VisitSignal {
	/// The appointment the visit is for.
	pub appointment: u64,
	/// The sender: the appointment's patient or doctor.
	pub from: AccountId,
	/// The recipient: the other of the two.
	pub to: AccountId,
	/// When it was sent (ms since the Unix epoch, the sender's clock).
	pub sent_at: u64,
	/// The encrypted body.
	pub sealed: Bytes,
	/// The sender's signature (64 bytes).
	pub signature: Bytes,
}

/// Short-lived TURN credentials for the parties of a visit (the TURN REST scheme coturn's
/// `--use-auth-secret` checks), in the shape of WebRTC's `RTCIceServer`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IceServers {
	/// The TURN servers (`turn:host:port?transport=udp`, …).
	pub urls: Vec<String>,
	/// `expiry:account`.
	pub username: String,
	/// Base64 of HMAC-SHA1(secret, username).
	pub credential: String,
	/// When the credentials stop working (ms since the Unix epoch).
	pub expires_at: u64,
}

fn visit_payload(domain: &str, genesis: &Hash, parts: &[&[u8]]) -> Vec<u8> {
	let mut payload = Vec::with_capacity(160);
	payload.extend_from_slice(domain.as_bytes());
	payload.extend_from_slice(genesis.as_bytes());
	for part in parts {
		payload.extend_from_slice(part);
	}
	payload
}

/// What the sender of `signal` signs: `ehr-visit-signal:v1`, the chain's genesis hash, the
/// appointment (u64 little-endian), the sender's and the recipient's 32-byte accounts, the time
/// sent (u64 little-endian) and the BLAKE2-256 hash of the sealed body.
pub fn visit_signal_payload(genesis: &Hash, signal: &VisitSignal) -> Vec<u8> {
	let from: &[u8; 32] = signal.from.as_ref();
	let to: &[u8; 32] = signal.to.as_ref();
	visit_payload(
		"ehr-visit-signal:v1",
		genesis,
		&[
			&signal.appointment.to_le_bytes(),
			from,
			to,
			&signal.sent_at.to_le_bytes(),
			&sp_crypto_hashing::blake2_256(&signal.sealed),
		],
	)
}

/// What a party signs to listen to the signalling of visit `appointment` at `at` (ms since the
/// Unix epoch): `ehr-visit-listen:v1`, the genesis hash, the appointment (u64 little-endian), the
/// account and `at` (u64 little-endian).
pub fn visit_listen_payload(
	genesis: &Hash,
	appointment: u64,
	account: &AccountId,
	at: u64,
) -> Vec<u8> {
	let account: &[u8; 32] = account.as_ref();
	visit_payload(
		"ehr-visit-listen:v1",
		genesis,
		&[&appointment.to_le_bytes(), account, &at.to_le_bytes()],
	)
}

/// What a party signs to get TURN credentials for `appointment` at `at`:
/// `ehr-visit-ice:v1`, the genesis hash, the appointment and the account, and `at`.
pub fn visit_ice_payload(
	genesis: &Hash,
	appointment: u64,
	account: &AccountId,
	at: u64,
) -> Vec<u8> {
	let account: &[u8; 32] = account.as_ref();
	visit_payload(
		"ehr-visit-ice:v1",
		genesis,
		&[&appointment.to_le_bytes(), account, &at.to_le_bytes()],
	)
}

/// How long a patient's call on call rings before it stops unanswered, in milliseconds.
pub const RING_MS: u64 = 60_000;
/// How long after the answer the patient's app has to make the visit and say so
/// (`ehr_onCallReady`), in milliseconds.
pub const READY_MS: u64 = 120_000;

/// What a doctor on call who listens (`ehr_onCallListen`) is told.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum OnCallEvent {
	/// `patient` calls `hospital`: ring, and answer with `ehr_onCallAnswer`.
	Ring {
		/// The call's number, the same on every node (below 2^53).
		ring: u64,
		/// Who calls.
		patient: AccountId,
		/// The hospital called.
		hospital: AccountId,
	},
	/// Stop ringing: `answeredBy` (another doctor) took call `ring`, or, with none, the patient
	/// hung up or nobody answered in time.
	#[serde(rename_all = "camelCase")]
	Stopped {
		/// The call.
		ring: u64,
		/// The doctor who answered, if one did.
		answered_by: Option<AccountId>,
	},
	/// The patient made the visit of call `ring`, which this doctor answered: join
	/// `appointment`.
	Ready {
		/// The call.
		ring: u64,
		/// The on-call visit on chain.
		appointment: u64,
	},
}

/// What a patient who calls a hospital (`ehr_onCallRing`) is told.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum RingEvent {
	/// Ringing `doctors` doctors on call, on this node and the others that said so (sent again
	/// as more nodes say; none: nobody on call listens on any node reached, and the call ends).
	Ringing {
		/// The call's number, the same on every node (below 2^53).
		ring: u64,
		/// How many doctors ring.
		doctors: u32,
	},
	/// `doctor` answered: make the visit with its answer (`on_call_visit(doctor, answeredAt,
	/// answer)`), then `ehr_onCallReady`.
	#[serde(rename_all = "camelCase")]
	Answered {
		/// The call.
		ring: u64,
		/// Who answered.
		doctor: AccountId,
		/// When (ms since the Unix epoch, the doctor's clock).
		answered_at: u64,
		/// The doctor's sr25519 signature of
		/// [`ehr_primitives::on_call_answer_payload`]`(patient, doctor, answered_at)`.
		answer: Bytes,
	},
	/// Nobody answered within [`RING_MS`]; the call ends.
	NoAnswer {
		/// The call.
		ring: u64,
	},
}

/// What a doctor signs to listen for calls on call at `at`: `ehr-oncall-listen:v1`, the genesis
/// hash, the doctor's account and `at` (u64 little-endian).
pub fn on_call_listen_payload(genesis: &Hash, doctor: &AccountId, at: u64) -> Vec<u8> {
	let doctor: &[u8; 32] = doctor.as_ref();
	visit_payload("ehr-oncall-listen:v1", genesis, &[doctor, &at.to_le_bytes()])
}

/// What a patient signs to call `hospital` at `at`: `ehr-oncall-ring:v1`, the genesis hash, the
/// hospital's and the patient's accounts and `at`.
pub fn on_call_ring_payload(
	genesis: &Hash,
	hospital: &AccountId,
	patient: &AccountId,
	at: u64,
) -> Vec<u8> {
	let hospital: &[u8; 32] = hospital.as_ref();
	let patient: &[u8; 32] = patient.as_ref();
	visit_payload("ehr-oncall-ring:v1", genesis, &[hospital, patient, &at.to_le_bytes()])
}

/// What a doctor signs to answer a patient's call: the answer the chain's `on_call_visit` checks.
pub use ehr_primitives::on_call_answer_payload;

/// What the patient signs to tell the doctor who answered call `ring` that its visit is
/// `appointment`: `ehr-oncall-ready:v1`, the genesis hash, the call, the appointment (both u64
/// little-endian), the patient's account and `at`.
pub fn on_call_ready_payload(
	genesis: &Hash,
	ring: u64,
	appointment: u64,
	patient: &AccountId,
	at: u64,
) -> Vec<u8> {
	let patient: &[u8; 32] = patient.as_ref();
	visit_payload(
		"ehr-oncall-ready:v1",
		genesis,
		&[&ring.to_le_bytes(), &appointment.to_le_bytes(), patient, &at.to_le_bytes()],
	)
}

/// Signalling for video visits: small opaque messages between the two parties of a current
/// video appointment, forwarded live by the node (nothing kept), and TURN credentials for them.
#[rpc(client, server)]
pub trait VisitRpc {
	/// Forwards `signal` to the recipient's open `ehr_visitListen` subscriptions for the visit, on
	/// this node and, relayed, on the consortium's other nodes; answers how many received it on
	/// this node (0: the other party listens elsewhere, or not yet).
	/// Refused unless the sender signed it, the two are the patient and the doctor of a
	/// confirmed video appointment, now is from [`VISIT_EARLY_MS`] before its start to
	/// [`VISIT_LATE_MS`] after its end, `sentAt` is within [`VISIT_CLOCK_SKEW_MS`] of the node's
	/// clock, the body is at most [`MAX_VISIT_SIGNAL`] bytes, the same message was not sent
	/// before, and the sender is within its rate.
	#[method(name = "ehr_visitSignal")]
	fn visit_signal(&self, signal: VisitSignal) -> RpcResult<u32>;

	/// TURN credentials for `account`, a party of the current video visit `appointment`, valid
	/// for an hour at most and never past the visit's window (the app asks again for a longer
	/// call); `signature` is the account's over [`visit_ice_payload`].
	#[method(name = "ehr_visitIceServers")]
	fn visit_ice_servers(
		&self,
		appointment: u64,
		account: AccountId,
		at: u64,
		signature: Bytes,
	) -> RpcResult<IceServers>;

	/// The signalling messages of visit `appointment` sent to `account` from now on, while
	/// subscribed and at most until the visit's window ends. Only for a party of the current
	/// video visit; `signature` is the account's over [`visit_listen_payload`] at `at` (within
	/// [`VISIT_CLOCK_SKEW_MS`]).
	#[subscription(
		name = "ehr_visitListen" => "ehr_visitMessage",
		unsubscribe = "ehr_visitUnlisten",
		item = VisitSignal
	)]
	async fn visit_listen(
		&self,
		appointment: u64,
		account: AccountId,
		at: u64,
		signature: Bytes,
	) -> jsonrpsee::core::SubscriptionResult;

	/// Calls `patient` places to `hospital` while `doctor` is on call: each rings here as an
	/// [`OnCallEvent::Ring`] until a doctor answers, the patient hangs up or [`RING_MS`] pass.
	/// Only for an active doctor on call now in its hospital's roster (at the best block), and
	/// only until that shift ends; `signature` is the doctor's over [`on_call_listen_payload`].
	#[subscription(
		name = "ehr_onCallListen" => "ehr_onCallEvent",
		unsubscribe = "ehr_onCallUnlisten",
		item = OnCallEvent
	)]
	async fn on_call_listen(
		&self,
		doctor: AccountId,
		at: u64,
		signature: Bytes,
	) -> jsonrpsee::core::SubscriptionResult;

	/// Call `hospital`: every doctor on call there who listens on this node or, relayed, on
	/// another node of the consortium rings; the first answer this node hears of takes the call
	/// and the others stop. Only for a registered patient, one call at a
	/// time, a few calls a minute; `signature` is the patient's over [`on_call_ring_payload`].
	/// Unsubscribing hangs up.
	#[subscription(
		name = "ehr_onCallRing" => "ehr_onCallRinging",
		unsubscribe = "ehr_onCallHangUp",
		item = RingEvent
	)]
	async fn on_call_ring(
		&self,
		hospital: AccountId,
		patient: AccountId,
		at: u64,
		signature: Bytes,
	) -> jsonrpsee::core::SubscriptionResult;

	/// Answer call `ring` as `doctor`, one of the doctors it rang, on call now; answers the
	/// patient who called. Refused once another doctor answered here, and for an answer used
	/// before; `signature` is the doctor's over [`on_call_answer_payload`]`(patient, doctor,
	/// at)`, which the patient's app hands to the chain to make the visit. For a call placed
	/// through another node, the answer goes there, and that node settles the call: a later
	/// [`OnCallEvent::Stopped`] naming another doctor says that doctor's answer came first.
	#[method(name = "ehr_onCallAnswer")]
	fn on_call_answer(
		&self,
		ring: u64,
		doctor: AccountId,
		at: u64,
		signature: Bytes,
	) -> RpcResult<AccountId>;

	/// Tell the doctor who answered call `ring` that its visit is `appointment` (a current video
	/// visit of the two at the best block: the one `on_call_visit` made); `signature` is the
	/// patient's over [`on_call_ready_payload`]. When the doctor answered through another node,
	/// the word is relayed there (and this answers before it arrives); refused when the doctor
	/// answered here and no longer listens, or through another node and no peer is reachable.
	#[method(name = "ehr_onCallReady")]
	fn on_call_ready(
		&self,
		ring: u64,
		appointment: u64,
		patient: AccountId,
		at: u64,
		signature: Bytes,
	) -> RpcResult<()>;
}
