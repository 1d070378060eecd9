//! # Appointments pallet
//!
//! Doctors publish when they are available; patients book; both sides see every change.
//!
//! - A verified, active doctor publishes slots ([`Pallet::publish_slot`]: start, length, in
//!   person or video; no overlaps) and withdraws free ones ([`Pallet::withdraw_slot`]).
//! - A registered patient books a free future slot of an active doctor ([`Pallet::book`]), with an
//!   optional reason: the CID of a file encrypted for the doctor, like any record. A slot holds
//!   one appointment: no double booking. A patient's open appointments never overlap in time,
//!   whoever the doctors are: a booking (or an accepted new time) that would is refused.
//! - The doctor confirms ([`Pallet::confirm`]), proposes another of its free slots
//!   ([`Pallet::propose_reschedule`]; the patient accepts or declines with
//!   [`Pallet::answer_reschedule`]), completes ([`Pallet::complete`]) or marks a no-show
//!   ([`Pallet::mark_no_show`]) once the visit has started. Either side cancels
//!   ([`Pallet::cancel`]): a patient's cancellation frees the slot for others, a doctor's
//!   withdraws it.
//! - A suspended doctor (or one whose hospital left) cannot confirm, propose, complete or mark a
//!   no-show, but may still cancel: that frees the patient to book elsewhere.
//! - Every change is an event, is kept in the appointment's history, and is written to the
//!   patient's audit trail. Finished appointments stay readable; their slots are removed.
//! - A video visit's call is recorded when it begins and ends ([`Pallet::start_visit`],
//!   [`Pallet::end_visit`], sent by the parties' apps once the call connects and when one hangs
//!   up): the times are kept in [`Visits`] and each is an event and an entry of the patient's
//!   trail (not of the appointment's bounded history). The call's content is never on chain; the
//!   call does not wait for these (they follow it by a block or two).
//! - A hospital publishes who of its doctors is on call when ([`Pallet::set_on_call`]: at most
//!   [`Config::MaxShifts`] shifts of up to 24 hours, within the next 31 days, replaced whole).
//!   A patient who calls the hospital rings the doctors on call who are online (the node's
//!   `ehr_onCall*` methods, off chain); the first to answer takes the call, signing its answer
//!   for that patient, and the patient's app then makes the visit with that answer
//!   ([`Pallet::on_call_visit`]): a confirmed 30-minute video appointment with that doctor
//!   starting now, which only a doctor on call at that moment who answered this patient within
//!   two minutes can be given (each answer once), and which the doctor ends as any other
//!   (complete, no-show, cancel). A doctor has at most [`Config::MaxOnCallVisitsPerDoctor`]
//!   on-call visits whose call window is still open.
//!
//! ## The history always has room for the end
//!
//! The history holds at most [`Config::MaxHistory`] entries, which bounds how often a visit is
//! moved. It always keeps room for the entries that must stay possible: the end (a
//! cancellation, completion or no-show), the patient's answer to a pending proposal, and the
//! doctor's confirmation while the appointment is only requested. A proposal that would eat
//! into that room is refused with [`Error::HistoryFull`]; booking, confirming, answering and
//! ending never fail for lack of room. (Should an appointment stored before this rule have a
//! full history, the entry after the booking makes way for the new one; the audit trail still
//! holds every change.)

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
	cid, Appointment, AppointmentChange, AppointmentEntry, AppointmentId, AppointmentStatus,
	AuditEvent, ConsentProvider, HistoryEntry, Identities, Moment, Shift, Slot, SlotId, VisitKind,
	VisitTimes, ANSWER_AHEAD_MS, ANSWER_VALID_MS, MAX_ROSTER_AHEAD_MS, MAX_SHIFT_MS,
	ON_CALL_VISIT_MINUTES, VISIT_EARLY_MS, VISIT_LATE_MS,
};
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::{IdentifyAccount, Verify};

pub use pallet::*;
pub use weights::WeightInfo;

/// An appointment stored for `T`.
pub type AppointmentOf<T> = Appointment<
	<T as frame_system::Config>::AccountId,
	BoundedVec<u8, <T as Config>::MaxCidLength>,
	BoundedVec<HistoryEntry<<T as frame_system::Config>::AccountId>, <T as Config>::MaxHistory>,
