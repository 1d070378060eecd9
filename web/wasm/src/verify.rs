//! The checks of `ehr-verify` for the page: the browser follows GRANDPA finality from the chain
//! spec itself and reads what it acts on with storage proofs against the block it verified, as
//! the `ehr` command does. The node's answers cross in as JSON or SCALE bytes exactly as the node
//! sent them; the storage keys are computed here; nothing the page acts on comes from the node
//! unproven.
//!
//! Accounts cross as `0x`-hex of the 32 bytes (the page writes them in SS58). Errors are the
//! message the page shows.

use codec::{Decode, Encode};
use ehr_verify::{
	finality::{self, Checkpoint, FinalityProof},
	state::{self, AccountId, Values},
	trail,
};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::{account_hex, audit_entry_json, category, error, parse_category};

fn account(text: &str) -> Result<AccountId, String> {
	crate::account32(text).map(AccountId::new)
}

fn hex0x(bytes: impl AsRef<[u8]>) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn keys_json(keys: &[Vec<u8>]) -> String {
	Value::from(keys.iter().map(hex0x).collect::<Vec<_>>()).to_string()
}

/// A list of hex strings (the node's JSON).
fn hex_list(json: &str, what: &str) -> Result<Vec<Vec<u8>>, String> {
	let list: Vec<String> = serde_json::from_str(json)
		.map_err(|_| error(format!("the node's {what} is not a list of hex strings")))?;
	list.iter()
		.map(|item| hex::decode(item.strip_prefix("0x").unwrap_or(item)))
		.collect::<Result<_, _>>()
		.map_err(|_| error(format!("the node's {what} is not a list of hex strings")))
}

/// The storage keys to prove for `Timestamp::Now` (JSON list of hex).
#[wasm_bindgen(js_name = keysForNow)]
pub fn keys_for_now() -> String {
	keys_json(&[state::keys::now()])
}

/// The storage keys to prove for `who`'s encryption key.
#[wasm_bindgen(js_name = keysForEncryptionKey)]
pub fn keys_for_encryption_key(who: &str) -> Result<String, String> {
	Ok(keys_json(&state::keys::encryption_key(&account(who)?)))
}

/// The storage keys to prove for the doctor `who`.
#[wasm_bindgen(js_name = keysForDoctor)]
pub fn keys_for_doctor(who: &str) -> Result<String, String> {
	Ok(keys_json(&[state::keys::doctor(&account(who)?)]))
}

/// The storage keys to prove for appointment `id`.
#[wasm_bindgen(js_name = keysForAppointment)]
pub fn keys_for_appointment(id: f64) -> Result<String, String> {
	Ok(keys_json(&[state::keys::appointment(crate::record_number(id)?)]))
}

/// The storage keys to prove for `patient`'s grant to `grantee`.
#[wasm_bindgen(js_name = keysForGrant)]
pub fn keys_for_grant(patient: &str, grantee: &str) -> Result<String, String> {
	Ok(keys_json(&[state::keys::grant(&account(patient)?, &account(grantee)?)]))
}

/// The storage keys to prove for the escrow committee and `patient`'s openable categories.
#[wasm_bindgen(js_name = keysForEscrow)]
pub fn keys_for_escrow(patient: &str) -> Result<String, String> {
	Ok(keys_json(&state::escrow_keys(&account(patient)?)))
}

/// The storage keys to prove for whether `doctor` may be written to by (or write to) `patient`:
/// the doctor's entry, the patient's grant to the doctor, and slot `slot` if given.
#[wasm_bindgen(js_name = keysForCare)]
pub fn keys_for_care(patient: &str, doctor: &str, slot: Option<f64>) -> Result<String, String> {
	let (patient, doctor) = (account(patient)?, account(doctor)?);
	let mut keys = vec![state::keys::doctor(&doctor), state::keys::grant(&patient, &doctor)];
	if let Some(slot) = slot {
		keys.push(state::keys::slot(crate::record_number(slot)?));
	}
	Ok(keys_json(&keys))
}

