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
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_NONCE = 12


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    raw = master.encode()
    enc = hmac.new(raw, b"fanzha-pii-encryption", hashlib.sha256).digest()
    idx = hmac.new(raw, b"fanzha-pii-lookup", hashlib.sha256).digest()
    return AESGCM(enc), idx


def _current() -> tuple[AESGCM, bytes]:
    return _keys(settings.FANZHA_PII_KEY)


def encrypter():
    """`encrypt` with the key looked up once: for encrypting a whole file or data set."""
    aes, _ = _current()
    urandom = os.urandom

    def encrypt_one(value: str) -> str:
        if not value:
            return ""
        nonce = urandom(_NONCE)
        return base64.urlsafe_b64encode(nonce + aes.encrypt(nonce, value.encode(), None)).decode()

    return encrypt_one


def encrypt(value: str) -> str:
    """Ciphertext as URL-safe base64 text (portable across SQLite and PostgreSQL)."""
    return encrypter()(value)


def decrypt(token: str) -> str:
    if not token:
        return ""
    aes, _ = _current()
    blob = base64.urlsafe_b64decode(token.encode())
    return aes.decrypt(blob[:_NONCE], blob[_NONCE:], None).decode()


def lookup_hasher(kind: str):
    """`lookup_hash(kind, ·)` with the key looked up once and the HMAC in one C call."""
    _, key = _current()
    prefix = f"{kind}:".encode()
    digest = hmac.digest

    def hash_one(value: str) -> str:
        return digest(key, prefix + value.encode(), "sha256")[:16].hex() if value else ""

    return hash_one


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash for exact look-up; `kind` keeps ID and phone hashes apart."""
    return lookup_hasher(kind)(value)