>;
/// A slot stored for `T`.
pub type SlotOf<T> = Slot<<T as frame_system::Config>::AccountId>;
/// A shift on call stored for `T`.
pub type ShiftOf<T> = Shift<<T as frame_system::Config>::AccountId>;
/// A hospital's roster stored for `T`.
pub type RosterOf<T> = BoundedVec<ShiftOf<T>, <T as Config>::MaxShifts>;
/// An open appointment of a patient and its time: `(appointment, start, end)`, in milliseconds
/// since the Unix epoch.
pub type OpenVisit = (AppointmentId, Moment, Moment);

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
		use frame_support::{derive_impl, traits::ConstU32};

		/// The limits the pallets' test runtimes share, small so that tests reach them; each
		/// test runtime names who is who, consent, its clock and how answers are signed.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			type MaxSlotsPerDoctor = ConstU32<4>;
			type MaxOpenAppointmentsPerPatient = ConstU32<2>;
			type MaxSlotMinutes = ConstU32<240>;
			type MaxHistory = ConstU32<5>;
			type MaxCidLength = ConstU32<64>;
			type MaxShifts = ConstU32<4>;
			type MaxOnCallVisitsPerDoctor = ConstU32<2>;
			type WeightInfo = ();
		}
	}

	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who is an active doctor and a patient.
		#[pallet::no_default]
		type Identity: Identities<Self::AccountId>;

		/// The audit trail the changes are written to.
		#[pallet::no_default]
		type Consent: ConsentProvider<Self::AccountId>;

		/// The block time (the runtime: `pallet_timestamp`).
		#[pallet::no_default]
		type Clock: Time<Moment = Moment>;

		/// Most slots (free or held) a doctor may have published at once.
		#[pallet::constant]
		type MaxSlotsPerDoctor: Get<u32>;

		/// Most open (not finished) appointments a patient may have at once.
		#[pallet::constant]
		type MaxOpenAppointmentsPerPatient: Get<u32>;

		/// Longest slot, in minutes.
		#[pallet::constant]
		type MaxSlotMinutes: Get<u32>;

		/// Most changes kept in an appointment's history (bounds how often it is rescheduled). At
		/// least 3: the booking, the confirmation and the end.
		#[pallet::constant]
		type MaxHistory: Get<u32>;

		/// Longest CID of a booking reason, in bytes.
		#[pallet::constant]
		type MaxCidLength: Get<u32>;

		/// Most shifts in a hospital's roster of doctors on call.
		#[pallet::constant]
		type MaxShifts: Get<u32>;

		/// Most on-call visits of a doctor whose call window is open, at once (a visit leaves
		/// the count when it is completed, cancelled or marked a no-show, or when its window
		/// closes).
		#[pallet::constant]
		type MaxOnCallVisitsPerDoctor: Get<u32>;

		/// A doctor's signature of its answer to a call on call (the runtime: the accounts'
		/// `MultiSignature`).
		#[pallet::no_default]
		type AnswerSignature: Verify<Signer = Self::AnswerSigner> + Parameter;

		/// Who signs an answer: the doctor's account.
		#[pallet::no_default]
		type AnswerSigner: IdentifyAccount<AccountId = Self::AccountId>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Creates identities and moves the clock for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		#[pallet::no_default]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::AnswerSignature>;
	}

	/// The id the next slot gets.
	#[pallet::storage]
	pub type NextSlotId<T: Config> = StorageValue<_, SlotId, ValueQuery>;

	/// The id the next appointment gets.
	#[pallet::storage]
	pub type NextAppointmentId<T: Config> = StorageValue<_, AppointmentId, ValueQuery>;

	/// Published slots, free or held.
	#[pallet::storage]
	pub type Slots<T: Config> = StorageMap<_, Twox64Concat, SlotId, SlotOf<T>>;

	/// The slots of each doctor.
	#[pallet::storage]
	pub type DoctorSlots<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, SlotId, ()>;

	/// How many slots each doctor has in [`DoctorSlots`].
	#[pallet::storage]
	pub type SlotCount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Every appointment, open or finished.
	#[pallet::storage]
	pub type Appointments<T: Config> = StorageMap<_, Twox64Concat, AppointmentId, AppointmentOf<T>>;

	/// The appointments of each patient, open and finished.
	#[pallet::storage]
	pub type PatientAppointments<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, AppointmentId, ()>;

	/// The open appointments of each doctor.
	#[pallet::storage]
	pub type DoctorAppointments<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, AppointmentId, ()>;

	/// The open appointments of each patient with their times, at most
	/// [`Config::MaxOpenAppointmentsPerPatient`]: one read bounds them and refuses overlaps.
	#[pallet::storage]
	pub type OpenVisits<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<OpenVisit, T::MaxOpenAppointmentsPerPatient>,
		ValueQuery,
	>;

	/// When the calls of video visits began and ended: one entry per appointment whose call
	/// started, kept with the appointment.
	#[pallet::storage]
	pub type Visits<T: Config> = StorageMap<_, Twox64Concat, AppointmentId, VisitTimes>;

	/// Each hospital's roster of doctors on call, by start time (shifts that ended are dropped
	/// when the roster is next set).
	#[pallet::storage]
	pub type OnCall<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, RosterOf<T>, ValueQuery>;

	/// Each doctor's on-call visits that are open, with the end of their call window, at most
	/// [`Config::MaxOnCallVisitsPerDoctor`] (those whose window closed are dropped on the next
	/// call).
	#[pallet::storage]
	pub type OnCallOpen<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<(AppointmentId, Moment), T::MaxOnCallVisitsPerDoctor>,
		ValueQuery,
	>;

	/// The time of each doctor's last answer used for a visit: an answer counts once.
	#[pallet::storage]
	pub type LastAnswer<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Moment, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `doctor` published `slot` starting at `start`.
		SlotPublished { slot: SlotId, doctor: T::AccountId, start: Moment },
		/// `doctor` withdrew `slot`.
		SlotWithdrawn { slot: SlotId, doctor: T::AccountId },
		/// `appointment` between `doctor` and `patient` changed, by `by`.
		AppointmentChanged {
			appointment: AppointmentId,
			doctor: T::AccountId,
			patient: T::AccountId,
			by: T::AccountId,
			change: AppointmentChange,
		},
		/// `hospital` replaced its roster of doctors on call with `shifts` shifts.
		OnCallSet { hospital: T::AccountId, shifts: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only an active verified doctor may do this.
		NotActiveDoctor,
		/// Only a registered patient may book.
		NotPatient,
		/// The time has passed.
		InThePast,
		/// The length is zero or longer than [`Config::MaxSlotMinutes`].
		InvalidDuration,
		/// The slot overlaps another slot of the doctor.
		OverlappingSlot,
		/// The doctor has [`Config::MaxSlotsPerDoctor`] slots already.
		TooManySlots,
		/// No slot has this id.
		UnknownSlot,
		/// The slot belongs to another doctor.
		NotYourSlot,
		/// The slot is booked or proposed already.
		SlotTaken,
		/// The doctor is suspended or left with its hospital.
		DoctorUnavailable,
		/// The reason is not a binary CIDv1 of at most [`Config::MaxCidLength`] bytes.
		InvalidCid,
		/// The patient has [`Config::MaxOpenAppointmentsPerPatient`] open appointments already.
		TooManyAppointments,
		/// No appointment has this id.
		UnknownAppointment,
		/// The appointment is someone else's.
		NotYourAppointment,
		/// The appointment is not in a state that allows this.
		InvalidStatus,
		/// A reschedule proposal is waiting for the patient's answer.
		ProposalPending,
		/// There is no reschedule proposal to answer.
		NoProposal,
		/// The visit has not started yet.
		TooEarly,
		/// The history has no room for another reschedule besides the entries kept for the end.
		HistoryFull,
		/// The patient has another open appointment at an overlapping time.
		OverlappingAppointment,
		/// The appointment is in person: it has no call.
		NotVideo,
		/// A visit's call opens 10 minutes before the appointment and closes 30 minutes after its
		/// end.
		OutsideVisitTime,
		/// The visit's call has started already.
		VisitStarted,
		/// The visit's call has not started.
		VisitNotStarted,
		/// The visit's call has ended already.
		VisitEnded,
		/// Only a hospital of the consortium sets a roster.
		NotHospital,
		/// A shift ends before it starts, lasts more than 24 hours, or starts more than 31 days
		/// ahead.
		InvalidShift,
		/// A shift names someone who is not an active doctor of the hospital.
		NotHospitalsDoctor,
		/// Two shifts of the same doctor overlap.
		OverlappingShift,
		/// The doctor is not on call now (in the roster of its hospital).
		NotOnCall,
		/// The doctor has [`Config::MaxOnCallVisitsPerDoctor`] open on-call visits.
		DoctorBusy,
		/// The doctor's answer is not its signature of answering this patient at that time.
		BadAnswer,
		/// The answer was signed more than two minutes ago, or more than 30 seconds ahead of the
		/// block's time: call again.
		AnswerExpired,
		/// This answer (or a later one of the doctor) made a visit already.
		AnswerUsed,
		/// A doctor cannot have an appointment with itself.
		OwnAppointment,
		/// A visit made by a call to the doctor on call happens now: it is not moved to a slot.
		OnCallNotMovable,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MaxHistory::get() >= 3,
				"MaxHistory must hold at least the booking, the confirmation and the end"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Publish a slot of the calling doctor.
		///
		/// - Origin: signed by an active verified doctor.
		/// - `start`: milliseconds since the Unix epoch, in the future; `duration_minutes`: 1 to
		///   [`Config::MaxSlotMinutes`]; `kind`: in person or video.
		/// - Emits [`Event::SlotPublished`].
		/// - Errors: [`Error::NotActiveDoctor`], [`Error::InThePast`],
		///   [`Error::InvalidDuration`], [`Error::OverlappingSlot`] (with another slot of the
		///   doctor), [`Error::TooManySlots`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::publish_slot())]
		pub fn publish_slot(
			origin: OriginFor<T>,
			start: Moment,
			duration_minutes: u32,
			kind: VisitKind,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			ensure!(T::Identity::is_active_doctor(&doctor), Error::<T>::NotActiveDoctor);
			ensure!(start > T::Clock::now(), Error::<T>::InThePast);
			ensure!(
				duration_minutes > 0 && duration_minutes <= T::MaxSlotMinutes::get(),
				Error::<T>::InvalidDuration
			);
			let slot =
				Slot { doctor: doctor.clone(), start, duration_minutes, kind, held_by: None };
			let overlaps = DoctorSlots::<T>::iter_key_prefix(&doctor)
				.filter_map(Slots::<T>::get)
				.any(|other| other.start < slot.end() && slot.start < other.end());
			ensure!(!overlaps, Error::<T>::OverlappingSlot);
			SlotCount::<T>::try_mutate(&doctor, |count| -> DispatchResult {
				ensure!(*count < T::MaxSlotsPerDoctor::get(), Error::<T>::TooManySlots);
				*count += 1;
				Ok(())
			})?;
			let id = NextSlotId::<T>::mutate(ehr_primitives::take_id);
			Slots::<T>::insert(id, slot);
			DoctorSlots::<T>::insert(&doctor, id, ());
			Self::deposit_event(Event::SlotPublished { slot: id, doctor, start });
			Ok(())
		}

		/// Withdraw a free slot of the calling doctor (also one that has passed, and also by a
		/// suspended doctor).
		///
		/// - Origin: signed by the slot's doctor.
		/// - `slot`: a slot no appointment holds (booked or proposed).
		/// - Emits [`Event::SlotWithdrawn`].
		/// - Errors: [`Error::UnknownSlot`], [`Error::NotYourSlot`], [`Error::SlotTaken`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::withdraw_slot())]
		pub fn withdraw_slot(origin: OriginFor<T>, slot: SlotId) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let stored = Slots::<T>::get(slot).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(stored.doctor == doctor, Error::<T>::NotYourSlot);
			ensure!(stored.held_by.is_none(), Error::<T>::SlotTaken);
			Self::remove_slot(slot, &doctor);
			Self::deposit_event(Event::SlotWithdrawn { slot, doctor });
			Ok(())
		}

		/// Book a free future slot of an active doctor; the appointment is requested until the
		/// doctor confirms.
		///
		/// - Origin: signed by a registered patient.
		/// - `slot`: a free slot that has not started; it must not overlap another open
		///   appointment of the patient (back to back is fine).
		/// - `reason`: the CID (binary CIDv1, at most [`Config::MaxCidLength`] bytes) of a file
		///   encrypted for the doctor, or none.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::Booked`]; the change
		///   goes to the patient's audit trail.
		/// - Errors: [`Error::NotPatient`], [`Error::UnknownSlot`], [`Error::SlotTaken`],
		///   [`Error::InThePast`], [`Error::DoctorUnavailable`], [`Error::OwnAppointment`] (a
		///   doctor's own slot), [`Error::InvalidCid`], [`Error::TooManyAppointments`],
		///   [`Error::OverlappingAppointment`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::book())]
		pub fn book(origin: OriginFor<T>, slot: SlotId, reason: Option<Vec<u8>>) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			ensure!(T::Identity::is_patient(&patient), Error::<T>::NotPatient);
			let mut stored = Slots::<T>::get(slot).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(stored.held_by.is_none(), Error::<T>::SlotTaken);
			let now = T::Clock::now();
			ensure!(stored.start > now, Error::<T>::InThePast);
			ensure!(T::Identity::is_active_doctor(&stored.doctor), Error::<T>::DoctorUnavailable);
			ensure!(stored.doctor != patient, Error::<T>::OwnAppointment);
			let reason = reason.map(Self::checked_cid).transpose()?;
			// Taken now; a refusal below rolls the whole call back, counter included.
			let id = NextAppointmentId::<T>::mutate(ehr_primitives::take_id);
			OpenVisits::<T>::try_mutate(&patient, |visits| -> DispatchResult {
				ensure!(!visits.is_full(), Error::<T>::TooManyAppointments);
				Self::ensure_free(visits, stored.start, stored.end(), None)?;
				visits
					.try_push((id, stored.start, stored.end()))
					.map_err(|_| Error::<T>::TooManyAppointments)?;
				Ok(())
			})?;
			stored.held_by = Some(id);
			let mut appointment = Appointment {
				doctor: stored.doctor.clone(),
				patient: patient.clone(),
				slot,
				start: stored.start,
				duration_minutes: stored.duration_minutes,
				kind: stored.kind,
				reason,
				status: AppointmentStatus::Requested,
				proposed_slot: None,
				history: BoundedVec::new(),
			};
			PatientAppointments::<T>::insert(&patient, id, ());
			DoctorAppointments::<T>::insert(&stored.doctor, id, ());
			Slots::<T>::insert(slot, stored);
			let change = AppointmentChange::Booked { start: appointment.start };
			Self::change(id, &mut appointment, &patient, change);
			Appointments::<T>::insert(id, appointment);
			Ok(())
		}

		/// Confirm a requested appointment. Always has room in the history.
		///
		/// - Origin: signed by the appointment's doctor, active.
		/// - `appointment`: a requested appointment (a pending proposal may wait meanwhile).
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::Confirmed`]; trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::NotActiveDoctor`], [`Error::InvalidStatus`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::confirm())]
		pub fn confirm(origin: OriginFor<T>, appointment: AppointmentId) -> DispatchResult {
			let (doctor, mut stored) = Self::as_doctor(origin, appointment)?;
			ensure!(T::Identity::is_active_doctor(&doctor), Error::<T>::NotActiveDoctor);
			ensure!(stored.status == AppointmentStatus::Requested, Error::<T>::InvalidStatus);
			stored.status = AppointmentStatus::Confirmed;
			Self::change(appointment, &mut stored, &doctor, AppointmentChange::Confirmed);
			Appointments::<T>::insert(appointment, stored);
			Ok(())
		}

		/// Propose to move an open appointment to another free future slot of the doctor. The
		/// slot is held until the patient answers.
		///
		/// - Origin: signed by the appointment's doctor, active.
		/// - `appointment`: an open appointment with no pending proposal, whose history has room
		///   for the proposal besides the entries it keeps for the end (see the pallet docs).
		/// - `new_slot`: a free future slot of the same doctor.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::RescheduleProposed`];
		///   trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::NotActiveDoctor`], [`Error::InvalidStatus`], [`Error::ProposalPending`],
		///   [`Error::UnknownSlot`], [`Error::NotYourSlot`], [`Error::SlotTaken`],
		///   [`Error::InThePast`], [`Error::HistoryFull`], [`Error::OnCallNotMovable`] (a visit
		///   made by a call on call), [`Error::VisitStarted`] (a video visit whose call started:
		///   its call record stays that of its time and kind).
		#[pallet::call_index(4)]
		#[pallet::weight(
			// The call's record read besides the benchmarked path.
			T::WeightInfo::propose_reschedule().saturating_add(T::DbWeight::get().reads(1))
		)]
		pub fn propose_reschedule(
			origin: OriginFor<T>,
			appointment: AppointmentId,
			new_slot: SlotId,
		) -> DispatchResult {
			let (doctor, mut stored) = Self::as_doctor(origin, appointment)?;
			ensure!(T::Identity::is_active_doctor(&doctor), Error::<T>::NotActiveDoctor);
			ensure!(!stored.status.is_final(), Error::<T>::InvalidStatus);
			ensure!(stored.proposed_slot.is_none(), Error::<T>::ProposalPending);
			ensure!(!Self::is_on_call_visit(&stored), Error::<T>::OnCallNotMovable);
			ensure!(!Visits::<T>::contains_key(appointment), Error::<T>::VisitStarted);
			let mut slot = Slots::<T>::get(new_slot).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(slot.doctor == doctor, Error::<T>::NotYourSlot);
			ensure!(slot.held_by.is_none(), Error::<T>::SlotTaken);
			ensure!(slot.start > T::Clock::now(), Error::<T>::InThePast);
			stored.proposed_slot = Some(new_slot);
			// The proposal, and then what must stay possible with the proposal pending.
			ensure!(
				stored.history.len().saturating_add(1 + Self::room_to_keep(&stored))
					<= T::MaxHistory::get() as usize,
				Error::<T>::HistoryFull
			);
			let change = AppointmentChange::RescheduleProposed { start: slot.start };
			Self::change(appointment, &mut stored, &doctor, change);
			slot.held_by = Some(appointment);
			Slots::<T>::insert(new_slot, slot);
			Appointments::<T>::insert(appointment, stored);
			Ok(())
		}

		/// Accept or decline the doctor's proposed new time. On acceptance the appointment
		/// moves and is confirmed, and the old slot is withdrawn; on refusal the proposed slot is
		/// free again. Always has room in the history; declining is always possible.
		///
		/// - Origin: signed by the appointment's patient.
		/// - `appointment`: an appointment with a pending proposal.
		/// - `accept`: whether to move; the new time must not overlap another open appointment of
		///   the patient.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::RescheduleAccepted`]
		///   or [`AppointmentChange::RescheduleDeclined`]; trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::NoProposal`], [`Error::UnknownSlot`] and [`Error::OverlappingAppointment`]
		///   (accepting only).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::answer_reschedule())]
		pub fn answer_reschedule(
			origin: OriginFor<T>,
			appointment: AppointmentId,
			accept: bool,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let mut stored =
				Appointments::<T>::get(appointment).ok_or(Error::<T>::UnknownAppointment)?;
			ensure!(stored.patient == patient, Error::<T>::NotYourAppointment);
			let proposed = stored.proposed_slot.take().ok_or(Error::<T>::NoProposal)?;
			let change = if accept {
				let slot = Slots::<T>::get(proposed).ok_or(Error::<T>::UnknownSlot)?;
				OpenVisits::<T>::try_mutate(&patient, |visits| -> DispatchResult {
					Self::ensure_free(visits, slot.start, slot.end(), Some(appointment))?;
					if let Some(visit) = visits.iter_mut().find(|(id, ..)| *id == appointment) {
						*visit = (appointment, slot.start, slot.end());
					}
					Ok(())
				})?;
				Self::remove_slot(stored.slot, &stored.doctor);
				stored.slot = proposed;
				stored.start = slot.start;
				stored.duration_minutes = slot.duration_minutes;
				stored.kind = slot.kind;
				stored.status = AppointmentStatus::Confirmed;
				AppointmentChange::RescheduleAccepted { start: slot.start }
			} else {
				Self::release_slot(proposed);
				AppointmentChange::RescheduleDeclined
			};
			Self::change(appointment, &mut stored, &patient, change);
			Appointments::<T>::insert(appointment, stored);
			Ok(())
		}

		/// Cancel an open appointment. A patient's cancellation frees the slot for others; a
		/// doctor's withdraws it. A pending proposal's slot is freed. Always possible: whatever
		/// the history, and also for a suspended doctor.
		///
		/// - Origin: signed by the appointment's patient or doctor.
		/// - `appointment`: an open appointment.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::Cancelled`]; trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::InvalidStatus`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::cancel().saturating_add(Pallet::<T>::on_call_close_weight()))]
		pub fn cancel(origin: OriginFor<T>, appointment: AppointmentId) -> DispatchResult {
			let actor = ensure_signed(origin)?;
			let mut stored =
				Appointments::<T>::get(appointment).ok_or(Error::<T>::UnknownAppointment)?;
			ensure!(
				actor == stored.patient || actor == stored.doctor,
				Error::<T>::NotYourAppointment
			);
			ensure!(!stored.status.is_final(), Error::<T>::InvalidStatus);
			Self::change(appointment, &mut stored, &actor, AppointmentChange::Cancelled);
			if let Some(proposed) = stored.proposed_slot.take() {
				Self::release_slot(proposed);
			}
			if actor == stored.doctor {
				Self::remove_slot(stored.slot, &stored.doctor);
			} else {
				Self::release_slot(stored.slot);
			}
			Self::close(appointment, stored, AppointmentStatus::Cancelled);
			Ok(())
		}

		/// Mark a confirmed appointment that has started as done. Its slot is removed and a
		/// pending proposal's slot freed. Always has room in the history.
		///
		/// - Origin: signed by the appointment's doctor, active (not suspended).
		/// - `appointment`: a confirmed appointment whose start has passed.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::Completed`]; trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::NotActiveDoctor`], [`Error::InvalidStatus`], [`Error::TooEarly`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::finish().saturating_add(Pallet::<T>::on_call_close_weight()))]
		pub fn complete(origin: OriginFor<T>, appointment: AppointmentId) -> DispatchResult {
			Self::finish(origin, appointment, AppointmentStatus::Completed)
		}

		/// Mark that the patient did not come to a confirmed appointment that has started. Its
		/// slot is removed and a pending proposal's slot freed. Always has room in the history.
		///
		/// - Origin: signed by the appointment's doctor, active (not suspended).
		/// - `appointment`: a confirmed appointment whose start has passed.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::NoShow`]; trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::NotActiveDoctor`], [`Error::InvalidStatus`], [`Error::TooEarly`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::finish().saturating_add(Pallet::<T>::on_call_close_weight()))]
		pub fn mark_no_show(origin: OriginFor<T>, appointment: AppointmentId) -> DispatchResult {
			Self::finish(origin, appointment, AppointmentStatus::NoShow)
		}

		/// Record that the call of a video visit began (the web app: the doctor's side, once the
		/// call connects). The time is the block's: a claim of the party that sent it.
		///
		/// - Origin: signed by the appointment's patient or doctor.
		/// - `appointment`: a confirmed video appointment, from 10 minutes before its start to 30
		///   minutes after its end, whose call has not started.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::VisitStarted`]; trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::NotVideo`], [`Error::InvalidStatus`], [`Error::OutsideVisitTime`],
		///   [`Error::VisitStarted`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::start_visit())]
		pub fn start_visit(origin: OriginFor<T>, appointment: AppointmentId) -> DispatchResult {
			let (who, stored) = Self::as_party(origin, appointment)?;
			ensure!(stored.kind == VisitKind::Video, Error::<T>::NotVideo);
			ensure!(stored.status == AppointmentStatus::Confirmed, Error::<T>::InvalidStatus);
			let now = T::Clock::now();
			let end = stored.start.saturating_add(u64::from(stored.duration_minutes) * 60_000);
			ensure!(
				now.saturating_add(VISIT_EARLY_MS) >= stored.start
					&& now <= end.saturating_add(VISIT_LATE_MS),
				Error::<T>::OutsideVisitTime
			);
			ensure!(!Visits::<T>::contains_key(appointment), Error::<T>::VisitStarted);
			Visits::<T>::insert(appointment, VisitTimes { started_at: now, ended_at: None });
			Self::trail(appointment, &stored, &who, AppointmentChange::VisitStarted);
			Ok(())
		}

		/// Record that the call of a video visit ended, with its length. Either party's app
		/// sends it when one hangs up; also after the appointment was completed. The end is the
		/// block's time, at most 30 minutes after the appointment's end (a later one counts as
		/// then): a claim of the party that sent it, bounded by the visit's window.
		///
		/// - Origin: signed by the appointment's patient or doctor.
		/// - `appointment`: an appointment whose call started and has not ended.
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::VisitEnded`] and the
		///   minutes (rounded up); trailed.
		/// - Errors: [`Error::UnknownAppointment`], [`Error::NotYourAppointment`],
		///   [`Error::VisitNotStarted`], [`Error::VisitEnded`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::end_visit())]
		pub fn end_visit(origin: OriginFor<T>, appointment: AppointmentId) -> DispatchResult {
			let (who, stored) = Self::as_party(origin, appointment)?;
			let mut times = Visits::<T>::get(appointment).ok_or(Error::<T>::VisitNotStarted)?;
			ensure!(times.ended_at.is_none(), Error::<T>::VisitEnded);
			let window_end = stored
				.start
				.saturating_add(u64::from(stored.duration_minutes) * 60_000)
				.saturating_add(VISIT_LATE_MS);
			times.ended_at = Some(T::Clock::now().min(window_end).max(times.started_at));
			let minutes = times.minutes().unwrap_or_default();
			Visits::<T>::insert(appointment, times);
			Self::trail(appointment, &stored, &who, AppointmentChange::VisitEnded { minutes });
			Ok(())
		}

		/// Replace the calling hospital's roster of doctors on call.
		///
		/// - Origin: signed by a hospital of the consortium.
		/// - `shifts`: at most [`Config::MaxShifts`]; each names an active doctor of the hospital,
		///   starts before it ends, lasts at most 24 hours and starts within 31 days; one doctor's
		///   shifts do not overlap. Those that have ended are dropped. Empty: nobody is on call.
		///   Stored by start time.
		/// - Emits [`Event::OnCallSet`].
		/// - Errors: [`Error::NotHospital`], [`Error::InvalidShift`],
		///   [`Error::NotHospitalsDoctor`], [`Error::OverlappingShift`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_on_call(shifts.len() as u32))]
		pub fn set_on_call(origin: OriginFor<T>, mut shifts: RosterOf<T>) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			ensure!(T::Identity::is_hospital(&hospital), Error::<T>::NotHospital);
			let now = T::Clock::now();
			// Shifts that have ended are dropped: a roster edited as a shift ends is not refused
			// for it.
			shifts.retain(|shift| shift.until > now);
			for shift in shifts.iter() {
				ensure!(
					shift.from < shift.until
						&& shift.until - shift.from <= MAX_SHIFT_MS
						&& shift.from <= now.saturating_add(MAX_ROSTER_AHEAD_MS),
					Error::<T>::InvalidShift
				);
				ensure!(
					T::Identity::is_active_doctor(&shift.doctor)
						&& T::Identity::hospital_of(&shift.doctor).as_ref() == Some(&hospital),
					Error::<T>::NotHospitalsDoctor
				);
			}
			shifts.sort_by(|a, b| (a.from, a.until).cmp(&(b.from, b.until)));
			for (i, shift) in shifts.iter().enumerate() {
				let overlaps = shifts[i + 1..]
					.iter()
					.any(|later| later.doctor == shift.doctor && later.from < shift.until);
				ensure!(!overlaps, Error::<T>::OverlappingShift);
			}
			let count = shifts.len() as u32;
			if shifts.is_empty() {
				OnCall::<T>::remove(&hospital);
			} else {
				OnCall::<T>::insert(&hospital, shifts);
			}
			Self::deposit_event(Event::OnCallSet { hospital, shifts: count });
			Ok(())
		}

		/// Make the visit of a patient's call on call with the answer of the doctor who took it:
		/// a confirmed video appointment of [`ON_CALL_VISIT_MINUTES`] minutes starting now, with
		/// no slot (its slot number is one no slot has). Its call, trail, care relationship and
		/// end are those of a booked video visit.
		///
		/// - Origin: signed by a registered patient (the caller).
		/// - `doctor`: an active doctor on call now in the roster of its hospital, with fewer than
		///   [`Config::MaxOnCallVisitsPerDoctor`] on-call visits whose window is open. The visit
		///   must not overlap another open appointment of the patient.
		/// - `answered_at`, `answer`: the doctor's signature of
		///   [`ehr_primitives::on_call_answer_payload`] for this patient at `answered_at`, at most
		///   two minutes before the block's time and 30 seconds after it, and later than the
		///   doctor's last answer used (each answer once).
		/// - Emits [`Event::AppointmentChanged`] with [`AppointmentChange::CalledOnCall`]; trailed.
		/// - Errors: [`Error::NotPatient`], [`Error::OwnAppointment`], [`Error::NotOnCall`],
		///   [`Error::AnswerExpired`], [`Error::AnswerUsed`], [`Error::BadAnswer`],
		///   [`Error::DoctorBusy`], [`Error::TooManyAppointments`],
		///   [`Error::OverlappingAppointment`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::on_call_visit())]
		pub fn on_call_visit(
			origin: OriginFor<T>,
			doctor: T::AccountId,
			answered_at: Moment,
			answer: T::AnswerSignature,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			ensure!(T::Identity::is_patient(&patient), Error::<T>::NotPatient);
			ensure!(doctor != patient, Error::<T>::OwnAppointment);
			let now = T::Clock::now();
			ensure!(Self::is_on_call(&doctor, now), Error::<T>::NotOnCall);
			ensure!(
				answered_at <= now.saturating_add(ANSWER_AHEAD_MS)
					&& now <= answered_at.saturating_add(ANSWER_VALID_MS),
				Error::<T>::AnswerExpired
			);
			ensure!(answered_at > LastAnswer::<T>::get(&doctor), Error::<T>::AnswerUsed);
			let payload = ehr_primitives::on_call_answer_payload(&patient, &doctor, answered_at);
			ensure!(answer.verify(&payload[..], &doctor), Error::<T>::BadAnswer);
			LastAnswer::<T>::insert(&doctor, answered_at);
			let end = now.saturating_add(u64::from(ON_CALL_VISIT_MINUTES) * 60_000);
			let id = NextAppointmentId::<T>::mutate(ehr_primitives::take_id);
			OnCallOpen::<T>::try_mutate(&doctor, |open| -> DispatchResult {
				// Visits whose call window closed no longer count.
				open.retain(|(_, visit_end)| visit_end.saturating_add(VISIT_LATE_MS) >= now);
				open.try_push((id, end)).map_err(|_| Error::<T>::DoctorBusy)?;
				Ok(())
			})?;
			OpenVisits::<T>::try_mutate(&patient, |visits| -> DispatchResult {
				ensure!(!visits.is_full(), Error::<T>::TooManyAppointments);
				Self::ensure_free(visits, now, end, None)?;
				visits.try_push((id, now, end)).map_err(|_| Error::<T>::TooManyAppointments)?;
				Ok(())
			})?;
			// A number no slot has: cancelling or finishing the visit frees or removes nothing.
			let slot = NextSlotId::<T>::mutate(ehr_primitives::take_id);
			let mut appointment = Appointment {
				doctor: doctor.clone(),
				patient: patient.clone(),
				slot,
				start: now,
				duration_minutes: ON_CALL_VISIT_MINUTES,
				kind: VisitKind::Video,
				reason: None,
				status: AppointmentStatus::Confirmed,
				proposed_slot: None,
				history: BoundedVec::new(),
			};
			PatientAppointments::<T>::insert(&patient, id, ());
			DoctorAppointments::<T>::insert(&doctor, id, ());
			Self::change(
				id,
				&mut appointment,
				&patient,
				AppointmentChange::CalledOnCall { start: now },
			);
			Appointments::<T>::insert(id, appointment);
			Ok(())
		}
	}
}

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// An account whose key can sign (`sign`).
	fn signer() -> AccountId;
	/// `signer`'s signature of `message`.
	fn sign(signer: &AccountId, message: &[u8]) -> Signature;
	/// Register `who` as a patient.
	fn register_patient(who: &AccountId);
	/// Register `who` as an active doctor.
	fn register_doctor(who: &AccountId);
	/// Set the block time.
	fn set_time(now: Moment);
}

/// How long after its end an appointment that was never marked done still makes a care
/// relationship: a week (milliseconds).
pub const CARE_AFTER_VISIT: Moment = 7 * 24 * 60 * 60 * 1000;

/// A doctor cares for a patient while they have an open appointment (requested or confirmed:
/// not cancelled, completed or marked a no-show) that has not ended more than
/// [`CARE_AFTER_VISIT`] ago. Cancelling it ends the relationship.
impl<T: Config> ehr_primitives::CareRelationship<T::AccountId> for Pallet<T> {
	fn in_care(patient: &T::AccountId, doctor: &T::AccountId) -> bool {
		let now = T::Clock::now();
		OpenVisits::<T>::get(patient).iter().any(|(id, _, end)| {
			now <= end.saturating_add(CARE_AFTER_VISIT)
				&& Appointments::<T>::get(id)
					.is_some_and(|appointment| &appointment.doctor == doctor)
		})
	}
}

impl<T: Config> Pallet<T> {
	fn checked_cid(bytes: Vec<u8>) -> Result<BoundedVec<u8, T::MaxCidLength>, DispatchError> {
		let bounded = BoundedVec::try_from(bytes).map_err(|_| Error::<T>::InvalidCid)?;
		cid::validate_v1(&bounded).map_err(|_| Error::<T>::InvalidCid)?;
		Ok(bounded)
	}

	/// The appointment, if the caller is its doctor.
	fn as_doctor(
		origin: OriginFor<T>,
		appointment: AppointmentId,
	) -> Result<(T::AccountId, AppointmentOf<T>), DispatchError> {
		let doctor = ensure_signed(origin)?;
		let stored = Appointments::<T>::get(appointment).ok_or(Error::<T>::UnknownAppointment)?;
		ensure!(stored.doctor == doctor, Error::<T>::NotYourAppointment);
		Ok((doctor, stored))
	}

	/// The appointment, if the caller is its patient or its doctor.
	fn as_party(
		origin: OriginFor<T>,
		appointment: AppointmentId,
	) -> Result<(T::AccountId, AppointmentOf<T>), DispatchError> {
		let who = ensure_signed(origin)?;
		let stored = Appointments::<T>::get(appointment).ok_or(Error::<T>::UnknownAppointment)?;
		ensure!(who == stored.patient || who == stored.doctor, Error::<T>::NotYourAppointment);
		Ok((who, stored))
	}

	fn finish(
		origin: OriginFor<T>,
		appointment: AppointmentId,
		status: AppointmentStatus,
	) -> DispatchResult {
		let (doctor, mut stored) = Self::as_doctor(origin, appointment)?;
		ensure!(T::Identity::is_active_doctor(&doctor), Error::<T>::NotActiveDoctor);
		ensure!(stored.status == AppointmentStatus::Confirmed, Error::<T>::InvalidStatus);
		ensure!(T::Clock::now() >= stored.start, Error::<T>::TooEarly);
		let change = match status {
			AppointmentStatus::NoShow => AppointmentChange::NoShow,
			_ => AppointmentChange::Completed,
		};
		Self::change(appointment, &mut stored, &doctor, change);
		if let Some(proposed) = stored.proposed_slot.take() {
			Self::release_slot(proposed);
		}
		Self::remove_slot(stored.slot, &stored.doctor);
		Self::close(appointment, stored, status);
		Ok(())
	}

	/// How many more entries the history must take for the appointment to end whatever
	/// happens: the end itself, the patient's answer to a pending proposal, and the doctor's
	/// confirmation of a requested appointment (completion and no-show need it).
	fn room_to_keep(appointment: &AppointmentOf<T>) -> usize {
		if appointment.status.is_final() {
			return 0;
		}
		1 + usize::from(appointment.status == AppointmentStatus::Requested)
			+ usize::from(appointment.proposed_slot.is_some())
	}

	/// Refuses `start..end` if it overlaps one of `visits` other than `except`.
	fn ensure_free(
		visits: &[OpenVisit],
		start: Moment,
		end: Moment,
		except: Option<AppointmentId>,
	) -> DispatchResult {
		let overlaps = visits
			.iter()
			.filter(|(id, ..)| Some(*id) != except)
			.any(|&(_, other_start, other_end)| other_start < end && start < other_end);
		ensure!(!overlaps, Error::<T>::OverlappingAppointment);
		Ok(())
	}

	/// Records a change: history, event and the patient's audit trail. Never fails: the only
	/// move that could fill the history, a proposal, checks [`Self::room_to_keep`] first.
	fn change(
		id: AppointmentId,
		appointment: &mut AppointmentOf<T>,
		by: &T::AccountId,
		change: AppointmentChange,
	) {
		let history = &mut appointment.history;
		if history.is_full() && history.len() > 1 {
			// Only an appointment stored before room was kept for the end: the oldest change
			// after the booking makes way (the audit trail keeps every change).
			history.remove(1);
		}
		// Cannot fail: there is room now (`MaxHistory` is at least 3, see `integrity_test`).
		let _ = history.try_push(HistoryEntry { at: T::Clock::now(), by: by.clone(), change });
		Self::trail(id, appointment, by, change);
	}

	/// Writes a change to the patient's audit trail and emits it (without the history: a
	/// visit's call).
	fn trail(
		id: AppointmentId,
		appointment: &AppointmentOf<T>,
		by: &T::AccountId,
		change: AppointmentChange,
	) {
		T::Consent::record(
			&appointment.patient,
			by,
			AuditEvent::Appointment { appointment: id, doctor: appointment.doctor.clone(), change },
		);
		Self::deposit_event(Event::AppointmentChanged {
			appointment: id,
			doctor: appointment.doctor.clone(),
			patient: appointment.patient.clone(),
			by: by.clone(),
			change,
		});
	}

	/// Stores a finished appointment and drops it from the open indices.
	fn close(id: AppointmentId, mut appointment: AppointmentOf<T>, status: AppointmentStatus) {
		appointment.status = status;
		if Self::is_on_call_visit(&appointment) {
			OnCallOpen::<T>::mutate_exists(&appointment.doctor, |open| {
				if let Some(list) = open {
					list.retain(|(visit, _)| *visit != id);
					if list.is_empty() {
						*open = None;
					}
				}
			});
		}
		DoctorAppointments::<T>::remove(&appointment.doctor, id);
		OpenVisits::<T>::mutate_exists(&appointment.patient, |visits| {
			if let Some(list) = visits {
				list.retain(|(open, ..)| *open != id);
				if list.is_empty() {
					*visits = None;
				}
			}
		});
		Appointments::<T>::insert(id, appointment);
	}

	/// Whether `doctor` is an active doctor on call at `now` in its hospital's roster.
	pub fn is_on_call(doctor: &T::AccountId, now: Moment) -> bool {
		T::Identity::is_active_doctor(doctor)
			&& T::Identity::hospital_of(doctor).is_some_and(|hospital| {
				OnCall::<T>::get(&hospital)
					.iter()
					.any(|shift| &shift.doctor == doctor && shift.holds(now))
			})
	}

	/// What closing an on-call visit adds to the benchmarked `cancel` and `finish` (measured on
	/// booked visits): the doctor's [`OnCallOpen`] read and written (at most
	/// [`Config::MaxOnCallVisitsPerDoctor`] entries of 16 bytes, and its key).
	fn on_call_close_weight() -> Weight {
		let entry = 48 + 16 * u64::from(T::MaxOnCallVisitsPerDoctor::get());
		T::DbWeight::get().reads_writes(1, 1).saturating_add(Weight::from_parts(0, entry))
	}

	/// Whether `appointment` was made by a call on call (its first change says so).
	fn is_on_call_visit(appointment: &AppointmentOf<T>) -> bool {
		appointment
			.history
			.first()
			.is_some_and(|entry| matches!(entry.change, AppointmentChange::CalledOnCall { .. }))
	}

	fn release_slot(slot: SlotId) {
		Slots::<T>::mutate(slot, |slot| {
			if let Some(slot) = slot {
				slot.held_by = None;
			}
		});
	}

	fn remove_slot(slot: SlotId, doctor: &T::AccountId) {
		if Slots::<T>::take(slot).is_some() {
			DoctorSlots::<T>::remove(doctor, slot);
			SlotCount::<T>::mutate(doctor, |count| *count = count.saturating_sub(1));
		}
	}

	fn slots_between(
		doctor: &T::AccountId,
		from: Moment,
		to: Moment,
		free_only: bool,
	) -> Vec<(SlotId, SlotOf<T>)> {
		let mut slots: Vec<(SlotId, SlotOf<T>)> = DoctorSlots::<T>::iter_key_prefix(doctor)
			.filter_map(|id| Slots::<T>::get(id).map(|slot| (id, slot)))
			.filter(|(_, slot)| from <= slot.start && slot.start < to)
			.filter(|(_, slot)| !free_only || slot.held_by.is_none())
			.collect();
		slots.sort_by_key(|(id, slot)| (slot.start, *id));
		slots
	}

	/// The slots of `doctor` that start in `from..to`, by start time.
	pub fn doctor_schedule(
		doctor: &T::AccountId,
		from: Moment,
		to: Moment,
	) -> Vec<(SlotId, SlotOf<T>)> {
		Self::slots_between(doctor, from, to, false)
	}

	/// The free slots of `doctor` that start in `from..to`, by start time.
	pub fn free_slots(doctor: &T::AccountId, from: Moment, to: Moment) -> Vec<(SlotId, SlotOf<T>)> {
		Self::slots_between(doctor, from, to, true)
	}

	fn entry(id: AppointmentId) -> Option<AppointmentEntry<T::AccountId>> {
		let stored = Appointments::<T>::get(id)?;
		Some((
			id,
			Appointment {
				doctor: stored.doctor,
				patient: stored.patient,
				slot: stored.slot,
				start: stored.start,
				duration_minutes: stored.duration_minutes,
				kind: stored.kind,
				reason: stored.reason.map(BoundedVec::into_inner),
				status: stored.status,
				proposed_slot: stored.proposed_slot,
				history: stored.history.into_inner(),
			},
		))
	}

	/// The appointments of `patient`, newest first.
	pub fn patient_appointments(patient: &T::AccountId) -> Vec<AppointmentEntry<T::AccountId>> {
		let mut ids: Vec<AppointmentId> =
			PatientAppointments::<T>::iter_key_prefix(patient).collect();
		ids.sort_unstable_by(|a, b| b.cmp(a));
		ids.into_iter().filter_map(Self::entry).collect()
	}

	/// The call times of the visits among `ids` (at most [`ehr_primitives::MAX_VISITS_ASKED`])
	/// whose call started.
	pub fn visits(ids: &[AppointmentId]) -> Vec<(AppointmentId, VisitTimes)> {
		ids.iter()
			.take(ehr_primitives::MAX_VISITS_ASKED as usize)
			.filter_map(|id| Visits::<T>::get(id).map(|times| (*id, times)))
			.collect()
	}

	/// The open appointments of `doctor`, by start time.
	pub fn doctor_appointments(doctor: &T::AccountId) -> Vec<AppointmentEntry<T::AccountId>> {
		let mut entries: Vec<_> =
			DoctorAppointments::<T>::iter_key_prefix(doctor).filter_map(Self::entry).collect();
		entries.sort_by_key(|(id, appointment)| (appointment.start, *id));
		entries
	}

	/// The pallet's invariants:
	/// - every slot's id is below [`NextSlotId`], its length 1 to [`Config::MaxSlotMinutes`],
	///   it is in its doctor's [`DoctorSlots`], and a doctor's slots do not overlap; each
	///   doctor's [`SlotCount`] is its number of slots, at most [`Config::MaxSlotsPerDoctor`];
	/// - a held slot is held by an open appointment of the same doctor that takes it or is
	///   proposed it;
	/// - every appointment's id is below [`NextAppointmentId`], its slot number below
	///   [`NextSlotId`], its doctor not its patient, it is in [`PatientAppointments`], and its
	///   history begins with the booking (or the call on call);
	/// - an open appointment is in [`DoctorAppointments`] and, with its exact times, in its
	///   patient's [`OpenVisits`]; its slot, if it still exists (an on-call visit has none), is
	///   held by it with the same doctor, time, length and kind; a proposed slot is held by
	///   it; a finished appointment is in neither index, proposes nothing, and its history
	///   ends with its end;
	/// - [`OpenVisits`] lists are non-empty, ids once, times not overlapping, and hold exactly
	///   the open appointments;
	/// - every [`OnCallOpen`] entry is an open on-call visit of that doctor, once;
	/// - rosters are non-empty, sorted by start, each shift from 0 to 24 hours long, and one
	///   doctor's shifts do not overlap;
	/// - a visit's call belongs to an appointment and ends no earlier than it began.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let next_slot = NextSlotId::<T>::get();
		let next_appointment = NextAppointmentId::<T>::get();

		// Slots, by doctor.
		let mut slots = 0u64;
		let mut times_of = BTreeMap::<T::AccountId, Vec<(Moment, Moment)>>::new();
		for (id, slot) in Slots::<T>::iter() {
			ensure!(id < next_slot, "a slot id is not below NextSlotId");
			ensure!(
				slot.duration_minutes > 0 && slot.duration_minutes <= T::MaxSlotMinutes::get(),
				"a slot's length is out of range"
			);
			ensure!(
				DoctorSlots::<T>::contains_key(&slot.doctor, id),
				"a slot is not listed for its doctor"
			);
			if let Some(holder) = slot.held_by {
				let appointment =
					Appointments::<T>::get(holder).ok_or("a slot is held by no appointment")?;
				ensure!(
					!appointment.status.is_final()
						&& appointment.doctor == slot.doctor
						&& (appointment.slot == id || appointment.proposed_slot == Some(id)),
					"a slot is held by an appointment that neither takes it nor is proposed it"
				);
			}
			times_of.entry(slot.doctor.clone()).or_default().push((slot.start, slot.end()));
			slots += 1;
		}
		ensure!(
			DoctorSlots::<T>::iter_keys().count() as u64 == slots,
			"DoctorSlots lists a slot that is gone"
		);
		for (doctor, count) in SlotCount::<T>::iter() {
			ensure!(
				count <= T::MaxSlotsPerDoctor::get(),
				"a doctor has more than MaxSlotsPerDoctor slots"
			);
			let mut times = times_of.remove(&doctor).unwrap_or_default();
			ensure!(times.len() as u32 == count, "a doctor's slot count differs from its slots");
			times.sort_unstable();
			ensure!(
				times.windows(2).all(|pair| pair[0].1 <= pair[1].0),
				"two slots of a doctor overlap"
			);
		}
		ensure!(times_of.is_empty(), "a doctor has slots but no count of them");

		// Appointments and their indices.
		let (mut all, mut open) = (0u64, 0u64);
		for (id, appointment) in Appointments::<T>::iter() {
			ensure!(id < next_appointment, "an appointment id is not below NextAppointmentId");
			ensure!(appointment.slot < next_slot, "an appointment's slot number was never given");
			ensure!(
				appointment.doctor != appointment.patient,
				"an appointment of a doctor with itself"
			);
			ensure!(
				PatientAppointments::<T>::contains_key(&appointment.patient, id),
				"an appointment is not listed for its patient"
			);
			let on_call = Self::is_on_call_visit(&appointment);
			ensure!(
				on_call
					|| appointment.history.first().is_some_and(|entry| {
						matches!(entry.change, AppointmentChange::Booked { .. })
					}),
				"an appointment's history does not begin with its booking"
			);
			let is_open = !appointment.status.is_final();
			ensure!(
				DoctorAppointments::<T>::contains_key(&appointment.doctor, id) == is_open,
				"DoctorAppointments does not list exactly the open appointments"
			);
			if is_open {
				match Slots::<T>::get(appointment.slot) {
					Some(slot) => ensure!(
						slot.held_by == Some(id)
							&& slot.doctor == appointment.doctor
							&& slot.start == appointment.start
							&& slot.duration_minutes == appointment.duration_minutes
							&& slot.kind == appointment.kind,
						"an open appointment's slot is not held by it, or differs from it"
					),
					None => ensure!(on_call, "an open booked appointment lost its slot"),
				}
				if let Some(proposed) = appointment.proposed_slot {
					ensure!(
						Slots::<T>::get(proposed).is_some_and(|slot| {
							slot.held_by == Some(id) && slot.doctor == appointment.doctor
						}),
						"a proposed slot is not held by its appointment"
					);
				}
				let end = appointment
					.start
					.saturating_add(u64::from(appointment.duration_minutes) * 60_000);
				ensure!(
					OpenVisits::<T>::get(&appointment.patient).contains(&(
						id,
						appointment.start,
						end
					)),
					"an open appointment is not in its patient's open visits with its times"
				);
				open += 1;
			} else {
				ensure!(
					appointment.proposed_slot.is_none(),
					"a finished appointment proposes a slot"
				);
				ensure!(
					appointment.history.last().is_some_and(|entry| matches!(
						entry.change,
						AppointmentChange::Cancelled
							| AppointmentChange::Completed
							| AppointmentChange::NoShow
					)),
					"a finished appointment's history does not end with its end"
				);
			}
			// Not checked: "an open appointment's history keeps room for its end"
			// (`history.len() + Self::room_to_keep(&appointment) <= MaxHistory`). Every writer
			// keeps it, but appointments stored before that rule may have a full history.
			all += 1;
		}
		ensure!(
			PatientAppointments::<T>::iter_keys().count() as u64 == all,
			"PatientAppointments lists an appointment that is not there"
		);
		ensure!(
			DoctorAppointments::<T>::iter_keys().count() as u64 == open,
			"DoctorAppointments lists an appointment that is not there"
		);

		let mut listed = 0u64;
		for (_, visits) in OpenVisits::<T>::iter() {
			ensure!(!visits.is_empty(), "an empty list of open visits is stored");
			for (index, &(id, start, end)) in visits.iter().enumerate() {
				ensure!(
					visits[..index].iter().all(|&(other, other_start, other_end)| {
						other != id && (other_end <= start || end <= other_start)
					}),
					"a patient's open appointments overlap, or one is listed twice"
				);
			}
			listed += visits.len() as u64;
		}
		ensure!(listed == open, "OpenVisits lists more than the open appointments");

		for (doctor, visits) in OnCallOpen::<T>::iter() {
			ensure!(!visits.is_empty(), "an empty list of open on-call visits is stored");
			for (index, (id, _)) in visits.iter().enumerate() {
				ensure!(
					!visits[..index].iter().any(|(other, _)| other == id),
					"an on-call visit is counted twice"
				);
				ensure!(
					Appointments::<T>::get(id).is_some_and(|appointment| {
						appointment.doctor == doctor
							&& !appointment.status.is_final()
							&& Self::is_on_call_visit(&appointment)
					}),
					"OnCallOpen counts what is no open on-call visit of that doctor"
				);
			}
		}

		for roster in OnCall::<T>::iter_values() {
			ensure!(!roster.is_empty(), "an empty roster is stored");
			ensure!(
				roster
					.windows(2)
					.all(|pair| (pair[0].from, pair[0].until) <= (pair[1].from, pair[1].until)),
				"a roster is not sorted by start"
			);
			for (index, shift) in roster.iter().enumerate() {
				ensure!(
					shift.from < shift.until && shift.until - shift.from <= MAX_SHIFT_MS,
					"a shift ends before it starts or lasts more than 24 hours"
				);
				ensure!(
					!roster[index + 1..]
						.iter()
						.any(|later| later.doctor == shift.doctor && later.from < shift.until),
					"two shifts of a doctor overlap"
				);
			}
		}

		for (id, times) in Visits::<T>::iter() {
			ensure!(Appointments::<T>::contains_key(id), "a visit's call of no appointment");
			ensure!(
				times.ended_at.is_none_or(|ended| ended >= times.started_at),
				"a visit's call ended before it began"
			);
		}
		Ok(())
	}
}
