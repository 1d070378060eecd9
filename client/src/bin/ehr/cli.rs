//! The command line: every command, argument and option, with its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use ehr_primitives::{EmergencyReason, Purpose, RecordCategory};
use serde_json::Value;

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
	Key(KeyCommand),
	/// Hospital administration: doctors and invitations.
	#[command(subcommand)]
	Hospital(HospitalCommand),
	/// Patient registration, delegates, ending a doctor's emergency access.
	#[command(subcommand)]
	Patient(PatientCommand),
	/// The doctor directory, and tools for doctors.
	#[command(subcommand)]
	Doctor(DoctorCommand),
	/// Medical records: upload, list, read, amend, erase.
	#[command(subcommand)]
	Record(RecordCommand),
	/// Who may read your records.
	#[command(subcommand)]
	Consent(ConsentCommand),
	/// Doctors' free times.
	#[command(subcommand)]
	Slot(SlotCommand),
	/// Visits: book, confirm, move, cancel, complete.
	#[command(subcommand)]
	Appointment(AppointmentCommand),
	/// Vital signs and home measurements: add, import from a device, list with a chart.
	#[command(subcommand)]
	Vitals(VitalsCommand),
	/// Encrypted messages between a patient and the doctors who care for them.
	#[command(subcommand)]
	Message(MessageCommand),
	/// Your messages and alerts, unread first; marks them read (on this machine).
	///
	/// The chain keeps who wrote to you and when; the text is encrypted for you, fetched from
	/// IPFS and decrypted here. With --follow it goes on printing new messages as blocks are
	/// finalized (what an app does with the `Messages.MessageSent` event, see docs/guides/care.md).
	///
	/// Example: ehr --key-file me.json inbox
	Inbox {
		/// Show read messages too (default: unread, then the 10 newest read ones).
		#[arg(long)]
		all: bool,
		/// Keep running and print new messages as blocks are finalized (Ctrl-C stops).
		#[arg(long)]
		follow: bool,
		/// Remove the messages you have read from your inbox on chain (the chain's history
		/// keeps that they were sent).
		#[arg(long)]
		remove_read: bool,
	},
	/// What you (or ACCOUNT) may still do for free this hour: registered accounts transact
	/// without tokens within a budget of execution time and bytes.
	///
	/// Example: ehr --dev --suri //Alice budget
	Budget {
		/// Another account to ask about (SS58 address; default: yours).
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
		/// Print the verified entries as a FHIR R4 Bundle of AuditEvents (what a hospital's
		/// compliance system imports), each validated against the FHIR schema.
		#[arg(long)]
		fhir: bool,
	},
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
	Outbox {
		/// Wait until every entry is in a finalized block (or --timeout passes: exit code 5).
		#[arg(long)]
		wait: bool,
		/// How long --wait waits, in seconds.
		#[arg(long, default_value_t = 120, value_name = "SECONDS")]
		timeout: u64,
		/// Run as the background drainer (started by the command itself; needs no key).
		#[arg(long, hide = true)]
		background: bool,
	},
	/// Break-glass: which of your records a doctor may open in an emergency, and the escrow of
	/// their keys with the hospitals' committee.
	#[command(subcommand)]
	Emergency(EmergencyCommand),
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
	Custodian {
		/// Approve a held request, or show what was held and refused.
		#[command(subcommand)]
		action: Option<CustodianCommand>,
		/// One pass, then exit (for tests and cron).
		#[arg(long)]
		once: bool,
		/// Seconds between passes.
		#[arg(long, default_value_t = 6, value_name = "SECONDS")]
		interval: u64,
		/// The hospital's release policy (JSON); without it, every valid request is released.
		#[arg(long, value_name = "FILE")]
		policy: Option<std::path::PathBuf>,
		/// Serve Prometheus metrics at http://ADDRESS:PORT/metrics (requests behind, last pass,
		/// failures; docs/operations.md), e.g. 127.0.0.1:9618.
		#[arg(long, value_name = "ADDRESS:PORT")]
		metrics: Option<std::net::SocketAddr>,
	},
	/// The web app's way to IPFS: serves envelopes (GET /ipfs/CID) and stores those that a
	/// registered patient or doctor signs (POST /upload), through the IPFS node given by
	/// --ipfs, whose administration API (pin, unpin, garbage collection, shutdown) stays on
	/// loopback and is never reached by browsers. Registration is read with proofs when
	/// --chain-spec is given (otherwise only on a development chain). Runs until stopped;
	/// needs no key file.
	///
	/// Example: ehr --chain-spec chain.json --ipfs http://127.0.0.1:5001 ipfs-gateway --listen
	/// 127.0.0.1:5080 --allow-origin https://ehr.hospital.example
	IpfsGateway {
		/// The address to listen on (a hospital puts its TLS reverse proxy in front).
		#[arg(long, default_value = "127.0.0.1:5080", value_name = "ADDRESS:PORT")]
		listen: std::net::SocketAddr,
		/// The largest envelope stored or served, in MiB.
		#[arg(
			long,
			default_value_t = 64,
			value_name = "MIB",
			value_parser = clap::value_parser!(u64).range(1..=4096)
		)]
		max_size: u64,
		/// What one account may store per hour, in MiB.
		#[arg(
			long,
			default_value_t = 512,
			value_name = "MIB",
			value_parser = clap::value_parser!(u64).range(1..=1 << 30)
		)]
		per_hour: u64,
		/// What all accounts together may store per hour, in MiB.
		#[arg(
			long,
			default_value_t = 8192,
			value_name = "MIB",
			value_parser = clap::value_parser!(u64).range(1..=1 << 30)
		)]
		total_per_hour: u64,
		/// The web app's origin, sent as Access-Control-Allow-Origin (`*`: any).
		#[arg(long, default_value = "*", value_name = "ORIGIN")]
		allow_origin: String,
	},
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
	PinService {
		/// One pass, then exit (for tests and cron).
		#[arg(long)]
		once: bool,
		/// Seconds between passes.
		#[arg(long, default_value_t = 12, value_name = "SECONDS")]
		interval: u64,
		/// Hospitals that keep each record besides those its patient consents to.
		#[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=16))]
		replicas: u32,
		/// The largest envelope kept, in MiB: a record declaring more, or a node serving more
		/// than the record declares, is refused and reported.
		#[arg(
			long,
			default_value_t = 1024,
			value_name = "MIB",
			value_parser = clap::value_parser!(u64).range(1..)
		)]
		max_size: u64,
		/// Serve Prometheus metrics at http://ADDRESS:PORT/metrics (records behind, last pass,
		/// failures; docs/operations.md), e.g. 127.0.0.1:9617.
		#[arg(long, value_name = "ADDRESS:PORT")]
		metrics: Option<std::net::SocketAddr>,
	},
	/// What others did with your records since you last looked: reads, grants, emergency
	/// accesses and the shares released for them, from your trail (verified with
	/// --chain-spec), and the emergency accesses open now.
	///
	/// Example: ehr --key-file me.json notifications
	Notifications {
		/// Everything from the start of your trail, not only what is new.
		#[arg(long)]
		all: bool,
		/// Whose trail, as the patient's delegate (SS58 address; default: yours).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
	},
}

