#!/usr/bin/env bash
# The one command for the whole test suite: pallet and runtime unit tests, the end-to-end test
# against a running `ehr-node --dev`, and the four-validator zombienet test.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"

bash scripts/setup.sh
bash scripts/build.sh

log "cargo test (unit, runtime and end-to-end tests)"
cargo_log="$(mktemp)"
trap 'rm -f "$cargo_log"' EXIT
cargo test --locked --workspace 2>&1 | tee "$cargo_log"

log "zombienet: four hospital validators, finality with one paused"
export EHR_NODE
zombienet test --provider native zombienet/consortium.zndsl

# One closing line for the whole suite: the cargo tests plus the zombienet test.
passed=$(awk '/^test result:/ { sum += $4 } END { print sum + 1 }' "$cargo_log")
log "all tests passed"
echo "tests: $passed passed, 0 failed"
