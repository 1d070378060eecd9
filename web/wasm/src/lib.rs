//! The web app's cryptography: the project's own envelope crate and key derivation, compiled to
//! WebAssembly, so that the browser encrypts, wraps and opens records with the one
//! implementation of the format the `ehr` command uses (and that the test vectors check).
//!
//! Secrets stay inside this module where they can: [`UserKeys`] holds the X25519 secrets and
//! hands out only public keys, opened files and re-wrapped keys; content keys never reach
//! JavaScript. The phrase itself does (the page needs it to sign with the account key, which
//! `@polkadot/keyring` derives), kept only in memory while the app is unlocked.

use ehr_envelope::{self as envelope, keys::KeyFile, ContentKey, EnvelopeError, StaticSecret};
use rand_core::{OsRng, RngCore};
use wasm_bindgen::prelude::*;
use x25519_dalek::PublicKey;

mod verify;
pub use verify::Verifier;

/// The most rotations of one account's encryption key (as the `ehr` command).
const MAX_KEY_INDEX: u32 = 1000;

/// Errors cross into JavaScript as the message string the page shows (a `String`, not a
/// `JsError`, so that the native tests can run the error paths too).
fn error(message: impl std::fmt::Display) -> String {
	message.to_string()
}

/// A record number from JavaScript (an integer below 2^53).
fn record_number(id: f64) -> Result<u64, String> {
	if id.fract() != 0.0 || !(0.0..=9_007_199_254_740_991.0).contains(&id) {
		return Err(error(format!("{id} is not a record number")));
	}
	Ok(id as u64)
}

/// A `0x`-hex account as its 32 bytes.
fn account32(text: &str) -> Result<[u8; 32], String> {
	hex::decode(text.strip_prefix("0x").unwrap_or(text))
		.ok()
		.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
		.ok_or_else(|| error(format!("{text} is not a 32-byte account in hex")))
}

fn key32(bytes: &[u8], what: &str) -> Result<[u8; 32], String> {
	bytes.try_into().map_err(|_| error(format!("{what} must be 32 bytes, not {}", bytes.len())))
}

/// The RFC-78 metadata hash of `metadata` (SCALE, version 15) for the runtime `spec_name` at
/// `spec_version`: what the page signs in `CheckMetadataHash` (mode 1), so that a transaction
/// encoded from metadata other than the runtime's does not verify on chain.
#[wasm_bindgen(js_name = metadataHash)]
pub fn metadata_hash(
	metadata: &[u8],
	spec_name: &str,
	spec_version: u32,
	token_symbol: &str,
	decimals: u8,
) -> Result<Vec<u8>, String> {
	ehr_verify::metadata::metadata_hash(metadata, spec_name, spec_version, token_symbol, decimals)
		.map(|hash| hash.to_vec())
}

/// A fresh 24-word BIP-39 phrase (256 bits from the browser's random source).
#[wasm_bindgen(js_name = newPhrase)]
pub fn new_phrase() -> String {
	let mut entropy = [0u8; 32];
	OsRng.fill_bytes(&mut entropy);
	let phrase = bip39::Mnemonic::from_entropy(&entropy).expect("32 bytes of entropy").to_string();
	zeroize::Zeroize::zeroize(&mut entropy);
	phrase
}

/// Whether `phrase` is a valid English BIP-39 phrase (words and checksum).
#[wasm_bindgen(js_name = isValidPhrase)]
pub fn is_valid_phrase(phrase: &str) -> bool {
	bip39::Mnemonic::parse_in(bip39::Language::English, phrase).is_ok()
}

/// A user's X25519 encryption keys: the current one and every earlier one (after rotations).
#[wasm_bindgen]
pub struct UserKeys {
	current: StaticSecret,
	earlier: Vec<StaticSecret>,
}

#[wasm_bindgen]
impl UserKeys {
	/// The keys of `phrase` with its BIP-39 `password`, under the secret URI's derivation
	/// `path` (for each junction: 1 if hard else 0, then its 32-byte chain code, as
	/// `@polkadot/util-crypto`'s `keyExtractPath` gives them), at rotation `key_index`.
	#[wasm_bindgen(constructor)]
	pub fn new(
		phrase: &str,
		password: &str,
		path: &[u8],
		key_index: u32,
	) -> Result<UserKeys, String> {
		if key_index > MAX_KEY_INDEX {
			return Err(error(format!("key index {key_index} is above {MAX_KEY_INDEX}")));
		}
		let mnemonic = bip39::Mnemonic::parse_in(bip39::Language::English, phrase)
			.map_err(|_| error("not a valid 24- or 12-word recovery phrase"))?;
		let mut seed = mnemonic.to_seed(password);
		let secret = |index| envelope::keys::encryption_secret(&seed, path, index);
		let current = secret(key_index);
		let earlier = (0..key_index).rev().map(secret).collect();
		zeroize::Zeroize::zeroize(&mut seed);
		Ok(UserKeys { current, earlier })
	}

