"""Pagination that never counts more rows than anyone will page through."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMIT subquery).

    A one-character name search over a county's half a million residents
    would otherwise scan every match just to print the total; past the cap
    the page says "2000+" and the user narrows the search.
    """

    cap = 2000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            # Neither the order nor the page's joins (not-null foreign keys) change how many rows
            # there are; kept, they make PostgreSQL walk the pages' order instead of the filter's index.
            rows = rows.order_by()
            if rows.query.select_related:  # False on values() querysets, which refuse select_related
                rows = rows.select_related(None)
        n = rows[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)

    capped = False
