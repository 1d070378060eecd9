//! The IPFS gateway for browsers (`ehr ipfs-gateway`): the only way the web app reaches IPFS.
//!
//! IPFS's HTTP RPC API is an administrator's interface: whoever reaches it can pin, unpin,
//! collect garbage, change the configuration or shut the daemon down. A hospital keeps it on
//! loopback and runs this gateway beside it, which answers two requests and nothing else:
//!
//! - `GET /ipfs/{cid}`: the bytes stored under a CIDv1, at most [`GatewayConfig::max_size`]. The
//!   app checks what it gets against the chain (the envelope's content hash, its readers' keys),
//!   so the gateway is not trusted for content.
//! - `POST /upload`: stores and pins an envelope, at most [`GatewayConfig::max_size`] bytes, for
//!   an account that signs the request and is registered on the chain with an encryption key (a
//!   patient or a doctor), within [`GatewayConfig::bytes_per_hour`] per account. Headers:
//!   `x-ehr-account` (SS58), `x-ehr-time` (milliseconds since the Unix epoch, within
//!   [`MAX_CLOCK_SKEW`] of the gateway's clock) and `x-ehr-signature` (hex sr25519 signature of
//!   [`upload_message`]). Answers `{"cid": "bafk…"}`.
//!
//! Everything else is `404`: no pin removal, no garbage collection, no shutdown, no
//! configuration. Registration is read with proofs when the client verifies (`--chain-spec`),
//! and otherwise only on a development chain.

use std::{
	cell::RefCell,
	collections::HashMap,
	convert::Infallible,
	rc::Rc,
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use http_body_util::{BodyExt, Full, Limited};
use hyper::{
	body::{Bytes, Incoming},
	header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE},
	Method, Request, Response, StatusCode,
};
use hyper_util::rt::TokioIo;
use sp_core::{
	crypto::{AccountId32 as AccountId, Ss58Codec},
	sr25519, Pair,
};

use crate::{cid, Client, Error};

/// How far a request's time may be from the gateway's clock.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// How long a positive registration check is reused for an account.
const REGISTRATION_REUSE: Duration = Duration::from_secs(60);

/// Connections served at once; further ones wait to be accepted.
const MAX_CONNECTIONS: usize = 256;
/// Uploads whose bodies are read at once (each at most [`GatewayConfig::max_size`] in memory).
const MAX_UPLOADS: usize = 4;
/// Reads from IPFS at once.
const MAX_READS: usize = 8;
/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(20);
/// How long an upload's body, or a read from IPFS, may take.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(120);
/// The longest CID text served (a CIDv1 of a SHA-256 digest is 59 characters in base32).
const MAX_CID_TEXT: usize = 128;

/// What the gateway accepts.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
	/// The largest envelope stored or served, in bytes.
	pub max_size: u64,
	/// Bytes one account may store per hour.
	pub bytes_per_hour: u64,
	/// Bytes all accounts together may store per hour.
	pub total_per_hour: u64,
	/// The web app's origin (`Access-Control-Allow-Origin`), or `*`.
	pub allow_origin: String,
}

/// The bytes an uploader signs: `ehr-upload:{time}:{blake2-256 of the body, hex}`, so a
/// signature stores only that body, and only within [`MAX_CLOCK_SKEW`] of `time`.
pub fn upload_message(time_ms: u64, body: &[u8]) -> Vec<u8> {
	format!("ehr-upload:{time_ms}:{}", hex::encode(sp_io::hashing::blake2_256(body))).into_bytes()
}

struct Gateway {
	client: Client,
	config: GatewayConfig,
	/// Accounts found registered, and when.
	registered: RefCell<HashMap<AccountId, Instant>>,
	/// What was stored, by whom, this hour; the signatures used.
	ledger: RefCell<Ledger>,
	uploads: tokio::sync::Semaphore,
	reads: tokio::sync::Semaphore,
}

type Answer = Response<Full<Bytes>>;