#[derive(Subcommand)]
pub enum EmergencyCommand {
	/// Show, or set, the categories of your records a doctor may open in an emergency.
	///
	/// Without categories, shows yours. With them, they replace the choice (on chain, in your
	/// trail), and the keys of your records in them are escrowed (`ehr emergency sync`).
	/// Suggested: profile prescription lab-report.
	///
	/// Example: ehr --key-file me.json emergency categories profile prescription lab-report
	Categories {
		/// The categories to make openable (replacing the current choice).
		#[arg(value_enum)]
		categories: Vec<Category>,
		/// Make nothing openable in an emergency.
		#[arg(long, conflicts_with = "categories")]
		none: bool,
		/// Act for this patient, as the patient's delegate (SS58 address).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
	},
	/// Escrow the keys of your emergency-openable records that are not escrowed for the
	/// current committee yet: records added before you opted in, and all of them after the
	/// hospitals changed the committee. New records are escrowed as they are added.
	///
	/// Example: ehr --key-file me.json emergency sync
	Sync,
	/// The hospitals' escrow committee: its members, their escrow keys and the threshold.
	Committee,
}

#[derive(Subcommand)]
pub enum KeyCommand {
	/// Make a new recovery phrase and key file.
	///
	/// Example: EHR_PASSPHRASE=… ehr key generate --out me.json
	Generate {
		/// Where to write the key file (never replaced if it exists).
		#[arg(long, value_name = "FILE")]
		out: PathBuf,
	},
	/// Write a key file for an existing phrase (read from EHR_PHRASE or a prompt).
	Import {
		/// Where to write the key file (never replaced if it exists).
		#[arg(long, value_name = "FILE")]
		out: PathBuf,
		/// Which encryption key of the phrase is current: the number of rotations so far
		/// (`ehr key show` prints it; the account key is the same for every index).
		#[arg(long, default_value_t = 0, value_name = "N")]
		key_index: u32,
	},
	/// Sign a hospital FHIR server's sign-in challenge (SMART App Launch) with your account key.
	///
	/// An app that signs you in through a hospital's FHIR server shows a challenge that begins
	/// "Sign in to the FHIR server"; this prints your signature of it (0x…), to paste back with
	/// your address. Nothing else is signed: any other text is refused. The signature is over
	/// `<Bytes>challenge</Bytes>`, as a browser extension signs, so it can never be a
	/// transaction's.
	///
	/// Example: ehr --key-file me.json key sign-in --challenge challenge.txt
	SignIn {
		/// A file holding the challenge exactly as shown (default: read from standard input).
		#[arg(long, value_name = "FILE")]
		challenge: Option<PathBuf>,
	},
	/// Print your account address and encryption key.
	Show {
		/// Print only the address (for scripts: `ME=$(ehr key show --address)`).
		#[arg(long)]
		address: bool,
	},
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
	/// Unlock your key file once for a while: the commands that follow skip the scrypt work of
	/// unlocking (and the passphrase).
	///
	/// Starts a key agent, like ssh-agent: a background process of yours that holds the
	/// unlocked key in memory for --minutes (default 15) and hands it only to processes of
	/// your own user, through a socket in a directory only you can open
	/// ($XDG_RUNTIME_DIR/ehr or /tmp/ehr-<uid>). Nothing unlocked is written to disk. `ehr
	/// key lock` ends it at once. Anyone who can run programs as your user while it runs can
	/// use the key: lock it before leaving the machine.
	///
	/// Example: ehr --key-file me.json key unlock --minutes 30
	Unlock {
		/// How long the key stays unlocked (1 to 1440 minutes).
		#[arg(long, default_value_t = 15, value_name = "MINUTES",
			value_parser = clap::value_parser!(u64).range(1..=1440))]
		minutes: u64,
	},
	/// Forget the unlocked key of `ehr key unlock` now.
	Lock,
	/// The key agent itself (started by `ehr key unlock`; not for direct use).
	#[command(hide = true)]
	Agent {
		#[arg(long, value_parser = clap::value_parser!(u64).range(1..=1440))]
		minutes: u64,
	},
}

