//! Message types shared by the messages pallet and the client: encrypted messages and alerts
//! between a patient and a doctor who cares for them.

use crate::Moment;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a message (assigned by the messages pallet; never reused).
pub type MessageId = u64;

/// How urgent an alert is.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "kebab-case"))]
pub enum Severity {
	/// For information (a reading to keep an eye on).
	Info,
	/// Act soon: e.g. start or change a medication, book a visit.
	Warning,
	/// Act now: e.g. come to the hospital.
	Urgent,
}

/// A message, or an alert with a severity (alerts come from doctors only).
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
#[cfg_attr(feature = "std", serde(rename_all = "camelCase", rename_all_fields = "camelCase"))]
pub enum MessageKind {
	/// A message.
	Message,
	/// An alert from a doctor.
	Alert { severity: Severity },
}

/// What the chain keeps of a message: who, to whom, when, and a pointer to the body, encrypted
/// on the sender's machine (an envelope on IPFS) with its content key wrapped for the recipient
/// and for the sender. Nothing readable.
///
/// `Cid` and `Key` are bounded byte vectors in storage.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Message<AccountId, Cid, Key> {
	/// Who sent it.
	pub sender: AccountId,
	/// When (the block's time, milliseconds since the Unix epoch).
	pub sent_at: Moment,
	/// A message, or an alert and its severity.
	pub kind: MessageKind,
	/// The binary CIDv1 of the encrypted body.
	pub cid: Cid,
	/// The envelope's size in bytes (a client refuses to fetch more).
	pub size: u32,
	/// The body's content key wrapped for the recipient.
	pub recipient_key: Key,
	/// The body's content key wrapped for the sender (to read what one sent).
	pub sender_key: Key,
}

/// Whether a doctor cares for a patient now: what lets either of them write to the other.
/// Implemented by the consent pallet (a current grant to the doctor or the doctor's hospital)
/// and the appointments pallet (an open appointment); a pair `(A, B)` is related when either
/// says so.
pub trait CareRelationship<AccountId> {
	/// `doctor` cares for `patient` now. (Its cost is in the weight of the calls that ask,
	/// benchmarked with the runtime's own implementation on its costliest path.)
	fn in_care(patient: &AccountId, doctor: &AccountId) -> bool;
}

impl<AccountId, A: CareRelationship<AccountId>, B: CareRelationship<AccountId>>
	CareRelationship<AccountId> for (A, B)
{
	fn in_care(patient: &AccountId, doctor: &AccountId) -> bool {
		A::in_care(patient, doctor) || B::in_care(patient, doctor)
	}
}
