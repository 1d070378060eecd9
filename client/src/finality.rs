//! Finality the client checks itself: GRANDPA justifications followed from the chain's genesis.
//!
//! A node can answer anything. What it cannot forge is a GRANDPA justification: more than two
//! thirds of the hospitals' finality keys signing a block. So the client trusts two things only:
//!
//! - **the chain spec** (a raw `chain.json`, the same file the hospitals' nodes start from): from
//!   it the client computes the genesis block's hash and reads the first authority set;
//! - **its own checkpoint**: the newest finalized header it has verified, the authority set in
//!   force there and a scheduled change not yet enacted, kept in a file per chain so the next
//!   run starts where this one stopped.
//!
//! [`Finality::sync`] asks the node for `ehr_finalityProof(n)` with `n` the checkpoint's block.
//! The answer is a justification for the last block of the authority set in force after `n` (or
//! for the newest finalized block, or for a nearer block with a stored justification when that
//! is far) and the headers after `n` up to it. (`grandpa_proveFinality` would do, but it fails
//! on a chain whose authority set never changed.) The client
//! checks that every header is the parent of the next, starting from its checkpoint; that the
//! justification is signed by more than two thirds of the set in force (and by no one else);
//! and it follows each `ScheduledChange` in those headers into the next set. It repeats until the
//! node has no newer finalized block. Reads are then checked with storage proofs against the
//! verified header's state root ([`read_verified`]), and [`Finality::check_fresh`] refuses a
//! newest block that is old: a node that withholds new blocks is caught by the clock.
//!
//! The checks themselves are in `ehr-verify`, the crate the web app's WebAssembly runs too;
//! this module fetches the proofs and keeps the checkpoint. The justification check is tested
//! below against polkadot-sdk's bridge verifier (`bp-header-chain`).
//!
//! Why not an embedded light client (smoldot)? It does the same checks and more (it also syncs
//! over the peer-to-peer network), but it needs the nodes' p2p ports, which apps and auditors
//! behind a hospital's RPC gateway do not reach.

