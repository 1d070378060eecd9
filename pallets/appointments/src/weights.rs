//! Weights for `pallet_ehr_appointments`.
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

/// Weight functions needed for `pallet_ehr_appointments`.
pub trait WeightInfo {
	fn publish_slot() -> Weight;
	fn withdraw_slot() -> Weight;
	fn book() -> Weight;
	fn confirm() -> Weight;
	fn propose_reschedule() -> Weight;
	fn answer_reschedule() -> Weight;
	fn cancel() -> Weight;
	fn finish() -> Weight;
}

fn weight(db: RuntimeDbWeight, ref_time: u64, reads: u64, writes: u64) -> Weight {
	Weight::from_parts(ref_time, 10_000).saturating_add(db.reads_writes(reads, writes))
}

/// `publish_slot` reads every slot of the doctor to refuse overlaps.
const MAX_SLOTS: u64 = 256;

fn table(db: RuntimeDbWeight, call: &str) -> Weight {
	match call {
		"publish" => weight(db, 30_000_000 + 2_000_000 * MAX_SLOTS, 4 + 2 * MAX_SLOTS, 4),
		"withdraw" => weight(db, 20_000_000, 2, 3),
		"book" => weight(db, 40_000_000, 7, 8),
		"confirm" => weight(db, 25_000_000, 4, 3),
		"propose" => weight(db, 30_000_000, 5, 4),
		"answer" => weight(db, 35_000_000, 5, 6),
		"cancel" => weight(db, 35_000_000, 5, 8),
		_ => weight(db, 35_000_000, 4, 8),
	}
}

/// Weights for `pallet_ehr_appointments` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn publish_slot() -> Weight {
		table(T::DbWeight::get(), "publish")
	}
	fn withdraw_slot() -> Weight {
		table(T::DbWeight::get(), "withdraw")
	}
	fn book() -> Weight {
		table(T::DbWeight::get(), "book")
	}
	fn confirm() -> Weight {
		table(T::DbWeight::get(), "confirm")
	}
	fn propose_reschedule() -> Weight {
		table(T::DbWeight::get(), "propose")
	}
	fn answer_reschedule() -> Weight {
		table(T::DbWeight::get(), "answer")
	}
	fn cancel() -> Weight {
		table(T::DbWeight::get(), "cancel")
	}
	fn finish() -> Weight {
		table(T::DbWeight::get(), "finish")
	}
}

impl WeightInfo for () {
	fn publish_slot() -> Weight {
		table(RocksDbWeight::get(), "publish")
	}
	fn withdraw_slot() -> Weight {
		table(RocksDbWeight::get(), "withdraw")
	}
	fn book() -> Weight {
		table(RocksDbWeight::get(), "book")
	}
	fn confirm() -> Weight {
		table(RocksDbWeight::get(), "confirm")
	}
	fn propose_reschedule() -> Weight {
		table(RocksDbWeight::get(), "propose")
	}
	fn answer_reschedule() -> Weight {
		table(RocksDbWeight::get(), "answer")
	}
	fn cancel() -> Weight {
		table(RocksDbWeight::get(), "cancel")
	}
	fn finish() -> Weight {
		table(RocksDbWeight::get(), "finish")
	}
}
