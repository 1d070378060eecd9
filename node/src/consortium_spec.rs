//! `ehr-node consortium-spec`: a real consortium's chain specification from a small JSON file
//! (its hospitals, validators, session keys and escrow committee), checked before anything is
//! written, instead of a hand-edited `build-spec` output.
//!
//! ```json
//! {
//!   "name": "North Health Consortium",
//!   "id": "north_health",
//!   "hospitals": [
//!     { "admin": "5Grw…", "validator": "5Grw…", "aura": "5Grw…", "grandpa": "5FA9…" }
//!   ],
//!   "escrowCommittee": {
//!     "members": [{ "hospital": "5Grw…", "escrowKey": "0xf743…" }],
//!     "threshold": 2
//!   }
//! }
//! ```
//!
//! Accounts and keys are SS58 addresses or 0x-prefixed hex: `aura` is the validator's sr25519
//! session key, `grandpa` its ed25519 one (`ehr-node key generate --scheme …` makes them, `key
//! insert` puts them in the node's keystore); `escrowKey` is the X25519 key a hospital's
//! custodian key file holds (`ehr key show`).

use std::{collections::BTreeSet, path::PathBuf};

use ehr_runtime::{genesis_config_presets::Hospital, AccountId, SessionKeys};
use serde::Deserialize;
use sp_core::{crypto::Ss58Codec, ed25519, sr25519};

