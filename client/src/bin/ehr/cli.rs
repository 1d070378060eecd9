//! The command line's frame: the global options, the list of command groups (each group's
//! arguments and its `run` live in the group's own module), the exit codes, and the argument
//! types several groups share.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use ehr_primitives::{Purpose, RecordCategory};

use crate::{
	appointment, audit, budget, care, consent, doctor, emergency, gateway, hospital, key, outbox,
	patient, pinning, record,
};

/// What `ehr --help` ends with: the exit codes, one per class of failure.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    done
  1    anything else (a local file that cannot be read, …)
  2    bad usage: an address that does not parse, an --out that exists, a bad date
  3    refused: by the chain (with the pallet's error in words and what to do), or by the
       client from the chain's state (no such record, no key for you)
  4    integrity: decryption, commitment, audit proof or finality did not verify
  5    unreachable: the node or the IPFS daemon does not answer, or a wait timed out
  6    keys: key file, passphrase or secret URI
  130  interrupted (Ctrl-C); temporary files, a partial plaintext included, are removed

JSON (--json): one object per command, camelCase field names, SS58 addresses, CIDs in text
form (bafk…), times in ms since the Unix epoch; errors as {\"error\": …, \"code\": <exit code>}.";

#[derive(Parser)]
#[command(
	name = "ehr",
	version,
	about = "Electronic health records on the hospital consortium chain",
	long_about = "Electronic health records on the hospital consortium chain.\n\n\
	              Files are encrypted on your machine before they leave it; the chain keeps who \
	              may read what, pointers to the encrypted files, and a trail of every access.",
	after_help = EXIT_CODES,
	after_long_help = EXIT_CODES
)]
pub struct Cli {
	#[command(flatten)]
	pub global: Global,
	#[command(subcommand)]
	pub command: Command,
}

#[derive(Args)]
#[command(next_help_heading = "Global options (every command takes them)")]
pub struct Global {
	/// The node's RPC endpoint.
	#[arg(long, env = "EHR_NODE_URL", default_value = "ws://127.0.0.1:9944", global = true)]
	pub node: String,
	/// An IPFS daemon's RPC API (kubo or js-ipfs), e.g. http://127.0.0.1:5001. Without it,
	/// envelopes go to --store-dir, and the command says so. Several, comma-separated: new
	/// envelopes go to the first, and a read the first cannot serve (down, or without the
	/// envelope) is tried on the others in order, e.g. the hospitals' IPFS nodes.
	#[arg(
		long,
		env = "EHR_IPFS_API",
		global = true,
		value_name = "URL[,URL…]",
		value_delimiter = ','
	)]
	pub ipfs: Vec<String>,
	/// The local envelope store used without --ipfs (others cannot fetch from it).
	#[arg(
		long,
		env = "EHR_STORE_DIR",
		default_value = "ehr-store",
		global = true,
		value_name = "DIR"
	)]
	pub store_dir: PathBuf,
	/// Your key file (see `ehr key generate`); the passphrase comes from EHR_PASSPHRASE, an
	/// unlocked key of `ehr key unlock`, or a prompt.
	#[arg(long, env = "EHR_KEY_FILE", global = true, value_name = "FILE")]
	pub key_file: Option<PathBuf>,
	/// A secret URI instead of a key file: a phrase of your own, optionally with a derivation
	/// path (`"<phrase>//hospital"`). A path alone (`//Alice`) derives from the public
	/// development phrase that anyone knows, and is refused without --dev. Prefer EHR_SURI to
	/// the command line, where other users of the machine can see it.
	#[arg(long, env = "EHR_SURI", global = true, hide_env_values = true, value_name = "URI")]
	pub suri: Option<String>,
	/// Allow development accounts (`--suri //Alice`): only on a development chain.
	#[arg(long, env = "EHR_DEV", global = true)]
	pub dev: bool,
	/// The chain's raw chain spec (JSON), the trust anchor for checking finality without
	/// trusting the node: the client computes the genesis hash and the first GRANDPA authority
	/// set from it. A hospital publishes it; for a dev node: `ehr-node build-spec --chain dev
	/// --raw > chain.json`.
	#[arg(long, env = "EHR_CHAIN_SPEC", global = true, value_name = "FILE")]
	pub chain_spec: Option<PathBuf>,
	/// Where the client keeps its state: the newest finalized block it verified, per chain,
	/// and envelopes still to unpin (default: $HOME/.local/state/ehr).
	#[arg(long, env = "EHR_STATE_DIR", global = true, value_name = "DIR")]
	pub state_dir: Option<PathBuf>,
	/// Print JSON for scripts (camelCase fields, one object per command).
	#[arg(long, global = true)]
	pub json: bool,
}

