#!/usr/bin/env python3
"""Runs the workspace's test binaries several at a time.

`cargo test` runs one test binary after the other. Most of this project's binaries drive a dev
node (or four) and spend their time waiting for blocks, not computing, so running a few of them
side by side halves the suite's wall time on two cores without changing a single test.

Usage: cargo test --no-run --message-format=json-render-diagnostics … | run-tests.py

Reads cargo's JSON messages on standard input (the test executables it built), runs each one
from its package's directory as `cargo test` would, EHR_TEST_JOBS (default 2) at a time, the
longest first, and prints each binary's whole output when it ends (never interleaved), with the
`test result:` lines the suite counts. Arguments after `--` go to every binary. Exits 1 when a
binary failed (after the others ended, so that every failure shows), 2 on bad input.
"""

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

# Binaries known to run longest, started first so that they do not end the run alone. The
# names are cargo's target names (test files, or the crate's name for unit tests).
LONGEST_FIRST = [
    "faults",  # client: a node stopped, restarted, lagging, lying (about 5 minutes alone)
    "e2e",  # client: every flow against a dev node and IPFS
    "smart_api",  # the FHIR server against a dev node and the SMART clients
    "load",  # the load tool against a dev node
    "runtime",  # the runtime's tests (randomized included), compute-bound
    "props",  # the envelope's properties, compute-bound
    "ehr",  # the ehr command's unit tests
    "node",  # the node's end-to-end tests
]


def executables(lines):
    """The test executables in cargo's JSON messages, as (label, path, package dir)."""
    found = []
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            # json-render-diagnostics prints compiler messages to stderr; anything else here
            # is not ours to parse.
            continue
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("reason") != "compiler-artifact":
            continue
        path = message.get("executable")
        if not path or not message.get("profile", {}).get("test"):
            continue
        target = message["target"]
        kind = "+".join(target.get("kind", []))
        label = f"{target['name']} ({kind}: {os.path.relpath(target['src_path'])})"
        package_dir = os.path.dirname(message["manifest_path"])
        found.append((target["name"], label, path, package_dir))
    return found


def order(found):
    def rank(item):
        name = item[0]
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    return sorted(found, key=rank)


def main():
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    try:
        jobs = int(os.environ.get("EHR_TEST_JOBS", "2"))
        if jobs < 1:
            raise ValueError
    except ValueError:
        print("run-tests.py: EHR_TEST_JOBS must be a whole number of at least 1", file=sys.stderr)
        return 2
    found = order(executables(sys.stdin))
    if not found:
        print("run-tests.py: cargo listed no test executables on standard input", file=sys.stderr)
        return 2

    print_lock = threading.Lock()
    failed = []
    start = time.monotonic()

    def run(item):
        name, label, path, package_dir = item
        began = time.monotonic()
        with print_lock:
            print(f"     Started {label}", flush=True)
        result = subprocess.run(
            [path, *args],
            cwd=package_dir,
            env=dict(os.environ, CARGO_MANIFEST_DIR=package_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        took = time.monotonic() - began
        output = result.stdout.decode("utf-8", errors="replace")
        with print_lock:
            print(f"     Running {label} ({path})", flush=True)
            sys.stdout.write(output)
            if not output.endswith("\n"):
                sys.stdout.write("\n")
            status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
            print(f"     {status}: {name} in {took:.0f} s", flush=True)
            if result.returncode != 0:
                failed.append(label)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, found))

    total = time.monotonic() - start
    print(f"ran {len(found)} test binaries, {jobs} at a time, in {total:.0f} s", flush=True)
    if failed:
        print("failed:", file=sys.stderr)
        for label in failed:
            print(f"  {label}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
