//! Care between visits and FHIR on the command line: `ehr vitals`, `ehr message`, `ehr inbox`,
//! `ehr doctor watch`, `ehr consent export --fhir`, and the FHIR side of `ehr record upload` /
//! `get` (`ehr_client::flows::care` and `ehr_client::fhir` do the work).

use std::{
	collections::{BTreeMap, BTreeSet},
	path::{Path, PathBuf},
	time::Duration,
};

use clap::{Args, Subcommand};
use ehr_client::{fhir, human, human::Names, Client, Error, Keys, Rules, WatchState};
use ehr_primitives::{MessageKind, RecordCategory, Severity};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	cli::Global,
	session::{account, patient_or_me, state_dir},
	ui::{or_none, say, warn},
};

/// Files up to this size are wrapped in a DocumentReference (read into memory, base64).
use ehr_client::fhir::MAX_WRAPPED;

/// A state file of this client: per chain and account, under the state directory.
pub fn state_file(
	client: &Client,
	who: &AccountId,
	what: &str,
	global: &Global,
) -> Option<PathBuf> {
	let genesis = client.chain.genesis();
	state_dir(global).map(|dir| {
		dir.join(format!(
			"{what}-{}-{}.json",
			hex::encode(&genesis.as_bytes()[..8]),
			hex::encode(&AsRef::<[u8]>::as_ref(who)[..8])
		))
	})
}

/// What a state file holds, or the default.
pub fn load<T: serde::de::DeserializeOwned + Default>(file: Option<&PathBuf>) -> T {
	file.and_then(|file| std::fs::read(file).ok())
		.and_then(|bytes| serde_json::from_slice(&bytes).ok())
		.unwrap_or_default()
}

/// Writes a state file atomically (aside, then renamed over the old one).
pub fn save<T: serde::Serialize>(file: Option<&PathBuf>, value: &T) -> Result<(), Error> {
	let Some(file) = file else { return Ok(()) };
	if let Some(dir) = file.parent() {
		std::fs::create_dir_all(dir)
			.map_err(|e| Error::Storage(format!("{}: {e}", dir.display())))?;
	}
	let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Storage(e.to_string()))?;
	let partial = file.with_extension("json.partial");
	std::fs::write(&partial, bytes)
		.and_then(|()| std::fs::rename(&partial, file))
		.map_err(|e| Error::Storage(format!("{}: {e}", file.display())))
}

/// Waits `interval` seconds; Ctrl-C ends the service.
pub async fn sleep_or_stop(interval: u64) {
	tokio::select! {
		_ = tokio::time::sleep(Duration::from_secs(interval.max(1))) => {}
		_ = tokio::signal::ctrl_c() => std::process::exit(0),
	}
}

fn invalid_fhir(path: &Path, problems: &[fhir::Problem]) -> Error {
	Error::Usage(format!(
		"{} is not valid FHIR R4 ({} problem{}):\n{}",
		path.display(),
		problems.len(),
		if problems.len() == 1 { "" } else { "s" },
		fhir::describe(problems)
	))
}

/// What `ehr record upload` stores for `file`.
pub struct Prepared {
	/// The file to encrypt: `file` itself, or a temporary one.
	pub path: PathBuf,
	/// The record's category.
	pub category: RecordCategory,
	/// What was done, for people: `FHIR Bundle`, `wrapped in a DocumentReference`, `as is`.
	pub how: String,
	_temp: Option<tempfile::NamedTempFile>,
}