/// The storage keys to prove for who escrowed record `record` and `member`'s share epoch.
#[wasm_bindgen(js_name = keysForEscrowed)]
pub fn keys_for_escrowed(record: f64, member: &str) -> Result<String, String> {
	let record = crate::record_number(record)?;
	Ok(keys_json(&[
		state::keys::escrowed_by(record),
		state::keys::escrowed_share(record, &account(member)?),
	]))
}

/// The prefix under which the node lists `recipient`'s messages (`state_getKeysPaged`).
#[wasm_bindgen(js_name = inboxPrefix)]
pub fn inbox_prefix(recipient: &str) -> Result<String, String> {
	Ok(hex0x(state::keys::inbox_of(&account(recipient)?)))
}

/// The newest `newest` of the messages the node listed for `recipient` (JSON list of hex keys,
/// at most `max`; the ids are in the keys), each checked to be of this inbox.
fn newest_messages(
	recipient: &AccountId,
	listed: &str,
	max: u32,
	newest: u32,
) -> Result<Vec<u64>, String> {
	let mut ids = state::listed_messages(recipient, &hex_list(listed, "message list")?, max)
		.map_err(error)?;
	ids.sort_unstable_by(|a, b| b.cmp(a));
	ids.dedup();
	ids.truncate(newest as usize);
	Ok(ids)
}

/// The storage keys to prove for the newest `newest` messages the node listed (JSON list of
/// hex, at most `max`).
#[wasm_bindgen(js_name = keysForInbox)]
pub fn keys_for_inbox(
	recipient: &str,
	listed: &str,
	max: u32,
	newest: u32,
) -> Result<String, String> {
	let recipient = account(recipient)?;
	let ids = newest_messages(&recipient, listed, max, newest)?;
	Ok(keys_json(&ids.iter().map(|id| state::keys::inbox(&recipient, *id)).collect::<Vec<_>>()))
}

/// The prefix under which the node lists `patient`'s grants (`state_getKeysPaged`).
#[wasm_bindgen(js_name = grantsPrefix)]
pub fn grants_prefix(patient: &str) -> Result<String, String> {
	Ok(hex0x(state::keys::grants_of(&account(patient)?)))
}

/// The storage keys to prove for the readers of a new record of `patient`, given the grant keys
/// the node listed (JSON list of hex, at most `max_grants`).
#[wasm_bindgen(js_name = keysForReaders)]
pub fn keys_for_readers(patient: &str, listed: &str, max_grants: u32) -> Result<String, String> {
	let patient = account(patient)?;
	let grantees = state::listed_grantees(&patient, &hex_list(listed, "grant list")?, max_grants)
		.map_err(error)?;
	Ok(keys_json(&state::readers_keys(&patient, &grantees)))
}

/// The storage keys to prove for record `id` and, with `reader`, its key for that reader.
#[wasm_bindgen(js_name = keysForRecord)]
pub fn keys_for_record(id: f64, reader: Option<String>) -> Result<String, String> {
	let reader = reader.as_deref().map(account).transpose()?;
	Ok(keys_json(&state::record_keys(crate::record_number(id)?, reader.as_ref())))
}

/// What this browser verified: the newest header it holds final and the authority set in force,
/// followed from the chain spec.
#[wasm_bindgen]
pub struct Verifier {
	checkpoint: Checkpoint,
}

#[wasm_bindgen]
impl Verifier {
	/// Starts from the raw chain spec (the trust anchor, served with the app) and, if given, a
	/// checkpoint this browser saved before for the same chain (anything else is ignored).
	#[wasm_bindgen(constructor)]
	pub fn new(chain_spec: &[u8], saved: Option<Vec<u8>>) -> Result<Verifier, String> {
		let genesis = Checkpoint::from_chain_spec(chain_spec).map_err(error)?;
		let checkpoint = saved
			.and_then(|bytes| Checkpoint::decode(&mut &bytes[..]).ok())
			.filter(|saved| saved.genesis == genesis.genesis && saved.header.number > 0)
			.unwrap_or(genesis);
		Ok(Verifier { checkpoint })
	}

