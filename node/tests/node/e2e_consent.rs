//! End to end on `ehr-node --dev`: a hospital verifies a doctor and invites a patient, the
//! patient registers, adds a record and grants, the doctor logs a read of it, the patient revokes — all with real
//! signed transactions and no tokens — then the `ehr_*` RPC answers, and an auditor verifies the
//! patient's trail against a finalized block's state root without trusting the node.

use crate::common::*;
use codec::Decode;
use ehr_primitives::{AccessLevel, AuditEntry, AuditEvent, Purpose, RecordCategory, Scope};
use ehr_runtime::{AccountId, BlockNumber, Hash, Runtime, RuntimeCall};
use jsonrpsee::{core::client::ClientT, rpc_params};
use serde_json::Value;
use sp_core::{bytes::from_hex, crypto::Ss58Codec};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave};

fn identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

fn consent(call: pallet_ehr_consent::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Consent(call)
}

/// Checks a page of `ehr_auditTrail` the way an auditor does, with the client's verifier
/// (`ehr_client::audit`): it trusts only a header whose finality it verified and the storage
/// layout.
fn verify_trail_page(
	header: &ehr_runtime::Header,
	patient: &AccountId,
	page: &Value,
) -> Result<Vec<AuditEntry<AccountId, BlockNumber>>, ehr_client::audit::AuditError> {
	let page: ehr_rpc_api::VerifiableTrailPage =
		serde_json::from_value(page.clone()).expect("the page has the answer's shape");
	let verified = ehr_client::audit::verify_page(header, patient, 0, 100, &page)?;
	Ok(verified.entries.into_iter().map(|(_, entry)| entry).collect())
}

/// The auditor's view of finality, from the dev chain's raw chain spec.
fn dev_finality() -> ehr_client::finality::Finality {
	let spec = std::process::Command::new(env!("CARGO_BIN_EXE_ehr-node"))
		.args(["build-spec", "--chain", "dev", "--raw"])
		.stderr(std::process::Stdio::null())
		.output()
		.expect("ehr-node build-spec");
	let genesis =
		ehr_client::finality::Checkpoint::from_chain_spec(&spec.stdout).expect("a raw chain spec");
	ehr_client::finality::Finality::from_checkpoint(genesis)
}

