#!/usr/bin/env bash
# The FHIR server's figures (docs/fhir.md): a 1 MB DocumentReference read and a search returning
# 50 Observations, p50 and p95, cold and warm, against `ehr record get` of the same document;
# then 50 concurrent clients for a minute: throughput, errors, the server's memory.
#
# Starts a fresh `ehr-node --dev` and js-ipfs on loopback. The hospital (//Alice) verifies two
# clinicians (//Bob, //Charlie; each accepts) and invites 26 patients (//Patient0 …
# //Patient25), who register and import a device's export of 50 vital signs (one record, as
# `ehr vitals import` stores it); //Patient0 also uploads a 1 MB PDF as a document and grants
# //Bob, the others grant both clinicians (50 clinician-patient pairs). Then `ehr-fhir-server` runs with the
# chain's raw spec (every record and key read with proofs against finality, as a hospital runs
# it) and the five clinicians' keys, and scripts/tools/bench-fhir.py measures it over HTTP.
#
#   scripts/bench-fhir.sh                     # the debug build scripts/build.sh made
#   EHR_BENCH_RELEASE=1 scripts/bench-fhir.sh # optimized node, command and server (built here)
#   RUNS=20 CLI_RUNS=10 CLIENTS=50 BENCH_SECONDS=60 scripts/bench-fhir.sh   # the defaults
#
# The chain logs at most 60 reads of one patient by one reader an hour, and every FHIR read is
# logged: RUNS and CLI_RUNS share //Bob's 60 reads of //Patient0 (2 × (RUNS + 1) + CLI_RUNS), and
# each concurrent client stops after 55 requests.
set -euo pipefail
. "$(dirname "$0")/env.sh"
# Where the JSON summary goes (a path relative to where the script was started).
out=$(realpath -m -- "${OUT:-/dev/null}")

runs=${RUNS:-20}
cli_runs=${CLI_RUNS:-10}
[ $((2 * (runs + 1) + cli_runs)) -le 60 ] ||
	die "RUNS=$runs CLI_RUNS=$cli_runs: 2 × (RUNS + 1) + CLI_RUNS reads must stay within the chain's 60 an hour"
EHR_FHIR_SERVER="$CARGO_TARGET_DIR/debug/ehr-fhir-server"
if [ -n "${EHR_BENCH_RELEASE:-}" ]; then
	log "building optimized ehr-node, ehr and ehr-fhir-server (cargo build --release)"
	(cd "$EHR_ROOT" && cargo build --release --locked -p ehr-node -p ehr-client -p ehr-fhir-server \
		--bin ehr-node --bin ehr --bin ehr-fhir-server)
	EHR_NODE="$CARGO_TARGET_DIR/release/ehr-node"
	EHR_CLI="$CARGO_TARGET_DIR/release/ehr"
	EHR_FHIR_SERVER="$CARGO_TARGET_DIR/release/ehr-fhir-server"
fi
[ -x "$EHR_FHIR_SERVER" ] || die "build first: scripts/build.sh"
python3 -c 'import requests' 2>/dev/null || die "python3 requests not found: run scripts/setup.sh"
. "$EHR_ROOT/scripts/devchain.sh"
devchain_enter

