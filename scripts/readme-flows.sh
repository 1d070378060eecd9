#!/usr/bin/env bash
# Runs the guides' flows (docs/guides/*.md) literally, in the order of their numbers, against a
# fresh `ehr-node --dev` and a js-ipfs daemon, and checks what each step prints against the
# guides' `# → …` text. Then the exit
# code of each class of failure on the real command, an account only offered a doctor's role
# that is no grantee until it accepts, an erasure with IPFS down, and that no line printed for people holds a
# raw millisecond time or a Rust debug form.
#
# The blocks it runs are the ```sh blocks preceded by a numbered marker, `<!-- flow 01 -->`,
# `<!-- flow 02 -->`, …, in docs/guides/*.md: one story across the guides, run in the order of the
# numbers whatever the file (later blocks use the variables and files of earlier ones). Two
# numbers alike, a marker without a number, or no blocks at all stop the test. Two things
# differ from a reader's terminal, on purpose: the node and IPFS listen on free ports (so that
# the test never meets a chain already running), given through EHR_NODE_URL and EHR_IPFS_API;
# and the working directory is a fresh temporary one.
set -euo pipefail
. "$(dirname "$0")/env.sh"

[ -x "$EHR_NODE" ] && [ -x "$EHR_CLI" ] || die "build first: scripts/build.sh"
command -v jsipfs >/dev/null || die "jsipfs not found: run scripts/setup.sh"

work="$(mktemp -d)"
pids=()
cleanup() {
	# The patient's key agent of the flows, if a step failed before it was locked.
	[ -f "$work/patient.json" ] && (cd "$work" && "$EHR_CLI" --key-file patient.json key lock >/dev/null 2>&1) || true
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

node_port=$(free_port)
ipfs_port=$(free_port)
log "README flows: ehr-node --dev on 127.0.0.1:$node_port, js-ipfs on 127.0.0.1:$ipfs_port, in $work"
"$EHR_NODE" --dev --tmp --no-telemetry --no-prometheus --no-mdns --rpc-port "$node_port" \
	--listen-addr "/ip4/127.0.0.1/tcp/$(free_port)" >"$work/node.log" 2>&1 &
pids+=($!)
start_ipfs() {
	bash "$EHR_ROOT/scripts/ipfs.sh" "$work/ipfs" "$ipfs_port" >>"$work/ipfs.log" 2>&1 &
	ipfs_pid=$!
	pids+=("$ipfs_pid")
	for _ in $(seq 1 60); do
		curl -sf -X POST "http://127.0.0.1:$ipfs_port/api/v0/version" >/dev/null 2>&1 && return
		sleep 1
	done
	die "js-ipfs did not start: $(tail -5 "$work/ipfs.log")"
}
start_ipfs
for _ in $(seq 1 120); do
	if curl -sf -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"chain_getFinalizedHead","params":[]}' \
			"http://127.0.0.1:$node_port" >/dev/null 2>&1; then
		break
	fi
	sleep 1
done
# The dev chain's first blocks: a transaction needs a finalized block to be mortal from.
sleep 12

export EHR_NODE_URL="ws://127.0.0.1:$node_port" EHR_STATE_DIR="$work/state"
flow_ipfs="http://127.0.0.1:$ipfs_port"
human="$work/human-output.log"
: >"$human"
cd "$work"

fail() {
	printf '\033[1;31mREADME flow failed:\033[0m %s\n' "$*" >&2
	printf -- '--- node log (last lines) ---\n' >&2
	tail -20 "$work/node.log" >&2 || true
	exit 1
}

# One step: run it, show and keep what it printed, check the exit status and the guide's text.
step() {
	local cmd=$1 expect=$2 out status
	printf '\033[1m$ %s\033[0m\n' "$cmd"
	set +e
	out=$(eval "$cmd" 2>&1)
	status=$?
	set -e
	printf '%s\n' "$out" | sed 's/^/    /'
	printf '%s\n' "$out" >>"$human"
	[ "$status" -eq 0 ] || fail "exit $status: $cmd"
	grep -qF -- "$expect" <<<"$out" || fail "the guide says '$expect' for: $cmd"
}

