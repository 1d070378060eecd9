//! # Escrow pallet: break-glass that opens records
//!
//! An unconscious patient cannot share keys. So that an emergency doctor can read what the
//! patient chose to make openable, without any single hospital holding a standing key to every
//! patient's records:
//!
//! - The hospitals together (a two-thirds vote, [`Config::CommitteeOrigin`]) name an **escrow
//!   committee** of member hospitals, each with an X25519 escrow key, and a threshold `t`
//!   ([`Pallet::set_committee`]). Every change starts a new epoch.
//! - Each patient (or a delegate) chooses the categories of records openable in an emergency
//!   ([`Pallet::set_emergency_categories`]); none until chosen. The choice is in the trail.
//! - For each record in those categories, the patient's client (or a writing doctor's) splits
//!   the content key `t`-of-`n` and wraps one share for each committee hospital
//!   (`ehr_envelope::escrow`); [`Pallet::escrow_key`] stores them with the record, for the
//!   current epoch and the whole committee.
//! - During an open emergency access of an active doctor, each committee hospital's custodian
//!   re-wraps its share of the patient's openable records for the doctor
//!   ([`Pallet::release_shares`]); every release is in the trail. The doctor combines `t` shares.
//! - A custodian is an account of its own that its hospital names ([`Pallet::set_custodian`])
//!   and may replace: it can release shares and nothing else, so the long-running service never
//!   holds the hospital's admin key (a hospital that named none releases with its own account).
//! - **One hospital cannot open records alone.** The share of the doctor's own hospital does not
//!   count: with a threshold of 2 or more, a hospital's custodian cannot release to its own
//!   doctors, so `t` shares must come from other hospitals, each of which decides for itself.
//!   (A committee of `n` hospitals with threshold `t` thus needs `n ≥ t + 1` to serve the doctors
//!   of its own members.)
//! - Once the access ends (closed by the doctor, the hospital or the patient, or expired), its
//!   released shares are removed from state by a block hook within the block's spare weight
//!   ([`ReleasedToClear`]); anyone may also remove them at once ([`Pallet::clear_released`]).
//!
//! **When the committee changes**, records stay openable: shares escrowed for an earlier
//! committee are still released by the hospitals of that committee that the current one keeps
//! (the vote that named the current committee is what trusts them), with that earlier
//! committee's threshold ([`Thresholds`]); so adding a hospital, or removing fewer than
//! `n − t` of them, loses nothing. The patient's client escrows every openable record again for
//! the new committee on its next run (`ehr emergency sync`), after which the earlier shares are
//! replaced.
//!
//! One share reveals nothing about a key; fewer than `t` custodians cannot open a record, and
//! `t` custodians up are enough. What `t` colluding custodians can do (open the escrowed
//! records of every patient who opted in) is the trust the committee is voted for.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use ehr_primitives::{
	is_usable_encryption_key, AccessLevel, AuditEvent, ConsentProvider, EmergencyLookup,
	EncryptionKey, Identities, Moment, RecordCategory, RecordId, RecordLookup,
};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;

pub use pallet::*;
pub use weights::WeightInfo;

/// A share wrapped for one recipient (defined with the records pallet's escrow hook).
pub use ehr_primitives::ShareStanza;

/// The categories a patient made openable in an emergency.
pub type Categories = BoundedVec<RecordCategory, ConstU32<7>>;

/// The shares of one record released to one doctor during one emergency access.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxShares))]
pub struct ReleasedShares<AccountId, MaxShares: Get<u32>> {
	/// When the emergency access they were released for was opened: shares of an earlier
	/// access of the same doctor are not for this one.
	pub opened_at: Moment,
	/// The committee epoch the record's key was escrowed for.
	pub epoch: u32,
	/// How many shares open the key (that epoch's threshold).
	pub threshold: u8,
	/// Each releasing hospital, with its share wrapped for the doctor.
	pub shares: BoundedVec<(AccountId, ShareStanza), MaxShares>,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The storage layout's version: 0, as it has been since genesis (the pallet declared
	/// none until now, and an undeclared version reads as 0: no migration is due).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who is a hospital, a patient, an active doctor, a delegate.
		type Identity: Identities<Self::AccountId>;
		/// Consent checks and the audit trail.
		type Consent: ConsentProvider<Self::AccountId>;
		/// Whether an emergency access is open.
		type Emergency: EmergencyLookup<Self::AccountId>;
		/// The patient and category of a record.
		type Records: RecordLookup<Self::AccountId>;
		/// Who names the committee: the hospitals together.
		type CommitteeOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Most hospitals in the committee.
		#[pallet::constant]
		type MaxCommittee: Get<u32>;
		/// Most shares one release carries.
		#[pallet::constant]
		type MaxReleasePerCall: Get<u32>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Sets up hospitals, patients, doctors, records and emergency accesses for the
		/// benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The escrow committee: member hospitals with their X25519 escrow keys.
	#[pallet::storage]
	pub type Committee<T: Config> =
		StorageValue<_, BoundedVec<(T::AccountId, EncryptionKey), T::MaxCommittee>, ValueQuery>;

