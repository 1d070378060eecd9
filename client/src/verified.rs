//! The reads the client acts on, checked against a block whose finality it verified.
//!
//! Wrapping a content key for a reader and decrypting a record are the two moments a lying
//! node could turn into a leak or a forgery: swap a doctor's encryption key for its own and
//! every new record is readable by the node; serve another record's CID, commitment or wrapped
//! key and the reader opens what the node chose. So with a chain spec ([`crate::finality`]),
//! those values are never taken from an RPC answer: they are read with storage proofs against
//! the state root of the newest block the client verified final ([`VerifiedState`]). The node
//! can still withhold (answer nothing, or prove an old block), which the client reports; it
//! cannot substitute.
//!
//! What is proven, from the storage layout the client compiles in:
//! - a reader's encryption key: `Identity::Doctors(who)`, else `Identity::Patients(who)`;
//! - the readers of a new record: every key under `Consent::Grants(patient, _)` (enumerated
//!   with `state_getKeysPaged`, then proven one by one, and their number checked against the
//!   proven `Consent::GrantCount(patient)`, so a grant cannot be hidden either), each grantee's
//!   key, and the verified block's `Timestamp::Now` for expiry;
//! - a record to decrypt: `Records::Records(id)` and `Records::WrappedKeys(id, reader)`.

use std::collections::BTreeMap;

use codec::Decode;
use ehr_primitives::{AccessLevel, Moment, RecordCategory, RecordId};
use ehr_runtime::{Header, Runtime};
use jsonrpsee::rpc_params;
use sp_core::bytes::{from_hex, to_hex};
use sp_runtime::AccountId32 as AccountId;

use crate::{
	chain::{now_key, Chain},
	finality::{read_verified, FinalityError},
	Error,
};

/// A record as stored, with the key wrapped for one reader.
pub type StoredRecord = pallet_ehr_records::RecordOf<Runtime>;

/// Reads at a verified header, each with a storage proof.
pub struct VerifiedState<'a> {
	chain: &'a Chain,
	header: Header,
}

fn not_verified(what: String) -> Error {
	Error::Finality(FinalityError::BadProof(what))
}

pub(crate) fn decode<T: Decode>(
	what: &str,
	bytes: Option<&Option<Vec<u8>>>,
) -> Result<Option<T>, Error> {
	match bytes.cloned().flatten() {
		None => Ok(None),
		Some(bytes) => T::decode(&mut &bytes[..])
			.map(Some)
			.map_err(|_| not_verified(format!("the proven {what} does not decode"))),
	}
}

impl<'a> VerifiedState<'a> {
	/// Reads of `chain` at `header`, which the caller verified final.
	pub fn new(chain: &'a Chain, header: Header) -> Self {
		VerifiedState { chain, header }
	}

	/// The verified header.
	pub fn header(&self) -> &Header {
		&self.header
	}

	/// The values at `keys`, proven.
	pub async fn read(
		&self,
		keys: &[Vec<u8>],
	) -> Result<BTreeMap<Vec<u8>, Option<Vec<u8>>>, Error> {
		read_verified(self.chain, &self.header, keys).await
	}

	/// The verified block's time (milliseconds since the Unix epoch).
	pub async fn now(&self) -> Result<Moment, Error> {
		let key = now_key();
		let values = self.read(std::slice::from_ref(&key)).await?;
		Ok(decode::<Moment>("time", values.get(&key))?.unwrap_or_default())
	}

	/// The X25519 key of a doctor or patient.
	pub async fn encryption_key(&self, who: &AccountId) -> Result<Option<[u8; 32]>, Error> {
		let keys = key_lookup(who);
		let values = self.read(&keys).await?;
		key_from(&keys, &values)
	}

