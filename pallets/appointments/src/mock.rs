//! A test runtime: timestamp, and the real identity, consent and appointments pallets.

use crate as pallet_ehr_appointments;
use frame_support::derive_impl;

ehr_pallet_test_kit::test_runtime!(
	();
	Consent: pallet_ehr_consent,
	Appointments: pallet_ehr_appointments,
);

use ehr_pallet_test_kit::consent::StoredRecords;
pub use ehr_pallet_test_kit::{
	COLLEAGUE, DOCTOR, GUARDIAN, HOSPITAL, HOUR, MINUTE, OTHER_DOCTOR, OTHER_PATIENT, PATIENT,
	START, UNVERIFIED,
};

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

#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64, sp_runtime::testing::TestSignature> for Helper {
	fn signer() -> u64 {
		99
	}
	fn sign(signer: &u64, message: &[u8]) -> sp_runtime::testing::TestSignature {
		sp_runtime::testing::TestSignature(*signer, message.to_vec())
	}
	fn register_patient(who: &u64) {
		<ehr_pallet_test_kit::consent::Bench<Test> as pallet_ehr_consent::BenchmarkHelper<u64>>::register_patient(who);
	}
	fn register_doctor(who: &u64) {
		<ehr_pallet_test_kit::consent::Bench<Test> as pallet_ehr_consent::BenchmarkHelper<u64>>::register_doctor(who);
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
}

/// The shared world (see `ehr_pallet_test_kit::new_test_ext`): hospital 1 with doctors 10 and
/// 12, hospital 2 with doctor 11; patients 20, 21 and 22 (22 is the guardian of 20); account 13
/// is no doctor. The clock reads `START`.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ehr_pallet_test_kit::new_test_ext::<Test>()
}

pub use ehr_pallet_test_kit::raw_cid as cid;

/// `doctor` publishes a 30-minute in-person slot starting `hours_ahead` hours after `START`;
/// returns its id.
pub fn publish(doctor: u64, hours_ahead: u64) -> u64 {
	let id = crate::NextSlotId::<Test>::get();
	Appointments::publish_slot(
		RuntimeOrigin::signed(doctor),
		START + hours_ahead * HOUR,
		30,
		ehr_primitives::VisitKind::InPerson,
	)
	.unwrap();
	id
}

/// `patient` books `slot` without a reason; returns the appointment's id.
pub fn book(patient: u64, slot: u64) -> u64 {
	let id = crate::NextAppointmentId::<Test>::get();
	Appointments::book(RuntimeOrigin::signed(patient), slot, None).unwrap();
	id
}

/// Move the clock to `time` (a new block).
pub fn set_time(time: u64) {
	ehr_pallet_test_kit::next_block_at::<Test>(time);
}

/// `doctor`'s answer to `patient`'s call at `at` (the mock's signatures: signer and message).
pub fn answer(patient: u64, doctor: u64, at: u64) -> sp_runtime::testing::TestSignature {
	sp_runtime::testing::TestSignature(
		doctor,
		ehr_primitives::on_call_answer_payload(&patient, &doctor, at),
	)
}
