//! Types shared by the EHR pallets, the runtime APIs, the node's RPC and the client.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, BoundedVec, Weight};

/// An X25519 public key: what clients wrap record keys for.
pub type EncryptionKey = [u8; 32];

/// The X25519 public keys of small order (u = 0, 1, the two points of order 8, and p − 1):
/// a key agreement with any of them gives a shared secret known in advance, whatever the
/// other side's secret, so a content key wrapped for one is readable by anyone.
pub const LOW_ORDER_ENCRYPTION_KEYS: [EncryptionKey; 5] = [
	[0; 32],
	[
		1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0,
	],
	[
		0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
		0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
		0xb8, 0x00,
	],
	[
		0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
		0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
		0x11, 0x57,
	],
	[
		0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0x7f,
	],
];

/// Whether `key` may be published as an encryption key: a canonical encoding (the top bit
/// clear, the number below p = 2^255 − 19, so no two encodings name one key) of a point not
/// of small order ([`LOW_ORDER_ENCRYPTION_KEYS`]). The chain refuses any other; clients skip a
/// reader whose key is not usable instead of wrapping for it.
pub fn is_usable_encryption_key(key: &EncryptionKey) -> bool {
	let top_bit = key[31] & 0x80 != 0;
	let at_least_p =
		key[31] == 0x7f && key[1..31].iter().all(|byte| *byte == 0xff) && key[0] >= 0xed;
	!top_bit && !at_least_p && !LOW_ORDER_ENCRYPTION_KEYS.contains(key)
}

/// Milliseconds since the Unix epoch, as `pallet-timestamp` keeps time.
pub type Moment = u64;

/// The kind of a medical record, aligned with FHIR resource kinds.
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
pub enum RecordCategory {
	/// The patient's own profile (name, birth date, contacts): FHIR `Patient`.
	Profile,
	/// Vital signs and other measurements: FHIR `Observation`.
	Observation,
	/// A prescription: FHIR `MedicationRequest`.
	Prescription,
	/// A laboratory report: FHIR `DiagnosticReport`.
	LabReport,
	/// Imaging: FHIR `ImagingStudy`.
	Imaging,
	/// A clinical note or report: FHIR `Composition`.
	ClinicalNote,
	/// Any other document: FHIR `DocumentReference`.
	Document,
}

impl RecordCategory {
	/// Every category, in declaration order.
	pub const ALL: [RecordCategory; 7] = [
		RecordCategory::Profile,
		RecordCategory::Observation,
		RecordCategory::Prescription,
		RecordCategory::LabReport,
		RecordCategory::Imaging,
		RecordCategory::ClinicalNote,
		RecordCategory::Document,
	];
}

/// What an access allows.
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
pub enum AccessLevel {
	/// Open records.
	Read,
	/// Open records and add new ones (prescriptions, reports).
	ReadWrite,
}

impl AccessLevel {
	/// Whether this level allows what `needed` asks for.
	pub fn allows(self, needed: AccessLevel) -> bool {
		self >= needed
	}
}

/// What other pallets need to know about identities (implemented by the identity pallet).
pub trait Identities<AccountId> {
	/// `who` is a member hospital.
	fn is_hospital(who: &AccountId) -> bool;
	/// `who` is a registered patient.
	fn is_patient(who: &AccountId) -> bool;
	/// `who` is a doctor verified by a member hospital and not suspended.
	fn is_active_doctor(who: &AccountId) -> bool;
	/// The hospital that verified the doctor `who`.
	fn hospital_of(who: &AccountId) -> Option<AccountId>;
	/// The block in which the doctor `who` became its hospital's doctor (accepted the offer).
	fn doctor_registered_at(who: &AccountId) -> Option<u64>;
	/// `delegate` may manage consent on behalf of `patient`.
	fn is_delegate(patient: &AccountId, delegate: &AccountId) -> bool;
	/// The current X25519 encryption key of a doctor or patient.
	fn encryption_key(who: &AccountId) -> Option<EncryptionKey>;
}

/// Why a doctor opens break-glass access: a coded reason, so that the trail keeps no free text
/// about the patient's condition forever.
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
pub enum EmergencyReason {
	/// The patient is unconscious.
	Unconscious,
	/// The patient's life is in danger now.
	LifeThreatening,
	/// The patient cannot communicate (confusion, sedation, language) and no delegate is there.
	CannotCommunicate,
	/// Treatment that cannot wait for consent (e.g. a drug interaction check before surgery).
	UrgentTreatment,
	/// Another emergency; the hospital's own note says which.
	Other,
}

