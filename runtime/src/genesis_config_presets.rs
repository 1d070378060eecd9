//! Genesis presets: `dev` (one hospital that is also the validator) and `local` (four
//! hospitals, each with an admin account and a validator).
//!
//! The runtime has no sudo pallet, so no preset (and no chain spec) has a sudo key: `Root` is
//! reached only through `Consortium.dispatch_as_root` by at least two thirds of the hospitals'
//! council. On `dev`, Alice is the only hospital, so her proposal
//! `HospitalCouncil.propose(1, Consortium.dispatch_as_root(call), length)` runs at once as
//! "one of one" and reaches `Root`.

use crate::{
	AccountId, BalancesConfig, ConsortiumConfig, HospitalsConfig, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// One member hospital of the genesis consortium.
struct Hospital {
	/// The hospital's admin account: it votes in the council and, later, verifies doctors.
	admin: AccountId,
	/// The account of the hospital's validator node.
	validator: AccountId,
	/// The validator's session keys (Aura and GRANDPA).
	keys: SessionKeys,
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

fn consortium_genesis(hospitals: Vec<Hospital>, endowed: Vec<AccountId>) -> Value {
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
	})
}

/// `dev`: Alice's hospital alone, its admin account is also the validator. Alice reaches `Root`
/// as the council of one (see the module's documentation); Alice, Bob and Charlie hold tokens.
pub fn development_config_genesis() -> Value {
	consortium_genesis(
		vec![dev_hospital(Sr25519Keyring::Alice, Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		vec![
			Sr25519Keyring::Alice.to_account_id(),
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
		],
	)
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
