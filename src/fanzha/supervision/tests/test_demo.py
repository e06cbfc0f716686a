"""Demo supervision data: the example plan, a year of meetings and visits, and the awkward cases."""

from __future__ import annotations

import datetime as dt
import io

from fanzha.demo import LOADERS
from fanzha.supervision import selectors
from fanzha.demo.supervision import load_county, load_demo
from fanzha.supervision.models import (
    ContactPoint,
    Criticism,
    Measure,
    Meeting,
    Plan,
    Rectification,
    RectificationStatus,
    Visit,
)


def test_demo_loader(tree, personas, department):
    """`fanzha demo` loads the example plan, a year of meetings and visits, open and overdue rectifications, once."""
    assert "supervision" in LOADERS
    today = dt.date(2026, 11, 26)
    out = io.StringIO()
    load_demo(tree.street, stdout=out, today=today)
    assert "meetings" in out.getvalue()
    plans = list(Plan.objects.order_by("year"))
    assert [(p.year, p.measures.count()) for p in plans] == [(2025, 11), (2026, 11)]
    assert plans[1].copied_from == plans[0]
    assert not Measure.objects.filter(plan=plans[0], completed_on__isnull=True).exists()
    assert Meeting.objects.count() >= 16 and Visit.objects.count() == 24
    statuses = set(Rectification.objects.values_list("status", flat=True))
    assert statuses == set(RectificationStatus.values)
    assert Rectification.objects.filter(status=RectificationStatus.OPEN, return_note__gt="").exists()
    items, total = selectors.overdue_items(personas.leader, today=today)
    kinds = {i.kind for i in items}
    assert {"measure", "task", "rectification"} <= kinds and total == len(items)
    assert [i.days for i in items] == sorted((i.days for i in items), reverse=True)
    assert selectors.overdue_items(department.user, today=today)[0]  # the dept demo user has something late
    missing = selectors.missing_groups(tree.street, today=today)
    assert missing["passed"] and [c for c, _on in missing["communities"]]
    assert ContactPoint.objects.filter(leader=personas.leader).count() == 3
    assert ContactPoint.objects.filter(leader=personas.police).exists() is False  # the tree has only two communities
    assert Criticism.objects.filter(issuer="county").exists()
    n = Measure.objects.count()
    load_demo(tree.street, stdout=io.StringIO(), today=today)
    assert Measure.objects.count() == n


def test_county_loader(tree, personas):
    """The bench data set: five years of plans, meetings and visits for every street, in bulk."""
    load_county(tree.county, stdout=io.StringIO(), today=dt.date(2026, 11, 26))
    assert Plan.objects.filter(street=tree.street).count() == 5
    assert Meeting.objects.filter(street=tree.street2).count() == 90
    assert Visit.objects.count() == 240
    assert selectors.overdue_items(personas.leader, today=dt.date(2026, 11, 26))[1] > 0
