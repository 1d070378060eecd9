//! # Records pallet
//!
//! The chain holds no medical content. A record is an encrypted file on IPFS; this pallet keeps
//! what points to it and who may open it:
//!
//! - [`Pallet::add_record`]: the patient, or a doctor with write consent for the category (a
//!   prescription, a lab report), adds a record: its binary CIDv1, the SHA-256 of the plaintext,
//!   its category, size and author, and the record's content key wrapped (X25519) for each reader.
//!   The patient's own wrapped key is required, so that every record stays readable by its owner.
//!   When the category is openable in an emergency, the same call carries the key's escrow
//!   shares for the hospitals' committee ([`Config::KeyEscrow`]): an upload is one transaction.
//! - [`Pallet::amend_record`]: a new version supersedes the latest one; older versions stay
//!   readable with their keys.
//! - [`Pallet::share_keys`]: anyone who can open a record (the patient, or a reader holding a key)
//!   wraps its key for a reader the patient has consented to. The patient's client sends it in
//!   one `utility.batch_all` with the grant, so consent and keys arrive together.
//! - Revocation and expiry: the consent pallet calls [`OnAccessEnded`] and the reader's keys to
//!   that patient's records are deleted (on expiry, a bounded number per block). Keys are only ever wrapped for accounts that hold a
//!   grant covering the record's category at that moment, so records added after a revocation
//!   are never wrapped for the revoked reader.
//! - [`Pallet::remove_key`]: the patient takes one reader's key off one record.
//! - [`Pallet::erase_record`]: the right to erasure. Every version's keys are deleted and its CID
//!   forgotten; a tombstone with the content hash stays for the trail, and a [`Event::RecordErased`]
//!   per version tells pinning services to unpin.
//!
//! Every addition, amendment, key share, key removal and erasure is written to the patient's audit
//! trail through [`ConsentProvider`].
//!
//! Wrapped keys go only to readers with an encryption key (doctors and patients): a grant to a
//! hospital authorizes its doctors for consent checks and writing, while reading needs a key
//! wrapped for the doctor.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use alloc::vec::Vec;
use ehr_primitives::{
	cid, AccessLevel, AuditEvent, ConsentProvider, ContentHash, Identities, Moment, OnAccessEnded,
	OnDoctorSuspended, OnRecordErased, Record, RecordCategory, RecordEntry, RecordId,
	RecordKeyEscrow, RecordLookup, ShareStanza,
};
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::*;

pub use pallet::*;
pub use weights::WeightInfo;

/// A record stored for `T`.
pub type RecordOf<T> = Record<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	BoundedVec<u8, <T as Config>::MaxCidLength>,
>;
/// A wrapped content key stored for `T`.
pub type WrappedKeyOf<T> = BoundedVec<u8, <T as Config>::MaxWrappedKeyLength>;
/// A CID as calls carry it: bounded when the call is decoded.
pub type CidOf<T> = BoundedVec<u8, <T as Config>::MaxCidLength>;
/// The keys of a new version: each reader with the content key wrapped for it.
pub type ReaderKeysOf<T> = BoundedVec<
	(<T as frame_system::Config>::AccountId, WrappedKeyOf<T>),
	<T as Config>::MaxReadersPerRecord,
