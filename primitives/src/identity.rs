//! The identity pallet's stored types, here so that clients decode proven storage with the
//! chain's own definitions (the web app's WebAssembly cannot take the pallet).

use crate::EncryptionKey;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::Get, BoundedVec};

/// Whether a verified doctor may act.
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
pub enum DoctorStatus {
	/// Verified by the hospital and active.
	Active,
	/// Suspended by the hospital: gets no new consent and is refused wherever consent is checked.
	Suspended,
}

/// A doctor in the public directory.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxText))]
pub struct DoctorInfo<AccountId, BlockNumber, MaxText: Get<u32>> {
	/// The member hospital that verified the doctor.
	pub hospital: AccountId,
	/// Full name, as on the licence.
	pub name: BoundedVec<u8, MaxText>,
	/// Specialty, e.g. "cardiology".
	pub specialty: BoundedVec<u8, MaxText>,
	/// Licence number.
	pub licence: BoundedVec<u8, MaxText>,
	/// Set by the doctor, never by the hospital, so that only the doctor can open what is
	/// wrapped for this key.
	pub encryption_key: Option<EncryptionKey>,
	/// Active or suspended.
	pub status: DoctorStatus,
	/// When the hospital verified the doctor.
	pub registered_at: BlockNumber,
}

/// A registered patient. Nothing here identifies the person: the profile is an encrypted record.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxDelegates))]
pub struct PatientInfo<AccountId, BlockNumber, MaxDelegates: Get<u32>> {
	/// The patient's X25519 public key.
	pub encryption_key: EncryptionKey,
	/// Accounts (guardians, family) that may manage consent for the patient.
	pub delegates: BoundedVec<AccountId, MaxDelegates>,
	/// When the patient registered.
	pub registered_at: BlockNumber,
}
