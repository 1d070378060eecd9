//! # Identity pallet
//!
//! Who is who on the EHR chain: member hospitals, the doctors they verify, and patients, each
//! doctor and patient with an X25519 public encryption key that clients wrap record keys for.
//!
//! - Hospitals are the consortium members ([`Config::Hospitals`]); a hospital names itself with
//!   [`Pallet::set_hospital_name`].
//! - A hospital verifies its doctors in two steps, so that no hospital makes an account its
//!   doctor without that account's own signature: the hospital offers the role
//!   ([`Pallet::register_doctor`]: name, specialty, licence), and the account accepts it
//!   ([`Pallet::accept_doctor`], naming the hospital and publishing its own encryption key, so
//!   the hospital never chooses a key it could read with) or declines it
//!   ([`Pallet::decline_doctor`]); the hospital may withdraw an unaccepted offer
//!   ([`Pallet::cancel_invitation`]). Only then is the doctor in the public directory. An account
//!   that is a member hospital, a patient, a doctor, or invited as a patient cannot be offered
//!   the role. The hospital can [`Pallet::suspend_doctor`] and [`Pallet::reinstate_doctor`] its
//!   doctors; a doctor rotates its key with [`Pallet::set_encryption_key`].
//! - Patients register themselves ([`Pallet::register_patient`]) with only their encryption key:
//!   name, age and the rest of the profile are an encrypted record. A hospital may invite a
//!   patient first ([`Pallet::invite_patient`]), which lets the patient's account transact
//!   without tokens from the start.
//! - A patient names delegates (a guardian or family member) who may manage consent for them
//!   ([`Pallet::add_delegate`], [`Pallet::remove_delegate`]).
//!
//! Every doctor, patient and invited account holds a "sufficient" reference, so that it exists
//! (and may sign transactions) without an existential deposit.
//!
//! Other pallets read identities through [`ehr_primitives::Identities`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use alloc::vec::Vec;
use ehr_primitives::{EncryptionKey, Identities, OnDoctorSuspended};
use frame_support::{pallet_prelude::*, traits::Contains};
use frame_system::pallet_prelude::*;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The doctor record stored for `T`.
pub type DoctorOf<T> = DoctorInfo<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxTextLength,
>;
/// The patient record stored for `T`.
pub type PatientOf<T> = PatientInfo<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxDelegates,
>;

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
		/// test runtime names only its hospitals, its suspension hook and its benchmark helper.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			type MaxTextLength = ConstU32<32>;
			type MaxDelegates = ConstU32<4>;
			type MaxOpenInvitations = ConstU32<3>;
			type MaxSuspensionsPerBlock = ConstU32<2>;
			type DefaultInviteesPerPeriod = ConstU32<16>;
			type Custodians = frame_support::traits::Nothing;
			type InvitationPeriod = ConstU32<100>;
			type WeightInfo = ();
		}
	}

	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The member hospitals of the consortium.
		#[pallet::no_default]
		type Hospitals: Contains<Self::AccountId>;

		/// Longest name, specialty or licence number, in bytes.
		#[pallet::constant]
		type MaxTextLength: Get<u32>;

		/// Most delegates a patient may name.
		#[pallet::constant]
		type MaxDelegates: Get<u32>;

		/// Told when a doctor loses its standing (suspended, or its hospital left), so that its
		/// wrapped record keys go (the runtime: the records pallet).
		#[pallet::no_default]
		type OnSuspended: OnDoctorSuspended<Self::AccountId>;

		/// Most unused invitations one hospital may have out at a time (each makes an account
		/// that transacts for free).
		#[pallet::constant]
		type MaxOpenInvitations: Get<u32>;

		/// Most doctors of a hospital that left suspended in one block (the rest follow in the
		/// next blocks).
		#[pallet::constant]
		type MaxSuspensionsPerBlock: Get<u32>;

		/// Most invitations, doctor offers and take-overs one hospital makes per
		/// [`Config::InvitationPeriod`] (used, withdrawn or open), until governance sets another
		/// ([`Pallet::set_invitation_rate`]): each is an account that transacts without tokens.
		#[pallet::constant]
		type DefaultInviteesPerPeriod: Get<u32>;

		/// The hospitals' custodian accounts (the runtime: the escrow pallet's), which are never
		/// made patients or doctors.
		#[pallet::no_default_bounds]
		type Custodians: Contains<Self::AccountId>;

		/// The period of the invitation rate, in blocks.
		#[pallet::constant]
		type InvitationPeriod: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Makes accounts member hospitals for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		#[pallet::no_default]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The name of each member hospital, as it calls itself.
	#[pallet::storage]
	pub type HospitalNames<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BoundedVec<u8, T::MaxTextLength>>;

	/// The doctor directory.
	#[pallet::storage]
	pub type Doctors<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, DoctorOf<T>>;

	/// The doctors each hospital verified: what a hospital's departure suspends.
	#[pallet::storage]
	pub type HospitalDoctors<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Blake2_128Concat, T::AccountId, ()>;

	/// Doctor roles offered by a hospital and not yet accepted by the account: the entry the
	/// account accepts ([`Pallet::accept_doctor`]), without an encryption key yet. One offer per
	/// account at a time; each counts among its hospital's [`OpenInvitations`].
	#[pallet::storage]
	pub type DoctorOffers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, DoctorOf<T>>;

	/// Hospitals that left the consortium whose doctors are still being suspended, block by
	/// block (bounded by [`Config::MaxSuspensionsPerBlock`]).
	#[pallet::storage]
	pub type DepartedHospitals<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// Patients who registered through a hospital's invitation, with that hospital: only they
	/// (not self-registered patients, who paid to register) transact for free.
	#[pallet::storage]
	pub type InvitedPatients<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// How many unused invitations each hospital has out.
	#[pallet::storage]
	pub type OpenInvitations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The invitation rate in force: invitations, doctor offers and take-overs one hospital
	/// makes per [`Config::InvitationPeriod`].
	#[pallet::storage]
	pub type InvitationRate<T: Config> =
		StorageValue<_, u32, ValueQuery, T::DefaultInviteesPerPeriod>;

	/// What each hospital made toward the rate: the period (block /
	/// [`Config::InvitationPeriod`]) and the count in it.
	#[pallet::storage]
	pub type HospitalInvitees<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (u32, u32), ValueQuery>;

	/// Registered patients.
	#[pallet::storage]
	pub type Patients<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PatientOf<T>>;

	/// Accounts invited to register as patients, with the inviting hospital.
	#[pallet::storage]
	pub type Invitations<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A member hospital set its name.
		HospitalNamed { hospital: T::AccountId },
		/// A hospital offered an account the role of its doctor; the account has not accepted yet.
		DoctorOffered { doctor: T::AccountId, hospital: T::AccountId },
		/// An account accepted a hospital's offer: it is that hospital's doctor now.
		DoctorRegistered { doctor: T::AccountId, hospital: T::AccountId },
		/// An offer ended unaccepted: withdrawn by the hospital, or declined by the account.
		DoctorOfferWithdrawn { doctor: T::AccountId, hospital: T::AccountId, by: T::AccountId },
		/// A hospital suspended one of its doctors.
		DoctorSuspended { doctor: T::AccountId, hospital: T::AccountId },
		/// A doctor was suspended because its hospital left the consortium.
		DoctorSuspendedWithHospital { doctor: T::AccountId, hospital: T::AccountId },
		/// A hospital reinstated one of its doctors.
		DoctorReinstated { doctor: T::AccountId, hospital: T::AccountId },
		/// A hospital invited an account to register as a patient.
		PatientInvited { patient: T::AccountId, hospital: T::AccountId },
		/// A hospital withdrew an unused invitation.
		InvitationCancelled { patient: T::AccountId, hospital: T::AccountId },
		/// A patient registered.
		PatientRegistered { patient: T::AccountId },
		/// A doctor or patient set a new encryption key.
		EncryptionKeySet { who: T::AccountId, key: EncryptionKey },
		/// A patient named a delegate.
		DelegateAdded { patient: T::AccountId, delegate: T::AccountId },
		/// A patient removed a delegate.
		DelegateRemoved { patient: T::AccountId, delegate: T::AccountId },
		/// A hospital took over a registered patient whose inviting hospital left the
		/// consortium (or who paid to register): the patient transacts for free again.
		PatientSponsored { patient: T::AccountId, hospital: T::AccountId },
		/// Governance set the invitation rate.
		InvitationRateSet { rate: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only a member hospital may do this.
		NotHospital,
		/// The account is a doctor or patient already.
		AlreadyRegistered,
		/// The account is no registered doctor.
		NotDoctor,
		/// The account is no registered patient.
		NotPatient,
		/// The account is neither a doctor nor a patient.
		NotRegistered,
		/// Only the hospital that verified the doctor may do this.
		NotDoctorsHospital,
		/// The doctor is suspended already.
		AlreadySuspended,
		/// The doctor is not suspended.
		NotSuspended,
		/// A name, specialty or licence number is empty.
		EmptyText,
		/// A name, specialty or licence number is longer than [`Config::MaxTextLength`].
		TextTooLong,
		/// The encryption key is not a usable X25519 public key: of small order (a key agreement
		/// with it is known in advance) or not canonically encoded
		/// ([`ehr_primitives::is_usable_encryption_key`]).
		InvalidEncryptionKey,
		/// The account is invited already.
		AlreadyInvited,
		/// The hospital has [`Config::MaxOpenInvitations`] unused invitations out already.
		TooManyInvitations,
		/// The account has no invitation.
		NotInvited,
		/// Only the inviting hospital may withdraw the invitation.
		NotInvitingHospital,
		/// The patient has [`Config::MaxDelegates`] delegates already.
		TooManyDelegates,
		/// The account is a delegate of this patient already.
		AlreadyDelegate,
		/// The account is no delegate of this patient.
		NotDelegate,
		/// A patient cannot be their own delegate.
		CannotDelegateToSelf,
		/// A delegate must be a registered patient (it needs an encryption key).
		DelegateNotRegistered,
		/// A member hospital's account cannot be made a doctor (nor a patient).
		AccountIsHospital,
		/// The account has an unaccepted doctor offer already (it may decline it first).
		AlreadyOffered,
		/// The account has no doctor offer from this hospital.
		NoOffer,
		/// The hospital made the invitation rate's number of invitations, doctor offers and
		/// take-overs this period ([`InvitationRate`]).
		InvitationRateReached,
		/// A hospital's custodian account releases shares and is nothing else: no patient, no
		/// doctor.
		AccountIsCustodian,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Suspends the doctors of hospitals that left, a bounded number per block.
		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::suspend_doctors_of_departed(remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Set the name under which a member hospital appears in the directory.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_hospital_name())]
		pub fn set_hospital_name(origin: OriginFor<T>, name: Vec<u8>) -> DispatchResult {
			let hospital = Self::ensure_hospital(origin)?;
			HospitalNames::<T>::insert(&hospital, Self::bounded_text(name)?);
			Self::deposit_event(Event::HospitalNamed { hospital });
			Ok(())
		}

		/// Offer `doctor` the role of a doctor of the calling hospital. The account becomes the
		/// hospital's doctor only when it accepts ([`Pallet::accept_doctor`]); until then it is
		/// in no directory, reads nothing, and may transact without tokens only to accept or
		/// decline.
		///
		/// Origin: signed by a member hospital.
		///
		/// - `doctor`: an account that is no member hospital, doctor or patient, and has no
		///   invitation or offer out.
		/// - `name`, `specialty`, `licence`: 1 to [`Config::MaxTextLength`] bytes each, as on the
		///   licence; what the doctor accepts.
		///
		/// The offer counts among the hospital's [`Config::MaxOpenInvitations`] until it is
		/// accepted, declined or withdrawn. Emits [`Event::DoctorOffered`]. Errors:
		/// `NotHospital`, `AccountIsHospital`, `AlreadyRegistered`, `AlreadyInvited`,
		/// `AlreadyOffered`, `EmptyText`, `TextTooLong`, `TooManyInvitations`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::register_doctor())]
		pub fn register_doctor(
			origin: OriginFor<T>,
			doctor: T::AccountId,
			name: Vec<u8>,
			specialty: Vec<u8>,
			licence: Vec<u8>,
		) -> DispatchResult {
			let hospital = Self::ensure_hospital(origin)?;
			Self::ensure_can_be_offered(&doctor)?;
			let info = DoctorInfo {
				hospital: hospital.clone(),
				name: Self::bounded_text(name)?,
				specialty: Self::bounded_text(specialty)?,
				licence: Self::bounded_text(licence)?,
				encryption_key: None,
				status: DoctorStatus::Active,
				registered_at: frame_system::Pallet::<T>::block_number(),
			};
			Self::ensure_within_rate(&hospital)?;
			Self::open_invitation(&hospital)?;
			Self::count_invitee(&hospital);
			// The account signs its acceptance without tokens: it exists from now on.
			frame_system::Pallet::<T>::inc_sufficients(&doctor);
			DoctorOffers::<T>::insert(&doctor, info);
			Self::deposit_event(Event::DoctorOffered { doctor, hospital });
			Ok(())
		}

		/// Suspend one of the calling hospital's doctors.
		///
		/// Origin: signed by a member hospital, the doctor's own. The doctor loses consent
		/// checks, its free budget, and its wrapped record keys (removed in the following
		/// blocks, with a trail entry for each patient's record). Emits
		/// [`Event::DoctorSuspended`]. Errors: `NotHospital`, `NotDoctor`, `NotDoctorsHospital`,
		/// `AlreadySuspended`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::suspend_doctor())]
		pub fn suspend_doctor(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let hospital = Self::ensure_hospital(origin)?;
			Self::set_doctor_status(&hospital, &doctor, DoctorStatus::Suspended)?;
			T::OnSuspended::on_doctor_suspended(&doctor, &hospital);
			Self::deposit_event(Event::DoctorSuspended { doctor, hospital });
			Ok(())
		}

		/// Reinstate a suspended doctor of the calling hospital.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::reinstate_doctor())]
		pub fn reinstate_doctor(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let hospital = Self::ensure_hospital(origin)?;
			Self::set_doctor_status(&hospital, &doctor, DoctorStatus::Active)?;
			HospitalDoctors::<T>::insert(&hospital, &doctor, ());
			Self::deposit_event(Event::DoctorReinstated { doctor, hospital });
			Ok(())
		}

		/// Invite `patient` to register: the account may then transact without tokens, so
		/// that registering costs the patient nothing. A patient already registered whose
		/// inviting hospital left the consortium (or who registered without an invitation) is
		/// taken over at once instead: it transacts for free again, under this hospital.
		///
		/// Origin: signed by a member hospital.
		///
		/// Each invitation counts toward the hospital's [`InvitationRate`] (its open
		/// invitations and the invitees registered this period). Emits [`Event::PatientInvited`]
		/// or [`Event::PatientSponsored`]. Errors: `NotHospital`, `AccountIsHospital`,
		/// `AlreadyRegistered` (a doctor, or a patient whose inviting hospital is a member),
		/// `AlreadyInvited`, `AlreadyOffered`, `InvitationRateReached`, `TooManyInvitations`.
		#[pallet::call_index(4)]
		// The rate and the hospital's count are read on top of what was measured (until the
		// next benchmark run measures them with the call).
		#[pallet::weight(T::WeightInfo::invite_patient().saturating_add(T::DbWeight::get().reads_writes(2, 1)))]
		pub fn invite_patient(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let hospital = Self::ensure_hospital(origin)?;
			Self::ensure_within_rate(&hospital)?;
			if Patients::<T>::contains_key(&patient) {
				// Free use ended with the inviting hospital's membership; the records stay.
				ensure!(
					!InvitedPatients::<T>::get(&patient)
						.is_some_and(|inviter| T::Hospitals::contains(&inviter)),
					Error::<T>::AlreadyRegistered
				);
				InvitedPatients::<T>::insert(&patient, &hospital);
				Self::count_invitee(&hospital);
				Self::deposit_event(Event::PatientSponsored { patient, hospital });
				return Ok(());
			}
			Self::ensure_can_be_offered(&patient)?;
			Self::open_invitation(&hospital)?;
			Self::count_invitee(&hospital);
			frame_system::Pallet::<T>::inc_sufficients(&patient);
			Invitations::<T>::insert(&patient, &hospital);
			Self::deposit_event(Event::PatientInvited { patient, hospital });
			Ok(())
		}

		/// Withdraw an unused invitation, or an unaccepted doctor offer, of the calling hospital.
		///
		/// Origin: signed by the hospital that invited the account or offered it the role.
		/// Emits [`Event::InvitationCancelled`] or [`Event::DoctorOfferWithdrawn`]. Errors:
		/// `NotHospital`, `NotInvited`, `NotInvitingHospital`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::cancel_invitation())]
		pub fn cancel_invitation(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let hospital = Self::ensure_hospital(origin)?;
			if let Some(offer) = DoctorOffers::<T>::get(&patient) {
				ensure!(offer.hospital == hospital, Error::<T>::NotInvitingHospital);
				Self::end_offer(&patient, &hospital, &hospital);
				return Ok(());
			}
			let inviter = Invitations::<T>::get(&patient).ok_or(Error::<T>::NotInvited)?;
			ensure!(inviter == hospital, Error::<T>::NotInvitingHospital);
			Invitations::<T>::remove(&patient);
			OpenInvitations::<T>::mutate(&hospital, |open| *open = open.saturating_sub(1));
			frame_system::Pallet::<T>::dec_sufficients(&patient);
			Self::deposit_event(Event::InvitationCancelled { patient, hospital });
			Ok(())
		}

		/// Register the caller as a patient with its X25519 public encryption key.
		///
		/// Origin: signed by an account that is not yet registered. With a hospital's invitation
		/// the patient transacts for free from then on; without one, registering (and every
		/// later transaction) pays the normal fee. Emits [`Event::PatientRegistered`]. Errors:
		/// `AlreadyRegistered`, `AccountIsHospital`, `AlreadyOffered`, `InvalidEncryptionKey`.
		#[pallet::call_index(6)]
		// The hospital's invitee count and the offer check on top of what was measured.
		#[pallet::weight(T::WeightInfo::register_patient().saturating_add(T::DbWeight::get().reads_writes(3, 1)))]
		pub fn register_patient(
			origin: OriginFor<T>,
			encryption_key: EncryptionKey,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::ensure_unregistered(&patient)?;
			ensure!(!T::Hospitals::contains(&patient), Error::<T>::AccountIsHospital);
			ensure!(!T::Custodians::contains(&patient), Error::<T>::AccountIsCustodian);
			ensure!(!DoctorOffers::<T>::contains_key(&patient), Error::<T>::AlreadyOffered);
			Self::ensure_usable_key(&encryption_key)?;
			if let Some(hospital) = Self::take_invitation_or_reference(&patient) {
				InvitedPatients::<T>::insert(&patient, hospital);
			}
			Patients::<T>::insert(
				&patient,
				PatientInfo {
					encryption_key,
					delegates: BoundedVec::new(),
					registered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::PatientRegistered { patient });
			Ok(())
		}

		/// Set (or rotate) the caller's encryption key; the caller is a doctor or a patient.
		/// Records wrapped for the old key stay readable only with the old private key: the
		/// client re-wraps them.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_encryption_key())]
		pub fn set_encryption_key(origin: OriginFor<T>, key: EncryptionKey) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_usable_key(&key)?;
			if let Some(mut doctor) = Doctors::<T>::get(&who) {
				doctor.encryption_key = Some(key);
				Doctors::<T>::insert(&who, doctor);
			} else {
				Patients::<T>::try_mutate(&who, |patient| -> DispatchResult {
					let patient = patient.as_mut().ok_or(Error::<T>::NotRegistered)?;
					patient.encryption_key = key;
					Ok(())
				})?;
			}
			Self::deposit_event(Event::EncryptionKeySet { who, key });
			Ok(())
		}

		/// Name `delegate` (a registered patient account) to manage consent for the caller.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::add_delegate())]
		pub fn add_delegate(origin: OriginFor<T>, delegate: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			ensure!(patient != delegate, Error::<T>::CannotDelegateToSelf);
			ensure!(Patients::<T>::contains_key(&delegate), Error::<T>::DelegateNotRegistered);
			Patients::<T>::try_mutate(&patient, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::NotPatient)?;
				ensure!(!info.delegates.contains(&delegate), Error::<T>::AlreadyDelegate);
				info.delegates
					.try_push(delegate.clone())
					.map_err(|_| Error::<T>::TooManyDelegates)?;
				Ok(())
			})?;
			Self::deposit_event(Event::DelegateAdded { patient, delegate });
			Ok(())
		}

		/// Remove one of the caller's delegates.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::remove_delegate())]
		pub fn remove_delegate(origin: OriginFor<T>, delegate: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Patients::<T>::try_mutate(&patient, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::NotPatient)?;
				let index = info
					.delegates
					.iter()
					.position(|d| d == &delegate)
					.ok_or(Error::<T>::NotDelegate)?;
				info.delegates.remove(index);
				Ok(())
			})?;
			Self::deposit_event(Event::DelegateRemoved { patient, delegate });
			Ok(())
		}

		/// Accept the role of a doctor of `hospital` that the hospital offered the caller
		/// ([`Pallet::register_doctor`]), and publish the caller's encryption key: the account
		/// is the hospital's doctor, in the directory, from this block on.
		///
		/// Origin: signed by the account offered the role.
		///
		/// - `hospital`: the hospital the caller means to work for; an offer from any other is
		///   refused, so that a hospital cannot take over an account another one offered.
		/// - `encryption_key`: the doctor's X25519 public key, chosen on the doctor's device.
		///
		/// The doctor's registration time (what the emergency policy's waiting time counts
		/// from) is this block. Emits [`Event::DoctorRegistered`] and [`Event::EncryptionKeySet`].
		/// Errors: `NoOffer`, `NotHospital` (the hospital left), `AccountIsHospital`,
		/// `AlreadyRegistered`, `InvalidEncryptionKey`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::accept_doctor())]
		pub fn accept_doctor(
			origin: OriginFor<T>,
			hospital: T::AccountId,
			encryption_key: EncryptionKey,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let mut info = DoctorOffers::<T>::get(&doctor)
				.filter(|offer| offer.hospital == hospital)
				.ok_or(Error::<T>::NoOffer)?;
			ensure!(T::Hospitals::contains(&hospital), Error::<T>::NotHospital);
			// Voted in as a hospital since the offer: a hospital is never also a doctor.
			ensure!(!T::Hospitals::contains(&doctor), Error::<T>::AccountIsHospital);
			ensure!(!T::Custodians::contains(&doctor), Error::<T>::AccountIsCustodian);
			Self::ensure_unregistered(&doctor)?;
			Self::ensure_usable_key(&encryption_key)?;
			info.encryption_key = Some(encryption_key);
			info.registered_at = frame_system::Pallet::<T>::block_number();
			DoctorOffers::<T>::remove(&doctor);
			OpenInvitations::<T>::mutate(&hospital, |open| *open = open.saturating_sub(1));
			// The offer's sufficient reference is the doctor's from now on.
			Doctors::<T>::insert(&doctor, info);
			HospitalDoctors::<T>::insert(&hospital, &doctor, ());
			Self::deposit_event(Event::DoctorRegistered { doctor: doctor.clone(), hospital });
			Self::deposit_event(Event::EncryptionKeySet { who: doctor, key: encryption_key });
			Ok(())
		}

		/// Set the invitation rate: how many invited patients one hospital may have register
		/// per [`Config::InvitationPeriod`], its open invitations included.
		///
		/// Origin: root (the hospitals, two thirds, through the consortium's vote). Emits
		/// [`Event::InvitationRateSet`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_hospital_name())]
		pub fn set_invitation_rate(origin: OriginFor<T>, rate: u32) -> DispatchResult {
			ensure_root(origin)?;
			InvitationRate::<T>::put(rate);
			Self::deposit_event(Event::InvitationRateSet { rate });
			Ok(())
		}

		/// Decline the doctor role a hospital offered the caller.
		///
		/// Origin: signed by the account offered the role. Emits
		/// [`Event::DoctorOfferWithdrawn`] with `by` the caller. Errors: `NoOffer`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::cancel_invitation())]
		pub fn decline_doctor(origin: OriginFor<T>) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let offer = DoctorOffers::<T>::get(&doctor).ok_or(Error::<T>::NoOffer)?;
			Self::end_offer(&doctor, &offer.hospital, &doctor);
			Ok(())
		}
	}
}

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `who` a member hospital.
	fn make_hospital(who: &AccountId);
}

