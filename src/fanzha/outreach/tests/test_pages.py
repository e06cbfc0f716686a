"""Outreach pages and API: in scope works, other grid 404, read-only 403, wrong method 405; forms keep input."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from fanzha.outreach import services
from fanzha.outreach.models import (
    Activity,
    HomeVisit,
    InstallStatus,
    InstallTarget,
    WeChatPush,
)
from fanzha.outreach.tests.conftest import jpeg_bytes, upload


def _yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def activity(tree, personas):
    return services.activity_record(user=personas.grid1, node=tree.g1, data=services.ActivityData(
        held_on=_yesterday(), place="东关小区", organiser="东关社区", kind="leaflet", venue="residential",
        audiences=["general"], participants=30, materials=100, fraud_types=["rebate_task"]),
        files=[upload("a.jpg", jpeg_bytes())])


# --- read pages -------------------------------------------------------------------------------

PAGES = {"/outreach/": "outreach", "/outreach/activities/": "outreach.activities", "/outreach/visits/": "outreach.visits",
         "/outreach/targets/": "outreach.targets", "/outreach/wechat/": "outreach.wechat", "/outreach/units/": "outreach.units",
         "/outreach/letters/": "outreach.letters", "/outreach/reports/": "outreach.reports",
         "/outreach/activities/new/": "outreach.new"}
ROLES = ["office", "leader", "police", "community", "gridleader", "grid1", "grouphead", "safety", "liaison"]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("url", list(PAGES))
def test_pages_follow_the_access_table(login, personas, tree, who, url):
    """Every outreach page answers 200 (or the liaison's redirect) to a role the access table lets in, else 403."""
    from fanzha.core.access import can_open

    user = getattr(personas, who)
    r = login(user).get(url)
    if not can_open(user, PAGES[url]):
        assert r.status_code == 403
    else:
        assert r.status_code in ((200, 302) if who == "liaison" and url == "/outreach/" else (200,)), r.content[:300]


@pytest.mark.parametrize("who", ROLES + ["dept"])
def test_every_tab_shown_opens(login, personas, tree, department, who):
    """Every outreach tab drawn for a role opens for it (no 404/403 from a tab): liaison, group head and the rest."""
    user = department.user if who == "dept" else getattr(personas, who)
    c = login(user)
    for start in PAGES:
        r = c.get(start)
        if r.status_code != 200:
            continue
        nav = re.search(r'<nav class="tabs"[^>]*>(.*?)</nav>', r.content.decode(), re.S)
        for href in re.findall(r'href="([^"]+)"', nav.group(1) if nav else ""):
            href = href.replace("&amp;", "&")
            assert c.get(href).status_code in (200, 302), (who, start, href)


def test_liaison_lands_on_their_unit(login, personas, tree):
    """A liaison has no tree: the dashboard sends them to their unit's staff installs."""
    r = login(personas.liaison).get("/outreach/")
    assert r.status_code == 302 and r["Location"] == f"/outreach/units/{tree.unit.pk}/installs/"
    assert login(personas.liaison).get(r["Location"]).status_code == 200


@pytest.mark.parametrize("who, node, status", [
    ("grid1", "g1", 200), ("grid1", "g2", 404), ("grid1", "c1", 404), ("community", "c1", 200), ("community", "c2", 404),
    ("office", "street", 200), ("outsider", "street", 404), ("leader", "g3", 200), ("grouphead", "g1a", 200),
    ("grouphead", "g1", 404),
])
def test_dashboard_scope(login, personas, tree, who, node, status):
    """The dashboard of a node outside one's part of the tree is 404, like one that does not exist."""
    r = login(getattr(personas, who)).get(f"/outreach/?node={getattr(tree, node).pk}")
    assert r.status_code == status


def test_dashboard_bad_node_param_is_404(login, personas):
    """A malformed node parameter on the outreach dashboard is 404."""
    assert login(personas.office).get("/outreach/?node=abc").status_code == 404


# --- home visit ----------------------------------------------------------------------------------


def _visit_post(tree, **extra):
    data = {"visited_on": _yesterday().isoformat(), "visitors": "grid1", "actions": ["explained"], "materials": "2",
            "verifier": "grid1", "note": "讲解了刷单诈骗",
            f"was_app_{tree.r1.pk}": "0", f"was_call_warning_{tree.r1.pk}": "0", f"was_jinzhongzhao_{tree.r1.pk}": "0",
            f"was_app_{tree.r1b.pk}": "0", f"was_call_warning_{tree.r1b.pk}": "0", f"was_jinzhongzhao_{tree.r1b.pk}": "0",
            f"app_{tree.r1.pk}": "on", f"app_{tree.r1b.pk}": "on", f"call_warning_{tree.r1b.pk}": "on"}
    data.update(extra)
    return data


@pytest.mark.parametrize("who, household, status", [
    ("grid1", "h1", 200), ("grid1", "h2", 404), ("grid2", "h1", 404), ("gridleader", "h2", 200),
    ("grouphead", "h1", 200), ("community", "h3", 404), ("outsider", "h1", 404), ("leader", "h1", 403),
])
def test_visit_page_scope(login, personas, tree, who, household, status):
    """The visit screen: own grid 200, another grid 404, read-only leader 403."""
    r = login(getattr(personas, who)).get(f"/outreach/households/{getattr(tree, household).pk}/visit/")
    assert r.status_code == status


def test_visit_with_installs_in_one_submit(login, personas, tree):
    """One submit records the visit and the ticked installs, dated with the visit date."""
    c = login(personas.grid1)
    r = c.post(f"/outreach/households/{tree.h1.pk}/visit/", _visit_post(tree))
    assert r.status_code == 302 and r["Location"] == f"/outreach/nodes/{tree.g1.pk}/targeted/"
    v = HomeVisit.objects.get()
    assert (v.household_id, v.visited_on, v.materials) == (tree.h1.pk, _yesterday(), 2)
    assert set(v.actions) >= {"explained", "app_help", "call_warning"}
    rows = {r.resident_id: r for r in InstallStatus.objects.all()}
    assert rows[tree.r1.pk].app_installed_on == _yesterday() and rows[tree.r1.pk].call_warning_on is None
    assert rows[tree.r1b.pk].call_warning_on == _yesterday() and rows[tree.r1b.pk].call_warning_verifier == "grid1"


def test_visit_outside_grid_is_404_and_writes_nothing(login, personas, tree):
    """Posting a visit for a household of another grid: 404 and nothing saved."""
    r = login(personas.grid1).post(f"/outreach/households/{tree.h2.pk}/visit/", _visit_post(tree))
    assert r.status_code == 404 and not HomeVisit.objects.exists()


def test_visit_future_date_keeps_input(login, personas, tree):
    """A date in the future: clear error, everything typed (and ticked) still there, nothing saved."""
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = login(personas.grid1).post(f"/outreach/households/{tree.h1.pk}/visit/", _visit_post(tree, visited_on=future))
    html = r.content.decode()
    assert r.status_code == 200 and "不能在未来" in html
    assert "讲解了刷单诈骗" in html and f'name="app_{tree.r1.pk}" id="id_app_{tree.r1.pk}" checked' in html
    assert not HomeVisit.objects.exists() and not InstallStatus.objects.exists()


def test_visit_with_a_fake_photo_saves_nothing(login, personas, tree):
    """An upload that is not what its name says: the whole visit is refused, input kept, a note to pick files again."""
    data = _visit_post(tree)
    data["files"] = upload("IMG_1.jpg", b"<html>not a photo</html>")
    r = login(personas.grid1).post(f"/outreach/households/{tree.h1.pk}/visit/", data)
    html = r.content.decode()
    assert r.status_code == 200 and "不是可识别的照片或视频" in html and "请重新选择照片或视频" in html
    assert not HomeVisit.objects.exists() and not InstallStatus.objects.exists()


def test_leader_cannot_post_and_wrong_methods(login, personas, tree):
    """Read-only leader: 403 on writes; PUT/DELETE on form pages: 405."""
    assert login(personas.leader).post(f"/outreach/households/{tree.h1.pk}/visit/", _visit_post(tree)).status_code == 403
    c = login(personas.grid1)
    assert c.put(f"/outreach/households/{tree.h1.pk}/visit/").status_code == 405
    assert c.delete("/outreach/activities/new/").status_code == 405
    assert c.post("/outreach/").status_code == 405
    assert c.get("/outreach/targets/1/delete/").status_code == 405


# --- activities and evidence ------------------------------------------------------------------------


def test_activity_form_defaults(login, personas, tree, activity):
    """The form opens with today, the user's node and the last-used kind."""
    html = login(personas.grid1).get("/outreach/activities/new/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert f'<option value="n:{tree.g1.pk}" selected>' in html
    assert re.search(r'name="kind" value="leaflet"[^>]*checked', html)


def test_activity_form_error_keeps_values(login, personas, tree):
    """Bad counts and a future date: messages next to the fields, typed values kept, nothing saved."""
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = login(personas.grid1).post("/outreach/activities/new/", {
        "held_on": future, "where": f"n:{tree.g1.pk}", "kind": "lecture", "venue": "community", "place": "东关社区活动室",
        "organiser": "东关社区", "audiences": ["elderly"], "participants": "40", "materials": "60",
        "fraud_types": ["elderly_health_products"], "files": upload("x.png", jpeg_bytes())})
    html = r.content.decode()
    assert r.status_code == 200 and "不能在未来" in html and "内容是JPEG图片" in html
    assert "东关社区活动室" in html and 'value="elderly_health_products"' in html
    assert not Activity.objects.exists()


def test_activity_for_another_grid_is_404(login, personas, tree):
    """Recording an activity for another grid is a form error and stores nothing."""
    r = login(personas.grid1).post("/outreach/activities/new/", {
        "held_on": _yesterday().isoformat(), "where": f"n:{tree.g2.pk}", "kind": "lecture", "venue": "community",
        "place": "x", "organiser": "y"})
    assert r.status_code == 200 and "选择" in r.content.decode()  # not among the choices: a form error
    assert not Activity.objects.exists()


@pytest.mark.parametrize("who, status", [("grid1", 200), ("community", 200), ("office", 200), ("grid2", 404),
                                         ("outsider", 404), ("liaison", 404)])
def test_evidence_served_only_in_scope(login, personas, activity, who, status):
    """Evidence is served through the scoped view: other grid 404."""
    e = activity.evidence.get()
    c = login(getattr(personas, who))
    r = c.get(f"/outreach/evidence/{e.pk}/")
    assert r.status_code == status
    if status == 200:
        assert r["Content-Type"] == "image/jpeg" and r["X-Content-Type-Options"] == "nosniff"
        assert c.get(f"/outreach/evidence/{e.pk}/thumb/").status_code == 200
    assert c.get(f"/outreach/activities/{activity.pk}/").status_code == status


def test_evidence_not_served_as_static(client, personas, activity):
    """There is no public URL for media files."""
    e = activity.evidence.get()
    assert client.get(f"/media/{e.file}").status_code == 404
    assert client.get(f"/outreach/evidence/{e.pk}/").status_code == 302  # to the login page


# --- targets, pushes, letters, reports ----------------------------------------------------------------


def test_target_form_validation(login, personas, tree):
    """Rate above 100% is refused with a clear message, values kept; a past deadline is kept as history (flagged)."""
    c = login(personas.office)
    r = c.post("/outreach/targets/", {"action": "set", "node": tree.c1.pk, "group": "residents", "rate": "120",
                                       "deadline": "2020-01-01", "note": "年底目标"})
    html = r.content.decode()
    assert r.status_code == 200 and "不能超过100%" in html and "年底目标" in html
    assert not InstallTarget.objects.exists()
    r = c.post("/outreach/targets/", {"action": "set", "node": tree.c1.pk, "group": "residents", "rate": "30",
                                       "deadline": "2020-06-30"})
    assert r.status_code == 302 and InstallTarget.objects.get().historical
    InstallTarget.objects.all().delete()
    r = c.post("/outreach/targets/", {"action": "set", "node": tree.c1.pk, "group": "residents", "rate": "95",
                                       "deadline": f"{timezone.localdate().year + 1}-12-31"})
    assert r.status_code == 302 and InstallTarget.objects.get().rate == 95


@pytest.mark.parametrize("who, status", [("community", 403), ("leader", 403), ("grid1", 403)])
def test_only_the_office_sets_targets(login, personas, tree, who, status):
    """Only the office may set install targets; other roles get their status."""
    r = login(getattr(personas, who)).post("/outreach/targets/", {"action": "set", "node": tree.c1.pk, "group": "residents",
                                                                  "rate": "50", "deadline": "2030-01-01"})
    assert r.status_code == status


def test_office_cannot_target_another_street(login, personas, tree):
    """The office cannot set a target for another street's community; nothing is saved."""
    r = login(personas.office).post("/outreach/targets/", {"action": "set", "node": tree.c9.pk, "group": "residents",
                                                           "rate": "50", "deadline": "2030-01-01"})
    assert r.status_code == 200 and not InstallTarget.objects.exists()  # not a choice: form error, nothing saved


def test_wechat_push_and_short_weeks(login, personas, tree):
    """A community with fewer than two pushes in a finished week shows up."""
    today = timezone.localdate()
    last_monday = today - dt.timedelta(days=today.weekday() + 7)
    services.wechat_push_record(user=personas.community, node=tree.c1, group_name="东关居民群", pushed_on=last_monday,
                                title="刷单返利都是诈骗", today=today)
    services.wechat_push_record(user=personas.community, node=tree.c1, group_name="东关居民群",
                                pushed_on=last_monday + dt.timedelta(days=2), title="冒充客服退款", today=today)
    services.wechat_push_record(user=personas.community, node=tree.c2, group_name="南门居民群", pushed_on=last_monday,
                                title="养老诈骗", today=today)
    html = login(personas.office).get(f"/outreach/wechat/?node={tree.street.pk}&weeks=2").content.decode()
    assert 'id="short-weeks"' in html
    short_block = html.split('id="short-weeks"')[1].split("</div>")[0]
    assert "南门社区" in short_block and "东关社区" not in short_block
    r = login(personas.community).post(f"/outreach/wechat/?node={tree.c1.pk}", {
        "node": tree.c1.pk, "group_name": "东关居民群", "pushed_on": today.isoformat(), "title": "金钟罩开通方法", "content_kind": "image"})
    assert r.status_code == 302 and WeChatPush.objects.count() == 4


def test_letter_receipts(login, personas, tree):
    """A school's letter with classes; receipts above letters sent are refused, input kept."""
    c = login(personas.liaison)
    r = c.post("/outreach/letters/", {"unit": tree.unit.pk, "title": "致家长的一封信", "sent_on": _yesterday().isoformat(),
                                      "classes": "一年级1班 40\n一年级2班 42"})
    assert r.status_code == 302
    pk = int(r["Location"].rstrip("/").split("/")[-1])
    r = c.post(f"/outreach/letters/{pk}/", {"class_0": "一年级1班", "sent_0": "40", "returned_0": "45",
                                            "class_1": "一年级2班", "sent_1": "42", "returned_1": "40"})
    html = r.content.decode()
    assert "多于发放" in html and 'value="45"' in html
    r = c.post(f"/outreach/letters/{pk}/", {"class_0": "一年级1班", "sent_0": "40", "returned_0": "38",
                                            "class_1": "一年级2班", "sent_1": "42", "returned_1": "40",
                                            "class_2": "二年级1班", "sent_2": "30", "returned_2": "30"})
    assert r.status_code == 302
    data = login(personas.office).get("/api/v1/outreach/letters/receipts").json()
    assert data["total"] == {"sent": 112, "returned": 108, "rate": 96.4}
    assert login(personas.grid1).get(f"/outreach/letters/{pk}/").status_code == 403  # grid team: no letters area
    assert login(personas.outsider).get(f"/outreach/letters/{pk}/").status_code == 404


def test_report_download_scoped(login, personas, tree):
    """Reports are made for nodes in scope only; downloads are audited."""
    from fanzha.core.models import AuditLog

    day = timezone.localdate().isoformat()
    c = login(personas.community)
    r = c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.c1.pk}&date={day}&fmt=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="export", username="community").exists()
    assert c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.street.pk}&date={day}&fmt=docx").status_code == 404
    assert c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.c1.pk}&date={day}&fmt=gif").status_code == 404
    lia = login(personas.liaison)
    r = lia.get(f"/outreach/reports/make/?kind=unit_monthly&unit={tree.unit.pk}&date={day}&fmt=docx")
    assert r.status_code == 200


