//! Care between visits: vitals from the patient, alerts from the doctor's monitor, and
//! encrypted messages between a patient and the doctors who care for them.
//!
//! - **Vitals** are FHIR `Observation`s (vital-signs profile) stored as an Observation record:
//!   one record, and one transaction, per `ehr vitals add` or `ehr vitals import`, however many
//!   readings it holds (a Bundle).
//! - **Messages** are FHIR `Communication`s in an envelope on IPFS; the chain keeps who, to whom,
//!   when, the kind (an alert's severity) and the pointer ([`pallet_ehr_messages`]).
//! - **The monitor** ([`Client::watch_pass`]) reads the new Observation records of the doctor's
//!   patients at the finalized block, evaluates the [`Rules`], and alerts the patient.

use std::collections::{BTreeMap, BTreeSet};

use ehr_primitives::{MessageId, MessageKind, Severity};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::*;

/// The largest plaintext the client decrypts into memory (a vitals record, a message).
const MAX_IN_MEMORY: u64 = 16 << 20;

/// The largest message envelope the chain takes.
fn max_message_size() -> u32 {
	<<Runtime as pallet_ehr_messages::Config>::MaxMessageSize as sp_runtime::traits::Get<u32>>::get(
	)
}

/// A message or alert just sent.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
	/// The message's id.
	pub id: MessageId,
	/// The envelope's CID.
	pub cid: String,
	/// The block that holds it.
	pub block_number: u32,
}

/// A message of an inbox, decrypted.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxMessage {
	/// The message's id.
	pub id: MessageId,
	/// Who sent it.
	pub sender: AccountId,
	/// When (ms since the Unix epoch).
	pub sent_at: Moment,
	/// A message, or an alert with its severity.
	pub kind: MessageKind,
	/// The text, if the body could be fetched and decrypted.
	pub text: Option<String>,
	/// The record it is about, if any.
	pub about: Option<RecordId>,
	/// Why the body could not be read, if it could not.
	pub error: Option<String>,
}

/// A message between two accounts as the chain keeps it, listed for one of them: the facts,
/// and what opens its body ([`Client::open_exchanged`]).
#[derive(Clone, Debug)]
pub struct Exchanged {
	/// The message's id.
	pub id: MessageId,
	/// Who sent it.
	pub sender: AccountId,
	/// To whom (whose inbox keeps it).
	pub recipient: AccountId,
	/// When (the block's time, ms since the Unix epoch).
	pub sent_at: Moment,
	/// A message, or an alert with its severity.
	pub kind: MessageKind,
	/// The message as stored (the envelope's CID and size, the wrapped keys).
	stored: pallet_ehr_messages::MessageOf<Runtime>,
}

/// A comparison of an alert rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
	/// Above the threshold.
	#[serde(rename = ">")]
	Above,
	/// At or above.
	#[serde(rename = ">=")]
	AtLeast,
	/// Below.
	#[serde(rename = "<")]
	Below,
	/// At or below.
	#[serde(rename = "<=")]
	AtMost,
}

impl Comparison {
	fn holds(self, value: f64, threshold: f64) -> bool {
		match self {
			Comparison::Above => value > threshold,
			Comparison::AtLeast => value >= threshold,
			Comparison::Below => value < threshold,
			Comparison::AtMost => value <= threshold,
		}
	}

	fn symbol(self) -> &'static str {
		match self {
			Comparison::Above => ">",
			Comparison::AtLeast => ">=",
			Comparison::Below => "<",
			Comparison::AtMost => "<=",
		}
	}
}

/// One alert rule: when a reading of `code` compares to `threshold`, alert with `severity`
/// and `message`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
	/// The LOINC code of the reading (a blood pressure's systolic `8480-6`, diastolic `8462-4`).
	pub code: String,
	/// `>`, `>=`, `<` or `<=`.
	pub comparison: Comparison,
	/// The threshold, in the reading's UCUM unit.
	pub threshold: f64,
	/// How urgent the alert is.
	pub severity: Severity,
	/// What the patient is told to do.
	pub message: String,
}

/// The rules of a monitor: defaults for every patient, and per patient rules that replace the
/// defaults for the codes they name (a JSON file, see docs/guides/care.md).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rules {
	/// Rules for every patient; without it, [`Rules::defaults`].
	#[serde(default)]
	pub defaults: Option<Vec<Rule>>,
	/// Rules for one patient (SS58 address), replacing the defaults of the codes they name.
	#[serde(default)]
	pub patients: BTreeMap<String, Vec<Rule>>,
}

fn rule(
	code: &str,
	comparison: Comparison,
	threshold: f64,
	severity: Severity,
	message: &str,
) -> Rule {
	Rule { code: code.into(), comparison, threshold, severity, message: message.into() }
}

