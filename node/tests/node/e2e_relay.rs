//! Two nodes of one chain relay a patient's call and a video visit's signalling: the patient's
//! app talks to node A, the doctor's app to node B (as when a patient's app uses one hospital's
//! node and the doctor listens on its own hospital's node).

use std::time::{Duration, Instant};

use crate::common::*;
use codec::Decode;
use ehr_primitives::Shift;
use ehr_rpc_api::{
	on_call_answer_payload, on_call_listen_payload, on_call_ready_payload, on_call_ring_payload,
	visit_listen_payload, visit_signal_payload, OnCallEvent, RingEvent, VisitRpcClient,
	VisitSignal,
};
use ehr_runtime::{Hash, Runtime, RuntimeCall};
use jsonrpsee::{
	core::client::{ClientT, Subscription},
	rpc_params,
	ws_client::WsClient,
};
use serde_json::Value;
use sp_core::Bytes;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave, Ferdie};

fn identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

fn sign_bytes(who: Sr25519Keyring, payload: &[u8]) -> Bytes {
	who.sign(payload).0.to_vec().into()
}

/// The next item of `subscription` within `seconds`.
async fn next<T: serde::de::DeserializeOwned + std::fmt::Debug>(
	subscription: &mut Subscription<T>,
	seconds: u64,
	what: &str,
) -> T {
	tokio::time::timeout(Duration::from_secs(seconds), subscription.next())
		.await
		.unwrap_or_else(|_| panic!("{what}: nothing within {seconds} s"))
		.unwrap_or_else(|| panic!("{what}: the subscription ended"))
		.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Waits until `client`'s node has imported block `hash`.
async fn until_imported(client: &WsClient, hash: &str) {
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		let header: Option<Value> =
			client.request("chain_getHeader", rpc_params![hash]).await.unwrap();
		if header.is_some() {
			return;
		}
		assert!(Instant::now() < deadline, "node B never imported {hash}");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}

/// The appointment an on-call visit made in `block`.
async fn visit_made_in(client: &WsClient, block: &str) -> u64 {
	let key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
	let key = sp_core::bytes::to_hex(&key, false);
	let raw: String = client.request("state_getStorage", rpc_params![key, block]).await.unwrap();
	let bytes = sp_core::bytes::from_hex(&raw).unwrap();
	let events =
		Vec::<frame_system::EventRecord<ehr_runtime::RuntimeEvent, Hash>>::decode(&mut &bytes[..])
			.unwrap();
	events
		.into_iter()
		.find_map(|record| match record.event {
			ehr_runtime::RuntimeEvent::Appointments(
				pallet_ehr_appointments::Event::AppointmentChanged { appointment, .. },
			) => Some(appointment),
			_ => None,
		})
		.expect("the visit was made")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_and_its_visit_reach_a_doctor_listening_on_another_node() {
	let mut node_a = DevNode::start();
	let a = node_a.client().await;
	let metrics_port = free_port();
	let mut node_b = DevNode::start_peer(&a, metrics_port).await;
	let b = node_b.client().await;
	let genesis: Hash = a.request("chain_getBlockHash", rpc_params![0]).await.unwrap();
	let (hospital, doctor, patient) = (Alice, Bob, Dave);
	let (hospital_id, doctor_id, patient_id) =
		(hospital.to_account_id(), doctor.to_account_id(), patient.to_account_id());

	// The hospital's doctor Bob, on call now; its patient Dave.
	let calls = [
		(
			hospital,
			identity(pallet_ehr_identity::Call::register_doctor {
				doctor: doctor_id.clone(),
				name: b"Dr. Bob Kelso".to_vec(),
				specialty: b"internal medicine".to_vec(),
				licence: b"MD-1001".to_vec(),
			}),
		),
		(
			doctor,
			identity(pallet_ehr_identity::Call::accept_doctor {
				hospital: hospital_id.clone(),
				encryption_key: [2; 32],
			}),
		),
		(
			hospital,
			identity(pallet_ehr_identity::Call::invite_patient { patient: patient_id.clone() }),
		),
		(
			patient,
			identity(pallet_ehr_identity::Call::register_patient { encryption_key: [4; 32] }),
		),
	];
	for (signer, call) in calls {
		submit_in_block(&a, sign(&a, signer, call).await).await;
	}
	let now = now_ms();
	let roster =
		vec![Shift { doctor: doctor_id.clone(), from: now - 60_000, until: now + 3_600_000 }];
	let set = RuntimeCall::Appointments(pallet_ehr_appointments::Call::set_on_call {
		shifts: roster.try_into().unwrap(),
	});
	let block = submit_in_block(&a, sign(&a, hospital, set).await).await;
	until_imported(&b, &block).await;
	node_a.until_logged("relaying visits with", 30).await;
	node_b.until_logged("relaying visits with", 30).await;

	// Bob listens for calls on node B.
	let at = now_ms();
	let proof = sign_bytes(doctor, &on_call_listen_payload(&genesis, &doctor_id, at));
	let mut rings: Subscription<OnCallEvent> =
		b.on_call_listen(doctor_id.clone(), at, proof).await.unwrap();

	// Dave calls through node A and hangs up before anyone answers: Bob's ring on B stops.
	let at = now_ms();
	let call = sign_bytes(patient, &on_call_ring_payload(&genesis, &hospital_id, &patient_id, at));
	let mut ringing: Subscription<RingEvent> =
		a.on_call_ring(hospital_id.clone(), patient_id.clone(), at, call).await.unwrap();
	let OnCallEvent::Ring { ring, .. } = next(&mut rings, 10, "the first ring").await else {
		panic!("Bob's phone rings first")
	};
	let _ = next(&mut ringing, 10, "ringing").await;
	drop(ringing);
	assert_eq!(
		next(&mut rings, 10, "the hang-up").await,
		OnCallEvent::Stopped { ring, answered_by: None },
		"the end of the call reached node B"
	);

	// Dave calls the hospital through node A, where nobody listens: B rings Bob and says so.
	let at = now_ms();
	let call = sign_bytes(patient, &on_call_ring_payload(&genesis, &hospital_id, &patient_id, at));
	let mut ringing: Subscription<RingEvent> =
		a.on_call_ring(hospital_id.clone(), patient_id.clone(), at, call).await.unwrap();
	let RingEvent::Ringing { ring, doctors } = next(&mut ringing, 10, "ringing").await else {
		panic!("the call rings first")
	};
	assert_eq!(doctors, 1, "node B's report of Bob ringing reached node A");
	assert_eq!(
		next(&mut rings, 10, "Bob's ring").await,
		OnCallEvent::Ring { ring, patient: patient_id.clone(), hospital: hospital_id.clone() },
		"the call has one number on both nodes"
	);

	// Bob answers on B; the answer reaches Dave on A.
	let answered_at = now_ms();
	let answer = sign_bytes(doctor, &on_call_answer_payload(&patient_id, &doctor_id, answered_at));
	let caller = b.on_call_answer(ring, doctor_id.clone(), answered_at, answer.clone()).await;
	assert_eq!(caller.unwrap(), patient_id);
	assert_eq!(
		next(&mut ringing, 10, "the answer").await,
		RingEvent::Answered {
			ring,
			doctor: doctor_id.clone(),
			answered_at,
			answer: answer.clone()
		}
	);
	// Another account cannot take over the call with Bob's answer on either node, and Bob's
	// answer is used once.
	for node in [&a, &b] {
		let stolen =
			node.on_call_answer(ring, Ferdie.to_account_id(), answered_at, answer.clone()).await;
		assert!(stolen.unwrap_err().to_string().contains("signature"), "the answer is Bob's");
	}
	let again = b.on_call_answer(ring, doctor_id.clone(), answered_at, answer.clone()).await;
	assert!(again.unwrap_err().to_string().contains("used before"));

	// Dave makes the visit with Bob's answer; once B has the block, Dave says so on A, and Bob
	// is told on B.
	let signature = sp_runtime::MultiSignature::Sr25519(sp_core::sr25519::Signature::from_raw(
		answer.0.clone().try_into().unwrap(),
	));
	let make = RuntimeCall::Appointments(pallet_ehr_appointments::Call::on_call_visit {
		doctor: doctor_id.clone(),
		answered_at,
		answer: signature,
	});
	let block = submit_in_block(&a, sign(&a, patient, make).await).await;
	let appointment = visit_made_in(&a, &block).await;
	until_imported(&b, &block).await;
	let at = now_ms();
	let ready =
		sign_bytes(patient, &on_call_ready_payload(&genesis, ring, appointment, &patient_id, at));
	a.on_call_ready(ring, appointment, patient_id.clone(), at, ready).await.unwrap();
	assert_eq!(
		next(&mut rings, 10, "the visit's number").await,
		OnCallEvent::Ready { ring, appointment }
	);

	// The visit's signalling: Bob listens on B, Dave sends on A; the message arrives unaltered.
	let at = now_ms();
	let proof = sign_bytes(doctor, &visit_listen_payload(&genesis, appointment, &doctor_id, at));
	let mut messages: Subscription<VisitSignal> =
		b.visit_listen(appointment, doctor_id.clone(), at, proof).await.unwrap();
	let mut signal = VisitSignal {
		appointment,
		from: patient_id.clone(),
		to: doctor_id.clone(),
		sent_at: now_ms(),
		sealed: vec![7; 2048].into(),
		signature: Bytes(Vec::new()),
	};
	signal.signature = sign_bytes(patient, &visit_signal_payload(&genesis, &signal));
	assert_eq!(a.visit_signal(signal.clone()).await.unwrap(), 0, "Bob listens on B, not A");
	assert_eq!(next(&mut messages, 10, "the signal").await, signal);
	// The same message sent again on B (by anyone who saw it) is refused there: B saw it.
	let again = b.visit_signal(signal.clone()).await.unwrap_err().to_string();
	assert!(again.contains("sent before"), "{again}");
	// An altered message is refused where it is sent, and so goes no further.
	let mut altered = signal.clone();
	altered.sent_at += 1;
	altered.sealed = vec![8; 2048].into();
	let refused = a.visit_signal(altered).await.unwrap_err().to_string();
	assert!(refused.contains("signature"), "{refused}");
	assert!(
		tokio::time::timeout(Duration::from_secs(2), messages.next()).await.is_err(),
		"nothing else reached Bob"
	);

	// Dave's app closes the call's subscription; Bob, whose visit was made, is told nothing more.
	drop(ringing);
	assert!(tokio::time::timeout(Duration::from_secs(2), rings.next()).await.is_err());

	// With Bob no longer listening anywhere, a call rings nobody and ends at once.
	drop(rings);
	tokio::time::sleep(Duration::from_millis(500)).await;
	let at = now_ms();
	let call = sign_bytes(patient, &on_call_ring_payload(&genesis, &hospital_id, &patient_id, at));
	let mut ringing =
		a.on_call_ring(hospital_id.clone(), patient_id.clone(), at, call).await.unwrap();
	let started = Instant::now();
	let RingEvent::Ringing { doctors, .. } = next(&mut ringing, 10, "nobody rings").await else {
		panic!("the call says whom it rings")
	};
	assert_eq!(doctors, 0);
	assert!(started.elapsed() < Duration::from_secs(5), "the patient is not kept waiting");

	// Node B's metrics: one peer relayed with, messages passed on, its own app's sent.
	let metrics = prometheus_metrics(metrics_port);
	assert_eq!(metric(&metrics, "ehr_visits_relay_peers", ""), Some(1.0), "{metrics}");
	let passed = metric(&metrics, "ehr_visits_relay_received_total", "outcome=\"passed\"");
	assert!(passed.is_some_and(|n| n >= 4.0), "calls, a Taken, a Ready, a signal: {passed:?}");
	let sent = metric(&metrics, "ehr_visits_relay_sent_total", "");
	assert!(sent.is_some_and(|n| n >= 2.0), "Rang and Answer from B: {sent:?}");
	drop(node_b);
	drop(node_a);
}
