//! `ehr-load`: throughput and latency of the chain, measured against a node (a benchmark, not a
//! test: run it on a release node, `scripts/load.sh` does).
//!
//! On a development chain (Alice is the hospital and holds tokens), `--accounts N` patients and
//! N doctors are set up, then each kind of transaction is sent at once by N distinct accounts
//! (one each, signed before any is sent) and followed to finality:
//!
//! | kind | who sends it |
//! |---|---|
//! | `transfer` | each patient account pays Alice (the baseline: a paid balance transfer) |
//! | `register` | each invited patient registers |
//! | `grant` | each patient grants its doctor lab reports |
//! | `add-record` | each patient adds a lab report with two readers (itself and its doctor) |
//! | `log-read` | each doctor logs a read of its patient's record |
//! | `book` | each patient books a slot its doctor published |
//!
//! For each kind it prints the sustained rate (transactions over the span of the block times
//! that carried them), transactions per block, submit → in block and submit → finalized
//! latency (p50, p99), and the rate's ratio to the transfer baseline of the same run. Every
//! transaction is checked to have succeeded.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use clap::Parser;
use codec::{Decode, Encode};
use ehr_client::{
	chain::{never_final, Chain},
	Error, Keys,
};
use ehr_primitives::{AccessLevel, Purpose, RecordCategory, Scope, VisitKind};
use ehr_runtime::{Hash, RuntimeCall, RuntimeEvent, UNIT};
use futures::future::join_all;
use jsonrpsee::rpc_params;
use serde_json::{json, Value};
use sp_core::{bytes::to_hex, crypto::Ss58Codec};
use sp_runtime::AccountId32 as AccountId;

/// Measure the chain's throughput and latency per kind of transaction (on a dev chain).
///
/// Example: ehr-load --node ws://127.0.0.1:9944 --accounts 200
#[derive(Parser)]
#[command(name = "ehr-load", version)]
struct Args {
	/// The node's RPC endpoint (a development chain: Alice is its hospital and holds tokens).
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// Accounts sending each kind at once (each sends one transaction of it).
	#[arg(long, default_value_t = 100)]
	accounts: u32,
	/// A prefix for the accounts' derivation paths (`//<prefix><i>`), so that runs against the
	/// same chain use new accounts.
	#[arg(long, default_value = "load")]
	prefix: String,
	/// Print JSON instead of a table.
	#[arg(long)]
	json: bool,
	#[command(subcommand)]
	scale: Option<Scale>,
}

/// The audit trail at scale (issue 14): a chain whose genesis already holds long trails, and
/// verified pages read from it.
#[derive(clap::Subcommand)]
enum Scale {
	/// Write a raw chain spec whose genesis state also holds the audit trails of two patients:
	/// `--entries` entries for `//AuditLong` and 1,000 for `//AuditShort` (generated state, not
	/// transactions). Start a node from it, then run `audit-pages`.
	///
	/// Example: ehr-node build-spec --chain dev --raw > dev.json && ehr-load seed-trail --spec
	/// dev.json --out big.json --entries 1000000
	SeedTrail {
		/// A raw chain spec (`ehr-node build-spec --chain dev --raw`).
		#[arg(long)]
		spec: std::path::PathBuf,
		/// Where to write the spec with the trails.
		#[arg(long)]
		out: std::path::PathBuf,
		/// Entries of the long trail.
		#[arg(long, default_value_t = 1_000_000)]
		entries: u64,
	},
	/// Read verified pages of both seeded trails (the newest finalized block verified once
	/// against the chain spec, then each page read with `ehr_auditTrail` and its proof checked)
	/// and print the time per page, from the start, the middle and the end of each trail.
	AuditPages {
		/// The spec the node was started from (the auditor's trust anchor).
		#[arg(long)]
		chain_spec: std::path::PathBuf,
		/// Pages read per trail.
		#[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
		pages: u32,
		/// Entries per page (at most 100).
		#[arg(long, default_value_t = 100)]
		limit: u32,
	},
}

