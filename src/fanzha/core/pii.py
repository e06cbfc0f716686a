"""Protection of ID and phone numbers at rest.

Each number is stored three ways:
1. encrypted with AES-256-GCM under a key derived from FANZHA_PII_KEY
   (random nonce, so equal numbers do not give equal ciphertexts);
2. as a keyed hash (HMAC-SHA256, truncated) in an indexed column, so exact
   look-up is one index probe with no plaintext index and no table scan;
3. masked (110***********1234), so lists never need to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections import deque
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from fanzha.core.idnumbers import mask_id_number, mask_phone

_IPAD = bytes(b ^ 0x36 for b in range(256))  # RFC 2104's inner and outer pads, as translation tables
_OPAD = bytes(b ^ 0x5C for b in range(256))
_NONCE = 12


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    raw = master.encode()
    enc = hmac.new(raw, b"fanzha-pii-encryption", hashlib.sha256).digest()
    idx = hmac.new(raw, b"fanzha-pii-lookup", hashlib.sha256).digest()
    return AESGCM(enc), idx


def _current() -> tuple[AESGCM, bytes]:
    return _keys(settings.FANZHA_PII_KEY)


_URLSAFE = bytes.maketrans(b"+/", b"-_")
_NONCES_AT_ONCE = 512


def _seal(aes: AESGCM, nonce: bytes, value: str) -> str:
    # urlsafe_b64encode, without its two Python frames
    return binascii.b2a_base64(nonce + aes.encrypt(nonce, value.encode(), None), newline=False).translate(_URLSAFE).decode()


def encrypter():
    """`encrypt` with the key looked up once: for encrypting a whole file or data set.

    The random nonces are drawn from the OS 512 at a time (one system call instead
    of one per value); each is still 12 fresh random bytes, used once: they are
    taken with deque.popleft, which is atomic, so even an encrypter shared by
    threads never hands out one nonce twice."""
    aes, _ = _current()
    urandom = os.urandom
    b64 = binascii.b2a_base64
    seal = aes.encrypt
    nonces: deque[bytes] = deque()
    take = nonces.popleft

    def encrypt_one(value: str) -> str:
        if not value:
            return ""
        try:
            nonce = take()
        except IndexError:
            fresh = urandom(_NONCE * _NONCES_AT_ONCE)
            nonces.extend([fresh[i:i + _NONCE] for i in range(0, len(fresh), _NONCE)])
            nonce = take()
        return b64(nonce + seal(nonce, value.encode(), None), newline=False).translate(_URLSAFE).decode()

    return encrypt_one


def encrypt(value: str) -> str:
    """Ciphertext as URL-safe base64 text (portable across SQLite and PostgreSQL)."""
    if not value:
        return ""
    aes, _ = _current()
    return _seal(aes, os.urandom(_NONCE), value)


def decrypt(token: str) -> str:
    if not token:
        return ""
    aes, _ = _current()
    blob = base64.urlsafe_b64decode(token.encode())
    return aes.decrypt(blob[:_NONCE], blob[_NONCE:], None).decode()


def lookup_hasher(kind: str):
    """`lookup_hash(kind, ·)` with the key looked up once.

    HMAC-SHA256 (RFC 2104) worked out by hand from two SHA-256 states prepared once, the
    inner one having already taken the padded key and the `kind:` prefix: each value then
    costs two state copies and two short updates, half of what a full HMAC call costs
    (which sets the key up again every time). The stored hashes are the same bytes.
    """
    _, key = _current()
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(key.translate(_IPAD) + f"{kind}:".encode())
    outer = hashlib.sha256(key.translate(_OPAD))
    inner_copy, outer_copy = inner.copy, outer.copy

    def hash_one(value: str) -> str:
        if not value:
            return ""
        h = inner_copy()
        h.update(value.encode())
        o = outer_copy()
        o.update(h.digest())
        return o.digest()[:16].hex()

    return hash_one


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash for exact look-up; `kind` keeps ID and phone hashes apart."""
    return lookup_hasher(kind)(value)


class Encoder:
    """The stored forms of ID and phone numbers for rows written in bulk.

    What `PiiMixin.set_id_number` / `set_phone` store, for writers that build
    rows themselves (imports, the demo data, batches of alerts): the keys are
    looked up once, so a whole file costs one AES-GCM and one HMAC call per
    number. Each method returns `(encrypted, keyed hash, masked)`, all "" for
    no number; pass `hashed` when the caller already has the hash (it matched
    the row by it).
    """

    __slots__ = ("encrypt", "id_hash", "phone_hash")

    def __init__(self):
        self.encrypt = encrypter()
        self.id_hash = lookup_hasher("id")
        self.phone_hash = lookup_hasher("phone")

    def id_number(self, value: str, hashed: str | None = None) -> tuple[str, str, str]:
        if not value:
            return "", "", ""
        return self.encrypt(value), hashed if hashed is not None else self.id_hash(value), mask_id_number(value)

    def phone(self, value: str, hashed: str | None = None) -> tuple[str, str, str]:
        if not value:
            return "", "", ""
        return self.encrypt(value), hashed if hashed is not None else self.phone_hash(value), mask_phone(value)

    def columns(self, prefix: str, value: str, hashed: str | None = None) -> dict[str, str]:
        """{`<prefix>_enc`, `<prefix>_hash`, `<prefix>_masked`}: an ID number for the prefix
        `id_number`, a phone number for any other (`phone`, `phone2`, `manager_phone`)."""
        forms = (self.id_number if prefix == "id_number" else self.phone)(value, hashed)
        return dict(zip((f"{prefix}_enc", f"{prefix}_hash", f"{prefix}_masked"), forms))
