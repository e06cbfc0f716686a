"""The demo's bulk writer stores people exactly as the org services do (their model setters)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fanzha.core.idnumbers import make_id_number, mask_id_number
from fanzha.core.names import name_keys
from fanzha.core.pii import lookup_hash
from fanzha.demo.people import DEMO_LOCAL_REGIONS, People
from fanzha.demo.rows import Writer
from fanzha.org.counts import recount_grids
from fanzha.org.models import FamilyMember, NodeCounts, Resident, StaffMember

PII_COLUMNS = ("id_number_hash", "id_number_masked", "phone_hash", "phone_masked")


@pytest.mark.django_db
def test_written_residents_carry_what_the_service_stores(tree):
    """A resident written in bulk has the same keyed hashes, masks, phone tails and name keys as one made by
    resident_create with the same numbers, and decrypts to them."""
    people = People(random.Random(7), local_regions=DEMO_LOCAL_REGIONS, seq_base=0, seq_span=400,
                    today=dt.date(2026, 11, 26))
    family = people.household(3)
    family[0].phone, family[0].phone2 = family[0].phone or "13512345678", "057988001234"
    writer = Writer()
    writer.add_household(tree.g1a, "东关路9号", family)
    writer.flush()
    head = Resident.objects.get(pk=family[0].resident_id)
    assert (head.id_number, head.phone, head.phone2) == (family[0].id_number, family[0].phone, "057988001234")
    twin = Resident(household=tree.h1, name=family[0].name)  # what the services' setters and save() store
    twin.set_id_number(family[0].id_number)
    twin.set_phone(family[0].phone)
    twin.set_phone2("057988001234")
    twin.name_given, twin.name_initials = name_keys(twin.name)
    for column in (*PII_COLUMNS, "phone2_hash", "phone2_masked", "phone_tail_hash", "phone2_tail_hash", "name_given",
                   "name_initials"):
        assert getattr(head, column) == getattr(twin, column), column
    assert head.household.group_id == tree.g1a.id and head.grid_id == tree.g1.id


@pytest.mark.django_db
def test_written_staff_and_family_carry_what_the_service_stores(tree):
    """Staff and family members written in bulk carry the service's hashes and masks; a resident on staff is linked."""
    idn = make_id_number("330727", dt.date(1980, 5, 6), 11)
    people = People(random.Random(8), local_regions=DEMO_LOCAL_REGIONS, seq_base=0, seq_span=400,
                    today=dt.date(2026, 11, 26))
    p = people.person(45)
    p.id_number, p.phone, p.resident_id = idn, "13612340000", tree.r2.id
    q = people.person(70)
    writer = Writer()
    writer.staff([(tree.unit, p, "教师", "formal", [("parent", q)])])
    s = StaffMember.objects.get(unit=tree.unit, resident=tree.r2)
    twin = StaffMember(unit=tree.unit, name=p.name)
    twin.set_id_number(idn)
    twin.set_phone("13612340000")
    assert all(getattr(s, c) == getattr(twin, c) for c in PII_COLUMNS)
    f = FamilyMember.objects.get(staff=s)
    assert (f.id_number, f.id_number_hash, f.id_number_masked) == (q.id_number, lookup_hash("id", q.id_number),
                                                                   mask_id_number(q.id_number))
    assert (writer.counts["staff"], writer.counts["family_members"]) == (1, 1)


@pytest.mark.django_db
def test_recount_after_a_bulk_write_matches_the_records(tree):
    """After the writer adds a household under a grid, recounting that grid brings every ancestor's head counts
    to the records (what the demo does before it commits)."""
    people = People(random.Random(9), local_regions=DEMO_LOCAL_REGIONS, seq_base=0, seq_span=400,
                    today=dt.date(2026, 11, 26))
    writer = Writer()
    writer.add_household(tree.g2a, "东关路10号", people.household(4))
    writer.flush()
    recount_grids([tree.g2.id])
    for node in (tree.g2, tree.c1, tree.street, tree.county):
        row = NodeCounts.objects.get(node=node)
        assert row.residents == Resident.objects.filter(**{f"{node.level}_id": node.id}).count()
