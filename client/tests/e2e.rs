//! The whole story against a real `ehr-node --dev` and a real IPFS daemon (js-ipfs, started
//! with `scripts/ipfs.sh`; run `scripts/setup.sh` first): the patient uploads; a doctor without
//! consent cannot read; the patient grants; the doctor reads exactly the original bytes (with
//! the `ehr` command); the doctor writes a prescription the patient reads; the patient revokes;
//! the doctor cannot read a record added after; the auditor's verified trail shows every step.

use std::{
	path::{Path, PathBuf},
	process::{Command, Stdio},
	time::{Duration, Instant},
};

use common::*;
use ehr_client::{
	audit::{self, AuditError},
	chain::Chain,
	envelope,
	finality::{Checkpoint, Finality, FinalityError},
	Client, Error, Keys, Store,
};
use ehr_primitives::{AccessLevel, AuditEvent, Purpose, RecordCategory, Scope};
use lying::{Lie, LyingNode};

mod common;
mod lying;

/// The dev chain's raw chain spec, the auditor's trust anchor.
fn chain_spec(dir: &Path) -> PathBuf {
	let out = Command::new(node_binary())
		.args(["build-spec", "--chain", "dev", "--raw"])
		.stderr(Stdio::null())
		.output()
		.expect("ehr-node build-spec");
	assert!(out.status.success(), "ehr-node build-spec --chain dev --raw");
	let path = dir.join("chain.json");
	std::fs::write(&path, out.stdout).unwrap();
	path
}

fn start_ipfs(dir: &Path) -> (Daemon, String) {
	let port = free_port();
	let log = std::fs::File::create(dir.join("ipfs.log")).unwrap();
	let child = Command::new("bash")
		.arg(repo_root().join("scripts/ipfs.sh"))
		.arg(dir.join("ipfs-repo"))
		.arg(port.to_string())
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("scripts/ipfs.sh starts");
	(Daemon(child), format!("http://127.0.0.1:{port}"))
}

