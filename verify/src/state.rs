//! Storage read with proofs, and the reads the clients act on.
//!
//! Wrapping a content key for a reader and decrypting a record are the two moments a lying node
//! could turn into a leak or a forgery: swap a doctor's encryption key for its own and every new
//! record is readable by the node; serve another record's CID, commitment or wrapped key and
//! the reader opens what the node chose. So those values are never taken from an RPC answer:
//! the client computes the storage keys itself ([`keys`]), asks the node for a proof
//! (`state_getReadProof`) at a block it verified final, and checks the proof against that
//! block's state root ([`check_read_proof`]). The node can still withhold (answer nothing, or
//! prove an old block); it cannot substitute.
//!
//! Each read is three steps so that any transport can carry it: the keys to prove, the proof
//! check, the decoding. What is proven:
//! - a reader's encryption key: `Identity::Doctors(who)`, else `Identity::Patients(who)`
//!   ([`encryption_key`]);
//! - the readers of a new record ([`readers`]): every key under `Consent::Grants(patient, _)`
//!   (listed by the node, each checked to be this patient's, then proven one by one), their
//!   number checked against the proven `Consent::GrantCount(patient)` so that no grant is
//!   hidden, each grantee's key, and the block's `Timestamp::Now` for expiry;
//! - a record to decrypt: `Records::Records(id)` and `Records::WrappedKeys(id, reader)`
//!   ([`record`]);
//! - a doctor as the directory shows them: `Identity::Doctors(who)` ([`doctor`]).

use alloc::{collections::BTreeMap, format, vec, vec::Vec};

use codec::{Decode, Encode};
use ehr_primitives::{
	AccessLevel, DoctorInfo, EncryptionKey, Grant, Message, MessageId, Moment, PatientInfo, Record,
	RecordCategory, RecordId,
};
use sp_core::ConstU32;
use sp_crypto_hashing::{blake2_128, twox_128, twox_64};

use crate::finality::{BlockNumber, FinalityError, Hash};

/// The chain's account id.
pub type AccountId = sp_runtime::AccountId32;
/// Values read with a proof: each key asked for, and its value (`None`: absent).
pub type Values = BTreeMap<Vec<u8>, Option<Vec<u8>>>;
/// No bound of the runtime is needed to decode a proven value: the state is the chain's.
type Unbounded = ConstU32<{ u32::MAX }>;
/// A doctor as stored (`Identity::Doctors`).
pub type Doctor = DoctorInfo<AccountId, BlockNumber, Unbounded>;
/// A patient as stored (`Identity::Patients`).
pub type Patient = PatientInfo<AccountId, BlockNumber, Unbounded>;
/// A record as stored (`Records::Records`).
pub type StoredRecord = Record<AccountId, BlockNumber, Vec<u8>>;
/// A message as stored (`Messages::Inbox`).
pub type StoredMessage = Message<AccountId, Vec<u8>, Vec<u8>>;
/// A grant as stored (`Consent::Grants`).
pub type StoredGrant = Grant<AccountId>;

/// The prefix of a pallet's storage item: `twox128(pallet) ++ twox128(item)`.
pub fn storage_prefix(pallet: &[u8], item: &[u8]) -> Vec<u8> {
	[twox_128(pallet), twox_128(item)].concat()
}

/// A map key as `Blake2_128Concat` stores it: the key's BLAKE2-128, then its encoding.
pub fn blake2_128_concat(key: &impl Encode) -> Vec<u8> {
	let encoded = key.encode();
	[blake2_128(&encoded).to_vec(), encoded].concat()
}

/// A map key as `Twox64Concat` stores it: the key's xxHash64, then its encoding.
pub fn twox_64_concat(key: &impl Encode) -> Vec<u8> {
	let encoded = key.encode();
	[twox_64(&encoded).to_vec(), encoded].concat()
}

/// The storage keys the clients read, from the pallets' layout (names and hashers).
pub mod keys {
	use super::*;

