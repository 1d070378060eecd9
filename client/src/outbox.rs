//! # The outbox: read log entries that survive a crash
//!
//! A doctor's read is logged in the patient's trail by a transaction (`log_access`). Waiting for
//! it to be in a block before showing the record made every read take a block time (6 s); the
//! outbox takes that wait off the reader without letting a read go unlogged:
//!
//! 1. Before any plaintext is written or shown, the log transaction is checked against the newest
//!    block (a dry run: a revoked grant refuses the read here), signed, and written to the outbox
//!    on the device (`<state dir>/outbox/<genesis>/pending/`, written to a temporary file, synced,
//!    then renamed: a crash leaves the whole entry or none, never half of one).
//! 2. It is handed to the node's pool, and the record is shown.
//! 3. Whoever drains the outbox next (the `ehr` command's background drainer, any later `ehr`
//!    command, `ehr outbox --wait`) follows the entry until a finalized block holds it, hands the
//!    same signed bytes to the node again while it is missing (a node that restarted or dropped
//!    it), and signs it again (a fresh nonce and era) when the old one can no longer be included:
//!    its era ended, or its nonce went to another transaction. An entry in a finalized block
//!    moves to `logged/` with the block's number, and the reader is told ("logged in block #n").
//!
//! At most one drainer works on an outbox at a time (a lock file); entries move between the
//! folders by `rename`, so two processes never both report one entry.
//!
//! Why this does not weaken the trail: a client that holds a record's key can always read it
//! without logging (the key is the reader's); the trail records what honest clients did. The
//! outbox makes an honest client log every read, even when it crashes or the node goes away
//! after the record was shown, and the dry run keeps it from showing a record whose log the chain
//! would refuse. The auditor sees the same `RecordAccessed` entry as before, with the block it
//! landed in: at most a few blocks after the read, when the node is up.

use std::{
	fs::File,
	io::Write,
	path::{Path, PathBuf},
	time::{Duration, SystemTime},
};

use codec::Encode;
use ehr_primitives::{RecordCategory, RecordId};
use ehr_runtime::{Hash, RuntimeCall, RuntimeEvent};
use jsonrpsee::core::params::ArrayParams;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sp_core::bytes::{from_hex, to_hex};
use sp_runtime::AccountId32 as AccountId;

use crate::{chain, Chain, Error, Keys};

/// How many blocks an entry's transaction stays valid (its era), as [`Chain::sign`] signs.
const ERA_BLOCKS: u32 = chain::MORTAL_PERIOD as u32;

/// A read log transaction waiting to be in a finalized block.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
	/// The file name's stem: unique per entry.
	pub id: String,
	/// Who read (and signed the transaction).
	pub reader: AccountId,
	/// Whose records.
	pub patient: AccountId,
	/// The records read, with their categories.
	pub records: Vec<(RecordId, RecordCategory)>,
	/// The signed transaction (hex), as handed to the pool.
	pub extrinsic: String,
	/// Its hash (the pool's name for it).
	pub hash: Hash,
	/// The first block of its era: it can only be in blocks `signed_at .. signed_at + 256`.
	pub signed_at: u32,
	/// Its nonce.
	pub nonce: u32,
	/// The last block searched for it.
	pub scanned: u32,
	/// When the read happened (ms since the Unix epoch).
	pub queued_at: u64,
	/// The newest block the node had then: the entry is due a block or two later.
	pub best_at_read: u32,
	/// How many times it was signed (1, more after an era ended or the nonce went elsewhere).
	pub signatures: u32,
}

/// An entry a finalized block holds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Logged {
	/// The entry.
	#[serde(flatten)]
	pub entry: Entry,
	/// The finalized block's number.
	pub block: u32,
	/// Its hash.
	pub block_hash: Hash,
	/// The runtime's refusal, if the transaction was included but failed (the read happened; the
	/// trail does not hold it).
	pub failed: Option<String>,
	/// The node no longer had the block's state to say whether the call succeeded (found long
	/// after; `ehr audit` shows the trail).
	#[serde(default)]
	pub outcome_unknown: bool,
}

