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
	/// The node proves no block final after the genesis (a new client's first walk).
	#[error("the node proves no block final after the chain's genesis: it may be hiding the chain, or finality has never started (try another node)")]
	NothingFinal,
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
	// As finality-grandpa's `VoterSet`: a set whose weights overflow, or weigh nothing, is none.
	let total = authorities
		.iter()
		.try_fold(0u64, |sum, (_, weight)| sum.checked_add(*weight))
		.filter(|total| *total > 0)
		.ok_or_else(|| {
			FinalityError::BadJustification("the authority set's weights are not usable".into())
		})?;
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
	if header.number == 0 {
		return Err(FinalityError::NothingFinal);
	}
	let time = crate::state::now(values)?;
	let age = now_ms.saturating_sub(time);
	if age > max_age_ms {
		return Err(FinalityError::TooOld { number: header.number, minutes: age / 60_000 });
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use finality_grandpa::{Commit, Message, Precommit, SignedPrecommit};
	use sp_consensus_grandpa::{AuthorityId, AuthoritySignature, ScheduledChange};
	use sp_keyring::Ed25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};
	use sp_runtime::{traits::Header as _, Digest};

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
		let key = format!("0x{}", hex::encode(storage_prefix(b"Grandpa", b"Authorities")));
		let value = format!("0x{}", hex::encode(set(&[Alice]).encode()));
		let raw = format!(
			r#"{{"genesis": {{"raw": {{"top": {{"{key}": "{value}"}}, "childrenDefault": {{}}}}}}}}"#
		);
		let checkpoint = Checkpoint::from_chain_spec(raw.as_bytes()).unwrap();
		assert_eq!((checkpoint.header.number, checkpoint.set_id), (0, 0));
		assert_eq!(checkpoint.authorities, set(&[Alice]));
		assert_eq!(checkpoint.genesis, checkpoint.header.hash());
	}

	type Vote = SignedPrecommit<Hash, u32, AuthoritySignature, AuthorityId>;

	/// `key`'s precommit for `on`, signed for `set_id` in round 3.
	fn vote(key: Ed25519Keyring, set_id: SetId, on: &Header) -> Vote {
		let precommit = Precommit { target_hash: on.hash(), target_number: on.number };
		let payload = sp_consensus_grandpa::localized_payload(
			3,
			set_id,
			&Message::<Hash, u32>::Precommit(precommit.clone()),
		);
		SignedPrecommit { precommit, signature: key.sign(&payload).into(), id: key.public().into() }
	}

	/// polkadot-sdk's bridge verifier's verdict on `justification`.
	fn bridge(
		authorities: &AuthorityList,
		target: (Hash, u32),
		justification: &Justification,
	) -> bool {
		use bp_header_chain::{
			justification::{verify_and_optimize_justification, JustificationVerificationContext},
			AuthoritySet,
		};
		let context = JustificationVerificationContext::try_from(AuthoritySet {
			authorities: authorities.clone(),
			set_id: 0,
		})
		.unwrap();
		// The same bytes, as the bridge's own justification type.
		let mut theirs = bp_header_chain::justification::GrandpaJustification::<Header>::decode(
			&mut &justification.encode()[..],
		)
		.unwrap();
		verify_and_optimize_justification(target, &context, &mut theirs).is_ok()
	}

	#[test]
	fn the_justification_check_agrees_with_the_bridge_verifier() {
		let authorities = set(&[Alice, Bob, Charlie, Dave]);
		let start = genesis(&[Alice, Bob, Charlie, Dave]);
		let chain = headers(&start.header, 3, None);
		let (parent, target_header, child) = (&chain[0], &chain[1], &chain[2]);
		let target = (target_header.hash(), target_header.number);
		let justification = |precommits: Vec<Vote>, votes_ancestries: Vec<Header>| Justification {
			round: 3,
			commit: Commit { target_hash: target.0, target_number: target.1, precommits },
			votes_ancestries,
		};
		let on_target = |keys: &[Ed25519Keyring]| -> Vec<Vote> {
			keys.iter().map(|key| vote(*key, 0, target_header)).collect()
		};
		let mut corrupted = on_target(&[Alice, Bob, Charlie]);
		corrupted[2].signature = Ed25519Keyring::Charlie.sign(b"something else").into();
		let mut other_set = on_target(&[Alice, Bob]);
		other_set.push(vote(Charlie, 1, target_header));
		let mut repeated = on_target(&[Alice, Bob]);
		repeated.push(vote(Alice, 0, target_header));
		let mut descendant = on_target(&[Alice, Bob]);
		descendant.push(vote(Charlie, 0, child));
		let mut ancestor = on_target(&[Alice, Bob]);
		ancestor.push(vote(Charlie, 0, parent));
		let cases: Vec<(&str, Justification, bool)> = vec![
			("three of four", justification(on_target(&[Alice, Bob, Charlie]), vec![]), true),
			("all four", justification(on_target(&[Alice, Bob, Charlie, Dave]), vec![]), true),
			("two of four", justification(on_target(&[Alice, Bob]), vec![]), false),
			("a corrupted signature", justification(corrupted, vec![]), false),
			("a vote signed for another set", justification(other_set, vec![]), false),
			("one authority voting twice", justification(repeated, vec![]), false),
			(
				"a vote for a descendant, with its ancestry",
				justification(descendant.clone(), vec![child.clone()]),
				true,
			),
			("a vote for a descendant, without ancestry", justification(descendant, vec![]), false),
			("a vote for an ancestor", justification(ancestor, vec![]), false),
			(
				"an ancestry header no vote needs",
				justification(on_target(&[Alice, Bob, Charlie]), vec![child.clone()]),
				true,
			),
		];
		for (name, case, valid) in cases {
			let ours = check_justification(0, &authorities, target, &case);
			assert_eq!(ours.is_ok(), valid, "{name}: {ours:?}");
			assert_eq!(bridge(&authorities, target, &case), valid, "{name}: the bridge verifier");
		}
		// Where the two differ, this client is the stricter: a vote from outside the set is
		// refused, where the bridge's optimizing check drops it.
		let stranger = justification(on_target(&[Alice, Bob, Charlie, Eve]), vec![]);
		assert!(bridge(&authorities, target, &stranger));
		assert!(matches!(
			check_justification(0, &authorities, target, &stranger),
			Err(FinalityError::NotAnAuthority { set_id: 0, .. })
		));
	}
}