	/// The chain's genesis hash, from the chain spec.
	#[wasm_bindgen(getter)]
	pub fn genesis(&self) -> String {
		hex0x(self.checkpoint.genesis)
	}

	/// The number of the newest block verified final.
	#[wasm_bindgen(getter)]
	pub fn number(&self) -> u32 {
		self.checkpoint.header.number
	}

	/// Its hash.
	#[wasm_bindgen(getter)]
	pub fn hash(&self) -> String {
		hex0x(self.checkpoint.hash())
	}

	/// Its state root.
	#[wasm_bindgen(getter, js_name = stateRoot)]
	pub fn state_root(&self) -> String {
		hex0x(self.checkpoint.header.state_root)
	}

	/// The id of the authority set in force, and its size ("set #1 of 4 authorities").
	#[wasm_bindgen(getter)]
	pub fn authorities(&self) -> String {
		format!(
			"set #{} of {} authorities",
			self.checkpoint.set_id,
			self.checkpoint.authorities.len()
		)
	}

	/// A frozen copy: the reads of one action are checked against one block, whatever the
	/// verifier walks to meanwhile.
	pub fn snapshot(&self) -> Verifier {
		Verifier { checkpoint: self.checkpoint.clone() }
	}

	/// The checkpoint to save (SCALE).
	pub fn checkpoint(&self) -> Vec<u8> {
		self.checkpoint.encode()
	}

	/// Follows one answer of `ehr_finalityProof(number)` (the SCALE bytes): the headers must
	/// link from the checkpoint, the justification must be the authority set's.
	pub fn advance(&mut self, proof: &[u8]) -> Result<(), String> {
		let proof = FinalityProof::decode(&mut &proof[..])
			.map_err(|_| error(finality::FinalityError::Undecodable("finality proof")))?;
		self.checkpoint = finality::advance(&self.checkpoint, proof).map_err(error)?;
		Ok(())
	}

	fn proven(&self, keys: &[Vec<u8>], answer: &str) -> Result<Values, String> {
		let answer: Value =
			serde_json::from_str(answer).map_err(|_| error("the node's read proof is not JSON"))?;
		if answer["at"].as_str() != Some(self.hash().as_str()) {
			return Err(error("the node's read proof is for another block than the verified one"));
		}
		let proof = hex_list(&answer["proof"].to_string(), "read proof")?;
		state::check_read_proof(&self.checkpoint.header.state_root, proof, keys).map_err(error)
	}

	/// Checks the verified block's proven time (`answer`: the node's `state_getReadProof` for
	/// [`keys_for_now`]) is at most `max_age_ms` older than `now_ms`; returns the block's time.
	pub fn fresh(&self, answer: &str, now_ms: f64, max_age_ms: f64) -> Result<f64, String> {
		let values = self.proven(&[state::keys::now()], answer)?;
		finality::check_fresh(&self.checkpoint.header, &values, now_ms as u64, max_age_ms as u64)
			.map_err(error)?;
		Ok(state::now(&values).map_err(error)? as f64)
	}

	/// `who`'s encryption key, proven (`answer` for [`keys_for_encryption_key`]).
	#[wasm_bindgen(js_name = encryptionKey)]
	pub fn encryption_key(&self, who: &str, answer: &str) -> Result<Option<Vec<u8>>, String> {
		let who = account(who)?;
		let values = self.proven(&state::keys::encryption_key(&who), answer)?;
		Ok(state::encryption_key(&who, &values).map_err(error)?.map(|key| key.to_vec()))
	}