#[derive(Subcommand)]
pub enum HospitalCommand {
	/// Offer an account the role of a doctor of your hospital. It becomes your doctor, in the
	/// directory, when it accepts with `ehr doctor accept YOUR-HOSPITAL`; until then you may
	/// withdraw the offer with `ehr hospital cancel-invitation`.
	///
	/// Example: ehr --key-file hospital.json hospital register-doctor 5FHne… --name "Dr. Bob
	/// Kelso" --specialty "internal medicine" --licence MD-1001
	RegisterDoctor {
		/// The doctor's account (SS58 address; the doctor prints it with `ehr key show`).
		doctor: String,
		/// Full name, as patients will see it.
		#[arg(long)]
		name: String,
		/// Specialty, as patients will see it.
		#[arg(long)]
		specialty: String,
		/// Licence number.
		#[arg(long)]
		licence: String,
	},
	/// Suspend one of your doctors: no new consent, refused wherever consent is checked.
	SuspendDoctor {
		/// The doctor (SS58 address).
		doctor: String,
	},
	/// Reinstate one of your suspended doctors.
	ReinstateDoctor {
		/// The doctor (SS58 address).
		doctor: String,
	},
	/// Invite a patient: the account may then register and transact without tokens.
	InvitePatient {
		/// The patient's account (SS58 address; the patient prints it with `ehr key show`).
		patient: String,
	},
	/// Set the name your hospital appears under in the directory, the command and the web
	/// app (instead of its bare address).
	///
	/// Example: ehr --key-file hospital.json hospital set-name "North General Hospital"
	SetName {
		/// The hospital's name, as people will read it.
		name: String,
	},
	/// Withdraw an unused patient invitation, or a doctor's role offered and not yet accepted.
	CancelInvitation {
		/// The account invited or offered the role (SS58 address).
		account: String,
	},
	/// Name the account that runs your custodian service (`ehr custodian`): it releases your
	/// hospital's escrowed shares in emergencies and can do nothing else, so the service never
	/// holds your hospital's admin key. Naming another replaces it; `--none` goes back to
	/// releasing with the hospital's own account. The committee's escrow key for your hospital
	/// must be the custodian's key (`ehr --key-file custodian.json key show`), set by the
	/// hospitals' vote (`Escrow.set_committee`).
	///
	/// Example: ehr --key-file hospital.json hospital set-custodian 5DAAn…
	SetCustodian {
		/// The custodian account (SS58 address).
		#[arg(required_unless_present = "none")]
		custodian: Option<String>,
		/// Name no custodian: the hospital's own account releases again.
		#[arg(long, conflicts_with = "custodian")]
		none: bool,
	},
	/// Your hospital's doctors.
	Doctors,
	/// The emergency accesses of your hospital's doctors (open, or expired and not yet cleaned
	/// up), with the records released to each doctor: review them, then close each with
	/// `ehr hospital close-emergency`.
	Emergencies {
		/// Every hospital's doctors' accesses, to review them (`ehr hospital review`).
		#[arg(long)]
		all: bool,
	},
	/// Review an emergency access of another hospital's doctor: your verdict goes on chain and
	/// into the patient's trail. Every member hospital other than the doctor's may review each
	/// access once; `ehr hospital emergencies --all` lists the open ones of every hospital.
	///
	/// Example: ehr --key-file hospital.json hospital review 5HGj… 5FHne… --verdict justified
	Review {
		/// The patient (SS58 address).
		patient: String,
		/// The other hospital's doctor (SS58 address).
		doctor: String,
		/// Your verdict.
		#[arg(long, value_enum)]
		verdict: Verdict,
		/// The patient's trail entry that opened the access (default: the doctor's newest).
		#[arg(long)]
		entry: Option<u64>,
	},
	/// Close a doctor's emergency access after review (its released shares leave the chain's
	/// state in the next block).
	CloseEmergency {
		/// The patient (SS58 address).
		patient: String,
		/// Your doctor (SS58 address).
		doctor: String,
	},
}

