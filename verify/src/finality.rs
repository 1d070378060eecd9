//! GRANDPA finality followed from the chain spec.
//!
//! A client trusts two things only: the **chain spec** (the raw `chain.json` the hospitals'
//! nodes start from), from which [`Checkpoint::from_chain_spec`] computes the genesis hash and
//! reads the first authority set; and **its own checkpoint**, the newest header it verified
//! final with the authority set in force there. [`advance`] takes the node's answer to
//! `ehr_finalityProof(n)` (a justification and the headers after the checkpoint up to the
//! justified block) and returns the next checkpoint only if every header is the parent of the
//! next, starting from the checkpoint; the justification is for the last of them and signed by
//! more than two thirds of the set in force, and by no one outside it; and each
//! `ScheduledChange` on the way hands over to the next set when its block is final.
//!
//! [`check_justification`] is the part polkadot-sdk's bridge verifier (`bp-header-chain`) also
//! does; that crate calls the runtime's host functions for ed25519 and BLAKE2 and so cannot run
//! in a browser. The command's tests check that both verifiers agree on every case they try.

use alloc::{
	collections::{BTreeMap, BTreeSet},
	format,
	string::{String, ToString},
	vec::Vec,
};

use codec::{Decode, Encode};
use sp_consensus_grandpa::{AuthorityList, ConsensusLog, SetId, GRANDPA_ENGINE_ID};
use sp_core::{crypto::Pair as _, ed25519, H256};
use sp_runtime::{generic, traits::BlakeTwo256, DigestItem};
use sp_trie::{LayoutV1, TrieConfiguration};

use crate::state::{storage_prefix, Values};

/// The chain's block number.
pub type BlockNumber = u32;
/// The chain's block hash.
pub type Hash = H256;
/// The chain's header (the runtime's `Header`).
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// The justification GRANDPA encodes.
pub type Justification = sp_consensus_grandpa::GrandpaJustification<Header>;

/// A header's hash (BLAKE2-256 of its encoding), computed without host functions.
pub fn header_hash(header: &Header) -> Hash {
	H256(sp_crypto_hashing::blake2_256(&header.encode()))
}

/// A GRANDPA finality proof as `ehr_finalityProof` (and `grandpa_proveFinality`) encodes it: a
/// justification for `block` and the headers after the requested block up to `block`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FinalityProof {
	/// The block the justification finalizes.
	pub block: Hash,
	/// The encoded justification.
	pub justification: Vec<u8>,
	/// The headers after the requested block, up to `block`.
	pub unknown_headers: Vec<Header>,
}

/// Why a client does not believe what the node says. Each is a different lie (or fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinalityError {
	/// The chain spec cannot be used.
	#[error("chain spec: {0}")]
	ChainSpec(String),
	/// The node serves another chain than the chain spec describes.
	#[error("the node serves the chain with genesis {node:?}, not the chain of the chain spec (genesis {spec:?}); check the node's address and the chain spec")]
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

/// What a client has verified: the newest finalized header and the authority set after it.
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

fn from_hex(text: &str) -> Option<Vec<u8>> {
	hex::decode(text.strip_prefix("0x").unwrap_or(text)).ok()
}

impl Checkpoint {
	/// The genesis checkpoint of a raw chain spec (JSON): the genesis header computed from the
	/// genesis storage, and the first GRANDPA authority set read from it.
	pub fn from_chain_spec(json: &[u8]) -> Result<Checkpoint, FinalityError> {
		let spec_error = |what: &str| FinalityError::ChainSpec(what.to_string());
		let spec: serde_json::Value = serde_json::from_slice(json)
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
			let key = from_hex(key).ok_or_else(|| spec_error("a genesis key is not hex"))?;
			let value = from_hex(value.as_str().unwrap_or_default())
				.ok_or_else(|| spec_error("a genesis value is not hex"))?;
			storage.push((key, value));
		}
		let authorities_key = storage_prefix(b"Grandpa", b"Authorities");
		let authorities = storage
			.iter()
			.find(|(key, _)| *key == authorities_key)
			.and_then(|(_, value)| AuthorityList::decode(&mut &value[..]).ok())
			.filter(|list| !list.is_empty())
			.ok_or_else(|| spec_error("the genesis state holds no GRANDPA authorities"))?;
		// The runtime's state version (its `system_version`) is 1.
		let state_root = LayoutV1::<sp_core::Blake2Hasher>::trie_root(storage);
		let extrinsics_root =
			LayoutV1::<sp_core::Blake2Hasher>::trie_root(Vec::<(Vec<u8>, Vec<u8>)>::new());
		let header = Header {
			parent_hash: Hash::zero(),
			number: 0,
			state_root,
			extrinsics_root,
			digest: Default::default(),
		};
		Ok(Checkpoint {
			genesis: header_hash(&header),
			set_id: 0,
			authorities,
			header,
			pending: None,
		})
	}

	/// The hash of the newest verified header.
	pub fn hash(&self) -> Hash {
		header_hash(&self.header)
	}
}

