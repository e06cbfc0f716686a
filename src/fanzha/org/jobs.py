"""The org app's periodic job: move the stored elderly counts to the new day's age cut-off, and on
1 January the households visited this year to the new year.

The first read after the date changes would do it anyway (`counts.advance` and
`counts.roll_visit_year` are called by the readers); doing it in the worker just
after midnight spares the first person who opens a page that morning the pass
over every resident.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from fanzha.org import counts
from fanzha.org.models import NodeCounts, elderly_born_before


def advance_elderly(now: dt.datetime) -> int:
    """Rows moved to today's elderly cut-off or to this year's visits (0 when all already were)."""
    cutoff, year = elderly_born_before(), counts.this_year()
    stale = NodeCounts.objects.filter(Q(elderly_cutoff__lt=cutoff) | ~Q(visit_year=year)).count()
    if stale:
        counts.bring_current(cutoff, year)
    return stale
