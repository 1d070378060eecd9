//! Threshold escrow of content keys, for break-glass access: a record's content key is split into
//! `n` shares, any `t` of which give the key back and fewer of which reveal nothing about it
//! (Shamir's scheme over GF(2^8), byte by byte, from the audited `vsss-rs` crate), and each share
//! is wrapped for one custodian hospital's escrow key. In an emergency a custodian re-wraps its
//! share for the doctor, who combines `t` of them.
//!
//! A share stanza is the share's identifier (its x-coordinate, public) followed by a key stanza
//! of the envelope's own format ([`crate::wrap`]) with its own HKDF label, and the identifier and
//! a **context** as associated data: a share stanza never opens as a content key, nor the other
//! way round; a share cannot be passed off under another identifier; and a stanza copied to
//! another record, patient or doctor does not open there. The chain cannot check a stanza; the
//! custodian that opens it (with the context the chain gives: the record and its patient) and
//! the doctor (the record, the patient and the doctor) can.
//!
//! Shares carry no integrity of their own: a wrong or missing share combines to a wrong key,
//! which the envelope's authentication then refuses (nothing is ever decrypted with it).
//! [`combine`] refuses fewer than `t` shares and repeated identifiers outright.

use rand_core::OsRng;
use x25519_dalek::StaticSecret;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{open_for, seal_for, ContentKey, EnvelopeError, WRAPPED_KEY_SIZE};

/// The HKDF label of share stanzas (content key stanzas use another).
const SHARE_WRAP_INFO: &[u8] = b"ehr-envelope/escrow-share/v1";

/// Bytes of a share stanza: the identifier and a key stanza.
pub const SHARE_STANZA_SIZE: usize = 1 + WRAPPED_KEY_SIZE;

/// The most shares a key is split into (identifiers are the non-zero bytes).
pub const MAX_SHARES: u8 = 255;

/// One share of a content key: its identifier (1 to 255) and value. Wiped when dropped.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct KeyShare {
	id: u8,
	value: [u8; 32],
}

impl KeyShare {
	/// The share's identifier (its x-coordinate; public).
	pub fn id(&self) -> u8 {
		self.id
	}

	/// The share as 33 bytes (identifier, value), to hand it from the user's key agent to the
	/// user's command; zeroed when dropped.
	pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 33]> {
		let mut bytes = zeroize::Zeroizing::new([0u8; 33]);
		bytes[0] = self.id;
		bytes[1..].copy_from_slice(&self.value);
		bytes
	}

	/// A share from [`KeyShare::to_bytes`]; an identifier of zero is refused.
	pub fn from_bytes(bytes: &[u8]) -> Result<KeyShare, EnvelopeError> {
		share_from(bytes)
	}
}

impl std::fmt::Debug for KeyShare {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "KeyShare({}, ..)", self.id)
	}
}

/// Splits `key` into `count` shares, any `threshold` of which give it back. `threshold` is at
/// least 1 (1: every share is the key itself, for a committee of one) and at most `count`.
pub fn split(key: &ContentKey, threshold: u8, count: u8) -> Result<Vec<KeyShare>, EnvelopeError> {
	if threshold == 0 || threshold > count {
		return Err(EnvelopeError::BadThreshold { threshold, count });
	}
	if threshold == 1 {
		// A polynomial of degree 0: every share holds the key (the library wants t ≥ 2).
		return Ok((1..=count).map(|id| KeyShare { id, value: key.0 }).collect());
	}
	let shares = vsss_rs::Gf256::split_array(threshold as usize, count as usize, key.0, OsRng)
		.map_err(|_| EnvelopeError::BadThreshold { threshold, count })?;
	shares
		.into_iter()
		.map(|mut raw| {
			let share = share_from(&raw);
			raw.zeroize();
			share
		})
		.collect()
}