#[derive(Subcommand)]
pub enum Command {
	/// Your keys: make, restore, show, rotate, unlock for a while.
	#[command(subcommand)]
	Key(key::KeyCommand),
	/// Hospital administration: doctors and invitations.
	#[command(subcommand)]
	Hospital(hospital::HospitalCommand),
	/// Patient registration, delegates, ending a doctor's emergency access.
	#[command(subcommand)]
	Patient(patient::PatientCommand),
	/// The doctor directory, and tools for doctors.
	#[command(subcommand)]
	Doctor(doctor::DoctorCommand),
	/// Medical records: upload, list, read, amend, erase.
	#[command(subcommand)]
	Record(record::RecordCommand),
	/// Who may read your records.
	#[command(subcommand)]
	Consent(consent::ConsentCommand),
	/// Doctors' free times.
	#[command(subcommand)]
	Slot(appointment::SlotCommand),
	/// Visits: book, confirm, move, cancel, complete.
	#[command(subcommand)]
	Appointment(appointment::AppointmentCommand),
	/// Vital signs and home measurements: add, import from a device, list with a chart.
	#[command(subcommand)]
	Vitals(care::VitalsCommand),
	/// Encrypted messages between a patient and the doctors who care for them.
	#[command(subcommand)]
	Message(care::MessageCommand),
	/// Your messages and alerts, unread first; marks them read (on this machine).
	///
	/// The chain keeps who wrote to you and when; the text is encrypted for you, fetched from
	/// IPFS and decrypted here. With --follow it goes on printing new messages as blocks are
	/// finalized (what an app does with the `Messages.MessageSent` event, see docs/guides/care.md).
	///
	/// Example: ehr --key-file me.json inbox
	Inbox(care::InboxArgs),
	/// What you (or ACCOUNT) may still do for free this hour: registered accounts transact
	/// without tokens within a budget of execution time and bytes.
	///
	/// Example: ehr --dev --suri //Alice budget
	Budget(budget::BudgetArgs),
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
	Audit(audit::AuditArgs),
	/// Your reads on their way into the patients' trails.
	///
	/// A doctor's read is shown as soon as the record is verified and decrypted; its log entry
	/// (a transaction naming the record) was checked against the chain, signed and kept on this
	/// device first, in the outbox under the state folder, and is sent until a finalized block
	/// holds it (by a drainer the command starts in the background, and by every later command).
	/// This lists what is in the outbox and what is now in the trail; --wait waits for all of
	/// it to be final.
	///
	/// Example: ehr --key-file me.json outbox --wait
	Outbox(outbox::OutboxArgs),
	/// Break-glass: which of your records a doctor may open in an emergency, and the escrow of
	/// their keys with the hospitals' committee.
	#[command(subcommand)]
	Emergency(emergency::EmergencyCommand),
	/// Run your hospital's escrow custodian: with the custodian account the hospital named
	/// (`ehr hospital set-custodian`), or the hospital's own key if it named none.
	///
	/// Follows the finalized blocks; for every emergency access opened by an active doctor,
	/// re-wraps this hospital's shares of the patient's emergency-openable records for the
	/// doctor's key and submits them in one transaction (64 records each). It never holds more
	/// than one share of a key: no custodian alone can open a record. A release that fails is
	/// tried again on the next pass; a restart catches up from the chain's state. Stop it with
	/// Ctrl-C. Give it the chain spec (--chain-spec): the access, the doctor's key and the
	/// shares are then proven at a block whose finality it checked, so that a lying node
	/// cannot have a share wrapped for a key of its own.
	///
	/// With --policy FILE it applies the hospital's written policy first: at most so many
	/// emergency accesses of each requesting hospital's doctors a day, only the listed reason
	/// codes; beyond it, a request is held for a person (`ehr custodian approve`) or refused.
	/// `ehr custodian status` shows what was held or refused (kept in the state directory).
	/// A policy file: {"perHospitalPerDay": 10, "reasons": ["unconscious",
	/// "life-threatening"], "beyond": "hold"}
	///
	/// Example: ehr --key-file custodian.json --chain-spec chain.json custodian --policy
	/// policy.json
	Custodian(emergency::CustodianArgs),
	/// The web app's way to IPFS: serves envelopes (GET /ipfs/CID) and stores those that a
	/// registered patient or doctor signs (POST /upload), through the IPFS node given by
	/// --ipfs, whose administration API (pin, unpin, garbage collection, shutdown) stays on
	/// loopback and is never reached by browsers. Registration is read with proofs when
	/// --chain-spec is given (otherwise only on a development chain). Runs until stopped;
	/// needs no key file.
	///
	/// Example: ehr --chain-spec chain.json --ipfs http://127.0.0.1:5001 ipfs-gateway --listen
	/// 127.0.0.1:5080 --allow-origin https://ehr.hospital.example
	IpfsGateway(gateway::GatewayArgs),
	/// Your hospital's pinning service: keeps the records its policy gives it on your IPFS
	/// node (the first --ipfs), copied from the other IPFS nodes given (the other hospitals'),
	/// each checked to add under the record's own CID, and unpins erased ones. The policy:
	/// every record of a patient who consents to one of your doctors, and every record for
	/// which your hospital is one of --replicas hospitals chosen by the record's CID (rendezvous
	/// hashing over the member hospitals). It follows the finalized blocks and prints what it
	/// holds after each pass.
	///
	/// Example: ehr --key-file hospital.json --ipfs http://127.0.0.1:5001,http://10.0.0.2:5001
	/// pin-service
	PinService(pinning::PinServiceArgs),
	/// What others did with your records since you last looked: reads, grants, emergency
	/// accesses and the shares released for them, from your trail (verified with
	/// --chain-spec), and the emergency accesses open now.
	///
	/// Example: ehr --key-file me.json notifications
	Notifications(emergency::NotificationsArgs),
}