/// What one pass over the outbox found.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pass {
	/// Entries now in finalized blocks (moved to `logged/`).
	pub logged: Vec<Logged>,
	/// Entries still waiting.
	pub pending: Vec<Entry>,
	/// Entries that must be signed again by their reader (only the reader's key can), with why.
	pub need_signature: Vec<(String, String)>,
}

/// The outbox's lock (a file lock, released when dropped or when the process ends).
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

/// One device's outbox for one chain.
#[derive(Clone, Debug)]
pub struct Outbox {
	dir: PathBuf,
	/// Held while an entry is handed to the node and while its fate is decided: a request
	/// whose log the node refused removes the entry under it, and a drain pass hands an entry
	/// over (or writes it back) only under it and only if the entry is still there, so a refused
	/// read never comes back as a logged one (the server's requests and its drainer run at once).
	gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

fn now_ms() -> u64 {
	SystemTime::now()
		.duration_since(SystemTime::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default()
}

/// Writes `bytes` to `path` so that a crash leaves the old file or the new one: a temporary file
/// in the same folder, synced, renamed over `path`, and the folder synced.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let dir = path.parent().unwrap_or(Path::new("."));
	let mut temp = tempfile::NamedTempFile::new_in(dir)?;
	temp.write_all(bytes)?;
	temp.as_file().sync_all()?;
	temp.persist(path).map_err(|e| e.error)?;
	File::open(dir)?.sync_all()
}

impl Outbox {
	/// The outbox under `state_dir` for the chain whose genesis is `genesis` and whose block #1
	/// is `first` (created if missing). Block #1 tells apart development chains started anew from
	/// the same genesis: an entry signed on one is never sent to another.
	pub fn open(state_dir: &Path, genesis: Hash, first: Option<Hash>) -> Result<Outbox, Error> {
		let chain = sp_io::hashing::blake2_256(&(genesis, first).encode());
		let dir = state_dir.join("outbox").join(hex::encode(&chain[..8]));
		for sub in ["pending", "logged"] {
			std::fs::create_dir_all(dir.join(sub)).map_err(|e| {
				Error::Io(std::io::Error::new(
					e.kind(),
					format!("cannot create the outbox {}: {e}", dir.join(sub).display()),
				))
			})?;
		}
		Ok(Outbox { dir, gate: Default::default() })
	}

	/// Its folder.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	fn read_all<T: for<'de> Deserialize<'de>>(&self, sub: &str) -> Vec<(PathBuf, T)> {
		let Ok(files) = std::fs::read_dir(self.dir.join(sub)) else { return Vec::new() };
		let mut all: Vec<(PathBuf, T)> = files
			.filter_map(|file| file.ok().map(|f| f.path()))
			.filter(|path| path.extension().is_some_and(|e| e == "json"))
			.filter_map(|path| {
				let value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
				Some((path, value))
			})
			.collect();
		all.sort_by(|a, b| a.0.cmp(&b.0));
		all
	}

	/// The entries waiting, oldest first.
	pub fn pending(&self) -> Vec<Entry> {
		self.read_all::<Entry>("pending").into_iter().map(|(_, e)| e).collect()
	}

	/// The entries found in finalized blocks and not yet [`Outbox::acknowledge`]d, oldest first.
	pub fn logged(&self) -> Vec<Logged> {
		self.read_all::<Logged>("logged").into_iter().map(|(_, l)| l).collect()
	}

	/// Forgets the logged entry `id` (its reader was told).
	pub fn acknowledge(&self, id: &str) {
		let _ = std::fs::remove_file(self.dir.join("logged").join(format!("{id}.json")));
	}

	/// Writes `entry` to `pending/`, durably.
	pub fn queue(&self, entry: &Entry) -> Result<(), Error> {
		let path = self.dir.join("pending").join(format!("{}.json", entry.id));
		write_durably(&path, &serde_json::to_vec_pretty(entry).expect("an entry serializes"))?;
		Ok(())
	}

