//! `ehr consent`: grants (with the keys of the records in scope), changes, revocations with or
//! without re-encryption, the list, the FHIR export, and sharing what grantees lack.

use std::{io::IsTerminal, path::PathBuf};

use clap::Subcommand;
use ehr_client::{human, human::Names, Client, Error, Keys};
use ehr_primitives::{AccessLevel, Scope};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	care,
	cli::{Category, PurposeArg},
	record::pending_unpins,
	session::{account, categories_scope, expiry, patient_or_me},
	ui::{clear_spinner, count_bar, count_to, done, ids, or_none, say, warn},
};

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

/// Runs `ehr consent …` as the patient, or a delegate, `me`.
pub async fn run(
	client: &Client,
	me: &Keys,
	command: ConsentCommand,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		ConsentCommand::Grant {
			grantee,
			categories,
			write,
			expires_in_hours,
			purpose,
			for_patient,
			yes,
		} => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let grantee = account(&grantee)?;
			let names = Names::load(client, Some(&my_id)).await?;
			let scope = if categories.is_empty() {
				if !yes && std::io::stdin().is_terminal() && !json {
					clear_spinner();
					eprintln!(
						"This grant lets {} read every record, the identifying profile included \
						 (name, birth date, contact). Narrow it with --categories, e.g. \
						 --categories lab-report,prescription.",
						names.of(&grantee)
					);
					let answer = rpassword::prompt_password("Grant every record? [y/N] ")
						.unwrap_or_default();
					if !answer.trim().eq_ignore_ascii_case("y") {
						return Err(Error::Usage(
							"nothing granted: narrow the grant with --categories, or answer y"
								.into(),
						));
					}
				} else if !yes {
					warn(json, "the grant covers every record, the identifying profile included (narrow it with --categories)".into());
				}
				Scope::All
			} else {
				categories_scope(categories)?
			};
			let access = if write { AccessLevel::ReadWrite } else { AccessLevel::Read };
			let expires_at = match expires_in_hours {
				Some(hours) => expiry(client.chain.now().await?, hours)?,
				None => None,
			};
			let granted = client
				.grant_for(
					me,
					&patient,
					&grantee,
					scope.clone(),
					access,
					expires_at,
					purpose.into(),
				)
				.await?;
			if !granted.skipped.is_empty() {
				warn(
					json,
					format!(
						"records {} were not shared: their key for you does not open (whoever \
						 wrote them wrapped something else); ask the author to amend them",
						ids(&granted.skipped)
					),
				);
			}
			let synced = sync_after(client, me, &patient, &names, json).await;
			let terms = ehr_primitives::Grant {
				scope,
				access,
				expires_at,
				purpose: purpose.into(),
				granted_at: 0,
				granted_by: my_id.clone(),
			};
			let now = client.chain.now().await?;
			say(
				json,
				json!({
					"done": "granted",
					"keysShared": granted.shared,
					"granteeHasKey": granted.grantee_has_key,
					"skipped": granted.skipped,
					"sync": synced,
					"block": granted.included.block,
					"blockNumber": granted.included.number,
				}),
				format!(
					"{} {}; {} record keys shared (final in block #{})",
					names.of(&grantee),
					human::grant(&terms, now),
					granted.shared,
					granted.included.number
				),
			);
		}
		ConsentCommand::Change {
			grantee,
			categories,
			every_record: _,
			write,
			expires_in_hours,
			purpose,
			for_patient,
		} => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let grantee = account(&grantee)?;
			let names = Names::load(client, Some(&my_id)).await?;
			// Either --categories or --every-record (clap requires one of them).
			let scope =
				if categories.is_empty() { Scope::All } else { categories_scope(categories)? };
			let access = if write { AccessLevel::ReadWrite } else { AccessLevel::Read };
			let now = client.chain.now().await?;
			let expires_at = match expires_in_hours {
				Some(hours) => expiry(now, hours)?,
				None => None,
			};
			let included = client
				.change_access(
					me,
					&patient,
					&grantee,
					scope.clone(),
					access,
					expires_at,
					purpose.into(),
				)
				.await?;
			let terms = ehr_primitives::Grant {
				scope,
				access,
				expires_at,
				purpose: purpose.into(),
				granted_at: 0,
				granted_by: my_id.clone(),
			};
			let synced = sync_after(client, me, &patient, &names, json).await;
			say(
				json,
				json!({
					"changed": grantee.to_ss58check(),
					"block": included.block,
					"blockNumber": included.number,
					"sync": synced,
				}),
				format!(
					"{} now {} (final in block #{})",
					names.of(&grantee),
					human::grant(&terms, now),
					included.number
				),
			);
		}
		ConsentCommand::Revoke { grantee, rekey: false, for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			done(
				json,
				"revoked; the grantee's record keys are deleted",
				&client.revoke_for(me, &patient, &account(&grantee)?).await?,
			)
		}
		ConsentCommand::Revoke { grantee, rekey: true, for_patient } => {
			if for_patient.is_some() {
				return Err(Error::Usage(
					"--rekey re-encrypts the patient's records: only the patient can (a delegate \
					 revokes without --rekey)"
						.into(),
				));
			}
			let bar = count_bar(json);
			let rekeyed = client.revoke_and_rekey(me, &account(&grantee)?, count_to(&bar)).await?;
			bar.finish_and_clear();
			let replaced: Vec<String> =
				rekeyed.replaced.iter().map(|(old, new)| format!("{old} → {new}")).collect();
			let pending = pending_unpins(client, &rekeyed.unpin_pending, json);
			say(
				json,
				json!({
					"revoked": rekeyed.revoked.block,
					"replaced": rekeyed.replaced.iter().map(|(old, new)| json!({ "old": old, "new": new })).collect::<Vec<_>>(),
					"failed": rekeyed.failed.iter().map(|(id, why)| json!({ "record": id, "reason": why })).collect::<Vec<_>>(),
					"unpinPending": pending,
				}),
				format!(
					"revoked; {} records re-encrypted (old → new: {}){}",
					rekeyed.replaced.len(),
					if replaced.is_empty() { "none".into() } else { replaced.join(", ") },
					if rekeyed.failed.is_empty() {
						String::new()
					} else {
						format!(
							"; not re-encrypted (run again): {}",
							ids(&rekeyed.failed.iter().map(|(id, _)| *id).collect::<Vec<_>>())
						)
					}
				),
			);
		}
		ConsentCommand::Export { fhir: _, out, for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &me.account_id())?;
			care::consent_export(client, &patient, out, json).await?;
		}
		ConsentCommand::List { for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let grants = client.grants(&patient).await?;
			let names = Names::load(client, Some(&my_id)).await?;
			let now = client.chain.now().await?;
			let text = grants
				.iter()
				.map(|g| format!("{} {}", names.of(&g.grantee), human::grant(&g.grant, now)))
				.collect::<Vec<_>>()
				.join("\n");
			say(
				json,
				json!(grants),
				or_none(text, "no grants: only the patient can read the records"),
			);
		}
		ConsentCommand::Sync { for_patient } => {
			let patient = patient_or_me(for_patient.as_deref(), &my_id)?;
			let names = Names::load(client, Some(&my_id)).await?;
			if !client.is_verifying() {
				warn(
					json,
					"the grantees and their keys are the node's word (pass --chain-spec to check \
					 them with proofs)"
						.into(),
				);
			}
			let synced = sync_and_report(client, me, &patient, &names, json, true).await?;
			let shared: u64 = synced["shared"]
				.as_array()
				.map(|all| all.iter().filter_map(|s| s["keys"].as_u64()).sum())
				.unwrap_or_default();
			say(
				json,
				synced,
				if shared == 0 {
					"every grantee with an encryption key holds the keys its grant covers".into()
				} else {
					format!("{shared} record keys shared")
				},
			);
		}
	}
	Ok(())
}