impl Rules {
	/// The defaults for common vital signs (adult thresholds; a doctor tightens or loosens them
	/// per patient).
	pub fn defaults() -> Vec<Rule> {
		use Comparison::*;
		use Severity::*;
		vec![
			rule("8480-6", AtLeast, 180.0, Urgent, "Your blood pressure is very high: come to the hospital now."),
			rule("8480-6", AtLeast, 140.0, Warning, "Your blood pressure is high: start the medication we agreed on and measure again tomorrow."),
			rule("8480-6", Below, 90.0, Warning, "Your blood pressure is low: sit down, drink water, and call us if you feel faint."),
			rule("8462-4", AtLeast, 120.0, Urgent, "Your blood pressure is very high: come to the hospital now."),
			rule("8462-4", AtLeast, 90.0, Warning, "Your blood pressure is high: start the medication we agreed on and measure again tomorrow."),
			rule("8867-4", Above, 120.0, Warning, "Your heart rate is high at rest: rest and measure again; call us if it stays high."),
			rule("8867-4", Below, 45.0, Warning, "Your heart rate is low: call us if you feel dizzy or faint."),
			rule("2708-6", Below, 90.0, Urgent, "Your oxygen level is too low: come to the hospital now."),
			rule("2708-6", Below, 94.0, Warning, "Your oxygen level is low: measure again and call us if it stays below 94%."),
			rule("8310-5", AtLeast, 39.0, Warning, "You have a high fever: take paracetamol and call us if it lasts."),
			rule("8310-5", Below, 35.0, Urgent, "Your temperature is very low: come to the hospital now."),
			rule("15074-8", Below, 3.9, Urgent, "Your blood sugar is too low: take sugar now, and come to the hospital if it does not rise."),
			rule("15074-8", Above, 13.9, Warning, "Your blood sugar is high: follow your insulin plan and measure again in two hours."),
		]
	}

	/// The rules for `patient`: the defaults, less the codes the patient's own rules name, plus
	/// those.
	pub fn for_patient(&self, patient: &AccountId) -> Vec<Rule> {
		let defaults = self.defaults.clone().unwrap_or_else(Self::defaults);
		// Any SS58 spelling of the patient's account (another network's prefix) names it.
		let own: Vec<Rule> = self
			.patients
			.iter()
			.filter(|(address, _)| {
				AccountId::from_ss58check(address).ok().as_ref() == Some(patient)
			})
			.flat_map(|(_, rules)| rules.iter().cloned())
			.collect();
		let replaced: BTreeSet<String> = own.iter().map(|r| r.code.clone()).collect();
		defaults.into_iter().filter(|r| !replaced.contains(&r.code)).chain(own).collect()
	}

	/// Checks the patients' addresses; returns the rules.
	pub fn checked(self) -> Result<Rules, Error> {
		for address in self.patients.keys() {
			AccountId::from_ss58check(address).map_err(|_| {
				Error::Usage(format!("rules file: {address} is not an SS58 account address"))
			})?;
		}
		Ok(self)
	}
}

/// What fired for one reading: the rule, and the reading.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fired {
	/// The patient.
	pub patient: AccountId,
	/// The record the reading is in.
	pub record: RecordId,
	/// The reading.
	pub reading: fhir::Reading,
	/// The rule (the most severe that held for this reading).
	pub rule: Rule,
	/// The alert sent, unless a dry run (or the send failed: then `error`).
	pub alert: Option<MessageId>,
	/// Why the alert could not be sent.
	pub error: Option<String>,
}

impl Fired {
	/// The rule in words, with the reading: `8480-6 150 mm[Hg] >= 140`.
	pub fn explain(&self) -> String {
		format!(
			"{} {} {} {} {}",
			clean(&self.reading.display, 80).replace('\n', " "),
			self.reading.value,
			clean(&self.reading.unit, 20).replace('\n', " "),
			self.rule.comparison.symbol(),
			self.rule.threshold
		)
	}
}

/// Text from a record or a message made safe to print and to send: control characters and
/// whitespace other than spaces and line breaks become spaces (no forged lines or terminal
/// escapes; FHIR strings allow no other whitespace), at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
	text.chars()
		.map(|c| {
			if c == '\n' || c == ' ' {
				c
			} else if c.is_control() || c.is_whitespace() {
				' '
			} else {
				c
			}
		})
		.take(max)
		.collect()
}

