//! End to end: start `ehr-node --dev`, submit signed transactions over JSON-RPC, and see them
//! finalized (or refused) by the running chain.

use crate::common::*;
use ehr_runtime::Hash;
use jsonrpsee::{core::client::ClientT, rpc_params};
use serde_json::Value;
use sp_keyring::Sr25519Keyring;

#[tokio::test(flavor = "multi_thread")]
async fn dev_node_finalizes_a_submitted_extrinsic_and_refuses_an_unpaid_one() {
	let mut node = DevNode::start();
	let client = node.client().await;

	// Alice is the dev chain's hospital: her EHR transaction is free and gets finalized.
	let alice = Sr25519Keyring::Alice.to_account_id();
	let budget: Value =
		client.request("ehr_freeBudget", rpc_params![alice.to_string()]).await.unwrap();
	assert_eq!(budget["registered"], true, "{budget}");
	let before = budget["refTimeLeft"].as_u64().unwrap();
	assert!(before > 0);
	let call = ehr_runtime::RuntimeCall::Identity(pallet_ehr_identity::Call::set_hospital_name {
		name: b"General Hospital".to_vec(),
	});
	let extrinsic = sign(&client, Sr25519Keyring::Alice, call).await;
	// Wallets are told the truth: a transaction that will be free costs nothing.
	let info: Value =
		client.request("payment_queryInfo", rpc_params![extrinsic.clone()]).await.unwrap();
	let fee = &info["partialFee"];
	assert!(
		matches!(fee.as_str(), Some("0" | "0x0")) || fee.as_u64() == Some(0),
		"not free: {info}"
	);
	let finalized_in = submit_and_watch(&client, extrinsic.clone(), Until::Finalized).await;
	let budget: Value = client
		.request("ehr_freeBudget", rpc_params![alice.to_string(), finalized_in.clone()])
		.await
		.unwrap();
	assert!(budget["refTimeLeft"].as_u64().unwrap() < before, "the budget paid for it: {budget}");
	assert_no_failed_extrinsic(&client, &finalized_in).await;

	// The finalized block holds exactly our extrinsic, and finality reached it.
	let block: Value =
		client.request("chain_getBlock", rpc_params![finalized_in.clone()]).await.unwrap();
	let extrinsics = block["block"]["extrinsics"].as_array().unwrap();
	assert!(extrinsics.iter().any(|x| x.as_str() == Some(extrinsic.as_str())));
	let head: String = client.request("chain_getFinalizedHead", rpc_params![]).await.unwrap();
	let head_header: Value = client.request("chain_getHeader", rpc_params![head]).await.unwrap();
	let block_number = |header: &Value| {
		u64::from_str_radix(header["number"].as_str().unwrap().trim_start_matches("0x"), 16)
			.unwrap()
	};
	assert!(block_number(&head_header) >= block_number(&block["block"]["header"]));

	// A remark is never free, and Eve is no hospital and holds no tokens: the pool refuses it.
	let unpaid = sign(&client, Sr25519Keyring::Eve, remark(b"spam")).await;
	let refused = client
		.request::<Hash, _>("author_submitExtrinsic", rpc_params![unpaid])
		.await
		.expect_err("an unregistered account without tokens is refused");
	let message = refused.to_string();
	assert!(message.contains("1010") || message.contains("pay"), "unexpected refusal: {message}");
}
