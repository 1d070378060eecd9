//! Validation of binary CIDv1 (`<version><content codec><multihash>`, every number an unsigned
//! varint), as the chain accepts them for records. The chain only checks the form; the client
//! checks the content against the hash on every read.

/// Why bytes are not a binary CIDv1.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CidError {
	/// The bytes end inside a field.
	Truncated,
	/// A varint is longer than 9 bytes or not minimally encoded.
	BadVarint,
	/// The version is not 1 (CIDv0 and future versions are refused).
	NotVersion1,
	/// The multihash digest is empty.
	EmptyDigest,
	/// Bytes follow the digest.
	TrailingBytes,
}

/// Multiformats caps varints at 9 bytes (63 bits).
const MAX_VARINT_BYTES: usize = 9;

/// Reads an unsigned varint from the front of `bytes`: the value and the rest.
fn read_varint(bytes: &[u8]) -> Result<(u64, &[u8]), CidError> {
	let mut value: u64 = 0;
	for (index, byte) in bytes.iter().enumerate() {
		if index == MAX_VARINT_BYTES {
			return Err(CidError::BadVarint);
		}
		value |= u64::from(byte & 0x7f) << (7 * index);
		if byte & 0x80 == 0 {
			// A last byte of zero after others is a non-minimal encoding.
			if *byte == 0 && index > 0 {
				return Err(CidError::BadVarint);
			}
			return Ok((value, &bytes[index + 1..]));
		}
	}
	Err(CidError::Truncated)
}

/// Checks that `bytes` are exactly one binary CIDv1.
pub fn validate_v1(bytes: &[u8]) -> Result<(), CidError> {
	let (version, rest) = read_varint(bytes)?;
	if version != 1 {
		return Err(CidError::NotVersion1);
	}
	let (_codec, rest) = read_varint(rest)?;
	let (_hash_function, rest) = read_varint(rest)?;
	let (digest_length, rest) = read_varint(rest)?;
	if digest_length == 0 {
		return Err(CidError::EmptyDigest);
	}
	let digest_length = usize::try_from(digest_length).map_err(|_| CidError::Truncated)?;
	match rest.len().cmp(&digest_length) {
		core::cmp::Ordering::Less => Err(CidError::Truncated),
		core::cmp::Ordering::Greater => Err(CidError::TrailingBytes),
		core::cmp::Ordering::Equal => Ok(()),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// CIDv1, raw codec, sha2-256 of "hello world\n" as `ipfs add --cid-version 1 --raw-leaves`
	/// prints it: bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4.
	const HELLO: [u8; 36] = [
		0x01, 0x55, 0x12, 0x20, 0xa9, 0x48, 0x90, 0x4f, 0x2f, 0x0f, 0x47, 0x9b, 0x8f, 0x81, 0x97,
		0x69, 0x4b, 0x30, 0x18, 0x4b, 0x0d, 0x2e, 0xd1, 0xc1, 0xcd, 0x2a, 0x1e, 0xc0, 0xfb, 0x85,
		0xd2, 0x99, 0xa1, 0xa4, 0xa4, 0x47,
	];

	#[test]
	fn accepts_a_real_cid() {
		assert_eq!(validate_v1(&HELLO), Ok(()));
		// dag-pb (0x70) with a two-byte codec varint form is fine too.
		let mut dag_pb = HELLO;
		dag_pb[1] = 0x70;
		assert_eq!(validate_v1(&dag_pb), Ok(()));
	}

	#[test]
	fn refuses_malformed_cids() {
		assert_eq!(validate_v1(&[]), Err(CidError::Truncated));
		assert_eq!(validate_v1(&HELLO[..20]), Err(CidError::Truncated));
		let mut long = HELLO.to_vec();
		long.push(0);
		assert_eq!(validate_v1(&long), Err(CidError::TrailingBytes));
		// CIDv0: a bare sha2-256 multihash.
		assert_eq!(validate_v1(&HELLO[2..]), Err(CidError::NotVersion1));
		assert_eq!(validate_v1(&[0x01, 0x55, 0x12, 0x00]), Err(CidError::EmptyDigest));
		assert_eq!(validate_v1(&[0x81, 0x00, 0x55]), Err(CidError::BadVarint));
		assert_eq!(validate_v1(&[0xff; 12]), Err(CidError::BadVarint));
	}
}
