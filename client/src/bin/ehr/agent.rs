//! The key agent of `ehr key unlock`: unlocking a key file costs scrypt work on purpose (it
//! protects the phrase against guessing); an agent lets a working session pay it once.
//!
//! Like ssh-agent, the agent is a background process of the user's that holds the unlocked keys
//! in memory for a fixed time and hands them only to processes of the same user, through a Unix
//! socket in a directory only that user can open. Nothing unlocked touches the disk. The
//! client matches what it gets to the key file's clear address. The agent ends at its deadline,
//! on `ehr key lock`, or when killed; its socket goes with it.

use std::{
	io::{BufRead, Write},
	os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt},
	path::{Path, PathBuf},
	time::Duration,
};

use ehr_client::{Error, Keys};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use zeroize::Zeroizing;

/// What the agent hands out: the secret and which encryption key is current.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Unlocked {
	uri: String,
	key_index: u32,
}

fn uid() -> u32 {
	// SAFETY: getuid has no preconditions and cannot fail.
	unsafe { libc::getuid() }
}

/// The agent's socket for `key_file`: in $XDG_RUNTIME_DIR/ehr (or /tmp/ehr-<uid>), a directory
/// of the user's own with no access for anyone else (refused otherwise).
pub fn socket(key_file: &Path) -> Result<PathBuf, Error> {
	let base = std::env::var_os("XDG_RUNTIME_DIR")
		.map(|dir| PathBuf::from(dir).join("ehr"))
		.unwrap_or_else(|| PathBuf::from(format!("/tmp/ehr-{}", uid())));
	match std::fs::DirBuilder::new().mode(0o700).create(&base) {
		Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
			return Err(Error::KeyFile(format!("{}: {e}", base.display())))
		}
		_ => {}
	}
	let meta = std::fs::symlink_metadata(&base)
		.map_err(|e| Error::KeyFile(format!("{}: {e}", base.display())))?;
	if !meta.is_dir() || meta.uid() != uid() || meta.permissions().mode() & 0o077 != 0 {
		return Err(Error::KeyFile(format!(
			"{} is not a directory of yours closed to others: the key agent will not use it",
			base.display()
		)));
	}
	let absolute = std::fs::canonicalize(key_file)
		.map_err(|e| Error::KeyFile(format!("{}: {e}", key_file.display())))?;
	let digest = Sha256::digest(absolute.as_os_str().as_encoded_bytes());
	Ok(base.join(format!("agent-{}.sock", hex::encode(&digest[..8]))))
}

/// `ehr key unlock`: starts an agent for `keys` (already unlocked from `key_file`) that lives
/// `minutes`, and waits until it listens.
pub fn start(key_file: &Path, keys: &Keys, minutes: u64) -> Result<(), Error> {
	let path = socket(key_file)?;
	if std::os::unix::net::UnixStream::connect(&path).is_ok() {
		// One agent per key file: the running one is asked to stop first.
		let _ = lock(key_file);
	}
	let exe = std::env::current_exe()?;
	let mut child = std::process::Command::new(exe)
		.arg("--key-file")
		.arg(key_file)
		.args(["key", "agent", "--minutes", &minutes.to_string()])
		.stdin(std::process::Stdio::piped())
		.stdout(std::process::Stdio::piped())
		.stderr(std::process::Stdio::null())
		// No secret of this process's environment lives on in the agent.
		.env_remove("EHR_PASSPHRASE")
		.env_remove("EHR_PHRASE")
		.env_remove("EHR_SURI")
		// Its own process group: a Ctrl-C in this terminal does not end it.
		.process_group(0)
		.spawn()?;
	let secret = Zeroizing::new(
		serde_json::to_string(&Unlocked {
			uri: keys.secret_uri().to_string(),
			key_index: keys.key_index(),
		})
		.expect("serializable"),
	);
	{
		let mut stdin = child.stdin.take().expect("piped");
		stdin.write_all(secret.as_bytes())?;
		stdin.write_all(b"\n")?;
	}
	let mut ready = String::new();
	std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut ready)?;
	if ready.trim() != "ready" {
		let _ = child.kill();
		return Err(Error::KeyFile(format!("the key agent did not start: {}", ready.trim())));
	}
	Ok(())
}