/// The most votes of one authority a justification may carry (a vote and an equivocation).
const MAX_VOTES_PER_AUTHORITY: usize = 2;

/// The most ancestry headers a justification may carry: each vote's path to the target is
/// walked for every vote, so the product must stay small.
const MAX_VOTES_ANCESTRIES: usize = 1024;

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
	let mut parent = checkpoint.hash();
	let mut number = checkpoint.header.number;
	for header in &headers {
		let expected = number.saturating_add(1);
		if header.parent_hash != parent || header.number != expected {
			return Err(FinalityError::ForgedHeader(expected));
		}
		parent = header_hash(header);
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
///
/// A vote counts when it is signed by an authority of the set (each authority once, whatever
/// the number of its votes), for the target or a descendant of it whose path to the target is in
/// the justification's ancestry headers, over GRANDPA's localized payload (round, set id,
/// precommit). Votes that do not count are ignored, as the bridge verifier's optimizing mode
/// ignores them; a vote from outside the set is refused outright. The weight of the counted
/// votes must reach GRANDPA's threshold: all but the faulty third (`total - (total - 1) / 3`).
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
	if (justification.commit.target_hash, justification.commit.target_number) != target {
		return Err(FinalityError::WrongTarget);
	}
	let weights: BTreeMap<&[u8], u64> =
		authorities.iter().map(|(id, weight)| (raw(id), *weight)).collect();
	if let Some(stranger) = votes.iter().find(|vote| !weights.contains_key(raw(&vote.id))) {
		return Err(FinalityError::NotAnAuthority { key: hex::encode(raw(&stranger.id)), set_id });
	}
	let total = authorities.iter().fold(0u64, |sum, (_, weight)| sum.saturating_add(*weight));
	if total == 0 {
		return Err(FinalityError::BadJustification("the authority set has no weight".into()));
	}
	let threshold = total - (total - 1) / 3;

	// The ancestry the votes may walk, by hash.
	let ancestry: BTreeMap<Hash, &Header> =
		justification.votes_ancestries.iter().map(|header| (header_hash(header), header)).collect();
	let leads_to_target = |mut hash: Hash, mut number: BlockNumber| -> bool {
		for _ in 0..=justification.votes_ancestries.len() {
			if (hash, number) == target {
				return true;
			}
			if number <= target.1 {
				return false;
			}
			match ancestry.get(&hash) {
				Some(header) if header.number == number => {
					hash = header.parent_hash;
					number -= 1;
				}
				_ => return false,
			}
		}
		false
	};

	let mut counted: BTreeSet<&[u8]> = BTreeSet::new();
	let mut weight = 0u64;
	for vote in votes {
		let id = raw(&vote.id);
		if counted.contains(id)
			|| !leads_to_target(vote.precommit.target_hash, vote.precommit.target_number)
		{
			continue;
		}
		let message = finality_grandpa::Message::Precommit(vote.precommit.clone());
		let payload =
			sp_consensus_grandpa::localized_payload(justification.round, set_id, &message);
		let (Ok(public), Ok(signature)) = (
			ed25519::Public::try_from(id),
			ed25519::Signature::try_from(<_ as AsRef<[u8]>>::as_ref(&vote.signature)),
		) else {
			continue;
		};
		if ed25519::Pair::verify(&signature, &payload, &public) {
			counted.insert(id);
			weight = weight.saturating_add(weights[id]);
		}
	}
	if weight < threshold {
		return Err(FinalityError::TooFewSignatures { set_id, authorities: authorities.len() });
	}
	Ok(())
}

/// An authority's public key as bytes.
fn raw(id: &sp_consensus_grandpa::AuthorityId) -> &[u8] {
	AsRef::<[u8]>::as_ref(id)
}

fn grandpa_logs(header: &Header) -> impl Iterator<Item = ConsensusLog<BlockNumber>> + '_ {
	header.digest.logs().iter().filter_map(|item| match item {
		DigestItem::Consensus(engine, data) if *engine == GRANDPA_ENGINE_ID => {
			ConsensusLog::decode(&mut &data[..]).ok()
		}
		_ => None,
	})
}

/// Refuses a verified block older than `max_age_ms` by its own proven `Timestamp::Now`
/// (`values` read with a proof at that block): a node cannot hide new blocks by proving only old
/// ones. `now_ms` is the client's clock.
pub fn check_fresh(
	header: &Header,
	values: &Values,
	now_ms: u64,
	max_age_ms: u64,
) -> Result<(), FinalityError> {
	let time = crate::state::now(values)?;
	let age = now_ms.saturating_sub(time);
	if age > max_age_ms {
		return Err(FinalityError::TooOld { number: header.number, minutes: age / 60_000 });
	}
	Ok(())
}
