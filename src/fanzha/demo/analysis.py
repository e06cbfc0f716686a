"""Demo analysis: the month before last's briefing, published, and a visit task from a hot spot.

The worker beside `fanzha demo` makes the draft briefing of the last month on its
first pass (`fanzha.analysis.jobs.monthly_briefings`); the demo adds what that job
and the office would have done the month before — the scheduled briefing of the
month before last, published — so the briefing list shows a published one and a
draft to review. The office also sent grid1's grid a task to visit its elderly
living alone, due in ten days, so the grid team's task list is not empty.
Everything goes through the analysis services, like the office would.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.analysis import services
from fanzha.analysis.models import Audience, Briefing
from fanzha.cases.periods import Period
from fanzha.demo.rows import say
from fanzha.org.models import Assignment, Node, Role, User


def load_demo(street: Node, stdout=None, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    if Briefing.objects.filter(street=street).exists():
        return {}  # loaded once
    office = User.objects.filter(username="office").first()
    leader = User.objects.filter(username="leader").first() or office
    out = {}
    period = Period.containing(today, "month").previous().previous()
    try:
        b = services.briefing_generate(user=office, node=street, period=period, today=today, scheduled=True)
        services.briefing_publish(briefing=b, user=leader)
        out["briefing"] = period.label
    except ValidationError as e:  # a month without records: no briefing, as the worker would do
        say(stdout, f"analysis: no briefing for {period.label}: {'; '.join(e.messages)}")
    grid_id = (Assignment.objects.filter(user__username="grid1", role=Role.GRID_WORKER, node__street=street)
               .values_list("node_id", flat=True).first())
    if office is not None and grid_id is not None:
        try:
            tasks = services.targeted_task_create(user=office, kind="grid", key=str(grid_id),
                                                  audience=Audience.ELDERLY_ALONE, due_on=today + dt.timedelta(days=10),
                                                  today=today)
            out["tasks"] = len(tasks)
        except ValidationError as e:
            say(stdout, f"analysis: no visit task: {'; '.join(e.messages)}")
    say(stdout, f"analysis: {out}")
    return out


def load_county(county: Node, stdout=None) -> dict:
    """Nothing at county scale: the benchmarks read the other apps' records."""
    return {}