impl<T: Config> Pallet<T> {
	/// Note that `hospitals` left the consortium: their doctors are suspended in the next
	/// blocks (access is refused at once: a doctor of a departed hospital is not active).
	pub fn hospitals_left(hospitals: &[T::AccountId]) {
		for hospital in hospitals {
			if HospitalDoctors::<T>::iter_prefix(hospital).next().is_some() {
				DepartedHospitals::<T>::insert(hospital, ());
			}
		}
	}

	/// Suspend up to [`Config::MaxSuspensionsPerBlock`] doctors of departed hospitals within
	/// `limit`; returns the weight used.
	pub fn suspend_doctors_of_departed(limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		let per_doctor = T::WeightInfo::suspend_doctor().saturating_add(db.reads_writes(2, 2));
		// The queue read, the membership check, and the final write of the queue entry.
		let mut used = db.reads_writes(2, 1);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		let Some((hospital, ())) = DepartedHospitals::<T>::iter().next() else {
			return db.reads(1);
		};
		// A hospital that came back keeps its doctors as they are.
		if T::Hospitals::contains(&hospital) {
			DepartedHospitals::<T>::remove(&hospital);
			return used;
		}
		let mut done = 0u32;
		let mut doctors = HospitalDoctors::<T>::iter_key_prefix(&hospital);
		loop {
			if done >= T::MaxSuspensionsPerBlock::get()
				|| used.saturating_add(per_doctor).any_gt(limit)
			{
				return used;
			}
			let Some(doctor) = doctors.next() else { break };
			used = used.saturating_add(per_doctor);
			done += 1;
			// Off the departed hospital's list: it is suspended now, or was already.
			HospitalDoctors::<T>::remove(&hospital, &doctor);
			let suspended = Doctors::<T>::mutate(&doctor, |info| match info {
				Some(info) if info.status == DoctorStatus::Active => {
					info.status = DoctorStatus::Suspended;
					true
				}
				_ => false,
			});
			if suspended {
				T::OnSuspended::on_doctor_suspended(&doctor, &hospital);
				Self::deposit_event(Event::DoctorSuspendedWithHospital {
					doctor,
					hospital: hospital.clone(),
				});
			}
		}
		DepartedHospitals::<T>::remove(&hospital);
		used
	}