>;
/// The keys `share_keys` carries: each record with its content key wrapped for the reader.
pub type SharedKeysOf<T> = BoundedVec<(RecordId, WrappedKeyOf<T>), <T as Config>::MaxKeysPerShare>;
/// The escrow of a new version's content key that travels with it: the committee's epoch and one
/// share for each committee hospital (as the escrow pallet's `escrow_key` takes them).
pub type KeyEscrowOf<T> = (
	u32,
	BoundedVec<
		(<T as frame_system::Config>::AccountId, ShareStanza),
		<<T as Config>::KeyEscrow as RecordKeyEscrow<<T as frame_system::Config>::AccountId>>::MaxShares,
	>,
);
/// A record as the runtime API returns it.
pub type RecordEntryOf<T> = RecordEntry<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The storage layout's version: 0, as it has been since genesis (the pallet declared
	/// none until now, and an undeclared version reads as 0: no migration is due).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Defaults for [`Config`].
	pub mod config_preludes {
		use super::*;
		use frame_support::derive_impl;

		/// The limits the pallets' test runtimes share, small so that tests reach them; each
		/// test runtime names only who is who, consent, its clock (and its escrow, or a limit its
		/// tests need otherwise).
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			type MaxCidLength = ConstU32<64>;
			type MaxWrappedKeyLength = ConstU32<96>;
			type MaxReadersPerRecord = ConstU32<4>;
			type MaxRecordsPerPatient = ConstU32<6>;
			type MaxVersions = ConstU32<3>;
			type MaxKeysPerShare = ConstU32<6>;
			type OnErased = ();
			type KeyEscrow = ();
			type WeightInfo = ();
		}
	}

	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who is a patient, a delegate, and their encryption keys.
		#[pallet::no_default]
		type Identity: Identities<Self::AccountId>;

		/// Who may read and write what, and the audit trail.
		#[pallet::no_default]
		type Consent: ConsentProvider<Self::AccountId>;

		/// The block time (the runtime: `pallet_timestamp`).
		#[pallet::no_default]
		type Clock: Time<Moment = Moment>;

		/// Longest binary CID, in bytes.
		#[pallet::constant]
		type MaxCidLength: Get<u32>;

		/// Longest wrapped content key, in bytes.
		#[pallet::constant]
		type MaxWrappedKeyLength: Get<u32>;

		/// Most readers (the patient included) one record may be wrapped for.
		#[pallet::constant]
		type MaxReadersPerRecord: Get<u32>;

		/// Most records (every version counts, erased ones do not) one patient may have.
		#[pallet::constant]
		type MaxRecordsPerPatient: Get<u32>;

		/// Most versions of one record.
		#[pallet::constant]
		type MaxVersions: Get<u32>;

		/// Most keys one `share_keys` call carries.
		#[pallet::constant]
		type MaxKeysPerShare: Get<u32>;

		/// Told of every erased version (the escrow removes its shares).
		type OnErased: OnRecordErased;

		/// Escrows a new version's key when the call carries shares (the escrow pallet).
		type KeyEscrow: RecordKeyEscrow<Self::AccountId>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Creates identities and grants for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		#[pallet::no_default]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The id the next record gets.
	#[pallet::storage]
	pub type NextRecordId<T: Config> = StorageValue<_, RecordId, ValueQuery>;

	/// Every record (and tombstone), by id.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, RecordId, RecordOf<T>>;

	/// The records of each patient that are not erased.
	#[pallet::storage]
	pub type PatientRecords<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, RecordId, ()>;

	/// How many records each patient has in [`PatientRecords`].
	#[pallet::storage]
	pub type RecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The content key of each record wrapped for each reader.
	#[pallet::storage]
	pub type WrappedKeys<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RecordId,
		Blake2_128Concat,
		T::AccountId,
		WrappedKeyOf<T>,
	>;

	/// The records each reader holds a key for, by patient: what a revocation deletes.
	#[pallet::storage]
	pub type ReaderRecords<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, RecordId>,
		),
		(),
	>;

	/// Suspended doctors whose keys are still being removed, block by block, with the hospital
	/// that suspended them (the actor of the trail entries).
	#[pallet::storage]
	pub type ReadersToClear<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// Readers whose consent to a patient's records changed: their keys are checked against
	/// the consent they hold now, and those it no longer covers removed, block by block. The
	/// value is the last record checked (where to go on).
	#[pallet::storage]
	pub type KeysToReconcile<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		Option<RecordId>,
		ValueQuery,
	>;

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Removes the keys of suspended doctors, then keys that a narrowed consent no longer
		/// covers, within the block's spare weight.
		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let used = Pallet::<T>::clear_suspended_readers(remaining);
			used.saturating_add(Pallet::<T>::reconcile_keys(remaining.saturating_sub(used)))
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `author` added `record` of `category` for `patient`, stored at `cid`.
		RecordAdded {
			record: RecordId,
			patient: T::AccountId,
			author: T::AccountId,
			category: RecordCategory,
			cid: Vec<u8>,
		},
		/// `author` amended `record` with `new_version`, stored at `cid`.
		RecordAmended {
			record: RecordId,
			new_version: RecordId,
			author: T::AccountId,
			cid: Vec<u8>,
		},
		/// The content key of `record` was wrapped for `reader`.
		KeyShared { record: RecordId, reader: T::AccountId },
		/// The key of `reader` for `record` was removed by the patient.
		KeyRemoved { record: RecordId, reader: T::AccountId },
		/// `reader` lost consent: its `count` keys to records of `patient` were deleted.
		ReaderKeysRemoved { patient: T::AccountId, reader: T::AccountId, count: u32 },
		/// Keys of `reader` to records of `patient` that its changed (narrowed or revoked)
		/// consent no longer covers were removed: `count` in this block, `done` once every key
		/// was checked.
		OutOfConsentKeysRemoved {
			patient: T::AccountId,
			reader: T::AccountId,
			count: u32,
			done: bool,
		},
		/// A suspended doctor's keys were removed: `count` in this block, `done` once none is
		/// left.
		SuspendedReaderKeysRemoved { reader: T::AccountId, count: u32, done: bool },
		/// `record` was erased: storage services should unpin `cid`.
		RecordErased { record: RecordId, patient: T::AccountId, cid: Vec<u8> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The patient is not registered.
		NotPatient,
		/// The caller may not do this to this patient's records (no write consent, revoked,
		/// suspended, or someone else's record).
		NotAuthorized,
		/// The CID is longer than [`Config::MaxCidLength`]. (Kept so that error indices stay
		/// stable; calls are now bounded when decoded, so an oversized CID never dispatches.)
		CidTooLong,
		/// The CID is not a binary CIDv1.
		InvalidCid,
		/// The encrypted file is empty.
		EmptyRecord,
		/// More wrapped keys than [`Config::MaxReadersPerRecord`].
		TooManyKeys,
		/// A wrapped key is empty or longer than [`Config::MaxWrappedKeyLength`].
		InvalidWrappedKey,
		/// The same reader appears twice.
		DuplicateReader,
		/// The keys do not include one wrapped for the patient.
		MissingPatientKey,
		/// The reader has no consent covering this record's category now.
		NotAReader,
		/// The reader has no encryption key to wrap for.
		NoEncryptionKey,
		/// The patient has [`Config::MaxRecordsPerPatient`] records already.
		TooManyRecords,
		/// No record has this id.
		UnknownRecord,
		/// The record was erased.
		RecordErased,
		/// A newer version exists; amend that one.
		NotLatestVersion,
		/// The record has [`Config::MaxVersions`] versions already.
		TooManyVersions,
		/// The patient's own key cannot be removed.
		CannotRemovePatientKey,
		/// The reader holds no key for this record.
		NoSuchKey,
		/// The reader already holds a key for this record; only the reader itself may replace
		/// it (after rotating its encryption key).
		KeyAlreadyShared,
		/// Delegates manage consent only; erasing records and removing keys is the patient's.
		NotForDelegates,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add a record for `patient`.
		///
		/// Origin: signed by the patient, or by a doctor with current write consent for
		/// `category`.
		///
		/// - `cid`: the binary CIDv1 of the encrypted file (at most [`Config::MaxCidLength`]).
		/// - `content_hash`, `size`: the plaintext's commitment and the encrypted file's size.
		/// - `keys`: the content key wrapped for each reader, the patient included (at most
		///   [`Config::MaxReadersPerRecord`]); every reader must have consent covering
		///   `category` and an encryption key, no reader twice.
		/// - `escrow`: the content key's shares for the hospitals' escrow committee, when the
		///   category is openable in an emergency (see [`KeyEscrowOf`]): escrowed in this call,
		///   with the checks of the escrow pallet's `escrow_key` (the shares are wrapped with the
		///   record's patient, category, author and `content_hash`, so the record's number is not
		///   needed before). If they are refused, nothing of the call stays.
		///
		/// Emits [`Event::RecordAdded`] and trail entries (and the escrow's). Errors:
		/// `NotPatient`, `NotAuthorized`, `InvalidCid`, `EmptyRecord`, `MissingPatientKey`,
		/// `DuplicateReader`, `NotAReader`, `NoEncryptionKey`, `InvalidWrappedKey`,
		/// `TooManyRecords`, and the escrow pallet's errors of `escrow_key`.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::add_record(keys.len() as u32).saturating_add(Pallet::<T>::escrow_weight(escrow))
		)]
		pub fn add_record(
			origin: OriginFor<T>,
			patient: T::AccountId,
			category: RecordCategory,
			cid: CidOf<T>,
			content_hash: ContentHash,
			size: u64,
			keys: ReaderKeysOf<T>,
			escrow: Option<KeyEscrowOf<T>>,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			ensure!(T::Identity::is_patient(&patient), Error::<T>::NotPatient);
			ensure!(
				T::Consent::may_access(&author, &patient, category, AccessLevel::ReadWrite),
				Error::<T>::NotAuthorized
			);
			let record = Self::new_version(&patient, &author, category, cid, content_hash, size)?;
			let keys = Self::checked_keys(&patient, category, keys)?;
			let id = Self::insert(record, &keys)?;
			T::Consent::record(&patient, &author, AuditEvent::RecordAdded { record: id, category });
			Self::trail_key_shares(&patient, &author, id, &keys);
			let cid =
				Records::<T>::get(id).map(|record| record.cid.into_inner()).unwrap_or_default();
			Self::deposit_event(Event::RecordAdded {
				record: id,
				patient,
				author: author.clone(),
				category,
				cid,
			});
			Self::escrow_new(&author, id, escrow)
		}

		/// Amend `record` with a new version (same patient and category). The older versions and
		/// their keys stay.
		///
		/// Origin: signed by the patient, or by a doctor with current write consent for the
		/// record's category. Parameters as for [`Pallet::add_record`] (`escrow` for the new
		/// version's key). Emits [`Event::RecordAmended`] and trail entries. Errors: those of
		/// `add_record`, and `UnknownRecord`, `RecordErased`, `NotLatestVersion`,
		/// `TooManyVersions`.
		#[pallet::call_index(1)]
		#[pallet::weight(
			T::WeightInfo::amend_record(keys.len() as u32).saturating_add(Pallet::<T>::escrow_weight(escrow))
		)]
		pub fn amend_record(
			origin: OriginFor<T>,
			record: RecordId,
			cid: CidOf<T>,
			content_hash: ContentHash,
			size: u64,
			keys: ReaderKeysOf<T>,
			escrow: Option<KeyEscrowOf<T>>,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			let previous = Self::live_record(record)?;
			ensure!(previous.superseded_by.is_none(), Error::<T>::NotLatestVersion);
			let (patient, category) = (previous.patient.clone(), previous.category);
			ensure!(
				T::Consent::may_access(&author, &patient, category, AccessLevel::ReadWrite),
				Error::<T>::NotAuthorized
			);
			ensure!(previous.version < T::MaxVersions::get(), Error::<T>::TooManyVersions);
			let mut amended =
				Self::new_version(&patient, &author, category, cid, content_hash, size)?;
			amended.version = previous.version + 1;
			amended.supersedes = Some(record);
			let keys = Self::checked_keys(&patient, category, keys)?;
			let new_version = Self::insert(amended, &keys)?;
			Records::<T>::mutate(record, |previous| {
				if let Some(previous) = previous {
					previous.superseded_by = Some(new_version);
				}
			});
			T::Consent::record(
				&patient,
				&author,
				AuditEvent::RecordAmended { record, new_version },
			);
			Self::trail_key_shares(&patient, &author, new_version, &keys);
			let cid = Records::<T>::get(new_version)
				.map(|record| record.cid.into_inner())
				.unwrap_or_default();
			Self::deposit_event(Event::RecordAmended {
				record,
				new_version,
				author: author.clone(),
				cid,
			});
			Self::escrow_new(&author, new_version, escrow)
		}

		/// Wrap the keys of records for `reader`.
		///
		/// Origin: signed by someone who can open each record now: its patient, or a reader
		/// holding a key with current read consent (not suspended, revoked or expired).
		///
		/// - `reader`: the account the keys are wrapped for; it must have an encryption key and
		///   consent covering each record's category.
		/// - `keys`: each record with its content key wrapped for `reader` (at most
		///   [`Config::MaxKeysPerShare`]).
		///
		/// A key is only written for a reader that holds none for that record; a key that exists
		/// may be replaced only by its reader (after rotating its encryption key) or by the
		/// patient (repairing a key someone else wrapped badly), so no reader can overwrite the
		/// patient's or another reader's key.
		///
		/// Emits [`Event::KeyShared`] per key (and a trail entry). Errors: `NoEncryptionKey`,
		/// `UnknownRecord`, `RecordErased`, `NotAuthorized`, `NotAReader`, `KeyAlreadyShared`,
		/// `TooManyKeys`, `InvalidWrappedKey`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::share_keys(keys.len() as u32))]
		pub fn share_keys(
			origin: OriginFor<T>,
			reader: T::AccountId,
			keys: SharedKeysOf<T>,
		) -> DispatchResult {
			let sharer = ensure_signed(origin)?;
			ensure!(T::Identity::encryption_key(&reader).is_some(), Error::<T>::NoEncryptionKey);
			for (id, key) in keys {
				let mut record = Self::live_record(id)?;
				let patient = record.patient.clone();
				let may_open = sharer == patient
					|| (WrappedKeys::<T>::contains_key(id, &sharer)
						&& T::Consent::may_access(
							&sharer,
							&patient,
							record.category,
							AccessLevel::Read,
						));
				ensure!(may_open, Error::<T>::NotAuthorized);
				ensure!(
					T::Consent::is_reader(&patient, &reader, record.category),
					Error::<T>::NotAReader
				);
				let key = Self::checked_key(key)?;
				if WrappedKeys::<T>::contains_key(id, &reader) {
					// The reader (after rotating its key) or the patient (repairing a key
					// someone else wrapped badly) may replace it; nobody else.
					ensure!(sharer == reader || sharer == patient, Error::<T>::KeyAlreadyShared);
				} else {
					ensure!(
						record.key_count < T::MaxReadersPerRecord::get(),
						Error::<T>::TooManyKeys
					);
					record.key_count += 1;
					Records::<T>::insert(id, &record);
					ReaderRecords::<T>::insert((&reader, &patient, id), ());
				}
				WrappedKeys::<T>::insert(id, &reader, key);
				T::Consent::record(
					&patient,
					&sharer,
					AuditEvent::KeyShared { record: id, reader: reader.clone() },
				);
				Self::deposit_event(Event::KeyShared { record: id, reader: reader.clone() });
			}
			Ok(())
		}

		/// Remove the key of `reader` for `record`.
		///
		/// Origin: signed by the record's patient (not a delegate: delegates manage consent
		/// only). Emits [`Event::KeyRemoved`] and a trail entry. Errors: `UnknownRecord`,
		/// `RecordErased`, `NotForDelegates`, `NotAuthorized`, `CannotRemovePatientKey`,
		/// `NoSuchKey`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_key())]
		pub fn remove_key(
			origin: OriginFor<T>,
			record: RecordId,
			reader: T::AccountId,
		) -> DispatchResult {
			let actor = ensure_signed(origin)?;
			let mut stored = Self::live_record(record)?;
			let patient = stored.patient.clone();
			Self::ensure_patient(&actor, &patient)?;
			ensure!(reader != patient, Error::<T>::CannotRemovePatientKey);
			ensure!(WrappedKeys::<T>::take(record, &reader).is_some(), Error::<T>::NoSuchKey);
			ReaderRecords::<T>::remove((&reader, &patient, record));
			stored.key_count = stored.key_count.saturating_sub(1);
			Records::<T>::insert(record, stored);
			T::Consent::record(
				&patient,
				&actor,
				AuditEvent::KeyRemoved { record, reader: reader.clone() },
			);
			Self::deposit_event(Event::KeyRemoved { record, reader });
			Ok(())
		}

		/// Erase `record` with all its versions: every wrapped key is deleted and the CIDs
		/// forgotten; tombstones with the content hashes stay.
		///
		/// Origin: signed by the record's patient (not a delegate: delegates manage consent
		/// only). Emits [`Event::RecordErased`] per version and trail entries. Errors:
		/// `UnknownRecord`, `RecordErased`, `NotForDelegates`, `NotAuthorized`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::erase_record(
			T::MaxVersions::get(),
			T::MaxVersions::get().saturating_mul(T::MaxReadersPerRecord::get()),
		).saturating_add(T::OnErased::max_weight().saturating_mul(T::MaxVersions::get().into())))]
		pub fn erase_record(origin: OriginFor<T>, record: RecordId) -> DispatchResultWithPostInfo {
			let actor = ensure_signed(origin)?;
			let stored = Self::live_record(record)?;
			let patient = stored.patient.clone();
			Self::ensure_patient(&actor, &patient)?;
			let (mut versions, mut keys) = (0u32, 0u32);
			let mut hooks = Weight::zero();
			for id in Self::version_chain(record) {
				let Some(mut version) = Records::<T>::get(id) else { continue };
				for (reader, _) in WrappedKeys::<T>::drain_prefix(id) {
					ReaderRecords::<T>::remove((&reader, &patient, id));
					keys += 1;
				}
				let cid = core::mem::take(&mut version.cid).into_inner();
				version.erased = true;
				version.key_count = 0;
				Records::<T>::insert(id, version);
				PatientRecords::<T>::remove(&patient, id);
				RecordCount::<T>::mutate(&patient, |count| *count = count.saturating_sub(1));
				T::Consent::record(&patient, &actor, AuditEvent::RecordErased { record: id });
				Self::deposit_event(Event::RecordErased {
					record: id,
					patient: patient.clone(),
					cid,
				});
				hooks = hooks.saturating_add(T::OnErased::on_erased(id));
				versions += 1;
			}
			Ok(Some(T::WeightInfo::erase_record(versions, keys).saturating_add(hooks)).into())
		}
	}
}

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Register `who` as a patient.
	fn register_patient(who: &AccountId);
	/// Register `who` as an active doctor with an encryption key.
	fn register_doctor(who: &AccountId);
	/// `patient` grants `grantee` read-write access to every record.
	fn grant(patient: &AccountId, grantee: &AccountId);
	/// The most grants one patient may hold (the consent pallet's `MaxGrantsPerPatient`): the
	/// benchmarks take them all, as every walk of a patient's readers goes through each.
	fn max_grants() -> u32;
}

