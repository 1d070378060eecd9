//! Helpers of the end-to-end tests: a `ehr-node --dev` child process, signing and submitting
//! transactions over JSON-RPC as a wallet does.

#![allow(dead_code)]

use std::{
	net::TcpListener,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use codec::Encode;
use ehr_runtime::{Hash, RuntimeCall, SignedPayload, UncheckedExtrinsic};
use jsonrpsee::{
	core::client::{ClientT, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use serde_json::Value;
use sp_core::{bytes::to_hex, crypto::Ss58Codec};
use sp_keyring::Sr25519Keyring;
use sp_runtime::MultiSignature;

/// A running `ehr-node --dev`, killed on drop.
pub struct DevNode {
	child: Child,
	rpc_port: u16,
	log: std::path::PathBuf,
}

impl Drop for DevNode {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl DevNode {
	pub fn start() -> Self {
		Self::spawn(&["--dev", "--no-prometheus"])
	}

	/// A second node of the dev chain, no validator, that syncs from `first` (a [`DevNode`]
	/// whose RPC answers at `first_rpc`) over loopback, with its metrics at `prometheus_port`.
	pub async fn start_peer(first_rpc: &WsClient, prometheus_port: u16) -> Self {
		let addresses: Vec<String> =
			first_rpc.request("system_localListenAddresses", rpc_params![]).await.unwrap();
		let first = addresses
			.into_iter()
			.find(|a| a.starts_with("/ip4/127.0.0.1/"))
			.expect("the first node listens on loopback");
		let port = prometheus_port.to_string();
		Self::spawn(&["--chain", "dev", "--bootnodes", &first, "--prometheus-port", &port])
	}

	fn spawn(args: &[&str]) -> Self {
		let rpc_port = free_port();
		let log = std::env::temp_dir().join(format!("ehr-e2e-node-{rpc_port}.log"));
		let log_file = std::fs::File::create(&log).expect("a log file in the temp dir");
		let child = Command::new(env!("CARGO_BIN_EXE_ehr-node"))
			.args(args)
			.args(["--tmp", "--no-telemetry", "--no-mdns"])
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{}", free_port())])
			.stdout(Stdio::null())
			.stderr(log_file)
			.spawn()
			.expect("ehr-node starts");
		DevNode { child, rpc_port, log }
	}

	/// The node's RPC address.
	pub fn rpc_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// Waits until the node's log has a line containing `needle`.
	pub async fn until_logged(&mut self, needle: &str, seconds: u64) {
		let deadline = Instant::now() + Duration::from_secs(seconds);
		loop {
			if std::fs::read_to_string(&self.log).unwrap_or_default().contains(needle) {
				return;
			}
			if let Ok(Some(status)) = self.child.try_wait() {
				panic!("ehr-node exited with {status}:\n{}", self.log_tail());
			}
			assert!(Instant::now() < deadline, "not logged: {needle}\n{}", self.log_tail());
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
	}

	fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		lines[lines.len().saturating_sub(20)..].join("\n")
	}

	pub async fn client(&mut self) -> WsClient {
		let url = self.rpc_url();
		let deadline = Instant::now() + Duration::from_secs(120);
		loop {
			if let Ok(client) = WsClientBuilder::default().build(&url).await {
				if client.request::<Value, _>("system_health", rpc_params![]).await.is_ok() {
					return client;
				}
			}
			if let Ok(Some(status)) = self.child.try_wait() {
				panic!("ehr-node exited with {status}:\n{}", self.log_tail());
			}
			assert!(
				Instant::now() < deadline,
				"the node's RPC did not come up:\n{}",
				self.log_tail()
			);
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}
}

/// The node's metrics on `port` (Prometheus's text format).
pub fn prometheus_metrics(port: u16) -> String {
	use std::io::{Read, Write};
	let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
	stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
	let mut answer = String::new();
	stream.read_to_string(&mut answer).unwrap();
	answer
}

/// The value of the metric whose line starts with `name` and contains `label`, if exported.
pub fn metric(metrics: &str, name: &str, label: &str) -> Option<f64> {
	metrics
		.lines()
		.filter(|line| line.starts_with(name) && line.contains(label))
		.find_map(|line| line.rsplit(' ').next()?.parse().ok())
}

/// Sign `call` by `signer` for the chain behind `client`, as a wallet does.
pub async fn sign(client: &WsClient, signer: Sr25519Keyring, call: RuntimeCall) -> String {
	let genesis: Hash = client.request("chain_getBlockHash", rpc_params![0]).await.unwrap();
	let version: Value = client.request("state_getRuntimeVersion", rpc_params![]).await.unwrap();
	let spec_version = version["specVersion"].as_u64().unwrap() as u32;
	let tx_version = version["transactionVersion"].as_u64().unwrap() as u32;
	let who = signer.to_account_id();
	let nonce: u32 =
		client.request("system_accountNextIndex", rpc_params![who.to_ss58check()]).await.unwrap();

	let extension = ehr_runtime::tx_extension(nonce, 0);
	// What the extensions add to the signed payload: versions, the genesis hash (twice: for
	// `CheckGenesis` and for the immortal `CheckEra`) and no metadata hash (mode 0).
	let implicit = ((), spec_version, tx_version, genesis, genesis, (), None::<[u8; 32]>, ());
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = MultiSignature::from(payload.using_encoded(|bytes| signer.sign(bytes)));
	let extrinsic = UncheckedExtrinsic::new_signed(call, who.into(), signature, extension);
	to_hex(&extrinsic.encode(), false)
}

/// How far a transaction must get before [`submit_and_watch`] returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Until {
	/// Included in a block.
	InBlock,
	/// Included in a finalized block.
	Finalized,
}

/// Submit a signed extrinsic and follow its status until it gets as far as `until`; returns the
/// hash of the block that holds it. Panics if the pool refuses or drops it.
pub async fn submit_and_watch(client: &WsClient, extrinsic: String, until: Until) -> String {
	let mut status = client
		.subscribe::<Value, _>(
			"author_submitAndWatchExtrinsic",
			rpc_params![extrinsic],
			"author_unwatchExtrinsic",
		)
		.await
		.expect("the pool accepts the transaction");
	let deadline = Instant::now() + Duration::from_secs(120);
	loop {
		let remaining = deadline.saturating_duration_since(Instant::now());
		let update = tokio::time::timeout(remaining, status.next())
			.await
			.unwrap_or_else(|_| panic!("not {until:?} within two minutes"))
			.expect("the status stream stays open")
			.expect("a status update decodes");
		let reached = match until {
			Until::InBlock => update.get("inBlock").or_else(|| update.get("finalized")),
			Until::Finalized => update.get("finalized"),
		};
		if let Some(hash) = reached {
			return hash.as_str().expect("a block hash").to_string();
		}
		let text = update.to_string();
		assert!(
			!["invalid", "dropped", "usurped"].iter().any(|bad| text.contains(bad)),
			"transaction failed: {text}"
		);
	}
}

/// Submit a signed extrinsic, wait until it is in a block, and check it did not fail there;
/// returns that block's hash.
pub async fn submit_in_block(client: &WsClient, extrinsic: String) -> String {
	let block = submit_and_watch(client, extrinsic, Until::InBlock).await;
	assert_no_failed_extrinsic(client, &block).await;
	block
}

/// Reads the block's events from storage and fails on any `ExtrinsicFailed`.
pub async fn assert_no_failed_extrinsic(client: &WsClient, block: &str) {
	if let Some(error) = extrinsic_failures(client, block).await.first() {
		panic!("an extrinsic failed in {block}: {error:?}");
	}
}

/// The errors of the extrinsics that failed in `block`, from its events in storage.
pub async fn extrinsic_failures(client: &WsClient, block: &str) -> Vec<sp_runtime::DispatchError> {
	use codec::Decode;
	// `System::Events` is private to frame-system; its key is the standard prefix pair.
	let key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
	let key = to_hex(&key, false);
	let raw: Option<String> =
		client.request("state_getStorage", rpc_params![key, block]).await.unwrap();
	let bytes = sp_core::bytes::from_hex(&raw.expect("every block has events")).unwrap();
	let events =
		Vec::<frame_system::EventRecord<ehr_runtime::RuntimeEvent, Hash>>::decode(&mut &bytes[..])
			.expect("events decode with the runtime's types");
	events
		.into_iter()
		.filter_map(|record| match record.event {
			ehr_runtime::RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) => Some(dispatch_error),
			_ => None,
		})
		.collect()
}

/// Submit a signed extrinsic that the pool accepts but whose call fails in the block; returns
/// the call's error.
pub async fn submit_failing(client: &WsClient, extrinsic: String) -> sp_runtime::DispatchError {
	let block = submit_and_watch(client, extrinsic, Until::InBlock).await;
	extrinsic_failures(client, &block).await.pop().expect("the call fails")
}

/// Milliseconds since the Unix epoch, as the dev chain's clock reads.
pub fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.expect("the clock is after 1970")
		.as_millis() as u64
}

pub fn remark(text: &[u8]) -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark_with_event { remark: text.to_vec() })
}
