//! Envelope encryption of records, format `ehr-envelope/2` (see `envelope/FORMAT.md`).
//!
//! A random 32-byte content key per record. The file on IPFS is a short authenticated header
//! and the payload, ChaCha20-Poly1305 in a STREAM construction over 64 KiB chunks, so files of
//! any size are processed in constant memory. The content key is wrapped for each reader with
//! X25519 (ephemeral-static) + HKDF-SHA256 + ChaCha20-Poly1305; wrapped keys live on chain.
//! The design follows age (`age-encryption.org/v1`).
//!
//! The chain keeps each record's **commitment**: keyed BLAKE3, under a key derived from the
//! content key, of every stored byte (header and sealed chunks), computed in the same pass as
//! the encryption. Only key holders can compute it, so unlike a plain hash of the plaintext
//! (version 1) it lets no one confirm a guess about the content; being a collision-resistant
//! hash of the whole file, it fixes the bytes even against someone who holds the content key
//! (Poly1305 tags alone do not: whoever knows the key can change a chunk and keep its tag).
//! BLAKE3 runs several times faster than the AEAD, so the envelope keeps most of its speed.
//! Version 1 envelopes still open; their content hash stays SHA-256 of the plaintext.
//!
//! [`escrow`] splits a content key into threshold shares for the hospitals' break-glass escrow.

pub mod escrow;
pub mod keys;

use std::io::{self, Read, Write};

use chacha20poly1305::{
	aead::{Aead, KeyInit, Payload},
	ChaCha20Poly1305, Key, Nonce,
};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use x25519_dalek::PublicKey;
pub use x25519_dalek::StaticSecret;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The first bytes of every envelope this version writes: the format's name and version 2.
pub const MAGIC: &[u8; 8] = b"ehr-env\x02";
/// The first bytes of a version 1 envelope (still read).
pub const MAGIC_V1: &[u8; 8] = b"ehr-env\x01";
/// Plaintext bytes per chunk (64 KiB).
pub const CHUNK_SIZE: usize = 1 << CHUNK_SIZE_LOG2;
const CHUNK_SIZE_LOG2: u8 = 16;
const TAG_SIZE: usize = 16;
const SALT_SIZE: usize = 16;
const MAC_SIZE: usize = 32;
/// Header length: magic, chunk size, salt, MAC.
pub const HEADER_SIZE: usize = MAGIC.len() + 1 + SALT_SIZE + MAC_SIZE;
/// Length of a key wrapped for one reader: ephemeral public key, encrypted key, tag.
pub const WRAPPED_KEY_SIZE: usize = 32 + 32 + TAG_SIZE;

/// A format version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
	/// `ehr-envelope/1`: the content hash is SHA-256 of the plaintext.
	V1,
	/// `ehr-envelope/2`: the content hash is the keyed commitment.
	V2,
}

impl Version {
	fn infos(self) -> (&'static [u8], &'static [u8]) {
		match self {
			Version::V1 => (b"ehr-envelope/1 header", b"ehr-envelope/1 payload"),
			Version::V2 => (b"ehr-envelope/2 header", b"ehr-envelope/2 payload"),
		}
	}
}

const COMMITMENT_INFO: &[u8] = b"ehr-envelope/2 commitment";
const WRAP_INFO: &[u8] = b"ehr-envelope/1 x25519";