impl<T: Config> Pallet<T> {
	/// The weight an escrow carried by `add_record` or `amend_record` adds: the escrow's own
	/// benchmarked worst case, nothing without one.
	pub fn escrow_weight(escrow: &Option<KeyEscrowOf<T>>) -> Weight {
		if escrow.is_some() {
			T::KeyEscrow::weight()
		} else {
			Weight::zero()
		}
	}

	/// Escrows the key of version `id`, just written by `author`, if the call carried shares.
	fn escrow_new(
		author: &T::AccountId,
		id: RecordId,
		escrow: Option<KeyEscrowOf<T>>,
	) -> DispatchResult {
		match escrow {
			Some((epoch, shares)) => T::KeyEscrow::escrow(author, id, epoch, shares),
			None => Ok(()),
		}
	}

	fn ensure_patient(actor: &T::AccountId, patient: &T::AccountId) -> DispatchResult {
		ensure!(!T::Identity::is_delegate(patient, actor), Error::<T>::NotForDelegates);
		ensure!(actor == patient, Error::<T>::NotAuthorized);
		Ok(())
	}

	/// The record `id`, unless unknown or erased.
	fn live_record(id: RecordId) -> Result<RecordOf<T>, DispatchError> {
		let record = Records::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		ensure!(!record.erased, Error::<T>::RecordErased);
		Ok(record)
	}

