//! `ehr key`: make, restore, show, rotate, unlock for a while, and sign a FHIR server's sign-in.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use clap::Subcommand;
use ehr_client::{human, Error, Keys};
use serde_json::json;

use crate::{
	agent,
	cli::Global,
	session::{client, keys, new_passphrase, no_key_file, secret},
	ui::{count_bar, count_to, ids, say},
};

#[derive(Subcommand)]
pub enum KeyCommand {
	/// Make a new recovery phrase and key file.
	///
	/// Example: EHR_PASSPHRASE=… ehr key generate --out me.json
	Generate {
		/// Where to write the key file (never replaced if it exists).
		#[arg(long, value_name = "FILE")]
		out: PathBuf,
	},
	/// Write a key file for an existing phrase (read from EHR_PHRASE or a prompt).
	Import {
		/// Where to write the key file (never replaced if it exists).
		#[arg(long, value_name = "FILE")]
		out: PathBuf,
		/// Which encryption key of the phrase is current: the number of rotations so far
		/// (`ehr key show` prints it; the account key is the same for every index).
		#[arg(long, default_value_t = 0, value_name = "N")]
		key_index: u32,
	},
	/// Sign a hospital FHIR server's sign-in challenge (SMART App Launch) with your account key.
	///
	/// An app that signs you in through a hospital's FHIR server shows a challenge that begins
	/// "Sign in to the FHIR server"; this prints your signature of it (0x…), to paste back with
	/// your address. Nothing else is signed: any other text is refused. The signature is over
	/// `<Bytes>challenge</Bytes>`, as a browser extension signs, so it can never be a
	/// transaction's.
	///
	/// Example: ehr --key-file me.json key sign-in --challenge challenge.txt
	SignIn {
		/// A file holding the challenge exactly as shown (default: read from standard input).
		#[arg(long, value_name = "FILE")]
		challenge: Option<PathBuf>,
	},
	/// Print your account address and encryption key.
	Show {
		/// Print only the address (for scripts: `ME=$(ehr key show --address)`).
		#[arg(long)]
		address: bool,
	},
	/// Publish a new encryption key and re-wrap for it every record key you hold.
	///
	/// For an encryption secret that may have leaked (a device's memory, an unlocked-key
	/// cache), or as routine: the account stays the same; the phrase's next encryption key is
	/// published, the key file is rewritten with the new key index, and every content key you
	/// hold (your own records, and other patients' records you may read) is wrapped again for
	/// it. Afterwards no key on chain opens with the old secret. What the old key already
	/// decrypted, and the old wrapped keys in historical blocks, stay exposed: rotation
	/// protects what comes after. It does not help if your phrase, or your key file together
	/// with its passphrase, leaked: every rotated key derives from the phrase and the account
	/// key stays the same; move to a new account then. If interrupted, run it again.
	///
	/// Example: ehr --key-file me.json key rotate
	Rotate,
	/// Unlock your key file once for a while: the commands that follow skip the scrypt work of
	/// unlocking (and the passphrase).
	///
	/// Starts a key agent, like ssh-agent: a background process of yours that holds the
	/// unlocked key in memory for --minutes (default 15) and hands it only to processes of
	/// your own user, through a socket in a directory only you can open
	/// ($XDG_RUNTIME_DIR/ehr or /tmp/ehr-<uid>). Nothing unlocked is written to disk. `ehr
	/// key lock` ends it at once. Anyone who can run programs as your user while it runs can
	/// use the key: lock it before leaving the machine.
	///
	/// Example: ehr --key-file me.json key unlock --minutes 30
	Unlock {
		/// How long the key stays unlocked (1 to 1440 minutes).
		#[arg(long, default_value_t = 15, value_name = "MINUTES",
			value_parser = clap::value_parser!(u64).range(1..=1440))]
		minutes: u64,
	},
	/// Forget the unlocked key of `ehr key unlock` now.
	Lock,
	/// The key agent itself (started by `ehr key unlock`; not for direct use).
	#[command(hide = true)]
	Agent {
		#[arg(long, value_parser = clap::value_parser!(u64).range(1..=1440))]
		minutes: u64,
	},
}

/// Runs `ehr key …` (before any key is loaded: these commands make or open the key file).
pub async fn run(global: &Global, command: KeyCommand) -> Result<(), Error> {
	match command {
		KeyCommand::Rotate => rotate(global).await,
		KeyCommand::Agent { minutes } => {
			let path = global.key_file.as_deref().ok_or_else(no_key_file)?;
			agent::serve(path, minutes).await
		}
		command => key_command(global, command),
	}
}

