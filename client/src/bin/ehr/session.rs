//! Who runs the command and against which chain: accounts from addresses, the keys (a key
//! file, an unlocked agent or a secret URI), the connected client with its store, outbox and
//! finality, and the arguments every group reads the same way.

use std::{io::IsTerminal, path::PathBuf, sync::Arc, time::Duration};

use ehr_client::{finality::Finality, human::Names, Client, Error, Keys, Stage, Store};
use ehr_primitives::{Moment, RecordCategory, Scope};
use serde_json::Value;
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	agent,
	cli::{Category, Global},
	outbox,
	ui::spinner,
};

/// An account from its SS58 address (or the 0x-hex account id some tools print).
pub fn account(text: &str) -> Result<AccountId, Error> {
	let text = text.trim();
	if let Some(hex) = text.strip_prefix("0x") {
		if let Ok(raw) = <[u8; 32]>::try_from(hex::decode(hex).unwrap_or_default()) {
			return Ok(AccountId::new(raw));
		}
	}
	AccountId::from_ss58check(text).map_err(|_| {
		Error::Usage(format!(
			"{text} is not an SS58 account address (like 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY; \
			 `ehr key show` prints yours, `ehr doctor list` the doctors')"
		))
	})
}

pub fn secret(env: &str, prompt: &str) -> Result<String, Error> {
	match std::env::var(env) {
		Ok(value) => Ok(value),
		Err(_) if !std::io::stdin().is_terminal() => Err(Error::KeyFile(format!(
			"no terminal to ask for it: set {env} (or unlock the key first with `ehr key unlock`)"
		))),
		Err(_) => rpassword::prompt_password(prompt)
			.map_err(|e| Error::KeyFile(format!("cannot ask for it ({e}): set {env}"))),
	}
}

/// A new passphrase: from EHR_PASSPHRASE, or asked twice (a typo would lock the file).
pub fn new_passphrase() -> Result<String, Error> {
	if let Ok(value) = std::env::var("EHR_PASSPHRASE") {
		return Ok(value);
	}
	let first = secret("EHR_PASSPHRASE", "New passphrase: ")?;
	let second = secret("EHR_PASSPHRASE", "The same passphrase again: ")?;
	if first != second {
		return Err(Error::KeyFile("the two passphrases differ: nothing was written".into()));
	}
	Ok(first)
}

pub fn keys(global: &Global) -> Result<Keys, Error> {
	match (&global.suri, &global.key_file) {
		(Some(uri), _) if Keys::is_development_uri(uri) && !global.dev => Err(Error::KeyFile(
			"this secret URI derives from the public development phrase: anyone can compute its \
			 keys. Use a key file (ehr key generate) or a phrase of your own; on a development \
			 chain, add --dev"
				.into(),
		)),
		(Some(uri), _) => Keys::from_uri(uri),
		(None, Some(path)) => {
			// An agent of this file (`ehr key unlock`) saves the scrypt work of unlocking; it is
			// used only if it holds this file's keys.
			if let Some(keys) = agent::unlocked(path) {
				return Ok(keys);
			}
			Keys::load(path, &secret("EHR_PASSPHRASE", "Passphrase: ")?)
		}
		(None, None) => Err(Error::KeyFile(
			"who are you? give --key-file FILE (or EHR_KEY_FILE; make one with `ehr key \
			 generate`), or --suri"
				.into(),
		)),
	}
}

pub fn no_key_file() -> Error {
	Error::KeyFile("this needs your key file: give --key-file FILE (or EHR_KEY_FILE)".into())
}

pub async fn client(global: &Global) -> Result<Client, Error> {
	let store = if global.ipfs.is_empty() {
		Store::local(&global.store_dir)?
	} else {
		Store::ipfs_nodes(&global.ipfs)?
	};
	let mut client = Client::connect(&global.node, store).await.map_err(|error| match error {
		Error::Node(why) => Error::Node(format!(
			"{why}: is the node running? (scripts/run.sh starts a development chain; --node or \
			 EHR_NODE_URL names another)"
		)),
		other => other,
	})?;
	let bar = spinner(global.json);
	client.chain.on_progress(Arc::new(move |stage: Stage| {
		if !bar.is_hidden() {
			bar.enable_steady_tick(Duration::from_millis(120));
		}
		bar.set_message(stage.to_string());
	}));
	// With the chain spec, the keys the command wraps for and the records it decrypts are read
	// with proofs against a block whose finality it checked itself.
	let client = if development(global) { client.development() } else { client };
	// Reads queue their log entries on this device instead of waiting for a block.
	let client = match outbox::open(global, &client).await {
		Some(outbox) => client.with_outbox(outbox),
		None => client,
	};
	Ok(match global.chain_spec {
		Some(_) => client.verifying(finality(global)?),
		None => client,
	})
}

/// Whether the chain is a development chain: `--dev`, or a chain spec whose `chainType` is
/// `Development`. Only there are keys wrapped on the node's unproven word (without a chain
/// spec) and split for an escrow committee of one.
pub fn development(global: &Global) -> bool {
	global.dev
		|| global
			.chain_spec
			.as_deref()
			.and_then(|path| std::fs::read(path).ok())
			.and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
			.is_some_and(|spec| spec["chainType"] == "Development")
}

pub fn state_dir(global: &Global) -> Option<PathBuf> {
	global.state_dir.clone().or_else(|| {
		std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state/ehr"))
	})
}

/// The client's own view of finality, from the chain spec and the saved checkpoint.
pub fn finality(global: &Global) -> Result<Finality, Error> {
	let spec = global.chain_spec.as_deref().ok_or_else(|| {
		Error::Usage(
			"verifying needs the chain's raw chain spec: pass --chain-spec FILE or set \
			 EHR_CHAIN_SPEC (a hospital publishes it; for a dev node: ehr-node build-spec \
			 --chain dev --raw > chain.json)"
				.into(),
		)
	})?;
	Finality::open(spec, state_dir(global).as_deref())
}

/// The directory's names, or none (addresses only) when the node cannot list them.
pub async fn names(client: &Client, me: &AccountId) -> Names {
	Names::load(client, Some(me)).await.unwrap_or_default()
}

/// The patient a command acts for: `--for` (as a delegate) or the signer.
pub fn patient_or_me(for_patient: Option<&str>, me: &AccountId) -> Result<AccountId, Error> {
	for_patient.map(account).transpose().map(|patient| patient.unwrap_or_else(|| me.clone()))
}

/// The end of a grant `hours` after `now` (`--expires-in-hours`).
pub fn expiry(now: Moment, hours: u64) -> Result<Option<Moment>, Error> {
	hours
		.checked_mul(3_600_000)
		.map(|ms| Some(now.saturating_add(ms)))
		.ok_or_else(|| Error::Usage("--expires-in-hours is too large".into()))
}

/// The grant scope of `--categories` (not empty).
pub fn categories_scope(categories: Vec<Category>) -> Result<Scope, Error> {
	let categories: Vec<RecordCategory> = categories.into_iter().map(Into::into).collect();
	Ok(Scope::Categories(
		categories.try_into().map_err(|_| Error::Usage("at most seven categories".into()))?,
	))
}
