#!/usr/bin/env bash
# The four-hospital network under load (issue 27): builds an optimized `ehr-node` and
# `ehr-load`, starts the `local` consortium's four validators on loopback (Alice's hospital
# endowed with tokens for the load's fees), runs `ehr-load` against Alice's node, then reads
# every block's Aura slot from the chain to count the slots no block filled.
#
#   scripts/consortium-load.sh                     1,000 accounts per kind
#   scripts/consortium-load.sh --accounts 300      fewer
#
# On this machine the four validators share two cores; each hospital runs its own machine.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
export CARGO_TARGET_DIR="$HOME/.cache/ehr-target-release"

log "building ehr-node and ehr-load (release) into $CARGO_TARGET_DIR"
cargo build --locked --release -p ehr-node -p ehr-load --bin ehr-node --bin ehr-load
bin="$CARGO_TARGET_DIR/release"

args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--accounts 1000)

dir="$(mktemp -d)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The `local` spec, with Alice (a hospital's admin there) holding tokens.
"$bin/ehr-node" build-spec --chain local --disable-default-bootnode 2>/dev/null >"$dir/plain.json"
python3 - "$dir/plain.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
patch = spec["genesis"]["runtimeGenesis"]["patch"]
patch.setdefault("balances", {})["balances"] = [[alice, 1_000_000 * 10**12]]
json.dump(spec, open(path, "w"))
PY
"$bin/ehr-node" build-spec --chain "$dir/plain.json" --raw 2>/dev/null >"$dir/raw.json"

names=(alice bob charlie dave)
rpc_ports=()
bootnode=""
for i in 0 1 2 3; do
	name=${names[$i]}
	p2p=$(free_port)
	rpc=$(free_port)
	rpc_ports+=("$rpc")
	key=$(printf '%064x' $((i + 1)))
	printf %s "$key" >"$dir/$name.key"
	extra=()
	[ -n "$bootnode" ] && extra=(--bootnodes "$bootnode")
	"$bin/ehr-node" --chain "$dir/raw.json" --validator "--$name" --base-path "$dir/$name" \
		--node-key-file "$dir/$name.key" --listen-addr "/ip4/127.0.0.1/tcp/$p2p" \
		--rpc-port "$rpc" --no-telemetry --no-prometheus --no-mdns --allow-private-ip \
		"${extra[@]}" 2>"$dir/$name.log" &
	pids+=($!)
	if [ -z "$bootnode" ]; then
		peer=$("$bin/ehr-node" key inspect-node-key --file "$dir/$name.key")
		bootnode="/ip4/127.0.0.1/tcp/$p2p/p2p/$peer"
	fi
done
log "four validators on loopback; logs in $dir"
for _ in $(seq 120); do
	grep -q "finalized #[1-9]" "$dir/alice.log" 2>/dev/null && break
	sleep 1
done
grep -q "finalized #[1-9]" "$dir/alice.log" || die "no block finalized in 2 minutes (logs in $dir)"

node="http://127.0.0.1:${rpc_ports[0]}"
start=$(python3 -c "
import json, urllib.request
req = urllib.request.Request('$node', json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'chain_getHeader', 'params': []}).encode(), {'content-type': 'application/json'})
print(int(json.load(urllib.request.urlopen(req))['result']['number'], 16))")
"$bin/ehr-load" --node "ws://127.0.0.1:${rpc_ports[0]}" "${args[@]}"
log "slots from block #$start (the load's start) to the newest finalized one"
python3 scripts/tools/slots.py --node "$node" --from "$start"