	/// The public encryption key others wrap record keys for.
	#[wasm_bindgen(js_name = publicKey)]
	pub fn public_key(&self) -> Vec<u8> {
		PublicKey::from(&self.current).to_bytes().to_vec()
	}

	fn unwrap(&self, stanza: &[u8]) -> Result<ContentKey, String> {
		let mut last = None;
		for secret in std::iter::once(&self.current).chain(&self.earlier) {
			match envelope::unwrap(stanza, secret) {
				Ok(key) => return Ok(key),
				Err(e) => last = Some(e),
			}
		}
		Err(error(last.expect("the current key was tried")))
	}

	/// Opens a record: unwraps `stanza` (the key wrapped for this user), decrypts `sealed` (the
	/// envelope from IPFS) and checks it against `commitment` (from the chain). Returns the
	/// original bytes, or an error and nothing.
	#[wasm_bindgen(js_name = openRecord)]
	pub fn open_record(
		&self,
		stanza: &[u8],
		sealed: &[u8],
		commitment: &[u8],
	) -> Result<Vec<u8>, String> {
		let key = self.unwrap(stanza)?;
		let mut plain = Vec::with_capacity(sealed.len());
		let summary = envelope::decrypt(&key, sealed, &mut plain, |_| {}).map_err(error)?;
		if summary.content_hash[..] != commitment[..] {
			return Err(error(
				"the file from IPFS is not the one the chain points to (its commitment differs)",
			));
		}
		Ok(plain)
	}

	fn unwrap_share(&self, stanza: &[u8], context: &[u8]) -> Option<envelope::escrow::KeyShare> {
		std::iter::once(&self.current)
			.chain(&self.earlier)
			.find_map(|secret| envelope::escrow::unwrap_share(stanza, secret, context).ok())
	}

	/// Splits the content key behind `stanza` (wrapped for this user) of a record into one share
	/// per committee hospital (`committee`: their 32-byte escrow keys, one after the other),
	/// `threshold` of which open it, each wrapped for its hospital with the record's context as
	/// the chain holds it: `patient` and `author` (`0x`-hex accounts; the author is the account
	/// that signs the upload), `category` (`lab-report`) and `commitment` (32 bytes). These are
	/// the shares of an `escrow_key` call, or of the upload that adds the record, 81 bytes each,
	/// in the committee's order. The content key stays in this module.
	#[wasm_bindgen(js_name = escrowShares)]
	#[allow(clippy::too_many_arguments)]
	pub fn escrow_shares(
		&self,
		stanza: &[u8],
		patient: &str,
		category: &str,
		author: &str,
		commitment: &[u8],
		committee: &[u8],
		threshold: u8,
	) -> Result<Vec<u8>, String> {
		if committee.is_empty() || !committee.len().is_multiple_of(32) {
			return Err(error("the committee must be one or more 32-byte keys"));
		}
		let count = u8::try_from(committee.len() / 32)
			.map_err(|_| error("a committee of more than 255 hospitals"))?;
		let key = self.unwrap(stanza)?;
		let split = envelope::escrow::split(&key, threshold, count).map_err(error)?;
		let commitment: &[u8; 32] =
			commitment.try_into().map_err(|_| error("a commitment is 32 bytes"))?;
		let context = envelope::escrow::escrow_context(
			&account32(patient)?,
			parse_category(category)? as u8,
			&account32(author)?,
			commitment,
		);
		let mut out = Vec::with_capacity(split.len() * envelope::escrow::SHARE_STANZA_SIZE);
		for (share, hospital) in split.iter().zip(committee.chunks(32)) {
			out.extend_from_slice(
				&envelope::escrow::wrap_share(share, &key32(hospital, "an escrow key")?, &context)
					.map_err(error)?,
			);
		}
		Ok(out)
	}