/// A FHIR resource is validated (refused with its problems' paths) and keeps its bytes; any
/// other file is wrapped in a DocumentReference (up to 64 MiB), or stored as is.
pub fn prepare_upload(
	file: &Path,
	category: Option<RecordCategory>,
	author: &AccountId,
	patient: &AccountId,
	now_ms: u64,
	profile_only: bool,
) -> Result<Prepared, Error> {
	let named = |e: std::io::Error| Error::Invalid(format!("{}: {e}", file.display()));
	let len = std::fs::metadata(file).map_err(named)?.len();
	let parsed: Option<Value> = if len <= MAX_WRAPPED {
		std::fs::read(file)
			.ok()
			.and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
			.filter(|value| value.get("resourceType").is_some())
	} else {
		None
	};
	if let Some(value) = parsed {
		let resource_type = fhir::validate(&value).map_err(|p| invalid_fhir(file, &p))?;
		if profile_only && resource_type != "Patient" {
			return Err(Error::Usage(format!(
				"{} is a FHIR {resource_type}, not a Patient resource: a profile is a FHIR R4 \
				 Patient (see docs/guides/patient.md for an example)",
				file.display()
			)));
		}
		return Ok(Prepared {
			path: file.to_path_buf(),
			category: category.unwrap_or_else(|| fhir::category_of(&value)),
			how: format!("FHIR {resource_type}, validated"),
			_temp: None,
		});
	}
	if profile_only {
		return Err(Error::Usage(format!(
			"{} is not a FHIR resource (no \"resourceType\"): a profile is a FHIR R4 Patient \
			 resource (see docs/guides/patient.md for an example)",
			file.display()
		)));
	}
	let category = category.unwrap_or(RecordCategory::Document);
	if len > MAX_WRAPPED {
		return Ok(Prepared {
			path: file.to_path_buf(),
			category,
			how: "stored as is (larger than 64 MiB, too large to wrap in a DocumentReference)"
				.into(),
			_temp: None,
		});
	}
	let bytes = std::fs::read(file).map_err(named)?;
	let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
	// A plain text becomes the category's own resource, the text kept as written; a lab
	// report's file is presented by a DiagnosticReport; anything else (or a made resource that
	// does not validate) is wrapped in a DocumentReference: `ehr_fhir::wrap_upload`, which the
	// web app runs too.
	let resource = fhir::wrap_upload(category, &bytes, &name, author, patient, now_ms)
		.expect("files up to MAX_WRAPPED are wrapped");
	let kind = resource["resourceType"].as_str().unwrap_or_default().to_string();
	// A binary file goes beside its resource in the same envelope, as its own bytes (not in
	// base64): `ehr_fhir::plaintext`.
	let stored = fhir::plaintext(resource);
	let how = match (kind.as_str(), stored.starts_with(fhir::ATTACHED)) {
		("DocumentReference", true) => format!(
			"wrapped in a FHIR DocumentReference ({}), the file beside it as it is",
			fhir::content_type(&name)
		),
		(_, true) => format!("as a FHIR {kind}, the file beside it as it is"),
		(_, false) => format!("as a FHIR {kind}, the text kept as written"),
	};
	let temp = tempfile::NamedTempFile::new()?;
	std::fs::write(temp.path(), stored)?;
	Ok(Prepared { path: temp.path().to_path_buf(), category, how, _temp: Some(temp) })
}

