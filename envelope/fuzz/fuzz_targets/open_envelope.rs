//! Feeds arbitrary bytes to the envelope parser and the key unwrapper: they must refuse them
//! without panicking. Run with `cargo +nightly fuzz run open_envelope` from `envelope/`.
#![no_main]

use ehr_envelope::{self as envelope, ContentKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let key = ContentKey::from_bytes([7; 32]);
	let _ = envelope::decrypt(&key, data, std::io::sink(), |_| {});
	let _ = envelope::unwrap(data, &envelope::StaticSecret::from([7; 32]));
});
