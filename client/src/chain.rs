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
		client::{ClientT, Subscription, SubscriptionClientT},
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
};
use sp_runtime::{generic::Era, AccountId32 as AccountId, DispatchError, MultiSignature};

use crate::{keys::Keys, Error};

/// How many blocks a signed transaction stays valid, from the newest finalized block: 12.8
/// minutes of 3 s blocks, so a finality lag of a few minutes does not invalidate it (the
/// runtime keeps 2,400 block hashes).
pub const MORTAL_PERIOD: u64 = 256;

/// The RFC-78 metadata hash of the runtime this client was built for (its version 15 metadata,
/// spec name and version, and the token): the hash the runtime's build bakes in for
/// `CheckMetadataHash`, computed once from the same runtime crate.
pub fn own_metadata_hash() -> [u8; 32] {
	static HASH: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
	*HASH.get_or_init(|| {
		let metadata = ehr_runtime::Runtime::metadata_at_version(15)
			.expect("the runtime offers version 15 metadata");
		ehr_verify::metadata::metadata_hash(
			&metadata,
			&ehr_runtime::VERSION.spec_name,
			ehr_runtime::VERSION.spec_version,
			ehr_verify::metadata::TOKEN_SYMBOL,
			ehr_verify::metadata::TOKEN_DECIMALS,
		)
		.expect("the runtime's own metadata hashes")
	})
}

/// How long to wait for a transaction to be finalized.
const FINALITY_TIMEOUT: Duration = Duration::from_secs(120);

/// A connection to a node.
pub struct Chain {
	client: WsClient,
	genesis: Hash,
	progress: Option<Progress>,
}

/// Told each [`Stage`] of a transaction (a spinner in the `ehr` command).
pub type Progress = std::sync::Arc<dyn Fn(Stage) + Send + Sync>;

/// Where a transaction is, on its way to a finalized block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
	/// Being checked against the newest block (a dry run), before it is sent.
	Checking,
	/// Sent: in the node's transaction pool.
	Submitted,
	/// In block #n, not final yet.
	InBlock(u32),
	/// In finalized block #n.
	Finalized(u32),
}

impl std::fmt::Display for Stage {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Stage::Checking => write!(f, "checking with the chain"),
			Stage::Submitted => write!(f, "submitted, waiting for a block"),
			Stage::InBlock(n) => write!(f, "in block #{n}, waiting for finality"),
			Stage::Finalized(n) => write!(f, "final in block #{n}"),
		}
	}
}

/// How long [`Chain::submit_until`] waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
	/// Until a finalized block holds the call: nothing can undo it.
	Finalized,
	/// Until a block holds the call (a fork could still drop it): for a read's log entry,
	/// where the reader should not wait for finality.
	InBlock,
}