	/// A first version with checked content fields.
	fn new_version(
		patient: &T::AccountId,
		author: &T::AccountId,
		category: RecordCategory,
		cid: CidOf<T>,
		content_hash: ContentHash,
		size: u64,
	) -> Result<RecordOf<T>, DispatchError> {
		cid::validate_v1(&cid).map_err(|_| Error::<T>::InvalidCid)?;
		ensure!(size > 0, Error::<T>::EmptyRecord);
		Ok(Record {
			patient: patient.clone(),
			author: author.clone(),
			category,
			cid,
			content_hash,
			size,
			created_at: T::Clock::now(),
			created_in: frame_system::Pallet::<T>::block_number(),
			version: 1,
			supersedes: None,
			superseded_by: None,
			key_count: 0,
			erased: false,
		})
	}

	fn checked_key(key: WrappedKeyOf<T>) -> Result<WrappedKeyOf<T>, DispatchError> {
		ensure!(!key.is_empty(), Error::<T>::InvalidWrappedKey);
		Ok(key)
	}

	/// Checks the keys of a new version: the patient's is there, every reader has consent for
	/// the category and an encryption key, no reader twice.
	fn checked_keys(
		patient: &T::AccountId,
		category: RecordCategory,
		keys: ReaderKeysOf<T>,
	) -> Result<Vec<(T::AccountId, WrappedKeyOf<T>)>, DispatchError> {
		ensure!(keys.iter().any(|(reader, _)| reader == patient), Error::<T>::MissingPatientKey);
		let mut checked: Vec<(T::AccountId, WrappedKeyOf<T>)> = Vec::with_capacity(keys.len());
		for (reader, key) in keys {
			ensure!(checked.iter().all(|(seen, _)| seen != &reader), Error::<T>::DuplicateReader);
			ensure!(T::Consent::is_reader(patient, &reader, category), Error::<T>::NotAReader);
			ensure!(T::Identity::encryption_key(&reader).is_some(), Error::<T>::NoEncryptionKey);
			checked.push((reader, Self::checked_key(key)?));
		}
		Ok(checked)
	}

