//! A test runtime: timestamp, and the real identity, consent and appointments pallets.

use crate as pallet_ehr_appointments;
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
pub const MINUTE: u64 = 60_000;
pub const HOUR: u64 = 60 * MINUTE;

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
	type BenchmarkHelper = NoNewHospitals;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct NoNewHospitals;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_identity::BenchmarkHelper<u64> for NoNewHospitals {
	fn make_hospital(_: &u64) {}
}

frame_support::parameter_types! {
	/// Records the consent pallet can look up (appointments add none; the benchmark helper may).
	pub static StoredRecords: Vec<(u64, u64, ehr_primitives::RecordCategory)> = vec![];
}

/// The records, as the records pallet would answer.
pub struct RecordStore;
impl ehr_primitives::RecordLookup<u64> for RecordStore {
	fn patient_and_category(id: u64) -> Option<(u64, ehr_primitives::RecordCategory)> {
		StoredRecords::get()
			.into_iter()
			.find(|(record, _, _)| *record == id)
			.map(|(_, patient, category)| (patient, category))
	}
}

#[derive_impl(pallet_ehr_consent::config_preludes::TestDefaultConfig)]
impl pallet_ehr_consent::Config for Test {
	type Identity = Identity;
	type PolicyOrigin = frame_system::EnsureRoot<u64>;
	type Clock = Timestamp;
	type OnAccessEnded = ();
	type Records = RecordStore;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentHelper;
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

#[cfg(feature = "runtime-benchmarks")]
pub struct ConsentHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_consent::BenchmarkHelper<u64> for ConsentHelper {
	fn register_patient(who: &u64) {
		let _ = Identity::register_patient(RuntimeOrigin::signed(*who), [5; 32]);
	}
	fn register_doctor(who: &u64) {
		let _ = Identity::register_doctor(
			RuntimeOrigin::signed(HOSPITAL),
			*who,
			b"Dr.".to_vec(),
			b"general".to_vec(),
			b"L".to_vec(),
		);
		let _ = Identity::accept_doctor(RuntimeOrigin::signed(*who), HOSPITAL, [5; 32]);
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
	fn add_record(patient: &u64, category: ehr_primitives::RecordCategory) -> u64 {
		StoredRecords::mutate(|records| {
			let id = records.len() as u64;
			records.push((id, *patient, category));
			id
		})
	}
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
		<ConsentHelper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_patient(who);
	}
	fn register_doctor(who: &u64) {
		<ConsentHelper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_doctor(who);
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
}

/// Hospital 1 with doctors 10 and 12, hospital 2 with doctor 11; patients 20, 21 and 22 (22 is
/// the guardian of 20); account 13 is no doctor. The clock reads `START`.
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
	System::set_block_number(System::block_number() + 1);
	Timestamp::set_timestamp(time);
}

/// `doctor`'s answer to `patient`'s call at `at` (the mock's signatures: signer and message).
pub fn answer(patient: u64, doctor: u64, at: u64) -> sp_runtime::testing::TestSignature {
	sp_runtime::testing::TestSignature(
		doctor,
		ehr_primitives::on_call_answer_payload(&patient, &doctor, at),
	)
}
