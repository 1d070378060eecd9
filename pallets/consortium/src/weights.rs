//! Weights for `pallet_consortium`.
//!
//! Not yet measured: each weight is the call's storage accesses (see the comments) priced with
//! the runtime's database weights, plus a fixed compute allowance. The `#[benchmarks]` in
//! `benchmarking.rs` are the measurements that will replace these figures once the node is built
//! with `--features runtime-benchmarks` and runs `benchmark pallet`.
//! `()` keeps the same formulas with RocksDB-class database weights for tests.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_consortium`.
pub trait WeightInfo {
	fn add_validator(v: u32) -> Weight;
	fn remove_validator(v: u32) -> Weight;
	fn dispatch_as_root() -> Weight;
}

/// Weights for `pallet_consortium` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Consortium::Validators` (r:1 w:1), `Consortium::ValidatorsChanged` (r:0 w:1)
	fn add_validator(v: u32) -> Weight {
		Weight::from_parts(12_000_000, 1_600)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Consortium::Validators` (r:1 w:1), `Consortium::ValidatorsChanged` (r:0 w:1)
	fn remove_validator(v: u32) -> Weight {
		Weight::from_parts(12_000_000, 1_600)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn dispatch_as_root() -> Weight {
		Weight::from_parts(6_000_000, 0)
	}
}

impl WeightInfo for () {
	fn add_validator(v: u32) -> Weight {
		Weight::from_parts(12_000_000, 1_600)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn remove_validator(v: u32) -> Weight {
		Weight::from_parts(12_000_000, 1_600)
			.saturating_add(Weight::from_parts(60_000, 32).saturating_mul(v.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn dispatch_as_root() -> Weight {
		Weight::from_parts(6_000_000, 0)
	}
}
