// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.
//! Database weights for `ParityDb`: NOT MEASURED YET, a conservative hand value until measured
//! by `scripts/benchmark.sh`.
//!
//! The node stores its state in parity-db. `scripts/benchmark.sh` runs
//! `ehr-node benchmark storage --db paritydb` and replaces this file with the measurement (in
//! `scripts/db-weight-template.hbs`). Until then the figures are RocksDB's from
//! `frame_support::weights::constants::RocksDbWeight` (25 µs a read, 100 µs a write), which
//! parity-db does not exceed on the same hardware.

/// Storage database weights for `ParityDb`.
pub mod constants {
	use frame_support::{
		parameter_types,
		weights::{constants, RuntimeDbWeight},
	};

	parameter_types! {
		/// The runtime's `frame_system::Config::DbWeight`. Until measured by
		/// `scripts/benchmark.sh`: RocksDB's conservative figures.
		pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			// Time to read one storage item (until measured by `scripts/benchmark.sh`).
			read: 25_000 * constants::WEIGHT_REF_TIME_PER_NANOS,
			// Time to write one storage item (until measured by `scripts/benchmark.sh`).
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
