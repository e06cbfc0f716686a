"""The clue workflow through the pages: check, hand off (吹哨), the department's answer (报到), close —
each step timed and logged — with scoping, roles and duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.clues import services
from fanzha.clues.models import Clue, ClueEvent, Handoff, HandoffStatus, Status
from fanzha.clues.public import lookup
from fanzha.clues.selectors import clues_overdue_for
from fanzha.clues.tests.conftest import make_clue

pytestmark = pytest.mark.django_db


def test_whole_workflow_through_the_pages(client, tree, personas, department, login):
    """Office checks and hands to a department; the department answers; the office closes; the reporter sees it."""
    clue = make_clue(tree.g1, user=personas.grid1, summary="出租屋疑似窝点")
    c = login(personas.office)
    r = c.post(f"/clues/{clue.pk}/check/", {"verdict": "real", "kind": "den", "note": "属实"})
    assert r.status_code == 302
    clue.refresh_from_db()
    assert clue.status == Status.CHECKED and clue.check_seconds is not None and clue.kind == "den"
    r = c.post(f"/clues/{clue.pk}/hand-off/", {"target": f"unit:{department.unit.pk}", "days": "2", "instructions": "联合检查"})
    assert r.status_code == 302
    clue.refresh_from_db()
    assert clue.status == Status.HANDED and clue.unit_id == department.unit.pk
    assert clue.due_at - clue.handed_at == dt.timedelta(days=2)

    d = login(department.user)
    queue = d.get("/clues/")
    assert queue.status_code == 200 and clue.receipt_display in queue.content.decode()
    page = d.get(f"/clues/{clue.pk}/")
    assert "报到" in page.content.decode()
    r = d.post(f"/clues/{clue.pk}/answer/", {"accepted": "yes", "action": "已联合检查", "result": "查获窝点"})
    assert r.status_code == 302
    h = Handoff.objects.get(clue=clue)
    assert h.status == HandoffStatus.ANSWERED and h.within_deadline is True and h.answer_seconds is not None

    c = login(personas.office)
    r = c.post(f"/clues/{clue.pk}/close/", {"outcome": "premises", "public_outcome": ""})
    assert r.status_code == 302
    clue.refresh_from_db()
    assert clue.status == Status.CLOSED and clue.close_seconds is not None
    kinds = list(ClueEvent.objects.filter(clue=clue).values_list("kind", flat=True))
    assert kinds == ["received", "checked", "handed", "answered", "closed"]
    assert lookup(clue.receipt_code)["public_outcome"] == clue.public_outcome != ""


def test_refused_step_keeps_the_form(client, tree, personas, login, checked_clue):
    """A hand-off with a bad deadline is refused with the typed instructions kept."""
    c = login(personas.office)
    r = c.post(f"/clues/{checked_clue.pk}/hand-off/", {"target": "police", "days": "0", "instructions": "请尽快核查"})
    assert r.status_code == 400 and "请尽快核查" in r.content.decode()
    assert Clue.objects.get(pk=checked_clue.pk).status == Status.CHECKED


def test_police_station_answers_police_hand_offs(tree, personas, login, checked_clue):
    """A hand-off to the police station is answered by an officer of the street."""
    services.clue_hand_off(clue=checked_clue, user=personas.office, to_police=True, days=3)
    r = login(personas.police).post(f"/clues/{checked_clue.pk}/answer/", {"accepted": "yes", "result": "已立案"})
    assert r.status_code == 302 and Clue.objects.get(pk=checked_clue.pk).status == Status.ANSWERED


def test_department_sees_only_what_is_handed_to_it(client, tree, personas, department, login, checked_clue):
    """A department gets 404 for a clue not handed to it (page and answer), and its queue holds only its own."""
    other = make_clue(tree.g3)
    services.clue_hand_off(clue=checked_clue, user=personas.office, to_police=True, days=3)
    d = login(department.user)
    for url in (f"/clues/{checked_clue.pk}/", f"/clues/{other.pk}/"):
        assert d.get(url).status_code == 404
    assert d.post(f"/clues/{checked_clue.pk}/answer/", {"accepted": "yes", "result": "x"}).status_code == 404
    assert checked_clue.receipt_display not in d.get("/clues/?tab=all").content.decode()
    assert d.get("/clues/new/").status_code == 403
    assert d.get("/clues/figures/").status_code == 403


def test_scoping_and_roles(client, tree, personas, login, checked_clue):
    """Grid workers see their grid's clues only; the leader reads but may not act; an outsider sees nothing."""
    g3 = make_clue(tree.g3)
    assert login(personas.grid2).get(f"/clues/{checked_clue.pk}/").status_code == 404
    assert login(personas.grid1).get(f"/clues/{checked_clue.pk}/").status_code == 200
    assert login(personas.grid1).get(f"/clues/{g3.pk}/").status_code == 404
    assert login(personas.grid1).post(f"/clues/{g3.pk}/check/", {"verdict": "real"}).status_code == 403
    leader = login(personas.leader)
    assert leader.get(f"/clues/{checked_clue.pk}/").status_code == 200
    assert leader.post(f"/clues/{checked_clue.pk}/close/", {"outcome": "no_fraud"}).status_code == 403
    assert leader.get("/clues/new/").status_code == 403
    assert login(personas.outsider).get(f"/clues/{checked_clue.pk}/").status_code == 404
    assert login(personas.grouphead).get("/clues/").status_code == 403
    assert login(personas.office).get(f"/clues/{checked_clue.pk}/check/").status_code == 405


