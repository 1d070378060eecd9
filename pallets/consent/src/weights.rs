//! Weights for `pallet_ehr_consent`.
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
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_ehr_consent`.
pub trait WeightInfo {
	fn grant_access() -> Weight;
	fn change_access() -> Weight;
	fn revoke_access() -> Weight;
	fn open_emergency_access() -> Weight;
	fn close_emergency_access() -> Weight;
	fn log_access() -> Weight;
	fn process_expiries(n: u32) -> Weight;
}

/// Compute time and proof size of a call, plus its database accesses.
fn weight(db: RuntimeDbWeight, ref_time: u64, reads: u64, writes: u64) -> Weight {
	Weight::from_parts(ref_time, 6_000).saturating_add(db.reads_writes(reads, writes))
}

/// Per expiring item: the grant read and removed, its index and count, a trail entry.
fn expiries(db: RuntimeDbWeight, n: u32) -> Weight {
	weight(db, 5_000_000, 3, 2)
		.saturating_add(weight(db, 15_000_000, 3, 5).saturating_mul(n.into()))
}

/// Weights for `pallet_ehr_consent` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Identity` (r:3), `Grants` (r:1 w:1), `GrantCount` (r:1 w:1), `ExpiryQueue` (r:1 w:1), `GranteePatients` (w:1), `TrailLength` (r:1 w:1), `Trail` (w:1)
	fn grant_access() -> Weight {
		weight(T::DbWeight::get(), 22_000_000, 7, 6)
	}
	/// Storage: `Identity` (r:3), `Grants` (r:1 w:1), `ExpiryQueue` (r:1 w:1), `TrailLength` (r:1 w:1), `Trail` (w:1)
	fn change_access() -> Weight {
		weight(T::DbWeight::get(), 20_000_000, 6, 4)
	}
	/// Storage: `Identity` (r:2), `Grants` (r:1 w:1), `GranteePatients` (w:1), `GrantCount` (r:1 w:1), `TrailLength` (w:1), `Trail` (w:1)
	fn revoke_access() -> Weight {
		weight(T::DbWeight::get(), 18_000_000, 4, 5)
	}
	/// Storage: `Identity` (r:2), `EmergencyAccesses` (r:1 w:1), `ExpiryQueue` (r:1 w:1), `TrailLength` (r:1 w:1), `Trail` (w:1)
	fn open_emergency_access() -> Weight {
		weight(T::DbWeight::get(), 22_000_000, 5, 4)
	}
	/// Storage: `Identity` (r:1), `EmergencyAccesses` (r:1 w:1), `TrailLength` (r:1 w:1), `Trail` (w:1)
	fn close_emergency_access() -> Weight {
		weight(T::DbWeight::get(), 16_000_000, 3, 3)
	}
	/// Storage: `Identity` (r:2), `Grants` (r:2), `TrailLength` (r:1 w:1), `Trail` (w:1)
	fn log_access() -> Weight {
		weight(T::DbWeight::get(), 16_000_000, 5, 2)
	}
	fn process_expiries(n: u32) -> Weight {
		expiries(T::DbWeight::get(), n)
	}
}

impl WeightInfo for () {
	fn grant_access() -> Weight {
		weight(RocksDbWeight::get(), 22_000_000, 7, 6)
	}
	fn change_access() -> Weight {
		weight(RocksDbWeight::get(), 20_000_000, 6, 4)
	}
	fn revoke_access() -> Weight {
		weight(RocksDbWeight::get(), 18_000_000, 4, 5)
	}
	fn open_emergency_access() -> Weight {
		weight(RocksDbWeight::get(), 22_000_000, 5, 4)
	}
	fn close_emergency_access() -> Weight {
		weight(RocksDbWeight::get(), 16_000_000, 3, 3)
	}
	fn log_access() -> Weight {
		weight(RocksDbWeight::get(), 16_000_000, 5, 2)
	}
	fn process_expiries(n: u32) -> Weight {
		expiries(RocksDbWeight::get(), n)
	}
}