/// A commitment to the free-text note of an emergency access: SHA-256 of a 32-byte salt
/// followed by the note's UTF-8 bytes. The note and the salt stay off chain (with the doctor and
/// the hospital); anyone shown both can check them against the trail.
pub type NoteCommitment = [u8; 32];

/// A note commitment in JSON: `0x` and 64 hex digits (not an array of 32 numbers).
#[cfg(feature = "std")]
mod hex_commitment {
	use super::NoteCommitment;
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(
		value: &Option<NoteCommitment>,
		s: S,
	) -> Result<S::Ok, S::Error> {
		match value {
			Some(bytes) => {
				let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
				s.serialize_some(&format!("0x{hex}"))
			}
			None => s.serialize_none(),
		}
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(
		d: D,
	) -> Result<Option<NoteCommitment>, D::Error> {
		let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
		let digits = text.strip_prefix("0x").unwrap_or(&text);
		if digits.len() != 64 || !digits.is_ascii() {
			return Err(D::Error::custom("a commitment is 32 bytes in hex"));
		}
		let mut bytes = [0u8; 32];
		for (i, byte) in bytes.iter_mut().enumerate() {
			*byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)
				.map_err(|_| D::Error::custom("a commitment is 32 bytes in hex"))?;
		}
		Ok(Some(bytes))
	}
}

/// Which records a grant covers.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "kebab-case"))]
pub enum Scope {
	/// Every record of the patient.
	All,
	/// Records of these categories only.
	Categories(BoundedVec<RecordCategory, ConstU32<7>>),
}

impl Scope {
	/// Whether the scope covers records of `category`.
	pub fn covers(&self, category: RecordCategory) -> bool {
		match self {
			Scope::All => true,
			Scope::Categories(categories) => categories.contains(&category),
		}
	}
}

/// Why a patient grants access.
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
pub enum Purpose {
	/// Care of the patient.
	Treatment,
	/// Break-glass access by a doctor (set by emergency access, not by grants).
	Emergency,
	/// Medical research.
	Research,
	/// Insurance and billing.
	Insurance,
	/// A family member or guardian looking after the patient.
	Care,
	/// Anything else.
	Other,
}

/// A patient's consent for one grantee.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Grant<AccountId> {
	/// Which records.
	pub scope: Scope,
	/// Read, or read and write.
	pub access: AccessLevel,
	/// When the grant stops working (milliseconds since the Unix epoch); `None`: never.
	pub expires_at: Option<Moment>,
	/// Why.
	pub purpose: Purpose,
	/// When the grant was given or last changed.
	pub granted_at: Moment,
	/// The patient, or the delegate acting for the patient.
	pub granted_by: AccountId,
}

impl<AccountId> Grant<AccountId> {
	/// Whether the grant allows `level` on records of `category` at time `now`.
	pub fn allows(&self, category: RecordCategory, level: AccessLevel, now: Moment) -> bool {
		self.expires_at.is_none_or(|expiry| now < expiry)
			&& self.scope.covers(category)
			&& self.access.allows(level)
	}
}

/// A hospital's verdict on another hospital's emergency access, after review.
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
pub enum ReviewVerdict {
	/// The access was justified by the patient's condition.
	Justified,
	/// The reviewer cannot tell from what it saw: the doctor's hospital is asked to explain.
	Questionable,
	/// The access was not justified: the consortium's governance follows up.
	Unjustified,
}

