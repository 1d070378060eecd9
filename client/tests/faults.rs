//! The fault suite (issue 14): the four-hospital `local` consortium as real `ehr-node`
//! processes on loopback (Alice, Bob, Charlie and Dave each run a validator) and one hospital's
//! non-validator RPC node, through the faults a consortium meets:
//!
//! 1. **A validator killed under load.** The hospitals send transactions (patient invitations,
//!    free for them) to Alice's node, each with its own nonce, several queued at once; Dave's
//!    validator is killed with `SIGKILL` in the middle. Blocks and finality go on with three of
//!    four; Dave restarts from its database (not from scratch) and catches up. Every
//!    transaction the pool accepted is in exactly one finalized block: none lost, none twice.
//! 2. **Two of four down.** Bob's and Charlie's validators are killed: GRANDPA needs more than
//!    two thirds, so finality stops at the height of the fault while Alice and Dave still
//!    author blocks; both come back, and finality resumes past every block authored meanwhile.
//! 3. **The RPC node** followed all of it, and the auditor's verified read of a patient's trail
//!    (GRANDPA justifications checked against the `local` chain spec, storage proofs) through it
//!    gives what Alice's validator gives.
//! 4. **A runtime upgrade on the live network**, voted by three of the four hospitals: a
//!    real new runtime (`ehr_runtime::next`, this runtime built with the next `spec_version`),
//!    authorized by the council and handed in unsigned. Blocks and finality go on, every node
//!    runs it, the trail written before reads the same, and new transactions go through.
//! 5. **Backup and restore**, both ways docs/consortium.md documents: a copy of a stopped node's base
//!    path, and `ehr-node export-blocks` / `import-blocks` into an empty one. Each restored node
//!    starts at the height backed up and catches up with the network.
//!
//! The orchestration is in this test rather than in zombienet's DSL, which can kill and restart
//! a node (`restart`) but cannot assert that finality *stops*, relative to the height at the
//! fault, or follow each transaction of a load.

use std::{
	collections::BTreeMap,
	fs::File,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::Arc,
	time::Duration,
};

use codec::Encode;
use common::*;
use ehr_client::{
	audit,
	chain::{never_final, Chain},
	finality::Finality,
	Client, Error, Keys, Store,
};
use ehr_runtime::{Hash, Header, RuntimeCall, RuntimeEvent, UncheckedExtrinsic};
use jsonrpsee::{core::client::Subscription, rpc_params};
use serde_json::Value;
use sp_core::bytes::to_hex;

mod common;

/// One `ehr-node` process of the network, started and stopped by the test.
struct Node {
	name: &'static str,
	base: PathBuf,
	log: PathBuf,
	p2p: u16,
	rpc: u16,
	/// Everything but the ports, the base path and the bootnode.
	args: Vec<String>,
	bootnode: Option<String>,
	/// Prometheus metrics on this port, if any.
	prometheus: Option<u16>,
	child: Option<Child>,
}

impl Node {
	fn new(dir: &Path, name: &'static str, args: &[&str]) -> Node {
		Node {
			name,
			base: dir.join(name),
			log: dir.join(format!("{name}.log")),
			p2p: free_port(),
			rpc: free_port(),
			args: args.iter().map(|arg| arg.to_string()).collect(),
			bootnode: None,
			prometheus: None,
			child: None,
		}
	}

	/// A validator of the `local` consortium with the development keys of `name`, put in its
	/// keystore as a hospital does (docs/consortium.md, "Joining the consortium"): `ehr-node key insert`
	/// of the Aura (sr25519) and GRANDPA (ed25519) keys, then `--validator`.
	fn validator(dir: &Path, name: &'static str, key_byte: u8) -> Node {
		let mut node = Node::new(dir, name, &["--chain", "local", "--validator", "--name", name]);
		for (scheme, key_type) in [("sr25519", "aura"), ("ed25519", "gran")] {
			node_command(
				&["key", "insert", "--chain", "local", "--scheme", scheme, "--key-type", key_type],
				&[],
				&["--suri", &format!("//{name}"), "--base-path", node.base.to_str().unwrap()],
			);
		}
		node.args.extend(["--node-key".to_string(), hex::encode([key_byte; 32])]);
		node
	}

	fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc)
	}

	/// Starts it (again) on the same base path, ports and bootnode; the log is appended to.
	fn start(&mut self) {
		assert!(self.child.is_none(), "{} runs already", self.name);
		let log = File::options().create(true).append(true).open(&self.log).unwrap();
		let mut command = Command::new(node_binary());
		command
			.args(&self.args)
			.arg("--base-path")
			.arg(&self.base)
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{}", self.p2p)])
			.args(["--rpc-port", &self.rpc.to_string()])
			.args(["--no-telemetry", "--no-mdns"]);
		match self.prometheus {
			Some(port) => command.args(["--prometheus-port", &port.to_string()]),
			None => command.arg("--no-prometheus"),
		};
		if let Some(bootnode) = &self.bootnode {
			command.args(["--bootnodes", bootnode]);
		}
		let child = command
			.stdout(Stdio::null())
			.stderr(log)
			.spawn()
			.expect("ehr-node starts (build it with cargo test --workspace)");
		self.child = Some(child);
	}

	/// `kill -9`: no chance to flush or say goodbye.
	fn kill(&mut self) {
		let mut child = self.child.take().expect("the node runs");
		child.kill().unwrap();
		child.wait().unwrap();
	}

	/// A clean stop (`SIGINT`, as Ctrl-C or a service manager), waiting for the process to end.
	fn stop(&mut self) {
		let mut child = self.child.take().expect("the node runs");
		// SAFETY: `kill` on the pid of a child this process owns and has not yet waited for.
		unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
		child.wait().unwrap();
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

/// The best and the finalized block number a node reports now.
async fn heights(url: &str) -> Result<(u32, u32), Error> {
	let chain = Chain::connect(url).await?;
	let best: Header = chain.request("chain_getHeader", rpc_params![]).await?;
	let finalized = chain.finalized().await?;
	Ok((best.number, chain.number(finalized).await?))
}

/// Waits until `node`'s heights satisfy `ok` (for at most `seconds`), and returns them.
async fn until(url: &str, what: &str, seconds: u64, ok: impl Fn(u32, u32) -> bool) -> (u32, u32) {
	wait_up_to(what, seconds, || async {
		let (best, finalized) = heights(url).await?;
		if ok(best, finalized) {
			Ok((best, finalized))
		} else {
			Err(Error::Node(format!("best #{best}, finalized #{finalized}")))
		}
	})
	.await
}

/// What the load sent: each transaction as submitted, and whether the pool accepted it.
struct Sent {
	encoded: String,
	accepted: Result<Subscription<Value>, String>,
}

/// `hospital` invites `count` new patients to Alice's node, one every `interval`, each signed
/// with the next nonce without waiting for the previous one to be in a block.
async fn load(chain: Arc<Chain>, hospital: Keys, count: u32, interval: Duration) -> Vec<Sent> {
	let who = hospital.account_id();
	let first: u32 = chain
		.request(
			"system_accountNextIndex",
			rpc_params![sp_core::crypto::Ss58Codec::to_ss58check(&who)],
		)
		.await
		.unwrap();
	let mut sent = Vec::new();
	for i in 0..count {
		let patient = Keys::generate().0.account_id();
		let call = RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient { patient });
		let signed = chain.sign_with_nonce(&hospital, call, first + i).await.unwrap();
		let encoded = to_hex(&signed.encode(), false);
		let accepted = chain.watch(&encoded).await.map_err(|e| e.to_string());
		sent.push(Sent { encoded, accepted });
		tokio::time::sleep(interval).await;
	}
	sent
}

