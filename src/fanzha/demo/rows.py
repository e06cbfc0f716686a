"""Writing demo data in bulk: unsaved model instances turned into rows for `fanzha.core.bulk.insert_rows`.

The demo builds hundreds of thousands of rows (730,000 for the county data
set). They go through the project's one raw-insert engine, `insert_rows`
(plain tuples handed to the driver's executemany: bulk_create's per-value
compilation was two thirds of the county build). The demo keeps building
model instances (`Rows`, about 1 µs each) because its builders read and set
fields by name; `insert_objects` turns them into tuples.

Rows that later rows point at (households before their residents, staff
before their family members) get their primary keys reserved first
(`reserve_ids`), so no read-back is needed.
"""

from __future__ import annotations

import operator

from django.db import connection
from django.db.models import DateTimeField
from django.db.models.base import ModelState

from fanzha.core.bulk import insert_rows
from fanzha.core.pii import Encoder
from fanzha.org.models import FamilyMember, Household, Node, Resident, StaffMember, Unit, phone_tail_hasher

# Rows per executemany call, and the flush size of the row buffers, which bounds memory at county scale.
BATCH = 5000


def say(stdout, msg: str) -> None:
    if stdout is not None:
        stdout.write(msg + "\n")


def placed(node_or_row) -> dict:
    """The ancestor columns of a node (or of a placed row), to place another row at the same spot."""
    return {"county_id": node_or_row.county_id, "street_id": node_or_row.street_id,
            "community_id": node_or_row.community_id, "grid_id": node_or_row.grid_id,
            "group_id": node_or_row.group_id}