	/// How many shares open a key.
	#[pallet::storage]
	pub type Threshold<T: Config> = StorageValue<_, u8, ValueQuery>;

	/// The committee's epoch: one more at every change.
	#[pallet::storage]
	pub type Epoch<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The threshold of each committee epoch: shares escrowed for an earlier committee are
	/// still combined with its threshold. One entry per committee vote.
	#[pallet::storage]
	pub type Thresholds<T: Config> = StorageMap<_, Twox64Concat, u32, u8>;

	/// The categories each patient made openable in an emergency.
	#[pallet::storage]
	pub type EmergencyCategories<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Categories>;

	/// The escrowed shares of each record, by committee hospital: the epoch and the share
	/// wrapped for that hospital's escrow key.
	#[pallet::storage]
	pub type EscrowedShares<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RecordId,
		Blake2_128Concat,
		T::AccountId,
		(u32, ShareStanza),
	>;

	/// Who escrowed each record's key: the patient, or the record's author (whose shares the
	/// patient's client replaces with its own on its next sync, as it cannot check them).
	#[pallet::storage]
	pub type EscrowedBy<T: Config> = StorageMap<_, Twox64Concat, RecordId, T::AccountId>;

	/// Shares released to a doctor during an emergency access, by (patient, doctor, record).
	/// Entries of an earlier access of the same doctor, or of an earlier escrow of the record,
	/// are replaced, never mixed in.
	#[pallet::storage]
	pub type Released<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, RecordId>,
		),
		ReleasedShares<T::AccountId, T::MaxCommittee>,
	>;

	/// The custodian account each hospital named to release its shares.
	#[pallet::storage]
	pub type Custodians<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// The hospital of each named custodian account.
	#[pallet::storage]
	pub type CustodianOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// Emergency accesses that ended with shares released for them: the block hook removes
	/// those shares, within the block's spare weight.
	#[pallet::storage]
	pub type ReleasedToClear<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, ()>;

	/// The first committee (epoch 1), checked as [`Pallet::set_committee`] checks one, except
	/// that its members need not be hospitals yet (the membership's genesis may come after).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Member hospitals with their X25519 escrow keys (empty: no committee).
		pub committee: alloc::vec::Vec<(T::AccountId, EncryptionKey)>,
		/// Shares needed to open a key.
		pub threshold: u8,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.committee.is_empty() {
				return;
			}
			let members: BoundedVec<_, T::MaxCommittee> =
				self.committee.clone().try_into().expect("the genesis committee fits MaxCommittee");
			for (index, (hospital, key)) in members.iter().enumerate() {
				assert!(is_usable_encryption_key(key), "a genesis escrow key is unusable");
				assert!(
					!members[..index]
						.iter()
						.any(|(other, other_key)| other == hospital || other_key == key),
					"a genesis committee member or escrow key appears twice"
				);
			}
			let lowest = if members.len() == 1 { 1 } else { 2 };
			assert!(
				self.threshold >= lowest && (self.threshold as usize) <= members.len(),
				"the genesis threshold is out of range"
			);
			Committee::<T>::put(members);
			Threshold::<T>::put(self.threshold);
			Epoch::<T>::put(1);
			Thresholds::<T>::insert(1, self.threshold);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Removes the released shares of ended emergency accesses.
		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Pallet::<T>::clear_ended(remaining)
		}

		fn integrity_test() {
			// Share identifiers are bytes: at most 255 custodians.
			assert!(T::MaxCommittee::get() <= 255, "MaxCommittee must be at most 255");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A new committee of `members` hospitals, `threshold` of whom open a key.
		CommitteeSet { epoch: u32, members: u32, threshold: u8 },
		/// A patient's emergency-openable categories changed.
		EmergencyCategoriesSet { patient: T::AccountId },
		/// The key of `record` was escrowed for the committee of `epoch`.
		KeyEscrowed { record: RecordId, epoch: u32 },
		/// `hospital` released its share of `record` to `doctor`.
		ShareReleased {
			patient: T::AccountId,
			doctor: T::AccountId,
			record: RecordId,
			hospital: T::AccountId,
		},
		/// `hospital` named `custodian` to release its shares (`None`: its own account again).
		CustodianSet { hospital: T::AccountId, custodian: Option<T::AccountId> },
		/// Released shares of a closed emergency access were removed (`done`: all of them).
		ReleasedCleared { patient: T::AccountId, doctor: T::AccountId, removed: u32, done: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A committee member is not a member hospital.
		NotHospital,
		/// A committee member's escrow key is unusable (small order or not canonical).
		InvalidEscrowKey,
		/// A hospital appears twice.
		DuplicateMember,
		/// The threshold must be between 2 and the committee's size (a committee of one with
		/// `t = 1` only in a development chain's genesis).
		InvalidThreshold,
		/// Two members share an escrow key: one key holder would hold several shares.
		DuplicateEscrowKey,
		/// Only the patient or one of the patient's delegates may do this.
		NotPatientOrDelegate,
		/// A category appears twice.
		DuplicateCategory,
		/// No record has this id (or it was erased).
		UnknownRecord,
		/// Only the patient, or the record's author while nothing is escrowed for it, may escrow
		/// a record's key.
		NotAuthorized,
		/// The record's category is not openable in an emergency for its patient.
		NotOpenable,
		/// The shares are for another epoch of the committee.
		StaleCommittee,
		/// There is no committee yet.
		NoCommittee,
		/// The shares are not one for each committee hospital.
		WrongCommittee,
		/// A share stanza is malformed (identifier zero, or repeated).
		BadShare,
		/// Only a committee hospital may release shares.
		NotCustodian,
		/// The doctor has no open emergency access to the patient.
		NoEmergencyAccess,
		/// Only an active verified doctor may receive shares.
		NotActiveDoctor,
		/// The record is not the patient's.
		NotPatientsRecord,
		/// This hospital holds no share of the record for the current committee.
		NotEscrowed,
		/// This hospital released its share of the record to the doctor already.
		AlreadyReleased,
		/// The emergency access is still open: its released shares stay.
		StillOpen,
		/// A committee member is no longer a member hospital: the hospitals must name a new
		/// committee before keys are escrowed (no share goes to a hospital that left).
		CommitteeMemberLeft,
		/// A hospital's custodian does not release shares to the hospital's own doctors: `t`
		/// shares must come from other hospitals.
		OwnHospital,
		/// A custodian must be an account of its own: no member hospital, doctor, patient, or
		/// another hospital's custodian.
		CustodianNotFree,
		/// Only a member hospital may name a custodian.
		NotMemberHospital,
		/// The caller escrowed this record's key for this committee epoch already.
		AlreadyEscrowed,
		/// A release names no share.
		NoShares,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Name the escrow committee and its threshold; starts a new epoch (records escrowed
		/// for an earlier committee are escrowed again by the patients' clients).
		///
		/// Origin: [`Config::CommitteeOrigin`] (the hospitals, two thirds).
		///
		/// - `members`: member hospitals with their X25519 escrow keys, each once, keys distinct.
		/// - `threshold`: shares needed to open a key, 2 to the number of members (a committee
		///   of one, with `t = 1`, only in a development chain's genesis).
		///
		/// Emits [`Event::CommitteeSet`]. Errors: `NotHospital`, `InvalidEscrowKey`,
		/// `DuplicateMember`, `DuplicateEscrowKey`, `InvalidThreshold`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_committee(members.len() as u32))]
		pub fn set_committee(
			origin: OriginFor<T>,
			members: BoundedVec<(T::AccountId, EncryptionKey), T::MaxCommittee>,
			threshold: u8,
		) -> DispatchResult {
			T::CommitteeOrigin::ensure_origin(origin)?;
			for (index, (hospital, key)) in members.iter().enumerate() {
				ensure!(T::Identity::is_hospital(hospital), Error::<T>::NotHospital);
				ensure!(is_usable_encryption_key(key), Error::<T>::InvalidEscrowKey);
				ensure!(
					!members[..index].iter().any(|(other, _)| other == hospital),
					Error::<T>::DuplicateMember
				);
				ensure!(
					!members[..index].iter().any(|(_, other)| other == key),
					Error::<T>::DuplicateEscrowKey
				);
			}
			// No single custodian opens a record: t ≥ 2 (a committee of one exists only in a
			// development chain's genesis).
			ensure!(
				threshold >= 2 && (threshold as usize) <= members.len(),
				Error::<T>::InvalidThreshold
			);
			let epoch = Epoch::<T>::mutate(|epoch| {
				*epoch = epoch.saturating_add(1);
				*epoch
			});
			let count = members.len() as u32;
			Committee::<T>::put(members);
			Threshold::<T>::put(threshold);
			Thresholds::<T>::insert(epoch, threshold);
			Self::deposit_event(Event::CommitteeSet { epoch, members: count, threshold });
			Ok(())
		}

		/// Choose which categories of the patient's records are openable in an emergency
		/// (empty: none).
		///
		/// Origin: signed by the patient or one of the patient's delegates.
		///
		/// Emits [`Event::EmergencyCategoriesSet`] and a trail entry. Errors:
		/// `NotPatientOrDelegate`, `DuplicateCategory`, and the consent pallet's
		/// `TooManySettingsChanges` (it counts among the caller's settings changes).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_emergency_categories())]
		pub fn set_emergency_categories(
			origin: OriginFor<T>,
			patient: T::AccountId,
			categories: Categories,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(
				T::Identity::is_patient(&patient)
					&& (who == patient || T::Identity::is_delegate(&patient, &who)),
				Error::<T>::NotPatientOrDelegate
			);
			for (index, category) in categories.iter().enumerate() {
				ensure!(!categories[..index].contains(category), Error::<T>::DuplicateCategory);
			}
			// A permanent trail entry for free: bounded per account and period (opting out of
			// a choice is never held back: it follows a counted choice).
			if !categories.is_empty() || !EmergencyCategories::<T>::contains_key(&patient) {
				T::Consent::note_settings_change(&who)?;
			}
			if categories.is_empty() {
				EmergencyCategories::<T>::remove(&patient);
			} else {
				EmergencyCategories::<T>::insert(&patient, &categories);
			}
			T::Consent::record(&patient, &who, AuditEvent::EmergencyCategoriesSet { categories });
			Self::deposit_event(Event::EmergencyCategoriesSet { patient });
			Ok(())
		}

		/// Escrow the content key of `record`: one share for each committee hospital, wrapped
		/// for its escrow key. Replaces the record's shares of an earlier committee.
		///
		/// Origin: signed by the record's patient, or by its author (a doctor who added a
		/// prescription) with write consent while nothing is escrowed for the record yet.
		///
		/// - `epoch`: the committee the shares were made for (the current one).
		/// - `shares`: exactly one stanza per committee hospital, distinct identifiers.
		///
		/// Emits [`Event::KeyEscrowed`] and a trail entry. Errors: `UnknownRecord`,
		/// `AlreadyEscrowed` (by the caller, for this epoch), `NotAuthorized`, `NotOpenable`, `NoCommittee`, `StaleCommittee`,
		/// `CommitteeMemberLeft`, `WrongCommittee`, `BadShare`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::escrow_key(T::MaxCommittee::get()))]
		pub fn escrow_key(
			origin: OriginFor<T>,
			record: RecordId,
			epoch: u32,
			shares: BoundedVec<(T::AccountId, ShareStanza), T::MaxCommittee>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_escrow_key(who, record, epoch, shares)
		}

		/// Release this hospital's shares of the patient's emergency-openable records to a
		/// doctor with an open emergency access, each wrapped for the doctor's key.
		///
		/// Origin: signed by the custodian account a committee hospital named
		/// ([`Pallet::set_custodian`]), or by the hospital itself if it named none.
		///
		/// - `shares`: records of `patient` with this hospital's share wrapped for `doctor`,
		///   under the identifier it was escrowed with. A share escrowed for an earlier
		///   committee is accepted from a hospital the current committee keeps.
		///
		/// A share of a record escrowed with a threshold of 2 or more is never released to a
		/// doctor of the releasing hospital (`OwnHospital`). A release that goes through does not
		/// pay (`Pays::No`): it costs no fee and no free budget.
		///
		/// Emits [`Event::ShareReleased`] and a trail entry per share. Errors: `NotCustodian`,
		/// `NoEmergencyAccess`, `NotActiveDoctor`, `UnknownRecord`, `NotPatientsRecord`,
		/// `NotOpenable`, `NotEscrowed`, `BadShare`, `OwnHospital`, `AlreadyReleased`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::release_shares(shares.len() as u32))]
		pub fn release_shares(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
			shares: BoundedVec<(RecordId, ShareStanza), T::MaxReleasePerCall>,
		) -> DispatchResultWithPostInfo {
			let signer = ensure_signed(origin)?;
			// The named custodian acts for its hospital; a hospital that named one no longer
			// releases with its own account.
			let hospital = match CustodianOf::<T>::get(&signer) {
				Some(hospital) => hospital,
				None => {
					ensure!(!Custodians::<T>::contains_key(&signer), Error::<T>::NotCustodian);
					signer
				}
			};
			ensure!(
				T::Identity::is_hospital(&hospital)
					&& Committee::<T>::get().iter().any(|(member, _)| *member == hospital),
				Error::<T>::NotCustodian
			);
			let opened_at =
				T::Emergency::opened_at(&patient, &doctor).ok_or(Error::<T>::NoEmergencyAccess)?;
			ensure!(T::Identity::is_active_doctor(&doctor), Error::<T>::NotActiveDoctor);
			// An empty release would do nothing, for free.
			ensure!(!shares.is_empty(), Error::<T>::NoShares);
			let own_doctor = T::Identity::hospital_of(&doctor).as_ref() == Some(&hospital);
			for (record, stanza) in shares {
				let (owner, category) =
					T::Records::patient_and_category(record).ok_or(Error::<T>::UnknownRecord)?;
				ensure!(owner == patient, Error::<T>::NotPatientsRecord);
				ensure!(Self::openable(&patient, category), Error::<T>::NotOpenable);
				let (escrowed_epoch, escrowed) =
					EscrowedShares::<T>::get(record, &hospital).ok_or(Error::<T>::NotEscrowed)?;
				ensure!(stanza[0] == escrowed[0], Error::<T>::BadShare);
				let threshold =
					Thresholds::<T>::get(escrowed_epoch).ok_or(Error::<T>::NotEscrowed)?;
				// Only a committee of one (t = 1, a development chain's genesis) lets a
				// hospital open its own doctor's request alone.
				ensure!(threshold < 2 || !own_doctor, Error::<T>::OwnHospital);
				Released::<T>::try_mutate((&patient, &doctor, record), |entry| {
					// Shares of an earlier access of this doctor, or of an earlier escrow of
					// the record, are replaced, not mixed in.
					if entry.as_ref().is_some_and(|released| {
						released.opened_at != opened_at || released.epoch != escrowed_epoch
					}) {
						*entry = None;
					}
					let released = entry.get_or_insert_with(|| ReleasedShares {
						opened_at,
						epoch: escrowed_epoch,
						threshold,
						shares: Default::default(),
					});
					ensure!(
						!released.shares.iter().any(|(by, _)| *by == hospital),
						Error::<T>::AlreadyReleased
					);
					released
						.shares
						.try_push((hospital.clone(), stanza))
						.map_err(|_| Error::<T>::AlreadyReleased)?;
					Ok::<_, DispatchError>(())
				})?;
				T::Consent::record(
					&patient,
					&hospital,
					AuditEvent::ShareReleased {
						record,
						doctor: doctor.clone(),
						hospital: hospital.clone(),
					},
				);
				Self::deposit_event(Event::ShareReleased {
					patient: patient.clone(),
					doctor: doctor.clone(),
					record,
					hospital: hospital.clone(),
				});
			}
			// A release that went through costs the custodian nothing, not even its free
			// budget: custodians never starve, however many accesses doctors open (the
			// consortium's policy bounds those). A refused one pays as any other call.
			Ok(Pays::No.into())
		}

		/// Remove the released shares of an emergency access that is no longer open (or whose
		/// doctor is no longer active), at most
		/// `limit` records' worth per call (call again until `done`). The block hook does the
		/// same on its own; this is for doing it at once.
		///
		/// Origin: any signed account (clean-up; the shares are useless once the access ended,
		/// and must not stay in state).
		///
		/// Emits [`Event::ReleasedCleared`]. Errors: `StillOpen`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::clear_released((*limit).min(T::MaxReleasePerCall::get())))]
		pub fn clear_released(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
			limit: u32,
		) -> DispatchResult {
			ensure_signed(origin)?;
			// Ended, or useless: a doctor suspended (or whose hospital left) receives nothing
			// more and must not keep what was released.
			ensure!(
				!T::Emergency::is_open(&patient, &doctor)
					|| !T::Identity::is_active_doctor(&doctor),
				Error::<T>::StillOpen
			);
			let limit = limit.min(T::MaxReleasePerCall::get()) as usize;
			// Keys read one past the limit, to know whether anything is left; removed one by
			// one (a prefix removal with a limit makes no progress twice in one block).
			let records: alloc::vec::Vec<RecordId> =
				Released::<T>::iter_key_prefix((&patient, &doctor)).take(limit + 1).collect();
			let done = records.len() <= limit;
			let mut removed = 0u32;
			for record in records.into_iter().take(limit) {
				Released::<T>::remove((&patient, &doctor, record));
				removed += 1;
			}
			if done {
				ReleasedToClear::<T>::remove(&patient, &doctor);
			}
			Self::deposit_event(Event::ReleasedCleared { patient, doctor, removed, done });
			Ok(())
		}

		/// Name the account that releases the calling hospital's shares (its custodian
		/// service), replacing the one named before; `None` goes back to the hospital's own
		/// account.
		///
		/// Origin: signed by a member hospital.
		///
		/// - `custodian`: an account that is no member hospital, doctor or patient, and no
		///   other hospital's custodian. It may release this hospital's shares
		///   ([`Pallet::release_shares`]) and nothing else; it transacts without tokens.
		///
		/// Emits [`Event::CustodianSet`]. Errors: `NotMemberHospital`, `CustodianNotFree`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_custodian())]
		pub fn set_custodian(
			origin: OriginFor<T>,
			custodian: Option<T::AccountId>,
		) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			ensure!(T::Identity::is_hospital(&hospital), Error::<T>::NotMemberHospital);
			if let Some(custodian) = &custodian {
				ensure!(
					!T::Identity::is_hospital(custodian)
						&& !T::Identity::is_patient(custodian)
						&& T::Identity::hospital_of(custodian).is_none()
						&& CustodianOf::<T>::get(custodian).is_none_or(|of| of == hospital),
					Error::<T>::CustodianNotFree
				);
			}
			// Naming the custodian already named changes nothing: its account is not let go
			// and made again (which would reset its nonce and let its old releases replay).
			if Custodians::<T>::get(&hospital) != custodian {
				if let Some(previous) = Custodians::<T>::take(&hospital) {
					CustodianOf::<T>::remove(&previous);
					frame_system::Pallet::<T>::dec_sufficients(&previous);
				}
				if let Some(custodian) = &custodian {
					// It signs releases without tokens: it exists from now on.
					frame_system::Pallet::<T>::inc_sufficients(custodian);
					Custodians::<T>::insert(&hospital, custodian);
					CustodianOf::<T>::insert(custodian, &hospital);
				}
			}
			Self::deposit_event(Event::CustodianSet { hospital, custodian });
			Ok(())
		}
	}

	/// Named custodians transact without tokens (the runtime adds them to the accounts whose
	/// EHR calls are free), each within its own budget, not its hospital's.
	impl<T: Config> frame_support::traits::Contains<T::AccountId> for Pallet<T> {
		fn contains(who: &T::AccountId) -> bool {
			// A hospital that left keeps no free custodian.
			CustodianOf::<T>::get(who).is_some_and(|hospital| T::Identity::is_hospital(&hospital))
		}
	}

	/// Every account named a custodian, whether or not its hospital is still a member: what
	/// the identity pallet never makes a patient or doctor. A departed hospital's custodian
	/// stays named (only a member can change it), and would be its custodian again if the
	/// hospital came back: were it a doctor of another hospital by then, it could release the
	/// shares of its first hospital to itself.
	pub struct AnyCustodian<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame_support::traits::Contains<T::AccountId> for AnyCustodian<T> {
		fn contains(who: &T::AccountId) -> bool {
			CustodianOf::<T>::contains_key(who)
		}
	}

	/// What the benchmarks need from the rest of the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// `count` member hospitals (at most `MaxCommittee`).
		fn hospitals(count: u32) -> alloc::vec::Vec<AccountId>;
		/// A registered patient with a delegate; returns (patient, delegate).
		fn patient_with_delegate() -> (AccountId, AccountId);
		/// An active doctor with an encryption key.
		fn doctor() -> AccountId;
		/// `patient` adds a record of `category`; returns its id.
		fn add_record(patient: &AccountId, category: RecordCategory) -> RecordId;
		/// `doctor` opens an emergency access to `patient`.
		fn open_emergency(doctor: &AccountId, patient: &AccountId);
		/// `patient` ends the emergency access of `doctor`.
		fn end_emergency(doctor: &AccountId, patient: &AccountId);
	}

	impl<T: Config> ehr_primitives::RecordKeyEscrow<T::AccountId> for Pallet<T> {
		type MaxShares = T::MaxCommittee;

		fn escrow(
			who: &T::AccountId,
			record: RecordId,
			epoch: u32,
			shares: BoundedVec<(T::AccountId, ShareStanza), T::MaxCommittee>,
		) -> DispatchResult {
			Self::do_escrow_key(who.clone(), record, epoch, shares)
		}

		fn weight() -> Weight {
			T::WeightInfo::escrow_key(T::MaxCommittee::get())
		}
	}

	impl<T: Config> ehr_primitives::OnRecordErased for Pallet<T> {
		/// An erased record's escrowed shares go with it (at most one per committee seat).
		fn on_erased(id: RecordId) -> Weight {
			let removed = EscrowedShares::<T>::clear_prefix(id, T::MaxCommittee::get(), None);
			EscrowedBy::<T>::remove(id);
			T::DbWeight::get()
				.reads_writes(1 + u64::from(removed.loops), 1 + u64::from(removed.unique))
		}

		fn max_weight() -> Weight {
			let seats = u64::from(T::MaxCommittee::get());
			T::DbWeight::get().reads_writes(1 + seats, 1 + seats)
		}
	}

	impl<T: Config> ehr_primitives::OnEmergencyClosed<T::AccountId> for Pallet<T> {
		/// Queues the access's released shares for removal by the block hook.
		fn on_emergency_closed(patient: &T::AccountId, doctor: &T::AccountId) {
			if Released::<T>::iter_key_prefix((patient, doctor)).next().is_some() {
				ReleasedToClear::<T>::insert(patient, doctor, ());
			}
		}

		fn weight() -> Weight {
			T::DbWeight::get().reads_writes(1, 1)
		}
	}

	impl<T: Config> Pallet<T> {
		/// Removes released shares of ended emergency accesses, as many as fit in `limit`;
		/// returns the weight used. An access opened again since keeps its entries (stale ones
		/// are replaced as shares are released, and removed when it ends).
		pub fn clear_ended(limit: Weight) -> Weight {
			let db = T::DbWeight::get();
			// The queue entry, the access check (the consent pallet's access and clock).
			let base = db.reads_writes(3, 1);
			// Per record: the look-up of the next key and its removal.
			let per_record = db.reads_writes(1, 1);
			if base.any_gt(limit) {
				return Weight::zero();
			}
			let Some((patient, doctor, ())) = ReleasedToClear::<T>::iter().next() else {
				return db.reads(1);
			};
			let mut used = base;
			if T::Emergency::is_open(&patient, &doctor) {
				ReleasedToClear::<T>::remove(&patient, &doctor);
				return used;
			}
			let mut records = Released::<T>::iter_key_prefix((&patient, &doctor));
			let mut removed = 0u32;
			let done = loop {
				if used.saturating_add(per_record).any_gt(limit) {
					break false;
				}
				used.saturating_accrue(per_record);
				let Some(record) = records.next() else { break true };
				Released::<T>::remove((&patient, &doctor, record));
				removed += 1;
			};
			if done {
				ReleasedToClear::<T>::remove(&patient, &doctor);
			}
			if removed > 0 || done {
				Self::deposit_event(Event::ReleasedCleared { patient, doctor, removed, done });
			}
			used
		}

		/// The `escrow_key` call's checks and effects, for `who` (also the escrow that travels with
		/// a new record: [`ehr_primitives::RecordKeyEscrow`]).
		fn do_escrow_key(
			who: T::AccountId,
			record: RecordId,
			epoch: u32,
			shares: BoundedVec<(T::AccountId, ShareStanza), T::MaxCommittee>,
		) -> DispatchResult {
			let (patient, category) =
				T::Records::patient_and_category(record).ok_or(Error::<T>::UnknownRecord)?;
			// The patient, always; the record's author (a doctor who wrote it) only while it
			// may still write and nothing is escrowed for the record: nobody else can replace
			// a record's shares with shares of a key it chose, or with junk.
			let first = EscrowedShares::<T>::iter_prefix(record).next().is_none();
			ensure!(
				who == patient
					|| (first
						&& T::Records::author(record).as_ref() == Some(&who)
						&& T::Consent::may_access(
							&who,
							&patient,
							category,
							AccessLevel::ReadWrite
						)),
				Error::<T>::NotAuthorized
			);
			// Each escrow is a permanent trail entry: the same account escrows a record once
			// per committee epoch (the patient may still replace its author's shares once).
			ensure!(
				EscrowedBy::<T>::get(record).as_ref() != Some(&who)
					|| EscrowedShares::<T>::iter_prefix_values(record)
						.any(|(escrowed, _)| escrowed != epoch),
				Error::<T>::AlreadyEscrowed
			);
			ensure!(Self::openable(&patient, category), Error::<T>::NotOpenable);
			let committee = Committee::<T>::get();
			ensure!(!committee.is_empty(), Error::<T>::NoCommittee);
			ensure!(epoch == Epoch::<T>::get(), Error::<T>::StaleCommittee);
			ensure!(
				committee.iter().all(|(member, _)| T::Identity::is_hospital(member)),
				Error::<T>::CommitteeMemberLeft
			);
			ensure!(
				shares.len() == committee.len()
					&& committee.iter().all(|(member, _)| {
						shares.iter().filter(|(hospital, _)| hospital == member).count() == 1
					}),
				Error::<T>::WrongCommittee
			);
			for (index, (_, stanza)) in shares.iter().enumerate() {
				ensure!(
					stanza[0] != 0
						&& !shares[..index].iter().any(|(_, other)| other[0] == stanza[0]),
					Error::<T>::BadShare
				);
			}
			let _ = EscrowedShares::<T>::clear_prefix(record, T::MaxCommittee::get(), None);
			for (hospital, stanza) in shares {
				EscrowedShares::<T>::insert(record, hospital, (epoch, stanza));
			}
			EscrowedBy::<T>::insert(record, &who);
			T::Consent::record(&patient, &who, AuditEvent::KeyEscrowed { record, epoch });
			Self::deposit_event(Event::KeyEscrowed { record, epoch });
			Ok(())
		}

		/// Whether records of `category` of `patient` are openable in an emergency.
		pub fn openable(patient: &T::AccountId, category: RecordCategory) -> bool {
			EmergencyCategories::<T>::get(patient).is_some_and(|chosen| chosen.contains(&category))
		}

		/// The pallet's invariants:
		/// - without a committee the threshold and the epoch are 0; with one, its members and
		///   escrow keys are distinct, the keys usable, `1 <= threshold <= members` (1 only for
		///   a committee of one, from a development genesis, else at least 2), and
		///   [`Thresholds`] holds it for the current epoch;
		/// - [`Thresholds`] holds exactly epochs `1..=Epoch`, each at least 1;
		/// - every record's escrowed shares are of one past or current epoch, with distinct
		///   non-zero identifiers, and, for the current epoch, exactly one per committee
		///   member; a record has shares if and only if it has an [`EscrowedBy`], which is its
		///   patient or its author; the record is live (not erased);
		/// - every release has at least one share, each releasing hospital once, and the
		///   epoch and threshold of [`Thresholds`];
		/// - [`Custodians`] and [`CustodianOf`] are inverse maps, and each named custodian's
		///   account exists (a "sufficient" reference);
		/// - every patient's emergency categories are non-empty and distinct, and it is a
		///   registered patient.
		#[cfg(any(feature = "std", feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
			let committee = Committee::<T>::get();
			let (threshold, epoch) = (Threshold::<T>::get(), Epoch::<T>::get());
			if committee.is_empty() {
				ensure!(
					threshold == 0 && epoch == 0,
					"a threshold or an epoch without a committee"
				);
			} else {
				ensure!(epoch >= 1, "a committee without an epoch");
				ensure!(
					(threshold >= 2 || (threshold == 1 && committee.len() == 1))
						&& threshold as usize <= committee.len(),
					"the threshold is out of range for the committee"
				);
				for (index, (member, key)) in committee.iter().enumerate() {
					ensure!(is_usable_encryption_key(key), "a committee escrow key is unusable");
					ensure!(
						!committee[..index]
							.iter()
							.any(|(other, other_key)| other == member || other_key == key),
						"a committee member or escrow key appears twice"
					);
				}
				ensure!(
					Thresholds::<T>::get(epoch) == Some(threshold),
					"the current epoch's threshold is not the threshold"
				);
			}
			let mut epochs = 0u32;
			for (past, past_threshold) in Thresholds::<T>::iter() {
				ensure!(past >= 1 && past <= epoch, "a threshold of an epoch that never was");
				ensure!(past_threshold >= 1, "an epoch's threshold is 0");
				epochs += 1;
			}
			ensure!(epochs == epoch, "an epoch has no threshold");

			// Escrowed shares, by record: (epoch, identifiers, holders).
			let mut escrowed =
				BTreeMap::<RecordId, (u32, BTreeSet<u8>, BTreeSet<T::AccountId>)>::new();
			for (record, hospital, (share_epoch, stanza)) in EscrowedShares::<T>::iter() {
				ensure!(
					share_epoch >= 1 && share_epoch <= epoch,
					"a share of an epoch that never was"
				);
				ensure!(stanza[0] != 0, "a share's identifier is 0");
				let (first_epoch, ids, holders) = escrowed
					.entry(record)
					.or_insert_with(|| (share_epoch, BTreeSet::new(), BTreeSet::new()));
				ensure!(*first_epoch == share_epoch, "a record's shares are of different epochs");
				ensure!(ids.insert(stanza[0]), "two shares of a record have the same identifier");
				holders.insert(hospital);
			}
			for (record, who) in EscrowedBy::<T>::iter() {
				let (share_epoch, _, holders) =
					escrowed.remove(&record).ok_or("EscrowedBy names a record without shares")?;
				let (patient, _) = T::Records::patient_and_category(record)
					.ok_or("shares of a record that is gone or erased")?;
				ensure!(
					who == patient || T::Records::author(record).as_ref() == Some(&who),
					"a record's key was escrowed by neither its patient nor its author"
				);
				if share_epoch == epoch {
					ensure!(
						holders.len() == committee.len()
							&& committee.iter().all(|(member, _)| holders.contains(member)),
						"a record's shares of the current epoch are not one per committee member"
					);
				}
			}
			ensure!(escrowed.is_empty(), "a record has shares but no EscrowedBy");

			for released in Released::<T>::iter_values() {
				ensure!(!released.shares.is_empty(), "a release without a share");
				ensure!(
					Thresholds::<T>::get(released.epoch) == Some(released.threshold),
					"a release's threshold is not its epoch's"
				);
				for (index, (hospital, _)) in released.shares.iter().enumerate() {
					ensure!(
						!released.shares[..index].iter().any(|(other, _)| other == hospital),
						"a hospital released its share twice"
					);
				}
			}

			let mut named = 0u32;
			for (hospital, custodian) in Custodians::<T>::iter() {
				ensure!(
					CustodianOf::<T>::get(&custodian) == Some(hospital),
					"a custodian is not named back to its hospital"
				);
				ensure!(
					frame_system::Pallet::<T>::sufficients(&custodian) > 0,
					"a named custodian's account has no sufficient reference"
				);
				named += 1;
			}
			ensure!(
				CustodianOf::<T>::iter_keys().count() as u32 == named,
				"CustodianOf names a custodian its hospital does not name"
			);

			for (patient, categories) in EmergencyCategories::<T>::iter() {
				ensure!(
					!categories.is_empty(),
					"an empty choice of emergency categories is stored"
				);
				for (index, category) in categories.iter().enumerate() {
					ensure!(
						!categories[..index].contains(category),
						"an emergency category appears twice"
					);
				}
				ensure!(
					T::Identity::is_patient(&patient),
					"emergency categories of an unregistered patient"
				);
			}
			Ok(())
		}
	}
}
