"""Batch import of clues (12337 export, WeChat round-up): every bad row reported, all or nothing, idempotent."""

from __future__ import annotations

import pytest

from fanzha.clues.importers import ClueImporter
from fanzha.clues.models import Clue
from fanzha.core.imports import run_import
from fanzha.core.imports import importer_for
from fanzha.org.importers import import_context

pytestmark = pytest.mark.django_db

GOOD = ("来源,外部编号,接收时间,线索内容,类别,社区,网格,电话号码,网址\n"
        "12337平台,A-1,2025-03-01 14:20,有人收购银行卡,出租出借两卡,东关社区,东关第一网格,13912345678,\n"
        "微信群,,2025-03-02,群里发刷单链接,涉诈网址/App,南门社区,,,http://shua.example\n").encode("utf-8")


def test_import_is_registered_and_idempotent(tree, personas):
    """The kind is on the import page; a good file makes clues once, a second import changes nothing."""
    assert importer_for("clues") is ClueImporter
    ctx = import_context(user=personas.office, street=tree.street)
    res = run_import(ClueImporter, ctx, GOOD, filename="12337.csv")
    assert res.ok and Clue.objects.count() == 2, res.errors
    c = Clue.objects.get(external_ref="A-1")
    assert (c.source, c.kind, c.grid_id, c.status) == ("p12337", "two_cards", tree.g1.pk, "new")
    assert c.subjects.get().shown == "139****5678"
    res = run_import(ClueImporter, import_context(user=personas.office, street=tree.street), GOOD, filename="12337.csv")
    assert res.ok and Clue.objects.count() == 2 and res.counts["线索"]["unchanged"] == 2


def test_bad_rows_are_all_reported_and_nothing_imported(tree, personas):
    """Unknown source, bad time, empty content and an unknown community are each reported; nothing is written."""
    bad = ("来源,接收时间,线索内容,社区,电话号码\n"
           "飞鸽传书,2025-03-01,内容,东关社区,\n"
           "微信群,昨天,内容,东关社区,\n"
           "微信群,2025-03-01,,东关社区,\n"
           "微信群,2025-03-01,内容,不存在社区,abc\n").encode("utf-8")
    res = run_import(ClueImporter, import_context(user=personas.office, street=tree.street), bad, filename="x.csv")
    assert not res.ok and Clue.objects.count() == 0
    got = {(e.row, e.column) for e in res.errors}
    assert {(2, "来源"), (3, "接收时间"), (4, "线索内容"), (5, "社区"), (5, "电话号码")} <= got