/// Where a submitted call ended.
#[derive(Clone, Debug)]
pub struct Included {
	/// The block that holds it (finalized, unless submitted with [`Wait::InBlock`]).
	pub block: Hash,
	/// Its number.
	pub number: u32,
	/// Whether that block is final.
	pub finalized: bool,
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
		Ok(Chain { client, genesis, progress: None })
	}

	/// From now on, tell `progress` where each transaction is.
	pub fn on_progress(&mut self, progress: Progress) {
		self.progress = Some(progress);
	}

	fn stage(&self, stage: Stage) {
		if let Some(progress) = &self.progress {
			progress(stage)
		}
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
	/// the runtime refuses comes back as [`Error::Refused`] with the pallet's error: at once,
	/// when a dry run against the newest block already fails ([`Chain::dry_run`]), or from the
	/// block's events.
	pub async fn submit(&self, signer: &Keys, call: RuntimeCall) -> Result<Included, Error> {
		self.submit_until(signer, call, Wait::Finalized).await
	}

	/// [`Chain::submit`], waiting as long as `wait` says.
	pub async fn submit_until(
		&self,
		signer: &Keys,
		call: RuntimeCall,
		wait: Wait,
	) -> Result<Included, Error> {
		self.stage(Stage::Checking);
		self.dry_run(&signer.account_id(), &call).await?;
		let extrinsic = self.sign(signer, call).await?;
		let encoded = to_hex(&extrinsic.encode(), false);
		let mut status = self.watch(&encoded).await.map_err(|e| pool_refusal(&e.to_string()))?;
		self.stage(Stage::Submitted);
		let deadline = tokio::time::Instant::now() + FINALITY_TIMEOUT;
		let (block, finalized) = loop {
			let update = tokio::time::timeout_at(deadline, status.next())
				.await
				.map_err(|_| {
					Error::Node(format!(
						"the transaction was not {} within {} s: the chain may be stalled (fewer \
						 than two thirds of the hospitals' nodes online?); it may still be \
						 included later",
						if wait == Wait::Finalized { "finalized" } else { "in a block" },
						FINALITY_TIMEOUT.as_secs()
					))
				})?
				.ok_or_else(|| Error::Node("the node closed the status stream".into()))?
				.map_err(|e| Error::Node(e.to_string()))?;
			let hash_of = |field: &str| -> Result<Option<Hash>, Error> {
				update
					.get(field)
					.map(|hash| {
						serde_json::from_value(hash.clone()).map_err(|e| Error::Node(e.to_string()))
					})
					.transpose()
			};
			if let Some(hash) = hash_of("finalized")? {
				break (hash, true);
			}
			if let Some(hash) = hash_of("inBlock")? {
				if wait == Wait::InBlock {
					break (hash, false);
				}
				self.stage(Stage::InBlock(self.number(hash).await?));
				continue;
			}
			if let Some(reason) = never_final(&update) {
				return Err(Error::Refused(format!("the transaction was {reason}: {update}")));
			}
		};
		let number = self.number(block).await?;
		self.stage(if finalized { Stage::Finalized(number) } else { Stage::InBlock(number) });
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
		Ok(Included { block, number, finalized, events })
	}

	/// Submits the extrinsic `encoded` (hex, signed or bare) and subscribes to its status in the
	/// pool and the chain (`author_submitAndWatchExtrinsic`); an error is the pool's refusal.
	pub async fn watch(
		&self,
		encoded: &str,
	) -> Result<Subscription<Value>, jsonrpsee::core::client::Error> {
		self.client
			.subscribe(
				"author_submitAndWatchExtrinsic",
				rpc_params![encoded],
				"author_unwatchExtrinsic",
			)
			.await
	}

	/// Asks the node whether `call` from `who` would succeed on the newest block's state (the
	/// runtime API `CallDryRunApi_dry_run` through `state_call`, open on every node; nothing is
	/// kept): a call the runtime would refuse (already granted, slot taken, not authorized …)
	/// is answered at once, before anything is signed or sent. Nothing signed is handed over,
	/// so a node cannot keep a refused transaction and include it later, when it would pass.
	/// Only a refusal is taken from it; nonce, fees and the free budget are the pool's to judge.
	/// A runtime without the API (older than spec version 104) skips it.
	pub async fn dry_run(&self, who: &AccountId, call: &RuntimeCall) -> Result<(), Error> {
		let args = to_hex(&(who, call).encode(), false);
		let answer: String = match self
			.client
			.request("state_call", rpc_params!["CallDryRunApi_dry_run", args])
			.await
		{
			Ok(answer) => answer,
			Err(e) if e.to_string().contains("not found") => return Ok(()),
			Err(e) => return Err(Error::Node(format!("dry run: {e}"))),
		};
		let bytes = from_hex(&answer).map_err(|e| Error::Node(e.to_string()))?;
		let outcome = Result::<(), DispatchError>::decode(&mut &bytes[..])
			.map_err(|e| Error::Node(format!("undecodable dry run: {e}")))?;
		outcome.map_err(|error| Error::Refused(explain(error)))
	}

	/// The hash of block `number` of the node's chain, if it has one.
	pub async fn block_hash(&self, number: u32) -> Result<Option<Hash>, Error> {
		self.request("chain_getBlockHash", rpc_params![number]).await
	}

	/// The number of `block`.
	pub async fn number(&self, block: Hash) -> Result<u32, Error> {
		let header: ehr_runtime::Header = self
			.request::<Option<ehr_runtime::Header>>("chain_getHeader", rpc_params![block])
			.await?
			.ok_or_else(|| Error::Node(format!("the node has no header for {block:?}")))?;
		Ok(header.number)
	}

	/// `call` signed by `signer` with its next nonce, mortal from the newest finalized block:
	/// ready to submit (load tools sign many before sending any).
	pub async fn sign(
		&self,
		signer: &Keys,
		call: RuntimeCall,
	) -> Result<UncheckedExtrinsic, Error> {
		let who = signer.account_id();
		let nonce: u32 =
			self.request("system_accountNextIndex", rpc_params![who.to_ss58check()]).await?;
		self.sign_with_nonce(signer, call, nonce).await
	}

	/// [`Chain::sign`] with the given `nonce`: a sender queues several transactions (nonces
	/// `n`, `n + 1`, …) before the first is in a block.
	///
	/// The signature covers the metadata hash of the runtime this client was built for
	/// (`CheckMetadataHash`, mode 1): the calls are encoded with that runtime's types, and a node
	/// running another runtime is refused here, before anything is signed.
	pub async fn sign_with_nonce(
		&self,
		signer: &Keys,
		call: RuntimeCall,
		nonce: u32,
	) -> Result<UncheckedExtrinsic, Error> {
		self.sign_with_metadata_hash(signer, call, nonce, Some(own_metadata_hash())).await
	}

	/// [`Chain::sign_with_nonce`] with `metadata_hash` in the signed payload (`None`: mode 0,
	/// no hash), as a wallet that encodes from the node's metadata does. For tests and tools;
	/// the client's own transactions use [`own_metadata_hash`].
	pub async fn sign_with_metadata_hash(
		&self,
		signer: &Keys,
		call: RuntimeCall,
		nonce: u32,
		metadata_hash: Option<[u8; 32]>,
	) -> Result<UncheckedExtrinsic, Error> {
		Ok(self.sign_mortal(signer, call, nonce, metadata_hash).await?.0)
	}

	/// [`Chain::sign_with_metadata_hash`], also returning the first block of the transaction's
	/// era: it can be in blocks `birth .. birth + 256` and in no other.
	pub async fn sign_mortal(
		&self,
		signer: &Keys,
		call: RuntimeCall,
		nonce: u32,
		metadata_hash: Option<[u8; 32]>,
	) -> Result<(UncheckedExtrinsic, u32), Error> {
		let version: Value = self.request("state_getRuntimeVersion", rpc_params![]).await?;
		let read = |field: &str| {
			version[field].as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
				Error::Node(format!("the node did not give the runtime's {field}: {version}"))
			})
		};
		let (spec_version, tx_version) = (read("specVersion")?, read("transactionVersion")?);
		let built = &ehr_runtime::VERSION;
		if metadata_hash.is_some()
			&& (spec_version != built.spec_version || tx_version != built.transaction_version)
		{
			return Err(Error::Node(format!(
				"the node runs runtime {} (spec version {spec_version}, transaction version \
				 {tx_version}); this client was built for spec version {}, transaction version \
				 {}: nothing was signed (use a client built for the chain's runtime)",
				version["specName"].as_str().unwrap_or("?"),
				built.spec_version,
				built.transaction_version
			)));
		}
		let who = signer.account_id();
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
		extension.6 =
			frame_metadata_hash_extension::CheckMetadataHash::new(metadata_hash.is_some());
		// Implicit data of the extensions: versions, the genesis hash (`CheckGenesis`), the
		// hash of the era's first block (`CheckEra`) and the metadata hash (mode 1).
		let implicit =
			((), spec_version, tx_version, self.genesis, birth_hash, (), metadata_hash, ());
		let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
		let signature = MultiSignature::from(payload.using_encoded(|bytes| signer.sign(bytes))?);
		let birth = u32::try_from(birth).expect("a block number");
		Ok((UncheckedExtrinsic::new_signed(call, who.into(), signature, extension), birth))
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
		Ok(self
			.storage(&storage_prefix(b"System", b"Events"), Some(block))
			.await?
			.unwrap_or_default())
	}

	/// Every storage key under `prefix` at `at` (or the best block), page by page.
	pub async fn keys_under(&self, prefix: &[u8], at: Option<Hash>) -> Result<Vec<Vec<u8>>, Error> {
		let mut all = Vec::new();
		let mut start: Option<String> = None;
		loop {
			let page: Vec<String> = self
				.request(
					"state_getKeysPaged",
					rpc_params![to_hex(prefix, false), 256, start.clone(), at],
				)
				.await?;
			let full = page.len() == 256;
			start = page.last().cloned();
			for key in page {
				let key =
					from_hex(&key).map_err(|_| Error::Node("a storage key is not hex".into()))?;
				if !key.starts_with(prefix) {
					return Err(Error::Node("a listed key is outside the prefix".into()));
				}
				all.push(key);
			}
			if !full {
				return Ok(all);
			}
		}
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

/// The storage prefix of a pallet's item: `twox128(pallet) ++ twox128(item)` (the whole key
/// of a plain value; a map's keys follow it).
/// The status update of a watched transaction that ends it without a finalized block
/// (`invalid`, `dropped`, `usurped`, `finalityTimeout`), if `update` is one.
pub fn never_final(update: &Value) -> Option<&'static str> {
	["invalid", "dropped", "usurped", "finalityTimeout"]
		.into_iter()
		.find(|bad| update.get(*bad).is_some() || update.as_str() == Some(*bad))
}

