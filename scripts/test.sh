#!/usr/bin/env bash
# The one command for the whole test suite: pallet and runtime unit tests, the end-to-end test
# against a running `ehr-node --dev`, and the four-validator zombienet test.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"

bash scripts/setup.sh
bash scripts/build.sh

log "cargo test (unit, runtime and end-to-end tests)"
cargo test --locked --workspace

log "zombienet: four hospital validators, finality with one paused"
export EHR_NODE
zombienet test --provider native zombienet/consortium.zndsl
log "all tests passed"
