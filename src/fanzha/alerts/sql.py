"""Small plain-SQL helpers for the hot paths (a pushed alert, the sweep): the ORM's per-call
compilation costs more there than the statements themselves."""

from __future__ import annotations

import functools

from django.db import connection

from fanzha.core.imports import insert_rows


@functools.lru_cache(maxsize=32)
def _plan(model, columns: tuple[str, ...], vendor: str):
    """INSERT statement, default values of the other columns and the datetime columns' positions,
    worked out once per model and column list (`insert_rows` does it on every call)."""
    from django.db.models import DateTimeField

    qn = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in columns]
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) or (f.has_default() and callable(f.default))
           for f in rest):
        return None  # defaults that change per row: use insert_rows
    tail = tuple(f.get_db_prep_save(f.get_default() if f.has_default() else None, connection) for f in rest)
    names = [fields[c].column for c in columns] + [f.column for f in rest]
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(n) for n in names)}) "
           f"VALUES ({', '.join(['%s'] * len(names))})")
    stamps = tuple(i for i, c in enumerate(columns) if isinstance(fields[c], DateTimeField))
    return sql, tail, stamps


def insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows (see `fanzha.core.imports.insert_rows`), with the statement cached."""
    if not rows:
        return
    plan = _plan(model, tuple(columns), connection.vendor)
    if plan is None:
        insert_rows(model, columns, rows)
        return
    sql, tail, stamps = plan
    adapt = connection.ops.adapt_datetimefield_value
    out = []
    for row in rows:
        row = list(row)
        for i in stamps:
            if row[i] is not None:
                row[i] = adapt(row[i])
        out.append((*row, *tail))
    with connection.cursor() as cur:
        if len(out) == 1:
            cur.execute(sql, out[0])
        elif connection.vendor == "postgresql" and len(out) <= 50:
            # A handful of rows (a pushed alert's assignees): one multi-row INSERT, one round trip.
            head, values = sql.split(" VALUES ", 1)
            cur.execute(f"{head} VALUES {', '.join([values] * len(out))}", [v for row in out for v in row])
        elif connection.vendor == "postgresql":
            # COPY: thousands of single INSERTs (executemany) make PostgreSQL parse and plan each
            # one, and a multi-row INSERT is quoted value by value in Python; COPY streams the rows.
            head = sql.split(" VALUES ", 1)[0].removeprefix("INSERT INTO ")
            with cur.cursor.copy(f"COPY {head} FROM STDIN") as copy:
                for row in out:
                    copy.write_row(row)
        else:
            cur.executemany(sql, out)


def insert_returning_id(model, columns: list[str], row: tuple) -> int | None:
    """Insert one row and return its id (RETURNING where the database has it); None: look it up."""
    if not connection.features.can_return_columns_from_insert:
        insert(model, columns, [row])
        return None
    plan = _plan(model, tuple(columns), connection.vendor)
    if plan is None:
        insert(model, columns, [row])
        return None
    sql, tail, stamps = plan
    adapt = connection.ops.adapt_datetimefield_value
    row = list(row)
    for i in stamps:
        if row[i] is not None:
            row[i] = adapt(row[i])
    with connection.cursor() as cur:
        cur.execute(f"{sql} RETURNING {connection.ops.quote_name(model._meta.pk.column)}", (*row, *tail))
        return cur.fetchone()[0]
