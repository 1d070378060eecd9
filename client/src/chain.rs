//! Talking to an `ehr-node`: signing calls with the runtime's own types, submitting them and
//! waiting for finality, reading storage and the `ehr_*` RPC methods.
//!
//! Why jsonrpsee and the runtime crate rather than subxt: calls and events are the runtime's own
//! Rust types, so they are checked at compile time and encoded exactly as the chain decodes them,
//! with no metadata file to regenerate and keep in step.

use std::time::Duration;

use codec::{Decode, Encode};
use ehr_runtime::{Hash, RuntimeCall, RuntimeEvent, SignedPayload, UncheckedExtrinsic};
use jsonrpsee::{
	core::{
		client::{ClientT, SubscriptionClientT},
		params::ArrayParams,
	},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sp_core::{
	bytes::{from_hex, to_hex},
	crypto::Ss58Codec,
	Pair,
};
use sp_runtime::{generic::Era, AccountId32 as AccountId, DispatchError, MultiSignature};

use crate::{keys::Keys, Error};

/// How many blocks a signed transaction stays valid, from the newest finalized block: 25.6
/// minutes of 6 s blocks, so a finality lag of a few minutes does not invalidate it (the
/// runtime keeps 2,400 block hashes).
const MORTAL_PERIOD: u64 = 256;

/// How long to wait for a transaction to be finalized.
const FINALITY_TIMEOUT: Duration = Duration::from_secs(120);

/// A connection to a node.
pub struct Chain {
	client: WsClient,
	genesis: Hash,
}

/// Where a submitted call ended.
#[derive(Clone, Debug)]
pub struct Included {
	/// The finalized block that holds it.
	pub block: Hash,
	/// The runtime events the call emitted.
	pub events: Vec<RuntimeEvent>,
}

impl Chain {
	/// Connects to the node's RPC at `url` (e.g. `ws://127.0.0.1:9944`).
	pub async fn connect(url: &str) -> Result<Chain, Error> {
		let client = WsClientBuilder::default()
			.request_timeout(FINALITY_TIMEOUT)
			.build(url)
			.await
			.map_err(|e| Error::Node(format!("cannot connect to {url}: {e}")))?;
		let genesis: Hash = request(&client, "chain_getBlockHash", rpc_params![0]).await?;
		Ok(Chain { client, genesis })
	}

	/// The genesis hash the node reports (checked against the chain spec by
	/// [`crate::finality::Finality::sync`]).
	pub fn genesis(&self) -> Hash {
		self.genesis
	}

	/// The JSON-RPC client, for methods this crate does not wrap.
	pub fn rpc(&self) -> &WsClient {
		&self.client
	}

	/// Calls an RPC method.
	pub async fn request<T: DeserializeOwned>(
		&self,
		method: &str,
		params: ArrayParams,
	) -> Result<T, Error> {
		request(&self.client, method, params).await
	}

	/// Signs `call` as `signer`, submits it, and waits until a finalized block holds it. A call
	/// the runtime refuses comes back as [`Error::Refused`] with the pallet's error.
	pub async fn submit(&self, signer: &Keys, call: RuntimeCall) -> Result<Included, Error> {
		let extrinsic = self.sign(signer, call).await?;
		let encoded = to_hex(&extrinsic.encode(), false);
		let mut status = self
			.client
			.subscribe::<Value, _>(
				"author_submitAndWatchExtrinsic",
				rpc_params![encoded.clone()],
				"author_unwatchExtrinsic",
			)
			.await
			.map_err(|e| Error::Refused(format!("the node refused the transaction: {e}")))?;
		let deadline = tokio::time::Instant::now() + FINALITY_TIMEOUT;
		let block: Hash = loop {
			let update = tokio::time::timeout_at(deadline, status.next())
				.await
				.map_err(|_| Error::Node("not finalized within two minutes".into()))?
				.ok_or_else(|| Error::Node("the node closed the status stream".into()))?
				.map_err(|e| Error::Node(e.to_string()))?;
			if let Some(hash) = update.get("finalized") {
				break serde_json::from_value(hash.clone())
					.map_err(|e| Error::Node(e.to_string()))?;
			}
			if let Some(reason) = ["invalid", "dropped", "usurped", "finalityTimeout"]
				.iter()
				.find(|bad| update.get(**bad).is_some() || update.as_str() == Some(**bad))
			{
				return Err(Error::Refused(format!("the transaction was {reason}: {update}")));
			}
		};
		let index = self.extrinsic_index(block, &encoded).await?;
		let mut events = Vec::new();
		for record in self.events(block).await? {
			if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
				continue;
			}
			if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) = record.event
			{
				return Err(Error::Refused(explain(dispatch_error)));
			}
			events.push(record.event);
		}
		Ok(Included { block, events })
	}

	async fn sign(&self, signer: &Keys, call: RuntimeCall) -> Result<UncheckedExtrinsic, Error> {
		let version: Value = self.request("state_getRuntimeVersion", rpc_params![]).await?;
		let read = |field: &str| {
			version[field].as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
				Error::Node(format!("the node did not give the runtime's {field}: {version}"))
			})
		};
		let (spec_version, tx_version) = (read("specVersion")?, read("transactionVersion")?);
		let who = signer.account_id();
		let nonce: u32 =
			self.request("system_accountNextIndex", rpc_params![who.to_ss58check()]).await?;
		// Mortal: valid for MORTAL_PERIOD blocks from the newest finalized one, so a
		// transaction held back by a node cannot be replayed into the chain much later.
		let finalized = self.finalized().await?;
		let header: ehr_runtime::Header = self
			.request::<Option<ehr_runtime::Header>>("chain_getHeader", rpc_params![finalized])
			.await?
			.ok_or_else(|| Error::Node("the node has no header for its finalized block".into()))?;
		let era = Era::mortal(MORTAL_PERIOD, u64::from(header.number));
		let birth = era.birth(u64::from(header.number));
		let birth_hash: Hash = self
			.request::<Option<Hash>>("chain_getBlockHash", rpc_params![birth])
			.await?
			.ok_or_else(|| Error::Node(format!("the node has no block #{birth}")))?;
		let mut extension = ehr_runtime::tx_extension(nonce, 0);
		extension.4 = frame_system::CheckEra::from(era);
		// Implicit data of the extensions: versions, the genesis hash (`CheckGenesis`) and the
		// hash of the era's first block (`CheckEra`).
		let implicit = ((), spec_version, tx_version, self.genesis, birth_hash, (), ());
		let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
		let signature =
			MultiSignature::from(payload.using_encoded(|bytes| signer.account().sign(bytes)));
		Ok(UncheckedExtrinsic::new_signed(call, who.into(), signature, extension))
	}

	async fn extrinsic_index(&self, block: Hash, encoded: &str) -> Result<u32, Error> {
		let body: Value = self.request("chain_getBlock", rpc_params![block]).await?;
		body["block"]["extrinsics"]
			.as_array()
			.and_then(|all| all.iter().position(|x| x.as_str() == Some(encoded)))
			.map(|index| index as u32)
			.ok_or_else(|| Error::Node("the finalized block does not hold the transaction".into()))
	}

	/// The events of `block`.
	pub async fn events(
		&self,
		block: Hash,
	) -> Result<Vec<frame_system::EventRecord<RuntimeEvent, Hash>>, Error> {
		// `System::Events` is private to frame-system; its key is the standard prefix pair.
		let key =
			[sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
		Ok(self.storage(&key, Some(block)).await?.unwrap_or_default())
	}

	/// The value at storage `key`, decoded, at `at` (or the best block).
	pub async fn storage<T: Decode>(
		&self,
		key: &[u8],
		at: Option<Hash>,
	) -> Result<Option<T>, Error> {
		let raw: Option<String> =
			self.request("state_getStorage", rpc_params![to_hex(key, false), at]).await?;
		raw.map(|hex| {
			let bytes = from_hex(&hex).map_err(|e| Error::Node(e.to_string()))?;
			T::decode(&mut &bytes[..]).map_err(|e| Error::Node(format!("undecodable storage: {e}")))
		})
		.transpose()
	}

	/// The X25519 key of a doctor or patient, from the identity pallet's storage.
	pub async fn encryption_key(&self, who: &AccountId) -> Result<Option<[u8; 32]>, Error> {
		use ehr_runtime::Runtime;
		let doctor_key = pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(who);
		if let Some(doctor) =
			self.storage::<pallet_ehr_identity::DoctorOf<Runtime>>(&doctor_key, None).await?
		{
			return Ok(doctor.encryption_key);
		}
		let patient_key = pallet_ehr_identity::Patients::<Runtime>::hashed_key_for(who);
		Ok(self
			.storage::<pallet_ehr_identity::PatientOf<Runtime>>(&patient_key, None)
			.await?
			.map(|patient| patient.encryption_key))
	}

	/// The latest finalized block.
	pub async fn finalized(&self) -> Result<Hash, Error> {
		self.request("chain_getFinalizedHead", rpc_params![]).await
	}

	/// The block time of the best block (milliseconds since the Unix epoch).
	pub async fn now(&self) -> Result<u64, Error> {
		Ok(self.storage::<u64>(&now_key(), None).await?.unwrap_or_default())
	}
}