/// The content key from at least `threshold` shares of distinct identifiers (extra shares are
/// ignored). Fewer, or a repeated identifier, is refused rather than combined into a wrong key.
pub fn combine(shares: &[KeyShare], threshold: u8) -> Result<ContentKey, EnvelopeError> {
	let mut ids: Vec<u8> = shares.iter().map(|share| share.id).collect();
	ids.sort_unstable();
	ids.dedup();
	if ids.len() != shares.len() {
		return Err(EnvelopeError::BadShares("a share identifier appears twice".into()));
	}
	if threshold == 0 || shares.len() < threshold as usize {
		return Err(EnvelopeError::TooFewShares { have: shares.len(), need: threshold });
	}
	if threshold == 1 {
		return Ok(ContentKey(shares[0].value));
	}
	let mut raw: Vec<Vec<u8>> = shares[..threshold as usize]
		.iter()
		.map(|share| {
			let mut bytes = Vec::with_capacity(33);
			bytes.push(share.id);
			bytes.extend_from_slice(&share.value);
			bytes
		})
		.collect();
	let combined = vsss_rs::Gf256::combine_array(&raw)
		.map_err(|_| EnvelopeError::BadShares("the shares do not combine".into()));
	raw.iter_mut().for_each(|bytes| bytes.zeroize());
	let mut combined = combined?;
	let key: Result<[u8; 32], _> = combined.as_slice().try_into();
	combined.zeroize();
	let key =
		key.map_err(|_| EnvelopeError::BadShares("the shares are not of a 32-byte key".into()))?;
	Ok(ContentKey(key))
}

fn share_from(raw: &[u8]) -> Result<KeyShare, EnvelopeError> {
	let (&id, value) =
		raw.split_first().ok_or_else(|| EnvelopeError::BadShares("an empty share".into()))?;
	let value: [u8; 32] =
		value.try_into().map_err(|_| EnvelopeError::BadShares("a share is not 33 bytes".into()))?;
	if id == 0 {
		return Err(EnvelopeError::BadShares("a share identifier is zero".into()));
	}
	Ok(KeyShare { id, value })
}

/// Wraps `share` for the holder of the X25519 secret behind `recipient` (a custodian's escrow
/// key, or the doctor a custodian releases it to).
/// `context`: what the stanza is for, as both sides know it (escrow: the record and its
/// patient; release: the record, the patient and the doctor), SCALE-encoded by the caller.
pub fn wrap_share(
	share: &KeyShare,
	recipient: &[u8; 32],
	context: &[u8],
) -> Result<[u8; SHARE_STANZA_SIZE], EnvelopeError> {
	let stanza = seal_for(
		&share.value,
		recipient,
		StaticSecret::random_from_rng(OsRng),
		SHARE_WRAP_INFO,
		&associated(share.id, context),
	)?;
	let mut out = [0u8; SHARE_STANZA_SIZE];
	out[0] = share.id;
	out[1..].copy_from_slice(&stanza);
	Ok(out)
}

/// Opens a share stanza wrapped for `secret` with `context` (as given to [`wrap_share`]).
pub fn unwrap_share(
	stanza: &[u8],
	secret: &StaticSecret,
	context: &[u8],
) -> Result<KeyShare, EnvelopeError> {
	if stanza.len() != SHARE_STANZA_SIZE || stanza[0] == 0 {
		return Err(EnvelopeError::BadWrappedKey);
	}
	let value = open_for(&stanza[1..], secret, SHARE_WRAP_INFO, &associated(stanza[0], context))?;
	Ok(KeyShare { id: stanza[0], value })
}

/// The associated data of a share stanza: its identifier, then the context.
fn associated(id: u8, context: &[u8]) -> Vec<u8> {
	let mut data = Vec::with_capacity(1 + context.len());
	data.push(id);
	data.extend_from_slice(context);
	data
}

