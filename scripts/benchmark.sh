#!/usr/bin/env bash
# Measures the weights of the project's pallets and writes them to each pallet's weights.rs.
# Builds the node with `runtime-benchmarks` into its own target directory, because that feature
# changes nearly every crate and would otherwise evict the normal build.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
export CARGO_TARGET_DIR="$HOME/.cache/ehr-target-bench"

log "building ehr-node with runtime-benchmarks into $CARGO_TARGET_DIR"
cargo build --locked -p ehr-node --features runtime-benchmarks

for pallet in consortium identity consent; do
	case "$pallet" in
	consortium) name=pallet_consortium ;;
	*) name="pallet_ehr_$pallet" ;;
	esac
	log "benchmarking $name"
	"$CARGO_TARGET_DIR/debug/ehr-node" benchmark pallet \
		--chain dev --pallet "$name" --extrinsic '*' \
		--steps "${STEPS:-20}" --repeat "${REPEAT:-5}" \
		--output "pallets/$pallet/src/weights.rs"
done