/// After `ehr record get` of a record of `patient` written by `author`: a wrapped file is given
/// back as the file (unless `fhir`), if its resource is exactly what a client makes from it (a
/// resource whose structured fields say something else than its text stays the resource); a
/// file stored beside its resource ([`fhir::ATTACHED`]) is given back as the file, or with
/// `fhir` as the resource with the file inline; with `fhir`, a record that is not FHIR is
/// refused. Returns what was written, for people.
pub fn after_get(
	out: &Path,
	fhir_wanted: bool,
	(patient, author): (&AccountId, &AccountId),
) -> Result<&'static str, Error> {
	let len = std::fs::metadata(out)?.len();
	// A wrapped file of at most 64 MiB is at most this long in base64 JSON (and shorter beside
	// its resource): nothing larger is parsed (the whole document is held in memory).
	let bytes = (len <= MAX_WRAPPED / 3 * 4 + (1 << 20)).then(|| std::fs::read(out).ok()).flatten();
	let beside = bytes.as_deref().is_some_and(|bytes| bytes.starts_with(fhir::ATTACHED));
	let value = bytes.as_deref().and_then(fhir::resource_of);
	// Replaces `out` at once (a reader never sees half of it).
	let replace = |content: &[u8]| -> Result<(), Error> {
		let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
		let temp = tempfile::NamedTempFile::new_in(dir)?;
		std::fs::write(temp.path(), content)?;
		temp.persist(out).map_err(|e| Error::Io(e.error))?;
		Ok(())
	};
	let resource_json = |value: &Value| serde_json::to_vec(value).expect("JSON serializes");
	match (value, fhir_wanted) {
		(Some(value), false) => match fhir::unwrap_checked(&value, patient, author) {
			Some(file) => {
				replace(&file)?;
				Ok(if beside {
					"the file stored beside its FHIR resource"
				} else {
					"the file kept in its FHIR resource"
				})
			}
			None => {
				if beside {
					replace(&resource_json(&value))?;
				}
				Ok(if fhir::unwrap_file(&value).is_some() {
					"the FHIR resource (its structured fields do not match the text it keeps: \
					 read them, not the text)"
				} else {
					"the FHIR resource"
				})
			}
		},
		(Some(value), true) => {
			if beside {
				replace(&resource_json(&value))?;
			}
			Ok("the FHIR resource")
		}
		(None, _) if beside => {
			let _ = std::fs::remove_file(out);
			Err(Error::Refused(
				"this record begins as a file stored beside its FHIR resource but does not read as \
				 one (a header that is not a wrapped file's, or a size other than the file's): \
				 not written"
					.into(),
			))
		}
		(None, true) => {
			let _ = std::fs::remove_file(out);
			Err(Error::Refused(
				"this record is not a FHIR resource (it was stored as is): get it with --out FILE \
				 and without --fhir"
					.into(),
			))
		}
		(None, false) => Ok("the file"),
	}
}

/// `ehr vitals add`.
#[allow(clippy::too_many_arguments)]
pub async fn vitals_add(
	client: &Client,
	me: &Keys,
	bp: Option<String>,
	measures: Vec<(fhir::Measure, Option<f64>)>,
	at: Option<String>,
	json: bool,
) -> Result<(), Error> {
	let patient = me.account_id();
	let at = match at {
		Some(text) => human::parse_local_time(&text)?,
		None => std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_millis() as u64)
			.unwrap_or_default(),
	};
	let mut observations = Vec::new();
	if let Some(bp) = bp {
		let parsed = bp.split_once('/').and_then(|(s, d)| {
			Some((s.trim().parse::<f64>().ok()?, d.trim().parse::<f64>().ok()?))
		});
		let Some((systolic, diastolic)) = parsed else {
			return Err(Error::Usage(format!(
				"--bp {bp}: give systolic/diastolic in mmHg, e.g. --bp 150/95"
			)));
		};
		observations.push(fhir::blood_pressure(systolic, diastolic, &patient, at));
	}
	for (measure, value) in measures {
		if let Some(value) = value {
			if !value.is_finite() {
				return Err(Error::Usage(format!("{}: {value} is not a number", measure.display)));
			}
			observations.push(fhir::reading(measure, value, &patient, at));
		}
	}
	if observations.is_empty() {
		return Err(Error::Usage(
			"nothing to add: give at least one reading, e.g. --bp 150/95 --heart-rate 88 (see \
			 `ehr vitals add --help`)"
				.into(),
		));
	}
	let count = observations.len();
	store_vitals(client, me, fhir::bundle(observations), count, json).await
}

async fn store_vitals(
	client: &Client,
	me: &Keys,
	readings: Value,
	count: usize,
	json: bool,
) -> Result<(), Error> {
	let uploaded = client.add_vitals(me, &me.account_id(), readings).await?;
	let names = Names::load(client, Some(&me.account_id())).await.unwrap_or_default();
	let readers: Vec<String> = uploaded
		.readers
		.iter()
		.map(|r| AccountId::from_ss58check(r).map(|a| names.of(&a)).unwrap_or(r.clone()))
		.collect();
	say(
		json,
		json!({ "record": uploaded.record, "observations": count, "readers": uploaded.readers, "block": uploaded.block }),
		format!(
			"{count} observation{} stored as record {} (one transaction), readable by {}",
			if count == 1 { "" } else { "s" },
			uploaded.record,
			readers.join(", ")
		),
	);
	Ok(())
}

