"""A bulk import keeps the head counts every page reads (NodeCounts) right as soon as it commits."""

from __future__ import annotations

from django.db.models import Count

from fanzha.org.counts import counts_of
from fanzha.org.models import Household, Residency, Resident
from fanzha.org.tests.io_helpers import RESIDENT_HEADERS, as_lists, do_import, resident_row, write_csv


def actual(node) -> tuple[int, int, int]:
    """(households, residents, not permanent) under `node`, counted from the tables."""
    f = {f"{node.level}_id": node.id}
    residents = Resident.objects.filter(**f).aggregate(n=Count("id"))["n"]
    floating = Resident.objects.filter(**f).exclude(residency=Residency.PERMANENT).count()  # floating or temporary
    return Household.objects.filter(**f).count(), residents, floating


def shown(node) -> tuple[int, int, int]:
    c = counts_of([node.id])[node.id]
    return c["households"], c["residents"], c["floating"]


def import_rows(tmp_path, tree, user, rows, name="r.csv"):
    path = write_csv(tmp_path / name, as_lists(rows, RESIDENT_HEADERS))
    result = do_import("residents", path, user, tree.street)
    assert result.ok and result.applied, result.summary()
    return result


def test_resident_import_counts_are_right_at_once(tmp_path, tree, personas):
    """The street's, community's and grids' head counts (what the home page shows) include the
    imported households and residents the moment the import returns: no stale cached figure."""
    before = {node.id: shown(node) for node in (tree.street, tree.c1, tree.g1, tree.g3)}  # as a home page would
    rows = [resident_row(1), resident_row(2, 地址="东关路101号", 与户主关系="配偶"),
            resident_row(3, 网格="南门第一网格", 社区="南门社区", 十联户="", 居住类型="流动")]
    import_rows(tmp_path, tree, personas.office, rows)
    for node in (tree.street, tree.c1, tree.g1, tree.g3, tree.county):
        assert shown(node) == actual(node), node.name
    assert shown(tree.g3) == tuple(b + 1 for b in before[tree.g3.id])  # one household, resident, floating
    assert shown(tree.street)[:2] == (before[tree.street.id][0] + 2, before[tree.street.id][1] + 3)


def test_changed_rows_move_the_counts_between_grids(tmp_path, tree, personas):
    """A re-import that moves a resident to another grid's household and makes them floating
    takes them off the old grid's counts and onto the new one's."""
    import_rows(tmp_path, tree, personas.office, [resident_row(1), resident_row(2)], name="a.csv")
    g1, g3 = shown(tree.g1), shown(tree.g3)
    moved = resident_row(2, 网格="南门第一网格", 社区="南门社区", 十联户="", 地址="南门路1号", 居住类型="流动")
    import_rows(tmp_path, tree, personas.office, [resident_row(1), moved], name="b.csv")
    for node in (tree.g1, tree.g3, tree.c1, tree.street):
        assert shown(node) == actual(node), node.name
    assert shown(tree.g1)[1:] == (g1[1] - 1, g1[2])  # its household stays, empty
    assert shown(tree.g3) == (g3[0] + 1, g3[1] + 1, g3[2] + 1)
