//! Records: the readers a new record is wrapped for (proven when verifying), upload and
//! amendment (wrap, encrypt, store, point to it on chain), fetch (decrypt, check the
//! commitment, log the read), erasure.

use super::escrow::Written;
use crate::*;
use ehr_runtime::RuntimeEvent;

/// A sealed envelope: its summary, its CID, the content key wrapped for each reader, and the
/// content key itself (for its escrow shares).
pub(crate) type Sealed =
	(envelope::Summary, Vec<u8>, Vec<(AccountId, Vec<u8>)>, envelope::ContentKey);

impl Client {
	// --- Records ---

	/// The grants of `patient`.
	pub async fn grants(&self, patient: &AccountId) -> Result<Vec<GrantInfo>, Error> {
		self.rpc()
			.patient_grants(patient.clone(), None)
			.await
			.map_err(rpc_error("ehr_patientGrants"))
	}

	/// The accounts a new record of `category` is wrapped for: the patient, and every grantee
	/// whose grant covers it now and who has a usable encryption key; with their keys. Readers
	/// whose key is unusable (of small order, or not canonical: the chain refuses those now, but
	/// an older chain may hold one) are left out and returned second, to report.
	pub(crate) async fn readers(
		&self,
		patient: &AccountId,
		category: RecordCategory,
	) -> Result<(Vec<(AccountId, [u8; 32])>, Vec<AccountId>), Error> {
		let all = self.all_readers(patient, category).await?;
		let (usable, unusable): (Vec<_>, Vec<_>) =
			all.into_iter().partition(|(_, key)| ehr_primitives::is_usable_encryption_key(key));
		if !usable.first().is_some_and(|(first, _)| first == patient) {
			return Err(Error::Refused(format!(
				"the encryption key of patient {patient} is not usable: publish a new one"
			)));
		}
		Ok((usable, unusable.into_iter().map(|(reader, _)| reader).collect()))
	}

	pub(crate) async fn all_readers(
		&self,
		patient: &AccountId,
		category: RecordCategory,
	) -> Result<Vec<(AccountId, [u8; 32])>, Error> {
		if let Some(state) = self.verified().await? {
			return state.readers(patient, category).await;
		}
		let now = self.chain.now().await?;
		let mut readers = Vec::new();
		let patient_key =
			self.chain.encryption_key(patient).await?.ok_or_else(|| not_a_patient(patient))?;
		readers.push((patient.clone(), patient_key));
		for GrantInfo { grantee, grant } in self.grants(patient).await? {
			if grant.allows(category, AccessLevel::Read, now) {
				if let Some(key) = self.chain.encryption_key(&grantee).await? {
					readers.push((grantee, key));
				}
			}
		}
		Ok(readers)
	}

	/// Encrypts the file at `path`, stores it, and wraps its key for `readers`.
	pub(crate) async fn seal(
		&self,
		path: &Path,
		readers: &[(AccountId, [u8; 32])],
		progress: &mut (impl FnMut(u64, u64) + Send),
	) -> Result<Sealed, Error> {
		let named = |e: std::io::Error| Error::Invalid(format!("{}: {e}", path.display()));
		let total = std::fs::metadata(path).map_err(named)?.len();
		let input = std::io::BufReader::new(std::fs::File::open(path).map_err(named)?);
		self.seal_from(input, total, readers, progress).await
	}

	/// Encrypts `total` bytes from `input`, stores the envelope, and wraps its key for `readers`.
	pub(crate) async fn seal_from(
		&self,
		input: impl std::io::Read,
		total: u64,
		readers: &[(AccountId, [u8; 32])],
		progress: &mut (impl FnMut(u64, u64) + Send),
	) -> Result<Sealed, Error> {
		// The readers' keys (the patient's own included) are the chain's only if proven.
		self.may_give_out("wrapping a record's key for its readers")?;
		let sealed = tempfile::NamedTempFile::new()?;
		let key = envelope::ContentKey::generate();
		// Wrapped before anything is stored: a failure leaves nothing pinned.
		let keys = readers
			.iter()
			.map(|(reader, public)| Ok((reader.clone(), envelope::wrap(&key, public)?.to_vec())))
			.collect::<Result<Vec<_>, Error>>()?;
		let summary =
			envelope::encrypt(&key, input, std::io::BufWriter::new(sealed.as_file()), |done| {
				progress(done, total)
			})?;
		let cid = self.store.put(sealed.path()).await?;
		Ok((summary, cid, keys, key))
	}

	/// Submits a call that points to a just-stored envelope; if the chain refuses it, the
	/// envelope is unpinned so that nothing is left behind.
	pub(crate) async fn submit_or_unpin(
		&self,
		author: &Keys,
		call: RuntimeCall,
		cid: &[u8],
	) -> Result<Included, Error> {
		let result = self.chain.submit(author, call).await;
		if result.is_err() {
			// Best effort: the refusal is the error to report.
			let _ = self.store.unpin(cid).await;
		}
		result
	}