	/// The outbox's lock, if no other process holds it: only its holder sends, signs again or
	/// moves entries ([`Outbox::pass`], [`Outbox::drain`] take it as proof).
	pub fn try_lock(&self) -> Option<Lock> {
		let file = File::options()
			.create(true)
			.truncate(false)
			.write(true)
			.open(self.dir.join("drain.lock"))
			.ok()?;
		file.try_lock().ok().map(|()| Lock(file))
	}

	/// [`Outbox::queue_reads`], then hands the entry to the node (a node that cannot take it now
	/// gets it from the next drain). Returns the entry.
	pub async fn log_reads(
		&self,
		chain: &Chain,
		reader: &Keys,
		patient: &AccountId,
		records: &[(RecordId, RecordCategory)],
	) -> Result<Entry, Error> {
		let entry = self.queue_reads(chain, reader, patient, records).await?;
		let _gate = self.gate.lock().await;
		match submit(chain, &entry.extrinsic).await {
			// A definite refusal the dry run does not see (the fee or the free budget): the
			// read is refused before anything is shown, and the entry goes.
			Err(why) if !why.contains("outdated") => {
				let _ = std::fs::remove_file(
					self.dir.join("pending").join(format!("{}.json", entry.id)),
				);
				Err(Error::Refused(format!(
					"the node refused the read's log entry, so nothing was written: {why}"
				)))
			}
			_ => Ok(entry),
		}
	}

	/// Signs the log of `reader`'s reads of `records` of `patient`, after a dry run against the
	/// newest block (a refusal comes back here, and nothing is queued), and queues it durably,
	/// without sending it.
	pub async fn queue_reads(
		&self,
		chain: &Chain,
		reader: &Keys,
		patient: &AccountId,
		records: &[(RecordId, RecordCategory)],
	) -> Result<Entry, Error> {
		let call = log_call(patient, records);
		chain.dry_run(&reader.account_id(), &call).await?;
		let mut entry = Entry {
			id: String::new(),
			reader: reader.account_id(),
			patient: patient.clone(),
			records: records.to_vec(),
			extrinsic: String::new(),
			hash: Hash::zero(),
			signed_at: 0,
			nonce: 0,
			scanned: 0,
			queued_at: now_ms(),
			best_at_read: 0,
			signatures: 0,
		};
		let best: ehr_runtime::Header =
			chain.request("chain_getHeader", ArrayParams::new()).await?;
		entry.best_at_read = best.number;
		sign(chain, reader, &mut entry).await?;
		entry.id = format!("{}-{}", entry.queued_at, hex::encode(&entry.hash.as_bytes()[..6]));
		self.queue(&entry)?;
		Ok(entry)
	}

