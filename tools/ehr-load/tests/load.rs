//! The load tool against a real dev node.

#[path = "../../../client/tests/common/mod.rs"]
mod common;

use std::process::Command;

use common::{start_node, wait_for};
use ehr_client::chain::Chain;

/// `ehr-load` with four accounts per kind against a dev node: every kind is measured (the tool
/// itself checks that each transaction succeeded), with positive rates and latencies in order.
#[tokio::test(flavor = "multi_thread")]
async fn the_load_tool_measures_every_kind() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, node_url) = start_node(dir.path());
	wait_for("the node", || Chain::connect(&node_url)).await;
	let out = Command::new(env!("CARGO_BIN_EXE_ehr-load"))
		.args(["--json", "--accounts", "4", "--node", &node_url])
		.output()
		.unwrap();
	assert!(out.status.success(), "ehr-load: {}", String::from_utf8_lossy(&out.stderr));
	let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
	let rows = report["kinds"].as_array().unwrap();
	let kinds: Vec<&str> = rows.iter().map(|row| row["kind"].as_str().unwrap()).collect();
	assert_eq!(kinds, ["transfer", "register", "grant", "add-record", "log-read", "book"]);
	for row in rows {
		assert_eq!(row["transactions"], 4, "{row}");
		assert!(row["perSecond"].as_f64().unwrap() > 0.0, "{row}");
		assert!(row["maxPerBlock"].as_u64().unwrap() >= 1, "{row}");
		assert!(
			row["finalizedMs"]["p50"].as_u64().unwrap()
				>= row["inBlockMs"]["p50"].as_u64().unwrap(),
			"{row}"
		);
	}
}
