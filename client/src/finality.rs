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
//! Why not an embedded light client (smoldot)? It does the same checks and more (it also syncs
//! over the peer-to-peer network), but it needs the nodes' p2p ports, which apps and auditors
//! behind a hospital's RPC gateway do not reach. The justification checks themselves are
//! polkadot-sdk's bridge code (`bp-header-chain`), the code that secures the Polkadot–Kusama
//! bridge; this module only chains them together.

use std::{
	collections::BTreeMap,
	path::{Path, PathBuf},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

use bp_header_chain::{
	justification::{
		verify_and_optimize_justification, GrandpaJustification, JustificationVerificationContext,
		JustificationVerificationError,
	},
	AuthoritySet,
};
use codec::{Decode, Encode};
use ehr_runtime::{BlockNumber, Hash, Header};
use jsonrpsee::rpc_params;
use serde_json::Value;
use sp_consensus_grandpa::{AuthorityList, ConsensusLog, SetId, GRANDPA_ENGINE_ID};
use sp_core::bytes::{from_hex, to_hex};
use sp_runtime::{
	traits::{BlakeTwo256, Hash as _, Header as _},
	DigestItem, StateVersion,
};

use ehr_rpc_api::FinalityRpcClient;

use crate::{chain::Chain, Error};

/// A GRANDPA finality proof as `grandpa_proveFinality` encodes it: a justification for `block`
/// and the headers after the requested block up to `block` (sc-consensus-grandpa's
/// `FinalityProof`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FinalityProof {
	/// The block the justification finalizes.
	pub block: Hash,
	/// The encoded justification.
	pub justification: Vec<u8>,
	/// The headers after the requested block, up to `block`.
	pub unknown_headers: Vec<Header>,
}

/// The justification type GRANDPA encodes.
pub type Justification = GrandpaJustification<Header>;

/// Why the client does not believe what the node says about finality. Each is a different lie
/// (or a different fault), so each has its own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinalityError {
	/// The chain spec cannot be used.
	#[error("chain spec: {0}")]
	ChainSpec(String),
	/// The node serves another chain than the chain spec describes.
	#[error("the node serves the chain with genesis {node:?}, not the chain of the chain spec (genesis {spec:?}); check --node and --chain-spec")]
	OtherChain {
		/// What the node says.
		node: Hash,
		/// What the chain spec says.
		spec: Hash,
	},
	/// A header does not link to the verified chain: forged, or from another fork.
	#[error(
		"the node's header #{0} is not the child of the verified block before it (a forged header)"
	)]
	ForgedHeader(BlockNumber),
	/// The justification finalizes another block than the proof says.
	#[error("the justification finalizes another block than the one the node names")]
	WrongTarget,
	/// A vote in the justification is from a key outside the authority set in force.
	#[error("the justification holds a vote of {key}, which is not in authority set #{set_id}")]
	NotAnAuthority {
		/// The voter's public key (hex).
		key: String,
		/// The set in force.
		set_id: SetId,
	},
	/// Too few valid signatures of the set in force.
	#[error("the justification has too few valid signatures: more than two thirds of the {authorities} authorities of set #{set_id} must sign")]
	TooFewSignatures {
		/// The set in force.
		set_id: SetId,
		/// How many authorities it has.
		authorities: usize,
	},
	/// The justification is malformed in another way.
	#[error("the justification does not verify: {0}")]
	BadJustification(String),
	/// The node proves finality of an older block than one the client verified before.
	#[error("the node proves finality only up to #{proved}, older than #{verified} which this client verified before")]
	Stale {
		/// The block the node proved.
		proved: BlockNumber,
		/// The block the client had verified.
		verified: BlockNumber,
	},
	/// The newest block the node proves final is old.
	#[error("the newest block the node proves final (#{number}) is {minutes} minutes old: the node may be hiding newer blocks, or finality has stalled (try another node)")]
	TooOld {
		/// The block.
		number: BlockNumber,
		/// Its age.
		minutes: u64,
	},
	/// An authority set change the client does not follow.
	#[error("a forced authority-set change at #{0}: start again from a checkpoint the hospitals publish")]
	ForcedChange(BlockNumber),
	/// The node's answer does not decode.
	#[error("the node's {0} does not decode")]
	Undecodable(&'static str),
	/// The node left out entries the verified state holds.
	#[error("the node left out entries: {0}")]
	Hidden(String),
	/// A storage proof does not check against the verified state root.
	#[error("the storage proof does not check against the verified block: {0}")]
	BadProof(String),
}

