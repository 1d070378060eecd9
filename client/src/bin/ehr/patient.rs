//! `ehr patient`: registration (with a profile and the emergency choice), delegates, and ending
//! a doctor's emergency access.

use clap::Subcommand;
use ehr_client::{Client, Error, Keys};
use std::path::PathBuf;

use ehr_primitives::RecordCategory;
use serde_json::json;

use crate::{
	care,
	cli::Category,
	emergency,
	session::{account, patient_or_me},
	ui::{done, progress_bar, report_to, say, with_text_cid},
};

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

/// Runs `ehr patient …` as `me`.
pub async fn run(
	client: &Client,
	me: &Keys,
	command: PatientCommand,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		PatientCommand::Register { profile, emergency, no_emergency } => {
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
		PatientCommand::AddDelegate { delegate } => done(
			json,
			"delegate added: they may manage your consent (`ehr consent … --for <you>`)",
			&client.add_delegate(me, &account(&delegate)?).await?,
		),
		PatientCommand::RemoveDelegate { delegate } => {
			done(json, "delegate removed", &client.remove_delegate(me, &account(&delegate)?).await?)
		}
		PatientCommand::EndEmergency { doctor, patient } => {
			let patient = patient_or_me(patient.as_deref(), &my_id)?;
			done(
				json,
				"emergency access ended",
				&client.end_emergency_access(me, &patient, &account(&doctor)?).await?,
			)
		}
	}
	Ok(())
}
