//! What a client of the chain verifies without trusting the node it talks to.
//!
//! A node can answer anything. What it cannot forge is a GRANDPA justification (more than two
//! thirds of the hospitals' finality keys signing a block) or a storage proof against the state
//! root of a block so justified. This crate holds those checks, without any I/O, so that the two
//! clients run the same code: the `ehr` command (natively) and the web app (compiled to
//! WebAssembly, where polkadot-sdk's host functions do not exist; everything here hashes and
//! verifies signatures with pure Rust: `sp-crypto-hashing`, `sp-trie`, `ed25519-zebra` through
//! `sp-core`).
//!
//! - [`finality`]: the trust anchor from the chain spec, and the walk from a verified checkpoint
//!   along the node's finality proofs (headers that link, justifications of the authority set in
//!   force, scheduled changes followed).
//! - [`state`]: storage keys computed from the pallets' layout (never taken from the node),
//!   storage proofs checked against a verified state root, and the reads the clients act on:
//!   a reader's encryption key, the readers a new record is wrapped for (no grant hidden), a
//!   record with one reader's wrapped key, a doctor as the directory shows it.
//! - [`trail`]: a page of a patient's audit trail, checked entry by entry against the proven
//!   length (no entry hidden, altered or added).
//! - [`metadata`]: the metadata hash a transaction signs (`CheckMetadataHash`, RFC-78).
//!
//! The storage keys are checked against the runtime's own (`hashed_key_for`) by the command's
//! tests, so a change of layout in a pallet fails a test instead of a verification in the field.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod finality;
pub mod metadata;
pub mod state;
pub mod trail;

pub use finality::{
	advance, check_justification, header_hash, BlockNumber, Checkpoint, FinalityError,
	FinalityProof, Hash, Header, Justification,
};