/// Why an envelope could not be opened. No variant ever comes with plaintext.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
	/// The data does not start like an envelope.
	#[error("not an ehr envelope (bad magic bytes)")]
	NotAnEnvelope,
	/// A version or chunk size this client does not know.
	#[error("unsupported envelope version or chunk size")]
	Unsupported,
	/// The header MAC does not match: the wrong content key, or a tampered header.
	#[error("header authentication failed: wrong key or tampered header")]
	HeaderMismatch,
	/// A chunk does not authenticate where it stands: tampered or reordered.
	#[error("chunk {0} failed authentication: tampered or reordered data")]
	Tampered(u64),
	/// The data ends before the final chunk.
	#[error("the envelope is truncated")]
	Truncated,
	/// Data follows the final chunk.
	#[error("data follows the end of the envelope")]
	TrailingData,
	/// A wrapped key is not 80 bytes.
	#[error("a wrapped key must be {WRAPPED_KEY_SIZE} bytes")]
	BadWrappedKey,
	/// The wrapped key was not made for this secret key.
	#[error("the key was not wrapped for this recipient")]
	WrongRecipient,
	/// The recipient's public key is a low-order point.
	#[error("the recipient's public key is invalid")]
	BadRecipient,
	/// A key cannot be split into so many shares with that threshold.
	#[error("cannot split a key into {count} shares with threshold {threshold} (1 ≤ t ≤ n ≤ 255)")]
	BadThreshold {
		/// Shares needed.
		threshold: u8,
		/// Shares made.
		count: u8,
	},
	/// Fewer shares than the threshold.
	#[error("{have} of the {need} shares needed to open the key")]
	TooFewShares {
		/// Shares given.
		have: usize,
		/// Shares needed.
		need: u8,
	},
	/// The shares do not make a key (repeated, malformed).
	#[error("bad key shares: {0}")]
	BadShares(String),
	/// Reading or writing failed.
	#[error(transparent)]
	Io(#[from] io::Error),
}

/// The symmetric key of one record. Wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct ContentKey([u8; 32]);

impl ContentKey {
	/// A fresh random key from the operating system.
	pub fn generate() -> Self {
		let mut key = [0u8; 32];
		OsRng.fill_bytes(&mut key);
		ContentKey(key)
	}

	/// A key from its bytes (test vectors, or a key handed over by the user's own key agent).
	pub fn from_bytes(bytes: [u8; 32]) -> Self {
		ContentKey(bytes)
	}

	/// The key's bytes, to hand it from the user's key agent to the user's command (over a
	/// socket only the user can open); zeroed when dropped.
	pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
		zeroize::Zeroizing::new(self.0)
	}

	fn derive(&self, salt: &[u8], info: &[u8]) -> [u8; 32] {
		let mut out = [0u8; 32];
		Hkdf::<Sha256>::new(Some(salt), &self.0)
			.expand(info, &mut out)
			.expect("32 bytes is a valid HKDF-SHA256 length");
		out
	}
}

impl std::fmt::Debug for ContentKey {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str("ContentKey(..)")
	}
}

/// What encryption or decryption saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
	/// Plaintext bytes.
	pub plaintext_len: u64,
	/// Envelope bytes.
	pub envelope_len: u64,
	/// The envelope's format version.
	pub version: Version,
	/// What the chain records and readers compare: the commitment (version 2), or SHA-256 of
	/// the plaintext (version 1).
	pub content_hash: [u8; 32],
}

/// The running commitment of a version 2 envelope: keyed BLAKE3(commitment key, header ||
/// sealed chunk 0 || sealed chunk 1 || …), every byte of the file in order.
struct Commitment(blake3::Hasher);

impl Commitment {
	fn new(key: &ContentKey, salt: &[u8], header: &[u8]) -> Self {
		let mut commitment_key = key.derive(salt, COMMITMENT_INFO);
		let mut hasher = blake3::Hasher::new_keyed(&commitment_key);
		commitment_key.zeroize();
		hasher.update(header);
		Commitment(hasher)
	}

	/// Adds a sealed chunk, tag included.
	fn chunk(&mut self, sealed: &[u8]) {
		self.0.update(sealed);
	}

	fn finish(self) -> [u8; 32] {
		self.0.finalize().into()
	}
}

/// What a decryption hashes: the commitment (version 2) or the plaintext (version 1).
enum ContentHasher {
	Plaintext(Sha256),
	Tags(Commitment),
}

/// The envelope size of a plaintext of `len` bytes.
pub fn envelope_len(len: u64) -> u64 {
	let chunks = len.div_ceil(CHUNK_SIZE as u64).max(1);
	HEADER_SIZE as u64 + len + chunks * TAG_SIZE as u64
}

