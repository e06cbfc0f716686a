"""Figures: within-limit rates, median and P90 times, outcomes, money saved — by node, period and person;
page, API and .xlsx export, all scoped."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from fanzha.alerts import services
from fanzha.alerts.figures import Window, alert_figures, percentile
from fanzha.alerts.tests.conftest import ingest, later

pytestmark = pytest.mark.django_db


def work(alert, user, *, sign_after, contact_after=None, outcome="dissuaded", saved=None):
    t0 = alert.received_at
    a = services.alert_sign(user=user, alert=alert, now=later(seconds=sign_after, base=t0))
    if contact_after is not None:
        a = services.alert_contact_add(user=user, alert=a, channel="phone", result="reached", now=later(seconds=contact_after, base=t0))
    if outcome:
        a = services.alert_close(user=user, alert=a, version=a.version, outcome=outcome, saved_amount=saved,
                                 now=later(seconds=(contact_after or sign_after) + 60, base=t0)).alert
    return a


@pytest.fixture
def handled(tree, personas, sender):
    """Three high alerts in grid 1, one medium in grid 2, with known timings."""
    a1 = work(ingest(sender, id="A1", grade="高"), personas.grid1, sign_after=60, contact_after=240, saved="5000")
    a2 = work(ingest(sender, id="A2", grade="高"), personas.grid1, sign_after=420, contact_after=900)  # both late
    a3 = work(ingest(sender, id="A3", grade="高"), personas.gridleader, sign_after=120, contact_after=300, outcome="false_alarm")
    a4 = work(ingest(sender, id="A4", grade="中", phone="13900139002"), personas.grid2, sign_after=600, contact_after=1800)
    return [a1, a2, a3, a4]


def test_percentile_nearest_rank():
    """Percentiles are nearest-rank, None for no values."""
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2 and percentile(list(range(1, 11)), 90) == 9


def test_totals_by_node_and_person(handled, tree, personas):
    """Alert figures count received, closed, within limits, median and p90 times and outcomes per node and per person."""
    data = alert_figures(personas.office, node=tree.street, window=Window.parse(""), now=later(minutes=120))
    t = data["total"]
    assert t["received"] == 4 and t["closed"] == 4
    assert (t["signed_in_limit"], t["sign_limited"]) == (2, 3)  # medium has no sign limit
    assert (t["contacted_in_limit"], t["contact_limited"]) == (3, 4) and t["contacted_in_limit_pct"] == 75.0
    assert t["sign_median_s"] == 120 and t["sign_p90_s"] == 600
    assert t["contact_median_s"] == 300 and t["contact_p90_s"] == 1800
    assert t["outcomes"]["dissuaded"] == 3 and t["outcomes"]["false_alarm"] == 1 and t["saved_amount"] == 5000.0
    nodes = {r["name"]: r for r in data["by_node"]}
    assert nodes["东关社区"]["received"] == 4 and nodes["南门社区"]["received"] == 0
    people = {r["name"]: r for r in data["by_person"]}
    assert people["grid1"]["received"] == 2 and people["grid1"]["contacted_in_limit"] == 1 and people["grid2"]["received"] == 1
    g = alert_figures(personas.office, node=tree.c1, window=Window.parse(""), now=later(minutes=120))
    assert {r["name"]: r["received"] for r in g["by_node"]} == {"东关第一网格": 3, "东关第二网格": 1}


def test_limits_not_yet_due_do_not_count_as_late(tree, personas, sender):
    """A limit that has not yet passed counts neither as met nor as late."""
    ingest(sender, grade="高")
    t = alert_figures(personas.office, node=tree.street, window=Window.parse(""))["total"]
    assert t["received"] == 1 and t["sign_limited"] == 0 and t["signed_in_limit_pct"] is None


def test_scoped_to_the_user(handled, tree, personas):
    """Alert figures count only the alerts in the user's scope."""
    assert alert_figures(personas.grid2, window=Window.parse(""))["total"]["received"] == 1
    assert alert_figures(personas.liaison, window=Window.parse(""))["total"]["received"] == 0
    assert alert_figures(personas.outsider, window=Window.parse(""))["total"]["received"] == 0


def test_periods():
    """Figure windows parse halves and the default recent months; an unknown period is refused."""
    w = Window.parse("2025H1")
    assert (w.start, w.end) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    recent = Window.parse("", today=dt.date(2026, 2, 10))
    assert recent.start == dt.date(2025, 9, 1) and recent.end == dt.date(2026, 2, 10)
    with pytest.raises(ValueError):
        Window.parse("soon")


