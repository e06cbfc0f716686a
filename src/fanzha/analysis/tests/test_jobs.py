import datetime as dt

import pytest
from django.utils import timezone

from fanzha.alerts.models import Notification
from fanzha.analysis.jobs import first_working_day, monthly_briefings
from fanzha.analysis.models import Briefing

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


@pytest.fixture
def february(tree, personas, case_maker):
    case_maker(victim=tree.r1, reported_on=dt.date(2025, 2, 12), loss_on=dt.date(2025, 2, 10), today=dt.date(2025, 3, 3))


def test_first_working_day():
    """1 March 2025 is a Saturday: the run day is Monday 3 March."""
    assert first_working_day(2025, 3) == dt.date(2025, 3, 3)


def test_monthly_briefing_made_once_and_leaders_notified(tree, personas, february):
    """Nothing before the run day; on it one draft per node with records, leaders notified; a second pass makes none."""
    assert monthly_briefings(_at(dt.date(2025, 3, 1))) == 0
    assert monthly_briefings(_at(dt.date(2025, 3, 3))) == 1
    b = Briefing.objects.get()
    assert (b.node_id, b.period, b.scheduled, b.status) == (tree.street.id, "2025-02", True, "draft")
    assert b.numbers["cases"] == 1
    assert Notification.objects.filter(user=personas.leader, kind="briefing").count() == 1
    assert monthly_briefings(_at(dt.date(2025, 3, 3))) == 0
    assert monthly_briefings(_at(dt.date(2025, 3, 4))) == 0
    assert Briefing.objects.count() == 1


def test_missed_run_made_up_after_restart(tree, personas, february):
    """A worker down on the run day makes the briefing when it comes back later in the month."""
    assert monthly_briefings(_at(dt.date(2025, 3, 20))) == 1
    assert Briefing.objects.filter(period="2025-02", node=tree.street).exists()


def test_second_worker_cannot_make_a_second_scheduled_briefing(tree, personas, february):
    """The (node, period) uniqueness of scheduled briefings refuses a second worker's insert."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from fanzha.analysis import services
    from fanzha.cases.periods import Period

    services.briefing_generate(user=personas.office, node=tree.street, period=Period.parse("2025-02"),
                               today=dt.date(2025, 3, 3), scheduled=True)
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        services.briefing_generate(user=personas.office, node=tree.street, period=Period.parse("2025-02"),
                                   today=dt.date(2025, 3, 3), scheduled=True)
    assert Briefing.objects.count() == 1
