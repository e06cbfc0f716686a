"""Clue figures (page, API and the .xlsx ledger from one report dict) and the ledger's neutralised formulas."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from fanzha.alerts.figures import Window
from fanzha.clues import services
from fanzha.clues.figures import clue_figures
from fanzha.clues.models import Clue
from fanzha.clues.tests.conftest import make_clue

pytestmark = pytest.mark.django_db


def _flow(tree, personas, department, now):
    """Four clues: one closed via the police, one answered late by the department, one open overdue, one new."""
    a = make_clue(tree.g1, source="public", received_at=now - dt.timedelta(days=10), kind="number",
                  subjects=[("phone", "13912345678")])
    services.clue_check(clue=a, user=personas.office, verdict="real", now=now - dt.timedelta(days=10) + dt.timedelta(hours=2))
    services.clue_hand_off(clue=a, user=personas.office, to_police=True, days=3, now=now - dt.timedelta(days=9))
    services.clue_answer(clue=Clue.objects.get(pk=a.pk), user=personas.police, accepted=True, result="已立案",
                         now=now - dt.timedelta(days=8))
    services.clue_close(clue=Clue.objects.get(pk=a.pk), user=personas.office, outcome="case_opened", now=now - dt.timedelta(days=7))
    b = make_clue(tree.g3, source="wechat", received_at=now - dt.timedelta(days=10))
    services.clue_check(clue=b, user=personas.office, verdict="real", now=now - dt.timedelta(days=10))
    services.clue_hand_off(clue=b, user=personas.office, unit=department.unit, days=1, now=now - dt.timedelta(days=9))
    services.clue_answer(clue=Clue.objects.get(pk=b.pk), user=department.user, accepted=True, result="=HYPERLINK(\"x\")",
                         now=now - dt.timedelta(days=6))
    c = make_clue(tree.g1, source="p12337", received_at=now - dt.timedelta(days=5), summary="=1+2 <script>")
    services.clue_check(clue=c, user=personas.office, verdict="real", now=now - dt.timedelta(days=5))
    services.clue_hand_off(clue=c, user=personas.office, unit=department.unit, days=1, now=now - dt.timedelta(days=4))
    make_clue(tree.c2, source="staff", received_at=now - dt.timedelta(days=1))
    return a, b, c


def test_figures_count_sources_times_and_departments(tree, personas, department):
    """Sources, statuses, outcomes, mean times and per-department answers within the deadline are right."""
    now = timezone.now()
    _flow(tree, personas, department, now)
    f = clue_figures(personas.office, node=tree.street, window=Window.parse(""))
    assert f["total"] == 4 and f["open"] == 3 and f["closed"] == 1
    src = {r["key"]: r["n"] for r in f["by_source"]}
    assert (src["public"], src["wechat"], src["p12337"], src["staff"]) == (1, 1, 1, 1)
    assert {r["key"]: r["n"] for r in f["outcomes"]}["case_opened"] == 1
    assert f["check_avg_h"] == 0.7 and f["handoff_avg_h"] == 24.0
    dept = {d["key"]: d for d in f["departments"]}
    assert dept["police"]["handed"] == 1 and dept["police"]["within_pct"] == 100.0
    d = dept[f"unit:{department.unit.pk}"]
    assert (d["handed"], d["answered"], d["overdue_open"], d["within_pct"]) == (2, 1, 1, 0.0)
    assert d["answer_avg_h"] == 72.0
    assert f["within_pct"] == pytest.approx(33.3)
    assert {c["name"]: c["n"] for c in f["children"]} == {"东关社区": 2, "南门社区": 2}
    # a community officer sees only their community's clues
    fc = clue_figures(personas.community, node=tree.c1, window=Window.parse(""))
    assert fc["total"] == 2


def test_figures_page_and_ledger_export(client, tree, personas, department, login):
    """The page shows the figures; the .xlsx ledger holds every clue with formulas neutralised and numbers masked."""
    from python_calamine import CalamineWorkbook

    _flow(tree, personas, department, timezone.now())
    c = login(personas.office)
    page = c.get("/clues/figures/")
    assert page.status_code == 200 and 'id="fig-total">4<' in page.content.decode()
    assert "=1+2 &lt;script&gt;" in page.content.decode() or "chart-trend" in page.content.decode()
    r = c.get("/clues/figures.xlsx")
    assert r.status_code == 200
    data = b"".join(r.streaming_content)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_index(0).to_python()
    assert len(rows) == 5
    flat = [str(v) for row in rows for v in row]
    assert "'=1+2 <script>" in flat
    assert not any(v.startswith("=") for v in flat)
    assert any("139****5678" in v for v in flat) and not any("13912345678" in v for v in flat)
    stats = wb.get_sheet_by_index(1).to_python()
    assert ["线索总数", 4.0] in [row[:2] for row in stats]
    from fanzha.core.models import AuditLog

    assert AuditLog.objects.filter(action="export", target__startswith="clue-ledger").count() == 1
    assert login(personas.grid1).get("/clues/figures/").status_code == 403


def test_street_figures_are_cached_community_figures_live(tree, personas, settings):
    """A street's figures are kept for FANZHA_FIGURES_TTL; a community's are counted live."""
    settings.FANZHA_FIGURES_TTL = 300
    make_clue(tree.g1)
    w = Window.parse("")
    assert clue_figures(personas.office, node=tree.street, window=w)["total"] == 1
    assert clue_figures(personas.office, node=tree.c1, window=w)["total"] == 1
    make_clue(tree.g1)
    assert clue_figures(personas.office, node=tree.street, window=w)["total"] == 1
    assert clue_figures(personas.office, node=tree.street, window=w, fresh=True)["total"] == 2
    assert clue_figures(personas.office, node=tree.c1, window=w)["total"] == 2
    assert clue_figures(personas.community, node=tree.c1, window=w)["total"] == 2


def test_trend_cuts_at_local_month_ends(tree, personas):
    """A clue received at 23:30 local time on 31 March counts in March and one at 00:30 on 1 April in April
    (the months are local, on SQLite and on PostgreSQL alike); a month without clues shows 0."""
    from fanzha.clues.figures import compute_figures

    tz = timezone.get_current_timezone()
    make_clue(tree.g1, received_at=dt.datetime(2025, 3, 31, 23, 30, tzinfo=tz))
    make_clue(tree.g1, received_at=dt.datetime(2025, 4, 1, 0, 30, tzinfo=tz))
    make_clue(tree.g2, received_at=dt.datetime(2025, 4, 30, 23, 59, tzinfo=tz))
    make_clue(tree.g2, received_at=dt.datetime(2025, 6, 1, 0, 0, tzinfo=tz))  # after the window
    data = compute_figures(personas.office, node=tree.street,
                           window=Window("x", "x", dt.date(2025, 2, 1), dt.date(2025, 5, 31)))
    assert data["trend"] == [{"month": "2025-02", "n": 0}, {"month": "2025-03", "n": 1},
                             {"month": "2025-04", "n": 2}, {"month": "2025-05", "n": 0}]
    assert data["total"] == 3