/// Write a chain specification for a consortium of hospitals from a JSON file.
///
/// The file names the chain, its hospitals (admin account, validator account, the validator's
/// Aura and GRANDPA session keys) and, optionally, the break-glass escrow committee; see the
/// "Starting a consortium" in docs/consortium.md. Everything is checked first: distinct hospitals,
/// validators and keys, committee members that are hospitals, usable escrow keys, 2 ≤ t ≤ n.
///
/// Example: ehr-node consortium-spec --config consortium.json --raw > consortium-raw.json
#[derive(Debug, clap::Parser)]
pub struct ConsortiumSpecCmd {
	/// The consortium's JSON file.
	#[arg(long, value_name = "FILE")]
	pub config: PathBuf,
	/// Write the raw form (storage keys and values), the one nodes start from and whose
	/// genesis hash clients check.
	#[arg(long)]
	pub raw: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Config {
	name: String,
	id: String,
	hospitals: Vec<HospitalConfig>,
	#[serde(default)]
	escrow_committee: Option<CommitteeConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HospitalConfig {
	admin: String,
	validator: String,
	aura: String,
	grandpa: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CommitteeConfig {
	members: Vec<MemberConfig>,
	threshold: u8,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MemberConfig {
	hospital: String,
	escrow_key: String,
}

/// 32 bytes from an SS58 address or 0x-prefixed hex.
fn bytes32(what: &str, text: &str) -> Result<[u8; 32], String> {
	if text.starts_with("0x") {
		let mut out = [0u8; 32];
		return match sp_core::bytes::from_hex(text) {
			Ok(bytes) if bytes.len() == 32 => {
				out.copy_from_slice(&bytes);
				Ok(out)
			}
			_ => Err(format!("{what}: {text} is not 32 bytes of 0x-prefixed hex")),
		};
	}
	sr25519::Public::from_ss58check(text)
		.map(|public| public.0)
		.map_err(|_| format!("{what}: {text} is neither an SS58 address nor 0x-prefixed hex"))
}

fn account(what: &str, text: &str) -> Result<AccountId, String> {
	bytes32(what, text).map(AccountId::new)
}

/// The checked hospitals and committee of `config`.
fn genesis(config: &Config) -> Result<serde_json::Value, String> {
	if config.hospitals.is_empty() {
		return Err("hospitals: a consortium needs at least one hospital".into());
	}
	if config.id.is_empty()
		|| !config.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
	{
		return Err(format!("id: {:?} must be lowercase letters, digits and _", config.id));
	}
	// Each field's values are distinct across hospitals (a hospital's admin may also be its
	// validator, and a development account's Aura key is its account key).
	let mut seen: [BTreeSet<[u8; 32]>; 4] = Default::default();
	let mut hospitals = Vec::new();
	for (index, hospital) in config.hospitals.iter().enumerate() {
		let at = |field: &str| format!("hospitals[{index}].{field}");
		let admin = account(&at("admin"), &hospital.admin)?;
		let validator = account(&at("validator"), &hospital.validator)?;
		let aura = bytes32(&at("aura"), &hospital.aura)?;
		let grandpa = bytes32(&at("grandpa"), &hospital.grandpa)?;
		let fields = [
			("admin", admin.clone().into()),
			("validator", validator.clone().into()),
			("aura", aura),
			("grandpa", grandpa),
		];
		for ((field, value), seen) in fields.into_iter().zip(seen.iter_mut()) {
			if !seen.insert(value) {
				return Err(format!(
					"{}: {} is another hospital's {field} too (each hospital has its own)",
					at(field),
					sp_core::bytes::to_hex(&value, false)
				));
			}
		}
		hospitals.push(Hospital {
			admin,
			validator,
			keys: SessionKeys {
				aura: sr25519::Public::from_raw(aura).into(),
				grandpa: ed25519::Public::from_raw(grandpa).into(),
			},
		});
	}
	let committee = match &config.escrow_committee {
		None => (Vec::new(), 0),
		Some(committee) => {
			let mut members = Vec::new();
			for (index, member) in committee.members.iter().enumerate() {
				let at = |field: &str| format!("escrowCommittee.members[{index}].{field}");
				let hospital = account(&at("hospital"), &member.hospital)?;
				if !hospitals.iter().any(|h| h.admin == hospital) {
					return Err(format!(
						"{}: {} is not the admin account of a hospital of this file",
						at("hospital"),
						member.hospital
					));
				}
				let key = bytes32(&at("escrowKey"), &member.escrow_key)?;
				if !ehr_primitives::is_usable_encryption_key(&key) {
					return Err(format!(
						"{}: not a usable X25519 key (of small order or not canonical)",
						at("escrowKey")
					));
				}
				if members.iter().any(|(other, other_key)| *other == hospital || *other_key == key)
				{
					return Err(format!(
						"escrowCommittee.members[{index}]: the hospital or its escrow key appears \
						 twice (one key holder would hold several shares)"
					));
				}
				members.push((hospital, key));
			}
			let threshold = committee.threshold;
			if members.len() > 16 || threshold < 2 || threshold as usize > members.len() {
				return Err(format!(
					"escrowCommittee.threshold: {threshold} must be between 2 and the number of \
					 members ({}, at most 16): no single custodian may open a record",
					members.len()
				));
			}
			(members, threshold)
		}
	};
	Ok(ehr_runtime::genesis_config_presets::consortium_genesis(hospitals, Vec::new(), committee))
}

/// How many of `validators` may be down with finality going on: GRANDPA finalizes with the votes
/// of more than two thirds of them.
pub fn validators_that_may_fail(validators: usize) -> usize {
	validators.saturating_sub(validators * 2 / 3 + 1)
}

/// A warning for a consortium whose finality stops when one validator is down, with the count
/// that survives it; none otherwise.
pub fn fault_tolerance_warning(validators: usize) -> Option<String> {
	if validators == 0 || validators_that_may_fail(validators) > 0 {
		return None;
	}
	let needed = validators * 2 / 3 + 1;
	Some(format!(
		"warning: {validators} validator{}: finality stops whenever any one of them is down \
		 (GRANDPA needs the votes of more than two thirds, {needed} of {validators}). Four \
		 validators survive the loss of one, seven the loss of two (3f + 1 for f). Blocks are \
		 still authored meanwhile, but nothing becomes final and clients wait.",
		if validators == 1 { "" } else { "s" }
	))
}

impl ConsortiumSpecCmd {
	/// Prints the chain specification (JSON) on standard output, and on standard error a
	/// warning when the validators cannot lose one of theirs and keep finality.
	pub fn run(&self) -> Result<(), String> {
		let text = std::fs::read_to_string(&self.config)
			.map_err(|e| format!("{}: {e}", self.config.display()))?;
		let config: Config =
			serde_json::from_str(&text).map_err(|e| format!("{}: {e}", self.config.display()))?;
		let patch = genesis(&config).map_err(|e| format!("{}: {e}", self.config.display()))?;
		if let Some(warning) = fault_tolerance_warning(config.hospitals.len()) {
			eprintln!("{warning}");
		}
		let spec = crate::chain_spec::consortium_chain_spec(&config.name, &config.id, patch)?;
		let json = sc_service::ChainSpec::as_json(&spec, self.raw)?;
		println!("{json}");
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_validator_count_that_survives_a_loss_is_four() {
		// GRANDPA: more than two thirds vote. 1, 2 and 3 validators: none may fail.
		let may_fail: Vec<usize> = (1..=10).map(validators_that_may_fail).collect();
		assert_eq!(may_fail, vec![0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
		for n in 1..=3 {
			let warning = fault_tolerance_warning(n).expect("a warning");
			assert!(warning.contains("any one of them is down"), "{warning}");
			assert!(warning.contains("Four validators survive the loss of one"), "{warning}");
		}
		assert!(fault_tolerance_warning(3).unwrap().contains("3 of 3"));
		assert!(fault_tolerance_warning(4).is_none());
		assert!(fault_tolerance_warning(7).is_none());
	}
}
