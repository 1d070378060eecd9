//! What the end-to-end and fault tests share: real processes on loopback, and waiting for them.

#![allow(dead_code)]

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use ehr_client::{Error, Keys};

/// A child process killed on drop.
pub struct Daemon(pub Child);

impl Drop for Daemon {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// A TCP port on loopback that nothing listens on now.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn repo_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The node binary next to this test's directory in the target dir (`cargo test --workspace`
/// builds it), or `EHR_NODE`.
pub fn node_binary() -> PathBuf {
	if let Ok(path) = std::env::var("EHR_NODE") {
		return path.into();
	}
	let exe = std::env::current_exe().unwrap();
	exe.parent().and_then(Path::parent).unwrap().join("ehr-node")
}

/// An `ehr-node --dev` on loopback with its state in a temporary directory, its log in
/// `dir/node.log`; returns it with its RPC address.
pub fn start_node(dir: &Path) -> (Daemon, String) {
	let port = free_port();
	let log = std::fs::File::create(dir.join("node.log")).unwrap();
	let child = Command::new(node_binary())
		.args(["--dev", "--tmp", "--no-telemetry", "--no-prometheus", "--no-mdns"])
		.args(["--rpc-port", &port.to_string()])
		.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{}", free_port())])
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("ehr-node starts (scripts/build.sh builds it)");
	(Daemon(child), format!("ws://127.0.0.1:{port}"))
}

/// `attempt` until it succeeds, for at most `seconds`; then the test fails with its last error.
pub async fn wait_up_to<T, F: std::future::Future<Output = Result<T, Error>>>(
	what: &str,
	seconds: u64,
	mut attempt: impl FnMut() -> F,
) -> T {
	let deadline = Instant::now() + Duration::from_secs(seconds);
	loop {
		match attempt().await {
			Ok(value) => return value,
			Err(error) if Instant::now() > deadline => {
				panic!("{what}: not within {seconds} s: {error}")
			}
			Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
		}
	}
}

/// [`wait_up_to`] three minutes, for something to come up.
pub async fn wait_for<T, F: std::future::Future<Output = Result<T, Error>>>(
	what: &str,
	attempt: impl FnMut() -> F,
) -> T {
	wait_up_to(what, 180, attempt).await
}

/// `hospital` offers `doctor` (named `name`) a doctor's role, and the doctor accepts it with its
/// encryption key.
pub async fn new_doctor(client: &ehr_client::Client, hospital: &Keys, doctor: &Keys, name: &str) {
	client.register_doctor(hospital, &doctor.account_id(), name, "cardiology", name).await.unwrap();
	client.accept_doctor(doctor, &hospital.account_id()).await.unwrap();
}

/// A new patient, invited by `hospital` and registered.
pub async fn new_patient(client: &ehr_client::Client, hospital: &Keys) -> Keys {
	let (patient, _phrase) = Keys::generate();
	client.invite_patient(hospital, &patient.account_id()).await.unwrap();
	client.register_patient(&patient).await.unwrap();
	patient
}

/// `patient` consents to `doctor` reading all its records, for treatment.
pub async fn consent_to_read_all(client: &ehr_client::Client, patient: &Keys, doctor: &Keys) {
	use ehr_primitives::{AccessLevel, Purpose, Scope};
	client
		.grant(
			patient,
			&doctor.account_id(),
			Scope::All,
			AccessLevel::Read,
			None,
			Purpose::Treatment,
		)
		.await
		.unwrap();
}
