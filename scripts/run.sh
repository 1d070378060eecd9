#!/usr/bin/env bash
# The one command to try the product: sets up the machine if needed, builds, and starts a
# development chain (one hospital, Alice, that is also the validator).
#
#   scripts/run.sh             # dev chain, state in a temporary directory
#   scripts/run.sh --persist   # dev chain, state kept in ./.ehr-dev
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"

bash scripts/setup.sh
bash scripts/build.sh
bash scripts/web.sh build

RPC_PORT="${EHR_RPC_PORT:-9944}"
WEB_PORT="${EHR_WEB_PORT:-8080}"
IPFS_PORT="${EHR_IPFS_PORT:-5001}"

GATEWAY_PORT="${EHR_GATEWAY_PORT:-5080}"

# The web app, an IPFS node and its gateway for browsers, in the background, stopped with the
# chain. The app is static files: the browser talks to the node and to the gateway itself; the
# IPFS API (pins, garbage collection, shutdown) stays for the ehr command and the gateway.
bash scripts/ipfs.sh "$HOME/.ehr-ipfs" "$IPFS_PORT" >"${TMPDIR:-/tmp}/ehr-ipfs.log" 2>&1 &
ipfs_pid=$!
printf '{"node": "ws://127.0.0.1:%s", "ipfs": "http://127.0.0.1:%s", "chainSpec": "chain.json", "fhirServers": ["http://127.0.0.1:%s"]}\n' \
	"$RPC_PORT" "$GATEWAY_PORT" "${EHR_FHIR_PORT:-8090}" >"$EHR_WEB/app/config.json"
# The app's trust anchor: it verifies finality itself from the chain's raw spec.
"$EHR_NODE" build-spec --chain dev --raw 2>/dev/null >"$EHR_WEB/app/chain.json"
python3 -m http.server --bind 127.0.0.1 --directory "$EHR_WEB/app" "$WEB_PORT" \
	>"${TMPDIR:-/tmp}/ehr-web.log" 2>&1 &
web_pid=$!
# The gateway reads registrations from the node: it starts once the node answers.
(
	for _ in $(seq 60); do
		"$EHR_CLI" --node "ws://127.0.0.1:$RPC_PORT" --ipfs "http://127.0.0.1:$IPFS_PORT" \
			--chain-spec "$EHR_WEB/app/chain.json" ipfs-gateway --listen "127.0.0.1:$GATEWAY_PORT" \
			--allow-origin "http://127.0.0.1:$WEB_PORT" && break
		sleep 2
	done
) >"${TMPDIR:-/tmp}/ehr-gateway.log" 2>&1 &
gateway_pid=$!
# The FHIR API for the hospital's own systems (docs/fhir.md): Dr. Bob's key, the example app.
FHIR_PORT="${EHR_FHIR_PORT:-8090}"
(
	for _ in $(seq 60); do
		"$CARGO_TARGET_DIR/debug/ehr-fhir-server" --dev --node "ws://127.0.0.1:$RPC_PORT" \
			--ipfs "http://127.0.0.1:$IPFS_PORT" --apps fhir-server/apps.example.json \
			--clinician-uri //Bob --listen "127.0.0.1:$FHIR_PORT" --web-app "http://127.0.0.1:$WEB_PORT" \
			--state-dir "${TMPDIR:-/tmp}/ehr-fhir-state" && break
		sleep 2
	done
) >"${TMPDIR:-/tmp}/ehr-fhir.log" 2>&1 &
fhir_pid=$!
# The TURN server video visits are relayed through (coturn), with a secret the node shares to
# give the parties of a visit short-lived credentials (docs/visits.md).
TURN_PORT="${EHR_TURN_PORT:-3478}"
turn_dir="${TMPDIR:-/tmp}/ehr-turn"
mkdir -p "$turn_dir"
(umask 077 && head -c 32 /dev/urandom | base64 >"$turn_dir/secret")
turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port="$TURN_PORT" \
	--min-port=49160 --max-port=49360 --use-auth-secret --static-auth-secret="$(cat "$turn_dir/secret")" \
	--realm=ehr.dev --pidfile="$turn_dir/pid" --db="$turn_dir/turndb" --no-tls --no-dtls \
	--allow-loopback-peers --no-cli --log-file=stdout >"${TMPDIR:-/tmp}/ehr-turn.log" 2>&1 &
turn_pid=$!
trap 'kill $ipfs_pid $web_pid $gateway_pid $fhir_pid $turn_pid 2>/dev/null; pkill -f "ipfs-gateway --listen 127.0.0.1:$GATEWAY_PORT" 2>/dev/null; pkill -f "ehr-fhir-server --dev --node ws://127.0.0.1:$RPC_PORT" 2>/dev/null || true' EXIT
state=(--tmp)
if [ "${1:-}" = "--persist" ]; then state=(--base-path "$EHR_ROOT/.ehr-dev"); fi

cat <<MSG

  EHR development chain
  ---------------------
  Web app (patients, doctors, hospitals, auditors): http://127.0.0.1:$WEB_PORT
  RPC endpoint (WebSocket and HTTP): ws://127.0.0.1:$RPC_PORT
  IPFS API (js-ipfs, for the ehr command; loopback only): http://127.0.0.1:$IPFS_PORT
  IPFS gateway for the web app (ehr ipfs-gateway):     http://127.0.0.1:$GATEWAY_PORT
  FHIR R4 API with SMART App Launch (docs/fhir.md):   http://127.0.0.1:$FHIR_PORT/metadata
  TURN server for video visits (coturn):              turn:127.0.0.1:$TURN_PORT
  Prometheus metrics:                http://127.0.0.1:9615/metrics

  What to do next:
    - Watch blocks:   curl -s -H 'Content-Type: application/json' \\
                        -d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader"}' http://127.0.0.1:$RPC_PORT
    - Connect a wallet or polkadot.js apps to ws://127.0.0.1:$RPC_PORT
      (Alice is the only hospital and the validator of this chain; as the council of one she
      reaches Root with HospitalCouncil.propose(1, Consortium.dispatch_as_root(call), length)).
    - Open the web app, restore the key //Alice (the hospital of this chain), register doctors
      and invite patients who create their keys in the app (docs/web.md).
    - Or use the ehr command (docs/guides/getting-started.md):
        export PATH="$CARGO_TARGET_DIR/debug:\$PATH" EHR_IPFS_API=http://127.0.0.1:$IPFS_PORT
        ehr --dev --suri //Alice hospital register-doctor 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty \\
            --name "Dr. Bob Kelso" --specialty "internal medicine" --licence MD-1001
        ehr --dev --suri //Bob doctor accept 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
    - Run the four-hospital network instead:  scripts/network.sh
    - Run the tests:                           scripts/test.sh
  Stop with Ctrl-C.

MSG
# A dev node answers browsers of any origin (the web app, a wallet); a hospital's node names
# the origin of its web app with --rpc-cors.
"$EHR_NODE" --dev "${state[@]}" --rpc-port "$RPC_PORT" --prometheus-port 9615 \
	--turn-url "turn:127.0.0.1:$TURN_PORT?transport=udp" --turn-secret-file "$turn_dir/secret"