fn random_file(path: &Path, len: usize) -> Vec<u8> {
	let mut data = vec![0u8; len];
	let mut state = 0x2545_f491_4f6c_dd1du64;
	for byte in data.iter_mut() {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		*byte = state as u8;
	}
	std::fs::write(path, &data).unwrap();
	data
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_story_against_a_node_and_ipfs() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, node_url) = start_node(dir.path());
	let (_ipfs, ipfs_url) = start_ipfs(dir.path());
	// A development chain (committee of one, no chain spec for most reads).
	let client =
		wait_for("the node", || Client::connect(&node_url, Store::ipfs(&ipfs_url).unwrap()))
			.await
			.development();
	let probe = dir.path().join("probe");
	std::fs::write(&probe, b"probe").unwrap();
	let (client, probe) = (&client, probe.as_path());
	wait_for("IPFS", || async move { client.store.put(probe).await }).await;

	let hospital = Keys::from_uri("//Alice").unwrap();
	let doctor = Keys::from_uri("//Bob").unwrap();
	let (patient, _phrase) = Keys::generate();
	let (doctor_id, patient_id) = (doctor.account_id(), patient.account_id());

	// The hospital verifies the doctor and invites the patient, who registers without tokens.
	client
		.register_doctor(&hospital, &doctor_id, "Dr. Bob Kelso", "internal medicine", "MD-1001")
		.await
		.unwrap();
	client.invite_patient(&hospital, &patient_id).await.unwrap();
	client.accept_doctor(&doctor, &hospital.account_id()).await.unwrap();
	client.register_patient(&patient).await.unwrap();

	// The patient uploads a lab report of several chunks and IPFS blocks.
	let original = random_file(&dir.path().join("report.pdf"), 300_000);
	let mut seen = 0;
	let uploaded = client
		.upload(
			&patient,
			&patient_id,
			RecordCategory::LabReport,
			&dir.path().join("report.pdf"),
			|done, _| seen = done,
		)
		.await
		.unwrap();
	assert_eq!((uploaded.record, seen), (0, original.len() as u64));
	assert_eq!(uploaded.envelope_len, envelope::envelope_len(original.len() as u64));
	assert!(client.store.is_pinned(&ehr_client::cid::parse(&uploaded.cid).unwrap()).await.unwrap());

	// A doctor without consent holds no key, and the chain refuses to log a read.
	let out = dir.path().join("read-by-doctor.pdf");
	let refused = client.fetch(&doctor, 0, &out, |_, _| {}).await.unwrap_err();
	assert!(matches!(refused, Error::Refused(ref m) if m.contains("no key")), "{refused}");
	assert!(!out.exists());

	// The patient grants; the key of the report is shared in the same transaction.
	let granted = client
		.grant(&patient, &doctor_id, Scope::All, AccessLevel::ReadWrite, None, Purpose::Treatment)
		.await
		.unwrap();
	assert_eq!((granted.shared, granted.skipped.len()), (1, 0));
	assert_eq!(client.patients_of(&doctor_id).await.unwrap(), vec![patient_id.clone()]);

	// The doctor reads exactly the original bytes, with the `ehr` command.
	let cli = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", &node_url, "--ipfs", &ipfs_url, "--dev", "--suri", "//Bob"])
		.arg("--state-dir")
		.arg(dir.path().join("doctor-state"))
		.args(["record", "get", "0", "--out"])
		.arg(&out)
		.output()
		.unwrap();
	assert!(cli.status.success(), "ehr record get: {}", String::from_utf8_lossy(&cli.stderr));
	let answer: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
	assert_eq!(answer["accessLogged"], true);
	assert_eq!(std::fs::read(&out).unwrap(), original);
	// Reading again to the same file is refused without --force: bad usage, file untouched.
	let again = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--node", &node_url, "--ipfs", &ipfs_url, "--dev", "--suri", "//Bob"])
		.args(["record", "get", "0", "--out"])
		.arg(&out)
		.output()
		.unwrap();
	assert_eq!(again.status.code(), Some(2));
	assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
	assert_eq!(std::fs::read(&out).unwrap(), original);

	// The doctor writes a prescription; the patient opens it.
	let prescription = b"Amoxicillin 500 mg, three times a day for 7 days.\n".to_vec();
	std::fs::write(dir.path().join("rx.txt"), &prescription).unwrap();
	let written = client
		.upload(
			&doctor,
			&patient_id,
			RecordCategory::Prescription,
			&dir.path().join("rx.txt"),
			|_, _| {},
		)
		.await
		.unwrap();
	assert_eq!(written.readers.len(), 2);
	let read_back = dir.path().join("rx-read.txt");
	let fetched = client.fetch(&patient, written.record, &read_back, |_, _| {}).await.unwrap();
	assert!(!fetched.access_logged, "a patient's own reads are not logged");
	assert_eq!(std::fs::read(&read_back).unwrap(), prescription);

	// The patient revokes: the doctor's keys are gone, and a later record is not for them.
	client.revoke(&patient, &doctor_id).await.unwrap();
	std::fs::write(dir.path().join("xray.png"), b"imaging study").unwrap();
	let later = client
		.upload(
			&patient,
			&patient_id,
			RecordCategory::Imaging,
			&dir.path().join("xray.png"),
			|_, _| {},
		)
		.await
		.unwrap();
	assert_eq!(later.readers, vec![patient.address()]);
	for record in [0, later.record] {
		let denied = client.fetch(&doctor, record, &dir.path().join("denied"), |_, _| {}).await;
		assert!(matches!(denied, Err(Error::Refused(_))), "record {record}");
	}
	// Writing for the patient is refused by the chain now, with the pallet's error in words.
	let refused = client
		.upload(
			&doctor,
			&patient_id,
			RecordCategory::Prescription,
			&dir.path().join("rx.txt"),
			|_, _| {},
		)
		.await
		.unwrap_err();
	assert!(
		matches!(refused, Error::Refused(ref m) if m.contains("Records: not authorized")),
		"{refused}"
	);
	assert_eq!(refused.kind(), ehr_client::ErrorKind::Refused);

	// The auditor verifies the trail against a finalized block and sees every step in order.
	let expected = vec![
		AuditEvent::RecordAdded { record: 0, category: RecordCategory::LabReport },
		AuditEvent::KeyShared { record: 0, reader: doctor_id.clone() },
		AuditEvent::RecordAccessed { record: 0, category: RecordCategory::LabReport },
		AuditEvent::RecordAdded { record: 1, category: RecordCategory::Prescription },
		AuditEvent::KeyShared { record: 1, reader: doctor_id.clone() },
		AuditEvent::ConsentRevoked { grantee: doctor_id.clone() },
		AuditEvent::RecordAdded { record: 2, category: RecordCategory::Imaging },
	];
	// Besides these: the grant, and the two keys the revocation removed at the end of its block.
	let spec = chain_spec(dir.path());
	let state_dir = dir.path().join("auditor");
	let finality = &tokio::sync::Mutex::new(Finality::open(&spec, Some(&state_dir)).unwrap());
	let (patient_ref, entries) = (&patient_id, expected.len() as u64 + 3);
	let page = wait_for("finality of the last step", || async move {
		let mut finality = finality.lock().await;
		let page = audit::verified_trail(&client.chain, &mut finality, patient_ref, 0, 100).await?;
		if page.total == entries {
			Ok(page)
		} else {
			Err(Error::Invalid(format!("{} entries so far", page.total)))
		}
	})
	.await;
	let events: Vec<AuditEvent<_>> =
		page.entries.iter().map(|(_, entry)| entry.event.clone()).collect();
	// Entry 1 is the grant (its terms carry a timestamp); the rest must match exactly.
	assert!(
		matches!(&events[1], AuditEvent::ConsentGranted { grantee, .. } if grantee == &doctor_id)
	);
	let mut without_grant = events.clone();
	without_grant.remove(1);
	// Right after the revocation, in storage order: the doctor's two keys removed.
	let removed: Vec<_> = without_grant.drain(6..8).collect();
	for record in [0, 1] {
		assert!(
			removed.contains(&AuditEvent::KeyRemoved { record, reader: doctor_id.clone() }),
			"{removed:?}"
		);
	}
	assert_eq!(without_grant, expected);
	assert!(page.entries.windows(2).all(|pair| pair[0].1.block <= pair[1].1.block));
	let accessed = &page.entries[3].1;
	assert_eq!(accessed.actor, doctor_id);

	// The auditor's checkpoint was saved: a later run starts from it.
	let saved = Finality::open(&spec, Some(&state_dir)).unwrap();
	assert_eq!(saved.verified(), finality.lock().await.verified());
	assert!(saved.verified().number > 0);

	// The command line verifies the same trail, page by page (3 entries a page) at one block.
	let cli = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", &node_url, "--chain-spec"])
		.arg(&spec)
		.arg("--state-dir")
		.arg(dir.path().join("cli-state"))
		.args(["audit", &patient.address(), "--all", "--limit", "3"])
		.output()
		.unwrap();
	assert!(cli.status.success(), "ehr audit: {}", String::from_utf8_lossy(&cli.stderr));
	let answer: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
	assert_eq!(answer["verified"], true);
	assert_eq!(answer["total"], 10);
	assert_eq!(answer["entries"].as_array().unwrap().len(), 10);
	// Without the chain spec the command says what it needs.
	let cli = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--node", &node_url, "audit", &patient.address()])
		.env_remove("EHR_CHAIN_SPEC")
		.output()
		.unwrap();
	assert!(!cli.status.success());
	assert!(String::from_utf8_lossy(&cli.stderr).contains("--chain-spec"));

	a_lying_node_is_caught(&node_url, &client.chain, &spec, &patient_id).await;
	verified_reads_through_a_lying_node(&node_url, &ipfs_url, &spec, &patient, &doctor, dir.path())
		.await;
	let doctor = the_doctor_rotates_its_key(client, &doctor, dir.path()).await;
	revoking_with_rekey_leaves_the_doctor_nothing_to_open(client, &patient, &doctor, dir.path())
		.await;
	signers_sign_what_they_see(&node_url, &ipfs_url, &patient, &doctor).await;

	// The doctor sees what it may still do for free this hour (it sent transactions above).
	let cli = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", &node_url, "--suri", "//Bob", "budget"])
		.env_remove("EHR_DEV")
		.output()
		.unwrap();
	// Development accounts are refused without --dev: anyone can derive their keys.
	assert_eq!(cli.status.code(), Some(6), "{}", String::from_utf8_lossy(&cli.stdout));
	assert!(String::from_utf8_lossy(&cli.stdout).contains("development phrase"));
	let cli = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", &node_url, "--dev", "--suri", "//Bob", "budget"])
		.output()
		.unwrap();
	assert!(cli.status.success(), "ehr budget: {}", String::from_utf8_lossy(&cli.stderr));
	let budget: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
	assert_eq!(budget["registered"], true, "{budget}");
	let (left, per) =
		(budget["refTimeLeft"].as_u64().unwrap(), budget["refTimePerPeriod"].as_u64().unwrap());
	assert!(0 < left && left < per, "{budget}");
}

