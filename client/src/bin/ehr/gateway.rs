//! `ehr ipfs-gateway`: the web app's way to IPFS (`ehr_client::gateway` does the work).

use clap::Args;
use ehr_client::Error;
use serde_json::json;

use crate::{
	cli::Global,
	session::client,
	ui::{clear_spinner, say},
};

#[derive(Args)]
pub struct GatewayArgs {
	/// The address to listen on (a hospital puts its TLS reverse proxy in front).
	#[arg(long, default_value = "127.0.0.1:5080", value_name = "ADDRESS:PORT")]
	pub listen: std::net::SocketAddr,
	/// The largest envelope stored or served, in MiB.
	#[arg(
		long,
		default_value_t = 64,
		value_name = "MIB",
		value_parser = clap::value_parser!(u64).range(1..=4096)
	)]
	pub max_size: u64,
	/// What one account may store per hour, in MiB.
	#[arg(
		long,
		default_value_t = 512,
		value_name = "MIB",
		value_parser = clap::value_parser!(u64).range(1..=1 << 30)
	)]
	pub per_hour: u64,
	/// What all accounts together may store per hour, in MiB.
	#[arg(
		long,
		default_value_t = 8192,
		value_name = "MIB",
		value_parser = clap::value_parser!(u64).range(1..=1 << 30)
	)]
	pub total_per_hour: u64,
	/// The web app's origin, sent as Access-Control-Allow-Origin (`*`: any).
	#[arg(long, default_value = "*", value_name = "ORIGIN")]
	pub allow_origin: String,
}

/// Serves the gateway until stopped (needs no key file).
pub async fn run(global: &Global, args: GatewayArgs) -> Result<(), Error> {
	let GatewayArgs { listen, max_size, per_hour, total_per_hour, allow_origin } = args;
	let json = global.json;
	let host =
		allow_origin.strip_prefix("https://").or_else(|| allow_origin.strip_prefix("http://"));
	let origin_ok = allow_origin == "*"
		|| host.is_some_and(|host| {
			!host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic() && b != b'/')
		});
	if !origin_ok {
		return Err(Error::Usage(format!(
			"--allow-origin {allow_origin:?} is not an origin: give the web app's \
			 scheme, host and port (https://ehr.hospital.example), or *"
		)));
	}
	if global.ipfs.is_empty() {
		return Err(Error::Usage(
			"the gateway stores envelopes on your IPFS node: pass --ipfs \
			 http://127.0.0.1:5001 (its API, on loopback)"
				.into(),
		));
	}
	let client = client(global).await?;
	let listener = tokio::net::TcpListener::bind(listen)
		.await
		.map_err(|e| Error::Usage(format!("cannot listen on {listen}: {e}")))?;
	let config = ehr_client::gateway::GatewayConfig {
		max_size: max_size << 20,
		bytes_per_hour: per_hour << 20,
		total_per_hour: total_per_hour << 20,
		allow_origin,
	};
	clear_spinner();
	say(
		json,
		json!({ "listening": listen.to_string() }),
		format!("IPFS gateway listening on http://{listen} (Ctrl-C stops it)"),
	);
	tokio::select! {
		_ = ehr_client::gateway::serve(listener, client, config) => Ok(()),
		_ = tokio::signal::ctrl_c() => Ok(()),
	}
}
