#!/usr/bin/env bash
# The web app: builds its static files, or serves them on loopback for the dev chain.
#   scripts/web.sh build               # → $EHR_WEB/app (about a minute after the first time)
#   scripts/web.sh serve [PORT]        # build if a source changed, then serve on http://127.0.0.1:PORT (8080)
# Serving writes config.json beside the files: the node the app talks to (EHR_NODE_URL, default
# ws://127.0.0.1:9944) and the IPFS gateway it stores and reads envelopes through, which this
# script starts (`ehr ipfs-gateway` on 127.0.0.1:EHR_GATEWAY_PORT, default 5080, in front of the
# IPFS API at EHR_IPFS_API, default http://127.0.0.1:5001, which browsers never reach), and
# chain.json: the chain's raw spec, the app's trust anchor for finality (EHR_CHAIN_SPEC, a raw
# spec file; default: the dev chain's, from `ehr-node build-spec --chain dev --raw`).
# Any web server can serve the built directory; it sees only static files.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"

build() {
	log "web app: the envelope crate to WebAssembly"
	cargo build --locked --release -p ehr-web-wasm --target wasm32-unknown-unknown
	# --weak-refs: objects the page drops (verified views, keys) are freed by the garbage collector.
	wasm-bindgen --target web --weak-refs --out-dir "$EHR_WEB/pkg" \
		"$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ehr_web_wasm.wasm"
	log "web app: bundling the JavaScript"
	rm -rf "$EHR_WEB/app"
	node web/build.mjs "$EHR_WEB/app" "$EHR_WEB/pkg"
}

case "${1:-build}" in
build) build ;;
serve)
	# Built again only when a source of the app changed since the last build.
	if [ ! -f "$EHR_WEB/app/index.html" ] ||
		[ -n "$(find web envelope verify fhir primitives vendor Cargo.toml Cargo.lock \
			-newer "$EHR_WEB/app/index.html" -type f \
			-not -path '*/node_modules/*' -not -path 'web/tests/*' -print -quit 2>/dev/null)" ]; then
		build
	else
		log "web app: up to date in $EHR_WEB/app"
	fi
	port="${2:-8080}"
	gateway="127.0.0.1:${EHR_GATEWAY_PORT:-5080}"
	printf '{"node": "%s", "ipfs": "%s", "chainSpec": "chain.json", "fhirServers": ["%s"]}\n' \
		"${EHR_NODE_URL:-ws://127.0.0.1:9944}" "http://$gateway" "${EHR_FHIR_URL:-http://127.0.0.1:8090}" \
		>"$EHR_WEB/app/config.json"
	if [ -n "${EHR_CHAIN_SPEC:-}" ]; then
		cp "$EHR_CHAIN_SPEC" "$EHR_WEB/app/chain.json"
	else
		"$EHR_NODE" build-spec --chain dev --raw 2>/dev/null >"$EHR_WEB/app/chain.json"
	fi
	"$EHR_CLI" --node "${EHR_NODE_URL:-ws://127.0.0.1:9944}" --ipfs "${EHR_IPFS_API:-http://127.0.0.1:5001}" \
		--chain-spec "$EHR_WEB/app/chain.json" ipfs-gateway --listen "$gateway" \
		--allow-origin "http://127.0.0.1:$port" &
	trap 'kill $! 2>/dev/null' EXIT
	log "web app at http://127.0.0.1:$port (node ${EHR_NODE_URL:-ws://127.0.0.1:9944}, IPFS gateway http://$gateway)"
	python3 -m http.server --bind 127.0.0.1 --directory "$EHR_WEB/app" "$port"
	;;
*) die "usage: scripts/web.sh build | serve [PORT]" ;;
esac
