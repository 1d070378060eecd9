//! `ehr record`: upload, list, read, amend, erase a patient's records, and unpin what an
//! erasure left pinned.

use std::{path::PathBuf, sync::OnceLock, time::Duration};

use clap::Subcommand;
use ehr_client::{human, human::Names, Client, Error, Keys, Store};
use ehr_primitives::RecordCategory;
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	care,
	cli::{Category, Global},
	consent::sync_after,
	session::{names, patient_or_me},
	ui::{
		clear_spinner, or_none, progress_bar, report_to, say, size, unusable_note, warn,
		with_text_cid,
	},
};

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

/// Runs `ehr record …` as `me`.
pub async fn run(
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

/// The file of envelopes still to unpin, in the state directory.
fn pending_file(global_state: Option<PathBuf>) -> Option<PathBuf> {
	global_state.map(|dir| dir.join("pending-unpins.json"))
}

/// The state directory of this run (set by `main`), where envelopes still to unpin are kept.
pub static STATE_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// An envelope still to unpin, and the store that holds it.
#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq)]
struct Pending {
	cid: String,
	store: String,
}

/// Remembers envelopes that could not be unpinned (for `ehr record retry-unpins`) and warns.
pub fn pending_unpins(client: &Client, pending: &[(String, String)], json: bool) -> Vec<String> {
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
