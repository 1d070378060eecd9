#!/usr/bin/env bash
# How long a patient waits for `ehr record upload`, a doctor for `ehr record get`, and how soon
# a read's log entry is final.
#
# Starts a fresh `ehr-node --dev` and js-ipfs on loopback, sets up a hospital (//Alice), its
# doctor (//Bob) and a patient who grants the doctor access. The patient uploads a small lab
# report (200 bytes) and a 2 MB one RUNS times each, timing the whole command; lab reports are
# openable in an emergency by default, so each upload carries its key's escrow shares and must be
# one finalized transaction (its escrow in the record's block). Then the doctor reads the first
# of each RUNS times (default 20) with `ehr record get`,
# timing the whole command (process start to exit). Every read's log entry is then followed into
# a finalized block (`ehr outbox --wait`) and checked: the block that holds it must be at most
# two blocks after the newest block the node had at the read. Prints p50 / p95 / max and the
# blocks, and fails if any entry is missing or late.
#
#   scripts/bench-read.sh            # the debug build scripts/build.sh made
#   EHR_BENCH_RELEASE=1 scripts/bench-read.sh   # optimized ehr-node and ehr (built here)
#   RUNS=25 scripts/bench-read.sh            # at most 25: 60 logged reads per reader and patient an hour
set -euo pipefail
. "$(dirname "$0")/env.sh"

runs=${RUNS:-20}
# The chain logs at most 60 reads of one patient per reader an hour (two records, RUNS each).
[ "$runs" -le 25 ] || die "RUNS=$runs: at most 25 (the chain logs at most 60 reads of one patient per reader an hour)"
if [ -n "${EHR_BENCH_RELEASE:-}" ]; then
	log "building optimized ehr-node and ehr (cargo build --release)"
	(cd "$EHR_ROOT" && cargo build --release --locked -p ehr-node -p ehr-client --bin ehr-node --bin ehr)
	EHR_NODE="$CARGO_TARGET_DIR/release/ehr-node"
	EHR_CLI="$CARGO_TARGET_DIR/release/ehr"
fi
. "$EHR_ROOT/scripts/devchain.sh"
devchain_enter

log "setting up: hospital //Alice, doctor //Bob, a patient, a grant, two records"
ALICE=$(ehr --suri //Alice key show --address)
BOB=$(ehr --suri //Bob key show --address)
export EHR_PASSPHRASE=bench
quiet ehr key generate --out patient.json
export EHR_KEY_FILE=patient.json
PATIENT=$(ehr key show --address)
quiet ehr --suri //Alice hospital register-doctor "$BOB" --name "Dr. Bob Kelso" --specialty medicine --licence MD-1
quiet ehr --suri //Bob doctor accept "$ALICE"
quiet ehr --suri //Alice hospital invite-patient "$PATIENT"
printf '{"resourceType":"Patient","name":[{"family":"Doe","given":["Jane"]}],"gender":"female","birthDate":"1980-04-02"}' >profile.json
quiet ehr patient register --profile profile.json
head -c 200 /dev/urandom | base64 >small.txt
head -c 2000000 /dev/urandom >large.bin
quiet ehr consent grant "$BOB" --categories lab-report,imaging --yes
: >"$work/times"
for kind in small large; do
	file=$([ "$kind" = small ] && echo small.txt || echo large.bin)
	log "the patient uploads the $kind lab report $runs times"
	for i in $(seq 1 "$runs"); do
		start=$(date +%s%N)
		ehr --json record upload "$file" --category lab-report >"$work/up-$kind-$i.json"
		end=$(date +%s%N)
		echo "upload-$kind $(( (end - start) / 1000000 ))" >>"$work/times"
	done
done
small=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["record"])' "$work/up-small-1.json")
large=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["record"])' "$work/up-large-1.json")
unset EHR_KEY_FILE

for kind in small large; do
	id=${!kind}
	log "the doctor reads the $kind record ($id) $runs times"
	for i in $(seq 1 "$runs"); do
		start=$(date +%s%N)
		ehr --json --suri //Bob record get "$id" --out "$work/$kind-$i" >"$work/get-$kind-$i.json"
		end=$(date +%s%N)
		echo "$kind $(( (end - start) / 1000000 ))" >>"$work/times"
	done
done
log "following every read's log entry into a finalized block"
ehr --json --suri //Bob outbox --wait --timeout 180 >"$work/outbox.json"

python3 - "$work" "$runs" <<'EOF'
import json, sys, glob, statistics
work, runs = sys.argv[1], int(sys.argv[2])
times = {}
for line in open(f"{work}/times"):
    kind, ms = line.split()
    times.setdefault(kind, []).append(int(ms))
logged = {e["id"]: e for e in json.load(open(f"{work}/outbox.json"))["logged"]}
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
late = []
for kind in ("small", "large"):
    for i in range(1, runs + 1):
        up = json.load(open(f"{work}/up-{kind}-{i}.json"))
        if up.get("escrowedInBlock") is None or up.get("escrowFailed"):
            late.append(f"upload {kind} #{i}: not escrowed with the record ({up.get('escrowFailed')})")
    t = times[f"upload-{kind}"]
    print(f"{kind:5}: record upload p50 {pct(t, 50)} ms, p95 {pct(t, 95)} ms, max {max(t)} ms over {len(t)} runs, "
          f"each one finalized transaction with its escrow")
for kind in ("small", "large"):
    lags = []
    for i in range(1, runs + 1):
        got = json.load(open(f"{work}/get-{kind}-{i}.json"))
        entry = got["logQueued"]
        found = logged.get(entry["id"])
        if found is None or found.get("failed"):
            late.append(f"{kind} #{i}: not logged ({found})")
            continue
        lag = found["block"] - entry["bestAtRead"]
        lags.append(lag)
        if lag > 2:
            late.append(f"{kind} #{i}: final in block #{found['block']}, read at #{entry['bestAtRead']}")
    t = times[kind]
    print(f"{kind:5}: record get p50 {pct(t, 50)} ms, p95 {pct(t, 95)} ms, max {max(t)} ms over {len(t)} runs; "
          f"log entry in block read+{min(lags) if lags else '-'}..read+{max(lags) if lags else '-'} "
          f"(read: the newest block when the command ran), every one final")
if late:
    print("LATE, MISSING OR NOT ESCROWED:\n  " + "\n  ".join(late))
    sys.exit(1)
print("every read's log entry was final within two blocks of the read")
EOF
