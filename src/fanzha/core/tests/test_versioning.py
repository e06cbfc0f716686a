"""Every edit names the version it started from: races and stale forms lose nothing (fanzha.core.versioning).

The races run real threads, each with its own database connection, against a file SQLite database in WAL
mode (like production) or PostgreSQL (DATABASE_URL=postgres://...).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from fanzha.alerts.tests.conftest import file_db  # noqa: F401 - fixture: a file copy of the SQLite test database
from fanzha.alerts.tests.test_races import run_together
from fanzha.core.versioning import Conflict, save_if_current
from fanzha.org import services
from fanzha.org.models import Household, Resident


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_save_if_current_refuses_a_stale_version(tree):
    """A save naming the version read goes through and bumps it; the same version again is refused with the current row."""
    r = Resident.objects.get(pk=tree.r1.pk)
    v = r.version
    r.note = "一"
    save_if_current(r, v, ["note"])
    assert Resident.objects.get(pk=r.pk).version == v + 1
    stale = Resident.objects.get(pk=r.pk)
    stale.note = "二"
    with pytest.raises(Conflict) as exc:
        save_if_current(stale, v, ["note"])
    assert exc.value.current.note == "一" and exc.value.status_code == 409
    assert Resident.objects.get(pk=r.pk).note == "一"


@pytest.mark.django_db(transaction=True)
def test_two_users_patch_different_fields_of_a_resident_at_once(file_db, tree, personas):  # noqa: F811
    """Two users PATCH different fields of the same resident at the same moment, 10 times: both changes land every time."""
    assert connection.vendor != "sqlite" or not connection.is_in_memory_db()
    a, b = _client(personas.grid1), _client(personas.community)
    url = f"/api/v1/residents/{tree.r1.pk}"
    for i in range(10):
        r1, r2 = run_together(
            lambda i=i: a.patch(url, {"note": f"备注{i}"}, content_type="application/json"),
            lambda i=i: b.patch(url, {"occupation": f"职业{i}"}, content_type="application/json"))
        assert r1.status_code == 200 and r2.status_code == 200, (r1.content, r2.content)
        now = Resident.objects.get(pk=tree.r1.pk)
        assert (now.note, now.occupation) == (f"备注{i}", f"职业{i}")


@pytest.mark.django_db(transaction=True)
def test_two_saves_from_the_same_version_one_wins_one_is_told(file_db, tree, personas):  # noqa: F811
    """Two saves of the same household from the same version at the same moment: one is written, the other gets 409."""
    h = Household.objects.get(pk=tree.h1.pk)
    url = f"/api/v1/households/{h.pk}"
    a, b = _client(personas.grid1), _client(personas.community)
    for i in range(6):
        v = Household.objects.get(pk=h.pk).version
        r1, r2 = run_together(
            lambda i=i, v=v: a.patch(url, {"note": f"甲{i}", "version": v}, content_type="application/json"),
            lambda i=i, v=v: b.patch(url, {"note": f"乙{i}", "version": v}, content_type="application/json"))
        codes = sorted([r1.status_code, r2.status_code])
        assert codes == [200, 409], (r1.content, r2.content)
        winner = (r1 if r1.status_code == 200 else r2).json()
        assert Household.objects.get(pk=h.pk).note == winner["note"] and winner["version"] == v + 1
        loser = (r1 if r1.status_code == 409 else r2).json()
        assert "已被其他人修改" in loser["detail"]


@pytest.mark.django_db
def test_stale_resident_form_shows_the_other_change_and_keeps_what_was_typed(tree, personas, login):
    """A form opened before another user's save: 409 with their value beside the typed one; saving again keeps mine."""
    client = login(personas.grid1)
    url = reverse("resident_edit", args=[tree.r1.pk])
    assert client.get(url).status_code == 200
    opened = Resident.objects.get(pk=tree.r1.pk).version
    other = Resident.objects.get(pk=tree.r1.pk)  # meanwhile the community worker saves a note
    services.resident_update(resident=other, name=other.name, id_number=other.id_number, phone=other.phone,
                             residency=other.residency, note="社区已核实", occupation=other.occupation)
    form = {"name": "王建国", "residency": "permanent", "occupation": "退休教师", "note": "", "version": opened}
    r = client.post(url, form)
    assert r.status_code == 409
    body = r.content.decode()
    assert "其他人已保存" in body and "社区已核实" in body  # their change, shown
    assert 'value="退休教师"' in body  # what I typed, kept
    assert f'name="version" value="{opened + 1}"' in body  # saving again is a choice made knowing theirs
    now = Resident.objects.get(pk=tree.r1.pk)
    assert now.note == "社区已核实" and now.occupation != "退休教师"  # nothing overwritten
    r = client.post(url, {**form, "note": "社区已核实", "version": opened + 1})  # merged by hand, saved
    assert r.status_code == 302
    now = Resident.objects.get(pk=tree.r1.pk)
    assert (now.note, now.occupation) == ("社区已核实", "退休教师")


@pytest.mark.django_db
def test_stale_household_form_answers_409_with_merge_panel(tree, personas, login):
    """The household form names its version too: a stale save shows the other address and writes nothing."""
    client = login(personas.grid1)
    v = Household.objects.get(pk=tree.h1.pk).version
    services.household_update(household=Household.objects.get(pk=tree.h1.pk), address="新地址1号", version=v)
    r = client.post(reverse("household_edit", args=[tree.h1.pk]), {"address": "旧表单地址", "version": v})
    assert r.status_code == 409 and "新地址1号" in r.content.decode() and "旧表单地址" in r.content.decode()
    assert Household.objects.get(pk=tree.h1.pk).address == "新地址1号"


