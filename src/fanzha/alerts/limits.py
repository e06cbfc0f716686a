"""Time limits per grade (SPEC §3): defaults, the office's own per street, and the due times they give."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from fanzha.alerts.models import Grade, Stage, TimeLimit


@dataclass(frozen=True)
class Limits:
    """Minutes from receipt to sign, to first contact and to being on site (None: no such limit)."""

    sign: int | None
    contact: int | None
    onsite: int | None


# Product defaults (SPEC §3): high — signed in 5 minutes, first contact in 10, on site in 30;
# medium — contact within an hour; low — within 24 hours.
DEFAULT_LIMITS: dict[str, Limits] = {
    Grade.HIGH: Limits(sign=5, contact=10, onsite=30),
    Grade.MEDIUM: Limits(sign=None, contact=60, onsite=None),
    Grade.LOW: Limits(sign=None, contact=24 * 60, onsite=None),
}


class LimitBook:
    """The limits of some streets, read once (one query) for a batch or a request."""

    def __init__(self, street_ids) -> None:
        ids = sorted(i for i in set(street_ids) if i)
        self.by_key: dict[tuple[int, str], Limits] = {}
        if ids:
            # Plain SQL: read on every pushed alert.
            qn = connection.ops.quote_name
            with connection.cursor() as cur:
                cur.execute(f"SELECT street_id, grade, sign_minutes, contact_minutes, onsite_minutes "
                            f"FROM {qn(TimeLimit._meta.db_table)} WHERE street_id IN ({', '.join(['%s'] * len(ids))})", ids)
                for street_id, grade, sign, contact, onsite in cur.fetchall():
                    self.by_key[(street_id, grade)] = Limits(sign, contact, onsite)

    @classmethod
    def from_rows(cls, rows) -> LimitBook:
        """A book of rows (street id, grade, sign, contact, onsite minutes) read elsewhere (see RuleBook.from_rows)."""
        book = cls(())
        for street_id, grade, sign, contact, onsite in rows:
            book.by_key[(street_id, grade)] = Limits(sign, contact, onsite)
        return book

    def get(self, street_id: int | None, grade: str) -> Limits:
        return self.by_key.get((street_id, grade)) or DEFAULT_LIMITS[grade]


def limits_for(street_id: int | None, grade: str) -> Limits:
    return LimitBook([street_id]).get(street_id, grade)


def due_times(limits: Limits, received_at: dt.datetime) -> dict[str, dt.datetime | None]:
    def after(minutes):
        return received_at + dt.timedelta(minutes=minutes) if minutes is not None else None

    return {"sign_due_at": after(limits.sign), "contact_due_at": after(limits.contact),
            "onsite_due_at": after(limits.onsite)}


def first_watch(dues: dict[str, dt.datetime | None], max_escalation: int) -> tuple[str, dt.datetime | None]:
    """The first limit that would escalate the alert: ('sign', due) ..., or ('', None)."""
    if max_escalation <= 0:
        return "", None
    for stage, key in ((Stage.SIGN, "sign_due_at"), (Stage.CONTACT, "contact_due_at"), (Stage.ONSITE, "onsite_due_at")):
        if dues.get(key) is not None:
            return stage, dues[key]
    return "", None
