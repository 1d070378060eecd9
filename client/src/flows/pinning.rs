//! A hospital's pinning service: the hospitals, not the uploader's IPFS node alone, keep the
//! records' envelopes available (issue 14).
//!
//! **Policy.** A hospital keeps (pins on its own IPFS node) the envelope of every record still
//! on the chain (each version) of a patient who consents to one of its doctors, and of every
//! record for which it is one of the `replicas` hospitals chosen by rendezvous hashing: the
//! member hospitals ranked by BLAKE2-256 of the record's CID followed by the hospital's
//! account, the highest first. Every record thus has at least `replicas` hospitals keeping it
//! (more when its patient consents to doctors of others), spread evenly, and a member joining
//! or leaving moves only the records it ranks first for. The envelopes are encrypted: holding
//! one reveals nothing but its size.
//!
//! **Replication.** An envelope the hospital does not hold is read from the other IPFS nodes it
//! was given (the first that serves it), at most a little over the size the record declares
//! and within a deadline; its CID is computed without storing anything (CIDv1, raw leaves, as
//! the uploader adds it), and only bytes with the record's own CID are added and pinned. A node
//! that served other bytes is caught there, and nothing already pinned is touched.
//!
//! **Erasure.** A pass remembers what it pinned (record and CID, in the state directory); a
//! record erased since (its CID gone from the chain) is unpinned, unless a record still on the
//! chain has the same CID (one patient's erasure never removes another's envelope).
//!
//! **Failures** of one record (a read, a download, a pin) are reported and retried next pass;
//! they do not stop the pass. The service trusts its node for the records it reads: run it
//! against the hospital's own node.
//!
//! What it keeps is not withdrawn when consent ends or the ranking changes: that would churn
//! and could lose the last copy; only erasure removes.

use std::collections::{BTreeMap, BTreeSet};

use ehr_primitives::RecordId;
use ehr_runtime::Runtime;
use serde::Serialize;
use sp_runtime::AccountId32 as AccountId;

use crate::{chain, cid, Client, Error};

/// What one pass of a hospital's pinning service did, at one finalized block.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PinPass {
	/// The finalized block the pass read.
	pub block: u32,
	/// Records this hospital keeps by the policy.
	pub responsible: usize,
	/// Of those, already on its node.
	pub held: usize,
	/// Pinned in this pass: record and CID.
	pub pinned: Vec<(RecordId, String)>,
	/// Unpinned in this pass because the record was erased: record and CID.
	pub unpinned: Vec<(RecordId, String)>,
	/// Records it could not pin (or unpin) in this pass, and why; tried again next pass.
	pub failed: Vec<(RecordId, String)>,
}

/// The `replicas` member hospitals that keep the record stored under `cid` besides its
/// patient's own (rendezvous hashing: the highest BLAKE2-256 of `cid ‖ hospital` first).
pub fn replica_hospitals(cid: &[u8], hospitals: &[AccountId], replicas: usize) -> Vec<AccountId> {
	let mut ranked: Vec<([u8; 32], &AccountId)> = hospitals
		.iter()
		.map(|hospital| {
			let mut input = cid.to_vec();
			input.extend_from_slice(hospital.as_ref());
			(sp_io::hashing::blake2_256(&input), hospital)
		})
		.collect();
	ranked.sort_by(|a, b| b.0.cmp(&a.0));
	ranked.into_iter().take(replicas).map(|(_, hospital)| hospital.clone()).collect()
}

/// How long one record's copy may take before the pass moves on (tried again next pass).
const COPY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