	fn ensure_hospital(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
		let who = ensure_signed(origin)?;
		ensure!(T::Hospitals::contains(&who), Error::<T>::NotHospital);
		Ok(who)
	}

	fn ensure_unregistered(who: &T::AccountId) -> DispatchResult {
		ensure!(
			!Doctors::<T>::contains_key(who) && !Patients::<T>::contains_key(who),
			Error::<T>::AlreadyRegistered
		);
		Ok(())
	}

	/// `who` may be invited as a patient or offered a doctor's role: no member hospital, no
	/// doctor or patient, and nothing out for it already.
	fn ensure_can_be_offered(who: &T::AccountId) -> DispatchResult {
		ensure!(!T::Hospitals::contains(who), Error::<T>::AccountIsHospital);
		ensure!(!T::Custodians::contains(who), Error::<T>::AccountIsCustodian);
		Self::ensure_unregistered(who)?;
		ensure!(!Invitations::<T>::contains_key(who), Error::<T>::AlreadyInvited);
		ensure!(!DoctorOffers::<T>::contains_key(who), Error::<T>::AlreadyOffered);
		Ok(())
	}

	/// One more invitation or offer out for `hospital`, within [`Config::MaxOpenInvitations`].
	fn open_invitation(hospital: &T::AccountId) -> DispatchResult {
		OpenInvitations::<T>::try_mutate(hospital, |open| -> DispatchResult {
			ensure!(*open < T::MaxOpenInvitations::get(), Error::<T>::TooManyInvitations);
			*open += 1;
			Ok(())
		})
	}

