//! # Consent pallet
//!
//! Patients decide who reads their records, and every decision leaves a trace.
//!
//! - A patient, or one of the patient's delegates, grants a doctor, a hospital or another
//!   person access ([`Pallet::grant_access`]) with a [`Scope`] (all records or some categories),
//!   an [`AccessLevel`] (read, or read and write for clinicians), an optional expiry time and a
//!   [`Purpose`]; changes it ([`Pallet::change_access`]) and revokes it
//!   ([`Pallet::revoke_access`]) at any time.
//! - Expiry is lazy: a grant or an emergency access is refused from its expiry time on, by
//!   every check and every runtime API answer, whatever is still to be cleaned up. The clean-up
//!   (trail entry, removal, the reader's record keys) runs in `on_initialize` with a fixed
//!   budget per block ([`Config::MaxExpiriesPerBlock`] items, [`Config::MaxExpiredKeysPerBlock`]
//!   keys) and carries over what does not fit; [`Pallet::clean_expired`] lets anyone finish it
//!   for one grant at once. Each grant and emergency access has at most one item in
//!   [`Expiries`], keyed by its own accounts: there is no shared bucket one account could fill.
//! - A grant to a hospital covers every active doctor of that hospital.
//! - Break-glass access: an active doctor opens time-limited read access to a patient with a
//!   coded reason and a commitment to a note kept off chain ([`Pallet::open_emergency_access`]),
//!   within limits per doctor (open at once, opened per day); it is flagged in the trail, and
//!   closed by expiry, by the doctor or the doctor's hospital after review
//!   ([`Pallet::close_emergency_access`]), or by the patient ([`Pallet::end_emergency_access`]).
//! - Access logging: a reader's client records each opening of a record
//!   ([`Pallet::log_access`]); the record must exist, belong to the patient, have the stated
//!   category, and the caller must be allowed to read it now. Each reader logs at most
//!   [`Config::MaxAccessLogsPerPeriod`] reads of one patient per [`Config::AccessLogPeriod`].
//! - The audit trail of each patient ([`Trail`]) is append-only and ordered: no call removes or
//!   rewrites an entry. Each entry carries the block number and time.
//!
//! Suspended doctors, doctors of a hospital that left the consortium, and unverified accounts
//! get no new consent and are refused wherever access is checked. Other pallets ask through
//! [`ConsentProvider`].

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
use codec::{Decode, Encode, MaxEncodedLen};
use ehr_primitives::{
	AccessLevel, AuditEntry, AuditEvent, ConsentProvider, EmergencyReason, Grant, Identities,
	Moment, NoteCommitment, OnAccessEnded, OnEmergencyClosed, Purpose, RecordCategory, RecordId,
	RecordLookup, ReviewVerdict, Scope,
};
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::*;
use scale_info::TypeInfo;
use sp_runtime::traits::UniqueSaturatedInto;

pub use pallet::*;
pub use weights::WeightInfo;

/// Milliseconds per minute: expiries are kept in one-minute buckets.
pub const MINUTE: Moment = 60_000;
/// Milliseconds per day: the period of the per-doctor limit on emergency accesses.
pub const DAY: Moment = 24 * 60 * MINUTE;
/// Most empty minutes the clean-up passes over in one block (one read each): after a halt of
/// the chain, it catches up ten hours a block.
pub const MAX_EMPTY_MINUTES_PER_BLOCK: u32 = 600;

/// A grant stored for `T`.
pub type GrantOf<T> = Grant<<T as frame_system::Config>::AccountId>;
/// An audit trail entry stored for `T`.
pub type AuditEntryOf<T> = AuditEntry<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// An open break-glass access.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct EmergencyAccess {
	/// Why the doctor opened it (coded).
	pub code: EmergencyReason,
	/// The commitment to the doctor's note kept off chain, if any.
	pub commitment: Option<NoteCommitment>,
	/// When it was opened.
	pub opened_at: Moment,
	/// When it closes by itself.
	pub expires_at: Moment,
}

/// The emergency accesses of one doctor, for the per-doctor limits.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct EmergencyCounts {
	/// Open now (expired ones count until they are cleaned up).
	pub open: u32,
	/// The day (time / [`DAY`]) that `opened_today` counts.
	pub day: u64,
	/// Opened during `day`.
	pub opened_today: u32,
}

/// The consortium's rules for break-glass access, set by the hospitals together
/// ([`Pallet::set_emergency_policy`]): what keeps one hospital from using break-glass to read
/// opted-in records in bulk, on top of each doctor's own limits.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct EmergencyPolicy {
	/// Blocks a doctor must have been registered (since it accepted its hospital's offer)
	/// before it may open emergency access: a doctor a hospital made today cannot break glass
	/// today.
	pub new_doctor_wait: u32,
	/// Most emergency accesses the doctors of one hospital open together in one day (UTC).
	pub hospital_daily_limit: u32,
}

