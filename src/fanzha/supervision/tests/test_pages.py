"""Pages and API: who sees and does what, bad input kept, 404 for another unit's records."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from fanzha.supervision import services
from fanzha.supervision.models import Finding, Plan, ProgressReport, Rectification, RectificationStatus
from fanzha.supervision.services import Holder

from .conftest import jpeg


@pytest.fixture
def rect(sv):
    return services.rectification_issue(user=sv.p.office, holder=Holder(unit=sv.dept.unit), problem="台账缺失",
                                        requirement="补齐", issued_on=dt.date(2026, 5, 1), deadline=dt.date(2026, 5, 10))


def test_home_shows_leader_overdue_list(sv, rect, login, django_assert_max_num_queries):
    """A leader's supervision page lists overdue items, most days first, in a bounded number of queries."""
    c = login(sv.p.leader)
    with django_assert_max_num_queries(25):
        r = c.get(reverse("supervision:home"))
    assert r.status_code == 200
    body = r.content.decode()
    assert body.index("台账缺失") < body.index("宣传进社区")
    assert "登记督导检查" not in body  # leaders read only


def test_department_sees_its_own_measures_and_reports(sv, login):
    """A department sees its part of the measure and reports progress; over 100% is refused, text kept."""
    c = login(sv.dept.user)
    r = c.get(reverse("supervision:home"))
    assert r.status_code == 200 and "宣传进社区" in r.content.decode()
    url = reverse("supervision:progress_new", args=[sv.r_dept.pk])
    r = c.post(url, {"percent": "150", "text": "已开展三次宣传"})
    assert r.status_code == 400
    assert "已开展三次宣传" in r.content.decode() and not ProgressReport.objects.exists()
    r = c.post(url, {"percent": "60", "text": "已开展三次宣传", "files": [jpeg()]})
    assert r.status_code == 302
    sv.r_dept.refresh_from_db()
    assert sv.r_dept.percent == 60 and sv.r_dept.reports.get().photos.count() == 1
    detail = c.get(reverse("supervision:measure_detail", args=[sv.measure.pk])).content.decode()
    assert "西门街道综合行政执法队" in detail and "西门小学" not in detail  # not the other units' parts
    assert reverse("supervision:plan_detail", args=[sv.plan.pk]) not in detail  # no link it cannot open


def test_other_unit_acting_on_a_measure_gets_404(sv, rect, login):
    """Another department, a liaison or another street's office get 404 for a part that is not theirs."""
    for user, pk in ((sv.other_dept, sv.r_dept.pk), (sv.p.liaison, sv.r_dept.pk), (sv.p.community, sv.r_school.pk),
                     (sv.p.outsider, sv.r_dept.pk)):
        c = login(user)
        assert c.post(reverse("supervision:progress_new", args=[pk]), {"percent": "10", "text": "x"}).status_code in (403, 404)
    c = login(sv.other_dept)
    assert c.get(reverse("supervision:progress_new", args=[sv.r_dept.pk])).status_code == 404
    assert c.get(reverse("supervision:rectification_detail", args=[rect.pk])).status_code == 404
    assert c.post(reverse("supervision:rectification_fix", args=[rect.pk]), {"fix_note": "x"}).status_code == 404
    assert c.get(reverse("supervision:measure_detail", args=[sv.measure.pk])).status_code == 404


def test_role_guards(sv, rect, login):
    """Leaders read but do not write (403); departments cannot open the plan list (403); wrong method 405."""
    c = login(sv.p.leader)
    assert c.get(reverse("supervision:plans")).status_code == 200
    assert c.post(reverse("supervision:plan_new"), {"year": "2027", "title": "x", "start_on": "2027-01-01"}).status_code == 403
    assert c.post(reverse("supervision:rectification_accept", args=[rect.pk])).status_code == 403
    c = login(sv.dept.user)
    assert c.get(reverse("supervision:plans")).status_code == 403
    assert c.get(reverse("supervision:visits")).status_code == 403
    c = login(sv.p.grid1)
    assert c.get(reverse("supervision:home")).status_code == 403
    c = login(sv.p.office)
    assert c.post(reverse("supervision:plan_detail", args=[sv.plan.pk])).status_code == 405
    assert c.get(reverse("supervision:rectification_accept", args=[rect.pk])).status_code == 405
    c = login(sv.p.outsider)
    assert c.get(reverse("supervision:plan_detail", args=[sv.plan.pk])).status_code == 404


