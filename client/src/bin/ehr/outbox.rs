//! `ehr outbox` and the outbox's drainer: read log entries on their way to a finalized block
//! (see `ehr_client::outbox`).
//!
//! A command that queued an entry starts a drainer in the background when it exits (`ehr outbox
//! --background`, one per outbox at a time, needing no key: it hands the signed bytes to the node
//! again and follows them into a finalized block). Every command that has your key first runs a
//! pass itself when no drainer is running (after a crash, a reboot, a node that was down),
//! signs again what only your key can, and tells you which of your reads are now in the trail.

use std::{
	path::PathBuf,
	sync::OnceLock,
	time::{Duration, SystemTime},
};

use clap::Args;
use ehr_client::{
	outbox::{Entry, Logged, Outbox, Pass},
	Chain, Client, Error, Keys,
};
use serde_json::json;

use ehr_client::human::Names;

use crate::{
	cli::Global,
	session::state_dir,
	ui::{clear_spinner, say, warn},
};

/// The outbox of the command's client (set by `client()`), for the drainer started at exit.
pub static OUTBOX: OnceLock<(Outbox, String, PathBuf)> = OnceLock::new();

/// How long a background drainer follows the entries before giving up (the next command, or
/// the next drainer, goes on).
const BACKGROUND: Duration = Duration::from_secs(600);

/// The outbox under the state folder for `client`'s chain; `None` (reads then wait for their
/// block, as without an outbox) if there is no state folder or it cannot be written.
pub async fn open(global: &Global, client: &Client) -> Option<Outbox> {
	let dir = state_dir(global)?;
	let first = client.chain.block_hash(1).await.unwrap_or_default();
	match Outbox::open(&dir, client.chain.genesis(), first) {
		Ok(outbox) => {
			let _ = OUTBOX.set((outbox.clone(), global.node.clone(), dir));
			Some(outbox)
		}
		Err(error) => {
			warn(
				global.json,
				format!("{error}: reads wait for their log entry's block (give --state-dir)"),
			);
			None
		}
	}
}

/// Starts a background drainer if entries wait and none is running. Called when a command ends
/// (and by long-running commands after each pass).
pub fn spawn_drainer() {
	let Some((outbox, node, dir)) = OUTBOX.get() else { return };
	if outbox.pending().is_empty() || outbox.try_lock().is_none() {
		return;
	}
	let Ok(exe) = std::env::current_exe() else { return };
	let mut command = std::process::Command::new(exe);
	command
		.arg("--node")
		.arg(node)
		.arg("--state-dir")
		.arg(dir)
		.args(["outbox", "--background"])
		.stdin(std::process::Stdio::null())
		.stdout(std::process::Stdio::null())
		.stderr(std::process::Stdio::null());
	// Its own process group: a Ctrl-C meant for the terminal's next command does not stop it.
	#[cfg(unix)]
	std::os::unix::process::CommandExt::process_group(&mut command, 0);
	let _ = command.spawn();
}

/// The background drainer: follows every pending entry until it is final, the node goes away, or
/// [`BACKGROUND`] passes. Quiet; exits at once if another drainer holds the lock. It opens only
/// the node and the outbox (no store, no key).
pub async fn background(global: &Global) -> Result<(), Error> {
	let Some(dir) = state_dir(global) else { return Ok(()) };
	let chain = Chain::connect(&global.node).await?;
	let first = chain.block_hash(1).await?;
	let outbox = Outbox::open(&dir, chain.genesis(), first)?;
	loop {
		let Some(lock) = outbox.try_lock() else { return Ok(()) };
		let pass = outbox.drain(&lock, &chain, None, BACKGROUND, |_| ()).await?;
		drop(lock);
		// Entries left that need their reader's key, or the time is up: the reader's next
		// command goes on. Otherwise an entry queued while the lock was held, by a command whose
		// own drainer found the lock taken and left, is this drainer's.
		if !pass.pending.is_empty() || outbox.pending().is_empty() {
			return Ok(());
		}
	}
}

fn patient_and_records(entry: &Entry, names: &Names) -> String {
	let ids: Vec<String> = entry.records.iter().map(|(id, _)| id.to_string()).collect();
	format!(
		"{} {} of {}",
		if ids.len() == 1 { "record" } else { "records" },
		ids.join(", "),
		names.of(&entry.patient)
	)
}

fn logged_line(logged: &Logged, names: &Names) -> String {
	match &logged.failed {
		None if !logged.outcome_unknown => format!(
			"your read of {} is in the patient's trail (final in block #{})",
			patient_and_records(&logged.entry, names),
			logged.block
		),
		Some(why) => format!(
			"your read of {} is NOT in the patient's trail: block #{} holds its transaction, \
			 which failed ({why})",
			patient_and_records(&logged.entry, names),
			logged.block
		),
		None => format!(
			"your read of {}: block #{} (final) holds its log transaction; the node no longer \
			 has that block's state to say whether it succeeded (`ehr audit` shows the trail)",
			patient_and_records(&logged.entry, names),
			logged.block
		),
	}
}