#[derive(Subcommand)]
pub enum PatientCommand {
	/// Register as a patient (after a hospital invited you), optionally with a profile.
	///
	/// The profile is a FHIR R4 `Patient` resource in JSON (see docs/guides/patient.md for an example):
	/// it is stored as an encrypted record of category `profile`, never in the clear.
	///
	/// Example: ehr --key-file me.json patient register --profile profile.json
	Register {
		/// A FHIR R4 `Patient` resource (JSON) to store as your encrypted profile.
		#[arg(long, value_name = "FILE")]
		profile: Option<PathBuf>,
		/// The categories a doctor may open in an emergency, through the hospitals' escrow
		/// committee (changeable any time with `ehr emergency categories`).
		#[arg(
			long,
			value_enum,
			value_delimiter = ',',
			default_value = "profile,prescription,lab-report",
			conflicts_with = "no_emergency"
		)]
		emergency: Vec<Category>,
		/// Make nothing openable in an emergency.
		#[arg(long)]
		no_emergency: bool,
	},
	/// Name a delegate (a registered patient: a relative, a guardian) who may manage consent
	/// for you (`ehr consent … --for <you>`).
	AddDelegate {
		/// The delegate (SS58 address).
		delegate: String,
	},
	/// Remove a delegate.
	RemoveDelegate {
		/// The delegate (SS58 address).
		delegate: String,
	},
	/// End a doctor's emergency access to you (or, as a delegate, to --patient).
	EndEmergency {
		/// The doctor (SS58 address).
		doctor: String,
		/// The patient you act for as a delegate (SS58 address; default: you).
		#[arg(long)]
		patient: Option<String>,
	},
}

