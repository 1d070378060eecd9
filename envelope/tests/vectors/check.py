#!/usr/bin/env python3
"""An independent implementation of ehr-envelope/1 (envelope/FORMAT.md) with the Python
`cryptography` package. It writes the test vectors that the Rust tests compare against:

    python3 envelope/tests/vectors/check.py
"""
import hashlib
import hmac
import pathlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CHUNK = 1 << 16


def hkdf(ikm, salt, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def envelope(key, salt, plaintext):
    fields = b"ehr-env\x01" + bytes([16]) + salt
    mac = hmac.new(hkdf(key, salt, b"ehr-envelope/1 header"), fields, hashlib.sha256).digest()
    aead = ChaCha20Poly1305(hkdf(key, salt, b"ehr-envelope/1 payload"))
    chunks = [plaintext[i:i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
    out = fields + mac
    for index, chunk in enumerate(chunks):
        last = 1 if index == len(chunks) - 1 else 0
        nonce = index.to_bytes(11, "big") + bytes([last])
        out += aead.encrypt(nonce, chunk, None)
    return out


def raw(private):
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def stanza(key, recipient_secret, ephemeral_secret):
    recipient = X25519PrivateKey.from_private_bytes(recipient_secret)
    ephemeral = X25519PrivateKey.from_private_bytes(ephemeral_secret)
    shared = ephemeral.exchange(recipient.public_key())
    wrap_key = hkdf(shared, raw(ephemeral) + raw(recipient), b"ehr-envelope/1 x25519")
    return raw(ephemeral) + ChaCha20Poly1305(wrap_key).encrypt(bytes(12), key, None)


here = pathlib.Path(__file__).parent
key = bytes([0x42] * 32)
(here / "envelope.hex").write_text(envelope(key, bytes([0x24] * 16), b"ehr test vector\n").hex() + "\n")
(here / "stanza.hex").write_text(stanza(key, bytes([0x11] * 32), bytes([0x22] * 32)).hex() + "\n")
print("vectors written to", here)
