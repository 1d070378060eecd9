//! A test runtime: timestamp, and the real identity, consent, appointments and messages
//! pallets; a doctor cares for a patient through consent or an open appointment, as in the
//! runtime.
//!
//! Hospital 1 with doctors 10 and 12, hospital 2 with doctor 11; account 13 is no doctor;
//! patients 20, 21 and 22 (22 is the guardian of 20).

use crate as pallet_ehr_messages;
use frame_support::{derive_impl, traits::ConstU32};

ehr_pallet_test_kit::test_runtime!(
	();
	Consent: pallet_ehr_consent,
	Appointments: pallet_ehr_appointments,
	Messages: pallet_ehr_messages,
);

use ehr_pallet_test_kit::consent::StoredRecords;
pub use ehr_pallet_test_kit::{
	COLLEAGUE, DOCTOR, HOSPITAL, HOUR, OTHER_DOCTOR, OTHER_HOSPITAL, OTHER_PATIENT, PATIENT, START,
	UNVERIFIED,
};

/// Messages kept per sender in the test runtime.
pub const KEPT: u32 = 4;

/// No records in this runtime (none is ever added: `StoredRecords` stays empty).
#[derive_impl(pallet_ehr_consent::config_preludes::TestDefaultConfig)]
impl pallet_ehr_consent::Config for Test {
	type Identity = Identity;
	type PolicyOrigin = frame_system::EnsureRoot<u64>;
	type Clock = Timestamp;
	type OnAccessEnded = ();
	type Records = StoredRecords;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ehr_pallet_test_kit::consent::Bench<Test>;
}

#[derive_impl(pallet_ehr_appointments::config_preludes::TestDefaultConfig)]
impl pallet_ehr_appointments::Config for Test {
	type Identity = Identity;
	type Consent = Consent;
	type Clock = Timestamp;
	type AnswerSignature = sp_runtime::testing::TestSignature;
	type AnswerSigner = sp_runtime::testing::UintAuthorityId;
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
		<ehr_pallet_test_kit::consent::Bench<Test> as pallet_ehr_consent::BenchmarkHelper<u64>>::register_patient(who);
	}
	fn doctor(who: &u64) {
		<ehr_pallet_test_kit::consent::Bench<Test> as pallet_ehr_consent::BenchmarkHelper<u64>>::register_doctor(who);
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
	ehr_pallet_test_kit::consent::grant::<Test>(
		patient,
		patient,
		grantee,
		ehr_primitives::Scope::All,
		ehr_primitives::AccessLevel::Read,
		expires_at,
	)
	.unwrap();
}

/// The test identities (see the module's docs); every one has an encryption key. The clock
/// reads `START`.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ehr_pallet_test_kit::new_test_ext::<Test>()
}

pub use ehr_pallet_test_kit::raw_cid as cid;
