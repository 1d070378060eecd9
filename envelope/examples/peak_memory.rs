//! Encrypts and then decrypts a generated file of N MiB (default 1024) through the disk, and
//! prints the time and the peak resident memory: the envelope runs in constant memory.
//!
//!     cargo run --release -p ehr-envelope --example peak_memory -- 1024

use std::{
	io::{self, BufReader, BufWriter, Read, Write},
	time::Instant,
};

use ehr_envelope::{decrypt, encrypt, ContentKey};
use sha2::{Digest, Sha256};

/// Pseudo-random bytes without holding them in memory.
struct Generated {
	left: u64,
	state: u64,
}

impl Read for Generated {
	fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
		let n = buffer.len().min(self.left as usize);
		for byte in &mut buffer[..n] {
			self.state ^= self.state << 13;
			self.state ^= self.state >> 7;
			self.state ^= self.state << 17;
			*byte = self.state as u8;
		}
		self.left -= n as u64;
		Ok(n)
	}
}

/// Hashes what is written, keeps nothing.
struct HashSink(Sha256);

impl Write for HashSink {
	fn write(&mut self, data: &[u8]) -> io::Result<usize> {
		self.0.update(data);
		Ok(data.len())
	}
	fn flush(&mut self) -> io::Result<()> {
		Ok(())
	}
}

fn peak_rss_kib() -> u64 {
	std::fs::read_to_string("/proc/self/status")
		.ok()
		.and_then(|status| {
			status
				.lines()
				.find(|line| line.starts_with("VmHWM:"))
				.and_then(|line| line.split_whitespace().nth(1))
				.and_then(|kib| kib.parse().ok())
		})
		.unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
	let mib: u64 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(1024);
	let key = ContentKey::generate();
	let file = tempfile::NamedTempFile::new()?;

	let started = Instant::now();
	let input = Generated { left: mib << 20, state: 0x9e37_79b9_7f4a_7c15 };
	let sealed = encrypt(&key, input, BufWriter::new(file.as_file()), |_| {})?;
	let encrypt_secs = started.elapsed().as_secs_f64();

	let started = Instant::now();
	let mut sink = HashSink(Sha256::new());
	let opened =
		decrypt(&key, BufReader::new(std::fs::File::open(file.path())?), &mut sink, |_| {})?;
	let decrypt_secs = started.elapsed().as_secs_f64();
	assert_eq!(opened.content_hash, sealed.content_hash);
	// The plaintext that came out is the one that went in.
	let mut expected = HashSink(Sha256::new());
	std::io::copy(&mut Generated { left: mib << 20, state: 0x9e37_79b9_7f4a_7c15 }, &mut expected)?;
	assert_eq!(sink.0.finalize(), expected.0.finalize());

	println!(
		"{mib} MiB: encrypt {:.1} s ({:.0} MiB/s), decrypt {:.1} s ({:.0} MiB/s), envelope {} bytes, peak RSS {} KiB",
		encrypt_secs,
		mib as f64 / encrypt_secs,
		decrypt_secs,
		mib as f64 / decrypt_secs,
		sealed.envelope_len,
		peak_rss_kib()
	);
	Ok(())
}
