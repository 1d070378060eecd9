//! Break-glass on the command line: the patient's openable categories and escrow, the hospital's
//! custodian and its review of emergency accesses, and the patient's notifications.

use std::{path::PathBuf, time::Duration};

use clap::{Args, Subcommand};
use ehr_client::{
	custodian::{Decision, Ledger, Noted, Policy},
	human,
	human::Names,
	Client, Error, Keys,
};
use ehr_primitives::RecordCategory;
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	cli::{Category, Global},
	session::{account, patient_or_me, state_dir},
	ui::{count_bar, done, or_none, report_to, say, warn},
};

/// The categories in words: `profile, prescription and lab report`, or `none`.
fn in_words(categories: &[RecordCategory]) -> String {
	let words: Vec<&str> = categories.iter().map(|c| human::category(*c)).collect();
	match words.as_slice() {
		[] => "none".into(),
		[one] => (*one).into(),
		[rest @ .., last] => format!("{} and {last}", rest.join(", ")),
	}
}

/// Sets the patient's openable categories and (`then_sync`) escrows what they now cover.
pub async fn set_categories(
	client: &Client,
	me: &Keys,
	patient: &AccountId,
	categories: Vec<RecordCategory>,
	then_sync: bool,
	json: bool,
) -> Result<(), Error> {
	let included = client.set_emergency_categories(me, patient, categories.clone()).await?;
	let what = if categories.is_empty() {
		"nothing of yours can be opened in an emergency now".to_string()
	} else {
		format!(
			"in an emergency, a doctor can open your {} through the hospitals' escrow \
			 committee (no single hospital can; every release is in your trail)",
			in_words(&categories)
		)
	};
	done(json, &what, &included);
	if then_sync && *patient == me.account_id() && !categories.is_empty() {
		sync(client, me, json).await?;
	}
	Ok(())
}

/// `ehr emergency sync`.
async fn sync(client: &Client, me: &Keys, json: bool) -> Result<(), Error> {
	let bar = count_bar(json);
	let synced = client.escrow_sync(me, report_to(&bar)).await?;
	bar.finish_and_clear();
	if !synced.skipped.is_empty() {
		warn(
			json,
			format!(
				"records {:?} were not escrowed: their key for you does not open (a writer put \
				 another there)",
				synced.skipped
			),
		);
	}
	say(
		json,
		serde_json::to_value(&synced).unwrap_or_default(),
		format!(
			"{} record key(s) escrowed for the committee (epoch {}), {} already were",
			synced.escrowed.len(),
			synced.epoch,
			synced.up_to_date
		),
	);
	Ok(())
}

pub async fn command(
	client: &Client,
	me: &Keys,
	command: EmergencyCommand,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		EmergencyCommand::Categories { categories, none, for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			if categories.is_empty() && !none {
				let chosen = client.emergency_categories(&patient).await?;
				let text = if chosen.is_empty() {
					"nothing is openable in an emergency (suggested: `ehr emergency categories \
					 profile prescription lab-report`)"
						.to_string()
				} else {
					format!("openable in an emergency: {}", in_words(&chosen))
				};
				say(json, json!({ "categories": chosen }), text);
				return Ok(());
			}
			let categories = categories.into_iter().map(RecordCategory::from).collect();
			set_categories(client, me, &patient, categories, true, json).await
		}
		EmergencyCommand::Sync => sync(client, me, json).await,
		EmergencyCommand::Committee => committee(client, json).await,
	}
}

/// `ehr emergency committee` (no keys needed).
pub async fn committee(client: &Client, json: bool) -> Result<(), Error> {
	let committee = client.committee().await?;
	let names = Names::load(client, None).await.unwrap_or_default();
	let text = committee
		.members
		.iter()
		.map(|(hospital, key)| format!("{}  encryption key for escrow {key}", names.of(hospital)))
		.collect::<Vec<_>>()
		.join("\n");
	say(
		json,
		serde_json::to_value(&committee).unwrap_or_default(),
		format!(
			"{}\nany {} of these {} hospitals open an escrowed key (epoch {})",
			or_none(text, "no escrow committee: nothing can be opened in an emergency"),
			committee.threshold,
			committee.members.len(),
			committee.epoch
		),
	);
	Ok(())
}

