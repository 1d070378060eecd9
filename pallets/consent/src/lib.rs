//! # Consent pallet
//!
//! Patients decide who reads their records, and every decision leaves a trace.
//!
//! - A patient, or one of the patient's delegates, grants a doctor, a hospital or another
//!   person access ([`Pallet::grant_access`]) with a [`Scope`] (all records or some categories),
//!   an [`AccessLevel`] (read, or read and write for clinicians), an optional expiry time and a
//!   [`Purpose`]; changes it ([`Pallet::change_access`]) and revokes it
//!   ([`Pallet::revoke_access`]) at any time. A grant stops working at its expiry time by
//!   itself (every check compares with the block time); within about a minute the expiry is
//!   also written to the trail and the grant removed.
//! - A grant to a hospital covers every active doctor of that hospital.
//! - Break-glass access: an active doctor opens time-limited read access to a patient with a
//!   stated reason ([`Pallet::open_emergency_access`]); it is flagged in the trail, and closed by
//!   expiry, by the doctor, or by the doctor's hospital after review
//!   ([`Pallet::close_emergency_access`]).
//! - Access logging: a reader's client records each opening of a record
//!   ([`Pallet::log_access`]).
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
	AccessLevel, AuditEntry, AuditEvent, ConsentProvider, Grant, Identities, Moment, OnAccessEnded,
	Purpose, Reason, RecordCategory, RecordId, Scope,
};
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::*;
use scale_info::TypeInfo;

pub use pallet::*;
pub use weights::WeightInfo;

/// Milliseconds per minute: expiries are processed in one-minute buckets.
const MINUTE: Moment = 60_000;

