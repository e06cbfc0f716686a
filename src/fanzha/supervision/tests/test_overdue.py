"""Deadlines, days overdue and the worker's reminders, with a controlled clock."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from fanzha.alerts.models import Notification, Webhook, WebhookDelivery
from fanzha.core.jobs import PERIODIC_JOBS, run_periodic
from fanzha.supervision import jobs, selectors, services
from fanzha.supervision.models import Reminder, ReminderKind
from fanzha.supervision.services import Holder

from .conftest import jpeg


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def test_due_day_arithmetic():
    """The deadline itself, then every seven days after; nothing before the deadline."""
    d = dt.date(2026, 6, 1)
    assert selectors.due_day(d, dt.date(2026, 5, 31)) is None
    assert selectors.due_day(d, d) == d
    assert selectors.due_day(d, dt.date(2026, 6, 7)) == d
    assert selectors.due_day(d, dt.date(2026, 6, 8)) == dt.date(2026, 6, 8)
    assert selectors.due_day(d, dt.date(2026, 6, 20)) == dt.date(2026, 6, 15)
    assert selectors.days_overdue(d, d) == 0
    assert selectors.days_overdue(d, dt.date(2026, 6, 15)) == 14
    assert selectors.days_overdue(d, dt.date(2026, 5, 1)) == 0


def test_job_is_registered():
    """The reminder job runs in the worker's periodic pass."""
    assert "fanzha.supervision.jobs.remind_due" in PERIODIC_JOBS


def test_overdue_list_sorted_by_days_for_leaders(sv):
    """Measures and rectifications past their deadline, most days overdue first; done ones drop out."""
    today = dt.date(2026, 6, 15)
    r = services.rectification_issue(user=sv.p.office, holder=Holder(unit=sv.dept.unit), problem="台账缺失",
                                     requirement="补齐", issued_on=dt.date(2026, 5, 1), deadline=dt.date(2026, 5, 10))
    services.rectification_issue(user=sv.p.office, holder=Holder(community=sv.tree.c1), problem="未公示",
                                 requirement="公示", issued_on=dt.date(2026, 6, 1), deadline=dt.date(2026, 6, 30))
    items, total = selectors.overdue_items(sv.p.leader, today=today)
    assert [(i.kind, i.days) for i in items] == [("rectification", 36), ("measure", 14)]
    assert total == 2
    assert items[1].holders == "西门街道综合行政执法队、东关社区、西门小学"
    # the department sees only its own; the outsider nothing
    assert {i.kind for i in selectors.overdue_items(sv.dept.user, today=today)[0]} == {"rectification", "measure"}
    assert selectors.overdue_items(sv.other_dept, today=today)[0] == []
    assert selectors.overdue_items(sv.p.outsider, today=today)[0] == []
    services.rectification_submit(user=sv.dept.user, rectification=r, fix_note="ok", files=[jpeg()], today=today)
    assert [i.kind for i in selectors.overdue_items(sv.p.leader, today=today)[0]] == ["rectification", "measure"]
    services.rectification_accept(user=sv.p.office, rectification=r, today=today)
    assert [i.kind for i in selectors.overdue_items(sv.p.leader, today=today)[0]] == ["measure"]


def test_reminders_on_due_day_and_weekly_after_once_each(sv):
    """Workers tell the holders and the office on the due day and every 7 days after, once per due day."""
    Webhook.objects.create(street=sv.tree.street, name="群", url="http://127.0.0.1:9/hook")
    deadline = sv.measure.deadline  # 2026-06-01
    assert jobs.remind_due(at(deadline - dt.timedelta(days=1))) == 0
    assert jobs.remind_due(at(deadline)) == 1
    assert jobs.remind_due(at(deadline, 15)) == 0  # second pass / second worker the same day
    got = set(Notification.objects.values_list("user_id", flat=True))
    assert got == {sv.dept.user.pk, sv.p.community.pk, sv.p.liaison.pk, sv.p.office.pk}
    assert Notification.objects.filter(user=sv.dept.user).get().text.count("今天到期") == 1
    assert WebhookDelivery.objects.count() == 1
    for day in range(1, 7):
        assert jobs.remind_due(at(deadline + dt.timedelta(days=day))) == 0
    assert jobs.remind_due(at(deadline + dt.timedelta(days=7))) == 1
    text = Notification.objects.filter(user=sv.dept.user).order_by("-id").first().text
    assert "已逾期7天" in text
    # the department finishes: it is no longer named and not notified
    services.progress_report(user=sv.dept.user, responsibility=sv.r_dept, percent=100, text="完成",
                             today=deadline + dt.timedelta(days=8))
    assert jobs.remind_due(at(deadline + dt.timedelta(days=14))) == 1
    last = Notification.objects.order_by("-id").first().text
    assert "西门街道综合行政执法队" not in last and "东关社区" in last
    assert Notification.objects.filter(user=sv.dept.user).count() == 2
    assert Reminder.objects.filter(kind=ReminderKind.MEASURE).count() == 3


def test_worker_down_catches_up_with_one_reminder(sv):
    """A worker down for weeks sends one reminder for the latest due day, not one per missed week."""
    assert jobs.remind_due(at(dt.date(2026, 6, 24))) == 1
    assert list(Reminder.objects.values_list("due_day", flat=True)) == [dt.date(2026, 6, 22)]


def test_a_pass_out_of_time_leaves_the_rest_to_the_next(sv):
    """With no time left a pass sends nothing and claims nothing; the next pass sends it."""
    day = sv.measure.deadline
    assert jobs.remind_due(at(day), budget_seconds=-1) == 0
    assert not Reminder.objects.exists()
    assert jobs.remind_due(at(day)) == 1


def test_second_worker_that_lost_the_claim_sends_nothing(sv):
    """When another worker already holds the reminder row for the due day, this one sends nothing."""
    day = sv.measure.deadline
    Reminder.objects.create(kind=ReminderKind.MEASURE, object_id=sv.measure.pk, due_day=day, sent_at=at(day))
    assert jobs.remind_due(at(day)) == 0
    assert not Notification.objects.exists()


def test_rectification_reminders_reach_the_unit(sv):
    """A rectification falling due reminds its unit's account and the office, through the worker's pass."""
    r = services.rectification_issue(user=sv.p.office, holder=Holder(unit=sv.dept.unit), problem="台账缺失",
                                     requirement="补齐", issued_on=dt.date(2026, 5, 1), deadline=dt.date(2026, 5, 10))
    done = run_periodic(at(dt.date(2026, 5, 10)))
    assert done.get("fanzha.supervision.jobs.remind_due") == 1
    users = set(Notification.objects.filter(url__contains=f"/rectifications/{r.pk}/").values_list("user_id", flat=True))
    assert users == {sv.dept.user.pk, sv.p.office.pk}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(tree, personas, department):
    """Two workers in parallel threads on the same due day: exactly one set of notifications (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises them)")
    services.measure_save(user=personas.office, street=tree.street, title="任务", start_on=dt.date(2026, 1, 1),
                          deadline=dt.date(2026, 6, 1), leads=[Holder(unit=department.unit)], responsible=[],
                          plan=services.plan_create(user=personas.office, street=tree.street, year=2026, title="p",
                                                    start_on=dt.date(2026, 1, 1)))
    results, barrier = [], threading.Barrier(2)

    def work():
        from django.db import connection as c

        barrier.wait()
        try:
            results.append(jobs.remind_due(at(dt.date(2026, 6, 1))))
        finally:
            c.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(user=department.user).count() == 1