use std::{
	collections::BTreeMap,
	path::{Path, PathBuf},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

use codec::{Decode, Encode};
use ehr_runtime::Header;
use jsonrpsee::rpc_params;
use serde_json::Value;
use sp_core::bytes::{from_hex, to_hex};

use ehr_rpc_api::FinalityRpcClient;
pub use ehr_verify::finality::{
	advance, check_justification, Checkpoint, FinalityError, FinalityProof, Justification,
};

use crate::{chain::Chain, Error};

/// How old the newest verified block may be, by default: a node that proves only older blocks
/// is hiding newer ones (or finality has stalled).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(10 * 60);

/// A client's verified view of finality, kept in a checkpoint file.
pub struct Finality {
	checkpoint: Checkpoint,
	file: Option<PathBuf>,
	max_age: Duration,
}

impl Finality {
	/// Starts from the chain spec at `spec`; with `state_dir`, continues from the checkpoint
	/// saved there for this chain (and saves new ones).
	pub fn open(spec: &Path, state_dir: Option<&Path>) -> Result<Finality, Error> {
		let json = std::fs::read(spec).map_err(|e| {
			Error::Finality(FinalityError::ChainSpec(format!("{}: {e}", spec.display())))
		})?;
		let genesis = Checkpoint::from_chain_spec(&json)?;
		let file = state_dir.map(|dir| {
			dir.join(format!("finality-{}.scale", hex::encode(&genesis.genesis.as_bytes()[..8])))
		});
		let saved = file
			.as_ref()
			.filter(|file| private(file))
			.and_then(|file| std::fs::read(file).ok())
			.and_then(|bytes| Checkpoint::decode(&mut &bytes[..]).ok())
			.filter(|saved| saved.genesis == genesis.genesis);
		Ok(Finality { checkpoint: saved.unwrap_or(genesis), file, max_age: DEFAULT_MAX_AGE })
	}

	/// Refuse a newest verified block older than `max_age` (default [`DEFAULT_MAX_AGE`]).
	pub fn with_max_age(mut self, max_age: Duration) -> Finality {
		self.max_age = max_age;
		self
	}

	/// Starts from `checkpoint`, saving nothing.
	pub fn from_checkpoint(checkpoint: Checkpoint) -> Finality {
		Finality { checkpoint, file: None, max_age: DEFAULT_MAX_AGE }
	}

	/// What has been verified so far.
	pub fn checkpoint(&self) -> &Checkpoint {
		&self.checkpoint
	}

	/// The newest header verified final.
	pub fn verified(&self) -> &Header {
		&self.checkpoint.header
	}

	/// Follows the node's finality proofs from the checkpoint to the newest finalized block,
	/// verifying each, and returns that block's header; refuses it if it is older than the
	/// maximum age ([`Finality::check_fresh`]).
	pub async fn sync(&mut self, chain: &Chain) -> Result<Header, Error> {
		self.follow(chain).await?;
		self.check_fresh(chain, self.max_age).await?;
		Ok(self.checkpoint.header.clone())
	}

	/// As [`Finality::sync`] without the age check.
	pub async fn follow(&mut self, chain: &Chain) -> Result<Header, Error> {
		if chain.genesis() != self.checkpoint.genesis {
			return Err(FinalityError::OtherChain {
				node: chain.genesis(),
				spec: self.checkpoint.genesis,
			}
			.into());
		}
		loop {
			let after = self.checkpoint.header.number;
			let answer = chain
				.rpc()
				.finality_proof(after)
				.await
				.map_err(crate::rpc_error("ehr_finalityProof"))?;
			// Nothing final after the checkpoint (yet).
			let Some(encoded) = answer else { break };
			let proof = FinalityProof::decode(&mut &encoded.0[..])
				.map_err(|_| FinalityError::Undecodable("finality proof"))?;
			self.checkpoint = advance(&self.checkpoint, proof)?;
			self.save();
		}
		Ok(self.checkpoint.header.clone())
	}

	/// Refuses a verified block older than `max_age` by the block's own timestamp (read with a
	/// proof): a node cannot hide new blocks by proving only old ones.
	pub async fn check_fresh(&self, chain: &Chain, max_age: Duration) -> Result<(), Error> {
		let header = self.verified();
		let values = read_verified(chain, header, &[ehr_verify::state::keys::now()]).await?;
		let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
		ehr_verify::finality::check_fresh(header, &values, now as u64, max_age.as_millis() as u64)?;
		Ok(())
	}

	fn save(&self) {
		// The checkpoint is this client's root of trust after the chain spec: kept private.
		let Some(file) = &self.file else { return };
		// A checkpoint not saved costs a longer walk next time, nothing else.
		let written = crate::keys::write_atomically(
			file,
			&self.checkpoint.encode(),
			crate::keys::Replace::Yes,
		);
		if let Err(e) = written {
			eprintln!("warning: cannot save the finality checkpoint {}: {e}", file.display());
		}
	}
}

/// Whether `file` is the user's own and only its owner may write it (on Unix; a checkpoint
/// another user wrote, or could write, would let them choose what this client trusts). A
/// checkpoint ignored costs a longer walk from the chain spec, nothing else.
fn private(file: &Path) -> bool {
	#[cfg(unix)]
	{
		use std::os::unix::fs::{MetadataExt, PermissionsExt};
		// SAFETY: getuid has no preconditions and cannot fail.
		let me = unsafe { libc::getuid() };
		match std::fs::metadata(file) {
			Ok(metadata) if metadata.uid() != me => {
				eprintln!(
					"warning: ignoring the finality checkpoint {}: it belongs to another user",
					file.display()
				);
				false
			}
			Ok(metadata) if metadata.permissions().mode() & 0o022 != 0 => {
				eprintln!(
					"warning: ignoring the finality checkpoint {}: others may write it",
					file.display()
				);
				false
			}
			_ => true,
		}
	}
	#[cfg(not(unix))]
	{
		let _ = file;
		true
	}
}

/// Reads `keys` at the verified `header` with a storage proof (`state_getReadProof`) checked
/// against its state root: the values are the chain's, whatever the node is.
pub async fn read_verified(
	chain: &Chain,
	header: &Header,
	keys: &[Vec<u8>],
) -> Result<BTreeMap<Vec<u8>, Option<Vec<u8>>>, Error> {
	let hex_keys: Vec<String> = keys.iter().map(|key| to_hex(key, false)).collect();
	let answer: Value =
		chain.request("state_getReadProof", rpc_params![hex_keys, header.hash()]).await?;
	let proof: Vec<Vec<u8>> = answer["proof"]
		.as_array()
		.ok_or(FinalityError::Undecodable("read proof"))?
		.iter()
		.map(|node| from_hex(node.as_str().unwrap_or_default()))
		.collect::<Result<_, _>>()
		.map_err(|_| FinalityError::Undecodable("read proof"))?;
	check_read_proof(header, proof, keys).map_err(Into::into)
}

/// Checks `proof` for `keys` against the state root of `header`.
pub fn check_read_proof(
	header: &Header,
	proof: Vec<Vec<u8>>,
	keys: &[Vec<u8>],
) -> Result<BTreeMap<Vec<u8>, Option<Vec<u8>>>, FinalityError> {
	ehr_verify::state::check_read_proof(&header.state_root, proof, keys)
}

#[cfg(all(test, unix))]
mod tests {
	use super::private;
	use std::os::unix::fs::PermissionsExt;

	/// A checkpoint is trusted only if it is the user's own and closed to others' writing.
	#[test]
	fn a_checkpoint_of_another_user_or_open_to_others_is_ignored() {
		let dir = tempfile::tempdir().unwrap();
		let file = dir.path().join("finality-0011223344556677.scale");
		std::fs::write(&file, b"checkpoint").unwrap();
		std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
		assert!(private(&file));
		std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
		assert!(!private(&file), "others may write it");
		std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
		// Another user's file (only root can give a file away; the suite runs as root in CI).
		if std::os::unix::fs::chown(&file, Some(65534), Some(65534)).is_ok() {
			assert!(!private(&file), "another user's checkpoint");
		} else {
			eprintln!("not root: the other-user case is not tried here");
		}
	}
}
