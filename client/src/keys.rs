//! A user's keys: the sr25519 account key and the X25519 encryption key, both from one BIP-39
//! phrase (so the phrase alone restores both), kept in a passphrase-protected key file.

use std::path::Path;

use chacha20poly1305::{
	aead::{Aead, KeyInit},
	ChaCha20Poly1305, Key, Nonce,
};
use hkdf::Hkdf;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sp_core::{
	crypto::{ExposeSecret, SecretUri, Ss58Codec},
	sr25519, Pair,
};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// Salt of the X25519 derivation, so that it never collides with another use of the seed.
const X25519_SALT: &[u8] = b"ehr-keys/1";

/// A user's keys.
#[derive(Clone)]
pub struct Keys {
	uri: Zeroizing<String>,
	account: sr25519::Pair,
	encryption: StaticSecret,
}

impl std::fmt::Debug for Keys {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "Keys({})", self.account_id())
	}
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
		let mut info = b"x25519 encryption key".to_vec();
		info.extend_from_slice(&path);
		let mut secret = [0u8; 32];
		Hkdf::<Sha256>::new(Some(X25519_SALT), &seed)
			.expand(&info, &mut secret)
			.expect("32 bytes is a valid HKDF-SHA256 length");
		seed.zeroize();
		let encryption = StaticSecret::from(secret);
		secret.zeroize();
		Ok(Keys { uri: Zeroizing::new(uri.to_string()), account, encryption })
	}

	/// Whether `uri` has no phrase of its own (`//Alice`): its keys derive from the public
	/// development phrase, so anyone can compute them. Fine on a development chain, a disaster
	/// for a hospital that types `//MyHospital`.
	pub fn is_development_uri(uri: &str) -> bool {
		uri.parse::<SecretUri>().is_ok_and(|parsed| {
			let phrase: &str = parsed.phrase.expose_secret().as_ref();
			phrase.is_empty() || phrase == sp_core::crypto::DEV_PHRASE
		})
	}

	/// The account key pair.
	pub fn account(&self) -> &sr25519::Pair {
		&self.account
	}

	/// The account id.
	pub fn account_id(&self) -> sp_runtime::AccountId32 {
		self.account.public().into()
	}

	/// The account in SS58 form.
	pub fn address(&self) -> String {
		self.account_id().to_ss58check()
	}

	/// The X25519 secret key.
	pub fn encryption_secret(&self) -> &StaticSecret {
		&self.encryption
	}

	/// The X25519 public key that others wrap record keys for.
	pub fn encryption_key(&self) -> [u8; 32] {
		PublicKey::from(&self.encryption).to_bytes()
	}

	/// Writes the keys to `path`, encrypted under `passphrase` (scrypt, then ChaCha20-Poly1305).
	pub fn save(&self, path: &Path, passphrase: &str) -> Result<(), Error> {
		self.save_with_cost(path, passphrase, KeyFile::DEFAULT_LOG_N)
	}

	/// As [`Keys::save`] with scrypt cost `2^log_n` (tests use a low cost).
	pub fn save_with_cost(&self, path: &Path, passphrase: &str, log_n: u8) -> Result<(), Error> {
		let mut salt = [0u8; 16];
		let mut nonce = [0u8; 12];
		OsRng.fill_bytes(&mut salt);
		OsRng.fill_bytes(&mut nonce);
		let key = KeyFile::derive(passphrase, &salt, log_n)?;
		let ciphertext = ChaCha20Poly1305::new(Key::from_slice(&*key))
			.encrypt(Nonce::from_slice(&nonce), self.uri.as_bytes())
			.expect("the secret URI encrypts");
		let file = KeyFile {
			version: 1,
			address: self.address(),
			encryption_key: hex::encode(self.encryption_key()),
			scrypt_log_n: log_n,
			salt: hex::encode(salt),
			nonce: hex::encode(nonce),
			ciphertext: hex::encode(ciphertext),
		};
		let json = serde_json::to_string_pretty(&file).expect("the key file serializes");
		write_private(path, json.as_bytes())
	}

	/// Reads keys from a key file written by [`Keys::save`].
	pub fn load(path: &Path, passphrase: &str) -> Result<Keys, Error> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
		let file: KeyFile = serde_json::from_str(&text)
			.map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
		if file.version != 1 {
			return Err(Error::KeyFile(format!("unknown key file version {}", file.version)));
		}
		let decode = |field: &str, value: &str| {
			hex::decode(value).map_err(|_| Error::KeyFile(format!("{field} is not hex")))
		};
		let salt = decode("salt", &file.salt)?;
		let nonce = decode("nonce", &file.nonce)?;
		if nonce.len() != 12 {
			return Err(Error::KeyFile("nonce must be 12 bytes".into()));
		}
		let key = KeyFile::derive(passphrase, &salt, file.scrypt_log_n)?;
		let uri = ChaCha20Poly1305::new(Key::from_slice(&*key))
			.decrypt(Nonce::from_slice(&nonce), decode("ciphertext", &file.ciphertext)?.as_slice())
			.map_err(|_| Error::WrongPassphrase)?;
		let uri = Zeroizing::new(String::from_utf8(uri).map_err(|_| Error::WrongPassphrase)?);
		let keys = Keys::from_uri(&uri)?;
		if keys.address() != file.address {
			return Err(Error::KeyFile("the file's address does not match its keys".into()));
		}
		Ok(keys)
	}
}

/// The key file's JSON.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile {
	version: u32,
	/// The account, in the clear, so that a file can be told apart without its passphrase.
	address: String,
	/// The public encryption key, in the clear.
	encryption_key: String,
	scrypt_log_n: u8,
	salt: String,
	nonce: String,
	/// The secret URI, encrypted.
	ciphertext: String,
}

impl KeyFile {
	/// scrypt N = 2^15, r = 8, p = 1: about 32 MiB and a tenth of a second, as age uses.
	const DEFAULT_LOG_N: u8 = 15;

	fn derive(passphrase: &str, salt: &[u8], log_n: u8) -> Result<Zeroizing<[u8; 32]>, Error> {
		if !(10..=20).contains(&log_n) {
			return Err(Error::KeyFile(format!("scrypt cost 2^{log_n} is out of range")));
		}
		let params = scrypt::Params::new(log_n, 8, 1, 32).expect("valid scrypt parameters");
		let mut key = Zeroizing::new([0u8; 32]);
		scrypt::scrypt(passphrase.as_bytes(), salt, &params, &mut *key)
			.expect("a 32-byte output is valid");
		Ok(key)
	}
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), Error> {
	use std::io::Write;
	#[cfg(unix)]
	use std::os::unix::fs::OpenOptionsExt;
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	options.mode(0o600);
	let mut file =
		options.open(path).map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))?;
	file.write_all(contents).map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
	use super::*;

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
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode = std::fs::metadata(&path).unwrap().permissions().mode();
			assert_eq!(mode & 0o777, 0o600);
		}
	}
}
