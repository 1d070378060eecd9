//! A user's keys: the sr25519 account key and the X25519 encryption key, both from one BIP-39
//! phrase (so the phrase alone restores both), kept in a passphrase-protected key file.

use std::{path::Path, sync::Arc};

use ehr_envelope::keys::{KeyFile, KeyFileError};
use rand_core::{OsRng, RngCore};
use sp_core::{
	crypto::{ExposeSecret, SecretUri, Ss58Codec},
	sr25519, Pair,
};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// The most rotations of one account's encryption key (each earlier key is kept to open keys
/// not yet re-wrapped).
pub const MAX_KEY_INDEX: u32 = 1000;

/// A user's keys: the public halves, and what holds the secrets.
#[derive(Clone)]
pub struct Keys {
	account: sr25519::Public,
	encryption_key: [u8; 32],
	/// Which encryption key of the phrase this is: 0 at first, one more per rotation.
	key_index: u32,
	holder: Holder,
}

/// What signs and unwraps for a [`Keys`].
#[derive(Clone)]
enum Holder {
	/// The secrets, derived from the phrase in this process.
	Here(Box<Secrets>),
	/// The user's key agent (`ehr key unlock`), which signs and unwraps on request and never
	/// hands out the phrase or a long-term secret.
	Agent(Arc<dyn KeyAgent>),
}

#[derive(Clone)]
struct Secrets {
	uri: Zeroizing<String>,
	account: sr25519::Pair,
	encryption: StaticSecret,
	/// The encryption secrets of the earlier indices, newest first: keys wrapped before a
	/// rotation finished still open with them.
	earlier: Vec<StaticSecret>,
}

impl std::fmt::Debug for Keys {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "Keys({})", self.account_id())
	}
}

/// A holder of a user's secrets in another process (like ssh-agent): it answers requests to
/// sign and to unwrap, and gives out only what a request asks for (a signature, one record's
/// content key, one escrow share), never the phrase or the account's or encryption secret.
pub trait KeyAgent: Send + Sync {
	/// An sr25519 signature of `payload` by the account key.
	fn sign(&self, payload: &[u8]) -> Result<sr25519::Signature, Error>;
	/// [`Keys::unwrap`].
	fn unwrap(&self, stanza: &[u8]) -> Result<ehr_envelope::ContentKey, Error>;
	/// [`Keys::unwrap_share`].
	fn unwrap_share(
		&self,
		stanza: &[u8],
		context: &[u8],
	) -> Result<ehr_envelope::escrow::KeyShare, Error>;
	/// [`Keys::opens_only_with_earlier_key`].
	fn opens_only_with_earlier_key(&self, stanza: &[u8]) -> Result<bool, Error>;
}

impl Keys {
	/// New keys from a fresh 24-word phrase; returns the keys and the phrase to write down.
	pub fn generate() -> (Keys, Zeroizing<String>) {
		let mut entropy = [0u8; 32];
		OsRng.fill_bytes(&mut entropy);
		let mnemonic = bip39::Mnemonic::from_entropy(&entropy).expect("32 bytes of entropy");
		entropy.zeroize();
		let phrase = Zeroizing::new(mnemonic.to_string());
		(Keys::from_uri(&phrase).expect("a fresh phrase is valid"), phrase)
	}

	/// Keys from a secret URI: a BIP-39 phrase, optionally with a derivation path and password
	/// (`"<phrase>//hospital//1///password"`, as Substrate wallets write them; `//Alice` alone
	/// means the development phrase).
	pub fn from_uri(uri: &str) -> Result<Keys, Error> {
		Keys::from_uri_at(uri, 0)
	}

