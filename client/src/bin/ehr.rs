//! `ehr`: the command line of the EHR chain for patients, doctors, hospital admins and auditors.
//!
//! Exit codes: 0 done, 1 error, 2 bad usage, 3 refused by the chain, 4 integrity (decryption,
//! commitment, audit proof, finality), 5 node or storage unreachable, 6 keys, 130 interrupted.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use clap::{Args, Parser, Subcommand};
use ehr_client::{audit, finality::Finality, AppointmentAction, Client, Error, Keys, Store};
use ehr_primitives::{AccessLevel, EmergencyReason, Purpose, RecordCategory, Scope, VisitKind};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

#[derive(Parser)]
#[command(
	name = "ehr",
	version,
	about = "Electronic health records on the hospital consortium chain"
)]
struct Cli {
	#[command(flatten)]
	global: Global,
	#[command(subcommand)]
	command: Command,
}

#[derive(Args)]
struct Global {
	/// The node's RPC endpoint.
	#[arg(long, env = "EHR_NODE_URL", default_value = "ws://127.0.0.1:9944", global = true)]
	node: String,
	/// An IPFS daemon's RPC API (kubo or js-ipfs); without it, envelopes go to --store-dir.
	#[arg(long, env = "EHR_IPFS_API", global = true)]
	ipfs: Option<String>,
	/// The local envelope store used without --ipfs.
	#[arg(long, env = "EHR_STORE_DIR", default_value = "ehr-store", global = true)]
	store_dir: PathBuf,
	/// Your key file (see `ehr key generate`); the passphrase comes from EHR_PASSPHRASE or a
	/// prompt.
	#[arg(long, env = "EHR_KEY_FILE", global = true)]
	key_file: Option<PathBuf>,
	/// A secret URI instead of a key file: a phrase of your own, optionally with a derivation
	/// path (`"<phrase>//hospital"`). A path alone (`//Alice`) derives from the public
	/// development phrase that anyone knows, and is refused without --dev. Prefer EHR_SURI to
	/// the command line, where other users of the machine can see it.
	#[arg(long, env = "EHR_SURI", global = true, hide_env_values = true)]
	suri: Option<String>,
	/// Allow development accounts (`--suri //Alice`): only on a development chain.
	#[arg(long, env = "EHR_DEV", global = true)]
	dev: bool,
	/// The chain's raw chain spec (JSON), the trust anchor for checking finality without
	/// trusting the node: the client computes the genesis hash and the first GRANDPA authority
	/// set from it. A hospital publishes it; for a dev node: `ehr-node build-spec --chain dev
	/// --raw > chain.json`.
	#[arg(long, env = "EHR_CHAIN_SPEC", global = true, value_name = "FILE")]
	chain_spec: Option<PathBuf>,
	/// Where the client keeps the newest finalized block it verified, per chain (default:
	/// $HOME/.local/state/ehr).
	#[arg(long, env = "EHR_STATE_DIR", global = true, value_name = "DIR")]
	state_dir: Option<PathBuf>,
	/// Print JSON for scripts.
	#[arg(long, global = true)]
	json: bool,
}