/// The most severe rule of `rules` that holds for each reading. A reading of a measure the
/// client knows, in another unit than the measure's (°F for a temperature in °C), is not
/// compared: its number means something else.
pub fn evaluate(rules: &[Rule], readings: &[fhir::Reading]) -> Vec<(fhir::Reading, Rule)> {
	readings
		.iter()
		.filter(|reading| {
			fhir::measure(&reading.code).is_none_or(|m| m.unit.is_empty() || m.unit == reading.unit)
		})
		.filter_map(|reading| {
			rules
				.iter()
				.filter(|r| {
					r.code == reading.code && r.comparison.holds(reading.value, r.threshold)
				})
				.max_by_key(|r| r.severity)
				.map(|r| (reading.clone(), r.clone()))
		})
		.collect()
}

/// What the monitor has seen, kept between passes and runs (a file per chain and doctor).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchState {
	/// The Observation records already evaluated.
	pub seen: BTreeSet<RecordId>,
	/// Whether the first pass ran (it takes what exists as seen, without alerting).
	pub started: bool,
	/// Records that could not be read, with the number of failed passes (given up after
	/// [`MAX_ATTEMPTS`]).
	#[serde(default)]
	pub failures: BTreeMap<RecordId, u32>,
}

/// Passes a record that cannot be read (its envelope unavailable, not JSON, too large) is tried
/// in before the monitor gives up on it and reports so: one patient's unreadable records must
/// not slow every pass for all the others forever.
pub const MAX_ATTEMPTS: u32 = 3;

/// The longest a monitor waits for one record's envelope.
const FETCH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// What one pass of the monitor did.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchPass {
	/// The doctor's patients.
	pub patients: usize,
	/// Records evaluated in this pass.
	pub evaluated: Vec<RecordId>,
	/// Records taken as seen without alerting (the first pass).
	pub baseline: usize,
	/// What fired.
	pub fired: Vec<Fired>,
	/// Records that could not be read, and why.
	pub unreadable: Vec<(RecordId, String)>,
	/// Records given up on after [`MAX_ATTEMPTS`] failed passes.
	pub given_up: Vec<RecordId>,
	/// The finalized block the pass read.
	pub block: Option<Hash>,
}

impl Client {
	/// Whether `who` is a doctor in the directory.
	async fn is_doctor(&self, who: &AccountId) -> Result<bool, Error> {
		let key = pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(who);
		Ok(self
			.chain
			.storage::<pallet_ehr_identity::DoctorOf<Runtime>>(&key, None)
			.await?
			.is_some())
	}

	/// Encrypts `body` (JSON) for `readers` and stores it; returns (CID, envelope size, keys in
	/// the order of `readers`).
	async fn seal_json(
		&self,
		body: &Value,
		readers: &[(AccountId, [u8; 32])],
	) -> Result<(Vec<u8>, u64, Vec<Vec<u8>>), Error> {
		let plain = tempfile::NamedTempFile::new()?;
		std::fs::write(plain.path(), serde_json::to_vec(body).expect("JSON serializes"))?;
		let (summary, cid, keys, _) = self.seal(plain.path(), readers, &mut |_, _| ()).await?;
		Ok((cid, summary.envelope_len, keys.into_iter().map(|(_, key)| key).collect()))
	}

	/// Sends `text` to `recipient` as a message, or (doctors) an alert of `kind`, about `about`
	/// if given. The body is a FHIR `Communication`, encrypted for the recipient and the sender.
	pub async fn send_message(
		&self,
		sender: &Keys,
		recipient: &AccountId,
		kind: MessageKind,
		text: &str,
		about: Option<RecordId>,
	) -> Result<Sent, Error> {
		let me = sender.account_id();
		let recipient_key = match self.verified().await? {
			Some(state) => state.encryption_key(recipient).await?,
			None => self.chain.encryption_key(recipient).await?,
		}
		.filter(ehr_primitives::is_usable_encryption_key)
		.ok_or_else(|| {
			Error::Refused(format!(
				"{recipient} has no usable encryption key: messages go between a registered \
				 patient and a doctor with a key"
			))
		})?;
		let patient = if self.is_doctor(recipient).await? { me.clone() } else { recipient.clone() };
		let now = self.chain.now().await?;
		let body = fhir::communication(&me, recipient, &patient, kind, text, about, now);
		fhir::validate(&body).map_err(|problems| {
			Error::Invalid(format!("the message is not valid FHIR:\n{}", fhir::describe(&problems)))
		})?;
		let readers = [(recipient.clone(), recipient_key), (me.clone(), sender.encryption_key())];
		let (cid, size, mut keys) = self.seal_json(&body, &readers).await?;
		let max = max_message_size();
		if size > u64::from(max) {
			let _ = self.store.unpin(&cid).await;
			return Err(Error::Usage(format!(
				"the message is {size} bytes encrypted, more than the {max} a message may be: \
				 upload a long text as a record instead"
			)));
		}
		let sender_key = keys.pop().unwrap_or_default();
		let recipient_wrapped = keys.pop().unwrap_or_default();
		let too_long = |_| Error::Invalid("a value is longer than the chain allows".into());
		let call = RuntimeCall::Messages(pallet_ehr_messages::Call::send {
			recipient: recipient.clone(),
			kind,
			cid: cid.clone().try_into().map_err(too_long)?,
			size: size as u32,
			recipient_key: recipient_wrapped.try_into().map_err(too_long)?,
			sender_key: sender_key.try_into().map_err(too_long)?,
		});
		let included = self.submit_or_unpin(sender, call, &cid).await?;
		let id = included
			.events
			.iter()
			.find_map(|event| match event {
				ehr_runtime::RuntimeEvent::Messages(pallet_ehr_messages::Event::MessageSent {
					id,
					..
				}) => Some(*id),
				_ => None,
			})
			.ok_or_else(|| Error::Node("no MessageSent event".into()))?;
		Ok(Sent { id, cid: cid::to_string(&cid), block_number: included.number })
	}

