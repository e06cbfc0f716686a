"""Head counts of the tree (households, residents, floating, elderly, ...).

A county has half a million residents: counting them on every page view
would cost hundreds of milliseconds. Counts of county and street nodes are
therefore kept in the cache for FANZHA_FIGURES_TTL seconds (default 300) and
shown with the time they were taken; communities, grids and groups are small
enough to count live. Writes through the services drop the cached counts of
every ancestor of what they changed, so the process that made a change shows
it at once; other processes catch up within the TTL.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from fanzha.core.scoping import scoped
from fanzha.org.models import Household, Level, Node, Resident, Residency, StaffMember, Unit, elderly_born_before

FIGURE_KEYS = ("households", "residents", "floating", "elderly", "elderly_alone", "students", "units", "staff")
CACHED_LEVELS = (Level.COUNTY, Level.STREET)


def _key(node_id: int) -> str:
    return f"fanzha:figures:{timezone.localdate():%Y%m%d}:{node_id}"


def invalidate(*node_ids: int | None) -> None:
    """Forget the cached counts of these nodes (pass a record's ancestor ids)."""
    keys = [_key(i) for i in node_ids if i]
    if keys:
        cache.delete_many(keys)


def invalidate_record(record) -> None:
    invalidate(*(getattr(record, f"{f}_id", None) for f in ("county", "street", "community", "grid", "group")))


def _count(user, level: str, ids: list[int]) -> dict[int, dict]:
    """Four grouped queries for any number of nodes of one level."""
    col = f"{level}_id"
    out = {i: dict.fromkeys(FIGURE_KEYS, 0) for i in ids}
    cutoff = elderly_born_before()

    def grouped(model, **aggregates):
        return scoped(model.objects.filter(**{f"{col}__in": ids}), user).order_by().values(col).annotate(**aggregates)

    for row in grouped(
        Resident,
        residents=Count("id"),
        floating=Count("id", filter=~Q(residency=Residency.PERMANENT)),
        elderly=Count("id", filter=Q(birth_date__lte=cutoff)),
        elderly_alone=Count("id", filter=Q(birth_date__lte=cutoff, lives_alone=True)),
        students=Count("id", filter=Q(is_student=True)),
    ):
        out[row.pop(col)].update(row)
    for model, name in ((Household, "households"), (Unit, "units"), (StaffMember, "staff")):
        for row in grouped(model, n=Count("id")):
            out[row[col]][name] = row["n"]
    return out


def figures_by_node(user, nodes) -> dict[int, dict]:
    """Counts for each node (inside the user's scope), cached for county and street nodes.

    1. Take what the cache holds for the county and street nodes.
    2. Count the rest with one grouped query per model and level.
    3. Store the newly counted county and street nodes with the time taken.
    Each result carries `as_of` (epoch seconds) when it came from the cache.
    """
    ttl = settings.FANZHA_FIGURES_TTL
    result: dict[int, dict] = {}
    wanted = {n.id: n for n in nodes}
    if ttl > 0:
        big = [n.id for n in nodes if n.level in CACHED_LEVELS]
        hits = cache.get_many([_key(i) for i in big])
        for i in big:
            if _key(i) in hits:
                result[i] = hits[_key(i)]
    by_level: dict[str, list[int]] = {}
    for i, n in wanted.items():
        if i not in result:
            by_level.setdefault(n.level, []).append(i)
    fresh: dict[str, dict] = {}
    now = time.time()
    for level, ids in by_level.items():
        for i, fig in _count(user, level, ids).items():
            result[i] = fig
            if ttl > 0 and level in CACHED_LEVELS:
                fresh[_key(i)] = dict(fig, as_of=now)
    if fresh:
        cache.set_many(fresh, ttl)
    return result


def scope_roots(user, tops: list[Node] | None = None) -> list[Node]:
    """The user's top nodes with any node inside another one dropped (no double counting).

    Pass `tops` (the user's `top_nodes`) when the caller already has them.
    """
    from fanzha.org.selectors import top_nodes

    tops = top_nodes(user) if tops is None else tops
    ids = {n.id for n in tops}
    return [n for n in tops if not any(getattr(n, f"{f}_id") in ids - {n.id} for f in ("county", "street", "community", "grid"))]


def total(figs: list[dict]) -> dict:
    out = dict.fromkeys(FIGURE_KEYS, 0)
    for f in figs:
        for k in FIGURE_KEYS:
            out[k] += f.get(k, 0)
    stamps = [f["as_of"] for f in figs if "as_of" in f]
    if stamps:
        out["as_of"] = min(stamps)
    return out


def refresh_after_bulk_write(street) -> None:
    """A bulk write (an import, the demo) changed the street's records: drop the cached head counts of the
    street and its county (home page figures and outreach roll-ups) so totals agree at once with their rows."""
    from fanzha.outreach.selectors import invalidate_heads

    invalidate(street.county_id, street.id)
    invalidate_heads(street.county_id, street.id)
