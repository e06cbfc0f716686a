"""Item 6 of issue 16: the staff-victim reduction target counts the unit's own staff only."""

import datetime as dt
from decimal import Decimal

import pytest

from fanzha.cases.models import Case, ReductionTarget
from fanzha.cases.selectors import target_progress

pytestmark = pytest.mark.django_db


def _case(tree, day, link):
    c = Case(reported_on=day, loss_on=day, loss=Decimal("1000"), fraud_type="rebate_task", staff_link=link,
             unit=tree.unit if link else None, victim_name="某")
    c.place_at(tree.c1)
    c.save()


def test_staff_target_counts_staff_victims_not_family(tree, personas):
    """2 staff + 3 family cases in H1, 1 staff + 4 family in H2: the staff target sees 2 → 1 (met at −50%)."""
    for link, n in (("staff", 2), ("family", 3), ("", 5)):
        for i in range(n):
            _case(tree, dt.date(2021, 3, 1 + i), link)
    _case(tree, dt.date(2021, 9, 1), "staff")
    for i in range(4):
        _case(tree, dt.date(2021, 10, 1 + i), "family")
    t = ReductionTarget.objects.create(node=tree.street, kind="staff", period="2021H2", base_period="2021H1",
                                       change_pct=Decimal("-50"))
    p = target_progress(t, user=personas.office, today=dt.date(2022, 1, 10))
    assert (p.base, p.actual, p.status) == (2, 1, "met")
    t_all = ReductionTarget.objects.create(node=tree.street, kind="all", period="2021H2", base_period="2021H1",
                                           change_pct=Decimal("-10"))
    p = target_progress(t_all, user=personas.office, today=dt.date(2022, 1, 10))
    assert (p.base, p.actual) == (10, 5)
