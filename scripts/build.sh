#!/usr/bin/env bash
# Builds the node (and its wasm runtime) and the `ehr` command into the shared target directory.
# The whole workspace is selected so that features unify exactly as in `cargo test --workspace`
# and both share one build.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
log "building ehr-node and ehr (debug) into $CARGO_TARGET_DIR"
cargo build --locked --workspace --bins "$@"