#[derive(Subcommand)]
enum Command {
	/// Your keys.
	#[command(subcommand)]
	Key(KeyCommand),
	/// Hospital administration.
	#[command(subcommand)]
	Hospital(HospitalCommand),
	/// Patient registration and delegates.
	#[command(subcommand)]
	Patient(PatientCommand),
	/// Doctor tools.
	#[command(subcommand)]
	Doctor(DoctorCommand),
	/// Medical records.
	#[command(subcommand)]
	Record(RecordCommand),
	/// Who may read your records.
	#[command(subcommand)]
	Consent(ConsentCommand),
	/// Doctors' availability.
	#[command(subcommand)]
	Slot(SlotCommand),
	/// Visits.
	#[command(subcommand)]
	Appointment(AppointmentCommand),
	/// What you (or ACCOUNT) may still do for free this hour: registered accounts transact
	/// without tokens within a budget of execution time and bytes.
	///
	/// Example: ehr --dev --suri //Alice budget
	Budget {
		/// Another account to ask about (default: yours).
		account: Option<String>,
	},
	/// Verify a patient's audit trail without trusting the node.
	///
	/// The client follows GRANDPA finality itself from the chain spec (--chain-spec): every
	/// header links to the one before, every justification is signed by more than two thirds
	/// of the hospitals' finality keys in force. The page is then read at the newest block it
	/// verified and checked with a storage proof: the total is the stored length, and no entry
	/// is left out, altered or added. A node that proves only an old block is refused
	/// (--max-age).
	///
	/// Example: ehr --chain-spec chain.json audit 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --all
	Audit {
		/// The patient (SS58 address).
		patient: String,
		/// First entry.
		#[arg(long, default_value_t = 0)]
		from: u64,
		/// Most entries (at most 100 per page).
		#[arg(long, default_value_t = 100)]
		limit: u32,
		/// Every entry from --from to the end, in pages of --limit, all at the same block.
		#[arg(long)]
		all: bool,
		/// Refuse a newest verified block older than this many minutes.
		#[arg(long, default_value_t = 10, value_name = "MINUTES")]
		max_age: u64,
	},
}

#[derive(Subcommand)]
enum KeyCommand {
	/// Make a new phrase and key file.
	Generate {
		/// Where to write the key file.
		#[arg(long)]
		out: PathBuf,
	},
	/// Write a key file for an existing phrase (read from EHR_PHRASE or a prompt).
	Import {
		/// Where to write the key file.
		#[arg(long)]
		out: PathBuf,
		/// Which encryption key of the phrase is current: the number of rotations so far
		/// (`ehr key show` prints it; the account key is the same for every index).
		#[arg(long, default_value_t = 0, value_name = "N")]
		key_index: u32,
	},
	/// Print your account and encryption key.
	Show,
	/// Publish a new encryption key and re-wrap for it every record key you hold.
	///
	/// For an encryption secret that may have leaked (a device's memory, an unlocked-key
	/// cache), or as routine: the account stays the same; the phrase's next encryption key is
	/// published, the key file is rewritten with the new key index, and every content key you
	/// hold (your own records, and other patients' records you may read) is wrapped again for
	/// it. Afterwards no key on chain opens with the old secret. What the old key already
	/// decrypted, and the old wrapped keys in historical blocks, stay exposed: rotation
	/// protects what comes after. It does not help if your phrase, or your key file together
	/// with its passphrase, leaked: every rotated key derives from the phrase and the account
	/// key stays the same; move to a new account then. If interrupted, run it again.
	///
	/// Example: ehr --key-file me.json key rotate
	Rotate,
}

#[derive(Subcommand)]
enum HospitalCommand {
	/// Verify a doctor.
	RegisterDoctor {
		doctor: String,
		#[arg(long)]
		name: String,
		#[arg(long)]
		specialty: String,
		#[arg(long)]
		licence: String,
	},
	/// Suspend one of your doctors.
	SuspendDoctor { doctor: String },
	/// Reinstate one of your doctors.
	ReinstateDoctor { doctor: String },
	/// Invite a patient (the account may then transact without tokens).
	InvitePatient { patient: String },
}

#[derive(Subcommand)]
enum PatientCommand {
	/// Register as a patient; an optional profile file is stored as an encrypted record.
	Register {
		#[arg(long)]
		profile: Option<PathBuf>,
	},
	/// Name a delegate who may manage consent for you.
	AddDelegate { delegate: String },
	/// Remove a delegate.
	RemoveDelegate { delegate: String },
	/// End a doctor's emergency access to you (or, as a delegate, to `--patient`).
	EndEmergency {
		doctor: String,
		#[arg(long)]
		patient: Option<String>,
	},
}

#[derive(Subcommand)]
enum DoctorCommand {
	/// Publish (or rotate) your encryption key.
	SetKey,
	/// The patients who granted you access.
	Patients,
	/// Open break-glass access to a patient, for a coded reason. A free-text note stays off
	/// chain: only its salted SHA-256 goes on chain; keep the printed salt with the note.
	Emergency {
		patient: String,
		#[arg(long, value_enum)]
		code: EmergencyCode,
		#[arg(long)]
		note: Option<String>,
	},
}