	/// The doctor `who` as stored, proven (`answer` for [`keys_for_doctor`]): JSON
	/// `{hospital, name, specialty, licence, encryptionKey, status}` or `null`.
	pub fn doctor(&self, who: &str, answer: &str) -> Result<String, String> {
		let who = account(who)?;
		let values = self.proven(&[state::keys::doctor(&who)], answer)?;
		doctor_json(&who, &values)
	}

	/// Appointment `id` as stored, proven (`answer` for [`keys_for_appointment`]): JSON
	/// `{doctor, patient, start, durationMinutes, kind, status}` (accounts in hex), or `null`.
	pub fn appointment(&self, id: f64, answer: &str) -> Result<String, String> {
		let id = crate::record_number(id)?;
		let values = self.proven(&[state::keys::appointment(id)], answer)?;
		let Some(found) = state::appointment(id, &values).map_err(error)? else {
			return Ok("null".into());
		};
		Ok(json!({
			"doctor": account_hex(&found.doctor),
			"patient": account_hex(&found.patient),
			"start": found.start,
			"durationMinutes": found.duration_minutes,
			"kind": match found.kind {
				ehr_primitives::VisitKind::Video => "video",
				ehr_primitives::VisitKind::InPerson => "in-person",
			},
			"status": match found.status {
				ehr_primitives::AppointmentStatus::Requested => "requested",
				ehr_primitives::AppointmentStatus::Confirmed => "confirmed",
				ehr_primitives::AppointmentStatus::Cancelled => "cancelled",
				ehr_primitives::AppointmentStatus::Completed => "completed",
				ehr_primitives::AppointmentStatus::NoShow => "no-show",
			},
		})
		.to_string())
	}

	/// The escrow committee and `patient`'s openable categories, proven (`answer` for
	/// [`keys_for_escrow`]): JSON `{committee: [{hospital, key}], threshold, epoch, openable}`.
	pub fn escrow(&self, patient: &str, answer: &str) -> Result<String, String> {
		let patient = account(patient)?;
		let escrow = state::escrow(&patient, &self.proven(&state::escrow_keys(&patient), answer)?)
			.map_err(error)?;
		Ok(json!({
			"committee": escrow.committee.iter().map(|(hospital, key)|
				json!({ "hospital": account_hex(hospital), "key": hex0x(key) })).collect::<Vec<_>>(),
			"threshold": escrow.threshold,
			"epoch": escrow.epoch,
			"openable": escrow.openable.iter().map(|c| category(*c)).collect::<Vec<_>>(),
		})
		.to_string())
	}

	/// The newest `newest` messages the node listed for `recipient`, each proven (`answer` for
	/// [`keys_for_inbox`]): JSON `[{id, sender, sentAt, kind, severity, cid, size, recipientKey}]`,
	/// oldest first.
	pub fn inbox(
		&self,
		recipient: &str,
		listed: &str,
		max: u32,
		newest: u32,
		answer: &str,
	) -> Result<String, String> {
		let recipient = account(recipient)?;
		let ids = newest_messages(&recipient, listed, max, newest)?;
		let keys: Vec<_> = ids.iter().map(|id| state::keys::inbox(&recipient, *id)).collect();
		let values = self.proven(&keys, answer)?;
		let mut messages = Vec::with_capacity(ids.len());
		for id in ids {
			// Listed at this block and proven absent: removed meanwhile; not shown.
			let Some(message) = state::message(&recipient, id, &values).map_err(error)? else {
				continue;
			};
			let (kind, severity) = match message.kind {
				ehr_primitives::MessageKind::Message => ("message", None),
				ehr_primitives::MessageKind::Alert { severity } => {
					("alert", Some(format!("{severity:?}").to_lowercase()))
				}
			};
			messages.push(json!({
				"id": id,
				"sender": account_hex(&message.sender),
				"sentAt": message.sent_at,
				"kind": kind,
				"severity": severity,
				"cid": hex0x(&message.cid),
				"size": message.size,
				"recipientKey": hex0x(&message.recipient_key),
			}));
		}
		messages.sort_by_key(|m| m["id"].as_u64());
		Ok(Value::from(messages).to_string())
	}

