//! # ehr-client
//!
//! What apps and people use to work with the EHR chain: files are encrypted on the user's side
//! ([`envelope`]), stored on IPFS or a local directory ([`store`]), and pointed to on chain with a
//! content key wrapped for each reader ([`Client`]). Keys come from one BIP-39 phrase ([`keys`]).
//!
//! - Talking to a node: [`chain`] (signing, submitting, storage), the node's `ehr_*` interface
//!   through `ehr-rpc-api`'s generated clients ([`Client::rpc`]).
//! - Trusting nothing the node says: [`finality`] (GRANDPA followed from the chain spec),
//!   [`verified`] (reads proven against verified state), [`audit`] (verified trails).
//! - The flows, by concern (`flows/`): identity and hospital administration, records, consent
//!   (with revocation and re-keying), key rotation, appointments — all methods of [`Client`].
//! - Files: [`envelope`] (the format), [`store`] (IPFS or a directory), [`cid`].

pub mod audit;
pub mod chain;
pub mod cid;
pub mod custodian;
pub mod fhir;
pub mod finality;
mod flows;
pub mod gateway;
pub mod human;
pub mod keys;
pub mod metrics;
pub mod outbox;
pub mod signin;
pub mod store;
pub mod verified;

use std::path::{Path, PathBuf};

use ehr_primitives::{
	AccessLevel, EmergencyReason, Moment, NoteCommitment, Purpose, RecordCategory, RecordId, Scope,
	Shift, VisitKind,
};
use ehr_rpc_api::{EhrApiClient, FeesRpcClient, RecordsRpcClient};
use ehr_runtime::{Hash, Runtime, RuntimeCall};
use serde::Serialize;
use sp_core::{bytes::to_hex, crypto::Ss58Codec};
use sp_runtime::AccountId32 as AccountId;

pub use chain::{Chain, Included, Stage, Wait};
pub use ehr_envelope as envelope;
/// The node's `ehr_*` interface: the answer types and the generated `…Client` traits.
pub use ehr_rpc_api as rpc;
pub use flows::care::{
	clean, evaluate, Exchanged, Fired, InboxMessage, Rule, Rules, Sent, WatchPass, WatchState,
	MAX_ATTEMPTS,
};
pub use flows::escrow::{Committee, CustodianPass, EmergencyReview, EscrowSynced, Release};
pub use flows::identity::Role;
pub use keys::{KeyAgent, Keys};
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
	/// The chain refused the transaction (the pallet's error in words), or the client refused
	/// what the chain's state already rules out (no such record, no key for you).
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
	/// The command line is wrong (an address that does not parse, an --out that exists).
	#[error("{0}")]
	Usage(String),
	/// Interrupted (Ctrl-C) before it finished; nothing partial was left behind.
	#[error("interrupted")]
	Interrupted,
	/// A key or an escrow share would be given out on the node's unproven word (or split for a
	/// committee of threshold 1) outside a development chain.
	#[error(
		"{0} needs the chain's state proven against its finality (a node could name keys of its \
		 own): give the chain's raw spec (--chain-spec FILE or EHR_CHAIN_SPEC); on a development \
		 chain, --dev"
	)]
	Unproven(&'static str),
}

/// What kind of failure an [`Error`] is, for a program to act on (retry, ask the user, report
/// tampering): the `ehr` command maps each to its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
	/// The caller's input is wrong (an address that does not parse, a bad date, a file that
	/// exists), or the operation needs what was not given (the chain spec).
	Usage,
	/// The chain refused (the pallet's error in words), or the client refused from the chain's
	/// state (no such record, no key for this reader).
	Refused,
	/// Decryption, the commitment, an audit proof or finality did not verify: tampering or a
	/// lying node.
	Integrity,
	/// The node or the store does not answer, or a wait timed out: try again.
	Unreachable,
	/// A key file, passphrase or secret URI.
	Keys,
	/// Interrupted before it finished; nothing partial was left behind.
	Interrupted,
	/// Anything else (a local file that cannot be read, a request that makes no sense).
	Other,
}

impl Error {
	/// What kind of failure this is.
	pub fn kind(&self) -> ErrorKind {
		match self {
			Error::Refused(_) => ErrorKind::Refused,
			Error::Envelope(_)
			| Error::HashMismatch
			| Error::Unverified(_)
			| Error::Finality(_) => ErrorKind::Integrity,
			Error::Node(_) | Error::Storage(_) => ErrorKind::Unreachable,
			Error::BadPhrase | Error::KeyFile(_) | Error::WrongPassphrase => ErrorKind::Keys,
			Error::Invalid(_) | Error::Io(_) => ErrorKind::Other,
			Error::Usage(_) | Error::Unproven(_) => ErrorKind::Usage,
			Error::Interrupted => ErrorKind::Interrupted,
		}
	}
}

