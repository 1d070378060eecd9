//! The world the EHR pallets' test runtimes share.
//!
//! Every pallet above identity tests against the same people: hospital 1 with doctors 10 and 12,
//! hospital 2 with doctor 11, account 13 who is no doctor, patients 20, 21 and 22 (22 the
//! guardian, a delegate, of 20), and a clock that starts at 2026-01-01. This crate holds that
//! world once, so that a pallet's mock names only its own pallets and the limits its tests reach:
//!
//! ```ignore
//! frame_support::construct_runtime!(pub enum Test {
//!     System: frame_system, Timestamp: pallet_timestamp,
//!     Identity: pallet_ehr_identity, Consent: pallet_ehr_consent, Mine: pallet_mine,
//! });
//! // frame_system, timestamp, identity and consent from their `TestDefaultConfig`s …
//! pub use ehr_pallet_test_kit::*;
//! pub fn new_test_ext() -> sp_io::TestExternalities { ehr_pallet_test_kit::new_test_ext::<Test>() }
//! ```
//!
//! The helpers are generic over the test runtime: any runtime with 64-bit accounts, a
//! millisecond timestamp and the identity pallet (and, for [`consent`], the consent pallet).
//! The consent pallet's own tests use only the identity half: this crate links the library
//! build of the consent pallet, which is not the one under test there.

use ehr_primitives::{EncryptionKey, Moment, RecordCategory, Scope};
use frame_support::traits::Contains;
use frame_system::{pallet_prelude::OriginFor, RawOrigin};
use sp_runtime::{BuildStorage, DispatchResult};

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
pub const START: Moment = 1_767_225_600_000;
pub const MINUTE: Moment = 60_000;
pub const HOUR: Moment = 60 * MINUTE;

/// The doctors of the shared world: (hospital, doctor).
pub const DOCTORS: [(u64, u64); 3] =
	[(HOSPITAL, DOCTOR), (OTHER_HOSPITAL, OTHER_DOCTOR), (HOSPITAL, COLLEAGUE)];
/// The patients of the shared world.
pub const PATIENTS: [u64; 3] = [PATIENT, OTHER_PATIENT, GUARDIAN];

/// Declares a pallet mock's test runtime `Test` (and its `Block`): `System`, `Timestamp` and
/// `Identity`, then the pallets given, in order; `frame_system` and the timestamp from their
/// test defaults, the identity pallet from its own with the world's [`Hospitals`] and the hook
/// named first (what is told of suspended doctors: `()`, or the records pallet). The mock then
/// configures its own pallets:
///
/// ```ignore
/// ehr_pallet_test_kit::test_runtime!(Records; Consent: pallet_ehr_consent, Records: pallet_ehr_records);
/// ```
#[macro_export]
macro_rules! test_runtime {
	($on_suspended:ty; $($name:ident: $pallet:ident),* $(,)?) => {
		type Block = frame_system::mocking::MockBlock<Test>;

		frame_support::construct_runtime!(
			pub enum Test {
				System: frame_system,
				Timestamp: pallet_timestamp,
				Identity: pallet_ehr_identity,
				$($name: $pallet,)*
			}
		);

		#[frame_support::derive_impl(frame_system::config_preludes::TestDefaultConfig)]
		impl frame_system::Config for Test {
			type Block = Block;
		}

		#[frame_support::derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
		impl pallet_timestamp::Config for Test {}

		#[frame_support::derive_impl(pallet_ehr_identity::config_preludes::TestDefaultConfig)]
		impl pallet_ehr_identity::Config for Test {
			type OnSuspended = $on_suspended;
			type Hospitals = $crate::Hospitals;
			#[cfg(feature = "runtime-benchmarks")]
			type BenchmarkHelper = $crate::NoNewHospitals;
		}
	};
}

/// What a test runtime needs for these helpers.
pub trait World:
	frame_system::Config<AccountId = u64>
	+ pallet_timestamp::Config<Moment = Moment>
	+ pallet_ehr_identity::Config
{
}
impl<T> World for T where
	T: frame_system::Config<AccountId = u64>
		+ pallet_timestamp::Config<Moment = Moment>
		+ pallet_ehr_identity::Config
{
}

/// The member hospitals of the shared world: 1 and 2.
pub struct Hospitals;
impl Contains<u64> for Hospitals {
	fn contains(who: &u64) -> bool {
		[HOSPITAL, OTHER_HOSPITAL].contains(who)
	}
}

/// For runtimes whose hospitals are fixed: the identity benchmarks' new hospitals are not
/// needed by the pallets that use this kit.
#[cfg(feature = "runtime-benchmarks")]
pub struct NoNewHospitals;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_ehr_identity::BenchmarkHelper<u64> for NoNewHospitals {
	fn make_hospital(_: &u64) {}
}

/// A signed origin of `who`.
pub fn signed<T: World>(who: u64) -> OriginFor<T> {
	RawOrigin::Signed(who).into()
}

/// The key each account of the shared world registered: its number in every byte.
pub fn key_of(who: u64) -> EncryptionKey {
	[who as u8; 32]
}

/// A valid binary CIDv1 (raw, sha2-256) whose digest is filled with `seed`.
pub fn raw_cid(seed: u8) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	cid
}

/// Records of these categories only.
pub fn categories(list: &[RecordCategory]) -> Scope {
	Scope::Categories(list.to_vec().try_into().expect("at most every category"))
}

