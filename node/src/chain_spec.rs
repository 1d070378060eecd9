//! The built-in chain specifications: `dev` and `local`, from the runtime's genesis presets.

use ehr_runtime::WASM_BINARY;
use sc_service::{ChainType, Properties};

/// A chain specification of this chain.
pub type ChainSpec = sc_service::GenericChainSpec;

fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), "EHR".into());
	properties.insert("tokenDecimals".into(), 12.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime wasm is missing: this binary was built with SKIP_WASM_BUILD".to_string()
	})
}

/// One hospital (Alice), one validator; Alice reaches `Root` as the council of one.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("EHR Development")
		.with_id("ehr_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// Four hospitals, each with its validator; `Root` takes three of them.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("EHR Local Consortium")
		.with_id("ehr_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// A consortium's own chain: `patch` is its genesis (`ehr-node consortium-spec`).
pub fn consortium_chain_spec(
	name: &str,
	id: &str,
	patch: serde_json::Value,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(ChainType::Live)
		.with_genesis_config_patch(patch)
		.with_properties(properties())
		.build())
}