/// What [`Client::book_sharing`] did.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Booked {
	/// The appointment's id.
	pub appointment: u64,
	/// How many record keys the doctor got with the booking's grant.
	pub shared: usize,
	/// The doctor the booking's grant went to, if there is one.
	pub doctor: Option<AccountId>,
	/// When the booking's grant ends (ms since the Unix epoch), if there is one.
	pub grant_ends: Option<Moment>,
	/// The block number of the grant's transaction, if there is one.
	pub granted_in: Option<u32>,
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
	/// Whether the grantee has a usable encryption key: without one nothing was shared, and
	/// [`Client::sync_keys`] shares the keys once it publishes one.
	pub grantee_has_key: bool,
}

/// The client's own refusal for an account that is not a registered patient.
pub(crate) fn not_a_patient(who: &AccountId) -> Error {
	Error::Refused(format!(
		"{who} is not a registered patient (a patient registers with `ehr patient register`, \
		 after a hospital invites them)"
	))
}

/// The client's own refusal for a record id the chain does not have.
pub(crate) fn no_record(id: RecordId) -> Error {
	Error::Refused(format!("no record {id}: `ehr record list` shows the ids"))
}

/// A CID as the records pallet takes it.
fn bounded_cid(cid: &[u8]) -> Result<pallet_ehr_records::CidOf<ehr_runtime::Runtime>, Error> {
	cid.to_vec()
		.try_into()
		.map_err(|_| Error::Invalid("the CID is longer than the chain allows".into()))
}

/// A wrapped content key as the records pallet takes it.
fn bounded_wrapped_key(
	key: Vec<u8>,
) -> Result<pallet_ehr_records::WrappedKeyOf<ehr_runtime::Runtime>, Error> {
	key.try_into()
		.map_err(|_| Error::Invalid("a wrapped key is longer than the chain allows".into()))
}

/// The most keys one `share_keys` call carries.
fn max_keys_per_share() -> usize {
	<<Runtime as pallet_ehr_records::Config>::MaxKeysPerShare as sp_runtime::traits::Get<u32>>::get(
	) as usize
}

/// One `share_keys` call giving `reader` these keys (at most [`max_keys_per_share`]).
fn share_call(
	reader: &AccountId,
	keys: &[(RecordId, pallet_ehr_records::WrappedKeyOf<Runtime>)],
) -> RuntimeCall {
	call_records(pallet_ehr_records::Call::share_keys {
		reader: reader.clone(),
		keys: keys.to_vec().try_into().expect("chunked to the bound"),
	})
}

/// Keys for a new version as the records pallet takes them.
fn bounded_reader_keys(
	keys: Vec<(AccountId, Vec<u8>)>,
) -> Result<pallet_ehr_records::ReaderKeysOf<ehr_runtime::Runtime>, Error> {
	let too_many = || Error::Invalid("more readers than a record may have".into());
	keys.into_iter()
		.map(|(reader, key)| Ok((reader, bounded_wrapped_key(key)?)))
		.collect::<Result<Vec<_>, Error>>()?
		.try_into()
		.map_err(|_| too_many())
}

/// The node's answers, defined once in `ehr-rpc-api` (the node serves them with the same
/// types): a version of a record, a grant of a patient, a slot, an appointment.
pub use ehr_rpc_api::{
	AppointmentView as AppointmentInfo, PatientGrant as GrantInfo, Record as RecordInfo,
	SlotView as SlotInfo,
};

/// A failed `ehr_*` call, named.
pub(crate) fn rpc_error(method: &'static str) -> impl Fn(jsonrpsee::core::ClientError) -> Error {
	move |error| Error::Node(format!("{method}: {error}"))
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
	/// The block in which the key was escrowed for the hospitals' emergency committee (the
	/// record's category is openable in an emergency for the patient).
	pub escrowed_in_block: Option<u32>,
	/// Why escrowing failed (the record was added; `ehr emergency sync` escrows it later).
	pub escrow_failed: Option<String>,
}