	/// The keys of `uri` with its encryption key number `key_index` (after that many
	/// rotations): the account key is the same, the encryption key a new one, derived from the
	/// same phrase so that the phrase still restores every key.
	pub fn from_uri_at(uri: &str, key_index: u32) -> Result<Keys, Error> {
		if key_index > MAX_KEY_INDEX {
			return Err(Error::KeyFile(format!("key index {key_index} is above {MAX_KEY_INDEX}")));
		}
		let parsed: SecretUri = uri.parse().map_err(|_| Error::BadPhrase)?;
		let phrase: &str = parsed.phrase.expose_secret().as_ref();
		let phrase = if phrase.is_empty() { sp_core::crypto::DEV_PHRASE } else { phrase };
		let mnemonic = bip39::Mnemonic::parse_in(bip39::Language::English, phrase)
			.map_err(|_| Error::BadPhrase)?;
		let account = sr25519::Pair::from_string(uri, None).map_err(|_| Error::BadPhrase)?;
		let password: &str = parsed.password.as_ref().map_or("", |p| p.expose_secret().as_ref());
		let mut seed = mnemonic.to_seed(password);
		// The derivation path is part of the info, so `//Alice` and `//Bob` differ.
		let path: Vec<u8> = parsed
			.junctions
			.iter()
			.flat_map(|junction| {
				core::iter::once(u8::from(junction.is_hard()))
					.chain(junction.inner().iter().copied())
			})
			.collect();
		let secret_at = |index: u32| ehr_envelope::keys::encryption_secret(&seed, &path, index);
		let encryption = secret_at(key_index);
		let earlier = (0..key_index).rev().map(secret_at).collect();
		seed.zeroize();
		Ok(Keys {
			account: account.public(),
			encryption_key: PublicKey::from(&encryption).to_bytes(),
			key_index,
			holder: Holder::Here(Box::new(Secrets {
				uri: Zeroizing::new(uri.to_string()),
				account,
				encryption,
				earlier,
			})),
		})
	}

	/// Keys whose secrets `agent` holds: `account`, `encryption_key` and `key_index` are the
	/// public halves (checked by the caller against the key file's clear fields).
	pub fn with_agent(
		account: sr25519::Public,
		encryption_key: [u8; 32],
		key_index: u32,
		agent: Arc<dyn KeyAgent>,
	) -> Keys {
		Keys { account, encryption_key, key_index, holder: Holder::Agent(agent) }
	}

	/// The secrets, if this process holds them (not an agent).
	fn secrets(&self, what: &str) -> Result<&Secrets, Error> {
		match &self.holder {
			Holder::Here(secrets) => Ok(secrets),
			Holder::Agent(_) => Err(Error::KeyFile(format!(
				"{what} needs the key file itself, not its key agent (the agent never hands out \
				 the phrase): run `ehr key lock`, then again with the passphrase"
			))),
		}
	}

	/// Whether the secrets are held by a key agent rather than this process.
	pub fn is_agent(&self) -> bool {
		matches!(self.holder, Holder::Agent(_))
	}

	/// The account key's signature of `payload`.
	pub fn sign(&self, payload: &[u8]) -> Result<sr25519::Signature, Error> {
		match &self.holder {
			Holder::Here(secrets) => Ok(secrets.account.sign(payload)),
			Holder::Agent(agent) => agent.sign(payload),
		}
	}

	/// Which encryption key of the phrase this is (0 before any rotation).
	pub fn key_index(&self) -> u32 {
		self.key_index
	}

	/// The same account with the next encryption key.
	pub fn rotated(&self) -> Result<Keys, Error> {
		Keys::from_uri_at(&self.secrets("rotating the encryption key")?.uri, self.key_index + 1)
	}

	/// Unwraps a content key wrapped for this account's current encryption key, or for an
	/// earlier one (a key not yet re-wrapped after a rotation).
	pub fn unwrap(&self, stanza: &[u8]) -> Result<ehr_envelope::ContentKey, Error> {
		let secrets = match &self.holder {
			Holder::Here(secrets) => secrets,
			Holder::Agent(agent) => return agent.unwrap(stanza),
		};
		let mut last = None;
		for secret in std::iter::once(&secrets.encryption).chain(&secrets.earlier) {
			match ehr_envelope::unwrap(stanza, secret) {
				Ok(key) => return Ok(key),
				Err(error) => last = Some(error),
			}
		}
		Err(last.expect("at least the current key was tried").into())
	}

