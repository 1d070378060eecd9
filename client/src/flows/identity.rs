//! Hospital administration and identities: doctors verified, suspended and reinstated,
//! patients invited and registered, encryption keys published, delegates named.

use crate::*;
use ehr_rpc_api::EhrApiClient;

/// Who an account is on chain ([`Client::role`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
	/// A doctor verified by `hospital` (and accepted), active or suspended.
	Doctor {
		/// The hospital that verified the doctor.
		hospital: AccountId,
		/// Full name, as on the licence.
		name: String,
		/// Suspended by its hospital.
		suspended: bool,
	},
	/// A registered patient.
	Patient,
	/// Neither (a hospital, an outsider).
	Other,
}

impl Client {
	/// Who `who` is at the best block: a doctor, a patient, or neither.
	pub async fn role(&self, who: &AccountId) -> Result<Role, Error> {
		let doctor_key = pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(who);
		if let Some(doctor) =
			self.chain.storage::<pallet_ehr_identity::DoctorOf<Runtime>>(&doctor_key, None).await?
		{
			return Ok(Role::Doctor {
				hospital: doctor.hospital,
				name: String::from_utf8_lossy(&doctor.name).into_owned(),
				suspended: doctor.status == ehr_primitives::DoctorStatus::Suspended,
			});
		}
		let patient_key = pallet_ehr_identity::Patients::<Runtime>::hashed_key_for(who);
		let patient = self
			.chain
			.storage::<pallet_ehr_identity::PatientOf<Runtime>>(&patient_key, None)
			.await?;
		Ok(if patient.is_some() { Role::Patient } else { Role::Other })
	}

	// --- Hospital administration ---

	/// A member hospital verifies a doctor.
	pub async fn register_doctor(
		&self,
		hospital: &Keys,
		doctor: &AccountId,
		name: &str,
		specialty: &str,
		licence: &str,
	) -> Result<Included, Error> {
		let call = call_identity(pallet_ehr_identity::Call::register_doctor {
			doctor: doctor.clone(),
			name: name.as_bytes().to_vec(),
			specialty: specialty.as_bytes().to_vec(),
			licence: licence.as_bytes().to_vec(),
		});
		self.chain.submit(hospital, call).await
	}

	/// The account `doctor` accepts the doctor's role `hospital` offered it, and publishes its
	/// encryption key with the acceptance: from this block on it is the hospital's doctor.
	pub async fn accept_doctor(
		&self,
		doctor: &Keys,
		hospital: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::accept_doctor {
			hospital: hospital.clone(),
			encryption_key: doctor.encryption_key(),
		};
		self.chain.submit(doctor, call_identity(call)).await
	}

	/// The doctor's role offered to `who` and not yet accepted, if any: the offering hospital
	/// and what it offered (name, specialty, licence).
	pub async fn doctor_offer(
		&self,
		who: &AccountId,
	) -> Result<Option<pallet_ehr_identity::DoctorOf<Runtime>>, Error> {
		self.value(pallet_ehr_identity::DoctorOffers::<Runtime>::hashed_key_for(who)).await
	}

	/// A member hospital names the account that releases its escrowed shares in emergencies
	/// (its custodian service), or goes back to releasing with its own account (`None`).
	pub async fn set_custodian(
		&self,
		hospital: &Keys,
		custodian: Option<&AccountId>,
	) -> Result<Included, Error> {
		let call = RuntimeCall::Escrow(pallet_ehr_escrow::Call::set_custodian {
			custodian: custodian.cloned(),
		});
		self.chain.submit(hospital, call).await
	}

	/// The doctor's hospital suspends the doctor.
	pub async fn suspend_doctor(
		&self,
		hospital: &Keys,
		doctor: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::suspend_doctor { doctor: doctor.clone() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	/// The doctor's hospital reinstates the doctor.
	pub async fn reinstate_doctor(
		&self,
		hospital: &Keys,
		doctor: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::reinstate_doctor { doctor: doctor.clone() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	/// A hospital invites an account to register as a patient without tokens.
	pub async fn invite_patient(
		&self,
		hospital: &Keys,
		patient: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::invite_patient { patient: patient.clone() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	/// A member hospital sets the name it appears under in the directory.
	pub async fn set_hospital_name(&self, hospital: &Keys, name: &str) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::set_hospital_name { name: name.as_bytes().to_vec() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	/// A hospital withdraws its unused invitation of `who`, or its doctor's role offered to
	/// `who` and not yet accepted.
	pub async fn cancel_invitation(
		&self,
		hospital: &Keys,
		who: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::cancel_invitation { patient: who.clone() };
		self.chain.submit(hospital, call_identity(call)).await
	}

	// --- Identity ---

	/// The patient registers with the encryption key of `patient`.
	pub async fn register_patient(&self, patient: &Keys) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::register_patient {
			encryption_key: patient.encryption_key(),
		};
		self.chain.submit(patient, call_identity(call)).await
	}

	/// A doctor or patient publishes (or rotates to) the encryption key of `who`.
	pub async fn set_encryption_key(&self, who: &Keys) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::set_encryption_key { key: who.encryption_key() };
		self.chain.submit(who, call_identity(call)).await
	}

	/// The patient names a delegate.
	pub async fn add_delegate(
		&self,
		patient: &Keys,
		delegate: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::add_delegate { delegate: delegate.clone() };
		self.chain.submit(patient, call_identity(call)).await
	}

	/// The patient removes a delegate.
	pub async fn remove_delegate(
		&self,
		patient: &Keys,
		delegate: &AccountId,
	) -> Result<Included, Error> {
		let call = pallet_ehr_identity::Call::remove_delegate { delegate: delegate.clone() };
		self.chain.submit(patient, call_identity(call)).await
	}

	/// The names the member hospitals gave themselves (`set_hospital_name`), from storage.
	pub async fn hospital_names(&self) -> Result<Vec<(AccountId, String)>, Error> {
		use codec::Decode;
		let prefix = chain::storage_prefix(b"Identity", b"HospitalNames");
		let mut names = Vec::new();
		for raw in self.chain.keys_under(&prefix, None).await? {
			// Blake2_128Concat: 16 bytes of hash, then the account.
			let Some(hospital) =
				raw.get(prefix.len() + 16..).and_then(|mut rest| AccountId::decode(&mut rest).ok())
			else {
				continue;
			};
			if let Some(name) = self.chain.storage::<Vec<u8>>(&raw, None).await? {
				names.push((hospital, String::from_utf8_lossy(&name).into_owned()));
			}
		}
		Ok(names)
	}

	/// The doctors of the directory (every page), optionally of one hospital.
	pub async fn doctors(
		&self,
		hospital: Option<&AccountId>,
	) -> Result<Vec<ehr_rpc_api::Doctor>, Error> {
		let mut all = Vec::new();
		let mut after = None;
		loop {
			let page = self
				.rpc()
				.doctors(after.clone(), Some(ehr_rpc_api::MAX_PAGE), None)
				.await
				.map_err(rpc_error("ehr_doctors"))?;
			let full = page.len() as u32 == ehr_rpc_api::MAX_PAGE;
			after = page.last().map(|doctor| doctor.account.clone());
			all.extend(page.into_iter().filter(|d| hospital.is_none_or(|h| d.hospital == *h)));
			if !full {
				break;
			}
		}
		Ok(all)
	}
}
