//! `ehr-fhir-server`: the FHIR R4 REST API with SMART App Launch, run by a hospital next to its
//! node. See the crate's documentation ([`ehr_fhir_server`]) and `docs/fhir.md`.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use clap::Parser;
use ehr_client::{finality::Finality, outbox::Outbox, Client, Keys, Store};
use ehr_fhir_server::{
	oidc::IdTokens,
	router,
	smart::{App, Lifetimes},
	Server,
};

/// A FHIR R4 server with SMART App Launch 2 over the EHR chain.
///
/// Examples:
///
///   ehr-fhir-server --dev --base-url http://127.0.0.1:8090 --apps apps.json \
///       --clinician-key dr-grey.json
///
///   EHR_PASSPHRASE=… ehr-fhir-server --chain-spec chain.json --node ws://127.0.0.1:9944 \
///       --ipfs http://127.0.0.1:5001 --listen 127.0.0.1:8090 \
///       --base-url https://fhir.hospital.example --apps apps.json --clinician-key dr-grey.json
#[derive(Parser, Debug)]
#[command(version, verbatim_doc_comment)]
struct Args {
	/// The node's WebSocket RPC address.
	#[arg(long, env = "EHR_NODE", default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// The IPFS API address (the Kubo RPC API).
	#[arg(long, env = "EHR_IPFS", default_value = "http://127.0.0.1:5001")]
	ipfs: String,
	/// The chain's raw spec: with it, keys and records are read with proofs against finality the
	/// server checks itself.
	#[arg(long, env = "EHR_CHAIN_SPEC")]
	chain_spec: Option<PathBuf>,
	/// A development chain: the node's word is taken without proofs.
	#[arg(long)]
	dev: bool,
	/// Where to listen (loopback: put a TLS proxy in front for anything else).
	#[arg(long, default_value = "127.0.0.1:8090")]
	listen: SocketAddr,
	/// The public base URL apps use (the SMART `aud`).
	#[arg(long)]
	base_url: Option<String>,
	/// The registered apps: a JSON list of {"clientId", "name", "redirectUris"}.
	#[arg(long)]
	apps: PathBuf,
	/// A clinician's key file (from `ehr account new`): repeat for each clinician enrolled with
	/// this server. The passphrase comes from EHR_PASSPHRASE.
	#[arg(long = "clinician-key")]
	clinician_keys: Vec<PathBuf>,
	/// A clinician's secret URI, on a development chain only (`//Bob`).
	#[arg(long = "clinician-uri", requires = "dev")]
	clinician_uris: Vec<String>,
	/// Where the server keeps its state (the read-log outbox, the finality checkpoint).
	#[arg(long, default_value = "ehr-fhir-state")]
	state_dir: PathBuf,
	/// How long an access token lives, in seconds.
	#[arg(long, default_value_t = 900)]
	access_token_seconds: u64,
	/// The hospital's EHR web app (its origin, e.g. https://ehr.hospital.example): the sign-in
	/// page then offers signing with the key the web app keeps.
	#[arg(long)]
	web_app: Option<String>,
}

async fn run(args: Args) -> Result<(), String> {
	let apps: Vec<App> = serde_json::from_slice(
		&std::fs::read(&args.apps).map_err(|e| format!("{}: {e}", args.apps.display()))?,
	)
	.map_err(|e| format!("{}: not a list of apps: {e}", args.apps.display()))?;
	let mut keys = Vec::new();
	if !args.clinician_keys.is_empty() {
		let passphrase = std::env::var("EHR_PASSPHRASE").map_err(|_| {
			"set EHR_PASSPHRASE to the clinicians' key files' passphrase".to_string()
		})?;
		for path in &args.clinician_keys {
			keys.push(
				Keys::load(path, &passphrase).map_err(|e| format!("{}: {e}", path.display()))?,
			);
		}
	}
	for uri in &args.clinician_uris {
		keys.push(Keys::from_uri(uri).map_err(|e| format!("{uri}: {e}"))?);
	}
	let store = Store::ipfs(&args.ipfs).map_err(|e| e.to_string())?;
	let client = Client::connect(&args.node, store).await.map_err(|e| e.to_string())?;
	let client = if args.dev { client.development() } else { client };
	std::fs::create_dir_all(&args.state_dir)
		.map_err(|e| format!("{}: {e}", args.state_dir.display()))?;
	let first = client.chain.block_hash(1).await.map_err(|e| e.to_string())?;
	let outbox =
		Outbox::open(&args.state_dir, client.chain.genesis(), first).map_err(|e| e.to_string())?;
	let client = client.with_outbox(outbox);
	let client = match &args.chain_spec {
		Some(spec) => client
			.verifying(Finality::open(spec, Some(&args.state_dir)).map_err(|e| e.to_string())?),
		None if args.dev => client,
		None => {
			return Err("give the chain's raw spec (--chain-spec), or --dev on a development \
			            chain: the server wraps keys and opens records on proven state only"
				.into())
		}
	};
	let base_url = args.base_url.unwrap_or_else(|| format!("http://{}", args.listen));
	let lifetimes =
		Lifetimes { access: Duration::from_secs(args.access_token_seconds), ..Default::default() };
	let id_tokens = IdTokens::load_or_create(&args.state_dir.join("id-token-key.der"))?;
	let mut server =
		Server::new(client, &base_url, keys, apps, lifetimes).with_id_tokens(id_tokens);
	if let Some(web_app) = &args.web_app {
		let url = web_app_origin(web_app)?;
		server = server.with_web_app(&url);
	}
	let server = Arc::new(server);
	tokio::spawn(server.clone().drain_forever(Duration::from_secs(3)));
	let listener = tokio::net::TcpListener::bind(args.listen)
		.await
		.map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
	tracing::info!(
		"FHIR server for {} at {base_url} ({} clinician key(s))",
		args.node,
		server.keys.len()
	);
	println!("listening on {} as {base_url}", args.listen);
	axum::serve(listener, router(server))
		.with_graceful_shutdown(async {
			let _ = tokio::signal::ctrl_c().await;
		})
		.await
		.map_err(|e| e.to_string())
}

/// `url` as an origin (`scheme://host[:port]`, no path): what a browser sends as `Origin`.
fn web_app_origin(url: &str) -> Result<String, String> {
	let trimmed = url.trim().trim_end_matches('/');
	let (scheme, rest) = trimmed.split_once("://").ok_or_else(|| {
		format!("--web-app {url}: give the web app's origin, e.g. https://ehr.hospital.example")
	})?;
	if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/') {
		return Err(format!(
			"--web-app {url}: give the web app's origin (scheme, host and port, no path), e.g. \
			 https://ehr.hospital.example"
		));
	}
	Ok(trimmed.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "ehr_fhir_server=info".into()),
		)
		.with_writer(std::io::stderr)
		.init();
	match run(Args::parse()).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("ehr-fhir-server: {error}");
			ExitCode::FAILURE
		}
	}
}