/// `ehr vitals import`.
pub async fn vitals_import(
	client: &Client,
	me: &Keys,
	file: &Path,
	json: bool,
) -> Result<(), Error> {
	let text = std::fs::read(file).map_err(|e| Error::Usage(format!("{}: {e}", file.display())))?;
	let value: Value = serde_json::from_slice(&text)
		.map_err(|e| Error::Usage(format!("{} is not JSON ({e})", file.display())))?;
	fhir::validate(&value).map_err(|p| invalid_fhir(file, &p))?;
	fhir::check_readings(&value).map_err(|p| invalid_fhir(file, &p))?;
	let count = fhir::resources(&value).len();
	store_vitals(client, me, value, count, json).await
}

/// A plain-text chart of one measure: a line per reading, a bar scaled between the lowest and
/// the highest value.
pub fn chart(points: &[(String, f64)], unit: &str) -> String {
	let (low, high) =
		points.iter().fold((f64::MAX, f64::MIN), |(low, high), (_, v)| (low.min(*v), high.max(*v)));
	let width = 40.0;
	points
		.iter()
		.map(|(when, value)| {
			let share = if high > low { (value - low) / (high - low) } else { 1.0 };
			let bar = "█".repeat(1 + (share * width).round() as usize);
			format!("  {when:<24} {value:>7} {unit:<7} {bar}")
		})
		.collect::<Vec<_>>()
		.join("\n")
}

/// `ehr vitals list`.
pub async fn vitals_list(
	client: &Client,
	me: &Keys,
	patient: AccountId,
	code: Option<String>,
	json: bool,
) -> Result<(), Error> {
	let found = client.vitals(me, &patient).await?;
	// Per measure: (time in ms, the time as written, value, record), oldest first.
	type Points = Vec<(u64, String, f64, u64)>;
	// By code and unit; named as the client knows the measure, or as first written.
	let mut by_code: BTreeMap<(String, String, String), Points> = BTreeMap::new();
	let mut names: BTreeMap<String, String> = BTreeMap::new();
	for (record, readings) in &found {
		for reading in readings {
			if code.as_ref().is_some_and(|code| *code != reading.code) {
				continue;
			}
			let written = reading.effective.clone().unwrap_or_default();
			let at = fhir::millis(&written).unwrap_or(record.created_at);
			let display = names
				.entry(reading.code.clone())
				.or_insert_with(|| match fhir::measure(&reading.code) {
					Some(measure) => measure.display.to_string(),
					None => ehr_client::clean(&reading.display, 80).replace('\n', " "),
				})
				.clone();
			by_code
				.entry((reading.code.clone(), display, reading.unit.clone()))
				.or_default()
				.push((at, written, reading.value, record.id));
		}
	}
	let mut text = Vec::new();
	for ((code, display, unit), points) in by_code.iter_mut() {
		points.sort_by_key(|point| point.0);
		text.push(format!("{display} ({code}):"));
		let shown: Vec<(String, f64)> =
			points.iter().map(|(at, _, value, _)| (human::time(*at), *value)).collect();
		text.push(chart(&shown, unit));
	}
	let value: Vec<Value> = by_code
		.into_iter()
		.map(|((code, display, unit), points)| {
			json!({ "code": code, "display": display, "unit": unit,
				"readings": points.iter().map(|(at, written, value, record)| json!({ "at": at, "effective": written, "value": value, "record": record })).collect::<Vec<_>>() })
		})
		.collect();
	let logged = if patient != me.account_id() && !found.is_empty() {
		format!("\n({} record reads logged in the patient's trail)", found.len())
	} else {
		String::new()
	};
	say(json, json!(value), format!("{}{logged}", or_none(text.join("\n"), "no readings")));
	Ok(())
}