	/// The current period of the invitation rate.
	fn invitation_period() -> u32 {
		use sp_runtime::traits::UniqueSaturatedInto;
		let block: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
		block / T::InvitationPeriod::get().max(1)
	}

	/// The hospital may invite (or offer, or take over) one more this period: what it made this
	/// period stays below the rate, whether used, withdrawn or open.
	fn ensure_within_rate(hospital: &T::AccountId) -> DispatchResult {
		let (period, made) = HospitalInvitees::<T>::get(hospital);
		let made = if period == Self::invitation_period() { made } else { 0 };
		ensure!(made < InvitationRate::<T>::get(), Error::<T>::InvitationRateReached);
		Ok(())
	}

	/// One more invitation, doctor offer or patient taken over by `hospital` this period.
	fn count_invitee(hospital: &T::AccountId) {
		let now = Self::invitation_period();
		HospitalInvitees::<T>::mutate(hospital, |(period, count)| {
			if *period != now {
				*period = now;
				*count = 0;
			}
			*count = count.saturating_add(1);
		});
	}

	/// Ends the unaccepted offer to `doctor` of `hospital` (withdrawn or declined by `by`).
	fn end_offer(doctor: &T::AccountId, hospital: &T::AccountId, by: &T::AccountId) {
		DoctorOffers::<T>::remove(doctor);
		OpenInvitations::<T>::mutate(hospital, |open| *open = open.saturating_sub(1));
		frame_system::Pallet::<T>::dec_sufficients(doctor);
		Self::deposit_event(Event::DoctorOfferWithdrawn {
			doctor: doctor.clone(),
			hospital: hospital.clone(),
			by: by.clone(),
		});
	}

