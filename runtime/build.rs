#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is off when compiling this crate for wasm itself.
#[cfg(not(feature = "std"))]
fn main() {}