/// The coded reasons of an emergency access.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum EmergencyCode {
	/// The patient is unconscious.
	Unconscious,
	/// The patient's life is in danger now.
	LifeThreatening,
	/// The patient cannot communicate and no delegate is there.
	CannotCommunicate,
	/// Treatment that cannot wait for consent.
	UrgentTreatment,
	/// Another emergency (say which in the note).
	Other,
}

impl From<EmergencyCode> for EmergencyReason {
	fn from(code: EmergencyCode) -> Self {
		match code {
			EmergencyCode::Unconscious => EmergencyReason::Unconscious,
			EmergencyCode::LifeThreatening => EmergencyReason::LifeThreatening,
			EmergencyCode::CannotCommunicate => EmergencyReason::CannotCommunicate,
			EmergencyCode::UrgentTreatment => EmergencyReason::UrgentTreatment,
			EmergencyCode::Other => EmergencyReason::Other,
		}
	}
}

#[derive(Subcommand)]
enum RecordCommand {
	/// Encrypt a file, store it and add it as a record.
	Upload {
		file: PathBuf,
		#[arg(long, value_parser = category)]
		category: RecordCategory,
		/// The patient (default: you); a doctor needs write consent.
		#[arg(long)]
		patient: Option<String>,
	},
	/// List records.
	List {
		#[arg(long)]
		patient: Option<String>,
		#[arg(long, value_parser = category)]
		category: Option<RecordCategory>,
	},
	/// Fetch, decrypt and check a record.
	///
	/// The plaintext goes to a temporary file next to --out and takes its name only once every
	/// chunk decrypted and the commitment matched; an interrupted or failed read leaves nothing.
	///
	/// Example: ehr --key-file me.json record get 3 --out lab-report.pdf
	Get {
		/// The record's id (`ehr record list` shows them).
		id: u64,
		/// Where to write the plaintext.
		#[arg(long, value_name = "FILE")]
		out: PathBuf,
		/// Replace --out if it exists.
		#[arg(long)]
		force: bool,
	},
	/// Add a new version of a record.
	Amend { id: u64, file: PathBuf },
	/// Every version of a record.
	Versions { id: u64 },
	/// Erase a record with all its versions.
	Erase { id: u64 },
}

#[derive(Subcommand)]
enum ConsentCommand {
	/// Grant access, sharing the keys of the records in scope.
	Grant {
		grantee: String,
		/// Categories (comma-separated); all records without it.
		#[arg(long, value_delimiter = ',', value_parser = category)]
		categories: Vec<RecordCategory>,
		/// Allow adding records too (doctors and hospitals).
		#[arg(long)]
		write: bool,
		/// Hours until it stops working.
		#[arg(long)]
		expires_in_hours: Option<u64>,
		#[arg(long, default_value = "treatment", value_parser = purpose)]
		purpose: Purpose,
	},
	/// Revoke access; the grantee's keys go with it.
	///
	/// Revoking stops all future sharing with the grantee and deletes the keys it holds now.
	/// It cannot take back what the grantee already read, and its old wrapped keys stay in
	/// historical blocks: a grantee that kept a content key could still open the old file on
	/// IPFS. With --rekey, every record it could read is re-encrypted under a new key (a new
	/// record for the remaining readers) and the old one erased and unpinned.
	///
	/// Example: ehr --key-file me.json consent revoke 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --rekey
	Revoke {
		/// The grantee (SS58 address).
		grantee: String,
		/// Also re-encrypt the records it could read (new records; the old ones erased).
		#[arg(long)]
		rekey: bool,
	},
	/// Your grants.
	List,
}

#[derive(Subcommand)]
enum SlotCommand {
	/// Publish a slot.
	Publish {
		/// Minutes from now until it starts.
		#[arg(long)]
		in_minutes: u64,
		#[arg(long, default_value_t = 30)]
		minutes: u32,
		#[arg(long)]
		video: bool,
	},
	/// A doctor's free slots in the coming days.
	Free {
		doctor: String,
		#[arg(long, default_value_t = 14)]
		days: u64,
	},
}