/// What kind of record, as the command line takes it (`lab-report`): the chain's own
/// categories, named as in JSON, each with its meaning in `--help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Category(pub RecordCategory);

impl clap::ValueEnum for Category {
	fn value_variants<'a>() -> &'a [Self] {
		static ALL: std::sync::LazyLock<Vec<Category>> =
			std::sync::LazyLock::new(|| RecordCategory::ALL.map(Category).to_vec());
		&ALL
	}

	fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
		let name = serde_json::to_value(self.0).ok()?.as_str()?.to_string();
		Some(
			clap::builder::PossibleValue::new(name)
				.help(ehr_client::human::category_meaning(self.0)),
		)
	}
}

impl From<Category> for RecordCategory {
	fn from(category: Category) -> Self {
		category.0
	}
}

/// Why a grant is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PurposeArg {
	/// Care by a doctor or hospital.
	Treatment,
	/// A research study.
	Research,
	/// An insurer.
	Insurance,
	/// Care by a relative or guardian.
	Care,
	/// Something else.
	Other,
}

impl From<PurposeArg> for Purpose {
	fn from(purpose: PurposeArg) -> Self {
		match purpose {
			PurposeArg::Treatment => Purpose::Treatment,
			PurposeArg::Research => Purpose::Research,
			PurposeArg::Insurance => Purpose::Insurance,
			PurposeArg::Care => Purpose::Care,
			PurposeArg::Other => Purpose::Other,
		}
	}
}

/// Reads `text` as a category of the command line, as `--categories` does.
#[cfg(test)]
pub fn category_of(text: &str) -> Option<RecordCategory> {
	<Category as clap::ValueEnum>::from_str(text, false).ok().map(Into::into)
}
