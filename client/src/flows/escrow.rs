//! Break-glass: the patient's emergency-openable categories, escrowing record keys for the
//! hospitals' committee (`t`-of-`n` shares), the custodian's release of its shares to a doctor
//! with an open emergency access, the doctor's combination of `t` shares, and the hospital's
//! review of its doctors' emergency accesses.
//!
//! The chain never sees a key or a share in the clear: the patient's client wraps each share for
//! one custodian's escrow key, a custodian re-wraps only its own share for the doctor, and only
//! the doctor's client combines `t` of them. Every read of a share is checked by what opens it:
//! a share that does not open with the context the chain gives (another record, patient or
//! doctor) is left out, and a combination that is not the record's key fails the envelope's
//! header authentication, after which the next subset of shares is tried.

use codec::Decode;
use ehr_primitives::{EmergencyReason, RecordCategory};
use envelope::escrow::{self as shares, KeyShare};

use crate::{
	custodian::{Decision, Request},
	*,
};

/// The escrow committee at a block.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Committee {
	/// One more at every change.
	pub epoch: u32,
	/// Shares that open a key.
	pub threshold: u8,
	/// Member hospitals with their escrow keys (hex).
	pub members: Vec<(AccountId, String)>,
	/// The keys themselves.
	#[serde(skip)]
	pub keys: Vec<(AccountId, [u8; 32])>,
}

/// What [`Client::escrow_sync`] did.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EscrowSynced {
	/// The committee epoch the keys are escrowed for.
	pub epoch: u32,
	/// Records whose key was escrowed now (new, or for an earlier committee).
	pub escrowed: Vec<RecordId>,
	/// Openable records already escrowed for this committee.
	pub up_to_date: usize,
	/// Records whose key for the patient does not open (not escrowed; worth reporting).
	pub skipped: Vec<RecordId>,
	/// The finalized blocks of the transactions.
	pub blocks: Vec<u32>,
}

/// One custodian release: this hospital's shares of a patient's records to one doctor.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
	/// The patient.
	pub patient: AccountId,
	/// The doctor with the open emergency access.
	pub doctor: AccountId,
	/// Records whose share was released now.
	pub records: Vec<RecordId>,
	/// Records whose escrowed share does not open with this custodian's keys.
	pub unopenable: Vec<RecordId>,
	/// The finalized block, or why the release failed (it is tried again on the next pass).
	pub outcome: Result<u32, String>,
}

/// What one custodian pass did.
#[derive(Debug)]
pub struct CustodianPass {
	/// The shares released (or tried).
	pub releases: Vec<Release>,
	/// The accesses the policy held or refused, with the decision.
	pub decisions: Vec<(Request, Decision)>,
	/// The open emergency accesses seen: (patient, doctor, opened at).
	pub open: std::collections::BTreeSet<(AccountId, AccountId, Moment)>,
}

/// An emergency access of one of a hospital's doctors, for review.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyReview {
	/// The patient.
	pub patient: AccountId,
	/// The doctor.
	pub doctor: AccountId,
	/// Why, as the doctor coded it.
	pub code: EmergencyReason,
	/// The note's commitment (hex), if the doctor made a note.
	pub commitment: Option<String>,
	/// When it was opened and when it expires (milliseconds since the Unix epoch).
	pub opened_at: Moment,
	/// When it expires.
	pub expires_at: Moment,
	/// Whether it expired (still to be closed by the clean-up).
	pub expired: bool,
	/// Records with shares released to the doctor for this access, with how many shares.
	pub released: Vec<(RecordId, usize)>,
}

type ReleasedOf = pallet_ehr_escrow::ReleasedShares<
	AccountId,
	<Runtime as pallet_ehr_escrow::Config>::MaxCommittee,
>;

/// The two accounts of a double map key with `Blake2_128Concat` hashers after `prefix`.
fn two_accounts(key: &[u8], prefix_len: usize) -> Option<(AccountId, AccountId)> {
	let mut rest = key.get(prefix_len + 16..)?;
	let first = AccountId::decode(&mut rest).ok()?;
	let mut rest = rest.get(16..)?;
	let second = AccountId::decode(&mut rest).ok()?;
	Some((first, second))
}