def test_settings_only_office(login, personas, tree):
    """Only the office opens and changes the outreach settings, and only for its own street."""
    assert login(personas.community).get("/outreach/settings/").status_code == 403
    c = login(personas.office)
    assert c.get("/outreach/settings/").status_code == 200
    assert c.post("/outreach/settings/", {"street": tree.street.pk, "keep_gps": "on"}).status_code == 302
    assert tree.street.outreach_setting.keep_gps
    assert c.post("/outreach/settings/", {"street": tree.street2.pk, "keep_gps": "on"}).status_code == 404


# --- API ---------------------------------------------------------------------------------------------


def test_api_scope_and_permissions(login, personas, tree):
    """API: own grid 200, other grid 404, leader write 403, wrong method 405, bad input 400/422."""
    c = login(personas.grid1)
    assert c.get(f"/api/v1/outreach/rates?node={tree.g1.pk}").status_code == 200
    assert c.get(f"/api/v1/outreach/rates?node={tree.g2.pk}").status_code == 404
    assert c.get(f"/api/v1/outreach/targeted?node={tree.g2.pk}").status_code == 404
    body = {"household_id": tree.h1.pk, "visited_on": _yesterday().isoformat(), "visitors": "grid1",
            "installs": [{"resident_id": tree.r1.pk, "app": True}]}
    r = c.post("/api/v1/outreach/visits", json.dumps(body), content_type="application/json")
    assert r.status_code == 201 and InstallStatus.objects.get().app_installed_on == _yesterday()
    other = dict(body, household_id=tree.h2.pk)
    assert c.post("/api/v1/outreach/visits", json.dumps(other), content_type="application/json").status_code == 404
    bad = dict(body, installs=[{"resident_id": tree.r2.pk, "app": True}])
    assert c.post("/api/v1/outreach/visits", json.dumps(bad), content_type="application/json").status_code == 400
    assert c.delete("/api/v1/outreach/visits").status_code == 405
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    r = c.put(f"/api/v1/outreach/installs/residents/{tree.r1.pk}", json.dumps({"app_installed_on": future}),
              content_type="application/json")
    assert r.status_code == 400 and "不能在未来" in r.json()["detail"]
    r = c.put(f"/api/v1/outreach/installs/residents/{tree.r2.pk}", json.dumps({"app_installed_on": "2026-01-02"}),
              content_type="application/json")
    assert r.status_code == 404
    leader = login(personas.leader)  # the same client, now the read-only leader
    assert leader.post("/api/v1/outreach/visits", json.dumps(body), content_type="application/json").status_code == 403
    assert leader.get(f"/api/v1/outreach/rates?node={tree.g1.pk}").status_code == 200