	/// Opens an escrow share stanza wrapped for this account's current encryption key, or for
	/// an earlier one (a custodian's shares escrowed before it rotated its escrow key).
	pub fn unwrap_share(
		&self,
		stanza: &[u8],
		context: &[u8],
	) -> Result<ehr_envelope::escrow::KeyShare, Error> {
		let secrets = match &self.holder {
			Holder::Here(secrets) => secrets,
			Holder::Agent(agent) => return agent.unwrap_share(stanza, context),
		};
		let mut last = None;
		for secret in std::iter::once(&secrets.encryption).chain(&secrets.earlier) {
			match ehr_envelope::escrow::unwrap_share(stanza, secret, context) {
				Ok(share) => return Ok(share),
				Err(error) => last = Some(error),
			}
		}
		Err(last.expect("at least the current key was tried").into())
	}

	/// Whether `stanza` opens only with an earlier encryption key (it needs re-wrapping).
	pub fn opens_only_with_earlier_key(&self, stanza: &[u8]) -> bool {
		match &self.holder {
			Holder::Here(secrets) => {
				ehr_envelope::unwrap(stanza, &secrets.encryption).is_err()
					&& secrets
						.earlier
						.iter()
						.any(|secret| ehr_envelope::unwrap(stanza, secret).is_ok())
			}
			// An agent that does not answer: nothing to re-wrap is claimed.
			Holder::Agent(agent) => agent.opens_only_with_earlier_key(stanza).unwrap_or(false),
		}
	}

	/// Whether `uri` has no phrase of its own (`//Alice`): its keys derive from the public
	/// development phrase, so anyone can compute them. Fine on a development chain, a disaster
	/// for a hospital that types `//MyHospital`.
	pub fn is_development_uri(uri: &str) -> bool {
		uri.parse::<SecretUri>().is_ok_and(|parsed| {
			let phrase: &str = parsed.phrase.expose_secret().as_ref();
			// Spacing and case do not make the public phrase private.
			let words: Vec<String> =
				phrase.split_whitespace().map(|word| word.to_lowercase()).collect();
			words.is_empty() || words.join(" ") == sp_core::crypto::DEV_PHRASE
		})
	}

	/// The account's public key.
	pub fn account_public(&self) -> sr25519::Public {
		self.account
	}

	/// The account id.
	pub fn account_id(&self) -> sp_runtime::AccountId32 {
		self.account.into()
	}

	/// The account in SS58 form.
	pub fn address(&self) -> String {
		self.account_id().to_ss58check()
	}

	/// The X25519 secret key, if this process holds it (not a key agent).
	pub fn encryption_secret(&self) -> Option<&StaticSecret> {
		match &self.holder {
			Holder::Here(secrets) => Some(&secrets.encryption),
			Holder::Agent(_) => None,
		}
	}

	/// The X25519 public key that others wrap record keys for.
	pub fn encryption_key(&self) -> [u8; 32] {
		self.encryption_key
	}