#[derive(Subcommand)]
pub enum DoctorCommand {
	/// The doctor directory: name, specialty, hospital, address.
	List {
		/// Only doctors whose specialty contains this text (any case).
		#[arg(long)]
		specialty: Option<String>,
	},
	/// Accept the doctor's role a hospital offered your account (`ehr hospital
	/// register-doctor`), publishing your encryption key with it: from then on you are that
	/// hospital's doctor, in the directory. Name the hospital you mean to work for: an offer
	/// from any other is refused.
	///
	/// Example: ehr --key-file dr.json doctor accept 5GrwvaEF…
	Accept {
		/// The offering hospital (SS58 address).
		hospital: String,
	},
	/// Publish (or rotate) your encryption key: patients can share records with you only
	/// once it is published.
	SetKey,
	/// The patients who granted you access.
	Patients,
	/// Open break-glass access to a patient, for a coded reason. A free-text note stays off
	/// chain: only its salted SHA-256 goes on chain; keep the printed salt with the note for
	/// the hospital's review.
	///
	/// Example: ehr --key-file dr.json doctor emergency 5Grw… --code unconscious --note "found
	/// collapsed, ER bay 3"
	Emergency {
		/// The patient (SS58 address).
		patient: String,
		/// Why (on chain, in the patient's trail).
		#[arg(long, value_enum)]
		code: EmergencyCode,
		/// A note for the hospital's review; only its salted hash goes on chain.
		#[arg(long)]
		note: Option<String>,
	},
	/// Watch your patients' vital signs and alert them: a long-running monitor.
	///
	/// Follows the finalized blocks; every new Observation record of a patient who consents
	/// to you (or your hospital) is decrypted with your key, its readings are compared with
	/// the alert rules, and when a rule holds the patient gets an alert (the most severe rule's
	/// message, with every reading that fired) and you see it here. Each read is logged in the
	/// patient's trail like any other. The first run only notes the records that exist (use
	/// --dry-run to see what they would fire); a restart goes on where it stopped.
	///
	/// Rules (--rules FILE, JSON): {"defaults": [RULE…], "patients": {"<address>": [RULE…]}},
	/// RULE = {"code": "8480-6", "comparison": ">=", "threshold": 140, "severity":
	/// "warning", "message": "…"}. A patient's rules replace the defaults for the codes they
	/// name; without "defaults", the built-in ones apply (`ehr doctor watch --show-rules`).
	///
	/// Example: ehr --key-file dr.json doctor watch --rules rules.json
	Watch {
		/// The alert rules (JSON, see above); default: the built-in rules.
		#[arg(long, value_name = "FILE")]
		rules: Option<PathBuf>,
		/// Evaluate every existing record and print what would fire; send nothing.
		#[arg(long)]
		dry_run: bool,
		/// Print the rules in force (after --rules) and exit.
		#[arg(long)]
		show_rules: bool,
		/// One pass, then exit (for tests and cron).
		#[arg(long)]
		once: bool,
		/// Seconds between passes.
		#[arg(long, default_value_t = 6, value_name = "SECONDS")]
		interval: u64,
	},
}

/// The coded reasons of an emergency access.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum EmergencyCode {
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

#[derive(Subcommand)]
pub enum RecordCommand {
	/// Encrypt a file on this machine, store the envelope (IPFS or --store-dir) and add it as
	/// a record, readable by the patient and everyone the patient granted that category.
	///
	/// A FHIR R4 resource or Bundle (JSON with a "resourceType") is validated against the FHIR
	/// schema first and refused, with the path of each problem, if invalid; its category
	/// follows from its type (Patient: profile, Observation, MedicationRequest: prescription,
	/// DiagnosticReport: lab report, ImagingStudy, Composition: clinical note,
	/// DocumentReference: document). Any other file is wrapped in a FHIR DocumentReference
	/// (files up to 64 MiB; larger ones are stored as they are); `record get` gives back the
	/// file, `record get --fhir` the resource.
	///
	/// Example: ehr --key-file me.json record upload blood-test.pdf --category lab-report
	Upload {
		/// The file to encrypt and store.
		file: PathBuf,
		/// What kind of record it is (default: from the FHIR resource type; a plain file: a
		/// document).
		#[arg(long, value_enum)]
		category: Option<Category>,
		/// The patient (SS58 address; default: you); a doctor needs the patient's write
		/// consent.
		#[arg(long)]
		patient: Option<String>,
	},
	/// List a patient's records (every version not erased).
	List {
		/// The patient (SS58 address; default: you).
		#[arg(long)]
		patient: Option<String>,
		/// Only records of this kind.
		#[arg(long, value_enum)]
		category: Option<Category>,
	},
	/// Fetch, decrypt and check a record.
	///
	/// The plaintext goes to a temporary file next to --out and takes its name only once every
	/// chunk decrypted and the commitment matched; an interrupted or failed read leaves nothing.
	/// A reader other than the patient has the read logged in the patient's trail: the log
	/// entry is checked against the chain (a revoked grant writes nothing), signed and queued on
	/// this device before the file is written, and sent until a finalized block holds it (`ehr
	/// outbox`); --wait-log waits for that block.
	///
	/// Example: ehr --key-file me.json record get 3 --out lab-report.pdf
	Get {
		/// The record's id (`ehr record list` shows them).
		id: u64,
		/// Where to write the plaintext (with --fhir and without --out, the resource is
		/// printed).
		#[arg(long, value_name = "FILE", required_unless_present = "fhir")]
		out: Option<PathBuf>,
		/// Replace --out if it exists.
		#[arg(long)]
		force: bool,
		/// Write the FHIR resource itself (a wrapped file's DocumentReference) instead of the
		/// file it wraps.
		#[arg(long)]
		fhir: bool,
		/// After writing, wait until the read's log entry is in a finalized block and say which.
		#[arg(long)]
		wait_log: bool,
	},
	/// Add a new version of a record (the old versions stay, readable by the same readers).
	Amend {
		/// The record's id (`ehr record list` shows them).
		id: u64,
		/// The new content.
		file: PathBuf,
	},
	/// Every version of a record.
	Versions {
		/// The id of any version of the record.
		id: u64,
	},
	/// Erase a record with all its versions, and unpin their envelopes.
	Erase {
		/// The id of any version of the record.
		id: u64,
	},
	/// Unpin the envelopes of erased records that could not be unpinned when they were erased
	/// (IPFS was down).
	RetryUnpins,
}

