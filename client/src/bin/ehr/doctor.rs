//! `ehr doctor`: the directory, accepting a hospital's offer, the encryption key, one's
//! patients, break-glass access, and the vital-signs monitor.

use std::path::PathBuf;

use clap::Subcommand;
use ehr_client::{human, human::Names, Client, Error, Keys};
use ehr_primitives::EmergencyReason;
use serde_json::json;
use sp_core::crypto::Ss58Codec;

use crate::{
	care,
	cli::Global,
	session::account,
	ui::{done, or_none, say},
};

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
	/// Your shifts on call, from your hospital's roster (`ehr hospital set-on-call`): whether
	/// you are on call now, and when next. While on call, the web app's doctor page rings you
	/// when a patient calls your hospital.
	OnCall,
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

/// Runs `ehr doctor …` as `me`.
pub async fn run(
	client: &Client,
	me: &Keys,
	command: DoctorCommand,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let my_id = me.account_id();
	match command {
		DoctorCommand::List { specialty } => {
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
		DoctorCommand::Accept { hospital } => {
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
		DoctorCommand::SetKey => done(
			json,
			"encryption key published: patients can now share records with you",
			&client.set_encryption_key(me).await?,
		),
		DoctorCommand::Patients => {
			let patients = client.patients_of(&my_id).await?;
			let text = patients.iter().map(|p| p.to_ss58check()).collect::<Vec<_>>().join("\n");
			say(json, json!(patients), or_none(text, "no patients have granted you access"));
		}
		DoctorCommand::OnCall => {
			let ehr_client::Role::Doctor { hospital, .. } = client.role(&my_id).await? else {
				return Err(Error::Refused(
					"you are not a doctor on chain: a hospital offers the role (`ehr doctor \
					 accept`)"
						.into(),
				));
			};
			let (now, mut mine) = crate::hospital::shifts_to_come(client, &hospital).await?;
			mine.retain(|shift| shift.doctor == my_id);
			let lines: Vec<String> = mine
				.iter()
				.map(|shift| {
					format!(
						"{} to {}{}",
						human::time(shift.from),
						human::time(shift.until),
						if shift.holds(now) { " (now)" } else { "" }
					)
				})
				.collect();
			let on_call = mine.iter().any(|shift| shift.holds(now));
			let text = match (on_call, lines.is_empty()) {
				(_, true) => "you have no shift on call to come in your hospital's roster".into(),
				(true, false) => format!("You are on call now. Your shifts:\n{}", lines.join("\n")),
				(false, false) => {
					format!("You are not on call now. Your shifts:\n{}", lines.join("\n"))
				}
			};
			let listed: Vec<_> = mine
				.iter()
				.map(
					|shift| json!({ "from": shift.from, "until": shift.until, "onCallNow": shift.holds(now) }),
				)
				.collect();
			say(
				json,
				json!({ "hospital": hospital.to_ss58check(), "onCallNow": on_call, "shifts": listed }),
				text,
			);
		}
		DoctorCommand::Emergency { patient, code, note } => {
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
		DoctorCommand::Watch { rules, dry_run, show_rules, once, interval } => {
			care::doctor_watch(client, me, rules, dry_run, show_rules, once, interval, global)
				.await?
		}
	}
	Ok(())
}

/// A doctor of the directory in one line.
pub fn doctor_line(doctor: &ehr_rpc_api::Doctor, names: &Names) -> String {
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