/// What the client has verified: the newest finalized header and the authority set after it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Checkpoint {
	/// The chain's genesis hash.
	pub genesis: Hash,
	/// The id of the authority set that finalizes the blocks after `header`.
	pub set_id: SetId,
	/// That set.
	pub authorities: AuthorityList,
	/// The newest header verified final.
	pub header: Header,
	/// A change signalled but not yet enacted: the block whose finality enacts it, and the new
	/// set.
	pub pending: Option<(BlockNumber, AuthorityList)>,
}

impl Checkpoint {
	/// The genesis checkpoint of a raw chain spec (JSON): the genesis header computed from the
	/// genesis storage, and the first GRANDPA authority set read from it.
	pub fn from_chain_spec(json: &[u8]) -> Result<Checkpoint, FinalityError> {
		let spec_error = |what: &str| FinalityError::ChainSpec(what.to_string());
		let spec: Value = serde_json::from_slice(json)
			.map_err(|e| FinalityError::ChainSpec(format!("not JSON: {e}")))?;
		let raw = &spec["genesis"]["raw"];
		let top = raw["top"].as_object().ok_or_else(|| {
			spec_error(
				"not a raw chain spec (make one with `ehr-node build-spec --chain NAME --raw`)",
			)
		})?;
		if raw["childrenDefault"].as_object().is_some_and(|children| !children.is_empty()) {
			return Err(spec_error("child tries in the genesis state are not supported"));
		}
		let mut storage = Vec::with_capacity(top.len());
		for (key, value) in top {
			let key = from_hex(key).map_err(|_| spec_error("a genesis key is not hex"))?;
			let value = from_hex(value.as_str().unwrap_or_default())
				.map_err(|_| spec_error("a genesis value is not hex"))?;
			storage.push((key, value));
		}
		let authorities_key = grandpa_authorities_key();
		let authorities = storage
			.iter()
			.find(|(key, _)| *key == authorities_key)
			.and_then(|(_, value)| AuthorityList::decode(&mut &value[..]).ok())
			.filter(|list| !list.is_empty())
			.ok_or_else(|| spec_error("the genesis state holds no GRANDPA authorities"))?;
		// The runtime's state version (its `system_version`) is 1.
		let state_root = BlakeTwo256::trie_root(storage, StateVersion::V1);
		let extrinsics_root = BlakeTwo256::trie_root(Vec::new(), StateVersion::V1);
		let header = Header::new(0, extrinsics_root, state_root, Hash::zero(), Default::default());
		Ok(Checkpoint { genesis: header.hash(), set_id: 0, authorities, header, pending: None })
	}
}

/// `Grandpa::Authorities`, the authority set in pallet-grandpa's storage.
fn grandpa_authorities_key() -> Vec<u8> {
	crate::chain::storage_prefix(b"Grandpa", b"Authorities")
}

/// How old the newest verified block may be, by default: a node that proves only older blocks
/// is hiding newer ones (or finality has stalled).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(10 * 60);

/// The most votes of one authority a justification may carry (a vote and an equivocation).
const MAX_VOTES_PER_AUTHORITY: usize = 2;

/// The most ancestry headers a justification may carry: each vote's path to the target is
/// walked for every vote, so the product must stay small.
const MAX_VOTES_ANCESTRIES: usize = 1024;

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
		let time = crate::verified::VerifiedState::new(chain, header.clone()).now().await?;
		let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
		let age = Duration::from_millis((now as u64).saturating_sub(time));
		if age > max_age {
			return Err(FinalityError::TooOld {
				number: header.number,
				minutes: age.as_secs() / 60,
			}
			.into());
		}
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