#[derive(Subcommand)]
pub enum ConsentCommand {
	/// Grant access, sharing the keys of the records in scope in the same transaction.
	///
	/// Without --categories the grant covers every record, your identifying profile included:
	/// the command says so, and on a terminal asks before granting (--yes skips the question).
	///
	/// Example: ehr --key-file me.json consent grant 5FHne… --categories lab-report,prescription
	/// --write --expires-in-hours 720
	Grant {
		/// Who gets access (SS58 address): a doctor, a hospital, or a registered patient
		/// (a relative).
		grantee: String,
		/// Only these kinds of records (comma-separated); every record without it.
		#[arg(long, value_delimiter = ',', value_enum)]
		categories: Vec<Category>,
		/// Allow adding records too (doctors and hospitals only).
		#[arg(long)]
		write: bool,
		/// Hours until it stops working (default: until revoked).
		#[arg(long, value_name = "HOURS")]
		expires_in_hours: Option<u64>,
		/// Why access is given (on chain, in the trail).
		#[arg(long, value_enum, default_value = "treatment")]
		purpose: PurposeArg,
		/// Act for this patient, as the patient's delegate (SS58 address).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
		/// Do not ask before a grant of every record.
		#[arg(long)]
		yes: bool,
	},
	/// Change a grant's terms without revoking it. The terms given replace the old ones as a
	/// whole: the records (--categories, or --every-record: one of them is required), write
	/// access (read only without --write), the expiry (none without --expires-in-hours) and the
	/// purpose. Keys of records the new terms no longer cover leave the chain's state in the
	/// next blocks; keys of records newly covered are shared afterwards when the command
	/// verifies (--chain-spec), otherwise by `ehr consent sync --chain-spec …`.
	///
	/// Example: ehr --key-file me.json consent change 5FHne… --categories lab-report
	/// --expires-in-hours 48
	Change {
		/// The grantee (SS58 address).
		grantee: String,
		/// Only these kinds of records (comma-separated).
		#[arg(long, value_delimiter = ',', value_enum, required_unless_present = "every_record")]
		categories: Vec<Category>,
		/// Every record, the identifying profile included (instead of --categories).
		#[arg(long, conflicts_with = "categories")]
		every_record: bool,
		/// Allow adding records too (doctors and hospitals only).
		#[arg(long)]
		write: bool,
		/// Hours from now until it stops working (default: until revoked).
		#[arg(long, value_name = "HOURS")]
		expires_in_hours: Option<u64>,
		/// Why access is given (on chain, in the trail).
		#[arg(long, value_enum, default_value = "treatment")]
		purpose: PurposeArg,
		/// Act for this patient, as the patient's delegate (SS58 address).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
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
		/// Act for this patient, as the patient's delegate (SS58 address).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
	},
	/// Your grants (or, with --for, a patient's you are a delegate of).
	List {
		/// The patient you act for as a delegate (SS58 address).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
	},
	/// Export your grants as FHIR R4 Consent resources (a Bundle): actor, action, purpose, data
	/// class and period of each, validated against the FHIR schema.
	///
	/// Example: ehr --key-file me.json consent export --fhir --out consents.json
	Export {
		/// FHIR R4 JSON (the only format).
		#[arg(long, required = true)]
		fhir: bool,
		/// Write to this file (default: standard output).
		#[arg(long, value_name = "FILE")]
		out: Option<PathBuf>,
		/// The patient you act for as a delegate (SS58 address).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
	},
	/// Share with every grantee the record keys its grant covers but it does not hold yet.
	///
	/// A grant made before the grantee published an encryption key shares nothing; once the
	/// grantee publishes one (`ehr doctor set-key`), this shares what it lacks. Every upload
	/// and grant by the patient runs it too.
	Sync {
		/// The patient you act for as a delegate (SS58 address).
		#[arg(long = "for", value_name = "PATIENT")]
		for_patient: Option<String>,
	},
}

