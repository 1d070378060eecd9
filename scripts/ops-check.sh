#!/usr/bin/env bash
# Checks the operations files in ops/ (docs/operations.md): no build, no node, light on CPU.
#
#   scripts/ops-check.sh
#
# - the systemd units: `systemd-analyze verify` (on copies whose /usr/local/bin programs are
#   stubs, so that a missing binary is not the only thing it reports; any output at all fails),
#   the sandboxing each unit must keep, and `systemd-analyze security --offline=yes`: every
#   service's exposure printed, and a failure above EHR_OPS_MAX_EXPOSURE (default 2.0; all
#   score 0.9 to 1.2 today, so a unit that lost part of its sandbox fails here, long before
#   systemd's "OK" band ends at 4.9);
# - ops/bin/ehr-check-secret on real files (modes, owner, missing, a keystore directory);
# - Prometheus: `promtool check rules`, `promtool check config`, `promtool test rules`, every
#   alert's annotations and runbook anchor, and that the tests notice a broken alert (each
#   alert made never to fire, and made to fire at once, must fail them);
# - the Grafana dashboard: JSON, every panel's query listed, parsed by promtool, and every
#   metric name it or the alerts use known: substrate_* found in the polkadot-sdk sources of the
#   versions in Cargo.lock (when ~/.cargo holds them), node_* from node_exporter, ehr_* the
#   ones alerts.yml describes and `ehr pin-service`/`ehr custodian --metrics` export;
# - the nginx site (when nginx is installed): `nginx -t`, then a real nginx on free loopback
#   ports in front of stub back ends (headers, WebSocket upgrade, proxying, the redirect).
# The last line is `ops tests: N passed` (or `…, M FAILED`, with exit status 1).
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"

command -v systemd-analyze >/dev/null || die "systemd-analyze not found (Debian package systemd)"
for tool in promtool prometheus; do
	command -v "$tool" >/dev/null || die "$tool not found: sudo apt-get install -y prometheus (scripts/setup.sh installs it)"
done
command -v python3 >/dev/null || die "python3 not found"

max_exposure="${EHR_OPS_MAX_EXPOSURE:-2.0}"
passed=0
failed=0
ok() {
	passed=$((passed + 1))
	printf 'ok    %s\n' "$*"
}
bad() {
	failed=$((failed + 1))
	printf 'FAIL  %s\n' "$*"
}

tmp=$(mktemp -d)
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	if nginx_pid=$(cat "$tmp/nginx/nginx.pid" 2>/dev/null); then kill "$nginx_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

units=(ops/systemd/*.service ops/systemd/*.timer)

# ---------------------------------------------------------------------------------------------
log "systemd units: systemd-analyze verify"
# The units run programs from /usr/local/bin, absent here: copies point at executable stubs
# instead (and only that path changes), so that verify has nothing to say about a correct unit.
mkdir -p "$tmp/units" "$tmp/bin"
for program in $(grep -ho '/usr/local/bin/[A-Za-z0-9._-]*' "${units[@]}" | sort -u); do
	printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/${program##*/}"
	chmod 755 "$tmp/bin/${program##*/}"
done
for unit in "${units[@]}"; do
	sed "s#/usr/local/bin/#$tmp/bin/#g" "$unit" >"$tmp/units/${unit##*/}"
