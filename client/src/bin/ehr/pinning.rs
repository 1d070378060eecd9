//! `ehr pin-service`: a hospital keeps the records its policy gives it on its own IPFS node
//! (`ehr_client::flows::pinning` has the policy).

use std::path::PathBuf;

use clap::Args;
use ehr_client::{Client, Error, Keys, Store};
use serde_json::json;

use crate::{
	care::{load, save, sleep_or_stop},
	cli::Global,
	session::state_dir,
	ui::{say, warn},
};

/// Where the service remembers what it pinned (record → CID): per chain, hospital and IPFS
/// node, so that services sharing a state directory keep apart.
fn index_file(client: &Client, me: &Keys, global: &Global) -> Option<PathBuf> {
	let genesis = client.chain.genesis();
	let mut whose = AsRef::<[u8]>::as_ref(&me.account_id()).to_vec();
	whose.extend(client.store.primary().location().as_bytes());
	let whose = sp_io::hashing::blake2_128(&whose);
	state_dir(global).map(|dir| {
		dir.join(format!(
			"pins-{}-{}.json",
			hex::encode(&genesis.as_bytes()[..8]),
			hex::encode(&whose[..8])
		))
	})
}

/// `ehr pin-service`.
pub async fn pin_service(
	client: &Client,
	me: &Keys,
	once: bool,
	interval: u64,
	replicas: u32,
	max_mib: u64,
	metrics: Option<ehr_client::metrics::ServiceMetrics>,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	if matches!(client.store.primary(), Store::Local(_)) {
		return Err(Error::Usage(
			"the pinning service keeps envelopes on your hospital's IPFS node: pass --ipfs \
			 YOUR_NODE,OTHER_HOSPITAL_NODE,… (the first is yours; the others are where envelopes \
			 are copied from)"
				.into(),
		));
	}
	if !matches!(client.store, Store::Replicated(..)) {
		warn(
			json,
			"only one IPFS node given: envelopes can be kept only if your node already holds \
			 them; add the other hospitals' IPFS nodes after yours in --ipfs"
				.into(),
		);
	}
	let file = index_file(client, me, global);
	if file.is_none() {
		warn(
			json,
			"no state directory (--state-dir or HOME): what this service pins is not remembered, \
			 so erased records pinned in earlier runs are not unpinned"
				.into(),
		);
	}
	let mut pinned = load(file.as_ref());
	if !once && !json {
		eprintln!(
			"pinning service of {} running on {}: a pass every {interval} s over the finalized \
			 blocks, {replicas} hospital(s) besides the patients' own per record (Ctrl-C stops it)",
			me.address(),
			client.store.primary().describe()
		);
	}
	loop {
		let max = max_mib.saturating_mul(1024 * 1024);
		let pass =
			match client.pin_pass(&me.account_id(), replicas as usize, max, &mut pinned).await {
				Ok(pass) => pass,
				// A node or IPFS daemon that is down ends one pass, not the service.
				Err(e) if !once => {
					if let Some(metrics) = &metrics {
						metrics.pass_failed();
					}
					warn(json, format!("pass failed ({e}); trying again in {interval} s"));
					sleep_or_stop(interval).await;
					continue;
				}
				Err(e) => return Err(e),
			};
		save(file.as_ref(), &pinned)?;
		if let Some(metrics) = &metrics {
			metrics.pass_done(pass.failed.len() as u64, pass.failed.len() as u64);
		}
		let mut lines = Vec::new();
		for (record, cid) in &pass.pinned {
			lines.push(format!("pinned record {record} ({cid})"));
		}
		for (record, cid) in &pass.unpinned {
			lines.push(format!("unpinned erased record {record} ({cid})"));
		}
		for (record, why) in &pass.failed {
			lines.push(format!("record {record}: {why}; trying again next pass"));
		}
		lines.push(format!(
			"at block #{}: {} record(s) to keep, {} held before this pass, {} pinned now, {} \
			 failed",
			pass.block,
			pass.responsible,
			pass.held,
			pass.pinned.len(),
			pass.failed.len()
		));
		say(json, json!(pass), lines.join("\n"));
		if once {
			return Ok(());
		}
		sleep_or_stop(interval).await;
	}
}

#[derive(Args)]
pub struct PinServiceArgs {
	/// One pass, then exit (for tests and cron).
	#[arg(long)]
	pub once: bool,
	/// Seconds between passes.
	#[arg(long, default_value_t = 12, value_name = "SECONDS")]
	pub interval: u64,
	/// Hospitals that keep each record besides those its patient consents to.
	#[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=16))]
	pub replicas: u32,
	/// The largest envelope kept, in MiB: a record declaring more, or a node serving more
	/// than the record declares, is refused and reported.
	#[arg(
		long,
		default_value_t = 1024,
		value_name = "MIB",
		value_parser = clap::value_parser!(u64).range(1..)
	)]
	pub max_size: u64,
	/// Serve Prometheus metrics at http://ADDRESS:PORT/metrics (records behind, last pass,
	/// failures; docs/operations.md), e.g. 127.0.0.1:9617.
	#[arg(long, value_name = "ADDRESS:PORT")]
	pub metrics: Option<std::net::SocketAddr>,
}

/// Runs the pinning service as the hospital `me`.
pub async fn run(
	client: &Client,
	me: &Keys,
	args: PinServiceArgs,
	global: &Global,
) -> Result<(), Error> {
	let PinServiceArgs { once, interval, replicas, max_size, metrics } = args;
	let metrics = match metrics {
		Some(address) => Some(ehr_client::metrics::pin_service(address).await?),
		None => None,
	};
	pin_service(client, me, once, interval, replicas, max_size, metrics, global).await
}