#[derive(Subcommand)]
pub enum SlotCommand {
	/// Publish a slot patients can book.
	///
	/// Example: ehr --key-file dr.json slot publish --at "2026-12-01 09:30" --minutes 20
	Publish {
		/// When it starts, in local time: YYYY-MM-DD HH:MM.
		#[arg(long, value_name = "DATE TIME", required_unless_present = "in_minutes")]
		at: Option<String>,
		/// Or: minutes from now until it starts.
		#[arg(long, value_name = "MINUTES", conflicts_with = "at")]
		in_minutes: Option<u64>,
		/// How long the visit lasts.
		#[arg(long, default_value_t = 30)]
		minutes: u32,
		/// A video visit (default: in person).
		#[arg(long)]
		video: bool,
	},
	/// A doctor's free slots in the coming days.
	Free {
		/// The doctor (SS58 address; `ehr doctor list` shows them).
		doctor: String,
		/// How many days ahead.
		#[arg(long, default_value_t = 14)]
		days: u64,
	},
}

#[derive(Subcommand)]
pub enum AppointmentCommand {
	/// Book a free slot (`ehr slot free <doctor>` lists them).
	///
	/// With --share, the booking carries consent: the doctor may read your records of those
	/// categories from now until --share-hours-after hours after the visit ends (keys shared in
	/// the same transaction as the grant; the grant, its keys and its end are in your trail). By
	/// default nothing is shared.
	///
	/// Example: ehr --key-file me.json appointment book 12 --share observation,lab-report
	Book {
		/// The slot's id.
		slot: u64,
		/// Let the doctor read these categories of your records (comma-separated).
		#[arg(long, value_delimiter = ',', value_enum, value_name = "CATEGORIES")]
		share: Vec<Category>,
		/// How long after the visit the doctor keeps access.
		#[arg(long, default_value_t = 72, value_name = "HOURS", requires = "share")]
		share_hours_after: u64,
	},
	/// Confirm a requested appointment (doctor).
	Confirm {
		/// The appointment's id (`ehr appointment list`).
		id: u64,
	},
	/// Propose another of your free slots (doctor); the patient answers.
	Reschedule {
		/// The appointment's id.
		id: u64,
		/// The new slot's id.
		slot: u64,
	},
	/// Accept or decline the new time a doctor proposed (patient).
	Answer {
		/// The appointment's id.
		id: u64,
		/// Accept the new time.
		#[arg(long, conflicts_with = "decline", required_unless_present = "decline")]
		accept: bool,
		/// Keep the old time.
		#[arg(long)]
		decline: bool,
	},
	/// Cancel (patient or doctor).
	Cancel {
		/// The appointment's id.
		id: u64,
	},
	/// Mark done, once it started (doctor).
	Complete {
		/// The appointment's id.
		id: u64,
	},
	/// Mark that the patient did not come (doctor).
	NoShow {
		/// The appointment's id.
		id: u64,
	},
	/// Your appointments: a patient's all, a doctor's open ones.
	List,
}

/// Reads `text` as a category of the command line, as `--categories` does.
#[cfg(test)]
pub fn category_of(text: &str) -> Option<RecordCategory> {
	<Category as clap::ValueEnum>::from_str(text, false).ok().map(Into::into)
}

/// The JSON of `value` with its `cid` field (binary, hex) in text form (bafk…).
pub fn with_text_cid(mut value: Value) -> Value {
	if let Some(cid) = value.get("cid").and_then(Value::as_str) {
		if let Ok(bytes) = sp_core::bytes::from_hex(cid) {
			value["cid"] = Value::String(ehr_client::cid::to_string(&bytes));
		}
	}
	value
}