	fn ensure_usable_key(key: &EncryptionKey) -> DispatchResult {
		ensure!(ehr_primitives::is_usable_encryption_key(key), Error::<T>::InvalidEncryptionKey);
		Ok(())
	}

	fn bounded_text(text: Vec<u8>) -> Result<BoundedVec<u8, T::MaxTextLength>, DispatchError> {
		ensure!(!text.is_empty(), Error::<T>::EmptyText);
		Ok(BoundedVec::try_from(text).map_err(|_| Error::<T>::TextTooLong)?)
	}

	/// A new doctor or patient keeps the sufficient reference of its invitation, or gets one.
	/// Returns the inviting hospital, if any.
	fn take_invitation_or_reference(who: &T::AccountId) -> Option<T::AccountId> {
		let inviter = Invitations::<T>::take(who);
		match &inviter {
			Some(hospital) => {
				OpenInvitations::<T>::mutate(hospital, |open| *open = open.saturating_sub(1))
			}
			None => {
				frame_system::Pallet::<T>::inc_sufficients(who);
			}
		}
		inviter
	}

	fn set_doctor_status(
		hospital: &T::AccountId,
		doctor: &T::AccountId,
		status: DoctorStatus,
	) -> DispatchResult {
		Doctors::<T>::try_mutate(doctor, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotDoctor)?;
			ensure!(&info.hospital == hospital, Error::<T>::NotDoctorsHospital);
			match (info.status, status) {
				(DoctorStatus::Suspended, DoctorStatus::Suspended) => {
					Err(Error::<T>::AlreadySuspended.into())
				}
				(DoctorStatus::Active, DoctorStatus::Active) => {
					Err(Error::<T>::NotSuspended.into())
				}
				_ => {
					info.status = status;
					Ok(())
				}
			}
		})
	}

	/// Up to `limit` doctors of the directory, starting after the account `after`.
	pub fn doctor_directory(
		after: Option<T::AccountId>,
		limit: u32,
	) -> Vec<(T::AccountId, DoctorOf<T>)> {
		let iter = match after {
			Some(after) => Doctors::<T>::iter_from(Doctors::<T>::hashed_key_for(after)),
			None => Doctors::<T>::iter(),
		};
		iter.take(limit as usize).collect()
	}

	/// The pallet's invariants:
	/// - hospital names, and the names, specialties and licences of doctors and offers, are
	///   not empty;
	/// - a doctor, a patient, an invited account and an account offered a doctor's role are
	///   four different kinds of account: no account is two of them;
	/// - every doctor has a usable encryption key and every offer none; every patient's key is
	///   usable;
	/// - every active doctor is listed in [`HospitalDoctors`] under its hospital, and every
	///   entry there is a doctor of that hospital;
	/// - each hospital's [`OpenInvitations`] is the number of its [`Invitations`] and
	///   [`DoctorOffers`], at most [`Config::MaxOpenInvitations`];
	/// - a patient's delegates are registered patients, each once, never the patient itself;
	///   every invited patient is registered;
	/// - every doctor, patient, invited account and offered account has a "sufficient"
	///   reference (this pallet holds exactly one for each).
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use ehr_primitives::is_usable_encryption_key;
		let exists = |who: &T::AccountId| frame_system::Pallet::<T>::sufficients(who) > 0;
		let texts = |info: &DoctorOf<T>| {
			!info.name.is_empty() && !info.specialty.is_empty() && !info.licence.is_empty()
		};

		for name in HospitalNames::<T>::iter_values() {
			ensure!(!name.is_empty(), "a hospital's name is empty");
		}

		for (doctor, info) in Doctors::<T>::iter() {
			ensure!(texts(&info), "a doctor's name, specialty or licence is empty");
			ensure!(
				info.encryption_key.as_ref().is_some_and(is_usable_encryption_key),
				"a doctor has no usable encryption key"
			);
			ensure!(!Patients::<T>::contains_key(&doctor), "a doctor is also a patient");
			ensure!(
				!DoctorOffers::<T>::contains_key(&doctor)
					&& !Invitations::<T>::contains_key(&doctor),
				"a doctor still has a doctor offer or a patient invitation"
			);
			ensure!(
				info.status != DoctorStatus::Active
					|| HospitalDoctors::<T>::contains_key(&info.hospital, &doctor),
				"an active doctor is not listed under its hospital"
			);
			ensure!(exists(&doctor), "a doctor's account has no sufficient reference");
		}
		for (hospital, doctor) in HospitalDoctors::<T>::iter_keys() {
			ensure!(
				Doctors::<T>::get(&doctor).is_some_and(|info| info.hospital == hospital),
				"HospitalDoctors lists an account under a hospital it is no doctor of"
			);
		}

		// What each hospital has out: unused invitations and unaccepted offers.
		let mut out = BTreeMap::<T::AccountId, u32>::new();
		for (account, offer) in DoctorOffers::<T>::iter() {
			ensure!(texts(&offer), "an offer's name, specialty or licence is empty");
			ensure!(offer.encryption_key.is_none(), "an offer carries an encryption key");
			ensure!(
				!Patients::<T>::contains_key(&account) && !Invitations::<T>::contains_key(&account),
				"an account offered a doctor's role is a patient or invited as one"
			);
			ensure!(exists(&account), "an offered account has no sufficient reference");
			*out.entry(offer.hospital).or_default() += 1;
		}
		for (account, hospital) in Invitations::<T>::iter() {
			ensure!(
				!Patients::<T>::contains_key(&account),
				"a registered patient is still invited"
			);
			ensure!(exists(&account), "an invited account has no sufficient reference");
			*out.entry(hospital).or_default() += 1;
		}
		for (hospital, open) in OpenInvitations::<T>::iter() {
			ensure!(
				open <= T::MaxOpenInvitations::get(),
				"a hospital has more than MaxOpenInvitations out"
			);
			ensure!(
				out.remove(&hospital).unwrap_or(0) == open,
				"a hospital's open invitations differ from its invitations and offers"
			);
		}
		ensure!(out.is_empty(), "a hospital has invitations or offers out but no count of them");

		for (patient, info) in Patients::<T>::iter() {
			ensure!(
				is_usable_encryption_key(&info.encryption_key),
				"a patient's encryption key is unusable"
			);
			ensure!(exists(&patient), "a patient's account has no sufficient reference");
			for (index, delegate) in info.delegates.iter().enumerate() {
				ensure!(delegate != &patient, "a patient is its own delegate");
				ensure!(!info.delegates[..index].contains(delegate), "a delegate is named twice");
				ensure!(
					Patients::<T>::contains_key(delegate),
					"a delegate is no registered patient"
				);
			}
		}
		for patient in InvitedPatients::<T>::iter_keys() {
			ensure!(Patients::<T>::contains_key(&patient), "an invited patient is not registered");
		}
		Ok(())
	}
}

