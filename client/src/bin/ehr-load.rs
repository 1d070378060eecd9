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
use ehr_client::{chain::Chain, Error, Keys};
use ehr_primitives::{AccessLevel, Purpose, RecordCategory, Scope, VisitKind};
use ehr_runtime::{Hash, RuntimeCall, RuntimeEvent, UNIT};
use futures::future::join_all;
use jsonrpsee::{
	core::client::{Subscription, SubscriptionClientT},
	rpc_params,
};
use serde_json::{json, Value};
use sp_core::bytes::to_hex;
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
	let mut status: Subscription<Value> = chain
		.rpc()
		.subscribe(
			"author_submitAndWatchExtrinsic",
			rpc_params![encoded.clone()],
			"author_unwatchExtrinsic",
		)
		.await
		.map_err(|e| fail("submit", e))?;
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
		if ["invalid", "dropped", "usurped", "finalityTimeout"]
			.iter()
			.any(|bad| update.get(*bad).is_some() || update.as_str() == Some(*bad))
		{
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
async fn sign_all(chain: &Chain, calls: Vec<(Keys, RuntimeCall)>) -> Result<Vec<String>, Error> {
	join_all(calls.into_iter().map(|(signer, call)| async move {
		chain.sign(&signer, call).await.map(|x| to_hex(&x.encode(), false))
	}))
	.await
	.into_iter()
	.collect()
}

/// Signs `calls` (one per signer), sends them all at once, follows them to finality, checks
/// that each succeeded, and measures.
async fn measure(
	chain: &Chain,
	kind: &'static str,
	calls: Vec<(Keys, RuntimeCall)>,
) -> Result<Measured, Error> {
	let signed = sign_all(chain, calls).await?;
	let count = signed.len();
	let samples = join_all(signed.into_iter().map(|encoded| follow(chain, encoded)))
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
		in_block: percentiles(samples.iter().map(|s| s.in_block).collect()),
		finalized: percentiles(samples.iter().map(|s| s.finalized).collect()),
	})
}

/// Submits set-up calls (not measured) and waits for all of them.
async fn set_up(chain: &Chain, what: &str, calls: Vec<(Keys, RuntimeCall)>) -> Result<(), Error> {
	eprintln!("set-up: {what} ({} transactions)", calls.len());
	// Signed first, sent at once, followed to finality; a failed dispatch shows up in the
	// measured kinds that depend on it, which are checked.
	let signed = sign_all(chain, calls).await?;
	for result in join_all(signed.into_iter().map(|encoded| follow(chain, encoded))).await {
		result.map_err(|e| fail(what, e))?;
	}
	Ok(())
}

fn batch(calls: Vec<RuntimeCall>) -> RuntimeCall {
	RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
}

async fn run(args: Args) -> Result<(), Error> {
	let chain = Chain::connect(&args.node).await?;
	let alice = Keys::from_uri("//Alice")?;
	let n = args.accounts as usize;
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

	// The hospital invites the patients and verifies the doctors, in batches.
	for (chunk_p, chunk_d) in patient_ids.chunks(50).zip(doctor_ids.chunks(50)) {
		let mut calls = Vec::new();
		for who in chunk_p {
			calls.push(RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient {
				patient: who.clone(),
			}));
		}
		for (i, who) in chunk_d.iter().enumerate() {
			calls.push(RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
				doctor: who.clone(),
				name: format!("Dr. Load {i}").into_bytes(),
				specialty: b"general practice".to_vec(),
				licence: format!("LOAD-{}", who).into_bytes(),
			}));
		}
		set_up(&chain, "invitations and doctors", vec![(alice.clone(), batch(calls))]).await?;
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
	set_up(
		&chain,
		"doctors' encryption keys",
		doctors
			.iter()
			.map(|d| {
				let call = RuntimeCall::Identity(pallet_ehr_identity::Call::set_encryption_key {
					key: d.encryption_key(),
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
		"| kind | transactions | tx/s | blocks | max per block | ratio to transfer | in block p50 / p99 (ms) | finalized p50 / p99 (ms) |"
	);
	println!("|---|---|---|---|---|---|---|---|");
	for m in results {
		println!(
			"| {} | {} | {:.1} | {} | {} | {:.2} | {} / {} | {} / {} |",
			m.kind,
			m.count,
			m.per_second,
			m.blocks,
			m.max_per_block,
			m.per_second / baseline,
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
	if let Err(error) = run(args).await {
		eprintln!("error: {error}");
		std::process::exit(error.exit_code());
	}
}