/// What was measured, for `ehr vitals add`.
#[derive(Subcommand)]
pub enum VitalsCommand {
	/// Add readings you just took: one record (one transaction) for all of them.
	///
	/// Each becomes a FHIR R4 Observation (vital-signs profile: LOINC code, UCUM unit); all of
	/// one call go into one Observation record, readable by you and the doctors you granted
	/// observations to, whose monitor (`ehr doctor watch`) may alert you.
	///
	/// Example: ehr --key-file me.json vitals add --bp 150/95 --glucose 7.8 --heart-rate 88
	Add {
		/// Blood pressure, systolic/diastolic in mmHg (e.g. 150/95).
		#[arg(long, value_name = "SYS/DIA")]
		bp: Option<String>,
		/// Blood glucose in mmol/L.
		#[arg(long, value_name = "MMOL_L")]
		glucose: Option<f64>,
		/// Heart rate in beats a minute.
		#[arg(long, value_name = "BPM")]
		heart_rate: Option<f64>,
		/// Body temperature in °C.
		#[arg(long, value_name = "CELSIUS")]
		temp: Option<f64>,
		/// Oxygen saturation in %.
		#[arg(long, value_name = "PERCENT")]
		spo2: Option<f64>,
		/// Body weight in kg.
		#[arg(long, value_name = "KG")]
		weight: Option<f64>,
		/// Breaths a minute.
		#[arg(long, value_name = "PER_MIN")]
		respiratory_rate: Option<f64>,
		/// When they were measured, in local time: YYYY-MM-DD HH:MM (default: now).
		#[arg(long, value_name = "DATE TIME")]
		at: Option<String>,
	},
	/// Import readings a home device or phone app exported: a FHIR R4 Bundle of Observations
	/// (or one Observation), validated against the FHIR schema and the vital-signs profile
	/// (LOINC codes, UCUM units); one record, one transaction, for the whole file.
	///
	/// Example: ehr --key-file me.json vitals import readings.json
	Import {
		/// The FHIR JSON file.
		file: PathBuf,
	},
	/// A patient's readings over time, with a chart per measure.
	///
	/// Example: ehr --key-file dr.json vitals list --patient 5FHne… --code 8480-6
	List {
		/// The patient (SS58 address; default: you). A doctor needs consent for observations;
		/// the reads are logged in the patient's trail.
		#[arg(long)]
		patient: Option<String>,
		/// Only this LOINC code (8480-6 systolic, 8462-4 diastolic, 8867-4 heart rate, 15074-8
		/// glucose, 8310-5 temperature, 2708-6 oxygen, 29463-7 weight).
		#[arg(long)]
		code: Option<String>,
	},
}

/// How urgent an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
	/// For information.
	Info,
	/// Act soon (start a medication, book a visit).
	Warning,
	/// Act now (come to the hospital).
	Urgent,
}

impl From<SeverityArg> for ehr_primitives::Severity {
	fn from(severity: SeverityArg) -> Self {
		match severity {
			SeverityArg::Info => ehr_primitives::Severity::Info,
			SeverityArg::Warning => ehr_primitives::Severity::Warning,
			SeverityArg::Urgent => ehr_primitives::Severity::Urgent,
		}
	}
}

#[derive(Subcommand)]
pub enum MessageCommand {
	/// Send an encrypted message to a doctor who cares for you, or (doctors) to a patient you
	/// care for: a current grant or an open appointment between you. The text is encrypted for
	/// the two of you; the chain sees only who, to whom and when.
	///
	/// Example: ehr --key-file dr.json message send 5FHne… "Please come in on Monday" --alert warning
	Send {
		/// The recipient (SS58 address).
		to: String,
		/// The text.
		text: String,
		/// Send it as an alert with this severity (doctors only).
		#[arg(long, value_enum, value_name = "SEVERITY")]
		alert: Option<SeverityArg>,
		/// The record it is about.
		#[arg(long, value_name = "RECORD")]
		about: Option<u64>,
	},
}

/// A hospital's verdict on another hospital's emergency access.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Verdict {
	/// Justified by the patient's condition.
	Justified,
	/// Cannot tell: the doctor's hospital is asked to explain.
	Questionable,
	/// Not justified: the consortium follows up.
	Unjustified,
}

impl From<Verdict> for ehr_primitives::ReviewVerdict {
	fn from(verdict: Verdict) -> Self {
		match verdict {
			Verdict::Justified => Self::Justified,
			Verdict::Questionable => Self::Questionable,
			Verdict::Unjustified => Self::Unjustified,
		}
	}
}

/// What a person does with the custodian's held requests.
#[derive(Subcommand)]
pub enum CustodianCommand {
	/// Approve the held request(s) of a doctor for a patient: the running custodian releases
	/// them on its next pass.
	Approve {
		/// The patient (SS58 address).
		patient: String,
		/// The doctor (SS58 address).
		doctor: String,
	},
	/// What the custodian held for approval and refused, and today's releases per hospital.
	Status,
}