/// Shares what the patient's grantees lack and says what it did. `explicit`: `ehr consent
/// sync` itself; otherwise the check after an upload or a grant, which shares only when the
/// client verifies (the grantees and their keys are then proven), and without verification
/// only says what is missing.
pub async fn sync_and_report(
	client: &Client,
	me: &Keys,
	patient: &AccountId,
	names: &Names,
	json: bool,
	explicit: bool,
) -> Result<Value, Error> {
	let submit = explicit || client.is_verifying();
	let synced = client.sync_keys(me, patient, submit).await?;
	for (grantee, count) in &synced.shared {
		warn(json, format!("shared {count} record keys that {} lacked", names.of(grantee)));
	}
	for (grantee, count) in &synced.missing {
		warn(
			json,
			format!(
				"{} lacks {count} record keys their grant covers: `ehr consent sync` shares them \
				 (done by itself after uploads and grants with --chain-spec, where the grantees \
				 and their keys are proven)",
				names.of(grantee)
			),
		);
	}
	for grantee in &synced.waiting_for_key {
		warn(
			json,
			format!(
				"{} has consent but no encryption key yet: nothing can be shared with them until \
				 they publish one (`ehr doctor set-key`); then `ehr consent sync` shares what \
				 they lack",
				names.of(grantee)
			),
		);
	}
	for (grantee, why) in &synced.refused {
		warn(json, format!("keys for {} not shared: {why}", names.of(grantee)));
	}
	Ok(json!({
		"shared": synced.shared.iter().map(|(who, n)| json!({ "grantee": who, "keys": n })).collect::<Vec<_>>(),
		"missing": synced.missing.iter().map(|(who, n)| json!({ "grantee": who, "keys": n })).collect::<Vec<_>>(),
		"waitingForKey": synced.waiting_for_key,
		"refused": synced.refused.iter().map(|(who, why)| json!({ "grantee": who, "reason": why })).collect::<Vec<_>>(),
		"skipped": synced.skipped,
	}))
}

/// The check after a command that is done already: a failure is a warning, not the command's
/// error (the grant or the record stands).
pub async fn sync_after(
	client: &Client,
	me: &Keys,
	patient: &AccountId,
	names: &Names,
	json: bool,
) -> Value {
	match sync_and_report(client, me, patient, names, json, false).await {
		Ok(value) => value,
		Err(error) => {
			warn(
				json,
				format!("could not check the grantees' keys ({error}); `ehr consent sync` does"),
			);
			json!({ "error": error.to_string() })
		}
	}
}