impl<T: Config> Identities<T::AccountId> for Pallet<T> {
	fn is_hospital(who: &T::AccountId) -> bool {
		T::Hospitals::contains(who)
	}

	fn is_patient(who: &T::AccountId) -> bool {
		Patients::<T>::contains_key(who)
	}

	fn is_active_doctor(who: &T::AccountId) -> bool {
		// A doctor of a hospital that left the consortium is not active either.
		Doctors::<T>::get(who).is_some_and(|doctor| {
			doctor.status == DoctorStatus::Active && T::Hospitals::contains(&doctor.hospital)
		})
	}

	fn hospital_of(who: &T::AccountId) -> Option<T::AccountId> {
		Doctors::<T>::get(who).map(|doctor| doctor.hospital)
	}

	fn doctor_registered_at(who: &T::AccountId) -> Option<u64> {
		use sp_runtime::traits::UniqueSaturatedInto;
		Doctors::<T>::get(who).map(|doctor| doctor.registered_at.unique_saturated_into())
	}

	fn is_delegate(patient: &T::AccountId, delegate: &T::AccountId) -> bool {
		Patients::<T>::get(patient).is_some_and(|info| info.delegates.contains(delegate))
	}

	fn encryption_key(who: &T::AccountId) -> Option<EncryptionKey> {
		Doctors::<T>::get(who)
			.and_then(|doctor| doctor.encryption_key)
			.or_else(|| Patients::<T>::get(who).map(|patient| patient.encryption_key))
	}
}