def test_office_pages_render(sv, rect, login):
    """Every office page opens and the forms keep what was typed on an error."""
    c = login(sv.p.office)
    for name, args in (("home", []), ("plans", []), ("plan_detail", [sv.plan.pk]), ("measure_new", [sv.plan.pk]),
                       ("measure_edit", [sv.measure.pk]), ("meetings", []), ("meeting_new", []), ("tasks", []),
                       ("visits", []), ("visit_new", []), ("rectifications", []), ("rectification_new", []),
                       ("rectification_detail", [rect.pk]), ("criticisms", []), ("groups", []), ("group_new", []),
                       ("points", []), ("settings", [])):
        r = c.get(reverse(f"supervision:{name}", args=args))
        assert r.status_code == 200, name
    r = c.post(reverse("supervision:measure_new", args=[sv.plan.pk]),
               {"title": "新措施XYZ", "start_on": "2026-05-01", "deadline": "2026-04-01", "leads": [f"c{sv.tree.c1.pk}"]})
    assert r.status_code == 400
    body = r.content.decode()
    assert "新措施XYZ" in body and "早于开始日期" in body


def test_copy_plan_flow_through_the_page(sv, login):
    """The office copies last year's plan from its page and lands on the new year's plan."""
    c = login(sv.p.office)
    r = c.post(reverse("supervision:plan_copy", args=[sv.plan.pk]), {"year": "2027", "title": ""})
    new = Plan.objects.get(year=2027)
    assert r.status_code == 302 and r["Location"] == reverse("supervision:plan_detail", args=[new.pk])
    page = c.get(r["Location"]).content.decode()
    assert "宣传进社区" in page and "2027" in page
    assert new.measures.get().responsibilities.count() == 3


def test_load_example_plan_page(tree, personas, department, login):
    """The office loads the seed's example plan from the plans page."""
    c = login(personas.office)
    r = c.post(reverse("supervision:plan_example"), {"year": "2026"}, follow=True)
    assert r.status_code == 200
    assert "全民反诈宣传防范工作方案" in r.content.decode()
    assert Plan.objects.get().measures.count() == 11