def test_api_targets(login, personas, tree):
    """The targets API refuses a rate over 100%, keeps a past plan as history and reports progress."""
    c = login(personas.office)
    year = timezone.localdate().year + 1
    r = c.post("/api/v1/outreach/targets", json.dumps({"node_id": tree.c1.pk, "group": "residents", "rate": 101,
                                                       "deadline": f"{year}-12-31"}), content_type="application/json")
    assert r.status_code == 400 and "不能超过100%" in r.json()["detail"]
    r = c.post("/api/v1/outreach/targets", json.dumps({"node_id": tree.c1.pk, "group": "residents", "rate": 30,
                                                       "deadline": "2021-12-31"}), content_type="application/json")
    assert r.status_code == 201 and r.json()["historical"] is True  # a past plan: kept as history
    r = c.post("/api/v1/outreach/targets", json.dumps({"node_id": tree.c1.pk, "group": "residents", "rate": 60,
                                                       "deadline": f"{year}-12-31"}), content_type="application/json")
    assert r.status_code == 201
    p = c.get(f"/api/v1/outreach/targets/progress?node={tree.street.pk}&level=community").json()
    row = next(x for x in p["rows"] if x["node"]["id"] == tree.c1.pk)
    assert row["target_rate"] == 60.0 and row["gap"] == 2 and row["status"] == "behind"
    assert login(personas.community).post("/api/v1/outreach/targets", json.dumps(
        {"node_id": tree.c1.pk, "group": "residents", "rate": 60, "deadline": f"{year}-12-31"}),
        content_type="application/json").status_code == 403


