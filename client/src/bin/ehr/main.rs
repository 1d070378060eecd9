//! `ehr`: the command line of the EHR chain for patients, doctors, hospital admins and auditors.
//!
//! `cli` is the frame (global options, the list of groups, exit codes); each command group has
//! its own module with its arguments and its `run`: `key`, `hospital`, `patient`, `doctor`,
//! `record`, `consent`, `appointment` (slots too), `care` (vitals, messages, inbox), `emergency`
//! (break-glass, the custodian, notifications), `audit`, `budget`, `outbox`, `pinning`,
//! `gateway`. `session` opens the keys and the client; `ui` prints in words
//! ([`ehr_client::human`]) or JSON; `agent` keeps a key unlocked for a while. The library
//! ([`ehr_client`]) does the work and knows nothing of terminals, exit codes or these commands.
//! Exit codes: see [`cli::EXIT_CODES`].

mod agent;
mod appointment;
mod audit;
mod budget;
mod care;
mod cli;
mod consent;
mod doctor;
mod emergency;
mod gateway;
mod hospital;
mod key;
mod outbox;
mod patient;
mod pinning;
mod record;
mod session;
mod ui;

use clap::Parser;
use cli::{Cli, Command, Global};
use ehr_client::{Client, Error, Keys};
use serde_json::json;

async fn run(cli: Cli) -> Result<(), Error> {
	let global = &cli.global;
	let json = global.json;
	match cli.command {
		// These need no key (or make it).
		Command::Key(command) => key::run(global, command).await,
		Command::IpfsGateway(args) => gateway::run(global, args).await,
		Command::Audit(args) => audit::run(global, args).await,
		Command::Emergency(emergency::EmergencyCommand::Committee) => {
			emergency::committee(&session::client(global).await?, json).await
		}
		Command::Outbox(outbox::OutboxArgs { background: true, .. }) => {
			outbox::background(global).await
		}
		command => {
			let me = session::keys(global)?;
			let client = session::client(global).await?;
			if !matches!(command, Command::Outbox(_)) {
				outbox::on_start(&client, &me, json).await;
			}
			act(&client, &me, command, global).await
		}
	}
}

/// Runs a command as `me`, whose keys are loaded.
async fn act(client: &Client, me: &Keys, command: Command, global: &Global) -> Result<(), Error> {
	let json = global.json;
	match command {
		Command::Hospital(command) => hospital::run(client, me, command, json).await,
		Command::Patient(command) => patient::run(client, me, command, json).await,
		Command::Doctor(command) => doctor::run(client, me, command, global).await,
		Command::Record(command) => record::run(client, me, command, global).await,
		Command::Consent(command) => consent::run(client, me, command, json).await,
		Command::Slot(command) => appointment::run_slot(client, me, command, json).await,
		Command::Appointment(command) => appointment::run(client, me, command, global).await,
		Command::Vitals(command) => care::run_vitals(client, me, command, json).await,
		Command::Message(command) => care::run_message(client, me, command, json).await,
		Command::Inbox(care::InboxArgs { all, follow, remove_read }) => {
			care::inbox(client, me, all, follow, remove_read, global).await
		}
		Command::Budget(args) => budget::run(client, me, args, json).await,
		Command::Outbox(outbox::OutboxArgs { wait, timeout, .. }) => {
			outbox::command(client, me, wait, timeout, json).await
		}
		Command::Emergency(command) => emergency::command(client, me, command, json).await,
		Command::Custodian(args) => emergency::run_custodian(client, me, args, global).await,
		Command::PinService(args) => pinning::run(client, me, args, global).await,
		Command::Notifications(emergency::NotificationsArgs { all, for_patient }) => {
			emergency::notifications(client, me, all, for_patient, global).await
		}
		Command::Key(_) | Command::Audit(_) | Command::IpfsGateway(_) => {
			Err(Error::Usage("handled before keys are loaded".into()))
		}
	}
}

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	let json = cli.global.json;
	let _ = record::STATE_DIR.set(session::state_dir(&cli.global));
	// Ctrl-C drops the running command, so its temporary files (a partial plaintext, an
	// envelope being written) are deleted on the way out.
	let outcome = tokio::select! {
		outcome = run(cli) => outcome,
		_ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
	};
	ui::clear_spinner();
	// Read log entries the command queued are followed into a finalized block in the
	// background (the command does not wait for them).
	outbox::spawn_drainer();
	if let Err(error) = outcome {
		if json {
			println!("{}", json!({ "error": error.to_string(), "code": ui::exit_code(&error) }));
		} else {
			eprintln!("error: {error}");
		}
		std::process::exit(ui::exit_code(&error));
	}
}

#[cfg(test)]
mod tests;