/// Follows an accepted transaction's status until it is finalized (or fails the test); the
/// block it is final in.
async fn finalized(encoded: &str, mut status: Subscription<Value>) -> Hash {
	loop {
		let update = tokio::time::timeout(Duration::from_secs(300), status.next())
			.await
			.unwrap_or_else(|_| panic!("not finalized within 300 s: {encoded}"))
			.expect("the status stream goes on")
			.expect("a status");
		if let Some(block) = update.get("finalized") {
			return serde_json::from_value(block.clone()).expect("a block hash");
		}
		assert!(never_final(&update).is_none(), "an accepted transaction was lost: {update}");
	}
}

/// How many times each of `ours` is in the finalized blocks `from..=to`.
async fn occurrences(chain: &Chain, ours: &[String], from: u32, to: u32) -> BTreeMap<String, u32> {
	let mut count: BTreeMap<String, u32> = ours.iter().map(|x| (x.clone(), 0)).collect();
	for number in from..=to {
		let hash: Hash = chain.request("chain_getBlockHash", rpc_params![number]).await.unwrap();
		let block: Value = chain.request("chain_getBlock", rpc_params![hash]).await.unwrap();
		for extrinsic in block["block"]["extrinsics"].as_array().unwrap() {
			if let Some(seen) = count.get_mut(extrinsic.as_str().unwrap()) {
				*seen += 1;
			}
		}
	}
	count
}

/// The text a node's Prometheus endpoint serves (`GET /metrics` on loopback).
fn prometheus_metrics(port: u16) -> String {
	use std::io::{Read, Write};
	let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
	stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
	let mut answer = String::new();
	stream.read_to_string(&mut answer).unwrap();
	answer
}

/// The `local` chain's raw spec: the auditor's trust anchor.
fn local_spec(dir: &Path) -> PathBuf {
	let out = Command::new(node_binary())
		.args(["build-spec", "--chain", "local", "--raw"])
		.stderr(Stdio::null())
		.output()
		.expect("ehr-node build-spec");
	assert!(out.status.success(), "ehr-node build-spec --chain local --raw");
	let path = dir.join("local.json");
	std::fs::write(&path, out.stdout).unwrap();
	path
}

/// The patient's whole trail, verified, through `url`.
async fn verified_trail(url: &str, spec: &Path, patient: &Keys) -> audit::VerifiedPage {
	let chain = Chain::connect(url).await.unwrap();
	let mut finality = Finality::open(spec, None).unwrap();
	audit::verified_trail_all(&chain, &mut finality, &patient.account_id(), 0, 100).await.unwrap()
}

/// Runs `ehr-node` with `args`, `paths` and `more` to its end, and returns its output (stderr)
/// when it succeeded.
fn node_command(args: &[&str], paths: &[&Path], more: &[&str]) -> String {
	let out = Command::new(node_binary()).args(args).args(paths).args(more).output().unwrap();
	let stderr = String::from_utf8_lossy(&out.stderr).to_string();
	assert!(out.status.success(), "ehr-node {args:?}: {stderr}");
	stderr
}

