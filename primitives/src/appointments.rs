//! Appointment types shared by the appointments pallet, the runtime API and the node's RPC.

use crate::Moment;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a published slot.
pub type SlotId = u64;
/// Identifier of an appointment.
pub type AppointmentId = u64;

/// How the visit takes place.
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
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "kebab-case"))]
pub enum VisitKind {
	/// At the hospital.
	InPerson,
	/// By video call.
	Video,
}

/// A time a doctor is available.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Slot<AccountId> {
	/// The doctor.
	pub doctor: AccountId,
	/// Start (milliseconds since the Unix epoch).
	pub start: Moment,
	/// Length in minutes.
	pub duration_minutes: u32,
	/// In person or video.
	pub kind: VisitKind,
	/// The appointment that holds the slot (booked, or proposed for a reschedule).
	pub held_by: Option<AppointmentId>,
}

impl<AccountId> Slot<AccountId> {
	/// When the slot ends.
	pub fn end(&self) -> Moment {
		self.start.saturating_add(u64::from(self.duration_minutes) * 60_000)
	}
}

/// Where an appointment stands.
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
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "kebab-case"))]
pub enum AppointmentStatus {
	/// Booked by the patient, not yet confirmed by the doctor.
	Requested,
	/// Confirmed by the doctor.
	Confirmed,
	/// Cancelled by the patient or the doctor.
	Cancelled,
	/// The visit took place.
	Completed,
	/// The patient did not come.
	NoShow,
}

impl AppointmentStatus {
	/// Whether nothing can change any more.
	pub fn is_final(self) -> bool {
		matches!(self, Self::Cancelled | Self::Completed | Self::NoShow)
	}
}

/// One change in an appointment's history.
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
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub enum AppointmentChange {
	/// The patient booked a slot starting at `start`.
	Booked { start: Moment },
	/// The doctor confirmed.
	Confirmed,
	/// The doctor proposed to move the visit to a slot starting at `start`.
	RescheduleProposed { start: Moment },
	/// The patient accepted the new time.
	RescheduleAccepted { start: Moment },
	/// The patient declined the new time; the visit stays where it was.
	RescheduleDeclined,
	/// Cancelled by the actor.
	Cancelled,
	/// The doctor marked the visit done.
	Completed,
	/// The doctor marked that the patient did not come.
	NoShow,
	/// The visit's video call began (a party's app connected the call).
	VisitStarted,
	/// The visit's video call ended after `minutes` (rounded up).
	VisitEnded { minutes: u32 },
	/// The patient called the doctor's hospital on call and this doctor answered (the chain
	/// checked the doctor's signed answer): a confirmed video visit starting at `start` (the
	/// first entry of an on-call visit, instead of [`Self::Booked`]).
	CalledOnCall { start: Moment },
}

/// A doctor's turn on call for its hospital: patients who call the hospital ring the doctors on
/// call and online, from `from` until `until` (ms since the Unix epoch).
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
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Shift<AccountId> {
	/// The doctor on call (a doctor of the hospital).
	pub doctor: AccountId,
	/// From (ms since the Unix epoch).
	pub from: Moment,
	/// Until (ms since the Unix epoch, excluded).
	pub until: Moment,
}

impl<AccountId> Shift<AccountId> {
	/// Whether the shift holds `now`.
	pub fn holds(&self, now: Moment) -> bool {
		self.from <= now && now < self.until
	}
}

/// The longest shift on call: 24 hours (ms).
pub const MAX_SHIFT_MS: Moment = 24 * 60 * 60_000;
/// How far ahead a hospital may publish its roster: 31 days (ms).
pub const MAX_ROSTER_AHEAD_MS: Moment = 31 * 24 * 60 * 60_000;
/// How long before the block's time a doctor's answer to a call on call (its signed time) may
/// have been given when the patient's app makes the visit: two minutes (ms)…
pub const ANSWER_VALID_MS: Moment = 2 * 60_000;
/// …and how far after it (the doctor's clock ahead of the chain's): 30 seconds (ms). A doctor's
/// answers count in time order, once each.
pub const ANSWER_AHEAD_MS: Moment = 30_000;

