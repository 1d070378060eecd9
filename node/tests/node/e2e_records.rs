//! End to end on `ehr-node --dev`, with real signed transactions and no tokens: a patient adds a
//! record, grants a doctor and shares the record's key in one atomic batch, the doctor writes a
//! prescription the patient can open, the patient revokes and the doctor's keys are gone; then a
//! doctor publishes a slot, the patient books it, and the visit is confirmed and completed. The
//! `ehr_*` RPC methods answer at each step, and the audit trail holds every step in order.

use crate::common::*;
use ehr_primitives::{AccessLevel, AuditEvent, Purpose, RecordCategory, Scope, VisitKind};
use ehr_runtime::{AccountId, Hash, Runtime, RuntimeCall};
use jsonrpsee::{core::client::ClientT, rpc_params, ws_client::WsClient};
use serde_json::Value;
use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave};
use sp_runtime::DispatchError;

fn identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

fn records(call: pallet_ehr_records::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Records(call)
}

fn appointments(call: pallet_ehr_appointments::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Appointments(call)
}

/// A binary CIDv1 (raw, sha2-256) whose digest is `seed` repeated.
fn cid(seed: u8) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	cid
}

async fn run(client: &WsClient, signer: Sr25519Keyring, call: RuntimeCall) -> Hash {
	let extrinsic = sign(client, signer, call).await;
	let block = submit_in_block(client, extrinsic).await;
	serde_json::from_value(Value::String(block)).expect("a block hash")
}

fn add_record(
	patient: &AccountId,
	category: RecordCategory,
	seed: u8,
	readers: &[&AccountId],
) -> RuntimeCall {
	records(pallet_ehr_records::Call::add_record {
		patient: patient.clone(),
		category,
		cid: cid(seed).try_into().unwrap(),
		content_hash: [seed; 32],
		size: 4_096,
		keys: readers
			.iter()
			.map(|reader| ((*reader).clone(), vec![seed; 80].try_into().unwrap()))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
		escrow: None,
	})
}

async fn reader_records(client: &WsClient, reader: &AccountId, at: Hash) -> Vec<Value> {
	client
		.request("ehr_readerRecords", rpc_params![reader.to_ss58check(), None::<String>, at])
		.await
		.unwrap()
}

/// The pallet index of `Records` in the runtime, to recognise its errors.
const RECORDS_PALLET: u8 = 32;

