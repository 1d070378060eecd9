//! `ehr_*` JSON-RPC methods over the records and appointments runtime APIs, read at a block of
//! the caller's choice (by default the latest finalized block).

use std::sync::Arc;

use ehr_primitives::{
	AppointmentsApi, Moment, RecordCategory, RecordId, RecordsApi, VisitsApi, MAX_VISITS_ASKED,
};
use ehr_runtime::{opaque::Block, AccountId, BlockNumber, Hash};
use jsonrpsee::core::RpcResult;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

use ehr_rpc_api::{AppointmentView, Record, RecordsRpcServer, SlotView};

use crate::ehr_rpc::{at_or_finalized, error, RUNTIME_ERROR};

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

impl<C> Records<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: VisitsApi<Block>,
{
	/// Adds the call times of the video visits among `views` (read at the same block).
	fn with_visits(
		&self,
		mut views: Vec<AppointmentView>,
		at: Option<Hash>,
	) -> RpcResult<Vec<AppointmentView>> {
		let at = at_or_finalized(&*self.client, at);
		for chunk in views.chunks_mut(MAX_VISITS_ASKED as usize) {
			let ids = chunk.iter().map(|view| view.id).collect();
			let times =
				self.client.runtime_api().visits(at, ids).map_err(|e| error(RUNTIME_ERROR, e))?;
			for (id, visit) in times {
				if let Some(view) = chunk.iter_mut().find(|view| view.id == id) {
					view.visit = Some(visit);
				}
			}
		}
		Ok(views)
	}
}

impl<C> RecordsRpcServer for Records<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: RecordsApi<Block, AccountId, BlockNumber>
		+ AppointmentsApi<Block, AccountId>
		+ VisitsApi<Block>,
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
		// The list and the call times from the same block.
		let at = Some(at_or_finalized(&*self.client, at));
		let views = query(&*self.client, at, |api, at| api.patient_appointments(at, patient))?;
		self.with_visits(views, at)
	}

	fn doctor_appointments(
		&self,
		doctor: AccountId,
		at: Option<Hash>,
	) -> RpcResult<Vec<AppointmentView>> {
		let at = Some(at_or_finalized(&*self.client, at));
		let views = query(&*self.client, at, |api, at| api.doctor_appointments(at, doctor))?;
		self.with_visits(views, at)
	}
}