/// The MAC over the header fields (magic, chunk size, salt), keyed from the content key.
fn header_mac(key: &ContentKey, version: Version, fields: &[u8]) -> Hmac<Sha256> {
	let salt = &fields[MAGIC.len() + 1..];
	let mut mac_key = key.derive(salt, version.infos().0);
	let mut mac =
		<Hmac<Sha256> as Mac>::new_from_slice(&mac_key).expect("HMAC takes any key length");
	mac_key.zeroize();
	mac.update(fields);
	mac
}

/// The nonce of chunk `index`: an 11-byte big-endian counter and the final-chunk flag.
fn chunk_nonce(index: u64, last: bool) -> Nonce {
	let mut nonce = [0u8; 12];
	nonce[3..11].copy_from_slice(&index.to_be_bytes());
	nonce[11] = u8::from(last);
	Nonce::from(nonce)
}

/// Reads until `buffer` is full or the input ends; returns how many bytes were read.
fn read_full(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
	let mut filled = 0;
	while filled < buffer.len() {
		match input.read(&mut buffer[filled..]) {
			Ok(0) => break,
			Ok(n) => filled += n,
			Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
			Err(e) => return Err(e),
		}
	}
	Ok(filled)
}

/// Encrypts all of `input` into `output` under `key`. `progress` is told the plaintext bytes
/// done after every chunk.
pub fn encrypt(
	key: &ContentKey,
	mut input: impl Read,
	mut output: impl Write,
	mut progress: impl FnMut(u64),
) -> Result<Summary, EnvelopeError> {
	let mut salt = [0u8; SALT_SIZE];
	OsRng.fill_bytes(&mut salt);
	encrypt_with_salt(key, salt, &mut input, &mut output, &mut progress)
}

/// [`encrypt`] with a chosen salt: for test vectors only; real files need a random salt.
#[doc(hidden)]
pub fn encrypt_with_salt(
	key: &ContentKey,
	salt: [u8; SALT_SIZE],
	input: &mut impl Read,
	output: &mut impl Write,
	progress: &mut impl FnMut(u64),
) -> Result<Summary, EnvelopeError> {
	let mut header = Vec::with_capacity(HEADER_SIZE);
	header.extend_from_slice(MAGIC);
	header.push(CHUNK_SIZE_LOG2);
	header.extend_from_slice(&salt);
	let mac = header_mac(key, Version::V2, &header).finalize().into_bytes();
	header.extend_from_slice(&mac);
	output.write_all(&header)?;

	let mut payload_key = key.derive(&salt, Version::V2.infos().1);
	let cipher = ChaCha20Poly1305::new(Key::from_slice(&payload_key));
	payload_key.zeroize();
	let mut commitment = Commitment::new(key, &salt, &header);
	// Two buffers: the chunk being sealed and the next one, to know which chunk is the last.
	let mut current = vec![0u8; CHUNK_SIZE];
	let mut next = vec![0u8; CHUNK_SIZE];
	let mut current_len = read_full(input, &mut current)?;
	let (mut index, mut done, mut written) = (0u64, 0u64, HEADER_SIZE as u64);
	loop {
		let next_len = if current_len == CHUNK_SIZE { read_full(input, &mut next)? } else { 0 };
		let last = next_len == 0;
		let plaintext = &current[..current_len];
		let sealed = cipher
			.encrypt(&chunk_nonce(index, last), Payload { msg: plaintext, aad: &[] })
			.expect("ChaCha20-Poly1305 encrypts any chunk of 64 KiB");
		commitment.chunk(&sealed);
		output.write_all(&sealed)?;
		written += sealed.len() as u64;
		done += current_len as u64;
		progress(done);
		if last {
			break;
		}
		std::mem::swap(&mut current, &mut next);
		current_len = next_len;
		index += 1;
	}
	current.zeroize();
	next.zeroize();
	output.flush()?;
	Ok(Summary {
		plaintext_len: done,
		envelope_len: written,
		version: Version::V2,
		content_hash: commitment.finish(),
	})
}

