//! `ehr`: the command line of the EHR chain for patients, doctors, hospital admins and auditors.
//!
//! `cli` declares every command and option with its help; this file runs them and prints what
//! happened in words ([`ehr_client::human`]) or JSON; `agent` keeps a key unlocked for a while.
//! Exit codes: see [`cli::EXIT_CODES`].

mod agent;
mod care;
mod cli;
mod emergency;
mod outbox;
mod pinning;

use std::{
	io::IsTerminal,
	path::{Path, PathBuf},
	sync::{Arc, OnceLock},
	time::Duration,
};

use clap::Parser;
use cli::*;
use ehr_client::{
	audit, finality::Finality, human, human::Names, AppointmentAction, Client, Error, Keys, Stage,
	Store,
};
use ehr_primitives::{AccessLevel, Moment, RecordCategory, Scope, VisitKind};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

/// An account from its SS58 address (or the 0x-hex account id some tools print).
fn account(text: &str) -> Result<AccountId, Error> {
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

fn secret(env: &str, prompt: &str) -> Result<String, Error> {
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
fn new_passphrase() -> Result<String, Error> {
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

fn keys(global: &Global) -> Result<Keys, Error> {
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

/// The spinner that shows where a transaction is; cleared before anything is printed.
static SPINNER: OnceLock<ProgressBar> = OnceLock::new();

fn spinner(json: bool) -> ProgressBar {
	SPINNER
		.get_or_init(|| {
			if json {
				return ProgressBar::hidden();
			}
			let bar = ProgressBar::new_spinner();
			bar.set_style(
				ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
					.expect("a valid template"),
			);
			bar
		})
		.clone()
}

fn clear_spinner() {
	if let Some(bar) = SPINNER.get() {
		bar.finish_and_clear();
	}
}

fn progress_bar(json: bool) -> ProgressBar {
	if json {
		return ProgressBar::hidden();
	}
	let bar = ProgressBar::new(0);
	bar.set_style(
		ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
			.expect("a valid template"),
	);
	bar
}

/// A bar counting items (keys re-wrapped, records re-encrypted), hidden with --json.
fn count_bar(json: bool) -> ProgressBar {
	if json {
		ProgressBar::hidden()
	} else {
		ProgressBar::new(0)
	}
}

/// A progress callback (items done, total) that moves `bar`.
fn count_to(bar: &ProgressBar) -> impl FnMut(usize, usize) + Send {
	let mut report = report_to(bar);
	move |done, total| report(done as u64, total as u64)
}

/// A progress callback (bytes done, total) that moves `bar`.
fn report_to(bar: &ProgressBar) -> impl FnMut(u64, u64) + Send {
	let bar = bar.clone();
	move |done, total| {
		bar.set_length(total);
		bar.set_position(done)
	}
}

/// Prints `value` as JSON, or `text` for people.
fn say(json: bool, value: Value, text: String) {
	clear_spinner();
	if json {
		println!("{value}");
	} else {
		println!("{text}");
	}
}

/// A warning for people (standard error; not with --json, where the JSON says it).
fn warn(json: bool, text: String) {
	if !json {
		clear_spinner();
		eprintln!("warning: {text}");
	}
}

async fn client(global: &Global) -> Result<Client, Error> {
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
fn development(global: &Global) -> bool {
	global.dev
		|| global
			.chain_spec
			.as_deref()
			.and_then(|path| std::fs::read(path).ok())
			.and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
			.is_some_and(|spec| spec["chainType"] == "Development")
}

/// A list for people, or what it means when there is nothing to list (not a blank line).
fn or_none(text: String, none: &str) -> String {
	if text.trim().is_empty() {
		none.to_string()
	} else {
		text
	}
}

/// A warning about readers with consent but an unusable key, or nothing.
fn unusable_note(readers: &[String]) -> String {
	if readers.is_empty() {
		return String::new();
	}
	format!(
		"\nnot readable by {} (their published encryption key is unusable: they must publish a \
		 new one, then the patient shares the key again)",
		readers.join(", ")
	)
}

fn state_dir(global: &Global) -> Option<PathBuf> {
	global.state_dir.clone().or_else(|| {
		std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state/ehr"))
	})
}

/// The client's own view of finality, from the chain spec and the saved checkpoint.
fn finality(global: &Global) -> Result<Finality, Error> {
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

/// `done (final in block #12)`.
fn done(json: bool, what: &str, included: &ehr_client::Included) {
	say(
		json,
		json!({ "done": what, "block": included.block, "blockNumber": included.number }),
		format!("{what} (final in block #{})", included.number),
	);
}

/// Waits until the log entry of `fetched` is in a finalized block: `final in block #n`.
async fn wait_for_log(
	client: &Client,
	me: &Keys,
	fetched: &ehr_client::Fetched,
) -> Result<String, Error> {
	let (Some(entry), Some(outbox)) = (&fetched.log_queued, client.outbox()) else {
		return Ok(match fetched.logged_in_block {
			Some(block) => format!("in block #{block}"),
			None => "nothing to log: the record is yours".into(),
		});
	};
	let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
	loop {
		if let Some(logged) = outbox.logged().into_iter().find(|l| l.entry.id == entry.id) {
			outbox.acknowledge(&entry.id);
			return match logged.failed {
				None if logged.outcome_unknown => Ok(format!(
					"final in block #{} (its outcome unknown to the node)",
					logged.block
				)),
				None => Ok(format!("final in block #{}", logged.block)),
				Some(why) => Err(Error::Refused(format!(
					"the read's log entry failed in block #{}: {why}",
					logged.block
				))),
			};
		}
		if tokio::time::Instant::now() >= deadline {
			return Err(Error::Node(
				"the read's log entry is not final after 120 s: it stays queued (`ehr outbox`)"
					.into(),
			));
		}
		// Neither pending nor logged: another command of this reader reported it final.
		if !outbox.pending().iter().any(|e| e.id == entry.id) {
			return Ok("final (reported by another command)".into());
		}
		if let Some(lock) = outbox.try_lock() {
			outbox.pass(&lock, &client.chain, Some(me)).await?;
		}
		tokio::time::sleep(Duration::from_millis(300)).await;
	}
}

/// Bytes for people: `812 bytes`, `20.0 KiB`, `3.4 MiB`.
fn size(bytes: u64) -> String {
	match bytes {
		b if b < 1024 => format!("{b} bytes"),
		b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
		b if b < 1 << 30 => format!("{:.1} MiB", b as f64 / (1 << 20) as f64),
		b => format!("{:.1} GiB", b as f64 / (1 << 30) as f64),
	}
}

async fn run(cli: Cli) -> Result<(), Error> {
	let global = &cli.global;
	let json = global.json;
	match cli.command {
		Command::Key(KeyCommand::Rotate) => rotate(global).await,
		Command::Key(KeyCommand::Agent { minutes }) => {
			let path = global.key_file.as_deref().ok_or_else(no_key_file)?;
			agent::serve(path, minutes).await
		}
		Command::Key(command) => key_command(global, command),
		Command::IpfsGateway { listen, max_size, per_hour, total_per_hour, allow_origin } => {
			let host = allow_origin
				.strip_prefix("https://")
				.or_else(|| allow_origin.strip_prefix("http://"));
			let origin_ok = allow_origin == "*"
				|| host.is_some_and(|host| {
					!host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic() && b != b'/')
				});
			if !origin_ok {
				return Err(Error::Usage(format!(
					"--allow-origin {allow_origin:?} is not an origin: give the web app's \
					 scheme, host and port (https://ehr.hospital.example), or *"
				)));
			}
			if global.ipfs.is_empty() {
				return Err(Error::Usage(
					"the gateway stores envelopes on your IPFS node: pass --ipfs \
					 http://127.0.0.1:5001 (its API, on loopback)"
						.into(),
				));
			}
			let client = client(global).await?;
			let listener = tokio::net::TcpListener::bind(listen)
				.await
				.map_err(|e| Error::Usage(format!("cannot listen on {listen}: {e}")))?;
			let config = ehr_client::gateway::GatewayConfig {
				max_size: max_size << 20,
				bytes_per_hour: per_hour << 20,
				total_per_hour: total_per_hour << 20,
				allow_origin,
			};
			clear_spinner();
			say(
				json,
				json!({ "listening": listen.to_string() }),
				format!("IPFS gateway listening on http://{listen} (Ctrl-C stops it)"),
			);
			tokio::select! {
				_ = ehr_client::gateway::serve(listener, client, config) => Ok(()),
				_ = tokio::signal::ctrl_c() => Ok(()),
			}
		}
		Command::Audit { patient, from, limit, all, max_age, fhir } => {
			let patient = account(&patient)?;
			let mut finality =
				finality(global)?.with_max_age(Duration::from_secs(max_age.saturating_mul(60)));
			let client = client(global).await?;
			let page = if all {
				audit::verified_trail_all(&client.chain, &mut finality, &patient, from, limit)
					.await?
			} else {
				audit::verified_trail(&client.chain, &mut finality, &patient, from, limit).await?
			};
			if fhir {
				let events: Vec<Value> = page
					.entries
					.iter()
					.map(|(index, entry)| {
						ehr_client::fhir::audit_event(&patient, *index, entry, page.block_number)
					})
					.collect();
				let bundle = ehr_client::fhir::bundle(events);
				ehr_client::fhir::validate(&bundle).map_err(|p| {
					Error::Invalid(format!(
						"the audit bundle does not validate:\n{}",
						ehr_client::fhir::describe(&p)
					))
				})?;
				clear_spinner();
				println!("{}", care::json_text(&bundle));
				return Ok(());
			}
			let names = Names::load(&client, None).await.unwrap_or_default().with_patient(&patient);
			let entries: Vec<Value> = page
				.entries
				.iter()
				.map(|(index, entry)| json!({ "index": index, "entry": entry }))
				.collect();
			let text = page
				.entries
				.iter()
				.map(|(index, entry)| format!("#{index} {}", human::audit_entry(entry, &names)))
				.collect::<Vec<_>>()
				.join("\n");
			say(
				json,
				json!({ "verified": true, "at": page.at, "blockNumber": page.block_number, "total": page.total, "entries": entries }),
				format!(
					"{}\nverified against finalized block #{}: {} of {} entries, none left out \
					 or altered (the names beside the addresses are the node's directory)",
					or_none(text, "no entries on this page"),
					page.block_number,
					page.entries.len(),
					page.total
				),
			);
			Ok(())
		}
		Command::Emergency(EmergencyCommand::Committee) => {
			emergency::committee(&client(global).await?, json).await
		}
		Command::Outbox { background: true, .. } => outbox::background(global).await,
		command => {
			let me = keys(global)?;
			let client = client(global).await?;
			if !matches!(command, Command::Outbox { .. }) {
				outbox::on_start(&client, &me, json).await;
			}
			act(&client, &me, command, global).await
		}
	}
}

fn no_key_file() -> Error {
	Error::KeyFile("this needs your key file: give --key-file FILE (or EHR_KEY_FILE)".into())
}

async fn rotate(global: &Global) -> Result<(), Error> {
	let json = global.json;
	let path = global.key_file.clone().ok_or_else(|| {
		Error::KeyFile(
			"rotation rewrites your key file with the new key index: give --key-file (a --suri \
			 has no file to keep it in)"
				.into(),
		)
	})?;
	let passphrase = secret("EHR_PASSPHRASE", "Passphrase: ")?;
	let keys = Keys::load(&path, &passphrase)?;
	let client = client(global).await?;
	let bar = count_bar(json);
	let rotated = client
		.rotate_key(&keys, |new| new.replace_file(&path, &passphrase), count_to(&bar))
		.await?;
	bar.finish_and_clear();
	// An agent holding the old key would hand it out: it is stopped.
	let _ = agent::lock(&path);
	say(
		json,
		json!({
			"keyIndex": rotated.keys.key_index(),
			"encryptionKey": hex::encode(rotated.keys.encryption_key()),
			"rewrapped": rotated.rewrapped,
			"unopenable": rotated.unopenable,
			"refused": rotated.refused.iter().map(|(id, why)| json!({ "record": id, "reason": why })).collect::<Vec<_>>(),
		}),
		format!(
			"new encryption key {} (key index {}) published; {} record keys re-wrapped for it{}",
			hex::encode(rotated.keys.encryption_key()),
			rotated.keys.key_index(),
			rotated.rewrapped,
			if rotated.unopenable.is_empty() {
				String::new()
			} else {
				format!(
					"; records whose key opens with none of yours: {}",
					ids(&rotated.unopenable)
				)
			}
		),
	);
	Ok(())
}

/// `3, 5, 8`.
fn ids(ids: &[u64]) -> String {
	ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

fn key_command(global: &Global, command: KeyCommand) -> Result<(), Error> {
	let json = global.json;
	match command {
		KeyCommand::Generate { out } => {
			refuse_existing(&out)?;
			let (keys, phrase) = Keys::generate();
			let passphrase = new_passphrase()?;
			keys.save(&out, &passphrase)?;
			// Standard error, also with --json: the phrase is never part of a script's output.
			eprintln!(
				"Write down your recovery phrase and keep it offline; it restores both keys:\n\n{}\n",
				*phrase
			);
			print_keys(json, &keys, &out);
			Ok(())
		}
		KeyCommand::Import { out, key_index } => {
			refuse_existing(&out)?;
			let phrase = secret("EHR_PHRASE", "Recovery phrase: ")?;
			let keys = Keys::from_uri_at(phrase.trim(), key_index)?;
			keys.save(&out, &new_passphrase()?)?;
			print_keys(json, &keys, &out);
			Ok(())
		}
		KeyCommand::SignIn { challenge } => {
			let text = match challenge {
				Some(path) => std::fs::read_to_string(&path)
					.map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?,
				None => std::io::read_to_string(std::io::stdin())?,
			};
			// A trailing newline from a file or a pipe is not part of the challenge.
			let text = text.strip_suffix('\n').unwrap_or(&text);
			let keys = keys(global)?;
			let signature = ehr_client::signin::sign(&keys, text)?;
			say(json, json!({ "address": keys.address(), "signature": signature }), signature);
			Ok(())
		}
		KeyCommand::Show { address: true } => {
			let keys = keys(global)?;
			say(json, json!({ "address": keys.address() }), keys.address());
			Ok(())
		}
		KeyCommand::Show { address: false } => {
			let keys = keys(global)?;
			print_keys(json, &keys, global.key_file.as_deref().unwrap_or(Path::new("-")));
			Ok(())
		}
		KeyCommand::Unlock { minutes } => {
			let path = global.key_file.as_deref().ok_or_else(no_key_file)?;
			let keys = Keys::load(path, &secret("EHR_PASSPHRASE", "Passphrase: ")?)?;
			agent::start(path, &keys, minutes)?;
			let until = human::time(
				(std::time::SystemTime::now() + Duration::from_secs(minutes * 60))
					.duration_since(std::time::UNIX_EPOCH)
					.map(|d| d.as_millis() as u64)
					.unwrap_or_default(),
			);
			say(
				json,
				json!({ "unlocked": keys.address(), "minutes": minutes }),
				format!(
					"{} unlocked for {} (until {until}); `ehr key lock` forgets it sooner",
					path.display(),
					human::duration(minutes)
				),
			);
			Ok(())
		}
		KeyCommand::Lock => {
			let path = global.key_file.as_deref().ok_or_else(no_key_file)?;
			let was = agent::lock(path)?;
			say(
				json,
				json!({ "locked": was }),
				if was { "locked".into() } else { "no unlocked key for this file".into() },
			);
			Ok(())
		}
		KeyCommand::Rotate | KeyCommand::Agent { .. } => {
			Err(Error::Usage("handled before keys are loaded".into()))
		}
	}
}

fn refuse_existing(out: &Path) -> Result<(), Error> {
	if out.exists() {
		return Err(Error::Usage(format!(
			"{} exists: a key file is never replaced; choose another --out",
			out.display()
		)));
	}
	Ok(())
}

fn print_keys(json: bool, keys: &Keys, file: &Path) {
	// With its 0x, as chain specs and the consortium file take it.
	let encryption_key = format!("0x{}", hex::encode(keys.encryption_key()));
	say(
		json,
		json!({
			"address": keys.address(),
			"encryptionKey": encryption_key,
			"keyIndex": keys.key_index(),
			"keyFile": file
		}),
		format!(
			"account {}\nencryption key {encryption_key} (key index {})",
			keys.address(),
			keys.key_index()
		),
	);
}

/// The grant scope of `--categories` (not empty).
fn categories_scope(categories: Vec<Category>) -> Result<Scope, Error> {
	let categories: Vec<RecordCategory> = categories.into_iter().map(Into::into).collect();
	Ok(Scope::Categories(
		categories.try_into().map_err(|_| Error::Usage("at most seven categories".into()))?,
	))
}

/// The end of a grant `hours` after `now` (`--expires-in-hours`).
fn expiry(now: Moment, hours: u64) -> Result<Option<Moment>, Error> {
	hours
		.checked_mul(3_600_000)
		.map(|ms| Some(now.saturating_add(ms)))
		.ok_or_else(|| Error::Usage("--expires-in-hours is too large".into()))
}

/// The patient a command acts for: `--for` (as a delegate) or the signer.
fn patient_or_me(for_patient: Option<&str>, me: &AccountId) -> Result<AccountId, Error> {
	for_patient.map(account).transpose().map(|patient| patient.unwrap_or_else(|| me.clone()))
}

/// Shares what the patient's grantees lack and says what it did. `explicit`: `ehr consent
/// sync` itself; otherwise the check after an upload or a grant, which shares only when the
/// client verifies (the grantees and their keys are then proven), and without verification
/// only says what is missing.
async fn sync_and_report(
	client: &Client,
	me: &Keys,
	patient: &AccountId,
	names: &Names,
	json: bool,
	explicit: bool,
) -> Result<Value, Error> {
	let submit = explicit || client.is_verifying();
	let synced = client.sync_keys(me, patient, submit).await?;
	for (grantee, count) in &synced.shared {
		warn(json, format!("shared {count} record keys that {} lacked", names.of(grantee)));
	}
	for (grantee, count) in &synced.missing {
		warn(
			json,
			format!(
				"{} lacks {count} record keys their grant covers: `ehr consent sync` shares them \
				 (done by itself after uploads and grants with --chain-spec, where the grantees \
				 and their keys are proven)",
				names.of(grantee)
			),
		);
	}
	for grantee in &synced.waiting_for_key {
		warn(
			json,
			format!(
				"{} has consent but no encryption key yet: nothing can be shared with them until \
				 they publish one (`ehr doctor set-key`); then `ehr consent sync` shares what \
				 they lack",
				names.of(grantee)
			),
		);
	}
	for (grantee, why) in &synced.refused {
		warn(json, format!("keys for {} not shared: {why}", names.of(grantee)));
	}
	Ok(json!({
		"shared": synced.shared.iter().map(|(who, n)| json!({ "grantee": who, "keys": n })).collect::<Vec<_>>(),
		"missing": synced.missing.iter().map(|(who, n)| json!({ "grantee": who, "keys": n })).collect::<Vec<_>>(),
		"waitingForKey": synced.waiting_for_key,
		"refused": synced.refused.iter().map(|(who, why)| json!({ "grantee": who, "reason": why })).collect::<Vec<_>>(),
		"skipped": synced.skipped,
	}))
}

/// The check after a command that is done already: a failure is a warning, not the command's
/// error (the grant or the record stands).
async fn sync_after(
	client: &Client,
	me: &Keys,
	patient: &AccountId,
	names: &Names,
	json: bool,
) -> Value {
	match sync_and_report(client, me, patient, names, json, false).await {
		Ok(value) => value,
		Err(error) => {
			warn(
				json,
				format!("could not check the grantees' keys ({error}); `ehr consent sync` does"),
			);
			json!({ "error": error.to_string() })
		}
	}
}

/// The directory's names, or none (addresses only) when the node cannot list them.
async fn names(client: &Client, me: &AccountId) -> Names {
	Names::load(client, Some(me)).await.unwrap_or_default()
}

async fn act(client: &Client, me: &Keys, command: Command, global: &Global) -> Result<(), Error> {
	let json = global.json;
	let my_id = me.account_id();
	match command {
		Command::Hospital(HospitalCommand::Doctors) => {
			let doctors = client.doctors(Some(&my_id)).await?;
			let names = Names::load(client, Some(&my_id)).await?;
			let text =
				doctors.iter().map(|d| doctor_line(d, &names)).collect::<Vec<_>>().join("\n");
			say(
				json,
				json!(doctors),
				or_none(text, "your hospital has no doctors yet (`ehr hospital register-doctor`)"),
			);
		}
		Command::Hospital(HospitalCommand::Emergencies { all }) => {
			emergency::hospital_emergencies(client, me, all, json).await?
		}
		Command::Hospital(command) => {
			let (what, included) = match &command {
				HospitalCommand::RegisterDoctor { doctor, name, specialty, licence } => (
					format!(
						"{name} offered the role of a doctor of your hospital: the account \
						 accepts with `ehr doctor accept {}`",
						me.address()
					),
					client.register_doctor(me, &account(doctor)?, name, specialty, licence).await?,
				),
				HospitalCommand::Review { patient, doctor, verdict, entry } => {
					let (entry, included) = client
						.review_emergency_access(
							me,
							&account(patient)?,
							&account(doctor)?,
							*entry,
							(*verdict).into(),
						)
						.await?;
					(format!("review of trail entry {entry} recorded in the patient's trail"), included)
				}
				HospitalCommand::SetName { name } => (
					format!("your hospital is now listed as {}", human::printable(name)),
					client.set_hospital_name(me, name).await?,
				),
				HospitalCommand::CancelInvitation { account: who } => (
					format!("the invitation or offer of {who} is withdrawn"),
					client.cancel_invitation(me, &account(who)?).await?,
				),
				HospitalCommand::SetCustodian { custodian, .. } => {
					let custodian = custodian.as_deref().map(account).transpose()?;
					let what = match &custodian {
						Some(c) => format!(
							"{} now releases your hospital's escrowed shares (and your own \
							 account no longer does)",
							c.to_ss58check()
						),
						None => "your hospital's own account releases its escrowed shares again"
							.into(),
					};
					(what, client.set_custodian(me, custodian.as_ref()).await?)
				}
				HospitalCommand::SuspendDoctor { doctor } => {
					("doctor suspended".into(), client.suspend_doctor(me, &account(doctor)?).await?)
				}
				HospitalCommand::ReinstateDoctor { doctor } => {
					("doctor reinstated".into(), client.reinstate_doctor(me, &account(doctor)?).await?)
				}
				HospitalCommand::InvitePatient { patient } => (
					format!("{patient} invited: the account may now register with `ehr patient register`, without tokens"),
					client.invite_patient(me, &account(patient)?).await?,
				),
				HospitalCommand::CloseEmergency { patient, doctor } => (
					"emergency access closed after review (its released shares leave the chain's \
					 state in the next block)"
						.into(),
					client.close_emergency_access(me, &account(patient)?, &account(doctor)?).await?,
				),
				HospitalCommand::Doctors | HospitalCommand::Emergencies { .. } => {
					unreachable!("listed above")
				}
			};
			done(json, &what, &included);
		}
		Command::Patient(PatientCommand::Register { profile, emergency, no_emergency }) => {
			if let Some(profile) = &profile {
				care::prepare_upload(profile, None, &my_id, &my_id, 0, true)?;
			}
			let included = client.register_patient(me).await?;
			done(json, "registered as a patient", &included);
			// The emergency choice comes before the profile, so that the profile is escrowed
			// as it is stored.
			if !no_emergency {
				let categories = emergency.into_iter().map(RecordCategory::from).collect();
				emergency::set_categories(client, me, &my_id, categories, false, json).await?;
			}
			if let Some(profile) = profile {
				let bar = progress_bar(json);
				let uploaded = client
					.upload(me, &my_id, RecordCategory::Profile, &profile, report_to(&bar))
					.await?;
				bar.finish_and_clear();
				say(
					json,
					with_text_cid(json!(uploaded)),
					format!(
						"profile stored encrypted as record {} in {}",
						uploaded.record,
						client.store.describe()
					),
				);
			}
		}
		Command::Patient(PatientCommand::AddDelegate { delegate }) => done(
			json,
			"delegate added: they may manage your consent (`ehr consent … --for <you>`)",
			&client.add_delegate(me, &account(&delegate)?).await?,
		),
		Command::Patient(PatientCommand::RemoveDelegate { delegate }) => {
			done(json, "delegate removed", &client.remove_delegate(me, &account(&delegate)?).await?)
		}
		Command::Doctor(DoctorCommand::List { specialty }) => {
			let wanted = specialty.map(|s| s.to_lowercase());
			let doctors: Vec<_> = client
				.doctors(None)
				.await?
				.into_iter()
				.filter(|d| wanted.as_ref().is_none_or(|w| d.specialty.to_lowercase().contains(w)))
				.collect();
			let names = Names::load(client, Some(&my_id)).await?;
			let text =
				doctors.iter().map(|d| doctor_line(d, &names)).collect::<Vec<_>>().join("\n");
			say(json, json!(doctors), or_none(text, "no doctors found"));
		}
		Command::Doctor(DoctorCommand::Accept { hospital }) => {
			let hospital = account(&hospital)?;
			match client.doctor_offer(&my_id).await? {
				Some(offer) if offer.hospital == hospital => {}
				Some(offer) => {
					return Err(Error::Refused(format!(
						"the offer to this account is from {}, not {}: accept that one, or \
							 decline it and ask your hospital to offer again",
						offer.hospital.to_ss58check(),
						hospital.to_ss58check()
					)))
				}
				None => {
					return Err(Error::Refused(format!(
						"no hospital has offered {} a doctor's role: your hospital runs \
							 `ehr hospital register-doctor {}` first",
						my_id.to_ss58check(),
						my_id.to_ss58check()
					)))
				}
			}
			done(
				json,
				"you are a doctor of this hospital now, and your encryption key is published: \
				 patients can share records with you",
				&client.accept_doctor(me, &hospital).await?,
			)
		}
		Command::Doctor(DoctorCommand::SetKey) => done(
			json,
			"encryption key published: patients can now share records with you",
			&client.set_encryption_key(me).await?,
		),
		Command::Doctor(DoctorCommand::Patients) => {
			let patients = client.patients_of(&my_id).await?;
			let text = patients.iter().map(|p| p.to_ss58check()).collect::<Vec<_>>().join("\n");
			say(json, json!(patients), or_none(text, "no patients have granted you access"));
		}
		Command::Doctor(DoctorCommand::Emergency { patient, code, note }) => {
			let opened = client
				.emergency_access(me, &account(&patient)?, code.into(), note.as_deref())
				.await?;
			let salt = opened.salt.map(hex::encode);
			let commitment = opened.commitment.map(hex::encode);
			let kept = match (&salt, &commitment) {
				(Some(salt), Some(commitment)) => format!(
					"\nnote committed as {commitment}; keep this salt with the note for the review: {salt}"
				),
				_ => String::new(),
			};
			say(
				json,
				json!({
					"done": "emergency access opened",
					"block": opened.included.block,
					"blockNumber": opened.included.number,
					"salt": salt,
					"commitment": commitment,
				}),
				format!(
					"emergency access to {patient} opened for 24 h ({}; final in block #{}); the \
					 patient and your hospital see it{kept}",
					human::reason(code.into()),
					opened.included.number
				),
			);
		}
		Command::Patient(PatientCommand::EndEmergency { doctor, patient }) => {
			let patient = patient_or_me(patient.as_deref(), &my_id)?;
			done(
				json,
				"emergency access ended",
				&client.end_emergency_access(me, &patient, &account(&doctor)?).await?,
			)
		}
		Command::Record(command) => record_command(client, me, command, global).await?,
		Command::Outbox { wait, timeout, .. } => {
			outbox::command(client, me, wait, timeout, global.json).await?
		}
		Command::Vitals(VitalsCommand::Add {
			bp,
			glucose,
			heart_rate,
			temp,
			spo2,
			weight,
			respiratory_rate,
			at,
		}) => {
			use ehr_client::fhir::*;
			let measures = vec![
				(GLUCOSE, glucose),
				(HEART_RATE, heart_rate),
				(TEMPERATURE, temp),
				(OXYGEN_SATURATION, spo2),
				(WEIGHT, weight),
				(RESPIRATORY_RATE, respiratory_rate),
			];
			care::vitals_add(client, me, bp, measures, at, json).await?
		}
		Command::Vitals(VitalsCommand::Import { file }) => {
			care::vitals_import(client, me, &file, json).await?
		}
		Command::Vitals(VitalsCommand::List { patient, code }) => {
			let patient = patient_or_me(patient.as_deref(), &my_id)?;
			care::vitals_list(client, me, patient, code, json).await?
		}
		Command::Message(MessageCommand::Send { to, text, alert, about }) => {
			care::message_send(client, me, &to, &text, alert.map(Into::into), about, json).await?
		}
		Command::Inbox { all, follow, remove_read } => {
			care::inbox(client, me, all, follow, remove_read, global).await?
		}
		Command::Doctor(DoctorCommand::Watch { rules, dry_run, show_rules, once, interval }) => {
			care::doctor_watch(client, me, rules, dry_run, show_rules, once, interval, global)
				.await?
		}
		Command::Consent(command) => consent_command(client, me, command, json).await?,
		Command::Slot(SlotCommand::Publish { at, in_minutes, minutes, video }) => {
			let start = match (at, in_minutes) {
				(Some(at), _) => human::parse_local_time(&at)?,
				(None, Some(in_minutes)) => {
					let ms = in_minutes
						.checked_mul(60_000)
						.ok_or_else(|| Error::Usage("--in-minutes is too large".into()))?;
					client.chain.now().await?.saturating_add(ms)
				}
				(None, None) => {
					return Err(Error::Usage(
						"say when: --at \"YYYY-MM-DD HH:MM\" or --in-minutes N".into(),
					))
				}
			};
			let kind = if video { VisitKind::Video } else { VisitKind::InPerson };
			let slot = client.publish_slot(me, start, minutes, kind).await?;
			say(
				json,
				json!({ "slot": slot, "start": start, "durationMinutes": minutes, "kind": kind }),
				format!(
					"slot {slot} published: {}, {}, {}",
					human::time(start),
					human::duration(minutes.into()),
					human::visit(kind)
				),
			);
		}
		Command::Slot(SlotCommand::Free { doctor, days }) => {
			let doctor = account(&doctor)?;
			let now = client.chain.now().await?;
			let window = days
				.checked_mul(86_400_000)
				.ok_or_else(|| Error::Usage("--days is too large".into()))?;
			let slots = client.free_slots(&doctor, now, now.saturating_add(window)).await?;
			let text = slots
				.iter()
				.map(|s| {
					format!(
						"slot {}: {} ({}), {}, {}",
						s.id,
						human::time(s.start),
						human::relative(s.start, now),
						human::duration(s.duration_minutes.into()),
						human::visit(s.kind)
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			say(
				json,
				json!(slots),
				or_none(text, &format!("no free slots in the next {days} days")),
			);
		}
		Command::Appointment(command) => appointment_command(client, me, command, global).await?,
		Command::Budget { account: other } => {
			let who = match other {
				Some(other) => account(&other)?,
				None => my_id.clone(),
			};
			let budget = client.free_budget(&who).await?;
			let text = if budget.registered {
				let percent = |left: u64, per: u64| left.saturating_mul(100) / per.max(1);
				format!(
					"free use left this period: {}% of the execution time ({:.3} of {:.3} s), {}% of \
					 the bytes ({} of {} KiB); renews at block #{}",
					percent(budget.ref_time_left, budget.ref_time_per_period),
					budget.ref_time_left as f64 / 1e12,
					budget.ref_time_per_period as f64 / 1e12,
					percent(budget.bytes_left.into(), budget.bytes_per_period.into()),
					budget.bytes_left / 1024,
					budget.bytes_per_period / 1024,
					budget.renews_at,
				)
			} else {
				"not registered for free use: every transaction pays the normal fee (a hospital \
				 can invite you: `ehr hospital invite-patient <address>`)"
					.to_string()
			};
			say(json, serde_json::to_value(budget).unwrap_or_default(), text);
		}
		Command::Emergency(command) => emergency::command(client, me, command, json).await?,
		Command::Custodian { action: Some(action), .. } => {
			emergency::custodian_action(me, action, global, json)?
		}
		Command::Custodian { action: None, once, interval, policy, metrics } => {
			let policy = policy.as_deref().map(ehr_client::custodian::Policy::load).transpose()?;
			let metrics = match metrics {
				Some(address) => Some(ehr_client::metrics::custodian(address).await?),
				None => None,
			};
			emergency::custodian(client, me, once, interval, policy, metrics, global, json).await?
		}
		Command::PinService { once, interval, replicas, max_size, metrics } => {
			let metrics = match metrics {
				Some(address) => Some(ehr_client::metrics::pin_service(address).await?),
				None => None,
			};
			pinning::pin_service(client, me, once, interval, replicas, max_size, metrics, global)
				.await?
		}
		Command::Notifications { all, for_patient } => {
			emergency::notifications(client, me, all, for_patient, global).await?
		}
		Command::Key(_) | Command::Audit { .. } | Command::IpfsGateway { .. } => {
			return Err(Error::Usage("handled before keys are loaded".into()))
		}
	}
	Ok(())
}

/// A doctor of the directory in one line.
fn doctor_line(doctor: &ehr_rpc_api::Doctor, names: &Names) -> String {
	format!(
		"{} — {}, licence {}, at {}{}{}\n    {}",
		human::printable(&doctor.name),
		human::printable(&doctor.specialty),
		human::printable(&doctor.licence),
		match names.of(&doctor.hospital) {
			you if you == "you" => "your hospital".to_string(),
			other => other,
		},
		if doctor.encryption_key.is_some() { "" } else { "; no encryption key yet" },
		if doctor.suspended { "; SUSPENDED" } else { "" },
		doctor.account.to_ss58check()
	)
}

async fn consent_command(
	client: &Client,
	me: &Keys,
	command: ConsentCommand,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		ConsentCommand::Grant {
			grantee,
			categories,
			write,
			expires_in_hours,
			purpose,
			for_patient,
			yes,
		} => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let grantee = account(&grantee)?;
			let names = Names::load(client, Some(&my_id)).await?;
			let scope = if categories.is_empty() {
				if !yes && std::io::stdin().is_terminal() && !json {
					clear_spinner();
					eprintln!(
						"This grant lets {} read every record, the identifying profile included \
						 (name, birth date, contact). Narrow it with --categories, e.g. \
						 --categories lab-report,prescription.",
						names.of(&grantee)
					);
					let answer = rpassword::prompt_password("Grant every record? [y/N] ")
						.unwrap_or_default();
					if !answer.trim().eq_ignore_ascii_case("y") {
						return Err(Error::Usage(
							"nothing granted: narrow the grant with --categories, or answer y"
								.into(),
						));
					}
				} else if !yes {
					warn(json, "the grant covers every record, the identifying profile included (narrow it with --categories)".into());
				}
				Scope::All
			} else {
				categories_scope(categories)?
			};
			let access = if write { AccessLevel::ReadWrite } else { AccessLevel::Read };
			let expires_at = match expires_in_hours {
				Some(hours) => expiry(client.chain.now().await?, hours)?,
				None => None,
			};
			let granted = client
				.grant_for(
					me,
					&patient,
					&grantee,
					scope.clone(),
					access,
					expires_at,
					purpose.into(),
				)
				.await?;
			if !granted.skipped.is_empty() {
				warn(
					json,
					format!(
						"records {} were not shared: their key for you does not open (whoever \
						 wrote them wrapped something else); ask the author to amend them",
						ids(&granted.skipped)
					),
				);
			}
			let synced = sync_after(client, me, &patient, &names, json).await;
			let terms = ehr_primitives::Grant {
				scope,
				access,
				expires_at,
				purpose: purpose.into(),
				granted_at: 0,
				granted_by: my_id.clone(),
			};
			let now = client.chain.now().await?;
			say(
				json,
				json!({
					"done": "granted",
					"keysShared": granted.shared,
					"granteeHasKey": granted.grantee_has_key,
					"skipped": granted.skipped,
					"sync": synced,
					"block": granted.included.block,
					"blockNumber": granted.included.number,
				}),
				format!(
					"{} {}; {} record keys shared (final in block #{})",
					names.of(&grantee),
					human::grant(&terms, now),
					granted.shared,
					granted.included.number
				),
			);
		}
		ConsentCommand::Change {
			grantee,
			categories,
			every_record: _,
			write,
			expires_in_hours,
			purpose,
			for_patient,
		} => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let grantee = account(&grantee)?;
			let names = Names::load(client, Some(&my_id)).await?;
			// Either --categories or --every-record (clap requires one of them).
			let scope =
				if categories.is_empty() { Scope::All } else { categories_scope(categories)? };
			let access = if write { AccessLevel::ReadWrite } else { AccessLevel::Read };
			let now = client.chain.now().await?;
			let expires_at = match expires_in_hours {
				Some(hours) => expiry(now, hours)?,
				None => None,
			};
			let included = client
				.change_access(
					me,
					&patient,
					&grantee,
					scope.clone(),
					access,
					expires_at,
					purpose.into(),
				)
				.await?;
			let terms = ehr_primitives::Grant {
				scope,
				access,
				expires_at,
				purpose: purpose.into(),
				granted_at: 0,
				granted_by: my_id.clone(),
			};
			let synced = sync_after(client, me, &patient, &names, json).await;
			say(
				json,
				json!({
					"changed": grantee.to_ss58check(),
					"block": included.block,
					"blockNumber": included.number,
					"sync": synced,
				}),
				format!(
					"{} now {} (final in block #{})",
					names.of(&grantee),
					human::grant(&terms, now),
					included.number
				),
			);
		}
		ConsentCommand::Revoke { grantee, rekey: false, for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			done(
				json,
				"revoked; the grantee's record keys are deleted",
				&client.revoke_for(me, &patient, &account(&grantee)?).await?,
			)
		}
		ConsentCommand::Revoke { grantee, rekey: true, for_patient } => {
			if for_patient.is_some() {
				return Err(Error::Usage(
					"--rekey re-encrypts the patient's records: only the patient can (a delegate \
					 revokes without --rekey)"
						.into(),
				));
			}
			let bar = count_bar(json);
			let rekeyed = client.revoke_and_rekey(me, &account(&grantee)?, count_to(&bar)).await?;
			bar.finish_and_clear();
			let replaced: Vec<String> =
				rekeyed.replaced.iter().map(|(old, new)| format!("{old} → {new}")).collect();
			let pending = pending_unpins(client, &rekeyed.unpin_pending, json);
			say(
				json,
				json!({
					"revoked": rekeyed.revoked.block,
					"replaced": rekeyed.replaced.iter().map(|(old, new)| json!({ "old": old, "new": new })).collect::<Vec<_>>(),
					"failed": rekeyed.failed.iter().map(|(id, why)| json!({ "record": id, "reason": why })).collect::<Vec<_>>(),
					"unpinPending": pending,
				}),
				format!(
					"revoked; {} records re-encrypted (old → new: {}){}",
					rekeyed.replaced.len(),
					if replaced.is_empty() { "none".into() } else { replaced.join(", ") },
					if rekeyed.failed.is_empty() {
						String::new()
					} else {
						format!(
							"; not re-encrypted (run again): {}",
							ids(&rekeyed.failed.iter().map(|(id, _)| *id).collect::<Vec<_>>())
						)
					}
				),
			);
		}
		ConsentCommand::Export { fhir: _, out, for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &me.account_id())?;
			care::consent_export(client, &patient, out, json).await?;
		}
		ConsentCommand::List { for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let grants = client.grants(&patient).await?;
			let names = Names::load(client, Some(&my_id)).await?;
			let now = client.chain.now().await?;
			let text = grants
				.iter()
				.map(|g| format!("{} {}", names.of(&g.grantee), human::grant(&g.grant, now)))
				.collect::<Vec<_>>()
				.join("\n");
			say(
				json,
				json!(grants),
				or_none(text, "no grants: only the patient can read the records"),
			);
		}
		ConsentCommand::Sync { for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let names = Names::load(client, Some(&my_id)).await?;
			if !client.is_verifying() {
				warn(
					json,
					"the grantees and their keys are the node's word (pass --chain-spec to check \
					 them with proofs)"
						.into(),
				);
			}
			let synced = sync_and_report(client, me, &patient, &names, json, true).await?;
			let shared: u64 = synced["shared"]
				.as_array()
				.map(|all| all.iter().filter_map(|s| s["keys"].as_u64()).sum())
				.unwrap_or_default();
			say(
				json,
				synced,
				if shared == 0 {
					"every grantee with an encryption key holds the keys its grant covers".into()
				} else {
					format!("{shared} record keys shared")
				},
			);
		}
	}
	Ok(())
}

async fn appointment_command(
	client: &Client,
	me: &Keys,
	command: AppointmentCommand,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let my_id = me.account_id();
	// The grants bookings carried, by appointment: a cancellation revokes its booking's grant.
	let grants_file = care::state_file(client, &my_id, "booking-grants", global);
	let action = match command {
		AppointmentCommand::Book { slot, share, share_hours_after } => {
			let categories: Vec<RecordCategory> = share.into_iter().map(Into::into).collect();
			let booked = client.book_sharing(me, slot, &categories, share_hours_after).await?;
			if let (Some(doctor), Some(ends)) = (&booked.doctor, booked.grant_ends) {
				// The booking and its grant are done: a note that cannot be kept is a warning.
				let mut grants: BookingGrants = care::load(grants_file.as_ref());
				grants.insert(booked.appointment, (doctor.clone(), ends));
				if grants_file.is_none() || care::save(grants_file.as_ref(), &grants).is_err() {
					warn(
						json,
						"the booking's grant could not be noted on this machine (no state \
						 directory): cancelling will not revoke it by itself (`ehr consent revoke`)"
							.into(),
					);
				}
			}
			let shared = match booked.grant_ends {
				Some(ends) => format!(
					"; the doctor may read your {} until {} ({} record key(s) shared)",
					categories.iter().map(|c| human::category(*c)).collect::<Vec<_>>().join(", "),
					human::time(ends),
					booked.shared
				),
				None => String::new(),
			};
			say(
				json,
				json!(booked),
				format!(
					"appointment {} requested: the doctor confirms or proposes another time (`ehr appointment list`){shared}",
					booked.appointment
				),
			);
			return Ok(());
		}
		AppointmentCommand::List => {
			let names = Names::load(client, Some(&my_id)).await?;
			// A doctor (in the directory) sees their open appointments; anyone else theirs as
			// a patient.
			let is_doctor = names.is_doctor(&my_id);
			let list = if is_doctor {
				client.doctor_appointments(&my_id).await?
			} else {
				let mine = client.appointments(&my_id).await?;
				// A booking's grant goes when the doctor cancelled too.
				sweep_booking_grants(client, me, &mine, grants_file.as_ref(), json).await?;
				mine
			};
			let now = client.chain.now().await?;
			let mut lines = Vec::new();
			for a in &list {
				let other = if is_doctor {
					format!("patient {}", a.patient.to_ss58check())
				} else {
					names.of(&a.doctor)
				};
				let mut line = format!(
					"appointment {}: {} ({}), {}, {}, with {other}: {}",
					a.id,
					human::time(a.start),
					human::relative(a.start, now),
					human::duration(a.duration_minutes.into()),
					human::visit(a.kind),
					human::status(a.status)
				);
				if let (Some(proposed), false) = (a.proposed_slot, a.status.is_final()) {
					let when = match client.slot(&a.doctor, proposed).await? {
						Some(slot) => human::time(slot.start),
						None => format!("slot {proposed}"),
					};
					if is_doctor {
						line.push_str(&format!("; you proposed {when}, waiting for the patient"));
					} else {
						line.push_str(&format!(
							"\n    the doctor proposes to move it to {when}: answer with `ehr \
							 appointment answer {} --accept` (or --decline)",
							a.id
						));
					}
				}
				if let Some(visit) = &a.visit {
					line.push_str(&match visit.minutes() {
						Some(minutes) => format!(
							"; video call at {}, {minutes} min",
							human::time(visit.started_at)
						),
						None => format!("; video call since {}", human::time(visit.started_at)),
					});
				}
				lines.push(line);
			}
			say(json, json!(list), or_none(lines.join("\n"), "no appointments"));
			return Ok(());
		}
		AppointmentCommand::Confirm { id } => AppointmentAction::Confirm(id),
		AppointmentCommand::Reschedule { id, slot } => AppointmentAction::Propose(id, slot),
		AppointmentCommand::Answer { id, accept, .. } => AppointmentAction::Answer(id, accept),
		AppointmentCommand::Cancel { id } => AppointmentAction::Cancel(id),
		AppointmentCommand::Complete { id } => AppointmentAction::Complete(id),
		AppointmentCommand::NoShow { id } => AppointmentAction::NoShow(id),
	};
	let what = match action {
		AppointmentAction::Confirm(id) => format!("appointment {id} confirmed"),
		AppointmentAction::Propose(id, slot) => {
			format!("appointment {id}: slot {slot} proposed; the patient answers")
		}
		AppointmentAction::Answer(id, true) => format!("appointment {id} moved to the new time"),
		AppointmentAction::Answer(id, false) => format!("appointment {id} stays at its time"),
		AppointmentAction::Cancel(id) => format!("appointment {id} cancelled"),
		AppointmentAction::Complete(id) => format!("appointment {id} marked done"),
		AppointmentAction::NoShow(id) => format!("appointment {id} marked missed"),
	};
	done(json, &what, &client.update_appointment(me, action).await?);
	if let AppointmentAction::Cancel(id) = action {
		revoke_booking_grant(client, me, id, grants_file.as_ref(), json).await?;
	}
	Ok(())
}

/// The grants bookings carried, by appointment: the doctor and the grant's end.
type BookingGrants = std::collections::BTreeMap<u64, (AccountId, u64)>;

/// After appointment `id` was cancelled (by the patient now, or by the doctor, noticed when the
/// patient lists the appointments): the grant its booking carried is revoked, if it is still
/// the booking's (same doctor, same end: not a grant made or changed since). A revocation that
/// fails is a warning, kept to try again; the cancellation stands.
async fn revoke_booking_grant(
	client: &Client,
	me: &Keys,
	id: u64,
	file: Option<&PathBuf>,
	json: bool,
) -> Result<(), Error> {
	let mut grants: BookingGrants = care::load(file);
	let Some((doctor, ends)) = grants.get(&id).cloned() else { return Ok(()) };
	let revoked = async {
		let current = client.grants(&me.account_id()).await?;
		if current.iter().any(|g| g.grantee == doctor && g.grant.expires_at == Some(ends)) {
			let included = client.revoke(me, &doctor).await?;
			// Said to people; with --json the command's one object stays the cancellation's
			// or the list's (`ehr consent list` shows the grant gone).
			if !json {
				done(json, "the consent the booking carried revoked", &included);
			}
		}
		Ok::<(), Error>(())
	}
	.await;
	match revoked {
		Ok(()) => {
			grants.remove(&id);
			let _ = care::save(file, &grants);
		}
		Err(error) => warn(
			json,
			format!(
				"the consent the booking of appointment {id} carried is not revoked yet ({error}): \
				 `ehr appointment list` tries again, or `ehr consent revoke`"
			),
		),
	}
	Ok(())
}

/// The booking grants of appointments that were cancelled (by either side) are revoked; those
/// past their end are forgotten.
async fn sweep_booking_grants(
	client: &Client,
	me: &Keys,
	appointments: &[ehr_client::AppointmentInfo],
	file: Option<&PathBuf>,
	json: bool,
) -> Result<(), Error> {
	let grants: BookingGrants = care::load(file);
	if grants.is_empty() {
		return Ok(());
	}
	let now = client.chain.now().await?;
	for (id, (_, ends)) in grants {
		let cancelled = appointments
			.iter()
			.any(|a| a.id == id && a.status == ehr_primitives::AppointmentStatus::Cancelled);
		if cancelled {
			revoke_booking_grant(client, me, id, file, json).await?;
		} else if now >= ends {
			let mut left: BookingGrants = care::load(file);
			left.remove(&id);
			let _ = care::save(file, &left);
		}
	}
	Ok(())
}

/// The file of envelopes still to unpin, in the state directory.
fn pending_file(global_state: Option<PathBuf>) -> Option<PathBuf> {
	global_state.map(|dir| dir.join("pending-unpins.json"))
}

static STATE_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// An envelope still to unpin, and the store that holds it.
#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq)]
struct Pending {
	cid: String,
	store: String,
}

/// Remembers envelopes that could not be unpinned (for `ehr record retry-unpins`) and warns.
fn pending_unpins(client: &Client, pending: &[(String, String)], json: bool) -> Vec<String> {
	if pending.is_empty() {
		return Vec::new();
	}
	let cids: Vec<String> = pending.iter().map(|(cid, _)| cid.clone()).collect();
	let store = client.store.location();
	let mut saved = load_pending();
	for cid in &cids {
		let entry = Pending { cid: cid.clone(), store: store.clone() };
		if !saved.contains(&entry) {
			saved.push(entry);
		}
	}
	let kept = save_pending(&saved);
	warn(
		json,
		format!(
			"the erasure is done, but {} envelope(s) could not be unpinned from {} ({}); {}",
			cids.len(),
			client.store.describe(),
			pending[0].1,
			if kept {
				"run `ehr record retry-unpins` (with the same IPFS daemon) when it is back"
			} else {
				"no state directory to remember them: unpin them by hand"
			}
		),
	);
	cids
}

fn load_pending() -> Vec<Pending> {
	pending_file(STATE_DIR.get().cloned().flatten())
		.and_then(|path| std::fs::read(path).ok())
		.and_then(|bytes| serde_json::from_slice(&bytes).ok())
		.unwrap_or_default()
}

fn save_pending(entries: &[Pending]) -> bool {
	let Some(path) = pending_file(STATE_DIR.get().cloned().flatten()) else { return false };
	if let Some(dir) = path.parent() {
		let _ = std::fs::create_dir_all(dir);
	}
	let bytes = serde_json::to_vec(entries).expect("serializable");
	ehr_client::keys::write_atomically(&path, &bytes, ehr_client::keys::Replace::Yes).is_ok()
}

async fn record_command(
	client: &Client,
	me: &Keys,
	command: RecordCommand,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let my_id = me.account_id();
	match command {
		RecordCommand::Upload { file, category, patient } => {
			let patient = patient_or_me(patient.as_deref(), &my_id)?;
			let now = client.chain.now().await?;
			let prepared = care::prepare_upload(
				&file,
				category.map(Into::into),
				&my_id,
				&patient,
				now,
				false,
			)?;
			let category = Category(prepared.category);
			if matches!(client.store, Store::Local(_)) {
				warn(json, format!("storing in {}", client.store.describe()));
			}
			let bar = progress_bar(json);
			let uploaded = client
				.upload(me, &patient, category.into(), &prepared.path, report_to(&bar))
				.await?;
			bar.finish_and_clear();
			let names = names(client, &my_id).await;
			let readers: Vec<String> = uploaded
				.readers
				.iter()
				.map(|r| AccountId::from_ss58check(r).map(|a| names.of(&a)).unwrap_or(r.clone()))
				.collect();
			let synced = if patient == my_id {
				Some(sync_after(client, me, &patient, &names, json).await)
			} else {
				None
			};
			let mut value = with_text_cid(json!(uploaded));
			value["sync"] = json!(synced);
			value["stored"] = json!(prepared.how);
			say(
				json,
				value,
				format!(
					"record {} ({}) stored in {} as {}, readable by {}{}\n({})",
					uploaded.record,
					human::category(category.into()),
					match &client.store {
						Store::Local(dir) => dir.display().to_string(),
						store => store.primary().describe(),
					},
					uploaded.cid,
					readers.join(", "),
					unusable_note(&uploaded.unusable_readers),
					prepared.how
				),
			);
		}
		RecordCommand::List { patient, category } => {
			let patient = patient_or_me(patient.as_deref(), &my_id)?;
			let records = client.records(&patient, category.map(Into::into)).await?;
			let names = Names::load(client, Some(&my_id)).await?;
			let text = records
				.iter()
				.map(|r| {
					format!(
						"record {}{}: {}, added {} by {}, {}, {}",
						r.id,
						if r.version > 1 {
							format!(" (version {})", r.version)
						} else {
							String::new()
						},
						human::category(r.category),
						human::time(r.created_at),
						names.of(&r.author),
						size(r.size),
						ehr_client::cid::to_string(&r.cid)
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			let value: Vec<Value> = records.iter().map(|r| with_text_cid(json!(r))).collect();
			say(json, json!(value), or_none(text, "no records"));
		}
		RecordCommand::Get { id, out: None, fhir: true, wait_log, .. } => {
			let temp = tempfile::tempdir()?;
			let out = temp.path().join("record.json");
			let fetched = client.fetch(me, id, &out, |_, _| ()).await?;
			care::after_get(&out, true, (&fetched.patient, &fetched.author))?;
			let resource: Value = serde_json::from_slice(&std::fs::read(&out)?)
				.map_err(|e| Error::Invalid(format!("record {id} is not JSON: {e}")))?;
			clear_spinner();
			println!("{}", care::json_text(&resource));
			if wait_log {
				let block = wait_for_log(client, me, &fetched).await?;
				warn(json, format!("your read is in the patient's trail: {block}"));
			}
		}
		RecordCommand::Get { out: None, .. } => {
			return Err(Error::Usage(
				"where to? give --out FILE (or --fhir, which prints the FHIR resource)".into(),
			))
		}
		RecordCommand::Get { id, out: Some(out), force, fhir, wait_log } => {
			if out.exists() && !force {
				return Err(Error::Usage(format!(
					"{} exists: pass --force to replace it, or choose another --out",
					out.display()
				)));
			}
			let bar = progress_bar(json);
			let fetched = client.fetch(me, id, &out, report_to(&bar)).await?;
			bar.finish_and_clear();
			let what = care::after_get(&out, fhir, (&fetched.patient, &fetched.author))?;
			let mut value = json!(fetched);
			value["wrote"] = json!(what);
			let logged =
				if wait_log { Some(wait_for_log(client, me, &fetched).await?) } else { None };
			value["logged"] = json!(logged);
			say(
				json,
				value,
				format!(
					"record {id}: {what} ({}) written to {}, matching the commitment on chain{}",
					size(std::fs::metadata(&out).map(|m| m.len()).unwrap_or(fetched.plaintext_len)),
					out.display(),
					match (&logged, fetched.logged_in_block, &fetched.log_queued) {
						(Some(logged), ..) =>
							format!("; your read is in the patient's trail ({logged})"),
						(None, Some(block), _) => format!(
							"; your read is logged in the patient's trail (in block #{block}, not final yet)"
						),
						(None, None, Some(entry)) => format!(
							"; your read is queued for the patient's trail (transaction {:?}, \
							 sent; `ehr outbox` says when it is final)",
							entry.hash
						),
						(None, None, None) => String::new(),
					}
				),
			);
		}
		RecordCommand::Amend { id, file } => {
			// The new version is prepared as an upload of the record's category is (a profile
			// stays a Patient resource).
			let current = client.record(id, None).await?;
			let now = client.chain.now().await?;
			let prepared = care::prepare_upload(
				&file,
				Some(current.category),
				&my_id,
				&current.patient,
				now,
				current.category == RecordCategory::Profile,
			)?;
			let bar = progress_bar(json);
			let uploaded = client.amend(me, id, &prepared.path, report_to(&bar)).await?;
			bar.finish_and_clear();
			say(
				json,
				with_text_cid(json!(uploaded)),
				format!(
					"record {id} amended: the new version is record {}{}",
					uploaded.record,
					unusable_note(&uploaded.unusable_readers)
				),
			);
		}
		RecordCommand::Versions { id } => {
			let versions = client.versions(id).await?;
			let names = Names::load(client, Some(&my_id)).await?;
			let text = versions
				.iter()
				.map(|r| {
					format!(
						"record {} (version {}): {}, added {} by {}{}",
						r.id,
						r.version,
						human::category(r.category),
						human::time(r.created_at),
						names.of(&r.author),
						if r.erased { ", erased" } else { "" }
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			let value: Vec<Value> = versions.iter().map(|r| with_text_cid(json!(r))).collect();
			say(json, json!(value), or_none(text, "no versions"));
		}
		RecordCommand::Erase { id } => {
			let erased = client.erase(me, id).await?;
			let pending = pending_unpins(client, &erased.unpin_pending, json);
			say(
				json,
				json!({ "erased": id, "blockNumber": erased.number, "unpinned": erased.unpinned, "unpinPending": pending }),
				format!(
					"record {id} erased with all its versions (final in block #{}); {} envelope(s) \
					 unpinned{}",
					erased.number,
					erased.unpinned.len(),
					if pending.is_empty() {
						String::new()
					} else {
						format!(", {} still to unpin", pending.len())
					}
				),
			);
		}
		RecordCommand::RetryUnpins => {
			let here = client.store.location();
			let (mut unpinned, mut left, mut elsewhere) = (Vec::new(), Vec::new(), Vec::new());
			for entry in load_pending() {
				// Only the store that holds it can unpin it.
				if entry.store != here {
					elsewhere.push(entry);
					continue;
				}
				let result = match ehr_client::cid::parse(&entry.cid) {
					Ok(binary) => client.store.unpin(&binary).await,
					Err(_) => Ok(()),
				};
				match result {
					Ok(()) => unpinned.push(entry.cid),
					Err(error) => left.push((entry, error.to_string())),
				}
			}
			let mut keep: Vec<Pending> = left.iter().map(|(entry, _)| entry.clone()).collect();
			keep.extend(elsewhere.iter().cloned());
			if !save_pending(&keep) && !keep.is_empty() {
				warn(
					json,
					"no state directory: the envelopes still pinned are not remembered".into(),
				);
			}
			let mut text = format!("{} envelope(s) unpinned", unpinned.len());
			if left.is_empty() && elsewhere.is_empty() {
				text.push_str("; nothing left to unpin");
			}
			if let Some((_, why)) = left.first() {
				text.push_str(&format!("; {} still not ({why}): run this again later", left.len()));
			}
			for store in
				elsewhere.iter().map(|e| e.store.clone()).collect::<std::collections::BTreeSet<_>>()
			{
				text.push_str(&format!("; some are in {store}: run this with that store"));
			}
			say(
				json,
				json!({
					"unpinned": unpinned,
					"left": left.iter().map(|(entry, _)| &entry.cid).collect::<Vec<_>>(),
					"elsewhere": elsewhere.iter().map(|entry| json!({ "cid": entry.cid, "store": entry.store })).collect::<Vec<_>>(),
				}),
				text,
			);
			if !left.is_empty() {
				return Err(Error::Storage(format!("{} envelope(s) still pinned", left.len())));
			}
		}
	}
	Ok(())
}

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	let json = cli.global.json;
	let _ = STATE_DIR.set(state_dir(&cli.global));
	// Ctrl-C drops the running command, so its temporary files (a partial plaintext, an
	// envelope being written) are deleted on the way out.
	let outcome = tokio::select! {
		outcome = run(cli) => outcome,
		_ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
	};
	clear_spinner();
	// Read log entries the command queued are followed into a finalized block in the
	// background (the command does not wait for them).
	outbox::spawn_drainer();
	if let Err(error) = outcome {
		if json {
			println!("{}", json!({ "error": error.to_string(), "code": error.exit_code() }));
		} else {
			eprintln!("error: {error}");
		}
		std::process::exit(error.exit_code());
	}
}

#[cfg(test)]
mod tests;