/// What happened, in a patient's audit trail.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase", rename_all_fields = "camelCase"))]
pub enum AuditEvent<AccountId> {
	/// Consent given to `grantee`.
	ConsentGranted { grantee: AccountId, grant: Grant<AccountId> },
	/// Consent of `grantee` changed to `grant`.
	ConsentChanged { grantee: AccountId, grant: Grant<AccountId> },
	/// Consent of `grantee` revoked.
	ConsentRevoked { grantee: AccountId },
	/// Consent of `grantee` reached its expiry time.
	ConsentExpired { grantee: AccountId },
	/// A doctor opened break-glass access, for a coded reason, with an optional commitment to a
	/// note kept off chain.
	EmergencyAccessOpened {
		doctor: AccountId,
		code: EmergencyReason,
		#[cfg_attr(feature = "std", serde(with = "hex_commitment"))]
		commitment: Option<NoteCommitment>,
		expires_at: Moment,
	},
	/// Break-glass access of `doctor` ended: closed by the actor, or expired.
	EmergencyAccessClosed { doctor: AccountId, expired: bool },
	/// A record was added (by the patient or a doctor with write consent).
	RecordAdded { record: RecordId, category: RecordCategory },
	/// A record was amended by a new version.
	RecordAmended { record: RecordId, new_version: RecordId },
	/// A record's content key was wrapped for `reader`.
	KeyShared { record: RecordId, reader: AccountId },
	/// A record's key for `reader` was removed.
	KeyRemoved { record: RecordId, reader: AccountId },
	/// A record was erased (right to erasure): keys deleted, tombstone kept.
	RecordErased { record: RecordId },
	/// The actor opened a record.
	RecordAccessed { record: RecordId, category: RecordCategory },
	/// An appointment of the patient with `doctor` changed (booked, confirmed, …).
	Appointment { appointment: AppointmentId, doctor: AccountId, change: AppointmentChange },
	/// The patient (or a delegate) chose which categories of records are openable in an
	/// emergency through the hospitals' escrow (none: empty).
	EmergencyCategoriesSet { categories: BoundedVec<RecordCategory, ConstU32<7>> },
	/// The content key of `record` was escrowed: split among the committee of `epoch`.
	KeyEscrowed { record: RecordId, epoch: u32 },
	/// Committee member `hospital` released its share of the key of `record` to `doctor`,
	/// during the doctor's emergency access.
	ShareReleased { record: RecordId, doctor: AccountId, hospital: AccountId },
	/// A member hospital other than the doctor's reviewed the emergency access opened at trail
	/// entry `entry` by `doctor`, with its `verdict` (the actor is the reviewing hospital).
	EmergencyAccessReviewed { entry: u64, doctor: AccountId, verdict: ReviewVerdict },
}

/// Identifier of a record (assigned by the records pallet).
pub type RecordId = u64;

/// One entry of a patient's audit trail.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct AuditEntry<AccountId, BlockNumber> {
	/// The block that recorded it.
	pub block: BlockNumber,
	/// That block's time (milliseconds since the Unix epoch).
	pub time: Moment,
	/// Who did it (for expiries: the grantee whose consent ended).
	pub actor: AccountId,
	/// What happened.
	pub event: AuditEvent<AccountId>,
}

/// The consent pallet's answers to other pallets.
pub trait ConsentProvider<AccountId> {
	/// Whether `who` may access records of `category` of `patient` at `level` now.
	fn may_access(
		who: &AccountId,
		patient: &AccountId,
		category: RecordCategory,
		level: AccessLevel,
	) -> bool;

	/// The accounts that may read records of `category` of `patient` now (the patient, and the
	/// grantees whose grants cover it).
	fn readers(patient: &AccountId, category: RecordCategory) -> Vec<AccountId>;

	/// Whether `who` is one of [`Self::readers`] of records of `category` of `patient` now (the
	/// patient, or a grantee whose current grant covers it and who is not a suspended doctor),
	/// without walking every grant.
	fn is_reader(patient: &AccountId, who: &AccountId, category: RecordCategory) -> bool;

	/// Append `event` by `actor` to the audit trail of `patient`.
	fn record(patient: &AccountId, actor: &AccountId, event: AuditEvent<AccountId>);
	/// Counts one settings change of `actor` (a grant, a change, emergency categories chosen):
	/// each writes a permanent trail entry for free, so an account makes a bounded number per
	/// period. Errs once the account made its number this period.
	fn note_settings_change(actor: &AccountId) -> Result<(), sp_runtime::DispatchError>;
}

/// Called by the consent pallet when a grantee loses access (revocation or expiry).
pub trait OnAccessEnded<AccountId> {
	/// `grantee` no longer has consent for `patient`: all of its keys go; returns the weight
	/// used.
	fn on_access_ended(patient: &AccountId, grantee: &AccountId) -> Weight;

	/// The most weight one call of [`Self::on_access_ended`] may use.
	fn max_weight() -> Weight;

	/// As [`Self::on_access_ended`], but removes at most `limit` keys: returns whether every key
	/// is gone, how many were removed, and the weight used. Called again with the same accounts
	/// until it is done.
	fn on_access_ended_bounded(
		patient: &AccountId,
		grantee: &AccountId,
		limit: u32,
	) -> (bool, u32, Weight);

	/// The most weight one call of [`Self::on_access_ended_bounded`] with `limit` may use.
	fn bounded_weight(limit: u32) -> Weight;

	/// The consent of `grantee` changed (narrowed, or revoked): keys to records it may no longer
	/// read must go (at the end of this block and the following ones).
	fn on_access_changed(_patient: &AccountId, _grantee: &AccountId) {}
}

impl<AccountId> OnAccessEnded<AccountId> for () {
	fn on_access_ended(_: &AccountId, _: &AccountId) -> Weight {
		Weight::zero()
	}

	fn max_weight() -> Weight {
		Weight::zero()
	}

