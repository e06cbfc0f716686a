"""Targeted outreach (点对点): a grid's households ranked with their reasons; demo data builds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fanzha.cases import services as case_services
from fanzha.core.idnumbers import make_id_number
from fanzha.org import services as org_services
from fanzha.outreach import reports, services
from fanzha.outreach import selectors as sel

TODAY = dt.date(2026, 11, 23)


def test_ranking_and_reasons(tree, personas):
    """Elderly living alone with no app and never visited comes first; a recently visited, installed household last."""
    h_new = org_services.household_create(node=tree.g1a, address="东关路1号1栋102", head_name="新户")
    young = org_services.resident_create(household=h_new, name="赵青年",
                                         id_number=make_id_number("110101", dt.date(1995, 5, 5), 771))
    h_done = org_services.household_create(node=tree.g1a, address="东关路1号1栋103", head_name="已访户")
    done = org_services.resident_create(household=h_done, name="钱已装",
                                        id_number=make_id_number("110101", dt.date(1990, 5, 5), 773))
    services.home_visit_record(user=personas.grid1, household=h_done, visited_on=TODAY - dt.timedelta(days=3), visitors="grid1",
                               actions=[], installs=[services.InstallChange(done, "app", True)], today=TODAY)
    services.home_visit_record(user=personas.grid1, household=h_new, visited_on=TODAY - dt.timedelta(days=200),
                               visitors="grid1", actions=[], today=TODAY)
    case_services.case_register(user=personas.police, reported_on=TODAY - dt.timedelta(days=10), loss_on=TODAY - dt.timedelta(days=11),
                                loss=Decimal("3000"), fraud_type="rebate_task", channel="app", narrative="", victim=young, today=TODAY)
    data = sel.targeted_list(personas.grid1, tree.g1, today=TODAY)
    order = [c.household_id for c in data["items"]]
    assert order[0] == tree.h1.id and order[-1] == h_done.id
    first = data["items"][0]
    assert any(r.startswith("独居老人：王建国") for r in first.reasons)
    assert "从未入户走访" in first.reasons and any("均未安装反诈APP" in r for r in first.reasons)
    new = next(c for c in data["items"] if c.household_id == h_new.id)
    assert "家中有人近一年被骗" in new.reasons and any(r.startswith("已200天未走访") for r in new.reasons)
    assert any("本联户近90天发案1起" in r for r in new.reasons)
    assert data["recent_cases"] == 1
    assert {c.household_id for c in data["items"]} == {tree.h1.id, h_new.id, h_done.id}  # grid 1 only


def test_targeted_page_and_api(login, personas, tree):
    """The targeted visit list opens for the worker's own grid and group (404 elsewhere), with reasons in the API."""
    c = login(personas.grid1)
    r = c.get(f"/outreach/nodes/{tree.g1.pk}/targeted/")
    assert r.status_code == 200 and "独居老人" in r.content.decode()
    assert c.get(f"/outreach/nodes/{tree.g2.pk}/targeted/").status_code == 404
    assert c.get(f"/outreach/nodes/{tree.c1.pk}/targeted/").status_code == 404
    data = c.get(f"/api/v1/outreach/targeted?node={tree.g1.pk}").json()
    assert data["items"][0]["household_id"] == tree.h1.pk and data["items"][0]["reasons"]
    assert login(personas.grouphead).get(f"/outreach/nodes/{tree.g1a.pk}/targeted/").status_code == 200


def test_demo_outreach_on_the_small_tree(tree, personas):
    """build_outreach writes a year of visits, installs, activities, pushes, letters and targets that read back."""
    from fanzha.demo.outreach import build_outreach
    from fanzha.outreach.models import Activity, HomeVisit, InstallTarget, WeChatPush

    counts = build_outreach(tree.county, months=12, seed=3, today=TODAY)
    assert counts["visits"] > 0 and counts["activities"] > 0 and counts["pushes"] > 0 and counts["targets"] > 0
    a = Activity.objects.filter(unit__isnull=True).first()
    assert isinstance(a.audiences, list) and isinstance(a.fraud_types, list) and a.fraud_types
    assert isinstance(HomeVisit.objects.first().actions, list)
    assert WeChatPush.objects.filter(pushed_on__gt=TODAY).count() == 0
    assert InstallTarget.objects.filter(node=tree.street).exists()
    assert InstallTarget.objects.filter(node=tree.street, historical=True, deadline__year=2021).exists()
    assert InstallTarget.objects.filter(node=tree.street, group="departments").count() == 3
    rolled = sel.rollup(reports.SYSTEM, tree.county, period=sel.ReportPeriod(dt.date(2026, 1, 1), TODAY))
    assert rolled.total.residents == 5 and rolled.total.households == 4
    data = reports.semimonthly_data(reports.SYSTEM, tree.street, dt.date(2026, 11, 13))
    assert data["summary"].startswith("本期开展宣传活动")
