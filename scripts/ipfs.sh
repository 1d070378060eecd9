#!/usr/bin/env bash
# Starts a js-ipfs daemon (the kubo HTTP RPC API) offline, on loopback only, with its repo in
# the directory given (default: a temporary one). Prints the API address when it is up, then
# stays in the foreground until killed.
#   scripts/ipfs.sh [REPO_DIR] [API_PORT]
# Browsers are refused (no CORS origin): the web app goes through `ehr ipfs-gateway`. Only for
# experiments, EHR_IPFS_ALLOW_ORIGIN names an origin allowed to call this administration API.
set -euo pipefail
. "$(dirname "$0")/env.sh"
command -v jsipfs >/dev/null || die "jsipfs not found: run scripts/setup.sh"

repo="${1:-$(mktemp -d)}"
port="${2:-5001}"
export IPFS_PATH="$repo"
export NODE_OPTIONS="--require $EHR_ROOT/scripts/tools/with-resolvers.cjs ${NODE_OPTIONS:-}"
if ! [ -f "$repo/config" ]; then
	jsipfs init --empty-repo >/dev/null
fi
# Offline and loopback only: no swarm, no gateway, no bootstrap or delegate peers (set at every
# start, so that a repo made before keeps to it, and the allowed origin is the one asked now).
node -e '
	const fs = require("fs");
	const [file, api, rpc, origin] = process.argv.slice(1);
	const config = JSON.parse(fs.readFileSync(file));
	config.Addresses = { ...config.Addresses, API: api, RPC: rpc, Gateway: "", Swarm: [], Delegates: [] };
	config.Bootstrap = [];
	config.API = { ...config.API, HTTPHeaders: origin ? { "Access-Control-Allow-Origin": [origin], "Access-Control-Allow-Methods": ["POST"] } : {} };
	config.Discovery = { MDNS: { Enabled: false }, webRTCStar: { Enabled: false } };
	fs.writeFileSync(file, JSON.stringify(config, null, 2));
' "$repo/config" "/ip4/127.0.0.1/tcp/$port" "/ip4/127.0.0.1/tcp/$((port + 1))" "${EHR_IPFS_ALLOW_ORIGIN:-}"
log "js-ipfs daemon (repo $repo) at http://127.0.0.1:$port"
exec jsipfs daemon --offline
