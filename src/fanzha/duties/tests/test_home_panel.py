"""The home page's duties panel: the same figures as the duties page, counted without listing the area's rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fanzha.core.access import can_open
from fanzha.core.scoping import scope_of
from fanzha.duties import selectors, services
from fanzha.duties.models import Duty, WechatGroup
from fanzha.duties.tests.conftest import act
from fanzha.org import services as org_services
from fanzha.org.models import Role

PERSONAS = ["office", "leader", "police", "community", "gridleader", "grid1", "grid2", "grouphead", "liaison",
            "safety", "outsider"]


@pytest.fixture
def demo(tree, personas):
    """Demo-like duties data on the shared tree, people behind and on track on every kind of duty.

    grid1 holds two grid-worker posts (one subject, not two) and has done the quarter's two 六进 activities;
    grid2 has done one (behind); the demo adds the street's WeChat groups with this week's pushes, a bank with
    today's ledger tick, one community's self-check and volunteers with their activities (and one without);
    one group gets this week's two pushes.
    Dated today, as the pages count for today.
    """
    from fanzha.demo.duties import load_demo

    today = timezone.localdate()
    org_services.assignment_add(user=personas.grid1, role=Role.GRID_WORKER, node=tree.g3)
    for _ in range(2):
        act(tree.g1, user=personas.grid1, venue="family", on=today)
    act(tree.g2, user=personas.grid2, venue="school", on=today)
    act(tree.c1, user=personas.safety, venue="community", on=today)
    Duty.objects.create(name="志愿者六进", who="role", who_value="volunteer", record="activity", rhythm="quarterly",
                        count=1)
    load_demo(tree.street, today=today)
    services.volunteer_create(user=personas.community, node=tree.g1, name="陈志愿")
    group = WechatGroup.objects.filter(node=tree.c1).first()
    for title in ("防诈提醒", "刷单返利"):
        services.push_record(user=personas.community, group=group, pushed_on=today, title=title)
    return tree


def _listed(user, **kw):
    return selectors.status_rows(scope=scope_of(user), **kw)


@pytest.mark.parametrize("persona", PERSONAS)
def test_behind_counts_equal_the_status_summary(demo, personas, persona):
    """For every role's scope, whole and narrowed to a community, the database counts equal the listed rows' summary."""
    user = getattr(personas, persona)
    for community_id in (None, demo.c1.id, demo.c2.id):
        expected = selectors.summary(_listed(user, community_id=community_id))
        assert selectors.behind_counts(scope=scope_of(user), community_id=community_id) == expected


def test_demo_has_behind_and_on_track_of_every_kind(demo, personas):
    """The data set behind the equality test is not trivial: every kind of subject has someone behind and someone on track."""
    rows = _listed(personas.office)
    for kind in ("user", "group", "unit", "node", "vol"):
        mine = [r for r in rows if r.key.startswith(f"{kind}:")]
        assert any(r.behind for r in mine) and any(not r.behind for r in mine), kind
    assert len([r for r in rows if r.key == f"user:{personas.grid1.id}" and r.duty.who_value == "grid_worker"]) == 1


def _shown(r):
    return r.duty.id, r.key, r.done, r.due, r.start, r.end


@pytest.mark.parametrize("persona", PERSONAS)
def test_panel_shows_own_rows_and_the_pages_behind_figure(demo, personas, persona):
    """The panel's own duties are `own_rows` of the full status, and its behind and total figures are the page's."""
    user = getattr(personas, persona)
    rows = _listed(user)
    panel = selectors.home_panel(user)
    assert [_shown(r) for r in panel["mine"]] == [_shown(r) for r in selectors.own_rows(user, rows)]
    assert panel["behind_count"] == len(selectors.ranked_behind(rows))
    assert panel["total"] == len(rows)


def test_panel_and_page_print_the_same_behind_figure(demo, personas, login):
    """Through the real views: the home panels fragment and the duties page print the same number behind."""
    for persona in ("office", "community", "grid1"):
        user = getattr(personas, persona)
        assert can_open(user, "duties")
        client = login(user)
        fragment = client.get("/home/panels/", headers={"HX-Request": "true"}).content.decode()
        page = client.get("/duties/").content.decode()
        on_page = re.search(r"落后 (\d+) 项（共 (\d+) 项）", page)
        in_panel = re.search(r"辖区落后 (\d+) 项", fragment)
        assert on_page and in_panel and in_panel.group(1) == on_page.group(1) != "0", persona


def test_panel_queries_do_not_grow_with_the_area(demo, personas, django_assert_max_num_queries):
    """The panel makes the same few queries however many people, groups and units are in scope (no query per row)."""
    def queries() -> int:
        office = type(personas.office).objects.get(pk=personas.office.pk)  # a fresh user: scope counted each time
        with CaptureQueriesContext(connection) as q:
            selectors.home_panel(office)
        return len(q.captured_queries)

    before = queries()
    for i in range(6):
        u = org_services.user_create(username=f"gw{i}", password="pw", role=Role.GRID_WORKER,
                                     node=[demo.g1, demo.g2, demo.g3][i % 3])
        if i % 2:
            act(demo.g1, user=u, venue="family", on=timezone.localdate())
        org_services.unit_create(node=demo.c1, name=f"单位{i}", kind="company")
    assert len(_listed(personas.office)) > 0
    assert queries() == before
    with django_assert_max_num_queries(30):
        selectors.home_panel(personas.office)