/// Active doctors, patients a hospital invited, invited accounts and accounts offered a doctor's
/// role (to accept or decline it): the accounts that
/// transact without tokens (besides hospitals and validators). A suspended doctor, or one whose
/// hospital left the consortium, loses its free budget with its standing; a patient who
/// registered without an invitation paid to register and pays for its transactions, so that
/// free accounts cannot be bought.
impl<T: Config> Contains<T::AccountId> for Pallet<T> {
	fn contains(who: &T::AccountId) -> bool {
		<Self as Identities<T::AccountId>>::is_active_doctor(who)
			// Free use ends with the inviting hospital's membership (the patient's records
			// stay; another hospital may take the patient over with `invite_patient`).
			|| InvitedPatients::<T>::get(who).is_some_and(|hospital| T::Hospitals::contains(&hospital))
			// Unused invitations and offers of a hospital that left give nothing either.
			|| Invitations::<T>::get(who).is_some_and(|hospital| T::Hospitals::contains(&hospital))
			|| DoctorOffers::<T>::get(who).is_some_and(|offer| T::Hospitals::contains(&offer.hospital))
	}
}

/// Wraps the handler of membership changes (`Inner`, e.g. the council) so that the doctors of a
/// hospital that leaves the consortium are suspended (see [`Pallet::hospitals_left`]).
pub struct SuspendDoctorsOfLeavers<T, Inner>(core::marker::PhantomData<(T, Inner)>);

impl<T, Inner> frame_support::traits::ChangeMembers<T::AccountId>
	for SuspendDoctorsOfLeavers<T, Inner>
where
	T: Config,
	Inner: frame_support::traits::ChangeMembers<T::AccountId>,
{
	fn change_members_sorted(
		incoming: &[T::AccountId],
		outgoing: &[T::AccountId],
		sorted_new: &[T::AccountId],
	) {
		Pallet::<T>::hospitals_left(outgoing);
		Inner::change_members_sorted(incoming, outgoing, sorted_new);
	}

	fn set_prime(prime: Option<T::AccountId>) {
		Inner::set_prime(prime);
	}

	fn get_prime() -> Option<T::AccountId> {
		Inner::get_prime()
	}
}
