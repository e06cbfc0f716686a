"""The PII key must be the one the database was written with.

Without this, a restore without the key file (or a new FANZHA_PII_KEY)
starts with a fresh key: reveals fail, look-ups find nothing and every alert
routes to the street queue as an unknown person. `check_pii_key()` runs when
the web process, the worker and `fanzha demo` start:

1. No table yet (before the first migrate): nothing to check.
2. A fingerprint recorded: the current key's must equal it, else refuse.
3. None recorded yet (a new database, or one from before fingerprints):
   if encrypted numbers exist, the key must decrypt one of them, else
   refuse; then record the current key's fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import DatabaseError, transaction


class PiiKeyMismatch(RuntimeError):
    pass


MESSAGE = (
    "fanzha: the PII key (FANZHA_PII_KEY or {home}/pii_key) is not the key this database's ID and phone "
    "numbers were encrypted with. Restore the key that belongs to this database (it is in every "
    "`fanzha backup` archive) — starting with another key would make every stored number unreadable."
)


def fingerprint(key: str | None = None) -> str:
    key = settings.FANZHA_PII_KEY if key is None else key
    return hmac.new(key.encode(), b"fanzha-pii-key-fingerprint", hashlib.sha256).hexdigest()[:32]


def _sample_ciphertext() -> str | None:
    from fanzha.org.models import Resident

    return (Resident.objects.exclude(id_number_enc="").values_list("id_number_enc", flat=True).first()
            or Resident.objects.exclude(phone_enc="").values_list("phone_enc", flat=True).first())


def check_pii_key() -> None:
    """Raise PiiKeyMismatch when the key cannot be this database's (see the module docstring)."""
    from fanzha.core import pii
    from fanzha.core.models import PiiKeyFingerprint

    current = fingerprint()
    try:
        recorded = PiiKeyFingerprint.objects.values_list("fingerprint", flat=True).first()
    except DatabaseError:
        return  # not migrated yet
    if recorded is not None:
        if recorded != current:
            raise PiiKeyMismatch(MESSAGE.format(home=settings.FANZHA_HOME))
        return
    sample = _sample_ciphertext()
    if sample:
        try:
            pii.decrypt(sample)
        except Exception:  # noqa: BLE001 — InvalidTag and malformed tokens alike mean "not this key"
            raise PiiKeyMismatch(MESSAGE.format(home=settings.FANZHA_HOME)) from None
    with transaction.atomic():
        if not PiiKeyFingerprint.objects.exists():
            PiiKeyFingerprint.objects.create(fingerprint=current)
