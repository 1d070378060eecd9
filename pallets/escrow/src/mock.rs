//! A test runtime: timestamp, and the real identity, consent, records and escrow pallets.
//! Hospitals 1, 2 and 3 (the committee, t = 2) and 4 (not in the committee); doctor 10 of
//! hospital 4 (so that every committee member may release to it); patients 20 and 21; 22 is the guardian (delegate) of 20.

use crate as pallet_ehr_escrow;
use ehr_primitives::{AccessLevel, EmergencyReason, RecordCategory, Scope};
use frame_support::{
	derive_impl,
	traits::{ConstU32, Contains},
};
use frame_system::EnsureRoot;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Identity: pallet_ehr_identity,
		Consent: pallet_ehr_consent,
		Records: pallet_ehr_records,
		Escrow: pallet_ehr_escrow,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	// Real database weights: the clean-up hook's budget is in them.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

pub const HOSPITAL: u64 = 1;
pub const SECOND: u64 = 2;
pub const THIRD: u64 = 3;
pub const OUTSIDER: u64 = 4;
/// The hospital of the benchmarks' doctors: a member, in no committee the benchmarks name (a
/// hospital's custodian never releases to its own doctors).
pub const CLINIC: u64 = 5;
pub const DOCTOR: u64 = 10;
pub const PATIENT: u64 = 20;
pub const OTHER_PATIENT: u64 = 21;
pub const GUARDIAN: u64 = 22;

pub use ehr_pallet_test_kit::{HOUR, START};

pub struct Hospitals;
impl Contains<u64> for Hospitals {
	fn contains(who: &u64) -> bool {
		[HOSPITAL, SECOND, THIRD, OUTSIDER, CLINIC].contains(who)
	}
}

