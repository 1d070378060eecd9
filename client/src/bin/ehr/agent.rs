//! The key agent of `ehr key unlock`: unlocking a key file costs scrypt work on purpose (it
//! protects the phrase against guessing); an agent lets a working session pay it once.
//!
//! Like ssh-agent, the agent is a background process of the user's that holds the unlocked keys
//! in memory for a fixed time and answers only processes of the same user, through a Unix
//! socket in a directory only that user can open. It never hands out the phrase nor the account
//! or encryption secret: it signs a payload, unwraps one record's content key or one escrow
//! share, on request, so that a process that talks to it while it runs cannot use the keys after
//! it has ended. Nothing unlocked touches the disk. The client matches the agent's public keys to
//! the key file's clear fields. Rotating a key or writing a key file needs the phrase, so it
//! needs the key file's passphrase, not the agent. The agent ends at its deadline, on
//! `ehr key lock`, or when killed; its socket goes with it.

use std::{
	io::{BufRead, Write},
	os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt},
	path::{Path, PathBuf},
	sync::Arc,
	time::Duration,
};

use ehr_client::{Error, KeyAgent, Keys};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use zeroize::Zeroizing;

/// What the command hands to the agent it starts (on the agent's standard input, never back).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Unlocked {
	uri: String,
	key_index: u32,
}

/// A request to the agent: one JSON line per connection. Byte strings are hex.
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
enum Request {
	/// The public keys (to match them to the key file).
	Public,
	/// A signature of `payload` by the account key.
	Sign { payload: String },
	/// One record's content key from its wrapped stanza.
	Unwrap { stanza: String },
	/// One escrow share from its stanza and context.
	UnwrapShare { stanza: String, context: String },
	/// Whether the stanza opens only with an earlier encryption key.
	EarlierOnly { stanza: String },
	/// End the agent.
	Lock,
}

/// The agent's answer: the field its request asks for, or `error`.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Answer {
	#[serde(skip_serializing_if = "Option::is_none")]
	account: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	encryption_key: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	key_index: Option<u32>,
	#[serde(skip_serializing_if = "Option::is_none")]
	signature: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	key: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	share: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	earlier_only: Option<bool>,
	#[serde(skip_serializing_if = "Option::is_none")]
	locked: Option<bool>,
	#[serde(skip_serializing_if = "Option::is_none")]
	error: Option<String>,
}

/// The longest request line the agent reads (a stanza is a few hundred bytes).
const MAX_REQUEST: u64 = 64 * 1024;

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
	let uri = keys.secret_uri().ok_or_else(|| {
		Error::KeyFile("an agent's keys cannot start another agent: unlock the key file".into())
	})?;
	let secret = Zeroizing::new(
		serde_json::to_string(&Unlocked { uri: uri.to_string(), key_index: keys.key_index() })
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
	let keys = Keys::from_uri_at(&Zeroizing::new(unlocked.uri), unlocked.key_index)?;
	let path = socket(key_file)?;
	let _ = std::fs::remove_file(&path);
	let listener = tokio::net::UnixListener::bind(&path)
		.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
	std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
	println!("ready");
	let deadline = tokio::time::Instant::now() + Duration::from_secs(minutes.saturating_mul(60));
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
			BufReader::new(read.take(MAX_REQUEST)).read_line(&mut request),
		)
		.await;
		if !matches!(asked, Ok(Ok(_))) {
			continue;
		}
		let Ok(request) = serde_json::from_str::<Request>(request.trim()) else {
			continue;
		};
		let lock = matches!(request, Request::Lock);
		let answer =
			Zeroizing::new(serde_json::to_string(&answer(&keys, request)).expect("serializable"));
		let _ = write.write_all(answer.as_bytes()).await;
		let _ = write.write_all(b"\n").await;
		if lock {
			break;
		}
	}
	let _ = std::fs::remove_file(&path);
	Ok(())
}

