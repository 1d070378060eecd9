//! # ehr-client
//!
//! What apps and people use to work with the EHR chain: files are encrypted on the user's side
//! ([`envelope`]), stored on IPFS or a local directory ([`store`]), and pointed to on chain with a
//! content key wrapped for each reader ([`Client`]). Keys come from one BIP-39 phrase ([`keys`]).
//! Auditors verify trails against finalized state ([`audit`]).

pub mod audit;
pub mod chain;
pub mod cid;
pub mod finality;
pub mod keys;
pub mod store;
pub mod verified;

use std::path::{Path, PathBuf};

use ehr_primitives::{
	AccessLevel, AppointmentChange, AppointmentStatus, EmergencyReason, Grant, Moment,
	NoteCommitment, Purpose, RecordCategory, RecordId, Scope, VisitKind,
};
use ehr_runtime::{Hash, Runtime, RuntimeCall};
use jsonrpsee::rpc_params;
use serde::{Deserialize, Serialize};
use sp_core::{bytes::to_hex, crypto::Ss58Codec};
use sp_runtime::AccountId32 as AccountId;

pub use chain::{Chain, Included};
pub use ehr_envelope as envelope;
pub use keys::Keys;
pub use store::Store;

/// What can go wrong, each with the exit code the `ehr` command returns for it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// The phrase or secret URI is not a valid BIP-39 phrase.
	#[error("not a valid BIP-39 phrase or secret URI")]
	BadPhrase,
	/// The key file cannot be used.
	#[error("key file: {0}")]
	KeyFile(String),
	/// The passphrase does not open the key file.
	#[error("wrong passphrase for the key file")]
	WrongPassphrase,
	/// The node cannot be reached or answered nonsense.
	#[error("node: {0}")]
	Node(String),
	/// The chain refused the transaction (the pallet's error in words).
	#[error("refused: {0}")]
	Refused(String),
	/// IPFS or the local store failed.
	#[error("storage: {0}")]
	Storage(String),
	/// Decryption failed: wrong key, tampering, truncation.
	#[error("decryption: {0}")]
	Envelope(#[from] ehr_envelope::EnvelopeError),
	/// The decrypted content does not match the commitment (or, for a version 1 envelope, the
	/// hash) recorded on chain.
	#[error("the content does not match the commitment recorded on chain")]
	HashMismatch,
	/// An audit trail page did not verify.
	#[error("the audit trail does not verify: {0}")]
	Unverified(#[from] audit::AuditError),
	/// The node's word on finality or state did not verify.
	#[error("not verified: {0}")]
	Finality(#[from] finality::FinalityError),
	/// The request makes no sense (no such record, no key for this reader, …).
	#[error("{0}")]
	Invalid(String),
	/// A local file could not be read or written.
	#[error("{0}")]
	Io(#[from] std::io::Error),
}

impl Error {
	/// The process exit code for this error: 3 refused by the chain, 4 integrity (decryption,
	/// hash, audit), 5 node or storage unreachable, 6 keys, 1 anything else (2 is bad usage).
	pub fn exit_code(&self) -> i32 {
		match self {
			Error::Refused(_) => 3,
			Error::Envelope(_)
			| Error::HashMismatch
			| Error::Unverified(_)
			| Error::Finality(_) => 4,
			Error::Node(_) | Error::Storage(_) => 5,
			Error::BadPhrase | Error::KeyFile(_) | Error::WrongPassphrase => 6,
			Error::Invalid(_) | Error::Io(_) => 1,
		}
	}
}

/// What [`Client::grant`] did.
#[derive(Debug)]
pub struct Granted {
	/// The finalized transaction.
	pub included: Included,
	/// How many record keys were shared with the grantee.
	pub shared: usize,
	/// Records whose key for the patient does not open (not shared; worth reporting).
	pub skipped: Vec<RecordId>,
}

/// A CID as the records pallet takes it.
fn bounded_cid(cid: &[u8]) -> Result<pallet_ehr_records::CidOf<ehr_runtime::Runtime>, Error> {
	cid.to_vec()
		.try_into()
		.map_err(|_| Error::Invalid("the CID is longer than the chain allows".into()))
}

/// Keys for a new version as the records pallet takes them.
fn bounded_reader_keys(
	keys: Vec<(AccountId, Vec<u8>)>,
) -> Result<pallet_ehr_records::ReaderKeysOf<ehr_runtime::Runtime>, Error> {
	let too_many = || Error::Invalid("more readers than a record may have".into());
	keys.into_iter()
		.map(|(reader, key)| {
			let key = key.try_into().map_err(|_| {
				Error::Invalid("a wrapped key is longer than the chain allows".into())
			})?;
			Ok((reader, key))
		})
		.collect::<Result<Vec<_>, Error>>()?
		.try_into()
		.map_err(|_| too_many())
}

/// One version of a record, as `ehr_patientRecords` and friends answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RecordInfo {
	/// The record's id.
	pub id: RecordId,
	/// Whose record it is.
	pub patient: AccountId,
	/// Who added it.
	pub author: AccountId,
	/// What kind of record.
	pub category: RecordCategory,
	/// Binary CIDv1 of the envelope, hex.
	pub cid: sp_core::Bytes,
	/// The content commitment on chain (SHA-256 of the plaintext for version 1 envelopes), hex.
	pub content_hash: sp_core::Bytes,
	/// Envelope size in bytes.
	pub size: u64,
	/// When it was added (ms since the Unix epoch).
	pub created_at: Moment,
	/// 1 for a new record, one more per amendment.
	pub version: u32,
	/// The version it amends.
	pub supersedes: Option<RecordId>,
	/// The version that amends it.
	pub superseded_by: Option<RecordId>,
	/// Erased by the patient.
	pub erased: bool,
	/// The content key wrapped for the reader asked about.
	pub wrapped_key: Option<sp_core::Bytes>,
}

impl RecordInfo {
	/// The answer for a record read from storage (with a proof), and its key for one reader.
	pub fn from_stored(
		id: RecordId,
		record: verified::StoredRecord,
		wrapped_key: Option<Vec<u8>>,
	) -> RecordInfo {
		RecordInfo {
			id,
			patient: record.patient,
			author: record.author,
			category: record.category,
			cid: sp_core::Bytes(record.cid.into_inner()),
			content_hash: sp_core::Bytes(record.content_hash.to_vec()),
			size: record.size,
			created_at: record.created_at,
			version: record.version,
			supersedes: record.supersedes,
			superseded_by: record.superseded_by,
			erased: record.erased,
			wrapped_key: wrapped_key.map(sp_core::Bytes),
		}
	}

	/// The CID in IPFS's text form.
	pub fn cid_text(&self) -> String {
		cid::to_string(&self.cid)
	}
}

/// A grant of a patient, as `ehr_patientGrants` answers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrantInfo {
	/// Who the grant is for.
	pub grantee: AccountId,
	/// Its terms.
	pub grant: Grant<AccountId>,
}

/// A slot, as `ehr_freeSlots` and `ehr_doctorSchedule` answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SlotInfo {
	/// The slot's id.
	pub id: u64,
	/// The doctor.
	pub doctor: AccountId,
	/// Start (ms since the Unix epoch).
	pub start: Moment,
	/// Length in minutes.
	pub duration_minutes: u32,
	/// In person or video.
	pub kind: VisitKind,
	/// The appointment holding it.
	pub held_by: Option<u64>,
}

