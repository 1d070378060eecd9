//! `ehr audit`: a patient's trail verified without trusting the node, in words, JSON or FHIR.

use std::time::Duration;

use clap::Args;
use ehr_client::{audit, human, human::Names, Error};
use serde_json::{json, Value};

use crate::{
	care,
	cli::Global,
	session::{account, client, finality},
	ui::{clear_spinner, or_none, say},
};

#[derive(Args)]
pub struct AuditArgs {
	/// The patient (SS58 address).
	pub patient: String,
	/// First entry.
	#[arg(long, default_value_t = 0)]
	pub from: u64,
	/// Most entries (at most 100 per page).
	#[arg(long, default_value_t = 100)]
	pub limit: u32,
	/// Every entry from --from to the end, in pages of --limit, all at the same block.
	#[arg(long)]
	pub all: bool,
	/// Refuse a newest verified block older than this many minutes.
	#[arg(long, default_value_t = 10, value_name = "MINUTES")]
	pub max_age: u64,
	/// Print the verified entries as a FHIR R4 Bundle of AuditEvents (what a hospital's
	/// compliance system imports), each validated against the FHIR schema.
	#[arg(long)]
	pub fhir: bool,
}

/// Verifies and prints a page (or all) of a patient's trail (needs no key file).
pub async fn run(global: &Global, args: AuditArgs) -> Result<(), Error> {
	let AuditArgs { patient, from, limit, all, max_age, fhir } = args;
	let json = global.json;
	let patient = account(&patient)?;
	let mut finality =
		finality(global)?.with_max_age(Duration::from_secs(max_age.saturating_mul(60)));
	let client = client(global).await?;
	let page = if all {
		audit::verified_trail_all(&client.chain, &mut finality, &patient, from, limit).await?
	} else {
		audit::verified_trail(&client.chain, &mut finality, &patient, from, limit).await?
	};
	if fhir {
		let events: Vec<Value> = page
			.entries
			.iter()
			.map(|(index, entry)| {
				ehr_client::fhir::audit_event(&patient, *index, entry, page.block_number)
			})
			.collect();
		let bundle = ehr_client::fhir::bundle(events);
		ehr_client::fhir::validate(&bundle).map_err(|p| {
			Error::Invalid(format!(
				"the audit bundle does not validate:\n{}",
				ehr_client::fhir::describe(&p)
			))
		})?;
		clear_spinner();
		println!("{}", care::json_text(&bundle));
		return Ok(());
	}
	let names = Names::load(&client, None).await.unwrap_or_default().with_patient(&patient);
	let entries: Vec<Value> = page
		.entries
		.iter()
		.map(|(index, entry)| json!({ "index": index, "entry": entry }))
		.collect();
	let text = page
		.entries
		.iter()
		.map(|(index, entry)| format!("#{index} {}", human::audit_entry(entry, &names)))
		.collect::<Vec<_>>()
		.join("\n");
	say(
		json,
		json!({ "verified": true, "at": page.at, "blockNumber": page.block_number, "total": page.total, "entries": entries }),
		format!(
			"{}\nverified against finalized block #{}: {} of {} entries, none left out \
			 or altered (the names beside the addresses are the node's directory)",
			or_none(text, "no entries on this page"),
			page.block_number,
			page.entries.len(),
			page.total
		),
	);
	Ok(())
}