/// What a doctor on call signs to answer `patient`'s call at `answered_at` (ms since the Unix
/// epoch): `ehr-oncall-answer:v1`, the patient's and the doctor's encoded accounts (32 bytes
/// each on the chain) and the time (u64 little-endian). The patient's app makes the visit with
/// it (`on_call_visit`): no visit without the doctor's answer.
pub fn on_call_answer_payload<AccountId: codec::Encode>(
	patient: &AccountId,
	doctor: &AccountId,
	answered_at: Moment,
) -> Vec<u8> {
	let mut payload = b"ehr-oncall-answer:v1".to_vec();
	patient.encode_to(&mut payload);
	doctor.encode_to(&mut payload);
	payload.extend_from_slice(&answered_at.to_le_bytes());
	payload
}

/// The length of an on-call visit, in minutes (its call may run [`VISIT_LATE_MS`] longer).
pub const ON_CALL_VISIT_MINUTES: u32 = 30;

/// A party may start a video visit's call from this long before the appointment's start…
pub const VISIT_EARLY_MS: Moment = 10 * 60_000;
/// …until this long after its end (a visit running over).
pub const VISIT_LATE_MS: Moment = 30 * 60_000;

/// When a video visit's call took place.
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
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct VisitTimes {
	/// When the call began (ms since the Unix epoch, the block's time).
	pub started_at: Moment,
	/// When it ended, once a party's app said so.
	pub ended_at: Option<Moment>,
}

impl VisitTimes {
	/// The call's length in whole minutes, rounded up, once it ended.
	pub fn minutes(&self) -> Option<u32> {
		self.ended_at.map(|end| {
			let ms = end.saturating_sub(self.started_at);
			u32::try_from(ms.div_ceil(60_000)).unwrap_or(u32::MAX)
		})
	}
}

/// A change, when and by whom.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct HistoryEntry<AccountId> {
	/// When (milliseconds since the Unix epoch).
	pub at: Moment,
	/// Who.
	pub by: AccountId,
	/// What.
	pub change: AppointmentChange,
}

/// A patient's visit to a doctor.
///
/// `Cid` and `History` are bounded in storage and plain vectors in runtime API answers.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Appointment<AccountId, Cid, History> {
	/// The doctor.
	pub doctor: AccountId,
	/// The patient.
	pub patient: AccountId,
	/// The slot it takes.
	pub slot: SlotId,
	/// When it starts (milliseconds since the Unix epoch).
	pub start: Moment,
	/// Length in minutes.
	pub duration_minutes: u32,
	/// In person or video.
	pub kind: VisitKind,
	/// CID of the reason, encrypted for the doctor like any record.
	pub reason: Option<Cid>,
	/// Where it stands.
	pub status: AppointmentStatus,
	/// The slot the doctor proposed to move it to, until the patient answers.
	pub proposed_slot: Option<SlotId>,
	/// Every change, oldest first.
	pub history: History,
}

/// An appointment as the runtime API returns it.
pub type AppointmentEntry<AccountId> =
	(AppointmentId, Appointment<AccountId, Vec<u8>, Vec<HistoryEntry<AccountId>>>);

sp_api::decl_runtime_apis! {
	/// The queries of the appointments pallet.
	pub trait AppointmentsApi<AccountId>
	where
		AccountId: codec::Codec,
	{
		/// The slots of `doctor` (free and held) that start in `from..to`, by start time.
		fn doctor_schedule(doctor: AccountId, from: Moment, to: Moment) -> Vec<(SlotId, Slot<AccountId>)>;
		/// The free slots of `doctor` that start in `from..to`, by start time.
		fn free_slots(doctor: AccountId, from: Moment, to: Moment) -> Vec<(SlotId, Slot<AccountId>)>;
		/// The appointments of `patient` (open ones and the history), newest first.
		fn patient_appointments(patient: AccountId) -> Vec<AppointmentEntry<AccountId>>;
		/// The open appointments of `doctor`, by start time.
		fn doctor_appointments(doctor: AccountId) -> Vec<AppointmentEntry<AccountId>>;
	}

	/// When the calls of video visits took place.
	pub trait VisitsApi {
		/// The times of the visits among `appointments` (at most [`MAX_VISITS_ASKED`]) whose call
		/// has started.
		fn visits(appointments: Vec<AppointmentId>) -> Vec<(AppointmentId, VisitTimes)>;
	}
}

/// Most appointments one `VisitsApi::visits` call looks up.
pub const MAX_VISITS_ASKED: u32 = 1000;
