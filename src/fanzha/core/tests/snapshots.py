"""Shared test data built once per test process and put back for each test.

The shared tree and the personas are made through the services (so they hold
exactly what the services write: encrypted numbers, audit rows, head counts).
Doing that for every one of ~1,500 tests spent most of the suite's time in the
same thirty service calls. Instead, the first test that asks for them builds
them inside a savepoint, reads back every row the build added (table by
table, diffing against the rows that were there before), rolls the build back
and inserts those rows again; every later test only inserts the rows (one
INSERT per table) and gets a fresh deep copy of the Python objects, so one
test's changes to them never reach another.

It falls back to the services when it cannot be sure the copy is exact: the
build changed or removed a row that was there before, or the rows collide
with what the test made first (a fixture that created nodes earlier).
FANZHA_TEST_SNAPSHOTS=0 turns it off.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from django.db import IntegrityError, connection, transaction

ENABLED = os.environ.get("FANZHA_TEST_SNAPSHOTS", "1") != "0"


@dataclass
class Snapshot:
    objects: Any
    tables: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)


_taken: dict[tuple[str, str], Snapshot | None] = {}


def _rows() -> dict[str, tuple[list[str], list[tuple]]]:
    qn = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT * FROM {qn(table)}")
            out[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    return out


def _added(before, after) -> dict[str, tuple[list[str], list[tuple]]] | None:
    """Rows in `after` that were not in `before`, or None when a row that was there changed or went."""
    added = {}
    for table, (cols, rows) in after.items():
        old = {repr(r) for r in before.get(table, ([], []))[1]}
        new = [r for r in rows if repr(r) not in old]
        if len(rows) - len(new) != len(old):
            return None
        if new:
            added[table] = (cols, new)
    return added


def _adapt(value):
    if connection.vendor == "postgresql" and isinstance(value, (dict, list)):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


def _insert(tables) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, (cols, rows) in tables.items():
            marks = ", ".join(["%s"] * len(cols))
            cursor.executemany(
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES ({marks})",
                [tuple(_adapt(v) for v in row) for row in rows],
            )


def restored(key: str, build: Callable[[], Any], *, exact: bool = True) -> Any:
    """The objects `build()` makes, with their rows in the database, built through the services once per process.

    `exact=False` says the objects this build would point at are not the snapshot's (a base fixture fell back to
    the services), so it builds through the services without taking or using a snapshot."""
    if not ENABLED or not exact:
        return build()
    slot = (connection.vendor, key)
    snap = _taken.get(slot, False)
    if snap is False:
        before = _rows()
        with transaction.atomic():
            objects = build()
            tables = _added(before, _rows())
            transaction.set_rollback(True)
        snap = _taken[slot] = Snapshot(copy.deepcopy(objects), tables) if tables is not None else None
        if snap is None:
            return build()
    elif snap is None:
        return build()
    try:
        with transaction.atomic():
            _insert(snap.tables)
    except IntegrityError:
        return build()
    from django.core.cache import cache

    cache.clear()
    objects = copy.deepcopy(snap.objects)
    objects._from_snapshot = True
    return objects


def is_exact(objects) -> bool:
    """Whether these objects came from a snapshot (their ids are the snapshot's)."""
    return getattr(objects, "_from_snapshot", False)
