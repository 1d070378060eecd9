#!/usr/bin/env python3
"""The FHIR server's figures (docs/fhir.md), driven by scripts/bench-fhir.sh on a dev chain it
has set up. Talks to the server only over HTTP, as a hospital's app would: SMART sign-in with
PKCE (each user's challenge signed by `ehr key sign-in` with their key file), then FHIR requests.

1. Reads and searches, one clinician and one patient: the server started afresh before each
   cold request (its first after start), then RUNS warm ones; the DocumentReference's bytes and
   the search's 50 Observations are checked every time. Then `ehr record get` of the same
   document by the same clinician, CLI_RUNS times, timing the whole command.
2. CLIENTS concurrent clients for SECONDS seconds, each its own signed-in session of one
   (clinician, patient) pair, searching the patient's 50 Observations again and again: the
   throughput, every status, and the server's memory (resident set, sampled every 0.2 s).

Every read is logged on chain, and the chain logs at most 60 reads of one patient by one reader
an hour: phase 1 stays within that for its pair, and each client of phase 2 stops at CAP
requests (the report says if one got there).

Input (environment): FHIR_BASE, SERVER_CMD (the server's command line, JSON), EHR_CLI,
EHR_NODE_URL, SETUP (a JSON file: latency {clinician, patient, document, sha256}, pairs
[{clinician, patient}]; a clinician is the `ehr` arguments naming the account, e.g. ["--suri",
"//Bob"]), RUNS, CLI_RUNS, CLIENTS, BENCH_SECONDS,
CAP, OUT (where to write the JSON summary). Prints the summary; exits 1 if a check failed.
"""

import base64
import hashlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import requests