/// `ehr message send`.
pub async fn message_send(
	client: &Client,
	me: &Keys,
	to: &str,
	text: &str,
	alert: Option<Severity>,
	about: Option<u64>,
	json: bool,
) -> Result<(), Error> {
	let recipient = account(to)?;
	if text.trim().is_empty() {
		return Err(Error::Usage("the message is empty".into()));
	}
	let kind = match alert {
		Some(severity) => MessageKind::Alert { severity },
		None => MessageKind::Message,
	};
	let sent = client.send_message(me, &recipient, kind, text, about).await?;
	let names = Names::load(client, Some(&me.account_id())).await.unwrap_or_default();
	say(
		json,
		json!(sent),
		format!(
			"{} {} sent to {} (final in block #{}); only the two of you can read it",
			if alert.is_some() { "alert" } else { "message" },
			sent.id,
			names.of(&recipient),
			sent.block_number
		),
	);
	Ok(())
}

fn severity_name(severity: Severity) -> &'static str {
	match severity {
		Severity::Info => "info",
		Severity::Warning => "warning",
		Severity::Urgent => "URGENT",
	}
}

fn severity_word(kind: MessageKind) -> &'static str {
	match kind {
		MessageKind::Message => "message",
		MessageKind::Alert { severity: Severity::Info } => "ALERT (info)",
		MessageKind::Alert { severity: Severity::Warning } => "ALERT (warning)",
		MessageKind::Alert { severity: Severity::Urgent } => "ALERT (URGENT)",
	}
}

/// `ehr inbox`.
pub async fn inbox(
	client: &Client,
	me: &Keys,
	all: bool,
	follow: bool,
	remove_read: bool,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let my_id = me.account_id();
	let file = state_file(client, &my_id, "inbox-read", global);
	let mut read: BTreeSet<u64> = load(file.as_ref());
	let names = Names::load(client, Some(&my_id)).await.unwrap_or_default();
	let at = client.chain.finalized().await?;
	let messages = client.inbox(me, Some(at)).await?;
	let line = |m: &ehr_client::InboxMessage, unread: bool| {
		format!(
			"{}#{} {} from {}, {}{}:\n    {}",
			if unread { "* " } else { "  " },
			m.id,
			severity_word(m.kind),
			names.of(&m.sender),
			human::time(m.sent_at),
			m.about.map(|r| format!(", about record {r}")).unwrap_or_default(),
			match (&m.text, &m.error) {
				// Cleaned by the client (no control characters): each line indented.
				(Some(text), _) => text.replace('\n', "\n    "),
				(None, Some(error)) => format!("(cannot be read: {error})"),
				(None, None) => "(empty)".into(),
			}
		)
	};
	let (mut unread, old): (Vec<_>, Vec<_>) = messages.iter().partition(|m| !read.contains(&m.id));
	unread.reverse();
	let mut old: Vec<_> = old.into_iter().rev().collect();
	if !all {
		old.truncate(10);
	}
	let mut text: Vec<String> = unread.iter().map(|m| line(m, true)).collect();
	if !old.is_empty() {
		text.push("read:".into());
		text.extend(old.iter().map(|m| line(m, false)));
	}
	say(
		json,
		json!({ "unread": unread, "read": old }),
		format!(
			"{} unread, {} in all\n{}",
			unread.len(),
			messages.len(),
			or_none(text.join("\n"), "no messages")
		),
	);
	read.extend(unread.iter().filter(|m| m.error.is_none()).map(|m| m.id));
	save(file.as_ref(), &read)?;
	if remove_read {
		let ids: Vec<u64> =
			messages.iter().filter(|m| read.contains(&m.id)).map(|m| m.id).collect();
		for chunk in ids.chunks(64) {
			client.remove_messages(me, chunk.to_vec()).await?;
		}
		say(
			json,
			json!({ "removed": ids }),
			format!("{} read message(s) removed from your inbox", ids.len()),
		);
	}
	if !follow {
		return Ok(());
	}
	let mut shown: BTreeSet<u64> = messages.iter().map(|m| m.id).collect();
	let mut last = at;
	loop {
		sleep_or_stop(3).await;
		let head = match client.chain.finalized().await {
			Ok(head) => head,
			Err(error) => {
				warn(json, format!("{error}; trying again"));
				continue;
			}
		};
		if head == last {
			continue;
		}
		last = head;
		for message in client.inbox(me, Some(head)).await? {
			if shown.insert(message.id) {
				say(json, json!(message), line(&message, true));
				if message.error.is_none() {
					read.insert(message.id);
				}
			}
		}
		save(file.as_ref(), &read)?;
	}
}

