//! A test runtime with the identity pallet; hospitals are accounts 1 and 2.

use crate as pallet_ehr_identity;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, Contains},
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Identity: pallet_ehr_identity,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

pub const HOSPITAL: u64 = 1;
pub const OTHER_HOSPITAL: u64 = 2;
pub const DOCTOR: u64 = 10;
pub const PATIENT: u64 = 20;
pub const OTHER_PATIENT: u64 = 21;
pub const STRANGER: u64 = 99;
pub const KEY: [u8; 32] = [7; 32];

parameter_types! {
	pub static HospitalMembers: Vec<u64> = vec![HOSPITAL, OTHER_HOSPITAL];
}

pub struct Hospitals;
impl Contains<u64> for Hospitals {
	fn contains(who: &u64) -> bool {
		HospitalMembers::get().contains(who)
	}
}

#[derive_impl(pallet_ehr_identity::config_preludes::TestDefaultConfig)]
impl pallet_ehr_identity::Config for Test {
	type OnSuspended = ();
	type Hospitals = Hospitals;
	// Tighter than the shared defaults: this pallet's own tests reach these limits.
	type MaxTextLength = ConstU32<16>;
	type MaxDelegates = ConstU32<2>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = AddHospital;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct AddHospital;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for AddHospital {
	fn make_hospital(who: &u64) {
		HospitalMembers::mutate(|members| members.push(*who));
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