/// `who` registers as a patient with `key`.
pub fn register_patient<T: World>(who: u64, key: EncryptionKey) -> DispatchResult {
	pallet_ehr_identity::Pallet::<T>::register_patient(signed::<T>(who), key)
}

/// `hospital` offers `doctor` a place and the doctor accepts it with `key` (a doctor is
/// active only once both have signed).
pub fn register_doctor<T: World>(hospital: u64, doctor: u64, key: EncryptionKey) -> DispatchResult {
	pallet_ehr_identity::Pallet::<T>::register_doctor(
		signed::<T>(hospital),
		doctor,
		b"Dr.".to_vec(),
		b"general".to_vec(),
		b"L".to_vec(),
	)?;
	pallet_ehr_identity::Pallet::<T>::accept_doctor(signed::<T>(doctor), hospital, key)
}

/// Start the next block, with the clock at `time`.
pub fn next_block_at<T: World>(time: Moment) {
	let next = frame_system::Pallet::<T>::block_number() + 1u32.into();
	frame_system::Pallet::<T>::set_block_number(next);
	pallet_timestamp::Pallet::<T>::set_timestamp(time);
}

/// Block 1 at `START`, with nobody registered, then `setup` (unwrap inside: a failed set-up is a
/// broken test, not a case).
pub fn ext_with<T: World>(setup: impl FnOnce()) -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<T>::default()
		.build_storage()
		.expect("the system's genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		frame_system::Pallet::<T>::set_block_number(1u32.into());
		pallet_timestamp::Pallet::<T>::set_timestamp(START);
		setup();
	});
	ext
}

/// The shared world: [`DOCTORS`] active at their hospitals, [`PATIENTS`] registered, each with
/// [`key_of`] itself, and [`GUARDIAN`] a delegate of [`PATIENT`]. Block 1, the clock at
/// [`START`].
pub fn new_test_ext<T: World>() -> sp_io::TestExternalities {
	ext_with::<T>(|| {
		for (hospital, doctor) in DOCTORS {
			register_doctor::<T>(hospital, doctor, key_of(doctor)).expect("a doctor of the world");
		}
		for patient in PATIENTS {
			register_patient::<T>(patient, key_of(patient)).expect("a patient of the world");
		}
		pallet_ehr_identity::Pallet::<T>::add_delegate(signed::<T>(PATIENT), GUARDIAN)
			.expect("the guardian is registered");
	})
}

/// Consent steps, for the pallets above consent (not for the consent pallet's own tests).
pub mod consent {
	use super::*;
	use ehr_primitives::{AccessLevel, Purpose, RecordId, RecordLookup};
	use frame_support::traits::Hooks;

	/// A test runtime with the consent pallet too.
	pub trait ConsentWorld: World + pallet_ehr_consent::Config {}
	impl<T: World + pallet_ehr_consent::Config> ConsentWorld for T {}

	/// `by` (the patient or a delegate) grants `grantee` `access` to `scope` of `patient`'s
	/// records, for treatment, until `expires_at`.
	pub fn grant<T: ConsentWorld>(
		by: u64,
		patient: u64,
		grantee: u64,
		scope: Scope,
		access: AccessLevel,
		expires_at: Option<Moment>,
	) -> DispatchResult {
		pallet_ehr_consent::Pallet::<T>::grant_access(
			signed::<T>(by),
			patient,
			grantee,
			scope,
			access,
			expires_at,
			Purpose::Treatment,
		)
	}

	/// Start the next block at `time`, running the consent pallet's `on_initialize` (expiries).
	pub fn advance_to<T: ConsentWorld>(time: Moment) {
		next_block_at::<T>(time);
		let now = frame_system::Pallet::<T>::block_number();
		<pallet_ehr_consent::Pallet<T> as Hooks<_>>::on_initialize(now);
	}

	thread_local! {
		static STORED: core::cell::RefCell<Vec<(RecordId, u64, RecordCategory)>> =
			const { core::cell::RefCell::new(Vec::new()) };
	}

	/// Records for runtimes without the records pallet: none, unless a benchmark adds one
	/// through [`Bench`]; answers as the records pallet would.
	pub struct StoredRecords;
	impl RecordLookup<u64> for StoredRecords {
		fn patient_and_category(id: RecordId) -> Option<(u64, RecordCategory)> {
			STORED.with(|stored| {
				stored
					.borrow()
					.iter()
					.find(|(record, _, _)| *record == id)
					.map(|(_, patient, category)| (*patient, *category))
			})
		}
	}

	/// The consent benchmarks' steps for runtimes built on this world: patients with a fixed
	/// key, doctors of [`HOSPITAL`], records in [`StoredRecords`].
	pub struct Bench<T>(core::marker::PhantomData<T>);
	#[cfg(feature = "runtime-benchmarks")]
	impl<T: ConsentWorld> pallet_ehr_consent::BenchmarkHelper<u64> for Bench<T> {
		fn register_patient(who: &u64) {
			let _ = register_patient::<T>(*who, [5; 32]);
		}
		fn register_doctor(who: &u64) {
			let _ = register_doctor::<T>(HOSPITAL, *who, [5; 32]);
		}
		fn set_time(now: Moment) {
			pallet_timestamp::Pallet::<T>::set_timestamp(now);
		}
		fn add_record(patient: &u64, category: RecordCategory) -> RecordId {
			STORED.with(|stored| {
				let mut stored = stored.borrow_mut();
				let id = stored.len() as RecordId;
				stored.push((id, *patient, category));
				id
			})
		}
	}
}
