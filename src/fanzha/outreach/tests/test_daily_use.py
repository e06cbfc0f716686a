"""Issue 8 for outreach: tabs and links a role can use; the visit a ledger address opens; the targeted
list searched and paged; a household's outreach include; activities corrected and deleted from the page
(who recorded them and the office; evidence kept; audited); a video's poster; the reports page."""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from django.utils import timezone

from fanzha.core.models import AuditLog
from fanzha.org import services as org_services
from fanzha.outreach import evidence as ev
from fanzha.outreach import selectors as sel
from fanzha.outreach import services
from fanzha.outreach.models import Activity, Evidence, PeriodicReport
from fanzha.outreach.tests.conftest import jpeg_bytes, mp4_bytes, upload


def _yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


def _activity(user, node, **kw):
    data = dict(held_on=_yesterday(), place="东关小区", organiser="东关社区", kind="leaflet", venue="residential",
                audiences=["general"], participants=30, materials=100, fraud_types=["rebate_task"])
    data.update(kw)
    return services.activity_record(user=user, node=node, data=services.ActivityData(**data),
                                    files=[upload("a.jpg", jpeg_bytes())])


def test_leader_opens_the_visit_from_the_ledger(login, personas, tree):
    """The visit ledger's address opens the visit itself (200 for the leader), not the visit form (403)."""
    v = services.home_visit_record(user=personas.grid1, household=tree.h1, visited_on=_yesterday(), visitors="网格员甲",
                                   actions=["explained"], materials=2, note="讲解刷单诈骗")
    c = login(personas.leader)
    html = c.get(f"/outreach/visits/?node={tree.street.pk}").content.decode()
    assert f"/outreach/visits/{v.pk}/" in html and f"/outreach/households/{tree.h1.pk}/visit/" not in html
    r = c.get(f"/outreach/visits/{v.pk}/")
    assert r.status_code == 200 and "讲解刷单诈骗" in r.content.decode() and "宣传与安装" in r.content.decode()
    assert login(personas.grid2).get(f"/outreach/visits/{v.pk}/").status_code == 404


def test_household_outreach_include(login, personas, tree, rf):
    """The include shows each member's app/call-warning/jinzhongzhao status and the visits, scoped; a 走访 button
    only for a role that may record visits."""
    from django.template.loader import render_to_string

    services.home_visit_record(user=personas.grid1, household=tree.h1, visited_on=_yesterday(), visitors="网格员甲",
                               actions=["explained"], installs=[services.InstallChange(tree.r1, "app", True)])
    for user, button in ((personas.grid1, True), (personas.leader, False)):
        request = rf.get("/")
        request.user = user
        ho = sel.household_outreach(user, tree.h1)
        assert ho["installed"] == 1 and ho["residents"] == 2 and len(ho["visits"]) == 1
        html = render_to_string("outreach/_household_outreach.html", {"ho": ho, "request": request})
        assert "王建国" in html and "已办" in html and "网格员甲" in html
        assert (f"/outreach/households/{tree.h1.pk}/visit/" in html) is button


def test_targeted_list_search_and_paging(login, personas, tree, django_assert_max_num_queries):
    """The ranked list is paged (20 a page) and searchable by address or head; the rank stays the household's."""
    for i in range(25):
        org_services.household_create(node=tree.g1a, address=f"东关路{100 + i}号", head_name=f"户主{i}")
    c = login(personas.grid1)
    with django_assert_max_num_queries(30):
        html = c.get(f"/outreach/nodes/{tree.g1.pk}/targeted/").content.decode()
    assert html.count("data-household=") == 20 and "第 1 / 2 页" in html
    html = c.get(f"/outreach/nodes/{tree.g1.pk}/targeted/?page=2").content.decode()
    assert html.count("data-household=") == 6
    html = c.get(f"/outreach/nodes/{tree.g1.pk}/targeted/?q=东关路107号").content.decode()
    assert html.count("data-household=") == 1 and "东关路107号" in html and "找到 1 户" in html
    html = c.get(f"/outreach/nodes/{tree.g1.pk}/targeted/?q=没有这个地址").content.decode()
    assert "没有地址或户主含" in html


def test_recorder_and_office_edit_and_delete_with_audit(login, personas, tree):
    """Who recorded an activity and the office may correct and delete it; others 403; evidence kept; audited."""
    a = _activity(personas.grid1, tree.g1)
    ev_id = Evidence.objects.get(activity=a).pk
    assert login(personas.grid2).get(f"/outreach/activities/{a.pk}/edit/").status_code == 404  # not in scope
    assert login(personas.gridleader).get(f"/outreach/activities/{a.pk}/edit/").status_code == 403
    assert login(personas.leader).post(f"/outreach/activities/{a.pk}/delete/").status_code == 403
    c = login(personas.grid1)
    html = c.get(f"/outreach/activities/{a.pk}/").content.decode()
    assert f"/outreach/activities/{a.pk}/edit/" in html
    form = {"held_on": _yesterday().isoformat(), "kind": "leaflet", "venue": "residential", "place": "东关小区广场",
            "organiser": "东关社区", "audiences": ["general"], "participants": "45", "materials": "-3",
            "fraud_types": ["rebate_task"], "summary": ""}
    r = c.post(f"/outreach/activities/{a.pk}/edit/", form)
    assert r.status_code == 200 and "东关小区广场" in r.content.decode()  # error shown, typed text kept
    form["materials"] = "120"
    assert c.post(f"/outreach/activities/{a.pk}/edit/", form).status_code == 302
    a.refresh_from_db()
    assert a.participants == 45 and a.materials == 120 and a.place == "东关小区广场" and a.node_id == tree.g1.pk
    entry = AuditLog.objects.filter(action="change", target=f"activity:{a.pk}").get()
    assert "participants" in entry.detail and "[30, 45]" in entry.detail
    assert Evidence.objects.filter(activity=a).exists()

    r = login(personas.office).post(f"/outreach/activities/{a.pk}/delete/")
    assert r.status_code == 302
    assert not Activity.objects.filter(pk=a.pk).exists() and Activity.everything.get(pk=a.pk).deleted_by == personas.office
    assert Evidence.objects.filter(pk=ev_id).exists()
    assert login(personas.office).get(f"/outreach/evidence/{ev_id}/").status_code == 200  # the photo is kept
    assert f"/outreach/activities/{a.pk}/" not in login(personas.office).get("/outreach/activities/").content.decode()
    assert AuditLog.objects.filter(action="delete", target=f"activity:{a.pk}", detail__contains=str(ev_id)).exists()
    assert login(personas.grid1).get(f"/outreach/activities/{a.pk}/").status_code == 404