/// What ends at an expiry time.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub enum Expiring<AccountId> {
	/// The grant of `grantee` for `patient`.
	Grant { patient: AccountId, grantee: AccountId },
	/// The emergency access of `doctor` to `patient`.
	Emergency { patient: AccountId, doctor: AccountId },
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

	/// Defaults for [`Config`].
	pub mod config_preludes {
		use super::*;
		use frame_support::{derive_impl, traits::ConstU64};

		const HOUR: Moment = 60 * 60 * 1000;

		/// The limits the pallets' test runtimes share, small so that tests reach them; each
		/// test runtime names only who is who, its clock, its records and its hooks (and
		/// overrides a limit its own tests need tighter or looser).
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			type MaxGrantsPerPatient = ConstU32<3>;
			type EmergencyAccessDuration = ConstU64<{ 4 * HOUR }>;
			type MaxOpenEmergencyAccesses = ConstU32<2>;
			type MaxEmergencyAccessesPerDay = ConstU32<4>;
			type MaxExpiriesPerBlock = ConstU32<4>;
			type MaxExpiredKeysPerBlock = ConstU32<4>;
			type AccessLogPeriod = ConstU64<HOUR>;
			type MaxAccessLogsPerPeriod = ConstU32<8>;
			type OnEmergencyClosed = ();
			type DefaultNewDoctorWait = ConstU32<0>;
			type MaxSettingsChangesPerPeriod = ConstU32<64>;
			type DefaultHospitalEmergenciesPerDay = ConstU32<8>;
			type WeightInfo = ();
		}
	}

	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who is a hospital, an active doctor, a patient, a delegate.
		#[pallet::no_default]
		type Identity: Identities<Self::AccountId>;

		/// The block time (the runtime: `pallet_timestamp`).
		#[pallet::no_default]
		type Clock: Time<Moment = Moment>;

		/// Told when a grantee loses access, so that its record keys are removed.
		#[pallet::no_default]
		type OnAccessEnded: OnAccessEnded<Self::AccountId>;

		/// Whose record is which, and of which category (the runtime: the records pallet).
		#[pallet::no_default]
		type Records: RecordLookup<Self::AccountId>;

		/// Told when an emergency access ends, so that what was released for it goes (the
		/// runtime: the escrow pallet's released shares).
		type OnEmergencyClosed: OnEmergencyClosed<Self::AccountId>;

		/// Most grants a patient may have at once.
		#[pallet::constant]
		type MaxGrantsPerPatient: Get<u32>;

		/// How long an emergency access lasts, in milliseconds.
		#[pallet::constant]
		type EmergencyAccessDuration: Get<Moment>;

		/// Most emergency accesses one doctor may have open at once.
		#[pallet::constant]
		type MaxOpenEmergencyAccesses: Get<u32>;

		/// Most emergency accesses one doctor may open in one day (UTC).
		#[pallet::constant]
		type MaxEmergencyAccessesPerDay: Get<u32>;

		/// Who sets the [`EmergencyPolicy`]: the hospitals together.
		#[pallet::no_default]
		type PolicyOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Most settings changes (grants, changes, emergency categories chosen) one account
		/// makes per [`Config::AccessLogPeriod`]: each writes a permanent trail entry without
		/// tokens. Revoking, and opting out of emergencies, are never held back (each follows a
		/// counted grant or choice, so they are bounded too).
		#[pallet::constant]
		type MaxSettingsChangesPerPeriod: Get<u32>;

		/// The policy's waiting time for new doctors, in blocks, until the hospitals set one.
		#[pallet::constant]
		type DefaultNewDoctorWait: Get<u32>;

		/// The policy's daily limit of emergency accesses per hospital, until the hospitals set
		/// one.
		#[pallet::constant]
		type DefaultHospitalEmergenciesPerDay: Get<u32>;

		/// Most expired grants and emergency accesses the clean-up goes through in one block;
		/// the rest waits for the next blocks.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;

		/// Most record keys of expired grants removed in one block; a grant whose keys do not
		/// all fit is finished in the next blocks.
		#[pallet::constant]
		type MaxExpiredKeysPerBlock: Get<u32>;

		/// The period of the limit on logged reads, in milliseconds.
		#[pallet::constant]
		type AccessLogPeriod: Get<Moment>;

		/// Most reads one reader may log in one patient's trail per [`Config::AccessLogPeriod`].
		#[pallet::constant]
		type MaxAccessLogsPerPeriod: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Creates identities and records and moves the clock for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		#[pallet::no_default]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Consent of each grantee, by patient.
	#[pallet::storage]
	pub type Grants<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		GrantOf<T>,
	>;

	/// How many grants each patient has.
	#[pallet::storage]
	pub type GrantCount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The patients who granted each grantee access: "my patients".
	#[pallet::storage]
	pub type GranteePatients<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, ()>;

	/// Open emergency accesses, by patient and doctor.
	#[pallet::storage]
	pub type EmergencyAccesses<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		EmergencyAccess,
	>;

	/// How many emergency accesses each doctor has open, and opened today.
	#[pallet::storage]
	pub type DoctorEmergencies<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, EmergencyCounts, ValueQuery>;

	/// The break-glass policy in force: [`Config::DefaultNewDoctorWait`] and
	/// [`Config::DefaultHospitalEmergenciesPerDay`] until the genesis or the hospitals set one.
	#[pallet::storage]
	pub type Policy<T: Config> = StorageValue<_, EmergencyPolicy, ValueQuery, DefaultPolicy<T>>;

	/// The default of [`Policy`].
	#[pallet::type_value]
	pub fn DefaultPolicy<T: Config>() -> EmergencyPolicy {
		EmergencyPolicy {
			new_doctor_wait: T::DefaultNewDoctorWait::get(),
			hospital_daily_limit: T::DefaultHospitalEmergenciesPerDay::get(),
		}
	}

	/// Settings changes each account made: the period (time / [`Config::AccessLogPeriod`]) and
	/// the count in it.
	#[pallet::storage]
	pub type SettingsChanges<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (u64, u32), ValueQuery>;

	/// The reviews of each emergency access, by the patient's trail entry that opened it, and
	/// by reviewing hospital: each hospital gives one verdict per access.
	#[pallet::storage]
	pub type Reviews<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, u64>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		ReviewVerdict,
	>;

	/// Emergency accesses the doctors of each hospital opened: the day (time / [`DAY`]) and
	/// the count in it.
	#[pallet::storage]
	pub type HospitalEmergencies<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (u64, u32), ValueQuery>;

	/// The break-glass policy of the genesis: each field `None` keeps the default of
	/// [`Config`].
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// [`EmergencyPolicy::new_doctor_wait`] from block 0.
		pub new_doctor_wait: Option<u32>,
		/// [`EmergencyPolicy::hospital_daily_limit`] from block 0.
		pub hospital_daily_limit: Option<u32>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut policy = Policy::<T>::get();
			if let Some(wait) = self.new_doctor_wait {
				policy.new_doctor_wait = wait;
			}
			if let Some(limit) = self.hospital_daily_limit {
				policy.hospital_daily_limit = limit;
			}
			Policy::<T>::put(policy);
		}
	}

	/// Reads logged by each reader in each patient's trail: the period (time /
	/// [`Config::AccessLogPeriod`]) and the count in it. Removed when the reader's access ends.
	#[pallet::storage]
	pub type AccessLogCounts<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		(u64, u32),
	>;

	/// The audit trail: entry `index` of each patient's trail.
	#[pallet::storage]
	pub type Trail<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u64, AuditEntryOf<T>>;

	/// The length of each patient's audit trail.
	#[pallet::storage]
	pub type TrailLength<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

	/// What expires within each minute (expiry time / 60 000): one item per grant or emergency
	/// access with an expiry, keyed by its accounts, and removed when that grant or access
	/// changes or ends. No per-minute limit.
	#[pallet::storage]
	pub type Expiries<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u64, Blake2_128Concat, Expiring<T::AccountId>, ()>;

	/// The earliest minute of [`Expiries`] that may still hold items; set with the first item.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, u64>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `patient` (or delegate `by`) granted `grantee` access.
		ConsentGranted { patient: T::AccountId, grantee: T::AccountId, by: T::AccountId },
		/// The consent of `grantee` changed.
		ConsentChanged { patient: T::AccountId, grantee: T::AccountId, by: T::AccountId },
		/// The consent of `grantee` was revoked.
		ConsentRevoked { patient: T::AccountId, grantee: T::AccountId, by: T::AccountId },
		/// The consent of `grantee`, which had reached its expiry time, was cleaned up.
		ConsentExpired { patient: T::AccountId, grantee: T::AccountId },
		/// `doctor` opened break-glass access to `patient`.
		EmergencyAccessOpened {
			patient: T::AccountId,
			doctor: T::AccountId,
			code: EmergencyReason,
			expires_at: Moment,
		},
		/// The emergency access of `doctor` ended (`by` is `None` on expiry).
		EmergencyAccessClosed {
			patient: T::AccountId,
			doctor: T::AccountId,
			by: Option<T::AccountId>,
		},
		/// `reader` opened a record of `patient`.
		AccessLogged { patient: T::AccountId, reader: T::AccountId, record: RecordId },
		/// The hospitals set a new break-glass policy.
		EmergencyPolicySet { policy: EmergencyPolicy },
		/// `hospital` reviewed the emergency access of `doctor` opened at `patient`'s trail entry
		/// `entry`.
		EmergencyAccessReviewed {
			patient: T::AccountId,
			entry: u64,
			doctor: T::AccountId,
			hospital: T::AccountId,
			verdict: ReviewVerdict,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A delegate may not grant (or change) access for itself: delegates manage consent
		/// for others.
		DelegateCannotGrantItself,
		/// The patient is not registered.
		NotPatient,
		/// Only the patient or one of the patient's delegates may do this.
		NotPatientOrDelegate,
		/// The grantee is no hospital, verified doctor or registered patient.
		UnknownGrantee,
		/// The doctor is suspended (or the doctor's hospital left the consortium).
		DoctorSuspended,
		/// A patient does not grant access to themselves.
		CannotGrantSelf,
		/// Write access is for doctors and hospitals only.
		WriteNeedsClinician,
		/// The scope names no category.
		EmptyScope,
		/// The expiry time is not in the future.
		ExpiryInPast,
		/// The grantee has consent already; change it instead.
		AlreadyGranted,
		/// The grantee has no consent.
		NotGranted,
		/// The patient has [`Config::MaxGrantsPerPatient`] grants already.
		TooManyGrants,
		/// Only an active verified doctor may do this.
		NotActiveDoctor,
		/// The doctor has an open emergency access to this patient already.
		EmergencyAccessAlreadyOpen,
		/// There is no open emergency access of this doctor to this patient.
		NoEmergencyAccess,
		/// Only the doctor or the doctor's hospital may close an emergency access.
		NotDoctorOrHospital,
		/// The doctor has [`Config::MaxOpenEmergencyAccesses`] emergency accesses open.
		TooManyOpenEmergencyAccesses,
		/// The doctor opened [`Config::MaxEmergencyAccessesPerDay`] emergency accesses today.
		TooManyEmergencyAccessesToday,
		/// The caller may not read that record.
		NotAuthorized,
		/// No record has this id (or it was erased).
		UnknownRecord,
		/// The record belongs to another patient.
		NotPatientsRecord,
		/// The record is of another category.
		WrongCategory,
		/// The reader logged [`Config::MaxAccessLogsPerPeriod`] reads of this patient in this
		/// period already.
		TooManyAccessLogs,
		/// Neither a grant nor an emergency access of this account has expired.
		NothingExpired,
		/// The doctor was registered less than the policy's waiting time ago
		/// ([`EmergencyPolicy::new_doctor_wait`]).
		DoctorTooNew,
		/// The doctors of this hospital opened the policy's daily number of emergency accesses
		/// today ([`EmergencyPolicy::hospital_daily_limit`]).
		HospitalEmergencyLimit,
		/// A delegate grants only to active doctors and member hospitals: access for another
		/// patient's account needs the patient's own signature.
		DelegateGrantsToClinicians,
		/// The account made [`Config::MaxSettingsChangesPerPeriod`] settings changes this
		/// period already (each is a permanent trail entry).
		TooManySettingsChanges,
		/// Only a member hospital reviews emergency accesses.
		NotReviewer,
		/// A hospital does not review its own doctors' emergency accesses: the others do.
		OwnDoctorsAccess,
		/// The trail entry is not an emergency access being opened.
		NotAnEmergencyAccess,
		/// This hospital reviewed that emergency access already.
		AlreadyReviewed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::process_expiries()
		}

		fn integrity_test() {
			assert!(T::AccessLogPeriod::get() > 0, "the access log period is not empty");
			assert!(T::MaxExpiriesPerBlock::get() > 0, "the clean-up makes progress");
			assert!(T::MaxExpiredKeysPerBlock::get() > 0, "the clean-up removes keys");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Grant `grantee` access to records of `patient`.
		///
		/// - Origin: signed by the patient or one of the patient's delegates.
		/// - `scope`, `access`, `purpose`: the terms; `expires_at`: when the grant stops working
		///   (milliseconds since the Unix epoch), `None` for never.
		/// - Event: [`Event::ConsentGranted`]; trail entry `ConsentGranted`.
		/// - Errors: `NotPatient`, `NotPatientOrDelegate`, `AlreadyGranted`, `CannotGrantSelf`,
		///   `DoctorSuspended`, `UnknownGrantee`, `DelegateGrantsToClinicians` (a delegate
		///   granting to a patient account), `WriteNeedsClinician`, `EmptyScope`,
		///   `ExpiryInPast`, `TooManyGrants`, `TooManySettingsChanges` (a grant or a change
		///   counts among the actor's [`Config::MaxSettingsChangesPerPeriod`]; a revocation
		///   does not).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::grant_access().saturating_add(T::DbWeight::get().reads_writes(1, 1)))]
		pub fn grant_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
			scope: Scope,
			access: AccessLevel,
			expires_at: Option<Moment>,
			purpose: Purpose,
		) -> DispatchResult {
			let actor = Self::ensure_patient_or_delegate(origin, &patient)?;
			Self::count_settings_change(&actor)?;
			ensure!(!Grants::<T>::contains_key(&patient, &grantee), Error::<T>::AlreadyGranted);
			let grant = Self::checked_grant(
				&patient, &grantee, scope, access, expires_at, purpose, &actor,
			)?;
			GrantCount::<T>::try_mutate(&patient, |count| -> DispatchResult {
				ensure!(*count < T::MaxGrantsPerPatient::get(), Error::<T>::TooManyGrants);
				*count += 1;
				Ok(())
			})?;
			Self::schedule_grant_expiry(&patient, &grantee, &grant);
			Grants::<T>::insert(&patient, &grantee, &grant);
			GranteePatients::<T>::insert(&grantee, &patient, ());
			Self::append(
				&patient,
				&actor,
				AuditEvent::ConsentGranted { grantee: grantee.clone(), grant },
			);
			Self::deposit_event(Event::ConsentGranted { patient, grantee, by: actor });
			Ok(())
		}

		/// Replace the consent of `grantee` with new terms. The old expiry, if any, is dropped
		/// and the new one scheduled in its place. A grant that expired but was not cleaned up
		/// yet may be renewed this way.
		///
		/// - Origin: signed by the patient or one of the patient's delegates.
		/// - Event: [`Event::ConsentChanged`]; trail entry `ConsentChanged`.
		/// - Errors: `NotPatient`, `NotPatientOrDelegate`, `NotGranted`, and those of the terms
		///   as for [`Pallet::grant_access`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::change_access().saturating_add(T::DbWeight::get().reads_writes(1, 1)))]
		pub fn change_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
			scope: Scope,
			access: AccessLevel,
			expires_at: Option<Moment>,
			purpose: Purpose,
		) -> DispatchResult {
			let actor = Self::ensure_patient_or_delegate(origin, &patient)?;
			Self::count_settings_change(&actor)?;
			let old = Grants::<T>::get(&patient, &grantee).ok_or(Error::<T>::NotGranted)?;
			let grant = Self::checked_grant(
				&patient, &grantee, scope, access, expires_at, purpose, &actor,
			)?;
			Self::unschedule_grant_expiry(&patient, &grantee, &old);
			Self::schedule_grant_expiry(&patient, &grantee, &grant);
			Grants::<T>::insert(&patient, &grantee, &grant);
			// Keys to records the new terms no longer cover go in the following blocks (and are
			// refused from now on: readers are checked against the current grant).
			T::OnAccessEnded::on_access_changed(&patient, &grantee);
			Self::append(
				&patient,
				&actor,
				AuditEvent::ConsentChanged { grantee: grantee.clone(), grant },
			);
			Self::deposit_event(Event::ConsentChanged { patient, grantee, by: actor });
			Ok(())
		}

		/// Revoke the consent of `grantee`; its record keys are removed with it.
		///
		/// - Origin: signed by the patient or one of the patient's delegates.
		/// - Event: [`Event::ConsentRevoked`]; trail entry `ConsentRevoked`.
		/// - Errors: `NotPatient`, `NotPatientOrDelegate`, `NotGranted`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::revoke_access().saturating_add(T::DbWeight::get().reads_writes(1, 1)))]
		pub fn revoke_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let actor = Self::ensure_patient_or_delegate(origin, &patient)?;
			let grant = Grants::<T>::get(&patient, &grantee).ok_or(Error::<T>::NotGranted)?;
			Self::remove_grant(&patient, &grantee, &grant);
			// Access is refused from now on; the keys go at the end of this block and the next
			// ones (bounded work, so that revoking stays cheap whatever the patient holds).
			T::OnAccessEnded::on_access_changed(&patient, &grantee);
			Self::append(&patient, &actor, AuditEvent::ConsentRevoked { grantee: grantee.clone() });
			Self::deposit_event(Event::ConsentRevoked { patient, grantee, by: actor });
			Ok(().into())
		}

		/// Open break-glass read access to `patient` for the calling doctor, for
		/// [`Config::EmergencyAccessDuration`].
		///
		/// - Origin: signed by an active verified doctor.
		/// - `code`: why, as a coded reason; `commitment`: SHA-256 of a 32-byte salt followed by
		///   the doctor's free-text note, both kept off chain (no plain text on chain).
		/// - A previous access of the same doctor to the same patient that has expired is
		///   closed first (trail entry `EmergencyAccessClosed { expired: true }`).
		/// - Limits: at most [`Config::MaxOpenEmergencyAccesses`] open at once and
		///   [`Config::MaxEmergencyAccessesPerDay`] opened per day, per doctor; the doctor
		///   registered at least [`EmergencyPolicy::new_doctor_wait`] blocks ago; at most
		///   [`EmergencyPolicy::hospital_daily_limit`] opened per day by the doctors of the
		///   doctor's hospital together.
		/// - Event: [`Event::EmergencyAccessOpened`]; trail entry `EmergencyAccessOpened`.
		/// - Errors: `NotActiveDoctor`, `NotPatient`, `DoctorTooNew`,
		///   `EmergencyAccessAlreadyOpen`, `TooManyOpenEmergencyAccesses`,
		///   `TooManyEmergencyAccessesToday`, `HospitalEmergencyLimit`.
		#[pallet::call_index(3)]
		// The policy, the doctor's entry and the hospital's count are read on top of what was
		// measured (until the next benchmark run measures them with the call).
		#[pallet::weight(T::WeightInfo::open_emergency_access()
			.saturating_add(T::OnEmergencyClosed::weight())
			.saturating_add(T::DbWeight::get().reads_writes(3, 1)))]
		pub fn open_emergency_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			code: EmergencyReason,
			commitment: Option<NoteCommitment>,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			ensure!(T::Identity::is_active_doctor(&doctor), Error::<T>::NotActiveDoctor);
			ensure!(T::Identity::is_patient(&patient), Error::<T>::NotPatient);
			let policy = Policy::<T>::get();
			let registered = T::Identity::doctor_registered_at(&doctor).unwrap_or(u64::MAX);
			let block: u64 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
			ensure!(
				block.saturating_sub(registered) >= u64::from(policy.new_doctor_wait)
					&& registered <= block,
				Error::<T>::DoctorTooNew
			);
			let hospital = T::Identity::hospital_of(&doctor).ok_or(Error::<T>::NotActiveDoctor)?;
			let now = T::Clock::now();
			if let Some(previous) = EmergencyAccesses::<T>::get(&patient, &doctor) {
				ensure!(previous.expires_at <= now, Error::<T>::EmergencyAccessAlreadyOpen);
				Self::close_emergency(&patient, &doctor, &previous, None, now);
			}
			let today = now / DAY;
			DoctorEmergencies::<T>::try_mutate(&doctor, |counts| -> DispatchResult {
				if counts.day != today {
					counts.day = today;
					counts.opened_today = 0;
				}
				ensure!(
					counts.open < T::MaxOpenEmergencyAccesses::get(),
					Error::<T>::TooManyOpenEmergencyAccesses
				);
				ensure!(
					counts.opened_today < T::MaxEmergencyAccessesPerDay::get(),
					Error::<T>::TooManyEmergencyAccessesToday
				);
				counts.open += 1;
				counts.opened_today += 1;
				Ok(())
			})?;
			HospitalEmergencies::<T>::try_mutate(&hospital, |(day, count)| -> DispatchResult {
				if *day != today {
					*day = today;
					*count = 0;
				}
				ensure!(*count < policy.hospital_daily_limit, Error::<T>::HospitalEmergencyLimit);
				*count += 1;
				Ok(())
			})?;
			let expires_at = now.saturating_add(T::EmergencyAccessDuration::get());
			Self::schedule_expiry(
				expires_at,
				Expiring::Emergency { patient: patient.clone(), doctor: doctor.clone() },
			);
			EmergencyAccesses::<T>::insert(
				&patient,
				&doctor,
				EmergencyAccess { code, commitment, opened_at: now, expires_at },
			);
			Self::append(
				&patient,
				&doctor,
				AuditEvent::EmergencyAccessOpened {
					doctor: doctor.clone(),
					code,
					commitment,
					expires_at,
				},
			);
			Self::deposit_event(Event::EmergencyAccessOpened { patient, doctor, code, expires_at });
			Ok(())
		}

		/// Close the emergency access of `doctor` to `patient` (after review).
		///
		/// - Origin: signed by the doctor or the doctor's hospital.
		/// - Event: [`Event::EmergencyAccessClosed`] with `by`; trail entry
		///   `EmergencyAccessClosed` (`expired` if it had reached its expiry time).
		/// - Errors: `NotDoctorOrHospital`, `NoEmergencyAccess`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::close_emergency_access().saturating_add(T::OnEmergencyClosed::weight()))]
		pub fn close_emergency_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
		) -> DispatchResult {
			let actor = ensure_signed(origin)?;
			ensure!(
				actor == doctor || T::Identity::hospital_of(&doctor).as_ref() == Some(&actor),
				Error::<T>::NotDoctorOrHospital
			);
			let access = EmergencyAccesses::<T>::get(&patient, &doctor)
				.ok_or(Error::<T>::NoEmergencyAccess)?;
			Self::close_emergency(&patient, &doctor, &access, Some(&actor), T::Clock::now());
			Ok(())
		}

		/// Record in the trail that the caller opened `record` (of `category`) of `patient`.
		///
		/// - Origin: signed by a reader allowed to read the record now: the patient, a grantee
		///   whose current consent covers `category`, or a doctor with an open emergency access.
		/// - The record must exist (not erased), belong to `patient` and be of `category`.
		/// - At most [`Config::MaxAccessLogsPerPeriod`] per reader and patient per
		///   [`Config::AccessLogPeriod`].
		/// - Event: [`Event::AccessLogged`]; trail entry `RecordAccessed`.
		/// - Errors: `UnknownRecord`, `NotPatientsRecord`, `WrongCategory`, `NotAuthorized`,
		///   `TooManyAccessLogs`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::log_access())]
		pub fn log_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			record: RecordId,
			category: RecordCategory,
		) -> DispatchResult {
			let reader = ensure_signed(origin)?;
			let (owner, actual) =
				T::Records::patient_and_category(record).ok_or(Error::<T>::UnknownRecord)?;
			ensure!(owner == patient, Error::<T>::NotPatientsRecord);
			ensure!(actual == category, Error::<T>::WrongCategory);
			ensure!(
				Self::may_access(&reader, &patient, category, AccessLevel::Read),
				Error::<T>::NotAuthorized
			);
			let period = T::Clock::now().checked_div(T::AccessLogPeriod::get()).unwrap_or_default();
			AccessLogCounts::<T>::try_mutate(&patient, &reader, |entry| -> DispatchResult {
				let (logged_in, count) = entry.get_or_insert((period, 0));
				if *logged_in != period {
					*logged_in = period;
					*count = 0;
				}
				ensure!(*count < T::MaxAccessLogsPerPeriod::get(), Error::<T>::TooManyAccessLogs);
				*count += 1;
				Ok(())
			})?;
			Self::append(&patient, &reader, AuditEvent::RecordAccessed { record, category });
			Self::deposit_event(Event::AccessLogged { patient, reader, record });
			Ok(())
		}

		/// End the emergency access of `doctor` to `patient`: the patient's own decision.
		///
		/// - Origin: signed by the patient or one of the patient's delegates.
		/// - Event: [`Event::EmergencyAccessClosed`] with `by`; trail entry
		///   `EmergencyAccessClosed` (`expired` if it had reached its expiry time).
		/// - Errors: `NotPatient`, `NotPatientOrDelegate`, `NoEmergencyAccess`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::end_emergency_access().saturating_add(T::OnEmergencyClosed::weight()))]
		pub fn end_emergency_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
		) -> DispatchResult {
			let actor = Self::ensure_patient_or_delegate(origin, &patient)?;
			let access = EmergencyAccesses::<T>::get(&patient, &doctor)
				.ok_or(Error::<T>::NoEmergencyAccess)?;
			Self::close_emergency(&patient, &doctor, &access, Some(&actor), T::Clock::now());
			Ok(())
		}

		/// Clean up now, rather than waiting for the per-block clean-up, the expired grant and
		/// the expired emergency access of `who` to `patient`: the grant goes with all of its
		/// record keys. Access already stopped at the expiry time; this only tidies up (e.g.
		/// before granting the same account again).
		///
		/// - Origin: any signed account.
		/// - Events: [`Event::ConsentExpired`], [`Event::EmergencyAccessClosed`] with `by` `None`;
		///   trail entries `ConsentExpired`, `EmergencyAccessClosed { expired: true }`.
		/// - Errors: `NothingExpired`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::clean_expired()
			.saturating_add(T::OnAccessEnded::max_weight())
			.saturating_add(T::OnEmergencyClosed::weight()))]
		pub fn clean_expired(
			origin: OriginFor<T>,
			patient: T::AccountId,
			who: T::AccountId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let now = T::Clock::now();
			let mut weight = T::WeightInfo::clean_expired();
			let mut cleaned = false;
			if let Some(grant) = Grants::<T>::get(&patient, &who) {
				if grant.expires_at.is_some_and(|expiry| expiry <= now) {
					weight.saturating_accrue(Self::end_grant(&patient, &who, &grant));
					Self::trail_grant_expired(patient.clone(), who.clone());
					cleaned = true;
				}
			}
			if let Some(access) = EmergencyAccesses::<T>::get(&patient, &who) {
				if access.expires_at <= now {
					Self::close_emergency(&patient, &who, &access, None, now);
					weight.saturating_accrue(T::OnEmergencyClosed::weight());
					cleaned = true;
				}
			}
			ensure!(cleaned, Error::<T>::NothingExpired);
			Ok(Some(weight).into())
		}

		/// Review an emergency access opened by another hospital's doctor: the verdict goes on
		/// chain and into the patient's trail (where the patient, its delegates and auditors
		/// see it), so that every hospital, not only the doctor's own, watches break-glass.
		///
		/// - Origin: signed by a member hospital that is not the doctor's.
		/// - `patient`, `entry`: the patient's trail entry that opened the access
		///   (`EmergencyAccessOpened`; open, closed or expired).
		/// - `verdict`: justified, questionable or unjustified. One per hospital and access.
		/// - Event: [`Event::EmergencyAccessReviewed`]; trail entry `EmergencyAccessReviewed`.
		/// - Errors: `NotReviewer`, `NotAnEmergencyAccess`, `OwnDoctorsAccess`,
		///   `AlreadyReviewed`.
		#[pallet::call_index(9)]
		// As a logged read (a trail entry after a few reads), with the membership, the
		// doctor's entry and the review written on top; until a benchmark measures it.
		#[pallet::weight(T::WeightInfo::log_access().saturating_add(T::DbWeight::get().reads_writes(3, 1)))]
		pub fn review_emergency_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			entry: u64,
			verdict: ReviewVerdict,
		) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			ensure!(T::Identity::is_hospital(&hospital), Error::<T>::NotReviewer);
			let opened =
				Trail::<T>::get(&patient, entry).ok_or(Error::<T>::NotAnEmergencyAccess)?;
			let AuditEvent::EmergencyAccessOpened { doctor, .. } = opened.event else {
				return Err(Error::<T>::NotAnEmergencyAccess.into());
			};
			ensure!(
				T::Identity::hospital_of(&doctor).as_ref() != Some(&hospital),
				Error::<T>::OwnDoctorsAccess
			);
			ensure!(
				!Reviews::<T>::contains_key((&patient, entry, &hospital)),
				Error::<T>::AlreadyReviewed
			);
			Reviews::<T>::insert((&patient, entry, &hospital), verdict);
			Self::append(
				&patient,
				&hospital,
				AuditEvent::EmergencyAccessReviewed { entry, doctor: doctor.clone(), verdict },
			);
			Self::deposit_event(Event::EmergencyAccessReviewed {
				patient,
				entry,
				doctor,
				hospital,
				verdict,
			});
			Ok(())
		}

		/// Set the break-glass policy: how long a new doctor waits before it may open
		/// emergency access, and how many emergency accesses one hospital's doctors open in a
		/// day together.
		///
		/// - Origin: [`Config::PolicyOrigin`] (the hospitals, two thirds).
		/// - `policy`: the new policy, in force from this block (today's counts stay).
		/// - Event: [`Event::EmergencyPolicySet`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_emergency_policy())]
		pub fn set_emergency_policy(
			origin: OriginFor<T>,
			policy: EmergencyPolicy,
		) -> DispatchResult {
			T::PolicyOrigin::ensure_origin(origin)?;
			Policy::<T>::put(policy);
			Self::deposit_event(Event::EmergencyPolicySet { policy });
			Ok(())
		}
	}
}

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Register `who` as a patient.
	fn register_patient(who: &AccountId);
	/// Register `who` as an active doctor of some member hospital.
	fn register_doctor(who: &AccountId);
	/// Set the block time.
	fn set_time(now: Moment);
	/// Add a record of `category` for the registered patient `patient`; returns its id.
	fn add_record(patient: &AccountId, category: RecordCategory) -> RecordId;
}

