"""Head counts of the tree (households, residents, floating, elderly, ...).

A county has half a million residents: counting them on every page view
would cost hundreds of milliseconds. The counts of every node are kept in
`NodeCounts`, changed by the services in the same transaction as the
records and recounted by every bulk write before it commits
(`fanzha.org.counts`). Reading them is one query for any number of nodes,
at any level, with nothing cached: a page shows the records as they are.

A node the user may see is a whole subtree of the user's scope (scopes are
subtrees of the tree), so a node's counts are the user's counts under it.
"""

from __future__ import annotations

from fanzha.org.counts import FIELDS, counts_of
from fanzha.org.models import Node

FIGURE_KEYS = FIELDS


def figures_by_node(user, nodes) -> dict[int, dict]:
    """{node id: head counts} for nodes inside the user's scope (one query)."""
    return counts_of(n.id for n in nodes)


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
    return out