	/// The care between `patient` and `doctor`, proven (`answer` for [`keys_for_care`]): JSON
	/// `{doctor: {name, specialty, status, …} | null, granted, slotDoctor}`.
	pub fn care(
		&self,
		patient: &str,
		doctor: &str,
		slot: Option<f64>,
		answer: &str,
	) -> Result<String, String> {
		let (patient_id, doctor_id) = (account(patient)?, account(doctor)?);
		let mut keys =
			vec![state::keys::doctor(&doctor_id), state::keys::grant(&patient_id, &doctor_id)];
		let slot = slot.map(crate::record_number).transpose()?;
		keys.extend(slot.map(state::keys::slot));
		let values = self.proven(&keys, answer)?;
		let granted = state::grant(&patient_id, &doctor_id, &values).map_err(error)?.is_some();
		let slot_doctor = match slot {
			Some(id) => state::slot_doctor(id, &values).map_err(error)?.map(|d| account_hex(&d)),
			None => None,
		};
		let entry: Value =
			serde_json::from_str(&doctor_json(&doctor_id, &values)?).map_err(error)?;
		Ok(json!({ "doctor": entry, "granted": granted, "slotDoctor": slot_doctor }).to_string())
	}

	/// Who escrowed record `record` and the epoch of `member`'s share, proven: JSON `{by, epoch}`.
	pub fn escrowed(&self, record: f64, member: &str, answer: &str) -> Result<String, String> {
		let (record, member) = (crate::record_number(record)?, account(member)?);
		let keys = [state::keys::escrowed_by(record), state::keys::escrowed_share(record, &member)];
		let (by, epoch) =
			state::escrowed(record, &member, &self.proven(&keys, answer)?).map_err(error)?;
		Ok(json!({ "by": by.map(|a| account_hex(&a)), "epoch": epoch }).to_string())
	}

	/// Whether `patient`'s grant to `grantee` exists, proven (`answer` for [`keys_for_grant`]).
	#[wasm_bindgen(js_name = hasGrant)]
	pub fn has_grant(&self, patient: &str, grantee: &str, answer: &str) -> Result<bool, String> {
		let (patient, grantee) = (account(patient)?, account(grantee)?);
		let values = self.proven(&[state::keys::grant(&patient, &grantee)], answer)?;
		Ok(state::grant(&patient, &grantee, &values).map_err(error)?.is_some())
	}

	/// The readers a new record of `category` of `patient` is wrapped for, proven: JSON
	/// `[{account, key}]`, the patient first; `listed` is what the node listed under
	/// [`grants_prefix`] and `answer` the proof for [`keys_for_readers`]. A grant the node
	/// leaves out of the listing is caught by the proven count.
	pub fn readers(
		&self,
		patient: &str,
		category: &str,
		listed: &str,
		max_grants: u32,
		answer: &str,
	) -> Result<String, String> {
		let patient = account(patient)?;
		let grantees =
			state::listed_grantees(&patient, &hex_list(listed, "grant list")?, max_grants)
				.map_err(error)?;
		let values = self.proven(&state::readers_keys(&patient, &grantees), answer)?;
		let readers = state::readers(&patient, parse_category(category)?, &grantees, &values)
			.map_err(error)?
			.ok_or_else(|| error("this patient is not registered (no encryption key on chain)"))?;
		Ok(Value::from(
			readers
				.iter()
				.map(|(who, key)| json!({ "account": account_hex(who), "key": hex0x(key) }))
				.collect::<Vec<_>>(),
		)
		.to_string())
	}

