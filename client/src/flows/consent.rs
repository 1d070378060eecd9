//! Consent: grants with the keys shared in the same transaction, revocation (with
//! `--rekey`, re-encryption of what the grantee could read), emergency access, the budget.

use crate::*;

impl Client {
	// --- Consent ---

	/// The patient grants `grantee` access and, in the same transaction, wraps the key of every
	/// record in scope for the grantee (if it has an encryption key). A record whose key for
	/// the patient does not open (a writer put something else there) is skipped and reported
	/// in [`Granted::skipped`] rather than failing the grant.
	#[allow(clippy::too_many_arguments)]
	pub async fn grant(
		&self,
		patient: &Keys,
		grantee: &AccountId,
		scope: Scope,
		access: AccessLevel,
		expires_at: Option<Moment>,
		purpose: Purpose,
	) -> Result<Granted, Error> {
		let me = patient.account_id();
		let mut calls = vec![call_consent(pallet_ehr_consent::Call::grant_access {
			patient: me.clone(),
			grantee: grantee.clone(),
			scope: scope.clone(),
			access,
			expires_at,
			purpose,
		})];
		let mut shared = Vec::new();
		let mut skipped = Vec::new();
		let state = self.verified().await?;
		let grantee_key = match &state {
			Some(state) => state.encryption_key(grantee).await?,
			None => self.chain.encryption_key(grantee).await?,
		};
		// An unusable key (small order, not canonical) is no key: nothing is wrapped for it.
		if let Some(public) = grantee_key.filter(ehr_primitives::is_usable_encryption_key) {
			let mine = self.held_records(state.as_ref(), &me, &me).await?;
			for record in mine.into_iter().filter(|r| scope.covers(r.category)) {
				let Some(wrapped) = record.wrapped_key else { continue };
				let Ok(key) = patient.unwrap(&wrapped) else {
					skipped.push(record.id);
					continue;
				};
				shared.push((
					record.id,
					bounded_wrapped_key(envelope::wrap(&key, &public)?.to_vec())?,
				));
			}
		}
		let count = shared.len();
		// `share_keys` carries at most `MaxKeysPerShare` keys: several of them in one batch.
		calls.extend(shared.chunks(max_keys_per_share()).map(|chunk| share_call(grantee, chunk)));
		let call = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls });
		Ok(Granted { included: self.chain.submit(patient, call).await?, shared: count, skipped })
	}

	/// The records of `patient` that `reader` holds a key for, with the key. The node lists
	/// them; with proofs (`state`), each record's patient, category, state and the wrapped key
	/// are the chain's (a listed id that is not the patient's, erased, or without a key for
	/// `reader` is dropped), so a node cannot make the client re-wrap one record's key under
	/// another record's id or category.
	pub(crate) async fn held_records(
		&self,
		state: Option<&verified::VerifiedState<'_>>,
		reader: &AccountId,
		patient: &AccountId,
	) -> Result<Vec<RecordInfo>, Error> {
		let listed = self
			.rpc()
			.reader_records(reader.clone(), Some(patient.clone()), None)
			.await
			.map_err(rpc_error("ehr_readerRecords"))?;
		let Some(state) = state else { return Ok(listed) };
		let mut proven = Vec::with_capacity(listed.len());
		for id in listed.into_iter().map(|record| record.id) {
			if let Some((stored, Some(wrapped))) = state.record(id, Some(reader)).await? {
				if stored.patient == *patient && !stored.erased {
					proven.push(verified::record_info(id, stored, Some(wrapped)));
				}
			}
		}
		Ok(proven)
	}

	/// The patient revokes `grantee` and re-encrypts every record it could read, so that
	/// nothing it still holds opens a future copy: for the newest version of each such record,
	/// the client decrypts it, stores it again under a new content key as a new record (same
	/// category; keys for the remaining readers only, as the grant is gone), then erases the
	/// old record with all its versions and unpins them. The revocation alone stops future
	/// sharing and deletes current keys, but a reader who kept a content key could still open
	/// the old envelope from IPFS; after this, only tombstones are left. The new copy starts a
	/// new history (the trail keeps the old one). `progress` gets (records done, records).
	pub async fn revoke_and_rekey(
		&self,
		patient: &Keys,
		grantee: &AccountId,
		mut progress: impl FnMut(usize, usize) + Send,
	) -> Result<Rekeyed, Error> {
		let me = patient.account_id();
		// What the grantee holds, read before the revocation deletes its keys.
		let state = self.verified().await?;
		let held = self.held_records(state.as_ref(), grantee, &me).await?;
		drop(state);
		let revoked = self.revoke(patient, grantee).await?;
		let mut newest = Vec::new();
		for record in held {
			let mut current = self.record(record.id, None).await?;
			// Follow amendments to the newest version (bounded by the chain's version limit).
			for _ in 0..64 {
				let Some(next) = current.superseded_by else { break };
				current = self.record(next, None).await?;
			}
			if !current.erased && !newest.contains(&current.id) {
				newest.push(current.id);
			}
		}
		let total = newest.len();
		progress(0, total);
		let scratch = tempfile::tempdir()?;
		let (mut replaced, mut failed) = (Vec::new(), Vec::new());
		for (done, old) in newest.into_iter().enumerate() {
			let plain = scratch.path().join("record");
			let result = async {
				let info = self.record(old, Some(&me)).await?;
				self.fetch(patient, old, &plain, |_, _| {}).await?;
				let copy = self.upload(patient, &me, info.category, &plain, |_, _| {}).await?;
				self.erase(patient, old).await?;
				Ok::<_, Error>(copy.record)
			}
			.await;
			// The plaintext never outlives its step.
			let _ = std::fs::remove_file(&plain);
			match result {
				Ok(new) => replaced.push((old, new)),
				Err(error) => failed.push((old, error.to_string())),
			}
			progress(done + 1, total);
		}
		Ok(Rekeyed { revoked, replaced, failed })
	}

	/// The patient revokes the grant of `grantee`; its record keys go with it.
	pub async fn revoke(&self, patient: &Keys, grantee: &AccountId) -> Result<Included, Error> {
		let call = pallet_ehr_consent::Call::revoke_access {
			patient: patient.account_id(),
			grantee: grantee.clone(),
		};
		self.chain.submit(patient, call_consent(call)).await
	}

	/// What `who` may still do for free in the current period (the fee budget), read at the
	/// best block, where its next transaction is checked.
	pub async fn free_budget(
		&self,
		who: &AccountId,
	) -> Result<ehr_primitives::FreeBudget<ehr_runtime::BlockNumber>, Error> {
		self.rpc().free_budget(who.clone(), None).await.map_err(rpc_error("ehr_freeBudget"))
	}

	/// The patients who granted `doctor` (or its hospital) access.
	pub async fn patients_of(&self, doctor: &AccountId) -> Result<Vec<AccountId>, Error> {
		self.rpc()
			.doctor_patients(doctor.clone(), None)
			.await
			.map_err(rpc_error("ehr_doctorPatients"))
	}

	/// A doctor opens break-glass access to `patient` for a coded reason. A free-text `note`
	/// stays off chain: the chain gets only its salted commitment ([`note_commitment`]), and
	/// the answer carries the fresh salt, to keep with the note for the hospital's review.
	pub async fn emergency_access(
		&self,
		doctor: &Keys,
		patient: &AccountId,
		code: EmergencyReason,
		note: Option<&str>,
	) -> Result<EmergencyOpened, Error> {
		let salted = note.map(|note| {
			let mut salt = [0u8; 32];
			rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut salt);
			(salt, note_commitment(&salt, note))
		});
		let call = pallet_ehr_consent::Call::open_emergency_access {
			patient: patient.clone(),
			code,
			commitment: salted.map(|(_, commitment)| commitment),
		};
		let included = self.chain.submit(doctor, call_consent(call)).await?;
		Ok(EmergencyOpened {
			included,
			salt: salted.map(|(salt, _)| salt),
			commitment: salted.map(|(_, commitment)| commitment),
		})
	}

	/// The patient (or a delegate acting for `patient`) ends a doctor's emergency access.
	pub async fn end_emergency_access(
		&self,
		patient_or_delegate: &Keys,
		patient: &AccountId,
		doctor: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_consent::Call::end_emergency_access {
			patient: patient.clone(),
			doctor: doctor.clone(),
		};
		self.chain.submit(patient_or_delegate, call_consent(call)).await
	}
}
