//! Command-line interface of `ehr-node`.

use sc_cli::RunCmd;

/// The node's command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; without one, the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of the running node.
	#[clap(flatten)]
	pub run: RunCmd,

	/// A TURN server this node gives the parties of a current video visit short-lived
	/// credentials for (`ehr_visitIceServers`), as browsers take it, e.g.
	/// `turn:turn.hospital.example:3478?transport=udp`. Repeat for several URLs of one server.
	#[arg(long = "turn-url", value_name = "URL", requires = "turn_secret_file")]
	pub turn_urls: Vec<String>,

	/// The file holding the secret this node shares with the TURN server (coturn's
	/// `--use-auth-secret --static-auth-secret`). It must be readable by its owner only (mode
	/// 0600 or 0400): the node refuses to start otherwise.
	#[arg(long, value_name = "FILE", requires = "turn_urls")]
	pub turn_secret_file: Option<std::path::PathBuf>,
}

impl Cli {
	/// The TURN server of `--turn-url` and `--turn-secret-file`, checked.
	pub fn visit_config(&self) -> sc_cli::Result<crate::visit_rpc::VisitConfig> {
		let Some(path) = &self.turn_secret_file else {
			return Ok(Default::default());
		};
		let fail = |why: String| {
			sc_cli::Error::Input(format!("--turn-secret-file {}: {why}", path.display()))
		};
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode =
				std::fs::metadata(path).map_err(|e| fail(e.to_string()))?.permissions().mode();
			if mode & 0o077 != 0 {
				return Err(fail(format!(
					"readable by others (mode {:o}): run `chmod 600 {}` first",
					mode & 0o777,
					path.display()
				)));
			}
		}
		let secret = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
		let secret = secret.trim();
		if secret.len() < 16 {
			return Err(fail("the secret is shorter than 16 characters".into()));
		}
		for url in &self.turn_urls {
			if !(url.starts_with("turn:") || url.starts_with("turns:")) {
				return Err(sc_cli::Error::Input(format!(
					"--turn-url {url}: a TURN URL starts with turn: or turns:"
				)));
			}
		}
		Ok(crate::visit_rpc::VisitConfig {
			turn: Some(crate::visit_rpc::Turn {
				urls: self.turn_urls.clone(),
				secret: secret.as_bytes().to_vec(),
			}),
		})
	}
}

/// The subcommands of `ehr-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management (generate, inspect, insert session keys).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Write a chain specification of a built-in chain (dev, local) or a spec file.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Write a consortium's chain specification from a small JSON file of its hospitals.
	ConsortiumSpec(crate::consortium_spec::ConsortiumSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a block into a chain specification.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Benchmark the runtime's pallets (build with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),
}