	/// The messages in `me`'s inbox, oldest first, decrypted: at the block the client verified
	/// final (with `--chain-spec`: each message read with a proof, so a node cannot forge one),
	/// otherwise at `at` (or the best block) as the node says. A body larger than the chain
	/// allows is not fetched; a body that names another sender or recipient than the chain does
	/// (a copy of someone else's message, sent again under another name) is not shown.
	pub async fn inbox(&self, me: &Keys, at: Option<Hash>) -> Result<Vec<InboxMessage>, Error> {
		let account = me.account_id();
		let prefix =
			[chain::storage_prefix(b"Messages", b"Inbox"), chain::blake2_128_concat(&account)]
				.concat();
		let state = self.verified().await?;
		let at = match &state {
			Some(state) => Some(state.header().hash()),
			None => at,
		};
		let keys = self.chain.keys_under(&prefix, at).await?;
		let proven = match &state {
			Some(state) => Some(state.read(&keys).await?),
			None => None,
		};
		let mut messages = Vec::new();
		for key in keys {
			let stored = match &proven {
				Some(values) => verified::decode::<pallet_ehr_messages::MessageOf<Runtime>>(
					"message",
					values.get(&key),
				)?,
				None => {
					self.chain.storage::<pallet_ehr_messages::MessageOf<Runtime>>(&key, at).await?
				}
			};
			let Some(stored) = stored else { continue };
			let Some(id) = chain::twox64_concat_id(&key, prefix.len()) else { continue };
			let body = self.open_message(me, &stored, &account).await;
			let (text, about, error) = match body {
				Ok(body) => (
					fhir::communication_text(&body).map(|text| clean(text, 8_000)),
					body["about"][0]["identifier"]["value"].as_str().and_then(|v| v.parse().ok()),
					None,
				),
				Err(error) => (None, None, Some(error.to_string())),
			};
			messages.push(InboxMessage {
				id,
				sender: stored.sender,
				sent_at: stored.sent_at,
				kind: stored.kind,
				text,
				about,
				error,
			});
		}
		messages.sort_by_key(|m| m.id);
		Ok(messages)
	}

	/// The body of `stored`, a message to `recipient`, opened by `me` (its recipient or its
	/// sender, with the key wrapped for each): the FHIR `Communication` as its sender wrote it.
	/// A body larger than the chain allows is not fetched; a body that names another sender or
	/// recipient than the chain does (a copy of someone else's message, sent again under
	/// another name) is refused.
	async fn open_message(
		&self,
		me: &Keys,
		stored: &pallet_ehr_messages::MessageOf<Runtime>,
		recipient: &AccountId,
	) -> Result<Value, Error> {
		let max = max_message_size();
		if stored.size > max {
			return Err(Error::Refused(format!(
				"the body is larger ({} bytes) than a message may be",
				stored.size
			)));
		}
		let wrapped = if *recipient == me.account_id() {
			&stored.recipient_key
		} else if stored.sender == me.account_id() {
			&stored.sender_key
		} else {
			return Err(Error::Refused("only its sender and its recipient open a message".into()));
		};
		let (plain, _) =
			self.open_in_memory(me, wrapped, &stored.cid, u64::from(stored.size)).await?;
		let body = serde_json::from_slice::<Value>(&plain)
			.map_err(|e| Error::Invalid(format!("the content is not JSON: {e}")))?;
		if !fhir::names_parties(&body, &stored.sender.to_ss58check(), &recipient.to_ss58check()) {
			return Err(Error::Refused(
				"the body names another sender or recipient than the chain (a copy of someone \
				 else's message, sent again): not shown"
					.into(),
			));
		}
		Ok(body)
	}