done
for unit in "${units[@]}"; do
	name=${unit##*/}
	# verify exits 0 on many findings (an unknown key, a bad value "ignoring"): any output fails.
	if out=$(systemd-analyze verify "$tmp/units/$name" 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify $name"
	else
		bad "systemd-analyze verify $name:"
		printf '%s\n' "$out" | sed "s#$tmp/units/#ops/systemd/#g; s#$tmp/bin/#/usr/local/bin/#g; s/^/      /"
	fi
done
# The check above is not blind: a unit with a misspelt key and a bad value must be reported.
sed 's/^Restart=on-failure$/Restart=sometimes\nRestartSecs=10/' "$tmp/units/ehr-rpc.service" >"$tmp/units/broken.service"
out=$(systemd-analyze verify "$tmp/units/broken.service" 2>&1) || true
if grep -q "Unknown key 'RestartSecs'" <<<"$out" && grep -q 'sometimes' <<<"$out"; then
	ok "systemd-analyze verify reports a broken copy of ehr-rpc.service (unknown key, bad value)"
else
	bad "systemd-analyze verify did not report a broken unit: $out"
fi
rm -f "$tmp/units/broken.service"
timer_calendar=$(sed -n 's/^OnCalendar=//p' ops/systemd/ehr-ipfs-gc.timer)
if systemd-analyze calendar "$timer_calendar" >/dev/null 2>&1; then
	ok "ehr-ipfs-gc.timer: OnCalendar=$timer_calendar is a valid calendar expression"
else
	bad "ehr-ipfs-gc.timer: OnCalendar=$timer_calendar does not parse"
fi

# ---------------------------------------------------------------------------------------------
log "systemd units: the sandbox each unit keeps"
# What docs/operations.md promises of every service, read from the files themselves.
if out=$(python3 - "${units[@]}" <<'PY' 2>&1
import re, sys

def parse(path):
    text = open(path).read().replace("\\\n", " ")
    settings = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[":
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings

failures = []
for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[-1]
    if not name.endswith(".service"):
        continue
    s = parse(path)
    last = lambda key: (s.get(key) or [None])[-1]
    before = len(failures)
    def need(cond, what):
        if not cond:
            failures.append(f"{name}: {what}")
    need(last("User") or last("DynamicUser") == "yes", "no User= or DynamicUser=yes")
    need(last("User") not in ("root", "nobody", "0"), "runs as root or nobody")
    for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                       ("PrivateTmp", "yes"), ("PrivateDevices", "yes"), ("CapabilityBoundingSet", ""),
                       ("LockPersonality", "yes"), ("RestrictNamespaces", "yes"), ("RestrictSUIDSGID", "yes"),
                       ("ProtectKernelTunables", "yes"), ("ProtectKernelModules", "yes"),
                       ("ProtectKernelLogs", "yes"), ("ProtectControlGroups", "yes"),
                       ("SystemCallArchitectures", "native"), ("UMask", "0077")]:
        need(last(key) == value, f"{key}={value} missing")
    need("@system-service" in (s.get("SystemCallFilter") or [""])[0], "SystemCallFilter=@system-service missing")
    need(last("RestrictAddressFamilies"), "RestrictAddressFamilies= missing")
    need(not any(v.startswith("/") and not v.startswith("/var/lib/") for v in s.get("ReadWritePaths", [])),
         "writes outside /var/lib")
    if last("Type") != "oneshot":
        need(last("Restart") == "on-failure", "Restart=on-failure missing")
        need(last("RestartSec"), "RestartSec= missing")
        need(last("StartLimitIntervalSec") and last("StartLimitBurst"), "StartLimitIntervalSec/StartLimitBurst missing")
    exec_start = " ".join(s.get("ExecStart", []))
    # wasmtime compiles the runtime and mprotects its code executable: ehr-node must not have
    # MemoryDenyWriteExecute; everything else must.
    if "ehr-node" in exec_start:
        need(last("MemoryDenyWriteExecute") in (None, "no"), "MemoryDenyWriteExecute=yes would stop wasmtime")
        need("--no-telemetry" in exec_start, "ehr-node without --no-telemetry")
        need(re.search(r"--rpc-methods\s+safe", exec_start), "ehr-node without --rpc-methods safe")
        need(not re.search(r"--(unsafe-)?rpc-external|--prometheus-external", exec_start), "RPC or metrics on all interfaces")
    else:
        need(last("MemoryDenyWriteExecute") == "yes", "MemoryDenyWriteExecute=yes missing")
    # Every credential's source is checked (as root: ExecStartPre=+) before it is loaded.
    checks = " ".join(v for v in s.get("ExecStartPre", []) if "ehr-check-secret" in v)
    for credential in s.get("LoadCredential", []):
        source = credential.split(":", 1)[1]
        need(source in checks and any(v.startswith("+") and source in v for v in s.get("ExecStartPre", [])),
             f"credential {source} not checked by ExecStartPre=+…ehr-check-secret")
        need(source.startswith("/etc/ehr/credentials/"), f"credential {source} outside /etc/ehr/credentials")
    if len(failures) == before:
        print(f"{name}: user, read-only system, no privileges, syscall and address filters, restart policy, credentials checked")
if failures:
    print("\n".join(failures))
    sys.exit(1)
PY
); then
	while read -r line; do ok "sandbox rules: $line"; done <<<"$out"
else
	bad "sandbox rules:"
	printf '%s\n' "$out" | sed 's/^/      /'
fi

# The users the units run as are the ones ops/sysusers.d/ehr.conf creates (systemd-sysusers
# on a copy of this machine's user database), and every variable the units take from
# /etc/ehr/ehr.env is in the example ops/etc/ehr.env.
mkdir -p "$tmp/root/etc"
cp /etc/passwd /etc/group "$tmp/root/etc/"
if out=$(systemd-sysusers --dry-run --root="$tmp/root" "$EHR_ROOT/ops/sysusers.d/ehr.conf" 2>&1); then
	missing=""
	for user in $(sed -n 's/^User=//p' ops/systemd/*.service | sort -u); do
		grep -qE "^u[[:space:]]+$user[[:space:]]" ops/sysusers.d/ehr.conf || missing="$missing $user"
	done
	if [ -z "$missing" ]; then
		ok "ops/sysusers.d/ehr.conf is accepted by systemd-sysusers and creates every User= of the units"
	else
		bad "users the units need but ops/sysusers.d/ehr.conf does not create:$missing"
	fi
else
	bad "systemd-sysusers refuses ops/sysusers.d/ehr.conf: $out"
fi
missing=""
for var in $(grep -ho 'EHR_OPS_[A-Z_]*' ops/systemd/*.service | sort -u) EHR_NODE_URL EHR_CHAIN_SPEC; do
	grep -q "^$var=" ops/etc/ehr.env || missing="$missing $var"
done
if [ -z "$missing" ]; then
	ok "ops/etc/ehr.env defines every variable the units use"
else
	bad "variables the units use but ops/etc/ehr.env lacks:$missing"
fi

# ---------------------------------------------------------------------------------------------
log "systemd units: systemd-analyze security --offline=yes (fails above $max_exposure)"
for unit in ops/systemd/*.service; do
	name=${unit##*/}
	line=$(systemd-analyze security --offline=yes "$unit" 2>&1 | grep 'Overall exposure level' || true)
	score=$(sed -E 's/.*: ([0-9]+\.[0-9]+) .*/\1/' <<<"$line")
	rating=$(sed -E 's/.*: [0-9]+\.[0-9]+ ([A-Z]+).*/\1/' <<<"$line")
	if [ -z "$line" ]; then
		bad "systemd-analyze security $name printed no exposure level"
	elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
		ok "$(printf 'security exposure %-26s %s %s' "$name" "$score" "$rating")"
	else
		bad "$(printf 'security exposure %-26s %s %s (above %s)' "$name" "$score" "$rating" "$max_exposure")"
	fi
done

# ---------------------------------------------------------------------------------------------
log "ops/bin/ehr-check-secret"
check_secret=ops/bin/ehr-check-secret
mkdir -p "$tmp/secrets"
(
	cd "$tmp/secrets"
	umask 022
	echo key >open.json
	chmod 644 open.json
	echo key >private.json
	chmod 600 private.json
	echo key >readonly.json
	chmod 400 readonly.json
	echo key >group.json
	chmod 640 group.json
	mkdir keystore bad-keystore open-keystore
	chmod 700 keystore bad-keystore
	chmod 777 open-keystore
	(umask 077 && echo '"phrase"' >keystore/61757261d43593c7 && echo '"phrase"' >keystore/6772616e88dc3417)
	(umask 077 && echo '"phrase"' >bad-keystore/61757261d43593c7)
	echo '"phrase"' >bad-keystore/6772616e88dc3417
	chmod 644 bad-keystore/6772616e88dc3417
	(umask 077 && echo '"phrase"' >open-keystore/61757261d43593c7)
	ln -s private.json link.json
)
s="$tmp/secrets"
# expect_secret WHAT STATUS PATTERN ARGS…: ehr-check-secret ARGS exits STATUS and says PATTERN.
expect_secret() {
	local what="$1" want="$2" pattern="$3" status=0 out
	shift 3
	out=$("$check_secret" "$@" 2>&1) || status=$?
	if [ "$status" -eq "$want" ] && grep -qF -- "$pattern" <<<"$out"; then
		ok "ehr-check-secret: $what"
	else
		bad "ehr-check-secret: $what: exit $status (wanted $want), said: $out"
	fi
}
expect_secret "a 644 file is refused, naming the file, its mode and the fix" 1 \
	"$s/open.json has mode 644, looser than 600: others could read or run it; run \`chmod 600 $s/open.json\`" "$s/open.json"
expect_secret "a 640 file is refused" 1 "has mode 640" "$s/group.json"
expect_secret "a 600 file is accepted" 0 "" "$s/private.json"
expect_secret "a 400 file is accepted" 0 "" "$s/readonly.json"
expect_secret "a missing file is refused" 1 "$s/absent.json does not exist" "$s/absent.json"
expect_secret "one bad file among good ones fails the whole check" 1 "open.json has mode 644" \
	"$s/private.json" "$s/open.json" "$s/readonly.json"
if [ "$(id -u)" -eq 0 ]; then other_user=nobody; else other_user=root; fi
expect_secret "a 600 file of another owner is refused" 1 "is owned by uid $(id -u), not by $other_user" \
	--owner "$other_user" "$s/private.json"
expect_secret "a symbolic link is refused" 1 "link.json is a symbolic link" "$s/link.json"
expect_secret "a keystore directory (700, files 600) is accepted" 0 "" "$s/keystore"
expect_secret "a keystore with a 644 key file is refused" 1 \
	"bad-keystore/6772616e88dc3417 has mode 644" "$s/bad-keystore"
expect_secret "a keystore others may write is refused" 1 "open-keystore has mode 777" "$s/open-keystore"
expect_secret "no argument is a usage error" 2 "usage: ehr-check-secret"
if sh -n "$check_secret" && { ! command -v dash >/dev/null || dash -n "$check_secret"; }; then
	ok "ehr-check-secret parses as POSIX sh$(command -v dash >/dev/null && printf ' (dash)')"
else
	bad "ehr-check-secret does not parse as POSIX sh"
fi

# ---------------------------------------------------------------------------------------------
log "Prometheus: rules, configuration, unit tests"
if out=$(promtool check rules ops/prometheus/alerts.yml 2>&1); then
	ok "promtool check rules alerts.yml ($(grep -o '[0-9]* rules found' <<<"$out"))"
else
	bad "promtool check rules alerts.yml:"
	printf '%s\n' "$out" | sed 's/^/      /'
fi
if out=$(promtool check config ops/prometheus/prometheus.yml 2>&1); then
	ok "promtool check config prometheus.yml (loads alerts.yml)"
else
	bad "promtool check config prometheus.yml:"
	printf '%s\n' "$out" | sed 's/^/      /'
fi
if out=$(cd ops/prometheus && promtool test rules alerts.test.yml 2>&1); then
	ok "promtool test rules alerts.test.yml"
else
	bad "promtool test rules alerts.test.yml:"
	printf '%s\n' "$out" | sed 's/^/      /'
fi

# Every alert: summary, description, a runbook in docs/operations.md, and tests that see it
# fire and see it not fire. Then the tests must catch each alert broken two ways: made never to
# fire (its expression matches nothing), and made to fire at once (no `for:`).
if out=$(python3 - "$tmp/mutants" <<'PY' 2>&1
import os, re, subprocess, sys
out_dir = sys.argv[1]
os.makedirs(out_dir)
rules = open("ops/prometheus/alerts.yml").read()
tests = open("ops/prometheus/alerts.test.yml").read()
doc = open("docs/operations.md").read()
# GitHub's heading anchors: lower case, spaces to -, punctuation dropped.
anchors = {re.sub(r"[^a-z0-9 _-]", "", h.strip().lower()).replace(" ", "-")
           for h in re.findall(r"^#+ (.+)$", doc, re.M)}
alerts = re.findall(r"^      - alert: (\w+)$", rules, re.M)
failures = []
blocks = re.split(r"(?m)^      - alert: ", rules)[1:]
for name, block in zip(alerts, blocks):
    for key in ("summary", "description", "runbook_url"):
        if not re.search(rf"^          {key}: ", block, re.M):
            failures.append(f"{name}: no {key}")
    url = re.search(r'runbook_url: "docs/operations\.md#([a-z0-9-]+)"', block)
    if not url:
        failures.append(f"{name}: runbook_url does not point into docs/operations.md")
    elif url.group(1) not in anchors:
        failures.append(f"{name}: docs/operations.md has no heading for #{url.group(1)}")
    cases = re.findall(rf"alertname: {name}\n        exp_alerts:(.*?)(?=\n      - eval_time|\n  - interval|\n  #|\Z)", tests, re.S)
    if not any(c.strip() == "[]" for c in cases) or not any("exp_labels" in c for c in cases):
        failures.append(f"{name}: the tests lack a firing case or a case where it does not fire")
    if not re.search(r"^        for: ", block, re.M):
        failures.append(f"{name}: no for: (a single scrape would page)")
    # Mutants: one file per alert and per way, the other alerts unchanged.
    for way in ("never", "at-once"):
        if way == "never":
            mutant_block = re.sub(r"        expr: (\|\n(?:          .*\n)+|.*\n)", "        expr: vector(1) == 0\n", block, count=1)
        else:
            mutant_block = re.sub(r"        for: .*\n", "", block, count=1)
        mutant = rules.replace("      - alert: " + block, "      - alert: " + mutant_block, 1)
        assert mutant != rules, (name, way)
        d = os.path.join(out_dir, f"{name}-{way}")
        os.makedirs(d)
        open(os.path.join(d, "alerts.yml"), "w").write(mutant)
        open(os.path.join(d, "alerts.test.yml"), "w").write(tests)
        r = subprocess.run(["promtool", "test", "rules", "alerts.test.yml"], cwd=d, capture_output=True, text=True)
        caught = r.returncode != 0 and f"alertname: {name}," in r.stdout + r.stderr
        if not caught:
            failures.append(f"{name}: the tests pass with the alert {'never firing' if way == 'never' else 'firing without its for:'}")
    print(name)
if failures:
    print("\n".join(failures))
    sys.exit(1)
PY
); then
	while read -r alert; do
		ok "alert $alert: summary, description, runbook in docs/operations.md; its tests fail if it never fires or fires at once"
	done <<<"$out"
else
	bad "alerts and their tests:"
	printf '%s\n' "$out" | sed 's/^/      /'
fi

# ---------------------------------------------------------------------------------------------
log "Grafana dashboard and metric names"
# The panels' queries, and every metric name in them and in the alerts: substrate_* must be
# registered by the polkadot-sdk crates of Cargo.lock; node_* come from node_exporter; ehr_*
# are the ones alerts.yml describes and client/src/metrics.rs exports.
if out=$(python3 - "$tmp/dashboard-rules.yml" <<'PY' 2>&1
import glob, json, os, re, sys
d = json.load(open("ops/grafana/ehr-dashboard.json"))
exprs = []
for p in d["panels"]:
    if p.get("type") == "row":
        continue
    targets = p.get("targets") or []
    if not targets or not all(t.get("expr") for t in targets):
        print(f"FAIL panel {p.get('title')!r} has no query")
        sys.exit(1)
    for t in targets:
        exprs.append((p["title"], t["expr"]))
with open(sys.argv[1], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (_, e) in enumerate(exprs):
        f.write(f"      - record: dashboard:panel_{i}\n        expr: {json.dumps(e)}\n")
for title, e in exprs:
    print(f"QUERY {title}: {e}")
PY
); then
	ok "ehr-dashboard.json parses; $(grep -c '^QUERY' <<<"$out") panel queries:"
	grep '^QUERY' <<<"$out" | sed 's/^QUERY /      /'
	if rout=$(promtool check rules "$tmp/dashboard-rules.yml" 2>&1); then
		ok "every panel query parses as PromQL (promtool check rules on them as recording rules)"
	else
		bad "a panel query does not parse:"
		printf '%s\n' "$rout" | sed 's/^/      /'
	fi
else
	bad "ehr-dashboard.json: $out"
fi

if out=$(python3 - <<'PY' 2>&1
import glob, json, os, re, sys
FUNCS = {"abs", "absent", "avg", "bottomk", "ceil", "changes", "clamp_min", "clamp_max", "count",
         "delta", "deriv", "floor", "group", "histogram_quantile", "idelta", "increase", "irate",
         "label_replace", "max", "max_over_time", "min", "min_over_time", "predict_linear", "quantile",
         "rate", "resets", "round", "scalar", "sort", "sort_desc", "sum", "time", "topk", "vector",
         "avg_over_time", "sum_over_time", "count_over_time", "timestamp", "stddev"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"}

def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)            # strings
    e = re.sub(r"\{[^}]*\}", "", e)                          # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                         # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        word = m.group(0)
        rest = e[m.end():].lstrip()
        if word in KEYWORDS or (word in FUNCS and rest.startswith("(")):
            continue
        if re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names

used = {}
d = json.load(open("ops/grafana/ehr-dashboard.json"))
for p in d["panels"]:
    for t in p.get("targets", []):
        for n in metric_names(t["expr"]):
            used.setdefault(n, set()).add("dashboard")
rules = open("ops/prometheus/alerts.yml").read()
for block in re.findall(r"        expr: (\|\n(?:          .*\n)+|.*\n)", rules):
    for n in metric_names(block.lstrip("|")):
        used.setdefault(n, set()).add("alerts")

planned = set(re.findall(r"^#   (ehr_[a-z_]+)", rules, re.M))
node_exporter = {"node_filesystem_avail_bytes", "node_filesystem_size_bytes"}

# polkadot-sdk's client crates at the versions of Cargo.lock.
lock = open("Cargo.lock").read()
crates = re.findall(r'\[\[package\]\]\nname = "((?:sc-|substrate-)[a-z0-9-]+)"\nversion = "([^"]+)"\nsource = "registry', lock)
home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
dirs = []
for name, version in crates:
    dirs += glob.glob(os.path.join(home, "registry/src/*", f"{name}-{version}"))
sources = {}
for d_ in dirs:
    for root, _, files in os.walk(os.path.join(d_, "src")):
        for f in files:
            if f.endswith(".rs"):
                path = os.path.join(root, f)
                sources[path] = open(path, errors="replace").read()

status = 0
for n in sorted(used):
    where = "+".join(sorted(used[n]))
    if n == "up":
        print(f"OK {n} ({where}): Prometheus's own")
    elif n in node_exporter:
        print(f"OK {n} ({where}): node_exporter")
    elif n.startswith("ehr_"):
        # The ehr command's metrics are named in client/src/metrics.rs as
        # ehr_{service}_{what}, with the services and gauges it registers.
        # Code only: the module's documentation names every metric too.
        exported = "\n".join(l for l in open("client/src/metrics.rs").read().splitlines()
                             if not l.lstrip().startswith("//"))
        if n.startswith("ehr_visits_relay_"):
            # ehr-node's own: registered by name in node/src/relay.rs.
            relay = "\n".join(l for l in open("node/src/relay.rs").read().splitlines()
                              if not l.lstrip().startswith("//"))
            if n not in planned:
                print(f"FAIL {n} ({where}): an ehr_ metric alerts.yml does not describe"); status = 1
            elif f'"{n}"' not in relay:
                print(f"FAIL {n} ({where}): not registered by ehr-node (node/src/relay.rs)"); status = 1
            else:
                print(f"OK {n} ({where}): registered by ehr-node (node/src/relay.rs), described in alerts.yml")
            continue
        service = next((s for s in ("pin_service", "custodian") if n.startswith(f"ehr_{s}_")), None)
        what = n[len(f"ehr_{service}_"):] if service else ""
        found = service and f'"{service}"' in exported and (f'"{what}"' in exported or f"_{what}" in exported)
        if n not in planned:
            print(f"FAIL {n} ({where}): an ehr_ metric alerts.yml does not describe"); status = 1
        elif not found:
            print(f"FAIL {n} ({where}): not exported by the ehr command (client/src/metrics.rs)"); status = 1
        else:
            print(f"OK {n} ({where}): exported by the ehr command (client/src/metrics.rs), described in alerts.yml")
    elif n.startswith("substrate_"):
        base = re.sub(r"_(count|sum|bucket)$", "", n)
        if not dirs:
            print(f"SKIP {n} ({where}): no polkadot-sdk sources under {home}/registry/src")
            continue
        hits = sorted({p for p, text in sources.items() if f'"{n}"' in text or f'"{base}"' in text})
        if hits:
            rel = hits[0].split("/registry/src/", 1)[1].split("/", 1)[1]
            print(f"OK {n} ({where}): registered in {rel}")
        else:
            print(f"FAIL {n} ({where}): not found in the polkadot-sdk sources of Cargo.lock"); status = 1
    else:
        print(f"FAIL {n} ({where}): unknown metric"); status = 1
sys.exit(status)
PY
); then
	while read -r verdict rest; do
		case $verdict in
		OK) ok "metric $rest" ;;
		SKIP) printf 'skip  metric %s\n' "$rest" ;;
		esac
	done <<<"$out"
else
	bad "metric names:"
	printf '%s\n' "$out" | sed 's/^/      /'
fi

# ---------------------------------------------------------------------------------------------
if command -v nginx >/dev/null && command -v curl >/dev/null && command -v openssl >/dev/null; then
	log "nginx: ops/nginx/ehr.conf"
	n="$tmp/nginx"
	mkdir -p "$n/web" "$n/tmp"
	read -r https_port http_port rpc_port gateway_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=ehr.hospital.example \
		-addext 'subjectAltName=DNS:ehr.hospital.example,DNS:rpc.hospital.example,DNS:ipfs.hospital.example' \
		-keyout "$n/key.pem" -out "$n/cert.pem" 2>/dev/null
	# The site as written, on free loopback ports, with the test certificate, web root and back ends.
	sed -e "s#/etc/ssl/ehr/fullchain.pem#$n/cert.pem#; s#/etc/ssl/ehr/privkey.pem#$n/key.pem#; s#/srv/ehr/web#$n/web#" \
		-e "s#listen 443 ssl http2;#listen 127.0.0.1:$https_port ssl http2;#; /listen \[::\]/d; s#listen 80;#listen 127.0.0.1:$http_port;#" \
		-e "s#127.0.0.1:9944#127.0.0.1:$rpc_port#; s#127.0.0.1:5080#127.0.0.1:$gateway_port#" \
		ops/nginx/ehr.conf >"$n/site.conf"
	{
		echo "worker_processes 1; pid $n/nginx.pid; error_log stderr;"
		[ "$(id -u)" -ne 0 ] || echo "user root;"
		echo "events { worker_connections 64; }"
		echo "http { include /etc/nginx/mime.types; default_type application/octet-stream; access_log off;"
		for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $n/tmp/$t;"; done
		echo "  include $n/site.conf; }"
	} >"$n/nginx.conf"
	if out=$(nginx -e stderr -p "$n" -c "$n/nginx.conf" -t 2>&1); then
		ok "nginx -t accepts ops/nginx/ehr.conf"
	else
		bad "nginx -t:"
		printf '%s\n' "$out" | sed 's/^/      /'
	fi
	# Stub back ends: answer with what they received (method, path, upgrade headers).
	cat >"$n/stub.py" <<'PY'
import http.server, json, sys
class Echo(http.server.BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        out = json.dumps({"backend": sys.argv[2], "method": self.command, "path": self.path, "body": body,
                          "upgrade": self.headers.get("Upgrade"), "connection": self.headers.get("Connection"),
                          "forwarded": self.headers.get("X-Forwarded-For")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_GET = do_POST = answer
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
	python3 "$n/stub.py" "$rpc_port" rpc &
	pids+=($!)
	python3 "$n/stub.py" "$gateway_port" gateway &
	pids+=($!)
	printf '<!doctype html><title>EHR</title>\n' >"$n/web/index.html"
	printf '\0asm\1\0\0\0' >"$n/web/app.wasm"
	chmod -R a+rX "$n/web"
	nginx -e stderr -p "$n" -c "$n/nginx.conf" 2>"$n/error.log"
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$http_port/" && curl -s -o /dev/null "http://127.0.0.1:$rpc_port/" &&
			curl -s -o /dev/null "http://127.0.0.1:$gateway_port/" && break
		sleep 0.1
	done
	c=(curl -s --max-time 10 --cacert "$n/cert.pem")
	for host in ehr rpc ipfs; do c+=(--resolve "$host.hospital.example:$https_port:127.0.0.1"); done
	web="https://ehr.hospital.example:$https_port"
	# expect_http WHAT PATTERN CURL-ARGS…: the response (headers and body) contains PATTERN.
	expect_http() {
		local what="$1" pattern="$2" out
		shift 2
		out=$("${c[@]}" -D - "$@" 2>&1 | tr -d '\r') || true
		if grep -qiE -- "$pattern" <<<"$out"; then
			ok "nginx: $what"
		else
			bad "nginx: $what: no /$pattern/ in:"
			printf '%s\n' "$out" | head -20 | sed 's/^/      /'
		fi
	}
	expect_http "the web app's index over TLS" '^HTTP/2 200' "$web/"
	expect_http "HSTS on the web app" '^strict-transport-security: max-age=63072000' "$web/"
	expect_http "no framing by other sites (frame-ancestors 'none', X-Frame-Options)" \
		"^content-security-policy: frame-ancestors 'none'" "$web/"
	expect_http "index.html, config.json, chain.json and sw.js are never cached stale" '^cache-control: no-cache' "$web/index.html"
	expect_http "camera and microphone allowed for the app itself (video visits)" \
		'^permissions-policy: camera=\(self\), microphone=\(self\)' "$web/"
	expect_http "WebAssembly served as application/wasm" '^content-type: application/wasm' -o /dev/null "$web/app.wasm"
	expect_http "the web app refuses POST" '^HTTP/2 403' -X POST "$web/"
	expect_http "JSON-RPC over HTTPS reaches the RPC node" '"backend": "rpc", "method": "POST"' \
		-H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"system_health"}' \
		"https://rpc.hospital.example:$https_port/"
	expect_http "a WebSocket handshake reaches the RPC node with its upgrade headers" \
		'"upgrade": "websocket", "connection": "upgrade"' --http1.1 -H 'Upgrade: websocket' \
		-H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
		"https://rpc.hospital.example:$https_port/"
	expect_http "the RPC host refuses other methods (DELETE)" '^HTTP/2 403' -X DELETE "https://rpc.hospital.example:$https_port/"
	expect_http "the IPFS host reaches ehr ipfs-gateway" '"backend": "gateway", "method": "GET", "path": "/ipfs/bafkqaaa"' \
		"https://ipfs.hospital.example:$https_port/ipfs/bafkqaaa"
	out=$(curl -s -D - -o /dev/null -H 'Host: rpc.hospital.example' "http://127.0.0.1:$http_port/x" | tr -d '\r')
	if grep -q '^HTTP/1.1 301' <<<"$out" && grep -q '^Location: https://rpc.hospital.example/x' <<<"$out"; then
		ok "nginx: plain HTTP is redirected to https"
	else
		bad "nginx: plain HTTP is not redirected: $out"
	fi
else
	printf 'skip  nginx: nginx, curl or openssl not installed (apt-get install nginx-light curl openssl)\n'
fi

if [ "$failed" -gt 0 ]; then
	echo "ops tests: $passed passed, $failed FAILED"
	exit 1
fi
echo "ops tests: $passed passed"