/// Checks the header of an envelope against `key`; returns its version, salt and bytes.
fn open_header(
	key: &ContentKey,
	input: &mut impl Read,
) -> Result<(Version, [u8; SALT_SIZE], [u8; HEADER_SIZE]), EnvelopeError> {
	let mut header = [0u8; HEADER_SIZE];
	let read = read_full(input, &mut header)?;
	let version = match header.get(..MAGIC.len()) {
		Some(magic) if read >= MAGIC.len() && magic == MAGIC => Version::V2,
		Some(magic) if read >= MAGIC.len() && magic == MAGIC_V1 => Version::V1,
		_ if read >= MAGIC.len() && header.starts_with(&MAGIC[..7]) => {
			return Err(EnvelopeError::Unsupported)
		}
		_ => return Err(EnvelopeError::NotAnEnvelope),
	};
	if read < HEADER_SIZE {
		return Err(EnvelopeError::Truncated);
	}
	if header[MAGIC.len()] != CHUNK_SIZE_LOG2 {
		return Err(EnvelopeError::Unsupported);
	}
	let (fields, mac) = header.split_at(HEADER_SIZE - MAC_SIZE);
	// `verify_slice` compares in constant time.
	header_mac(key, version, fields)
		.verify_slice(mac)
		.map_err(|_| EnvelopeError::HeaderMismatch)?;
	let mut salt = [0u8; SALT_SIZE];
	salt.copy_from_slice(&header[MAGIC.len() + 1..MAGIC.len() + 1 + SALT_SIZE]);
	Ok((version, salt, header))
}

/// Decrypts the envelope in `input` into `output` under `key`. Plaintext is written chunk by
/// chunk as each authenticates; on any error, discard what was written (the CLI writes to a
/// temporary file and renames it only on success).
pub fn decrypt(
	key: &ContentKey,
	mut input: impl Read,
	mut output: impl Write,
	mut progress: impl FnMut(u64),
) -> Result<Summary, EnvelopeError> {
	let (version, salt, header) = open_header(key, &mut input)?;
	let mut payload_key = key.derive(&salt, version.infos().1);
	let cipher = ChaCha20Poly1305::new(Key::from_slice(&payload_key));
	payload_key.zeroize();
	let sealed_size = CHUNK_SIZE + TAG_SIZE;
	let mut current = vec![0u8; sealed_size];
	let mut next = vec![0u8; sealed_size];
	let mut current_len = read_full(&mut input, &mut current)?;
	let mut hasher = match version {
		Version::V1 => ContentHasher::Plaintext(Sha256::new()),
		Version::V2 => ContentHasher::Tags(Commitment::new(key, &salt, &header)),
	};
	let (mut index, mut done, mut read) = (0u64, 0u64, HEADER_SIZE as u64);
	loop {
		if current_len < TAG_SIZE {
			return Err(if index == 0 && current_len == 0 {
				EnvelopeError::Truncated
			} else {
				EnvelopeError::Tampered(index)
			});
		}
		let next_len =
			if current_len == sealed_size { read_full(&mut input, &mut next)? } else { 0 };
		let last = next_len == 0;
		let sealed = &current[..current_len];
		let open = |last: bool| {
			cipher.decrypt(&chunk_nonce(index, last), Payload { msg: sealed, aad: &[] })
		};
		let plaintext = match open(last) {
			Ok(plaintext) => plaintext,
			// Authentic with the other flag: the end moved, not the bytes.
			Err(_) if open(!last).is_ok() => {
				return Err(if last {
					EnvelopeError::Truncated
				} else {
					EnvelopeError::TrailingData
				})
			}
			Err(_) => return Err(EnvelopeError::Tampered(index)),
		};
		// An empty final chunk is only valid for an empty plaintext.
		if last && plaintext.is_empty() && index > 0 {
			return Err(EnvelopeError::Tampered(index));
		}
		match &mut hasher {
			ContentHasher::Plaintext(sha256) => sha256.update(&plaintext),
			ContentHasher::Tags(commitment) => commitment.chunk(sealed),
		}
		output.write_all(&plaintext)?;
		read += current_len as u64;
		done += plaintext.len() as u64;
		progress(done);
		if last {
			break;
		}
		std::mem::swap(&mut current, &mut next);
		current_len = next_len;
		index += 1;
	}
	output.flush()?;
	let content_hash = match hasher {
		ContentHasher::Plaintext(sha256) => sha256.finalize().into(),
		ContentHasher::Tags(commitment) => commitment.finish(),
	};
	Ok(Summary { plaintext_len: done, envelope_len: read, version, content_hash })
}

