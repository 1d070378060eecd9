#!/usr/bin/env bash
# The audit trail at scale (issue 14): a dev chain whose genesis state already holds a patient's
# trail of ENTRIES entries (default 1,000,000; generated state, not transactions) and a trail of
# 1,000, on a release node; then the auditor's verified pages of both (`ehr-load audit-pages`).
#
#   scripts/audit-scale.sh                   1,000,000 entries
#   scripts/audit-scale.sh 100000            fewer
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
export CARGO_TARGET_DIR="$HOME/.cache/ehr-target-release"
entries="${1:-1000000}"
shift || true

log "building ehr-node and ehr-load (release) into $CARGO_TARGET_DIR"
cargo build --locked --release -p ehr-node -p ehr-load --bin ehr-node --bin ehr-load
bin="$CARGO_TARGET_DIR/release"

work="$(mktemp -d)"
trap 'kill "${node_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin/ehr-node" build-spec --chain dev --raw 2>/dev/null >"$work/dev.json"
log "seeding $entries trail entries into the genesis state"
start=$(date +%s)
"$bin/ehr-load" seed-trail --spec "$work/dev.json" --out "$work/big.json" --entries "$entries"
log "spec written in $(($(date +%s) - start)) s: $(du -h "$work/big.json" | cut -f1)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
p2p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$(date +%s)
"$bin/ehr-node" --chain "$work/big.json" --alice --force-authoring --base-path "$work/node" \
	--node-key 0000000000000000000000000000000000000000000000000000000000000001 \
	--no-telemetry --no-prometheus --no-mdns --rpc-port "$port" \
	--listen-addr "/ip4/127.0.0.1/tcp/$p2p" 2>"$work/node.log" &
node_pid=$!
for _ in $(seq 600); do
	grep -q "finalized #[1-9]" "$work/node.log" 2>/dev/null && break
	kill -0 "$node_pid" 2>/dev/null || die "ehr-node stopped: $(tail -3 "$work/node.log")"
	sleep 1
done
log "node up with the seeded state and block #1 finalized after $(($(date +%s) - start)) s"
"$bin/ehr-load" --node "ws://127.0.0.1:$port" audit-pages --chain-spec "$work/big.json" "$@"