/// `Timestamp::Now`: the block time, in milliseconds since the Unix epoch.
pub(crate) fn now_key() -> Vec<u8> {
	[sp_io::hashing::twox_128(b"Timestamp"), sp_io::hashing::twox_128(b"Now")].concat()
}

async fn request<T: DeserializeOwned>(
	client: &WsClient,
	method: &str,
	params: ArrayParams,
) -> Result<T, Error> {
	client.request(method, params).await.map_err(|e| Error::Node(format!("{method}: {e}")))
}

/// A plain message for a dispatch error: the pallet and the error's name, and its meaning.
pub fn explain(error: DispatchError) -> String {
	match ehr_runtime::RuntimeError::from_dispatch_error(error) {
		Some(runtime_error) => {
			let debug = format!("{runtime_error:?}");
			// `Records(NotAuthorized)` → `Records: not authorized`.
			let (pallet, variant) =
				debug.trim_end_matches(')').split_once('(').unwrap_or(("runtime", debug.as_str()));
			format!("{pallet}: {}", words(variant))
		}
		None => format!("{error:?}"),
	}
}

/// `NotAuthorized` → `not authorized`.
fn words(name: &str) -> String {
	let mut out = String::new();
	for (i, c) in name.chars().enumerate() {
		if c.is_uppercase() && i > 0 {
			out.push(' ');
		}
		out.extend(c.to_lowercase());
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pallet_errors_read_as_words() {
		let error: DispatchError =
			pallet_ehr_records::Error::<ehr_runtime::Runtime>::NotAuthorized.into();
		assert_eq!(explain(error), "Records: not authorized");
		let error: DispatchError =
			pallet_ehr_appointments::Error::<ehr_runtime::Runtime>::SlotTaken.into();
		assert_eq!(explain(error), "Appointments: slot taken");
	}
}