impl<T: Config> Pallet<T> {
	fn ensure_patient_or_delegate(
		origin: OriginFor<T>,
		patient: &T::AccountId,
	) -> Result<T::AccountId, DispatchError> {
		let actor = ensure_signed(origin)?;
		ensure!(T::Identity::is_patient(patient), Error::<T>::NotPatient);
		ensure!(
			&actor == patient || T::Identity::is_delegate(patient, &actor),
			Error::<T>::NotPatientOrDelegate
		);
		Ok(actor)
	}

	/// One more settings change of `actor` this period, within
	/// [`Config::MaxSettingsChangesPerPeriod`].
	fn count_settings_change(actor: &T::AccountId) -> DispatchResult {
		let now = T::Clock::now().checked_div(T::AccessLogPeriod::get()).unwrap_or_default();
		SettingsChanges::<T>::try_mutate(actor, |(period, count)| -> DispatchResult {
			if *period != now {
				*period = now;
				*count = 0;
			}
			ensure!(
				*count < T::MaxSettingsChangesPerPeriod::get(),
				Error::<T>::TooManySettingsChanges
			);
			*count += 1;
			Ok(())
		})
	}

	/// Checks the grantee and the terms, and builds the grant.
	fn checked_grant(
		patient: &T::AccountId,
		grantee: &T::AccountId,
		scope: Scope,
		access: AccessLevel,
		expires_at: Option<Moment>,
		purpose: Purpose,
		actor: &T::AccountId,
	) -> Result<GrantOf<T>, DispatchError> {
		ensure!(patient != grantee, Error::<T>::CannotGrantSelf);
		// Delegates manage consent for others; they may not give themselves access (and with
		// it every future record's key).
		ensure!(actor == patient || actor != grantee, Error::<T>::DelegateCannotGrantItself);
		let is_doctor = T::Identity::hospital_of(grantee).is_some();
		let is_clinician = is_doctor || T::Identity::is_hospital(grantee);
		if is_doctor {
			ensure!(T::Identity::is_active_doctor(grantee), Error::<T>::DoctorSuspended);
		}
		ensure!(is_clinician || T::Identity::is_patient(grantee), Error::<T>::UnknownGrantee);
		// A delegate could name a second account of its own as "family" and read the records
		// through it: access for a patient's account is the patient's own decision.
		ensure!(actor == patient || is_clinician, Error::<T>::DelegateGrantsToClinicians);
		ensure!(access == AccessLevel::Read || is_clinician, Error::<T>::WriteNeedsClinician);
		let scope = match scope {
			Scope::All => Scope::All,
			Scope::Categories(categories) => {
				ensure!(!categories.is_empty(), Error::<T>::EmptyScope);
				let mut categories = categories.into_inner();
				categories.sort();
				categories.dedup();
				// Fewer than before, so within the bound.
				Scope::Categories(BoundedVec::truncate_from(categories))
			}
		};
		let now = T::Clock::now();
		if let Some(expiry) = expires_at {
			ensure!(expiry > now, Error::<T>::ExpiryInPast);
		}
		Ok(Grant { scope, access, expires_at, purpose, granted_at: now, granted_by: actor.clone() })
	}

