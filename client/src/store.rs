//! Where envelopes live: an IPFS daemon through its kubo-compatible HTTP RPC API, or a local
//! directory (the embedded default for trying things out). Both stream files from and to disk,
//! so memory use does not grow with file size.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use futures::TryStreamExt;
use ipfs_api_backend_hyper::{request, Form, IpfsApi, IpfsClient, TryFromUri};
use ipfs_api_prelude::Backend;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::{cid, Error};

/// How long to wait for the IPFS daemon to answer at all (its version), before any transfer.
const IPFS_ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a download may go without a byte arriving: a daemon that does not hold the
/// envelope searches the network, possibly forever.
const IPFS_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one upload, unpin or pin listing may take.
const IPFS_REQUEST_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A content-addressed store of envelopes, keyed by binary CIDv1.
#[derive(Clone)]
pub enum Store {
	/// An IPFS daemon (kubo or js-ipfs) at an RPC API address.
	Ipfs(IpfsClient, String),
	/// Files named by their CID in a directory.
	Local(PathBuf),
	/// Several IPFS daemons (e.g. the hospitals'): everything goes to the first; a read the
	/// first cannot serve (down, or without the envelope) is tried on the others in order.
	Replicated(Box<Store>, Vec<Store>),
}

impl Store {
	/// The IPFS daemon whose RPC API listens at `url` (e.g. `http://127.0.0.1:5001`).
	pub fn ipfs(url: &str) -> Result<Store, Error> {
		IpfsClient::from_str(url)
			.map(|client| Store::Ipfs(client, url.to_string()))
			.map_err(|e| Error::Storage(format!("IPFS API address {url}: {e}")))
	}

	/// The IPFS daemons at `urls`: the first is written to, the others are read from when the
	/// first cannot serve a read.
	pub fn ipfs_nodes(urls: &[String]) -> Result<Store, Error> {
		let mut stores = urls.iter().map(|url| Store::ipfs(url)).collect::<Result<Vec<_>, _>>()?;
		if stores.is_empty() {
			return Err(Error::Storage("no IPFS API address given".into()));
		}
		let first = stores.remove(0);
		Ok(if stores.is_empty() { first } else { Store::Replicated(Box::new(first), stores) })
	}

	/// The store written to: itself, or the first of replicated ones.
	pub fn primary(&self) -> &Store {
		match self {
			Store::Replicated(first, _) => first.primary(),
			store => store,
		}
	}

	/// A directory store at `dir` (created if missing).
	pub fn local(dir: &Path) -> Result<Store, Error> {
		std::fs::create_dir_all(dir)
			.map_err(|e| Error::Storage(format!("{}: {e}", dir.display())))?;
		Ok(Store::Local(dir.to_path_buf()))
	}

	/// Where envelopes go, for people: `IPFS at http://…` or `the local directory …`.
	pub fn describe(&self) -> String {
		match self {
			Store::Ipfs(_, url) => format!("IPFS at {url}"),
			Store::Replicated(first, others) => format!(
				"{}, read from {} other IPFS node(s) when it cannot serve",
				first.describe(),
				others.len()
			),
			Store::Local(dir) => format!(
				"the local directory {} (no IPFS daemon given: set EHR_IPFS_API or --ipfs to \
				 use one; other readers cannot fetch from this directory)",
				dir.display()
			),
		}
	}

