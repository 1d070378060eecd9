//! # EHR runtime
//!
//! The runtime of the hospital consortium chain: Aura block production and GRANDPA finality
//! with a validator set that the member hospitals govern, fee-less use for registered accounts
//! within a quota, and the project's pallets for identity, consent, records and appointments as
//! they land.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` needs a higher recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

// Before `apis`: the macros it defines are used there.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benches {
	// The pallets whose weights `ehr-node benchmark pallet` measures.
	frame_benchmarking::define_benchmarks!(
		[pallet_consortium, Consortium]
		[pallet_fee_quota, FeeQuota]
		[pallet_ehr_identity, Identity]
		[pallet_ehr_consent, Consent]
		[pallet_ehr_records, Records]
		[pallet_ehr_escrow, Escrow]
		[pallet_ehr_appointments, Appointments]
		[pallet_ehr_messages, Messages]
	);
}
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Block hash type.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: one for Aura, one for GRANDPA.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime version, with `spec_version` given (`runtime_version` reads literals only).
macro_rules! runtime_version {
	($spec_version:tt) => {
		/// The runtime version; `spec_version` goes up with every runtime upgrade.
		#[sp_version::runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: alloc::borrow::Cow::Borrowed("ehr"),
			impl_name: alloc::borrow::Cow::Borrowed("ehr-node"),
			authoring_version: 1,
			spec_version: $spec_version,
			impl_version: 1,
			apis: apis::RUNTIME_API_VERSIONS,
			transaction_version: 4,
			system_version: 1,
		};
	};
}

// The `upgrade-test` runtime exists only as the second wasm the build script makes; a native
// build with the feature (`--all-features`, or a crate enabling it) would also give the main
// wasm the next `spec_version`.
#[cfg(all(feature = "upgrade-test", feature = "std"))]
compile_error!("`upgrade-test` is only for the build script's second wasm build");

#[cfg(not(feature = "upgrade-test"))]
runtime_version!(112);
/// The `upgrade-test` build: this runtime declaring the next `spec_version`.
#[cfg(feature = "upgrade-test")]
runtime_version!(113);

/// The next runtime for the live upgrade of the fault suite (`client/tests/faults.rs`): this
/// runtime built a second time with the `upgrade-test` feature, which declares the next
/// `spec_version`, so that the hospitals can vote a real new runtime onto a running network.
/// `WASM_BINARY` is `None` when the wasm build is skipped.
#[cfg(all(feature = "std", not(feature = "runtime-benchmarks")))]
pub mod next {
	include!(concat!(env!("OUT_DIR"), "/wasm_binary_next.rs"));
}

/// Block time: one block every 3 seconds, chosen against 2 s under load on four validators
/// (docs/decisions.md, "Three-second blocks"). Fixed at genesis: a chain running with another
/// block time must not take this runtime (Aura would refuse its slots).
pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
/// Compute per block: a third of the block time, so that the author has the block out and the
/// other validators have imported it well before the next slot.
pub const BLOCK_COMPUTE_MILLIS: u64 = MILLI_SECS_PER_BLOCK / 3;
/// An Aura slot lasts one block time.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// One token. Only unregistered accounts and registered ones beyond their quota need tokens.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a token.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// The minimum balance of an account that exists because of its balance.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Signature of transactions.
pub type Signature = MultiSignature;
/// An account: the public key of its signer.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Token balances.
pub type Balance = u128;
/// Transaction counter of an account.
pub type Nonce = u32;
/// Block and storage hashes.
pub type Hash = sp_core::H256;
/// Block numbers.
pub type BlockNumber = u32;
/// How transactions name accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The checks every transaction goes through. `FreeWithinBudget` stands for the standard
/// `CheckNonce`, `CheckWeight` and `ChargeTransactionPayment` and encodes exactly as they do,
/// so clients see the standard extension list. `CheckMetadataHash` (RFC-78) lets a signer
/// include the hash of the metadata it encoded the call with (mode 1): the runtime adds its own
/// hash (baked in by the build, `build.rs`) to the signed payload, so a transaction encoded
/// from altered metadata does not verify. The `ehr` command and the web app always sign in
/// mode 1.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	pallet_fee_quota::FreeWithinBudget<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The transaction extension a test signer attaches to a transaction of `nonce` with `tip`:
/// valid forever (immortal era), without a metadata hash (mode 0). Clients replace the era and
/// the metadata mode (`ehr_client::Chain::sign`).
pub fn tx_extension(nonce: Nonce, tip: Balance) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(sp_runtime::generic::Era::Immortal),
		pallet_fee_quota::FreeWithinBudget::new(nonce, tip),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// Whether the signed transaction `uxt` of `len` bytes would be free now (registered signer, an
/// allowed call, within the signer's budget): what wallets are told through `query_info`.
pub fn is_free_transaction(uxt: &UncheckedExtrinsic, len: u32) -> bool {
	use frame_support::dispatch::GetDispatchInfo;
	let generic::Preamble::Signed(MultiAddress::Id(who), _, _) = &uxt.preamble else {
		return false;
	};
	FeeQuota::is_free(who, &uxt.function, &uxt.get_dispatch_info(), len as usize)
}

/// A transaction as it travels: unchecked, signed or not.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// What a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

frame_support::parameter_types! {
	/// The name the sudo pallet had in this runtime, before it was removed.
	pub const SudoPalletName: &'static str = "Sudo";
}

/// Storage migrations run on the next runtime upgrade: the removed sudo pallet's storage (its
/// key) goes, and every inbox gets its sender count (messages v0 → v1).
pub type Migrations = (
	frame_support::migrations::RemovePallet<
		SudoPalletName,
		<Runtime as frame_system::Config>::DbWeight,
	>,
	pallet_ehr_messages::migrations::v1::CountInboxSenders<Runtime>,
);

/// Executes blocks on the runtime.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(3)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(4)]
	pub type FeeQuota = pallet_fee_quota;

	// Consortium governance. `Consortium` comes before `Session`, whose genesis reads the
	// validator set.
	#[runtime::pallet_index(10)]
	pub type HospitalCouncil = pallet_collective<Instance1>;

	#[runtime::pallet_index(11)]
	pub type Hospitals = pallet_membership<Instance1>;

	#[runtime::pallet_index(12)]
	pub type Consortium = pallet_consortium;

	// Consensus. `Session` comes before `Aura` and `Grandpa` so that they see new authorities.
	#[runtime::pallet_index(20)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(21)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(22)]
	pub type Grandpa = pallet_grandpa;

	// Who is who, and who may see what.
	#[runtime::pallet_index(30)]
	pub type Identity = pallet_ehr_identity;

	#[runtime::pallet_index(31)]
	pub type Consent = pallet_ehr_consent;

	// What the medical history points to, and the visits.
	#[runtime::pallet_index(32)]
	pub type Records = pallet_ehr_records;

	#[runtime::pallet_index(33)]
	pub type Appointments = pallet_ehr_appointments;

	// Break-glass: the hospitals' threshold escrow of emergency-openable record keys.
	#[runtime::pallet_index(34)]
	pub type Escrow = pallet_ehr_escrow;

	#[runtime::pallet_index(35)]
	pub type Messages = pallet_ehr_messages;

	#[runtime::pallet_index(40)]
	pub type Utility = pallet_utility;
}