/// Storage keys from the pallets' layout, computed as the web app computes them.
pub use ehr_verify::state::{blake2_128_concat, storage_prefix};

/// The id at the end of a storage key whose first `prefix_len` bytes are followed by
/// `Twox64Concat(id)`: 8 bytes of hash, then the id.
pub fn twox64_concat_id(key: &[u8], prefix_len: usize) -> Option<u64> {
	key.get(prefix_len + 8..).and_then(|mut id| u64::decode(&mut id).ok())
}

/// `Timestamp::Now`: the block time, in milliseconds since the Unix epoch.
pub use ehr_verify::state::keys::now as now_key;

async fn request<T: DeserializeOwned>(
	client: &WsClient,
	method: &str,
	params: ArrayParams,
) -> Result<T, Error> {
	client.request(method, params).await.map_err(|e| Error::Node(format!("{method}: {e}")))
}

/// A refusal by the node's transaction pool, in words, with what to do about it.
fn pool_refusal(raw: &str) -> Error {
	if raw.contains("Inability to pay") {
		return Error::Refused(
			"the fee cannot be paid: either this account is not registered for free use and has \
			 no tokens (ask a hospital to invite you: `ehr hospital invite-patient <your \
			 address>`, `ehr key show` prints it; then register; a registered patient whose \
			 inviting hospital left the consortium asks another member hospital to run the same \
			 command: the records stay, free use resumes at once), or it has several free \
			 transactions waiting already (wait until they are in a block)"
				.into(),
		);
	}
	if raw.contains(&format!("Custom error: {}", pallet_fee_quota::BUDGET_EXHAUSTED)) {
		return Error::Refused(
			"this account has used its free budget for this period: wait until it renews \
			 (`ehr budget` says when) or pay the fee with tokens"
				.into(),
		);
	}
	if raw.contains("Transaction is outdated") || raw.contains("Priority is too low") {
		return Error::Refused(format!(
			"the node refused the transaction ({raw}): another transaction of this account is \
			 in flight; try again once it is in a block"
		));
	}
	Error::Refused(format!("the node refused the transaction: {raw}"))
}