use std::os::unix::process::CommandExt;

/// `ehr key agent`: reads the unlocked keys from standard input, listens, answers the user's
/// own processes until the deadline or `lock`.
pub async fn serve(key_file: &Path, minutes: u64) -> Result<(), Error> {
	// No core dump holds the key, and no other process of the user may trace this one (which
	// also closes /proc/<pid>/mem to them).
	// SAFETY: plain system calls with constant arguments.
	unsafe {
		let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
		libc::setrlimit(libc::RLIMIT_CORE, &none);
		libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	let mut line = Zeroizing::new(String::new());
	std::io::stdin().read_line(&mut line)?;
	let unlocked: Unlocked = serde_json::from_str(line.trim())
		.map_err(|_| Error::KeyFile("the key agent got no keys".into()))?;
	let unlocked_uri = Zeroizing::new(unlocked.uri);
	let path = socket(key_file)?;
	let _ = std::fs::remove_file(&path);
	let listener = tokio::net::UnixListener::bind(&path)
		.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
	std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
	println!("ready");
	let deadline = tokio::time::Instant::now() + Duration::from_secs(minutes.saturating_mul(60));
	let answer = Zeroizing::new(
		serde_json::to_string(&Unlocked {
			uri: unlocked_uri.to_string(),
			key_index: unlocked.key_index,
		})
		.expect("serializable"),
	);
	loop {
		let accepted = tokio::select! {
			accepted = listener.accept() => accepted,
			_ = tokio::time::sleep_until(deadline) => break,
		};
		let Ok((stream, _)) = accepted else { continue };
		// Only the user's own processes (the directory is closed to others already).
		if stream.peer_cred().map(|cred| cred.uid()).ok() != Some(uid()) {
			continue;
		}
		let (read, mut write) = stream.into_split();
		let mut request = String::new();
		let asked = tokio::time::timeout(
			Duration::from_secs(5),
			BufReader::new(read).read_line(&mut request),
		)
		.await;
		if !matches!(asked, Ok(Ok(_))) {
			continue;
		}
		match request.trim() {
			"get" => {
				let _ = write.write_all(answer.as_bytes()).await;
				let _ = write.write_all(b"\n").await;
			}
			"lock" => {
				let _ = write.write_all(b"locked\n").await;
				break;
			}
			_ => {}
		}
	}
	let _ = std::fs::remove_file(&path);
	Ok(())
}

/// The keys of `key_file` from its agent, if one runs (and they are that file's keys).
pub fn unlocked(key_file: &Path) -> Option<Keys> {
	let path = socket(key_file).ok()?;
	let mut stream = std::os::unix::net::UnixStream::connect(path).ok()?;
	stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
	stream.write_all(b"get\n").ok()?;
	let mut line = Zeroizing::new(String::new());
	std::io::BufReader::new(stream).read_line(&mut line).ok()?;
	let unlocked: Unlocked = serde_json::from_str(line.trim()).ok()?;
	let uri = Zeroizing::new(unlocked.uri);
	let keys = Keys::from_uri_at(&uri, unlocked.key_index).ok()?;
	// The agent of another file (or a stale one after a rotation) is not used.
	let public = (keys.address(), hex::encode(keys.encryption_key()));
	(Keys::file_public(key_file).ok()? == public).then_some(keys)
}

/// `ehr key lock`: whether an agent was running for `key_file` (it is not any more).
pub fn lock(key_file: &Path) -> Result<bool, Error> {
	let path = socket(key_file)?;
	let Ok(mut stream) = std::os::unix::net::UnixStream::connect(&path) else {
		let _ = std::fs::remove_file(&path);
		return Ok(false);
	};
	stream.set_read_timeout(Some(Duration::from_secs(5)))?;
	stream.write_all(b"lock\n")?;
	let mut line = String::new();
	let _ = std::io::BufReader::new(stream).read_line(&mut line);
	Ok(line.trim() == "locked")
}