	/// Encrypts the file at `path` and adds it as a record of `category` for `patient`. The
	/// author is the patient, or a doctor with write consent; the key is wrapped for the patient
	/// and every current reader of the category. `progress` gets (bytes done, total).
	pub async fn upload(
		&self,
		author: &Keys,
		patient: &AccountId,
		category: RecordCategory,
		path: &Path,
		mut progress: impl FnMut(u64, u64) + Send,
	) -> Result<Uploaded, Error> {
		let (readers, skipped) = self.readers(patient, category).await?;
		let sealed = self.seal(path, &readers, &mut progress).await?;
		self.add_sealed(author, patient, category, sealed, &readers, &skipped).await
	}

	/// [`Client::upload`] from memory: `plaintext` never touches the disk (only its envelope,
	/// on its way to the store). For servers that must not keep plaintext beyond a request.
	pub async fn upload_bytes(
		&self,
		author: &Keys,
		patient: &AccountId,
		category: RecordCategory,
		plaintext: &[u8],
	) -> Result<Uploaded, Error> {
		let (readers, skipped) = self.readers(patient, category).await?;
		let sealed =
			self.seal_from(plaintext, plaintext.len() as u64, &readers, &mut |_, _| ()).await?;
		self.add_sealed(author, patient, category, sealed, &readers, &skipped).await
	}

	/// Points to a sealed envelope on chain as a new record, with its key's escrow shares in
	/// the same transaction when the category is openable in an emergency.
	async fn add_sealed(
		&self,
		author: &Keys,
		patient: &AccountId,
		category: RecordCategory,
		sealed: Sealed,
		readers: &[(AccountId, [u8; 32])],
		skipped: &[AccountId],
	) -> Result<Uploaded, Error> {
		let call = |cid, content_hash, size, keys, escrow| {
			call_records(pallet_ehr_records::Call::add_record {
				patient: patient.clone(),
				category,
				cid,
				content_hash,
				size,
				keys,
				escrow,
			})
		};
		let added = |event: &RuntimeEvent| match event {
			RuntimeEvent::Records(pallet_ehr_records::Event::RecordAdded { record, .. }) => {
				Some(*record)
			}
			_ => None,
		};
		let target = (patient, category);
		self.write_sealed(author, target, sealed, (readers, skipped), call, added, "RecordAdded")
			.await
	}

	/// Amends `record` with the file at `path` (a new version, same category and readers rule).
	pub async fn amend(
		&self,
		author: &Keys,
		record: RecordId,
		path: &Path,
		mut progress: impl FnMut(u64, u64) + Send,
	) -> Result<Uploaded, Error> {
		let current = self.record(record, None).await?;
		let (readers, skipped) = self.readers(&current.patient, current.category).await?;
		let sealed = self.seal(path, &readers, &mut progress).await?;
		let call = |cid, content_hash, size, keys, escrow| {
			call_records(pallet_ehr_records::Call::amend_record {
				record,
				cid,
				content_hash,
				size,
				keys,
				escrow,
			})
		};
		let amended = |event: &RuntimeEvent| match event {
			RuntimeEvent::Records(pallet_ehr_records::Event::RecordAmended {
				new_version, ..
			}) => Some(*new_version),
			_ => None,
		};
		let target = (&current.patient, current.category);
		let readers = (&readers[..], &skipped[..]);
		self.write_sealed(author, target, sealed, readers, call, amended, "RecordAmended").await
	}

	/// What an upload and an amendment share once the envelope is sealed and stored: the escrow
	/// shares of its key for `(patient, category)` (if openable in an emergency), one
	/// transaction `call(cid, commitment, size, reader keys, escrow)`, and the new record's id
	/// from the `event` that `id_of` finds.
	#[allow(clippy::too_many_arguments)]
	async fn write_sealed(
		&self,
		author: &Keys,
		(patient, category): (&AccountId, RecordCategory),
		(summary, cid, keys, key): Sealed,
		(readers, skipped): (&[(AccountId, [u8; 32])], &[AccountId]),
		call: impl Fn(
			pallet_ehr_records::CidOf<Runtime>,
			[u8; 32],
			u64,
			pallet_ehr_records::ReaderKeysOf<Runtime>,
			Option<pallet_ehr_records::KeyEscrowOf<Runtime>>,
		) -> RuntimeCall,
		id_of: impl Fn(&RuntimeEvent) -> Option<RecordId>,
		event: &str,
	) -> Result<Uploaded, Error> {
		let me = author.account_id();
		let written = Written { patient, category, author: &me, commitment: summary.content_hash };
		let escrow = self.escrow_with_upload(&written, &key).await;
		let (bounded, reader_keys) = (bounded_cid(&cid)?, bounded_reader_keys(keys)?);
		let with = |escrow| {
			call(
				bounded.clone(),
				summary.content_hash,
				summary.envelope_len,
				reader_keys.clone(),
				escrow,
			)
		};
		let (included, escrowed, escrow_failed) =
			self.submit_upload(author, escrow, with, &cid).await?;
		let record = included
			.events
			.iter()
			.find_map(id_of)
			.ok_or_else(|| Error::Node(format!("no {event} event")))?;
		let mut done = uploaded(record, &cid, &summary, readers, skipped, included.block);
		done.escrowed_in_block = escrowed.then_some(included.number);
		done.escrow_failed = escrow_failed;
		Ok(done)
	}

