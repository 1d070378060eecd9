//! A user's encryption key and key file, the parts every client must compute the same way: the
//! `ehr` command (native) and the web app (this crate compiled to WebAssembly) derive the same
//! X25519 key from a phrase, and read and write the same passphrase-protected key file.
//!
//! - [`encryption_secret`]: HKDF-SHA256 over the BIP-39 seed of the phrase, salted
//!   `ehr-keys/1`, with the secret URI's derivation path and the rotation index in the info.
//! - [`KeyFile`]: the secret URI encrypted under a passphrase (scrypt, then ChaCha20-Poly1305
//!   with the file's clear fields as associated data), format version 2 (version 1 still opens).

use chacha20poly1305::{
	aead::{Aead, KeyInit, Payload},
	ChaCha20Poly1305, Key, Nonce,
};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use x25519_dalek::StaticSecret;
use zeroize::{Zeroize, Zeroizing};

/// Salt of the X25519 derivation, so that it never collides with another use of the seed.
const X25519_SALT: &[u8] = b"ehr-keys/1";

/// The X25519 secret number `index` (0 before any rotation) of the BIP-39 `seed` (64 bytes,
/// from the phrase and its password) under the derivation `path`: for each junction of the
/// secret URI, 1 if hard else 0, then its 32-byte chain code (`//Alice` and `//Bob` differ).
pub fn encryption_secret(seed: &[u8], path: &[u8], index: u32) -> StaticSecret {
	let hkdf = Hkdf::<Sha256>::new(Some(X25519_SALT), seed);
	let mut info = b"x25519 encryption key".to_vec();
	info.extend_from_slice(path);
	// Index 0 is the key of the first version: nothing appended.
	if index > 0 {
		info.extend_from_slice(b"#");
		info.extend_from_slice(&index.to_be_bytes());
	}
	let mut secret = [0u8; 32];
	hkdf.expand(&info, &mut secret).expect("32 bytes is a valid HKDF-SHA256 length");
	let key = StaticSecret::from(secret);
	secret.zeroize();
	key
}

/// Why a key file does not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
	/// The file is not a key file, or a field is malformed.
	#[error("{0}")]
	Malformed(String),
	/// The passphrase is wrong, or a clear field was edited.
	#[error("wrong passphrase (or the file was altered)")]
	WrongPassphrase,
}

/// A key file: the JSON the `ehr` command writes with `ehr key new` and the web app keeps in the
/// browser's storage.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFile {
	/// Format version: 2 (1 still opens).
	pub version: u32,
	/// The account, in the clear, so that a file can be told apart without its passphrase.
	pub address: String,
	/// The public encryption key (hex), in the clear.
	pub encryption_key: String,
	/// scrypt cost: N = 2^scrypt_log_n.
	pub scrypt_log_n: u8,
	/// The random salt (hex).
	pub salt: String,
	/// The ChaCha20-Poly1305 nonce (hex).
	pub nonce: String,
	/// The secret URI, encrypted (hex).
	pub ciphertext: String,
	/// Which encryption key of the phrase is current (0 before any rotation).
	#[serde(default)]
	pub key_index: u32,
}

impl KeyFile {
	/// The version this code writes: 2 adds the label in the salt and the associated data.
	pub const VERSION: u32 = 2;

	/// scrypt N = 2^18, r = 8, p = 1: 256 MiB and about half a second on one core, as age's
	/// default work factor.
	pub const DEFAULT_LOG_N: u8 = 18;

	/// Encrypts `uri` under `passphrase` at cost `2^log_n`, with the random `salt` and `nonce`;
	/// `address`, `encryption_key` (hex) and `key_index` are the clear fields, bound to the
	/// ciphertext.
	#[allow(clippy::too_many_arguments)]
	pub fn seal(
		uri: &str,
		address: String,
		encryption_key: String,
		key_index: u32,
		passphrase: &str,
		log_n: u8,
		salt: [u8; 16],
		nonce: [u8; 12],
	) -> Result<KeyFile, KeyFileError> {
		if passphrase.is_empty() {
			return Err(KeyFileError::Malformed(
				"an empty passphrase protects nothing: choose one".into(),
			));
		}
		let mut file = KeyFile {
			version: Self::VERSION,
			address,
			encryption_key,
			scrypt_log_n: log_n,
			salt: hex::encode(salt),
			nonce: hex::encode(nonce),
			ciphertext: String::new(),
			key_index,
		};
		let key = derive(passphrase, &file.labelled_salt(&salt), log_n)?;
		let ciphertext = ChaCha20Poly1305::new(Key::from_slice(&*key))
			.encrypt(
				Nonce::from_slice(&nonce),
				Payload { msg: uri.as_bytes(), aad: &file.associated_data() },
			)
			.expect("the secret URI encrypts");
		file.ciphertext = hex::encode(ciphertext);
		Ok(file)
	}

