#!/usr/bin/env bash
# Installs everything a fresh Debian machine needs to build, run and test the product.
# Idempotent: a second run only checks.
set -euo pipefail
. "$(dirname "$0")/env.sh"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# System packages: clang for bindgen, protoc for libp2p's protobufs, node and npm for the tools.
packages=(clang libclang-dev protobuf-compiler pkg-config curl)
# OpenSSL for libp2p's WebRTC, linked from Debian instead of built from source (scripts/env.sh).
packages+=(libssl-dev)
# The web app's browser tests: Debian's Chromium, driven headless by playwright-core.
packages+=(chromium)
# Video visits: the TURN server the calls are relayed through (the tests start it on loopback).
packages+=(coturn)
# Operations (docs/operations.md): promtool checks and unit-tests the alert rules and the
# Prometheus configuration (scripts/ops-check.sh).
packages+=(prometheus)
# …and the TLS proxy of docs/operations.md, started on loopback by the same script.
packages+=(nginx-light)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
# The independent implementation of the envelope format that checks the test vectors.
python3 -c 'import cryptography' 2>/dev/null || packages+=(python3-cryptography)
command -v pip3 >/dev/null || python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
missing=()
for pkg in "${packages[@]}"; do
	dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
	log "installing apt packages: ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Rust: the runtime compiles to wasm32v1-none (rustc >= 1.84 needs no rust-src for it).
command -v rustup >/dev/null || die "rustup is required (https://rustup.rs)"
if ! rustup target list --installed | grep -qx wasm32v1-none; then
	log "adding the wasm32v1-none target"
	rustup target add wasm32v1-none
fi
# The web app's WebAssembly (the envelope crate in the browser).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
	log "adding the wasm32-unknown-unknown target"
	rustup target add wasm32-unknown-unknown
fi
for component in rust-src rustfmt clippy; do
	if ! rustup component list --installed | grep -q "^$component"; then
		log "adding the $component component"
		rustup component add "$component"
	fi
done

# npm tools, pinned with every dependency by the committed lockfile (versions and integrity
# hashes): zombienet (multi-validator networks) and js-ipfs (a real IPFS daemon that serves the
# kubo HTTP RPC API; the Go kubo binary cannot be downloaded here). `npm install` takes the
# versions from the lockfile. (`npm ci` cannot be used: an optional dependency of js-ipfs,
# electron-eval, names a GitHub tarball, which npm ci insists on finding in the lockfile and no
# registry serves.)
#
# npm_tools SOURCE_DIR TARGET_DIR WHAT INSTALL…: installs the packages of SOURCE_DIR's
# package.json and lockfile into TARGET_DIR with the command INSTALL…, unless the same files are
# installed there already.
npm_tools() {
	local source="$1" target="$2" what="$3"
	shift 3
	mkdir -p "$target"
	cp "$source/package.json" "$source/package-lock.json" "$target/"
	cat "$target/package.json" "$target/package-lock.json" >"$target/.wanted"
	if ! [ -d "$target/node_modules" ] || ! cmp -s "$target/.wanted" "$target/.installed"; then
		log "installing $what into $target from the lockfile"
		(cd "$target" && "$@" --no-audit --no-fund --loglevel=error >/dev/null)
		cp "$target/.wanted" "$target/.installed"
	fi
}
npm_tools "$EHR_ROOT/scripts/tools" "$EHR_TOOLS" "npm tools" npm install

# The web app's build and test tools (esbuild, @polkadot/api, playwright-core, …), pinned by
# web/package-lock.json, in $EHR_TOOLS/web; web/node_modules links there so that every clone
# shares them.
npm_tools "$EHR_ROOT/web" "$EHR_TOOLS/web" "the web app's npm tools" npm ci
ln -sfn "$EHR_TOOLS/web/node_modules" "$EHR_ROOT/web/node_modules"

# wasm-bindgen's command, at the version of the wasm-bindgen crate in Cargo.lock (they must
# match). Built from crates.io once (about 4 minutes), in $EHR_TOOLS/cargo; only the
# `wasm-bindgen` binary (not the test runner, which the web app does not use). Not --locked: the
# command's own lockfile names a webpki-roots release the crates.io mirror here lacks.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$EHR_ROOT/Cargo.lock")
if ! [ "$("$EHR_TOOLS/cargo/bin/wasm-bindgen" --version 2>/dev/null)" = "wasm-bindgen $wasm_bindgen_version" ]; then
	log "installing wasm-bindgen-cli $wasm_bindgen_version into $EHR_TOOLS/cargo"
	cargo install --quiet wasm-bindgen-cli --version "$wasm_bindgen_version" --bin wasm-bindgen \
		--root "$EHR_TOOLS/cargo" --target-dir "$EHR_TOOLS/cargo-build"
fi

# Python package for the envelope vectors' independent implementation: BLAKE3 (pinned).
if ! python3 -c 'import blake3' 2>/dev/null; then
	log "installing the Python blake3 package"
	python3 -m pip install --quiet --break-system-packages 'blake3==1.0.11' 2>/dev/null ||
		python3 -m pip install --quiet 'blake3==1.0.11'
fi

# Python jsonschema: the guides' flows check the FHIR the client exports with an implementation
# of their own (pinned).
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	log "installing the Python jsonschema package"
	python3 -m pip install --quiet --break-system-packages 'jsonschema==4.26.0' 2>/dev/null ||
		python3 -m pip install --quiet 'jsonschema==4.26.0'
fi

# SMART's Python FHIR client: the FHIR server's story runs through it (pinned; it brings requests).
if ! python3 -c 'import fhirclient, requests' 2>/dev/null; then
	log "installing the Python fhirclient package"
	python3 -m pip install --quiet --break-system-packages 'fhirclient==4.3.1' 2>/dev/null ||
		python3 -m pip install --quiet 'fhirclient==4.3.1'
fi

log "setup complete"
