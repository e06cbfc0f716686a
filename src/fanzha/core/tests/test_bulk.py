"""The one raw-insert engine (`fanzha.core.bulk.insert_rows`) writes what the ORM reads back, by either route.

A list of a few rows goes through INSERT; a generator (and, on PostgreSQL, any
larger set) through COPY ... FROM STDIN. Each test runs both routes.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from fanzha.alerts.models import AlertBatch, Notification
from fanzha.cases.models import Case
from fanzha.core.bulk import insert_rows
from fanzha.org.models import Household, Resident

ODD_TEXT = "tab\there\nnewline\r\nCR, back\\slash, \\N, \\t literal, 'quote' \"dq\", 中文；"
ROUTES = [pytest.param(list, id="list"), pytest.param(iter, id="generator")]


def _place(node) -> dict:
    return {f"{f}_id": getattr(node, f"{f}_id") for f in ("county", "street", "community", "grid", "group")}


@pytest.mark.parametrize("route", ROUTES)
def test_odd_values_come_back_unchanged(tree, personas, route):
    """Text with tabs, newlines and backslashes, None, dates, a datetime in another time zone, Decimal, bool,
    float and JSON are stored exactly, and the columns left out get their defaults (auto timestamps included)."""
    place = _place(tree.g1a)
    cols = ["reported_on", "loss_on", "victim_age", "victim_student", "loss", "fraud_type", "narrative",
            "suggested_confidence", "number", *place]
    insert_rows(Case, cols, route([
        (dt.date(2026, 2, 28), dt.date(1999, 12, 31), None, True, Decimal("12345678.09"), "other", ODD_TEXT, 0.125,
         "N-1", *place.values()),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), 71, False, Decimal("0.01"), "other", "", None, "N-2",
         *place.values()),
    ]))
    first, second = Case.objects.filter(number__in=["N-1", "N-2"]).order_by("number")
    assert (first.reported_on, first.loss_on, first.victim_age, first.victim_student) == (
        dt.date(2026, 2, 28), dt.date(1999, 12, 31), None, True)
    assert (first.loss, first.narrative, first.suggested_confidence) == (Decimal("12345678.09"), ODD_TEXT, 0.125)
    assert (second.victim_age, second.victim_student, second.loss, second.narrative) == (71, False,
                                                                                          Decimal("0.01"), "")
    assert second.suggested_confidence is None
    assert (first.stopped, first.version, first.is_major, first.channel) == (Decimal("0"), 1, False, "phone")
    assert first.created_at is not None and first.created_at == first.updated_at == second.created_at

    beijing = dt.datetime(2026, 11, 26, 8, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    insert_rows(Notification, ["user_id", "created_at", "kind", "text", "alert_id", "url"],
                route([(personas.office.id, beijing, "batch", ODD_TEXT, None, "/a?b=1&c=\\d")]))
    n = Notification.objects.get(text=ODD_TEXT)
    assert n.created_at == beijing and n.created_at.utcoffset() == dt.timedelta(0)
    assert (n.alert_id, n.read_at, n.url) == (None, None, "/a?b=1&c=\\d")

    counts = {"新": 3, "text": ODD_TEXT, "list": [1, None, True]}
    insert_rows(AlertBatch, ["area_id", "filename", "counts"],
                route([(tree.street.id, "a\tb.xlsx", json.dumps(counts))]))
    insert_rows(AlertBatch, ["area_id", "filename"], route([(tree.street.id, "defaults.xlsx")]))
    assert AlertBatch.objects.get(filename="a\tb.xlsx").counts == counts
    assert AlertBatch.objects.get(filename="defaults.xlsx").counts == {}


@pytest.mark.parametrize("route", ROUTES)
def test_derived_name_keys_are_filled(tree, route):
    """The name search keys are computed from the name on both routes."""
    h = tree.h1
    place = _place(h)
    insert_rows(Resident, ["household_id", *place, "name", "birth_date"],
                route([(h.id, *place.values(), "司马光", dt.date(1950, 1, 2)),
                       (h.id, *place.values(), "欧阳娜娜", None)]))
    assert set(Resident.objects.filter(name__in=["司马光", "欧阳娜娜"]).values_list(
        "name", "name_given", "name_initials", "birth_date")) == {
        ("司马光", "光", "smg", dt.date(1950, 1, 2)), ("欧阳娜娜", "娜娜", "oynn", None)}


@pytest.mark.parametrize("route", ROUTES)
def test_a_refused_row_is_an_integrity_error_and_nothing_stays(tree, route):
    """A duplicate the database refuses surfaces as Django's IntegrityError on either route, and the
    caller's transaction keeps none of the rows."""
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Household, ["address", "grid_id"], route([("乙路\t1号", tree.g1.id), ("乙路\t1号", tree.g1.id)]))
    assert not Household.objects.filter(address="乙路\t1号").exists()


def test_a_long_generator_is_written_whole(tree):
    """Rows streamed from a generator larger than the batch size all arrive, in order of their values."""
    place = _place(tree.g1a)

    def rows():
        for i in range(4_321):
            yield (f"丙路{i}号\n二单元", f"户主{i}", *place.values())

    insert_rows(Household, ["address", "head_name", *place], rows(), batch=1000)
    got = Household.objects.filter(address__startswith="丙路")
    assert got.count() == 4_321
    assert got.get(head_name="户主4320").address == "丙路4320号\n二单元"
