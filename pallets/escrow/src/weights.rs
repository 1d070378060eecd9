//! Weights of `pallet_ehr_escrow`.
//!
//! Not measured yet: the pallet is not in the runtime. These are upper estimates from the
//! storage each call touches (RocksDB-class figures) and the measured cost of comparable calls of
//! the records pallet (35–60 µs of execution). The benchmarks (`benchmarking.rs`, each call on its
//! costliest path) run in the test suite; `scripts/benchmark.sh` measures them and replaces this
//! file when the pallet joins the runtime.

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions needed for `pallet_ehr_escrow`.
pub trait WeightInfo {
	fn set_committee(members: u32) -> Weight;
	fn set_emergency_categories() -> Weight;
	fn escrow_key(shares: u32) -> Weight;
	fn release_shares(shares: u32) -> Weight;
	fn clear_released(limit: u32) -> Weight;
}

/// Estimates, for tests and until the benchmarks run.
impl WeightInfo for () {
	fn set_committee(members: u32) -> Weight {
		Weight::from_parts(40_000_000, 2_000)
			.saturating_add(Weight::from_parts(5_000_000, 100).saturating_mul(members.into()))
			.saturating_add(RocksDbWeight::get().reads(1 + members as u64))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn set_emergency_categories() -> Weight {
		Weight::from_parts(40_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn escrow_key(shares: u32) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(5_000_000, 200).saturating_mul(shares.into()))
			.saturating_add(RocksDbWeight::get().reads(8 + shares as u64))
			.saturating_add(RocksDbWeight::get().writes(4 + 2 * shares as u64))
	}
	fn release_shares(shares: u32) -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(Weight::from_parts(40_000_000, 3_000).saturating_mul(shares.into()))
			.saturating_add(RocksDbWeight::get().reads(4 + 5 * shares as u64))
			.saturating_add(RocksDbWeight::get().writes(4 * shares as u64))
	}
	fn clear_released(limit: u32) -> Weight {
		Weight::from_parts(30_000_000, 2_000)
			.saturating_add(Weight::from_parts(5_000_000, 200).saturating_mul(limit.into()))
			.saturating_add(RocksDbWeight::get().reads(2 + limit as u64))
			.saturating_add(RocksDbWeight::get().writes(1 + limit as u64))
	}
}
