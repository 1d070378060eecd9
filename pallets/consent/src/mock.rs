//! A test runtime: timestamp, the real identity pallet, and consent.

use crate as pallet_ehr_consent;
use ehr_primitives::{
	AccessLevel, OnAccessEnded, Purpose, RecordCategory, RecordId, RecordLookup, Scope,
};
use frame_support::{derive_impl, parameter_types, traits::ConstU32, weights::Weight};

ehr_pallet_test_kit::test_runtime!((); Consent: pallet_ehr_consent);

pub use ehr_pallet_test_kit::{
	categories, COLLEAGUE, DOCTOR, GUARDIAN, HOSPITAL, HOUR, MINUTE, OTHER_DOCTOR, OTHER_HOSPITAL,
	OTHER_PATIENT, PATIENT, START, UNVERIFIED,
};

parameter_types! {
	/// Whose access ended with every key gone, in order.
	pub static EndedAccesses: Vec<(u64, u64)> = vec![];
	/// (patient, grantee) whose consent changed or was revoked: the records pallet reconciles
	/// their keys at the end of the block.
	pub static ChangedAccesses: Vec<(u64, u64)> = vec![];
	/// Keys each (patient, reader) holds, as the records pallet would.
	pub static HeldKeys: Vec<((u64, u64), u32)> = vec![];
	/// How many keys each call of the bounded hook removed, in order.
	pub static KeyRemovals: Vec<u32> = vec![];
	/// The records: id, patient, category (erased ones are gone).
	pub static StoredRecords: Vec<(RecordId, u64, RecordCategory)> = vec![];
}

/// Weight of removing one key in this mock.
pub const KEY_WEIGHT: u64 = 1_000;

/// `reader` holds `count` keys to records of `patient`.
pub fn hold_keys(patient: u64, reader: u64, count: u32) {
	HeldKeys::mutate(|held| held.push(((patient, reader), count)));
}

/// The keys `reader` still holds to records of `patient`.
pub fn held_keys(patient: u64, reader: u64) -> u32 {
	HeldKeys::get()
		.iter()
		.filter(|(pair, _)| *pair == (patient, reader))
		.map(|(_, count)| count)
		.sum()
}

/// Removes up to `limit` keys of `reader` to `patient`'s records; returns how many.
fn remove_keys(patient: u64, reader: u64, limit: u32) -> u32 {
	let mut removed = 0;
	HeldKeys::mutate(|held| {
		for (_, count) in held.iter_mut().filter(|(pair, _)| *pair == (patient, reader)) {
			let take = (*count).min(limit - removed);
			*count -= take;
			removed += take;
		}
		held.retain(|(_, count)| *count > 0);
	});
	removed
}

/// Removes keys as the records pallet would, and remembers whose access ended.
pub struct RecordEnded;
impl OnAccessEnded<u64> for RecordEnded {
	fn on_access_ended(patient: &u64, grantee: &u64) -> Weight {
		let removed = remove_keys(*patient, *grantee, u32::MAX);
		EndedAccesses::mutate(|ended| ended.push((*patient, *grantee)));
		Weight::from_parts(KEY_WEIGHT * (removed as u64 + 1), 0)
	}
	fn max_weight() -> Weight {
		Weight::from_parts(KEY_WEIGHT * 100, 0)
	}
	fn on_access_ended_bounded(patient: &u64, grantee: &u64, limit: u32) -> (bool, u32, Weight) {
		let removed = remove_keys(*patient, *grantee, limit);
		KeyRemovals::mutate(|removals| removals.push(removed));
		let done = held_keys(*patient, *grantee) == 0;
		if done {
			EndedAccesses::mutate(|ended| ended.push((*patient, *grantee)));
		}
		(done, removed, Self::bounded_weight(removed))
	}
	fn bounded_weight(limit: u32) -> Weight {
		Weight::from_parts(KEY_WEIGHT * (limit as u64 + 1), 0)
	}
	fn on_access_changed(patient: &u64, grantee: &u64) {
		ChangedAccesses::mutate(|changed| changed.push((*patient, *grantee)));
	}
}

/// The records, as the records pallet would answer.
pub struct RecordStore;
impl RecordLookup<u64> for RecordStore {
	fn patient_and_category(id: RecordId) -> Option<(u64, RecordCategory)> {
		StoredRecords::get()
			.into_iter()
			.find(|(record, _, _)| *record == id)
			.map(|(_, patient, category)| (patient, category))
	}
}

/// Adds a record of `category` for `patient`; returns its id.
pub fn add_record(patient: u64, category: RecordCategory) -> RecordId {
	StoredRecords::mutate(|records| {
		let id = records.len() as RecordId;
		records.push((id, patient, category));
		id
	})
}

#[derive_impl(pallet_ehr_consent::config_preludes::TestDefaultConfig)]
impl pallet_ehr_consent::Config for Test {
	type Identity = Identity;
	type PolicyOrigin = frame_system::EnsureRoot<u64>;
	type Clock = Timestamp;
	type OnAccessEnded = RecordEnded;
	type Records = RecordStore;
	// Tighter than the shared defaults where this pallet's own tests reach the limits.
	type MaxEmergencyAccessesPerDay = ConstU32<3>;
	type MaxExpiriesPerBlock = ConstU32<3>;
	type MaxExpiredKeysPerBlock = ConstU32<5>;
	type MaxAccessLogsPerPeriod = ConstU32<4>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Helper {
	fn register_patient(who: &u64) {
		let _ = ehr_pallet_test_kit::register_patient::<Test>(*who, [5; 32]);
	}
	fn register_doctor(who: &u64) {
		let _ = ehr_pallet_test_kit::register_doctor::<Test>(HOSPITAL, *who, [5; 32]);
	}
	fn set_time(now: u64) {
		Timestamp::set_timestamp(now);
	}
	fn add_record(patient: &u64, category: RecordCategory) -> RecordId {
		add_record(*patient, category)
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

/// Start the next block at `time`, running the pallet's `on_initialize`.
pub fn advance_to(time: u64) {
	use frame_support::traits::Hooks;
	let next = System::block_number() + 1;
	System::set_block_number(next);
	Timestamp::set_timestamp(time);
	Consent::on_initialize(next);
}
