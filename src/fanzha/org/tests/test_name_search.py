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