	/// The messages `me` and `other` exchanged that their inboxes still keep (at most
	/// [`pallet_ehr_messages::Config::MaxKeptPerSender`] each way), newest first, as the chain
	/// keeps them (bodies are opened with [`Client::open_exchanged`]). Read as [`Client::inbox`]
	/// reads (with proofs when the client verifies).
	pub async fn conversation(
		&self,
		me: &Keys,
		other: &AccountId,
	) -> Result<Vec<Exchanged>, Error> {
		let mine = me.account_id();
		let ways = [(mine.clone(), other.clone()), (other.clone(), mine.clone())];
		let kept_keys: Vec<Vec<u8>> = ways
			.iter()
			.map(|(recipient, sender)| {
				pallet_ehr_messages::Kept::<Runtime>::hashed_key_for(recipient, sender)
			})
			.collect();
		let kept: Vec<Vec<MessageId>> = self.read_values("kept messages", &kept_keys).await?;
		let mut wanted = Vec::new();
		for ((recipient, _), ids) in ways.iter().zip(kept) {
			wanted.extend(ids.into_iter().map(|id| (recipient.clone(), id)));
		}
		let keys: Vec<Vec<u8>> = wanted
			.iter()
			.map(|(recipient, id)| {
				pallet_ehr_messages::Inbox::<Runtime>::hashed_key_for(recipient, id)
			})
			.collect();
		let stored: Vec<Option<pallet_ehr_messages::MessageOf<Runtime>>> =
			self.read_optional("message", &keys).await?;
		let mut messages = Vec::new();
		for ((recipient, id), stored) in wanted.into_iter().zip(stored) {
			let Some(stored) = stored else { continue };
			messages.push(Exchanged {
				id,
				sender: stored.sender.clone(),
				recipient,
				sent_at: stored.sent_at,
				kind: stored.kind,
				stored,
			});
		}
		messages.sort_by(|a, b| (b.sent_at, b.id).cmp(&(a.sent_at, a.id)));
		Ok(messages)
	}

	/// Message `id` of `recipient`'s inbox if `me` is its sender or recipient; `None` if the
	/// inbox does not keep it (never sent, or removed by its recipient) or it is not `me`'s.
	pub async fn message(
		&self,
		me: &Keys,
		recipient: &AccountId,
		id: MessageId,
	) -> Result<Option<Exchanged>, Error> {
		let key = pallet_ehr_messages::Inbox::<Runtime>::hashed_key_for(recipient, id);
		let [stored] = <[Option<pallet_ehr_messages::MessageOf<Runtime>>; 1]>::try_from(
			self.read_optional("message", &[key]).await?,
		)
		.map_err(|_| Error::Node("one value was asked".into()))?;
		let Some(stored) = stored else { return Ok(None) };
		if stored.sender != me.account_id() && *recipient != me.account_id() {
			return Ok(None);
		}
		Ok(Some(Exchanged {
			id,
			sender: stored.sender.clone(),
			recipient: recipient.clone(),
			sent_at: stored.sent_at,
			kind: stored.kind,
			stored,
		}))
	}

	/// The body of `message`, opened by `me` (its sender or recipient): the FHIR
	/// `Communication` as its sender wrote it, checked to name the chain's sender and recipient.
	pub async fn open_exchanged(&self, me: &Keys, message: &Exchanged) -> Result<Value, Error> {
		self.open_message(me, &message.stored, &message.recipient).await
	}

	/// The values at `keys` (absent ones as `None`): with proofs at the verified block when
	/// the client verifies, otherwise as the node says at its best block.
	pub(crate) async fn read_optional<T: codec::Decode>(
		&self,
		what: &str,
		keys: &[Vec<u8>],
	) -> Result<Vec<Option<T>>, Error> {
		match self.verified().await? {
			Some(state) => {
				let values = state.read(keys).await?;
				keys.iter().map(|key| verified::decode::<T>(what, values.get(key))).collect()
			}
			None => {
				let mut all = Vec::with_capacity(keys.len());
				for key in keys {
					all.push(self.chain.storage::<T>(key, None).await?);
				}
				Ok(all)
			}
		}
	}

	/// [`Self::read_optional`] of values with a default (`ValueQuery` storage).
	pub(crate) async fn read_values<T: codec::Decode + Default>(
		&self,
		what: &str,
		keys: &[Vec<u8>],
	) -> Result<Vec<T>, Error> {
		Ok(self
			.read_optional(what, keys)
			.await?
			.into_iter()
			.map(Option::unwrap_or_default)
			.collect())
	}

