# A development chain for the benchmark scripts: `ehr-node --dev` and a js-ipfs daemon on free
# loopback ports, torn down when the script exits. Source it after env.sh:
#
#   . "$(dirname "$0")/devchain.sh"
#   devchain_enter             # a fresh work directory, the chain started, cd'ed into it
#
# devchain_enter sets `work` (removed on exit, with the chain stopped), node_port, ipfs_port,
# EHR_NODE_URL, EHR_IPFS_API, EHR_STATE_DIR (in `work`) and EHR_DEV; then `ehr …` runs the command
# and `quiet …` runs a set-up step, showing its output only if it fails (safe in parallel).

devchain_pids=()
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# devchain_start WORK: starts both, logs in WORK/node.log and WORK/ipfs.log, returns once the
# node answers and two blocks are final (grants and records need a finalized parent).
devchain_start() {
	local work="$1"
	[ -x "$EHR_NODE" ] && [ -x "$EHR_CLI" ] || die "build first: scripts/build.sh"
	command -v jsipfs >/dev/null || die "jsipfs not found: run scripts/setup.sh"
	node_port=$(free_port)
	ipfs_port=$(free_port)
	"$EHR_NODE" --dev --tmp --no-telemetry --no-prometheus --no-mdns --rpc-port "$node_port" \
		--listen-addr "/ip4/127.0.0.1/tcp/$(free_port)" >"$work/node.log" 2>&1 &
	devchain_pids+=($!)
	bash "$EHR_ROOT/scripts/ipfs.sh" "$work/ipfs" "$ipfs_port" >"$work/ipfs.log" 2>&1 &
	devchain_pids+=($!)
	local ready=""
	for _ in $(seq 1 60); do
		curl -sf -X POST "http://127.0.0.1:$ipfs_port/api/v0/version" >/dev/null 2>&1 && ready=1 && break
		sleep 1
	done
	[ -n "$ready" ] || die "js-ipfs did not start (see $work/ipfs.log)"
	ready=""
	for _ in $(seq 1 120); do
		local finalized
		finalized=$(curl -sf -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"chain_getFinalizedHead","params":[]}' \
			"http://127.0.0.1:$node_port" 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])' 2>/dev/null) || true
		if [ -n "$finalized" ] && curl -sf -H 'Content-Type: application/json' \
			-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"chain_getHeader\",\"params\":[\"$finalized\"]}" \
			"http://127.0.0.1:$node_port" |
			python3 -c 'import json,sys; sys.exit(int(json.load(sys.stdin)["result"]["number"], 16) < 2)'; then
			ready=1
			break
		fi
		sleep 1
	done
	[ -n "$ready" ] || die "ehr-node did not finalize two blocks (see $work/node.log)"
	export EHR_NODE_URL="ws://127.0.0.1:$node_port" EHR_IPFS_API="http://127.0.0.1:$ipfs_port"
}

devchain_stop() {
	for pid in "${devchain_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}

# devchain_enter: the benchmark scripts' start, described above.
devchain_enter() {
	work="$(mktemp -d)"
	trap 'devchain_stop; rm -rf "$work"' EXIT
	devchain_start "$work"
	export EHR_STATE_DIR="$work/state" EHR_DEV=true
	cd "$work"
}

ehr() { "$EHR_CLI" "$@"; }

quiet() {
	local out
	out=$(mktemp -p "$work")
	"$@" >"$out" 2>&1 || { tail -20 "$out" >&2; die "setup step failed: $*"; }
	cat "$out" >>"$work/setup.log"
	rm -f "$out"
}