	fn schedule_grant_expiry(patient: &T::AccountId, grantee: &T::AccountId, grant: &GrantOf<T>) {
		if let Some(expiry) = grant.expires_at {
			Self::schedule_expiry(
				expiry,
				Expiring::Grant { patient: patient.clone(), grantee: grantee.clone() },
			);
		}
	}

	fn unschedule_grant_expiry(patient: &T::AccountId, grantee: &T::AccountId, grant: &GrantOf<T>) {
		if let Some(expiry) = grant.expires_at {
			Expiries::<T>::remove(
				expiry / MINUTE,
				Expiring::Grant { patient: patient.clone(), grantee: grantee.clone() },
			);
		}
	}

	/// Adds `item` to the minute of `expiry`. An expiry is always in the future, so its minute
	/// is never before the clean-up's cursor.
	fn schedule_expiry(expiry: Moment, item: Expiring<T::AccountId>) {
		if ExpiryCursor::<T>::get().is_none() {
			ExpiryCursor::<T>::put(T::Clock::now() / MINUTE);
		}
		Expiries::<T>::insert(expiry / MINUTE, item, ());
	}

	/// Removes a grant with its index, its expiry item and its reader's log counter.
	fn remove_grant(patient: &T::AccountId, grantee: &T::AccountId, grant: &GrantOf<T>) {
		Grants::<T>::remove(patient, grantee);
		GranteePatients::<T>::remove(grantee, patient);
		GrantCount::<T>::mutate(patient, |count| *count = count.saturating_sub(1));
		Self::unschedule_grant_expiry(patient, grantee, grant);
		AccessLogCounts::<T>::remove(patient, grantee);
	}