	/// Stores a new version with its keys; returns its id.
	fn insert(
		mut record: RecordOf<T>,
		keys: &[(T::AccountId, WrappedKeyOf<T>)],
	) -> Result<RecordId, DispatchError> {
		let patient = record.patient.clone();
		RecordCount::<T>::try_mutate(&patient, |count| -> DispatchResult {
			ensure!(*count < T::MaxRecordsPerPatient::get(), Error::<T>::TooManyRecords);
			*count += 1;
			Ok(())
		})?;
		let id = NextRecordId::<T>::mutate(ehr_primitives::take_id);
		for (reader, key) in keys {
			WrappedKeys::<T>::insert(id, reader, key);
			ReaderRecords::<T>::insert((reader, &patient, id), ());
		}
		record.key_count = keys.len() as u32;
		Records::<T>::insert(id, record);
		PatientRecords::<T>::insert(&patient, id, ());
		Ok(id)
	}

	/// Trail entries for the keys of a new version wrapped for readers other than the patient.
	fn trail_key_shares(
		patient: &T::AccountId,
		author: &T::AccountId,
		record: RecordId,
		keys: &[(T::AccountId, WrappedKeyOf<T>)],
	) {
		for (reader, _) in keys.iter().filter(|(reader, _)| reader != patient) {
			T::Consent::record(
				patient,
				author,
				AuditEvent::KeyShared { record, reader: reader.clone() },
			);
		}
	}