async fn rotate(global: &Global) -> Result<(), Error> {
	let json = global.json;
	let path = global.key_file.clone().ok_or_else(|| {
		Error::KeyFile(
			"rotation rewrites your key file with the new key index: give --key-file (a --suri \
			 has no file to keep it in)"
				.into(),
		)
	})?;
	let passphrase = secret("EHR_PASSPHRASE", "Passphrase: ")?;
	let keys = Keys::load(&path, &passphrase)?;
	let client = client(global).await?;
	let bar = count_bar(json);
	let rotated = client
		.rotate_key(&keys, |new| new.replace_file(&path, &passphrase), count_to(&bar))
		.await?;
	bar.finish_and_clear();
	// An agent holding the old key would hand it out: it is stopped.
	let _ = agent::lock(&path);
	say(
		json,
		json!({
			"keyIndex": rotated.keys.key_index(),
			"encryptionKey": hex::encode(rotated.keys.encryption_key()),
			"rewrapped": rotated.rewrapped,
			"unopenable": rotated.unopenable,
			"refused": rotated.refused.iter().map(|(id, why)| json!({ "record": id, "reason": why })).collect::<Vec<_>>(),
		}),
		format!(
			"new encryption key {} (key index {}) published; {} record keys re-wrapped for it{}",
			hex::encode(rotated.keys.encryption_key()),
			rotated.keys.key_index(),
			rotated.rewrapped,
			if rotated.unopenable.is_empty() {
				String::new()
			} else {
				format!(
					"; records whose key opens with none of yours: {}",
					ids(&rotated.unopenable)
				)
			}
		),
	);
	Ok(())
}

fn key_command(global: &Global, command: KeyCommand) -> Result<(), Error> {
	let json = global.json;
	match command {
		KeyCommand::Generate { out } => {
			refuse_existing(&out)?;
			let (keys, phrase) = Keys::generate();
			let passphrase = new_passphrase()?;
			keys.save(&out, &passphrase)?;
			// Standard error, also with --json: the phrase is never part of a script's output.
			eprintln!(
				"Write down your recovery phrase and keep it offline; it restores both keys:\n\n{}\n",
				*phrase
			);
			print_keys(json, &keys, &out);
			Ok(())
		}
		KeyCommand::Import { out, key_index } => {
			refuse_existing(&out)?;
			let phrase = secret("EHR_PHRASE", "Recovery phrase: ")?;
			let keys = Keys::from_uri_at(phrase.trim(), key_index)?;
			keys.save(&out, &new_passphrase()?)?;
			print_keys(json, &keys, &out);
			Ok(())
		}
		KeyCommand::SignIn { challenge } => {
			let text = match challenge {
				Some(path) => std::fs::read_to_string(&path)
					.map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?,
				None => std::io::read_to_string(std::io::stdin())?,
			};
			// A trailing newline from a file or a pipe is not part of the challenge.
			let text = text.strip_suffix('\n').unwrap_or(&text);
			let keys = keys(global)?;
			let signature = ehr_client::signin::sign(&keys, text)?;
			say(json, json!({ "address": keys.address(), "signature": signature }), signature);
			Ok(())
		}
		KeyCommand::Show { address: true } => {
			let keys = keys(global)?;
			say(json, json!({ "address": keys.address() }), keys.address());
			Ok(())
		}
		KeyCommand::Show { address: false } => {
			let keys = keys(global)?;
			print_keys(json, &keys, global.key_file.as_deref().unwrap_or(Path::new("-")));
			Ok(())
		}
		KeyCommand::Unlock { minutes } => {
			let path = global.key_file.as_deref().ok_or_else(no_key_file)?;
			let keys = Keys::load(path, &secret("EHR_PASSPHRASE", "Passphrase: ")?)?;
			agent::start(path, &keys, minutes)?;
			let until = human::time(
				(std::time::SystemTime::now() + Duration::from_secs(minutes * 60))
					.duration_since(std::time::UNIX_EPOCH)
					.map(|d| d.as_millis() as u64)
					.unwrap_or_default(),
			);
			say(
				json,
				json!({ "unlocked": keys.address(), "minutes": minutes }),
				format!(
					"{} unlocked for {} (until {until}); `ehr key lock` forgets it sooner",
					path.display(),
					human::duration(minutes)
				),
			);
			Ok(())
		}
		KeyCommand::Lock => {
			let path = global.key_file.as_deref().ok_or_else(no_key_file)?;
			let was = agent::lock(path)?;
			say(
				json,
				json!({ "locked": was }),
				if was { "locked".into() } else { "no unlocked key for this file".into() },
			);
			Ok(())
		}
		KeyCommand::Rotate | KeyCommand::Agent { .. } => {
			Err(Error::Usage("handled before keys are loaded".into()))
		}
	}
}

fn refuse_existing(out: &Path) -> Result<(), Error> {
	if out.exists() {
		return Err(Error::Usage(format!(
			"{} exists: a key file is never replaced; choose another --out",
			out.display()
		)));
	}
	Ok(())
}

fn print_keys(json: bool, keys: &Keys, file: &Path) {
	// With its 0x, as chain specs and the consortium file take it.
	let encryption_key = format!("0x{}", hex::encode(keys.encryption_key()));
	say(
		json,
		json!({
			"address": keys.address(),
			"encryptionKey": encryption_key,
			"keyIndex": keys.key_index(),
			"keyFile": file
		}),
		format!(
			"account {}\nencryption key {encryption_key} (key index {})",
			keys.address(),
			keys.key_index()
		),
	);
}
