//! CIDv1 between the chain's binary form and IPFS's text form (multibase base32, `b…`).

use crate::Error;

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The text form of a binary CIDv1: `b` and lower-case RFC 4648 base32 without padding.
pub fn to_string(binary: &[u8]) -> String {
	let mut out = String::with_capacity(1 + binary.len() * 8 / 5 + 1);
	out.push('b');
	let (mut buffer, mut bits) = (0u32, 0u32);
	for byte in binary {
		buffer = (buffer << 8) | u32::from(*byte);
		bits += 8;
		while bits >= 5 {
			bits -= 5;
			out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
		}
	}
	if bits > 0 {
		out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
	}
	out
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Bitcoin-alphabet base58 (what js-ipfs prints CIDv1 in, with the multibase prefix `z`).
fn base58_decode(text: &str) -> Option<Vec<u8>> {
	// Little-endian big number, multiplied by 58 and added to digit by digit.
	let mut number: Vec<u8> = Vec::new();
	for c in text.bytes() {
		let mut carry = BASE58.iter().position(|a| *a == c)? as u32;
		for byte in number.iter_mut() {
			carry += u32::from(*byte) * 58;
			*byte = carry as u8;
			carry >>= 8;
		}
		while carry > 0 {
			number.push(carry as u8);
			carry >>= 8;
		}
	}
	let zeros = text.bytes().take_while(|c| *c == b'1').count();
	number.extend(std::iter::repeat_n(0, zeros));
	number.reverse();
	Some(number)
}

/// The binary form of a text CIDv1 in base32 (`b…`) or base58btc (`z…`); refuses CIDv0.
pub fn parse(text: &str) -> Result<Vec<u8>, Error> {
	let bad = || Error::Storage(format!("{text} is not a CIDv1"));
	if let Some(body) = text.strip_prefix('z') {
		let binary = base58_decode(body).ok_or_else(bad)?;
		ehr_primitives::cid::validate_v1(&binary).map_err(|_| bad())?;
		return Ok(binary);
	}
	let body = text.strip_prefix('b').ok_or_else(bad)?;
	let mut out = Vec::with_capacity(body.len() * 5 / 8);
	let (mut buffer, mut bits) = (0u32, 0u32);
	for c in body.bytes() {
		let value = ALPHABET.iter().position(|a| *a == c).ok_or_else(bad)? as u32;
		buffer = (buffer << 5) | value;
		bits += 5;
		if bits >= 8 {
			bits -= 8;
			out.push((buffer >> bits) as u8);
		}
	}
	ehr_primitives::cid::validate_v1(&out).map_err(|_| bad())?;
	Ok(out)
}

/// The binary CIDv1 of raw bytes with this SHA-256 digest (codec raw, multihash sha2-256).
pub fn raw_sha256(digest: &[u8; 32]) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend_from_slice(digest);
	cid
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn text_and_binary_forms_round_trip_with_a_known_cid() {
		// `ipfs add --cid-version 1 --raw-leaves` of "hello world\n".
		let text = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
		let binary = parse(text).unwrap();
		assert_eq!(binary, raw_sha256(&crate::envelope::sha256(b"hello world\n")));
		assert_eq!(to_string(&binary), text);
	}

	#[test]
	fn base58_cids_from_js_ipfs_parse() {
		// js-ipfs `add --cid-version 1 --raw-leaves` of "hello\n", and the same CID in base32.
		let binary = parse("zb2rhcc1wJn2GHDLT2YkmPq5b69cXc2xfRZZmyufbjFUfBkxr").unwrap();
		assert_eq!(binary, raw_sha256(&crate::envelope::sha256(b"hello\n")));
		assert_eq!(
			to_string(&binary),
			"bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"
		);
	}

	#[test]
	fn other_forms_are_refused() {
		assert!(parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o").is_err());
		assert!(parse("bafkrei!").is_err());
		assert!(parse("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2deve").is_err());
	}
}
