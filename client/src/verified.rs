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
//! The keys, the proof checks and the decoding are `ehr_verify::state`'s, shared with the web
//! app. What is proven, from the storage layout the client compiles in:
//! - a reader's encryption key: `Identity::Doctors(who)`, else `Identity::Patients(who)`;
//! - the readers of a new record: every key under `Consent::Grants(patient, _)` (enumerated
//!   with `state_getKeysPaged`, then proven one by one, and their number checked against the
//!   proven `Consent::GrantCount(patient)`, so a grant cannot be hidden either), each grantee's
//!   key, and the verified block's `Timestamp::Now` for expiry;
//! - a record to decrypt: `Records::Records(id)` and `Records::WrappedKeys(id, reader)`.

use std::collections::BTreeMap;

use codec::Decode;
use ehr_primitives::{Moment, RecordCategory, RecordId};
use ehr_runtime::{Header, Runtime};
use ehr_verify::state as proven;
use jsonrpsee::rpc_params;
use sp_core::bytes::{from_hex, to_hex};
use sp_runtime::AccountId32 as AccountId;

use crate::{
	chain::Chain,
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

/// The value at `key` of `values`, decoded as `T` ([`ehr_verify::state::decode_value`]).
pub(crate) fn decode<T: Decode>(
	what: &str,
	bytes: Option<&Option<Vec<u8>>>,
) -> Result<Option<T>, Error> {
	Ok(proven::decode_value(what, bytes)?)
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
		let values = self.read(&[proven::keys::now()]).await?;
		Ok(proven::now(&values)?)
	}

	/// The X25519 key of a doctor or patient.
	pub async fn encryption_key(&self, who: &AccountId) -> Result<Option<[u8; 32]>, Error> {
		let values = self.read(&proven::keys::encryption_key(who)).await?;
		Ok(proven::encryption_key(who, &values)?)
	}

	/// The accounts a new record of `category` of `patient` is wrapped for, with their keys:
	/// the patient, and every grantee whose grant covers it now and who has a key.
	pub async fn readers(
		&self,
		patient: &AccountId,
		category: RecordCategory,
	) -> Result<Vec<(AccountId, [u8; 32])>, Error> {
		// The grantees, as the node lists them; each is then proven, and so is their number.
		let max = <<Runtime as pallet_ehr_consent::Config>::MaxGrantsPerPatient as sp_runtime::traits::Get<u32>>::get();
		let listed: Vec<String> = self
			.chain
			.request(
				"state_getKeysPaged",
				rpc_params![
					to_hex(&proven::keys::grants_of(patient), false),
					max + 1,
					Option::<String>::None,
					self.header.hash()
				],
			)
			.await?;
		let listed = listed
			.iter()
			.map(|key| from_hex(key))
			.collect::<Result<Vec<_>, _>>()
			.map_err(|_| FinalityError::BadProof("a listed key is not hex".into()))?;
		let grantees = proven::listed_grantees(patient, &listed, max)?;
		let values = self.read(&proven::readers_keys(patient, &grantees)).await?;
		proven::readers(patient, category, &grantees, &values)?
			.ok_or_else(|| crate::not_a_patient(patient))
	}

	/// Record `id` as stored, and the content key wrapped for `reader` if given.
	pub async fn record(
		&self,
		id: RecordId,
		reader: Option<&AccountId>,
	) -> Result<Option<(StoredRecord, Option<Vec<u8>>)>, Error> {
		let keys = proven::record_keys(id, reader);
		let values = self.read(&keys).await?;
		// Decoded with the runtime's own (bounded) type, which the shared one must equal.
		let Some(record) = decode::<StoredRecord>("record", values.get(&keys[0]))? else {
			return Ok(None);
		};
		let wrapped = proven::record(id, reader, &values)?.and_then(|(_, wrapped)| wrapped);
		Ok(Some((record, wrapped)))
	}
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

#[cfg(test)]
mod tests {
	use super::*;
	use sp_keyring::Sr25519Keyring::{Alice, Bob};

	/// The keys the shared crate (and so the web app) computes are the runtime's own; a change of
	/// layout in a pallet fails here, not in the field.
	#[test]
	fn the_shared_storage_keys_are_the_runtimes() {
		let (a, b) = (Alice.to_account_id(), Bob.to_account_id());
		use proven::keys;
		assert_eq!(keys::doctor(&a), pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(&a));
		assert_eq!(keys::patient(&a), pallet_ehr_identity::Patients::<Runtime>::hashed_key_for(&a));
		assert_eq!(
			keys::grant(&a, &b),
			pallet_ehr_consent::Grants::<Runtime>::hashed_key_for(&a, &b)
		);
		assert!(keys::grant(&a, &b).starts_with(&keys::grants_of(&a)));
		assert_eq!(
			keys::grant_count(&a),
			pallet_ehr_consent::GrantCount::<Runtime>::hashed_key_for(&a)
		);
		assert_eq!(keys::record(7), pallet_ehr_records::Records::<Runtime>::hashed_key_for(7));
		assert_eq!(
			keys::wrapped_key(7, &b),
			pallet_ehr_records::WrappedKeys::<Runtime>::hashed_key_for(7, &b)
		);
		assert_eq!(
			keys::trail_length(&a),
			pallet_ehr_consent::TrailLength::<Runtime>::hashed_key_for(&a)
		);
		assert_eq!(keys::trail(&a, 9), pallet_ehr_consent::Trail::<Runtime>::hashed_key_for(&a, 9));
		assert_eq!(keys::now(), pallet_timestamp::Now::<Runtime>::hashed_key());
		assert_eq!(
			keys::inbox(&a, 5),
			pallet_ehr_messages::Inbox::<Runtime>::hashed_key_for(&a, 5)
		);
		assert_eq!(keys::slot(3), pallet_ehr_appointments::Slots::<Runtime>::hashed_key_for(3));
		assert_eq!(
			keys::escrowed_by(3),
			pallet_ehr_escrow::EscrowedBy::<Runtime>::hashed_key_for(3)
		);
		assert_eq!(
			keys::escrowed_share(3, &b),
			pallet_ehr_escrow::EscrowedShares::<Runtime>::hashed_key_for(3, &b)
		);
		assert_eq!(keys::committee(), pallet_ehr_escrow::Committee::<Runtime>::hashed_key());
		assert_eq!(keys::threshold(), pallet_ehr_escrow::Threshold::<Runtime>::hashed_key());
		assert_eq!(keys::epoch(), pallet_ehr_escrow::Epoch::<Runtime>::hashed_key());
		assert_eq!(
			keys::emergency_categories(&a),
			pallet_ehr_escrow::EmergencyCategories::<Runtime>::hashed_key_for(&a)
		);
		assert_eq!(
			ehr_verify::state::storage_prefix(b"Grandpa", b"Authorities"),
			pallet_grandpa::Authorities::<Runtime>::hashed_key().to_vec()
		);
	}

	/// The shared crate decodes what the runtime stores, with the runtime's bounded types.
	#[test]
	fn the_shared_types_decode_the_stored_values() {
		use codec::Encode;
		let record = StoredRecord {
			patient: Alice.to_account_id(),
			author: Bob.to_account_id(),
			category: RecordCategory::LabReport,
			cid: vec![1, 2, 3].try_into().unwrap(),
			content_hash: [9; 32],
			size: 42,
			created_at: 5,
			created_in: 6,
			version: 2,
			supersedes: Some(1),
			superseded_by: None,
			key_count: 3,
			erased: false,
		};
		let shared = proven::StoredRecord::decode(&mut &record.encode()[..]).unwrap();
		assert_eq!(
			shared.clone().map_cid(|cid| cid),
			record.clone().map_cid(|cid| cid.into_inner())
		);
		assert_eq!(shared.encode(), record.encode());
	}
}
