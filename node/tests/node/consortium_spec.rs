//! `ehr-node consortium-spec`: a file describing the `local` consortium (four hospitals, their
//! stash validators and session keys, the escrow committee of three with t = 2) gives exactly
//! the genesis state of `build-spec --chain local`; a file with a mistake is refused with the
//! field that is wrong, and nothing is written.

use std::process::Command;

use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_keyring::{Ed25519Keyring as E, Sr25519Keyring as S};

fn node() -> Command {
	Command::new(env!("CARGO_BIN_EXE_ehr-node"))
}

/// The `local` preset's consortium, as a hospital would write it.
fn local_consortium() -> Value {
	let hospitals: Vec<Value> = [
		(S::Alice, S::AliceStash, E::Alice),
		(S::Bob, S::BobStash, E::Bob),
		(S::Charlie, S::CharlieStash, E::Charlie),
		(S::Dave, S::DaveStash, E::Dave),
	]
	.iter()
	.map(|(admin, validator, grandpa)| {
		json!({
			"admin": admin.to_account_id().to_ss58check(),
			"validator": validator.to_account_id().to_ss58check(),
			"aura": admin.public().to_ss58check(),
			"grandpa": format!("0x{}", hex(&grandpa.public().0)),
		})
	})
	.collect();
	let members: Vec<Value> = ehr_runtime::genesis_config_presets::DEV_ESCROW_KEYS
		.iter()
		.map(|(hospital, key)| {
			json!({ "hospital": hospital.to_account_id().to_ss58check(), "escrowKey": format!("0x{}", hex(key)) })
		})
		.collect();
	json!({
		"name": "Test Consortium",
		"id": "test_consortium",
		"hospitals": hospitals,
		"escrowCommittee": { "members": members, "threshold": 2 },
	})
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `consortium-spec --raw` on `config`: the spec, or the error text.
fn consortium_spec(config: &Value) -> Result<Value, String> {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("consortium.json");
	std::fs::write(&path, config.to_string()).unwrap();
	let out = node().args(["consortium-spec", "--raw", "--config"]).arg(&path).output().unwrap();
	if out.status.success() {
		Ok(serde_json::from_slice(&out.stdout).expect("the spec is JSON"))
	} else {
		assert!(out.stdout.is_empty(), "nothing is written on a refusal");
		Err(String::from_utf8_lossy(&out.stderr).into_owned())
	}
}

#[test]
fn the_local_consortium_from_a_file_has_the_local_presets_genesis() {
	let spec = consortium_spec(&local_consortium()).expect("a valid consortium");
	let out = node()
		.args(["build-spec", "--chain", "local", "--raw"])
		.stderr(std::process::Stdio::null())
		.output()
		.unwrap();
	assert!(out.status.success());
	let local: Value = serde_json::from_slice(&out.stdout).unwrap();
	assert_eq!(spec["name"], "Test Consortium");
	assert_eq!(spec["chainType"], "Live");
	let storage = |spec: &Value| spec["genesis"]["raw"]["top"].as_object().unwrap().clone();
	assert!(storage(&spec).len() > 20);
	assert_eq!(storage(&spec), storage(&local), "the same genesis state as the local preset");
}

#[test]
fn a_file_with_a_mistake_is_refused_with_the_field() {
	let refused = |edit: &dyn Fn(&mut Value), field: &str| {
		let mut config = local_consortium();
		edit(&mut config);
		let error = consortium_spec(&config).expect_err("refused");
		assert!(error.contains(field), "{field} not named in: {error}");
	};
	// One hospital holding the key alone, or more shares than custodians.
	refused(&|c| c["escrowCommittee"]["threshold"] = json!(1), "escrowCommittee.threshold");
	refused(&|c| c["escrowCommittee"]["threshold"] = json!(4), "escrowCommittee.threshold");
	// A custodian that is no hospital of the file.
	refused(
		&|c| {
			c["escrowCommittee"]["members"][0]["hospital"] =
				json!(S::Ferdie.to_account_id().to_ss58check())
		},
		"escrowCommittee.members[0].hospital",
	);
	// A small-order escrow key; the same key for two custodians.
	refused(
		&|c| {
			c["escrowCommittee"]["members"][1]["escrowKey"] =
				json!(format!("0x{}", "00".repeat(32)))
		},
		"escrowCommittee.members[1].escrowKey",
	);
	refused(
		&|c| {
			c["escrowCommittee"]["members"][2]["escrowKey"] =
				c["escrowCommittee"]["members"][0]["escrowKey"].clone()
		},
		"escrowCommittee.members[2]",
	);
	// Two hospitals sharing a validator; an address that does not parse; an unknown field.
	refused(
		&|c| c["hospitals"][1]["validator"] = c["hospitals"][0]["validator"].clone(),
		"hospitals[1].validator",
	);
	refused(&|c| c["hospitals"][2]["aura"] = json!("5NotAnAddress"), "hospitals[2].aura");
	refused(&|c| c["hospitals"][0]["sudo"] = json!(true), "unknown field `sudo`");
	refused(&|c| c["id"] = json!("Has Spaces"), "id");
}

#[test]
fn three_validators_are_warned_that_one_down_stops_finality_four_are_not() {
	let run = |config: &Value| {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("consortium.json");
		std::fs::write(&path, config.to_string()).unwrap();
		let out = node().args(["consortium-spec", "--config"]).arg(&path).output().unwrap();
		assert!(out.status.success(), "the spec is written either way");
		assert!(!out.stdout.is_empty());
		String::from_utf8_lossy(&out.stderr).into_owned()
	};
	assert!(!run(&local_consortium()).contains("warning"), "four validators survive one loss");
	let mut three = local_consortium();
	three["hospitals"].as_array_mut().unwrap().pop();
	let warning = run(&three);
	assert!(
		warning.contains("3 validators: finality stops whenever any one of them is down")
			&& warning.contains("Four validators survive the loss of one"),
		"{warning}"
	);
}