/// The agent's answer to one request, from the keys it holds.
fn answer(keys: &Keys, request: Request) -> Answer {
	let bytes = |text: &str| hex::decode(text).map_err(|_| "not hex".to_string());
	let result: Result<Answer, String> = (|| {
		Ok(match request {
			Request::Public => Answer {
				account: Some(hex::encode(keys.account_public())),
				encryption_key: Some(hex::encode(keys.encryption_key())),
				key_index: Some(keys.key_index()),
				..Default::default()
			},
			Request::Sign { payload } => {
				let signature = keys.sign(&bytes(&payload)?).map_err(|e| e.to_string())?;
				Answer { signature: Some(hex::encode(signature)), ..Default::default() }
			}
			Request::Unwrap { stanza } => {
				let key = keys.unwrap(&bytes(&stanza)?).map_err(|e| e.to_string())?;
				Answer { key: Some(hex::encode(*key.to_bytes())), ..Default::default() }
			}
			Request::UnwrapShare { stanza, context } => {
				let share = keys
					.unwrap_share(&bytes(&stanza)?, &bytes(&context)?)
					.map_err(|e| e.to_string())?;
				Answer { share: Some(hex::encode(*share.to_bytes())), ..Default::default() }
			}
			Request::EarlierOnly { stanza } => Answer {
				earlier_only: Some(keys.opens_only_with_earlier_key(&bytes(&stanza)?)),
				..Default::default()
			},
			Request::Lock => Answer { locked: Some(true), ..Default::default() },
		})
	})();
	result.unwrap_or_else(|error| Answer { error: Some(error), ..Default::default() })
}

/// The command's side of the agent: one request per connection.
struct AgentSocket {
	path: PathBuf,
}

impl AgentSocket {
	fn ask(&self, request: &Request) -> Result<Answer, Error> {
		let gone = |e: std::io::Error| {
			Error::KeyFile(format!(
				"the key agent does not answer ({e}): unlock again with `ehr key unlock`"
			))
		};
		let mut stream = std::os::unix::net::UnixStream::connect(&self.path).map_err(gone)?;
		stream.set_read_timeout(Some(Duration::from_secs(5))).map_err(gone)?;
		let line = serde_json::to_string(request).expect("serializable");
		stream.write_all(line.as_bytes()).map_err(gone)?;
		stream.write_all(b"\n").map_err(gone)?;
		let mut line = Zeroizing::new(String::new());
		std::io::BufReader::new(stream).read_line(&mut line).map_err(gone)?;
		let answer: Answer = serde_json::from_str(line.trim())
			.map_err(|_| Error::KeyFile("the key agent's answer is not understood".into()))?;
		match answer.error {
			Some(error) => Err(Error::KeyFile(format!("the key agent refused: {error}"))),
			None => Ok(answer),
		}
	}

	fn bytes<const N: usize>(field: Option<String>) -> Result<Zeroizing<[u8; N]>, Error> {
		let bad = || Error::KeyFile("the key agent's answer is malformed".into());
		let text = Zeroizing::new(field.ok_or_else(bad)?);
		let mut out = Zeroizing::new([0u8; N]);
		hex::decode_to_slice(text.as_str(), &mut out[..]).map_err(|_| bad())?;
		Ok(out)
	}
}

impl KeyAgent for AgentSocket {
	fn sign(&self, payload: &[u8]) -> Result<sp_core::sr25519::Signature, Error> {
		let answer = self.ask(&Request::Sign { payload: hex::encode(payload) })?;
		Ok(sp_core::sr25519::Signature::from_raw(*Self::bytes::<64>(answer.signature)?))
	}

	fn unwrap(&self, stanza: &[u8]) -> Result<ehr_envelope::ContentKey, Error> {
		let answer = self.ask(&Request::Unwrap { stanza: hex::encode(stanza) })?;
		Ok(ehr_envelope::ContentKey::from_bytes(*Self::bytes::<32>(answer.key)?))
	}

	fn unwrap_share(
		&self,
		stanza: &[u8],
		context: &[u8],
	) -> Result<ehr_envelope::escrow::KeyShare, Error> {
		let answer = self.ask(&Request::UnwrapShare {
			stanza: hex::encode(stanza),
			context: hex::encode(context),
		})?;
		ehr_envelope::escrow::KeyShare::from_bytes(&Self::bytes::<33>(answer.share)?[..])
			.map_err(|e| Error::KeyFile(format!("the key agent's share: {e}")))
	}

	fn opens_only_with_earlier_key(&self, stanza: &[u8]) -> Result<bool, Error> {
		let answer = self.ask(&Request::EarlierOnly { stanza: hex::encode(stanza) })?;
		answer
			.earlier_only
			.ok_or_else(|| Error::KeyFile("the key agent's answer is malformed".into()))
	}
}