	/// Record `id` as stored, with the key wrapped for `reader`, proven (`answer` for
	/// [`keys_for_record`]): JSON in the form of the node's `ehr_record`, or `null`.
	pub fn record(&self, id: f64, reader: Option<String>, answer: &str) -> Result<String, String> {
		let id = crate::record_number(id)?;
		let reader = reader.as_deref().map(account).transpose()?;
		let values = self.proven(&state::record_keys(id, reader.as_ref()), answer)?;
		let Some((record, wrapped)) = state::record(id, reader.as_ref(), &values).map_err(error)?
		else {
			return Ok("null".into());
		};
		Ok(json!({
			"id": id,
			"patient": account_hex(&record.patient),
			"author": account_hex(&record.author),
			"category": category(record.category),
			"cid": hex0x(&record.cid),
			"contentHash": hex0x(record.content_hash),
			"size": record.size,
			"createdAt": record.created_at,
			"createdIn": record.created_in,
			"version": record.version,
			"supersedes": record.supersedes,
			"supersededBy": record.superseded_by,
			"keyCount": record.key_count,
			"erased": record.erased,
			"wrappedKey": wrapped.map(hex0x),
		})
		.to_string())
	}

	/// Verifies the node's `ehr_auditTrail` answer (its JSON) for entries `from..from + limit`
	/// of `patient`'s trail at the verified block: JSON `{total, entries: [{index, entry}]}`.
	#[wasm_bindgen(js_name = trailPage)]
	pub fn trail_page(
		&self,
		patient: &str,
		from: f64,
		limit: u32,
		answer: &str,
	) -> Result<String, String> {
		let patient = account(patient)?;
		let from = crate::record_number(from)?;
		let page: Value =
			serde_json::from_str(answer).map_err(|_| error("the node's trail page is not JSON"))?;
		let malformed = || error("the node's trail page is malformed");
		let hash = |value: &Value| -> Result<finality::Hash, String> {
			let bytes = hex::decode(value.as_str().unwrap_or_default().trim_start_matches("0x"))
				.map_err(|_| malformed())?;
			<[u8; 32]>::try_from(bytes).map(Into::into).map_err(|_| malformed())
		};
		let mut entries = Vec::new();
		for entry in page["entries"].as_array().ok_or_else(malformed)? {
			let value =
				hex::decode(entry["value"].as_str().unwrap_or_default().trim_start_matches("0x"))
					.map_err(|_| malformed())?;
			entries.push((entry["index"].as_u64().ok_or_else(malformed)?, value));
		}
		let claimed = trail::ClaimedPage {
			at: hash(&page["at"])?,
			total: page["total"].as_u64().ok_or_else(malformed)?,
			entries,
			proof: hex_list(&page["proof"].to_string(), "trail proof")?,
		};
		let header = &self.checkpoint.header;
		let verified = trail::verify_page(
			(self.checkpoint.hash(), header.number, header.state_root),
			&patient,
			from,
			limit,
			claimed,
		)
		.map_err(error)?;
		Ok(json!({
			"total": verified.total,
			"entries": verified.entries.iter().map(|(index, entry)|
				json!({ "index": index, "entry": audit_entry_json(entry) })).collect::<Vec<_>>(),
		})
		.to_string())
	}
}

/// The doctor `who` in `values` as JSON `{hospital, name, specialty, licence, encryptionKey,
/// status}`, or `null`.
fn doctor_json(who: &AccountId, values: &Values) -> Result<String, String> {
	let Some(doctor) = state::doctor(who, values).map_err(error)? else {
		return Ok("null".into());
	};
	let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
	Ok(json!({
		"hospital": account_hex(&doctor.hospital),
		"name": text(&doctor.name),
		"specialty": text(&doctor.specialty),
		"licence": text(&doctor.licence),
		"encryptionKey": doctor.encryption_key.map(hex0x),
		"status": format!("{:?}", doctor.status).to_lowercase(),
	})
	.to_string())
}