	/// `Timestamp::Now`.
	pub fn now() -> Vec<u8> {
		storage_prefix(b"Timestamp", b"Now")
	}
	/// `Identity::Doctors(who)`.
	pub fn doctor(who: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Identity", b"Doctors"), blake2_128_concat(who)].concat()
	}
	/// `Identity::Patients(who)`.
	pub fn patient(who: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Identity", b"Patients"), blake2_128_concat(who)].concat()
	}
	/// The prefix of every `Consent::Grants(patient, _)`.
	pub fn grants_of(patient: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Consent", b"Grants"), blake2_128_concat(patient)].concat()
	}
	/// `Consent::Grants(patient, grantee)`.
	pub fn grant(patient: &AccountId, grantee: &AccountId) -> Vec<u8> {
		[grants_of(patient), blake2_128_concat(grantee)].concat()
	}
	/// `Consent::GrantCount(patient)`.
	pub fn grant_count(patient: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Consent", b"GrantCount"), blake2_128_concat(patient)].concat()
	}
	/// `Records::Records(id)`.
	pub fn record(id: RecordId) -> Vec<u8> {
		[storage_prefix(b"Records", b"Records"), twox_64_concat(&id)].concat()
	}
	/// `Records::WrappedKeys(id, reader)`.
	pub fn wrapped_key(id: RecordId, reader: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Records", b"WrappedKeys"), twox_64_concat(&id), blake2_128_concat(reader)]
			.concat()
	}
	/// `Consent::TrailLength(patient)`.
	pub fn trail_length(patient: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Consent", b"TrailLength"), blake2_128_concat(patient)].concat()
	}
	/// `Consent::Trail(patient, index)`.
	pub fn trail(patient: &AccountId, index: u64) -> Vec<u8> {
		[storage_prefix(b"Consent", b"Trail"), blake2_128_concat(patient), twox_64_concat(&index)]
			.concat()
	}
	/// `Escrow::Committee`: the hospitals holding escrowed key shares, with their escrow keys.
	pub fn committee() -> Vec<u8> {
		storage_prefix(b"Escrow", b"Committee")
	}
	/// `Escrow::Threshold`: how many shares open a key.
	pub fn threshold() -> Vec<u8> {
		storage_prefix(b"Escrow", b"Threshold")
	}
	/// `Escrow::Epoch`: the committee's epoch.
	pub fn epoch() -> Vec<u8> {
		storage_prefix(b"Escrow", b"Epoch")
	}
	/// `Escrow::EmergencyCategories(patient)`.
	pub fn emergency_categories(patient: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Escrow", b"EmergencyCategories"), blake2_128_concat(patient)].concat()
	}
	/// The prefix of every `Messages::Inbox(recipient, _)`.
	pub fn inbox_of(recipient: &AccountId) -> Vec<u8> {
		[storage_prefix(b"Messages", b"Inbox"), blake2_128_concat(recipient)].concat()
	}
	/// `Messages::Inbox(recipient, id)`.
	pub fn inbox(recipient: &AccountId, id: MessageId) -> Vec<u8> {
		[inbox_of(recipient), twox_64_concat(&id)].concat()
	}
	/// `Appointments::Slots(id)`.
	pub fn slot(id: u64) -> Vec<u8> {
		[storage_prefix(b"Appointments", b"Slots"), twox_64_concat(&id)].concat()
	}
	/// `Appointments::Appointments(id)`.
	pub fn appointment(id: u64) -> Vec<u8> {
		[storage_prefix(b"Appointments", b"Appointments"), twox_64_concat(&id)].concat()
	}
	/// `Escrow::EscrowedBy(record)`.
	pub fn escrowed_by(record: RecordId) -> Vec<u8> {
		[storage_prefix(b"Escrow", b"EscrowedBy"), twox_64_concat(&record)].concat()
	}
	/// `Escrow::EscrowedShares(record, member)`.
	pub fn escrowed_share(record: RecordId, member: &AccountId) -> Vec<u8> {
		[
			storage_prefix(b"Escrow", b"EscrowedShares"),
			twox_64_concat(&record),
			blake2_128_concat(member),
		]
		.concat()
	}
	/// Where a doctor's and a patient's encryption keys are stored.
	pub fn encryption_key(who: &AccountId) -> Vec<Vec<u8>> {
		vec![doctor(who), patient(who)]
	}
}