/// `ehr doctor watch`.
pub async fn doctor_watch(
	client: &Client,
	me: &Keys,
	rules: Option<PathBuf>,
	dry_run: bool,
	show_rules: bool,
	once: bool,
	interval: u64,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let rules: Rules = match &rules {
		Some(path) => {
			let text = std::fs::read(path)
				.map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
			serde_json::from_slice::<Rules>(&text)
				.map_err(|e| {
					Error::Usage(format!(
						"{}: not a rules file ({e}); see `ehr doctor watch --help`",
						path.display()
					))
				})?
				.checked()?
		}
		None => Rules::default(),
	};
	if show_rules {
		let shown = Rules {
			defaults: Some(rules.defaults.clone().unwrap_or_else(Rules::defaults)),
			..rules
		};
		say(json, json!(shown), serde_json::to_string_pretty(&shown).expect("JSON serializes"));
		return Ok(());
	}
	let my_id = me.account_id();
	let file = state_file(client, &my_id, "watch", global);
	let mut state: WatchState = if dry_run { WatchState::default() } else { load(file.as_ref()) };
	let names = Names::load(client, Some(&my_id)).await.unwrap_or_default();
	if !once && !dry_run && !json {
		eprintln!(
			"monitor of {} running: a pass every {interval} s over the finalized blocks (Ctrl-C stops it)",
			names.of(&my_id)
		);
	}
	loop {
		let pass = match client.watch_pass(me, &rules, &mut state, dry_run).await {
			Ok(pass) => pass,
			Err(error) if !once && !dry_run => {
				warn(json, format!("pass failed ({error}); trying again in {interval} s"));
				sleep_or_stop(interval).await;
				continue;
			}
			Err(error) => return Err(error),
		};
		if !dry_run {
			save(file.as_ref(), &state)?;
		}
		let mut lines = Vec::new();
		for fired in &pass.fired {
			lines.push(format!(
				"{} record {} of {}: {} ({}: {}){}",
				if dry_run { "would alert:" } else { "ALERT" },
				fired.record,
				names.of(&fired.patient),
				fired.explain(),
				severity_name(fired.rule.severity),
				human::printable(&fired.rule.message),
				match (&fired.alert, &fired.error) {
					(Some(id), _) => format!(" — sent as message {id}"),
					(None, Some(error)) => format!(" — NOT sent ({error}); trying again next pass"),
					_ => String::new(),
				}
			));
		}
		for (record, why) in &pass.unreadable {
			lines.push(format!("record {record}: {why}"));
		}
		for record in &pass.given_up {
			lines.push(format!(
				"record {record}: given up after {} passes that could not read it",
				ehr_client::MAX_ATTEMPTS
			));
		}
		lines.push(format!(
			"{} patient(s); {} record(s) evaluated{}, {} alert(s){}",
			pass.patients,
			pass.evaluated.len(),
			if pass.baseline > 0 {
				format!(", {} existing record(s) noted without alerting (first run; --dry-run shows what they would fire)", pass.baseline)
			} else {
				String::new()
			},
			pass.fired.len(),
			if dry_run { " that would be sent (dry run: nothing sent)" } else { "" }
		));
		say(json, json!(pass), lines.join("\n"));
		if once || dry_run {
			return Ok(());
		}
		sleep_or_stop(interval).await;
	}
}