	/// The ids of every version of the record `id` belongs to, oldest first.
	pub fn version_chain(id: RecordId) -> Vec<RecordId> {
		let mut first = id;
		// Versions are bounded by `MaxVersions`; the bound guards against a broken link.
		let limit = T::MaxVersions::get();
		for _ in 0..limit {
			match Records::<T>::get(first).and_then(|record| record.supersedes) {
				Some(previous) => first = previous,
				None => break,
			}
		}
		let mut chain = Vec::new();
		let mut next = Some(first);
		while let Some(current) = next {
			if chain.len() as u32 >= limit {
				break;
			}
			chain.push(current);
			next = Records::<T>::get(current).and_then(|record| record.superseded_by);
		}
		chain
	}

	fn entry(id: RecordId, reader: Option<&T::AccountId>) -> Option<RecordEntryOf<T>> {
		let record = Records::<T>::get(id)?;
		let wrapped_key =
			reader.and_then(|reader| WrappedKeys::<T>::get(id, reader)).map(BoundedVec::into_inner);
		Some(RecordEntry { id, record: record.map_cid(BoundedVec::into_inner), wrapped_key })
	}

	/// The records of `patient` that are not erased (of `category` if given), oldest first.
	pub fn patient_records(
		patient: &T::AccountId,
		category: Option<RecordCategory>,
	) -> Vec<RecordEntryOf<T>> {
		let mut ids: Vec<RecordId> = PatientRecords::<T>::iter_key_prefix(patient).collect();
		ids.sort_unstable();
		ids.into_iter()
			.filter_map(|id| Self::entry(id, None))
			.filter(|entry| category.is_none_or(|category| entry.record.category == category))
			.collect()
	}

	/// The records `reader` holds a key for (of `patient` if given), with that key, by id.
	pub fn reader_records(
		reader: &T::AccountId,
		patient: Option<&T::AccountId>,
	) -> Vec<RecordEntryOf<T>> {
		let mut ids: Vec<RecordId> = match patient {
			Some(patient) => ReaderRecords::<T>::iter_key_prefix((reader, patient)).collect(),
			None => ReaderRecords::<T>::iter_key_prefix((reader,)).map(|(_, id)| id).collect(),
		};
		ids.sort_unstable();
		ids.into_iter().filter_map(|id| Self::entry(id, Some(reader))).collect()
	}

	/// Deletes the key `reader` holds for `record` (of `patient`), its index entry, and counts
	/// it off the record.
	fn delete_key(reader: &T::AccountId, patient: &T::AccountId, record: RecordId) {
		ReaderRecords::<T>::remove((reader, patient, record));
		WrappedKeys::<T>::remove(record, reader);
		Records::<T>::mutate(record, |stored| {
			if let Some(stored) = stored {
				stored.key_count = stored.key_count.saturating_sub(1);
			}
		});
	}

	/// One record, with the key wrapped for `reader` if given.
	pub fn record(id: RecordId, reader: Option<&T::AccountId>) -> Option<RecordEntryOf<T>> {
		Self::entry(id, reader)
	}

	/// Every version of the record `id` belongs to, oldest first.
	pub fn record_versions(id: RecordId) -> Vec<RecordEntryOf<T>> {
		if !Records::<T>::contains_key(id) {
			return Vec::new();
		}
		Self::version_chain(id).into_iter().filter_map(|id| Self::entry(id, None)).collect()
	}