fn age(entry: &Entry) -> String {
	let now = SystemTime::now()
		.duration_since(SystemTime::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default();
	format!("{} s ago", now.saturating_sub(entry.queued_at) / 1000)
}

/// Before a keyed command: a pass with the reader's key if no drainer runs (sending again, and
/// signing again what only this key can), then the reader's entries now in finalized blocks,
/// told once (on standard error; with --json they stay for `ehr outbox`).
pub async fn on_start(client: &Client, me: &Keys, json: bool) {
	let Some(outbox) = client.outbox() else { return };
	if !outbox.pending().is_empty() {
		if let Some(lock) = outbox.try_lock() {
			if let Err(error) = outbox.pass(&lock, &client.chain, Some(me)).await {
				warn(json, format!("the outbox of read log entries could not be sent ({error})"));
			}
		}
	}
	if json {
		return;
	}
	let mine: Vec<Logged> =
		outbox.logged().into_iter().filter(|l| l.entry.reader == me.account_id()).collect();
	if mine.is_empty() {
		return;
	}
	let names = Names::load(client, Some(&me.account_id())).await.unwrap_or_default();
	for logged in mine {
		clear_spinner();
		eprintln!("note: {}", logged_line(&logged, &names));
		outbox.acknowledge(&logged.entry.id);
	}
}

/// `ehr outbox [--wait]`.
pub async fn command(
	client: &Client,
	me: &Keys,
	wait: bool,
	timeout: u64,
	json: bool,
) -> Result<(), Error> {
	let outbox = client.outbox().ok_or_else(|| {
		Error::Usage("there is no outbox without a state folder: give --state-dir DIR".into())
	})?;
	let names = Names::load(client, Some(&me.account_id())).await.unwrap_or_default();
	let until = tokio::time::Instant::now() + Duration::from_secs(if wait { timeout } else { 0 });
	// Only the lock's holder sends: while a drainer runs, --wait waits for it (until --timeout);
	// without --wait the outbox is only listed.
	let lock = loop {
		match outbox.try_lock() {
			Some(lock) => break Some(lock),
			None if tokio::time::Instant::now() < until => {
				tokio::time::sleep(Duration::from_millis(300)).await
			}
			None => break None,
		}
	};
	let pass = match &lock {
		Some(lock) => {
			let left = until.saturating_duration_since(tokio::time::Instant::now());
			outbox
				.drain(lock, &client.chain, Some(me), left, |l| {
					if wait && !json {
						clear_spinner();
						println!("{}", logged_line(l, &names));
					}
				})
				.await?
		}
		None => Pass { pending: outbox.pending(), ..Default::default() },
	};
	drop(lock);
	// Entries a pass just logged were printed as they came (with --wait).
	let printed: Vec<String> =
		if wait { pass.logged.iter().map(|l| l.entry.id.clone()).collect() } else { Vec::new() };
	// Everything in `logged/`: what this pass found, and what a drainer found before.
	let logged: Vec<Logged> = outbox.logged();
	let mut lines: Vec<String> = logged
		.iter()
		.filter(|l| !printed.contains(&l.entry.id))
		.map(|l| logged_line(l, &names))
		.collect();
	for entry in &pass.pending {
		let why = pass.need_signature.iter().find(|(id, _)| *id == entry.id);
		lines.push(format!(
			"your read of {} ({}) waits for a block: transaction {:?}{}",
			patient_and_records(entry, &names),
			age(entry),
			entry.hash,
			match why {
				Some((_, why)) => format!(" ({why}: its reader's next command signs it again)"),
				None => String::new(),
			}
		));
	}
	let value = json!({ "logged": logged, "pending": pass.pending });
	let text = if lines.is_empty() {
		"no read log entries wait: every read of this device is in its patient's trail".into()
	} else {
		lines.join("\n")
	};
	say(json, value, text);
	for l in logged.iter().filter(|l| l.entry.reader == me.account_id()) {
		outbox.acknowledge(&l.entry.id);
	}
	if wait && !pass.pending.is_empty() {
		return Err(Error::Node(format!(
			"{} read log entries are not in a finalized block after {timeout} s: is the node \
			 running and the chain finalizing? They stay queued; any later command sends them",
			pass.pending.len()
		)));
	}
	Ok(())
}

#[derive(Args)]
pub struct OutboxArgs {
	/// Wait until every entry is in a finalized block (or --timeout passes: exit code 5).
	#[arg(long)]
	pub wait: bool,
	/// How long --wait waits, in seconds.
	#[arg(long, default_value_t = 120, value_name = "SECONDS")]
	pub timeout: u64,
	/// Run as the background drainer (started by the command itself; needs no key).
	#[arg(long, hide = true)]
	pub background: bool,
}