	fn on_access_ended_bounded(_: &AccountId, _: &AccountId, _: u32) -> (bool, u32, Weight) {
		(true, 0, Weight::zero())
	}

	fn bounded_weight(_: u32) -> Weight {
		Weight::zero()
	}
}

/// Called by the records pallet for each version it erases: whatever else holds the record's
/// content key in some form (escrowed shares) goes with it.
pub trait OnRecordErased {
	/// Record `id` was erased; returns the weight used.
	fn on_erased(id: RecordId) -> Weight;

	/// The most weight one call of [`Self::on_erased`] may use.
	fn max_weight() -> Weight;
}

impl OnRecordErased for () {
	fn on_erased(_: RecordId) -> Weight {
		Weight::zero()
	}

	fn max_weight() -> Weight {
		Weight::zero()
	}
}

/// A share of a content key wrapped for one recipient: identifier, ephemeral key, sealed value
/// (`ehr_envelope::escrow::SHARE_STANZA_SIZE`).
pub type ShareStanza = [u8; 81];

/// Escrows the content key of a record in the call that adds it, so that an upload is one
/// transaction (implemented by the escrow pallet, called by the records pallet).
pub trait RecordKeyEscrow<AccountId> {
	/// The most shares one escrow carries (the escrow committee's largest size).
	type MaxShares: sp_runtime::traits::Get<u32> + 'static;

	/// `who` escrows the key of `record`, just added, for committee `epoch`: the checks and
	/// effects of the escrow pallet's `escrow_key`, its errors included.
	fn escrow(
		who: &AccountId,
		record: RecordId,
		epoch: u32,
		shares: BoundedVec<(AccountId, ShareStanza), Self::MaxShares>,
	) -> sp_runtime::DispatchResult;

	/// The most weight one call of [`Self::escrow`] uses.
	fn weight() -> Weight;
}

/// No escrow: an upload that carries shares is refused.
impl<AccountId> RecordKeyEscrow<AccountId> for () {
	type MaxShares = ConstU32<0>;

	fn escrow(
		_: &AccountId,
		_: RecordId,
		_: u32,
		_: BoundedVec<(AccountId, ShareStanza), Self::MaxShares>,
	) -> sp_runtime::DispatchResult {
		Err(sp_runtime::DispatchError::Other("no key escrow"))
	}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// Whether a doctor's emergency access to a patient is open now (implemented by the consent
/// pallet).
pub trait EmergencyLookup<AccountId> {
	/// When the emergency access of `doctor` to `patient` was opened, if it is open now (not
	/// expired or closed).
	fn opened_at(patient: &AccountId, doctor: &AccountId) -> Option<Moment>;

	/// `doctor` has an emergency access to `patient` that has not expired or been closed.
	fn is_open(patient: &AccountId, doctor: &AccountId) -> bool {
		Self::opened_at(patient, doctor).is_some()
	}
}

/// Told when an emergency access ends (closed by the doctor, the hospital or the patient, or
/// expired), so that what was released for it goes (implemented by the escrow pallet).
pub trait OnEmergencyClosed<AccountId> {
	/// The emergency access of `doctor` to `patient` ended. Must stay cheap: at most
	/// [`Self::weight`] (queue the work, do it in a block hook).
	fn on_emergency_closed(patient: &AccountId, doctor: &AccountId);

	/// The most weight one call of [`Self::on_emergency_closed`] uses.
	fn weight() -> Weight;
}

impl<AccountId> OnEmergencyClosed<AccountId> for () {
	fn on_emergency_closed(_: &AccountId, _: &AccountId) {}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// What the consent pallet needs to know about a record (implemented by the records pallet).
pub trait RecordLookup<AccountId> {
	/// The patient and the category of record `id`, unless it does not exist or was erased.
	fn patient_and_category(id: RecordId) -> Option<(AccountId, RecordCategory)>;

	/// Who added record `id` (the patient, or a doctor with write consent), unless it does not
	/// exist or was erased.
	fn author(_id: RecordId) -> Option<AccountId> {
		None
	}
}

/// A doctor in the directory, as the runtime API returns it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DoctorEntry<AccountId> {
	/// The doctor's account.
	pub account: AccountId,
	/// The hospital that verified the doctor.
	pub hospital: AccountId,
	/// Full name.
	pub name: Vec<u8>,
	/// Specialty.
	pub specialty: Vec<u8>,
	/// Licence number.
	pub licence: Vec<u8>,
	/// The doctor's X25519 key, once set.
	pub encryption_key: Option<EncryptionKey>,
	/// Suspended by the hospital.
	pub suspended: bool,
}

/// An open break-glass access, as the runtime API returns it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct EmergencyEntry<AccountId> {
	/// The doctor.
	pub doctor: AccountId,
	/// The coded reason.
	pub code: EmergencyReason,
	/// The commitment to the doctor's note kept off chain, if any.
	pub commitment: Option<NoteCommitment>,
	/// When it was opened.
	pub opened_at: Moment,
	/// When it closes by itself.
	pub expires_at: Moment,
}