/// Checks `proof` for `keys` against `state_root`: the values are the chain's, whatever the node
/// is.
pub fn check_read_proof(
	state_root: &Hash,
	proof: Vec<Vec<u8>>,
	keys: &[Vec<u8>],
) -> Result<Values, FinalityError> {
	let db = sp_trie::StorageProof::new(proof).into_memory_db::<sp_core::Blake2Hasher>();
	let mut values = Values::new();
	for key in keys {
		let value = sp_trie::read_trie_value::<sp_trie::LayoutV1<sp_core::Blake2Hasher>, _>(
			&db, state_root, key, None, None,
		)
		.map_err(|e| FinalityError::BadProof(format!("for key 0x{}: {e:?}", hex::encode(key))))?;
		values.insert(key.clone(), value);
	}
	Ok(values)
}

/// The value at `key` decoded as `T` (`None`: absent).
pub fn decode<T: Decode>(
	what: &str,
	values: &Values,
	key: &[u8],
) -> Result<Option<T>, FinalityError> {
	decode_value(what, values.get(key))
}

/// A proven value (as [`Values`] holds it, `None` if not asked for) decoded as `T` (`None`:
/// absent).
pub fn decode_value<T: Decode>(
	what: &str,
	value: Option<&Option<Vec<u8>>>,
) -> Result<Option<T>, FinalityError> {
	match value.cloned().flatten() {
		None => Ok(None),
		Some(bytes) => T::decode(&mut &bytes[..])
			.map(Some)
			.map_err(|_| FinalityError::BadProof(format!("the proven {what} does not decode"))),
	}
}

/// The map keys the node listed under `prefix` (at most `max`, else `too_many`), each decoded
/// from what follows the prefix and a hash of `hash_len` bytes, and kept only if `key_of` gives
/// the listed key back: a key of another map, another owner, or with trailing bytes is refused
/// (`not_ours`).
fn listed<K: Decode>(
	listed: &[Vec<u8>],
	max: u32,
	too_many: &str,
	prefix: &[u8],
	hash_len: usize,
	key_of: impl Fn(&K) -> Vec<u8>,
	not_ours: &str,
) -> Result<Vec<K>, FinalityError> {
	if listed.len() > max as usize {
		return Err(FinalityError::BadProof(format!("the node lists {} {too_many}", listed.len())));
	}
	listed
		.iter()
		.map(|key| {
			key.get(prefix.len() + hash_len..)
				.and_then(|mut raw| K::decode(&mut raw).ok())
				.filter(|item| key_of(item) == *key)
				.ok_or_else(|| FinalityError::BadProof(not_ours.into()))
		})
		.collect()
}
/// The proven `Timestamp::Now` (milliseconds since the Unix epoch; 0 at genesis).
pub fn now(values: &Values) -> Result<Moment, FinalityError> {
	Ok(decode::<Moment>("time", values, &keys::now())?.unwrap_or_default())
}

/// The encryption key of `who` (read at [`keys::encryption_key`]): the doctor's if `who` is a
/// doctor with a key, else the patient's.
pub fn encryption_key(
	who: &AccountId,
	values: &Values,
) -> Result<Option<EncryptionKey>, FinalityError> {
	// The runtime's rule (`Identities::encryption_key`): a doctor's key, else the patient's.
	if let Some(key) =
		decode::<Doctor>("doctor", values, &keys::doctor(who))?.and_then(|d| d.encryption_key)
	{
		return Ok(Some(key));
	}
	Ok(decode::<Patient>("patient", values, &keys::patient(who))?.map(|p| p.encryption_key))
}

/// The doctor `who` as stored (read at [`keys::doctor`]).
pub fn doctor(who: &AccountId, values: &Values) -> Result<Option<Doctor>, FinalityError> {
	decode::<Doctor>("doctor", values, &keys::doctor(who))
}

/// The escrow committee and what a patient made openable in an emergency: the keys a record's
/// content key is split for. A node that answered a committee of its own would receive the
/// shares, so these are proven before anything is escrowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escrow {
	/// Each committee hospital and its X25519 escrow key.
	pub committee: Vec<(AccountId, EncryptionKey)>,
	/// How many shares open a key.
	pub threshold: u8,
	/// The committee's epoch.
	pub epoch: u32,
	/// The categories the patient made openable.
	pub openable: Vec<RecordCategory>,
}

