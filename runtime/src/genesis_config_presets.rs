//! Genesis presets: `dev` (one hospital that is also the validator) and `local` (four
//! hospitals, each with an admin account and a validator).
//!
//! The break-glass escrow committee: on `dev`, Alice's hospital alone (t = 1); on `local`, the
//! hospitals of Alice, Bob and Charlie with t = 2 (Dave's hospital is not a custodian). Each
//! escrow key is the X25519 encryption key the `ehr` client derives from the admin's
//! development account (`ehr --dev --suri //Alice key show`), so that `ehr custodian --suri
//! //Alice` opens Alice's shares; the client's tests check these keys against its derivation.
//!
//! The runtime has no sudo pallet, so no preset (and no chain spec) has a sudo key: `Root` is
//! reached only through `Consortium.dispatch_as_root` by at least two thirds of the hospitals'
//! council. On `dev`, Alice is the only hospital, so her proposal
//! `HospitalCouncil.propose(1, Consortium.dispatch_as_root(call), length)` runs at once as
//! "one of one" and reaches `Root`.

use crate::{
	AccountId, BalancesConfig, ConsortiumConfig, EscrowConfig, HospitalsConfig,
	RuntimeGenesisConfig, SessionConfig, SessionKeys, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// One member hospital of the genesis consortium.
pub struct Hospital {
	/// The hospital's admin account: it votes in the council and, later, verifies doctors.
	pub admin: AccountId,
	/// The account of the hospital's validator node.
	pub validator: AccountId,
	/// The validator's session keys (Aura and GRANDPA).
	pub keys: SessionKeys,
}

/// The escrow keys of the development accounts (see the module's documentation).
pub const DEV_ESCROW_KEYS: [(Sr25519Keyring, [u8; 32]); 3] = [
	(
		Sr25519Keyring::Alice,
		/* f7439c97a490fb8f51543ce423f90af665ca0bc793f5f06cf995898adc55b704 */
		[
			247, 67, 156, 151, 164, 144, 251, 143, 81, 84, 60, 228, 35, 249, 10, 246, 101, 202, 11,
			199, 147, 245, 240, 108, 249, 149, 137, 138, 220, 85, 183, 4,
		],
	),
	(
		Sr25519Keyring::Bob,
		/* b8e0819da3cf2cee40b808952116dd4f4a6677fdb0111dac0c02f85033ced62c */
		[
			184, 224, 129, 157, 163, 207, 44, 238, 64, 184, 8, 149, 33, 22, 221, 79, 74, 102, 119,
			253, 176, 17, 29, 172, 12, 2, 248, 80, 51, 206, 214, 44,
		],
	),
	(
		Sr25519Keyring::Charlie,
		/* df85c64eb696cd19176443d1fe6fda74c6e5310386adccfb37eedf1803736409 */
		[
			223, 133, 198, 78, 182, 150, 205, 25, 23, 100, 67, 209, 254, 111, 218, 116, 198, 229,
			49, 3, 134, 173, 204, 251, 55, 238, 223, 24, 3, 115, 100, 9,
		],
	),
];

/// The escrow committee of the first `members` development hospitals, with `threshold`.
fn dev_committee(members: usize, threshold: u8) -> (Vec<(AccountId, [u8; 32])>, u8) {
	let committee = DEV_ESCROW_KEYS[..members]
		.iter()
		.map(|(account, key)| (account.to_account_id(), *key))
		.collect();
	(committee, threshold)
}

/// A hospital with development keys: the validator's Aura key is the admin's keyring key (what
/// `ehr-node --alice` and zombienet put in the node's keystore), its GRANDPA key the matching
/// ed25519 key.
fn dev_hospital(
	admin: Sr25519Keyring,
	validator: Sr25519Keyring,
	grandpa: Ed25519Keyring,
) -> Hospital {
	Hospital {
		admin: admin.to_account_id(),
		validator: validator.to_account_id(),
		keys: SessionKeys { aura: admin.public().into(), grandpa: grandpa.public().into() },
	}
}

/// The genesis of a consortium (a JSON patch over the runtime's default genesis): `hospitals`
/// are the members, the council and the validators; `endowed` accounts hold tokens; the escrow
/// committee is `(members with their escrow keys, threshold)` (empty: none). `ehr-node
/// consortium-spec` builds a real consortium's chain spec with it.
pub fn consortium_genesis(
	hospitals: Vec<Hospital>,
	endowed: Vec<AccountId>,
	(committee, threshold): (Vec<(AccountId, [u8; 32])>, u8),
) -> Value {
	let mut members: Vec<AccountId> = hospitals.iter().map(|h| h.admin.clone()).collect();
	members.sort();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|account| (account, 1_000_000 * UNIT)).collect(),
		},
		hospitals: HospitalsConfig {
			members: members.try_into().expect("presets stay below MaxHospitals"),
		},
		consortium: ConsortiumConfig {
			validators: hospitals.iter().map(|h| h.validator.clone()).collect(),
		},
		session: SessionConfig {
			keys: hospitals
				.iter()
				.map(|h| (h.validator.clone(), h.validator.clone(), h.keys.clone()))
				.collect(),
		},
		escrow: EscrowConfig { committee, threshold },
	})
}

/// `dev`: Alice's hospital alone, its admin account is also the validator. Alice reaches `Root`
/// as the council of one (see the module's documentation); Alice, Bob and Charlie hold tokens.
pub fn development_config_genesis() -> Value {
	let mut genesis = consortium_genesis(
		vec![dev_hospital(Sr25519Keyring::Alice, Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		vec![
			Sr25519Keyring::Alice.to_account_id(),
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
		],
		dev_committee(1, 1),
	);
	// A development chain's doctors are made and tested within minutes: no waiting time before
	// break-glass (every other chain keeps the runtime's 24 hours unless its hospitals vote).
	genesis["consent"] = serde_json::json!({ "newDoctorWait": 0 });
	genesis
}

/// `local`: four hospitals (Alice, Bob, Charlie and Dave as admins, their `//stash` accounts as
/// validators). GRANDPA finalizes with three of the four online; three of the four hospitals
/// are two thirds of the council.
pub fn local_config_genesis() -> Value {
	use Ed25519Keyring as E;
	use Sr25519Keyring as S;
	consortium_genesis(
		vec![
			dev_hospital(S::Alice, S::AliceStash, E::Alice),
			dev_hospital(S::Bob, S::BobStash, E::Bob),
			dev_hospital(S::Charlie, S::CharlieStash, E::Charlie),
			dev_hospital(S::Dave, S::DaveStash, E::Dave),
		],
		vec![],
		dev_committee(3, 2),
	)
}

/// The JSON patch of the preset `id`, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development_config_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(serde_json::to_string(&patch).expect("a JSON value serializes").into_bytes())
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
}