/// Serves the gateway on `listener` until the task is dropped (it never returns); `client`
/// reaches the chain (to check registrations) and the IPFS node (its store).
pub async fn serve(listener: tokio::net::TcpListener, client: Client, config: GatewayConfig) {
	let gateway = Rc::new(Gateway {
		client,
		registered: Default::default(),
		ledger: RefCell::new(Ledger::new(config.bytes_per_hour, config.total_per_hour)),
		config,
		uploads: tokio::sync::Semaphore::new(MAX_UPLOADS),
		reads: tokio::sync::Semaphore::new(MAX_READS),
	});
	let connections = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
	let local = tokio::task::LocalSet::new();
	local
		.run_until(async move {
			loop {
				let permit =
					connections.clone().acquire_owned().await.expect("the semaphore stays open");
				// A failed accept (out of file descriptors, a connection reset before it was
				// taken) ends nothing: the gateway waits a moment and goes on.
				let stream = match listener.accept().await {
					Ok((stream, _)) => stream,
					Err(error) => {
						eprintln!("the gateway could not accept a connection: {error}");
						tokio::time::sleep(Duration::from_millis(100)).await;
						continue;
					}
				};
				let gateway = gateway.clone();
				tokio::task::spawn_local(async move {
					let service = hyper::service::service_fn(move |request| {
						let gateway = gateway.clone();
						async move { Ok::<_, Infallible>(gateway.answer(request).await) }
					});
					let _ = hyper::server::conn::http1::Builder::new()
						.timer(hyper_util::rt::TokioTimer::new())
						.header_read_timeout(HEADER_TIMEOUT)
						.serve_connection(TokioIo::new(stream), service)
						.await;
					drop(permit);
				});
			}
		})
		.await
}

/// A refusal the gateway answers with: status and reason.
struct Refusal(StatusCode, String);

fn refuse(status: StatusCode, why: impl Into<String>) -> Refusal {
	Refusal(status, why.into())
}

impl Gateway {
	async fn answer(&self, request: Request<Incoming>) -> Answer {
		let result = match (request.method(), request.uri().path()) {
			(&Method::OPTIONS, _) => Ok(Response::builder()
				.status(StatusCode::NO_CONTENT)
				.body(Full::default())
				.expect("a valid response")),
			(&Method::GET, path) if path.starts_with("/ipfs/") => {
				let cid = path["/ipfs/".len()..].to_string();
				self.cat(&cid).await
			}
			(&Method::POST, "/upload") => self.upload(request).await,
			(_, path) => Err(refuse(
				StatusCode::NOT_FOUND,
				format!(
					"{path}: this gateway only stores envelopes (POST /upload, signed) and serves \
					 them (GET /ipfs/CID)"
				),
			)),
		};
		let mut response = result.unwrap_or_else(|Refusal(status, why)| {
			Response::builder()
				.status(status)
				.header(CONTENT_TYPE, "application/json")
				.body(Full::new(Bytes::from(serde_json::json!({ "error": why }).to_string())))
				.expect("a valid response")
		});
		let headers = response.headers_mut();
		let origin = HeaderValue::from_str(&self.config.allow_origin)
			.unwrap_or(HeaderValue::from_static("null"));
		headers.insert("access-control-allow-origin", origin);
		headers.insert("access-control-allow-methods", HeaderValue::from_static("GET, POST"));
		headers.insert(
			"access-control-allow-headers",
			HeaderValue::from_static("x-ehr-account, x-ehr-time, x-ehr-signature, content-type"),
		);
		headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
		response
	}

	async fn cat(&self, text: &str) -> Result<Answer, Refusal> {
		if text.len() > MAX_CID_TEXT {
			return Err(refuse(StatusCode::BAD_REQUEST, "not a CID: too long"));
		}
		let binary =
			cid::parse(text).map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
		let _permit = self.reads.acquire().await.expect("the semaphore stays open");
		let file = tempfile::NamedTempFile::new()
			.map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
		tokio::time::timeout(
			TRANSFER_TIMEOUT,
			self.client.store.get_limited(&binary, file.path(), Some(self.config.max_size)),
		)
		.await
		.map_err(|_| refuse(StatusCode::GATEWAY_TIMEOUT, format!("{text} was not found in time")))?
		.map_err(|e| refuse(StatusCode::NOT_FOUND, e.to_string()))?;
		let bytes = tokio::fs::read(file.path())
			.await
			.map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
		Ok(Response::builder()
			.header(CONTENT_TYPE, "application/octet-stream")
			// Content under a CID never changes.
			.header("cache-control", "public, max-age=31536000, immutable")
			.body(Full::new(Bytes::from(bytes)))
			.expect("a valid response"))
	}