/// An appointment, as `ehr_patientAppointments` answers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentInfo {
	/// The appointment's id.
	pub id: u64,
	/// The doctor.
	pub doctor: AccountId,
	/// The patient.
	pub patient: AccountId,
	/// Start (ms since the Unix epoch).
	pub start: Moment,
	/// Length in minutes.
	pub duration_minutes: u32,
	/// Where it stands.
	pub status: AppointmentStatus,
	/// The slot the doctor proposed, until the patient answers.
	pub proposed_slot: Option<u64>,
	/// Every change, oldest first.
	pub history: Vec<ehr_primitives::HistoryEntry<AccountId>>,
}

impl AppointmentInfo {
	/// The changes alone, oldest first.
	pub fn changes(&self) -> Vec<AppointmentChange> {
		self.history.iter().map(|entry| entry.change).collect()
	}
}

/// What an upload or amendment put on chain.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
	/// The new record (or version).
	pub record: RecordId,
	/// The envelope's CID (text form).
	pub cid: String,
	/// The content commitment on chain (SHA-256 of the plaintext for version 1 envelopes), hex.
	pub content_hash: String,
	/// Plaintext bytes.
	pub plaintext_len: u64,
	/// Envelope bytes.
	pub envelope_len: u64,
	/// The readers the key was wrapped for.
	pub readers: Vec<String>,
	/// Readers with consent whose published encryption key is unusable: no key was wrapped for
	/// them (they should publish a new key; the patient can share it then).
	pub unusable_readers: Vec<String>,
	/// The finalized block.
	pub block: Hash,
}

/// What [`Client::rotate_key`] did.
#[derive(Debug)]
pub struct Rotated {
	/// The account's keys with the new encryption key (save them: `Keys::replace_file`).
	pub keys: Keys,
	/// Where the new key was published.
	pub published: Included,
	/// How many content keys were re-wrapped for the new key.
	pub rewrapped: usize,
	/// Records whose key opens with none of the account's keys (wrapped badly by a writer).
	pub unopenable: Vec<RecordId>,
	/// Keys the chain refused to take (the account may no longer read the record), and why.
	pub refused: Vec<(RecordId, String)>,
}

/// What a fetch wrote.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Fetched {
	/// The record.
	pub record: RecordId,
	/// Where the plaintext is.
	pub path: PathBuf,
	/// Plaintext bytes.
	pub plaintext_len: u64,
	/// Whether the read was logged on chain (it is, unless the reader is the patient).
	pub access_logged: bool,
}

