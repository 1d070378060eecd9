#!/usr/bin/env bash
# The web app: builds its static files, or serves them on loopback for the dev chain.
#   scripts/web.sh build               # → $EHR_WEB/app (about a minute after the first time)
#   scripts/web.sh serve [PORT]        # build, then serve on http://127.0.0.1:PORT (8080)
# Serving writes config.json beside the files: the node and IPFS the app talks to
# (EHR_NODE_URL, default ws://127.0.0.1:9944; EHR_IPFS_API, default http://127.0.0.1:5001).
# Any web server can serve the built directory; it sees only static files.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"

build() {
	log "web app: the envelope crate to WebAssembly"
	cargo build --locked --release -p ehr-web-wasm --target wasm32-unknown-unknown
	wasm-bindgen --target web --out-dir "$EHR_WEB/pkg" \
		"$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ehr_web_wasm.wasm"
	log "web app: bundling the JavaScript"
	rm -rf "$EHR_WEB/app"
	node web/build.mjs "$EHR_WEB/app" "$EHR_WEB/pkg"
}

case "${1:-build}" in
build) build ;;
serve)
	build
	port="${2:-8080}"
	printf '{"node": "%s", "ipfs": "%s"}\n' "${EHR_NODE_URL:-ws://127.0.0.1:9944}" \
		"${EHR_IPFS_API:-http://127.0.0.1:5001}" >"$EHR_WEB/app/config.json"
	log "web app at http://127.0.0.1:$port (node ${EHR_NODE_URL:-ws://127.0.0.1:9944}, IPFS ${EHR_IPFS_API:-http://127.0.0.1:5001})"
	exec python3 -m http.server --bind 127.0.0.1 --directory "$EHR_WEB/app" "$port"
	;;
*) die "usage: scripts/web.sh build | serve [PORT]" ;;
esac