/// The keys of `key_file` from its agent, if one runs (and they are that file's keys): the
/// public halves are here, the secrets stay in the agent.
pub fn unlocked(key_file: &Path) -> Option<Keys> {
	let agent = AgentSocket { path: socket(key_file).ok()? };
	let public = agent.ask(&Request::Public).ok()?;
	let account =
		sp_core::sr25519::Public::from_raw(*AgentSocket::bytes::<32>(public.account).ok()?);
	let encryption_key = *AgentSocket::bytes::<32>(public.encryption_key).ok()?;
	let keys = Keys::with_agent(account, encryption_key, public.key_index?, Arc::new(agent));
	// The agent of another file (or a stale one after a rotation) is not used.
	let clear = (keys.address(), hex::encode(keys.encryption_key()));
	(Keys::file_public(key_file).ok()? == clear).then_some(keys)
}

/// `ehr key lock`: whether an agent was running for `key_file` (it is not any more).
pub fn lock(key_file: &Path) -> Result<bool, Error> {
	let path = socket(key_file)?;
	let Ok(mut stream) = std::os::unix::net::UnixStream::connect(&path) else {
		let _ = std::fs::remove_file(&path);
		return Ok(false);
	};
	stream.set_read_timeout(Some(Duration::from_secs(5)))?;
	stream.write_all(serde_json::to_string(&Request::Lock).expect("serializable").as_bytes())?;
	stream.write_all(b"\n")?;
	let mut line = String::new();
	let _ = std::io::BufReader::new(stream).read_line(&mut line);
	Ok(serde_json::from_str::<Answer>(line.trim()).is_ok_and(|answer| answer.locked == Some(true)))
}

#[cfg(test)]
mod tests {
	use super::*;
	use ehr_client::envelope::{self, escrow, ContentKey};
	use sp_core::{sr25519, Pair};

	const PHRASE: &str =
		"bottom drive obey lake curtain smoke basket hold race lonely fit walk//patient";

	/// Every request the agent understands, and what it must never answer with: the phrase, its
	/// words, the account's secret key or the encryption secret (in hex, as answers carry bytes).
	#[test]
	fn the_agent_signs_and_unwraps_but_never_answers_with_a_secret() {
		let keys = Keys::from_uri(PHRASE).unwrap();
		let account = sr25519::Pair::from_string(PHRASE, None).unwrap();
		let forbidden = [
			hex::encode(account.to_raw_vec()),
			hex::encode(&account.to_raw_vec()[..32]),
			hex::encode(keys.encryption_secret().unwrap().to_bytes()),
		];
		let key = ContentKey::from_bytes([7; 32]);
		let stanza = envelope::wrap(&key, &keys.encryption_key()).unwrap();
		let share = escrow::split(&key, 2, 3).unwrap().remove(0);
		let share_stanza = escrow::wrap_share(&share, &keys.encryption_key(), b"context").unwrap();
		let requests = [
			Request::Public,
			Request::Sign { payload: hex::encode(b"a transaction's payload") },
			Request::Unwrap { stanza: hex::encode(stanza) },
			Request::UnwrapShare {
				stanza: hex::encode(&share_stanza),
				context: hex::encode(b"context"),
			},
			Request::EarlierOnly { stanza: hex::encode(stanza) },
			Request::Unwrap { stanza: "not hex".into() },
			Request::Lock,
		];
		for request in requests {
			let asked = serde_json::to_string(&request).unwrap();
			let answered = serde_json::to_string(&answer(&keys, request)).unwrap();
			assert!(!answered.contains("bottom") && !answered.contains("lonely"), "{answered}");
			for secret in &forbidden {
				assert!(!answered.contains(secret.as_str()), "{asked} answered a secret");
			}
		}
		// What it does answer works: the signature verifies, the key and the share are the
		// wrapped ones.
		let signed = answer(&keys, Request::Sign { payload: hex::encode(b"payload") });
		let signature = AgentSocket::bytes::<64>(signed.signature).unwrap();
		assert!(sr25519::Pair::verify(
			&sr25519::Signature::from_raw(*signature),
			b"payload",
			&keys.account_public()
		));
		let opened = answer(&keys, Request::Unwrap { stanza: hex::encode(stanza) });
		assert_eq!(*AgentSocket::bytes::<32>(opened.key).unwrap(), [7; 32]);
		let opened = answer(
			&keys,
			Request::UnwrapShare {
				stanza: hex::encode(&share_stanza),
				context: hex::encode(b"context"),
			},
		);
		let bytes = AgentSocket::bytes::<33>(opened.share).unwrap();
		assert_eq!(
			*escrow::KeyShare::from_bytes(&bytes[..]).unwrap().to_bytes(),
			*share.to_bytes()
		);
		// The old protocol's `get` (which handed out the phrase) is not a request any more.
		assert!(serde_json::from_str::<Request>("get").is_err());
		assert!(serde_json::from_str::<Request>(r#"{"op":"get"}"#).is_err());
	}
}
