"""Issue 15 §2: 既遂/未遂 on every case, 双下降 on completed cases, counting by the date the fraud happened."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from fanzha.cases import selectors, services
from fanzha.cases.models import Case, Outcome, ReductionTarget
from fanzha.cases.periods import Period

pytestmark = pytest.mark.django_db


def _case(tree, *, loss_on, reported_on=None, loss="1000", outcome=Outcome.COMPLETED):
    c = Case(reported_on=reported_on or loss_on, loss_on=loss_on, loss=Decimal(loss), fraud_type="rebate_task",
             victim_name="某", outcome=outcome)
    c.place_at(tree.c1)
    c.save()
    return c


def _target(tree, pct="-10"):
    return ReductionTarget.objects.create(node=tree.street, kind="all", period="2025H2", base_period="2025H1",
                                          change_pct=Decimal(pct))


def test_reduction_judges_completed_cases_only(tree, personas):
    """Attempted cases (未遂) are not counted: 4 completed → 3 completed is met at −10% however many attempts."""
    for i in range(4):
        _case(tree, loss_on=dt.date(2025, 3, 1 + i))
    for i in range(3):
        _case(tree, loss_on=dt.date(2025, 9, 1 + i))
    for i in range(6):
        _case(tree, loss_on=dt.date(2025, 10, 1 + i), loss="0", outcome=Outcome.ATTEMPTED)
    p = selectors.target_progress(_target(tree), user=personas.office, today=dt.date(2026, 1, 5))
    assert (p.base, p.actual, p.status) == (4, 3, "met")


def test_double_decline_count_down_but_loss_up_is_missed(tree, personas):
    """双下降: fewer completed cases but a larger loss misses the target (loss_status missed)."""
    for i in range(4):
        _case(tree, loss_on=dt.date(2025, 3, 1 + i), loss="1000")
    for i in range(3):
        _case(tree, loss_on=dt.date(2025, 9, 1 + i), loss="2000")
    p = selectors.target_progress(_target(tree), user=personas.office, today=dt.date(2026, 1, 5))
    assert (p.count_status, p.loss_status, p.status) == ("met", "missed", "missed")
    assert (p.base_loss, p.actual_loss, round(p.allowed_loss)) == (4000.0, 6000.0, 3600)
    d = p.as_dict()
    assert d["counts"] == "completed" and d["basis"] == "occurred"


def test_counts_by_occurred_date_by_default(tree, personas):
    """A fraud on 28 June reported on 2 July counts in H1 by default (发案), in H2 by report date; both say so."""
    _case(tree, loss_on=dt.date(2025, 6, 28), reported_on=dt.date(2025, 7, 2))
    today = dt.date(2026, 1, 5)
    h1 = selectors.dashboard(personas.office, node=tree.street, period=Period.parse("2025H1"), today=today)
    h2 = selectors.dashboard(personas.office, node=tree.street, period=Period.parse("2025H2"), today=today)
    assert (h1["total"]["count"], h2["total"]["count"]) == (1, 0)
    assert h1["basis"] == "occurred" and h1["basis_label"] == "按发案日期统计"
    r2 = selectors.dashboard(personas.office, node=tree.street, period=Period.parse("2025H2"), today=today,
                             basis="reported")
    assert r2["total"]["count"] == 1 and r2["basis_label"] == "按报案日期统计"
    assert {o["key"]: o["count"] for o in h1["by_outcome"]} == {"completed": 1}


def test_basis_said_on_page_api_and_xlsx(tree, personas, login):
    """Every figure says its basis: the page, the API and the .xlsx."""
    _case(tree, loss_on=dt.date(2025, 6, 28), reported_on=dt.date(2025, 7, 2))
    c = login(personas.office)
    page = c.get(f"/cases/stats/?node={tree.street.pk}&period=2025H1").content.decode()
    assert "按发案日期统计" in page
    page = c.get(f"/cases/stats/?node={tree.street.pk}&period=2025H1&basis=reported").content.decode()
    assert "按报案日期统计" in page
    api = c.get(f"/api/v1/stats/cases?node={tree.street.pk}&period=2025H2&basis=reported").json()
    assert api["basis"] == "reported" and api["total"]["count"] == 1
    x = c.get(f"/cases/stats.xlsx?node={tree.street.pk}&period=2025H1")
    assert x.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).worksheets[0]
    assert ws["I1"].value == "统计口径" and ws["I2"].value == "按发案日期统计" and ws["C2"].value == 1


def test_outcome_through_service_api_and_import(tree, personas, login):
    """既遂/未遂 is kept by the service, shown by the API, and read from an import column (empty: by the loss)."""
    c = services.case_register(user=personas.office, reported_on=dt.date(2025, 5, 2), loss_on=dt.date(2025, 5, 1),
                               loss=0, fraud_type="rebate_task", community=tree.c1, victim_name="甲",
                               outcome=Outcome.ATTEMPTED, today=dt.date(2025, 6, 1))
    assert c.outcome == "attempted"
    services.case_update(user=personas.office, case=c, outcome=Outcome.COMPLETED, loss=500, today=dt.date(2025, 6, 1))
    c.refresh_from_db()
    assert c.outcome == "completed" and "outcome" in c.changes.first().changes
    api = login(personas.office).get(f"/api/v1/cases/{c.pk}")
    assert api.status_code == 200 and api.json()["outcome"] == "completed"
    from fanzha.cases.importers import OUTCOMES

    assert OUTCOMES == {"既遂": "completed", "未遂": "attempted"}