# A line without an expected text runs in this shell (variable assignments, exports, files).
plain() {
	printf '\033[1m$ %s\033[0m\n' "$1"
	eval "$1"
	# The guides' own addresses are for a reader's terminal: this test's node and daemon.
	export EHR_IPFS_API="$flow_ipfs" PATH="$CARGO_TARGET_DIR/debug:$PATH"
}

# The guides' flow blocks, in the order of their numbers, as calls of `step` and `plain`.
python3 - "$EHR_ROOT"/docs/guides/*.md >"$work/flows.sh" <<'PY'
import os, re, shlex, sys
found = {}
for path in sys.argv[1:]:
    text = open(path).read()
    name = "docs/guides/" + os.path.basename(path)
    # A marker is a line of its own: `<!-- flow NN -->`, then the ```sh block it runs.
    for marker in re.finditer(r"^<!--\s*flow\b(.*?)-->[ \t]*$", text, re.M):
        line = text.count("\n", 0, marker.start()) + 1
        number = re.fullmatch(r"\s*(\d+)\s*", marker.group(1))
        if not number:
            sys.exit(f"{name}:{line}: a flow marker without a number: {marker.group(0)!r} "
                     "(write <!-- flow NN -->, NN its place in the story)")
        block = re.match(r"\n```sh\n(.*?)```", text[marker.end():], re.S)
        if not block:
            sys.exit(f"{name}:{line}: flow {number.group(1)} is not followed by a ```sh block")
        n = int(number.group(1))
        if n in found:
            sys.exit(f"{name}:{line}: flow {number.group(1)} again (also at {found[n][0]})")
        found[n] = (f"{name}:{line}", block.group(1))
if not found:
    sys.exit("no <!-- flow NN --> blocks in docs/guides/*.md")
for n in sorted(found):
    block = found[n][1]
    lines = block.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        # Continuation lines make one command.
        while line.rstrip().endswith("\\") and i < len(lines):
            line = line.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
        # A here-document goes with its command, up to its end marker.
        heredoc = re.search(r"<<-?'?(\w+)'?", line)
        if heredoc:
            end = heredoc.group(1)
            body = [line]
            while i < len(lines):
                body.append(lines[i])
                i += 1
                if lines[i - 1].strip() == end:
                    break
            print("plain " + shlex.quote("\n".join(body)))
            continue
        if "# →" in line:
            command, expect = line.split("# →", 1)
            expect = expect.strip().replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
            print("step " + shlex.quote(command.strip()) + ' "' + expect + '"')
        else:
            print("plain " + shlex.quote(line.strip()))
PY
log "README flows: $(grep -c '^step' "$work/flows.sh") checked steps in $(cat "$EHR_ROOT"/docs/guides/*.md | grep -c '^<!-- flow [0-9][0-9]* -->$') blocks of the guides"
started=$(date +%s)
. "$work/flows.sh"
log "README flows ran as written in $(($(date +%s) - started)) s"

# --- Exit codes, class by class, on the real command -------------------------------------
export EHR_PASSPHRASE='correct horse battery staple' EHR_KEY_FILE=patient.json
exits() {
	local want=$1 expect=$2 out status
	shift 2
	printf '\033[1m$ %s\033[0m  (exit %s expected)\n' "$*" "$want"
	set +e
	out=$("$@" 2>&1 </dev/null)
	status=$?
	set -e
	printf '%s\n' "$out" | sed 's/^/    /'
	printf '%s\n' "$out" >>"$human"
	[ "$status" -eq "$want" ] || fail "exit $status, not $want: $*"
	grep -qF -- "$expect" <<<"$out" || fail "expected '$expect' from: $*"
}
log "exit codes, class by class"
exits 2 "not an SS58 account address" ehr consent grant not-an-address --yes
exits 2 "exists: pass --force" ehr record get 4 --out profile.json
exits 2 "Patient resource" ehr --key-file guardian.json patient register --profile blood-test.txt
exits 3 "no record 99" ehr record get 99 --out nothing.txt
# A refusal the chain's state decides is answered by the dry run, before anything is sent.
before=$(date +%s%N)
exits 3 "Records: not authorized" ehr --dev --suri //Bob record upload rx.txt --category prescription --patient "$PATIENT"
elapsed_ms=$((($(date +%s%N) - before) / 1000000))
[ "$elapsed_ms" -lt 5000 ] || fail "the refusal took $elapsed_ms ms: the dry run should answer at once"
log "refused by the dry run in $elapsed_ms ms (a transaction takes two blocks or more)"
"$EHR_NODE" build-spec --chain local --raw >local.json 2>/dev/null
exits 4 "genesis" ehr --chain-spec local.json --state-dir "$work/other-state" audit "$PATIENT"
exits 5 "is the node running" ehr --node ws://127.0.0.1:1 budget
exits 6 "wrong passphrase" env EHR_PASSPHRASE=wrong ehr record list
exits 6 "set EHR_PASSPHRASE" env -u EHR_PASSPHRASE ehr record list
exits 1 "missing.pdf" ehr record upload missing.pdf --category document
# Keys are wrapped only for readers proven against finality: without the chain spec (and
# without --dev), nothing is wrapped or sent.
exits 2 "needs the chain's state proven" env -u EHR_CHAIN_SPEC ehr record upload rx.txt --category prescription

# --- An offer is no doctor: nothing is shared until the account accepts -------------------
log "a grant to an account only offered a doctor's role is refused until it accepts"
CHARLIE=5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y
step 'ehr --dev --suri //Alice hospital register-doctor $CHARLIE --name "Dr. Carla Espinosa" --specialty surgery --licence MD-1002' "offered the role of a doctor"
exits 3 "Consent: unknown grantee" ehr consent grant "$CHARLIE" --categories profile --yes
exits 3 "no hospital has offered" ehr --dev --suri //Ferdie doctor accept "$ALICE"
step 'ehr --dev --suri //Charlie doctor accept $ALICE' "you are a doctor of this hospital now"
step 'ehr consent grant $CHARLIE --categories profile --yes' "record keys shared"
exits 3 "Consent: already granted: this account has consent already: \`ehr consent sync\`" ehr consent grant "$CHARLIE" --categories profile --yes
step 'ehr consent sync' "every grantee with an encryption key holds the keys its grant covers"
step 'ehr --dev --suri //Charlie record get 4 --out profile-read-by-carla.json' "your read is queued for the patient's trail"
cmp -s profile.json profile-read-by-carla.json || fail "Dr. Espinosa did not read the profile as written"

# --- The roster on call: the hospital's, checked before it is sent and by the chain ------
log "a roster the command or the chain refuses, one added to, a doctor not on call"
at() { date -d "$1" '+%Y-%m-%d %H:%M'; }
exits 2 "overlap" ehr --dev --suri //Alice hospital set-on-call \
	--shift "$CHARLIE=$(at '+1 hour')/$(at '+5 hours')" --shift "$CHARLIE=$(at '+4 hours')/$(at '+9 hours')"
exits 2 "lasts more than 24 hours" ehr --dev --suri //Alice hospital set-on-call --shift "$CHARLIE=$(at '+1 hour')/$(at '+26 hours')"
exits 2 "is not a shift" ehr --dev --suri //Alice hospital set-on-call --shift "$CHARLIE@$(at '+1 hour')"
exits 3 "not an active doctor of your hospital" ehr --dev --suri //Alice hospital set-on-call --shift "$PATIENT=$(at '+1 hour')/$(at '+2 hours')"
exits 3 "only a member hospital" ehr --dev --suri //Bob hospital set-on-call --shift "$BOB=$(at '+1 hour')/$(at '+2 hours')"
step 'ehr --dev --suri //Alice hospital set-on-call --add --shift "$CHARLIE=$(at "+1 day")/$(at "+1 day 8 hours")"' "your roster holds 2 shifts"
step 'ehr --dev --suri //Charlie doctor on-call' "You are not on call now"
step 'ehr hospital on-call $ALICE' "Dr. Carla Espinosa"

# --- An erasure with IPFS down: done on chain, the unpin retried later --------------------
log "an erasure with IPFS down"
kill "$ipfs_pid"
wait "$ipfs_pid" 2>/dev/null || true
step 'ehr record erase 5' "1 still to unpin"
grep -qF "ehr record retry-unpins" "$human" || fail "no hint to retry the unpin"
start_ipfs
step 'ehr record retry-unpins' "nothing left to unpin"

# --- Care between visits: the monitor as a long-running process, strangers, bad FHIR --------
log "the doctor's monitor running as a process: an abnormal reading alerts, a normal one does not"
# Bob has the patient's grant for observations from the care guide's flow.
"$EHR_CLI" --dev --suri //Bob doctor watch --interval 2 >"$work/watch.log" 2>&1 &
watch_pid=$!
pids+=("$watch_pid")
for _ in $(seq 1 60); do grep -q "patient(s)" "$work/watch.log" && break; sleep 1; done
grep -q "patient(s)" "$work/watch.log" || fail "the monitor made no pass: $(tail -5 "$work/watch.log")"
alerts() { "$EHR_CLI" --json inbox --all | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for m in d["unread"]+d["read"] if "alert" in m["kind"]))'; }
before=$(alerts)
step 'ehr vitals add --bp 186/104' "1 observation stored as record"
final_at=$(date +%s)
for _ in $(seq 1 90); do [ "$(alerts)" -gt "$before" ] && break; sleep 1; done
[ "$(alerts)" -gt "$before" ] || fail "no alert within 90 s: $(tail -5 "$work/watch.log")"
log "the alert was final in the patient's inbox $(($(date +%s) - final_at)) s after the reading was"
step 'ehr inbox --all' "ALERT (URGENT) from Dr. Bob Kelso"
grep -qF "come to the hospital now" "$human" || fail "the alert does not say what to do"
passes=$(grep -c "patient(s)" "$work/watch.log")
step 'ehr vitals add --heart-rate 72 --spo2 98' "2 observations stored as record"
for _ in $(seq 1 90); do
	[ "$(grep -c '1 record(s) evaluated, 0 alert(s)' "$work/watch.log")" -gt 0 ] && break
	sleep 1
done
grep -q '1 record(s) evaluated, 0 alert(s)' "$work/watch.log" ||
	fail "the normal reading was not evaluated: $(tail -5 "$work/watch.log")"
[ "$(alerts)" -eq "$((before + 1))" ] || fail "a normal reading alerted"
kill "$watch_pid"
log "the monitor made $(grep -c "patient(s)" "$work/watch.log") passes ($passes before the normal reading)"

log "a doctor with no relationship cannot write to the patient"
DAVE=5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy
step 'ehr --dev --suri //Alice hospital register-doctor $DAVE --name "Dr. Dave Stranger" --specialty surgery --licence MD-1003' "offered the role of a doctor"
step 'ehr --dev --suri //Dave doctor accept $ALICE' "you are a doctor of this hospital now"
exits 3 "Messages: no care relationship" ehr --dev --suri //Dave message send "$PATIENT" "Your results are in"
exits 3 "only a doctor sends alerts" ehr message send "$BOB" "help" --alert urgent

log "a booking that carries consent: the doctor may read and write, until the patient cancels"
slot=$("$EHR_CLI" --json --dev --suri //Dave slot publish --in-minutes 300 --minutes 30 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["slot"])')
booked=$("$EHR_CLI" --json appointment book "$slot" --share observation --share-hours-after 24)
printf '%s\n' "$booked" | sed 's/^/    /'
appointment=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["grantEnds"]; print(d["appointment"])' "$booked")
step 'ehr consent list' "Dr. Dave Stranger"
step 'ehr --dev --suri //Dave message send $PATIENT "See you on Monday at nine."' "only the two of you can read it"
step 'ehr appointment cancel $appointment' "the consent the booking carried revoked"
exits 3 "Messages: no care relationship" ehr --dev --suri //Dave message send "$PATIENT" "Still there?"
ehr consent list | grep -q "Dave Stranger" && fail "the booking's grant outlived the cancellation"
# The doctor cancels this time: the patient's next list of appointments revokes the grant.
slot=$("$EHR_CLI" --json --dev --suri //Dave slot publish --in-minutes 400 --minutes 30 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["slot"])')
booked=$("$EHR_CLI" --json appointment book "$slot" --share observation)
appointment=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["appointment"])' "$booked")
step 'ehr --dev --suri //Dave appointment cancel $appointment' "cancelled"
step 'ehr appointment list' "the consent the booking carried revoked"
ehr consent list | grep -q "Dave Stranger" && fail "the booking's grant outlived the doctor's cancellation"

log "ehr inbox --follow prints a new message once its block is finalized"
"$EHR_CLI" inbox --follow >"$work/follow.log" 2>&1 &
follow_pid=$!
pids+=("$follow_pid")
for _ in $(seq 1 30); do grep -q "in all" "$work/follow.log" && break; sleep 1; done
step 'ehr --dev --suri //Bob message send $PATIENT "Please measure again tonight." --alert info' "alert"
for _ in $(seq 1 60); do grep -q "Please measure again tonight." "$work/follow.log" && break; sleep 1; done
grep -q "Please measure again tonight." "$work/follow.log" || fail "--follow did not print the new message: $(tail -5 "$work/follow.log")"
kill "$follow_pid"

log "invalid FHIR is refused with the offending path"
sed 's/"value": 152/"value": "high"/' readings.json >bad-readings.json
exits 2 "/entry/0/resource/component/0/valueQuantity/value" ehr vitals import bad-readings.json
printf '{"resourceType": "DiagnosticReport", "status": "done", "code": {"text": "HbA1c"}}' >bad-report.json
exits 2 "/status" ehr record upload bad-report.json

log "the exported Consent and AuditEvent resources validate (Python jsonschema, FHIR R4 schema)"
python3 - "$EHR_ROOT/client/fhir/fhir.schema.json" consents.json audit-events.json <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    bundle = json.load(open(path))
    resources = [entry["resource"] for entry in bundle.get("entry", [])]
    if not resources:
        sys.exit(f"{path}: no resources")
    for resource in [bundle] + resources:
        definition = {"$ref": "#/definitions/" + resource["resourceType"], "definitions": schema["definitions"]}
        jsonschema.Draft6Validator(definition).validate(resource)
    kinds = sorted({r["resourceType"] for r in resources})
    print(f"{path}: a Bundle of {len(resources)} {', '.join(kinds)} resource(s), valid")
PY

# --- Nothing raw in what people read -----------------------------------------------------
log "no raw times or debug forms in $(wc -l <"$human") lines printed for people"
# Hex keys, salts and commitments are meant to be copied; everything else must be words. A
# raw time is 13 digits standing alone (a hash's hex may hold 13 digits in a row: not a time).
if grep -vE 'encryption key|salt|committed as|^account 5' "$human" | grep -nE 'BoundedVec\(|Some\(|(^|[^0-9a-zA-Z])[0-9]{13}'; then
	fail "raw output above"
fi
log "README flows: all passed"
