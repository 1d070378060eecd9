//! End to end: start `ehr-node --dev`, submit signed transactions over JSON-RPC, and see them
//! finalized (or refused) by the running chain.

mod common;

use common::*;
use ehr_runtime::Hash;
use jsonrpsee::{
	core::client::{ClientT, SubscriptionClientT},
	rpc_params,
};
use serde_json::Value;
use sp_keyring::Sr25519Keyring;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn dev_node_finalizes_a_submitted_extrinsic_and_refuses_an_unpaid_one() {
	let mut node = DevNode::start();
	let client = node.client().await;

	// Alice is the dev chain's hospital: her transaction is free and gets finalized.
	let extrinsic = sign(&client, Sr25519Keyring::Alice, remark(b"first record pointer")).await;
	let mut status = client
		.subscribe::<Value, _>(
			"author_submitAndWatchExtrinsic",
			rpc_params![extrinsic.clone()],
			"author_unwatchExtrinsic",
		)
		.await
		.expect("the pool accepts Alice's transaction");

	let deadline = Instant::now() + Duration::from_secs(120);
	let finalized_in = loop {
		let remaining = deadline.saturating_duration_since(Instant::now());
		let update = tokio::time::timeout(remaining, status.next())
			.await
			.expect("finalized within two minutes")
			.expect("the status stream stays open")
			.expect("a status update decodes");
		if let Some(hash) = update.get("finalized") {
			break hash.as_str().unwrap().to_string();
		}
		let text = update.to_string();
		assert!(
			!["invalid", "dropped", "usurped"].iter().any(|bad| text.contains(bad)),
			"transaction failed: {text}"
		);
	};

	// The finalized block holds exactly our extrinsic, and finality reached it.
	let block: Value = client.request("chain_getBlock", rpc_params![finalized_in.clone()]).await.unwrap();
	let extrinsics = block["block"]["extrinsics"].as_array().unwrap();
	assert!(extrinsics.iter().any(|x| x.as_str() == Some(extrinsic.as_str())));
	let head: String = client.request("chain_getFinalizedHead", rpc_params![]).await.unwrap();
	let head_header: Value = client.request("chain_getHeader", rpc_params![head]).await.unwrap();
	let block_number = |header: &Value| {
		u64::from_str_radix(header["number"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
	};
	assert!(block_number(&head_header) >= block_number(&block["block"]["header"]));

	// Eve is no hospital and holds no tokens: the pool refuses her transaction.
	let unpaid = sign(&client, Sr25519Keyring::Eve, remark(b"spam")).await;
	let refused = client
		.request::<Hash, _>("author_submitExtrinsic", rpc_params![unpaid])
		.await
		.expect_err("an unregistered account without tokens is refused");
	let message = refused.to_string();
	assert!(message.contains("1010") || message.contains("pay"), "unexpected refusal: {message}");
}
