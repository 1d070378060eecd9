// SPDX-License-Identifier: Apache-2.0
// This file is part of the EHR consortium chain.
//! Weights for `pallet_fee_quota`: HAND-ESTIMATED, NOT MEASURED YET.
//!
//! `scripts/benchmark.sh` (which lists `fee-quota`) replaces this file with the measurement of
//! the `free_within_budget` benchmark, in the same template as the other pallets. Until then the
//! figures below are an estimate that errs on the high side:
//!
//! - Execution: 60 µs, above the sum of the extensions it replaces as measured upstream
//!   (`CheckNonce` 7.3 µs, `CheckWeight` 3 µs, `ChargeTransactionPayment` 36 µs) plus the
//!   registration and budget checks.
//! - Storage: 12 reads and 6 writes. Reads: `System::Account` (nonce and tip),
//!   `System::AllExtrinsicsLen`, the runtime's `IsRegistered` on its longest path (`Hospitals`
//!   members, `Consortium` validators, `Identity` doctors, invited patients and invitations: 5),
//!   `FeeQuota::Usage` and `FeeQuota::BlockUsage` (when validated, reserved and given back),
//!   `Balances::TotalIssuance` (the tip). Writes: `System::Account`, `System::AllExtrinsicsLen`,
//!   `FeeQuota::Usage` and `FeeQuota::BlockUsage` (reserved, given back),
//!   `Balances::TotalIssuance`.
//! - Proof size: 20,000 bytes, above the sum of the `MaxEncodedLen` proofs of those items.
//!
//! `SubstrateWeight` prices storage with the runtime's database weights; `()` uses RocksDB-class
//! figures for tests.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_fee_quota`.
pub trait WeightInfo {
	fn free_within_budget() -> Weight;
}

/// Weights for `pallet_fee_quota` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Hand-estimated, see the module documentation.
	fn free_within_budget() -> Weight {
		Weight::from_parts(60_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(12))
			.saturating_add(T::DbWeight::get().writes(6))
	}
}

/// The same estimate with RocksDB-class database weights, for tests.
impl WeightInfo for () {
	fn free_within_budget() -> Weight {
		Weight::from_parts(60_000_000, 20_000)
			.saturating_add(RocksDbWeight::get().reads(12))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
}
