//! A test runtime: timestamp, and the real identity, consent and records pallets.

use crate as pallet_ehr_records;
use ehr_primitives::{AccessLevel, Purpose, RecordCategory, Scope};
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
		Records: pallet_ehr_records,
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
	type OnSuspended = Records;
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

#[derive_impl(pallet_ehr_consent::config_preludes::TestDefaultConfig)]
impl pallet_ehr_consent::Config for Test {
	type Identity = Identity;
	type PolicyOrigin = frame_system::EnsureRoot<u64>;
	type Clock = Timestamp;
	type OnAccessEnded = Records;
	type Records = Records;
	type MaxGrantsPerPatient = ConstU32<5>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentHelper;
}

impl pallet_ehr_records::Config for Test {
	type Identity = Identity;
	type Consent = Consent;
	type Clock = Timestamp;
	type MaxCidLength = ConstU32<64>;
	type MaxWrappedKeyLength = ConstU32<96>;
	type MaxReadersPerRecord = ConstU32<4>;
	type MaxRecordsPerPatient = ConstU32<6>;
	type MaxVersions = ConstU32<3>;
	type MaxKeysPerShare = ConstU32<6>;
	type OnErased = ();
	type KeyEscrow = ();
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
		let _ = Identity::accept_doctor(RuntimeOrigin::signed(*who), HOSPITAL, [7; 32]);
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
	fn add_record(patient: &u64, category: ehr_primitives::RecordCategory) -> u64 {
		let id = crate::NextRecordId::<Test>::get();
		let _ = Records::add_record(
			RuntimeOrigin::signed(*patient),
			*patient,
			category,
			cid(id as u8),
			[1; 32],
			1,
			keys(&[*patient]),
			None,
		);
		id
	}
}

#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Helper {
	fn register_patient(who: &u64) {
		<ConsentHelper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_patient(who);
	}
	fn register_doctor(who: &u64) {
		<ConsentHelper as pallet_ehr_consent::BenchmarkHelper<u64>>::register_doctor(who);
		let _ = Identity::set_encryption_key(RuntimeOrigin::signed(*who), [7; 32]);
	}
	fn grant(patient: &u64, grantee: &u64) {
		let _ = Consent::grant_access(
			RuntimeOrigin::signed(*patient),
			*patient,
			*grantee,
			Scope::All,
			AccessLevel::ReadWrite,
			None,
			Purpose::Treatment,
		);
	}
	fn max_grants() -> u32 {
		use frame_support::traits::Get;
		<Test as pallet_ehr_consent::Config>::MaxGrantsPerPatient::get()
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

/// Read access to every record, for treatment, without expiry.
pub fn grant(by: u64, patient: u64, grantee: u64) -> sp_runtime::DispatchResult {
	Consent::grant_access(
		RuntimeOrigin::signed(by),
		patient,
		grantee,
		Scope::All,
		AccessLevel::Read,
		None,
		Purpose::Treatment,
	)
}

/// Records of these categories only.
pub fn categories(list: &[RecordCategory]) -> Scope {
	Scope::Categories(list.to_vec().try_into().unwrap())
}

/// A valid binary CIDv1 (raw, sha2-256) whose digest is filled with `seed`.
pub fn raw_cid(seed: u8) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	cid
}

/// [`raw_cid`] as calls carry it.
pub fn cid(seed: u8) -> pallet_ehr_records::CidOf<Test> {
	raw_cid(seed).try_into().unwrap()
}

/// A stand-in for the record key wrapped for `reader` (the chain never opens it).
pub fn wrapped(reader: u64) -> Vec<u8> {
	vec![reader as u8; 80]
}

/// Keys wrapped for `readers`.
pub fn raw_keys(readers: &[u64]) -> Vec<(u64, Vec<u8>)> {
	readers.iter().map(|reader| (*reader, wrapped(*reader))).collect()
}

/// [`raw_keys`] as calls carry them (at most the reader limit).
pub fn keys(readers: &[u64]) -> pallet_ehr_records::ReaderKeysOf<Test> {
	bounded_keys(raw_keys(readers))
}

/// Reader keys as calls carry them.
pub fn bounded_keys(keys: Vec<(u64, Vec<u8>)>) -> pallet_ehr_records::ReaderKeysOf<Test> {
	keys.into_iter()
		.map(|(reader, key)| (reader, key.try_into().unwrap()))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

/// Keys for `share_keys`: each record with its wrapped key.
pub fn shares(keys: Vec<(u64, Vec<u8>)>) -> pallet_ehr_records::SharedKeysOf<Test> {
	keys.into_iter()
		.map(|(record, key)| (record, key.try_into().unwrap()))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

/// `by` adds a record of `category` for `patient` wrapped for `readers`.
pub fn add(
	by: u64,
	patient: u64,
	category: RecordCategory,
	readers: &[u64],
) -> sp_runtime::DispatchResult {
	Records::add_record(
		RuntimeOrigin::signed(by),
		patient,
		category,
		cid(category as u8),
		[9; 32],
		1_024,
		keys(readers),
		None,
	)
}

/// `patient` grants `grantee` `access` to `scope`, without expiry.
pub fn grant_with(
	patient: u64,
	grantee: u64,
	scope: Scope,
	access: AccessLevel,
) -> sp_runtime::DispatchResult {
	Consent::grant_access(
		RuntimeOrigin::signed(patient),
		patient,
		grantee,
		scope,
		access,
		None,
		Purpose::Treatment,
	)
}

/// Start the next block at `time`, running the pallet's `on_initialize`.
pub fn advance_to(time: u64) {
	use frame_support::traits::Hooks;
	let next = System::block_number() + 1;
	System::set_block_number(next);
	Timestamp::set_timestamp(time);
	Consent::on_initialize(next);
}
