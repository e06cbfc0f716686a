"""Search by the last four digits of a phone: keyed tail hashes, scoped, and why nothing matched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from fanzha.core.idnumbers import make_id_number
from fanzha.org import selectors, services
from fanzha.org.models import Resident, tail_hash


def test_classify_tail():
    """Four digits alone, or after 尾号 / 后四位, are a phone's last four; other short numbers are not."""
    assert selectors.classify_query("8001") == ("tail", "8001")
    assert selectors.classify_query(" 尾号 8001") == ("tail", "8001")
    assert selectors.classify_query("后四位：８００１") == ("tail", "8001")
    assert selectors.classify_query("800")[0] == "name"
    assert selectors.classify_query("80011")[0] == "name"


def test_services_store_tail_hashes(tree):
    """Creating or editing a resident stores the tail hash of each phone; no phone, no hash."""
    r = Resident.objects.get(pk=tree.r1.pk)
    assert r.phone_tail_hash == tail_hash("8001") and r.phone2_tail_hash == ""
    services.resident_update(resident=r, name=r.name, id_number=r.id_number, phone="", phone2="028-8765-4321")
    r.refresh_from_db()
    assert r.phone_tail_hash == "" and r.phone2_tail_hash == tail_hash("4321")


def test_tail_search_finds_phone_and_second_phone(login, personas, tree):
    """The grid worker finds residents by the last four digits of either phone, within their grid only."""
    services.resident_update(resident=tree.r1b, name=tree.r1b.name, id_number=tree.r1b.id_number,
                             phone=tree.r1b.phone, phone2="13912348001", is_student=True, residency="temporary")
    # r2 (another grid) also ends in 8001 on its second phone: not the grid worker's to see
    services.resident_update(resident=tree.r2, name=tree.r2.name, id_number=tree.r2.id_number, phone=tree.r2.phone,
                             phone2="13700008001")
    html = login(personas.grid1).get("/residents/", {"q": "8001"}).content.decode()
    assert "王建国" in html and "王小明" in html and "李秀英" not in html
    assert "按手机尾号 8001 查找" in html
    html = login(personas.community).get("/residents/", {"q": "尾号8001"}).content.decode()
    assert "王建国" in html and "王小明" in html and "李秀英" in html


def test_tail_search_says_why_nothing_matched(login, personas, tree):
    """No match: the page names the tail, the user's grid and the filters applied, not other areas' residents."""
    html = login(personas.grid1).get("/residents/", {"q": "9003", "tag": "student"}).content.decode()
    assert "没有找到居民" in html
    assert "在东关第一网格没有手机号或备用电话尾号为9003的居民" in html
    assert "同时按“学生”筛选了" in html
    assert "张伟" not in html  # r3 (13700137003) ends in 7003, elsewhere anyway


def test_short_number_hint(login, personas, tree):
    """Digits that are neither a whole number nor four digits get a hint on how to search by number."""
    html = login(personas.grid1).get("/residents/", {"q": "138001"}).content.decode()
    assert "手机号后四位" in html


def test_tail_search_is_one_index_probe_per_phone(tree):
    """On SQLite the tail search uses the tail-hash indexes, not a scan of the residents."""
    if connection.vendor != "sqlite":
        pytest.skip("query plan checked on SQLite")
    qs = Resident.objects.filter(selectors.phone_tail_q("8001"))
    with connection.cursor() as cur:
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cur.fetchall())
    assert "phone_tail_hash" in plan and "resident_phone2_tail" in plan, plan


def test_import_fills_tail_hashes(tree, personas):
    """Residents written by the bulk import get their tail hashes too."""
    from fanzha.org.importers import NEW_RESIDENT_COLUMNS

    assert "phone_tail_hash" in NEW_RESIDENT_COLUMNS and "phone2_tail_hash" in NEW_RESIDENT_COLUMNS


def test_demo_writer_fills_tail_hashes(tree):
    """set_phone / set_phone2 give a resident its tail hashes (the demo's bulk writer is held to them in
    fanzha/demo/tests/test_rows.py)."""
    r = Resident(household=tree.h1, name="测试")
    r.set_phone("13612345678")
    r.set_phone2("13698765432")
    assert r.phone_tail_hash == tail_hash("5678") and r.phone2_tail_hash == tail_hash("5432")


def test_tail_hash_depends_on_key(settings):
    """The tail hash is keyed: another key gives another hash."""
    a = tail_hash("1234")
    settings.FANZHA_PII_KEY = "another-key-for-this-test-only-0123456789"
    assert tail_hash("1234") != a


def test_phone_search_unchanged(login, personas, tree):
    """A whole phone number still finds exactly its resident."""
    r = services.resident_create(household=tree.h1, name="赵六", phone="13611118001",
                                 id_number=make_id_number("110101", dt.date(1960, 1, 1), 777))
    html = login(personas.grid1).get("/residents/", {"q": "13611118001"}).content.decode()
    assert r.name in html and "王建国" not in html