#[derive(Subcommand)]
enum AppointmentCommand {
	/// Book a free slot.
	Book { slot: u64 },
	/// Confirm (doctor).
	Confirm { id: u64 },
	/// Propose another of your slots (doctor).
	Reschedule { id: u64, slot: u64 },
	/// Accept or decline a proposed new time (patient).
	Answer {
		id: u64,
		#[arg(long)]
		accept: bool,
	},
	/// Cancel.
	Cancel { id: u64 },
	/// Mark done (doctor).
	Complete { id: u64 },
	/// Mark that the patient did not come (doctor).
	NoShow { id: u64 },
	/// Your appointments.
	List,
}

fn category(text: &str) -> Result<RecordCategory, String> {
	serde_json::from_value(Value::String(text.into())).map_err(|_| {
		"one of profile, observation, prescription, lab-report, imaging, clinical-note, document"
			.to_string()
	})
}

fn purpose(text: &str) -> Result<Purpose, String> {
	serde_json::from_value(Value::String(text.into()))
		.map_err(|_| "one of treatment, research, insurance, care, other".to_string())
}

fn account(text: &str) -> Result<AccountId, Error> {
	AccountId::from_ss58check(text).map_err(|_| {
		Error::Usage(format!(
			"{text} is not an SS58 account address (like 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY; \
			 `ehr key show` prints yours)"
		))
	})
}