def test_liaison_marks_staff_installs(login, personas, tree):
    """A liaison ticks staff installs on one screen; the unit's rate follows; outside the unit 404, leader 403."""
    c = login(personas.liaison)
    url = f"/outreach/units/{tree.unit.pk}/installs/"
    data = {"installed_on": _yesterday().isoformat(), "verifier": "联络员",
            f"was_app_{tree.staff.pk}": "0", f"was_call_warning_{tree.staff.pk}": "0", f"was_jinzhongzhao_{tree.staff.pk}": "0",
            f"app_{tree.staff.pk}": "on", f"jinzhongzhao_{tree.staff.pk}": "on"}
    future = dict(data, installed_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat())
    r = c.post(url, future)
    assert r.status_code == 200 and "不能在未来" in r.content.decode() and not InstallStatus.objects.exists()
    assert c.post(url, data).status_code == 302
    row = InstallStatus.objects.get(staff=tree.staff)
    assert row.app_installed_on == _yesterday() and row.app_verifier == "联络员" and row.call_warning_on is None
    rates = c.get("/api/v1/outreach/units/rates?by=unit").json()["rows"]
    assert rates == [dict(rates[0], key=tree.unit.pk, staff=1, app=1, app_rate=100.0, jinzhongzhao_rate=100.0)]
    assert login(personas.grid1).post(url, data).status_code == 403  # grid team: no unit-installs area
    assert login(personas.outsider).post(url, data).status_code == 404
    assert login(personas.leader).post(url, data).status_code == 403
    assert login(personas.leader).get(url).status_code == 200


