//! Envelope encryption and decryption throughput against the raw `chacha20poly1305` crate on
//! the same data (one AEAD call over the whole buffer: the floor the envelope's chunking,
//! hashing and key derivation add to).
//!
//!     cargo bench -p ehr-envelope

use chacha20poly1305::{aead::AeadInPlace, ChaCha20Poly1305, KeyInit};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ehr_envelope::{decrypt, encrypt, envelope_len, ContentKey};

const MIB: usize = 1 << 20;

fn data(len: usize) -> Vec<u8> {
	(0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()
}

fn throughput(c: &mut Criterion) {
	let key = ContentKey::generate();
	let raw = ChaCha20Poly1305::new(&[7u8; 32].into());
	let mut group = c.benchmark_group("throughput");
	for size in [MIB, 256 * MIB] {
		let plaintext = data(size);
		let mut sealed = Vec::with_capacity(envelope_len(size as u64) as usize);
		encrypt(&key, &plaintext[..], &mut sealed, |_| {}).unwrap();
		let mut out = Vec::with_capacity(size + 64 * 1024);
		group.throughput(Throughput::Bytes(size as u64));
		if size > MIB {
			group.sample_size(10);
		}
		let label = format!("{} MiB", size / MIB);
		group.bench_with_input(
			BenchmarkId::new("envelope encrypt", &label),
			&plaintext,
			|b, input| {
				b.iter(|| {
					out.clear();
					encrypt(&key, &input[..], &mut out, |_| {}).unwrap()
				})
			},
		);
		group.bench_with_input(
			BenchmarkId::new("envelope decrypt", &label),
			&sealed,
			|b, input| {
				b.iter(|| {
					out.clear();
					decrypt(&key, &input[..], &mut out, |_| {}).unwrap()
				})
			},
		);
		group.bench_with_input(
			BenchmarkId::new("raw chacha20poly1305", &label),
			&plaintext,
			|b, input| {
				b.iter(|| {
					out.clear();
					out.extend_from_slice(input);
					raw.encrypt_in_place_detached(&[0u8; 12].into(), &[], &mut out).unwrap()
				})
			},
		);
	}
	group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
