#!/usr/bin/env bash
# Builds the node (and its wasm runtime) into the shared target directory.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
log "building ehr-node (debug) into $CARGO_TARGET_DIR"
cargo build --locked -p ehr-node "$@"
