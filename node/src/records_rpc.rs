//! `ehr_*` JSON-RPC methods over the records and appointments runtime APIs, read at a block of
//! the caller's choice (by default the latest finalized block).

use std::sync::Arc;

use ehr_primitives::{
	AppointmentEntry, AppointmentStatus, AppointmentsApi, HistoryEntry, Moment, RecordCategory,
	RecordEntry, RecordId, RecordsApi, Slot, SlotId, VisitKind,
};
use ehr_runtime::{opaque::Block, AccountId, BlockNumber, Hash};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::Bytes;

use crate::ehr_rpc::{at_or_finalized, error, RUNTIME_ERROR};

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
	/// SHA-256 of the plaintext.
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

/// Serves the records and appointments methods from a client.
pub struct Records<C> {
	client: Arc<C>,
}

impl<C> Records<C> {
	/// Serve from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

/// Runs `query` on the runtime API at `at` (or the latest finalized block), converting the
/// answer's items.
fn query<C, T, U: From<T>>(
	client: &C,
	at: Option<Hash>,
	query: impl FnOnce(sp_api::ApiRef<'_, C::Api>, Hash) -> Result<Vec<T>, sp_api::ApiError>,
) -> RpcResult<Vec<U>>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	let at = at_or_finalized(client, at);
	let items = query(client.runtime_api(), at).map_err(|e| error(RUNTIME_ERROR, e))?;
	Ok(items.into_iter().map(U::from).collect())
}

impl<C> RecordsRpcServer for Records<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: RecordsApi<Block, AccountId, BlockNumber> + AppointmentsApi<Block, AccountId>,
{
	fn patient_records(
		&self,
		patient: AccountId,
		category: Option<RecordCategory>,
		at: Option<Hash>,
	) -> RpcResult<Vec<Record>> {
		query(&*self.client, at, |api, at| api.patient_records(at, patient, category))
	}

	fn reader_records(
		&self,
		reader: AccountId,
		patient: Option<AccountId>,
		at: Option<Hash>,
	) -> RpcResult<Vec<Record>> {
		query(&*self.client, at, |api, at| api.reader_records(at, reader, patient))
	}

	fn record(
		&self,
		id: RecordId,
		reader: Option<AccountId>,
		at: Option<Hash>,
	) -> RpcResult<Option<Record>> {
		let records = query(&*self.client, at, |api, at| {
			api.record(at, id, reader).map(|record| record.into_iter().collect())
		})?;
		Ok(records.into_iter().next())
	}

	fn record_versions(&self, id: RecordId, at: Option<Hash>) -> RpcResult<Vec<Record>> {
		query(&*self.client, at, |api, at| api.record_versions(at, id))
	}

	fn doctor_schedule(
		&self,
		doctor: AccountId,
		from: Moment,
		to: Moment,
		at: Option<Hash>,
	) -> RpcResult<Vec<SlotView>> {
		query(&*self.client, at, |api, at| api.doctor_schedule(at, doctor, from, to))
	}

	fn free_slots(
		&self,
		doctor: AccountId,
		from: Moment,
		to: Moment,
		at: Option<Hash>,
	) -> RpcResult<Vec<SlotView>> {
		query(&*self.client, at, |api, at| api.free_slots(at, doctor, from, to))
	}

	fn patient_appointments(
		&self,
		patient: AccountId,
		at: Option<Hash>,
	) -> RpcResult<Vec<AppointmentView>> {
		query(&*self.client, at, |api, at| api.patient_appointments(at, patient))
	}

	fn doctor_appointments(
		&self,
		doctor: AccountId,
		at: Option<Hash>,
	) -> RpcResult<Vec<AppointmentView>> {
		query(&*self.client, at, |api, at| api.doctor_appointments(at, doctor))
	}
}