/// The context of a share escrowed for a custodian: `"ehr-escrow/2"`, the patient's 32-byte
/// account id, the record's category (its one-byte index on chain), its author's 32-byte account
/// id and its 32-byte commitment, all as the chain holds them for the record.
///
/// The record's number is not in it, so that the shares go in the same transaction as the
/// record, before the chain has numbered it. The commitment alone would not do: the uploader
/// chooses it, so anyone writing to the patient's records could add a record with another
/// record's commitment and that record's shares and have an emergency open it under another
/// category. The chain sets the author to the signer: shares open only for a record written by
/// the same author (who knew the key already) in the same category of the same patient.
pub fn escrow_context(
	patient: &[u8; 32],
	category: u8,
	author: &[u8; 32],
	commitment: &[u8; 32],
) -> Vec<u8> {
	let mut context = Vec::with_capacity(12 + 32 + 1 + 32 + 32);
	context.extend_from_slice(b"ehr-escrow/2");
	context.extend_from_slice(patient);
	context.push(category);
	context.extend_from_slice(author);
	context.extend_from_slice(commitment);
	context
}

/// The context of a share escrowed before the commitment context ([`escrow_context`]):
/// `"ehr-escrow"`, the record id (8 bytes, little-endian) and the patient's 32-byte account id.
/// Custodians still open such shares; nothing makes new ones.
pub fn escrow_context_by_record(record: u64, patient: &[u8; 32]) -> Vec<u8> {
	let mut context = Vec::with_capacity(10 + 8 + 32);
	context.extend_from_slice(b"ehr-escrow");
	context.extend_from_slice(&record.to_le_bytes());
	context.extend_from_slice(patient);
	context
}

/// The context of a share released to a doctor: `"ehr-release"`, the record id (8 bytes,
/// little-endian), the patient's and the doctor's 32-byte account ids.
pub fn release_context(record: u64, patient: &[u8; 32], doctor: &[u8; 32]) -> Vec<u8> {
	let mut context = Vec::with_capacity(11 + 8 + 64);
	context.extend_from_slice(b"ehr-release");
	context.extend_from_slice(&record.to_le_bytes());
	context.extend_from_slice(patient);
	context.extend_from_slice(doctor);
	context
}

/// A custodian's release: opens its share stanza with its escrow secret and wraps the share for
/// the doctor's key. The share is in the custodian's memory only for the call.
/// `escrowed`: the context the share was escrowed under; `released`: the doctor's.
pub fn rewrap_share(
	stanza: &[u8],
	custodian: &StaticSecret,
	escrowed: &[u8],
	doctor: &[u8; 32],
	released: &[u8],
) -> Result<[u8; SHARE_STANZA_SIZE], EnvelopeError> {
	let share = unwrap_share(stanza, custodian, escrowed)?;
	wrap_share(&share, doctor, released)
}

/// The most subsets of released shares a client tries before it calls the shares bad (16 choose
/// 8 is 12,870).
pub const MAX_COMBINATIONS: usize = 13_000;

/// The index sets of size `size` out of `0..count`, in lexicographic order: the choices of
/// shares a client tries when one of them may be wrong.
pub fn subsets(count: usize, size: usize) -> impl Iterator<Item = Vec<usize>> {
	let mut next = (size <= count).then(|| (0..size).collect::<Vec<usize>>());
	std::iter::from_fn(move || {
		let current = next.take()?;
		let mut following = current.clone();
		// The rightmost index that can still move right.
		let movable = (0..size).rev().find(|&i| following[i] < count - size + i);
		if let Some(i) = movable {
			following[i] += 1;
			for j in i + 1..size {
				following[j] = following[j - 1] + 1;
			}
			next = Some(following);
		}
		Some(current)
	})
}