# Clinicians with tokens: each read is logged by a transaction the clinician signs, free while
# fewer than eight of theirs wait in the pool, paid beyond (a busy server's clinician pays).
clinicians=(//Bob //Charlie)
patients=()
for i in $(seq 0 25); do patients+=("//Patient$i"); done
ALICE=$(ehr --suri //Alice key show --address)
addr() { ehr --suri "$1" key show --address; }

log "the hospital verifies ${#clinicians[@]} clinicians, who accept"
for i in "${!clinicians[@]}"; do
	quiet ehr --suri //Alice hospital register-doctor "$(addr "${clinicians[$i]}")" \
		--name "Dr. ${clinicians[$i]#//}" --specialty medicine --licence "MD-$i"
done
# Background steps are waited for by their pids (the node and IPFS run in the background too).
jobs_ok() { local pid; for pid in "$@"; do wait "$pid" || die "a set-up step failed (see above)"; done; }
pids=()
for c in "${clinicians[@]}"; do
	quiet ehr --suri "$c" doctor accept "$ALICE" &
	pids+=($!)
done
jobs_ok "${pids[@]}"
log "the hospital invites ${#patients[@]} patients"
for p in "${patients[@]}"; do quiet ehr --suri //Alice hospital invite-patient "$(addr "$p")"; done

# 50 readings as a device exports them: one Bundle, one record.
python3 - >readings.json <<'EOF'
import json
entries = []
for i in range(50):
    entries.append({"resource": {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
        "effectiveDateTime": f"2026-11-{1 + i // 24:02d}T{i % 24:02d}:00:00Z",
        "valueQuantity": {"value": 60 + i % 20, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min"}}})
print(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
EOF
printf '{"resourceType":"Patient","name":[{"family":"Bench","given":["Pat"]}],"gender":"female","birthDate":"1980-04-02"}' >profile.json
# A 1 MB PDF: a real header, then random content (nothing compresses it).
{ printf '%%PDF-1.7\n'; head -c $((1024 * 1024 - 9)) /dev/urandom; } >document.pdf

patient_setup() {
	local p="$1" n="$2"
	quiet ehr --suri "$p" patient register --profile profile.json
	quiet ehr --suri "$p" vitals import readings.json
	if [ "$n" -eq 0 ]; then
		ehr --suri "$p" --json record upload document.pdf --category document >upload-0.json 2>>setup.log ||
			die "the document's upload failed (see $work/setup.log)"
		quiet ehr --suri "$p" consent grant "$(addr //Bob)" --categories observation,document --yes
	else
		for c in "${clinicians[@]}"; do
			quiet ehr --suri "$p" consent grant "$(addr "$c")" --categories observation --yes
		done
	fi
}
log "the patients register, import their readings and grant (in parallel)"
pids=()
for i in "${!patients[@]}"; do
	patient_setup "${patients[$i]}" "$i" &
	pids+=($!)
done
jobs_ok "${pids[@]}"

"$EHR_NODE" build-spec --chain dev --raw 2>/dev/null >chain.json
python3 - "$work" "$(addr //Patient0)" "${clinicians[@]}" -- "${patients[@]}" >setup.json <<'EOF'
import hashlib, json, subprocess, sys
work, first = sys.argv[1], sys.argv[2]
split = sys.argv.index("--")
clinicians, patients = sys.argv[3:split], sys.argv[split + 1:]
cli = __import__("os").environ["EHR_CLI"]
def addr(uri):
    return subprocess.run([cli, "--suri", uri, "key", "show", "--address"], capture_output=True, text=True, check=True).stdout.strip()
document = json.load(open(f"{work}/upload-0.json"))["record"]
print(json.dumps({
    "latency": {"clinician": ["--suri", "//Bob"], "patient": first, "document": document,
                "sha256": hashlib.sha256(open(f"{work}/document.pdf", "rb").read()).hexdigest()},
    "pairs": [{"clinician": ["--suri", c], "patient": addr(p)} for p in patients[1:] for c in clinicians],
}))
EOF

fhir_port=$(free_port)
cat >apps.json <<'EOF'
[{"clientId": "lab-viewer", "name": "Lab viewer", "redirectUris": ["http://127.0.0.1:8091/callback"]}]
EOF
server=("$EHR_FHIR_SERVER" --dev --chain-spec "$work/chain.json" --node "$EHR_NODE_URL"
	--ipfs "$EHR_IPFS_API" --apps "$work/apps.json" --listen "127.0.0.1:$fhir_port"
	--state-dir "$work/fhir-state")
for c in "${clinicians[@]}"; do server+=(--clinician-uri "$c"); done
log "measuring ehr-fhir-server on 127.0.0.1:$fhir_port"
FHIR_BASE="http://127.0.0.1:$fhir_port" SERVER_CMD="$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${server[@]}")" \
	SERVER_LOG="$work/fhir.log" SETUP="$work/setup.json" RUNS="$runs" CLI_RUNS="$cli_runs" \
	OUT="$out" EHR_CLI="$EHR_CLI" \
	python3 "$EHR_ROOT/scripts/tools/bench-fhir.py" || { tail -30 "$work/fhir.log" >&2; exit 1; }
