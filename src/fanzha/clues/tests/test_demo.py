"""Demo clues: a year from every source with the awkward cases, and printed receipt codes that look up."""

from __future__ import annotations

import io
import re

import pytest

from fanzha.demo.clues import build_history, load_demo
from fanzha.clues.models import Clue, Handoff, Source, Status
from fanzha.clues.public import lookup
from fanzha.demo import LOADERS

pytestmark = pytest.mark.django_db


def test_demo_loader_prints_receipts_that_look_up(tree, personas, department):
    """`fanzha demo` loads clues through this loader and prints public receipt codes a newcomer can look up."""
    assert "clues" in LOADERS
    out = io.StringIO()
    load_demo(tree.street, stdout=out)
    text = out.getvalue()
    codes = re.findall(r"(\d{4} \d{4} \d{4})", text)
    assert len(codes) == 3 and "/r/" in text
    statuses = [lookup(code)["status"] for code in codes]
    assert statuses == [Status.NEW, Status.HANDED, Status.CLOSED]
    assert set(Clue.objects.values_list("source", flat=True)) == set(Source.values)
    assert Clue.objects.filter(status=Status.MERGED, merged_into__isnull=False).exists()
    assert Handoff.objects.filter(status="declined").exists() and Handoff.objects.filter(escalated_at__isnull=False).exists()
    from fanzha.clues.selectors import clue_queue

    assert clue_queue(department.user, "handed").count() >= 2  # the `dept` login has work in its own queue
    n = Clue.objects.count()
    load_demo(tree.street, stdout=io.StringIO())  # once only
    assert Clue.objects.count() == n


def test_history_for_the_county_set_has_no_details(tree, personas):
    """The bench-scale builder writes clues and hand-offs without subjects or events."""
    n = build_history(tree.street, days=30, per_day=5, with_details=False)
    assert n == 150 and Clue.objects.count() == 150 and not Clue.objects.filter(subjects__isnull=False).exists()