@pytest.mark.django_db
def test_api_put_with_a_stale_version_answers_409(tree, personas, login):
    """PUT /residents/{id} with the version read before another save answers 409 and writes nothing."""
    client = login(personas.grid1)
    got = client.get(f"/api/v1/residents/{tree.r1.pk}").json()
    client.patch(f"/api/v1/residents/{tree.r1.pk}", {"note": "先保存的"}, content_type="application/json")
    r = client.put(f"/api/v1/residents/{tree.r1.pk}", {"name": "王建国", "note": "后保存的", "version": got["version"]},
                   content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"]
    assert Resident.objects.get(pk=tree.r1.pk).note == "先保存的"


@pytest.mark.django_db
def test_case_and_key_person_edits_refuse_a_stale_version(tree, personas):
    """Cases and key-person files carry a version: a save from an older one raises Conflict and writes nothing."""
    from fanzha.cases import services as cases
    from fanzha.cases.models import Case
    from fanzha.risk.models import KeyPerson
    from fanzha.risk.services import key_persons as kp

    case = cases.case_register(user=personas.police, reported_on=dt.date(2025, 3, 10), loss_on=dt.date(2025, 3, 9),
                               loss=Decimal("1000"), fraud_type="rebate_task", channel="app", victim=tree.r1,
                               today=dt.date(2026, 11, 23))
    v = case.version
    cases.case_update(user=personas.police, case=case, narrative="第一次", version=v, today=dt.date(2026, 11, 23))
    with pytest.raises(Conflict):
        cases.case_update(user=personas.office, case=case, narrative="过期表单", version=v, today=dt.date(2026, 11, 23))
    assert Case.objects.get(pk=case.pk).narrative == "第一次"

    person = kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r1,
                                data=kp.PersonData(watch_for="夜间外出"), opened_on=dt.date(2026, 10, 1),
                                today=dt.date(2026, 11, 23))
    v = person.version
    kp.key_person_update(user=personas.police, person=KeyPerson.objects.get(pk=person.pk),
                         data=kp.PersonData(watch_for="新情况"), version=v, today=dt.date(2026, 11, 23))
    with pytest.raises(Conflict):
        kp.key_person_update(user=personas.police, person=KeyPerson.objects.get(pk=person.pk),
                             data=kp.PersonData(watch_for="过期"), version=v, today=dt.date(2026, 11, 23))
    assert KeyPerson.objects.get(pk=person.pk).watch_for == "新情况"


def _form_fields(html: str) -> dict:
    """What a browser would post, untouched, from the page's POST forms (an edit page has one)."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data, self.forms, self.in_form, self.select, self.textarea = {}, 0, False, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.in_form = a.get("method", "").lower() == "post"
            if not self.in_form:
                return
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                self.data[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
            elif tag == "select" and name:
                self.select = name
                self.data.setdefault(name, "")
            elif tag == "option" and self.select and "selected" in a:
                self.data[self.select] = a.get("value", "")
            elif tag == "textarea" and name:
                self.textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.in_form = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, text):
            if self.textarea:
                self.data[self.textarea] += text

    parser = Fields()
    parser.feed(html)
    return parser.data


@pytest.mark.django_db
def test_stale_case_and_key_person_forms_answer_409_with_merge_panel(tree, personas, login):
    """The case and key-person edit pages follow the same rule as the resident's: a form opened before another
    user's save answers 409 with their value beside mine and writes nothing; saving again then keeps mine."""
    from fanzha.cases import services as cases
    from fanzha.cases.models import Case
    from fanzha.risk.models import KeyPerson
    from fanzha.risk.services import key_persons as kp

    today = dt.date(2026, 11, 23)
    case = cases.case_register(user=personas.police, reported_on=dt.date(2025, 3, 10), loss_on=dt.date(2025, 3, 9),
                               loss=Decimal("1000"), fraud_type="rebate_task", channel="app", victim=tree.r1,
                               today=today)
    person = kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r1,
                                data=kp.PersonData(watch_for="夜间外出"), opened_on=dt.date(2026, 10, 1), today=today)
    client = login(personas.police)
    for url, field, theirs_saved, model, pk in (
        (reverse("cases:edit", args=[case.pk]), "narrative",
         lambda: cases.case_update(user=personas.office, case=Case.objects.get(pk=case.pk), narrative="对方的案情",
                                   version=Case.objects.get(pk=case.pk).version, today=today), Case, case.pk),
        (reverse("risk:key_person_edit", args=[person.pk]), "watch_for",
         lambda: kp.key_person_update(user=personas.police, person=KeyPerson.objects.get(pk=person.pk),
                                      data=kp.PersonData(watch_for="对方的情况"),
                                      version=KeyPerson.objects.get(pk=person.pk).version, today=today),
         KeyPerson, person.pk),
    ):
        page = client.get(url)
        assert page.status_code == 200
        form = _form_fields(page.content.decode())
        opened = int(form["version"])
        theirs_saved()
        theirs = getattr(model.objects.get(pk=pk), field)
        r = client.post(url, {**form, field: "我填写的"})
        assert r.status_code == 409, (url, r.status_code)
        body = r.content.decode()
        assert theirs in body and "我填写的" in body, url  # theirs shown beside what I typed
        assert f'name="version" value="{opened + 1}"' in body, url
        assert getattr(model.objects.get(pk=pk), field) == theirs  # nothing overwritten
        r = client.post(url, {**form, field: "我填写的", "version": opened + 1})  # saved again knowing theirs
        assert r.status_code == 302, (url, r.status_code)
        assert getattr(model.objects.get(pk=pk), field) == "我填写的"
