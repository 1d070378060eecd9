//! A test runtime with the consortium pallet.

use crate as pallet_consortium;
use frame_support::{derive_impl, ord_parameter_types, parameter_types};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Consortium: pallet_consortium,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	pub const MaxValidators: u32 = 4;
	pub const MinValidators: u32 = 2;
}

ord_parameter_types! {
	/// Stands in for "two thirds of the hospitals" in these tests.
	pub const RootCouncil: u64 = 99;
}

impl pallet_consortium::Config for Test {
	type RuntimeCall = RuntimeCall;
	type ValidatorOrigin = EnsureRoot<u64>;
	type RootOrigin = EnsureSignedBy<RootCouncil, u64>;
	type MaxValidators = MaxValidators;
	type MinValidators = MinValidators;
	type WeightInfo = ();
}

/// Genesis with validators 1 and 2.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		consortium: pallet_consortium::GenesisConfig { validators: vec![2, 1] },
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