	/// Fetches (at most `limit` bytes) and decrypts into memory the envelope at `cid` with the
	/// key `wrapped` for `me`: the plaintext, and the envelope's summary (its commitment).
	async fn open_in_memory(
		&self,
		me: &Keys,
		wrapped: &[u8],
		cid: &[u8],
		limit: u64,
	) -> Result<(Vec<u8>, envelope::Summary), Error> {
		let key = me.unwrap(wrapped)?;
		let sealed = tempfile::NamedTempFile::new()?;
		self.store.get_limited(cid, sealed.path(), Some(limit)).await?;
		let mut plain = Vec::new();
		let summary = envelope::decrypt(
			&key,
			std::io::BufReader::new(std::fs::File::open(sealed.path())?),
			&mut plain,
			|_| (),
		)?;
		Ok((plain, summary))
	}

	/// Removes messages from `me`'s inbox on chain.
	pub async fn remove_messages(&self, me: &Keys, ids: Vec<MessageId>) -> Result<Included, Error> {
		let ids = ids
			.try_into()
			.map_err(|_| Error::Usage("at most 64 messages are removed at a time".into()))?;
		self.chain
			.submit(me, RuntimeCall::Messages(pallet_ehr_messages::Call::remove { ids }))
			.await
	}

	/// Stores `observations` (FHIR Observations) of `patient` as one Observation record: a
	/// Bundle, checked against the schema and the vital-signs profile first.
	pub async fn add_vitals(
		&self,
		author: &Keys,
		patient: &AccountId,
		readings: Value,
	) -> Result<Uploaded, Error> {
		let invalid = |problems: Vec<fhir::Problem>| {
			Error::Usage(format!(
				"the readings are not valid FHIR R4:\n{}",
				fhir::describe(&problems)
			))
		};
		fhir::validate(&readings).map_err(invalid)?;
		fhir::check_readings(&readings).map_err(invalid)?;
		let plain = tempfile::NamedTempFile::new()?;
		std::fs::write(plain.path(), serde_json::to_vec(&readings).expect("JSON serializes"))?;
		self.upload(author, patient, RecordCategory::Observation, plain.path(), |_, _| ()).await
	}

	/// Opens record `id` with `reader`'s key into memory (at most 16 MiB of plaintext), checks
	/// its commitment, and parses it as JSON. Logs nothing: the caller logs the reads
	/// ([`Client::log_reads`]).
	pub async fn open_record_json(
		&self,
		reader: &Keys,
		record: &RecordInfo,
	) -> Result<Value, Error> {
		let wrapped = record
			.wrapped_key
			.as_ref()
			.ok_or_else(|| Error::Refused(format!("record {} holds no key for you", record.id)))?;
		if record.size > MAX_IN_MEMORY {
			return Err(Error::Refused(format!("record {} is too large to read here", record.id)));
		}
		let (plain, summary) =
			self.open_in_memory(reader, wrapped, &record.cid, record.size).await?;
		if summary.content_hash[..] != record.content_hash[..] {
			return Err(Error::HashMismatch);
		}
		serde_json::from_slice(&plain)
			.map_err(|e| Error::Invalid(format!("record {} is not JSON: {e}", record.id)))
	}

	/// Logs `reader`'s reads of `records` (all of `patient`) in the patient's trail, in one
	/// transaction. With an outbox, the entry is checked against the newest block (a revoked
	/// grant is refused here), signed and queued on disk, and handed to the node
	/// ([`ReadLog::Queued`]); without one, this waits for it to be in a block
	/// ([`ReadLog::InBlock`]). Either way a refusal comes back before anything is shown.
	/// Nothing is logged (`None`) for the patient's own reads or no records.
	pub async fn log_reads(
		&self,
		reader: &Keys,
		patient: &AccountId,
		records: &[&RecordInfo],
	) -> Result<Option<ReadLog>, Error> {
		if records.is_empty() || reader.account_id() == *patient {
			return Ok(None);
		}
		let records: Vec<_> = records.iter().map(|r| (r.id, r.category)).collect();
		Ok(Some(match &self.outbox {
			Some(outbox) => {
				ReadLog::Queued(outbox.log_reads(&self.chain, reader, patient, &records).await?)
			}
			None => {
				let call = outbox::log_call(patient, &records);
				let included = self.chain.submit_until(reader, call, chain::Wait::InBlock).await?;
				ReadLog::InBlock(included.number)
			}
		}))
	}