	/// Opens record `record` of `patient` during an emergency access of this user (the doctor
	/// `doctor`, `0x`-hex): unwraps the released share stanzas (`stanzas`, 81 bytes each), combines
	/// `threshold` of them (trying other subsets if a custodian released a wrong share), decrypts
	/// `sealed` and checks it against `commitment`.
	#[wasm_bindgen(js_name = openWithShares)]
	#[allow(clippy::too_many_arguments)]
	pub fn open_with_shares(
		&self,
		stanzas: &[u8],
		threshold: u8,
		record: f64,
		patient: &str,
		doctor: &str,
		sealed: &[u8],
		commitment: &[u8],
	) -> Result<Vec<u8>, String> {
		let size = envelope::escrow::SHARE_STANZA_SIZE;
		if !stanzas.len().is_multiple_of(size) || stanzas.len() / size > usize::from(u8::MAX) {
			return Err(error("released shares must be 81 bytes each, at most 255 of them"));
		}
		let context = envelope::escrow::release_context(
			record_number(record)?,
			&account32(patient)?,
			&account32(doctor)?,
		);
		let opened: Vec<_> =
			stanzas.chunks(size).filter_map(|stanza| self.unwrap_share(stanza, &context)).collect();
		let need = usize::from(threshold.max(1));
		if opened.len() < need {
			return Err(error(format!(
				"{} of the {threshold} key shares needed have been released so far: the hospitals' custodians release them within a few blocks of the emergency access; try again shortly",
				opened.len()
			)));
		}
		// Every choice of `need` shares, up to a bound (16 choose 8 at most).
		let choices = envelope::escrow::subsets(opened.len(), need);
		for choice in choices.take(envelope::escrow::MAX_COMBINATIONS) {
			let chosen: Vec<_> = choice.iter().map(|&i| opened[i].clone()).collect();
			// Shares that do not combine (an identifier twice): try the next choice.
			let Ok(key) = envelope::escrow::combine(&chosen, threshold) else { continue };
			let mut plain = Vec::with_capacity(sealed.len());
			match envelope::decrypt(&key, sealed, &mut plain, |_| {}) {
				Ok(summary) if summary.content_hash[..] == commitment[..] => return Ok(plain),
				Ok(_) => {
					return Err(error(
						"the file from IPFS is not the one the chain points to (its commitment differs)",
					))
				}
				Err(EnvelopeError::HeaderMismatch) => {}
				Err(other) => return Err(error(other)),
			}
		}
		Err(error(format!(
			"no {threshold} of the {} released shares open record {record}: a custodian released a wrong share (report it to the hospitals)",
			opened.len()
		)))
	}

	/// Opens a message: unwraps `stanza`, decrypts `sealed` (the envelope's own authentication;
	/// a message has no commitment on chain), and returns its text as JSON `{text, about}` only
	/// if the body, a FHIR `Communication`, names `sender` and `recipient` (SS58) as the chain
	/// does (a copy of someone else's message sent again under another name is refused).
	#[wasm_bindgen(js_name = openMessage)]
	pub fn open_message(
		&self,
		stanza: &[u8],
		sealed: &[u8],
		sender: &str,
		recipient: &str,
	) -> Result<String, String> {
		let key = self.unwrap(stanza)?;
		let mut plain = Vec::with_capacity(sealed.len());
		envelope::decrypt(&key, sealed, &mut plain, |_| {}).map_err(error)?;
		let body: serde_json::Value = serde_json::from_slice(&plain)
			.map_err(|_| error("the message is not a FHIR Communication"))?;
		if !ehr_fhir::names_parties(&body, sender, recipient) {
			return Err(error(
				"the body names another sender or recipient than the chain (a copy of someone else's message, sent again): not shown",
			));
		}
		Ok(serde_json::json!({
			"text": ehr_fhir::communication_text(&body).unwrap_or_default(),
			"about": body["about"][0]["identifier"]["value"].as_str(),
		})
		.to_string())
	}

	/// Wraps the key of the record behind `stanza` (wrapped for this user) for `recipient`:
	/// sharing a record when granting access.
	pub fn rewrap(&self, stanza: &[u8], recipient: &[u8]) -> Result<Vec<u8>, String> {
		let key = self.unwrap(stanza)?;
		Ok(envelope::wrap(&key, &key32(recipient, "an encryption key")?).map_err(error)?.to_vec())
	}
}

/// An encrypted record ready to store: the envelope, its commitment, and the content key
/// wrapped for each reader (80 bytes each, in the readers' order).
#[wasm_bindgen]
pub struct Sealed {
	envelope: Vec<u8>,
	commitment: Vec<u8>,
	wrapped: Vec<u8>,
}

