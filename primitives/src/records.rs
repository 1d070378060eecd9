//! Record types shared by the records pallet, the runtime API and the node's RPC.

use crate::{Moment, RecordCategory, RecordId};
use alloc::vec::Vec;
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A SHA-256 digest.
pub type ContentHash = [u8; 32];

/// Pointer to one version of an encrypted record on IPFS. The chain holds no medical content.
///
/// `Cid` is a bounded byte vector in storage and a plain `Vec<u8>` in runtime API answers.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Record<AccountId, BlockNumber, Cid> {
	/// Whose record it is.
	pub patient: AccountId,
	/// Who added it: the patient, or a doctor with write consent.
	pub author: AccountId,
	/// What kind of record.
	pub category: RecordCategory,
	/// The binary CIDv1 of the encrypted file; empty once erased.
	pub cid: Cid,
	/// The envelope's commitment (`ehr-envelope/2`: keyed BLAKE3 of the stored file under a key
	/// derived from the content key, which only key holders can check; SHA-256 of the plaintext for version 1
	/// envelopes), kept after erasure for the trail.
	pub content_hash: ContentHash,
	/// Size of the encrypted file, in bytes.
	pub size: u64,
	/// When it was added (milliseconds since the Unix epoch).
	pub created_at: Moment,
	/// The block that added it.
	pub created_in: BlockNumber,
	/// 1 for a new record, one more for each amendment.
	pub version: u32,
	/// The version this one amends.
	pub supersedes: Option<RecordId>,
	/// The version that amends this one.
	pub superseded_by: Option<RecordId>,
	/// How many readers hold a wrapped content key.
	pub key_count: u32,
	/// Erased by the patient: keys deleted, only this tombstone is left.
	pub erased: bool,
}

impl<AccountId, BlockNumber, Cid> Record<AccountId, BlockNumber, Cid> {
	/// The same record with its CID converted, e.g. from the stored bounded form.
	pub fn map_cid<Other>(
		self,
		convert: impl FnOnce(Cid) -> Other,
	) -> Record<AccountId, BlockNumber, Other> {
		Record {
			patient: self.patient,
			author: self.author,
			category: self.category,
			cid: convert(self.cid),
			content_hash: self.content_hash,
			size: self.size,
			created_at: self.created_at,
			created_in: self.created_in,
			version: self.version,
			supersedes: self.supersedes,
			superseded_by: self.superseded_by,
			key_count: self.key_count,
			erased: self.erased,
		}
	}
}

/// A record as the runtime API returns it: with its id and, when asked for a reader, the
/// content key wrapped for that reader.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct RecordEntry<AccountId, BlockNumber> {
	/// The record's id.
	pub id: RecordId,
	/// The record.
	pub record: Record<AccountId, BlockNumber, Vec<u8>>,
	/// The reader's wrapped content key, if one was asked for and exists.
	pub wrapped_key: Option<Vec<u8>>,
}

sp_api::decl_runtime_apis! {
	/// The queries of the records pallet.
	pub trait RecordsApi<AccountId, BlockNumber>
	where
		AccountId: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// The records of `patient` (all versions, no erased ones), of `category` if given,
		/// oldest first.
		fn patient_records(
			patient: AccountId,
			category: Option<RecordCategory>,
		) -> Vec<RecordEntry<AccountId, BlockNumber>>;
		/// The records that `reader` holds a wrapped key for (of `patient` if given), with that key.
		fn reader_records(
			reader: AccountId,
			patient: Option<AccountId>,
		) -> Vec<RecordEntry<AccountId, BlockNumber>>;
		/// One record, with the key wrapped for `reader` if given.
		fn record(id: RecordId, reader: Option<AccountId>) -> Option<RecordEntry<AccountId, BlockNumber>>;
		/// Every version of the record that `id` belongs to, oldest first.
		fn record_versions(id: RecordId) -> Vec<RecordEntry<AccountId, BlockNumber>>;
	}
}
