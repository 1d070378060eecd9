// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.
//! Database weights for `ParityDb`: measured, and deliberately kept above the measurement.
//!
//! The node stores its state in parity-db. `scripts/benchmark.sh storage` runs
//! `ehr-node benchmark storage --db paritydb` and writes its measurement here (through
//! `scripts/db-weight-template.hbs`). Its run of 2026-11-25 (release node, state version 1,
//! batches of 10 writes, ×1.1) measured, on the dev chain's genesis state:
//!
//! - a read: 2.7 µs (median 1.1 µs, 99th percentile 53 µs, over 41 keys);
//! - a write: 25.9 µs (median 5.5 µs, 99th percentile 78 µs).
//!
//! A genesis state of 41 keys is a small trie that fits in cache: the figures are a lower bound
//! for a chain with millions of records, grants and trail entries, and a weight below the true
//! cost lets transactions overfill blocks. So the runtime keeps RocksDB's figures from
//! `frame_support::weights::constants::RocksDbWeight` (25 µs a read, 100 µs a write), about 9 and
//! 4 times the measurement, until `benchmark storage` runs on a copy of a populated node's
//! database (`STORAGE_BASE_PATH`, see the script).

/// Storage database weights for `ParityDb`.
pub mod constants {
	use frame_support::{
		parameter_types,
		weights::{constants, RuntimeDbWeight},
	};

	parameter_types! {
		/// The runtime's `frame_system::Config::DbWeight`: RocksDB's figures, above the
		/// measurement on a small state (see the module documentation).
		pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			// Time to read one storage item (measured 2.7 µs on the dev genesis state).
			read: 25_000 * constants::WEIGHT_REF_TIME_PER_NANOS,
			// Time to write one storage item (measured 25.9 µs on the dev genesis state).
			write: 100_000 * constants::WEIGHT_REF_TIME_PER_NANOS,
		};
	}

	#[cfg(test)]
	mod test_db_weights {
		use super::ParityDbWeight as W;
		use frame_support::weights::constants;

		/// The weights exist and are sane: between 1 µs and 1 ms.
		#[test]
		fn bound() {
			for weight in [W::get().reads(1), W::get().writes(1)] {
				assert!(weight.ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS);
				assert!(weight.ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS);
			}
		}
	}
}
