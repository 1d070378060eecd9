#!/usr/bin/env bash
# Measures the weights of the project's pallets and writes them to each pallet's weights.rs.
#
# Builds an optimized node with `runtime-benchmarks` into its own target directory (the feature
# changes nearly every crate and would otherwise evict the normal build; a debug host inflates
# storage costs many times over). A cold build takes about an hour on two cores.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
export CARGO_TARGET_DIR="$HOME/.cache/ehr-target-bench"
# frame-benchmarking-cli builds a test runtime of its own, used only by `benchmark storage`; its
# wasm build cannot find its lock file while WASM_BUILD_WORKSPACE_HINT points at this workspace.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1

log "building ehr-node (release) with runtime-benchmarks into $CARGO_TARGET_DIR"
cargo build --locked --release -p ehr-node --features runtime-benchmarks

pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(consortium identity consent records appointments)
for pallet in "${pallets[@]}"; do
	case "$pallet" in
	consortium) name=pallet_consortium ;;
	*) name="pallet_ehr_$pallet" ;;
	esac
	log "benchmarking $name"
	"$CARGO_TARGET_DIR/release/ehr-node" benchmark pallet \
		--chain dev --pallet "$name" --extrinsic '*' \
		--steps "${STEPS:-50}" --repeat "${REPEAT:-20}" \
		--template scripts/weight-template.hbs --header scripts/weight-header.txt \
		--output "pallets/$pallet/src/weights.rs"
done
log "weights written; rebuild and run scripts/test.sh"
