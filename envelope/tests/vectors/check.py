#!/usr/bin/env python3
"""An independent implementation of ehr-envelope/2 (and /1) (envelope/FORMAT.md) on the Python
`cryptography` and `blake3` packages. It writes the test vectors the Rust tests reproduce byte for byte, and
checks them the other way: it opens every envelope the Rust code must produce and refuses every
negative vector with the error the Rust code must give.

    python3 envelope/tests/vectors/check.py           # writes the vectors
    python3 envelope/tests/vectors/check.py --check   # recomputes and compares (the test command)
"""
import hashlib
import hmac
import json
import pathlib
import sys

from blake3 import blake3
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CHUNK = 1 << 16
TAG = 16
HEADER = 8 + 1 + 16 + 32


def hkdf(ikm, salt, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def nonce(index, last):
    return index.to_bytes(11, "big") + bytes([1 if last else 0])


def seal(key, salt, plaintext, version=2, flags=None):
    """The envelope and its content hash (the commitment for version 2). `flags` overrides the
    final-chunk flags (for negative vectors)."""
    fields = b"ehr-env" + bytes([version, 16]) + salt
    name = b"ehr-envelope/%d " % version
    header = fields + hmac.new(hkdf(key, salt, name + b"header"), fields, hashlib.sha256).digest()
    aead = ChaCha20Poly1305(hkdf(key, salt, name + b"payload"))
    chunks = [plaintext[i:i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
    commitment = blake3(header, key=hkdf(key, salt, b"ehr-envelope/2 commitment"))
    out = header
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1 if flags is None else flags[index]
        sealed = aead.encrypt(nonce(index, last), chunk, None)
        commitment.update(sealed)
        out += sealed
    content_hash = commitment.digest() if version == 2 else hashlib.sha256(plaintext).digest()
    return out, content_hash


def open_envelope(key, data):
    """The plaintext and content hash, or the name of the Rust error for a refused envelope."""
    if len(data) < 8 or not data.startswith(b"ehr-env"):
        return "NotAnEnvelope"
    if data[7] not in (1, 2):
        return "Unsupported"
    version = data[7]
    if len(data) < HEADER:
        return "Truncated"
    if data[8] != 16:
        return "Unsupported"
    salt, name = data[9:25], b"ehr-envelope/%d " % version
    expected = hmac.new(hkdf(key, salt, name + b"header"), data[:25], hashlib.sha256).digest()
    if not hmac.compare_digest(expected, data[25:HEADER]):
        return "HeaderMismatch"
    aead = ChaCha20Poly1305(hkdf(key, salt, name + b"payload"))
    commitment = blake3(data[:HEADER], key=hkdf(key, salt, b"ehr-envelope/2 commitment"))
    body, plaintext, index = data[HEADER:], b"", 0
    if not body:
        return "Truncated"
    while True:
        sealed, body = body[:CHUNK + TAG], body[CHUNK + TAG:]
        if len(sealed) < TAG:
            return "Tampered"
        last = not body
        try:
            chunk = aead.decrypt(nonce(index, last), sealed, None)
        except InvalidTag:
            try:
                aead.decrypt(nonce(index, not last), sealed, None)
                return "Truncated" if last else "TrailingData"
            except InvalidTag:
                return "Tampered"
        if last and not chunk and index > 0:
            return "Tampered"
        commitment.update(sealed)
        plaintext += chunk
        if last:
            break
        index += 1
    content_hash = commitment.digest() if version == 2 else hashlib.sha256(plaintext).digest()
    return plaintext, content_hash


def sample(length):
    return bytes(i * 31 % 251 for i in range(length))


def raw(private):
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def stanza(key, recipient_secret, ephemeral_secret):
    recipient = X25519PrivateKey.from_private_bytes(recipient_secret)
    ephemeral = X25519PrivateKey.from_private_bytes(ephemeral_secret)
    shared = ephemeral.exchange(recipient.public_key())
    wrap_key = hkdf(shared, raw(ephemeral) + raw(recipient), b"ehr-envelope/1 x25519")
    return raw(ephemeral) + ChaCha20Poly1305(wrap_key).encrypt(bytes(12), key, None)


KEY = bytes([0x42] * 32)
SALT = bytes([0x24] * 16)


def vectors():
    """Every vector file's content, computed here."""
    files = {}
    files["envelope-v1.hex"] = seal(KEY, SALT, b"ehr test vector\n", version=1)[0].hex() + "\n"
    files["envelope-v2.hex"] = seal(KEY, SALT, b"ehr test vector\n")[0].hex() + "\n"
    files["stanza.hex"] = stanza(KEY, bytes([0x11] * 32), bytes([0x22] * 32)).hex() + "\n"
    # Positive vectors: the sample plaintext of each length, its envelope's SHA-256 (the
    # envelopes are large) and the commitment.
    positive = []
    for name, length in [("empty", 0), ("short", 16), ("one full chunk", CHUNK),
                         ("chunk and a byte", CHUNK + 1), ("several chunks", 3 * CHUNK + 5)]:
        envelope, commitment = seal(KEY, SALT, sample(length))
        positive.append({"name": name, "length": length, "envelopeSha256": hashlib.sha256(envelope).hexdigest(),
                         "envelopeLength": len(envelope), "commitment": commitment.hex()})
    # Negative vectors: envelopes that must be refused, and how.
    two, _ = seal(KEY, SALT, sample(CHUNK + 7))
    first, second = two[HEADER:HEADER + CHUNK + TAG], two[HEADER + CHUNK + TAG:]
    negative = [
        {"name": "final flag missing", "error": "Truncated",
         "envelope": seal(KEY, SALT, b"ehr test vector\n", flags=[False])[0].hex()},
        {"name": "final flag on a middle chunk", "error": "TrailingData",
         "envelope": seal(KEY, SALT, sample(CHUNK + 7), flags=[True, True])[0].hex()},
        {"name": "chunks swapped", "error": "Tampered", "envelope": (two[:HEADER] + second + first).hex()},
        {"name": "last chunk dropped", "error": "Truncated", "envelope": two[:HEADER + CHUNK + TAG].hex()},
        {"name": "truncated header", "error": "Truncated", "envelope": two[:40].hex()},
        {"name": "header changed", "error": "HeaderMismatch",
         "envelope": (two[:12] + bytes([two[12] ^ 1]) + two[13:HEADER + 20]).hex()},
        {"name": "unknown version", "error": "Unsupported", "envelope": (b"ehr-env\x03" + two[8:HEADER]).hex()},
    ]
    files["v2.json"] = json.dumps({"key": KEY.hex(), "salt": SALT.hex(), "positive": positive,
                                   "negative": negative}, indent=1) + "\n"
    return files, negative


def main():
    here = pathlib.Path(__file__).parent
    files, negative = vectors()
    if "--check" not in sys.argv:
        for name, content in files.items():
            (here / name).write_text(content)
        return
    failures = []
    for name, content in files.items():
        if (here / name).read_text() != content:
            failures.append(f"{name} differs from this implementation's")
    # The other way: open what the Rust code writes (its output must equal these files).
    for version in (1, 2):
        envelope = bytes.fromhex((here / f"envelope-v{version}.hex").read_text().strip())
        opened = open_envelope(KEY, envelope)
        if isinstance(opened, str) or opened[0] != b"ehr test vector\n":
            failures.append(f"envelope-v{version}.hex does not open: {opened}")
    for length in (0, 16, CHUNK, CHUNK + 1, 3 * CHUNK + 5):
        envelope, commitment = seal(KEY, SALT, sample(length))
        if open_envelope(KEY, envelope) != (sample(length), commitment):
            failures.append(f"the {length}-byte envelope does not round-trip")
    for vector in negative:
        refused = open_envelope(KEY, bytes.fromhex(vector["envelope"]))
        if refused != vector["error"]:
            failures.append(f"{vector['name']}: {refused if isinstance(refused, str) else 'opened'}")
    if failures:
        sys.exit("vectors do not check:\n" + "\n".join(failures))
    print(f"vectors check: {len(files)} files, {len(negative)} negative vectors, both ways")


main()
