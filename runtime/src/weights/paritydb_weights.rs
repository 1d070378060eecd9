// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.

//! Database weights for `ParityDb`, measured by `scripts/benchmark.sh`; do not edit by hand.
//!
//! Benchmark CLI 64.0.0, 2026-11-26 (Y/M/D), host `vm`, CPU `AMD EPYC`.
//! Runtime `EHR Development` at block Number(5), state version `V1`,
//! warmups 1, trie cache enabled `false`, batch size 10.
//! Weight: the *Average* of all keys, times
//! `1.1`, plus `0` ns.

// Command:
// /root/.cache/ehr-target-bench/release/ehr-node
// benchmark
// storage
// --chain
// /work/scale/big.json
// --base-path
// /work/scale/node
// --db
// paritydb
// --state-version
// 1
// --mul
// 1.1
// --batch-size
// 10
// --template-path
// scripts/db-weight-template.hbs
// --header
// scripts/weight-header.txt
// --weight-path
// /work/scale/paritydb_weights.rs

/// Storage database weights for `ParityDb`.
pub mod constants {
	use frame_support::{
		parameter_types,
		weights::{constants, RuntimeDbWeight},
	};

	parameter_types! {
		/// The runtime's `frame_system::Config::DbWeight`.
		pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			// Time to read one storage item.
			//
			// Stats nanoseconds:
			//   Min, Max: 1_272, 255_404
			//   Average:  6_522
			//   Median:   6_279
			//   Std-Dev:  1654.21
			//
			// Percentiles nanoseconds:
			//   99th: 10_206
			//   95th: 8_563
			//   75th: 6_941
			read: 7_175 * constants::WEIGHT_REF_TIME_PER_NANOS,

			// Time to write one storage item.
			//
			// Stats nanoseconds:
			//   Min, Max: 14_589, 3_670_423
			//   Average:  29_963
			//   Median:   27_134
			//   Std-Dev:  34404.52
			//
			// Percentiles nanoseconds:
			//   99th: 73_295
			//   95th: 35_673
			//   75th: 28_935
			write: 32_960 * constants::WEIGHT_REF_TIME_PER_NANOS,
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
