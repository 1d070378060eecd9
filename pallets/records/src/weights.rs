//! Weights for `pallet_ehr_records`.
//!
//! Until `scripts/benchmark.sh` overwrites this file with measured figures, each weight is the
//! call's storage accesses priced with the runtime's database weights plus a fixed compute
//! allowance. `()` uses the same formulas with RocksDB-class database weights for tests.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_ehr_records`.
pub trait WeightInfo {
	fn add_record(k: u32) -> Weight;
	fn amend_record(k: u32) -> Weight;
	fn share_keys(n: u32) -> Weight;
	fn remove_key() -> Weight;
	fn erase_record(v: u32, k: u32) -> Weight;
	fn remove_reader_keys(n: u32) -> Weight;
}

fn weight(db: RuntimeDbWeight, ref_time: u64, reads: u64, writes: u64) -> Weight {
	Weight::from_parts(ref_time, 8_000).saturating_add(db.reads_writes(reads, writes))
}

fn formulas(db: RuntimeDbWeight) -> impl Fn(&str, u32, u32) -> Weight {
	move |call, a, b| {
		let (a, b) = (u64::from(a), u64::from(b));
		match call {
			"add" => weight(db, 40_000_000 + 12_000_000 * a, 10 + a, 5 + 3 * a),
			"amend" => weight(db, 45_000_000 + 12_000_000 * a, 11 + a, 6 + 3 * a),
			"share" => weight(db, 10_000_000 + 30_000_000 * a, 2 + 6 * a, 5 * a),
			"remove" => weight(db, 30_000_000, 5, 5),
			"erase" => {
				weight(db, 20_000_000 + 25_000_000 * a + 8_000_000 * b, 2 + 5 * a, 6 * a + 2 * b)
			}
			_ => weight(db, 5_000_000 + 8_000_000 * a, 1 + 2 * a, 3 * a),
		}
	}
}

/// Weights for `pallet_ehr_records` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn add_record(k: u32) -> Weight {
		formulas(T::DbWeight::get())("add", k, 0)
	}
	fn amend_record(k: u32) -> Weight {
		formulas(T::DbWeight::get())("amend", k, 0)
	}
	fn share_keys(n: u32) -> Weight {
		formulas(T::DbWeight::get())("share", n, 0)
	}
	fn remove_key() -> Weight {
		formulas(T::DbWeight::get())("remove", 0, 0)
	}
	fn erase_record(v: u32, k: u32) -> Weight {
		formulas(T::DbWeight::get())("erase", v, k)
	}
	fn remove_reader_keys(n: u32) -> Weight {
		formulas(T::DbWeight::get())("reader", n, 0)
	}
}

impl WeightInfo for () {
	fn add_record(k: u32) -> Weight {
		formulas(RocksDbWeight::get())("add", k, 0)
	}
	fn amend_record(k: u32) -> Weight {
		formulas(RocksDbWeight::get())("amend", k, 0)
	}
	fn share_keys(n: u32) -> Weight {
		formulas(RocksDbWeight::get())("share", n, 0)
	}
	fn remove_key() -> Weight {
		formulas(RocksDbWeight::get())("remove", 0, 0)
	}
	fn erase_record(v: u32, k: u32) -> Weight {
		formulas(RocksDbWeight::get())("erase", v, k)
	}
	fn remove_reader_keys(n: u32) -> Weight {
		formulas(RocksDbWeight::get())("reader", n, 0)
	}
}
