//! Properties of the envelope format over random inputs.

use ehr_envelope::{self as envelope, ContentKey, EnvelopeError, CHUNK_SIZE, HEADER_SIZE};
use proptest::prelude::*;

fn seal(key: &ContentKey, plaintext: &[u8]) -> Vec<u8> {
	let mut out = Vec::new();
	envelope::encrypt(key, plaintext, &mut out, |_| {}).unwrap();
	out
}

fn open(key: &ContentKey, data: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
	let mut out = Vec::new();
	envelope::decrypt(key, data, &mut out, |_| {}).map(|_| out)
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]

	#[test]
	fn any_plaintext_round_trips(plaintext in prop::collection::vec(any::<u8>(), 0..3 * CHUNK_SIZE)) {
		let key = ContentKey::generate();
		prop_assert_eq!(open(&key, &seal(&key, &plaintext)).unwrap(), plaintext);
	}

	/// Changing any byte, or cutting the envelope anywhere, gives an error and never plaintext.
	#[test]
	fn any_change_is_an_error(
		plaintext in prop::collection::vec(any::<u8>(), 1..2 * CHUNK_SIZE + 10),
		position in any::<prop::sample::Index>(),
		bit in 0u8..8,
		cut in any::<prop::sample::Index>(),
	) {
		let key = ContentKey::generate();
		let envelope = seal(&key, &plaintext);
		let mut flipped = envelope.clone();
		let at = position.index(flipped.len());
		flipped[at] ^= 1 << bit;
		prop_assert!(open(&key, &flipped).is_err());
		let length = cut.index(envelope.len());
		prop_assert!(open(&key, &envelope[..length]).is_err());
	}

	/// Arbitrary bytes never panic the parser.
	#[test]
	fn arbitrary_bytes_are_refused_cleanly(mut data in prop::collection::vec(any::<u8>(), 0..HEADER_SIZE + 200), magic in any::<bool>()) {
		if magic && data.len() >= 8 {
			data[..8].copy_from_slice(envelope::MAGIC);
		}
		prop_assert!(open(&ContentKey::generate(), &data).is_err());
		prop_assert!(envelope::unwrap(&data, &envelope::StaticSecret::from([7; 32])).is_err());
	}
}