/// Milliseconds, to a tenth.
fn millis(d: Duration) -> f64 {
	(d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// The seeded trails' patients: the long trail and the short one.
const SEEDED: [(&str, Option<u64>); 2] = [("//AuditLong", None), ("//AuditShort", Some(1_000))];

/// Adds the seeded trails to the raw spec at `spec` and writes it to `out`.
fn seed_trail(spec: &std::path::Path, out: &std::path::Path, entries: u64) -> Result<(), Error> {
	let read = std::fs::read(spec).map_err(|e| fail("the spec", e))?;
	let mut json: Value = serde_json::from_slice(&read).map_err(|e| fail("the spec", e))?;
	let top = json["genesis"]["raw"]["top"]
		.as_object_mut()
		.ok_or_else(|| fail("the spec", "not a raw chain spec"))?;
	let actor = Keys::from_uri("//AuditDoctor")?.account_id();
	for (uri, length) in SEEDED {
		let patient = Keys::from_uri(uri)?.account_id();
		let length = length.unwrap_or(entries);
		let hex = |bytes: &[u8]| to_hex(bytes, false);
		top.insert(
			hex(&pallet_ehr_consent::TrailLength::<ehr_runtime::Runtime>::hashed_key_for(&patient)),
			Value::String(hex(&length.encode())),
		);
		for index in 0..length {
			let entry = ehr_primitives::AuditEntry::<AccountId, ehr_runtime::BlockNumber> {
				block: 0,
				time: 1_764_000_000_000 + index,
				actor: actor.clone(),
				event: ehr_primitives::AuditEvent::RecordAccessed {
					record: index % 10_000,
					category: RecordCategory::LabReport,
				},
			};
			top.insert(
				hex(&pallet_ehr_consent::Trail::<ehr_runtime::Runtime>::hashed_key_for(
					&patient, index,
				)),
				Value::String(hex(&entry.encode())),
			);
		}
		eprintln!("{uri}: {length} entries");
	}
	let file = std::fs::File::create(out).map_err(|e| fail("the output", e))?;
	serde_json::to_writer(std::io::BufWriter::new(file), &json).map_err(|e| fail("the output", e))
}

/// Reads `pages` verified pages of each seeded trail and reports the time per page.
async fn audit_pages(
	node: &str,
	spec: &std::path::Path,
	pages: u32,
	limit: u32,
	as_json: bool,
) -> Result<(), Error> {
	let chain = Chain::connect(node).await?;
	let started = Instant::now();
	let mut finality = ehr_client::finality::Finality::open(spec, None)?;
	let opened = started.elapsed();
	let started = Instant::now();
	let header = finality.sync(&chain).await?;
	let synced = started.elapsed();
	eprintln!(
		"chain spec read and its genesis checked in {} ms; finality verified to #{} in {} ms",
		opened.as_millis(),
		header.number,
		synced.as_millis()
	);
	let mut rows = Vec::new();
	for (uri, _) in SEEDED {
		let patient = Keys::from_uri(uri)?.account_id();
		let first = ehr_client::audit::trail_page_at(&chain, &header, &patient, 0, 1).await?;
		let total = first.total;
		let mut times = Vec::new();
		for page in 0..u64::from(pages) {
			// Spread over the trail: its start, its middle and its end, and between.
			let from =
				(total.saturating_sub(u64::from(limit))) * page / u64::from(pages.max(2) - 1);
			let started = Instant::now();
			let read =
				ehr_client::audit::trail_page_at(&chain, &header, &patient, from, limit).await?;
			times.push(started.elapsed());
			if read.entries.len() as u64 != u64::from(limit).min(total - from) {
				return Err(fail(
					"audit",
					format!("page at {from}: {} entries", read.entries.len()),
				));
			}
		}
		let (p50, p99) = percentiles(times);
		rows.push((uri, total, p50, p99));
	}
	if as_json {
		let rows: Vec<Value> = rows
			.iter()
			.map(|(uri, total, p50, p99)| {
				json!({
					"patient": uri, "entries": total,
					"pageMs": { "p50": millis(*p50), "p99": millis(*p99) },
				})
			})
			.collect();
		println!("{}", json!({ "limit": limit, "pages": pages, "trails": rows }));
	} else {
		println!("| trail | entries | verified page of {limit}: p50 / p99 (ms) |");
		println!("|---|---|---|");
		for (uri, total, p50, p99) in rows {
			println!("| `{uri}` | {total} | {} / {} |", millis(p50), millis(p99));
		}
	}
	Ok(())
}

/// One transaction followed to finality.
struct Sample {
	in_block: Duration,
	finalized: Duration,
	block: Hash,
	encoded: String,
}

/// What one kind measured.
struct Measured {
	kind: &'static str,
	count: usize,
	per_second: f64,
	blocks: usize,
	max_per_block: usize,
	/// How many such transactions one block holds by the runtime's limits (weight, proof size,
	/// length, and for free ones the block's room for free work).
	fit_per_block: u64,
	in_block: (Duration, Duration),
	finalized: (Duration, Duration),
}

fn fail(what: &str, error: impl std::fmt::Display) -> Error {
	Error::Node(format!("{what}: {error}"))
}

/// p50 and p99 of `values`.
fn percentiles(mut values: Vec<Duration>) -> (Duration, Duration) {
	values.sort();
	let at = |p: usize| values[(values.len() - 1) * p / 100];
	(at(50), at(99))
}

/// Submits one signed transaction and follows it to finality.
async fn follow(chain: &Chain, encoded: String) -> Result<Sample, Error> {
	let started = Instant::now();
	let mut status = chain.watch(&encoded).await.map_err(|e| fail("submit", e))?;
	let mut in_block = None;
	loop {
		let update = tokio::time::timeout(Duration::from_secs(300), status.next())
			.await
			.map_err(|_| fail("status", "no finality within 300 s"))?
			.ok_or_else(|| fail("status", "the stream ended"))?
			.map_err(|e| fail("status", e))?;
		if update.get("inBlock").is_some() && in_block.is_none() {
			in_block = Some(started.elapsed());
		}
		if let Some(hash) = update.get("finalized") {
			let block: Hash = serde_json::from_value(hash.clone()).map_err(|e| fail("hash", e))?;
			let finalized = started.elapsed();
			return Ok(Sample {
				in_block: in_block.unwrap_or(finalized),
				finalized,
				block,
				encoded,
			});
		}
		if never_final(&update).is_some() {
			return Err(fail(
				"transaction",
				format!("{update}: {}", why_invalid(chain, &encoded).await),
			));
		}
	}
}

/// Why the pool refuses `encoded` now, in the runtime's words (its transaction validation at
/// the best block).
async fn why_invalid(chain: &Chain, encoded: &str) -> String {
	let Ok(bytes) = sp_core::bytes::from_hex(encoded) else { return "not hex".into() };
	let Ok(best) = chain.request::<Hash>("chain_getBlockHash", rpc_params![]).await else {
		return "no best block".into();
	};
	let Ok(extrinsic) = ehr_runtime::UncheckedExtrinsic::decode(&mut &bytes[..]) else {
		return "undecodable".into();
	};
	let args = (sp_runtime::transaction_validity::TransactionSource::External, extrinsic, best);
	match chain
		.request::<String>(
			"state_call",
			rpc_params![
				"TaggedTransactionQueue_validate_transaction",
				to_hex(&args.encode(), false)
			],
		)
		.await
	{
		Ok(answer) => sp_core::bytes::from_hex(&answer)
			.ok()
			.and_then(|raw| {
				sp_runtime::transaction_validity::TransactionValidity::decode(&mut &raw[..]).ok()
			})
			.map(|validity| format!("{validity:?}"))
			.unwrap_or_else(|| answer),
		Err(error) => error.to_string(),
	}
}

/// Each call signed by its signer, encoded in hex, all signed before any is sent.
/// A signer with several calls gets consecutive nonces from its next one.
async fn sign_all(chain: &Chain, calls: Vec<(Keys, RuntimeCall)>) -> Result<Vec<String>, Error> {
	let mut next: BTreeMap<AccountId, u32> = BTreeMap::new();
	let mut numbered = Vec::with_capacity(calls.len());
	for (signer, call) in calls {
		let who = signer.account_id();
		let nonce = match next.get(&who) {
			Some(nonce) => *nonce,
			None => {
				chain.request("system_accountNextIndex", rpc_params![who.to_ss58check()]).await?
			}
		};
		next.insert(who, nonce + 1);
		numbered.push((signer, call, nonce));
	}
	join_all(numbered.into_iter().map(|(signer, call, nonce)| async move {
		chain.sign_with_nonce(&signer, call, nonce).await.map(|x| to_hex(&x.encode(), false))
	}))
	.await
	.into_iter()
	.collect()
}

/// Signs `calls` (one per signer), sends them all at once, follows them to finality, checks
/// that each succeeded, and measures.
async fn measure(
	chain: &Node,
	kind: &'static str,
	calls: Vec<(Keys, RuntimeCall)>,
) -> Result<Measured, Error> {
	let signed = sign_all(chain, calls).await?;
	let count = signed.len();
	let fit_per_block = signed.first().map(|x| fit_per_block(x)).transpose()?.unwrap_or(0);
	let samples = join_all(
		signed.into_iter().enumerate().map(|(i, encoded)| follow(chain.watcher(i), encoded)),
	)
	.await
	.into_iter()
	.collect::<Result<Vec<_>, Error>>()?;
	// Per block: how many of ours it carried, each checked for success, and its time.
	let mut per_block: BTreeMap<u32, (Hash, usize)> = BTreeMap::new();
	let mut bodies: BTreeMap<
		Hash,
		(Vec<String>, Vec<frame_system::EventRecord<RuntimeEvent, Hash>>),
	> = BTreeMap::new();
	for sample in &samples {
		if !bodies.contains_key(&sample.block) {
			let body: Value = chain.request("chain_getBlock", rpc_params![sample.block]).await?;
			let extrinsics = body["block"]["extrinsics"]
				.as_array()
				.map(|all| all.iter().filter_map(|x| x.as_str().map(String::from)).collect())
				.unwrap_or_default();
			bodies.insert(sample.block, (extrinsics, chain.events(sample.block).await?));
		}
		let (extrinsics, events) = &bodies[&sample.block];
		let index = extrinsics
			.iter()
			.position(|x| *x == sample.encoded)
			.ok_or_else(|| fail(kind, "a finalized block does not hold the transaction"))?;
		let failed = events.iter().any(|record| {
			record.phase == frame_system::Phase::ApplyExtrinsic(index as u32)
				&& matches!(
					record.event,
					RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { .. })
				)
		});
		if failed {
			return Err(fail(kind, "a transaction failed: the load set-up is wrong"));
		}
		let number = chain.number(sample.block).await?;
		per_block.entry(number).or_insert((sample.block, 0)).1 += 1;
	}
	let first = *per_block.keys().next().expect("at least one block");
	let last = *per_block.keys().last().expect("at least one block");
	let time_at = |hash: Hash| async move {
		chain
			.storage::<u64>(&ehr_client::chain::now_key(), Some(hash))
			.await
			.map(|time| time.unwrap_or_default())
	};
	let before_first: Hash = chain
		.request::<Option<Hash>>("chain_getBlockHash", rpc_params![first - 1])
		.await?
		.ok_or_else(|| fail(kind, "no block before the first"))?;
	let span_ms = time_at(per_block[&last].0).await? - time_at(before_first).await?;
	Ok(Measured {
		kind,
		count,
		per_second: count as f64 * 1000.0 / span_ms.max(1) as f64,
		blocks: per_block.len(),
		max_per_block: per_block.values().map(|(_, n)| *n).max().unwrap_or(0),
		fit_per_block,
		in_block: percentiles(samples.iter().map(|s| s.in_block).collect()),
		finalized: percentiles(samples.iter().map(|s| s.finalized).collect()),
	})
}

/// How many transactions like `encoded` one block holds by the runtime's own limits: the
/// normal class's weight (time and proof size) and length, and, when the sender is registered
/// and the call on the free list, the block's room for free work (`MaxFreeRefTimePerBlock`).
/// The transaction's weight is its call's, its extensions' and the base of an extrinsic.
fn fit_per_block(encoded: &str) -> Result<u64, Error> {
	use frame_support::{
		dispatch::{DispatchClass, GetDispatchInfo},
		traits::Get,
	};
	let bytes = sp_core::bytes::from_hex(encoded).map_err(|e| fail("fit", e))?;
	let extrinsic =
		ehr_runtime::UncheckedExtrinsic::decode(&mut &bytes[..]).map_err(|e| fail("fit", e))?;
	let info = extrinsic.get_dispatch_info();
	let weights = ehr_runtime::configs::RuntimeBlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let weight = info.total_weight().saturating_add(normal.base_extrinsic);
	let max = normal.max_total.unwrap_or(weights.max_block);
	let length = *ehr_runtime::configs::RuntimeBlockLength::get().max.get(DispatchClass::Normal);
	let mut fit = [
		max.ref_time() / weight.ref_time().max(1),
		max.proof_size() / weight.proof_size().max(1),
		u64::from(length) / bytes.len() as u64,
	]
	.into_iter()
	.min()
	.unwrap_or(0);
	// The EHR kinds of the load are sent by registered accounts: free, within the free room.
	let signed = matches!(extrinsic.preamble, sp_runtime::generic::Preamble::Signed(..));
	if signed && !matches!(extrinsic.function, RuntimeCall::Balances(_)) {
		let free_room: u64 =
			<ehr_runtime::Runtime as pallet_fee_quota::Config>::MaxFreeRefTimePerBlock::get();
		fit = fit.min(free_room / weight.ref_time().max(1));
	}
	Ok(fit)
}

/// Submits set-up calls (not measured) and waits for all of them.
async fn set_up(chain: &Node, what: &str, calls: Vec<(Keys, RuntimeCall)>) -> Result<(), Error> {
	eprintln!("set-up: {what} ({} transactions)", calls.len());
	// Signed first, sent at once, followed to finality; a failed dispatch shows up in the
	// measured kinds that depend on it, which are checked.
	let signed = sign_all(chain, calls).await?;
	let following =
		signed.into_iter().enumerate().map(|(i, encoded)| follow(chain.watcher(i), encoded));
	for result in join_all(following).await {
		result.map_err(|e| fail(what, e))?;
	}
	Ok(())
}

fn batch(calls: Vec<RuntimeCall>) -> RuntimeCall {
	RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
}

/// The node, with enough connections to follow `n` transactions at once (a node allows 1,024
/// subscriptions a connection).
struct Node {
	chain: Chain,
	watchers: Vec<Chain>,
}

impl Node {
	const PER_CONNECTION: usize = 1_000;

	async fn connect(url: &str, n: usize) -> Result<Node, Error> {
		let mut watchers = Vec::new();
		for _ in 0..n.div_ceil(Self::PER_CONNECTION) {
			watchers.push(Chain::connect(url).await?);
		}
		Ok(Node { chain: Chain::connect(url).await?, watchers })
	}

	/// The connection that follows the `i`-th transaction of a round.
	fn watcher(&self, i: usize) -> &Chain {
		self.watchers.get(i / Self::PER_CONNECTION).unwrap_or(&self.chain)
	}
}

impl std::ops::Deref for Node {
	type Target = Chain;
	fn deref(&self) -> &Chain {
		&self.chain
	}
}

async fn run(args: Args) -> Result<(), Error> {
	let n = args.accounts as usize;
	let chain = Node::connect(&args.node, n).await?;
	let alice = Keys::from_uri("//Alice")?;
	let derive = |role: &str, i: usize| Keys::from_uri(&format!("//{}-{role}-{i}", args.prefix));
	let patients = (0..n).map(|i| derive("patient", i)).collect::<Result<Vec<_>, _>>()?;
	let doctors = (0..n).map(|i| derive("doctor", i)).collect::<Result<Vec<_>, _>>()?;
	let ids = |keys: &[Keys]| keys.iter().map(Keys::account_id).collect::<Vec<AccountId>>();
	let (patient_ids, doctor_ids) = (ids(&patients), ids(&doctors));
	let mut results = Vec::new();

	// Tokens for the transfers, in batches of 100 from Alice.
	let funding: Vec<_> = patient_ids
		.chunks(100)
		.map(|chunk| {
			(
				alice.clone(),
				batch(
					chunk
						.iter()
						.map(|who| {
							RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
								dest: who.clone().into(),
								value: 10 * UNIT,
							})
						})
						.collect(),
				),
			)
		})
		.collect();
	for call in funding {
		set_up(&chain, "funding the accounts", vec![call]).await?;
	}
	let alice_id = alice.account_id();
	results.push(
		measure(
			&chain,
			"transfer",
			patients
				.iter()
				.map(|p| {
					let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
						dest: alice_id.clone().into(),
						value: UNIT,
					});
					(p.clone(), call)
				})
				.collect(),
		)
		.await?,
	);

	// The hospital invites the patients, in batches. (A hospital has at most 1,024 invitations
	// and doctor offers open at once: the doctors are offered their role once the patients have
	// registered.)
	for chunk in patient_ids.chunks(100) {
		let calls = chunk
			.iter()
			.map(|who| {
				RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient {
					patient: who.clone(),
				})
			})
			.collect();
		set_up(&chain, "invitations", vec![(alice.clone(), batch(calls))]).await?;
	}
	results.push(
		measure(
			&chain,
			"register",
			patients
				.iter()
				.map(|p| {
					let call = RuntimeCall::Identity(pallet_ehr_identity::Call::register_patient {
						encryption_key: p.encryption_key(),
					});
					(p.clone(), call)
				})
				.collect(),
		)
		.await?,
	);
	for chunk in doctor_ids.chunks(100) {
		let calls = chunk
			.iter()
			.enumerate()
			.map(|(i, who)| {
				RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
					doctor: who.clone(),
					name: format!("Dr. Load {i}").into_bytes(),
					specialty: b"general practice".to_vec(),
					licence: format!("LOAD-{}", who).into_bytes(),
				})
			})
			.collect();
		set_up(&chain, "doctors' offers", vec![(alice.clone(), batch(calls))]).await?;
	}
	set_up(
		&chain,
		"doctors' acceptances, with their encryption keys",
		doctors
			.iter()
			.map(|d| {
				let call = RuntimeCall::Identity(pallet_ehr_identity::Call::accept_doctor {
					hospital: alice.account_id(),
					encryption_key: d.encryption_key(),
				});
				(d.clone(), call)
			})
			.collect(),
	)
	.await?;

	results.push(
		measure(
			&chain,
			"grant",
			patients
				.iter()
				.zip(&doctor_ids)
				.map(|(p, doctor)| {
					let call = RuntimeCall::Consent(pallet_ehr_consent::Call::grant_access {
						patient: p.account_id(),
						grantee: doctor.clone(),
						scope: Scope::Categories(
							vec![RecordCategory::LabReport].try_into().expect("one category"),
						),
						access: AccessLevel::Read,
						expires_at: None,
						purpose: Purpose::Treatment,
					});
					(p.clone(), call)
				})
				.collect(),
		)
		.await?,
	);

	let first_record: u64 = chain
		.storage(&pallet_ehr_records::NextRecordId::<ehr_runtime::Runtime>::hashed_key(), None)
		.await?
		.unwrap_or_default();
	let add = patients
		.iter()
		.zip(&doctor_ids)
		.enumerate()
		.map(|(i, (p, doctor))| {
			// A CIDv1 (raw, sha2-256) and two 80-byte wrapped keys, as the client writes them.
			let mut cid = vec![0x01, 0x55, 0x12, 0x20];
			cid.extend(sp_io::hashing::sha2_256(&(i as u64).to_le_bytes()));
			let key = |byte: u8| vec![byte; 80].try_into().expect("80 bytes fit");
			let call = RuntimeCall::Records(pallet_ehr_records::Call::add_record {
				patient: p.account_id(),
				category: RecordCategory::LabReport,
				cid: cid.try_into().expect("36 bytes fit"),
				content_hash: sp_io::hashing::blake2_256(&(i as u64).to_le_bytes()),
				size: 4_096,
				keys: vec![(p.account_id(), key(1)), (doctor.clone(), key(2))]
					.try_into()
					.expect("two readers fit"),
				escrow: None,
			});
			(p.clone(), call)
		})
		.collect();
	results.push(measure(&chain, "add-record", add).await?);
	// Which record each patient added: from the records' owners.
	let mut record_of: BTreeMap<AccountId, u64> = BTreeMap::new();
	let next: u64 = chain
		.storage(&pallet_ehr_records::NextRecordId::<ehr_runtime::Runtime>::hashed_key(), None)
		.await?
		.unwrap_or_default();
	for id in first_record..next {
		let key = pallet_ehr_records::Records::<ehr_runtime::Runtime>::hashed_key_for(id);
		if let Some(record) =
			chain.storage::<pallet_ehr_records::RecordOf<ehr_runtime::Runtime>>(&key, None).await?
		{
			record_of.insert(record.patient, id);
		}
	}
	results.push(
		measure(
			&chain,
			"log-read",
			doctors
				.iter()
				.zip(&patient_ids)
				.map(|(d, patient)| {
					let call = RuntimeCall::Consent(pallet_ehr_consent::Call::log_access {
						patient: patient.clone(),
						record: record_of.get(patient).copied().unwrap_or(u64::MAX),
						category: RecordCategory::LabReport,
					});
					(d.clone(), call)
				})
				.collect(),
		)
		.await?,
	);

	// Each doctor publishes a slot in two hours; each patient books its doctor's.
	let now = chain.now().await?;
	let first_slot: u64 = chain
		.storage(&pallet_ehr_appointments::NextSlotId::<ehr_runtime::Runtime>::hashed_key(), None)
		.await?
		.unwrap_or_default();
	set_up(
		&chain,
		"slots",
		doctors
			.iter()
			.map(|d| {
				let call = RuntimeCall::Appointments(pallet_ehr_appointments::Call::publish_slot {
					start: now + 2 * 3_600_000,
					duration_minutes: 30,
					kind: VisitKind::InPerson,
				});
				(d.clone(), call)
			})
			.collect(),
	)
	.await?;
	let next_slot: u64 = chain
		.storage(&pallet_ehr_appointments::NextSlotId::<ehr_runtime::Runtime>::hashed_key(), None)
		.await?
		.unwrap_or_default();
	let mut slot_of: BTreeMap<AccountId, u64> = BTreeMap::new();
	for slot in first_slot..next_slot {
		let key = pallet_ehr_appointments::Slots::<ehr_runtime::Runtime>::hashed_key_for(slot);
		if let Some(stored) = chain
			.storage::<pallet_ehr_appointments::SlotOf<ehr_runtime::Runtime>>(&key, None)
			.await?
		{
			slot_of.insert(stored.doctor, slot);
		}
	}
	results.push(
		measure(
			&chain,
			"book",
			patients
				.iter()
				.zip(&doctor_ids)
				.map(|(p, doctor)| {
					let call = RuntimeCall::Appointments(pallet_ehr_appointments::Call::book {
						slot: slot_of.get(doctor).copied().unwrap_or(u64::MAX),
						reason: None,
					});
					(p.clone(), call)
				})
				.collect(),
		)
		.await?,
	);

	report(&results, args.json);
	Ok(())
}