/// A doctor's read is written at once and its log entry, kept in the outbox, lands in the
/// patient's trail exactly once: sent by the command itself; sent by a drainer without any key
/// after the reader crashed before sending; signed again, by the reader's key only, when a
/// finalized block used its nonce for another transaction. A revoked grant queues nothing.
#[tokio::test(flavor = "multi_thread")]
async fn reads_are_logged_through_the_outbox() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, node_url) = start_node(dir.path());
	let store_dir = dir.path().join("store");
	let store = || Store::local(&store_dir).unwrap();
	let client = wait_for("the node", || Client::connect(&node_url, store())).await.development();
	let hospital = Keys::from_uri("//Alice").unwrap();
	let doctor = Keys::from_uri("//Bob").unwrap();
	new_doctor(&client, &hospital, &doctor, "Dr. Bob Kelso").await;
	let patient = new_patient(&client, &hospital).await;
	let patient_id = patient.account_id();
	let text = b"Haemoglobin 13.5 g/dL\n";
	std::fs::write(dir.path().join("lab.txt"), text).unwrap();
	let lab = client
		.upload(
			&patient,
			&patient_id,
			RecordCategory::LabReport,
			&dir.path().join("lab.txt"),
			|_, _| {},
		)
		.await
		.unwrap();
	consent_to_read_all(&client, &patient, &doctor).await;
	let state = dir.path().join("state");
	let first = client.chain.block_hash(1).await.unwrap();
	let outbox = ehr_client::outbox::Outbox::open(&state, client.chain.genesis(), first).unwrap();
	let read = [(lab.record, RecordCategory::LabReport)];
	let ehr = |args: &[&str]| {
		let out = Command::new(env!("CARGO_BIN_EXE_ehr"))
			.args(["--json", "--node", &node_url, "--dev", "--suri", "//Bob", "--state-dir"])
			.arg(&state)
			.arg("--store-dir")
			.arg(&store_dir)
			.args(args)
			.env_remove("EHR_IPFS_API")
			.output()
			.unwrap();
		assert!(out.status.success(), "ehr {args:?}: {}", String::from_utf8_lossy(&out.stdout));
		serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
	};

	// 1. The command writes the file and returns with the entry queued and sent, not in a block.
	let out = dir.path().join("read.txt");
	let started = Instant::now();
	let got = ehr(&["record", "get", &lab.record.to_string(), "--out", out.to_str().unwrap()]);
	println!("record get: {} ms", started.elapsed().as_millis());
	assert_eq!(std::fs::read(&out).unwrap(), text);
	assert_eq!(
		(got["accessLogged"].clone(), got["loggedInBlock"].clone()),
		(true.into(), serde_json::Value::Null)
	);
	let sent = got["logQueued"]["id"].as_str().unwrap().to_string();
	let best_at_read = got["logQueued"]["bestAtRead"].as_u64().unwrap();
	// `outbox --wait` follows it into a finalized block, at most two blocks after the read.
	let waited = ehr(&["outbox", "--wait"]);
	let logged = waited["logged"].as_array().unwrap();
	let entry = logged.iter().find(|l| l["id"] == sent.as_str()).expect("the read is final");
	let block = entry["block"].as_u64().unwrap();
	// Two blocks on an idle machine (`scripts/bench-read.sh` checks that); the other tests of
	// this binary run beside this one, so a little more room here.
	assert!(
		best_at_read < block && block <= best_at_read + 4,
		"read at #{best_at_read}, final in #{block}"
	);
	assert_eq!(entry["failed"], serde_json::Value::Null);
	assert_eq!(waited["pending"], serde_json::json!([]));

	// 2. The reader crashed after queueing, before sending: a drainer with no key sends it.
	let crashed = outbox.queue_reads(&client.chain, &doctor, &patient_id, &read).await.unwrap();
	let lock = outbox.try_lock().expect("no drainer runs");
	assert!(outbox.try_lock().is_none(), "one holder at a time");
	let pass =
		outbox.drain(&lock, &client.chain, None, Duration::from_secs(120), |_| ()).await.unwrap();
	assert!(pass.pending.is_empty(), "{pass:?}");
	let found = outbox.logged().into_iter().find(|l| l.entry.id == crashed.id).unwrap();
	assert_eq!((found.failed, found.entry.signatures), (None, 1));

	// 3. Queued, not sent, and its nonce goes to another transaction of the reader.
	let lost = outbox.queue_reads(&client.chain, &doctor, &patient_id, &read).await.unwrap();
	let call = ehr_runtime::RuntimeCall::Consent(pallet_ehr_consent::Call::log_access {
		patient: patient_id.clone(),
		record: lab.record,
		category: RecordCategory::LabReport,
	});
	client.chain.submit(&doctor, call).await.unwrap();
	// Only the reader's key can sign it again: a pass without it says so.
	let pass = outbox.pass(&lock, &client.chain, None).await.unwrap();
	assert_eq!(
		pass.need_signature.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
		[lost.id.clone()]
	);
	let pass = outbox
		.drain(&lock, &client.chain, Some(&doctor), Duration::from_secs(120), |_| ())
		.await
		.unwrap();
	assert!(pass.pending.is_empty(), "{pass:?}");
	let found = outbox.logged().into_iter().find(|l| l.entry.id == lost.id).unwrap();
	assert_eq!((found.failed, found.entry.signatures), (None, 2));
	assert!(found.entry.nonce > lost.nonce);

	// The trail holds each read once: the command's, the crashed one, the other transaction's,
	// and the one signed again.
	let spec = chain_spec(dir.path());
	let mut finality = Finality::open(&spec, Some(&dir.path().join("auditor"))).unwrap();
	let page =
		audit::verified_trail(&client.chain, &mut finality, &patient_id, 0, 100).await.unwrap();
	let reads = page
		.entries
		.iter()
		.filter(|(_, e)| {
			e.actor == doctor.account_id() && matches!(e.event, AuditEvent::RecordAccessed { .. })
		})
		.count();
	assert_eq!(reads, 4, "{:?}", page.entries);

	// 4. After a revocation the chain would refuse the log: nothing is queued (nor shown).
	client.revoke(&patient, &doctor.account_id()).await.unwrap();
	let refused = outbox.queue_reads(&client.chain, &doctor, &patient_id, &read).await.unwrap_err();
	assert!(matches!(refused, Error::Refused(_)), "{refused}");
	assert!(outbox.pending().is_empty());
	let refused = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--node", &node_url, "--dev", "--suri", "//Bob", "--state-dir"])
		.arg(&state)
		.arg("--store-dir")
		.arg(&store_dir)
		.args(["record", "get", &lab.record.to_string(), "--out"])
		.arg(dir.path().join("after-revocation.txt"))
		.env_remove("EHR_IPFS_API")
		.output()
		.unwrap();
	assert_eq!(refused.status.code(), Some(3), "{}", String::from_utf8_lossy(&refused.stderr));
	assert!(!dir.path().join("after-revocation.txt").exists());
}