/// `ehr consent export --fhir`.
pub async fn consent_export(
	client: &Client,
	patient: &AccountId,
	out: Option<PathBuf>,
	json: bool,
) -> Result<(), Error> {
	let now = client.chain.now().await?;
	let grants = client.grants(patient).await?;
	let consents: Vec<Value> =
		grants.iter().map(|g| fhir::consent(patient, &g.grantee, &g.grant, now)).collect();
	let bundle = fhir::bundle(consents);
	fhir::validate(&bundle).map_err(|p| {
		Error::Invalid(format!("the export does not validate:\n{}", fhir::describe(&p)))
	})?;
	write_or_print(&bundle, out, json, &format!("{} Consent resource(s)", grants.len()))
}

/// JSON for a terminal: what others wrote may hold characters that JSON leaves as they are but
/// a terminal acts on (C1 controls, bidirectional overrides); inside strings they are escaped
/// (`\u202e`), which is the same JSON.
pub fn json_text(value: &Value) -> String {
	serde_json::to_string_pretty(value)
		.expect("JSON serializes")
		.chars()
		.map(|c| {
			let code = c as u32;
			let acts = (0x80..=0x9f).contains(&code)
				|| (0x202a..=0x202e).contains(&code)
				|| (0x2066..=0x2069).contains(&code)
				|| code == 0x200e
				|| code == 0x200f;
			if acts {
				format!("\\u{code:04x}")
			} else {
				c.to_string()
			}
		})
		.collect()
}

/// Prints `value`, or writes it to `out` and says so.
pub fn write_or_print(
	value: &Value,
	out: Option<PathBuf>,
	json: bool,
	what: &str,
) -> Result<(), Error> {
	let text = json_text(value);
	match out {
		Some(path) => {
			std::fs::write(&path, text)?;
			say(
				json,
				json!({ "written": path, "what": what }),
				format!("{what} written to {} (FHIR R4, validated)", path.display()),
			);
		}
		None => println!("{text}"),
	}
	Ok(())
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

#[derive(Args)]
pub struct InboxArgs {
	/// Show read messages too (default: unread, then the 10 newest read ones).
	#[arg(long)]
	pub all: bool,
	/// Keep running and print new messages as blocks are finalized (Ctrl-C stops).
	#[arg(long)]
	pub follow: bool,
	/// Remove the messages you have read from your inbox on chain (the chain's history
	/// keeps that they were sent).
	#[arg(long)]
	pub remove_read: bool,
}

/// Runs `ehr vitals …` as the patient (or a doctor listing a patient's readings) `me`.
pub async fn run_vitals(
	client: &Client,
	me: &Keys,
	command: VitalsCommand,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		VitalsCommand::Add {
			bp,
			glucose,
			heart_rate,
			temp,
			spo2,
			weight,
			respiratory_rate,
			at,
		} => {
			use ehr_client::fhir::*;
			let measures = vec![
				(GLUCOSE, glucose),
				(HEART_RATE, heart_rate),
				(TEMPERATURE, temp),
				(OXYGEN_SATURATION, spo2),
				(WEIGHT, weight),
				(RESPIRATORY_RATE, respiratory_rate),
			];
			vitals_add(client, me, bp, measures, at, json).await?
		}
		VitalsCommand::Import { file } => vitals_import(client, me, &file, json).await?,
		VitalsCommand::List { patient, code } => {
			let patient = patient_or_me(patient.as_deref(), &my_id)?;
			vitals_list(client, me, patient, code, json).await?
		}
	}
	Ok(())
}

/// Runs `ehr message send` as `me`.
pub async fn run_message(
	client: &Client,
	me: &Keys,
	command: MessageCommand,
	json: bool,
) -> Result<(), Error> {
	let MessageCommand::Send { to, text, alert, about } = command;
	message_send(client, me, &to, &text, alert.map(Into::into), about, json).await
}