#[wasm_bindgen]
impl Sealed {
	/// The envelope to store on IPFS.
	#[wasm_bindgen(getter)]
	pub fn envelope(&self) -> Vec<u8> {
		self.envelope.clone()
	}
	/// The commitment the chain keeps (`content_hash`).
	#[wasm_bindgen(getter)]
	pub fn commitment(&self) -> Vec<u8> {
		self.commitment.clone()
	}
	/// The wrapped keys, 80 bytes per reader.
	#[wasm_bindgen(getter)]
	pub fn wrapped(&self) -> Vec<u8> {
		self.wrapped.clone()
	}
}

/// Encrypts `plaintext` under a fresh content key and wraps the key for each reader
/// (`readers`: their 32-byte encryption keys, one after the other).
#[wasm_bindgen(js_name = sealRecord)]
pub fn seal_record(plaintext: &[u8], readers: &[u8]) -> Result<Sealed, String> {
	if readers.is_empty() || readers.len() % 32 != 0 {
		return Err(error("readers must be one or more 32-byte keys"));
	}
	let key = ContentKey::generate();
	let mut wrapped = Vec::with_capacity(readers.len() / 32 * envelope::WRAPPED_KEY_SIZE);
	for reader in readers.chunks(32) {
		wrapped.extend_from_slice(
			&envelope::wrap(&key, &key32(reader, "a reader key")?).map_err(error)?,
		);
	}
	let mut sealed = Vec::with_capacity(envelope::envelope_len(plaintext.len() as u64) as usize);
	let summary = envelope::encrypt(&key, plaintext, &mut sealed, |_| {}).map_err(error)?;
	Ok(Sealed { envelope: sealed, commitment: summary.content_hash.to_vec(), wrapped })
}

/// A key file (JSON, the same format as `ehr key generate` writes) holding `uri` under `passphrase`
/// at scrypt cost `2^log_n` (18 as the command; tests use less).
#[wasm_bindgen(js_name = sealKeyFile)]
pub fn seal_key_file(
	uri: &str,
	address: &str,
	encryption_key_hex: &str,
	key_index: u32,
	passphrase: &str,
	log_n: u8,
) -> Result<String, String> {
	let mut salt = [0u8; 16];
	let mut nonce = [0u8; 12];
	OsRng.fill_bytes(&mut salt);
	OsRng.fill_bytes(&mut nonce);
	let file = KeyFile::seal(
		uri,
		address.into(),
		encryption_key_hex.into(),
		key_index,
		passphrase,
		log_n,
		salt,
		nonce,
	)
	.map_err(error)?;
	serde_json::to_string_pretty(&file).map_err(error)
}

/// The secret URI in a key file, if `passphrase` opens it. The caller checks that the keys it
/// derives are the file's clear address and encryption key.
#[wasm_bindgen(js_name = openKeyFile)]
pub fn open_key_file(json: &str, passphrase: &str) -> Result<String, String> {
	let file: KeyFile =
		serde_json::from_str(json).map_err(|e| error(format!("not a key file: {e}")))?;
	Ok(file.open(passphrase).map_err(error)?.to_string())
}

/// The default scrypt cost of a key file (2^18).
#[wasm_bindgen(js_name = keyFileCost)]
pub fn key_file_cost() -> u8 {
	KeyFile::DEFAULT_LOG_N
}

/// Test vectors: the envelope of `plaintext` under `key` with `salt` (fixed for vectors only)
/// and its commitment.
#[wasm_bindgen(js_name = vectorSeal)]
pub fn vector_seal(key: &[u8], salt: &[u8], plaintext: &[u8]) -> Result<Sealed, String> {
	let key = ContentKey::from_bytes(key32(key, "the key")?);
	let salt: [u8; 16] = salt.try_into().map_err(|_| error("the salt must be 16 bytes"))?;
	let mut sealed = Vec::new();
	let summary =
		envelope::encrypt_with_salt(&key, salt, &mut &plaintext[..], &mut sealed, &mut |_| {})
			.map_err(error)?;
	Ok(Sealed { envelope: sealed, commitment: summary.content_hash.to_vec(), wrapped: Vec::new() })
}

