# Shared settings for the project's scripts. Source it: `. scripts/env.sh`.

# One build directory outside the clone, so that every clone, session and CI run on this machine
# builds incrementally instead of from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ehr-target}"
export EHR_ROOT="${EHR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export EHR_NODE="$CARGO_TARGET_DIR/debug/ehr-node"
export EHR_CLI="$CARGO_TARGET_DIR/debug/ehr"
# libp2p's WebRTC (litep2p's str0m) asks for OpenSSL built from source (`vendored`): four minutes
# of one core in a cold build. Debian's libssl-dev (scripts/setup.sh) links instead.
export OPENSSL_NO_VENDOR="${OPENSSL_NO_VENDOR:-1}"
# The wasm runtime build must find this workspace's Cargo.lock although the target dir is
# outside the clone; without the hint it resolves dependency versions anew.
export WASM_BUILD_WORKSPACE_HINT="$EHR_ROOT"
# npm tools (zombienet, js-ipfs) live in one prefix outside the clone, like the build.
export EHR_TOOLS="${EHR_TOOLS:-$HOME/.cache/ehr-tools}"
export PATH="$EHR_TOOLS/node_modules/.bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }
# The web app: wasm-bindgen's command (installed by setup.sh, at the version of the crate) and
# the directory the static files are built into.
export EHR_WEB="${EHR_WEB:-$CARGO_TARGET_DIR/web}"
export PATH="$EHR_TOOLS/cargo/bin:$PATH"
