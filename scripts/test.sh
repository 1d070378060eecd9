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

# Everything the tests need is built first, one cargo at a time (two cores): the test binaries,
# the pallets' benchmark tests (the runtime-benchmarks feature rebuilds the FRAME crates the
# pallets use), the web app (the envelope crate to WebAssembly, the JavaScript bundled).
log "building the test binaries"
logs="$(mktemp -d)"
declare -A lane_pid=()
trap 'rm -rf "$logs"' EXIT
cargo test --locked --workspace --no-run --message-format=json-render-diagnostics >"$logs/tests.json"
phase_done "cargo test: building the test binaries"
log "building the pallet benchmarks' tests (runtime-benchmarks)"
bench=(-p pallet-consortium -p pallet-fee-quota -p pallet-ehr-identity -p pallet-ehr-consent
	-p pallet-ehr-records -p pallet-ehr-appointments -p pallet-ehr-escrow -p pallet-ehr-messages
	--features runtime-benchmarks --lib)
SKIP_WASM_BUILD=1 cargo test --locked "${bench[@]}" --no-run
phase_done "pallet benchmarks: building them (runtime-benchmarks)"
log "building the web app"
bash scripts/web.sh build
phase_done "web app build"

# Then the tests, in three lanes at once: most of them drive dev nodes and wait for blocks, so
# side by side they take about the time of the longest lane. Each lane's output is printed
# whole when it ends (in this order), with the time it took.
#
# 1. The test binaries (unit, runtime, end-to-end, fault tests), EHR_TEST_JOBS (2) at a time,
#    then the doc tests.
# 2. The guides' flows (docs/guides), typed as written, against a fresh dev node and js-ipfs:
#    every step's output, the exit code of each class of failure, no raw output for people
#    (some sixty transactions, each waiting for finality); then the envelope's test vectors,
#    checked by the independent Python implementation (it recomputes them, opens the envelopes
#    the Rust code must write and refuses the negative ones as it does); then operations: the
#    systemd units verified and scored, the alert rules checked and unit-tested with promtool
#    (each alert also broken on purpose, which the tests must catch), the TLS proxy started on
#    loopback in front of stub back ends.
# 3. The web app in a real browser (one story per role in Debian's Chromium against its own dev
#    node and js-ipfs; screenshots in $EHR_WEB/screenshots); video visits (two Chromium
#    contexts with fake camera and microphone, calls relayed through Debian's coturn, the
#    signalling through the node; 3 calls measured, EHR_LONG=1: 12); the pallets' benchmarks,
#    each run once on its pallet's test runtime (`impl_benchmark_test_suite!`: a benchmark that
#    no longer runs shows here, not in `scripts/benchmark.sh`; the pallets' unit tests run again
#    with the feature, only the benchmark tests count); zombienet: four hospital validators,
#    finality with one paused.
lane_cargo() {
	python3 scripts/tools/run-tests.py <"$logs/tests.json"
	cargo test --locked --workspace --doc
}
lane_flows() {
	bash scripts/readme-flows.sh
	log "envelope vectors, checked by the independent implementation (Python cryptography)"
	python3 envelope/tests/vectors/check.py --check
	log "operations: systemd units, alert rules, dashboard, TLS proxy"
	bash scripts/ops-check.sh
}
lane_web() {
	node web/tests/browser.mjs
	node web/tests/video.mjs
	log "cargo test (pallet benchmarks, runtime-benchmarks)"
	SKIP_WASM_BUILD=1 cargo test --locked "${bench[@]}"
	log "zombienet: four hospital validators, finality with one paused"
	EHR_NODE="$EHR_NODE" zombienet test --provider native zombienet/consortium.zndsl
}
lanes=(cargo flows web)
# Each lane in its own process group (job control on), so that an interrupted or failed run
# stops every node, daemon and browser the lanes started.
set -m
stop_lanes() {
	for pid in "${lane_pid[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
	rm -rf "$logs"
}
trap stop_lanes EXIT
trap 'exit 130' INT TERM
for lane in "${lanes[@]}"; do
	log "starting the $lane lane"
	# The lane runs as a plain command in its subshell, so errexit stops it at its first
	# failing step and the subshell exits with that status.
	(
		began=$SECONDS
		trap 'echo "$((SECONDS - began))" >"$logs/$lane.seconds"' EXIT
		"lane_$lane" >"$logs/$lane.log" 2>&1
	) &
	lane_pid[$lane]=$!
done
set +m
failed=()
for lane in "${lanes[@]}"; do
	status=0
	wait "${lane_pid[$lane]}" || status=$?
	log "the $lane lane ($(cat "$logs/$lane.seconds" 2>/dev/null || echo '?') s, exit $status):"
	cat "$logs/$lane.log"
	[ "$status" -eq 0 ] || failed+=("$lane")
done
[ "${#failed[@]}" -eq 0 ] || die "failed: the ${failed[*]} lane(s) (their output is above)"
phase_done "the tests, three lanes at once (cargo, flows, web)"
for lane in "${lanes[@]}"; do
	seconds=$(cat "$logs/$lane.seconds")
	phases+=("$(printf '  %-56s %3d min %02d s' "lane: $lane" $((seconds / 60)) $((seconds % 60)))")
done

# One closing line for the whole suite: the cargo tests, the benchmark tests, the vectors'
# check, the operations checks, the guides' flows, the browser and video stories and the
# zombienet test.
passed=$(awk '/^test result:/ { sum += $4 } END { print sum + 3 }' "$logs/cargo.log")
browser=$(awk '/^(browser|video) tests:/ { sum += $3 } END { print sum }' "$logs/web.log")
passed=$((passed + browser))
benchmarks=$(grep -c '^test .*benchmarking::.* \.\.\. ok$' "$logs/web.log" || true)
passed=$((passed + benchmarks))
ops=$(awk '/^ops tests:/ { print $3 }' "$logs/flows.log")
passed=$((passed + ops))
log "all tests passed"
log "time per part:"
printf '  %s\n' "${phases[@]}" >&2
printf '  %-58s %3d min %02d s\n' "in all" $(((SECONDS - suite_start) / 60)) $(((SECONDS - suite_start) % 60)) >&2
echo "tests: $passed passed, 0 failed"