def reserve_ids(model, n: int) -> list[int] | None:
    """`n` fresh primary keys for `model`, or None when the backend is neither SQLite nor PostgreSQL.

    PostgreSQL: drawn from the id column's sequence, safe beside other writers.
    SQLite: the next ids after both MAX(id) and AUTOINCREMENT's high-water
    mark; safe because the build runs in one transaction that holds SQLite's
    single write lock from its first write on.
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One array back instead of n rows: the driver parses it in one go.
            cur.execute("SELECT array_agg(nextval(pg_get_serial_sequence(%s, %s))) FROM generate_series(1, %s)",
                        [table, pk, n])
            return cur.fetchone()[0]
        if connection.vendor == "sqlite":
            qn = connection.ops.quote_name
            cur.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")
            top = cur.fetchone()[0] or 0
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + n))
    return None


def insert_objects(objs: list, *, with_ids: bool = False) -> None:
    """Insert unsaved instances of one model through `insert_rows`.

    1. The columns: every concrete field but the primary key and the
       auto_now / auto_now_add timestamps (insert_rows stamps those, one
       timestamp for the batch).
    2. With `with_ids`, reserve primary keys (`reserve_ids`) and set them on
       the instances first, so later rows can point at them; backends other
       than SQLite and PostgreSQL fall back to bulk_create, which returns them.
    3. One tuple per instance, handed to insert_rows as a generator.
    """
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields
              if not f.primary_key and not (isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add))]
    if with_ids:
        ids = reserve_ids(model, len(objs))
        if ids is None:
            model.objects.bulk_create(objs, batch_size=BATCH)
            return
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
        fields = [model._meta.pk, *fields]
    columns = [f.attname for f in fields]
    row_of = operator.attrgetter(*columns)
    insert_rows(model, columns, (row_of(obj) for obj in objs), batch=BATCH)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


class Rows:
    """Fast construction of unsaved instances of one model, for `insert_objects`.

    Model.__init__ with keyword arguments costs ~30 µs per Resident on this
    machine, ~20 s over the county build's 730,000 rows. Here each instance is a copy of
    one default instance's attributes updated with the given values (by
    attname, e.g. household_id), with a fresh ModelState: ~1 µs. It is only
    valid for models whose defaults are constants, which these are; unknown
    names raise, so a renamed field cannot be silently dropped.
    """

    def __init__(self, model):
        self.model = model
        self.defaults = {k: v for k, v in model().__dict__.items() if k != "_state"}
        self.names = frozenset(self.defaults)

    def __call__(self, **values):
        if not self.names.issuperset(values):
            raise TypeError(f"{self.model.__name__} has no field(s) {sorted(set(values) - self.names)}")
        obj = self.model.__new__(self.model)
        attrs = self.defaults.copy()
        attrs.update(values)
        obj.__dict__ = attrs
        obj._state = ModelState()
        return obj


def analyze() -> None:
    """Refresh the query planner's statistics for the tables just filled.

    Without them SQLite takes every equality as selective and may answer an
    exact phone look-up scoped to a county by walking the county_id index
    (all 450,000 rows, ~400 ms) instead of the phone hash index (~1 ms).
    """
    tables = [m._meta.db_table for m in (Node, Household, Resident, Unit, StaffMember, FamilyMember)]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for table in tables:
                cur.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        elif connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


class Writer:
    """Buffers households and their residents and writes them in batches; then units' staff and their family.

    ID and phone numbers are stored as the services store them (encrypted, keyed hash, mask, and a
    resident's phone tails), through the one encoder for bulk rows, `fanzha.core.pii.Encoder`.
    """

    def __init__(self):
        self.numbers, self.tail = Encoder(), phone_tail_hasher()
        self.new_household, self.new_resident = Rows(Household), Rows(Resident)
        self.new_staff, self.new_family = Rows(StaffMember), Rows(FamilyMember)
        self.households: list[tuple[Household, list]] = []
        self.counts = {"households": 0, "residents": 0, "staff": 0, "family_members": 0}

    def _numbers(self, obj, p, *, resident: bool = False) -> None:
        """The stored forms of the person's ID number and phones on the unsaved row `obj`."""
        fields = obj.__dict__
        fields.update(self.numbers.columns("id_number", p.id_number))
        fields.update(self.numbers.columns("phone", p.phone))
        if resident:
            fields["phone_tail_hash"] = self.tail(p.phone)
            if p.phone2:
                fields.update(self.numbers.columns("phone2", p.phone2))
                fields["phone2_tail_hash"] = self.tail(p.phone2)

    def add_household(self, node: Node, address: str, members: list) -> None:
        h = self.new_household(address=address, head_name=members[0].name, **placed(node))
        for p in members:
            p.household = members
        self.households.append((h, members))
        if len(self.households) >= BATCH // 3:
            self.flush()

    def flush(self) -> None:
        """Insert the buffered households, then their residents (who need the household ids)."""
        if not self.households:
            return
        insert_objects([h for h, _ in self.households], with_ids=True)
        residents, people = [], []
        for h, members in self.households:
            where = placed(h)
            for p in members:
                r = self.new_resident(household_id=h.pk, name=p.name, gender=p.gender, birth_date=p.birth,
                                      residency=p.residency, relation=p.relation, occupation=p.occupation,
                                      is_student=p.is_student, is_finance_staff=p.is_finance_staff,
                                      lives_alone=p.lives_alone, **where)
                self._numbers(r, p, resident=True)
                residents.append(r)
                people.append(p)
        insert_objects(residents, with_ids=True)
        for r, p in zip(residents, people, strict=True):
            p.resident_id = r.pk
        self.counts["households"] += len(self.households)
        self.counts["residents"] += len(residents)
        self.households = []

    def staff(self, rows: list[tuple]) -> None:
        """Insert staff members and their family: rows of (unit, person, position, employment, family).

        A person with a `resident_id` is linked to that resident (same ID number).
        """
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            staff = []
            for unit, p, position, employment, _family in chunk:
                s = self.new_staff(unit_id=unit.pk, resident_id=p.resident_id, name=p.name, gender=p.gender,
                                   birth_date=p.birth, position=position, employment=employment, **placed(unit))
                self._numbers(s, p)
                staff.append(s)
            insert_objects(staff, with_ids=True)
            family = []
            for s, (_unit, _p, _pos, _emp, relatives) in zip(staff, chunk, strict=True):
                where = placed(s)
                for relation, q in relatives:
                    f = self.new_family(staff_id=s.pk, resident_id=q.resident_id, relation=relation, name=q.name,
                                        birth_date=q.birth, **where)
                    self._numbers(f, q)
                    family.append(f)
            insert_objects(family)
            self.counts["staff"] += len(staff)
            self.counts["family_members"] += len(family)