/// Whether only its owner may write `file` (on Unix; a checkpoint others could write would let
/// them choose what this client trusts).
fn private(file: &Path) -> bool {
	#[cfg(unix)]
	{
		use std::os::unix::fs::PermissionsExt;
		match std::fs::metadata(file) {
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

/// The checkpoint after `proof` (headers from the checkpoint, exclusive, to the justified
/// block): every header links to the one before, the justification is the set's, and scheduled
/// changes are followed.
pub fn advance(checkpoint: &Checkpoint, proof: FinalityProof) -> Result<Checkpoint, FinalityError> {
	let justification = Justification::decode(&mut &proof.justification[..])
		.map_err(|_| FinalityError::Undecodable("justification"))?;
	let target = (justification.commit.target_hash, justification.commit.target_number);
	if target.0 != proof.block {
		return Err(FinalityError::WrongTarget);
	}
	if target.1 <= checkpoint.header.number {
		return Err(FinalityError::Stale { proved: target.1, verified: checkpoint.header.number });
	}

	// The headers from the checkpoint to the target, each the parent of the next.
	let mut headers = proof.unknown_headers;
	if headers.len() as u64 != u64::from(target.1 - checkpoint.header.number) {
		return Err(FinalityError::ForgedHeader(checkpoint.header.number.saturating_add(1)));
	}
	let mut parent = checkpoint.header.hash();
	let mut number = checkpoint.header.number;
	for header in &headers {
		let expected = number.saturating_add(1);
		if header.parent_hash != parent || header.number != expected {
			return Err(FinalityError::ForgedHeader(expected));
		}
		parent = header.hash();
		number = header.number;
	}
	if number != target.1 || parent != target.0 {
		// The last header is not the justified block.
		return Err(FinalityError::ForgedHeader(number.min(target.1)));
	}

	check_justification(checkpoint.set_id, &checkpoint.authorities, target, &justification)?;

	// Authority-set changes signalled on the way.
	let mut pending = checkpoint.pending.clone();
	for header in &headers {
		for log in grandpa_logs(header) {
			match log {
				ConsensusLog::ScheduledChange(change) => {
					if pending.is_some() {
						return Err(FinalityError::BadJustification(format!(
							"#{} schedules a second authority-set change",
							header.number
						)));
					}
					pending =
						Some((header.number.saturating_add(change.delay), change.next_authorities));
				}
				ConsensusLog::ForcedChange(..) => {
					return Err(FinalityError::ForcedChange(header.number))
				}
				_ => {}
			}
		}
	}
	let mut next = Checkpoint {
		genesis: checkpoint.genesis,
		set_id: checkpoint.set_id,
		authorities: checkpoint.authorities.clone(),
		header: headers.pop().ok_or(FinalityError::ForgedHeader(target.1))?,
		pending,
	};
	if let Some((enacted_at, authorities)) = next.pending.clone() {
		if enacted_at < target.1 {
			// Blocks after `enacted_at` are the next set's to finalize, not this one's.
			return Err(FinalityError::BadJustification(format!(
				"signed by authority set #{}, which ended at #{enacted_at}",
				checkpoint.set_id
			)));
		}
		if enacted_at == target.1 {
			next.set_id += 1;
			next.authorities = authorities;
			next.pending = None;
		}
	}
	Ok(next)
}

/// Checks that more than two thirds of `authorities` (set `set_id`) signed `justification` for
/// `target`, and that no one else voted.
pub fn check_justification(
	set_id: SetId,
	authorities: &AuthorityList,
	target: (Hash, BlockNumber),
	justification: &Justification,
) -> Result<(), FinalityError> {
	// Bounded work whatever the node sends: each vote's ancestry is walked per vote.
	let votes = &justification.commit.precommits;
	if justification.votes_ancestries.len() > MAX_VOTES_ANCESTRIES
		|| votes.len() > MAX_VOTES_PER_AUTHORITY * authorities.len()
		|| authorities.iter().any(|(id, _)| {
			votes.iter().filter(|vote| vote.id == *id).count() > MAX_VOTES_PER_AUTHORITY
		}) {
		return Err(FinalityError::BadJustification(
			"more votes or ancestry headers than the authority set can cast".into(),
		));
	}
	if let Some(stranger) = justification
		.commit
		.precommits
		.iter()
		.find(|vote| !authorities.iter().any(|(id, _)| *id == vote.id))
	{
		return Err(FinalityError::NotAnAuthority {
			key: hex::encode(stranger.id.as_ref() as &[u8]),
			set_id,
		});
	}
	let context = JustificationVerificationContext::try_from(AuthoritySet {
		authorities: authorities.clone(),
		set_id,
	})
	.map_err(|e| FinalityError::BadJustification(format!("{e:?}")))?;
	// The optimizing check: a real justification may carry more votes than needed; only
	// valid votes of the set count towards the two thirds.
	let mut copy = justification.clone();
	verify_and_optimize_justification(target, &context, &mut copy).map_err(|e| match e {
		JustificationVerificationError::TooLowCumulativeWeight => {
			FinalityError::TooFewSignatures { set_id, authorities: authorities.len() }
		}
		JustificationVerificationError::InvalidJustificationTarget => FinalityError::WrongTarget,
		other => FinalityError::BadJustification(format!("{other:?}")),
	})
}

fn grandpa_logs(header: &Header) -> impl Iterator<Item = ConsensusLog<BlockNumber>> + '_ {
	header.digest.logs().iter().filter_map(|item| match item {
		DigestItem::Consensus(engine, data) if *engine == GRANDPA_ENGINE_ID => {
			ConsensusLog::decode(&mut &data[..]).ok()
		}
		_ => None,
	})
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
	let values = sp_state_machine::read_proof_check::<BlakeTwo256, _>(
		header.state_root,
		sp_trie::StorageProof::new(proof),
		keys.iter(),
	)
	.map_err(|e| FinalityError::BadProof(format!("{e:?}")))?;
	Ok(values.into_iter().collect())
}

#[cfg(test)]
mod tests {
	use finality_grandpa::{Commit, Message, Precommit, SignedPrecommit};
	use sp_consensus_grandpa::ScheduledChange;
	use sp_keyring::Ed25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};
	use sp_runtime::Digest;

	use super::*;

	fn set(keys: &[Ed25519Keyring]) -> AuthorityList {
		keys.iter().map(|key| (key.public().into(), 1)).collect()
	}

	fn genesis(authorities: &[Ed25519Keyring]) -> Checkpoint {
		let header =
			Header::new(0, Hash::zero(), Hash::repeat_byte(7), Hash::zero(), Default::default());
		Checkpoint {
			genesis: header.hash(),
			set_id: 0,
			authorities: set(authorities),
			header,
			pending: None,
		}
	}

	/// `count` headers after `from`; `change` puts a GRANDPA log into the header of that number.
	fn headers(from: &Header, count: u32, change: Option<(u32, ConsensusLog<u32>)>) -> Vec<Header> {
		let mut out: Vec<Header> = Vec::new();
		for number in from.number + 1..=from.number + count {
			let parent = out.last().map_or(from.hash(), |header| header.hash());
			let mut digest = Digest::default();
			if let Some((at, log)) = &change {
				if *at == number {
					digest.push(DigestItem::Consensus(GRANDPA_ENGINE_ID, log.encode()));
				}
			}
			out.push(Header::new(
				number,
				Hash::zero(),
				Hash::repeat_byte(number as u8),
				parent,
				digest,
			));
		}
		out
	}

	fn proof(set_id: SetId, signers: &[Ed25519Keyring], headers: Vec<Header>) -> FinalityProof {
		let target = headers.last().unwrap().clone();
		let precommit = Precommit { target_hash: target.hash(), target_number: target.number };
		let round = 3;
		let precommits = signers
			.iter()
			.map(|key| {
				let message = Message::Precommit(precommit.clone());
				let payload = sp_consensus_grandpa::localized_payload(round, set_id, &message);
				SignedPrecommit {
					precommit: precommit.clone(),
					signature: key.sign(&payload).into(),
					id: key.public().into(),
				}
			})
			.collect();
		let justification = Justification {
			round,
			commit: Commit { target_hash: target.hash(), target_number: target.number, precommits },
			votes_ancestries: vec![],
		};
		FinalityProof {
			block: target.hash(),
			justification: justification.encode(),
			unknown_headers: headers,
		}
	}

	fn change_to(keys: &[Ed25519Keyring], delay: u32) -> ConsensusLog<u32> {
		ConsensusLog::ScheduledChange(ScheduledChange { next_authorities: set(keys), delay })
	}

	#[test]
	fn more_than_two_thirds_of_the_set_must_sign() {
		let start = genesis(&[Alice, Bob, Charlie, Dave]);
		let chain = headers(&start.header, 5, None);
		let two = advance(&start, proof(0, &[Alice, Bob], chain.clone())).unwrap_err();
		assert_eq!(two, FinalityError::TooFewSignatures { set_id: 0, authorities: 4 });
		let three = advance(&start, proof(0, &[Alice, Bob, Charlie], chain.clone())).unwrap();
		assert_eq!(three.header, chain[4]);
		// A vote of a key outside the set is refused even with enough others.
		let stranger = advance(&start, proof(0, &[Alice, Bob, Charlie, Eve], chain.clone()));
		assert!(matches!(stranger, Err(FinalityError::NotAnAuthority { set_id: 0, .. })));
		// Signatures for another set id do not count.
		let other_set = advance(&start, proof(1, &[Alice, Bob, Charlie, Dave], chain)).unwrap_err();
		assert!(matches!(other_set, FinalityError::TooFewSignatures { .. }), "{other_set}");
	}

	#[test]
	fn headers_must_link_from_the_checkpoint_to_the_justified_block() {
		let start = genesis(&[Alice]);
		let mut chain = headers(&start.header, 4, None);
		chain[1].state_root = Hash::repeat_byte(0xee);
		// Re-sign for the forged last header: the break is found at #3, the child of the forgery.
		let forged = advance(&start, proof(0, &[Alice], chain)).unwrap_err();
		assert_eq!(forged, FinalityError::ForgedHeader(3));
		// A chain that does not start at the checkpoint.
		let elsewhere = headers(&headers(&start.header, 2, None)[1], 3, None);
		let unlinked = advance(&start, proof(0, &[Alice], elsewhere)).unwrap_err();
		assert_eq!(unlinked, FinalityError::ForgedHeader(1));
	}

	#[test]
	fn scheduled_changes_hand_over_to_the_next_set() {
		let start = genesis(&[Alice]);
		// #3 schedules Bob's set, enacted when #5 is final: #5 is still Alice's to sign.
		let chain = headers(&start.header, 5, Some((3, change_to(&[Bob], 2))));
		let handed = advance(&start, proof(0, &[Alice], chain)).unwrap();
		assert_eq!(
			(handed.set_id, handed.authorities.clone(), handed.pending.clone()),
			(1, set(&[Bob]), None)
		);
		// After the change Alice's votes are not enough; Bob's are, with the new set id.
		let next = headers(&handed.header, 3, None);
		let by_alice = advance(&handed, proof(1, &[Alice], next.clone())).unwrap_err();
		assert!(matches!(by_alice, FinalityError::NotAnAuthority { set_id: 1, .. }));
		assert_eq!(advance(&handed, proof(1, &[Bob], next.clone())).unwrap().header, next[2]);

		// The old set cannot finalize past the end of its term.
		let beyond = headers(&start.header, 7, Some((3, change_to(&[Bob], 2))));
		let error = advance(&start, proof(0, &[Alice], beyond)).unwrap_err();
		assert!(
			matches!(error, FinalityError::BadJustification(ref m) if m.contains("ended at #5")),
			"{error}"
		);

		// A change not yet enacted is kept for the next proof.
		let early = headers(&start.header, 4, Some((3, change_to(&[Bob], 2))));
		let waiting = advance(&start, proof(0, &[Alice], early)).unwrap();
		assert_eq!((waiting.set_id, waiting.pending.map(|(at, _)| at)), (0, Some(5)));
	}

	#[test]
	fn an_older_block_than_the_checkpoint_is_stale() {
		let start = genesis(&[Alice]);
		let chain = headers(&start.header, 6, None);
		let at_six = advance(&start, proof(0, &[Alice], chain.clone())).unwrap();
		let replay = advance(&at_six, proof(0, &[Alice], chain[..4].to_vec())).unwrap_err();
		assert_eq!(replay, FinalityError::Stale { proved: 4, verified: 6 });
	}

	#[test]
	fn a_chain_spec_must_be_raw_and_hold_the_authorities() {
		let plain = br#"{"genesis": {"runtimeGenesis": {}}}"#;
		assert!(
			matches!(Checkpoint::from_chain_spec(plain), Err(FinalityError::ChainSpec(m)) if m.contains("--raw"))
		);
		let empty = br#"{"genesis": {"raw": {"top": {}, "childrenDefault": {}}}}"#;
		assert!(
			matches!(Checkpoint::from_chain_spec(empty), Err(FinalityError::ChainSpec(m)) if m.contains("GRANDPA"))
		);
		let key = to_hex(&grandpa_authorities_key(), false);
		let value = to_hex(&set(&[Alice]).encode(), false);
		let raw = format!(
			r#"{{"genesis": {{"raw": {{"top": {{"{key}": "{value}"}}, "childrenDefault": {{}}}}}}}}"#
		);
		let checkpoint = Checkpoint::from_chain_spec(raw.as_bytes()).unwrap();
		assert_eq!((checkpoint.header.number, checkpoint.set_id), (0, 0));
		assert_eq!(checkpoint.authorities, set(&[Alice]));
		assert_eq!(checkpoint.genesis, checkpoint.header.hash());
	}
}