	/// The escrow shares the upload of `written` carries (`None` if its category is not openable
	/// for the patient, or there is no committee), and why there are none when the upload should
	/// have carried them: the record is then added without, as before, and `ehr emergency sync`
	/// escrows it later.
	async fn escrow_with_upload(
		&self,
		written: &Written<'_>,
		key: &envelope::ContentKey,
	) -> (Option<pallet_ehr_records::KeyEscrowOf<Runtime>>, Option<String>) {
		match self.escrow_for_new(written, key).await {
			Ok(escrow) => (escrow, None),
			Err(error) => (None, Some(error.to_string())),
		}
	}

	/// Submits an upload, `call(escrow)`: one transaction with the shares. If the chain refuses
	/// only the escrow (an `Escrow` error: the committee changed or lost a hospital since it was
	/// read, the category stopped being openable), the record goes without it, as before, and
	/// the refusal is reported: an escrow never keeps a record from being stored. Unpins the
	/// envelope if the record itself is refused. Returns the inclusion, whether the shares went
	/// with it, and why not.
	async fn submit_upload(
		&self,
		author: &Keys,
		(escrow, mut failed): (Option<pallet_ehr_records::KeyEscrowOf<Runtime>>, Option<String>),
		call: impl Fn(Option<pallet_ehr_records::KeyEscrowOf<Runtime>>) -> RuntimeCall,
		cid: &[u8],
	) -> Result<(Included, bool, Option<String>), Error> {
		if escrow.is_some() {
			match self.chain.submit(author, call(escrow)).await {
				Ok(included) => return Ok((included, true, None)),
				Err(Error::Refused(why)) if why.starts_with("Escrow: ") => failed = Some(why),
				Err(error) => {
					// Best effort: the refusal is the error to report.
					let _ = self.store.unpin(cid).await;
					return Err(error);
				}
			}
		}
		let included = self.submit_or_unpin(author, call(None), cid).await?;
		Ok((included, false, failed))
	}

	/// One record, with the key wrapped for `reader` if given.
	pub async fn record(
		&self,
		id: RecordId,
		reader: Option<&AccountId>,
	) -> Result<RecordInfo, Error> {
		if let Some(state) = self.verified().await? {
			let (record, wrapped) = state.record(id, reader).await?.ok_or_else(|| no_record(id))?;
			return Ok(verified::record_info(id, record, wrapped));
		}
		let record =
			self.rpc().record(id, reader.cloned(), None).await.map_err(rpc_error("ehr_record"))?;
		record.ok_or_else(|| no_record(id))
	}

	/// The records of `patient` (every version not erased), of `category` if given.
	pub async fn records(
		&self,
		patient: &AccountId,
		category: Option<RecordCategory>,
	) -> Result<Vec<RecordInfo>, Error> {
		self.rpc()
			.patient_records(patient.clone(), category, None)
			.await
			.map_err(rpc_error("ehr_patientRecords"))
	}

	/// Every version of the record `id` belongs to.
	pub async fn versions(&self, id: RecordId) -> Result<Vec<RecordInfo>, Error> {
		self.rpc().record_versions(id, None).await.map_err(rpc_error("ehr_recordVersions"))
	}

	/// Opens record `id` with `reader`'s key: fetches the envelope, decrypts it into `out` and
	/// checks the plaintext against the commitment on chain; returns the record. **Does not log
	/// the read**: a caller that shows the plaintext to anyone but the patient logs it first
	/// ([`Client::log_reads`]), as [`Client::fetch`] does. An erased record is
	/// [`Error::Refused`]; `out` may hold partial plaintext when this fails, so callers write to
	/// a buffer or temporary file and keep it only on success.
	pub async fn open(
		&self,
		reader: &Keys,
		id: RecordId,
		out: impl std::io::Write,
		progress: impl FnMut(u64, u64) + Send,
	) -> Result<(RecordInfo, envelope::Summary), Error> {
		self.open_with(reader, id, out, progress, true, None).await
	}