fn secret(env: &str, prompt: &str) -> Result<String, Error> {
	match std::env::var(env) {
		Ok(value) => Ok(value),
		Err(_) => rpassword::prompt_password(prompt).map_err(|e| {
			Error::KeyFile(format!("cannot ask for it ({e}): without a terminal, set {env}"))
		}),
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
		(None, Some(path)) => Keys::load(path, &secret("EHR_PASSPHRASE", "Passphrase: ")?),
		(None, None) => Err(Error::KeyFile("give --key-file or --suri".into())),
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
	if json {
		println!("{value}");
	} else {
		println!("{text}");
	}
}

async fn client(global: &Global) -> Result<Client, Error> {
	let store = match &global.ipfs {
		Some(url) => Store::ipfs(url)?,
		None => Store::local(&global.store_dir)?,
	};
	let client = Client::connect(&global.node, store).await?;
	// With the chain spec, the keys the command wraps for and the records it decrypts are read
	// with proofs against a block whose finality it checked itself.
	Ok(match global.chain_spec {
		Some(_) => client.verifying(finality(global)?),
		None => client,
	})
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

/// The client's own view of finality, from the chain spec and the saved checkpoint.
fn finality(global: &Global) -> Result<Finality, Error> {
	let spec = global.chain_spec.as_deref().ok_or_else(|| {
		Error::Invalid(
			"verifying needs the chain's raw chain spec: pass --chain-spec FILE or set \
			 EHR_CHAIN_SPEC (a hospital publishes it; for a dev node: ehr-node build-spec \
			 --chain dev --raw > chain.json)"
				.into(),
		)
	})?;
	let state_dir = global.state_dir.clone().or_else(|| {
		std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state/ehr"))
	});
	Finality::open(spec, state_dir.as_deref())
}

async fn run(cli: Cli) -> Result<(), Error> {
	let global = &cli.global;
	let json = global.json;
	match cli.command {
		Command::Key(KeyCommand::Rotate) => {
			let path = global.key_file.clone().ok_or_else(|| {
				Error::KeyFile(
					"rotation rewrites your key file with the new key index: give --key-file \
					 (a --suri has no file to keep it in)"
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
					"new encryption key 0x{} (key index {}) published; {} record keys re-wrapped \
					 for it{}",
					hex::encode(rotated.keys.encryption_key()),
					rotated.keys.key_index(),
					rotated.rewrapped,
					if rotated.unopenable.is_empty() {
						String::new()
					} else {
						format!(
							"; records whose key opens with none of yours: {:?}",
							rotated.unopenable
						)
					}
				),
			);
			Ok(())
		}
		Command::Key(command) => key_command(global, command),
		Command::Audit { patient, from, limit, all, max_age } => {
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
			let entries: Vec<Value> = page
				.entries
				.iter()
				.map(|(index, entry)| json!({ "index": index, "entry": entry }))
				.collect();
			let text = page
				.entries
				.iter()
				.map(|(index, entry)| {
					format!(
						"#{index} block {} t={} {} {:?}",
						entry.block, entry.time, entry.actor, entry.event
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			say(
				json,
				json!({ "verified": true, "at": page.at, "blockNumber": page.block_number, "total": page.total, "entries": entries }),
				format!(
					"{text}\nverified against finalized block #{} {:?}: {} of {} entries",
					page.block_number,
					page.at,
					page.entries.len(),
					page.total
				),
			);
			Ok(())
		}
		command => {
			let me = keys(global)?;
			let client = client(global).await?;
			act(&client, &me, command, json).await
		}
	}
}

fn key_command(global: &Global, command: KeyCommand) -> Result<(), Error> {
	match command {
		KeyCommand::Generate { out } => {
			let (keys, phrase) = Keys::generate();
			let passphrase = new_passphrase()?;
			keys.save(&out, &passphrase)?;
			eprintln!("Write down your recovery phrase; it restores both keys:\n\n{}\n", *phrase);
			print_keys(global.json, &keys, &out);
			Ok(())
		}
		KeyCommand::Import { out, key_index } => {
			let phrase = secret("EHR_PHRASE", "Recovery phrase: ")?;
			let keys = Keys::from_uri_at(phrase.trim(), key_index)?;
			keys.save(&out, &new_passphrase()?)?;
			print_keys(global.json, &keys, &out);
			Ok(())
		}
		// Needs the chain: `run` handles it before coming here.
		KeyCommand::Rotate => Err(Error::Invalid("key rotate needs a node".into())),
		KeyCommand::Show => {
			let keys = keys(global)?;
			print_keys(global.json, &keys, global.key_file.as_deref().unwrap_or(Path::new("-")));
			Ok(())
		}
	}
}

fn print_keys(json: bool, keys: &Keys, file: &Path) {
	let encryption_key = hex::encode(keys.encryption_key());
	say(
		json,
		json!({
			"address": keys.address(),
			"encryptionKey": encryption_key,
			"keyIndex": keys.key_index(),
			"keyFile": file
		}),
		format!(
			"account {}\nencryption key 0x{encryption_key} (key index {})",
			keys.address(),
			keys.key_index()
		),
	);
}

fn done(json: bool, what: &str, included: &ehr_client::Included) {
	say(
		json,
		json!({ "done": what, "block": included.block }),
		format!("{what} (finalized in {:?})", included.block),
	);
}

async fn act(client: &Client, me: &Keys, command: Command, json: bool) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		Command::Hospital(command) => {
			let (what, included) = match &command {
				HospitalCommand::RegisterDoctor { doctor, name, specialty, licence } => (
					"doctor registered",
					client.register_doctor(me, &account(doctor)?, name, specialty, licence).await?,
				),
				HospitalCommand::SuspendDoctor { doctor } => {
					("doctor suspended", client.suspend_doctor(me, &account(doctor)?).await?)
				}
				HospitalCommand::ReinstateDoctor { doctor } => {
					("doctor reinstated", client.reinstate_doctor(me, &account(doctor)?).await?)
				}
				HospitalCommand::InvitePatient { patient } => {
					("patient invited", client.invite_patient(me, &account(patient)?).await?)
				}
			};
			done(json, what, &included);
		}
		Command::Patient(PatientCommand::Register { profile }) => {
			let included = client.register_patient(me).await?;
			done(json, "registered", &included);
			if let Some(profile) = profile {
				let bar = progress_bar(json);
				let uploaded = client
					.upload(me, &my_id, RecordCategory::Profile, &profile, report_to(&bar))
					.await?;
				bar.finish_and_clear();
				say(json, json!(uploaded), format!("profile stored as record {}", uploaded.record));
			}
		}
		Command::Patient(PatientCommand::AddDelegate { delegate }) => {
			done(json, "delegate added", &client.add_delegate(me, &account(&delegate)?).await?)
		}
		Command::Patient(PatientCommand::RemoveDelegate { delegate }) => {
			done(json, "delegate removed", &client.remove_delegate(me, &account(&delegate)?).await?)
		}
		Command::Doctor(DoctorCommand::SetKey) => {
			done(json, "encryption key set", &client.set_encryption_key(me).await?)
		}
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
					"\nnote committed as {commitment}; keep this salt with the note: {salt}"
				),
				_ => String::new(),
			};
			say(
				json,
				json!({
					"done": "emergency access opened",
					"block": opened.included.block,
					"salt": salt,
					"commitment": commitment,
				}),
				format!("emergency access opened (finalized in {:?}){kept}", opened.included.block),
			);
		}
		Command::Patient(PatientCommand::EndEmergency { doctor, patient }) => {
			let patient = match patient {
				Some(patient) => account(&patient)?,
				None => my_id.clone(),
			};
			done(
				json,
				"emergency access ended",
				&client.end_emergency_access(me, &patient, &account(&doctor)?).await?,
			)
		}
		Command::Record(command) => record_command(client, me, command, json).await?,
		Command::Consent(ConsentCommand::Grant {
			grantee,
			categories,
			write,
			expires_in_hours,
			purpose,
		}) => {
			let scope = if categories.is_empty() {
				Scope::All
			} else {
				Scope::Categories(
					categories
						.try_into()
						.map_err(|_| Error::Invalid("at most seven categories".into()))?,
				)
			};
			let access = if write { AccessLevel::ReadWrite } else { AccessLevel::Read };
			let expires_at = match expires_in_hours {
				Some(hours) => Some(client.chain.now().await? + hours * 3_600_000),
				None => None,
			};
			let granted =
				client.grant(me, &account(&grantee)?, scope, access, expires_at, purpose).await?;
			let (shared, skipped, block) =
				(granted.shared, &granted.skipped, granted.included.block);
			if !skipped.is_empty() {
				eprintln!(
					"warning: records {skipped:?} were not shared: their key for you does not \
					 open (whoever wrote them wrapped something else); ask the author to amend them"
				);
			}
			say(
				json,
				json!({ "done": "granted", "keysShared": shared, "skipped": skipped, "block": block }),
				format!("granted; {shared} record keys shared (finalized in {block:?})"),
			);
		}
		Command::Consent(ConsentCommand::Revoke { grantee, rekey: false }) => {
			done(json, "revoked", &client.revoke(me, &account(&grantee)?).await?)
		}
		Command::Consent(ConsentCommand::Revoke { grantee, rekey: true }) => {
			let bar = count_bar(json);
			let rekeyed = client.revoke_and_rekey(me, &account(&grantee)?, count_to(&bar)).await?;
			bar.finish_and_clear();
			let replaced: Vec<String> =
				rekeyed.replaced.iter().map(|(old, new)| format!("{old} → {new}")).collect();
			say(
				json,
				json!({
					"revoked": rekeyed.revoked.block,
					"replaced": rekeyed.replaced.iter().map(|(old, new)| json!({ "old": old, "new": new })).collect::<Vec<_>>(),
					"failed": rekeyed.failed.iter().map(|(id, why)| json!({ "record": id, "reason": why })).collect::<Vec<_>>(),
				}),
				format!(
					"revoked; {} records re-encrypted (old → new: {}){}",
					rekeyed.replaced.len(),
					if replaced.is_empty() { "none".into() } else { replaced.join(", ") },
					if rekeyed.failed.is_empty() {
						String::new()
					} else {
						format!(
							"; not re-encrypted (run again): {:?}",
							rekeyed.failed.iter().map(|(id, _)| id).collect::<Vec<_>>()
						)
					}
				),
			);
		}
		Command::Consent(ConsentCommand::List) => {
			let grants = client.grants(&my_id).await?;
			let text = grants
				.iter()
				.map(|g| {
					format!(
						"{} {:?} {:?} until {:?}",
						g.grantee, g.grant.access, g.grant.scope, g.grant.expires_at
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			say(json, json!(grants), or_none(text, "no grants: only you can read your records"));
		}
		Command::Slot(SlotCommand::Publish { in_minutes, minutes, video }) => {
			let start = client.chain.now().await? + in_minutes * 60_000;
			let kind = if video { VisitKind::Video } else { VisitKind::InPerson };
			let slot = client.publish_slot(me, start, minutes, kind).await?;
			say(json, json!({ "slot": slot, "start": start }), format!("slot {slot} published"));
		}
		Command::Slot(SlotCommand::Free { doctor, days }) => {
			let now = client.chain.now().await?;
			let slots = client.free_slots(&account(&doctor)?, now, now + days * 86_400_000).await?;
			let text = slots
				.iter()
				.map(|s| {
					format!(
						"slot {} at {} for {} min ({:?})",
						s.id, s.start, s.duration_minutes, s.kind
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			say(json, json!(slots), or_none(text, "no free slots in that window"));
		}
		Command::Appointment(command) => {
			let action = match command {
				AppointmentCommand::Book { slot } => {
					let id = client.book(me, slot).await?;
					say(json, json!({ "appointment": id }), format!("appointment {id} requested"));
					return Ok(());
				}
				AppointmentCommand::List => {
					let list = client.appointments(&my_id).await?;
					let text = list
						.iter()
						.map(|a| {
							format!(
								"appointment {} with {} at {}: {:?}",
								a.id, a.doctor, a.start, a.status
							)
						})
						.collect::<Vec<_>>()
						.join("\n");
					say(json, json!(list), or_none(text, "no appointments"));
					return Ok(());
				}
				AppointmentCommand::Confirm { id } => AppointmentAction::Confirm(id),
				AppointmentCommand::Reschedule { id, slot } => AppointmentAction::Propose(id, slot),
				AppointmentCommand::Answer { id, accept } => AppointmentAction::Answer(id, accept),
				AppointmentCommand::Cancel { id } => AppointmentAction::Cancel(id),
				AppointmentCommand::Complete { id } => AppointmentAction::Complete(id),
				AppointmentCommand::NoShow { id } => AppointmentAction::NoShow(id),
			};
			done(json, "appointment updated", &client.update_appointment(me, action).await?);
		}
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
		Command::Key(_) | Command::Audit { .. } => unreachable!("handled without keys"),
	}
	Ok(())
}

async fn record_command(
	client: &Client,
	me: &Keys,
	command: RecordCommand,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		RecordCommand::Upload { file, category, patient } => {
			let patient = patient.as_deref().map(account).transpose()?.unwrap_or(my_id);
			let bar = progress_bar(json);
			let uploaded = client.upload(me, &patient, category, &file, report_to(&bar)).await?;
			bar.finish_and_clear();
			say(
				json,
				json!(uploaded),
				format!(
					"record {} stored at {}, readable by {}{}",
					uploaded.record,
					uploaded.cid,
					uploaded.readers.join(", "),
					unusable_note(&uploaded.unusable_readers)
				),
			);
		}
		RecordCommand::List { patient, category } => {
			let patient = patient.as_deref().map(account).transpose()?.unwrap_or(my_id);
			let records = client.records(&patient, category).await?;
			let text = records
				.iter()
				.map(|r| {
					format!(
						"record {} v{} {:?} by {} ({} bytes) {}",
						r.id,
						r.version,
						r.category,
						r.author,
						r.size,
						ehr_client::cid::to_string(&r.cid)
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			say(json, json!(records), or_none(text, "no records"));
		}
		RecordCommand::Get { id, out, force } => {
			if out.exists() && !force {
				return Err(Error::Usage(format!(
					"{} exists: pass --force to replace it, or choose another --out",
					out.display()
				)));
			}
			let bar = progress_bar(json);
			let fetched = client.fetch(me, id, &out, report_to(&bar)).await?;
			bar.finish_and_clear();
			say(
				json,
				json!(fetched),
				format!(
					"record {id}: {} bytes written to {}, matching the hash on chain",
					fetched.plaintext_len,
					out.display()
				),
			);
		}
		RecordCommand::Amend { id, file } => {
			let bar = progress_bar(json);
			let uploaded = client.amend(me, id, &file, report_to(&bar)).await?;
			bar.finish_and_clear();
			say(
				json,
				json!(uploaded),
				format!(
					"record {id} amended by version {}{}",
					uploaded.record,
					unusable_note(&uploaded.unusable_readers)
				),
			);
		}
		RecordCommand::Versions { id } => {
			let versions = client.versions(id).await?;
			let text = versions
				.iter()
				.map(|r| {
					format!("record {} v{} by {} erased={}", r.id, r.version, r.author, r.erased)
				})
				.collect::<Vec<_>>()
				.join("\n");
			say(json, json!(versions), text);
		}
		RecordCommand::Erase { id } => {
			let erased = client.erase(me, id).await?;
			say(
				json,
				json!({ "erased": erased }),
				format!("erased and unpinned: {}", erased.join(", ")),
			);
		}
	}
	Ok(())
}

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	let json = cli.global.json;
	// Ctrl-C drops the running command, so its temporary files (a partial plaintext, an
	// envelope being written) are deleted on the way out.
	let outcome = tokio::select! {
		outcome = run(cli) => outcome,
		_ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
	};
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
mod tests {
	use super::*;

	const PATIENT: &str = "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY";

	fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
		Cli::try_parse_from(std::iter::once("ehr").chain(args.iter().copied()))
	}

	#[test]
	fn a_bad_address_is_bad_usage_and_says_what_an_address_looks_like() {
		let error = account("not-an-address").unwrap_err();
		assert_eq!(error.exit_code(), 2);
		assert!(error.to_string().contains("SS58") && error.to_string().contains("key show"));
		assert_eq!(account(PATIENT).unwrap().to_ss58check(), PATIENT);
	}

	#[test]
	fn empty_lists_say_so_and_record_get_needs_force_to_replace() {
		assert_eq!(or_none(String::new(), "no records"), "no records");
		assert_eq!(or_none("#1".into(), "no records"), "#1");
		let cli = parse(&["record", "get", "1", "--out", "x.pdf"]).unwrap();
		assert!(matches!(cli.command, Command::Record(RecordCommand::Get { force: false, .. })));
		let cli = parse(&["record", "get", "1", "--out", "x.pdf", "--force"]).unwrap();
		assert!(matches!(cli.command, Command::Record(RecordCommand::Get { force: true, .. })));
	}

	#[test]
	fn emergency_takes_a_code_and_an_optional_note_not_a_free_text_reason() {
		let cli =
			parse(&["doctor", "emergency", PATIENT, "--code", "life-threatening", "--note", "x"])
				.expect("a code and a note parse");
		match cli.command {
			Command::Doctor(DoctorCommand::Emergency { code, note, .. }) => {
				assert_eq!(EmergencyReason::from(code), EmergencyReason::LifeThreatening);
				assert_eq!(note.as_deref(), Some("x"));
			}
			_ => panic!("parsed as another command"),
		}
		assert!(parse(&["doctor", "emergency", PATIENT, "--code", "unconscious"]).is_ok());
		// No code, an unknown code, or the old free-text reason: refused.
		assert!(parse(&["doctor", "emergency", PATIENT]).is_err());
		assert!(parse(&["doctor", "emergency", PATIENT, "--code", "bored"]).is_err());
		assert!(parse(&["doctor", "emergency", PATIENT, "--reason", "unconscious"]).is_err());
	}

	#[test]
	fn a_patient_ends_an_emergency_access() {
		let cli = parse(&["patient", "end-emergency", PATIENT]).expect("parses");
		assert!(matches!(
			cli.command,
			Command::Patient(PatientCommand::EndEmergency { patient: None, .. })
		));
	}
}
