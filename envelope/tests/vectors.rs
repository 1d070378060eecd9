//! The vectors of `tests/vectors/v2.json`, written by the independent Python implementation
//! (`tests/vectors/check.py`, which the test command runs with `--check` to confirm them the
//! other way): this implementation must produce every positive envelope byte for byte with the
//! same commitment, open it, and refuse every negative one with the same error.

use ehr_envelope::{self as envelope, ContentKey, EnvelopeError, Version};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn sample(length: usize) -> Vec<u8> {
	(0..length).map(|i| (i * 31 % 251) as u8).collect()
}

fn vectors() -> Value {
	serde_json::from_str(include_str!("vectors/v2.json")).unwrap()
}

fn key_and_salt(vectors: &Value) -> (ContentKey, [u8; 16]) {
	let key: [u8; 32] = hex::decode(vectors["key"].as_str().unwrap()).unwrap().try_into().unwrap();
	let salt: [u8; 16] =
		hex::decode(vectors["salt"].as_str().unwrap()).unwrap().try_into().unwrap();
	(ContentKey::from_bytes(key), salt)
}

#[test]
fn positive_vectors_are_reproduced_and_open() {
	let vectors = vectors();
	let (key, salt) = key_and_salt(&vectors);
	let positive = vectors["positive"].as_array().unwrap();
	assert_eq!(positive.len(), 5);
	for vector in positive {
		let name = vector["name"].as_str().unwrap();
		let plaintext = sample(vector["length"].as_u64().unwrap() as usize);
		let mut sealed = Vec::new();
		let summary =
			envelope::encrypt_with_salt(&key, salt, &mut &plaintext[..], &mut sealed, &mut |_| {})
				.unwrap();
		assert_eq!(sealed.len() as u64, vector["envelopeLength"].as_u64().unwrap(), "{name}");
		assert_eq!(
			hex::encode(Sha256::digest(&sealed)),
			vector["envelopeSha256"].as_str().unwrap(),
			"{name}"
		);
		assert_eq!(hex::encode(summary.content_hash), vector["commitment"].as_str().unwrap());
		let mut opened = Vec::new();
		let summary = envelope::decrypt(&key, &sealed[..], &mut opened, |_| {}).unwrap();
		assert_eq!(opened, plaintext, "{name}");
		assert_eq!(summary.version, Version::V2);
		assert_eq!(hex::encode(summary.content_hash), vector["commitment"].as_str().unwrap());
	}
}

#[test]
fn negative_vectors_are_refused_as_the_other_implementation_refuses_them() {
	let vectors = vectors();
	let (key, _) = key_and_salt(&vectors);
	let negative = vectors["negative"].as_array().unwrap();
	assert_eq!(negative.len(), 7);
	for vector in negative {
		let name = vector["name"].as_str().unwrap();
		let data = hex::decode(vector["envelope"].as_str().unwrap()).unwrap();
		let error = envelope::decrypt(&key, &data[..], std::io::sink(), |_| {}).unwrap_err();
		let expected = vector["error"].as_str().unwrap();
		let matches = match expected {
			"Truncated" => matches!(error, EnvelopeError::Truncated),
			"TrailingData" => matches!(error, EnvelopeError::TrailingData),
			"Tampered" => matches!(error, EnvelopeError::Tampered(_)),
			"HeaderMismatch" => matches!(error, EnvelopeError::HeaderMismatch),
			"Unsupported" => matches!(error, EnvelopeError::Unsupported),
			other => panic!("unknown expected error {other}"),
		};
		assert!(matches, "{name}: expected {expected}, got {error:?}");
	}
}
