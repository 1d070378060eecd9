#[cfg(feature = "std")]
fn main() {
	// The metadata hash of RFC-78 (`CheckMetadataHash`) is computed from the built runtime and
	// baked into it; the token's symbol and decimals are those of the chain spec's properties
	// (and of `ehr_verify::metadata`, which clients hash with).
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("EHR", 12)
		.build();
	// The next runtime (`ehr_runtime::next`): the same crate with the `upgrade-test` feature,
	// which declares the next `spec_version`. Only this crate is compiled again (its
	// dependencies are shared with the build above); benchmark builds leave it out.
	if std::env::var_os("CARGO_FEATURE_RUNTIME_BENCHMARKS").is_none() {
		substrate_wasm_builder::WasmBuilder::init_with_defaults()
			.enable_feature("upgrade-test")
			.enable_metadata_hash("EHR", 12)
			.set_file_name("wasm_binary_next.rs")
			.build();
	}
}

/// The wasm builder is off when compiling this crate for wasm itself.
#[cfg(not(feature = "std"))]
fn main() {}