	/// One pass: every pending entry is searched for in the finalized blocks since it was last
	/// searched; found, it moves to `logged/`; missing, its signed bytes go to the node again, or
	/// it is signed again with `signer` if it is the reader's and the old transaction can no
	/// longer be included. Entries of other readers than `signer` are followed too (their bytes
	/// resubmitted) but not signed again.
	pub async fn pass(
		&self,
		_lock: &Lock,
		chain: &Chain,
		signer: Option<&Keys>,
	) -> Result<Pass, Error> {
		let mut pass = Pass::default();
		let pending = self.read_all::<Entry>("pending");
		if pending.is_empty() {
			return Ok(pass);
		}
		let finalized_hash = chain.finalized().await?;
		let finalized = chain.number(finalized_hash).await?;
		let mut blocks = BlockCache::default();
		// Each reader's nonce at the finalized block, read once a pass (not once an entry).
		let mut nonces = std::collections::BTreeMap::<AccountId, u32>::new();
		for (path, mut entry) in pending {
			match find(chain, &mut blocks, &entry, finalized).await? {
				Some(found) => {
					let logged = Logged {
						entry,
						block: found.block,
						block_hash: found.hash,
						failed: found.failed,
						outcome_unknown: !found.known,
					};
					let to = self.dir.join("logged").join(format!("{}.json", logged.entry.id));
					write_durably(&to, &serde_json::to_vec_pretty(&logged).expect("serializes"))?;
					// Another drainer may have moved it already: then it is reported once, by
					// whoever removed it.
					if std::fs::remove_file(&path).is_ok() {
						pass.logged.push(logged);
					}
					continue;
				}
				None => entry.scanned = entry.scanned.max(finalized),
			}
			// The old bytes can never be included once their era ended, or once a finalized
			// block used their nonce (for another transaction: this one is in no finalized block
			// up to here). Anything else (the node does not have them, a same-nonce transaction
			// in the pool, a ban after a refusal) is waited for, the bytes handed over again:
			// signing again then could log the read twice.
			let era_over = finalized >= entry.signed_at.saturating_add(ERA_BLOCKS - 1);
			let nonce_used = !era_over && {
				let nonce = match nonces.get(&entry.reader) {
					Some(nonce) => *nonce,
					None => {
						let nonce = final_nonce(chain, &entry.reader, finalized_hash).await?;
						nonces.insert(entry.reader.clone(), nonce);
						nonce
					}
				};
				nonce > entry.nonce
			};
			if !era_over && !nonce_used {
				let gate = self.gate.lock().await;
				// Refused by the node and removed by its request since this pass read it.
				if !path.exists() {
					continue;
				}
				let _ = submit(chain, &entry.extrinsic).await;
				// Written back so the next pass searches only newer blocks.
				self.queue(&entry)?;
				drop(gate);
				pass.pending.push(entry);
				continue;
			}
			let why = if era_over {
				"its era ended before a block held it"
			} else {
				"its nonce went to another transaction"
			};
			match signer.filter(|s| s.account_id() == entry.reader) {
				Some(signer) => {
					sign(chain, signer, &mut entry).await?;
					let _gate = self.gate.lock().await;
					if !path.exists() {
						continue;
					}
					// On disk before it is sent: after a crash here the new bytes are followed,
					// not signed a third time.
					self.queue(&entry)?;
					let _ = submit(chain, &entry.extrinsic).await;
				}
				None => {
					let _gate = self.gate.lock().await;
					if !path.exists() {
						continue;
					}
					self.queue(&entry)?;
					pass.need_signature.push((entry.id.clone(), why.to_string()));
				}
			}
			pass.pending.push(entry);
		}
		Ok(pass)
	}

