//! What a signature covers: the metadata hash of RFC-78 (`CheckMetadataHash`).
//!
//! A transaction is encoded from the runtime's metadata. A node that serves altered metadata (an
//! enum's variants swapped, a field retyped) could make a client encode something else than the
//! person asked for. With `CheckMetadataHash` in mode 1 the signature also covers the hash of the
//! metadata the client encoded with; the runtime puts its own hash in the signed payload, so a
//! transaction built from other metadata does not verify and nothing goes on chain.
//!
//! The hash is the one `substrate-wasm-builder` bakes into the runtime
//! (`enable_metadata_hash`): `merkleized-metadata`'s digest of the version 15 metadata with the
//! runtime's spec name and version, the SS58 prefix from `System`'s constants, and the token's
//! symbol and decimals.

use alloc::{format, string::String};
use codec::Decode;
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use merkleized_metadata::{generate_metadata_digest, ExtraInfo};

/// The chain's token symbol, as the runtime's build hashes its metadata with it.
pub const TOKEN_SYMBOL: &str = "EHR";
/// The chain's token decimals, as the runtime's build hashes its metadata with it.
pub const TOKEN_DECIMALS: u8 = 12;

/// The RFC-78 hash of `metadata` (SCALE `RuntimeMetadataPrefixed`, version 15) for the runtime
/// `spec_name` at `spec_version`.
pub fn metadata_hash(
	metadata: &[u8],
	spec_name: &str,
	spec_version: u32,
	token_symbol: &str,
	decimals: u8,
) -> Result<[u8; 32], String> {
	let prefixed = RuntimeMetadataPrefixed::decode(&mut &metadata[..])
		.map_err(|e| format!("the metadata does not decode: {e}"))?;
	let RuntimeMetadata::V15(ref v15) = prefixed.1 else {
		return Err("the metadata is not version 15".into());
	};
	let base58_prefix = v15
		.pallets
		.iter()
		.find(|pallet| pallet.name == "System")
		.and_then(|system| system.constants.iter().find(|c| c.name == "SS58Prefix"))
		.and_then(|constant| u16::decode(&mut &constant.value[..]).ok())
		.ok_or("the metadata has no System.SS58Prefix")?;
	let extra = ExtraInfo {
		spec_version,
		spec_name: spec_name.into(),
		base58_prefix,
		decimals,
		token_symbol: token_symbol.into(),
	};
	Ok(generate_metadata_digest(&prefixed.1, extra)?.hash())
}
