#!/usr/bin/env bash
# The one command for the whole test suite: pallet and runtime unit tests, the end-to-end test
# against a running `ehr-node --dev`, the guides' flows (docs/guides) run as written, the web app
# in a real browser, the pallets' benchmarks on their test runtimes, and the four-validator
# zombienet test.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"

# How long each part took, printed at the end (docs/measured.md's breakdown comes from it).
phases=()
phase_start=$SECONDS
suite_start=$SECONDS
phase_done() {
	phases+=("$(printf '%-58s %3d min %02d s' "$1" $(((SECONDS - phase_start) / 60)) $(((SECONDS - phase_start) % 60)))")
	phase_start=$SECONDS
}

bash scripts/setup.sh
phase_done "setup (apt, rustup, npm, wasm-bindgen-cli)"
bash scripts/build.sh
phase_done "build (node with its wasm runtime, ehr, ehr-load)"

log "cargo test (unit, runtime and end-to-end tests)"
cargo_log="$(mktemp)"
trap 'rm -f "$cargo_log"' EXIT
cargo test --locked --workspace --no-run
phase_done "cargo test: building the test binaries"
cargo test --locked --workspace 2>&1 | tee "$cargo_log"
phase_done "cargo test: running them"

# The envelope's test vectors, the other way: the independent Python implementation recomputes
# them, opens the envelopes the Rust code must write and refuses the negative ones as it does.
log "envelope vectors, checked by the independent implementation (Python cryptography)"
python3 envelope/tests/vectors/check.py --check
phase_done "envelope vectors (Python)"

# Operations: the systemd units verified and scored, the alert rules checked and unit-tested
# with promtool (each alert also broken on purpose, which the tests must catch), the TLS proxy
# started on loopback in front of stub back ends (about 30 s).
log "operations: systemd units, alert rules, dashboard, TLS proxy"
ops_log="$(mktemp)"
trap 'rm -f "$cargo_log" "$ops_log"' EXIT
bash scripts/ops-check.sh 2>&1 | tee "$ops_log"
phase_done "operations checks (systemd-analyze, promtool, nginx)"

# The guides' flows (docs/guides), typed as written, against a fresh dev node and js-ipfs: every step's
# output, the exit code of each class of failure, no raw output for people (about 10 minutes:
# some sixty transactions, each waiting for finality).
log "the guides' flows, run as written"
bash scripts/readme-flows.sh
phase_done "the guides' flows"

# The web app in a real browser: built (the envelope crate to WebAssembly, the JavaScript
# bundled), then one story per role in Debian's Chromium against its own dev node and js-ipfs
# (about a minute and a half). Screenshots go to $EHR_WEB/screenshots.
log "web app: build, then the browser tests (Chromium, headless)"
bash scripts/web.sh build
browser_log="$(mktemp)"
trap 'rm -f "$cargo_log" "$ops_log" "$browser_log"' EXIT
phase_done "web app build"
node web/tests/browser.mjs 2>&1 | tee "$browser_log"
phase_done "browser stories"
# Video visits: two Chromium contexts with fake camera and microphone, calls relayed through
# Debian's coturn, the signalling through the node (3 calls measured; EHR_LONG=1: 12).
node web/tests/video.mjs 2>&1 | tee -a "$browser_log"
phase_done "video visits (Chromium, coturn)"

# The benchmarks of the pallets, each run once on the test runtime of its pallet
# (`impl_benchmark_test_suite!`), so that a benchmark that no longer runs shows here and not in
# `scripts/benchmark.sh`. The feature rebuilds the FRAME crates the pallets use: about three
# minutes on two cores from an empty target directory. The pallets' unit tests run again with
# the feature on; only the benchmark tests count in the closing line (the others counted above).
log "cargo test (pallet benchmarks, runtime-benchmarks)"
bench_log="$(mktemp)"
trap 'rm -f "$cargo_log" "$ops_log" "$browser_log" "$bench_log"' EXIT
SKIP_WASM_BUILD=1 cargo test --locked -p pallet-consortium -p pallet-fee-quota \
	-p pallet-ehr-identity -p pallet-ehr-consent -p pallet-ehr-records -p pallet-ehr-appointments \
	-p pallet-ehr-escrow -p pallet-ehr-messages \
	--features runtime-benchmarks --lib 2>&1 | tee "$bench_log"
phase_done "pallet benchmarks (runtime-benchmarks build and run)"

log "zombienet: four hospital validators, finality with one paused"
export EHR_NODE
zombienet test --provider native zombienet/consortium.zndsl
phase_done "zombienet (four validators)"

# One closing line for the whole suite: the cargo tests, the benchmark tests, the vectors'
# check, the operations checks, the guides' flows, the browser and video stories and the
# zombienet test.
passed=$(awk '/^test result:/ { sum += $4 } END { print sum + 3 }' "$cargo_log")
browser=$(awk '/^(browser|video) tests:/ { sum += $3 } END { print sum }' "$browser_log")
passed=$((passed + browser))
benchmarks=$(grep -c '^test .*benchmarking::.* \.\.\. ok$' "$bench_log" || true)
passed=$((passed + benchmarks))
ops=$(awk '/^ops tests:/ { print $3 }' "$ops_log")
passed=$((passed + ops))
log "all tests passed"
log "time per part:"
printf '  %s\n' "${phases[@]}" >&2
printf '  %-58s %3d min %02d s\n' "in all" $(((SECONDS - suite_start) / 60)) $(((SECONDS - suite_start) % 60)) >&2
echo "tests: $passed passed, 0 failed"