#[tokio::test(flavor = "multi_thread")]
async fn consent_flow_rpc_and_verified_audit_trail() {
	let mut node = DevNode::start();
	let client = node.client().await;
	let chain = ehr_client::Chain::connect(&node.rpc_url()).await.expect("the node answers");
	let (hospital, doctor, patient) = (Alice, Bob, Dave);
	let patient_id = patient.to_account_id();
	let doctor_id = doctor.to_account_id();

	// The hospital verifies a doctor and invites a patient (Dave holds no tokens).
	let register = sign(
		&client,
		hospital,
		identity(pallet_ehr_identity::Call::register_doctor {
			doctor: doctor_id.clone(),
			name: b"Dr. Bob Kelso".to_vec(),
			specialty: b"internal medicine".to_vec(),
			licence: b"MD-1001".to_vec(),
		}),
	)
	.await;
	submit_in_block(&client, register).await;
	let invite = sign(
		&client,
		hospital,
		identity(pallet_ehr_identity::Call::invite_patient { patient: patient_id.clone() }),
	)
	.await;
	submit_in_block(&client, invite).await;

	// The patient registers for free; the doctor accepts the hospital's offer with its key.
	let registration = sign(
		&client,
		patient,
		identity(pallet_ehr_identity::Call::register_patient { encryption_key: [4; 32] }),
	)
	.await;
	submit_in_block(&client, registration).await;
	let key = sign(
		&client,
		doctor,
		identity(pallet_ehr_identity::Call::accept_doctor {
			hospital: hospital.to_account_id(),
			encryption_key: [2; 32],
		}),
	)
	.await;
	submit_in_block(&client, key).await;

	// The patient adds a record (record 0): a read is logged only for a real record.
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([9; 32]);
	let record = sign(
		&client,
		patient,
		RuntimeCall::Records(pallet_ehr_records::Call::add_record {
			patient: patient_id.clone(),
			category: RecordCategory::Prescription,
			cid: cid.try_into().unwrap(),
			content_hash: [9; 32],
			size: 1_000,
			keys: vec![(patient_id.clone(), vec![4; 80].try_into().unwrap())].try_into().unwrap(),
			escrow: None,
		}),
	)
	.await;
	submit_in_block(&client, record).await;

	// Before consent, the doctor may not read.
	let may_read = |at: Option<Hash>| {
		let client = &client;
		let (doctor, patient) = (doctor_id.to_ss58check(), patient_id.to_ss58check());
		async move {
			client
				.request::<bool, _>(
					"ehr_checkAccess",
					rpc_params![doctor, patient, "prescription", "read", at],
				)
				.await
				.unwrap()
		}
	};
	let best: Hash = client.request("chain_getBlockHash", rpc_params![]).await.unwrap();
	assert!(!may_read(Some(best)).await);

	let grant = sign(
		&client,
		patient,
		consent(pallet_ehr_consent::Call::grant_access {
			patient: patient_id.clone(),
			grantee: doctor_id.clone(),
			scope: Scope::All,
			access: AccessLevel::Read,
			expires_at: None,
			purpose: Purpose::Treatment,
		}),
	)
	.await;
	let granted_in: Hash =
		serde_json::from_value(Value::String(submit_in_block(&client, grant).await)).unwrap();
	assert!(may_read(Some(granted_in)).await);

	let read = sign(
		&client,
		doctor,
		consent(pallet_ehr_consent::Call::log_access {
			patient: patient_id.clone(),
			record: 0,
			category: RecordCategory::Prescription,
		}),
	)
	.await;
	let read_in: Hash =
		serde_json::from_value(Value::String(submit_in_block(&client, read).await)).unwrap();

	// The apps' queries.
	let patients: Vec<AccountId> = client
		.request("ehr_doctorPatients", rpc_params![doctor_id.to_ss58check(), read_in])
		.await
		.unwrap();
	assert_eq!(patients, vec![patient_id.clone()]);
	let grants: Vec<Value> = client
		.request("ehr_patientGrants", rpc_params![patient_id.to_ss58check(), read_in])
		.await
		.unwrap();
	assert_eq!(grants.len(), 1);
	assert_eq!(grants[0]["grant"]["access"], "read");
	let doctors: Vec<Value> =
		client.request("ehr_doctors", rpc_params![None::<String>, 10, read_in]).await.unwrap();
	assert_eq!(doctors.len(), 1);
	assert_eq!(doctors[0]["name"], "Dr. Bob Kelso");
	assert_eq!(doctors[0]["suspended"], false);

	let revoke = sign(
		&client,
		patient,
		consent(pallet_ehr_consent::Call::revoke_access {
			patient: patient_id.clone(),
			grantee: doctor_id.clone(),
		}),
	)
	.await;
	let revoked_in: Hash =
		serde_json::from_value(Value::String(submit_in_block(&client, revoke).await)).unwrap();
	assert!(!may_read(Some(revoked_in)).await);

	// No one in this story held or spent a token.
	for who in [patient_id.clone()] {
		let account = frame_system::Account::<Runtime>::hashed_key_for(&who);
		let raw: Option<String> = client
			.request(
				"state_getStorage",
				rpc_params![sp_core::bytes::to_hex(&account, false), revoked_in],
			)
			.await
			.unwrap();
		let info = frame_system::AccountInfo::<u32, pallet_balances::AccountData<u128>>::decode(
			&mut &from_hex(&raw.unwrap()).unwrap()[..],
		)
		.unwrap();
		assert_eq!(info.data.free, 0);
		assert!(info.nonce >= 2);
	}

	// The auditor waits for finality, then verifies the trail without trusting the node.
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
	let mut finality = dev_finality();
	let (header, page) = loop {
		let header = finality.sync(&chain).await.expect("finality verifies");
		let page: Value = client
			.request(
				"ehr_auditTrail",
				rpc_params![patient_id.to_ss58check(), 0, 100, header.hash()],
			)
			.await
			.unwrap();
		if page["total"].as_u64() == Some(4) {
			break (header, page);
		}
		assert!(std::time::Instant::now() < deadline, "the revocation was not finalized");
		tokio::time::sleep(std::time::Duration::from_secs(2)).await;
	};
	let entries = verify_trail_page(&header, &patient_id, &page).expect("the page verifies");
	assert_eq!(
		entries[0].event,
		AuditEvent::RecordAdded { record: 0, category: RecordCategory::Prescription }
	);
	assert!(
		matches!(&entries[1].event, AuditEvent::ConsentGranted { grantee, .. } if grantee == &doctor_id)
	);
	assert_eq!(entries[1].actor, patient_id);
	assert_eq!(
		entries[2].event,
		AuditEvent::RecordAccessed { record: 0, category: RecordCategory::Prescription }
	);
	assert_eq!(entries[2].actor, doctor_id);
	assert_eq!(entries[3].event, AuditEvent::ConsentRevoked { grantee: doctor_id.clone() });
	assert!(entries
		.windows(2)
		.all(|pair| pair[0].block < pair[1].block && pair[0].time < pair[1].time));

	// A tampered entry or a truncated proof does not verify.
	let mut forged = page.clone();
	let value = forged["entries"][1]["value"].as_str().unwrap().to_string();
	let flipped =
		format!("{}{}", &value[..value.len() - 1], if value.ends_with('0') { '1' } else { '0' });
	forged["entries"][1]["value"] = Value::String(flipped);
	assert!(verify_trail_page(&header, &patient_id, &forged).is_err());
	let mut truncated = page.clone();
	truncated["proof"].as_array_mut().unwrap().pop();
	assert!(verify_trail_page(&header, &patient_id, &truncated).is_err());
	let mut inflated = page.clone();
	inflated["total"] = Value::from(page["total"].as_u64().unwrap() + 1);
	assert!(verify_trail_page(&header, &patient_id, &inflated).is_err());

	// Only finalized blocks are served to auditors.
	let best: Hash = client.request("chain_getBlockHash", rpc_params![]).await.unwrap();
	let finalized: Hash = client.request("chain_getFinalizedHead", rpc_params![]).await.unwrap();
	if best != finalized {
		let refused = client
			.request::<Value, _>(
				"ehr_auditTrail",
				rpc_params![patient_id.to_ss58check(), 0, 10, best],
			)
			.await;
		assert!(refused.is_err());
	}
}