/// Through a proxy that alters the node's answers, every lie about finality or the trail is
/// caught with its own error, and the truth passes.
async fn a_lying_node_is_caught(
	node_url: &str,
	honest: &Chain,
	spec: &Path,
	patient: &sp_runtime::AccountId32,
) {
	let liar = LyingNode::start(node_url).await;
	let chain = Chain::connect(&liar.url).await.unwrap();
	let genesis = Checkpoint::from_chain_spec(&std::fs::read(spec).unwrap()).unwrap();
	assert_eq!(genesis.genesis, honest.genesis(), "the genesis computed from the chain spec");
	let fresh = || Finality::from_checkpoint(genesis.clone());

	// The truth verifies, from genesis (the proxy records this finality proof).
	let truth = audit::verified_trail(&chain, &mut fresh(), patient, 0, 100).await.unwrap();
	assert_eq!((truth.total, truth.entries.len()), (10, 10));

	// Lies about finality, each caught walking from genesis.
	let finality_lies: [(Lie, fn(&FinalityError) -> bool); 3] = [
		(Lie::ForgedHeader, |e| matches!(e, FinalityError::ForgedHeader(2))),
		(Lie::NoSignatures, |e| matches!(e, FinalityError::TooFewSignatures { set_id: 0, .. })),
		(Lie::StrangerSigns, |e| matches!(e, FinalityError::NotAnAuthority { set_id: 0, .. })),
	];
	for (lie, caught) in finality_lies {
		liar.lie(lie.clone());
		let error = audit::verified_trail(&chain, &mut fresh(), patient, 0, 100).await.unwrap_err();
		assert!(matches!(&error, Error::Finality(e) if caught(e)), "{lie:?}: {error}");
		assert_eq!(error.kind(), ehr_client::ErrorKind::Integrity);
	}

	// A node that hides every new block: the newest block it proves is genesis, refused.
	liar.lie(Lie::WithholdFinality);
	let mut withheld = fresh();
	assert_eq!(withheld.follow(&chain).await.unwrap().number, 0);
	let error = withheld.sync(&chain).await.unwrap_err();
	assert!(matches!(error, Error::Finality(FinalityError::NothingFinal)), "{error}");

	// A node that replays an old finality proof to a client that verified a newer block.
	let mut synced = fresh();
	let recorded = truth.block_number;
	let deadline = Instant::now() + Duration::from_secs(120);
	while synced.sync(honest).await.unwrap().number <= recorded {
		assert!(Instant::now() < deadline, "finality did not advance");
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
	liar.lie(Lie::ReplayOldProof);
	let error = synced.sync(&chain).await.unwrap_err();
	assert!(
		matches!(error, Error::Finality(FinalityError::Stale { proved, .. }) if proved == recorded),
		"{error}"
	);

	// Lies about the trail, read at a block verified honestly.
	let trail_lies: [(Lie, fn(&AuditError) -> bool); 6] = [
		(Lie::DropLastEntry, |e| matches!(e, AuditError::WrongCount { expected: 10, got: 9 })),
		(Lie::DropMiddleEntry, |e| matches!(e, AuditError::Gap(2))),
		(Lie::EmptyPage, |e| matches!(e, AuditError::WrongCount { expected: 10, got: 0 })),
		(Lie::ForgedTotal, |e| matches!(e, AuditError::ForgedTotal { claimed: 7, proven: 10 })),
		(Lie::OtherBlock, |e| matches!(e, AuditError::WrongBlock { .. })),
		(Lie::AlteredEntry, |e| matches!(e, AuditError::NotInState(1))),
	];
	let verified = synced.verified().clone();
	for (lie, caught) in trail_lies {
		liar.lie(lie.clone());
		let error = audit::trail_page_at(&chain, &verified, patient, 0, 100).await.unwrap_err();
		assert!(matches!(&error, Error::Unverified(e) if caught(e)), "{lie:?}: {error}");
		assert_eq!(error.kind(), ehr_client::ErrorKind::Integrity);
	}
	liar.lie(Lie::Truth);
	assert_eq!(audit::trail_page_at(&chain, &verified, patient, 0, 100).await.unwrap().total, 10);
}

/// With the chain spec, what the client wraps keys for and decrypts is read with proofs: a node
/// that swaps the doctor's encryption key for its own, hides a grant or forges a record is
/// caught before any key is wrapped, any transaction sent or any plaintext written.
async fn verified_reads_through_a_lying_node(
	node_url: &str,
	ipfs_url: &str,
	spec: &Path,
	patient: &Keys,
	doctor: &Keys,
	dir: &Path,
) {
	let liar = LyingNode::start(node_url).await;
	let genesis = Checkpoint::from_chain_spec(&std::fs::read(spec).unwrap()).unwrap();
	let client = Client::connect(&liar.url, Store::ipfs(ipfs_url).unwrap())
		.await
		.unwrap()
		.development()
		.verifying(Finality::from_checkpoint(genesis));
	let (patient_id, doctor_id) = (patient.account_id(), doctor.account_id());
	let grant = || {
		client.grant(patient, &doctor_id, Scope::All, AccessLevel::Read, None, Purpose::Treatment)
	};

	// The node swaps the doctor's encryption key for its own: nothing is wrapped or sent.
	let node_key = Keys::from_uri("//Mallory").unwrap().encryption_key();
	liar.lie(Lie::Replace(doctor.encryption_key().to_vec(), node_key.to_vec()));
	let error = grant().await.unwrap_err();
	assert!(matches!(error, Error::Finality(FinalityError::BadProof(_))), "{error}");
	assert!(client
		.chain
		.request::<Vec<serde_json::Value>>(
			"ehr_patientGrants",
			jsonrpsee::rpc_params![patient.address()],
		)
		.await
		.unwrap()
		.is_empty());

	// The truth: the keys of the patient's three records are wrapped for the doctor's real key.
	liar.lie(Lie::Truth);
	assert_eq!(grant().await.unwrap().shared, 3);

	// A grant left out of the listing is noticed: the proven count says there is one more.
	std::fs::write(dir.join("note.txt"), b"Follow-up in two weeks.").unwrap();
	let note = dir.join("note.txt");
	let upload =
		|| client.upload(patient, &patient_id, RecordCategory::ClinicalNote, &note, |_, _| {});
	liar.lie(Lie::HideLastKey);
	let error = upload().await.unwrap_err();
	assert!(matches!(error, Error::Finality(FinalityError::Hidden(_))), "{error}");
	liar.lie(Lie::Truth);
	let uploaded = upload().await.unwrap();
	assert_eq!(uploaded.readers, vec![patient.address(), doctor.address()]);

	// A forged record (its content hash changed) is refused before anything is decrypted.
	let stored = client.record(uploaded.record, None).await.unwrap();
	liar.lie(Lie::Replace(stored.content_hash.0.clone(), vec![0x42; 32]));
	let out = dir.join("note-read.txt");
	let error = client.fetch(doctor, uploaded.record, &out, |_, _| {}).await.unwrap_err();
	assert!(matches!(error, Error::Finality(FinalityError::BadProof(_))), "{error}");
	assert!(!out.exists());
	liar.lie(Lie::Truth);
	client.fetch(doctor, uploaded.record, &out, |_, _| {}).await.unwrap();
	assert_eq!(std::fs::read(&out).unwrap(), b"Follow-up in two weeks.");
}

/// `CheckMetadataHash` (mode 1): the node serves metadata in which `revoke_access` and
/// `end_emergency_access` (the same arguments: patient, account) have swapped call indices. A
/// wallet that encodes "revoke my doctor's access" from it sends `end_emergency_access`, and
/// would report the grant revoked while the doctor keeps it. Signed with the hash of what the
/// wallet saw, the transaction is refused by the chain: nothing goes on chain. The `ehr`
/// client, which encodes with its own runtime's types and signs its own runtime's hash, is not
/// moved by the served metadata.
async fn signers_sign_what_they_see(node_url: &str, ipfs_url: &str, patient: &Keys, doctor: &Keys) {
	use codec::Decode;
	let liar = LyingNode::start(node_url).await;
	let client =
		Client::connect(&liar.url, Store::ipfs(ipfs_url).unwrap()).await.unwrap().development();
	let doctor_id = doctor.account_id();
	client
		.grant(patient, &doctor_id, Scope::All, AccessLevel::Read, None, Purpose::Treatment)
		.await
		.unwrap();
	let metadata = || async {
		let answer: String = client
			.chain
			.request(
				"state_call",
				jsonrpsee::rpc_params!["Metadata_metadata_at_version", "0x0f000000"],
			)
			.await
			.unwrap();
		let bytes = sp_core::bytes::from_hex(&answer).unwrap();
		Option::<Vec<u8>>::decode(&mut &bytes[..]).unwrap().unwrap()
	};
	let version = &ehr_runtime::VERSION;
	let hash_of = |metadata: &[u8]| {
		ehr_verify::metadata::metadata_hash(
			metadata,
			&version.spec_name,
			version.spec_version,
			"EHR",
			12,
		)
		.unwrap()
	};
	// The live runtime's metadata hashes to the client's own hash (the one the build baked in).
	let honest = metadata().await;
	assert_eq!(hash_of(&honest), ehr_client::chain::own_metadata_hash());

	liar.lie(Lie::SwappedCalls("Consent", "revoke_access", "end_emergency_access"));
	let served = metadata().await;
	assert_ne!(served, honest, "the node serves altered metadata");
	let seen = hash_of(&served);
	assert_ne!(seen, ehr_client::chain::own_metadata_hash());
	// What the wallet encodes for "revoke_access(patient, doctor)" with the served indices.
	let sent = ehr_runtime::RuntimeCall::Consent(pallet_ehr_consent::Call::end_emergency_access {
		patient: patient.account_id(),
		doctor: doctor.account_id(),
	});
	let nonce: u32 = client
		.chain
		.request("system_accountNextIndex", jsonrpsee::rpc_params![patient.address()])
		.await
		.unwrap();
	let signed =
		client.chain.sign_with_metadata_hash(patient, sent, nonce, Some(seen)).await.unwrap();
	let refusal = client
		.chain
		.watch(&sp_core::bytes::to_hex(&codec::Encode::encode(&signed), false))
		.await
		.err()
		.expect("the pool refuses it");
	assert!(refusal.to_string().contains("bad signature"), "{refusal}");
	let after: u32 = client
		.chain
		.request("system_accountNextIndex", jsonrpsee::rpc_params![patient.address()])
		.await
		.unwrap();
	assert_eq!(after, nonce, "nothing of the patient's went on chain");

	// The client through the same node: its own encoding and hash, accepted, and it is the
	// call the patient asked for (the grant is gone). (The grant above went through the same
	// node while it lied about nothing else.)
	let revoked = client.revoke(patient, &doctor.account_id()).await.unwrap();
	assert!(revoked.events.iter().any(|event| matches!(
		event,
		ehr_runtime::RuntimeEvent::Consent(pallet_ehr_consent::Event::ConsentRevoked { .. })
	)));
	liar.lie(Lie::Truth);
	// Signed without a hash (mode 0), as older wallets do, a transaction is still valid: the
	// hash is the signer's protection, not a requirement of the chain.
}

/// The doctor rotates its encryption key: the new key is published, the four content keys it
/// holds are wrapped again for it, none of the keys on chain opens with the old secret any
/// more, and the doctor reads with the new keys.
async fn the_doctor_rotates_its_key(client: &Client, doctor: &Keys, dir: &Path) -> Keys {
	let doctor_id = doctor.account_id();
	let mut seen = (0, 0);
	let mut saved = None;
	let rotated = client
		.rotate_key(
			doctor,
			|new| {
				saved = Some(new.key_index());
				Ok(())
			},
			|done, total| seen = (done, total),
		)
		.await
		.unwrap();
	assert_eq!((rotated.rewrapped, seen, saved), (4, (4, 4), Some(1)));
	assert!(rotated.unopenable.is_empty() && rotated.refused.is_empty());
	let new = rotated.keys;
	assert_eq!(new.key_index(), 1);
	assert_eq!(new.account_id(), doctor_id);
	assert_ne!(new.encryption_key(), doctor.encryption_key());
	assert_eq!(client.chain.encryption_key(&doctor_id).await.unwrap(), Some(new.encryption_key()));
	// The old secret opens none of the doctor's keys on chain now; the new one opens each.
	let patient = client.patients_of(&doctor_id).await.unwrap().remove(0);
	let held: Vec<ehr_client::RecordInfo> = client
		.chain
		.request(
			"ehr_readerRecords",
			jsonrpsee::rpc_params![
				new.address(),
				sp_core::crypto::Ss58Codec::to_ss58check(&patient)
			],
		)
		.await
		.unwrap();
	assert_eq!(held.len(), 4);
	for record in &held {
		let wrapped = record.wrapped_key.as_ref().unwrap();
		assert!(
			envelope::unwrap(wrapped, doctor.encryption_secret().expect("held here")).is_err(),
			"{}",
			record.id
		);
		assert!(
			envelope::unwrap(wrapped, new.encryption_secret().expect("held here")).is_ok(),
			"{}",
			record.id
		);
	}
	let note = held.iter().map(|record| record.id).max().unwrap();
	let out = dir.join("note-after-rotation.txt");
	client.fetch(&new, note, &out, |_, _| {}).await.unwrap();
	assert_eq!(std::fs::read(&out).unwrap(), b"Follow-up in two weeks.");
	new
}

/// The patient revokes the doctor with `--rekey`: each of the four records the doctor could
/// read is stored again under a new content key for the patient alone, and the old one erased
/// and unpinned; a content key the doctor kept opens none of the new envelopes.
async fn revoking_with_rekey_leaves_the_doctor_nothing_to_open(
	client: &Client,
	patient: &Keys,
	doctor: &Keys,
	dir: &Path,
) {
	let (patient_id, doctor_id) = (patient.account_id(), doctor.account_id());
	// The content keys the doctor holds now (and could keep).
	let held: Vec<ehr_client::RecordInfo> = client
		.chain
		.request("ehr_readerRecords", jsonrpsee::rpc_params![doctor.address(), patient.address()])
		.await
		.unwrap();
	let kept: Vec<_> = held
		.iter()
		.map(|record| {
			(record.clone(), doctor.unwrap(record.wrapped_key.as_ref().unwrap()).unwrap())
		})
		.collect();
	let mut seen = (0, 0);
	let rekeyed = client
		.revoke_and_rekey(patient, &doctor_id, |done, total| seen = (done, total))
		.await
		.unwrap();
	assert!(rekeyed.failed.is_empty(), "{:?}", rekeyed.failed);
	assert_eq!((rekeyed.replaced.len(), seen), (4, (4, 4)));
	for (old, content_key) in kept {
		let new = rekeyed.replaced.iter().find(|(from, _)| *from == old.id).unwrap().1;
		assert!(client.record(old.id, None).await.unwrap().erased);
		assert!(!client.store.is_pinned(&old.cid).await.unwrap());
		let copy = client.record(new, Some(&doctor_id)).await.unwrap();
		assert_eq!((copy.patient.clone(), copy.category), (patient_id.clone(), old.category));
		assert!(copy.wrapped_key.is_none(), "no key for the revoked doctor");
		// The key the doctor kept does not open the new envelope; the patient's does.
		let envelope = dir.join(format!("copy-{new}"));
		client.store.get(&copy.cid, &envelope).await.unwrap();
		let opened = envelope::decrypt(
			&content_key,
			std::fs::File::open(&envelope).unwrap(),
			std::io::sink(),
			|_| {},
		);
		assert!(matches!(opened, Err(envelope::EnvelopeError::HeaderMismatch)), "record {new}");
		let out = dir.join(format!("copy-{new}.plain"));
		client.fetch(patient, new, &out, |_, _| {}).await.unwrap();
	}
}

/// `ehr custodian --once` of the development hospital `name` (its escrow key is the encryption
/// key of its development account); returns its JSON lines.
fn custodian_once(node_url: &str, name: &str) -> Vec<serde_json::Value> {
	ehr_as(node_url, name, &["custodian", "--once"])
}

/// `ehr --json … ARGS` as the development account `name`; returns its JSON lines.
fn ehr_as(node_url: &str, name: &str, args: &[&str]) -> Vec<serde_json::Value> {
	let out = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", node_url, "--dev", "--suri", &format!("//{name}")])
		.args(args)
		.output()
		.unwrap();
	assert!(
		out.status.success(),
		"ehr {args:?}: {}; {}",
		String::from_utf8_lossy(&out.stderr),
		String::from_utf8_lossy(&out.stdout)
	);
	String::from_utf8_lossy(&out.stdout)
		.lines()
		.map(|line| serde_json::from_str(line).unwrap())
		.collect()
}

/// A member hospital more, as a call for [`council_of_one`].
fn add_hospital(keys: &Keys) -> ehr_runtime::RuntimeCall {
	ehr_runtime::RuntimeCall::Hospitals(pallet_membership::Call::add_member {
		who: keys.account_id().into(),
	})
}

/// The dev chain's council of one (Alice's hospital) runs `calls` as `Root`, in one batch.
async fn council_of_one(client: &Client, calls: Vec<ehr_runtime::RuntimeCall>) {
	use ehr_runtime::RuntimeCall;
	let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls });
	let as_root = RuntimeCall::Consortium(pallet_consortium::Call::dispatch_as_root {
		call: Box::new(batch),
	});
	let length = codec::Encode::encoded_size(&as_root) as u32;
	let motion = RuntimeCall::HospitalCouncil(pallet_collective::Call::propose {
		threshold: 1,
		proposal: Box::new(as_root),
		length_bound: length,
	});
	client.chain.submit(&Keys::from_uri("//Alice").unwrap(), motion).await.unwrap();
}