def test_staff_intake_from_a_phone(client, tree, personas, login):
    """A grid worker adds a clue in their grid; a grid outside their scope is not offered."""
    c = login(personas.grid1)
    page = c.get("/clues/new/")
    assert page.status_code == 200 and tree.g3.name not in page.content.decode()
    r = c.post("/clues/new/", {"summary": "网吧有人收银行卡", "source": "staff", "kind": "two_cards", "node": tree.g1.pk,
                               "phones": "13800009999"})
    assert r.status_code == 302
    clue = Clue.objects.get()
    assert (clue.grid_id, clue.created_by_id, clue.source) == (tree.g1.pk, personas.grid1.pk, "staff")
    r = c.post("/clues/new/", {"summary": "越权", "source": "staff", "kind": "other", "node": tree.g3.pk})
    assert r.status_code == 400 and Clue.objects.count() == 1


def test_duplicates_are_shown_and_merged(client, tree, personas, login):
    """A clue naming the same number as an open one shows the match; merging keeps both receipts."""
    a = make_clue(tree.g1, subjects=[("phone", "139-1234-5678")])
    b = make_clue(tree.g1, subjects=[("phone", "+8613912345678"), ("url", "http://x.example")])
    c = login(personas.office)
    page = c.get(f"/clues/{b.pk}/").content.decode()
    assert "可能重复" in page and a.receipt_display in page
    r = c.post(f"/clues/{b.pk}/check/", {"verdict": "duplicate", "duplicate_of": a.receipt_display})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == Status.MERGED and b.merged_into_id == a.pk
    assert lookup(b.receipt_code) is not None and lookup(a.receipt_code) is not None


def test_declined_hand_off_goes_back_to_the_office(tree, personas, department, checked_clue):
    """A department that declines gives the clue back (checked) with its reason, and loses sight of it."""
    services.clue_hand_off(clue=checked_clue, user=personas.office, unit=department.unit, days=3)
    services.clue_answer(clue=Clue.objects.get(pk=checked_clue.pk), user=department.user, accepted=False,
                         result="不属于本部门")
    c = Clue.objects.get(pk=checked_clue.pk)
    assert c.status == Status.CHECKED and c.unit_id is None
    assert Handoff.objects.get(clue=c).status == HandoffStatus.DECLINED