	/// Replaces the key file at `path` with these keys (after a rotation), atomically: the
	/// old file stays whole until the new one is complete.
	pub fn replace_file(&self, path: &Path, passphrase: &str) -> Result<(), Error> {
		let json = self.key_file_json(passphrase, KeyFile::DEFAULT_LOG_N)?;
		write_atomically(path, json.as_bytes(), Replace::Yes)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))
	}

	/// Writes the keys to `path`, encrypted under `passphrase` (scrypt at 2^18, then
	/// ChaCha20-Poly1305 with the file's clear fields as associated data). The file appears
	/// whole or not at all, readable by its owner only, and never replaces an existing one.
	pub fn save(&self, path: &Path, passphrase: &str) -> Result<(), Error> {
		self.save_with_cost(path, passphrase, KeyFile::DEFAULT_LOG_N)
	}

	/// As [`Keys::save`] with scrypt cost `2^log_n` (tests use a low cost).
	pub fn save_with_cost(&self, path: &Path, passphrase: &str, log_n: u8) -> Result<(), Error> {
		if path.exists() {
			return Err(Error::KeyFile(format!(
				"{}: exists already: a key file is never overwritten (choose another --out)",
				path.display()
			)));
		}
		let json = self.key_file_json(passphrase, log_n)?;
		write_atomically(path, json.as_bytes(), Replace::No)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))
	}

	/// The key file's JSON: the secret URI encrypted under `passphrase` at scrypt cost
	/// `2^log_n`, the clear fields bound as associated data.
	fn key_file_json(&self, passphrase: &str, log_n: u8) -> Result<String, Error> {
		if passphrase.is_empty() {
			return Err(Error::KeyFile(
				"an empty passphrase protects nothing: choose one (EHR_PASSPHRASE or the prompt)"
					.into(),
			));
		}
		let mut salt = [0u8; 16];
		let mut nonce = [0u8; 12];
		OsRng.fill_bytes(&mut salt);
		OsRng.fill_bytes(&mut nonce);
		let file = KeyFile::seal(
			&self.secrets("writing a key file")?.uri,
			self.address(),
			hex::encode(self.encryption_key()),
			self.key_index,
			passphrase,
			log_n,
			salt,
			nonce,
		)
		.map_err(key_file_error)?;
		Ok(serde_json::to_string_pretty(&file).expect("the key file serializes"))
	}

	/// The secret URI (phrase) the keys derive from, if this process holds it. Only for
	/// handing the unlocked keys to the user's key agent (`ehr key unlock`): whoever has it has
	/// every key.
	pub fn secret_uri(&self) -> Option<&str> {
		self.secrets("the phrase").ok().map(|secrets| secrets.uri.as_str())
	}

	/// The account address and encryption key (hex) a key file names in the clear (read
	/// without the passphrase, to match an unlocked key to its file; [`Keys::load`] checks
	/// them against the secret).
	pub fn file_public(path: &Path) -> Result<(String, String), Error> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
		let file: KeyFile = serde_json::from_str(&text)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
		Ok((file.address, file.encryption_key.trim_start_matches("0x").to_string()))
	}

	/// Reads keys from a key file written by [`Keys::save`] (or by an older version of it).
	pub fn load(path: &Path, passphrase: &str) -> Result<Keys, Error> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
		let file: KeyFile = serde_json::from_str(&text)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
		let uri = file.open(passphrase).map_err(key_file_error)?;
		let keys = Keys::from_uri_at(&uri, file.key_index)?;
		// The clear fields must be the keys' own (in version 2 they are authenticated too).
		if keys.address() != file.address {
			return Err(Error::KeyFile("the file's address does not match its keys".into()));
		}
		if hex::encode(keys.encryption_key()) != file.encryption_key.trim_start_matches("0x") {
			return Err(Error::KeyFile("the file's encryption key does not match its keys".into()));
		}
		Ok(keys)
	}
}

/// The client's error for a key file that does not open.
fn key_file_error(error: KeyFileError) -> Error {
	match error {
		KeyFileError::WrongPassphrase => Error::WrongPassphrase,
		KeyFileError::Malformed(reason) => Error::KeyFile(reason),
	}
}

/// Whether [`write_atomically`] may replace an existing file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Replace {
	/// Fail if the file exists (a new key file).
	No,
	/// Replace it in one step (a rotated key file, a checkpoint).
	Yes,
}