/// Break-glass on a node with three custodians (t = 2): the hospitals (Alice's council of one
/// on `dev`) add Charlie's, Dave's and Eve's hospitals and name the committee Alice, Charlie,
/// Dave; the doctors are Eve's. The patient opts lab reports in; a doctor with emergency access
/// reads the original bytes once two custodians released, not with one; a note the patient did
/// not opt in is never released; a non-committee hospital, and a release for a doctor without
/// emergency access, are refused by the chain; Charlie's custodian applies a written policy
/// (the access's reason is not in it: held until a person approves); another hospital reviews
/// the access, the doctor's own cannot; closing the access removes the shares from state.
#[tokio::test(flavor = "multi_thread")]
async fn break_glass_with_three_custodians() {
	use ehr_runtime::RuntimeCall;
	let dir = tempfile::tempdir().unwrap();
	let (_node, node_url) = start_node(dir.path());
	let store = dir.path().join("store");
	let client = wait_for("the node", || Client::connect(&node_url, Store::local(&store).unwrap()))
		.await
		.development();
	let (alice, charlie, dave, eve) = (
		Keys::from_uri("//Alice").unwrap(),
		Keys::from_uri("//Charlie").unwrap(),
		Keys::from_uri("//Dave").unwrap(),
		Keys::from_uri("//Eve").unwrap(),
	);
	let committee = RuntimeCall::Escrow(pallet_ehr_escrow::Call::set_committee {
		members: [&alice, &charlie, &dave]
			.iter()
			.map(|keys| (keys.account_id(), keys.encryption_key()))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
		threshold: 2,
	});
	council_of_one(
		&client,
		vec![add_hospital(&charlie), add_hospital(&dave), add_hospital(&eve), committee],
	)
	.await;
	let named = client.committee().await.unwrap();
	assert_eq!((named.epoch, named.threshold, named.keys.len()), (2, 2, 3));

	let doctor = Keys::from_uri("//Bob").unwrap();
	let other_doctor = Keys::from_uri("//Ferdie").unwrap();
	for (who, name) in [(&doctor, "Dr. Bob Kelso"), (&other_doctor, "Dr. Ferdie")] {
		new_doctor(&client, &eve, who, name).await;
	}
	let patient = new_patient(&client, &alice).await;
	let patient_id = patient.account_id();
	client
		.set_emergency_categories(&patient, &patient_id, vec![RecordCategory::LabReport])
		.await
		.unwrap();
	let original = random_file(&dir.path().join("lab.pdf"), 70_000);
	let lab = client
		.upload(
			&patient,
			&patient_id,
			RecordCategory::LabReport,
			&dir.path().join("lab.pdf"),
			|_, _| {},
		)
		.await
		.unwrap();
	assert!(lab.escrowed_in_block.is_some(), "{:?}", lab.escrow_failed);
	std::fs::write(dir.path().join("note.txt"), b"not for emergencies").unwrap();
	let note = client
		.upload(
			&patient,
			&patient_id,
			RecordCategory::ClinicalNote,
			&dir.path().join("note.txt"),
			|_, _| {},
		)
		.await
		.unwrap();
	assert_eq!(note.escrowed_in_block, None);

	// No emergency access: the custodians have nothing to release, the doctor nothing to read.
	assert!(custodian_once(&node_url, "Alice")[0]["released"].as_array().unwrap().is_empty());
	let out = dir.path().join("read.pdf");
	let refused = client.fetch(&doctor, lab.record, &out, |_, _| {}).await.unwrap_err();
	assert!(matches!(refused, Error::Refused(ref m) if m.contains("no key")), "{refused}");

	client
		.emergency_access(&doctor, &patient_id, ehr_primitives::EmergencyReason::Unconscious, None)
		.await
		.unwrap();
	// A hospital outside the committee: its custodian refuses to run, and the chain refuses a
	// release from it.
	let outsider = client.custodian_pass(&eve).await.unwrap_err();
	assert!(matches!(outsider, Error::Refused(ref m) if m.contains("not in the escrow committee")));
	let forged = |to: &Keys| {
		RuntimeCall::Escrow(pallet_ehr_escrow::Call::release_shares {
			patient: patient_id.clone(),
			doctor: to.account_id(),
			shares: vec![(lab.record, [1u8; 81])].try_into().unwrap(),
		})
	};
	let refused = client.chain.submit(&eve, forged(&doctor)).await.unwrap_err();
	assert!(matches!(refused, Error::Refused(ref m) if m.contains("not custodian")), "{refused}");
	// A committee hospital cannot release to a doctor without emergency access either.
	let refused = client.chain.submit(&alice, forged(&other_doctor)).await.unwrap_err();
	assert!(
		matches!(refused, Error::Refused(ref m) if m.contains("no emergency access")),
		"{refused}"
	);

	// One custodian up: one share, not enough.
	// Alice's custodian checks finality and reads every record it releases for with proofs
	// (the share's context comes from the proven record, not the node's listing). Its verified
	// header is kept in a state directory of this test's own: this dev chain shares its genesis
	// with every other, and a header saved by an earlier run is rightly refused here.
	let spec = chain_spec(dir.path());
	let alice_state = dir.path().join("alice-state");
	let released = ehr_as(
		&node_url,
		"Alice",
		&[
			"--state-dir",
			alice_state.to_str().unwrap(),
			"--chain-spec",
			spec.to_str().unwrap(),
			"custodian",
			"--once",
		],
	);
	assert_eq!(released.len(), 1, "{released:?}");
	assert_eq!(released[0]["records"], serde_json::json!([lab.record]));
	let refused = client.fetch(&doctor, lab.record, &out, |_, _| {}).await.unwrap_err();
	assert!(
		matches!(refused, Error::Refused(ref m) if m.contains("1 of the 2 key shares")),
		"{refused}"
	);
	assert!(!out.exists());
	// A second custodian, under its hospital's written policy: the reason is not one it
	// releases for on its own, so the request waits for a person; approved, it is released.
	let state = dir.path().join("charlie-state");
	let policy = dir.path().join("policy.json");
	std::fs::write(
		&policy,
		r#"{"perHospitalPerDay": 5, "reasons": ["life-threatening"], "beyond": "hold"}"#,
	)
	.unwrap();
	let (state_arg, policy_arg) = (state.to_str().unwrap(), policy.to_str().unwrap());
	let held = ehr_as(
		&node_url,
		"Charlie",
		&["--state-dir", state_arg, "custodian", "--once", "--policy", policy_arg],
	);
	assert!(held.iter().any(|line| line["decision"]["decision"] == "hold"), "{held:?}");
	let refused = client.fetch(&doctor, lab.record, &out, |_, _| {}).await.unwrap_err();
	assert!(
		matches!(refused, Error::Refused(ref m) if m.contains("1 of the 2 key shares")),
		"{refused}"
	);
	let status = ehr_as(&node_url, "Charlie", &["--state-dir", state_arg, "custodian", "status"]);
	assert_eq!(status[0]["held"].as_array().unwrap().len(), 1, "{status:?}");
	let (patient_ss58, doctor_ss58) = (patient_id.to_string(), doctor.account_id().to_string());
	ehr_as(
		&node_url,
		"Charlie",
		&["--state-dir", state_arg, "custodian", "approve", &patient_ss58, &doctor_ss58],
	);
	let released = ehr_as(
		&node_url,
		"Charlie",
		&["--state-dir", state_arg, "custodian", "--once", "--policy", policy_arg],
	);
	assert!(
		released.iter().any(|line| line["records"] == serde_json::json!([lab.record])),
		"{released:?}"
	);
	// The doctor reads the original bytes, and the read is logged.
	let fetched = client.fetch(&doctor, lab.record, &out, |_, _| {}).await.unwrap();
	assert!(fetched.access_logged);
	assert_eq!(std::fs::read(&out).unwrap(), original);
	// The note was never released; the doctor without emergency access gets nothing.
	let refused =
		client.fetch(&doctor, note.record, &dir.path().join("n"), |_, _| {}).await.unwrap_err();
	assert!(matches!(refused, Error::Refused(ref m) if m.contains("did not make")), "{refused}");
	let refused = client
		.fetch(&other_doctor, lab.record, &dir.path().join("o"), |_, _| {})
		.await
		.unwrap_err();
	assert!(matches!(refused, Error::Refused(ref m) if m.contains("no key")), "{refused}");

	// Another hospital reviews the access into the patient's trail; the doctor's own cannot.
	let reviewed = ehr_as(
		&node_url,
		"Dave",
		&["hospital", "review", &patient_ss58, &doctor_ss58, "--verdict", "justified"],
	);
	assert!(reviewed[0].to_string().contains("review of trail entry"), "{reviewed:?}");
	let own = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--node", &node_url, "--dev", "--suri", "//Eve", "hospital", "review"])
		.args([&patient_ss58, &doctor_ss58, "--verdict", "justified"])
		.output()
		.unwrap();
	assert_eq!(own.status.code(), Some(3), "{}", String::from_utf8_lossy(&own.stderr));
	assert!(String::from_utf8_lossy(&own.stderr).contains("own doctors access"));

	// The hospital reviews and closes: the released shares leave the state.
	let review = client.hospital_emergencies(Some(&eve.account_id())).await.unwrap();
	assert_eq!(review.len(), 1);
	assert_eq!(review[0].released, vec![(lab.record, 2)]);
	client.close_emergency_access(&eve, &patient_id, &doctor.account_id()).await.unwrap();
	let key = pallet_ehr_escrow::Released::<ehr_runtime::Runtime>::hashed_key_for((
		&patient_id,
		&doctor.account_id(),
		lab.record,
	));
	let gone = async {
		for _ in 0..30 {
			let left: Option<Vec<u8>> = client.chain.storage(&key, None).await.unwrap();
			if left.is_none() {
				return true;
			}
			tokio::time::sleep(Duration::from_secs(1)).await;
		}
		false
	};
	assert!(gone.await, "the released shares are still in state");
	// The trail shows both releases and the read.
	let (_, trail, _) = client.trail_since(&patient_id, 0).await.unwrap();
	let releases = trail
		.iter()
		.filter(|(_, entry)| matches!(entry.event, AuditEvent::ShareReleased { .. }))
		.count();
	assert_eq!(releases, 2);
	assert!(trail
		.iter()
		.any(|(_, entry)| matches!(entry.event, AuditEvent::EmergencyAccessReviewed { .. })));
}