/// The keys [`escrow`] needs proven for `patient`.
pub fn escrow_keys(patient: &AccountId) -> Vec<Vec<u8>> {
	vec![keys::committee(), keys::threshold(), keys::epoch(), keys::emergency_categories(patient)]
}

/// The escrow committee and `patient`'s openable categories, proven.
pub fn escrow(patient: &AccountId, values: &Values) -> Result<Escrow, FinalityError> {
	Ok(Escrow {
		committee: decode("escrow committee", values, &keys::committee())?.unwrap_or_default(),
		threshold: decode("escrow threshold", values, &keys::threshold())?.unwrap_or_default(),
		epoch: decode("escrow epoch", values, &keys::epoch())?.unwrap_or_default(),
		openable: decode("emergency categories", values, &keys::emergency_categories(patient))?
			.unwrap_or_default(),
	})
}

/// Who escrowed record `record`'s key, and the committee epoch of `member`'s share (read at
/// [`keys::escrowed_by`] and [`keys::escrowed_share`]).
pub fn escrowed(
	record: RecordId,
	member: &AccountId,
	values: &Values,
) -> Result<(Option<AccountId>, Option<u32>), FinalityError> {
	let by = decode::<AccountId>("escrow author", values, &keys::escrowed_by(record))?;
	let share =
		decode::<(u32, [u8; 81])>("escrowed share", values, &keys::escrowed_share(record, member))?;
	Ok((by, share.map(|(epoch, _)| epoch)))
}

/// The doctor of slot `id` (read at [`keys::slot`]).
pub fn slot_doctor(id: u64, values: &Values) -> Result<Option<AccountId>, FinalityError> {
	Ok(decode::<ehr_primitives::Slot<AccountId>>("slot", values, &keys::slot(id))?
		.map(|s| s.doctor))
}

/// Appointment `id` as stored (read at [`keys::appointment`]): its reason and history decode as
/// plain vectors, as the bounded ones are encoded.
pub fn appointment(
	id: u64,
	values: &Values,
) -> Result<
	Option<
		ehr_primitives::Appointment<
			AccountId,
			Vec<u8>,
			Vec<ehr_primitives::HistoryEntry<AccountId>>,
		>,
	>,
	FinalityError,
> {
	decode("appointment", values, &keys::appointment(id))
}

/// `patient`'s grant to `grantee` as stored (read at [`keys::grant`]).
pub fn grant(
	patient: &AccountId,
	grantee: &AccountId,
	values: &Values,
) -> Result<Option<StoredGrant>, FinalityError> {
	decode::<StoredGrant>("grant", values, &keys::grant(patient, grantee))
}

/// The ids of the messages the node listed under [`keys::inbox_of`] for `recipient` (at most
/// `max`), each key checked to be this recipient's. The list itself is the node's: a message
/// it leaves out is not shown (as any node can withhold); one it lists is then proven.
pub fn listed_messages(
	recipient: &AccountId,
	listed_keys: &[Vec<u8>],
	max: u32,
) -> Result<Vec<MessageId>, FinalityError> {
	listed(
		listed_keys,
		max,
		&format!("messages; an inbox holds at most {max}"),
		&keys::inbox_of(recipient),
		8,
		|id| keys::inbox(recipient, *id),
		"a listed message is not of this inbox",
	)
}

/// Message `id` of `recipient`'s inbox as stored, proven (read at [`keys::inbox`]).
pub fn message(
	recipient: &AccountId,
	id: MessageId,
	values: &Values,
) -> Result<Option<StoredMessage>, FinalityError> {
	decode::<StoredMessage>("message", values, &keys::inbox(recipient, id))
}

