import datetime as dt

import pytest
from django.utils import timezone

from fanzha.alerts.models import Notification
from fanzha.analysis.models import TargetedTask
from fanzha.outreach.models import HomeVisit
from fanzha.org import services as org_services

pytestmark = pytest.mark.django_db


def test_hot_spot_to_grid_task_tracked_to_completion(tree, personas, login):
    """One post from a hot spot makes the grid's task for the chosen households; visits complete it."""
    other = org_services.household_create(node=tree.g1a, address="东关路5号", head_name="钱")
    org_services.resident_create(household=other, name="钱老", birth_date=dt.date(1940, 1, 1))
    due = timezone.localdate() + dt.timedelta(days=3)
    c = login(personas.office)
    r = c.post("/analysis/tasks/new/", {"kind": "compound", "key": "东关路", "audience": "elderly_alone",
                                        "due_on": due.isoformat()})
    t = TargetedTask.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/analysis/tasks/{t.pk}/"
    assert t.grid_id == tree.g1.id and t.household_ids == [tree.h1.id]  # only 王建国 (born 1950) lives alone
    assert "独居老人" in t.title
    assert Notification.objects.filter(user=personas.grid1, kind="task").exists()
    page = login(personas.grid1).get(f"/analysis/tasks/{t.pk}/")
    assert page.status_code == 200 and "已走访 0 / 1 户" in page.content.decode()
    v = HomeVisit(household=tree.h1, visited_on=timezone.localdate(), visitors="网格员")
    v.place_like(tree.h1)
    v.save()
    page = c.get(f"/analysis/tasks/{t.pk}/")
    assert "已走访 1 / 1 户" in page.content.decode() and "已完成" in page.content.decode()


def test_task_bad_input(tree, personas, login):
    """A past due date, an unknown place or a grid out of scope makes no task and says why."""
    c = login(personas.community)
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    r = c.post("/analysis/tasks/new/", {"kind": "grid", "key": str(tree.g1.id), "audience": "all", "due_on": past}, follow=True)
    assert "完成期限不能早于今天" in r.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    r = c.post("/analysis/tasks/new/", {"kind": "grid", "key": str(tree.g9.id), "audience": "all", "due_on": future}, follow=True)
    assert "找不到该热点所在的网格" in r.content.decode()
    assert TargetedTask.objects.count() == 0