fn report(results: &[Measured], as_json: bool) {
	let baseline = results.first().map(|m| m.per_second).unwrap_or(1.0);
	let ms = |d: Duration| d.as_millis() as u64;
	if as_json {
		let rows: Vec<Value> = results
			.iter()
			.map(|m| {
				json!({
					"kind": m.kind, "transactions": m.count, "perSecond": m.per_second,
					"blocks": m.blocks, "maxPerBlock": m.max_per_block,
					"fitPerBlock": m.fit_per_block,
					"ratioToTransfer": m.per_second / baseline,
					"inBlockMs": { "p50": ms(m.in_block.0), "p99": ms(m.in_block.1) },
					"finalizedMs": { "p50": ms(m.finalized.0), "p99": ms(m.finalized.1) },
				})
			})
			.collect();
		println!("{}", json!({ "kinds": rows }));
		return;
	}
	println!(
		"| kind | transactions | tx/s | blocks | max per block | ratio to transfer | fit per block (limits) | ratio to transfer (limits) | in block p50 / p99 (ms) | finalized p50 / p99 (ms) |"
	);
	println!("|---|---|---|---|---|---|---|---|---|---|");
	let fit_baseline = results.first().map(|m| m.fit_per_block.max(1)).unwrap_or(1) as f64;
	for m in results {
		println!(
			"| {} | {} | {:.1} | {} | {} | {:.2} | {} | {:.2} | {} / {} | {} / {} |",
			m.kind,
			m.count,
			m.per_second,
			m.blocks,
			m.max_per_block,
			m.per_second / baseline,
			m.fit_per_block,
			m.fit_per_block as f64 / fit_baseline,
			ms(m.in_block.0),
			ms(m.in_block.1),
			ms(m.finalized.0),
			ms(m.finalized.1),
		);
	}
}

#[tokio::main]
async fn main() {
	let args = Args::parse();
	let result = match &args.scale {
		Some(Scale::SeedTrail { spec, out, entries }) => seed_trail(spec, out, *entries),
		Some(Scale::AuditPages { chain_spec, pages, limit }) => {
			audit_pages(&args.node, chain_spec, *pages, (*limit).clamp(1, 100), args.json).await
		}
		None => run(args).await,
	};
	if let Err(error) = result {
		eprintln!("error: {error}");
		// As the `ehr` command: 2 bad usage, 5 the node does not answer, 1 anything else.
		std::process::exit(match error.kind() {
			ehr_client::ErrorKind::Usage => 2,
			ehr_client::ErrorKind::Unreachable => 5,
			_ => 1,
		});
	}
}