/// The grantees of the keys the node listed under [`keys::grants_of`], each checked to be a
/// grant of `patient` (at most `max_grants`, the runtime's `MaxGrantsPerPatient`). Whether the
/// node listed them all is checked by [`readers`] against the proven count.
pub fn listed_grantees(
	patient: &AccountId,
	listed_keys: &[Vec<u8>],
	max_grants: u32,
) -> Result<Vec<AccountId>, FinalityError> {
	let mut grantees = listed(
		listed_keys,
		max_grants,
		&format!("grants; a patient has at most {max_grants}"),
		&keys::grants_of(patient),
		16,
		|grantee| keys::grant(patient, grantee),
		"a listed grant key is not a grant of this patient",
	)?;
	// Listed twice, counted once (the proven count then catches a missing one).
	let mut seen = alloc::collections::BTreeSet::new();
	grantees.retain(|grantee| seen.insert(grantee.clone()));
	Ok(grantees)
}

/// The keys [`readers`] needs proven: the grant count, the time, the patient's key, and each
/// grant with its grantee's key.
pub fn readers_keys(patient: &AccountId, grantees: &[AccountId]) -> Vec<Vec<u8>> {
	let mut wanted = vec![keys::grant_count(patient), keys::now()];
	wanted.extend(keys::encryption_key(patient));
	for grantee in grantees {
		wanted.push(keys::grant(patient, grantee));
		wanted.extend(keys::encryption_key(grantee));
	}
	wanted
}

/// The accounts a new record of `category` of `patient` is wrapped for, with their keys: the
/// patient, and every grantee whose grant covers it now, who has a key and is not a suspended
/// doctor (the runtime's `is_reader`). `None`: `patient` is not a registered patient. Refuses a listing that leaves out a grant the state counts.
pub fn readers(
	patient: &AccountId,
	category: RecordCategory,
	grantees: &[AccountId],
	values: &Values,
) -> Result<Option<Vec<(AccountId, EncryptionKey)>>, FinalityError> {
	let count =
		decode::<u32>("grant count", values, &keys::grant_count(patient))?.unwrap_or_default();
	let now = now(values)?;
	let Some(patient_key) =
		decode::<Patient>("patient", values, &keys::patient(patient))?.map(|p| p.encryption_key)
	else {
		return Ok(None);
	};
	let mut readers = vec![(patient.clone(), patient_key)];
	let mut proven = 0u32;
	for grantee in grantees {
		let Some(grant) = decode::<StoredGrant>("grant", values, &keys::grant(patient, grantee))?
		else {
			return Err(FinalityError::BadProof(format!(
				"the node lists a grant to 0x{} that the state does not hold",
				hex::encode(grantee)
			)));
		};
		proven += 1;
		// The runtime's `is_reader`: a doctor must be active (a suspended one is refused).
		let suspended = decode::<Doctor>("doctor", values, &keys::doctor(grantee))?
			.is_some_and(|doctor| doctor.status != ehr_primitives::DoctorStatus::Active);
		if grant.allows(category, AccessLevel::Read, now) && !suspended {
			if let Some(key) = encryption_key(grantee, values)? {
				readers.push((grantee.clone(), key));
			}
		}
	}
	if proven != count {
		return Err(FinalityError::Hidden(format!(
			"the patient has {count} grants and the node listed {proven}"
		)));
	}
	Ok(Some(readers))
}

/// The keys [`record`] needs proven.
pub fn record_keys(id: RecordId, reader: Option<&AccountId>) -> Vec<Vec<u8>> {
	let mut wanted = vec![keys::record(id)];
	wanted.extend(reader.map(|reader| keys::wrapped_key(id, reader)));
	wanted
}

/// A record as stored, and the content key wrapped for one reader (if asked and held).
pub type ProvenRecord = (StoredRecord, Option<Vec<u8>>);

/// Record `id` as stored, and the content key wrapped for `reader` if given.
pub fn record(
	id: RecordId,
	reader: Option<&AccountId>,
	values: &Values,
) -> Result<Option<ProvenRecord>, FinalityError> {
	let Some(record) = decode::<StoredRecord>("record", values, &keys::record(id))? else {
		return Ok(None);
	};
	let wrapped = match reader {
		Some(reader) => decode::<Vec<u8>>("wrapped key", values, &keys::wrapped_key(id, reader))?,
		None => None,
	};
	Ok(Some((record, wrapped)))
}