	/// The accounts a new record of `category` of `patient` is wrapped for, with their keys:
	/// the patient, and every grantee whose grant covers it now and who has a key.
	pub async fn readers(
		&self,
		patient: &AccountId,
		category: RecordCategory,
	) -> Result<Vec<(AccountId, [u8; 32])>, Error> {
		// The grantees, as the node lists them; each is then proven, and so is their number.
		let any = pallet_ehr_consent::Grants::<Runtime>::hashed_key_for(patient, patient);
		let prefix = &any[..any.len() - (16 + 32)];
		let limit = <<Runtime as pallet_ehr_consent::Config>::MaxGrantsPerPatient as sp_runtime::traits::Get<u32>>::get() + 1;
		let listed: Vec<String> = self
			.chain
			.request(
				"state_getKeysPaged",
				rpc_params![
					to_hex(prefix, false),
					limit,
					Option::<String>::None,
					self.header.hash()
				],
			)
			.await?;
		if listed.len() > limit as usize {
			return Err(not_verified(format!(
				"the node lists {} grants; a patient has at most {}",
				listed.len(),
				limit - 1
			)));
		}
		let mut grantees: Vec<AccountId> = Vec::with_capacity(listed.len());
		for key in listed {
			let key = from_hex(&key).map_err(|_| not_verified("a listed key is not hex".into()))?;
			let grantee = key
				.get(prefix.len() + 16..)
				.and_then(|mut raw| AccountId::decode(&mut raw).ok())
				.ok_or_else(|| not_verified("a listed grant key is malformed".into()))?;
			if pallet_ehr_consent::Grants::<Runtime>::hashed_key_for(patient, &grantee) != key {
				return Err(not_verified(
					"a listed grant key is not a grant of this patient".into(),
				));
			}
			if !grantees.contains(&grantee) {
				grantees.push(grantee);
			}
		}

		let count_key = pallet_ehr_consent::GrantCount::<Runtime>::hashed_key_for(patient);
		let mut keys = vec![count_key.clone(), now_key()];
		keys.extend(key_lookup(patient));
		for grantee in &grantees {
			keys.push(pallet_ehr_consent::Grants::<Runtime>::hashed_key_for(patient, grantee));
			keys.extend(key_lookup(grantee));
		}
		let values = self.read(&keys).await?;

		let count = decode::<u32>("grant count", values.get(&count_key))?.unwrap_or_default();
		let now = decode::<Moment>("time", values.get(&now_key()))?.unwrap_or_default();
		let patient_key = key_from(&key_lookup(patient), &values)?
			.ok_or_else(|| crate::not_a_patient(patient))?;
		let mut readers = vec![(patient.clone(), patient_key)];
		let mut proven = 0u32;
		for grantee in grantees {
			let grant_key =
				pallet_ehr_consent::Grants::<Runtime>::hashed_key_for(patient, &grantee);
			let Some(grant) =
				decode::<pallet_ehr_consent::GrantOf<Runtime>>("grant", values.get(&grant_key))?
			else {
				return Err(not_verified(format!(
					"the node lists a grant to {grantee} that the state does not hold"
				)));
			};
			proven += 1;
			if grant.allows(category, AccessLevel::Read, now) {
				if let Some(key) = key_from(&key_lookup(&grantee), &values)? {
					readers.push((grantee, key));
				}
			}
		}
		if proven != count {
			return Err(Error::Finality(FinalityError::Hidden(format!(
				"the patient has {count} grants and the node listed {proven}"
			))));
		}
		Ok(readers)
	}

	/// Record `id` as stored, and the content key wrapped for `reader` if given.
	pub async fn record(
		&self,
		id: RecordId,
		reader: Option<&AccountId>,
	) -> Result<Option<(StoredRecord, Option<Vec<u8>>)>, Error> {
		let record_key = pallet_ehr_records::Records::<Runtime>::hashed_key_for(id);
		let wrapped_key = reader
			.map(|reader| pallet_ehr_records::WrappedKeys::<Runtime>::hashed_key_for(id, reader));
		let mut keys = vec![record_key.clone()];
		keys.extend(wrapped_key.clone());
		let values = self.read(&keys).await?;
		let Some(record) = decode::<StoredRecord>("record", values.get(&record_key))? else {
			return Ok(None);
		};
		let wrapped = match &wrapped_key {
			Some(key) => {
				decode::<pallet_ehr_records::WrappedKeyOf<Runtime>>("wrapped key", values.get(key))?
			}
			None => None,
		};
		Ok(Some((record, wrapped.map(|key| key.into_inner()))))
	}
}

/// Where a doctor's and a patient's encryption keys are stored.
fn key_lookup(who: &AccountId) -> [Vec<u8>; 2] {
	[
		pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(who),
		pallet_ehr_identity::Patients::<Runtime>::hashed_key_for(who),
	]
}

/// The doctor's key if `who` is a doctor, else the patient's.
fn key_from(
	keys: &[Vec<u8>; 2],
	values: &BTreeMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<Option<[u8; 32]>, Error> {
	if let Some(doctor) =
		decode::<pallet_ehr_identity::DoctorOf<Runtime>>("doctor", values.get(&keys[0]))?
	{
		return Ok(doctor.encryption_key);
	}
	Ok(decode::<pallet_ehr_identity::PatientOf<Runtime>>("patient", values.get(&keys[1]))?
		.map(|patient| patient.encryption_key))
}

/// The answer type for a record read from storage (with a proof), with its key for one reader.
pub fn record_info(
	id: RecordId,
	record: StoredRecord,
	wrapped_key: Option<Vec<u8>>,
) -> crate::RecordInfo {
	crate::RecordInfo {
		id,
		patient: record.patient,
		author: record.author,
		category: record.category,
		cid: sp_core::Bytes(record.cid.into_inner()),
		content_hash: sp_core::Bytes(record.content_hash.to_vec()),
		size: record.size,
		created_at: record.created_at,
		created_in: record.created_in,
		version: record.version,
		supersedes: record.supersedes,
		superseded_by: record.superseded_by,
		key_count: record.key_count,
		erased: record.erased,
		wrapped_key: wrapped_key.map(sp_core::Bytes),
	}
}
