"""Every alert page, for every demo role, over the demo street's alerts — including the awkward ones (a person
not on the register, an area code outside the jurisdiction, escalated and overdue alerts): never a server error,
and each answer is what the access table and the scope say (200, 403 for a role without the area, 404 out of scope)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from fanzha.demo.alerts import AWKWARD_PREFIX, build_awkward_alerts, build_demo_alerts
from fanzha.alerts.models import Alert, Status
from fanzha.alerts.selectors import TABS, alerts_for
from fanzha.core.access import can_open
from fanzha.core.scoping import scope_of
from fanzha.demo import org as org_demo
from fanzha.org.models import Node, User

NAMED = ["office", "leader", "police", "community", "gridleader", "grid1", "grid2", "grouphead", "liaison", "dept", "safety"]


@pytest.fixture(scope="module")
def demo_alerts(django_db_setup, django_db_blocker):
    """The demo street with its alerts (history, open ones, awkward cases), built once for the module and rolled back."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            org_demo.build_demo_street()
            street = Node.objects.get(code=org_demo.DEMO_STREET_CODE)
            build_demo_alerts(street, months=1)  # what load_demo does, with one month of history instead of six
            build_awkward_alerts(street)
            yield street
            transaction.set_rollback(True)


def _awkward():
    return {a.external_id: a for a in Alert.objects.filter(external_id__startswith=AWKWARD_PREFIX)}


@pytest.mark.django_db
def test_demo_holds_the_awkward_cases(demo_alerts):
    """Not on the register (street and community queues), out of area, escalated, overdue — and every high alert
    of a registered resident reaches the police station's officers."""
    a = _awkward()
    assert a[AWKWARD_PREFIX + "1"].status == Status.PENDING and a[AWKWARD_PREFIX + "1"].community_id is None
    assert a[AWKWARD_PREFIX + "2"].status == Status.PENDING and a[AWKWARD_PREFIX + "2"].community_id is not None
    assert a[AWKWARD_PREFIX + "2"].grid_id is None
    assert a[AWKWARD_PREFIX + "3"].status == Status.TRANSFER and a[AWKWARD_PREFIX + "3"].community_id is None
    assert a[AWKWARD_PREFIX + "4"].escalation_level >= 1 and a[AWKWARD_PREFIX + "4"].signed_at is None
    assert a[AWKWARD_PREFIX + "5"].escalation_level >= 1 and a[AWKWARD_PREFIX + "5"].status == Status.SIGNED
    six = a[AWKWARD_PREFIX + "6"]
    assert six.contact_due_at < timezone.now() and six.first_contact_at is None  # overdue
    police = User.objects.get(username="police")
    high = Alert.objects.filter(street=demo_alerts, grade="high", resident__isnull=False)
    assert high.exists()
    assert not high.exclude(assignees__user=police).exists()
    mine = alerts_for(police).filter(assignees__user=police, status__in=["new", "pending", "signed"])
    assert mine.filter(grade="high").exists()


def _pages(alert_ids: list[int], street_id: int) -> list[tuple[str, str, int | None]]:
    """(url, area, alert id or None)."""
    pages = [("/alerts/", "alerts", None)]
    pages += [(f"/alerts/?tab={t}", "alerts", None) for t in TABS]
    pages += [(f"/alerts/queue/?tab={t}", "alerts", None) for t in TABS]
    pages += [("/alerts/notifications/", "alerts", None), ("/alerts/notifications/badge/", "alerts", None),
              ("/alerts/upload/", "alerts.upload", None), ("/alerts/settings/", "alerts.settings", None),
              ("/alerts/conflicts/", "alerts.settings", None), ("/alerts/figures/", "alerts.figures", None),
              (f"/alerts/figures/?node={street_id}&start=2020-01-01&end=2030-12-31", "alerts.figures", None),
              ("/alerts/figures/?sort=-received&page=2", "alerts.figures", None)]
    for pk in alert_ids:
        pages += [(f"/alerts/{pk}/", "alerts", pk), (f"/alerts/{pk}/timeline/", "alerts", pk),
                  (f"/alerts/{pk}/assignable/?q=网格", "alerts", pk)]
    return pages


@pytest.mark.django_db
def test_every_page_for_every_role(demo_alerts, client):
    """No 500 anywhere; 403 exactly where the access table says; an alert out of the user's scope answers 404."""
    awkward = sorted(a.pk for a in _awkward().values())
    other = list(Alert.objects.filter(street=demo_alerts).exclude(pk__in=awkward).order_by("-id")
                 .values_list("pk", flat=True)[:3])
    pages = _pages(awkward + other, demo_alerts.pk)
    for username in NAMED:
        user = User.objects.get(username=username)
        client.force_login(user)
        visible = set(alerts_for(user).filter(pk__in=awkward + other).values_list("pk", flat=True))
        for url, area, pk in pages:
            r = client.get(url)
            if not can_open(user, area) or "/assignable/" in url and not user.has_perm("alerts.handle_alerts"):
                expected = 403
            elif pk is not None and pk not in visible or "node=" in url and not scope_of(user).contains_node(demo_alerts):
                expected = 404
            else:
                expected = 200
            assert r.status_code == expected, (username, url, r.status_code)
            if expected == 200 and url.startswith("/alerts/?"):
                assert "预警" in r.content.decode()
