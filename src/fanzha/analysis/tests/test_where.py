import datetime as dt

import pytest
from openpyxl import load_workbook
import io

from fanzha.analysis import selectors
from fanzha.analysis.selectors import compound_of, hour_of
from fanzha.cases.periods import Period
from fanzha.org import services as org_services

pytestmark = pytest.mark.django_db

Y2025 = Period.parse("2025")
TODAY = dt.date(2026, 11, 23)


def test_compound_rule():
    """The compound is read from the address by the documented rule, with a street-address fallback."""
    assert compound_of("某省某市测试区西门街道阳光花园3栋2单元501") == "阳光花园"
    assert compound_of("幸福小区12-3-201") == "幸福小区"
    assert compound_of("东关路1号1栋101") == "东关路"
    assert compound_of("") == selectors.NO_ADDRESS
    assert compound_of("123") == selectors.UNKNOWN_COMPOUND


def test_hour_rule():
    """The hour comes from the narrative; 下午/晚上 shift to the afternoon; none stated is None."""
    assert hour_of("3月9日下午3点许接到电话") == 15
    assert hour_of("当日14时许") == 14
    assert hour_of("晚上9点刷单") == 21
    assert hour_of("上午10：30") == 10
    assert hour_of("被骗3000元") is None


def test_heatmap_against_hand_built_cases(tree, personas, case_maker):
    """Each hand-built case lands in its weekday × hour cell; unstated hours go to the 时间不详 column."""
    # 2025-03-10 is a Monday, 2025-03-15 a Saturday
    case_maker(victim=tree.r1, loss_on=dt.date(2025, 3, 10), narrative="下午3点接到电话")
    case_maker(victim=tree.r1, loss_on=dt.date(2025, 3, 10), narrative="15时许")
    case_maker(victim=tree.r2, loss_on=dt.date(2025, 3, 15), narrative="晚上9点")
    case_maker(victim=tree.r3, loss_on=dt.date(2025, 3, 15), narrative="被骗")
    data = selectors.where_report(personas.office, node=tree.street, period=Y2025, today=TODAY)
    cells = {(w, h): n for w, h, n in data["heatmap"]["cells"]}
    assert cells == {(0, 15): 2, (5, 21): 1, (5, 24): 1}
    assert data["heatmap"]["unknown_hour"] == 1
    assert data["total"]["count"] == 4


def test_rate_ranking_with_small_population(tree, personas, case_maker):
    """Rates per 1,000 carry their count and population; small bases are flagged and kept out of the hot spots."""
    big = org_services.household_create(node=tree.g3a, address="阳光花园1栋101", head_name="甲")
    people = []
    for i in range(250):
        hh = big if i == 0 else org_services.household_create(node=tree.g3a, address=f"阳光花园{i}栋", head_name=f"户{i}")
        people.append(org_services.resident_create(household=hh, name=f"居民{i}"))
    for p in people[:4]:
        case_maker(victim=p)
    case_maker(victim=tree.r1)  # one case in 东关路 over two residents: a huge rate on a tiny base
    data = selectors.where_report(personas.office, node=tree.street, period=Y2025, today=TODAY)
    comp = {r["label"]: r for r in data["compounds"]}
    assert comp["阳光花园"]["count"] == 4 and comp["阳光花园"]["population"] == 250
    assert comp["阳光花园"]["rate"] == 16.0 and not comp["阳光花园"]["small"]
    assert comp["东关路"]["population"] == 3  # 东关路1号 (2 residents) and 东关路2号 (1), across two grids
    assert comp["东关路"]["rate"] == 333.33 and comp["东关路"]["small"]
    spots = [(r["kind"], r["label"]) for r in data["hot_spots"]]
    assert ("compound", "阳光花园") in spots
    assert ("compound", "东关路") not in spots
    grids = {r["label"]: r for r in data["grids"]}
    assert grids["南门第一网格"]["count"] == 4 and grids["南门第一网格"]["population"] == 251


def test_groups_and_types_reuse_case_selectors(tree, personas, case_maker):
    """Type, channel and victim-group counts equal the case statistics' own figures for the same filter."""
    from fanzha.cases import selectors as cs
    case_maker(victim=tree.r1, victim_age=75, channel="phone", fraud_type="impersonate_authority")
    case_maker(victim=tree.r1b, victim_student=True, victim_age=17)
    data = selectors.where_report(personas.office, node=tree.street, period=Y2025, today=TODAY)
    dash = cs.dashboard(personas.office, node=tree.street, period=Y2025, today=TODAY)
    assert data["by_type"] == dash["by_type"] and data["by_channel"] == dash["by_channel"]
    assert data["by_victim_group"] == dash["by_victim_group"]
    ages = {r["key"]: r["count"] for r in data["by_age"]}
    assert ages["70"] == 1 and ages["u18"] == 1


def test_page_drill_and_export(tree, personas, case_maker, login):
    """The page shows the figures; a drill-down lists exactly the cases behind a figure; the .xlsx has the heat map."""
    case_maker(victim=tree.r1, narrative="下午3点", channel="phone")
    case_maker(victim=tree.r2, channel="sms")
    c = login(personas.office)
    r = c.get(f"/analysis/?node={tree.street.id}&period=2025")
    assert r.status_code == 200 and "东关路" in r.content.decode()
    r = c.get(f"/analysis/cases/?node={tree.street.id}&period=2025&dim=channel&key=sms")
    assert r.status_code == 200 and r.context["page"].paginator.count == 1
    r = c.get(f"/analysis/cases/?node={tree.street.id}&period=2025&dim=cell&key=0-15")
    assert r.context["page"].paginator.count == 1
    r = c.get(f"/analysis/analysis.xlsx?node={tree.street.id}&period=2025")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert "星期×时段" in wb.sheetnames
    assert wb["汇总"]["C2"].value == 2


def test_bad_input(tree, personas, login):
    """A node outside scope is 404; a future or malformed period falls back to this year with a message."""
    c = login(personas.community)
    assert c.get(f"/analysis/?node={tree.street2.id}").status_code == 404
    assert c.get("/analysis/?node=abc").status_code == 404
    r = c.get("/analysis/?period=2999")
    assert r.status_code == 200 and r.context["period"].start.year < 2999
    assert "已显示本年度" in r.content.decode()
    r = c.get("/analysis/cases/?dim=bogus")
    assert r.status_code == 404


def test_grid_worker_cannot_open(personas, login):
    """The analysis page is for street-wide roles and communities only."""
    assert login(personas.grid1).get("/analysis/").status_code in (403, 404)


def test_api_same_report(tree, personas, case_maker, login):
    """The API returns the page's report dict; out-of-scope node 404, future period 400."""
    case_maker(victim=tree.r1, narrative="下午3点")
    c = login(personas.community)
    r = c.get(f"/api/v1/analysis/where?node={tree.c1.id}&period=2025")
    assert r.status_code == 200 and r.json()["heatmap"]["cells"] == [[0, 15, 1]]
    assert c.get(f"/api/v1/analysis/where?node={tree.c9.id}").status_code == 404
    assert c.get("/api/v1/analysis/where?period=2099").status_code == 400
    assert login(personas.grid1).get("/api/v1/analysis/where").status_code == 403