	async fn upload(&self, request: Request<Incoming>) -> Result<Answer, Refusal> {
		let header = |name: &str| {
			request
				.headers()
				.get(name)
				.and_then(|value| value.to_str().ok())
				.map(str::to_string)
				.ok_or_else(|| {
					refuse(
						StatusCode::UNAUTHORIZED,
						format!("{name} is missing: uploads are signed by a registered account"),
					)
				})
		};
		let account = AccountId::from_ss58check(&header("x-ehr-account")?)
			.map_err(|_| refuse(StatusCode::BAD_REQUEST, "x-ehr-account is not an SS58 address"))?;
		let time: u64 = header("x-ehr-time")?
			.parse()
			.map_err(|_| refuse(StatusCode::BAD_REQUEST, "x-ehr-time is not a number"))?;
		let signature = header("x-ehr-signature")?;
		let raw_signature = sp_core::bytes::from_hex(&signature)
			.ok()
			.and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
			.ok_or_else(|| {
				refuse(StatusCode::BAD_REQUEST, "x-ehr-signature is not 64 bytes of hex")
			})?;
		let signature = sr25519::Signature::from_raw(raw_signature);
		let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
		if now.abs_diff(Duration::from_millis(time)) > MAX_CLOCK_SKEW {
			return Err(refuse(
				StatusCode::UNAUTHORIZED,
				format!(
					"x-ehr-time is more than {} s from the gateway's clock: check the device's \
					 clock",
					MAX_CLOCK_SKEW.as_secs()
				),
			));
		}
		// Before any byte of the body is read: its declared length within the limit and the
		// allowances, a signature not used before, and a signer registered on the chain.
		let max = self.config.max_size;
		let declared = request
			.headers()
			.get(CONTENT_LENGTH)
			.and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
			.ok_or_else(|| refuse(StatusCode::LENGTH_REQUIRED, "content-length is required"))?;
		if declared > max {
			return Err(too_large(max));
		}
		if declared == 0 {
			return Err(refuse(StatusCode::BAD_REQUEST, "the upload is empty"));
		}
		self.ledger.borrow_mut().forget_old(now);
		if self.ledger.borrow().seen.contains_key(&raw_signature) {
			return Err(refuse(StatusCode::CONFLICT, "this signed upload was stored already"));
		}
		self.check_registered(&account).await?;
		self.ledger.borrow_mut().allowance(&account, declared, now, false)?;
		let _permit = self.uploads.acquire().await.expect("the semaphore stays open");
		let body = tokio::time::timeout(
			TRANSFER_TIMEOUT,
			Limited::new(request.into_body(), max as usize).collect(),
		)
		.await
		.map_err(|_| refuse(StatusCode::REQUEST_TIMEOUT, "the upload took too long"))?
		.map_err(|_| too_large(max))?
		.to_bytes();
		let public = sr25519::Public::from_raw(*AsRef::<[u8; 32]>::as_ref(&account));
		if !sr25519::Pair::verify(&signature, upload_message(time, &body), &public) {
			return Err(refuse(
				StatusCode::UNAUTHORIZED,
				"the signature does not match the account, time and body",
			));
		}
		// Counted once the signature checks (and remembered, so that the same request sent
		// meanwhile is refused), and given back if IPFS does not store it.
		let bytes = body.len() as u64;
		self.ledger.borrow_mut().take(&account, raw_signature, time, bytes, now)?;
		let stored = self.store(&body).await.inspect_err(|_| {
			self.ledger.borrow_mut().give_back(&account, &raw_signature, bytes);
		})?;
		Ok(Response::builder()
			.header(CONTENT_TYPE, "application/json")
			.body(Full::new(Bytes::from(
				serde_json::json!({ "cid": cid::to_string(&stored) }).to_string(),
			)))
			.expect("a valid response"))
	}

	/// Stores `body` on the IPFS node (pinned); its binary CID.
	async fn store(&self, body: &[u8]) -> Result<Vec<u8>, Refusal> {
		let file = tempfile::NamedTempFile::new()
			.map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
		tokio::fs::write(file.path(), body)
			.await
			.map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
		self.client
			.store
			.put(file.path())
			.await
			.map_err(|e| refuse(StatusCode::BAD_GATEWAY, e.to_string()))
	}