def test_page_api_and_export(client, handled, tree, personas):
    """The figures page, the API (422 bad period, 404 out of scope) and the .xlsx show the same numbers."""
    client.force_login(personas.leader)
    html = client.get("/alerts/figures/").content.decode()
    assert 'id="fig-received">4<' in html and "echarts" in html and "东关社区" in html
    r = client.get("/api/v1/stats/alerts", {"node": tree.c1.id})
    assert r.status_code == 200 and r.json()["total"]["received"] == 4 and len(r.json()["by_node"]) == 2
    assert client.get("/api/v1/stats/alerts", {"period": "nope"}).status_code == 422  # the schema states its pattern
    assert client.get("/api/v1/stats/alerts", {"node": tree.street2.id}).status_code == 404
    x = client.get("/alerts/figures.xlsx")
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames[:3] == ["总体", "按下级", "按人员"] and wb["总体"]["B2"].value == 4
    client.force_login(personas.community)
    assert 'id="fig-received">4<' in client.get("/alerts/figures/").content.decode()
    client.force_login(personas.grid1)  # SPEC §1: the grid team works alerts; figures are the street's and community's
    assert client.get("/alerts/figures/").status_code == 403
    assert client.get("/alerts/figures.xlsx").status_code == 403


def test_trend_by_month_and_by_day(handled, personas):
    """The trend is by day for one month and by month for the recent window."""
    today = timezone.localdate()
    data = alert_figures(personas.office, window=Window.parse(f"{today:%Y-%m}"))
    assert len(data["trend"]) >= 28 and sum(t["received"] for t in data["trend"]) == 4
    data = alert_figures(personas.office, window=Window.parse(""))
    assert len(data["trend"]) == 6


def test_date_range_window_and_its_mistakes():
    """A date range from the page's date inputs; reversed, unreadable or longer than three years is refused with a reason."""
    w = Window.between("2026-01-05", "2026-02-04")
    assert (w.start, w.end) == (dt.date(2026, 1, 5), dt.date(2026, 2, 4)) and "2026-01-05" in w.label
    for start, end in (("2026-02-04", "2026-01-05"), ("2026-13-01", "2026-12-31"), ("2020-01-01", "2026-01-01")):
        with pytest.raises(ValueError):
            Window.between(start, end)


def test_page_takes_a_range_sorts_and_pages_people(client, handled, tree, personas):
    """?start&end picks the period (a bad one says why); the per-person table sorts by any column and pages."""
    from fanzha.alerts.figures import sort_people

    client.force_login(personas.office)
    today = timezone.localdate()
    html = client.get("/alerts/figures/", {"start": (today - dt.timedelta(days=3)).isoformat(), "end": today.isoformat()}).content.decode()
    assert 'id="fig-received">4<' in html and 'type="date"' in html and 'name="start"' in html
    html = client.get("/alerts/figures/", {"start": "2026-05-01", "end": "2026-04-01"}, follow=True).content.decode()
    assert "结束日期不能早于开始日期" in html
    html = client.get("/alerts/figures/", {"sort": "name"}).content.decode()
    table = html[html.index('id="by-person"'):]
    assert table.index(">grid1<") < table.index(">grid2<") < table.index(">gridleader<")
    assert 'aria-sort="ascending"' in html
    rows = [{"name": f"p{i:02d}", "received": i, "signed_in_limit_pct": None if i % 2 else i, "contacted_in_limit_pct": 1,
             "contact_median_s": 1, "outcomes": {"dissuaded": 0}} for i in range(30)]
    by_pct, _sort = sort_people(rows, "-signed_pct")
    assert by_pct[0]["name"] == "p28" and by_pct[-1]["signed_in_limit_pct"] is None  # no figure: last either way
    assert sort_people(rows, "bogus")[1] == "-received"
    r = client.get("/api/v1/stats/alerts", {"start": (today - dt.timedelta(days=3)).isoformat(), "end": today.isoformat()})
    assert r.status_code == 200 and r.json()["total"]["received"] == 4
    assert client.get("/api/v1/stats/alerts", {"start": "2026-05-01", "end": "2026-04-01"}).status_code == 400


def test_people_table_is_paged(client, tree, personas, sender, monkeypatch):
    """More signers than a page holds: the table shows a page and links to the next one, keeping the sort."""
    from fanzha.alerts.views import figures_page

    monkeypatch.setattr(figures_page, "PERSON_PAGE", 2)
    for i, (user, phone) in enumerate(((personas.grid1, "13800138001"), (personas.gridleader, "13800138001"),
                                       (personas.grid2, "13900139002"))):
        work(ingest(sender, id=f"P{i}", grade="中", phone=phone), user, sign_after=60, contact_after=120)
    client.force_login(personas.office)
    html = client.get("/alerts/figures/", {"sort": "name"}).content.decode()
    assert "第 1 / 2 页" in html and "sort=name&amp;page=2" in html
    html2 = client.get("/alerts/figures/", {"sort": "name", "page": 2}).content.decode()
    assert "第 2 / 2 页" in html2