	/// Removes a grant and tells [`Config::OnAccessEnded`], which removes all the keys.
	fn end_grant(patient: &T::AccountId, grantee: &T::AccountId, grant: &GrantOf<T>) -> Weight {
		Self::remove_grant(patient, grantee, grant);
		T::OnAccessEnded::on_access_ended(patient, grantee)
	}

	fn trail_grant_expired(patient: T::AccountId, grantee: T::AccountId) {
		Self::append(&patient, &grantee, AuditEvent::ConsentExpired { grantee: grantee.clone() });
		Self::deposit_event(Event::ConsentExpired { patient, grantee });
	}

	/// Ends an emergency access: by `actor` (`None`: by expiry, in the doctor's name).
	fn close_emergency(
		patient: &T::AccountId,
		doctor: &T::AccountId,
		access: &EmergencyAccess,
		actor: Option<&T::AccountId>,
		now: Moment,
	) {
		EmergencyAccesses::<T>::remove(patient, doctor);
		Expiries::<T>::remove(
			access.expires_at / MINUTE,
			Expiring::Emergency { patient: patient.clone(), doctor: doctor.clone() },
		);
		DoctorEmergencies::<T>::mutate(doctor, |counts| {
			counts.open = counts.open.saturating_sub(1)
		});
		if !Grants::<T>::contains_key(patient, doctor) {
			AccessLogCounts::<T>::remove(patient, doctor);
		}
		T::OnEmergencyClosed::on_emergency_closed(patient, doctor);
		Self::append(
			patient,
			actor.unwrap_or(doctor),
			AuditEvent::EmergencyAccessClosed {
				doctor: doctor.clone(),
				expired: access.expires_at <= now,
			},
		);
		Self::deposit_event(Event::EmergencyAccessClosed {
			patient: patient.clone(),
			doctor: doctor.clone(),
			by: actor.cloned(),
		});
	}