def test_rectification_flow_pages(sv, login):
    """Visit with a finding → notice → unit reports fix with photo → office accepts; no photo is refused."""
    c = login(sv.p.office)
    r = c.post(reverse("supervision:visit_new"), {
        "holder": f"u{sv.dept.unit.pk}", "visited_on": "2026-05-01", "visitors": "郭敏", "check_0": "problem",
        "finding": "宣传台账缺失", "files": [jpeg("finding.jpg")]})
    assert r.status_code == 302, r.content.decode()[:2000]
    visit_page = c.get(r["Location"]).content.decode()
    assert "宣传台账缺失" in visit_page
    finding = Finding.objects.get()
    r = c.post(reverse("supervision:rectification_new") + f"?finding={finding.pk}", {
        "finding": finding.pk, "holder": f"u{sv.dept.unit.pk}", "problem": finding.text, "requirement": "补齐台账",
        "issued_on": "2026-05-02", "deadline": "2026-05-01"})
    assert r.status_code == 400 and "补齐台账" in r.content.decode()
    r = c.post(reverse("supervision:rectification_new"), {
        "finding": finding.pk, "holder": f"u{sv.dept.unit.pk}", "problem": finding.text, "requirement": "补齐台账",
        "issued_on": "2026-05-02", "deadline": "2026-05-20"})
    rect = Rectification.objects.get()
    assert r.status_code == 302 and rect.finding == finding and rect.visit == finding.visit
    d = login(sv.dept.user)
    r = d.post(reverse("supervision:rectification_fix", args=[rect.pk]), {"fix_note": "已补齐"})
    assert r.status_code == 400 and "照片" in r.content.decode() and "已补齐" in r.content.decode()
    r = d.post(reverse("supervision:rectification_fix", args=[rect.pk]), {"fix_note": "已补齐", "files": [jpeg()]})
    assert r.status_code == 302
    photo = rect.photos.get()
    assert d.get(reverse("supervision:photo_thumb", args=[photo.pk])).status_code == 200
    assert login(sv.other_dept).get(reverse("supervision:photo", args=[photo.pk])).status_code == 404
    c = login(sv.p.office)
    assert c.post(reverse("supervision:rectification_accept", args=[rect.pk])).status_code == 302
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.ACCEPTED
    r = c.get(reverse("supervision:rectification_notice", args=[rect.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert c.get(reverse("supervision:visit_report", args=[finding.visit_id])).status_code == 200
    assert c.get(reverse("supervision:ledger")).status_code == 200


def test_api(sv, rect, login):
    """The API: overdue list, own measures, progress (>100 → 400, another unit's → 404), accept by office only."""
    c = login(sv.p.leader)
    data = c.get("/api/v1/supervision/overdue").json()
    assert data["total"] == 2 and data["items"][0]["kind"] == "rectification"
    d = login(sv.dept.user)
    mine = d.get("/api/v1/supervision/my-measures").json()
    assert [m["responsibility"] for m in mine] == [sv.r_dept.pk]
    url = f"/api/v1/supervision/responsibilities/{sv.r_dept.pk}/progress"
    r = d.post(url, json.dumps({"percent": 101, "text": "x"}), content_type="application/json")
    assert r.status_code == 400 and "percent" in r.json()["errors"]
    r = d.post(url, json.dumps({"percent": 50, "text": "x"}), content_type="application/json")
    assert r.status_code == 201 and r.json()["percent"] == 50
    o = login(sv.other_dept)
    assert o.post(url, json.dumps({"percent": 50, "text": "x"}), content_type="application/json").status_code == 404
    assert o.get(f"/api/v1/supervision/rectifications/{rect.pk}").status_code == 404
    d = login(sv.dept.user)  # one test client: logging in again switches it back
    assert d.get(f"/api/v1/supervision/rectifications/{rect.pk}").json()["days_overdue"] >= 0
    assert d.post(f"/api/v1/supervision/rectifications/{rect.pk}/accept").status_code == 403
    office = login(sv.p.office)
    assert office.post(f"/api/v1/supervision/rectifications/{rect.pk}/accept").status_code == 400  # nothing reported
    assert office.get(f"/api/v1/supervision/units/{sv.dept.unit.pk}/criticism?year=2026").json() == []


def test_home_panel_tag(sv, login):
    """The home-page panel shows a leader's contact points with their figures."""
    from django.template import Context, Template
    from django.test import RequestFactory

    services.contact_point_add(user=sv.p.office, leader=sv.p.leader, holder=Holder(community=sv.tree.c1), kind="baobao")
    request = RequestFactory().get("/")
    request.user = sv.p.leader
    html = Template("{% load supervision %}{% supervision_panel %}").render(Context({"request": request}))
    assert "东关社区" in html and "APP安装率" in html
    request.user = sv.p.grid1
    assert "东关社区" not in Template("{% load supervision %}{% supervision_panel %}").render(Context({"request": request}))


def test_no_role_is_shown_a_supervision_link_it_cannot_open(sv, rect, login):
    """Crawling the supervision pages as each role: every supervision link shown opens (no 403/404)."""
    import re

    services.progress_report(user=sv.dept.user, responsibility=sv.r_dept, percent=50, text="x", files=[jpeg()],
                             today=dt.date(2026, 5, 1))
    m = services.meeting_record(user=sv.p.office, street=sv.tree.street, held_on=dt.date(2026, 5, 1), kind="joint",
                                title="联席会议", chair="组长", decisions=["补齐名单"], today=dt.date(2026, 6, 1))
    services.decision_to_task(user=sv.p.office, decision=m.decisions.get(), holders=[Holder(unit=sv.dept.unit)],
                              deadline=dt.date(2026, 5, 20))
    services.contact_point_add(user=sv.p.office, leader=sv.p.leader, holder=Holder(community=sv.tree.c1), kind="baobao")
    link = re.compile(r'href="(/supervision/[^"#?]*)"')
    for user in (sv.p.office, sv.p.leader, sv.p.police, sv.p.community, sv.dept.user, sv.p.liaison):
        c = login(user)
        seen, todo = set(), ["/supervision/"]
        while todo and len(seen) < 80:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            r = c.get(url)
            assert r.status_code == 200, (user.username, url, r.status_code)
            if r.get("Content-Type", "").startswith("text/html"):
                todo += [u for u in link.findall(r.content.decode()) if u not in seen]
        assert len(seen) > 1, user.username