/// A page of a patient's audit trail.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct TrailPage<AccountId, BlockNumber> {
	/// How many entries the whole trail has.
	pub total: u64,
	/// The entries of the page, with their indices.
	pub entries: Vec<(u64, AuditEntry<AccountId, BlockNumber>)>,
}

sp_api::decl_runtime_apis! {
	/// The queries of apps and auditors.
	pub trait EhrApi<AccountId, BlockNumber>
	where
		AccountId: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// Up to `limit` doctors of the directory, after the account `after`.
		fn doctors(after: Option<AccountId>, limit: u32) -> Vec<DoctorEntry<AccountId>>;
		/// The patients whose current grant names `doctor`, or the doctor's hospital.
		fn doctor_patients(doctor: AccountId) -> Vec<AccountId>;
		/// The current (not expired) grants of `patient`, by grantee.
		fn patient_grants(patient: AccountId) -> Vec<(AccountId, Grant<AccountId>)>;
		/// Whether `who` may access records of `category` of `patient` at `level` now.
		fn check_access(
			who: AccountId,
			patient: AccountId,
			category: RecordCategory,
			level: AccessLevel,
		) -> bool;
		/// Entries `from..from + limit` of the audit trail of `patient`.
		fn audit_trail(patient: AccountId, from: u64, limit: u32) -> TrailPage<AccountId, BlockNumber>;
		/// The open (not expired) emergency accesses to `patient`.
		fn emergency_accesses(patient: AccountId) -> Vec<EmergencyEntry<AccountId>>;
	}
}

/// Takes the next id from a counter and moves the counter on: the one id scheme of records,
/// slots and appointments (`Next…Id::<T>::mutate(take_id)`). Ids are never reused; at
/// `u64::MAX` the counter stays (unreachable at any real rate).
pub fn take_id(next: &mut u64) -> u64 {
	let id = *next;
	*next = next.saturating_add(1);
	id
}

/// The most entries one `ehr_auditTrail` page holds; an auditor expects exactly
/// `min(limit, MAX_AUDIT_PAGE, total - from)` entries.
pub const MAX_AUDIT_PAGE: u32 = 100;

pub mod cid;
mod identity;
pub use identity::*;
mod records;
pub use records::*;
mod appointments;
pub use appointments::*;
mod fees;
pub use fees::*;
mod standing;
pub use standing::*;
mod messages;
pub use messages::*;

#[cfg(test)]
mod encryption_key_tests {
	use super::*;
	use curve25519_dalek::constants::EIGHT_TORSION;
	use rand_core::OsRng;
	use x25519_dalek::{PublicKey, StaticSecret};

	#[test]
	fn every_small_order_point_is_refused() {
		for point in EIGHT_TORSION {
			let u = point.to_montgomery().to_bytes();
			assert!(LOW_ORDER_ENCRYPTION_KEYS.contains(&u), "{u:02x?}");
			assert!(!is_usable_encryption_key(&u));
		}
	}

	#[test]
	fn a_refused_key_gives_a_secret_known_in_advance() {
		for key in LOW_ORDER_ENCRYPTION_KEYS {
			let shared = StaticSecret::random_from_rng(OsRng).diffie_hellman(&PublicKey::from(key));
			assert!(!shared.was_contributory(), "{key:02x?}");
		}
	}

	#[test]
	fn non_canonical_encodings_are_refused() {
		// p, p + 1 and 2^255 − 1: the numbers at or above p name the same points as 0, 1, 18.
		let mut at_least_p = [0xff; 32];
		at_least_p[31] = 0x7f;
		for low in [0xed, 0xee, 0xff] {
			at_least_p[0] = low;
			assert!(!is_usable_encryption_key(&at_least_p));
		}
		// The top bit set: X25519 ignores it, so it is a second name for another key.
		let mut key = PublicKey::from(&StaticSecret::random_from_rng(OsRng)).to_bytes();
		key[31] |= 0x80;
		assert!(!is_usable_encryption_key(&key));
	}

	#[test]
	fn keys_of_real_secrets_are_usable() {
		for _ in 0..1000 {
			let key = PublicKey::from(&StaticSecret::random_from_rng(OsRng)).to_bytes();
			assert!(is_usable_encryption_key(&key));
		}
	}
}