fn max_release_per_call() -> usize {
	<<Runtime as pallet_ehr_escrow::Config>::MaxReleasePerCall as sp_runtime::traits::Get<u32>>::get(
	) as usize
}

/// Escrow calls per transaction of [`Client::escrow_sync`].
const ESCROWS_PER_TRANSACTION: usize = 16;

/// At most this many subsets of released shares are tried before giving up: every subset of
/// the largest committee (16 choose 8 = 12,870), each a header check of microseconds, so that
/// wrong shares from up to n − t custodians never block a doctor.
use shares::MAX_COMBINATIONS;

fn call_escrow(call: pallet_ehr_escrow::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Escrow(call)
}

impl Client {
	/// The value at storage `key`: proven at the newest verified block when verifying, else as
	/// the node says at its best block.
	pub(crate) async fn value<T: Decode>(&self, key: Vec<u8>) -> Result<Option<T>, Error> {
		let state = self.verified().await?;
		self.read_at(state.as_ref(), key, None).await
	}

	/// The value at storage `key`: proven at `state`'s block if given, else as the node says
	/// at `at` (or its best block).
	async fn read_at<T: Decode>(
		&self,
		state: Option<&verified::VerifiedState<'_>>,
		key: Vec<u8>,
		at: Option<Hash>,
	) -> Result<Option<T>, Error> {
		let Some(state) = state else {
			return self.chain.storage(&key, at).await;
		};
		let values = state.read(std::slice::from_ref(&key)).await?;
		verified::decode("value", values.get(&key))
	}

	/// The escrow committee now.
	pub async fn committee(&self) -> Result<Committee, Error> {
		let state = self.verified().await?;
		let state = state.as_ref();
		let item = |name: &[u8]| chain::storage_prefix(b"Escrow", name);
		let keys: Vec<(AccountId, [u8; 32])> =
			self.read_at(state, item(b"Committee"), None).await?.unwrap_or_default();
		let threshold: u8 = self.read_at(state, item(b"Threshold"), None).await?.unwrap_or(0);
		let epoch: u32 = self.read_at(state, item(b"Epoch"), None).await?.unwrap_or(0);
		Ok(Committee {
			epoch,
			threshold,
			members: keys.iter().map(|(who, key)| (who.clone(), hex::encode(key))).collect(),
			keys,
		})
	}

	/// The categories of `patient`'s records openable in an emergency.
	pub async fn emergency_categories(
		&self,
		patient: &AccountId,
	) -> Result<Vec<RecordCategory>, Error> {
		let key = pallet_ehr_escrow::EmergencyCategories::<Runtime>::hashed_key_for(patient);
		Ok(self.value::<Vec<RecordCategory>>(key).await?.unwrap_or_default())
	}

	/// The patient (or a delegate) chooses the categories openable in an emergency (empty:
	/// none). The records of those categories are escrowed by [`Client::escrow_sync`].
	pub async fn set_emergency_categories(
		&self,
		signer: &Keys,
		patient: &AccountId,
		categories: Vec<RecordCategory>,
	) -> Result<Included, Error> {
		let categories = categories
			.try_into()
			.map_err(|_| Error::Usage("at most the seven categories".into()))?;
		let call = pallet_ehr_escrow::Call::set_emergency_categories {
			patient: patient.clone(),
			categories,
		};
		self.chain.submit(signer, call_escrow(call)).await
	}

	/// The escrow of content key `key` of the record `written` describes: the committee's epoch
	/// and one share for each committee hospital, wrapped for its escrow key with the record's
	/// patient, category, author and commitment as context (no record number: the shares can
	/// travel with the record that is not numbered yet).
	fn escrow_shares(
		committee: &Committee,
		written: &Written<'_>,
		key: &envelope::ContentKey,
	) -> Result<pallet_ehr_records::KeyEscrowOf<Runtime>, Error> {
		let count = u8::try_from(committee.keys.len())
			.map_err(|_| Error::Invalid("a committee of more than 255".into()))?;
		let split = shares::split(key, committee.threshold, count)?;
		let context = written.escrow_context();
		let wrapped = committee
			.keys
			.iter()
			.zip(&split)
			.map(|((hospital, public), share)| {
				Ok((hospital.clone(), shares::wrap_share(share, public, &context)?))
			})
			.collect::<Result<Vec<_>, Error>>()?;
		let shares = wrapped
			.try_into()
			.map_err(|_| Error::Invalid("more shares than the chain takes".into()))?;
		Ok((committee.epoch, shares))
	}