/// Test vectors: opens `sealed` under `key`; an error is named as the vectors name it
/// (`Truncated`, `TrailingData`, `Tampered`, `HeaderMismatch`, `Unsupported`, `NotAnEnvelope`).
#[wasm_bindgen(js_name = vectorOpen)]
pub fn vector_open(key: &[u8], sealed: &[u8]) -> Result<Vec<u8>, String> {
	let key = ContentKey::from_bytes(key32(key, "the key")?);
	let mut plain = Vec::new();
	envelope::decrypt(&key, sealed, &mut plain, |_| {}).map_err(|e| {
		let kind = match e {
			EnvelopeError::Truncated => "Truncated",
			EnvelopeError::TrailingData => "TrailingData",
			EnvelopeError::Tampered(_) => "Tampered",
			EnvelopeError::HeaderMismatch => "HeaderMismatch",
			EnvelopeError::Unsupported => "Unsupported",
			EnvelopeError::NotAnEnvelope => "NotAnEnvelope",
			_ => "Other",
		};
		error(format!("{kind}: {e}"))
	})?;
	Ok(plain)
}

/// Whether a record's bytes are small enough to parse as JSON in this module: at most what a
/// client wraps (base64 grows a file by a third) and some room; a larger record could exhaust
/// the module's memory when parsed into a tree.
fn parseable(bytes: &[u8]) -> bool {
	bytes.len() as u64 <= ehr_fhir::MAX_WRAPPED / 3 * 4 + (64 << 10)
}

/// What an uploaded file (or a typed text) is stored as: the FHIR R4 resource the `ehr` command
/// makes (`ehr_fhir::wrap_upload`: a plain text as the category's own resource, a lab report's
/// file presented by a `DiagnosticReport`, anything else in a `DocumentReference`), as JSON
/// bytes; `undefined` for a file above 64 MiB (stored as it is). Accounts are SS58 addresses;
/// `category` as the node's JSON writes it (`lab-report`). The browser cannot run the
/// command's schema check; the builders are tested against it there.
#[wasm_bindgen(js_name = fhirWrap)]
pub fn fhir_wrap(
	category: &str,
	bytes: &[u8],
	name: &str,
	author: &str,
	patient: &str,
	now_ms: f64,
) -> Result<Option<Vec<u8>>, String> {
	let category = parse_category(category)?;
	Ok(ehr_fhir::wrap_upload(category, bytes, name, author, patient, now_ms as u64, |_| true)
		.map(ehr_fhir::plaintext))
}

/// Home readings as the FHIR Bundle of Observations `ehr vitals add` makes (vital-signs
/// profile: LOINC codes, UCUM units): `readings` is JSON `{"bp": [systolic, diastolic], "<LOINC
/// code>": value, …}` for the measures the command knows; JSON bytes.
#[wasm_bindgen(js_name = fhirVitals)]
pub fn fhir_vitals(readings: &str, patient: &str, at_ms: f64) -> Result<Vec<u8>, String> {
	let given: serde_json::Map<String, serde_json::Value> =
		serde_json::from_str(readings).map_err(|_| error("the readings are not a JSON object"))?;
	// A number within what a person can have (`ehr_fhir::plausible`) for the measure `code`.
	let number = |value: &serde_json::Value, code: &str, what: &str| {
		let value = value
			.as_f64()
			.filter(|v| v.is_finite())
			.ok_or_else(|| error(format!("{what}: not a number")))?;
		match ehr_fhir::plausible(code) {
			Some((low, high)) if !(low..=high).contains(&value) => {
				Err(error(format!("{what}: {value} is not a plausible value ({low} to {high})")))
			}
			_ => Ok(value),
		}
	};
	let mut observations = Vec::new();
	for (code, value) in &given {
		if code == "bp" {
			let systolic = number(&value[0], "8480-6", "systolic pressure")?;
			let diastolic = number(&value[1], "8462-4", "diastolic pressure")?;
			if diastolic >= systolic {
				return Err(error("the diastolic pressure must be below the systolic"));
			}
			observations.push(ehr_fhir::blood_pressure(systolic, diastolic, patient, at_ms as u64));
		} else {
			let measure = ehr_fhir::measure(code)
				.filter(|m| !m.unit.is_empty())
				.ok_or_else(|| error(format!("{code} is not a measure the clients know")))?;
			observations.push(ehr_fhir::reading(
				measure,
				number(value, code, measure.display)?,
				patient,
				at_ms as u64,
			));
		}
	}
	if observations.is_empty() {
		return Err(error("give at least one reading"));
	}
	Ok(ehr_fhir::bundle(observations).to_string().into_bytes())
}