/// The custodian's ledger (what its policy released, held and refused), in the state directory.
fn ledger(me: &Keys, global: &Global) -> Result<Ledger, Error> {
	let dir = state_dir(global).ok_or_else(|| {
		Error::Usage(
			"the custodian's policy keeps a ledger in the state directory: give --state-dir \
			 (or set HOME)"
				.into(),
		)
	})?;
	Ledger::open(&dir, &me.account_id())
}

/// `ehr custodian approve` and `ehr custodian status`.
pub fn custodian_action(
	me: &Keys,
	action: CustodianCommand,
	global: &Global,
	json: bool,
) -> Result<(), Error> {
	let mut ledger = ledger(me, global)?;
	match action {
		CustodianCommand::Approve { patient, doctor } => {
			let approved = ledger.approve(&account(&patient)?, &account(&doctor)?);
			if approved == 0 {
				return Err(Error::Refused(format!(
					"no request of {doctor} for {patient} is held (`ehr custodian status` lists \
					 them)"
				)));
			}
			ledger.save()?;
			say(
				json,
				json!({ "approved": approved }),
				format!(
					"approved: the running custodian releases the shares on its next pass \
					 ({approved} request(s))"
				),
			);
		}
		CustodianCommand::Status => {
			let line = |noted: &Noted| {
				format!(
					"{} for patient {} ({}, opened {}): {}",
					noted.request.doctor.to_ss58check(),
					noted.request.patient.to_ss58check(),
					human::reason(noted.request.code),
					human::time(noted.request.opened_at),
					noted.why
				)
			};
			let mut text = Vec::new();
			text.push(format!("held for approval: {}", ledger.held.len()));
			text.extend(ledger.held.iter().map(|n| format!("  {}", line(n))));
			text.push(format!("refused: {}", ledger.refused.len()));
			text.extend(ledger.refused.iter().map(|n| format!("  {}", line(n))));
			for (hospital, accesses) in &ledger.released {
				text.push(format!("released today to doctors of {hospital}: {}", accesses.len()));
			}
			say(json, serde_json::to_value(&ledger).unwrap_or_default(), text.join("\n"));
		}
	}
	Ok(())
}

/// One pass of the custodian, with the hospital's policy if any: the releases and the policy's
/// decisions.
async fn custodian_pass(
	client: &Client,
	me: &Keys,
	policy: &Option<Policy>,
	global: &Global,
) -> Result<(Vec<ehr_client::Release>, Vec<(ehr_client::custodian::Request, Decision)>), Error> {
	match policy {
		None => Ok((client.custodian_pass(me).await?, Vec::new())),
		Some(policy) => {
			// Read anew each pass: an approval given meanwhile counts at once.
			let mut ledger = ledger(me, global)?;
			let now = client.chain.now().await?;
			let pass = client
				.custodian_pass_with(me, &mut |request| ledger.decide(policy, request, now))
				.await?;
			// An approval given during the pass is in the file, not in this copy.
			ledger.merge_approvals(self::ledger(me, global)?);
			ledger.retain_open(&pass.open);
			ledger.save()?;
			Ok((pass.releases, pass.decisions))
		}
	}
}

