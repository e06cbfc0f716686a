"""Review-due arithmetic with a controlled clock (every call is given `today`)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fanzha.risk import selectors
from fanzha.risk.models import KeyPerson
from fanzha.risk.services import key_persons as kp

pytestmark = pytest.mark.django_db
D = dt.date


def _dates(person):
    return {c.category: c.next_review_on for c in person.categories.all()}


def test_opening_schedules_each_category(personas, tree):
    """Opened 2026-10-01 with 涉诈前科 (30 days) and 滞留缅北 (15 days): due 10-31 and 10-16; the file's date is the earlier."""
    p = kp.key_person_open(user=personas.police, categories=["offender", "stranded"], resident=tree.r2,
                           data=kp.PersonData(), opened_on=D(2026, 10, 1), today=D(2026, 10, 1))
    assert _dates(p) == {"offender": D(2026, 10, 31), "stranded": D(2026, 10, 16)}
    assert KeyPerson.objects.get(pk=p.pk).next_review_on == D(2026, 10, 16)


def test_office_interval_is_used(personas, tree):
    """With the office's 涉诈前科 interval set to 10 days, a file opened 11-01 is due 11-11."""
    kp.interval_set(user=personas.office, street=tree.street, category="offender", days=10)
    p = kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r2, data=kp.PersonData(),
                           opened_on=D(2026, 11, 1), today=D(2026, 11, 1))
    assert p.next_review_on == D(2026, 11, 11)


def test_follow_up_moves_every_category(personas, tree):
    """A follow-up on 10-20 makes offender due 11-19 and stranded due 11-04."""
    p = kp.key_person_open(user=personas.police, categories=["offender", "stranded"], resident=tree.r2,
                           data=kp.PersonData(), opened_on=D(2026, 10, 1), today=D(2026, 10, 1))
    kp.follow_up_add(user=personas.police, person=p, on=D(2026, 10, 20), method="visit", content="谈话", state="stable",
                     today=D(2026, 10, 21))
    p.refresh_from_db()
    assert _dates(p) == {"offender": D(2026, 11, 19), "stranded": D(2026, 11, 4)}
    assert p.next_review_on == D(2026, 11, 4) and p.last_follow_up_on == D(2026, 10, 20)


def test_overdue_boundary(personas, tree):
    """Due 10-16: not overdue on 10-16 (due today), overdue on 10-17; closing removes it from the list."""
    p = kp.key_person_open(user=personas.police, categories=["stranded"], resident=tree.r2, data=kp.PersonData(),
                           opened_on=D(2026, 10, 1), today=D(2026, 10, 1))
    assert not selectors.overdue_reviews(personas.office, today=D(2026, 10, 16)).exists()
    assert list(selectors.overdue_reviews(personas.office, today=D(2026, 10, 17))) == [p]
    kp.key_person_close(user=personas.police, person=p, reason="已稳定", today=D(2026, 10, 18))
    assert not selectors.overdue_reviews(personas.office, today=D(2026, 10, 19)).exists()


def test_category_added_later_is_due_from_its_day(personas, tree):
    """A category added on 11-05 (回流, 30 days) is due 12-05; earlier categories keep their dates."""
    p = kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r2, data=kp.PersonData(),
                           opened_on=D(2026, 10, 1), today=D(2026, 10, 1))
    kp.categories_set(user=personas.police, person=p, categories=["offender", "returnee"], today=D(2026, 11, 5))
    assert _dates(p) == {"offender": D(2026, 10, 31), "returnee": D(2026, 12, 5)}


def test_review_date_before_opening_is_refused(personas, tree):
    """A review date set by hand before the opening date is refused with a clear message; nothing changes."""
    p = kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r2, data=kp.PersonData(),
                           opened_on=D(2026, 10, 1), today=D(2026, 10, 1))
    with pytest.raises(ValidationError) as e:
        kp.review_date_set(user=personas.police, person=p, category="offender", on=D(2026, 9, 30))
    assert "不能早于建档日期" in str(e.value)
    assert _dates(p) == {"offender": D(2026, 10, 31)}


def test_close_needs_reason_and_history_is_kept(personas, tree):
    """Closing without a reason is refused; every change (open, follow-up, close) is in the history."""
    p = kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r2, data=kp.PersonData(),
                           opened_on=D(2026, 10, 1), today=D(2026, 10, 1))
    with pytest.raises(ValidationError):
        kp.key_person_close(user=personas.police, person=p, reason="  ")
    kp.follow_up_add(user=personas.police, person=p, on=D(2026, 10, 2), method="phone", content="电话", state="stable",
                     today=D(2026, 10, 2))
    kp.key_person_close(user=personas.police, person=p, reason="迁出本街道", today=D(2026, 10, 3))
    assert [c.action for c in p.changes.order_by("id")] == ["open", "follow_up", "close"]


def test_person_not_on_roster_with_masked_id(personas, tree):
    """A file for someone not on the roster keeps the ID number encrypted, hashed and masked, placed in the community."""
    from fanzha.core.idnumbers import make_id_number

    idn = make_id_number("532501", D(1996, 4, 18), 731)
    p = kp.key_person_open(user=personas.community, categories=["returnee"], place=tree.c1,
                           data=kp.PersonData(name="岩某", id_number=idn), today=D(2026, 11, 1))
    p.refresh_from_db()
    assert p.id_number == idn and p.id_number_masked == idn[:3] + "*" * 11 + idn[-4:] and idn not in p.id_number_enc
    assert p.community_id == tree.c1.id and p.resident_id is None


def test_reminder_job_once_per_missed_date(personas, tree, settings):
    """The worker reminds the officer and community worker of an overdue file once per missed date, never twice."""
    from fanzha.alerts.models import Notification
    from fanzha.risk.jobs import remind_overdue
    from django.utils import timezone

    p = kp.key_person_open(user=personas.police, categories=["stranded"], resident=tree.r2,
                           data=kp.PersonData(officer=personas.police, community_worker=personas.community),
                           opened_on=D(2026, 10, 1), today=D(2026, 10, 1))
    now = timezone.make_aware(dt.datetime(2026, 10, 20, 9))
    assert remind_overdue(now) == 1
    assert remind_overdue(now) == 0
    notes = Notification.objects.filter(kind="risk_review")
    assert sorted(n.user.username for n in notes) == ["community", "police"]
    assert f"/risk/people/{p.pk}/" in notes[0].url
    kp.follow_up_add(user=personas.police, person=p, on=D(2026, 10, 20), method="visit", content="x", state="stable",
                     today=D(2026, 10, 20))
    assert remind_overdue(timezone.make_aware(dt.datetime(2026, 11, 6, 9))) == 1  # due 11-04 missed in turn