	/// `Ok` if `account` is a registered patient, or an active doctor, with a usable
	/// encryption key: read with proofs (or, on a development chain without a chain spec, from
	/// the node).
	async fn check_registered(&self, account: &AccountId) -> Result<(), Refusal> {
		let fresh = |at: &Instant| at.elapsed() < REGISTRATION_REUSE;
		if self.registered.borrow().get(account).is_some_and(fresh) {
			return Ok(());
		}
		let unavailable = |e: Error| {
			refuse(StatusCode::SERVICE_UNAVAILABLE, format!("the chain cannot be read: {e}"))
		};
		let (doctor, key) = match self.client.verified().await.map_err(unavailable)? {
			Some(state) => {
				let values = state
					.read(&ehr_verify::state::keys::encryption_key(account))
					.await
					.map_err(unavailable)?;
				let doctor = ehr_verify::state::doctor(account, &values)
					.map_err(|e| unavailable(e.into()))?
					.map(|doctor| doctor.status);
				let key = ehr_verify::state::encryption_key(account, &values)
					.map_err(|e| unavailable(e.into()))?;
				(doctor, key)
			}
			None if self.client.is_development() => {
				use ehr_runtime::Runtime;
				let doctor_key = pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(account);
				let doctor = self
					.client
					.chain
					.storage::<pallet_ehr_identity::DoctorOf<Runtime>>(&doctor_key, None)
					.await
					.map_err(unavailable)?
					.map(|doctor| doctor.status);
				(doctor, self.client.chain.encryption_key(account).await.map_err(unavailable)?)
			}
			None => {
				return Err(refuse(
					StatusCode::SERVICE_UNAVAILABLE,
					"the gateway runs without the chain spec: it cannot prove who is registered",
				))
			}
		};
		let active = doctor.is_none_or(|status| status == ehr_primitives::DoctorStatus::Active);
		if !active || !key.as_ref().is_some_and(ehr_primitives::is_usable_encryption_key) {
			return Err(refuse(
				StatusCode::FORBIDDEN,
				format!(
					"{} is not a patient or active doctor with an encryption key on the chain",
					account.to_ss58check()
				),
			));
		}
		self.registered.borrow_mut().insert(account.clone(), Instant::now());
		Ok(())
	}
}

/// What the gateway stored this hour, per account and in all, and the signatures of uploads
/// stored recently: a replayed request stores nothing and is not counted again.
#[derive(Debug)]
struct Ledger {
	bytes_per_hour: u64,
	total_per_hour: u64,
	/// Per account: the hour's number and the bytes stored in it.
	used: HashMap<AccountId, (u64, u64)>,
	/// The hour's number and the bytes all accounts stored in it.
	total: (u64, u64),
	/// Signatures of uploads taken, with their time.
	seen: HashMap<[u8; 64], u64>,
}

impl Ledger {
	fn new(bytes_per_hour: u64, total_per_hour: u64) -> Ledger {
		Ledger {
			bytes_per_hour,
			total_per_hour,
			used: HashMap::new(),
			total: (0, 0),
			seen: HashMap::new(),
		}
	}

	/// Drops remembered signatures too old to be accepted again.
	fn forget_old(&mut self, now: Duration) {
		let oldest = now.saturating_sub(MAX_CLOCK_SKEW * 2).as_millis() as u64;
		self.seen.retain(|_, time| *time >= oldest);
	}

	/// `Ok` if `bytes` more fit the account's and the gateway's hourly allowances; counted
	/// if `take`.
	fn allowance(
		&mut self,
		account: &AccountId,
		bytes: u64,
		now: Duration,
		take: bool,
	) -> Result<(), Refusal> {
		let hour = now.as_secs() / 3600;
		self.used.retain(|_, (at, _)| *at == hour);
		if self.total.0 != hour {
			self.total = (hour, 0);
		}
		let spent = self.used.get(account).map_or(0, |(_, spent)| *spent);
		if spent.saturating_add(bytes) > self.bytes_per_hour {
			return Err(refuse(
				StatusCode::TOO_MANY_REQUESTS,
				format!(
					"{} stored {spent} of its {} bytes this hour: try again in the next hour",
					account.to_ss58check(),
					self.bytes_per_hour
				),
			));
		}
		if self.total.1.saturating_add(bytes) > self.total_per_hour {
			return Err(refuse(
				StatusCode::SERVICE_UNAVAILABLE,
				"the gateway stored all it takes this hour: try again in the next hour",
			));
		}
		if take {
			self.used.insert(account.clone(), (hour, spent + bytes));
			self.total.1 += bytes;
		}
		Ok(())
	}