	/// The readings in `patient`'s Observation records that `reader` holds a key for, newest
	/// record last; a reader other than the patient has the reads logged in the trail.
	pub async fn vitals(
		&self,
		reader: &Keys,
		patient: &AccountId,
	) -> Result<Vec<(RecordInfo, Vec<fhir::Reading>)>, Error> {
		let me = reader.account_id();
		let mut found = Vec::new();
		let mut read = Vec::new();
		for listed in self.records(patient, Some(RecordCategory::Observation)).await? {
			let record = self.record(listed.id, Some(&me)).await?;
			if record.erased || record.wrapped_key.is_none() {
				continue;
			}
			let value = self.open_record_json(reader, &record).await?;
			read.push(record.clone());
			found.push((record, fhir::readings(&value)));
		}
		self.log_reads(reader, patient, &read.iter().collect::<Vec<_>>()).await?;
		Ok(found)
	}

	/// One pass of a doctor's monitor: every Observation record of the doctor's patients, at
	/// the finalized block (with `--chain-spec`, the block the client verified final, each
	/// record read with a proof), that the doctor holds a key for and `state` has not seen, is
	/// read, its reads logged in the patient's trail, and evaluated against `rules`; what fires is
	/// sent to the record's patient as one alert (the most severe rule's message, with every
	/// reading that fired), unless `dry_run`. The first pass of a new `state` only notes the
	/// records that exist (`dry_run` shows what they would fire). A record that cannot be read is
	/// tried again next pass, at most [`MAX_ATTEMPTS`] times; an alert that cannot be sent,
	/// next pass.
	pub async fn watch_pass(
		&self,
		doctor: &Keys,
		rules: &Rules,
		state: &mut WatchState,
		dry_run: bool,
	) -> Result<WatchPass, Error> {
		let me = doctor.account_id();
		let verified = self.verified().await?;
		let at = match &verified {
			Some(verified) => verified.header().hash(),
			None => self.chain.finalized().await?,
		};
		let patients = self.patients_of(&me).await?;
		let mut pass =
			WatchPass { patients: patients.len(), block: Some(at), ..Default::default() };
		let baseline = !state.started && !dry_run;
		for patient in patients {
			let listed = self
				.rpc()
				.patient_records(patient.clone(), Some(RecordCategory::Observation), Some(at))
				.await
				.map_err(rpc_error("ehr_patientRecords"))?;
			let mut read = Vec::new();
			let patient_rules = rules.for_patient(&patient);
			for listed in listed {
				if listed.erased || (state.seen.contains(&listed.id) && !dry_run) {
					continue;
				}
				if baseline {
					state.seen.insert(listed.id);
					pass.baseline += 1;
					continue;
				}
				let record = match &verified {
					Some(verified) => verified
						.record(listed.id, Some(&me))
						.await?
						.map(|(record, key)| verified::record_info(listed.id, record, key)),
					None => self
						.rpc()
						.record(listed.id, Some(me.clone()), Some(at))
						.await
						.map_err(rpc_error("ehr_record"))?,
				};
				// The record must be what the list says: this patient's observation, not
				// erased. (A node listing another patient's record here would have the alert go
				// to the wrong person.)
				let Some(record) = record.filter(|record| {
					record.patient == patient
						&& record.category == RecordCategory::Observation
						&& !record.erased
				}) else {
					continue;
				};
				if record.wrapped_key.is_none() {
					// Not shared with this doctor (yet): looked at again next pass.
					continue;
				}
				let opened =
					tokio::time::timeout(FETCH_DEADLINE, self.open_record_json(doctor, &record))
						.await
						.unwrap_or_else(|_| {
							Err(Error::Storage(format!(
								"the envelope did not arrive within {} s",
								FETCH_DEADLINE.as_secs()
							)))
						});
				let value = match opened {
					Ok(value) => value,
					Err(error) => {
						let failures = state.failures.entry(record.id).or_default();
						*failures += 1;
						if *failures >= MAX_ATTEMPTS && !dry_run {
							state.seen.insert(record.id);
							state.failures.remove(&record.id);
							pass.given_up.push(record.id);
						}
						pass.unreadable.push((record.id, error.to_string()));
						continue;
					}
				};
				state.failures.remove(&record.id);
				pass.evaluated.push(record.id);
				read.push(record.clone());
				let fired = evaluate(&patient_rules, &fhir::readings(&value));
				let mut this_record: Vec<Fired> = fired
					.into_iter()
					.map(|(reading, rule)| Fired {
						patient: patient.clone(),
						record: record.id,
						reading,
						rule,
						alert: None,
						error: None,
					})
					.collect();
				if !dry_run {
					if let Some(worst) = this_record.iter().max_by_key(|f| f.rule.severity).cloned()
					{
						let details: Vec<String> = this_record.iter().map(Fired::explain).collect();
						let text = clean(
							&format!(
								"{}\n(Record {}: {}{}.)",
								worst.rule.message,
								record.id,
								details.join("; "),
								worst
									.reading
									.effective
									.as_ref()
									.map(|at| format!(
										", measured {}",
										fhir::readable(&clean(at, 40))
									))
									.unwrap_or_default()
							),
							2_000,
						);
						let kind = MessageKind::Alert { severity: worst.rule.severity };
						match self
							.send_message(doctor, &patient, kind, &text, Some(record.id))
							.await
						{
							Ok(sent) => {
								this_record.iter_mut().for_each(|f| f.alert = Some(sent.id))
							}
							Err(error) => {
								// Not seen: the alert is tried again on the next pass.
								this_record
									.iter_mut()
									.for_each(|f| f.error = Some(error.to_string()));
								pass.fired.extend(this_record);
								continue;
							}
						}
					}
					state.seen.insert(record.id);
				}
				pass.fired.extend(this_record);
			}
			// Every read is logged, a dry run's too: it decrypted the records.
			if let Err(error) =
				self.log_reads(doctor, &patient, &read.iter().collect::<Vec<_>>()).await
			{
				pass.unreadable.push((0, format!("logging the reads of {patient}: {error}")));
			}
		}
		if !dry_run {
			state.started = true;
		}
		Ok(pass)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn reading(code: &str, value: f64) -> fhir::Reading {
		fhir::Reading {
			code: code.into(),
			display: code.into(),
			value,
			unit: "mm[Hg]".into(),
			effective: None,
		}
	}

	#[test]
	fn inbox_keys_are_read_as_the_runtime_writes_them() {
		let account = AccountId::new([7; 32]);
		let key = pallet_ehr_messages::Inbox::<Runtime>::hashed_key_for(&account, 42);
		let prefix =
			[chain::storage_prefix(b"Messages", b"Inbox"), chain::blake2_128_concat(&account)]
				.concat();
		assert!(key.starts_with(&prefix));
		assert_eq!(chain::twox64_concat_id(&key, prefix.len()), Some(42));
	}

	#[test]
	fn the_most_severe_rule_fires_once_per_reading() {
		let rules = Rules::defaults();
		let fired = evaluate(&rules, &[reading("8480-6", 185.0), reading("8462-4", 95.0)]);
		assert_eq!(fired.len(), 2);
		assert_eq!(fired[0].1.severity, Severity::Urgent);
		assert_eq!(fired[1].1.severity, Severity::Warning);
		assert!(evaluate(&rules, &[reading("8480-6", 120.0), reading("8462-4", 80.0)]).is_empty());
	}

	#[test]
	fn readings_in_another_unit_are_not_compared_and_text_is_cleaned() {
		let mut fahrenheit = reading("8310-5", 102.0);
		fahrenheit.unit = "[degF]".into();
		assert!(evaluate(&Rules::defaults(), &[fahrenheit]).is_empty());
		let mut celsius = reading("8310-5", 39.5);
		celsius.unit = "Cel".into();
		assert_eq!(evaluate(&Rules::defaults(), &[celsius]).len(), 1);
		assert_eq!(clean("a\u{1b}[2Jb\u{a0}c\nd\te", 100), "a [2Jb c\nd e");
		assert_eq!(clean("abcdef", 3), "abc");
	}

	#[test]
	fn a_patients_rules_replace_the_defaults_of_their_codes() {
		let patient = AccountId::new([1; 32]);
		let file = format!(
			r#"{{"patients": {{"{}": [{{"code": "8480-6", "comparison": ">=", "threshold": 130,
			"severity": "warning", "message": "Above your target of 130."}}]}}}}"#,
			patient.to_ss58check()
		);
		let rules: Rules = serde_json::from_str(&file).unwrap();
		let rules = rules.checked().unwrap();
		let own = rules.for_patient(&patient);
		let fired = evaluate(&own, &[reading("8480-6", 185.0)]);
		// The patient's rule replaced both default systolic rules: a warning, not urgent.
		assert_eq!(fired[0].1.message, "Above your target of 130.");
		assert_eq!(evaluate(&own, &[reading("8480-6", 132.0)]).len(), 1);
		// Another patient keeps the defaults; diastolic defaults stay for this one.
		assert!(evaluate(
			&rules.for_patient(&AccountId::new([2; 32])),
			&[reading("8480-6", 132.0)]
		)
		.is_empty());
		assert_eq!(evaluate(&own, &[reading("8462-4", 125.0)])[0].1.severity, Severity::Urgent);
		let unknown: Result<Rules, _> = serde_json::from_str(r#"{"rulez": []}"#);
		assert!(unknown.is_err());
	}
}
