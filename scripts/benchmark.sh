#!/usr/bin/env bash
# Measures the weights of the runtime: the database's read and write costs
# (runtime/src/weights/paritydb_weights.rs) and each project pallet's calls (its weights.rs).
#
#   scripts/benchmark.sh                 everything
#   scripts/benchmark.sh storage records only the database weights and the records pallet
#
# Builds an optimized node with `runtime-benchmarks` into its own target directory (the feature
# changes nearly every crate and would otherwise evict the normal build; a debug host inflates
# storage costs many times over). A cold build took 22 min on two cores (2026-11-25); the
# benchmarks of all seven pallets about 14 min more.
#
# The database weights are measured on the state of the chain in `STORAGE_BASE_PATH` (a copy of
# a stopped node's `--base-path`, with `STORAGE_CHAIN` its chain spec) when it is set, otherwise
# on a new dev chain's genesis state: a small trie, so the figures are a lower bound there (they
# go to the target directory for review, not into the runtime). `STORAGE_MUL` (default 1.1)
# leaves a margin. Writes are measured in batches of
# `STORAGE_BATCH_SIZE` keys (default 10), each batch with its storage-root computation: the
# default batch of 100,000 is larger than a small state and would measure nothing.
# The runtime's figures (2026-11-26) were measured on a state of 1,001,058 keys: a dev chain
# whose genesis holds a trail of a million entries (`ehr-load seed-trail`, as
# scripts/audit-scale.sh makes it), run to block 5 and stopped:
#   STORAGE_BASE_PATH=/work/scale/node STORAGE_CHAIN=/work/scale/big.json \
#     scripts/benchmark.sh storage
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
export CARGO_TARGET_DIR="$HOME/.cache/ehr-target-bench"
# frame-benchmarking-cli builds a test runtime of its own, used only by `benchmark storage
# --mode validate-block` (parachains); its wasm build cannot find its lock file while
# WASM_BUILD_WORKSPACE_HINT points at this workspace.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1

log "building ehr-node (release) with runtime-benchmarks into $CARGO_TARGET_DIR"
cargo build --locked --release -p ehr-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/release/ehr-node"

targets=("$@")
[ ${#targets[@]} -gt 0 ] ||
	targets=(storage consortium fee-quota identity consent records escrow appointments messages)
for target in "${targets[@]}"; do
	case "$target" in
	storage)
		# The node stores its state in parity-db; the runtime's `DbWeight` is `ParityDbWeight`.
		# State version 1, as the runtime's `system_version`.
		log "benchmarking the database (parity-db)"
		# Only a populated state gives figures the runtime may use; the genesis state's are a
		# lower bound, written next to the build for review (the runtime keeps RocksDB's
		# figures above them, see runtime/src/weights/paritydb_weights.rs).
		base_path=()
		weight_path="$CARGO_TARGET_DIR/paritydb_weights.genesis.rs"
		if [ -n "${STORAGE_BASE_PATH:-}" ]; then
			base_path=(--base-path "$STORAGE_BASE_PATH")
			weight_path=runtime/src/weights/paritydb_weights.rs
		fi
		"$node" benchmark storage \
			--chain "${STORAGE_CHAIN:-dev}" "${base_path[@]}" --db paritydb --state-version 1 \
			--mul "${STORAGE_MUL:-1.1}" --batch-size "${STORAGE_BATCH_SIZE:-10}" \
			--template-path scripts/db-weight-template.hbs --header scripts/weight-header.txt \
			--weight-path "$weight_path"
		log "database weights written to $weight_path"
		continue
		;;
	consortium) name=pallet_consortium ;;
	fee-quota) name=pallet_fee_quota ;;
	*) name="pallet_ehr_$target" ;;
	esac
	[ -d "pallets/$target" ] || die "no pallet or target named $target"
	log "benchmarking $name"
	"$node" benchmark pallet \
		--chain dev --pallet "$name" --extrinsic '*' \
		--steps "${STEPS:-50}" --repeat "${REPEAT:-20}" \
		--template scripts/weight-template.hbs --header scripts/weight-header.txt \
		--output "pallets/$target/src/weights.rs"
done
log "weights written; rebuild and run scripts/test.sh"