/// What [`Client::revoke_and_rekey`] did.
#[derive(Debug)]
pub struct Rekeyed {
	/// The revocation.
	pub revoked: Included,
	/// Each record re-encrypted: (old id, erased; new id).
	pub replaced: Vec<(RecordId, RecordId)>,
	/// Records left as they were, and why (the old record stays; run again).
	pub failed: Vec<(RecordId, String)>,
	/// Envelopes of erased records not unpinned yet, and why (retry the unpin).
	pub unpin_pending: Vec<(String, String)>,
}

/// What [`Client::sync_keys`] did.
#[derive(Debug, Default)]
pub struct Synced {
	/// Grantees given keys, with how many.
	pub shared: Vec<(AccountId, usize)>,
	/// Without submitting: grantees that lack keys their grant covers, with how many.
	pub missing: Vec<(AccountId, usize)>,
	/// Grantees with consent but no usable encryption key yet (they publish one; then sync).
	pub waiting_for_key: Vec<AccountId>,
	/// Grantees whose keys the chain refused, and why.
	pub refused: Vec<(AccountId, String)>,
	/// Records whose key for the signer does not open (wrapped badly by their writer).
	pub skipped: Vec<RecordId>,
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
	/// The block the log entry is in (not waited to be final), for a client without an outbox.
	pub logged_in_block: Option<u32>,
	/// The outbox entry the log waits in, for a client with one ([`outbox`]).
	pub log_queued: Option<outbox::Entry>,
	/// Whose record it is.
	pub patient: AccountId,
	/// Who wrote it.
	pub author: AccountId,
}

/// How a read was logged ([`Client::log_reads`]).
#[derive(Clone, Debug)]
pub enum ReadLog {
	/// Signed and queued in the outbox, handed to the node; its drainer follows it to a
	/// finalized block.
	Queued(outbox::Entry),
	/// In this block (not waited to be final).
	InBlock(u32),
}

/// What [`Client::erase`] did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
	/// The finalized block of the erasure.
	pub number: u32,
	/// The envelopes (CIDs) unpinned.
	pub unpinned: Vec<String>,
	/// Envelopes not unpinned yet, and why: the erasure stands; retry the unpin.
	pub unpin_pending: Vec<(String, String)>,
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
	/// A development chain: keys may be wrapped, and escrow shares made, from the node's
	/// unproven word, and split for a committee of one.
	development: bool,
	/// Where read log transactions wait for a finalized block ([`outbox`]): with one, a read
	/// returns as soon as the record is verified and its log entry is queued; without, it waits
	/// for the entry to be in a block.
	outbox: Option<outbox::Outbox>,
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
	/// The node's RPC client: the `ehr_*` methods through the generated `…Client` traits of
	/// `ehr-rpc-api` (`EhrApiClient`, `RecordsRpcClient`, `FeesRpcClient`, `FinalityRpcClient`).
	pub fn rpc(&self) -> &jsonrpsee::ws_client::WsClient {
		self.chain.rpc()
	}

	/// Connects to the node at `node_url` and uses `store` for envelopes.
	pub async fn connect(node_url: &str, store: Store) -> Result<Client, Error> {
		Ok(Client {
			chain: Chain::connect(node_url).await?,
			store,
			finality: None,
			development: false,
			outbox: None,
		})
	}

	/// From now on, queue read log entries in `outbox` instead of waiting for a block.
	pub fn with_outbox(mut self, outbox: outbox::Outbox) -> Client {
		self.outbox = Some(outbox);
		self
	}

	/// The outbox, if the client has one.
	pub fn outbox(&self) -> Option<&outbox::Outbox> {
		self.outbox.as_ref()
	}

	/// Marks the chain as a development chain: this client may wrap keys and make escrow
	/// shares from the node's unproven word, and split a key for a committee whose threshold is
	/// 1 (a development chain's committee is one hospital). Otherwise wrapping and escrow
	/// without [`Client::verifying`] are refused with [`Error::Unproven`] (a node could name
	/// keys of its own), and a committee of threshold 1 is refused.
	pub fn development(mut self) -> Client {
		self.development = true;
		self
	}

	/// `Ok` if the client may give out `what` (a wrapped key, an escrow share): its reads are
	/// proven, or unproven reads are allowed.
	pub(crate) fn may_give_out(&self, what: &'static str) -> Result<(), Error> {
		if self.is_verifying() || self.development {
			Ok(())
		} else {
			Err(Error::Unproven(what))
		}
	}

	/// Whether this is a development chain ([`Client::development`]).
	pub fn is_development(&self) -> bool {
		self.development
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
		escrowed_in_block: None,
		escrow_failed: None,
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