	/// Appends `event` by `actor` to the trail of `patient`.
	fn append(patient: &T::AccountId, actor: &T::AccountId, event: AuditEvent<T::AccountId>) {
		let index = TrailLength::<T>::mutate(patient, |length| {
			let index = *length;
			*length = length.saturating_add(1);
			index
		});
		let entry = AuditEntry {
			block: frame_system::Pallet::<T>::block_number(),
			time: T::Clock::now(),
			actor: actor.clone(),
			event,
		};
		Trail::<T>::insert(patient, index, entry);
	}

	/// The clean-up of one block: goes through the minutes that have passed, in order, ending
	/// their expired grants and emergency accesses with a trail entry each, within
	/// [`Config::MaxExpiriesPerBlock`] items, [`Config::MaxExpiredKeysPerBlock`] record keys and
	/// [`MAX_EMPTY_MINUTES_PER_BLOCK`] empty minutes. A grant whose keys do not all fit stays
	/// (refused already) and is finished in the next blocks.
	pub(crate) fn process_expiries() -> Weight {
		let db = T::DbWeight::get();
		let Some(mut minute) = ExpiryCursor::<T>::get() else {
			return db.reads(1);
		};
		let now = T::Clock::now();
		let current_minute = now / MINUTE;
		let (max_items, mut keys_left) =
			(T::MaxExpiriesPerBlock::get(), T::MaxExpiredKeysPerBlock::get());
		let (mut items, mut empty_minutes) = (0u32, 0u32);
		let mut hook_weight = Weight::zero();
		while minute < current_minute && items < max_items && keys_left > 0 {
			let Some(item) = Expiries::<T>::iter_key_prefix(minute).next() else {
				if empty_minutes >= MAX_EMPTY_MINUTES_PER_BLOCK {
					break;
				}
				empty_minutes += 1;
				minute += 1;
				continue;
			};
			items += 1;
			match &item {
				Expiring::Grant { patient, grantee } => {
					let expired = Grants::<T>::get(patient, grantee)
						.filter(|grant| grant.expires_at.is_some_and(|expiry| expiry <= now));
					let Some(grant) = expired else {
						// Nothing left to end (kept items always match their grant).
						Expiries::<T>::remove(minute, &item);
						continue;
					};
					let (done, removed, weight) =
						T::OnAccessEnded::on_access_ended_bounded(patient, grantee, keys_left);
					hook_weight.saturating_accrue(weight);
					keys_left = keys_left.saturating_sub(removed);
					if !done {
						break;
					}
					Self::remove_grant(patient, grantee, &grant);
					Self::trail_grant_expired(patient.clone(), grantee.clone());
				}
				Expiring::Emergency { patient, doctor } => {
					match EmergencyAccesses::<T>::get(patient, doctor) {
						Some(access) if access.expires_at <= now => {
							Self::close_emergency(patient, doctor, &access, None, now)
						}
						_ => Expiries::<T>::remove(minute, &item),
					}
				}
			}
		}
		ExpiryCursor::<T>::put(minute);
		T::WeightInfo::process_expiries(items)
			.saturating_add(T::OnEmergencyClosed::weight().saturating_mul(items as u64))
			.saturating_add(db.reads(empty_minutes as u64))
			.saturating_add(hook_weight)
	}