	/// The `escrow_key` call of record `id` (as `written` describes it) with content key `key`.
	fn escrow_call(
		committee: &Committee,
		id: RecordId,
		written: &Written<'_>,
		key: &envelope::ContentKey,
	) -> Result<RuntimeCall, Error> {
		let (epoch, shares) = Self::escrow_shares(committee, written, key)?;
		Ok(call_escrow(pallet_ehr_escrow::Call::escrow_key { record: id, epoch, shares }))
	}

	/// Escrows the key of every record of the patient in an emergency-openable category that
	/// is not escrowed by the patient for the current committee yet (new records, records
	/// added before the patient opted in or escrowed by their writer, and all of them after the
	/// committee changed), in transactions of up to 16 records. `progress` gets (records done, records to escrow).
	pub async fn escrow_sync(
		&self,
		patient: &Keys,
		mut progress: impl FnMut(u64, u64) + Send,
	) -> Result<EscrowSynced, Error> {
		let me = patient.account_id();
		let committee = self.committee().await?;
		let openable = self.emergency_categories(&me).await?;
		let mut synced = EscrowSynced { epoch: committee.epoch, ..Default::default() };
		if committee.keys.is_empty() || openable.is_empty() {
			return Ok(synced);
		}
		self.may_escrow_with(&committee)?;
		// One verified block for the whole pass (each `verified()` syncs finality anew).
		let state = self.verified().await?;
		let state = state.as_ref();
		let held = self.held_records(state, &me, &me).await?;
		let mut calls = Vec::new();
		for record in held.into_iter().filter(|r| openable.contains(&r.category) && !r.erased) {
			let escrowed = self.escrowed_epoch(state, record.id, &committee).await?;
			// Shares a writing doctor escrowed are replaced with the patient's own: nobody can
			// check shares wrapped for the custodians, so the patient trusts only its own.
			let by_key = pallet_ehr_escrow::EscrowedBy::<Runtime>::hashed_key_for(record.id);
			let by: Option<AccountId> = self.read_at(state, by_key, None).await?;
			if escrowed == Some(committee.epoch) && by.as_ref() == Some(&me) {
				synced.up_to_date += 1;
				continue;
			}
			let Some(wrapped) = &record.wrapped_key else { continue };
			let (Ok(key), Some(written)) = (patient.unwrap(wrapped), Written::of(&record)) else {
				synced.skipped.push(record.id);
				continue;
			};
			calls.push((record.id, Self::escrow_call(&committee, record.id, &written, &key)?));
		}
		let total = calls.len() as u64;
		for chunk in calls.chunks(ESCROWS_PER_TRANSACTION) {
			let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
				calls: chunk.iter().map(|(_, call)| call.clone()).collect(),
			});
			let included = self.chain.submit(patient, batch).await?;
			synced.blocks.push(included.number);
			synced.escrowed.extend(chunk.iter().map(|(id, _)| *id));
			progress(synced.escrowed.len() as u64, total);
		}
		Ok(synced)
	}

	/// The epoch the key of record `id` is escrowed for (read from the first member's share).
	async fn escrowed_epoch(
		&self,
		state: Option<&verified::VerifiedState<'_>>,
		id: RecordId,
		committee: &Committee,
	) -> Result<Option<u32>, Error> {
		let Some((member, _)) = committee.keys.first() else { return Ok(None) };
		let key = pallet_ehr_escrow::EscrowedShares::<Runtime>::hashed_key_for(id, member);
		let share: Option<(u32, pallet_ehr_escrow::ShareStanza)> =
			self.read_at(state, key, None).await?;
		Ok(share.map(|(epoch, _)| epoch))
	}

	/// The escrow a new record (or version) carries in the transaction that adds it, if the
	/// record's category is openable for the patient (the author escrows: the patient, always;
	/// a doctor who wrote it, once); `None` if there is nothing to escrow.
	pub(crate) async fn escrow_for_new(
		&self,
		written: &Written<'_>,
		key: &envelope::ContentKey,
	) -> Result<Option<pallet_ehr_records::KeyEscrowOf<Runtime>>, Error> {
		let committee = self.committee().await?;
		if committee.keys.is_empty()
			|| !self.emergency_categories(written.patient).await?.contains(&written.category)
		{
			return Ok(None);
		}
		self.may_escrow_with(&committee)?;
		Self::escrow_shares(&committee, written, key).map(Some)
	}

	/// `Ok` if keys may be split for `committee`: its keys and threshold decide who can open
	/// the patient's records, so they must be proven, and a threshold of 1 (one hospital alone
	/// opens them) is for a development chain only.
	fn may_escrow_with(&self, committee: &Committee) -> Result<(), Error> {
		self.may_give_out("escrowing record keys with the committee")?;
		if committee.threshold < 2 && !self.is_development() {
			return Err(Error::Refused(format!(
				"the escrow committee's threshold is {}: one hospital alone could open the \
				 records, so nothing is escrowed (a development chain's committee of one needs \
				 --dev)",
				committee.threshold
			)));
		}
		Ok(())
	}

	/// The open emergency accesses on chain at `at`: (patient, doctor, access).
	async fn emergency_accesses(
		&self,
		at: Option<Hash>,
	) -> Result<Vec<(AccountId, AccountId, pallet_ehr_consent::EmergencyAccess)>, Error> {
		let prefix = chain::storage_prefix(b"Consent", b"EmergencyAccesses");
		let mut all = Vec::new();
		for key in self.chain.keys_under(&prefix, at).await? {
			let Some((patient, doctor)) = two_accounts(&key, prefix.len()) else { continue };
			if let Some(access) = self.chain.storage(&key, at).await? {
				all.push((patient, doctor, access));
			}
		}
		Ok(all)
	}

	/// One pass of a custodian: at the newest finalized block, for every open emergency access
	/// of an active doctor with an encryption key, releases this hospital's shares of the
	/// patient's emergency-openable records that the doctor does not hold from it yet,
	/// re-wrapped for the doctor, one transaction per access (or more, 64 records each).
	/// A failed release is reported and tried again on the next pass.
	pub async fn custodian_pass(&self, custodian: &Keys) -> Result<Vec<Release>, Error> {
		Ok(self.custodian_pass_with(custodian, &mut |_| Decision::Release).await?.releases)
	}

	/// [`Client::custodian_pass`], asking `decide` about each emergency access with shares to
	/// release before releasing them (the hospital's written policy: see
	/// [`crate::custodian`]).
	pub async fn custodian_pass_with(
		&self,
		custodian: &Keys,
		decide: &mut (dyn FnMut(&Request) -> Decision + Send),
	) -> Result<CustodianPass, Error> {
		// With a chain spec, everything a release depends on (the access, the doctor's key and
		// status, the patient's categories, the shares) is proven at a block whose finality the
		// client checked: a lying node cannot have a share wrapped for a key of its own.
		let state = self.verified().await?;
		let state = state.as_ref();
		let at = match state {
			Some(state) => state.header().hash(),
			None => self.chain.finalized().await?,
		};
		// A custodian account releases for the hospital that named it
		// (`Escrow.set_custodian`); a hospital that named none releases with its own account.
		let signer = custodian.account_id();
		let named = pallet_ehr_escrow::CustodianOf::<Runtime>::hashed_key_for(&signer);
		let me: AccountId = self.read_at(state, named, Some(at)).await?.unwrap_or(signer);
		let committee = self.committee().await?;
		if !committee.keys.iter().any(|(member, _)| *member == me) {
			return Err(Error::Refused(format!(
				"{} is not in the escrow committee (epoch {}), nor the custodian of a hospital \
				 that is: the hospitals name the committee by a two-thirds vote \
				 (`Escrow.set_committee`), and a member names its custodian with \
				 `ehr hospital set-custodian`",
				custodian.address(),
				committee.epoch
			)));
		}
		let now: Moment =
			self.read_at(state, chain::now_key(), Some(at)).await?.unwrap_or_default();
		let mut releases = Vec::new();
		let mut decisions = Vec::new();
		let mut open = std::collections::BTreeSet::new();
		for (patient, doctor, _) in self.emergency_accesses(Some(at)).await? {
			let access_key =
				pallet_ehr_consent::EmergencyAccesses::<Runtime>::hashed_key_for(&patient, &doctor);
			let access: Option<pallet_ehr_consent::EmergencyAccess> =
				self.read_at(state, access_key, Some(at)).await?;
			let Some(access) = access.filter(|access| now < access.expires_at) else {
				continue;
			};
			open.insert((patient.clone(), doctor.clone(), access.opened_at));
			let doctor_key = pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(&doctor);
			let entry: Option<pallet_ehr_identity::DoctorOf<Runtime>> =
				self.read_at(state, doctor_key, Some(at)).await?;
			let Some(entry) = entry else {
				continue;
			};
			// The chain refuses a hospital's share to its own doctor when the record was
			// escrowed under a threshold of 2 or more (checked per record below, by the epoch
			// of its escrow): other hospitals decide on their requests.
			let own_doctor = entry.hospital == me;
			let Some(doctor_public) = entry
				.encryption_key
				.filter(ehr_primitives::is_usable_encryption_key)
				.filter(|_| entry.status == pallet_ehr_identity::DoctorStatus::Active)
			else {
				continue;
			};
			let categories_key =
				pallet_ehr_escrow::EmergencyCategories::<Runtime>::hashed_key_for(&patient);
			let openable: Vec<RecordCategory> =
				self.read_at(state, categories_key, Some(at)).await?.unwrap_or_default();
			if openable.is_empty() {
				continue;
			}
			let records = self
				.rpc()
				.patient_records(patient.clone(), None, Some(at))
				.await
				.map_err(rpc_error("ehr_patientRecords"))?;
			let mut mine = Vec::new();
			let mut unopenable = Vec::new();
			// The current versions only: what a doctor needs, and no more work than that.
			let current = records.iter().filter(|r| {
				openable.contains(&r.category) && !r.erased && r.superseded_by.is_none()
			});
			for record in current {
				let share_key =
					pallet_ehr_escrow::EscrowedShares::<Runtime>::hashed_key_for(record.id, &me);
				let share: Option<(u32, pallet_ehr_escrow::ShareStanza)> =
					self.read_at(state, share_key, Some(at)).await?;
				let Some((epoch, stanza)) = share else {
					continue;
				};
				if own_doctor {
					let threshold_key =
						pallet_ehr_escrow::Thresholds::<Runtime>::hashed_key_for(epoch);
					let threshold: Option<u8> =
						self.read_at(state, threshold_key, Some(at)).await?;
					if threshold.is_none_or(|threshold| threshold >= 2) {
						continue;
					}
				}
				let released_key = pallet_ehr_escrow::Released::<Runtime>::hashed_key_for((
					&patient, &doctor, record.id,
				));
				let released: Option<ReleasedOf> =
					self.read_at(state, released_key, Some(at)).await?;
				let done = released.is_some_and(|released| {
					released.opened_at == access.opened_at
						&& released.epoch == epoch
						&& released.shares.iter().any(|(by, _)| *by == me)
				});
				if done {
					continue;
				}
				// Shares are escrowed with the record's patient, category, author and commitment
				// (shares escrowed before that with its number). These come from the record as
				// the chain holds it, proven with a chain spec, never from the node's listing:
				// anyone writing for the patient can attach another record's shares to a record
				// of their own, and a node listing that record with the other one's patient,
				// category, author and commitment would have them opened and released here.
				let stored = match state {
					Some(state) => match state.record(record.id, None).await? {
						Some((stored, _)) => verified::record_info(record.id, stored, None),
						None => continue,
					},
					None => record.clone(),
				};
				if stored.patient != patient
					|| stored.erased
					|| stored.superseded_by.is_some()
					|| !openable.contains(&stored.category)
				{
					continue;
				}
				let by_commitment = Written::of(&stored).map(|written| written.escrow_context());
				let by_record = shares::escrow_context_by_record(record.id, patient.as_ref());
				let opened = by_commitment
					.and_then(|context| custodian.unwrap_share(&stanza, &context).ok())
					.or_else(|| custodian.unwrap_share(&stanza, &by_record).ok());
				let Some(share) = opened else {
					unopenable.push(record.id);
					continue;
				};
				let context = shares::release_context(record.id, patient.as_ref(), doctor.as_ref());
				self.may_give_out("releasing escrow shares to a doctor")?;
				mine.push((record.id, shares::wrap_share(&share, &doctor_public, &context)?));
			}
			if mine.is_empty() && unopenable.is_empty() {
				continue;
			}
			if !mine.is_empty() {
				let request = Request {
					patient: patient.clone(),
					doctor: doctor.clone(),
					hospital: entry.hospital.clone(),
					code: access.code,
					opened_at: access.opened_at,
				};
				let decision = decide(&request);
				if decision != Decision::Release {
					decisions.push((request, decision));
					continue;
				}
			}
			for chunk in mine.chunks(max_release_per_call().max(1)) {
				let call = call_escrow(pallet_ehr_escrow::Call::release_shares {
					patient: patient.clone(),
					doctor: doctor.clone(),
					shares: chunk.to_vec().try_into().expect("chunked to the bound"),
				});
				let outcome = self
					.chain
					.submit(custodian, call)
					.await
					.map(|included| included.number)
					.map_err(|error| error.to_string());
				releases.push(Release {
					patient: patient.clone(),
					doctor: doctor.clone(),
					records: chunk.iter().map(|(id, _)| *id).collect(),
					unopenable: std::mem::take(&mut unopenable),
					outcome,
				});
			}
			if !unopenable.is_empty() {
				releases.push(Release {
					patient: patient.clone(),
					doctor: doctor.clone(),
					records: Vec::new(),
					unopenable,
					outcome: Ok(0),
				});
			}
		}
		Ok(CustodianPass { releases, decisions, open })
	}

	/// The content key of `record` for a doctor with an open emergency access, from the shares
	/// custodians released: each opened with the doctor's key and the record's context, any
	/// `t` of them combined. Subsets are tried until one opens the envelope's header in
	/// `sealed` (a custodian's wrong share makes a wrong key, which the header refuses).
	pub(crate) async fn emergency_key(
		&self,
		doctor: &Keys,
		record: &RecordInfo,
		sealed: &Path,
	) -> Result<Option<envelope::ContentKey>, Error> {
		let me = doctor.account_id();
		let access_key =
			pallet_ehr_consent::EmergencyAccesses::<Runtime>::hashed_key_for(&record.patient, &me);
		let Some(access) = self.value::<pallet_ehr_consent::EmergencyAccess>(access_key).await?
		else {
			return Ok(None);
		};
		if access.expires_at <= self.chain.now().await? {
			return Ok(None);
		}
		let released_key = pallet_ehr_escrow::Released::<Runtime>::hashed_key_for((
			&record.patient,
			&me,
			record.id,
		));
		let released = self
			.value::<ReleasedOf>(released_key)
			.await?
			.filter(|released| released.opened_at == access.opened_at);
		let committee = self.committee().await?;
		let threshold = released.as_ref().map_or(committee.threshold, |r| r.threshold);
		let context = shares::release_context(record.id, record.patient.as_ref(), me.as_ref());
		let opened: Vec<KeyShare> = released
			.iter()
			.flat_map(|released| &released.shares)
			.filter_map(|(_, stanza)| doctor.unwrap_share(stanza, &context).ok())
			.collect();
		if opened.len() < threshold as usize {
			let openable = self.emergency_categories(&record.patient).await?;
			let why = if !openable.contains(&record.category) {
				format!(
					"the patient did not make {} records openable in an emergency",
					human::category(record.category)
				)
			} else {
				format!(
					"{} of the {threshold} key shares needed have been released so far: the \
					 hospitals' custodians release them within a few blocks of the emergency \
					 access; try again shortly",
					opened.len()
				)
			};
			return Err(Error::Refused(format!(
				"record {} holds no key for you; you have emergency access, but {why}",
				record.id
			)));
		}
		let mut tried = 0;
		for subset in shares::subsets(opened.len(), threshold as usize) {
			tried += 1;
			if tried > MAX_COMBINATIONS {
				break;
			}
			let chosen: Vec<KeyShare> = subset.iter().map(|&i| opened[i].clone()).collect();
			let key = shares::combine(&chosen, threshold)?;
			match envelope::decrypt(
				&key,
				std::io::BufReader::new(std::fs::File::open(sealed)?),
				std::io::sink(),
				|_| {},
			) {
				Ok(_) => return Ok(Some(key)),
				Err(envelope::EnvelopeError::HeaderMismatch) => continue,
				Err(error) => return Err(error.into()),
			}
		}
		Err(Error::Envelope(envelope::EnvelopeError::BadShares(format!(
			"no {threshold} of the {} released shares open record {}: a custodian released a \
			 wrong share (report it to the hospitals)",
			opened.len(),
			record.id
		))))
	}

	/// The emergency accesses of `hospital`'s doctors (every hospital's with `None`; open, or
	/// expired and not yet cleaned up), each with the records released to the doctor for it:
	/// what the hospital reviews and closes, and what the other hospitals review.
	pub async fn hospital_emergencies(
		&self,
		hospital: Option<&AccountId>,
	) -> Result<Vec<EmergencyReview>, Error> {
		let doctors: Vec<AccountId> =
			self.doctors(hospital).await?.into_iter().map(|d| d.account).collect();
		let now = self.chain.now().await?;
		let released_prefix = chain::storage_prefix(b"Escrow", b"Released");
		let mut reviews = Vec::new();
		for (patient, doctor, access) in self.emergency_accesses(None).await? {
			if !doctors.contains(&doctor) {
				continue;
			}
			let under = [
				released_prefix.clone(),
				chain::blake2_128_concat(&patient),
				chain::blake2_128_concat(&doctor),
			]
			.concat();
			let mut released = Vec::new();
			for key in self.chain.keys_under(&under, None).await? {
				let Some(entry) = self.chain.storage::<ReleasedOf>(&key, None).await? else {
					continue;
				};
				let Some(id) = chain::twox64_concat_id(&key, under.len()) else { continue };
				if entry.opened_at == access.opened_at {
					released.push((id, entry.shares.len()));
				}
			}
			released.sort();
			reviews.push(EmergencyReview {
				patient,
				doctor,
				code: access.code,
				commitment: access.commitment.map(hex::encode),
				opened_at: access.opened_at,
				expires_at: access.expires_at,
				expired: access.expires_at <= now,
				released,
			});
		}
		reviews.sort_by_key(|review| std::cmp::Reverse(review.opened_at));
		Ok(reviews)
	}
}

