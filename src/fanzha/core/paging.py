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
        n = self.object_list[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)

    capped = False
