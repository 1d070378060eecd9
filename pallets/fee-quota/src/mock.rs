//! A test runtime: balances, transaction payment and the fee quota.

use crate as pallet_fee_quota;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, Contains, ContainsPair},
	weights::IdentityFee,
};
use pallet_transaction_payment::FungibleAdapter;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		TransactionPayment: pallet_transaction_payment,
		FeeQuota: pallet_fee_quota,
	}
);

parameter_types! {
	/// Real database costs, so that a transaction's weight is not zero.
	pub const DbWeight: frame_support::weights::RuntimeDbWeight =
		frame_support::weights::constants::RocksDbWeight::get();
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type DbWeight = DbWeight;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

#[derive_impl(pallet_transaction_payment::config_preludes::TestDefaultConfig)]
impl pallet_transaction_payment::Config for Test {
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type WeightToFee = IdentityFee<u64>;
	type LengthToFee = IdentityFee<u64>;
}

/// Accounts below 100 are registered, and those the benchmark registers.
pub const PATIENT: u64 = 1;
pub const DOCTOR: u64 = 2;
pub const RICH_PATIENT: u64 = 3;
pub const STRANGER: u64 = 100;
pub const RICH_STRANGER: u64 = 101;
/// An account outside `IsRegistered` (a patient who registered paying) whose protective calls are
/// free.
pub const PAYING_PATIENT: u64 = 102;

parameter_types! {
	/// Accounts registered by the benchmark.
	pub storage BenchmarkRegistered: Vec<u64> = Vec::new();
}

pub struct Registered;
impl Contains<u64> for Registered {
	fn contains(who: &u64) -> bool {
		*who < 100 || BenchmarkRegistered::get().contains(who)
	}
}

/// The allow-list of the tests: remarks (cheap) and `force_set_balance` (fails for a signed
/// origin); token transfers and everything else are charged.
pub struct TestFreeCalls;
impl ContainsPair<u64, RuntimeCall> for TestFreeCalls {
	fn contains(_who: &u64, call: &RuntimeCall) -> bool {
		matches!(
			call,
			RuntimeCall::System(frame_system::Call::remark { .. })
				| RuntimeCall::Balances(pallet_balances::Call::force_set_balance { .. })
		)
	}
}

/// The protective calls of the tests: a remark of the bytes `b"revoke"` by an account the tests
/// name (standing for a patient revoking consent, registered for free use or not).
pub struct TestProtectiveCalls;
impl ContainsPair<u64, RuntimeCall> for TestProtectiveCalls {
	fn contains(who: &u64, call: &RuntimeCall) -> bool {
		*who == PAYING_PATIENT
			&& matches!(call, RuntimeCall::System(frame_system::Call::remark { remark }) if remark == b"revoke")
	}
}

/// The unmetered calls of the tests: a remark of the bytes `b"release"` (standing for a
/// custodian's release of shares).
pub struct TestUnmetered;
impl ContainsPair<u64, RuntimeCall> for TestUnmetered {
	fn contains(_who: &u64, call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::System(frame_system::Call::remark { remark }) if remark == b"release")
	}
}

parameter_types! {
	pub const Period: u64 = 10;
	/// Tests set it to a multiple of a transaction's cost; the benchmark's fits the default.
	pub storage FreeRefTime: u64 = 1_000_000_000_000;
	pub storage FreeBytes: u32 = 100_000;
	pub storage FreeRefTimePerBlock: u64 = u64::MAX;
}

impl pallet_fee_quota::Config for Test {
	type IsRegistered = Registered;
	type FreeCalls = TestFreeCalls;
	type ProtectiveCalls = TestProtectiveCalls;
	type Unmetered = TestUnmetered;
	type Period = Period;
	type FreeRefTimePerPeriod = FreeRefTime;
	type FreeBytesPerPeriod = FreeBytes;
	type MaxPendingFree = ConstU32<4>;
	type MaxFreeRefTimePerBlock = FreeRefTimePerBlock;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_fee_quota::BenchmarkHelper<u64, RuntimeCall> for BenchmarkHelper {
	fn register(who: &u64) {
		let mut registered = BenchmarkRegistered::get();
		registered.push(*who);
		BenchmarkRegistered::set(&registered);
	}

	fn free_call(_who: &u64) -> RuntimeCall {
		RuntimeCall::System(frame_system::Call::remark { remark: vec![1, 2, 3] })
	}
}

pub const BALANCE: u64 = 1_000_000_000_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(RICH_PATIENT, BALANCE), (RICH_STRANGER, BALANCE)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		// Registered accounts exist without a balance, as in the runtime (a "sufficient"
		// reference), so that their nonces are valid; so does a patient who registered paying.
		for who in [PATIENT, DOCTOR, PAYING_PATIENT] {
			System::inc_sufficients(&who);
		}
	});
	ext
}