/// The readings in a record's bytes (an Observation or a Bundle of them), as JSON
/// `[{code, display, value, unit, effective}]`; an empty list for anything else.
#[wasm_bindgen(js_name = fhirReadings)]
pub fn fhir_readings(bytes: &[u8]) -> String {
	if !parseable(bytes) {
		return "[]".into();
	}
	let mut found =
		serde_json::from_slice(bytes).map(|v| ehr_fhir::readings(&v)).unwrap_or_default();
	// Known codes are labelled by the clients' own names, not by the writer's display text.
	for reading in &mut found {
		if let Some(measure) = ehr_fhir::measure(&reading.code) {
			reading.display = measure.display.to_string();
		}
	}
	serde_json::to_string(&found).unwrap_or_else(|_| "[]".into())
}

/// A message as the FHIR `Communication` the `ehr` command sends (`ehr-fhir`): `severity` empty
/// for a message, else `info`, `warning` or `urgent` (an alert, from a doctor); accounts SS58.
/// JSON bytes.
#[wasm_bindgen(js_name = fhirMessage)]
pub fn fhir_message(
	severity: &str,
	text: &str,
	sender: &str,
	recipient: &str,
	patient: &str,
	now_ms: f64,
) -> Result<Vec<u8>, String> {
	use ehr_primitives::{MessageKind, Severity};
	let kind = match severity {
		"" => MessageKind::Message,
		"info" => MessageKind::Alert { severity: Severity::Info },
		"warning" => MessageKind::Alert { severity: Severity::Warning },
		"urgent" => MessageKind::Alert { severity: Severity::Urgent },
		other => return Err(error(format!("{other} is not a severity"))),
	};
	if text.trim().is_empty() {
		return Err(error("write the message first"));
	}
	Ok(ehr_fhir::communication(sender, recipient, patient, kind, text, None, now_ms as u64)
		.to_string()
		.into_bytes())
}

/// The file or text a client wrapped in a FHIR resource (`ehr-fhir`), exactly as written, if
/// `bytes` are such a resource, made for `patient` by `author` (SS58, the record's as the chain
/// holds them) with structured fields that say what its text says; `undefined` otherwise (show
/// the bytes, the resource, as they are).
#[wasm_bindgen(js_name = fhirUnwrap)]
pub fn fhir_unwrap(bytes: &[u8], patient: &str, author: &str) -> Option<Vec<u8>> {
	if !parseable(bytes) {
		return None;
	}
	// JSON as written, or a file stored beside its resource (`ehr_fhir::ATTACHED`).
	let value = ehr_fhir::resource_of(bytes)?;
	ehr_fhir::unwrap_checked(&value, patient, author)
}

/// The resource type of a record's bytes if they are FHIR: JSON as written, or a file stored
/// beside its resource (`ehr_fhir::ATTACHED`, only its header is read); `undefined` otherwise.
#[wasm_bindgen(js_name = fhirResourceType)]
pub fn fhir_resource_type(bytes: &[u8]) -> Option<String> {
	if !parseable(bytes) {
		return None;
	}
	let resource = match ehr_fhir::attached(bytes) {
		Some((resource, _)) => resource,
		None if bytes.starts_with(ehr_fhir::ATTACHED) => return None,
		None => serde_json::from_slice(bytes).ok()?,
	};
	resource["resourceType"].as_str().map(str::to_string)
}

/// A file stored beside its resource, as the resource with the file inline (JSON bytes), for
/// a reader who gets no file back from it (`fhirUnwrap`); `undefined` for anything else (JSON
/// is shown as it is).
#[wasm_bindgen(js_name = fhirInline)]
pub fn fhir_inline(bytes: &[u8]) -> Option<Vec<u8>> {
	if !bytes.starts_with(ehr_fhir::ATTACHED) || !parseable(bytes) {
		return None;
	}
	ehr_fhir::resource_of(bytes).map(|resource| resource.to_string().into_bytes())
}

/// Whether `key` is a usable X25519 encryption key (canonical, not of small order): the chain's
/// own rule (`ehr_primitives::is_usable_encryption_key`). Records are never wrapped for others.
#[wasm_bindgen(js_name = isUsableKey)]
pub fn is_usable_key(key: &[u8]) -> bool {
	<[u8; 32]>::try_from(key).is_ok_and(|key| ehr_primitives::is_usable_encryption_key(&key))
}

