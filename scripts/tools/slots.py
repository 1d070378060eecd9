#!/usr/bin/env python3
"""Missed slots and block times of a chain, read from a node over JSON-RPC (HTTP).

Every block from --from to the newest finalized one is read; its Aura slot comes from the
header's pre-runtime digest (engine `aura`, a u64 little-endian). A slot between two
consecutive blocks that holds no block is missed: its validator was late, down, or its block
lost a fork. Prints JSON: blocks, slots, missed slots, and the longest gap.

    scripts/tools/slots.py --node http://127.0.0.1:9944 --from 1
"""
import argparse
import json
import sys
import urllib.request


def rpc(url, method, params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    req = urllib.request.Request(url, body, {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        answer = json.load(response)
    if "error" in answer:
        raise SystemExit(f"error: {method}: {answer['error']}")
    return answer["result"]


def compact_len(data, at):
    """A SCALE compact integer at `at`: (value, next offset)."""
    mode = data[at] & 3
    if mode == 0:
        return data[at] >> 2, at + 1
    if mode == 1:
        return int.from_bytes(data[at:at + 2], "little") >> 2, at + 2
    if mode == 2:
        return int.from_bytes(data[at:at + 4], "little") >> 2, at + 4
    raise ValueError("compact integer too long for a digest")


def aura_slot(header):
    for log in header["digest"]["logs"]:
        data = bytes.fromhex(log[2:])
        # DigestItem::PreRuntime = 6, engine id b"aura", then the encoded slot as a Vec<u8>.
        if data[0] == 6 and data[1:5] == b"aura":
            length, at = compact_len(data, 5)
            if length == 8:
                return int.from_bytes(data[at:at + 8], "little")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", default="http://127.0.0.1:9944")
    parser.add_argument("--from", dest="first", type=int, default=1,
                        help="the first block counted (its slot is the start)")
    args = parser.parse_args()
    finalized = rpc(args.node, "chain_getFinalizedHead", [])
    last = int(rpc(args.node, "chain_getHeader", [finalized])["number"], 16)
    if last <= args.first:
        sys.exit(f"error: the newest finalized block is #{last}, not after #{args.first}")
    slots = []
    for number in range(args.first, last + 1):
        block = rpc(args.node, "chain_getBlockHash", [number])
        slot = aura_slot(rpc(args.node, "chain_getHeader", [block]))
        if slot is None:
            sys.exit(f"error: block #{number} has no Aura slot")
        slots.append(slot)
    gaps = [b - a for a, b in zip(slots, slots[1:])]
    print(json.dumps({
        "first": args.first,
        "last": last,
        "blocks": len(slots),
        "slots": slots[-1] - slots[0] + 1,
        "missed_slots": sum(g - 1 for g in gaps),
        "longest_gap_slots": max(gaps) if gaps else 0,
    }))


if __name__ == "__main__":
    main()
