//! A test runtime: timestamp, and the real identity, consent and records pallets.

use crate as pallet_ehr_records;
use ehr_primitives::{AccessLevel, RecordCategory, Scope};
use frame_support::{derive_impl, traits::ConstU32};

ehr_pallet_test_kit::test_runtime!(Records; Consent: pallet_ehr_consent, Records: pallet_ehr_records);

pub use ehr_pallet_test_kit::{
	categories, COLLEAGUE, DOCTOR, GUARDIAN, HOSPITAL, HOUR, MINUTE, OTHER_DOCTOR, OTHER_PATIENT,
	PATIENT, START, UNVERIFIED,
};

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

#[derive_impl(pallet_ehr_records::config_preludes::TestDefaultConfig)]
impl pallet_ehr_records::Config for Test {
	type Identity = Identity;
	type Consent = Consent;
	type Clock = Timestamp;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct ConsentHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_consent::BenchmarkHelper<u64> for ConsentHelper {
	fn register_patient(who: &u64) {
		let _ = ehr_pallet_test_kit::register_patient::<Test>(*who, [5; 32]);
	}
	fn register_doctor(who: &u64) {
		let _ = ehr_pallet_test_kit::register_doctor::<Test>(HOSPITAL, *who, [7; 32]);
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
		let _ = grant_with(*patient, *grantee, Scope::All, AccessLevel::ReadWrite);
	}
	fn max_grants() -> u32 {
		use frame_support::traits::Get;
		<Test as pallet_ehr_consent::Config>::MaxGrantsPerPatient::get()
	}
}

/// The shared world (see `ehr_pallet_test_kit::new_test_ext`): hospital 1 with doctors 10 and
/// 12, hospital 2 with doctor 11; patients 20, 21 and 22 (22 is the guardian of 20); account 13
/// is no doctor. The clock reads `START`.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ehr_pallet_test_kit::new_test_ext::<Test>()
}

/// Read access to every record, for treatment, without expiry.
pub fn grant(by: u64, patient: u64, grantee: u64) -> sp_runtime::DispatchResult {
	ehr_pallet_test_kit::consent::grant::<Test>(
		by,
		patient,
		grantee,
		Scope::All,
		AccessLevel::Read,
		None,
	)
}

pub use ehr_pallet_test_kit::raw_cid;

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
	ehr_pallet_test_kit::consent::grant::<Test>(patient, patient, grantee, scope, access, None)
}

/// Start the next block at `time`, running the consent pallet's `on_initialize`.
pub fn advance_to(time: u64) {
	ehr_pallet_test_kit::consent::advance_to::<Test>(time);
}