	/// The most weight one block's clean-up may use: its items, its empty minutes, and the
	/// records hook called once per item with the block's keys spread over them.
	pub fn max_expiry_weight() -> Weight {
		let items = T::MaxExpiriesPerBlock::get();
		T::WeightInfo::process_expiries(items)
			.saturating_add(T::OnEmergencyClosed::weight().saturating_mul(items as u64))
			.saturating_add(T::DbWeight::get().reads(MAX_EMPTY_MINUTES_PER_BLOCK as u64))
			.saturating_add(T::OnAccessEnded::bounded_weight(0).saturating_mul(items as u64))
			.saturating_add(T::OnAccessEnded::bounded_weight(T::MaxExpiredKeysPerBlock::get()))
	}

	/// The current grants of `patient` (not expired), by grantee.
	pub fn grants_of(patient: &T::AccountId) -> Vec<(T::AccountId, GrantOf<T>)> {
		let now = T::Clock::now();
		Grants::<T>::iter_prefix(patient)
			.filter(|(_, grant)| grant.expires_at.is_none_or(|expiry| now < expiry))
			.collect()
	}

	/// The patients whose current (not expired) grant names `grantee` (directly; not through
	/// its hospital).
	pub fn patients_of(grantee: &T::AccountId) -> Vec<T::AccountId> {
		let now = T::Clock::now();
		GranteePatients::<T>::iter_key_prefix(grantee)
			.filter(|patient| {
				Grants::<T>::get(patient, grantee)
					.is_some_and(|grant| grant.expires_at.is_none_or(|expiry| now < expiry))
			})
			.collect()
	}

	/// The open (not expired) emergency accesses to `patient`, by doctor.
	pub fn emergency_accesses_of(patient: &T::AccountId) -> Vec<(T::AccountId, EmergencyAccess)> {
		let now = T::Clock::now();
		EmergencyAccesses::<T>::iter_prefix(patient)
			.filter(|(_, access)| now < access.expires_at)
			.collect()
	}

	/// Entries `from..from + limit` of the trail of `patient`, with their indices.
	pub fn trail(patient: &T::AccountId, from: u64, limit: u32) -> Vec<(u64, AuditEntryOf<T>)> {
		let end = TrailLength::<T>::get(patient).min(from.saturating_add(limit as u64));
		(from..end)
			.filter_map(|index| Trail::<T>::get(patient, index).map(|entry| (index, entry)))
			.collect()
	}

	/// The pallet's invariants:
	/// - every grant is of a registered patient to another account, its categories (if
	///   named) sorted and distinct, its expiry (if any) after its time and scheduled in
	///   [`Expiries`] at its minute; [`GranteePatients`] is exactly the grants seen from the
	///   grantee; each patient's [`GrantCount`] is its number of grants, at most
	///   [`Config::MaxGrantsPerPatient`];
	/// - every open emergency access is of a registered patient and a doctor, expires no
	///   earlier than it opened, and is scheduled in [`Expiries`] at its minute; each doctor's
	///   [`DoctorEmergencies`] counts its open accesses (at most
	///   [`Config::MaxOpenEmergencyAccesses`]) and today's at most
	///   [`Config::MaxEmergencyAccessesPerDay`];
	/// - every item of [`Expiries`] is the grant or access of that minute (so each grant and
	///   access has exactly one), none before the [`ExpiryCursor`], which is set once there is
	///   any and is not ahead of the clock;
	/// - each patient's trail is entries `0..TrailLength` exactly, in block and time order;
	/// - every review names a trail entry that opened an emergency access of a doctor of
	///   another hospital;
	/// - settings changes and logged reads of the current period are within their limits.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let now = T::Clock::now();

		// Grants, their index, their count and their expiry items.
		let mut grants = 0u64;
		let mut grants_of = BTreeMap::<T::AccountId, u32>::new();
		for (patient, grantee, grant) in Grants::<T>::iter() {
			ensure!(patient != grantee, "a patient holds a grant to itself");
			ensure!(T::Identity::is_patient(&patient), "a grant of an unregistered patient");
			ensure!(
				GranteePatients::<T>::contains_key(&grantee, &patient),
				"a grant is missing from GranteePatients"
			);
			if let Scope::Categories(categories) = &grant.scope {
				ensure!(!categories.is_empty(), "a grant names no category");
				ensure!(
					categories.windows(2).all(|pair| pair[0] < pair[1]),
					"a grant's categories are not sorted and distinct"
				);
			}
			if let Some(expiry) = grant.expires_at {
				ensure!(expiry > grant.granted_at, "a grant expires before it was given");
				let item = Expiring::Grant { patient: patient.clone(), grantee: grantee.clone() };
				ensure!(
					Expiries::<T>::contains_key(expiry / MINUTE, item),
					"a grant's expiry is not scheduled at its minute"
				);
			}
			*grants_of.entry(patient).or_default() += 1;
			grants += 1;
		}
		ensure!(
			GranteePatients::<T>::iter_keys().count() as u64 == grants,
			"GranteePatients lists a patient whose grant is gone"
		);
		for (patient, count) in GrantCount::<T>::iter() {
			ensure!(
				count <= T::MaxGrantsPerPatient::get(),
				"a patient has more than MaxGrantsPerPatient grants"
			);
			ensure!(
				grants_of.remove(&patient).unwrap_or(0) == count,
				"a patient's grant count differs from its grants"
			);
		}
		ensure!(grants_of.is_empty(), "a patient has grants but no grant count");

		// Emergency accesses, the doctors' counts and their expiry items.
		let mut open_of = BTreeMap::<T::AccountId, u32>::new();
		for (patient, doctor, access) in EmergencyAccesses::<T>::iter() {
			ensure!(
				T::Identity::is_patient(&patient),
				"an emergency access to an unregistered patient"
			);
			ensure!(
				T::Identity::hospital_of(&doctor).is_some(),
				"an emergency access of an account that is no doctor"
			);
			ensure!(
				access.opened_at <= access.expires_at,
				"an emergency access expires before it opened"
			);
			let item = Expiring::Emergency { patient: patient.clone(), doctor: doctor.clone() };
			ensure!(
				Expiries::<T>::contains_key(access.expires_at / MINUTE, item),
				"an emergency access's expiry is not scheduled at its minute"
			);
			*open_of.entry(doctor).or_default() += 1;
		}
		let today = now / DAY;
		for (doctor, counts) in DoctorEmergencies::<T>::iter() {
			ensure!(
				open_of.remove(&doctor).unwrap_or(0) == counts.open,
				"a doctor's count of open emergency accesses differs from its accesses"
			);
			ensure!(
				counts.open <= T::MaxOpenEmergencyAccesses::get(),
				"a doctor has more than MaxOpenEmergencyAccesses open"
			);
			ensure!(
				counts.day != today || counts.opened_today <= T::MaxEmergencyAccessesPerDay::get(),
				"a doctor opened more than MaxEmergencyAccessesPerDay today"
			);
		}
		ensure!(open_of.is_empty(), "a doctor has emergency accesses open but no count of them");