def test_seed_target_presets(login, personas, tree):
    """The campaign (30/60/100% by July/August/September, communities and departments) and the plan targets are set
    in one go; a past plan is kept as history."""
    c = login(personas.office)
    year = timezone.localdate().year + 1
    r = c.post(f"/outreach/targets/?node={tree.street.pk}", {"action": "campaign", "campaign-node": tree.street.pk,
                                                              "campaign-kind": "campaign", "campaign-year": year})
    assert r.status_code == 302
    assert sorted((t.group, float(t.rate), t.deadline.month) for t in InstallTarget.objects.all()) == [
        ("departments", 30.0, 7), ("departments", 60.0, 8), ("departments", 100.0, 9),
        ("residents", 30.0, 7), ("residents", 60.0, 8), ("residents", 100.0, 9)]
    r = c.post(f"/outreach/targets/?node={tree.street.pk}", {"action": "campaign", "campaign-node": tree.c2.pk,
                                                              "campaign-kind": "plan", "campaign-year": 2021})
    assert r.status_code == 302 and all(t.historical for t in InstallTarget.objects.filter(node=tree.c2))
    r = c.post(f"/outreach/targets/?node={tree.street.pk}", {"action": "campaign", "campaign-node": tree.c1.pk,
                                                              "campaign-kind": "plan", "campaign-year": year})
    assert r.status_code == 302 and InstallTarget.objects.filter(node=tree.c1).count() == 6
    steps = InstallTarget.objects.filter(node=tree.c1, group="all").order_by("deadline")
    assert [(t.deadline.year, float(t.rate)) for t in steps] == [(year + 1, 55.0), (year + 2, 75.0), (year + 3, 95.0)]