	/// Passes until nothing is pending, `deadline` passes, or only entries wait that need their
	/// reader's signature; returns every entry logged meanwhile and the last pass.
	pub async fn drain(
		&self,
		lock: &Lock,
		chain: &Chain,
		signer: Option<&Keys>,
		deadline: Duration,
		mut on_logged: impl FnMut(&Logged),
	) -> Result<Pass, Error> {
		let until = tokio::time::Instant::now() + deadline;
		loop {
			let pass = self.pass(lock, chain, signer).await?;
			pass.logged.iter().for_each(&mut on_logged);
			let stuck = pass.pending.len() == pass.need_signature.len();
			if pass.pending.is_empty() || stuck || tokio::time::Instant::now() >= until {
				return Ok(pass);
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}
}

/// The `log_access` call (a batch for several records).
pub(crate) fn log_call(patient: &AccountId, records: &[(RecordId, RecordCategory)]) -> RuntimeCall {
	let mut calls: Vec<RuntimeCall> = records
		.iter()
		.map(|(record, category)| {
			RuntimeCall::Consent(pallet_ehr_consent::Call::log_access {
				patient: patient.clone(),
				record: *record,
				category: *category,
			})
		})
		.collect();
	if calls.len() == 1 {
		calls.remove(0)
	} else {
		RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
	}
}

/// Signs `entry`'s call anew (next nonce, an era from the newest finalized block).
async fn sign(chain: &Chain, signer: &Keys, entry: &mut Entry) -> Result<(), Error> {
	let mut params = ArrayParams::new();
	params
		.insert(sp_core::crypto::Ss58Codec::to_ss58check(&signer.account_id()))
		.expect("a string");
	let nonce: u32 = chain.request("system_accountNextIndex", params).await?;
	let (extrinsic, birth) = chain
		.sign_mortal(
			signer,
			log_call(&entry.patient, &entry.records),
			nonce,
			Some(chain::own_metadata_hash()),
		)
		.await?;
	let encoded = extrinsic.encode();
	entry.extrinsic = to_hex(&encoded, false);
	entry.hash = Hash::from(sp_io::hashing::blake2_256(&encoded));
	entry.signed_at = birth;
	entry.nonce = nonce;
	// Blocks before the era cannot hold it.
	entry.scanned = entry.scanned.max(birth.saturating_sub(1));
	entry.signatures += 1;
	Ok(())
}

/// `who`'s nonce at the finalized block `at` (how many of its transactions are final).
async fn final_nonce(chain: &Chain, who: &AccountId, at: Hash) -> Result<u32, Error> {
	let key =
		[chain::storage_prefix(b"System", b"Account").as_slice(), &chain::blake2_128_concat(who)]
			.concat();
	// `AccountInfo` starts with the nonce.
	Ok(chain.storage::<u32>(&key, Some(at)).await?.unwrap_or_default())
}

/// Hands `extrinsic` to the node's pool. `Ok` also when the pool has it already; `Err` with the
/// pool's words when it will never take these bytes (outdated nonce, bad proof).
async fn submit(chain: &Chain, extrinsic: &str) -> Result<(), String> {
	let mut params = ArrayParams::new();
	params.insert(extrinsic).map_err(|e| e.to_string())?;
	match chain.request::<Value>("author_submitExtrinsic", params).await {
		Ok(_) => Ok(()),
		Err(error) => {
			let text = error.to_string();
			// The pool's own answers carry a code; anything else is the connection (the node is
			// down or restarting): tried again next pass.
			let pool_answer = text.contains("ErrorObject") || text.contains("ServerError");
			// 1012 temporarily banned (just included, or just refused), 1013 already in the
			// pool, 1014 a same-nonce transaction is there: wait for blocks.
			let waiting = ["1012", "1013", "1014"].iter().any(|code| text.contains(code));
			if !pool_answer || waiting {
				Ok(())
			} else {
				Err(text)
			}
		}
	}
}

/// Blocks fetched in this pass, by number.
#[derive(Default)]
struct BlockCache(std::collections::BTreeMap<u32, (Hash, Vec<String>)>);

/// Where [`find`] found an entry's transaction.
struct Found {
	block: u32,
	hash: Hash,
	failed: Option<String>,
	/// Whether its events could be read (a node that pruned the block's state cannot say).
	known: bool,
}

/// The finalized block holding `entry`'s transaction, with the runtime's refusal if it failed;
/// searched from the block after `entry.scanned` to `finalized`.
async fn find(
	chain: &Chain,
	blocks: &mut BlockCache,
	entry: &Entry,
	finalized: u32,
) -> Result<Option<Found>, Error> {
	for number in entry.scanned.saturating_add(1)..=finalized {
		if !blocks.0.contains_key(&number) {
			let hash: Hash = chain
				.request::<Option<Hash>>("chain_getBlockHash", rpc(number))
				.await?
				.ok_or_else(|| Error::Node(format!("the node has no block #{number}")))?;
			let body: Value = chain.request("chain_getBlock", rpc(hash)).await?;
			let extrinsics = body["block"]["extrinsics"]
				.as_array()
				.map(|all| all.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
				.unwrap_or_default();
			blocks.0.insert(number, (hash, extrinsics));
		}
		let (hash, extrinsics) = &blocks.0[&number];
		if let Some(index) = extrinsics.iter().position(|x| *x == entry.extrinsic) {
			let mut failed = None;
			// A node that pruned the block's state cannot say how the call ended; the
			// transaction is in the finalized chain either way.
			let Ok(events) = chain.events(*hash).await else {
				return Ok(Some(Found { block: number, hash: *hash, failed: None, known: false }));
			};
			for record in events {
				if record.phase != frame_system::Phase::ApplyExtrinsic(index as u32) {
					continue;
				}
				if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
					dispatch_error,
					..
				}) = record.event
				{
					failed = Some(chain::explain(dispatch_error));
				}
			}
			return Ok(Some(Found { block: number, hash: *hash, failed, known: true }));
		}
	}
	Ok(None)
}

fn rpc(value: impl Serialize) -> ArrayParams {
	let mut params = ArrayParams::new();
	params.insert(value).expect("serializes");
	params
}

/// The hash of a hex-encoded transaction, as the pool names it.
pub fn hash_of(extrinsic: &str) -> Option<Hash> {
	from_hex(extrinsic).ok().map(|bytes| Hash::from(sp_io::hashing::blake2_256(&bytes)))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn entry(id: &str) -> Entry {
		Entry {
			id: id.into(),
			reader: AccountId::new([1; 32]),
			patient: AccountId::new([2; 32]),
			records: vec![(7, RecordCategory::LabReport)],
			extrinsic: "0x00".into(),
			hash: Hash::repeat_byte(3),
			signed_at: 10,
			nonce: 0,
			scanned: 10,
			queued_at: 1,
			best_at_read: 10,
			signatures: 1,
		}
	}

	#[test]
	fn queued_entries_survive_and_read_back_in_order() {
		let dir = tempfile::tempdir().unwrap();
		let outbox = Outbox::open(dir.path(), Hash::repeat_byte(9), None).unwrap();
		outbox.queue(&entry("2-b")).unwrap();
		outbox.queue(&entry("1-a")).unwrap();
		// A second handle (another process after a crash) sees the same entries.
		let again = Outbox::open(dir.path(), Hash::repeat_byte(9), None).unwrap();
		let ids: Vec<_> = again.pending().into_iter().map(|e| e.id).collect();
		assert_eq!(ids, ["1-a", "2-b"]);
		// Another chain's outbox is another folder, also one restarted from the same genesis.
		assert!(Outbox::open(dir.path(), Hash::repeat_byte(8), None).unwrap().pending().is_empty());
		let restarted = Outbox::open(dir.path(), Hash::repeat_byte(9), Some(Hash::zero())).unwrap();
		assert!(restarted.pending().is_empty());
		// No temporary file is left beside the entries.
		let names: Vec<_> = std::fs::read_dir(again.dir().join("pending"))
			.unwrap()
			.map(|f| f.unwrap().file_name().into_string().unwrap())
			.collect();
		assert_eq!(names.len(), 2, "{names:?}");
	}

	#[test]
	fn a_torn_or_foreign_file_is_skipped_not_fatal() {
		let dir = tempfile::tempdir().unwrap();
		let outbox = Outbox::open(dir.path(), Hash::zero(), None).unwrap();
		outbox.queue(&entry("1-a")).unwrap();
		std::fs::write(outbox.dir().join("pending/0-torn.json"), b"{\"id\":").unwrap();
		assert_eq!(outbox.pending().len(), 1);
	}

	#[test]
	fn one_drainer_at_a_time() {
		let dir = tempfile::tempdir().unwrap();
		let outbox = Outbox::open(dir.path(), Hash::zero(), None).unwrap();
		let held = outbox.try_lock().expect("free");
		assert!(outbox.try_lock().is_none(), "a second drainer must not start");
		drop(held);
		assert!(outbox.try_lock().is_some());
	}

	#[test]
	fn the_hash_is_the_pools() {
		assert_eq!(hash_of("0x00"), Some(Hash::from(sp_io::hashing::blake2_256(&[0]))));
		assert_eq!(hash_of("zz"), None);
	}
}
