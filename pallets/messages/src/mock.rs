//! A test runtime: timestamp, and the real identity, consent, appointments and messages
//! pallets; a doctor cares for a patient through consent or an open appointment, as in the
//! runtime.
//!
//! Hospital 1 with doctors 10 and 12, hospital 2 with doctor 11; account 13 is no doctor;
//! patients 20, 21 and 22 (22 is the guardian of 20).

use crate as pallet_ehr_messages;
use frame_support::{
	derive_impl,
	traits::{ConstU32, Contains},
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Identity: pallet_ehr_identity,
		Consent: pallet_ehr_consent,
		Appointments: pallet_ehr_appointments,
		Messages: pallet_ehr_messages,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

pub const HOSPITAL: u64 = 1;
pub const OTHER_HOSPITAL: u64 = 2;
pub const DOCTOR: u64 = 10;
pub const OTHER_DOCTOR: u64 = 11;
pub const COLLEAGUE: u64 = 12;
pub const UNVERIFIED: u64 = 13;
pub const PATIENT: u64 = 20;
pub const OTHER_PATIENT: u64 = 21;
pub const GUARDIAN: u64 = 22;

/// 2026-01-01T00:00:00Z.
pub const START: u64 = 1_767_225_600_000;
pub const HOUR: u64 = 3_600_000;
/// Messages kept per sender in the test runtime.
pub const KEPT: u32 = 4;

pub struct Hospitals;
impl Contains<u64> for Hospitals {
	fn contains(who: &u64) -> bool {
		[HOSPITAL, OTHER_HOSPITAL].contains(who)
	}
}

#[derive_impl(pallet_ehr_identity::config_preludes::TestDefaultConfig)]
impl pallet_ehr_identity::Config for Test {
	type OnSuspended = ();
	type Hospitals = Hospitals;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

/// No records in this runtime.
pub struct NoRecords;
impl ehr_primitives::RecordLookup<u64> for NoRecords {
	fn patient_and_category(_: u64) -> Option<(u64, ehr_primitives::RecordCategory)> {
		None
	}
}

#[derive_impl(pallet_ehr_consent::config_preludes::TestDefaultConfig)]
impl pallet_ehr_consent::Config for Test {
	type Identity = Identity;
	type PolicyOrigin = frame_system::EnsureRoot<u64>;
	type Clock = Timestamp;
	type OnAccessEnded = ();
	type Records = NoRecords;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

impl pallet_ehr_appointments::Config for Test {
	type Identity = Identity;
	type Consent = Consent;
	type Clock = Timestamp;
	type MaxSlotsPerDoctor = ConstU32<4>;
	type MaxOpenAppointmentsPerPatient = ConstU32<2>;
	type MaxSlotMinutes = ConstU32<240>;
	type MaxHistory = ConstU32<5>;
	type MaxCidLength = ConstU32<64>;
	type MaxShifts = ConstU32<4>;
	type MaxOnCallVisitsPerDoctor = ConstU32<2>;
	type AnswerSignature = sp_runtime::testing::TestSignature;
	type AnswerSigner = sp_runtime::testing::UintAuthorityId;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

impl pallet_ehr_messages::Config for Test {
	type Identity = Identity;
	type Care = (Consent, Appointments);
	type Clock = Timestamp;
	type MaxCidLength = ConstU32<64>;
	type MaxWrappedKeyLength = ConstU32<128>;
	type MaxMessageSize = ConstU32<4096>;
	type MaxKeptPerSender = ConstU32<KEPT>;
	type MaxRemove = ConstU32<KEPT>;
	type MaxSendersPerInbox = ConstU32<3>;
	type MessageLifetime = frame_support::traits::ConstU64<{ 30 * 24 * 60 * 60 * 1000 }>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

/// The benchmarks' identities: patients and doctors of hospital 1, related by a grant.
#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;
#[cfg(feature = "runtime-benchmarks")]
impl Helper {
	fn patient(who: &u64) {
		let _ = Identity::register_patient(RuntimeOrigin::signed(*who), [5; 32]);
	}
	fn doctor(who: &u64) {
		let _ = Identity::register_doctor(
			RuntimeOrigin::signed(HOSPITAL),
			*who,
			b"Dr.".to_vec(),
			b"general".to_vec(),
			b"L".to_vec(),
		);
		let _ = Identity::accept_doctor(RuntimeOrigin::signed(*who), HOSPITAL, [6; 32]);
	}
}
#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_identity::BenchmarkHelper<u64> for Helper {
	fn make_hospital(_: &u64) {}
}
#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_consent::BenchmarkHelper<u64> for Helper {
	fn register_patient(who: &u64) {
		Self::patient(who)
	}
	fn register_doctor(who: &u64) {
		Self::doctor(who)
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
	fn add_record(_: &u64, _: ehr_primitives::RecordCategory) -> u64 {
		0
	}
}
#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_appointments::BenchmarkHelper<u64, sp_runtime::testing::TestSignature> for Helper {
	fn signer() -> u64 {
		99
	}
	fn sign(signer: &u64, message: &[u8]) -> sp_runtime::testing::TestSignature {
		sp_runtime::testing::TestSignature(*signer, message.to_vec())
	}
	fn register_patient(who: &u64) {
		Self::patient(who)
	}
	fn register_doctor(who: &u64) {
		Self::doctor(who)
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
}
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Helper {
	fn register_patient(who: &u64) {
		Self::patient(who)
	}
	fn register_doctor(who: &u64) {
		Self::doctor(who)
	}
	fn relate(patient: &u64, doctor: &u64) {
		grant(*patient, *doctor, None);
	}
}

/// `patient` grants `grantee` read access to every record until `expires_at`.
pub fn grant(patient: u64, grantee: u64, expires_at: Option<u64>) {
	Consent::grant_access(
		RuntimeOrigin::signed(patient),
		patient,
		grantee,
		ehr_primitives::Scope::All,
		ehr_primitives::AccessLevel::Read,
		expires_at,
		ehr_primitives::Purpose::Treatment,
	)
	.unwrap();
}

/// The test identities (see the module's docs); every one has an encryption key. The clock
/// reads `START`.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(START);
		let doctors = [(HOSPITAL, DOCTOR), (OTHER_HOSPITAL, OTHER_DOCTOR), (HOSPITAL, COLLEAGUE)];
		for (hospital, doctor) in doctors {
			Identity::register_doctor(
				RuntimeOrigin::signed(hospital),
				doctor,
				b"Dr.".to_vec(),
				b"general".to_vec(),
				b"L".to_vec(),
			)
			.unwrap();
			Identity::accept_doctor(RuntimeOrigin::signed(doctor), hospital, [doctor as u8; 32])
				.unwrap();
		}
		for patient in [PATIENT, OTHER_PATIENT, GUARDIAN] {
			Identity::register_patient(RuntimeOrigin::signed(patient), [patient as u8; 32])
				.unwrap();
		}
		Identity::add_delegate(RuntimeOrigin::signed(PATIENT), GUARDIAN).unwrap();
	});
	ext
}

/// A valid binary CIDv1 (raw, sha2-256) whose digest is filled with `seed`.
pub fn cid(seed: u8) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	cid
}