/// `ehr custodian`: passes until Ctrl-C (or one with --once).
pub async fn custodian(
	client: &Client,
	me: &Keys,
	once: bool,
	interval: u64,
	policy: Option<Policy>,
	metrics: Option<ehr_client::metrics::ServiceMetrics>,
	global: &Global,
	json: bool,
) -> Result<(), Error> {
	let names = Names::load(client, Some(&me.account_id())).await.unwrap_or_default();
	if !client.is_verifying() {
		warn(
			json,
			"no --chain-spec: the custodian believes its node about the doctor's key and the \
			 emergency access; a lying node could have a share wrapped for a key of its own. \
			 Run custodians with the chain spec (and their own node)."
				.into(),
		);
	}
	if !once && !json {
		eprintln!(
			"custodian of {} running: a pass every {interval} s over the finalized blocks (Ctrl-C \
			 stops it)",
			me.address()
		);
	}
	// Each held or refused request is reported once per run (the ledger keeps them all).
	let mut reported = std::collections::BTreeSet::new();
	loop {
		let (releases, decisions) = match custodian_pass(client, me, &policy, global).await {
			Ok(pass) => pass,
			Err(e) if once => return Err(e),
			Err(e) => {
				// A node that is down ends one pass, not the service (its metrics count it).
				if let Some(metrics) = &metrics {
					metrics.pass_failed();
				}
				warn(json, format!("pass failed ({e}); trying again in {interval} s"));
				tokio::select! {
					_ = tokio::time::sleep(Duration::from_secs(interval.max(1))) => continue,
					_ = tokio::signal::ctrl_c() => return Ok(()),
				}
			}
		};
		if let Some(metrics) = &metrics {
			// Behind: the emergency accesses (patient and doctor) some of whose shares could
			// not be released; failures: each release that failed.
			let failed: Vec<_> = releases.iter().filter(|r| r.outcome.is_err()).collect();
			let accesses: std::collections::BTreeSet<_> =
				failed.iter().map(|r| (r.patient.clone(), r.doctor.clone())).collect();
			metrics.pass_done(accesses.len() as u64, failed.len() as u64);
		}
		for (request, decision) in &decisions {
			let (what, why) = match decision {
				Decision::Hold(why) => ("held for a person's approval", why),
				Decision::Refuse(why) => ("refused", why),
				Decision::Release => continue,
			};
			if !reported.insert((request.key(), what)) {
				continue;
			}
			say(
				json,
				json!({ "request": request, "decision": decision }),
				format!(
					"{what}: {} for {} ({}): {why}{}",
					names.of(&request.doctor),
					names.of(&request.patient),
					human::reason(request.code),
					if matches!(decision, Decision::Hold(_)) {
						format!(
							"; approve with `ehr custodian approve {} {}`",
							request.patient.to_ss58check(),
							request.doctor.to_ss58check()
						)
					} else {
						String::new()
					}
				),
			);
		}
		for release in &releases {
			let line = match &release.outcome {
				Ok(_) if release.records.is_empty() => String::new(),
				Ok(block) => format!(
					"released shares of record(s) {:?} of {} to {} (final in block #{block})",
					release.records,
					names.of(&release.patient),
					names.of(&release.doctor)
				),
				Err(why) => format!(
					"could not release record(s) {:?} of {} to {} ({why}); trying again next pass",
					release.records,
					names.of(&release.patient),
					names.of(&release.doctor)
				),
			};
			let unopenable = if release.unopenable.is_empty() {
				String::new()
			} else {
				format!(
					"records {:?} of {}: this hospital's share does not open with its key (an \
					 escrow for another key, or a bad share from the writer)",
					release.unopenable,
					names.of(&release.patient)
				)
			};
			for text in [line, unopenable].into_iter().filter(|t| !t.is_empty()) {
				say(json, serde_json::to_value(release).unwrap_or_default(), text);
			}
		}
		if once {
			if releases.is_empty() {
				say(json, json!({ "released": [] }), "nothing to release".into());
			}
			return Ok(());
		}
		tokio::select! {
			_ = tokio::time::sleep(Duration::from_secs(interval.max(1))) => {}
			_ = tokio::signal::ctrl_c() => return Ok(()),
		}
	}
}

/// `ehr hospital emergencies`.
pub async fn hospital_emergencies(
	client: &Client,
	me: &Keys,
	all: bool,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	let reviews = client.hospital_emergencies((!all).then_some(&my_id)).await?;
	let names = Names::load(client, Some(&my_id)).await.unwrap_or_default();
	let now = client.chain.now().await?;
	let text = reviews
		.iter()
		.map(|review| {
			let released = if review.released.is_empty() {
				"no record released yet".to_string()
			} else {
				review
					.released
					.iter()
					.map(|(id, shares)| format!("record {id} ({shares} share(s))"))
					.collect::<Vec<_>>()
					.join(", ")
			};
			format!(
				"{} → patient {}: {}, opened {} ({}), {} {}{}\n    released: {released}\n    \
				 close after review: ehr hospital close-emergency {} {}",
				names.of(&review.doctor),
				review.patient.to_ss58check(),
				human::reason(review.code),
				human::time(review.opened_at),
				human::relative(review.opened_at, now),
				if review.expired { "expired" } else { "expires" },
				human::relative(review.expires_at, now),
				review
					.commitment
					.as_ref()
					.map(|c| format!("; note committed as {c}"))
					.unwrap_or_default(),
				review.patient.to_ss58check(),
				review.doctor.to_ss58check(),
			)
		})
		.collect::<Vec<_>>()
		.join("\n");
	say(
		json,
		serde_json::to_value(&reviews).unwrap_or_default(),
		or_none(text, "no emergency accesses of your doctors"),
	);
	Ok(())
}