	/// The pallet's invariants:
	/// - every record's id is below [`NextRecordId`], its patient is registered, its version
	///   is 1 to [`Config::MaxVersions`], and its version links go both ways between versions
	///   of the same patient and category, one number apart, erased together;
	/// - a live record has a CID, a size, its patient's wrapped key, and is in
	///   [`PatientRecords`]; an erased one (a tombstone) has no CID, no key, and is not;
	/// - each record's `key_count` is its number of [`WrappedKeys`], at most
	///   [`Config::MaxReadersPerRecord`]; every key is non-empty and for a reader with an
	///   encryption key;
	/// - [`ReaderRecords`] is exactly [`WrappedKeys`] seen from the reader (with the record's
	///   patient);
	/// - each patient's [`RecordCount`] is its number of live records, at most
	///   [`Config::MaxRecordsPerPatient`];
	/// - every queued suspended reader is a doctor of the queuing hospital; no reader is queued
	///   for reconciliation with its own records.
	///
	/// Not checked here: "every key belongs to a reader who may read the record now, or whose
	/// keys are queued". It needs the consent pallet's `cleanup_pending`, and it is false for a
	/// while for a doctor whose hospital left (refused at once, queued only when the identity
	/// pallet's `on_idle` reaches it); `runtime/tests/runtime/randomized.rs` checks it instead.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let next = NextRecordId::<T>::get();
		let mut live_of = BTreeMap::<T::AccountId, u32>::new();
		let (mut live, mut keys) = (0u64, 0u64);
		for (id, record) in Records::<T>::iter() {
			ensure!(id < next, "a record id is not below NextRecordId");
			ensure!(
				T::Identity::is_patient(&record.patient),
				"a record of an unregistered patient"
			);
			ensure!(
				record.version >= 1 && record.version <= T::MaxVersions::get(),
				"a record's version is out of range"
			);
			ensure!(
				record.supersedes.is_none() == (record.version == 1),
				"only a first version supersedes nothing"
			);
			if let Some(previous) = record.supersedes {
				let older =
					Records::<T>::get(previous).ok_or("a record supersedes a missing one")?;
				ensure!(
					older.superseded_by == Some(id)
						&& older.version + 1 == record.version
						&& older.patient == record.patient
						&& older.category == record.category
						&& older.erased == record.erased,
					"a record does not follow the version it supersedes"
				);
			}
			if let Some(newer) = record.superseded_by {
				ensure!(
					Records::<T>::get(newer).is_some_and(|newer| newer.supersedes == Some(id)),
					"a record's newer version does not name it back"
				);
			}
			let mut count = 0u32;
			for (reader, key) in WrappedKeys::<T>::iter_prefix(id) {
				ensure!(!key.is_empty(), "a wrapped key is empty");
				ensure!(
					ReaderRecords::<T>::contains_key((&reader, &record.patient, id)),
					"a wrapped key is missing from ReaderRecords"
				);
				ensure!(
					T::Identity::encryption_key(&reader).is_some(),
					"a key is wrapped for a reader without an encryption key"
				);
				count += 1;
			}
			ensure!(count == record.key_count, "a record's key count differs from its keys");
			ensure!(
				record.key_count <= T::MaxReadersPerRecord::get(),
				"a record has more than MaxReadersPerRecord keys"
			);
			keys += u64::from(count);
			let indexed = PatientRecords::<T>::contains_key(&record.patient, id);
			if record.erased {
				ensure!(record.cid.is_empty() && count == 0, "a tombstone keeps a CID or a key");
				ensure!(!indexed, "an erased record is still listed for its patient");
			} else {
				ensure!(
					!record.cid.is_empty() && record.size > 0,
					"a live record has no CID or size"
				);
				ensure!(indexed, "a live record is not listed for its patient");
				ensure!(
					WrappedKeys::<T>::contains_key(id, &record.patient),
					"a live record has no key for its patient"
				);
				*live_of.entry(record.patient).or_default() += 1;
				live += 1;
			}
		}
		ensure!(
			PatientRecords::<T>::iter_keys().count() as u64 == live,
			"PatientRecords lists a record that is gone or erased"
		);
		ensure!(
			WrappedKeys::<T>::iter_keys().count() as u64 == keys,
			"a key is wrapped for a record that does not exist"
		);
		let mut indexed = 0u64;
		for (reader, patient, id) in ReaderRecords::<T>::iter_keys() {
			ensure!(
				WrappedKeys::<T>::contains_key(id, &reader)
					&& Records::<T>::get(id).is_some_and(|record| record.patient == patient),
				"ReaderRecords names a key that does not exist"
			);
			indexed += 1;
		}
		ensure!(indexed == keys, "ReaderRecords and WrappedKeys differ");
		for (patient, count) in RecordCount::<T>::iter() {
			ensure!(
				count <= T::MaxRecordsPerPatient::get(),
				"a patient has more than MaxRecordsPerPatient records"
			);
			ensure!(
				live_of.remove(&patient).unwrap_or(0) == count,
				"a patient's record count differs from its live records"
			);
		}
		ensure!(live_of.is_empty(), "a patient has live records but no count of them");
		for (reader, hospital) in ReadersToClear::<T>::iter() {
			ensure!(
				T::Identity::hospital_of(&reader) == Some(hospital),
				"a reader queued for clearing is no doctor of the hospital that suspended it"
			);
		}
		for (reader, patient) in KeysToReconcile::<T>::iter_keys() {
			ensure!(reader != patient, "a patient's own keys are queued for reconciliation");
		}
		Ok(())
	}
}

impl<T: Config> OnAccessEnded<T::AccountId> for Pallet<T> {
	/// Deletes every key `grantee` holds for records of `patient`.
	fn on_access_ended(patient: &T::AccountId, grantee: &T::AccountId) -> Weight {
		let ids: Vec<RecordId> =
			ReaderRecords::<T>::drain_prefix((grantee, patient)).map(|(id, ())| id).collect();
		for id in &ids {
			WrappedKeys::<T>::remove(id, grantee);
			Records::<T>::mutate(id, |record| {
				if let Some(record) = record {
					record.key_count = record.key_count.saturating_sub(1);
				}
			});
		}
		let count = ids.len() as u32;
		if count > 0 {
			Self::deposit_event(Event::ReaderKeysRemoved {
				patient: patient.clone(),
				reader: grantee.clone(),
				count,
			});
		}
		T::WeightInfo::remove_reader_keys(count)
	}

	fn max_weight() -> Weight {
		T::WeightInfo::remove_reader_keys(T::MaxRecordsPerPatient::get())
	}

	/// Deletes at most `limit` of the keys `grantee` holds for records of `patient`, straight
	/// from [`ReaderRecords`] (no cursor: what is left is what the next call finds).
	fn on_access_ended_bounded(
		patient: &T::AccountId,
		grantee: &T::AccountId,
		limit: u32,
	) -> (bool, u32, Weight) {
		// One more than the limit, to know whether any is left.
		let mut ids: Vec<RecordId> = ReaderRecords::<T>::iter_key_prefix((grantee, patient))
			.take((limit as usize).saturating_add(1))
			.collect();
		let done = ids.len() <= limit as usize;
		ids.truncate(limit as usize);
		for id in &ids {
			Self::delete_key(grantee, patient, *id);
		}
		let count = ids.len() as u32;
		if count > 0 {
			Self::deposit_event(Event::ReaderKeysRemoved {
				patient: patient.clone(),
				reader: grantee.clone(),
				count,
			});
		}
		(done, count, Self::bounded_weight(count))
	}