#[derive_impl(pallet_ehr_identity::config_preludes::TestDefaultConfig)]
impl pallet_ehr_identity::Config for Test {
	type OnSuspended = Records;
	type Hospitals = Hospitals;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

#[derive_impl(pallet_ehr_consent::config_preludes::TestDefaultConfig)]
impl pallet_ehr_consent::Config for Test {
	type Identity = Identity;
	type PolicyOrigin = frame_system::EnsureRoot<u64>;
	type Clock = Timestamp;
	type OnAccessEnded = Records;
	type Records = Records;
	type OnEmergencyClosed = Escrow;
	type MaxGrantsPerPatient = ConstU32<5>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

#[derive_impl(pallet_ehr_records::config_preludes::TestDefaultConfig)]
impl pallet_ehr_records::Config for Test {
	type Identity = Identity;
	type Consent = Consent;
	type Clock = Timestamp;
	type MaxRecordsPerPatient = ConstU32<8>;
	type OnErased = Escrow;
	type KeyEscrow = Escrow;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

impl pallet_ehr_escrow::Config for Test {
	type Identity = Identity;
	type Consent = Consent;
	type Emergency = Consent;
	type Records = Records;
	type CommitteeOrigin = EnsureRoot<u64>;
	type MaxCommittee = ConstU32<4>;
	type MaxReleasePerCall = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

/// Sets up what the benchmarks of every pallet here need, with fresh accounts each time.
#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;

#[cfg(feature = "runtime-benchmarks")]
std::thread_local! {
	static NEXT_ACCOUNT: core::cell::Cell<u64> = const { core::cell::Cell::new(1_000) };
}

/// A usable key (canonical, not of small order) for a fresh account.
#[cfg(feature = "runtime-benchmarks")]
fn fresh_key(who: u64) -> [u8; 32] {
	let mut key = [who as u8; 32];
	key[31] = 0x11;
	key
}

#[cfg(feature = "runtime-benchmarks")]
fn fresh() -> u64 {
	NEXT_ACCOUNT.with(|next| {
		let id = next.get();
		next.set(id + 1);
		id
	})
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_identity::BenchmarkHelper<u64> for Helper {
	fn make_hospital(_: &u64) {}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_consent::BenchmarkHelper<u64> for Helper {
	fn register_patient(who: &u64) {
		let _ = ehr_pallet_test_kit::register_patient::<Test>(*who, fresh_key(*who));
	}
	fn register_doctor(who: &u64) {
		let _ = ehr_pallet_test_kit::register_doctor::<Test>(CLINIC, *who, fresh_key(*who));
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
	fn add_record(patient: &u64, category: RecordCategory) -> u64 {
		add_by(*patient, *patient, category)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_records::BenchmarkHelper<u64> for Helper {
	fn register_patient(who: &u64) {
		<Helper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_patient(who);
	}
	fn register_doctor(who: &u64) {
		<Helper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_doctor(who);
	}
	fn grant(patient: &u64, grantee: &u64) {
		let _ = ehr_pallet_test_kit::consent::grant::<Test>(
			*patient,
			*patient,
			*grantee,
			Scope::All,
			AccessLevel::ReadWrite,
			None,
		);
	}
	fn max_grants() -> u32 {
		5
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Helper {
	fn hospitals(count: u32) -> Vec<u64> {
		[HOSPITAL, SECOND, THIRD, OUTSIDER][..count as usize].to_vec()
	}
	fn patient_with_delegate() -> (u64, u64) {
		let (patient, delegate) = (fresh(), fresh());
		for who in [patient, delegate] {
			<Helper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_patient(&who);
		}
		Identity::add_delegate(RuntimeOrigin::signed(patient), delegate).unwrap();
		(patient, delegate)
	}
	fn doctor() -> u64 {
		let doctor = fresh();
		<Helper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_doctor(&doctor);
		doctor
	}
	fn add_record(patient: &u64, category: RecordCategory) -> u64 {
		add_by(*patient, *patient, category)
	}
	fn open_emergency(doctor: &u64, patient: &u64) {
		Consent::open_emergency_access(
			RuntimeOrigin::signed(*doctor),
			*patient,
			EmergencyReason::Unconscious,
			None,
		)
		.unwrap();
	}
	fn end_emergency(doctor: &u64, patient: &u64) {
		Consent::end_emergency_access(RuntimeOrigin::signed(*patient), *patient, *doctor).unwrap();
	}
}

/// A usable X25519 key (not of small order) for `seed`.
pub fn key(seed: u8) -> [u8; 32] {
	[seed; 32]
}

/// The committee of hospitals 1, 2, 3 with threshold 2; the patient opted in lab reports and
/// prescriptions; record 0 (lab report), 1 (imaging) and 2 (prescription) of the patient, and 3
/// (lab report) of the other patient.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ehr_pallet_test_kit::ext_with::<Test>(|| {
		ehr_pallet_test_kit::register_doctor::<Test>(OUTSIDER, DOCTOR, key(10)).unwrap();
		for patient in [PATIENT, OTHER_PATIENT, GUARDIAN] {
			ehr_pallet_test_kit::register_patient::<Test>(patient, key(patient as u8)).unwrap();
		}
		Identity::add_delegate(RuntimeOrigin::signed(PATIENT), GUARDIAN).unwrap();
		Escrow::set_committee(
			RuntimeOrigin::root(),
			vec![(HOSPITAL, key(1)), (SECOND, key(2)), (THIRD, key(3))].try_into().unwrap(),
			2,
		)
		.unwrap();
		Escrow::set_emergency_categories(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			vec![RecordCategory::LabReport, RecordCategory::Prescription].try_into().unwrap(),
		)
		.unwrap();
		for (patient, category) in [
			(PATIENT, RecordCategory::LabReport),
			(PATIENT, RecordCategory::Imaging),
			(PATIENT, RecordCategory::Prescription),
			(OTHER_PATIENT, RecordCategory::LabReport),
		] {
			add(patient, category);
		}
	})
}

fn add(patient: u64, category: RecordCategory) {
	add_by(patient, patient, category);
}

/// `by` adds a record of `category` for `patient` (wrapped for the patient); returns its id.
pub fn add_by(by: u64, patient: u64, category: RecordCategory) -> u64 {
	let next = pallet_ehr_records::NextRecordId::<Test>::get();
	let cid = ehr_pallet_test_kit::raw_cid(next as u8);
	let keys: pallet_ehr_records::ReaderKeysOf<Test> =
		vec![(patient, vec![patient as u8; 80].try_into().unwrap())].try_into().unwrap();
	Records::add_record(
		RuntimeOrigin::signed(by),
		patient,
		category,
		cid.try_into().unwrap(),
		[1; 32],
		1,
		keys,
		None,
	)
	.unwrap();
	next
}

/// A stand-in share stanza with identifier `id` (the chain never opens it).
pub fn stanza(id: u8) -> crate::ShareStanza {
	let mut stanza = [id.wrapping_mul(7); 81];
	stanza[0] = id;
	stanza
}

/// Shares for hospitals 1, 2, 3 with identifiers 1, 2, 3.
pub fn committee_shares() -> BoundedVecOf {
	vec![(HOSPITAL, stanza(1)), (SECOND, stanza(2)), (THIRD, stanza(3))].try_into().unwrap()
}

pub type BoundedVecOf =
	frame_support::BoundedVec<(u64, crate::ShareStanza), <Test as crate::Config>::MaxCommittee>;

/// The doctor opens emergency access to the patient.
pub fn open_emergency() {
	Consent::open_emergency_access(
		RuntimeOrigin::signed(DOCTOR),
		PATIENT,
		EmergencyReason::Unconscious,
		None,
	)
	.unwrap();
}

/// Write access for the doctor to every record of the patient.
pub fn grant_write() {
	ehr_pallet_test_kit::consent::grant::<Test>(
		PATIENT,
		PATIENT,
		DOCTOR,
		Scope::All,
		AccessLevel::ReadWrite,
		None,
	)
	.unwrap();
}
