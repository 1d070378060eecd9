//! Weights for `pallet_ehr_identity`.
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

/// Weight functions needed for `pallet_ehr_identity`.
pub trait WeightInfo {
	fn set_hospital_name() -> Weight;
	fn register_doctor() -> Weight;
	fn suspend_doctor() -> Weight;
	fn reinstate_doctor() -> Weight;
	fn invite_patient() -> Weight;
	fn cancel_invitation() -> Weight;
	fn register_patient() -> Weight;
	fn set_encryption_key() -> Weight;
	fn add_delegate() -> Weight;
	fn remove_delegate() -> Weight;
}

/// Compute time and proof size of a call, plus its database accesses.
fn weight(db: RuntimeDbWeight, ref_time: u64, reads: u64, writes: u64) -> Weight {
	Weight::from_parts(ref_time, 3_500).saturating_add(db.reads_writes(reads, writes))
}

/// Weights for `pallet_ehr_identity` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Hospitals` membership (r:1), `Identity::HospitalNames` (w:1)
	fn set_hospital_name() -> Weight {
		weight(T::DbWeight::get(), 8_000_000, 1, 1)
	}
	/// Storage: membership (r:1), `Doctors` (r:1 w:1), `Patients` (r:1), `Invitations` (r:1 w:1), `System::Account` (r:1 w:1)
	fn register_doctor() -> Weight {
		weight(T::DbWeight::get(), 20_000_000, 4, 3)
	}
	/// Storage: membership (r:1), `Doctors` (r:1 w:1)
	fn suspend_doctor() -> Weight {
		weight(T::DbWeight::get(), 12_000_000, 2, 1)
	}
	/// Storage: membership (r:1), `Doctors` (r:1 w:1)
	fn reinstate_doctor() -> Weight {
		weight(T::DbWeight::get(), 12_000_000, 2, 1)
	}
	/// Storage: membership (r:1), `Doctors`, `Patients`, `Invitations` (r:1 each, w:1), `System::Account` (r:1 w:1)
	fn invite_patient() -> Weight {
		weight(T::DbWeight::get(), 16_000_000, 5, 2)
	}
	/// Storage: membership (r:1), `Invitations` (r:1 w:1), `System::Account` (r:1 w:1)
	fn cancel_invitation() -> Weight {
		weight(T::DbWeight::get(), 14_000_000, 3, 2)
	}
	/// Storage: `Doctors`, `Patients` (r:1 w:1), `Invitations` (r:1 w:1), `System::Account` (r:1 w:1)
	fn register_patient() -> Weight {
		weight(T::DbWeight::get(), 18_000_000, 4, 3)
	}
	/// Storage: `Doctors` (r:1), `Patients` (r:1 w:1)
	fn set_encryption_key() -> Weight {
		weight(T::DbWeight::get(), 12_000_000, 2, 1)
	}
	/// Storage: `Patients` (r:2 w:1)
	fn add_delegate() -> Weight {
		weight(T::DbWeight::get(), 14_000_000, 2, 1)
	}
	/// Storage: `Patients` (r:1 w:1)
	fn remove_delegate() -> Weight {
		weight(T::DbWeight::get(), 12_000_000, 1, 1)
	}
}

impl WeightInfo for () {
	fn set_hospital_name() -> Weight {
		weight(RocksDbWeight::get(), 8_000_000, 1, 1)
	}
	fn register_doctor() -> Weight {
		weight(RocksDbWeight::get(), 20_000_000, 4, 3)
	}
	fn suspend_doctor() -> Weight {
		weight(RocksDbWeight::get(), 12_000_000, 2, 1)
	}
	fn reinstate_doctor() -> Weight {
		weight(RocksDbWeight::get(), 12_000_000, 2, 1)
	}
	fn invite_patient() -> Weight {
		weight(RocksDbWeight::get(), 16_000_000, 5, 2)
	}
	fn cancel_invitation() -> Weight {
		weight(RocksDbWeight::get(), 14_000_000, 3, 2)
	}
	fn register_patient() -> Weight {
		weight(RocksDbWeight::get(), 18_000_000, 4, 3)
	}
	fn set_encryption_key() -> Weight {
		weight(RocksDbWeight::get(), 12_000_000, 2, 1)
	}
	fn add_delegate() -> Weight {
		weight(RocksDbWeight::get(), 14_000_000, 2, 1)
	}
	fn remove_delegate() -> Weight {
		weight(RocksDbWeight::get(), 12_000_000, 1, 1)
	}
}