	fn bounded_weight(limit: u32) -> Weight {
		// The look-ahead reads one key more than it removes.
		T::WeightInfo::remove_reader_keys(limit).saturating_add(T::DbWeight::get().reads(1))
	}

	/// Queues the grantee's keys to this patient's records for a check against its new consent
	/// (see [`Pallet::reconcile_keys`]).
	fn on_access_changed(patient: &T::AccountId, grantee: &T::AccountId) {
		if ReaderRecords::<T>::iter_key_prefix((grantee, patient)).next().is_some() {
			KeysToReconcile::<T>::insert(grantee, patient, None::<RecordId>);
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Checks queued readers' keys against the consent they hold now and removes those it no
	/// longer covers (each with a trail entry in the patient's name), as many as fit in `limit`;
	/// returns the weight used.
	pub fn reconcile_keys(limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		// Per key: the index entry, the record, the consent check (grant, doctor), and when it
		// goes, the key, the record's count and the trail entry.
		let per_key = T::WeightInfo::remove_reader_keys(1).saturating_add(db.reads_writes(6, 3));
		// The queue read and the final write of the queue entry.
		let mut used = db.reads_writes(1, 1);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		let Some((reader, patient, after)) = KeysToReconcile::<T>::iter().next() else {
			return db.reads(1);
		};
		let prefix = (reader.clone(), patient.clone());
		let mut ids = match after {
			Some(last) => ReaderRecords::<T>::iter_key_prefix_from(
				prefix,
				ReaderRecords::<T>::hashed_key_for((&reader, &patient, last)),
			),
			None => ReaderRecords::<T>::iter_key_prefix(prefix),
		};
		let (mut count, mut last) = (0u32, after);
		let done = loop {
			if used.saturating_add(per_key).any_gt(limit) {
				break false;
			}
			let Some(id) = ids.next() else { break true };
			used = used.saturating_add(per_key);
			last = Some(id);
			let keep = Records::<T>::get(id)
				.is_some_and(|record| T::Consent::is_reader(&patient, &reader, record.category));
			if !keep {
				Self::delete_key(&reader, &patient, id);
				T::Consent::record(
					&patient,
					&patient,
					AuditEvent::KeyRemoved { record: id, reader: reader.clone() },
				);
				count += 1;
			}
		};
		if done {
			KeysToReconcile::<T>::remove(&reader, &patient);
		} else {
			KeysToReconcile::<T>::insert(&reader, &patient, last);
		}
		if count > 0 || done {
			Self::deposit_event(Event::OutOfConsentKeysRemoved { patient, reader, count, done });
		}
		used
	}
}

impl<T: Config> RecordLookup<T::AccountId> for Pallet<T> {
	/// The patient and category of a record that exists and is not erased.
	fn patient_and_category(id: RecordId) -> Option<(T::AccountId, RecordCategory)> {
		Records::<T>::get(id)
			.filter(|record| !record.erased)
			.map(|record| (record.patient, record.category))
	}

	fn author(id: RecordId) -> Option<T::AccountId> {
		Records::<T>::get(id).filter(|record| !record.erased).map(|record| record.author)
	}
}

impl<T: Config> OnDoctorSuspended<T::AccountId> for Pallet<T> {
	/// Queues the doctor's keys for removal (see [`Pallet::clear_suspended_readers`]).
	fn on_doctor_suspended(doctor: &T::AccountId, hospital: &T::AccountId) {
		if ReaderRecords::<T>::iter_key_prefix((doctor,)).next().is_some() {
			ReadersToClear::<T>::insert(doctor, hospital);
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Removes keys of suspended doctors, each with a trail entry in its patient's trail, as many
	/// as fit in `limit`; returns the weight used. A doctor leaves the queue once it holds no key.
	pub fn clear_suspended_readers(limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		// Per key: the key, the record's count, the index, and the trail entry.
		let per_key = T::WeightInfo::remove_reader_keys(1).saturating_add(db.reads_writes(3, 3));
		// The queue read, the doctor check, and the final write of the queue entry.
		let mut used = db.reads_writes(3, 1);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		let Some((reader, hospital)) = ReadersToClear::<T>::iter().next() else {
			return db.reads(1);
		};
		// Reinstated before its keys were all gone: what it holds now was shared after (or
		// survived) the suspension deliberately; stop.
		if T::Identity::is_active_doctor(&reader) {
			ReadersToClear::<T>::remove(&reader);
			return used;
		}
		let mut count = 0u32;
		let mut held = ReaderRecords::<T>::iter_key_prefix((&reader,));
		let done = loop {
			if used.saturating_add(per_key).any_gt(limit) {
				break false;
			}
			let Some((patient, id)) = held.next() else { break true };
			used = used.saturating_add(per_key);
			Self::delete_key(&reader, &patient, id);
			T::Consent::record(
				&patient,
				&hospital,
				AuditEvent::KeyRemoved { record: id, reader: reader.clone() },
			);
			count += 1;
		};
		if done {
			ReadersToClear::<T>::remove(&reader);
		}
		if count > 0 || done {
			Self::deposit_event(Event::SuspendedReaderKeysRemoved { reader, count, done });
		}
		used
	}
}
