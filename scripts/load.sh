#!/usr/bin/env bash
# Measures throughput and latency per kind of transaction (issue 14): builds an optimized
# `ehr-node` and `ehr-load` into their own target directory, starts a fresh `ehr-node --dev` on
# loopback, and runs `ehr-load` against it (a table; `--json` for JSON).
#
#   scripts/load.sh                     100 accounts per kind
#   scripts/load.sh --accounts 300      more
#
# A debug node's block authoring is many times slower: only a release node's figures count.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
export CARGO_TARGET_DIR="$HOME/.cache/ehr-target-release"

log "building ehr-node and ehr-load (release) into $CARGO_TARGET_DIR"
cargo build --locked --release -p ehr-node -p ehr-load --bin ehr-node --bin ehr-load

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
p2p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log_file="$(mktemp -d)/node.log"
"$CARGO_TARGET_DIR/release/ehr-node" --dev --tmp --no-telemetry --no-prometheus --no-mdns \
	--rpc-port "$port" --listen-addr "/ip4/127.0.0.1/tcp/$p2p" 2>"$log_file" &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
	grep -q "Imported #1" "$log_file" 2>/dev/null && break
	sleep 1
done
log "ehr-node --dev (release) on 127.0.0.1:$port; log in $log_file"
"$CARGO_TARGET_DIR/release/ehr-load" --node "ws://127.0.0.1:$port" "$@"