#[tokio::test(flavor = "multi_thread")]
async fn records_keys_and_appointments_end_to_end() {
	let mut node = DevNode::start();
	let client = node.client().await;
	let (hospital, doctor, patient) = (Alice, Bob, Dave);
	let (doctor_id, patient_id) = (doctor.to_account_id(), patient.to_account_id());

	run(
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
	run(
		&client,
		hospital,
		identity(pallet_ehr_identity::Call::invite_patient { patient: patient_id.clone() }),
	)
	.await;
	run(
		&client,
		patient,
		identity(pallet_ehr_identity::Call::register_patient { encryption_key: [4; 32] }),
	)
	.await;
	run(
		&client,
		doctor,
		identity(pallet_ehr_identity::Call::accept_doctor {
			hospital: hospital.to_account_id(),
			encryption_key: [2; 32],
		}),
	)
	.await;

	// The patient uploads a lab report, readable by the patient only.
	run(&client, patient, add_record(&patient_id, RecordCategory::LabReport, 1, &[&patient_id]))
		.await;

	// Consent and the record key for the doctor arrive in one atomic transaction.
	let grant_and_share = RuntimeCall::Utility(pallet_utility::Call::batch_all {
		calls: vec![
			RuntimeCall::Consent(pallet_ehr_consent::Call::grant_access {
				patient: patient_id.clone(),
				grantee: doctor_id.clone(),
				scope: Scope::All,
				access: AccessLevel::ReadWrite,
				expires_at: None,
				purpose: Purpose::Treatment,
			}),
			records(pallet_ehr_records::Call::share_keys {
				reader: doctor_id.clone(),
				keys: vec![(0, vec![7; 80].try_into().unwrap())].try_into().unwrap(),
			}),
		],
	});
	let shared_in = run(&client, patient, grant_and_share).await;
	let readable = reader_records(&client, &doctor_id, shared_in).await;
	assert_eq!(readable.len(), 1);
	assert_eq!(readable[0]["id"], 0);
	assert_eq!(readable[0]["category"], "lab-report");
	assert_eq!(readable[0]["wrappedKey"], format!("0x{}", "07".repeat(80)));
	assert_eq!(readable[0]["cid"], format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&cid(1))));

	// The doctor writes a prescription for the patient, wrapped for both.
	let written_in = run(
		&client,
		doctor,
		add_record(&patient_id, RecordCategory::Prescription, 2, &[&patient_id, &doctor_id]),
	)
	.await;
	let prescriptions: Vec<Value> = client
		.request(
			"ehr_patientRecords",
			rpc_params![patient_id.to_ss58check(), "prescription", written_in],
		)
		.await
		.unwrap();
	assert_eq!(prescriptions.len(), 1);
	assert_eq!(prescriptions[0]["author"], doctor_id.to_ss58check());
	let for_patient: Option<Value> = client
		.request("ehr_record", rpc_params![1, patient_id.to_ss58check(), written_in])
		.await
		.unwrap();
	assert_eq!(for_patient.unwrap()["wrappedKey"], format!("0x{}", "02".repeat(80)));

	// The patient revokes: the doctor's keys go with the consent, and later records cannot be
	// wrapped for the doctor.
	let revoked_in = run(
		&client,
		patient,
		RuntimeCall::Consent(pallet_ehr_consent::Call::revoke_access {
			patient: patient_id.clone(),
			grantee: doctor_id.clone(),
		}),
	)
	.await;
	assert!(reader_records(&client, &doctor_id, revoked_in).await.is_empty());
	let refused = sign(
		&client,
		patient,
		add_record(&patient_id, RecordCategory::Imaging, 3, &[&patient_id, &doctor_id]),
	)
	.await;
	let error = submit_failing(&client, refused).await;
	assert!(
		matches!(error, DispatchError::Module(module) if module.index == RECORDS_PALLET),
		"a records error, not {error:?}"
	);

	// Appointments: the doctor publishes a slot shortly ahead; the patient finds and books it.
	let start = now_ms() + 40_000;
	let published_in = run(
		&client,
		doctor,
		appointments(pallet_ehr_appointments::Call::publish_slot {
			start,
			duration_minutes: 15,
			kind: VisitKind::Video,
		}),
	)
	.await;
	let free: Vec<Value> = client
		.request(
			"ehr_freeSlots",
			rpc_params![doctor_id.to_ss58check(), start - 1, start + 1, published_in],
		)
		.await
		.unwrap();
	assert_eq!(free.len(), 1);
	let slot = free[0]["id"].as_u64().unwrap();
	run(
		&client,
		patient,
		appointments(pallet_ehr_appointments::Call::book { slot, reason: Some(cid(9)) }),
	)
	.await;
	run(&client, doctor, appointments(pallet_ehr_appointments::Call::confirm { appointment: 0 }))
		.await;
	// The visit can be completed once it has started.
	while now_ms() < start + 7_000 {
		tokio::time::sleep(std::time::Duration::from_secs(1)).await;
	}
	let completed_in = run(
		&client,
		doctor,
		appointments(pallet_ehr_appointments::Call::complete { appointment: 0 }),
	)
	.await;
	let visits: Vec<Value> = client
		.request("ehr_patientAppointments", rpc_params![patient_id.to_ss58check(), completed_in])
		.await
		.unwrap();
	assert_eq!(visits.len(), 1);
	assert_eq!(visits[0]["status"], "completed");
	let changes: Vec<&str> = visits[0]["history"]
		.as_array()
		.unwrap()
		.iter()
		.map(|entry| {
			entry["change"].as_object().map_or_else(
				|| entry["change"].as_str().unwrap(),
				|object| object.keys().next().unwrap().as_str(),
			)
		})
		.collect();
	assert_eq!(changes, vec!["booked", "confirmed", "completed"]);
	let schedule: Vec<Value> = client
		.request(
			"ehr_doctorSchedule",
			rpc_params![doctor_id.to_ss58check(), 0, u64::MAX, completed_in],
		)
		.await
		.unwrap();
	assert!(schedule.is_empty(), "a finished visit's slot is removed");

	// Once finalized, the patient's trail holds every step, in order.
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
	let page = loop {
		let page: Value = client
			.request("ehr_auditTrail", rpc_params![patient_id.to_ss58check(), 0, 100])
			.await
			.unwrap();
		if page["total"].as_u64() == Some(11) {
			break page;
		}
		assert!(std::time::Instant::now() < deadline, "the visit was not finalized");
		tokio::time::sleep(std::time::Duration::from_secs(2)).await;
	};
	let mut events: Vec<AuditEvent<AccountId>> = page["entries"]
		.as_array()
		.unwrap()
		.iter()
		.map(|entry| serde_json::from_value(entry["entry"]["event"].clone()).unwrap())
		.collect();
	let expected = vec![
		AuditEvent::RecordAdded { record: 0, category: RecordCategory::LabReport },
		AuditEvent::ConsentGranted {
			grantee: doctor_id.clone(),
			grant: match &events[1] {
				AuditEvent::ConsentGranted { grant, .. } => grant.clone(),
				other => panic!("a grant, not {other:?}"),
			},
		},
		AuditEvent::KeyShared { record: 0, reader: doctor_id.clone() },
		AuditEvent::RecordAdded { record: 1, category: RecordCategory::Prescription },
		AuditEvent::KeyShared { record: 1, reader: doctor_id.clone() },
		AuditEvent::ConsentRevoked { grantee: doctor_id.clone() },
		AuditEvent::Appointment {
			appointment: 0,
			doctor: doctor_id.clone(),
			change: ehr_primitives::AppointmentChange::Booked { start },
		},
		AuditEvent::Appointment {
			appointment: 0,
			doctor: doctor_id.clone(),
			change: ehr_primitives::AppointmentChange::Confirmed,
		},
		AuditEvent::Appointment {
			appointment: 0,
			doctor: doctor_id.clone(),
			change: ehr_primitives::AppointmentChange::Completed,
		},
	];
	// Right after the revocation, at the end of its block, the doctor's two keys were removed
	// (in storage order), each with a trail entry in the patient's name.
	let removed: Vec<_> = events.drain(6..8).collect();
	for record in [0, 1] {
		assert!(
			removed.contains(&AuditEvent::KeyRemoved { record, reader: doctor_id.clone() }),
			"{removed:?}"
		);
	}
	assert_eq!(events, expected);
}
