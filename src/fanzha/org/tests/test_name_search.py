"""Name search by prefix of the name, the given name or the pinyin initials, filled by every writer."""

from __future__ import annotations

import pytest

from fanzha.core.bulk import insert_rows
from fanzha.org import selectors, services
from fanzha.org.models import Resident


def _names(user, q):
    return sorted(r.name for r in selectors.resident_search(user, q=q))


@pytest.mark.parametrize("q", ["王", "王建", "王建国", "建国", "建", "wjg", "WJ", "w j"])
def test_name_search_keys(tree, personas, q):
    """Surname, full name, given name and initials (any case, spaces ignored) find the resident."""
    assert "王建国" in _names(personas.office, q)


def test_name_search_is_by_prefix(tree, personas):
    """A character inside the given name is not a key: 国 finds nobody in the fixture."""
    assert _names(personas.office, "国") == []
    assert _names(personas.office, "wx") == ["王小明"]


def test_name_search_stays_in_scope(tree, personas):
    """Initials search is scoped like any other: grid 2 does not see 王建国 of grid 1."""
    assert _names(personas.grid2, "wjg") == []


def test_keys_follow_a_renamed_resident(tree, personas):
    """The service's update sets the keys from the new name."""
    r = tree.r1b
    services.resident_update(resident=r, name="欧阳娜娜", id_number=r.id_number, phone=r.phone, birth_date=r.birth_date,
                             gender=r.gender)
    r.refresh_from_db()
    assert (r.name_given, r.name_initials) == ("娜娜", "oynn")
    assert _names(personas.office, "娜娜") == ["欧阳娜娜"]


def test_save_with_update_fields_name(tree):
    """save(update_fields=["name"]) writes the keys too."""
    r = Resident.objects.get(pk=tree.r2.pk)
    r.name = "张三"
    r.save(update_fields=["name"])
    assert Resident.objects.filter(pk=r.pk, name_given="三", name_initials="zs").exists()


def test_bulk_insert_fills_keys(tree, personas):
    """insert_rows computes the keys from the name, whether or not the writer passes the key columns."""
    h = tree.h1
    place = {f"{f}_id": getattr(h, f"{f}_id") for f in ("county", "street", "community", "grid", "group")}
    cols = ["household_id", *place, "name"]
    insert_rows(Resident, cols, [(h.id, *place.values(), "司马光")])
    insert_rows(Resident, [*cols, "name_given", "name_initials"], [(h.id, *place.values(), "曾小贤", "", "")])
    assert _names(personas.office, "smg") == ["司马光"]
    assert _names(personas.office, "小贤") == ["曾小贤"]
    assert Resident.objects.get(name="曾小贤").name_initials == "zxx"


def test_bulk_update_of_names_writes_keys(tree, personas):
    """An importer's bulk_update of changed names writes their keys too."""
    r = Resident.objects.get(pk=tree.r2.pk)
    r.name = "诸葛亮"
    Resident.objects.bulk_update([r], ["name"])
    assert _names(personas.office, "zgl") == ["诸葛亮"]
    assert _names(personas.office, "亮") == ["诸葛亮"]


@pytest.mark.parametrize("who, found", [
    ("office", True), ("leader", True), ("police", True), ("community", True), ("gridleader", True),
    ("grid1", True), ("grid2", False), ("grouphead", True), ("outsider", False),
])
def test_name_search_scoped_for_every_role(tree, personas, who, found):
    """Each role finds 王建国 (grid 1) by name and initials only when grid 1 is inside its scope."""
    user = getattr(personas, who)
    assert ("王建国" in _names(user, "王建")) is found
    assert ("王建国" in _names(user, "wjg")) is found


def _name_subquery(qs) -> str:
    """The SQL of the `id IN (SELECT …)` subquery of a name search, up to its closing parenthesis."""
    sql, _params = qs.query.sql_with_params()
    start = sql.index(" IN (SELECT") + len(" IN (")
    depth = 1
    for i in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        if depth == 0:
            return sql[start:i]
    raise AssertionError("unbalanced subquery")


def test_name_subquery_carries_the_scope(tree, personas):
    """The ids matching the name are taken inside the user's scope and the list's node (an index range per county)."""
    assert '"grid_id"' in _name_subquery(selectors.resident_search(personas.grid1, q="王"))
    assert '"street_id"' in _name_subquery(selectors.resident_search(personas.office, q="王"))
    qs = selectors.resident_search(personas.office, q="王", node=tree.g1)
    assert '"grid_id"' in _name_subquery(qs)
    assert sorted(r.name for r in qs) == _names(personas.grid1, "王")


@pytest.mark.django_db
def test_resident_indexes_lead_with_the_county_and_hashes_have_one_index():
    """Name keys have (county, key) indexes; on PostgreSQL each keyed hash has one index, not a second `_like` one."""
    from django.db import connection

    with connection.cursor() as cur:
        indexes = connection.introspection.get_constraints(cur, Resident._meta.db_table)
    columns = [tuple(i["columns"]) for i in indexes.values() if i["index"]]
    for key in ("name", "name_given", "name_initials"):
        assert ("county_id", key) in columns
    for column in ("id_number_hash", "phone_hash", "phone2_hash", "phone_tail_hash"):
        assert columns.count((column,)) == 1, column