/// Decodes one stored audit-trail entry (the proven bytes) with the chain's own type, into JSON
/// of the node's `ehr_auditTrail` form (camelCase, categories in kebab-case), so that a node
/// cannot change what an entry says by serving other metadata.
#[wasm_bindgen(js_name = decodeAuditEntry)]
pub fn decode_audit_entry(bytes: &[u8]) -> Result<String, String> {
	use codec::DecodeAll;
	type Account = sp_core::crypto::AccountId32;
	let entry = ehr_primitives::AuditEntry::<Account, u32>::decode_all(&mut &bytes[..])
		.map_err(|_| error("the entry does not decode as an audit entry"))?;
	Ok(audit_entry_json(&entry).to_string())
}

/// An audit entry as the node's JSON writes it.
fn audit_entry_json(
	entry: &ehr_primitives::AuditEntry<sp_core::crypto::AccountId32, u32>,
) -> serde_json::Value {
	serde_json::json!({
		"block": entry.block,
		"time": entry.time,
		"actor": account_hex(&entry.actor),
		"event": audit_event(&entry.event),
	})
}

/// A variant's name as the node's JSON writes it (`LifeThreatening` → `life-threatening`),
/// without its fields.
fn kebab(debug: &str) -> String {
	let name = debug.split([' ', '(', '{']).next().unwrap_or_default();
	let mut out = String::new();
	for (i, c) in name.chars().enumerate() {
		if c.is_ascii_uppercase() && i > 0 {
			out.push('-');
		}
		out.push(c.to_ascii_lowercase());
	}
	out
}

/// An account as hex (the page writes it in SS58 with `@polkadot/util-crypto`).
fn account_hex(account: &sp_core::crypto::AccountId32) -> String {
	format!("0x{}", hex::encode(account))
}

/// A category as the node's JSON writes it (`lab-report`).
fn parse_category(text: &str) -> Result<ehr_primitives::RecordCategory, String> {
	ehr_primitives::RecordCategory::ALL
		.into_iter()
		.find(|c| category(*c) == text)
		.ok_or_else(|| error(format!("{text} is not a record category")))
}

fn category(category: ehr_primitives::RecordCategory) -> &'static str {
	use ehr_primitives::RecordCategory::*;
	match category {
		Profile => "profile",
		Observation => "observation",
		Prescription => "prescription",
		LabReport => "lab-report",
		Imaging => "imaging",
		ClinicalNote => "clinical-note",
		Document => "document",
	}
}