impl Client {
	/// One pass of `hospital`'s pinning service over the newest finalized block: pins what
	/// the policy gives it and its node lacks, unpins what was erased (unless a record still on
	/// the chain has the same CID). `pinned` is what earlier passes pinned (record → CID), kept
	/// by the caller between passes. A record that cannot be read, fetched or pinned is reported
	/// in [`PinPass::failed`] and does not stop the pass; envelopes over `max_envelope` bytes
	/// (declared or served) are refused.
	pub async fn pin_pass(
		&self,
		hospital: &AccountId,
		replicas: usize,
		max_envelope: u64,
		pinned: &mut BTreeMap<RecordId, String>,
	) -> Result<PinPass, Error> {
		self.store.check().await?;
		let at = self.chain.finalized().await?;
		let mut pass = PinPass { block: self.chain.number(at).await?, ..Default::default() };
		let members: Vec<AccountId> = self
			.chain
			.storage(&chain::storage_prefix(b"Hospitals", b"Members"), Some(at))
			.await?
			.unwrap_or_default();
		let mut patients = BTreeSet::new();
		for doctor in self.doctors(Some(hospital)).await? {
			patients.extend(self.patients_of(&doctor.account).await?);
		}
		// The CIDs of records still on the chain: never unpinned, whoever erased what.
		let mut live = BTreeSet::new();
		let mut erased = Vec::new();
		let prefix = chain::storage_prefix(b"Records", b"Records");
		for key in self.chain.keys_under(&prefix, Some(at)).await? {
			let Some(id) = chain::twox64_concat_id(&key, prefix.len()) else { continue };
			let record = match self
				.chain
				.storage::<pallet_ehr_records::RecordOf<Runtime>>(&key, Some(at))
				.await
			{
				Ok(Some(record)) => record,
				Ok(None) => continue,
				Err(e) => {
					pass.failed.push((id, e.to_string()));
					continue;
				}
			};
			if record.cid.is_empty() {
				erased.push(id);
				continue;
			}
			live.insert(record.cid.to_vec());
			let mine = patients.contains(&record.patient)
				|| replica_hospitals(&record.cid, &members, replicas).contains(hospital);
			if !mine {
				continue;
			}
			pass.responsible += 1;
			let name = cid::to_string(&record.cid);
			match self.store.is_pinned(&record.cid).await {
				Ok(true) => {
					pass.held += 1;
					pinned.insert(id, name);
					continue;
				}
				Ok(false) => {}
				Err(e) => {
					pass.failed.push((id, e.to_string()));
					continue;
				}
			}
			if record.size > max_envelope {
				pass.failed.push((
					id,
					format!("declares {} bytes, more than the {max_envelope} kept", record.size),
				));
				continue;
			}
			// A little over the declared size: the record's own figure bounds the download.
			let limit = record.size.saturating_add(64 * 1024).min(max_envelope);
			match tokio::time::timeout(COPY_DEADLINE, self.replicate(&record.cid, limit)).await {
				Ok(Ok(())) => {
					pinned.insert(id, name.clone());
					pass.pinned.push((id, name));
				}
				Ok(Err(e)) => pass.failed.push((id, e.to_string())),
				Err(_) => pass
					.failed
					.push((id, format!("not copied within {} min", COPY_DEADLINE.as_secs() / 60))),
			}
		}
		// Erased records: their CIDs are gone from the chain; unpin what this service pinned,
		// unless a record still on the chain has the same CID.
		for id in erased {
			let Some(name) = pinned.get(&id).cloned() else { continue };
			let binary = match cid::parse(&name) {
				Ok(binary) => binary,
				Err(e) => {
					pass.failed.push((id, e.to_string()));
					continue;
				}
			};
			if live.contains(&binary) {
				pinned.remove(&id);
				continue;
			}
			match self.store.unpin(&binary).await {
				Ok(()) => {
					pinned.remove(&id);
					pass.unpinned.push((id, name));
				}
				Err(e) => pass.failed.push((id, e.to_string())),
			}
		}
		Ok(pass)
	}

	/// Copies the envelope `binary_cid` (at most `limit` bytes) to this client's own IPFS node
	/// from the others. Its CID is computed first without storing anything; only bytes that
	/// hash to the record's CID are added and pinned, so nothing already pinned is touched.
	async fn replicate(&self, binary_cid: &[u8], limit: u64) -> Result<(), Error> {
		let file = tempfile::NamedTempFile::new().map_err(|e| Error::Storage(e.to_string()))?;
		self.store.get_from_others(binary_cid, file.path(), Some(limit)).await?;
		let computed = self.store.cid_of(file.path()).await?;
		if computed != binary_cid {
			return Err(Error::Storage(format!(
				"the envelope served for {} hashes to {}: not the record's bytes",
				cid::to_string(binary_cid),
				cid::to_string(&computed)
			)));
		}
		let added = self.store.put(file.path()).await?;
		if added != binary_cid {
			return Err(Error::Storage(format!(
				"the envelope for {} was added as {}",
				cid::to_string(binary_cid),
				cid::to_string(&added)
			)));
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Encode;

	fn hospitals(n: u8) -> Vec<AccountId> {
		(0..n).map(|i| AccountId::new([i; 32])).collect()
	}

	#[test]
	fn each_record_gets_its_replicas_spread_over_the_hospitals() {
		let all = hospitals(4);
		let mut load = BTreeMap::<AccountId, usize>::new();
		for record in 0u32..4_000 {
			let cid = record.encode();
			let chosen = replica_hospitals(&cid, &all, 2);
			assert_eq!(chosen.len(), 2);
			assert_ne!(chosen[0], chosen[1]);
			// The same answer every time, whatever the order of the members.
			let mut reversed = all.clone();
			reversed.reverse();
			assert_eq!(replica_hospitals(&cid, &reversed, 2), chosen);
			for hospital in chosen {
				*load.entry(hospital).or_default() += 1;
			}
		}
		// 8,000 copies over 4 hospitals: about 2,000 each.
		assert!(load.values().all(|n| (1_800..=2_200).contains(n)), "{load:?}");
	}

	#[test]
	fn a_leaving_hospital_moves_only_its_own_records() {
		let all = hospitals(5);
		let without_last = &all[..4];
		for record in 0u32..1_000 {
			let cid = record.encode();
			let before = replica_hospitals(&cid, &all, 2);
			let after = replica_hospitals(&cid, without_last, 2);
			if !before.contains(&all[4]) {
				assert_eq!(before, after);
			}
		}
	}

	#[test]
	fn fewer_hospitals_than_replicas_means_all_of_them() {
		assert_eq!(replica_hospitals(b"cid", &hospitals(1), 3).len(), 1);
		assert!(replica_hospitals(b"cid", &[], 3).is_empty());
	}
}