#[cfg(test)]
mod tests {
	#[test]
	fn subsets_are_every_choice_once() {
		let all: Vec<Vec<usize>> = super::subsets(4, 2).collect();
		assert_eq!(
			all,
			vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]
		);
		assert_eq!(super::subsets(5, 3).count(), 10);
		assert_eq!(super::subsets(3, 3).collect::<Vec<_>>(), vec![vec![0, 1, 2]]);
		assert_eq!(super::subsets(2, 3).count(), 0);
	}

	use super::*;
	use proptest::prelude::*;
	use x25519_dalek::PublicKey;

	fn key(byte: u8) -> ContentKey {
		ContentKey([byte; 32])
	}

	fn subsets(count: u8, size: usize) -> Vec<Vec<usize>> {
		let mut all = Vec::new();
		for mask in 0u32..(1 << count) {
			if mask.count_ones() as usize == size {
				all.push((0..count as usize).filter(|i| mask & (1 << i) != 0).collect());
			}
		}
		all
	}

	#[test]
	fn every_t_of_n_subset_gives_the_key_back_and_no_smaller_one_is_accepted() {
		for (threshold, count) in [(1u8, 1u8), (1, 3), (2, 3), (3, 5), (4, 7), (5, 5)] {
			let secret = ContentKey::generate();
			let shares = split(&secret, threshold, count).unwrap();
			assert_eq!(shares.len(), count as usize);
			for subset in subsets(count, threshold as usize) {
				let chosen: Vec<KeyShare> = subset.iter().map(|&i| shares[i].clone()).collect();
				assert_eq!(combine(&chosen, threshold).unwrap(), secret, "{threshold} of {count}");
			}
			if threshold > 1 {
				let short: Vec<KeyShare> = shares[..threshold as usize - 1].to_vec();
				assert!(matches!(
					combine(&short, threshold),
					Err(EnvelopeError::TooFewShares { .. })
				));
			}
		}
	}

	#[test]
	fn bad_parameters_and_repeated_shares_are_refused() {
		assert!(split(&key(1), 0, 3).is_err());
		assert!(split(&key(1), 4, 3).is_err());
		let shares = split(&key(1), 2, 3).unwrap();
		let twice = vec![shares[0].clone(), shares[0].clone()];
		assert!(matches!(combine(&twice, 2), Err(EnvelopeError::BadShares(_))));
	}

	/// Fewer than t shares say nothing the test can see: with t = 2, share 1 of the all-zero
	/// key and share 1 of the all-ones key are both uniform bytes (a chi-square test over
	/// 4,096 splits each), and t − 1 shares of two different keys can be the same.
	#[test]
	fn fewer_than_t_shares_reveal_nothing_detectable() {
		fn histogram(secret: &ContentKey) -> [u32; 256] {
			let mut counts = [0u32; 256];
			for _ in 0..4096 {
				let shares = split(secret, 2, 3).unwrap();
				for byte in shares[0].value {
					counts[byte as usize] += 1;
				}
			}
			counts
		}
		// 4,096 × 32 bytes over 256 values: 512 expected per value. The chi-square statistic of
		// uniform bytes has 255 degrees of freedom; above 360 happens with probability < 1e-5.
		for secret in [key(0), key(0xff)] {
			let counts = histogram(&secret);
			let chi: f64 = counts.iter().map(|&c| (c as f64 - 512.0).powi(2) / 512.0).sum();
			assert!(chi < 360.0, "share bytes are not uniform (chi-square {chi})");
		}
	}

	#[test]
	fn share_stanzas_open_only_for_their_recipient_and_only_as_shares() {
		let custodian = StaticSecret::random_from_rng(OsRng);
		let doctor = StaticSecret::random_from_rng(OsRng);
		let secret = ContentKey::generate();
		let shares = split(&secret, 2, 3).unwrap();
		// Contexts as the client encodes them: (record, patient), then (record, patient, doctor).
		let escrowed = b"record 7 of patient P";
		let released = b"record 7 of patient P for doctor D";
		let stanzas: Vec<_> = shares
			.iter()
			.map(|share| {
				wrap_share(share, PublicKey::from(&custodian).as_bytes(), escrowed).unwrap()
			})
			.collect();
		// The custodian releases two shares to the doctor, who combines them.
		let released: Vec<KeyShare> = stanzas[..2]
			.iter()
			.map(|stanza| {
				let for_doctor = rewrap_share(
					stanza,
					&custodian,
					escrowed,
					PublicKey::from(&doctor).as_bytes(),
					released,
				)
				.unwrap();
				// Presented for another record, patient or doctor, it does not open.
				assert!(unwrap_share(&for_doctor, &doctor, b"record 8 of patient P for doctor D")
					.is_err());
				unwrap_share(&for_doctor, &doctor, released).unwrap()
			})
			.collect();
		assert_eq!(combine(&released, 2).unwrap(), secret);
		// Not for the doctor before the release; not a content key stanza either way.
		assert!(unwrap_share(&stanzas[0], &doctor, escrowed).is_err());
		// A stanza copied to another record does not open for the custodian either.
		assert!(unwrap_share(&stanzas[0], &custodian, b"record 8 of patient P").is_err());
		assert!(crate::unwrap(&stanzas[0][1..], &custodian).is_err());
		let key_stanza = crate::wrap(&secret, PublicKey::from(&custodian).as_bytes()).unwrap();
		let mut as_share = vec![1u8];
		as_share.extend_from_slice(&key_stanza);
		assert!(unwrap_share(&as_share, &custodian, escrowed).is_err());
		// Another identifier in front of a stanza does not open.
		let mut relabelled = stanzas[0];
		relabelled[0] = if relabelled[0] == 3 { 2 } else { 3 };
		assert!(unwrap_share(&relabelled, &custodian, escrowed).is_err());
	}

	#[test]
	fn an_escrowed_share_opens_for_its_patient_category_author_and_commitment_only() {
		let custodian = StaticSecret::random_from_rng(OsRng);
		let public = *PublicKey::from(&custodian).as_bytes();
		let share = &split(&ContentKey::generate(), 2, 3).unwrap()[0];
		let (patient, other_patient) = ([1u8; 32], [2u8; 32]);
		let (author, other_author) = ([3u8; 32], [4u8; 32]);
		let (commitment, other_commitment) = ([7u8; 32], [8u8; 32]);
		let context = escrow_context(&patient, 3, &author, &commitment);
		let stanza = wrap_share(share, &public, &context).unwrap();
		assert_eq!(unwrap_share(&stanza, &custodian, &context).unwrap().value, share.value);
		for wrong in [
			escrow_context(&patient, 3, &author, &other_commitment),
			escrow_context(&other_patient, 3, &author, &commitment),
			// Another category, or another author with the same commitment (a record made to
			// carry another record's commitment and shares): no.
			escrow_context(&patient, 4, &author, &commitment),
			escrow_context(&patient, 3, &other_author, &commitment),
			// The earlier context of the same record never opens a new share, nor the other
			// way round.
			escrow_context_by_record(7, &patient),
		] {
			assert!(unwrap_share(&stanza, &custodian, &wrong).is_err());
		}
		let earlier = wrap_share(share, &public, &escrow_context_by_record(7, &patient)).unwrap();
		assert!(unwrap_share(&earlier, &custodian, &context).is_err());
		assert!(unwrap_share(&earlier, &custodian, &escrow_context_by_record(7, &patient)).is_ok());
		assert!(unwrap_share(&earlier, &custodian, &escrow_context_by_record(8, &patient)).is_err());
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		/// Any t of n shares, in any order, give the key back.
		#[test]
		fn any_t_shares_in_any_order_combine(
			bytes in any::<[u8; 32]>(),
			count in 1u8..=9,
			threshold_seed in any::<u8>(),
			order_seed in any::<u64>(),
		) {
			let threshold = 1 + threshold_seed % count;
			let secret = ContentKey(bytes);
			let mut shares = split(&secret, threshold, count).unwrap();
			// A deterministic shuffle from the seed.
			let mut state = order_seed | 1;
			for i in (1..shares.len()).rev() {
				state ^= state << 13;
				state ^= state >> 7;
				state ^= state << 17;
				shares.swap(i, (state % (i as u64 + 1)) as usize);
			}
			prop_assert_eq!(combine(&shares[..threshold as usize], threshold).unwrap(), secret);
		}
	}
}