/// A plain message for a dispatch error: the pallet and the error's name, and its meaning.
pub fn explain(error: DispatchError) -> String {
	match ehr_runtime::RuntimeError::from_dispatch_error(error) {
		Some(runtime_error) => {
			let debug = format!("{runtime_error:?}");
			// `Records(NotAuthorized)` → `Records: not authorized`.
			let (pallet, variant) =
				debug.trim_end_matches(')').split_once('(').unwrap_or(("runtime", debug.as_str()));
			match hint(variant) {
				Some(hint) => format!("{pallet}: {}: {hint}", words(variant)),
				None => format!("{pallet}: {}", words(variant)),
			}
		}
		None => format!("{error:?}"),
	}
}

/// What to do about the refusals people meet most, by the pallet error's name.
fn hint(variant: &str) -> Option<&'static str> {
	Some(match variant {
		"NotPatient" => {
			"the account is not a registered patient (a patient registers with `ehr patient \
			 register`, after a hospital invites them)"
		}
		"UnknownGrantee" => {
			"the grantee is no hospital, verified doctor or registered patient: a guardian or \
			 relative registers as a patient first (`ehr patient register`, after a hospital \
			 invites them); a doctor is one once they accepted their hospital's offer (`ehr \
			 doctor accept <hospital>`)"
		}
		"NoOffer" => {
			"no hospital offered this account a doctor's role, or the offer is from another \
			 hospital: the hospital runs `ehr hospital register-doctor <your address>` first"
		}
		"AlreadyOffered" => {
			"a hospital offered this account a doctor's role already: the account accepts \
			 (`ehr doctor accept <hospital>`) or declines it, or the hospital withdraws it"
		}
		"AccountIsHospital" => "a member hospital's account is never a doctor or a patient",
		"InvitationRateReached" => {
			"the hospital invited the consortium's number of patients for today (registered \
			 invitees and open invitations): wait for tomorrow, or withdraw unused invitations \
			 (`ehr hospital cancel-invitation`)"
		}
		"DoctorTooNew" => {
			"a doctor breaks glass only once registered for the consortium's waiting time (24 \
			 hours unless the hospitals voted otherwise): ask a colleague registered longer"
		}
		"HospitalEmergencyLimit" => {
			"your hospital's doctors opened the consortium's daily number of emergency accesses \
			 today; the hospitals raise it by vote in a disaster (`Consent.set_emergency_policy`)"
		}
		"DelegateGrantsToClinicians" => {
			"a delegate grants access only to doctors and hospitals: access for a family member's \
			 account is the patient's own decision, signed by the patient"
		}
		"OwnHospital" => {
			"a hospital's custodian does not release shares to its own doctors: the shares must \
			 come from other hospitals"
		}
		"AlreadyGranted" => {
			"this account has consent already: `ehr consent sync` shares the record keys it \
			 lacks; to change the terms, revoke and grant again"
		}
		"NotAuthorized" => {
			"you may not do this for that patient: the patient grants it (`ehr consent grant \
			 <your address>`, with --write to add records)"
		}
		"NotPatientOrDelegate" => {
			"only the patient, or a delegate the patient named (`ehr patient add-delegate`), \
			 may do this"
		}
		"NoCareRelationship" => {
			"messages go only between a patient and a doctor who cares for them now: the \
			 patient's current grant for treatment to the doctor (or its hospital), or an open \
			 appointment between them"
		}
		"NotPatientAndDoctor" => {
			"messages go between a registered patient and an active doctor (`ehr doctor list`), \
			 either way"
		}
		"OnlyDoctorsAlert" => "only a doctor sends alerts; send a plain message instead",
		"UnknownMessage" => "no message with that id is in your inbox (`ehr inbox`)",
		"NotActiveDoctor" => "only a verified doctor who is not suspended may do this",
		"NotMember" | "NotHospital" => "only a member hospital of the consortium may do this",
		"InvalidShift" => {
			"a shift must end after it starts, last at most 24 hours and start within 31 days"
		}
		"NotHospitalsDoctor" => {
			"a shift names an account that is not an active doctor of your hospital (`ehr \
			 hospital doctors` lists them)"
		}
		"OverlappingShift" => {
			"two shifts of the same doctor overlap: one doctor, one shift at a time"
		}
		"DoctorSuspended" => "the doctor is suspended by their hospital",
		"SlotTaken" => "someone booked that slot already: `ehr slot free <doctor>` lists free ones",
		"UnknownSlot" | "NoSuchSlot" => {
			"no slot has that id: `ehr slot free <doctor>` lists free ones"
		}
		"OverlappingAppointment" => {
			"you have another appointment at that time: `ehr appointment list`"
		}
		"NoEncryptionKey" => {
			"the account has not published an encryption key (`ehr doctor set-key`)"
		}
		"NotCustodian" => {
			"only the custodian account a hospital of the escrow committee named (`ehr hospital \
			 set-custodian`), or the hospital itself if it named none, releases shares (`ehr \
			 emergency committee` lists the committee; the hospitals change it by a two-thirds \
			 vote)"
		}
		"NoEmergencyAccess" => {
			"the doctor has no open emergency access to the patient (`ehr doctor emergency` opens \
			 one)"
		}
		"NotOpenable" => {
			"the patient did not make this category openable in an emergency (`ehr emergency \
			 categories`)"
		}
		"StaleCommittee" | "WrongCommittee" => {
			"the escrow committee changed meanwhile: run `ehr emergency sync` again"
		}
		_ => return None,
	})
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
		let text = explain(error);
		assert!(text.starts_with("Records: not authorized: "), "{text}");
		assert!(text.contains("ehr consent grant"), "the hint says what to do: {text}");
		let error: DispatchError =
			pallet_ehr_appointments::Error::<ehr_runtime::Runtime>::SlotTaken.into();
		assert!(explain(error).starts_with("Appointments: slot taken: "));
		let error: DispatchError =
			pallet_ehr_consent::Error::<ehr_runtime::Runtime>::UnknownGrantee.into();
		assert!(explain(error).contains("registers as a patient first"));
		let error: DispatchError =
			pallet_ehr_consent::Error::<ehr_runtime::Runtime>::ExpiryInPast.into();
		assert_eq!(explain(error), "Consent: expiry in past");
	}
}