/// What a share's escrow context binds of a record: its patient, category, author (the chain
/// makes the signer the author) and commitment (`envelope::escrow::escrow_context`).
pub(crate) struct Written<'a> {
	/// The record's patient.
	pub patient: &'a AccountId,
	/// Its category.
	pub category: RecordCategory,
	/// Who added the version: the signer of the upload.
	pub author: &'a AccountId,
	/// Its commitment on chain.
	pub commitment: [u8; 32],
}

impl<'a> Written<'a> {
	/// The record as a node lists it; `None` if its commitment is not 32 bytes.
	pub fn of(record: &'a RecordInfo) -> Option<Self> {
		Some(Written {
			patient: &record.patient,
			category: record.category,
			author: &record.author,
			commitment: <[u8; 32]>::try_from(&record.content_hash[..]).ok()?,
		})
	}

	/// The context its escrowed shares are wrapped with.
	pub fn escrow_context(&self) -> Vec<u8> {
		shares::escrow_context(
			self.patient.as_ref(),
			self.category as u8,
			self.author.as_ref(),
			&self.commitment,
		)
	}
}

#[cfg(test)]
mod tests {
	#[test]
	fn the_presets_escrow_keys_are_the_dev_accounts_encryption_keys() {
		let presets = ehr_runtime::genesis_config_presets::DEV_ESCROW_KEYS;
		for ((account, escrow_key), name) in presets.iter().zip(["Alice", "Bob", "Charlie"]) {
			let keys = crate::Keys::from_uri(&format!("//{name}")).unwrap();
			assert_eq!(keys.account_id(), account.to_account_id());
			assert_eq!(keys.encryption_key(), *escrow_key, "{name}'s escrow key");
		}
	}
}
