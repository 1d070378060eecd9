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

/// The parser fuzzed on every run, on stable Rust (the cargo-fuzz target needs nightly): valid
/// envelopes changed by random edits (bits flipped, bytes inserted, ranges cut or replaced, the
/// end moved) and random bytes behind a valid magic, from a fixed seed so a failure reproduces.
/// `EHR_ENVELOPE_FUZZ_CASES` sets the number of cases (default 20,000 in the test command;
/// 200,000 with `EHR_LONG=1`); a failure prints the smallest failing input.
#[test]
fn fuzz_the_parser_from_a_fixed_seed() {
	use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
	let cases = std::env::var("EHR_ENVELOPE_FUZZ_CASES")
		.ok()
		.and_then(|cases| cases.parse().ok())
		.unwrap_or(if std::env::var_os("EHR_LONG").is_some() { 200_000 } else { 20_000 });
	let key = ContentKey::from_bytes([0x42; 32]);
	let plaintexts: Vec<Vec<u8>> = [0, 1, 100, 2 * CHUNK_SIZE + 3]
		.iter()
		.map(|&n| (0..n).map(|i| (i % 251) as u8).collect())
		.collect();
	let envelopes: Vec<Vec<u8>> = plaintexts.iter().map(|p| seal(&key, p)).collect();

	#[derive(Clone, Debug)]
	enum Edit {
		Flip(prop::sample::Index, u8),
		Insert(prop::sample::Index, Vec<u8>),
		Cut(prop::sample::Index, prop::sample::Index),
		Truncate(prop::sample::Index),
		Replace(Vec<u8>),
	}
	let edit = prop_oneof![
		4 => (any::<prop::sample::Index>(), 0u8..8).prop_map(|(at, bit)| Edit::Flip(at, bit)),
		2 => (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..20))
			.prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
		2 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
			.prop_map(|(from, to)| Edit::Cut(from, to)),
		2 => any::<prop::sample::Index>().prop_map(Edit::Truncate),
		1 => prop::collection::vec(any::<u8>(), 0..HEADER_SIZE + 120).prop_map(Edit::Replace),
	];
	// Mostly the small envelopes: a case costs one header check and at most one small chunk.
	let which = prop_oneof![30 => 0usize..3, 1 => Just(3usize)];
	let strategy = (which, prop::collection::vec(edit, 1..4));

	let config = Config { cases, failure_persistence: None, ..Config::default() };
	let mut runner =
		TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[0x0e; 32]));
	runner
		.run(&strategy, |(which, edits)| {
			let mut data = envelopes[which].clone();
			for edit in edits {
				match edit {
					Edit::Flip(at, bit) if !data.is_empty() => {
						let at = at.index(data.len());
						data[at] ^= 1 << bit;
					}
					Edit::Insert(at, bytes) => {
						let at = at.index(data.len() + 1);
						data.splice(at..at, bytes);
					}
					Edit::Cut(from, to) if !data.is_empty() => {
						let (a, b) = (from.index(data.len()), to.index(data.len()));
						data.drain(a.min(b)..a.max(b));
					}
					Edit::Truncate(at) => data.truncate(at.index(data.len() + 1)),
					Edit::Replace(bytes) => {
						data = envelope::MAGIC.iter().copied().chain(bytes).collect();
					}
					_ => {}
				}
			}
			// Never a panic; success only for the untouched bytes, with the original plaintext.
			match open(&key, &data) {
				Ok(plaintext) => {
					prop_assert_eq!(&data, &envelopes[which]);
					prop_assert_eq!(&plaintext, &plaintexts[which]);
				}
				Err(_) => prop_assert_ne!(&data, &envelopes[which]),
			}
			let stanza: Vec<u8> = data.iter().copied().take(envelope::WRAPPED_KEY_SIZE).collect();
			prop_assert!(envelope::unwrap(&stanza, &envelope::StaticSecret::from([7; 32])).is_err());
			Ok(())
		})
		.unwrap();
}