		// Every expiry item is the grant or access of its minute, none before the cursor.
		let cursor = ExpiryCursor::<T>::get();
		ensure!(
			cursor.is_none_or(|cursor| cursor <= now / MINUTE),
			"the expiry cursor is ahead of the clock"
		);
		for (minute, item) in Expiries::<T>::iter_keys() {
			ensure!(
				cursor.is_some_and(|cursor| cursor <= minute),
				"an expiry item lies before the clean-up's cursor"
			);
			let expiry = match item {
				Expiring::Grant { patient, grantee } => {
					Grants::<T>::get(&patient, &grantee).and_then(|grant| grant.expires_at)
				}
				Expiring::Emergency { patient, doctor } => {
					EmergencyAccesses::<T>::get(&patient, &doctor).map(|access| access.expires_at)
				}
			};
			ensure!(
				expiry.is_some_and(|expiry| expiry / MINUTE == minute),
				"an expiry item names no grant or access expiring in its minute"
			);
		}

		// Each trail is entries 0..length, in order.
		let mut entries = 0u64;
		for (patient, length) in TrailLength::<T>::iter() {
			let mut last: Option<(BlockNumberFor<T>, Moment)> = None;
			for index in 0..length {
				let entry = Trail::<T>::get(&patient, index)
					.ok_or("a trail entry below the trail's length is missing")?;
				ensure!(
					last.is_none_or(|(block, time)| block <= entry.block && time <= entry.time),
					"a trail entry is older than the one before it"
				);
				last = Some((entry.block, entry.time));
			}
			entries += length;
		}
		ensure!(
			Trail::<T>::iter_keys().count() as u64 == entries,
			"a trail entry lies beyond its trail's length"
		);

		// Reviews name an emergency access of another hospital's doctor.
		for (patient, entry, hospital) in Reviews::<T>::iter_keys() {
			let opened =
				Trail::<T>::get(&patient, entry).ok_or("a review of a missing trail entry")?;
			let AuditEvent::EmergencyAccessOpened { doctor, .. } = opened.event else {
				return Err("a review of a trail entry that opened no emergency access".into());
			};
			ensure!(
				T::Identity::hospital_of(&doctor).as_ref() != Some(&hospital),
				"a hospital reviewed its own doctor's emergency access"
			);
		}

		// The per-period limits, for the current period.
		let period = now.checked_div(T::AccessLogPeriod::get()).unwrap_or_default();
		for (logged_in, count) in SettingsChanges::<T>::iter_values() {
			ensure!(
				logged_in != period || count <= T::MaxSettingsChangesPerPeriod::get(),
				"an account made more than MaxSettingsChangesPerPeriod changes this period"
			);
		}
		for (logged_in, count) in AccessLogCounts::<T>::iter_values() {
			ensure!(
				logged_in != period || count <= T::MaxAccessLogsPerPeriod::get(),
				"a reader logged more than MaxAccessLogsPerPeriod reads this period"
			);
		}
		Ok(())
	}
}

impl<T: Config> ehr_primitives::EmergencyLookup<T::AccountId> for Pallet<T> {
	fn opened_at(patient: &T::AccountId, doctor: &T::AccountId) -> Option<Moment> {
		EmergencyAccesses::<T>::get(patient, doctor)
			.filter(|access| T::Clock::now() < access.expires_at)
			.map(|access| access.opened_at)
	}
}

/// A doctor cares for a patient while the patient's grant for treatment to the doctor, or to
/// the doctor's hospital, is current (not expired; any scope and level). A grant for research,
/// insurance or anything else is no care relationship. Revoking it ends the relationship, and
/// with it the doctor's messages.
impl<T: Config> ehr_primitives::CareRelationship<T::AccountId> for Pallet<T> {
	fn in_care(patient: &T::AccountId, doctor: &T::AccountId) -> bool {
		let now = T::Clock::now();
		let current = |grantee: &T::AccountId| {
			Grants::<T>::get(patient, grantee).is_some_and(|grant| {
				grant.purpose == Purpose::Treatment
					&& grant.expires_at.is_none_or(|expiry| now < expiry)
			})
		};
		current(doctor) || T::Identity::hospital_of(doctor).is_some_and(|h| current(&h))
	}
}

impl<T: Config> ConsentProvider<T::AccountId> for Pallet<T> {
	fn note_settings_change(actor: &T::AccountId) -> Result<(), DispatchError> {
		Self::count_settings_change(actor)
	}

	fn may_access(
		who: &T::AccountId,
		patient: &T::AccountId,
		category: RecordCategory,
		level: AccessLevel,
	) -> bool {
		if who == patient {
			return T::Identity::is_patient(patient);
		}
		let hospital = T::Identity::hospital_of(who);
		// A doctor who is suspended, or whose hospital left, is refused whatever was granted.
		if hospital.is_some() && !T::Identity::is_active_doctor(who) {
			return false;
		}
		let now = T::Clock::now();
		let allows = |grantee: &T::AccountId| {
			Grants::<T>::get(patient, grantee).is_some_and(|g| g.allows(category, level, now))
		};
		if allows(who) || hospital.as_ref().is_some_and(|hospital| allows(hospital)) {
			return true;
		}
		level == AccessLevel::Read
			&& hospital.is_some()
			&& EmergencyAccesses::<T>::get(patient, who)
				.is_some_and(|access| now < access.expires_at)
	}

	fn readers(patient: &T::AccountId, category: RecordCategory) -> Vec<T::AccountId> {
		let now = T::Clock::now();
		core::iter::once(patient.clone())
			.chain(Grants::<T>::iter_prefix(patient).filter_map(|(grantee, grant)| {
				grant.allows(category, AccessLevel::Read, now).then_some(grantee)
			}))
			.collect()
	}

	fn is_reader(patient: &T::AccountId, who: &T::AccountId, category: RecordCategory) -> bool {
		if who == patient {
			return T::Identity::is_patient(patient);
		}
		if T::Identity::hospital_of(who).is_some() && !T::Identity::is_active_doctor(who) {
			return false;
		}
		Grants::<T>::get(patient, who)
			.is_some_and(|grant| grant.allows(category, AccessLevel::Read, T::Clock::now()))
	}

	fn record(patient: &T::AccountId, actor: &T::AccountId, event: AuditEvent<T::AccountId>) {
		Self::append(patient, actor, event)
	}
}

impl<T: Config> Pallet<T> {
	/// Whether keys `who` holds to records of `patient` may still be waiting for the expiry
	/// clean-up: its grant exists but has expired.
	pub fn cleanup_pending(patient: &T::AccountId, who: &T::AccountId) -> bool {
		let now = T::Clock::now();
		Grants::<T>::get(patient, who)
			.is_some_and(|grant| grant.expires_at.is_some_and(|at| at <= now))
	}
}