def test_html_is_shown_as_text(client, tree, personas, login):
    """Script in any text field is escaped on the staff pages."""
    clue = make_clue(tree.g1, summary="<script>alert(1)</script>", place_text="<img src=x onerror=1>")
    body = login(personas.office).get(f"/clues/{clue.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<img src=x" not in body


def test_overdue_hand_off_escalates_once(tree, personas, department, checked_clue):
    """The worker job escalates an overdue hand-off once, notifies office and leader, and the leader's home box lists it."""
    from fanzha.alerts.models import Notification
    from fanzha.clues.jobs import run_due
    from django.template import Context, Template
    from django.test import RequestFactory

    now = timezone.now()
    services.clue_hand_off(clue=checked_clue, user=personas.office, unit=department.unit, days=1, now=now - dt.timedelta(days=2))
    assert run_due(now) == 1
    assert run_due(now) == 0  # a second worker (or pass) finds nothing left to claim
    c = Clue.objects.get(pk=checked_clue.pk)
    assert c.escalated_at == now and ClueEvent.objects.filter(clue=c, kind="escalated").count() == 1
    told = set(Notification.objects.filter(kind="clue_late").values_list("user_id", flat=True))
    assert told == {personas.office.pk, personas.leader.pk}
    assert [x.pk for x in clues_overdue_for(personas.leader)] == [c.pk]
    assert clues_overdue_for(personas.grid2) == []
    request = RequestFactory().get("/")
    request.user = personas.leader
    html = Template("{% load clues_tags %}{% clues_overdue_box %}").render(Context({"request": request}))
    assert c.receipt_display in html and "超时" in html


def test_queue_query_count(client, tree, personas, login, django_assert_max_num_queries):
    """The queue page's queries do not grow with the number of clues."""
    for i in range(25):
        make_clue(tree.g1 if i % 2 else tree.c2, summary=f"线索{i}")
    c = login(personas.office)
    with django_assert_max_num_queries(14):
        r = c.get("/clues/?tab=all")
    assert r.status_code == 200 and r.content.decode().count("data-clue=") == 25


def test_every_clue_view_is_guarded_by_the_access_table():
    """Every staff page of clues names an area of the access table; every public one is marked public."""
    from fanzha.clues import public_urls, urls
    from fanzha.core.access import BY_KEY

    for pattern in urls.urlpatterns:
        assert getattr(pattern.callback, "fanzha_access", None) in BY_KEY, pattern.name
    for pattern in public_urls.urlpatterns:
        assert getattr(pattern.callback, "fanzha_access", None) == "public", pattern.name


def _finding_records(tree, personas):
    from fanzha.risk.models import Premises, PremisesCheck, Sweep, SweepPerson

    today = timezone.localdate()
    premises = Premises(name="幸福出租屋", kind="rental", address="东关路9号")
    premises.place_at(tree.g1)
    premises.save()
    sweep = Sweep(held_on=today)
    sweep.place_at(tree.g1)
    sweep.save()
    check = PremisesCheck(premises=premises, sweep=sweep, checked_on=today, finding="den", finding_note="多部手机同时通话")
    check.place_at(tree.g1)
    check.save()
    calm = PremisesCheck(premises=premises, checked_on=today - dt.timedelta(days=7), finding="none")
    calm.place_at(tree.g1)
    calm.save()
    person = SweepPerson(sweep=sweep, held_on=today, name="流动人员甲", no_regular_job=True, note="说不清收入来源")
    person.place_at(tree.g1)
    person.save()
    return sweep, check, calm, person


def test_a_finding_becomes_a_clue_in_one_tap(tree, personas, login):
    """A premises finding or a flagged sweep person becomes a clue in one tap, once; out of scope 404, leader 403."""
    sweep, check, calm, person = _finding_records(tree, personas)
    c = login(personas.grid1)
    page = c.get(f"/risk/sweeps/{sweep.pk}/").content.decode()
    assert f"/clues/from/premises-check/{check.pk}/" in page and f"/clues/from/sweep-person/{person.pk}/" in page
    r = c.post(f"/clues/from/premises-check/{check.pk}/")
    clue = Clue.objects.get(source="premises")
    assert r.status_code == 302 and r["Location"] == f"/clues/{clue.pk}/"
    assert (clue.kind, clue.grid_id, clue.status, clue.place_text) == ("den", tree.g1.id, Status.NEW, "东关路9号")
    assert "幸福出租屋" in clue.summary and "多部手机同时通话" in clue.summary
    assert c.post(f"/clues/from/premises-check/{check.pk}/")["Location"] == f"/clues/{clue.pk}/"  # a second tap
    assert login(personas.gridleader).post(f"/clues/from/premises-check/{check.pk}/")["Location"] == f"/clues/{clue.pk}/"
    assert Clue.objects.filter(source="premises").count() == 1
    r = c.post(f"/clues/from/sweep-person/{person.pk}/")
    suspect = Clue.objects.get(source="sweep")
    assert r.status_code == 302 and suspect.kind == "suspect" and "无固定职业" in suspect.summary
    assert c.post(f"/clues/from/premises-check/{calm.pk}/").status_code == 404  # nothing found: nothing to report
    assert c.get(f"/clues/from/premises-check/{check.pk}/").status_code == 405
    assert c.post(f"/clues/from/nothing/{check.pk}/").status_code == 404
    assert login(personas.grid2).post(f"/clues/from/sweep-person/{person.pk}/").status_code == 404
    assert login(personas.leader).post(f"/clues/from/sweep-person/{person.pk}/").status_code == 403
    assert Clue.objects.count() == 2
