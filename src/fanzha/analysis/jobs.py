"""Worker job: the monthly briefing of each street and county, made on the first working day of the month.

`monthly_briefings(now)` runs on every worker pass. From the first working day
of a month on, each county and street whose office has an account gets a
scheduled draft briefing of the previous month (and of the month before, if
the worker was down then: missed runs are made up after a restart); its
leaders are notified. A partial unique index on (node, period) for scheduled
briefings makes two workers at once safe: the second insert fails and sends
nothing. A node without any records that month gets no briefing (and no
notice); it is tried again on the next pass.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.analysis.models import Briefing
from fanzha.cases.periods import Period
from fanzha.org.models import Level, Node

logger = logging.getLogger(__name__)
MAKE_UP_MONTHS = 2


def first_working_day(year: int, month: int) -> dt.date:
    from fanzha.outreach.periods import is_working_day

    day = dt.date(year, month, 1)
    for _i in range(15):
        if is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    return dt.date(year, month, 1)


def due_periods(today: dt.date) -> list[Period]:
    """The months whose briefing is due by `today` (the last MAKE_UP_MONTHS finished months, once their run day came)."""
    out = []
    month = Period.containing(today, "month")
    for _i in range(MAKE_UP_MONTHS):
        run_day = first_working_day(month.year, month.index)
        month = month.previous()
        if today >= run_day:
            out.append(month)
    return out


def monthly_briefings(now: dt.datetime) -> int:
    from django.contrib.auth import get_user_model

    from fanzha.alerts.notify import notify_users, users_at
    from fanzha.analysis import services
    from fanzha.core.access import LEADER, OFFICE

    today = timezone.localdate(now)
    periods = due_periods(today)
    if not periods:
        return 0
    nodes = list(Node.objects.filter(level__in=[Level.COUNTY, Level.STREET]).order_by("id"))
    offices = users_at([n.id for n in nodes], [OFFICE])
    done = {(b, p) for b, p in Briefing.objects.filter(scheduled=True, period__in=[str(p) for p in periods])
            .values_list("node_id", "period")}
    users = get_user_model().objects.in_bulk({ids[0] for ids in offices.values() if ids})
    made = 0
    for node in nodes:
        office_ids = offices.get(node.id)
        if not office_ids:
            continue
        for period in periods:
            if (node.id, str(period)) in done:
                continue
            try:
                with transaction.atomic():
                    b = services.briefing_generate(user=users[office_ids[0]], node=node, period=period,
                                                   today=today, scheduled=True)
            except (ValidationError, IntegrityError):
                continue  # no records, or another worker made it first
            made += 1
            leaders = users_at([node.id], [LEADER]).get(node.id, [])
            notify_users(leaders + office_ids, kind="briefing", now=now,
                         text=_("%(node)s%(period)s工作简报已生成，待办公室审核发布") % {"node": node.name,
                                                                              "period": period.label},
                         url=reverse("analysis:briefing", args=[b.pk]))
    return made