fn audit_event(
	event: &ehr_primitives::AuditEvent<sp_core::crypto::AccountId32>,
) -> serde_json::Value {
	use ehr_primitives::AuditEvent::*;
	use serde_json::json;
	match event {
		ConsentGranted { grantee, .. } => {
			json!({ "consentGranted": { "grantee": account_hex(grantee) } })
		}
		ConsentChanged { grantee, .. } => {
			json!({ "consentChanged": { "grantee": account_hex(grantee) } })
		}
		ConsentRevoked { grantee } => {
			json!({ "consentRevoked": { "grantee": account_hex(grantee) } })
		}
		ConsentExpired { grantee } => {
			json!({ "consentExpired": { "grantee": account_hex(grantee) } })
		}
		EmergencyAccessOpened { doctor, code, expires_at, .. } => json!({ "emergencyAccessOpened":
			{ "doctor": account_hex(doctor), "code": kebab(&format!("{code:?}")), "expiresAt": expires_at } }),
		EmergencyAccessClosed { doctor, expired } => {
			json!({ "emergencyAccessClosed": { "doctor": account_hex(doctor), "expired": expired } })
		}
		RecordAdded { record, category: c } => {
			json!({ "recordAdded": { "record": record, "category": category(*c) } })
		}
		RecordAmended { record, new_version } => {
			json!({ "recordAmended": { "record": record, "newVersion": new_version } })
		}
		KeyShared { record, reader } => {
			json!({ "keyShared": { "record": record, "reader": account_hex(reader) } })
		}
		KeyRemoved { record, reader } => {
			json!({ "keyRemoved": { "record": record, "reader": account_hex(reader) } })
		}
		RecordErased { record } => json!({ "recordErased": { "record": record } }),
		RecordAccessed { record, category: c } => {
			json!({ "recordAccessed": { "record": record, "category": category(*c) } })
		}
		Appointment { appointment, doctor, change } => {
			let minutes = match change {
				ehr_primitives::AppointmentChange::VisitEnded { minutes } => Some(*minutes),
				_ => None,
			};
			json!({ "appointment": { "appointment": appointment, "doctor": account_hex(doctor),
				"change": kebab(&format!("{change:?}")), "minutes": minutes } })
		}
		EmergencyCategoriesSet { categories } => json!({ "emergencyCategoriesSet":
			{ "categories": categories.iter().map(|c| category(*c)).collect::<Vec<_>>() } }),
		KeyEscrowed { record, epoch } => {
			json!({ "keyEscrowed": { "record": record, "epoch": epoch } })
		}
		ShareReleased { record, doctor, hospital } => json!({ "shareReleased":
			{ "record": record, "doctor": account_hex(doctor), "hospital": account_hex(hospital) } }),
		EmergencyAccessReviewed { entry, doctor, verdict } => json!({ "emergencyAccessReviewed":
			{ "entry": entry, "doctor": account_hex(doctor), "verdict": kebab(&format!("{verdict:?}")) } }),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The browser's keys are the command's: same phrase, path and index, same public key.
	#[test]
	fn keys_match_the_derivation_of_the_command() {
		let phrase = new_phrase();
		assert!(is_valid_phrase(&phrase));
		assert!(is_valid_phrase(
			"bottom drive obey lake curtain smoke basket hold race lonely fit walk"
		));
		let keys = UserKeys::new(&phrase, "", &[], 0).unwrap();
		let seed = bip39::Mnemonic::parse(&phrase).unwrap().to_seed("");
		let expected = PublicKey::from(&envelope::keys::encryption_secret(&seed, &[], 0));
		assert_eq!(keys.public_key(), expected.to_bytes().to_vec());
		let rotated = UserKeys::new(&phrase, "", &[], 2).unwrap();
		assert_ne!(rotated.public_key(), keys.public_key());
		assert_eq!(rotated.earlier.len(), 2);
	}

	#[test]
	fn a_sealed_record_opens_for_each_reader_and_checks_its_commitment() {
		let alice = UserKeys::new(&new_phrase(), "", &[], 0).unwrap();
		let bob = UserKeys::new(&new_phrase(), "", &[], 0).unwrap();
		let readers = [alice.public_key(), bob.public_key()].concat();
		let sealed = seal_record(b"lab report", &readers).unwrap();
		let stanzas: Vec<&[u8]> = sealed.wrapped.chunks(envelope::WRAPPED_KEY_SIZE).collect();
		assert_eq!(
			bob.open_record(stanzas[1], &sealed.envelope, &sealed.commitment).unwrap(),
			b"lab report"
		);
		// A stanza of another reader, or a wrong commitment, opens nothing.
		let carol = UserKeys::new(&new_phrase(), "", &[], 0).unwrap();
		let shared = alice.rewrap(stanzas[0], &carol.public_key()).unwrap();
		assert_eq!(
			carol.open_record(&shared, &sealed.envelope, &sealed.commitment).unwrap(),
			b"lab report"
		);
		let mut wrong = sealed.commitment.clone();
		wrong[0] ^= 1;
		assert!(alice.open_record(stanzas[0], &sealed.envelope, &wrong).is_err());
	}

	/// A trail entry decodes with the chain's own type; bytes of anything else are refused.
	#[test]
	fn audit_entries_decode_with_the_chains_types() {
		use codec::Encode;
		use ehr_primitives::{AuditEntry, AuditEvent, RecordCategory};
		let doctor = sp_core::crypto::AccountId32::new([7; 32]);
		let entry = AuditEntry {
			block: 12u32,
			time: 1_700_000_000_000,
			actor: doctor.clone(),
			event: AuditEvent::RecordAccessed { record: 3, category: RecordCategory::LabReport },
		};
		let json: serde_json::Value =
			serde_json::from_str(&decode_audit_entry(&entry.encode()).unwrap()).unwrap();
		assert_eq!(json["event"]["recordAccessed"]["category"], "lab-report");
		assert_eq!(json["actor"], format!("0x{}", "07".repeat(32)));
		let mut longer = entry.encode();
		longer.push(0);
		assert!(decode_audit_entry(&longer).is_err());
		assert!(!is_usable_key(&[0u8; 32]));
		assert!(is_usable_key(&UserKeys::new(&new_phrase(), "", &[], 0).unwrap().public_key()));
	}

	#[test]
	fn a_key_file_opens_only_with_its_passphrase() {
		let json = seal_key_file("//Alice", "5Grw", "00", 0, "pass", 10).unwrap();
		assert_eq!(open_key_file(&json, "pass").unwrap(), "//Alice");
		assert!(open_key_file(&json, "wrong").is_err());
		assert!(seal_key_file("//Alice", "5Grw", "00", 0, "", 10).is_err());
	}
}