fn wrap_key_for(
	shared: &[u8; 32],
	ephemeral: &[u8; 32],
	recipient: &[u8; 32],
	info: &[u8],
) -> [u8; 32] {
	let mut salt = [0u8; 64];
	salt[..32].copy_from_slice(ephemeral);
	salt[32..].copy_from_slice(recipient);
	let mut out = [0u8; 32];
	Hkdf::<Sha256>::new(Some(&salt), shared)
		.expand(info, &mut out)
		.expect("32 bytes is a valid HKDF-SHA256 length");
	out
}

/// Wraps `key` for the holder of the X25519 secret behind `recipient`.
pub fn wrap(
	key: &ContentKey,
	recipient: &[u8; 32],
) -> Result<[u8; WRAPPED_KEY_SIZE], EnvelopeError> {
	let ephemeral = StaticSecret::random_from_rng(OsRng);
	wrap_with(key, recipient, ephemeral)
}

/// [`wrap`] with a given ephemeral secret (test vectors).
pub fn wrap_with(
	key: &ContentKey,
	recipient: &[u8; 32],
	ephemeral: StaticSecret,
) -> Result<[u8; WRAPPED_KEY_SIZE], EnvelopeError> {
	seal_for(&key.0, recipient, ephemeral, WRAP_INFO, &[])
}

/// A stanza: `value` sealed for `recipient` under a key agreed with `ephemeral`, derived with
/// the label `info`, with `aad` authenticated alongside. Content keys and escrow shares use
/// different labels, so one never opens as the other.
pub(crate) fn seal_for(
	value: &[u8; 32],
	recipient: &[u8; 32],
	ephemeral: StaticSecret,
	info: &[u8],
	aad: &[u8],
) -> Result<[u8; WRAPPED_KEY_SIZE], EnvelopeError> {
	let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
	let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient));
	if !shared.was_contributory() {
		return Err(EnvelopeError::BadRecipient);
	}
	let mut wrapping = wrap_key_for(shared.as_bytes(), &ephemeral_public, recipient, info);
	let sealed = ChaCha20Poly1305::new(Key::from_slice(&wrapping))
		.encrypt(&Nonce::default(), Payload { msg: value, aad })
		.expect("32 bytes encrypt");
	wrapping.zeroize();
	let mut stanza = [0u8; WRAPPED_KEY_SIZE];
	stanza[..32].copy_from_slice(&ephemeral_public);
	stanza[32..].copy_from_slice(&sealed);
	Ok(stanza)
}

/// Unwraps a key wrapped for `secret`.
pub fn unwrap(stanza: &[u8], secret: &StaticSecret) -> Result<ContentKey, EnvelopeError> {
	open_for(stanza, secret, WRAP_INFO, &[]).map(ContentKey)
}

