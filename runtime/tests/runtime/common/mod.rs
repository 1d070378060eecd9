//! Helpers shared by the runtime's integration tests: genesis from the real presets, signed
//! extrinsics applied through `Executive`, and council votes (passed, and left to the end of
//! the motion period).

#![allow(dead_code)]

use codec::Encode;
use ehr_runtime::{
	AccountId, Executive, Hash, Header, Runtime, RuntimeCall, RuntimeOrigin, SignedPayload, System,
	UncheckedExtrinsic,
};
use frame_support::{dispatch::GetDispatchInfo, weights::Weight};
use sp_keyring::Sr25519Keyring;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{
	traits::{BlakeTwo256, Hash as _, Header as _},
	ApplyExtrinsicResult, MultiSignature,
};

/// The `dev` preset: one hospital (Alice), whose council of one reaches `Root`.
pub const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// The `local` preset: four hospitals (Alice, Bob, Charlie, Dave).
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

/// Close the current block (if any: its `on_idle` and `on_finalize` hooks run) and start block
/// `number` at `now`, as an author does: the Aura slot of `now` in the header's digest, then
/// the timestamp inherent.
pub fn block_at(number: u32, now: u64) {
	use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
	use sp_runtime::{Digest, DigestItem};
	let parent_hash =
		if number > 1 { Executive::finalize_block().hash() } else { Default::default() };
	let slot = Slot::from(now / ehr_runtime::SLOT_DURATION);
	let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
	Executive::initialize_block(&Header::new(
		number,
		Default::default(),
		Default::default(),
		parent_hash,
		digest,
	));
	let timestamp = RuntimeCall::Timestamp(pallet_timestamp::Call::set { now });
	assert_eq!(Executive::apply_extrinsic(UncheckedExtrinsic::new_bare(timestamp)), Ok(Ok(())));
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

/// The hospitals' council.
pub type Council = pallet_collective::Pallet<Runtime, pallet_collective::Instance1>;

/// A motion of the council, as `vote` and `close` name it.
pub struct Motion {
	pub hash: Hash,
	pub index: u32,
	pub length: u32,
	pub weight: Weight,
}

/// Propose `call` in the council with `threshold` (by the first of `ayes`), and let every one
/// of `ayes` vote aye and every one of `nays` vote nay. Members in neither abstain.
pub fn propose_and_vote(
	call: RuntimeCall,
	threshold: u32,
	ayes: &[Sr25519Keyring],
	nays: &[Sr25519Keyring],
) -> Result<Motion, sp_runtime::DispatchErrorWithPostInfo<frame_support::dispatch::PostDispatchInfo>>
{
	let proposer = ayes[0];
	let motion = Motion {
		hash: BlakeTwo256::hash_of(&call),
		index: pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get(),
		length: call.encoded_size() as u32,
		weight: call.get_dispatch_info().call_weight,
	};
	Council::propose(signed(proposer), threshold, Box::new(call), motion.length)?;
	// The proposer votes like everyone else: proposing is not voting.
	for voter in ayes {
		Council::vote(signed(*voter), motion.hash, motion.index, true)?;
	}
	for voter in nays {
		Council::vote(signed(*voter), motion.hash, motion.index, false)?;
	}
	Ok(motion)
}

/// `closer` closes `motion`.
pub fn close(
	closer: Sr25519Keyring,
	motion: &Motion,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Council::close(signed(closer), motion.hash, motion.index, motion.weight, motion.length)
}

/// Propose `call` in the hospitals' council with `threshold` (by the first of `voters`), let
/// every one of `voters` vote aye, and close the vote. Returns the result of `close`.
pub fn council_motion(
	call: RuntimeCall,
	threshold: u32,
	voters: &[Sr25519Keyring],
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let motion = propose_and_vote(call, threshold, voters, &[])?;
	close(voters[0], &motion)
}

/// The `local` preset with a fifth hospital, Eve, voted in by three of the four (at least two
/// thirds). Five is the smallest council where more than half (3) is less than two thirds (4).
/// The block number is 1.
pub fn five_hospitals() -> sp_io::TestExternalities {
	let mut ext = ext_from_preset(LOCAL);
	ext.execute_with(|| {
		System::set_block_number(1);
		let add_eve = RuntimeCall::Hospitals(pallet_membership::Call::add_member {
			who: account(Sr25519Keyring::Eve).into(),
		});
		close(
			Sr25519Keyring::Alice,
			&propose_and_vote(
				add_eve,
				3,
				&[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie],
				&[],
			)
			.expect("members propose and vote"),
		)
		.expect("the motion closes");
		assert_eq!(
			pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get().len(),
			5
		);
	});
	ext
}