def test_api_put_only_by_recorder_or_office(login, personas, tree):
    """The API's PUT follows the same rule as the page and is audited."""
    a = _activity(personas.grid1, tree.g1)
    body = {"held_on": _yesterday().isoformat(), "place": "改", "organiser": "x", "kind": "leaflet", "venue": "residential",
            "audiences": [], "participants": 1, "materials": 1, "fraud_types": []}
    assert login(personas.gridleader).put(f"/api/v1/outreach/activities/{a.pk}", body, content_type="application/json").status_code == 403
    assert login(personas.office).put(f"/api/v1/outreach/activities/{a.pk}", body, content_type="application/json").status_code == 200
    assert AuditLog.objects.filter(action="change", target=f"activity:{a.pk}").exists()


def test_video_gets_a_poster_with_its_length():
    """No video decoder is shipped: a video's thumbnail is a generic poster with its length read from mvhd."""
    data = mp4_bytes().replace(struct.pack(">II", 1000, 0), struct.pack(">II", 1000, 42_500), 1)
    p = ev.prepare(upload("v.mp4", data))
    assert p.kind == "video" and p.duration == 42.5 and p.thumb and p.thumb[:2] == b"\xff\xd8"
    assert ev.format_duration(p.duration) == "0:42" and ev.format_duration(3725) == "1:02:05"
    assert ev.prepare(upload("v.mp4", mp4_bytes())).duration is None  # unreadable length: poster without it


def test_reports_page_preview_future_and_on_demand_listed(login, personas, tree, settings):
    """Preview any date (a future 28th shows its period so far); a report made on demand for a past date is
    listed under 已生成的报表; the page says 半月报."""
    today = timezone.localdate()
    c = login(personas.office)
    html = c.get("/outreach/reports/").content.decode()
    assert "半月报" in html and "/outreach/reports/preview/" in html
    future = (today.replace(day=28) if today.day < 28 else (today + dt.timedelta(days=10)).replace(day=28))
    r = c.get(f"/outreach/reports/preview/?kind=semimonthly&node={tree.street.pk}&date={future}")
    body = r.content.decode()
    assert r.status_code == 200 and "预览" in body and today.isoformat() in body and 'id="report-summary"' in body
    assert not PeriodicReport.objects.exists()
    past = dt.date(2026, 10, 28)
    r = c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.street.pk}&date={past}&fmt=xlsx")
    assert r.status_code == 200
    kept = PeriodicReport.objects.get(node=tree.street, report_date=past)
    assert kept.status == "done" and kept.xlsx_file and kept.docx_file and kept.street_id == tree.street.pk
    html = c.get("/outreach/reports/").content.decode()
    assert f"/outreach/reports/{kept.pk}/docx/" in html


def test_past_report_counts_population_as_of_its_date(login, personas, tree):
    """A report dated in the past counts the residents registered by then, not those added later."""
    from fanzha.org.models import Resident

    old = timezone.now() - dt.timedelta(days=60)
    Resident.objects.update(created_at=old)
    from fanzha.org.models import Household

    Household.objects.update(created_at=old)
    org_services.resident_create(household=tree.h1, name="新来的", id_number="", phone="")
    day = (timezone.localdate() - dt.timedelta(days=30))
    c = login(personas.office)
    then = c.get(f"/api/v1/outreach/reports/semimonthly?node={tree.street.pk}&date={day}").json()["figures"]
    now = c.get(f"/api/v1/outreach/reports/semimonthly?node={tree.street.pk}&date={timezone.localdate()}").json()["figures"]
    assert then["residents"] == 4 and now["residents"] == 5


@pytest.mark.parametrize("who", ["liaison", "grouphead", "safety", "leader"])
def test_no_link_on_outreach_pages_answers_4xx(login, personas, tree, who):
    """Every link on the outreach pages a role opens answers without 403/404 (tabs, visit links, targets)."""
    import re

    services.home_visit_record(user=personas.grid1, household=tree.h1, visited_on=_yesterday(), visitors="甲", actions=[])
    _activity(personas.grid1, tree.g1)
    c = login(getattr(personas, who))
    seen = set()
    for start in ("/outreach/", "/outreach/activities/", "/outreach/visits/", "/outreach/reports/"):
        r = c.get(start, follow=True)
        if r.status_code != 200:
            continue
        for href in re.findall(r'href="(/outreach/[^"#]*)"', r.content.decode()):
            href = href.replace("&amp;", "&")
            if href in seen or "/make/" in href or "/evidence/" in href:
                continue
            seen.add(href)
            assert c.get(href).status_code in (200, 302), (who, start, href)
    assert seen
