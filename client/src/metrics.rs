//! Prometheus metrics of the long-running services, `ehr pin-service` and `ehr custodian`
//! (`--metrics ADDRESS:PORT`), served by polkadot-sdk's own endpoint crate (the one `ehr-node`
//! serves its metrics with) at `/metrics`. What each means is what the alert rules of
//! `ops/prometheus/alerts.yml` expect:
//!
//! - `ehr_pin_service_records_behind`: after the last pass, the records it could not pin (not
//!   found on any IPFS node given, a wrong CID or size, an IPFS error) or, erased, unpin;
//! - `ehr_custodian_requests_behind`: after the last pass, the emergency accesses some of whose
//!   shares were due and could not be released (refused by the chain, not final in time);
//! - `…_last_pass_timestamp_seconds`: when the last pass finished (Unix time; the service's
//!   start until then);
//! - `…_failures_total`: records or releases that failed, plus passes that failed whole (the
//!   node or IPFS unreachable).

use std::{
	net::SocketAddr,
	time::{Duration, SystemTime, UNIX_EPOCH},
};

use substrate_prometheus_endpoint::{register, Counter, Gauge, PrometheusError, Registry, U64};

use crate::Error;

/// One service's metrics.
#[derive(Clone)]
pub struct ServiceMetrics {
	behind: Gauge<U64>,
	last_pass: Gauge<U64>,
	failures: Counter<U64>,
}

impl ServiceMetrics {
	/// Registers the metrics of `service` (`pin_service` or `custodian`) in `registry`; `behind`
	/// names what its gauge counts (`records_behind`, `requests_behind`).
	pub fn register(
		registry: &Registry,
		service: &str,
		behind: (&str, &str),
	) -> Result<Self, PrometheusError> {
		let metrics = Self {
			behind: register(
				Gauge::new(format!("ehr_{service}_{}", behind.0), behind.1)?,
				registry,
			)?,
			last_pass: register(
				Gauge::new(
					format!("ehr_{service}_last_pass_timestamp_seconds"),
					"When the last pass finished (Unix time, seconds)",
				)?,
				registry,
			)?,
			failures: register(
				Counter::new(
					format!("ehr_{service}_failures_total"),
					"Items that failed in a pass, plus passes that failed whole",
				)?,
				registry,
			)?,
		};
		// Until the first pass ends, the service's start: a stalled first pass is noticed as
		// one that started then, not as one 56 years old.
		metrics.last_pass.set(unix_now());
		Ok(metrics)
	}

	/// A pass finished with `behind` items left undone and `failures` items failed.
	pub fn pass_done(&self, behind: u64, failures: u64) {
		self.behind.set(behind);
		self.failures.inc_by(failures);
		self.last_pass.set(unix_now());
	}

	/// A pass failed whole.
	pub fn pass_failed(&self) {
		self.failures.inc();
	}
}

fn unix_now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The pinning service's metrics, served at `address` (`/metrics`) until the process ends.
pub async fn pin_service(address: SocketAddr) -> Result<ServiceMetrics, Error> {
	serve(
		address,
		"pin_service",
		("records_behind", "Records the last pass could not pin (or, erased, unpin)"),
	)
	.await
}

/// The custodian's metrics, served at `address` (`/metrics`) until the process ends.
pub async fn custodian(address: SocketAddr) -> Result<ServiceMetrics, Error> {
	serve(
		address,
		"custodian",
		("requests_behind", "Emergency accesses whose due shares the last pass could not release"),
	)
	.await
}

async fn serve(
	address: SocketAddr,
	service: &str,
	behind: (&str, &str),
) -> Result<ServiceMetrics, Error> {
	let registry = Registry::new();
	let metrics = ServiceMetrics::register(&registry, service, behind)
		.map_err(|e| Error::Usage(format!("metrics: {e}")))?;
	let mut server =
		tokio::spawn(substrate_prometheus_endpoint::init_prometheus(address, registry));
	// A port in use ends the server at once: say so rather than run without metrics.
	if let Ok(ended) = tokio::time::timeout(Duration::from_millis(300), &mut server).await {
		let why = match ended {
			Ok(Err(e)) => e.to_string(),
			Ok(Ok(())) => "the server stopped".into(),
			Err(e) => e.to_string(),
		};
		return Err(Error::Usage(format!(
			"cannot serve metrics on {address} ({why}): choose another --metrics address"
		)));
	}
	Ok(metrics)
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::io::{AsyncReadExt, AsyncWriteExt};

	async fn scrape(address: SocketAddr) -> String {
		let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
		stream
			.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
			.await
			.unwrap();
		let mut text = String::new();
		stream.read_to_string(&mut text).await.unwrap();
		text
	}

	#[tokio::test]
	async fn a_pass_shows_in_the_scraped_metrics_and_a_port_in_use_is_refused() {
		// A free port: the system's choice, released for the service.
		let address = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
		let metrics = pin_service(address).await.expect("serving");
		let started = scrape(address).await;
		assert!(started.contains("ehr_pin_service_records_behind 0"), "{started}");
		metrics.pass_done(3, 2);
		metrics.pass_failed();
		let text = scrape(address).await;
		assert!(text.contains("ehr_pin_service_records_behind 3"), "{text}");
		assert!(text.contains("ehr_pin_service_failures_total 3"), "{text}");
		let last: u64 = text
			.lines()
			.find_map(|l| l.strip_prefix("ehr_pin_service_last_pass_timestamp_seconds "))
			.and_then(|v| v.trim().parse().ok())
			.expect("the last pass's time");
		assert!(last > 1_700_000_000, "{last}");
		// Another service on the same port: refused with the address.
		let refused = custodian(address).await.err().expect("refused").to_string();
		assert!(refused.contains(&address.to_string()), "{refused}");
	}
}