	/// Which store this is, to remember with what it holds: the IPFS API address or the
	/// directory.
	pub fn location(&self) -> String {
		match self {
			Store::Ipfs(_, url) => url.trim_end_matches('/').to_string(),
			Store::Replicated(first, _) => first.location(),
			Store::Local(dir) => {
				std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone()).display().to_string()
			}
		}
	}

	/// Whether the store answers: for IPFS, the daemon's version within 10 s, so that a daemon
	/// that is down or hung is reported at once rather than in the middle of a transfer.
	pub async fn check(&self) -> Result<(), Error> {
		let Store::Ipfs(client, url) = self.primary() else { return Ok(()) };
		match tokio::time::timeout(IPFS_ANSWER_TIMEOUT, client.version()).await {
			Ok(Ok(_)) => Ok(()),
			Ok(Err(e)) => Err(Error::Storage(format!(
				"the IPFS daemon at {url} does not answer ({e}): is it running? (scripts/ipfs.sh \
				 starts one)"
			))),
			Err(_) => Err(Error::Storage(format!(
				"the IPFS daemon at {url} did not answer within {} s",
				IPFS_ANSWER_TIMEOUT.as_secs()
			))),
		}
	}

	/// Stores the file at `path` and pins it; returns its binary CIDv1.
	pub async fn put(&self, path: &Path) -> Result<Vec<u8>, Error> {
		self.add(path, false).await
	}

	/// The binary CIDv1 the file at `path` would be stored under, storing nothing.
	pub async fn cid_of(&self, path: &Path) -> Result<Vec<u8>, Error> {
		self.add(path, true).await
	}

	async fn add(&self, path: &Path, only_hash: bool) -> Result<Vec<u8>, Error> {
		match self.primary() {
			Store::Ipfs(client, _) => {
				self.check().await?;
				let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
				let options = request::Add {
					cid_version: Some(1),
					raw_leaves: Some(true),
					pin: Some(!only_hash),
					only_hash: Some(only_hash),
					..Default::default()
				};
				let mut form = Form::default();
				form.add_reader("path", file);
				// The raw answer: kubo sends `Size` as a string, js-ipfs as a number, and the
				// typed response accepts only the former.
				let (status, body) = tokio::time::timeout(
					IPFS_REQUEST_TIMEOUT,
					client.request_raw(options, Some(form)),
				)
				.await
				.map_err(|_| timed_out("add", IPFS_REQUEST_TIMEOUT))?
				.map_err(|e| Error::Storage(format!("IPFS add: {e}")))?;
				let added: serde_json::Value = serde_json::from_slice(&body)
					.ok()
					.filter(|_| status.is_success())
					.ok_or_else(|| {
						Error::Storage(format!(
							"IPFS add: {status} {}",
							String::from_utf8_lossy(&body)
						))
					})?;
				cid::parse(added["Hash"].as_str().unwrap_or_default())
			}
			Store::Replicated(..) => unreachable!("the primary store is never replicated"),
			Store::Local(dir) => {
				let digest = sha256_file(path)?;
				let binary = cid::raw_sha256(&digest);
				if only_hash {
					return Ok(binary);
				}
				let target = dir.join(cid::to_string(&binary));
				std::fs::copy(path, &target).map_err(|e| io_error(&target, e))?;
				Ok(binary)
			}
		}
	}

	/// Fetches the object `binary_cid` into the file `path`.
	pub async fn get(&self, binary_cid: &[u8], path: &Path) -> Result<(), Error> {
		self.get_limited(binary_cid, path, None).await
	}

	/// [`Store::get`], refusing more than `limit` bytes.
	pub async fn get_limited(
		&self,
		binary_cid: &[u8],
		path: &Path,
		limit: Option<u64>,
	) -> Result<(), Error> {
		let name = cid::to_string(binary_cid);
		let too_large = |limit: u64| {
			Error::Storage(format!("{name} is larger than the {limit} bytes expected"))
		};
		match self {
			Store::Replicated(first, others) => {
				let mut failures = Vec::new();
				for store in std::iter::once(&**first).chain(others) {
					match Box::pin(store.get_limited(binary_cid, path, limit)).await {
						Ok(()) => return Ok(()),
						Err(e) => failures.push(e.to_string()),
					}
				}
				Err(Error::Storage(format!(
					"no IPFS node given could serve {name}: {}",
					failures.join("; ")
				)))
			}
			Store::Ipfs(client, url) => {
				self.check().await?;
				let mut out = tokio::fs::File::create(path).await.map_err(|e| io_error(path, e))?;
				let mut stream = client.cat(&name);
				let mut received = 0u64;
				while let Some(chunk) = tokio::time::timeout(IPFS_IDLE_TIMEOUT, stream.try_next())
					.await
					.map_err(|_| {
						Error::Storage(format!(
							"the IPFS daemon at {url} sent nothing of {name} for {} s: it does not \
							 hold the envelope and cannot find it (use the IPFS node of the \
							 hospital or person that stored it)",
							IPFS_IDLE_TIMEOUT.as_secs()
						))
					})?
					.map_err(|e| Error::Storage(format!("IPFS cat {name}: {e}")))?
				{
					received += chunk.len() as u64;
					if let Some(limit) = limit.filter(|limit| received > *limit) {
						return Err(too_large(limit));
					}
					out.write_all(&chunk).await.map_err(|e| io_error(path, e))?;
				}
				out.flush().await.map_err(|e| io_error(path, e))
			}
			Store::Local(dir) => {
				let source = dir.join(&name);
				if !source.exists() {
					return Err(Error::Storage(format!("{name} is not in {}", dir.display())));
				}
				if let Some(limit) = limit.filter(|limit| {
					std::fs::metadata(&source).map(|m| m.len() > *limit).unwrap_or(false)
				}) {
					return Err(too_large(limit));
				}
				// The name is the content's hash: check it on every read.
				if cid::raw_sha256(&sha256_file(&source)?) != binary_cid {
					return Err(Error::Storage(format!("{name} does not match its content")));
				}
				std::fs::copy(&source, path).map_err(|e| io_error(path, e))?;
				Ok(())
			}
		}
	}

	/// [`Store::get`] from the other IPFS nodes first, then from the first: for copying an
	/// envelope the first does not hold to it (the first would search for it first).
	pub async fn get_from_others(
		&self,
		binary_cid: &[u8],
		path: &Path,
		limit: Option<u64>,
	) -> Result<(), Error> {
		match self {
			Store::Replicated(first, others) => {
				let mut reordered = others.clone();
				reordered.push((**first).clone());
				let first = reordered.remove(0);
				let order = if reordered.is_empty() {
					first
				} else {
					Store::Replicated(Box::new(first), reordered)
				};
				Box::pin(order.get_limited(binary_cid, path, limit)).await
			}
			store => store.get_limited(binary_cid, path, limit).await,
		}
	}

	/// Stops keeping `binary_cid` (after erasure).
	pub async fn unpin(&self, binary_cid: &[u8]) -> Result<(), Error> {
		let name = cid::to_string(binary_cid);
		match self.primary() {
			Store::Replicated(..) => unreachable!("the primary store is never replicated"),
			Store::Ipfs(client, _) => {
				self.check().await?;
				match tokio::time::timeout(IPFS_REQUEST_TIMEOUT, client.pin_rm(&name, true)).await {
					Err(_) => Err(timed_out("pin rm", IPFS_REQUEST_TIMEOUT)),
					Ok(Ok(_)) => Ok(()),
					// Unpinning what is not pinned is done already.
					Ok(Err(e)) if e.to_string().contains("not pinned") => Ok(()),
					Ok(Err(e)) => Err(Error::Storage(format!("IPFS pin rm {name}: {e}"))),
				}
			}
			Store::Local(dir) => match std::fs::remove_file(dir.join(&name)) {
				Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(dir, e)),
				_ => Ok(()),
			},
		}
	}

	/// Whether the store keeps `binary_cid` pinned.
	pub async fn is_pinned(&self, binary_cid: &[u8]) -> Result<bool, Error> {
		let name = cid::to_string(binary_cid);
		match self.primary() {
			Store::Replicated(..) => unreachable!("the primary store is never replicated"),
			Store::Ipfs(client, _) => Ok(client
				.pin_ls(Some(&name), None)
				.await
				.map(|pins| !pins.keys.is_empty())
				.unwrap_or(false)),
			Store::Local(dir) => Ok(dir.join(&name).exists()),
		}
	}
}

fn timed_out(what: &str, after: Duration) -> Error {
	Error::Storage(format!("IPFS {what} did not finish within {} min", after.as_secs() / 60))
}

fn io_error(path: &Path, error: std::io::Error) -> Error {
	Error::Storage(format!("{}: {error}", path.display()))
}

/// SHA-256 of a file, read in 64 KiB pieces.
pub fn sha256_file(path: &Path) -> Result<[u8; 32], Error> {
	use std::io::Read;
	let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
	let mut hasher = Sha256::new();
	let mut buffer = vec![0u8; 1 << 16];
	loop {
		let read = file.read(&mut buffer).map_err(|e| io_error(path, e))?;
		if read == 0 {
			break;
		}
		hasher.update(&buffer[..read]);
	}
	Ok(hasher.finalize().into())
}