/// `ehr` with `args` against `node_url` as the dev account `//name`; its JSON lines, or the
/// failure's stderr.
fn ehr_json(node_url: &str, name: &str, args: &[&str]) -> Result<Vec<serde_json::Value>, String> {
	let out = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", node_url, "--dev", "--suri", &format!("//{name}")])
		.args(args)
		.output()
		.unwrap();
	if !out.status.success() {
		return Err(String::from_utf8_lossy(&out.stderr).into_owned());
	}
	Ok(String::from_utf8_lossy(&out.stdout)
		.lines()
		.filter_map(|line| serde_json::from_str(line).ok())
		.collect())
}

/// Records stay readable with the uploader's IPFS node down (issue 14): two js-ipfs daemons,
/// the patient's (A) and Bob's hospital's (B). The patient uploads to A and consents to a doctor
/// of Bob's hospital; Bob's pinning service copies the envelope from A to B (same CID); A goes
/// down; the doctor, given A then B, reads the original bytes from B, and given A alone cannot
/// read. Another patient's record pointing at the same envelope, erased, does not unpin it. The
/// patient erases the record: the next pass unpins it from B.
#[tokio::test(flavor = "multi_thread")]
async fn records_survive_an_ipfs_node_going_down() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, node_url) = start_node(dir.path());
	for daemon in ["a", "b"] {
		std::fs::create_dir_all(dir.path().join(daemon)).unwrap();
	}
	let (ipfs_a, url_a) = start_ipfs(&dir.path().join("a"));
	let (_ipfs_b, url_b) = start_ipfs(&dir.path().join("b"));
	let store_a = Store::ipfs(&url_a).unwrap();
	let client =
		wait_for("the node", || Client::connect(&node_url, store_a.clone())).await.development();
	wait_for("IPFS A", || store_a.check()).await;
	let store_b = Store::ipfs(&url_b).unwrap();
	wait_for("IPFS B", || store_b.check()).await;

	let (alice, bob, doctor) = (
		Keys::from_uri("//Alice").unwrap(),
		Keys::from_uri("//Bob").unwrap(),
		Keys::from_uri("//Ferdie").unwrap(),
	);
	council_of_one(&client, vec![add_hospital(&bob)]).await;
	new_doctor(&client, &bob, &doctor, "Dr. Ferdie").await;
	let patient = new_patient(&client, &alice).await;
	let patient_id = patient.account_id();
	consent_to_read_all(&client, &patient, &doctor).await;
	let original = random_file(&dir.path().join("scan.bin"), 300_000);
	let uploaded = client
		.upload(
			&patient,
			&patient_id,
			RecordCategory::Imaging,
			&dir.path().join("scan.bin"),
			|_, _| {},
		)
		.await
		.unwrap();
	let record = uploaded.record.to_string();
	assert!(!store_b.is_pinned(&ehr_client::cid::parse(&uploaded.cid).unwrap()).await.unwrap());

	// Bob's pinning service, its own node first, then the patient's.
	let state = dir.path().join("bob-state");
	let both = format!("{url_b},{url_a}");
	let pin_pass = || {
		let lines = ehr_json(
			&node_url,
			"Bob",
			&["--ipfs", &both, "--state-dir", state.to_str().unwrap(), "pin-service", "--once"],
		)
		.unwrap();
		lines.last().cloned().unwrap()
	};
	let pass = pin_pass();
	assert_eq!(pass["pinned"][0][0].to_string(), record, "{pass}");
	assert_eq!(pass["pinned"][0][1], uploaded.cid.as_str(), "{pass}");
	assert!(store_b.is_pinned(&ehr_client::cid::parse(&uploaded.cid).unwrap()).await.unwrap());
	// A second pass holds it, pins nothing new.
	let again = pin_pass();
	assert_eq!(
		(again["held"].as_u64(), again["pinned"].as_array().map(Vec::len)),
		(Some(1), Some(0))
	);

	// Another patient points a record of its own at the same envelope, then erases it: the
	// envelope stays on Bob's node, as the first patient's record still needs it.
	let copycat = new_patient(&client, &alice).await;
	let binary = ehr_client::cid::parse(&uploaded.cid).unwrap();
	let copy = ehr_runtime::RuntimeCall::Records(pallet_ehr_records::Call::add_record {
		patient: copycat.account_id(),
		category: RecordCategory::Imaging,
		cid: binary.clone().try_into().unwrap(),
		content_hash: [7; 32],
		size: 300_000,
		keys: vec![(copycat.account_id(), vec![1u8; 80].try_into().unwrap())].try_into().unwrap(),
		escrow: None,
	});
	let added = client.chain.submit(&copycat, copy).await.unwrap();
	let copy_id = added
		.events
		.iter()
		.find_map(|event| match event {
			ehr_runtime::RuntimeEvent::Records(pallet_ehr_records::Event::RecordAdded {
				record,
				..
			}) => Some(*record),
			_ => None,
		})
		.unwrap();
	assert_eq!(pin_pass()["held"], 2);
	let copycat_client =
		Client::connect(&node_url, Store::local(&dir.path().join("copycat")).unwrap())
			.await
			.unwrap()
			.development();
	copycat_client.erase(&copycat, copy_id).await.unwrap();
	let pass = pin_pass();
	assert!(pass["unpinned"].as_array().unwrap().is_empty(), "{pass}");
	assert!(store_b.is_pinned(&binary).await.unwrap());

	// The patient's IPFS node goes down.
	drop(ipfs_a);
	let out = dir.path().join("read.bin");
	let lines = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", &node_url, "--dev", "--suri", "//Ferdie"])
		.args(["--ipfs", &format!("{url_a},{url_b}"), "record", "get", &record, "--out"])
		.arg(&out)
		.output()
		.unwrap();
	assert!(lines.status.success(), "{}", String::from_utf8_lossy(&lines.stderr));
	assert_eq!(std::fs::read(&out).unwrap(), original);
	// With the patient's node alone, nothing to read from.
	let alone = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--json", "--node", &node_url, "--dev", "--suri", "//Ferdie"])
		.args(["--ipfs", &url_a, "record", "get", &record, "--out"])
		.arg(dir.path().join("again.bin"))
		.output()
		.unwrap();
	assert!(!alone.status.success());

	// Erased: the next pass unpins it from Bob's node.
	client.erase(&patient, uploaded.record).await.unwrap();
	let pass = pin_pass();
	assert_eq!(pass["unpinned"][0][0].to_string(), record, "{pass}");
	assert!(!store_b.is_pinned(&ehr_client::cid::parse(&uploaded.cid).unwrap()).await.unwrap());
}