/// The hospitals' council authorizes `code` (Alice proposes; Alice, Bob and Charlie vote aye:
/// three of four), then the code is handed in unsigned; returns the number of the block that
/// enacted it.
async fn upgrade_live(chain: &Chain, code: Vec<u8>) -> u32 {
	use frame_support::dispatch::GetDispatchInfo;
	use sp_runtime::traits::{BlakeTwo256, Hash as _};
	let [alice, bob, charlie] =
		["//Alice", "//Bob", "//Charlie"].map(|uri| Keys::from_uri(uri).unwrap());
	let code_hash = BlakeTwo256::hash(&code);
	let authorize = RuntimeCall::Consortium(pallet_consortium::Call::dispatch_as_root {
		call: Box::new(RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash })),
	});
	let length_bound = authorize.encoded_size() as u32;
	let proposal_weight_bound = authorize.get_dispatch_info().call_weight;
	let proposed = chain
		.submit(
			&alice,
			RuntimeCall::HospitalCouncil(pallet_collective::Call::propose {
				threshold: 3,
				proposal: Box::new(authorize),
				length_bound,
			}),
		)
		.await
		.unwrap();
	let (index, proposal_hash) = proposed
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::HospitalCouncil(pallet_collective::Event::Proposed {
				proposal_index,
				proposal_hash,
				..
			}) => Some((*proposal_index, *proposal_hash)),
			_ => None,
		})
		.expect("the motion is proposed");
	for voter in [&alice, &bob, &charlie] {
		let vote = pallet_collective::Call::vote { proposal: proposal_hash, index, approve: true };
		chain.submit(voter, RuntimeCall::HospitalCouncil(vote)).await.unwrap();
	}
	let close = pallet_collective::Call::close {
		proposal_hash,
		index,
		proposal_weight_bound,
		length_bound,
	};
	let closed = chain.submit(&alice, RuntimeCall::HospitalCouncil(close)).await.unwrap();
	assert!(
		closed.events.iter().any(|event| matches!(
			event,
			RuntimeEvent::System(frame_system::Event::UpgradeAuthorized { code_hash: h, .. })
				if *h == code_hash
		)),
		"the upgrade is authorized: {:?}",
		closed.events
	);
	// Anyone may hand the code in, without a signature or a fee: only this code is valid.
	let apply = UncheckedExtrinsic::new_bare(RuntimeCall::System(
		frame_system::Call::apply_authorized_upgrade { code },
	));
	let mut status = chain
		.watch(&to_hex(&apply.encode(), false))
		.await
		.expect("the pool accepts the authorized code");
	let block: Hash = loop {
		let update = tokio::time::timeout(Duration::from_secs(300), status.next())
			.await
			.expect("the upgrade is finalized within 300 s")
			.expect("the status stream goes on")
			.expect("a status");
		if let Some(hash) = update.get("finalized") {
			break serde_json::from_value(hash.clone()).unwrap();
		}
		assert!(never_final(&update).is_none(), "{update}");
	};
	let events = chain.events(block).await.unwrap();
	assert!(
		events.iter().any(|record| matches!(
			record.event,
			RuntimeEvent::System(frame_system::Event::CodeUpdated { .. })
		)),
		"the code is updated: {events:?}"
	);
	chain.number(block).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_consortium_survives_its_faults() {
	let dir = tempfile::tempdir().unwrap();
	let dir = dir.path();
	let mut alice = Node::validator(dir, "Alice", 1);
	alice.start();
	let peer: String = wait_for("Alice's node", || async {
		Chain::connect(&alice.url()).await?.request("system_localPeerId", rpc_params![]).await
	})
	.await;
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer}", alice.p2p);
	let mut validators = vec![alice];
	for (name, key) in [("Bob", 2), ("Charlie", 3), ("Dave", 4)] {
		let mut node = Node::validator(dir, name, key);
		node.bootnode = Some(bootnode.clone());
		node.start();
		validators.push(node);
	}
	// A hospital's RPC node: no keys, no vote; it serves apps and the auditor.
	let mut rpc = Node::new(dir, "rpc", &["--chain", "local"]);
	rpc.bootnode = Some(bootnode.clone());
	rpc.prometheus = Some(free_port());
	rpc.start();
	let urls: Vec<String> = validators.iter().map(Node::url).collect();
	let (alice_url, dave_url, rpc_url) = (urls[0].clone(), urls[3].clone(), rpc.url());
	until(&alice_url, "the four validators finalize", 180, |_, finalized| finalized >= 2).await;

	// A patient with a trail (a grant to a doctor), for the auditor's reads later.
	let store = Store::local(&dir.join("store")).unwrap();
	// The test network's node is the test's own: its word is taken (the auditor's reads below
	// are proven).
	let client = Client::connect(&alice_url, store).await.unwrap().development();
	let hospital = Keys::from_uri("//Alice").unwrap();
	let doctor = Keys::from_uri("//Ferdie").unwrap();
	new_doctor(&client, &hospital, &doctor, "Dr. Ferdie").await;
	let patient = new_patient(&client, &hospital).await;
	consent_to_read_all(&client, &patient, &doctor).await;

	// 1. Dave's validator is killed under load, and restarts.
	let chain = Arc::new(Chain::connect(&alice_url).await.unwrap());
	let (_, load_from) = heights(&alice_url).await.unwrap();
	let senders: Vec<_> = ["//Alice", "//Bob", "//Charlie", "//Dave"]
		.into_iter()
		.map(|uri| {
			let hospital = Keys::from_uri(uri).unwrap();
			tokio::spawn(load(chain.clone(), hospital, 12, Duration::from_millis(2500)))
		})
		.collect();
	tokio::time::sleep(Duration::from_secs(8)).await;
	let (dave_best, _) = heights(&dave_url).await.unwrap();
	validators[3].kill();
	let (_, at_kill) = heights(&alice_url).await.unwrap();
	let (_, finalized_without_dave) =
		until(&alice_url, "finality with Dave's validator killed", 120, |_, f| f >= at_kill + 3)
			.await;
	println!("Dave killed at finalized #{at_kill}; finalized #{finalized_without_dave} without it");
	validators[3].start();
	let (restarted_at, _) = wait_for("Dave's node after the restart", || heights(&dave_url)).await;
	assert!(
		restarted_at >= dave_best,
		"Dave restarted at #{restarted_at}, below its #{dave_best} before the kill: not from its \
		 database"
	);
	let mut sent = Vec::new();
	for sender in senders {
		sent.extend(sender.await.unwrap());
	}
	let ours: Vec<String> = sent.iter().map(|s| s.encoded.clone()).collect();
	let mut following = Vec::new();
	for Sent { encoded, accepted } in sent {
		let status = accepted.unwrap_or_else(|e| panic!("the pool refused a transaction: {e}"));
		following.push(async move {
			finalized(&encoded, status).await;
		});
	}
	futures::future::join_all(following).await;
	let (_, load_to) = heights(&alice_url).await.unwrap();
	let seen = occurrences(&chain, &ours, load_from, load_to).await;
	let wrong: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
	assert!(wrong.is_empty(), "not exactly once in the finalized chain: {wrong:?}");
	println!("{} transactions, each finalized exactly once (#{load_from}..#{load_to})", ours.len());
	let (_, dave_finalized) = until(&dave_url, "Dave catches up", 180, |_, f| f >= load_to).await;
	println!("Dave restarted at #{restarted_at} and caught up to finalized #{dave_finalized}");

	// 2. Two of four down: finality stops, blocks go on; both back: finality resumes.
	validators[1].kill();
	validators[2].kill();
	let (best_at_fault, finalized_at_fault) = heights(&alice_url).await.unwrap();
	// Alice and Dave author in their own slots, half of them.
	let (_, stalled) = until(&alice_url, "blocks with two validators down", 180, |best, _| {
		best >= best_at_fault + 2
	})
	.await;
	assert!(stalled <= finalized_at_fault + 1, "finalized #{stalled} with two of four down");
	let (best_later, still) =
		until(&alice_url, "more blocks with two validators down", 180, |b, _| {
			b >= best_at_fault + 4
		})
		.await;
	assert_eq!(still, stalled, "finality moved with two of four validators down");
	println!(
		"two down at best #{best_at_fault}, finalized #{finalized_at_fault}: best #{best_later}, \
		 finalized still #{still}"
	);
	validators[1].start();
	validators[2].start();
	let (_, resumed) = until(&alice_url, "finality resumes", 240, |_, f| f >= best_later).await;
	println!("both back: finalized #{resumed}, past every block authored meanwhile");

	// 3. The RPC node followed, and the auditor's verified reads through it agree with Alice's.
	until(&rpc_url, "the RPC node follows", 120, |_, f| f >= resumed).await;
	let spec = local_spec(dir);
	let through_rpc = verified_trail(&rpc_url, &spec, &patient).await;
	let through_alice = verified_trail(&alice_url, &spec, &patient).await;
	assert!(through_rpc.total >= 1, "the patient's trail holds the grant: {}", through_rpc.total);
	assert_eq!(through_rpc.total, through_alice.total);
	assert_eq!(through_rpc.entries.encode(), through_alice.entries.encode());

	// 4. A runtime upgrade on the live network, voted by three of the four hospitals: the
	// council authorizes the new code's hash (a small motion, free for hospitals), then anyone
	// hands the code in as an unsigned `apply_authorized_upgrade`, which the runtime accepts
	// only for exactly that code, with a higher `spec_version`.
	let next = ehr_runtime::next::WASM_BINARY
		.expect("the next runtime is built with the node (not with SKIP_WASM_BUILD)")
		.to_vec();
	let before: Value = chain.request("state_getRuntimeVersion", rpc_params![]).await.unwrap();
	let (_, upgrade_from) = heights(&alice_url).await.unwrap();
	let enacted = upgrade_live(&client.chain, next).await;
	let after: Value = chain.request("state_getRuntimeVersion", rpc_params![]).await.unwrap();
	assert_eq!(after["specVersion"], before["specVersion"].as_u64().unwrap() + 1);
	assert_eq!(after["transactionVersion"], before["transactionVersion"]);
	// Blocks and finality go on, on every node (the RPC node too, which voted nothing).
	let (_, finalized_after) =
		until(&alice_url, "finality after the upgrade", 120, |_, f| f >= enacted + 3).await;
	for url in urls.iter().chain([&rpc_url]) {
		until(url, "every node follows the upgrade", 180, |_, f| f >= enacted + 3).await;
		let version: Value = Chain::connect(url)
			.await
			.unwrap()
			.request("state_getRuntimeVersion", rpc_params![])
			.await
			.unwrap();
		assert_eq!(version["specVersion"], after["specVersion"], "{url}");
	}
	// Its Prometheus metrics (what a hospital's monitoring scrapes) say the same (they are
	// refreshed every few seconds).
	let port = rpc.prometheus.unwrap();
	let finalized_metric = wait_up_to("the RPC node's metrics", 60, || async move {
		let metrics = prometheus_metrics(port);
		let height = metrics
			.lines()
			.find(|line| {
				line.starts_with("substrate_block_height{") && line.contains("status=\"finalized\"")
			})
			.and_then(|line| line.rsplit(' ').next())
			.and_then(|value| value.parse::<u32>().ok())
			.ok_or_else(|| {
				Error::Node(format!("no finalized height in the metrics:\n{metrics}"))
			})?;
		if height >= enacted + 3 {
			Ok(height)
		} else {
			Err(Error::Node(format!("the metrics say finalized #{height}")))
		}
	})
	.await;
	// The data written before reads the same, verified, and new transactions (signed for the
	// new version) go through.
	let upgraded = verified_trail(&rpc_url, &spec, &patient).await;
	assert_eq!(upgraded.entries.encode(), through_alice.entries.encode());
	let second_doctor = Keys::from_uri("//Eve").unwrap();
	// This client was built for the runtime before: it refuses to sign for the new one (its
	// metadata hash would not be the chain's), before anything is sent.
	let refused = client
		.register_doctor(&hospital, &second_doctor.account_id(), "Dr. Eve", "oncology", "MD-8")
		.await;
	assert!(
		matches!(&refused, Err(Error::Node(why)) if why.contains("this client was built for")),
		"a client for the old runtime signs nothing: {refused:?}"
	);
	// A wallet encoding from the new runtime's metadata signs for the new spec version (without
	// a metadata hash, mode 0): it goes through.
	let call = RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
		doctor: second_doctor.account_id(),
		name: b"Dr. Eve".to_vec(),
		specialty: b"oncology".to_vec(),
		licence: b"MD-8".to_vec(),
	});
	let nonce: u32 =
		chain.request("system_accountNextIndex", rpc_params![hospital.address()]).await.unwrap();
	let signed = client.chain.sign_with_metadata_hash(&hospital, call, nonce, None).await.unwrap();
	let encoded = to_hex(&signed.encode(), false);
	let block =
		finalized(&encoded, chain.watch(&encoded).await.expect("the pool accepts it")).await;
	let events = chain.events(block).await.unwrap();
	assert!(
		events.iter().any(|record| matches!(
			&record.event,
			RuntimeEvent::Identity(pallet_ehr_identity::Event::DoctorOffered { doctor, .. })
				if *doctor == second_doctor.account_id()
		)),
		"the transaction signed for the new runtime did what it says: {events:?}"
	);
	println!(
		"upgraded from spec version {} to {} at #{enacted} (asked at #{upgrade_from}); finalized \
		 #{finalized_after} after it (the RPC node's metrics: #{finalized_metric}); the trail \
		 reads the same",
		before["specVersion"], after["specVersion"]
	);

	// 5. Backup and restore. Charlie's node stops cleanly; its base path is copied and its
	// blocks exported; it starts again.
	let charlie = &mut validators[2];
	charlie.stop();
	let charlie_base = charlie.base.clone();
	let backup = dir.join("charlie-backup");
	let copied = Command::new("cp").arg("-a").arg(&charlie_base).arg(&backup).status().unwrap();
	assert!(copied.success());
	let (backed_up, _) = heights(&alice_url).await.unwrap();
	let exported = dir.join("blocks.bin");
	node_command(
		&["export-blocks", "--chain", "local", "--binary", "--base-path"],
		&[&charlie_base, &exported],
		&[],
	);
	charlie.start();
	// (a) A database copy, started as a non-validator (never run a copy and its original as
	// validators at once: they would vote twice).
	let mut from_copy = Node::new(dir, "restored-copy", &["--chain", "local"]);
	from_copy.base = backup;
	from_copy.bootnode = Some(bootnode.clone());
	from_copy.start();
	let copy_url = from_copy.url();
	let (copy_starts_at, _) = wait_for("the restored copy", || heights(&copy_url)).await;
	// (b) The exported blocks, imported into an empty base path.
	let imported_base = dir.join("restored-import");
	let imported_log = node_command(
		&["import-blocks", "--chain", "local", "--binary", "--base-path"],
		&[&imported_base, &exported],
		&[],
	);
	let mut from_import = Node::new(dir, "restored-import", &["--chain", "local"]);
	from_import.bootnode = Some(bootnode);
	from_import.start();
	let import_url = from_import.url();
	let (import_starts_at, _) = wait_for("the imported node", || heights(&import_url)).await;
	let charlie_before = backed_up.saturating_sub(2);
	assert!(copy_starts_at >= charlie_before, "the copy starts at #{copy_starts_at}");
	assert!(
		import_starts_at >= charlie_before,
		"the import starts at #{import_starts_at}: {imported_log}"
	);
	let (_, now) = heights(&alice_url).await.unwrap();
	until(&copy_url, "the restored copy catches up", 180, |_, f| f >= now).await;
	until(&import_url, "the imported node catches up", 180, |_, f| f >= now).await;
	let restored = verified_trail(&import_url, &spec, &patient).await;
	assert_eq!(restored.entries.encode(), through_alice.entries.encode());
	println!(
		"backed up at #{backed_up}: the copy started at #{copy_starts_at}, the import at \
		 #{import_starts_at}; both caught up to finalized #{now}"
	);
}