def test_oversized_photo_on_the_visit_form(login, personas, tree, settings):
    """An upload above the limit: the visit is not saved, the message names the limit, ticks and note are kept."""
    settings.FANZHA_EVIDENCE_MAX_MB = 1
    data = _visit_post(tree)
    data["files"] = upload("IMG_big.jpg", jpeg_bytes() + bytes(1_200_000))
    r = login(personas.grid1).post(f"/outreach/households/{tree.h1.pk}/visit/", data)
    html = r.content.decode()
    assert r.status_code == 200 and "超过1 MB的上限" in html and "讲解了刷单诈骗" in html
    assert f'name="app_{tree.r1b.pk}" id="id_app_{tree.r1b.pk}" checked' in html
    assert not HomeVisit.objects.exists() and not InstallStatus.objects.exists()


def test_every_outreach_and_case_view_is_guarded_by_the_table():
    """Every outreach and cases page view carries @area_view (the access table decides, not a forgotten check)."""
    from fanzha.cases import urls as case_urls
    from fanzha.core.access import BY_KEY
    from fanzha.outreach import urls as outreach_urls

    for pattern in [*outreach_urls.urlpatterns, *case_urls.urlpatterns]:
        key = getattr(pattern.callback, "fanzha_access", None)
        assert key in BY_KEY, pattern.name
