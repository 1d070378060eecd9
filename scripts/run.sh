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

RPC_PORT="${EHR_RPC_PORT:-9944}"
state=(--tmp)
if [ "${1:-}" = "--persist" ]; then state=(--base-path "$EHR_ROOT/.ehr-dev"); fi

cat <<MSG

  EHR development chain
  ---------------------
  RPC endpoint (WebSocket and HTTP): ws://127.0.0.1:$RPC_PORT
  Prometheus metrics:                http://127.0.0.1:9615/metrics

  What to do next:
    - Watch blocks:   curl -s -H 'Content-Type: application/json' \\
                        -d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader"}' http://127.0.0.1:$RPC_PORT
    - Connect a wallet or polkadot.js apps to ws://127.0.0.1:$RPC_PORT
      (Alice is the only hospital and the validator of this chain; as the council of one she
      reaches Root with HospitalCouncil.propose(1, Consortium.dispatch_as_root(call), length)).
    - Start IPFS and use the ehr command (README, "Flows"):
        scripts/ipfs.sh "\$HOME/.ehr-ipfs" 5001 &
        export PATH="$CARGO_TARGET_DIR/debug:\$PATH" EHR_IPFS_API=http://127.0.0.1:5001
        ehr --dev --suri //Alice hospital register-doctor 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty \\
            --name "Dr. Bob Kelso" --specialty "internal medicine" --licence MD-1001
    - Run the four-hospital network instead:  scripts/network.sh
    - Run the tests:                           scripts/test.sh
  Stop with Ctrl-C.

MSG
exec "$EHR_NODE" --dev "${state[@]}" --rpc-port "$RPC_PORT" --prometheus-port 9615