	/// The secret URI in the file, if `passphrase` opens it. The caller checks that the keys of
	/// the URI are the clear fields' (in version 2 they are authenticated, in version 1 not).
	pub fn open(&self, passphrase: &str) -> Result<Zeroizing<String>, KeyFileError> {
		if self.version != 1 && self.version != Self::VERSION {
			return Err(KeyFileError::Malformed(format!(
				"unknown key file version {} (a newer ehr wrote it?)",
				self.version
			)));
		}
		let decode = |field: &str, value: &str| {
			hex::decode(value).map_err(|_| KeyFileError::Malformed(format!("{field} is not hex")))
		};
		let salt = decode("salt", &self.salt)?;
		let nonce = decode("nonce", &self.nonce)?;
		if nonce.len() != 12 {
			return Err(KeyFileError::Malformed("nonce must be 12 bytes".into()));
		}
		let ciphertext = decode("ciphertext", &self.ciphertext)?;
		let opened = if self.version == 1 {
			// Version 1: no label in the salt, no associated data.
			let key = derive(passphrase, &salt, self.scrypt_log_n)?;
			ChaCha20Poly1305::new(Key::from_slice(&*key))
				.decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
		} else {
			let key = derive(passphrase, &self.labelled_salt(&salt), self.scrypt_log_n)?;
			ChaCha20Poly1305::new(Key::from_slice(&*key)).decrypt(
				Nonce::from_slice(&nonce),
				Payload { msg: &ciphertext, aad: &self.associated_data() },
			)
		}
		.map_err(|_| KeyFileError::WrongPassphrase)?;
		String::from_utf8(opened).map(Zeroizing::new).map_err(|_| KeyFileError::WrongPassphrase)
	}

	/// The salt scrypt gets: a label (so no other use of the same passphrase and salt gives the
	/// same key), then the file's random salt.
	fn labelled_salt(&self, salt: &[u8]) -> Vec<u8> {
		[b"ehr-keyfile/2".as_slice(), salt].concat()
	}

	/// The clear fields the ciphertext is bound to: changing any of them (the account shown,
	/// the encryption key, the work factor) makes the file fail to open.
	fn associated_data(&self) -> Vec<u8> {
		// Each field with its length first: no two sets of fields give the same bytes.
		let fields = [
			format!("ehr-keyfile/{}", self.version),
			self.address.clone(),
			self.encryption_key.clone(),
			self.scrypt_log_n.to_string(),
			self.salt.clone(),
			self.key_index.to_string(),
		];
		let mut data = Vec::new();
		for field in fields {
			data.extend_from_slice(&(field.len() as u32).to_be_bytes());
			data.extend_from_slice(field.as_bytes());
		}
		data
	}
}

/// The file key: scrypt of `passphrase` and `salt` at N = 2^log_n, r = 8, p = 1.
pub fn derive(
	passphrase: &str,
	salt: &[u8],
	log_n: u8,
) -> Result<Zeroizing<[u8; 32]>, KeyFileError> {
	if !(10..=20).contains(&log_n) {
		return Err(KeyFileError::Malformed(format!("scrypt cost 2^{log_n} is out of range")));
	}
	let params = scrypt::Params::new(log_n, 8, 1, 32).expect("valid scrypt parameters");
	let mut key = Zeroizing::new([0u8; 32]);
	scrypt::scrypt(passphrase.as_bytes(), salt, &params, &mut *key)
		.expect("a 32-byte output is valid");
	Ok(key)
}
