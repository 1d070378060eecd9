//! Helpers shared by the runtime's integration tests: genesis from the real presets, signed
//! extrinsics applied through `Executive`, and council votes.

#![allow(dead_code)]

use codec::Encode;
use ehr_runtime::{
	AccountId, Executive, Header, Runtime, RuntimeCall, RuntimeOrigin, SignedPayload, System,
	UncheckedExtrinsic,
};
use frame_support::{dispatch::GetDispatchInfo, weights::Weight};
use sp_keyring::Sr25519Keyring;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{
	traits::{BlakeTwo256, Hash, Header as _},
	ApplyExtrinsicResult, MultiSignature,
};

/// The `dev` preset: one hospital (Alice), sudo.
pub const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// The `local` preset: four hospitals, no sudo.
pub const LOCAL: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;

/// Externalities holding the genesis state of the runtime preset `preset` ([`DEV`], [`LOCAL`]).
pub fn ext_from_preset(preset: &str) -> sp_io::TestExternalities {
	// As the node does: the preset is a JSON patch over the default genesis config.
	let patch =
		ehr_runtime::genesis_config_presets::get_preset(&preset.into()).expect("the preset exists");
	let mut config = serde_json::to_value(ehr_runtime::RuntimeGenesisConfig::default())
		.expect("the default config serializes");
	merge_patch(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let config = serde_json::to_vec(&config).expect("JSON serializes");

	let mut ext = sp_io::TestExternalities::default();
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<ehr_runtime::RuntimeGenesisConfig>(
			config,
		)
		.expect("the preset builds");
	});
	ext
}

/// JSON merge patch (RFC 7386): objects merge key by key, anything else replaces.
fn merge_patch(target: &mut serde_json::Value, patch: serde_json::Value) {
	use serde_json::Value;
	match patch {
		Value::Object(entries) => {
			if !target.is_object() {
				*target = Value::Object(Default::default());
			}
			let target = target.as_object_mut().expect("made an object above");
			for (key, value) in entries {
				if value.is_null() {
					target.remove(&key);
				} else {
					merge_patch(target.entry(key).or_insert(Value::Null), value);
				}
			}
		}
		other => *target = other,
	}
}

/// Start block `number` as block import does, so that extrinsics can be applied.
pub fn start_block(number: u32) {
	let parent_hash = if number > 1 { System::parent_hash() } else { Default::default() };
	Executive::initialize_block(&Header::new(
		number,
		Default::default(),
		Default::default(),
		parent_hash,
		Default::default(),
	));
}

/// Sign `call` by `signer` with its next nonce, exactly as a wallet does.
pub fn signed_extrinsic(signer: Sr25519Keyring, call: RuntimeCall) -> UncheckedExtrinsic {
	let who = signer.to_account_id();
	let nonce = System::account_nonce(&who);
	let extension = ehr_runtime::tx_extension(nonce, 0);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("implicit data");
	let signature = MultiSignature::from(payload.using_encoded(|bytes| signer.sign(bytes)));
	UncheckedExtrinsic::new_signed(call, who.into(), signature, extension)
}

/// Apply a signed extrinsic in the current block.
pub fn apply(signer: Sr25519Keyring, call: RuntimeCall) -> ApplyExtrinsicResult {
	Executive::apply_extrinsic(signed_extrinsic(signer, call))
}

/// A remark: the cheapest useful call.
pub fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: b"hello".to_vec() })
}

pub fn account(key: Sr25519Keyring) -> AccountId {
	key.to_account_id()
}

pub fn signed(key: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(key.to_account_id())
}

/// Propose `call` in the hospitals' council with `threshold` (by the first of `voters`), let
/// every one of `voters` vote aye, and close the vote. Returns the result of `close`.
pub fn council_motion(
	call: RuntimeCall,
	threshold: u32,
	voters: &[Sr25519Keyring],
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	type Council = pallet_collective::Pallet<Runtime, pallet_collective::Instance1>;
	let proposer = voters[0];
	let length = call.encoded_size() as u32;
	let weight = call.get_dispatch_info().call_weight;
	let hash = BlakeTwo256::hash_of(&call);
	let index = pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
	Council::propose(signed(proposer), threshold, Box::new(call), length)?;
	// The proposer votes like everyone else: proposing is not voting.
	for voter in voters {
		Council::vote(signed(*voter), hash, index, true)?;
	}
	Council::close(signed(proposer), hash, index, weight.saturating_add(Weight::zero()), length)
}
