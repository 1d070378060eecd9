//! Weights of `pallet_ehr_escrow`.
//!
//! Not measured on the reference machine yet: upper estimates from the storage each call
//! touches and the measured cost of comparable calls of the records pallet (35–60 µs of
//! execution), with a margin. The benchmarks (`benchmarking.rs`, each call on its costliest
//! path) run in the test suite; `scripts/benchmark.sh` measures them and replaces this file.

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_ehr_escrow`.
pub trait WeightInfo {
	fn set_committee(members: u32) -> Weight;
	fn set_emergency_categories() -> Weight;
	fn escrow_key(shares: u32) -> Weight;
	fn release_shares(shares: u32) -> Weight;
	fn clear_released(limit: u32) -> Weight;
}

/// The estimates, with the storage accesses priced by `D`.
pub struct Priced<D>(PhantomData<D>);

/// The estimates priced with the runtime's database weights.
pub type SubstrateWeight<T> = Priced<<T as frame_system::Config>::DbWeight>;

impl<D: Get<RuntimeDbWeight>> WeightInfo for Priced<D> {
	fn set_committee(members: u32) -> Weight {
		Weight::from_parts(40_000_000, 2_000)
			.saturating_add(Weight::from_parts(5_000_000, 100).saturating_mul(members.into()))
			.saturating_add(D::get().reads_writes(1 + members as u64, 4))
	}
	fn set_emergency_categories() -> Weight {
		Weight::from_parts(40_000_000, 3_000).saturating_add(D::get().reads_writes(4, 4))
	}
	fn escrow_key(shares: u32) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(5_000_000, 200).saturating_mul(shares.into()))
			.saturating_add(D::get().reads_writes(8 + shares as u64, 4 + 2 * shares as u64))
	}
	fn release_shares(shares: u32) -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(Weight::from_parts(40_000_000, 3_000).saturating_mul(shares.into()))
			.saturating_add(D::get().reads_writes(4 + 6 * shares as u64, 4 * shares as u64))
	}
	fn clear_released(limit: u32) -> Weight {
		Weight::from_parts(30_000_000, 2_000)
			.saturating_add(Weight::from_parts(5_000_000, 200).saturating_mul(limit.into()))
			.saturating_add(D::get().reads_writes(2 + limit as u64, 2 + limit as u64))
	}
}

/// The same estimates with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn set_committee(members: u32) -> Weight {
		Priced::<RocksDbWeight>::set_committee(members)
	}
	fn set_emergency_categories() -> Weight {
		Priced::<RocksDbWeight>::set_emergency_categories()
	}
	fn escrow_key(shares: u32) -> Weight {
		Priced::<RocksDbWeight>::escrow_key(shares)
	}
	fn release_shares(shares: u32) -> Weight {
		Priced::<RocksDbWeight>::release_shares(shares)
	}
	fn clear_released(limit: u32) -> Weight {
		Priced::<RocksDbWeight>::clear_released(limit)
	}
}
