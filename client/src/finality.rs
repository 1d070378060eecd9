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

#[cfg(test)]
mod tests {
	use ehr_runtime::Hash;
	use finality_grandpa::{Commit, Message, Precommit, SignedPrecommit};
	use sp_consensus_grandpa::{
		AuthorityId, AuthorityList, AuthoritySignature, ConsensusLog, ScheduledChange, SetId,
		GRANDPA_ENGINE_ID,
	};
	use sp_keyring::Ed25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};
	use sp_runtime::{traits::Header as _, Digest, DigestItem};

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
		let key = to_hex(&ehr_verify::state::storage_prefix(b"Grandpa", b"Authorities"), false);
		let value = to_hex(&set(&[Alice]).encode(), false);
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