	/// Counts an upload whose signature checked: refused if the signature was taken already
	/// or the bytes do not fit.
	fn take(
		&mut self,
		account: &AccountId,
		signature: [u8; 64],
		time: u64,
		bytes: u64,
		now: Duration,
	) -> Result<(), Refusal> {
		if self.seen.contains_key(&signature) {
			return Err(refuse(StatusCode::CONFLICT, "this signed upload was stored already"));
		}
		self.allowance(account, bytes, now, true)?;
		self.seen.insert(signature, time);
		Ok(())
	}

	/// Gives back what [`Ledger::take`] counted for an upload that was not stored.
	fn give_back(&mut self, account: &AccountId, signature: &[u8; 64], bytes: u64) {
		self.seen.remove(signature);
		if let Some((_, spent)) = self.used.get_mut(account) {
			*spent = spent.saturating_sub(bytes);
		}
		self.total.1 = self.total.1.saturating_sub(bytes);
	}
}

fn too_large(max: u64) -> Refusal {
	refuse(StatusCode::PAYLOAD_TOO_LARGE, format!("an envelope is at most {max} bytes here"))
}

#[cfg(test)]
mod tests {
	use super::*;

	const HOUR: Duration = Duration::from_secs(3600);

	fn status(result: Result<(), Refusal>) -> Option<StatusCode> {
		result.err().map(|Refusal(status, _)| status)
	}

	#[test]
	fn each_account_and_all_together_store_at_most_their_hourly_bytes() {
		let (alice, bob, carol) =
			(AccountId::new([1; 32]), AccountId::new([2; 32]), AccountId::new([3; 32]));
		let mut ledger = Ledger::new(100, 250);
		let now = HOUR * 1000;
		assert_eq!(status(ledger.take(&alice, [1; 64], 0, 60, now)), None);
		// A check does not count; a second upload over the account's 100 bytes is refused.
		assert_eq!(status(ledger.allowance(&alice, 40, now, false)), None);
		assert_eq!(
			status(ledger.take(&alice, [2; 64], 0, 41, now)),
			Some(StatusCode::TOO_MANY_REQUESTS)
		);
		assert_eq!(status(ledger.take(&alice, [2; 64], 0, 40, now)), None);
		assert_eq!(status(ledger.take(&bob, [3; 64], 0, 100, now)), None);
		// All together: 200 of 250 stored, so 51 more is refused even for a new account.
		assert_eq!(
			status(ledger.take(&carol, [4; 64], 0, 51, now)),
			Some(StatusCode::SERVICE_UNAVAILABLE)
		);
		// What IPFS did not store is given back, with its signature.
		assert_eq!(status(ledger.take(&carol, [4; 64], 0, 50, now)), None);
		ledger.give_back(&carol, &[4; 64], 50);
		assert_eq!(status(ledger.take(&carol, [4; 64], 0, 50, now)), None);
		// The next hour starts from nothing.
		assert_eq!(status(ledger.take(&alice, [5; 64], 0, 100, now + HOUR)), None);
	}

	#[test]
	fn a_signed_upload_is_taken_once_while_it_could_be_replayed() {
		let alice = AccountId::new([1; 32]);
		let mut ledger = Ledger::new(1_000, 1_000);
		let now = HOUR * 1000;
		let time = now.as_millis() as u64;
		assert_eq!(status(ledger.take(&alice, [9; 64], time, 10, now)), None);
		assert_eq!(status(ledger.take(&alice, [9; 64], time, 10, now)), Some(StatusCode::CONFLICT));
		// Forgotten only once its time is too old to be accepted anyway.
		ledger.forget_old(now + MAX_CLOCK_SKEW);
		assert!(ledger.seen.contains_key(&[9; 64]));
		ledger.forget_old(now + MAX_CLOCK_SKEW * 2 + Duration::from_secs(1));
		assert!(ledger.seen.is_empty());
	}

	#[test]
	fn the_signed_message_binds_time_and_body() {
		let a = upload_message(1, b"envelope");
		assert_ne!(a, upload_message(2, b"envelope"));
		assert_ne!(a, upload_message(1, b"envelopf"));
		assert!(String::from_utf8(a).unwrap().starts_with("ehr-upload:1:"));
	}
}
