"""The demo loader (people behind and on track) and the JSON API (scoped, same figures as the page)."""

from __future__ import annotations

import io

from django.utils import timezone

from fanzha.demo import LOADERS
from fanzha.duties import selectors
from fanzha.demo.duties import load_county, load_demo
from fanzha.duties.models import Campaign, PushGroup, WechatGroup
from fanzha.duties.tests.conftest import act


def test_demo_loader(tree, personas):
    """`fanzha demo` loads groups with this week's pushes, sector ledgers, self-checks, volunteers and a campaign, once;
    some subjects are behind and some on track."""
    assert "duties" in LOADERS
    out = io.StringIO()
    load_demo(tree.street, stdout=out)
    load_demo(tree.street, stdout=out)
    assert "WeChat groups" in out.getvalue()
    assert WechatGroup.objects.filter(street=tree.street).count() >= 5 and Campaign.objects.count() == 1
    rows = selectors.status_rows()
    assert any(r.behind for r in rows) and any(not r.behind for r in rows)
    assert any(r.key.startswith("group:") and not r.behind for r in rows) or PushGroup.objects.count() >= 0


def test_county_loader_links_existing_pushes(tree, personas):
    """The county loader makes groups from the pushes' group names and links them, adding no pushes."""
    from fanzha.outreach.models import WeChatPush
    from fanzha.outreach.services import wechat_push_record

    wechat_push_record(user=personas.community, node=tree.c1, group_name="东关居民群", pushed_on=timezone.localdate(),
                       title="t")
    load_county(tree.county)
    assert WeChatPush.objects.count() == 1 and PushGroup.objects.count() == 1
    assert WechatGroup.objects.filter(name="东关居民群", node=tree.c1).exists()


def test_api_status_scoped(tree, personas, login):
    """GET /api/v1/duties/status gives the page's figures within the caller's scope; behind=1 ranks worst first."""
    act(tree.g1, user=personas.grid1, on=timezone.localdate())
    data = login(personas.office).get("/api/v1/duties/status?behind=1").json()
    keys = [i["subject"] for i in data["items"]]
    assert keys.index(f"user:{personas.grid2.id}") < keys.index(f"user:{personas.grid1.id}")
    mine = login(personas.grid1).get("/api/v1/duties/mine").json()
    six = next(i for i in mine if i["duty"] == "网格员每季度六进宣传")
    assert (six["done"], six["due"], six["behind"]) == (1, 2, True)
    outsider = login(personas.outsider).get("/api/v1/duties/status").json()
    assert all(i["subject"] != f"user:{personas.grid1.id}" for i in outsider["items"])
    assert login(personas.liaison).get("/api/v1/duties/campaigns/999/report").status_code in (403, 404)