	async fn open_with(
		&self,
		reader: &Keys,
		id: RecordId,
		out: impl std::io::Write,
		mut progress: impl FnMut(u64, u64) + Send,
		emergency: bool,
		scratch: Option<&Path>,
	) -> Result<(RecordInfo, envelope::Summary), Error> {
		let me = reader.account_id();
		let record = self.record(id, Some(&me)).await?;
		if record.erased {
			return Err(Error::Refused(format!("record {id} was erased")));
		}
		let no_key = || {
			Error::Refused(format!(
				"record {id} holds no key for you ({}): the patient shares it by granting you \
				 access (`ehr consent grant`), or with `ehr consent sync` if you were granted \
				 access before publishing your encryption key",
				reader.address()
			))
		};
		// The envelope waits next to where the plaintext goes (a large record may not fit a
		// memory-backed temporary directory).
		let sealed = match scratch {
			Some(dir) => tempfile::NamedTempFile::new_in(dir)?,
			None => tempfile::NamedTempFile::new()?,
		};
		let key = match &record.wrapped_key {
			Some(wrapped) => {
				let key = reader.unwrap(wrapped)?;
				self.store.get(&record.cid, sealed.path()).await?;
				key
			}
			// Break-glass: the key from the shares the custodians released to this doctor.
			None if emergency
				&& me != record.patient
				&& self.chain.encryption_key(&me).await?.is_some() =>
			{
				self.store.get(&record.cid, sealed.path()).await?;
				self.emergency_key(reader, &record, sealed.path()).await?.ok_or_else(no_key)?
			}
			None => return Err(no_key()),
		};
		let total = record.size;
		let summary = envelope::decrypt(
			&key,
			std::io::BufReader::new(std::fs::File::open(sealed.path())?),
			std::io::BufWriter::new(out),
			|done| progress(done, total),
		)?;
		if summary.content_hash[..] != record.content_hash[..] {
			return Err(Error::HashMismatch);
		}
		Ok((record, summary))
	}

	/// Fetches record `id`, decrypts it with `reader`'s key into `out`, checks it against the
	/// hash on chain, and (for readers other than the patient) logs the access on chain. `out` is
	/// only written if everything checks.
	pub async fn fetch(
		&self,
		reader: &Keys,
		id: RecordId,
		out: &Path,
		progress: impl FnMut(u64, u64) + Send,
	) -> Result<Fetched, Error> {
		let me = reader.account_id();
		let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
		let plain = tempfile::NamedTempFile::new_in(dir)?;
		let (record, summary) =
			self.open_with(reader, id, plain.as_file(), progress, true, Some(dir)).await?;
		let access_logged = me != record.patient;
		// With an outbox, the log entry is checked against the newest block, signed and queued
		// on disk before anything is written: a read the chain would not log (a grant revoked
		// meanwhile) writes nothing, and a crash after the write leaves the entry to send.
		// Without one, the reader waits for the entry to be in a block, not for finality.
		let log = self.log_reads(reader, &record.patient, &[&record]).await?;
		plain.persist(out).map_err(|e| Error::Io(e.error))?;
		let (log_queued, logged_in_block) = match log {
			Some(ReadLog::Queued(entry)) => (Some(entry), None),
			Some(ReadLog::InBlock(number)) => (None, Some(number)),
			None => (None, None),
		};
		Ok(Fetched {
			record: id,
			path: out.to_path_buf(),
			plaintext_len: summary.plaintext_len,
			access_logged,
			logged_in_block,
			log_queued,
			patient: record.patient.clone(),
			author: record.author.clone(),
		})
	}

	/// The patient (or a delegate) erases `id` with all its versions, and unpins them. The
	/// erasure is final once this returns; an unpin that fails (IPFS down) does not undo it:
	/// it is returned in [`Erased::unpin_pending`], to retry with [`Store::unpin`].
	pub async fn erase(&self, patient: &Keys, id: RecordId) -> Result<Erased, Error> {
		let included = self
			.chain
			.submit(patient, call_records(pallet_ehr_records::Call::erase_record { record: id }))
			.await?;
		let mut erased = Erased { number: included.number, ..Default::default() };
		for event in included.events {
			if let ehr_runtime::RuntimeEvent::Records(pallet_ehr_records::Event::RecordErased {
				cid,
				..
			}) = event
			{
				match self.store.unpin(&cid).await {
					Ok(()) => erased.unpinned.push(cid::to_string(&cid)),
					Err(error) => {
						erased.unpin_pending.push((cid::to_string(&cid), error.to_string()))
					}
				}
			}
		}
		Ok(erased)
	}
}