/// A grant stored for `T`.
pub type GrantOf<T> = Grant<<T as frame_system::Config>::AccountId>;
/// An audit trail entry stored for `T`.
pub type AuditEntryOf<T> = AuditEntry<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// An open break-glass access.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct EmergencyAccess {
	/// Why the doctor opened it.
	pub reason: Reason,
	/// When it was opened.
	pub opened_at: Moment,
	/// When it closes by itself.
	pub expires_at: Moment,
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

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who is a hospital, an active doctor, a patient, a delegate.
		type Identity: Identities<Self::AccountId>;

		/// The block time (the runtime: `pallet_timestamp`).
		type Clock: Time<Moment = Moment>;

		/// Told when a grantee loses access, so that its record keys are removed.
		type OnAccessEnded: OnAccessEnded<Self::AccountId>;

		/// Most grants a patient may have at once.
		#[pallet::constant]
		type MaxGrantsPerPatient: Get<u32>;

		/// How long an emergency access lasts, in milliseconds.
		#[pallet::constant]
		type EmergencyAccessDuration: Get<Moment>;

		/// Most grants and emergency accesses that may expire within the same minute.
		#[pallet::constant]
		type MaxExpiriesPerMinute: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Creates identities and moves the clock for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
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

	/// The audit trail: entry `index` of each patient's trail.
	#[pallet::storage]
	pub type Trail<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u64, AuditEntryOf<T>>;

	/// The length of each patient's audit trail.
	#[pallet::storage]
	pub type TrailLength<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

	/// Grants and emergency accesses that expire within each minute (time / 60 000).
	#[pallet::storage]
	pub type ExpiryQueue<T: Config> = StorageMap<
		_,
		Twox64Concat,
		u64,
		BoundedVec<Expiring<T::AccountId>, T::MaxExpiriesPerMinute>,
		ValueQuery,
	>;

	/// The next minute of [`ExpiryQueue`] to process.
	#[pallet::storage]
	pub type NextExpiryMinute<T: Config> = StorageValue<_, u64>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `patient` (or delegate `by`) granted `grantee` access.
		ConsentGranted { patient: T::AccountId, grantee: T::AccountId, by: T::AccountId },
		/// The consent of `grantee` changed.
		ConsentChanged { patient: T::AccountId, grantee: T::AccountId, by: T::AccountId },
		/// The consent of `grantee` was revoked.
		ConsentRevoked { patient: T::AccountId, grantee: T::AccountId, by: T::AccountId },
		/// The consent of `grantee` reached its expiry time.
		ConsentExpired { patient: T::AccountId, grantee: T::AccountId },
		/// `doctor` opened break-glass access to `patient`.
		EmergencyAccessOpened { patient: T::AccountId, doctor: T::AccountId, expires_at: Moment },
		/// The emergency access of `doctor` ended (`by` is `None` on expiry).
		EmergencyAccessClosed {
			patient: T::AccountId,
			doctor: T::AccountId,
			by: Option<T::AccountId>,
		},
		/// `reader` opened a record of `patient`.
		AccessLogged { patient: T::AccountId, reader: T::AccountId, record: RecordId },
	}

	#[pallet::error]
	pub enum Error<T> {
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
		/// Too many grants expire within that minute; choose another expiry time.
		TooManyExpiriesAtThatTime,
		/// Only an active verified doctor may do this.
		NotActiveDoctor,
		/// The doctor has an open emergency access to this patient already.
		EmergencyAccessAlreadyOpen,
		/// There is no open emergency access of this doctor to this patient.
		NoEmergencyAccess,
		/// Only the doctor or the doctor's hospital may close an emergency access.
		NotDoctorOrHospital,
		/// The reason is empty.
		EmptyReason,
		/// The reason is longer than [`ehr_primitives::MAX_REASON_LENGTH`].
		ReasonTooLong,
		/// The caller may not read that record.
		NotAuthorized,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::process_expiries()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Grant `grantee` access to records of `patient`. The caller is the patient or one of
		/// the patient's delegates.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::grant_access())]
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
			ensure!(!Grants::<T>::contains_key(&patient, &grantee), Error::<T>::AlreadyGranted);
			let grant = Self::checked_grant(
				&patient, &grantee, scope, access, expires_at, purpose, &actor,
			)?;
			GrantCount::<T>::try_mutate(&patient, |count| -> DispatchResult {
				ensure!(*count < T::MaxGrantsPerPatient::get(), Error::<T>::TooManyGrants);
				*count += 1;
				Ok(())
			})?;
			Self::schedule_grant_expiry(&patient, &grantee, &grant)?;
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

		/// Replace the consent of `grantee` with new terms.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::change_access())]
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
			ensure!(Grants::<T>::contains_key(&patient, &grantee), Error::<T>::NotGranted);
			let grant = Self::checked_grant(
				&patient, &grantee, scope, access, expires_at, purpose, &actor,
			)?;
			Self::schedule_grant_expiry(&patient, &grantee, &grant)?;
			Grants::<T>::insert(&patient, &grantee, &grant);
			Self::append(
				&patient,
				&actor,
				AuditEvent::ConsentChanged { grantee: grantee.clone(), grant },
			);
			Self::deposit_event(Event::ConsentChanged { patient, grantee, by: actor });
			Ok(())
		}

		/// Revoke the consent of `grantee`; its record keys are removed with it.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::revoke_access().saturating_add(T::OnAccessEnded::max_weight()))]
		pub fn revoke_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let actor = Self::ensure_patient_or_delegate(origin, &patient)?;
			ensure!(Grants::<T>::contains_key(&patient, &grantee), Error::<T>::NotGranted);
			let hook_weight = Self::end_grant(&patient, &grantee);
			Self::append(&patient, &actor, AuditEvent::ConsentRevoked { grantee: grantee.clone() });
			Self::deposit_event(Event::ConsentRevoked { patient, grantee, by: actor });
			Ok(Some(T::WeightInfo::revoke_access().saturating_add(hook_weight)).into())
		}

		/// Open break-glass read access to `patient` for the calling doctor, for
		/// [`Config::EmergencyAccessDuration`], with the stated `reason`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::open_emergency_access())]
		pub fn open_emergency_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			reason: Vec<u8>,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			ensure!(T::Identity::is_active_doctor(&doctor), Error::<T>::NotActiveDoctor);
			ensure!(T::Identity::is_patient(&patient), Error::<T>::NotPatient);
			ensure!(
				!EmergencyAccesses::<T>::contains_key(&patient, &doctor),
				Error::<T>::EmergencyAccessAlreadyOpen
			);
			ensure!(!reason.is_empty(), Error::<T>::EmptyReason);
			let reason = Reason::try_from(reason).map_err(|_| Error::<T>::ReasonTooLong)?;
			let now = T::Clock::now();
			let expires_at = now.saturating_add(T::EmergencyAccessDuration::get());
			Self::schedule_expiry(
				expires_at,
				Expiring::Emergency { patient: patient.clone(), doctor: doctor.clone() },
			)?;
			EmergencyAccesses::<T>::insert(
				&patient,
				&doctor,
				EmergencyAccess { reason: reason.clone(), opened_at: now, expires_at },
			);
			Self::append(
				&patient,
				&doctor,
				AuditEvent::EmergencyAccessOpened { doctor: doctor.clone(), reason, expires_at },
			);
			Self::deposit_event(Event::EmergencyAccessOpened { patient, doctor, expires_at });
			Ok(())
		}

		/// Close the emergency access of `doctor` to `patient`. The caller is the doctor or the
		/// doctor's hospital (after review).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::close_emergency_access())]
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
			ensure!(
				EmergencyAccesses::<T>::take(&patient, &doctor).is_some(),
				Error::<T>::NoEmergencyAccess
			);
			Self::append(
				&patient,
				&actor,
				AuditEvent::EmergencyAccessClosed { doctor: doctor.clone(), expired: false },
			);
			Self::deposit_event(Event::EmergencyAccessClosed { patient, doctor, by: Some(actor) });
			Ok(())
		}

		/// Record in the trail that the caller opened `record` (of `category`) of `patient`.
		/// The caller must be allowed to read it now.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::log_access())]
		pub fn log_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			record: RecordId,
			category: RecordCategory,
		) -> DispatchResult {
			let reader = ensure_signed(origin)?;
			ensure!(
				Self::may_access(&reader, &patient, category, AccessLevel::Read),
				Error::<T>::NotAuthorized
			);
			Self::append(&patient, &reader, AuditEvent::RecordAccessed { record, category });
			Self::deposit_event(Event::AccessLogged { patient, reader, record });
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
		let is_doctor = T::Identity::hospital_of(grantee).is_some();
		let is_clinician = is_doctor || T::Identity::is_hospital(grantee);
		if is_doctor {
			ensure!(T::Identity::is_active_doctor(grantee), Error::<T>::DoctorSuspended);
		}
		ensure!(is_clinician || T::Identity::is_patient(grantee), Error::<T>::UnknownGrantee);
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

	fn schedule_grant_expiry(
		patient: &T::AccountId,
		grantee: &T::AccountId,
		grant: &GrantOf<T>,
	) -> DispatchResult {
		match grant.expires_at {
			Some(expiry) => Self::schedule_expiry(
				expiry,
				Expiring::Grant { patient: patient.clone(), grantee: grantee.clone() },
			),
			None => Ok(()),
		}
	}

	fn schedule_expiry(expiry: Moment, item: Expiring<T::AccountId>) -> DispatchResult {
		let minute = (expiry / MINUTE).max(NextExpiryMinute::<T>::get().unwrap_or_default());
		ExpiryQueue::<T>::try_mutate(minute, |queue| {
			queue.try_push(item).map_err(|_| Error::<T>::TooManyExpiriesAtThatTime.into())
		})
	}

	/// Removes a grant and its index, and tells [`Config::OnAccessEnded`].
	fn end_grant(patient: &T::AccountId, grantee: &T::AccountId) -> Weight {
		Grants::<T>::remove(patient, grantee);
		GranteePatients::<T>::remove(grantee, patient);
		GrantCount::<T>::mutate(patient, |count| *count = count.saturating_sub(1));
		T::OnAccessEnded::on_access_ended(patient, grantee)
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

	/// Processes the expiries of one whole minute that has passed: the grants and emergency
	/// accesses in it that were not changed meanwhile end, with a trail entry each.
	pub(crate) fn process_expiries() -> Weight {
		let now = T::Clock::now();
		let current_minute = now / MINUTE;
		let Some(minute) = NextExpiryMinute::<T>::get() else {
			// First block with a clock: nothing can have expired before it.
			if now > 0 {
				NextExpiryMinute::<T>::put(current_minute);
			}
			return T::DbWeight::get().reads_writes(1, 1);
		};
		if minute >= current_minute {
			return T::DbWeight::get().reads(1);
		}
		let items = ExpiryQueue::<T>::take(minute);
		NextExpiryMinute::<T>::put(minute + 1);
		let mut weight = T::WeightInfo::process_expiries(items.len() as u32);
		for item in items {
			match item {
				Expiring::Grant { patient, grantee } => {
					let expired = Grants::<T>::get(&patient, &grantee)
						.and_then(|grant| grant.expires_at)
						.is_some_and(|expiry| expiry <= now);
					if expired {
						weight.saturating_accrue(Self::end_grant(&patient, &grantee));
						Self::append(
							&patient,
							&grantee,
							AuditEvent::ConsentExpired { grantee: grantee.clone() },
						);
						Self::deposit_event(Event::ConsentExpired { patient, grantee });
					}
				}
				Expiring::Emergency { patient, doctor } => {
					let expired = EmergencyAccesses::<T>::get(&patient, &doctor)
						.is_some_and(|access| access.expires_at <= now);
					if expired {
						EmergencyAccesses::<T>::remove(&patient, &doctor);
						Self::append(
							&patient,
							&doctor,
							AuditEvent::EmergencyAccessClosed {
								doctor: doctor.clone(),
								expired: true,
							},
						);
						Self::deposit_event(Event::EmergencyAccessClosed {
							patient,
							doctor,
							by: None,
						});
					}
				}
			}
		}
		weight
	}

	/// The grants of `patient`, by grantee.
	pub fn grants_of(patient: &T::AccountId) -> Vec<(T::AccountId, GrantOf<T>)> {
		Grants::<T>::iter_prefix(patient).collect()
	}

	/// The patients who granted `grantee` access (directly; not through its hospital).
	pub fn patients_of(grantee: &T::AccountId) -> Vec<T::AccountId> {
		GranteePatients::<T>::iter_key_prefix(grantee).collect()
	}

	/// The open emergency accesses to `patient`, by doctor.
	pub fn emergency_accesses_of(patient: &T::AccountId) -> Vec<(T::AccountId, EmergencyAccess)> {
		EmergencyAccesses::<T>::iter_prefix(patient).collect()
	}

	/// Entries `from..from + limit` of the trail of `patient`, with their indices.
	pub fn trail(patient: &T::AccountId, from: u64, limit: u32) -> Vec<(u64, AuditEntryOf<T>)> {
		let end = TrailLength::<T>::get(patient).min(from.saturating_add(limit as u64));
		(from..end)
			.filter_map(|index| Trail::<T>::get(patient, index).map(|entry| (index, entry)))
			.collect()
	}
}

impl<T: Config> ConsentProvider<T::AccountId> for Pallet<T> {
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

	fn record(patient: &T::AccountId, actor: &T::AccountId, event: AuditEvent<T::AccountId>) {
		Self::append(patient, actor, event)
	}
}