BASE = os.environ["FHIR_BASE"]
SERVER_CMD = json.loads(os.environ["SERVER_CMD"])
EHR_CLI = os.environ["EHR_CLI"]
NODE = os.environ["EHR_NODE_URL"]
SETUP = json.load(open(os.environ["SETUP"]))
RUNS = int(os.environ.get("RUNS", "20"))
CLI_RUNS = int(os.environ.get("CLI_RUNS", "10"))
CLIENTS = int(os.environ.get("CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CAP = int(os.environ.get("CAP", "55"))
APP = "lab-viewer"
REDIRECT = "http://127.0.0.1:8091/callback"
SCOPE = "launch/patient patient/*.rs openid fhirUser"

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"CHECK FAILED: {what}", file=sys.stderr, flush=True)
    return condition


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(values):
    return {
        "runs": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "max_ms": round(max(values), 1),
    }


class Server:
    """The FHIR server as a child process, restarted for cold requests."""

    def __init__(self):
        self.process = None
        self.log = open(os.environ.get("SERVER_LOG", os.devnull), "ab")

    def start(self):
        self.stop()
        self.process = subprocess.Popen(SERVER_CMD, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"bench-fhir.py: the server exited ({self.process.returncode}); see its log")
            try:
                if requests.get(f"{BASE}/metadata", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        sys.exit("bench-fhir.py: the server did not answer /metadata within 120 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rss_kib(self):
        """(resident now, resident peak) in KiB, from /proc."""
        fields = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


_addresses = {}


def address(who):
    """The address of the account `who` (the `ehr` arguments naming it: a key file or a URI)."""
    if tuple(who) not in _addresses:
        _addresses[tuple(who)] = subprocess.run(
            [EHR_CLI, *who, "key", "show", "--address"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    return _addresses[tuple(who)]


def sign_in(who, patient):
    """A SMART standalone launch with PKCE as the clinician `who`, `patient` in context."""
    http = requests.Session()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    started = http.get(
        f"{BASE}/auth/authorize",
        params={
            "response_type": "code", "client_id": APP, "redirect_uri": REDIRECT, "scope": SCOPE,
            "state": secrets.token_urlsafe(8), "aud": BASE, "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        headers={"Accept": "application/json"},
    ).json()
    signature = subprocess.run(
        [EHR_CLI, "--dev", "--node", NODE, *who, "key", "sign-in"],
        input=started["challenge"], capture_output=True, text=True, check=True,
    ).stdout.strip()
    answer = http.post(
        f"{BASE}/auth/authorize",
        data={"login": started["login"], "account": address(who), "signature": signature,
              "patient": patient},
        allow_redirects=False,
    )
    if answer.status_code != 303:
        sys.exit(f"bench-fhir.py: sign-in answered {answer.status_code}: {answer.text}")
    query = parse_qs(urlparse(answer.headers["Location"]).query)
    if "code" not in query:
        sys.exit(f"bench-fhir.py: sign-in refused: {answer.headers['Location']}")
    token = http.post(
        f"{BASE}/auth/token",
        data={"grant_type": "authorization_code", "code": query["code"][0],
              "redirect_uri": REDIRECT, "client_id": APP, "code_verifier": verifier},
    )
    if token.status_code != 200:
        sys.exit(f"bench-fhir.py: token answered {token.status_code}: {token.text}")
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return http


def timed_get(http, path):
    began = time.perf_counter()
    response = http.get(f"{BASE}/{path}", timeout=120)
    took = (time.perf_counter() - began) * 1000
    return response, took


def document_ok(response, sha256):
    if response.status_code != 200:
        return check(False, f"DocumentReference answered {response.status_code}: {response.text[:300]}")
    data = base64.b64decode(response.json()["content"][0]["attachment"]["data"])
    return check(hashlib.sha256(data).hexdigest() == sha256, "the document's bytes differ")


def search_ok(response, expected):
    if response.status_code != 200:
        return check(False, f"search answered {response.status_code}: {response.text[:300]}")
    entries = response.json().get("entry", [])
    found = [e for e in entries if e["resource"]["resourceType"] == "Observation"]
    return check(len(found) == expected, f"the search returned {len(found)} Observations, not {expected}")


def latency(server):
    pair = SETUP["latency"]
    document = f"DocumentReference/{pair['document']}"
    search = f"Observation?patient={pair['patient']}&_count=50"
    results = {}
    for name, path, ok in (
        ("document_1mb", document, lambda r: document_ok(r, pair["sha256"])),
        ("search_50_observations", search, lambda r: search_ok(r, 50)),
    ):
        print(f"{name}: the server started afresh, one cold request, then {RUNS} warm", flush=True)
        server.start()
        http = sign_in(pair["clinician"], pair["patient"])
        response, cold = timed_get(http, path)
        ok(response)
        warm = []
        for _ in range(RUNS):
            response, took = timed_get(http, path)
            ok(response)
            warm.append(took)
        results[name] = {"cold_ms": round(cold, 1), "warm": summary(warm)}
    print(f"ehr record get of the same document, {CLI_RUNS} times", flush=True)
    cli = []
    with tempfile.TemporaryDirectory() as work:
        for i in range(CLI_RUNS):
            out = os.path.join(work, f"doc-{i}")
            began = time.perf_counter()
            subprocess.run(
                [EHR_CLI, "--json", *pair["clinician"], "record", "get",
                 str(pair["document"]), "--out", out],
                capture_output=True, check=True,
            )
            cli.append((time.perf_counter() - began) * 1000)
            with open(out, "rb") as f:
                body = f.read()
            # The command writes the file as stored: the PDF itself.
            check(hashlib.sha256(body).hexdigest() == pair["sha256"], "ehr record get: the bytes differ")
    results["ehr_record_get_1mb"] = summary(cli)
    return results


def concurrency(server):
    pairs = SETUP["pairs"]
    if CLIENTS > len(pairs):
        # Two clients of one pair would share its 60 logged reads an hour.
        sys.exit(f"bench-fhir.py: CLIENTS={CLIENTS}: at most one client per pair ({len(pairs)})")
    server.start()
    print(f"{CLIENTS} clients sign in ({len(pairs)} clinician-patient pairs)", flush=True)
    chosen = [pairs[i % len(pairs)] for i in range(CLIENTS)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = list(pool.map(lambda p: sign_in(p["clinician"], p["patient"]), chosen))
    rss_before, _ = server.rss_kib()
    statuses, latencies, capped = {}, [], 0
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                samples.append(server.rss_kib()[0])
            except (OSError, KeyError):
                pass
            time.sleep(0.2)

    def client(index):
        nonlocal capped
        http, pair = sessions[index], chosen[index]
        path = f"Observation?patient={pair['patient']}&_count=50"
        for _ in range(CAP):
            if time.monotonic() >= stop_at:
                return
            try:
                response, took = timed_get(http, path)
                status = response.status_code
                if status == 200:
                    search_ok(response, 50)
            except requests.RequestException as error:
                status, took = f"error: {type(error).__name__}", None
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if took is not None and status == 200:
                    latencies.append(took)
        with lock:
            capped += 1

    print(f"{CLIENTS} clients search for {SECONDS:.0f} s", flush=True)
    sampler = threading.Thread(target=sample)
    sampler.start()
    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    done.set()
    sampler.join()
    _, peak = server.rss_kib()
    ok = statuses.get(200, 0)
    errors = sum(n for status, n in statuses.items() if status != 200)
    check(errors == 0, f"{errors} requests were not answered 200: {statuses}")
    return {
        "clients": CLIENTS,
        "pairs": len(pairs),
        "seconds": round(elapsed, 1),
        "requests_ok": ok,
        "errors": errors,
        "statuses": {str(k): v for k, v in statuses.items()},
        "throughput_per_s": round(ok / elapsed, 1),
        "latency": summary(latencies) if latencies else None,
        "clients_that_reached_the_cap": capped,
        "rss_mib_before": round(rss_before / 1024, 1),
        "rss_mib_max_sampled": round(max(samples) / 1024, 1) if samples else None,
        "rss_mib_peak": round(peak / 1024, 1),
    }


def main():
    server = Server()
    try:
        results = {"latency": latency(server), "concurrency": concurrency(server)}
    finally:
        server.stop()
    text = json.dumps(results, indent=2)
    print(text)
    with open(os.environ.get("OUT", "/dev/null"), "w") as out:
        out.write(text + "\n")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
