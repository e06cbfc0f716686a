"""The org app's periodic job: move the stored elderly counts to the new day's age cut-off.

The first read after the date changes would do it anyway (`counts.advance` is
called by the readers); doing it in the worker just after midnight spares the
first person who opens a page that morning the pass over every resident.
"""

from __future__ import annotations

import datetime as dt

from fanzha.org import counts
from fanzha.org.models import NodeCounts, elderly_born_before


def advance_elderly(now: dt.datetime) -> int:
    """Rows whose elderly counts were moved to today's cut-off (0 when they already were)."""
    cutoff = elderly_born_before()
    stale = NodeCounts.objects.filter(elderly_cutoff__lt=cutoff).count()
    if stale:
        counts.advance(cutoff)
    return stale
