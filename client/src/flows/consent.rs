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
		self.grant_for(patient, &me, grantee, scope, access, expires_at, purpose).await
	}

	/// Replaces the terms of `grantee`'s grant on `patient`'s records (`Consent.change_access`),
	/// signed by `signer`: the patient, or one of the patient's delegates. Keys of records the
	/// new terms no longer cover leave the chain's state in the next blocks; keys of records
	/// newly covered are shared by [`Client::sync_keys`].
	#[allow(clippy::too_many_arguments)]
	pub async fn change_access(
		&self,
		signer: &Keys,
		patient: &AccountId,
		grantee: &AccountId,
		scope: Scope,
		access: AccessLevel,
		expires_at: Option<Moment>,
		purpose: Purpose,
	) -> Result<Included, Error> {
		let call = call_consent(pallet_ehr_consent::Call::change_access {
			patient: patient.clone(),
			grantee: grantee.clone(),
			scope,
			access,
			expires_at,
			purpose,
		});
		self.chain.submit(signer, call).await
	}

	/// [`Client::grant`] signed by `signer`: the patient, or one of the patient's delegates.
	/// A delegate shares the keys it holds itself; the patient's client shares the rest on its
	/// next run ([`Client::sync_keys`]).
	#[allow(clippy::too_many_arguments)]
	pub async fn grant_for(
		&self,
		signer: &Keys,
		patient: &AccountId,
		grantee: &AccountId,
		scope: Scope,
		access: AccessLevel,
		expires_at: Option<Moment>,
		purpose: Purpose,
	) -> Result<Granted, Error> {
		let me = patient.clone();
		let patient = signer;
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
			None => {
				self.may_give_out("sharing record keys with a grantee")?;
				self.chain.encryption_key(grantee).await?
			}
		};
		// An unusable key (small order, not canonical) is no key: nothing is wrapped for it.
		if let Some(public) = grantee_key.filter(ehr_primitives::is_usable_encryption_key) {
			let mine = self.held_records(state.as_ref(), &patient.account_id(), &me).await?;
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
		let grantee_has_key =
			grantee_key.as_ref().is_some_and(ehr_primitives::is_usable_encryption_key);
		let count = shared.len();
		// `share_keys` carries at most `MaxKeysPerShare` keys: several of them in one batch.
		calls.extend(shared.chunks(max_keys_per_share()).map(|chunk| share_call(grantee, chunk)));
		let call = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls });
		Ok(Granted {
			included: self.chain.submit(patient, call).await?,
			shared: count,
			skipped,
			grantee_has_key,
		})
	}

	/// Shares with every grantee of `patient` the record keys its grant covers but it does not
	/// hold yet, wrapped by `signer` (the patient, or a delegate for the keys it holds). This
	/// repairs the order trap of granting before the grantee published an encryption key: the
	/// grant is made, nothing can be wrapped, and granting again is refused. Grantees still
	/// without a usable key are listed in [`Synced::waiting_for_key`]. Each grantee's keys go
	/// in one transaction (a batch of `share_keys` calls); a refusal for one grantee is
	/// reported and does not stop the others.
	///
	/// With `submit` false nothing is wrapped or sent: [`Synced::missing`] says what would be
	/// shared. That is what the client does by itself after an upload or a grant when it does
	/// not verify: the list of grantees and their keys then comes from the node unproven, and a
	/// lying node could otherwise have every record key wrapped for a key of its own.
	pub async fn sync_keys(
		&self,
		signer: &Keys,
		patient: &AccountId,
		submit: bool,
	) -> Result<Synced, Error> {
		let me = signer.account_id();
		let state = self.verified().await?;
		// Who may read which categories now, with their keys (proven when verifying).
		let mut covered: Vec<(AccountId, [u8; 32], Vec<RecordCategory>)> = Vec::new();
		for category in RecordCategory::ALL {
			let readers = match &state {
				Some(state) => state.readers(patient, category).await?,
				None => self.all_readers(patient, category).await?,
			};
			for (reader, key) in readers.into_iter().filter(|(reader, _)| reader != patient) {
				match covered.iter_mut().find(|(known, _, _)| *known == reader) {
					Some((_, _, categories)) => categories.push(category),
					None => covered.push((reader, key, vec![category])),
				}
			}
		}
		let mut synced = Synced::default();
		// Grantees with consent but no usable key: nothing can be wrapped for them yet.
		let now = self.chain.now().await?;
		for GrantInfo { grantee, grant } in self.grants(patient).await? {
			if grant.expires_at.is_some_and(|end| end <= now) {
				continue;
			}
			let key = self.chain.encryption_key(&grantee).await?;
			if !key.as_ref().is_some_and(ehr_primitives::is_usable_encryption_key) {
				synced.waiting_for_key.push(grantee);
			}
		}
		let mine = self.held_records(state.as_ref(), &me, patient).await?;
		for (grantee, public, categories) in covered {
			if grantee == me || !ehr_primitives::is_usable_encryption_key(&public) {
				continue;
			}
			let held: Vec<RecordId> = self
				.held_records(state.as_ref(), &grantee, patient)
				.await?
				.into_iter()
				.map(|record| record.id)
				.collect();
			let mut keys = Vec::new();
			for record in &mine {
				if !categories.contains(&record.category) || held.contains(&record.id) {
					continue;
				}
				let Some(wrapped) = &record.wrapped_key else { continue };
				let Ok(key) = signer.unwrap(wrapped) else {
					synced.skipped.push(record.id);
					continue;
				};
				keys.push((
					record.id,
					bounded_wrapped_key(envelope::wrap(&key, &public)?.to_vec())?,
				));
			}
			if keys.is_empty() {
				continue;
			}
			if !submit {
				synced.missing.push((grantee, keys.len()));
				continue;
			}
			self.may_give_out("sharing record keys with a grantee")?;
			let calls = keys.chunks(max_keys_per_share()).map(|chunk| share_call(&grantee, chunk));
			let call =
				RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: calls.collect() });
			match self.chain.submit(signer, call).await {
				Ok(_) => synced.shared.push((grantee, keys.len())),
				Err(error) => synced.refused.push((grantee, error.to_string())),
			}
		}
		Ok(synced)
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
		let (mut replaced, mut failed, mut unpin_pending) = (Vec::new(), Vec::new(), Vec::new());
		for (done, old) in newest.into_iter().enumerate() {
			let plain = scratch.path().join("record");
			let result = async {
				let info = self.record(old, Some(&me)).await?;
				self.fetch(patient, old, &plain, |_, _| {}).await?;
				let copy = self.upload(patient, &me, info.category, &plain, |_, _| {}).await?;
				let erased = self.erase(patient, old).await?;
				Ok::<_, Error>((copy.record, erased.unpin_pending))
			}
			.await;
			// The plaintext never outlives its step.
			let _ = std::fs::remove_file(&plain);
			match result {
				Ok((new, pending)) => {
					replaced.push((old, new));
					unpin_pending.extend(pending);
				}
				Err(error) => failed.push((old, error.to_string())),
			}
			progress(done + 1, total);
		}
		Ok(Rekeyed { revoked, replaced, failed, unpin_pending })
	}

	/// The patient revokes the grant of `grantee`; its record keys go with it.
	pub async fn revoke(&self, patient: &Keys, grantee: &AccountId) -> Result<Included, Error> {
		self.revoke_for(patient, &patient.account_id(), grantee).await
	}

	/// [`Client::revoke`] signed by `signer`: the patient, or one of the patient's delegates.
	pub async fn revoke_for(
		&self,
		signer: &Keys,
		patient: &AccountId,
		grantee: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_consent::Call::revoke_access {
			patient: patient.clone(),
			grantee: grantee.clone(),
		};
		self.chain.submit(signer, call_consent(call)).await
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

	/// The doctor, or the doctor's hospital after review, closes an emergency access.
	pub async fn close_emergency_access(
		&self,
		doctor_or_hospital: &Keys,
		patient: &AccountId,
		doctor: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_consent::Call::close_emergency_access {
			patient: patient.clone(),
			doctor: doctor.clone(),
		};
		self.chain.submit(doctor_or_hospital, call_consent(call)).await
	}

	/// A member hospital reviews an emergency access of another hospital's doctor to
	/// `patient`: the newest one of `doctor` in the patient's trail, or the one opened at trail
	/// entry `entry`. Returns the trail entry reviewed and the inclusion.
	pub async fn review_emergency_access(
		&self,
		hospital: &Keys,
		patient: &AccountId,
		doctor: &AccountId,
		entry: Option<u64>,
		verdict: ehr_primitives::ReviewVerdict,
	) -> Result<(u64, Included), Error> {
		let entry = match entry {
			Some(entry) => entry,
			None => {
				let (_, entries, _) = self.trail_since(patient, 0).await?;
				entries
					.iter()
					.rev()
					.find(|(_, e)| {
						matches!(&e.event, ehr_primitives::AuditEvent::EmergencyAccessOpened { doctor: d, .. } if d == doctor)
					})
					.map(|(index, _)| *index)
					.ok_or_else(|| {
						Error::Refused(format!(
							"{} opened no emergency access in the trail of {}",
							doctor.to_ss58check(),
							patient.to_ss58check()
						))
					})?
			}
		};
		let call = pallet_ehr_consent::Call::review_emergency_access {
			patient: patient.clone(),
			entry,
			verdict,
		};
		Ok((entry, self.chain.submit(hospital, call_consent(call)).await?))
	}

	/// The open emergency accesses to `patient`.
	pub async fn open_emergencies(
		&self,
		patient: &AccountId,
	) -> Result<Vec<ehr_rpc_api::EmergencyAccess>, Error> {
		self.rpc()
			.emergency_accesses(patient.clone(), None)
			.await
			.map_err(rpc_error("ehr_emergencyAccesses"))
	}

	/// The trail of `patient` from entry `from` to the end: (total, entries, verified). When
	/// verifying, every page is proven at the newest verified block; otherwise it is the node's
	/// word.
	#[allow(clippy::type_complexity)]
	pub async fn trail_since(
		&self,
		patient: &AccountId,
		from: u64,
	) -> Result<(u64, Vec<(u64, ehr_primitives::AuditEntry<AccountId, u32>)>, bool), Error> {
		let page = ehr_primitives::MAX_AUDIT_PAGE;
		let mut entries = Vec::new();
		let state = self.verified().await?;
		loop {
			let next = from + entries.len() as u64;
			let (total, got) = self.trail_page_in(state.as_ref(), patient, next, page).await?;
			let empty = got.is_empty();
			entries.extend(got);
			if empty || from + entries.len() as u64 >= total {
				return Ok((total, entries, state.is_some()));
			}
		}
	}

	/// At most `count` entries (up to [`ehr_primitives::MAX_AUDIT_PAGE`]) of `patient`'s trail
	/// from entry `from`: (total, entries, the verified block's number when verifying).
	#[allow(clippy::type_complexity)]
	pub async fn trail_page(
		&self,
		patient: &AccountId,
		from: u64,
		count: u32,
	) -> Result<(u64, Vec<(u64, ehr_primitives::AuditEntry<AccountId, u32>)>, Option<u32>), Error>
	{
		let state = self.verified().await?;
		let count = count.clamp(1, ehr_primitives::MAX_AUDIT_PAGE);
		let (total, entries) = self.trail_page_in(state.as_ref(), patient, from, count).await?;
		Ok((total, entries, state.map(|s| s.header().number)))
	}

	#[allow(clippy::type_complexity)]
	async fn trail_page_in(
		&self,
		state: Option<&verified::VerifiedState<'_>>,
		patient: &AccountId,
		from: u64,
		count: u32,
	) -> Result<(u64, Vec<(u64, ehr_primitives::AuditEntry<AccountId, u32>)>), Error> {
		Ok(match state {
			Some(state) => {
				let verified =
					audit::trail_page_at(&self.chain, state.header(), patient, from, count).await?;
				(verified.total, verified.entries)
			}
			None => {
				let listed = self
					.rpc()
					.audit_trail(patient.clone(), from, Some(count), None)
					.await
					.map_err(rpc_error("ehr_auditTrail"))?;
				(
					listed.total,
					listed.entries.into_iter().map(|proven| (proven.index, proven.entry)).collect(),
				)
			}
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
