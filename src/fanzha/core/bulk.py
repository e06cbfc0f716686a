"""Bulk writes: the one raw-insert engine and the plain-SQL reads that go with it.

Imports, the demo data and the alert intake write many rows at once; the ORM's
per-value compilation costs several times the insert itself there. Everything
that writes in bulk goes through `insert_rows` so there is one place that knows
how a row becomes a database row (defaults, auto timestamps, date adaptation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterable

from django.utils import timezone


def insert_rows(model, columns: list[str], rows: Iterable[tuple], *, batch: int = 2000, adapted: bool = False) -> None:
    """INSERT plain tuples into `model`'s table through the driver's executemany.

    bulk_create compiles every value of every row through the ORM; for 100,000
    residents that costs several times the insert itself. Here the caller gives
    the values of `columns` (attnames, in order) as Python values; every other
    concrete column gets its default (auto_now / auto_now_add: one timestamp for
    all rows). Dates and datetimes are adapted by the backend; the primary key is
    left to the database. Columns the model derives from another
    (`model.derived_columns`, e.g. a resident's name search keys) are computed
    here from their source, so every bulk writer fills them.

    `rows` may be a generator: rows are built (encrypted, say) one batch at a
    time, so the whole set of tuples never sits in memory. With adapted=True the
    caller has already passed dates through the backend's adapt_date*_value.

    On PostgreSQL more than a handful of rows go through one COPY ... FROM STDIN
    streamed row by row (psycopg's write_row, the same value adapters as the
    INSERT): one INSERT per row made the server parse and plan every row, which
    was most of a county build's time there. A few rows (a pushed alert's) keep
    the INSERT, which costs one round trip fewer.
    """
    from django.db import connection
    from django.db.models import DateTimeField

    copy = connection.vendor == "postgresql" and not (isinstance(rows, (list, tuple)) and len(rows) < COPY_FROM)
    plan = _plan(model, tuple(columns), adapted or copy, connection.vendor)
    sql, width, rest, adapt = plan.sql, plan.width, plan.rest, plan.adapt
    # Sources repeat (residents share names): each value's key is computed once per call.
    derived = [(i, src, fn, {}) for i, src, fn in plan.derived]  # (target index, source index, function, memo)
    now = timezone.now()
    constants = []
    for f in rest:
        if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add):
            value = now
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        else:
            raise ValueError(f"{model.__name__}.{f.name} has no default: pass it in columns")
        constants.append(f.get_db_prep_save(value, connection))
    tail = tuple(constants)

    def batches():
        out = []
        for row in rows:
            if derived:
                row = [*row, *([None] * (width - len(row)))]
                for i, src, fn, memo in derived:
                    value = row[src]
                    try:
                        row[i] = memo[value]
                    except KeyError:
                        if len(memo) >= 100_000:  # a bounded memo, however many rows stream through
                            memo.clear()
                        row[i] = memo[value] = fn(value)
            if adapt:
                row = list(row)
                for i, fn in adapt:
                    if row[i] is not None:
                        row[i] = fn(row[i])
            out.append((*row, *tail))
            if len(out) >= batch:
                yield out
                out = []
        if out:
            yield out

    with connection.cursor() as cur:
        if copy:
            # The driver's own cursor under Django's; Django's error wrapping kept, so a refused row is still
            # an IntegrityError. Rows stream to the server as they are built (psycopg flushes every 32 KB).
            with connection.wrap_database_errors, cur.cursor.copy(plan.copy_sql) as out:
                for chunk in batches():
                    for row in chunk:
                        out.write_row(row)
            return
        for chunk in batches():
            cur.executemany(sql, chunk)


#: Fewest rows that go through COPY on PostgreSQL (fewer: one INSERT executemany). A generator always copies.
COPY_FROM = 20


@dataclass(frozen=True)
class _Plan:
    sql: str
    copy_sql: str  # the same columns as a COPY ... FROM STDIN (PostgreSQL)
    width: int
    rest: tuple  # the model's other concrete fields, which get their defaults
    adapt: tuple  # (index, the backend's adapter) of the date and datetime columns
    derived: tuple  # (target index, source index, function) of `model.derived_columns`


@functools.lru_cache(maxsize=256)
def _plan(model, columns: tuple[str, ...], adapted: bool, vendor: str) -> _Plan:
    """The statement and column layout of an insert into `model` of `columns`, worked out once per
    model and column list: a pushed alert inserts a few rows into four tables, and working this out
    on every call cost more than the inserts themselves. Defaults are not kept here (they may be
    callables or the time): `insert_rows` takes them on each call."""
    from django.db import connection
    from django.db.models import DateField, DateTimeField

    ops, qn = connection.ops, connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    derived = []
    for target, (source, fn) in getattr(model, "derived_columns", {}).items():
        if source in columns:
            columns = columns if target in columns else (*columns, target)
            derived.append((columns.index(target), columns.index(source), fn))
    rest = tuple(f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in columns)
    adapt = []
    for i, name in enumerate(columns if not adapted else ()):
        f = fields[name]
        if isinstance(f, DateTimeField):
            adapt.append((i, ops.adapt_datetimefield_value))
        elif isinstance(f, DateField):
            adapt.append((i, ops.adapt_datefield_value))
    names = [fields[c].column for c in columns] + [f.column for f in rest]
    target = f"{qn(model._meta.db_table)} ({', '.join(qn(n) for n in names)})"
    sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(names))})"
    return _Plan(sql, f"COPY {target} FROM STDIN", len(columns), rest, tuple(adapt), tuple(derived))


def values_present(model, field: str, values) -> dict:
    """{value: pk} for those of `values` found in `model.field` (one indexed IN (...) per chunk).

    Plain SQL: the ORM's per-parameter preparation of large IN lists costs more than the look-up.
    """
    from django.db import connection

    values = [v for v in values if v]
    if not values:
        return {}
    qn = connection.ops.quote_name
    meta = model._meta
    column = meta.get_field(field).column
    size = min(connection.features.max_query_params or 999, 5000) - 1
    found: dict = {}
    with connection.cursor() as cur:
        for start in range(0, len(values), size):
            chunk = values[start:start + size]
            cur.execute(f"SELECT {qn(column)}, {qn(meta.pk.column)} FROM {qn(meta.db_table)} "
                        f"WHERE {qn(column)} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            found.update(cur.fetchall())
    return found


def fetch_rows(qs) -> list[tuple]:
    """The rows of a values_list() queryset as the driver returns them, skipping the ORM's
    per-value converters (on SQLite booleans arrive as 0/1 and dates as ISO text)."""
    from django.db import connections

    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@dataclass(frozen=True)
class _OnePlan:
    sql: str
    columns: tuple[str, ...]
    adapt: tuple  # (index, the backend's adapter) of the date and datetime columns
    derived: tuple  # (target index, source index, function) of `model.derived_columns`, as in `_Plan`
    fixed: tuple  # the prepared defaults that never change (plain, non-callable defaults)
    fresh: tuple  # (index in the tail, field) of the defaults taken on each call (callables, auto timestamps)


@functools.lru_cache(maxsize=64)
def _one_plan(model, columns: tuple[str, ...], conflict: str | None, vendor: str) -> _OnePlan:
    """`_plan`'s statement for one row, with `RETURNING` the new primary key and, with `conflict`
    naming a unique column, `ON CONFLICT (column) DO NOTHING` (no row back: the key was taken).
    The defaults that are plain values are prepared once here; only callables and auto
    timestamps are taken per row."""
    from django.db import connection
    from django.db.models import DateTimeField

    plan = _plan(model, columns, False, vendor)
    qn = connection.ops.quote_name
    meta = model._meta
    sql = plan.sql
    if conflict is not None:
        sql += f" ON CONFLICT ({qn(meta.get_field(conflict).column)}) DO NOTHING"
    sql += f" RETURNING {qn(meta.pk.column)}"
    tail, fresh = [], []
    for i, f in enumerate(plan.rest):
        if (isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add)) or callable(f.default):
            tail.append(None)
            fresh.append((i, f))
        elif f.has_default():
            tail.append(f.get_db_prep_save(f.get_default(), connection))
        elif f.null:
            tail.append(None)
        else:
            raise ValueError(f"{model.__name__}.{f.name} has no default: pass it in columns")
    return _OnePlan(sql, columns, plan.adapt, plan.derived, tuple(tail), tuple(fresh))


def insert_one(model, values: dict, *, on_conflict_skip: str | None = None) -> int | None:
    """INSERT one row of `values` (attnames → Python values) and return its primary key.

    The single-row form of `insert_rows` for a hot path that needs the new key (a pushed
    alert): the same statement, defaults and derived columns, plus `RETURNING` the key in the
    same round trip, and the defaults that are plain values prepared once per model. With
    `on_conflict_skip` naming a unique column, a row whose value is already taken is not
    inserted and None is returned (the caller reads the existing row), without an
    IntegrityError breaking the transaction. SQLite ≥ 3.35 and PostgreSQL.
    """
    from django.db import connection
    from django.db.models import DateTimeField

    plan = _one_plan(model, tuple(values), on_conflict_skip, connection.vendor)
    row = list(values.values())
    for target, src, fn in plan.derived:
        if target < len(row):
            row[target] = fn(row[src])
        else:
            row.append(fn(row[src]))
    for i, fn in plan.adapt:
        if row[i] is not None:
            row[i] = fn(row[i])
    tail = list(plan.fixed)
    if plan.fresh:
        now = timezone.now()
        for i, f in plan.fresh:
            value = now if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add) else f.get_default()
            tail[i] = f.get_db_prep_save(value, connection)
    with connection.cursor() as cur:
        cur.execute(plan.sql, row + tail)
        found = cur.fetchone()
    return found[0] if found else None