/// The SDK: a node, a store, and the user flows on top.
pub struct Client {
	/// The node.
	pub chain: Chain,
	/// Where envelopes go.
	pub store: Store,
	/// The client's own view of finality: with it, the keys it wraps for and the records it
	/// decrypts are read with proofs ([`verified`]), not taken from the node.
	finality: Option<tokio::sync::Mutex<finality::Finality>>,
}

fn call_identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

fn call_consent(call: pallet_ehr_consent::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Consent(call)
}

fn call_records(call: pallet_ehr_records::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Records(call)
}

fn call_appointments(call: pallet_ehr_appointments::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Appointments(call)
}

impl Client {
	/// Connects to the node at `node_url` and uses `store` for envelopes.
	pub async fn connect(node_url: &str, store: Store) -> Result<Client, Error> {
		Ok(Client { chain: Chain::connect(node_url).await?, store, finality: None })
	}

	/// From now on, verify finality from `finality` and read what the client acts on with
	/// proofs against the newest verified block.
	pub fn verifying(mut self, finality: finality::Finality) -> Client {
		self.finality = Some(tokio::sync::Mutex::new(finality));
		self
	}

	/// Whether reads are verified.
	pub fn is_verifying(&self) -> bool {
		self.finality.is_some()
	}

	/// Proven reads at the newest block verified final (after syncing), if verifying.
	pub async fn verified(&self) -> Result<Option<verified::VerifiedState<'_>>, Error> {
		let Some(finality) = &self.finality else { return Ok(None) };
		let header = finality.lock().await.sync(&self.chain).await?;
		Ok(Some(verified::VerifiedState::new(&self.chain, header)))
	}

	// --- Hospital administration ---

	/// A member hospital verifies a doctor.
	pub async fn register_doctor(
		&self,
		hospital: &Keys,
		doctor: &AccountId,
		name: &str,
		specialty: &str,
		licence: &str,
	) -> Result<Included, Error> {
		let call = call_identity(pallet_ehr_identity::Call::register_doctor {
			doctor: doctor.clone(),
			name: name.as_bytes().to_vec(),
			specialty: specialty.as_bytes().to_vec(),
			licence: licence.as_bytes().to_vec(),
		});
		self.chain.submit(hospital, call).await
	}

	/// The doctor's hospital suspends the doctor.
	pub async fn suspend_doctor(
		&self,
		hospital: &Keys,
		doctor: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::suspend_doctor { doctor: doctor.clone() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	/// The doctor's hospital reinstates the doctor.
	pub async fn reinstate_doctor(
		&self,
		hospital: &Keys,
		doctor: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::reinstate_doctor { doctor: doctor.clone() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	/// A hospital invites an account to register as a patient without tokens.
	pub async fn invite_patient(
		&self,
		hospital: &Keys,
		patient: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::invite_patient { patient: patient.clone() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	// --- Identity ---

	/// The patient registers with the encryption key of `patient`.
	pub async fn register_patient(&self, patient: &Keys) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::register_patient {
			encryption_key: patient.encryption_key(),
		};
		self.chain.submit(patient, call_identity(call)).await
	}

	/// A doctor or patient publishes (or rotates to) the encryption key of `who`.
	pub async fn set_encryption_key(&self, who: &Keys) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::set_encryption_key { key: who.encryption_key() };
		self.chain.submit(who, call_identity(call)).await
	}

	/// The patient names a delegate.
	pub async fn add_delegate(
		&self,
		patient: &Keys,
		delegate: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::add_delegate { delegate: delegate.clone() };
		self.chain.submit(patient, call_identity(call)).await
	}

	/// The patient removes a delegate.
	pub async fn remove_delegate(
		&self,
		patient: &Keys,
		delegate: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::remove_delegate { delegate: delegate.clone() };
		self.chain.submit(patient, call_identity(call)).await
	}

	// --- Records ---

	/// The grants of `patient`.
	pub async fn grants(&self, patient: &AccountId) -> Result<Vec<GrantInfo>, Error> {
		self.chain.request("ehr_patientGrants", rpc_params![patient.to_ss58check()]).await
	}

	/// The accounts a new record of `category` is wrapped for: the patient, and every grantee
	/// whose grant covers it now and who has a usable encryption key; with their keys. Readers
	/// whose key is unusable (of small order, or not canonical: the chain refuses those now, but
	/// an older chain may hold one) are left out and returned second, to report.
	async fn readers(
		&self,
		patient: &AccountId,
		category: RecordCategory,
	) -> Result<(Vec<(AccountId, [u8; 32])>, Vec<AccountId>), Error> {
		let all = self.all_readers(patient, category).await?;
		let (usable, unusable): (Vec<_>, Vec<_>) =
			all.into_iter().partition(|(_, key)| ehr_primitives::is_usable_encryption_key(key));
		if !usable.first().is_some_and(|(first, _)| first == patient) {
			return Err(Error::Invalid(format!(
				"the encryption key of patient {patient} is not usable: publish a new one"
			)));
		}
		Ok((usable, unusable.into_iter().map(|(reader, _)| reader).collect()))
	}

	async fn all_readers(
		&self,
		patient: &AccountId,
		category: RecordCategory,
	) -> Result<Vec<(AccountId, [u8; 32])>, Error> {
		if let Some(state) = self.verified().await? {
			return state.readers(patient, category).await;
		}
		let now = self.chain.now().await?;
		let mut readers = Vec::new();
		let patient_key = self
			.chain
			.encryption_key(patient)
			.await?
			.ok_or_else(|| Error::Invalid(format!("{patient} is not a registered patient")))?;
		readers.push((patient.clone(), patient_key));
		for GrantInfo { grantee, grant } in self.grants(patient).await? {
			if grant.allows(category, AccessLevel::Read, now) {
				if let Some(key) = self.chain.encryption_key(&grantee).await? {
					readers.push((grantee, key));
				}
			}
		}
		Ok(readers)
	}

	/// Encrypts the file at `path`, stores it, and wraps its key for `readers`.
	async fn seal(
		&self,
		path: &Path,
		readers: &[(AccountId, [u8; 32])],
		progress: &mut (impl FnMut(u64, u64) + Send),
	) -> Result<(envelope::Summary, Vec<u8>, Vec<(AccountId, Vec<u8>)>), Error> {
		let total = std::fs::metadata(path)?.len();
		let input = std::io::BufReader::new(std::fs::File::open(path)?);
		let sealed = tempfile::NamedTempFile::new()?;
		let key = envelope::ContentKey::generate();
		// Wrapped before anything is stored: a failure leaves nothing pinned.
		let keys = readers
			.iter()
			.map(|(reader, public)| Ok((reader.clone(), envelope::wrap(&key, public)?.to_vec())))
			.collect::<Result<Vec<_>, Error>>()?;
		let summary =
			envelope::encrypt(&key, input, std::io::BufWriter::new(sealed.as_file()), |done| {
				progress(done, total)
			})?;
		let cid = self.store.put(sealed.path()).await?;
		Ok((summary, cid, keys))
	}

	/// Submits a call that points to a just-stored envelope; if the chain refuses it, the
	/// envelope is unpinned so that nothing is left behind.
	async fn submit_or_unpin(
		&self,
		author: &Keys,
		call: RuntimeCall,
		cid: &[u8],
	) -> Result<Included, Error> {
		let result = self.chain.submit(author, call).await;
		if result.is_err() {
			// Best effort: the refusal is the error to report.
			let _ = self.store.unpin(cid).await;
		}
		result
	}

	/// Encrypts the file at `path` and adds it as a record of `category` for `patient`. The
	/// author is the patient, or a doctor with write consent; the key is wrapped for the patient
	/// and every current reader of the category. `progress` gets (bytes done, total).
	pub async fn upload(
		&self,
		author: &Keys,
		patient: &AccountId,
		category: RecordCategory,
		path: &Path,
		mut progress: impl FnMut(u64, u64) + Send,
	) -> Result<Uploaded, Error> {
		let (readers, skipped) = self.readers(patient, category).await?;
		let (summary, cid, keys) = self.seal(path, &readers, &mut progress).await?;
		let call = call_records(pallet_ehr_records::Call::add_record {
			patient: patient.clone(),
			category,
			cid: bounded_cid(&cid)?,
			content_hash: summary.content_hash,
			size: summary.envelope_len,
			keys: bounded_reader_keys(keys)?,
		});
		let included = self.submit_or_unpin(author, call, &cid).await?;
		let record = included
			.events
			.iter()
			.find_map(|event| match event {
				ehr_runtime::RuntimeEvent::Records(pallet_ehr_records::Event::RecordAdded {
					record,
					..
				}) => Some(*record),
				_ => None,
			})
			.ok_or_else(|| Error::Node("no RecordAdded event".into()))?;
		Ok(uploaded(record, &cid, &summary, &readers, &skipped, included.block))
	}

	/// Amends `record` with the file at `path` (a new version, same category and readers rule).
	pub async fn amend(
		&self,
		author: &Keys,
		record: RecordId,
		path: &Path,
		mut progress: impl FnMut(u64, u64) + Send,
	) -> Result<Uploaded, Error> {
		let current = self.record(record, None).await?;
		let (readers, skipped) = self.readers(&current.patient, current.category).await?;
		let (summary, cid, keys) = self.seal(path, &readers, &mut progress).await?;
		let call = call_records(pallet_ehr_records::Call::amend_record {
			record,
			cid: bounded_cid(&cid)?,
			content_hash: summary.content_hash,
			size: summary.envelope_len,
			keys: bounded_reader_keys(keys)?,
		});
		let included = self.submit_or_unpin(author, call, &cid).await?;
		let new_version = included
			.events
			.iter()
			.find_map(|event| match event {
				ehr_runtime::RuntimeEvent::Records(pallet_ehr_records::Event::RecordAmended {
					new_version,
					..
				}) => Some(*new_version),
				_ => None,
			})
			.ok_or_else(|| Error::Node("no RecordAmended event".into()))?;
		Ok(uploaded(new_version, &cid, &summary, &readers, &skipped, included.block))
	}

	/// One record, with the key wrapped for `reader` if given.
	pub async fn record(
		&self,
		id: RecordId,
		reader: Option<&AccountId>,
	) -> Result<RecordInfo, Error> {
		if let Some(state) = self.verified().await? {
			let (record, wrapped) = state
				.record(id, reader)
				.await?
				.ok_or_else(|| Error::Invalid(format!("no record {id}")))?;
			return Ok(RecordInfo::from_stored(id, record, wrapped));
		}
		let reader = reader.map(|reader| reader.to_ss58check());
		let record: Option<RecordInfo> =
			self.chain.request("ehr_record", rpc_params![id, reader]).await?;
		record.ok_or_else(|| Error::Invalid(format!("no record {id}")))
	}

	/// The records of `patient` (every version not erased), of `category` if given.
	pub async fn records(
		&self,
		patient: &AccountId,
		category: Option<RecordCategory>,
	) -> Result<Vec<RecordInfo>, Error> {
		self.chain
			.request("ehr_patientRecords", rpc_params![patient.to_ss58check(), category])
			.await
	}

	/// Every version of the record `id` belongs to.
	pub async fn versions(&self, id: RecordId) -> Result<Vec<RecordInfo>, Error> {
		self.chain.request("ehr_recordVersions", rpc_params![id]).await
	}

	/// Fetches record `id`, decrypts it with `reader`'s key into `out`, checks it against the
	/// hash on chain, and (for readers other than the patient) logs the access on chain. `out` is
	/// only written if everything checks.
	pub async fn fetch(
		&self,
		reader: &Keys,
		id: RecordId,
		out: &Path,
		mut progress: impl FnMut(u64, u64) + Send,
	) -> Result<Fetched, Error> {
		let me = reader.account_id();
		let record = self.record(id, Some(&me)).await?;
		if record.erased {
			return Err(Error::Invalid(format!("record {id} was erased")));
		}
		let wrapped = record.wrapped_key.as_ref().ok_or_else(|| {
			Error::Invalid(format!("record {id} holds no key for {}", reader.address()))
		})?;
		let key = reader.unwrap(wrapped)?;
		let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
		let sealed = tempfile::NamedTempFile::new_in(dir)?;
		self.store.get(&record.cid, sealed.path()).await?;
		let plain = tempfile::NamedTempFile::new_in(dir)?;
		let total = record.size;
		let summary = envelope::decrypt(
			&key,
			std::io::BufReader::new(std::fs::File::open(sealed.path())?),
			std::io::BufWriter::new(plain.as_file()),
			|done| progress(done, total),
		)?;
		if summary.content_hash[..] != record.content_hash[..] {
			return Err(Error::HashMismatch);
		}
		plain.persist(out).map_err(|e| Error::Io(e.error))?;
		let access_logged = me != record.patient;
		if access_logged {
			let call = call_consent(pallet_ehr_consent::Call::log_access {
				patient: record.patient.clone(),
				record: id,
				category: record.category,
			});
			self.chain.submit(reader, call).await?;
		}
		Ok(Fetched {
			record: id,
			path: out.to_path_buf(),
			plaintext_len: summary.plaintext_len,
			access_logged,
		})
	}

	/// The patient (or a delegate) erases `id` with all its versions, and unpins them.
	pub async fn erase(&self, patient: &Keys, id: RecordId) -> Result<Vec<String>, Error> {
		let included = self
			.chain
			.submit(patient, call_records(pallet_ehr_records::Call::erase_record { record: id }))
			.await?;
		let mut erased = Vec::new();
		for event in included.events {
			if let ehr_runtime::RuntimeEvent::Records(pallet_ehr_records::Event::RecordErased {
				cid,
				..
			}) = event
			{
				self.store.unpin(&cid).await?;
				erased.push(cid::to_string(&cid));
			}
		}
		Ok(erased)
	}

	// --- Consent ---

	/// The patient grants `grantee` access and, in the same transaction, wraps the key of every
	/// record in scope for the grantee (if it has an encryption key). A record whose key for
	/// the patient does not open (a writer put something else there) is skipped and reported
	/// in [`Granted::skipped`] rather than failing the grant.
	#[allow(clippy::too_many_arguments)]
	pub async fn grant(
		&self,
		patient: &Keys,
		grantee: &AccountId,
		scope: Scope,
		access: AccessLevel,
		expires_at: Option<Moment>,
		purpose: Purpose,
	) -> Result<Granted, Error> {
		let me = patient.account_id();
		let mut calls = vec![call_consent(pallet_ehr_consent::Call::grant_access {
			patient: me.clone(),
			grantee: grantee.clone(),
			scope: scope.clone(),
			access,
			expires_at,
			purpose,
		})];
		let mut shared = Vec::new();
		let mut skipped = Vec::new();
		let state = self.verified().await?;
		let grantee_key = match &state {
			Some(state) => state.encryption_key(grantee).await?,
			None => self.chain.encryption_key(grantee).await?,
		};
		// An unusable key (small order, not canonical) is no key: nothing is wrapped for it.
		if let Some(public) = grantee_key.filter(ehr_primitives::is_usable_encryption_key) {
			let mine = self.held_records(state.as_ref(), &me, &me).await?;
			for record in mine.into_iter().filter(|r| scope.covers(r.category)) {
				let Some(wrapped) = record.wrapped_key else { continue };
				let Ok(key) = patient.unwrap(&wrapped) else {
					skipped.push(record.id);
					continue;
				};
				let rewrapped = envelope::wrap(&key, &public)?.to_vec();
				let rewrapped = rewrapped.try_into().map_err(|_| {
					Error::Invalid("a wrapped key is longer than the chain allows".into())
				})?;
				shared.push((record.id, rewrapped));
			}
		}
		let count = shared.len();
		// `share_keys` carries at most `MaxKeysPerShare` keys: several of them in one batch.
		let per_call =
			<<Runtime as pallet_ehr_records::Config>::MaxKeysPerShare as sp_runtime::traits::Get<
				u32,
			>>::get();
		for chunk in shared.chunks(per_call as usize) {
			calls.push(call_records(pallet_ehr_records::Call::share_keys {
				reader: grantee.clone(),
				keys: chunk.to_vec().try_into().expect("chunked to the bound"),
			}));
		}
		let call = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls });
		Ok(Granted { included: self.chain.submit(patient, call).await?, shared: count, skipped })
	}

	/// The records of `patient` that `reader` holds a key for, with the key. The node lists
	/// them; with proofs (`state`), each record's patient, category, state and the wrapped key
	/// are the chain's (a listed id that is not the patient's, erased, or without a key for
	/// `reader` is dropped), so a node cannot make the client re-wrap one record's key under
	/// another record's id or category.
	async fn held_records(
		&self,
		state: Option<&verified::VerifiedState<'_>>,
		reader: &AccountId,
		patient: &AccountId,
	) -> Result<Vec<RecordInfo>, Error> {
		let listed: Vec<RecordInfo> = self
			.chain
			.request(
				"ehr_readerRecords",
				rpc_params![reader.to_ss58check(), patient.to_ss58check()],
			)
			.await?;
		let Some(state) = state else { return Ok(listed) };
		let mut proven = Vec::with_capacity(listed.len());
		for id in listed.into_iter().map(|record| record.id) {
			if let Some((stored, Some(wrapped))) = state.record(id, Some(reader)).await? {
				if stored.patient == *patient && !stored.erased {
					proven.push(RecordInfo::from_stored(id, stored, Some(wrapped)));
				}
			}
		}
		Ok(proven)
	}

	/// Rotates the encryption key of `keys`' account: publishes the phrase's next encryption
	/// key, hands the new keys to `save` (write the key file now: from here on the chain holds
	/// the new key), then re-wraps for it every content key the account holds (as a patient and
	/// as a reader of other patients' records), in transactions of at most `MaxKeysPerShare`
	/// keys; a transaction the chain refuses is retried key by key and the keys it still
	/// refuses are reported. `progress` gets (keys re-wrapped, keys to re-wrap). Afterwards no
	/// key on chain opens with the old secret (old wrapped keys remain in historical blocks).
	/// With proofs (a verifying client) the records re-wrapped are the chain's.
	pub async fn rotate_key(
		&self,
		keys: &Keys,
		save: impl FnOnce(&Keys) -> Result<(), Error>,
		mut progress: impl FnMut(usize, usize) + Send,
	) -> Result<Rotated, Error> {
		let new = keys.rotated()?;
		let published = self.set_encryption_key(&new).await?;
		save(&new)?;
		let me = new.account_id();
		let state = self.verified().await?;
		let mut patients = vec![me.clone()];
		patients.extend(self.patients_of(&me).await?.into_iter().filter(|p| *p != me));
		let public = new.encryption_key();
		let (mut rewrapped, mut unopenable) = (Vec::new(), Vec::new());
		for patient in &patients {
			for record in self.held_records(state.as_ref(), &me, patient).await? {
				let Some(wrapped) = record.wrapped_key else { continue };
				if !new.opens_only_with_earlier_key(&wrapped) {
					if new.unwrap(&wrapped).is_err() {
						unopenable.push(record.id);
					}
					continue;
				}
				let key = new.unwrap(&wrapped)?;
				let wrapped: pallet_ehr_records::WrappedKeyOf<Runtime> =
					envelope::wrap(&key, &public)?.to_vec().try_into().map_err(|_| {
						Error::Invalid("a wrapped key is longer than the chain allows".into())
					})?;
				rewrapped.push((record.id, wrapped));
			}
		}
		let total = rewrapped.len();
		progress(0, total);
		let per_call =
			<<Runtime as pallet_ehr_records::Config>::MaxKeysPerShare as sp_runtime::traits::Get<
				u32,
			>>::get() as usize;
		let share = |keys: &[(RecordId, pallet_ehr_records::WrappedKeyOf<Runtime>)]| {
			call_records(pallet_ehr_records::Call::share_keys {
				reader: me.clone(),
				keys: keys.to_vec().try_into().expect("chunked to the bound"),
			})
		};
		let (mut done, mut refused) = (0, Vec::new());
		for chunk in rewrapped.chunks(per_call) {
			match self.chain.submit(&new, share(chunk)).await {
				Ok(_) => done += chunk.len(),
				// One key the chain no longer takes (an expired grant, an erased record) must
				// not hold back the others.
				Err(Error::Refused(_)) => {
					for single in chunk.chunks(1) {
						match self.chain.submit(&new, share(single)).await {
							Ok(_) => done += 1,
							Err(Error::Refused(reason)) => refused.push((single[0].0, reason)),
							Err(other) => return Err(other),
						}
					}
				}
				Err(other) => return Err(other),
			}
			progress(done, total);
		}
		Ok(Rotated { keys: new, published, rewrapped: done, unopenable, refused })
	}

	/// The patient revokes the grant of `grantee`; its record keys go with it.
	pub async fn revoke(&self, patient: &Keys, grantee: &AccountId) -> Result<Included, Error> {
		let call = pallet_ehr_consent::Call::revoke_access {
			patient: patient.account_id(),
			grantee: grantee.clone(),
		};
		self.chain.submit(patient, call_consent(call)).await
	}

	/// What `who` may still do for free in the current period (the fee budget), read at the
	/// best block, where its next transaction is checked.
	pub async fn free_budget(
		&self,
		who: &AccountId,
	) -> Result<ehr_primitives::FreeBudget<ehr_runtime::BlockNumber>, Error> {
		self.chain.request("ehr_freeBudget", rpc_params![who.to_ss58check()]).await
	}

	/// The patients who granted `doctor` (or its hospital) access.
	pub async fn patients_of(&self, doctor: &AccountId) -> Result<Vec<AccountId>, Error> {
		self.chain.request("ehr_doctorPatients", rpc_params![doctor.to_ss58check()]).await
	}

	/// A doctor opens break-glass access to `patient` for a coded reason. A free-text `note`
	/// stays off chain: the chain gets only its salted commitment ([`note_commitment`]), and
	/// the answer carries the fresh salt, to keep with the note for the hospital's review.
	pub async fn emergency_access(
		&self,
		doctor: &Keys,
		patient: &AccountId,
		code: EmergencyReason,
		note: Option<&str>,
	) -> Result<EmergencyOpened, Error> {
		let salted = note.map(|note| {
			let mut salt = [0u8; 32];
			rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut salt);
			(salt, note_commitment(&salt, note))
		});
		let call = pallet_ehr_consent::Call::open_emergency_access {
			patient: patient.clone(),
			code,
			commitment: salted.map(|(_, commitment)| commitment),
		};
		let included = self.chain.submit(doctor, call_consent(call)).await?;
		Ok(EmergencyOpened {
			included,
			salt: salted.map(|(salt, _)| salt),
			commitment: salted.map(|(_, commitment)| commitment),
		})
	}

	/// The patient (or a delegate acting for `patient`) ends a doctor's emergency access.
	pub async fn end_emergency_access(
		&self,
		patient_or_delegate: &Keys,
		patient: &AccountId,
		doctor: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_consent::Call::end_emergency_access {
			patient: patient.clone(),
			doctor: doctor.clone(),
		};
		self.chain.submit(patient_or_delegate, call_consent(call)).await
	}

	// --- Appointments ---

	/// A doctor publishes a slot; returns its id.
	pub async fn publish_slot(
		&self,
		doctor: &Keys,
		start: Moment,
		duration_minutes: u32,
		kind: VisitKind,
	) -> Result<u64, Error> {
		let call = pallet_ehr_appointments::Call::publish_slot { start, duration_minutes, kind };
		let included = self.chain.submit(doctor, call_appointments(call)).await?;
		included
			.events
			.iter()
			.find_map(|event| match event {
				ehr_runtime::RuntimeEvent::Appointments(
					pallet_ehr_appointments::Event::SlotPublished { slot, .. },
				) => Some(*slot),
				_ => None,
			})
			.ok_or_else(|| Error::Node("no SlotPublished event".into()))
	}

	/// The free slots of `doctor` starting in `from..to`.
	pub async fn free_slots(
		&self,
		doctor: &AccountId,
		from: Moment,
		to: Moment,
	) -> Result<Vec<SlotInfo>, Error> {
		self.chain.request("ehr_freeSlots", rpc_params![doctor.to_ss58check(), from, to]).await
	}

	/// The patient books `slot`; returns the appointment's id.
	pub async fn book(&self, patient: &Keys, slot: u64) -> Result<u64, Error> {
		let call = pallet_ehr_appointments::Call::book { slot, reason: None };
		let included = self.chain.submit(patient, call_appointments(call)).await?;
		included
			.events
			.iter()
			.find_map(|event| match event {
				ehr_runtime::RuntimeEvent::Appointments(
					pallet_ehr_appointments::Event::AppointmentChanged { appointment, .. },
				) => Some(*appointment),
				_ => None,
			})
			.ok_or_else(|| Error::Node("no AppointmentChanged event".into()))
	}

	/// A change to an appointment: confirm, propose a new slot, answer, cancel, complete,
	/// no-show.
	pub async fn update_appointment(
		&self,
		actor: &Keys,
		change: AppointmentAction,
	) -> Result<Included, Error> {
		use pallet_ehr_appointments::Call;
		let call = match change {
			AppointmentAction::Confirm(appointment) => Call::confirm { appointment },
			AppointmentAction::Propose(appointment, new_slot) => {
				Call::propose_reschedule { appointment, new_slot }
			}
			AppointmentAction::Answer(appointment, accept) => {
				Call::answer_reschedule { appointment, accept }
			}
			AppointmentAction::Cancel(appointment) => Call::cancel { appointment },
			AppointmentAction::Complete(appointment) => Call::complete { appointment },
			AppointmentAction::NoShow(appointment) => Call::mark_no_show { appointment },
		};
		self.chain.submit(actor, call_appointments(call)).await
	}

	/// The appointments of `patient`, newest first.
	pub async fn appointments(&self, patient: &AccountId) -> Result<Vec<AppointmentInfo>, Error> {
		self.chain.request("ehr_patientAppointments", rpc_params![patient.to_ss58check()]).await
	}
}