/// Writes a file only its owner can read, whole or not at all: a temporary file (created
/// 0600) in the same directory (created if missing), written and synced, then moved into place
/// (with `Replace::No`, linked without replacing anything), and the directory synced so the
/// new entry survives a crash. A failed write leaves nothing behind.
pub fn write_atomically(path: &Path, contents: &[u8], replace: Replace) -> std::io::Result<()> {
	use std::io::Write;
	let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
	std::fs::create_dir_all(dir)?;
	let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
	temporary.write_all(contents)?;
	temporary.as_file().sync_all()?;
	match replace {
		Replace::No => temporary.persist_noclobber(path),
		Replace::Yes => temporary.persist(path),
	}
	.map_err(|e| e.error)?;
	if let Ok(dir) = std::fs::File::open(dir) {
		let _ = dir.sync_all();
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use chacha20poly1305::{aead::Aead, ChaCha20Poly1305, Key, KeyInit, Nonce};

	#[test]
	fn one_phrase_restores_both_keys() {
		let (keys, phrase) = Keys::generate();
		assert_eq!(phrase.split_whitespace().count(), 24);
		let restored = Keys::from_uri(&phrase).unwrap();
		assert_eq!(restored.address(), keys.address());
		assert_eq!(restored.encryption_key(), keys.encryption_key());
	}

	#[test]
	fn derivation_paths_give_distinct_keys_and_match_substrate_dev_accounts() {
		let alice = Keys::from_uri("//Alice").unwrap();
		let bob = Keys::from_uri("//Bob").unwrap();
		assert_eq!(alice.account_id(), sp_keyring::Sr25519Keyring::Alice.to_account_id());
		assert_ne!(alice.encryption_key(), bob.encryption_key());
		assert_ne!(
			alice.encryption_key(),
			Keys::from_uri(sp_core::crypto::DEV_PHRASE).unwrap().encryption_key()
		);
	}

	#[test]
	fn development_uris_are_recognized_however_written() {
		assert!(Keys::is_development_uri("//Alice"));
		assert!(Keys::is_development_uri("//MyHospital"));
		let shouted = sp_core::crypto::DEV_PHRASE.to_uppercase().replace(' ', "   ");
		assert!(Keys::is_development_uri(&format!("{shouted}//Hospital")));
		let (_, phrase) = Keys::generate();
		assert!(!Keys::is_development_uri(&format!("{}//Hospital", *phrase)));
	}

	#[test]
	fn bad_phrases_are_refused() {
		assert!(matches!(Keys::from_uri("not a phrase at all"), Err(Error::BadPhrase)));
		let (_, phrase) = Keys::generate();
		let mut words: Vec<&str> = phrase.split_whitespace().collect();
		words.swap(0, 1);
		// A swapped word breaks the checksum (unless the two words are equal).
		if words[0] != words[1] {
			assert!(Keys::from_uri(&words.join(" ")).is_err());
		}
	}

	#[test]
	fn the_key_file_needs_the_passphrase() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("patient.json");
		let (keys, _) = Keys::generate();
		keys.save_with_cost(&path, "correct horse", 10).unwrap();
		let loaded = Keys::load(&path, "correct horse").unwrap();
		assert_eq!(loaded.address(), keys.address());
		assert_eq!(loaded.encryption_key(), keys.encryption_key());
		assert!(matches!(Keys::load(&path, "wrong"), Err(Error::WrongPassphrase)));
		// Never overwrites an existing key file.
		assert!(keys.save_with_cost(&path, "x", 10).is_err());
		assert_eq!(Keys::load(&path, "correct horse").unwrap().address(), keys.address());
		// An empty passphrase is refused, and leaves no file.
		let empty = dir.path().join("empty.json");
		assert!(matches!(keys.save_with_cost(&empty, "", 10), Err(Error::KeyFile(_))));
		assert!(!empty.exists());
		// Nothing but the key file is left in the directory (no temporary file).
		assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode = std::fs::metadata(&path).unwrap().permissions().mode();
			assert_eq!(mode & 0o777, 0o600);
		}
	}

	/// The clear fields are bound to the ciphertext: a file whose shown account, encryption
	/// key or work factor was edited does not open, even with the right passphrase.
	#[test]
	fn the_clear_fields_cannot_be_edited() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("doctor.json");
		let (keys, _) = Keys::generate();
		keys.save_with_cost(&path, "pass", 10).unwrap();
		let original: serde_json::Value =
			serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
		assert_eq!(original["version"], 2);
		let (other, _) = Keys::generate();
		for (field, value) in [
			("address", serde_json::json!(other.address())),
			("encryptionKey", serde_json::json!(hex::encode(other.encryption_key()))),
			("scryptLogN", serde_json::json!(11)),
		] {
			let mut edited = original.clone();
			edited[field] = value;
			let edited_path = dir.path().join(format!("{field}.json"));
			std::fs::write(&edited_path, edited.to_string()).unwrap();
			assert!(Keys::load(&edited_path, "pass").is_err(), "{field} edited");
		}
	}

	/// Key files of version 1 (no label, no associated data) still open.
	#[test]
	fn version_one_files_still_open() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("old.json");
		let keys = Keys::from_uri("//Alice").unwrap();
		let salt = [7u8; 16];
		let nonce = [9u8; 12];
		let key = ehr_envelope::keys::derive("old pass", &salt, 10).unwrap();
		let ciphertext = ChaCha20Poly1305::new(Key::from_slice(&*key))
			.encrypt(Nonce::from_slice(&nonce), b"//Alice".as_slice())
			.unwrap();
		let file = serde_json::json!({
			"version": 1,
			"address": keys.address(),
			"encryptionKey": hex::encode(keys.encryption_key()),
			"scryptLogN": 10,
			"salt": hex::encode(salt),
			"nonce": hex::encode(nonce),
			"ciphertext": hex::encode(ciphertext),
		});
		std::fs::write(&path, file.to_string()).unwrap();
		assert_eq!(Keys::load(&path, "old pass").unwrap().address(), keys.address());
		assert!(matches!(Keys::load(&path, "wrong"), Err(Error::WrongPassphrase)));
	}

	/// Rotation keeps the account and derives the next encryption key from the same phrase;
	/// index 0 is the key of before rotations existed; keys wrapped for an earlier key still
	/// open; the key file keeps the index.
	#[test]
	fn rotated_keys_keep_the_account_and_open_earlier_keys() {
		let (first, phrase) = Keys::generate();
		assert_eq!(first.key_index(), 0);
		assert_eq!(Keys::from_uri_at(&phrase, 0).unwrap().encryption_key(), first.encryption_key());
		let second = first.rotated().unwrap();
		let third = second.rotated().unwrap();
		assert_eq!((second.key_index(), third.key_index()), (1, 2));
		assert_eq!(third.account_id(), first.account_id());
		assert_ne!(second.encryption_key(), first.encryption_key());
		assert_ne!(third.encryption_key(), second.encryption_key());

		let content = ehr_envelope::ContentKey::generate();
		let for_first = ehr_envelope::wrap(&content, &first.encryption_key()).unwrap();
		let for_third = ehr_envelope::wrap(&content, &third.encryption_key()).unwrap();
		assert_eq!(third.unwrap(&for_first).unwrap(), content);
		assert!(third.opens_only_with_earlier_key(&for_first));
		assert!(!third.opens_only_with_earlier_key(&for_third));
		assert!(first.unwrap(&for_third).is_err());

		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("key.json");
		first.save_with_cost(&path, "pass", 10).unwrap();
		third.replace_file(&path, "pass").unwrap();
		let loaded = Keys::load(&path, "pass").unwrap();
		assert_eq!(loaded.key_index(), 2);
		assert_eq!(loaded.encryption_key(), third.encryption_key());
		// Only the key file is left (no staging directory).
		assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
	}
}