/// Where the index of the last trail entry a patient saw is kept.
fn seen_path(global: &Global, patient: &AccountId) -> Option<PathBuf> {
	Some(state_dir(global)?.join("notifications").join(patient.to_ss58check()))
}

/// `ehr notifications`: the trail since the last look (others' doings only), and the
/// emergency accesses open now.
pub async fn notifications(
	client: &Client,
	me: &Keys,
	all: bool,
	for_patient: Option<String>,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let my_id = me.account_id();
	let patient = match for_patient {
		Some(text) => account(&text)?,
		None => my_id.clone(),
	};
	let path = seen_path(global, &patient);
	let seen: u64 = match (&path, all) {
		(Some(path), false) => std::fs::read_to_string(path)
			.ok()
			.and_then(|text| text.trim().parse().ok())
			.unwrap_or(0),
		_ => 0,
	};
	let (total, entries, verified) = client.trail_since(&patient, seen).await?;
	let names = Names::load(client, Some(&my_id)).await.unwrap_or_default();
	let news: Vec<_> = entries.iter().filter(|(_, entry)| entry.actor != my_id).collect();
	let open = client.open_emergencies(&patient).await?;
	let now = client.chain.now().await?;
	let mut lines: Vec<String> = open
		.iter()
		.map(|access| {
			format!(
				"OPEN NOW: emergency access of {} ({}), {}",
				names.of(&access.doctor),
				human::reason(access.code),
				format_args!("expires {}", human::relative(access.expires_at, now))
			)
		})
		.collect();
	lines.extend(
		news.iter().map(|(index, entry)| format!("#{index} {}", human::audit_entry(entry, &names))),
	);
	let text = or_none(lines.join("\n"), "nothing new since you last looked");
	let note = if verified { "" } else { " (as the node says; --chain-spec verifies the trail)" };
	let entries_json: Vec<Value> =
		news.iter().map(|(index, entry)| json!({ "index": index, "entry": entry })).collect();
	say(
		json,
		json!({ "openEmergencies": open, "entries": entries_json, "total": total, "verified": verified }),
		format!("{text}\n{} new of {total} trail entries{note}", news.len()),
	);
	if let Some(path) = path {
		if let Some(dir) = path.parent() {
			let _ = std::fs::create_dir_all(dir);
		}
		if let Err(error) = std::fs::write(&path, total.to_string()) {
			warn(json, format!("could not remember what you saw ({}): {error}", path.display()));
		}
	}
	Ok(())
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

#[derive(Args)]
pub struct CustodianArgs {
	/// Approve a held request, or show what was held and refused.
	#[command(subcommand)]
	pub action: Option<CustodianCommand>,
	/// One pass, then exit (for tests and cron).
	#[arg(long)]
	pub once: bool,
	/// Seconds between passes.
	#[arg(long, default_value_t = 6, value_name = "SECONDS")]
	pub interval: u64,
	/// The hospital's release policy (JSON); without it, every valid request is released.
	#[arg(long, value_name = "FILE")]
	pub policy: Option<std::path::PathBuf>,
	/// Serve Prometheus metrics at http://ADDRESS:PORT/metrics (requests behind, last pass,
	/// failures; docs/operations.md), e.g. 127.0.0.1:9618.
	#[arg(long, value_name = "ADDRESS:PORT")]
	pub metrics: Option<std::net::SocketAddr>,
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

#[derive(Args)]
pub struct NotificationsArgs {
	/// Everything from the start of your trail, not only what is new.
	#[arg(long)]
	pub all: bool,
	/// Whose trail, as the patient's delegate (SS58 address; default: yours).
	#[arg(long = "for", value_name = "PATIENT")]
	pub for_patient: Option<String>,
}

/// Runs `ehr custodian`: a person's action on held requests, or the custodian service itself.
pub async fn run_custodian(
	client: &Client,
	me: &Keys,
	args: CustodianArgs,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let CustodianArgs { action, once, interval, policy, metrics } = args;
	if let Some(action) = action {
		return custodian_action(me, action, global, json);
	}
	let policy = policy.as_deref().map(ehr_client::custodian::Policy::load).transpose()?;
	let metrics = match metrics {
		Some(address) => Some(ehr_client::metrics::custodian(address).await?),
		None => None,
	};
	custodian(client, me, once, interval, policy, metrics, global, json).await
}