/// Opens a stanza of [`seal_for`] with the same label and associated data.
pub(crate) fn open_for(
	stanza: &[u8],
	secret: &StaticSecret,
	info: &[u8],
	aad: &[u8],
) -> Result<[u8; 32], EnvelopeError> {
	if stanza.len() != WRAPPED_KEY_SIZE {
		return Err(EnvelopeError::BadWrappedKey);
	}
	let mut ephemeral = [0u8; 32];
	ephemeral.copy_from_slice(&stanza[..32]);
	let shared = secret.diffie_hellman(&PublicKey::from(ephemeral));
	if !shared.was_contributory() {
		return Err(EnvelopeError::WrongRecipient);
	}
	let recipient = PublicKey::from(secret).to_bytes();
	let mut wrapping = wrap_key_for(shared.as_bytes(), &ephemeral, &recipient, info);
	let opened = ChaCha20Poly1305::new(Key::from_slice(&wrapping))
		.decrypt(&Nonce::default(), Payload { msg: &stanza[32..], aad })
		.map_err(|_| EnvelopeError::WrongRecipient);
	wrapping.zeroize();
	let mut opened = opened?;
	let mut value = [0u8; 32];
	value.copy_from_slice(&opened);
	opened.zeroize();
	Ok(value)
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
	Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
	use super::*;

	fn seal(key: &ContentKey, plaintext: &[u8]) -> Vec<u8> {
		let mut out = Vec::new();
		let summary = encrypt(key, plaintext, &mut out, |_| {}).unwrap();
		assert_eq!(summary.envelope_len, out.len() as u64);
		assert_eq!(summary.envelope_len, envelope_len(plaintext.len() as u64));
		assert_eq!(summary.version, Version::V2);
		// The reader computes the same commitment in its pass.
		let opened = decrypt(key, &out[..], std::io::sink(), |_| {}).unwrap();
		assert_eq!(opened.content_hash, summary.content_hash);
		out
	}

	fn open(key: &ContentKey, envelope: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
		let mut out = Vec::new();
		decrypt(key, envelope, &mut out, |_| {})?;
		Ok(out)
	}

	fn sample(len: usize) -> Vec<u8> {
		(0..len).map(|i| (i * 31 % 251) as u8).collect()
	}

	#[test]
	fn round_trips_at_chunk_boundaries() {
		let key = ContentKey::generate();
		for len in [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE] {
			let plaintext = sample(len);
			assert_eq!(open(&key, &seal(&key, &plaintext)).unwrap(), plaintext, "length {len}");
		}
	}

	#[test]
	fn a_wrong_key_fails_at_the_header() {
		let envelope = seal(&ContentKey::generate(), b"lab report");
		assert!(matches!(
			open(&ContentKey::generate(), &envelope),
			Err(EnvelopeError::HeaderMismatch)
		));
	}

	#[test]
	fn tampering_truncation_reordering_and_trailing_data_are_detected() {
		let key = ContentKey::generate();
		let plaintext = sample(2 * CHUNK_SIZE + 100);
		let envelope = seal(&key, &plaintext);
		let sealed = CHUNK_SIZE + TAG_SIZE;
		let chunk = |i: usize| HEADER_SIZE + i * sealed;

		let mut flipped = envelope.clone();
		flipped[chunk(1) + 10] ^= 1;
		assert!(matches!(open(&key, &flipped), Err(EnvelopeError::Tampered(1))));

		let mut header = envelope.clone();
		header[MAGIC.len() + 3] ^= 1;
		assert!(matches!(open(&key, &header), Err(EnvelopeError::HeaderMismatch)));

		// Dropping the final chunk leaves a full chunk that is not marked final.
		assert!(matches!(open(&key, &envelope[..chunk(2)]), Err(EnvelopeError::Truncated)));
		assert!(matches!(open(&key, &envelope[..chunk(2) + 20]), Err(EnvelopeError::Tampered(2))));
		assert!(matches!(open(&key, &envelope[..HEADER_SIZE]), Err(EnvelopeError::Truncated)));
		assert!(matches!(open(&key, &envelope[..20]), Err(EnvelopeError::Truncated)));

		let mut swapped = envelope[..chunk(0)].to_vec();
		swapped.extend_from_slice(&envelope[chunk(1)..chunk(2)]);
		swapped.extend_from_slice(&envelope[chunk(0)..chunk(1)]);
		swapped.extend_from_slice(&envelope[chunk(2)..]);
		assert!(matches!(open(&key, &swapped), Err(EnvelopeError::Tampered(0))));

		let mut longer = envelope.clone();
		longer.extend_from_slice(&[0u8; 40]);
		assert!(open(&key, &longer).is_err());

		// A whole extra chunk after a full final one is refused as trailing data.
		let full = seal(&key, &sample(CHUNK_SIZE));
		let mut appended = full.clone();
		appended.extend_from_slice(&full[HEADER_SIZE..]);
		assert!(matches!(open(&key, &appended), Err(EnvelopeError::TrailingData)));
	}

	#[test]
	fn other_data_is_not_an_envelope() {
		let key = ContentKey::generate();
		assert!(matches!(open(&key, b"%PDF-1.7 ..."), Err(EnvelopeError::NotAnEnvelope)));
		let mut future = seal(&key, b"x");
		future[7] = 3;
		assert!(matches!(open(&key, &future), Err(EnvelopeError::Unsupported)));
	}

	/// The commitment is keyed: the same plaintext under two keys gives two unrelated values,
	/// neither of them its SHA-256, so the chain's value confirms no guess about the content.
	#[test]
	fn the_commitment_is_keyed_and_binds_the_key() {
		let plaintext = sample(3 * CHUNK_SIZE + 5);
		let (one, two) = (ContentKey::generate(), ContentKey::generate());
		let commit = |key: &ContentKey| {
			encrypt(key, &plaintext[..], std::io::sink(), |_| {}).unwrap().content_hash
		};
		let (first, second) = (commit(&one), commit(&two));
		assert_ne!(first, second);
		assert_ne!(first, sha256(&plaintext));
		// A new salt each time: the same key and plaintext commit differently too.
		assert_ne!(commit(&one), first);
		// Changing the tags (any chunk) changes the commitment, found while decrypting.
		let envelope = seal(&one, &plaintext);
		let summary = decrypt(&one, &envelope[..], std::io::sink(), |_| {}).unwrap();
		assert_eq!(summary.plaintext_len, plaintext.len() as u64);
	}

	/// Version 1 envelopes still open, with SHA-256 of the plaintext as their content hash.
	#[test]
	fn version_one_still_opens() {
		let envelope =
			hex::decode(include_str!("../tests/vectors/envelope-v1.hex").trim()).unwrap();
		let mut out = Vec::new();
		let summary =
			decrypt(&ContentKey::from_bytes([0x42; 32]), &envelope[..], &mut out, |_| {}).unwrap();
		assert_eq!(out, b"ehr test vector\n");
		assert_eq!(summary.version, Version::V1);
		assert_eq!(summary.content_hash, sha256(b"ehr test vector\n"));
	}

	#[test]
	fn keys_unwrap_only_for_their_recipient() {
		let key = ContentKey::generate();
		let doctor = StaticSecret::random_from_rng(OsRng);
		let stranger = StaticSecret::random_from_rng(OsRng);
		let stanza = wrap(&key, PublicKey::from(&doctor).as_bytes()).unwrap();
		assert_eq!(unwrap(&stanza, &doctor).unwrap(), key);
		assert!(matches!(unwrap(&stanza, &stranger), Err(EnvelopeError::WrongRecipient)));
		let mut tampered = stanza;
		tampered[40] ^= 1;
		assert!(matches!(unwrap(&tampered, &doctor), Err(EnvelopeError::WrongRecipient)));
		assert!(matches!(unwrap(&stanza[..79], &doctor), Err(EnvelopeError::BadWrappedKey)));
		// A low-order point as recipient is refused rather than wrapping to a known secret.
		assert!(matches!(wrap(&key, &[0u8; 32]), Err(EnvelopeError::BadRecipient)));
	}

	/// Fixed inputs, fixed output: any change to the format breaks this test. The expected bytes
	/// were checked with an independent implementation (`envelope/tests/vectors/check.py`).
	#[test]
	fn test_vector() {
		let key = ContentKey::from_bytes([0x42; 32]);
		let mut out = Vec::new();
		encrypt_with_salt(&key, [0x24; 16], &mut &b"ehr test vector\n"[..], &mut out, &mut |_| {})
			.unwrap();
		assert_eq!(hex::encode(&out), include_str!("../tests/vectors/envelope-v2.hex").trim());
		let stanza = wrap_with(
			&key,
			PublicKey::from(&StaticSecret::from([0x11; 32])).as_bytes(),
			StaticSecret::from([0x22; 32]),
		)
		.unwrap();
		assert_eq!(hex::encode(stanza), include_str!("../tests/vectors/stanza.hex").trim());
	}
}