/// What [`Client::update_appointment`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppointmentAction {
	/// The doctor confirms.
	Confirm(u64),
	/// The doctor proposes another slot.
	Propose(u64, u64),
	/// The patient accepts (`true`) or declines the proposal.
	Answer(u64, bool),
	/// Either side cancels.
	Cancel(u64),
	/// The doctor marks the visit done.
	Complete(u64),
	/// The doctor marks that the patient did not come.
	NoShow(u64),
}

fn uploaded(
	record: RecordId,
	cid: &[u8],
	summary: &envelope::Summary,
	readers: &[(AccountId, [u8; 32])],
	skipped: &[AccountId],
	block: Hash,
) -> Uploaded {
	Uploaded {
		record,
		cid: cid::to_string(cid),
		content_hash: to_hex(&summary.content_hash, false),
		plaintext_len: summary.plaintext_len,
		envelope_len: summary.envelope_len,
		readers: readers.iter().map(|(reader, _)| reader.to_ss58check()).collect(),
		unusable_readers: skipped.iter().map(|reader| reader.to_ss58check()).collect(),
		block,
	}
}

/// An emergency access opened by [`Client::emergency_access`].
#[derive(Clone, Debug)]
pub struct EmergencyOpened {
	/// Where the call ended.
	pub included: Included,
	/// The salt of the note's commitment: keep it with the note, off chain.
	pub salt: Option<[u8; 32]>,
	/// What the chain holds: SHA-256 of the salt followed by the note.
	pub commitment: Option<NoteCommitment>,
}

/// The commitment to an emergency note that the chain keeps instead of the note: SHA-256 of the
/// 32-byte `salt` followed by the note's UTF-8 bytes. Whoever is shown the note and the salt can
/// check them against the trail; the chain alone reveals nothing of the note.
pub fn note_commitment(salt: &[u8; 32], note: &str) -> NoteCommitment {
	use sha2::{Digest, Sha256};
	let mut hasher = Sha256::new();
	hasher.update(salt);
	hasher.update(note.as_bytes());
	hasher.finalize().into()
}

#[cfg(test)]
mod tests {
	use super::note_commitment;

	#[test]
	fn a_note_commitment_is_sha256_of_salt_then_note() {
		// Computed independently: Python `hashlib.sha256(bytes([1] * 32) + note.encode())`.
		let expected = "206aa98a8a9a0e99934c5b7dae0a2b1f112b86fce4ae02e6f31ab4b84d91f568";
		let commitment = note_commitment(&[1; 32], "unconscious after a fall, ER bay 3");
		assert_eq!(hex::encode(commitment), expected);
		// Another salt hides the same note.
		assert_ne!(note_commitment(&[2; 32], "unconscious after a fall, ER bay 3"), commitment);
	}
}
