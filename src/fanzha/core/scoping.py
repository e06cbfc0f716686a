"""The one place that limits queries to the user's part of the org tree.

Every query that returns people's data goes through `scope_of(user).filter(qs)`.
Records outside the scope answer 404 exactly like records that do not exist
(`get_scoped_or_404`), so nothing leaks that they exist.

How a model is scoped:
- models with ancestor columns (`org.models.Placed`) match when the column of
  any of the user's assigned levels holds one of the user's node ids;
- models with a `scope_unit_field` also match a liaison's unit(s).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.http import Http404

LEVEL_FIELDS = ("county", "street", "community", "grid", "group")


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    nodes: dict[str, frozenset[int]] = field(default_factory=dict)
    unit_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()
    primary_street_id: int | None = None
    top_node_ids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.everything and not self.nodes and not self.unit_ids

    def node_q(self, prefix: str = "") -> Q:
        q = Q(pk__in=[])
        for level, ids in self.nodes.items():
            if len(ids) == 1:
                q |= Q(**{f"{prefix}{level}_id": next(iter(ids))})
            else:
                q |= Q(**{f"{prefix}{level}_id__in": sorted(ids)})
        return q

    def q_for(self, model: type[Model]) -> Q:
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if all(hasattr(model, f"{f}_id") for f in LEVEL_FIELDS):
            q = self.node_q()
        unit_field = getattr(model, "scope_unit_field", None)
        if unit_field and self.unit_ids:
            q |= Q(**{f"{unit_field}__in": sorted(self.unit_ids)})
        return q

    def filter(self, qs: QuerySet) -> QuerySet:
        if self.everything:
            return qs
        return qs.filter(self.q_for(qs.model))

    def contains_node(self, node) -> bool:
        if self.everything:
            return True
        return any(getattr(node, f"{level}_id", None) in ids for level, ids in self.nodes.items())


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (i.e. per request)."""
    cached = getattr(user, "_fanzha_scope", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated or not user.is_active:
        scope = Scope()
    elif user.is_superuser:
        scope = Scope(everything=True)
    else:
        nodes: dict[str, set[int]] = {}
        units: set[int] = set()
        roles: set[str] = set()
        street = None
        tops: list[int] = []
        for a in user.assignments.select_related("node", "unit").order_by("id"):
            roles.add(a.role)
            if a.node_id:
                nodes.setdefault(a.node.level, set()).add(a.node_id)
                tops.append(a.node_id)
                street = street or a.node.street_id
            if a.unit_id:
                units.add(a.unit_id)
                street = street or a.unit.street_id
        scope = Scope(
            nodes={k: frozenset(v) for k, v in nodes.items()},
            unit_ids=frozenset(units),
            roles=frozenset(roles),
            primary_street_id=street,
            top_node_ids=tuple(dict.fromkeys(tops)),
        )
    if user is not None:
        try:
            user._fanzha_scope = scope
        except AttributeError:
            pass
    return scope


def scoped(qs: QuerySet, user) -> QuerySet:
    return scope_of(user).filter(qs)


def get_scoped_or_404(qs: QuerySet, user, **lookup):
    """The object if it exists inside the user's scope; 404 otherwise, alike."""
    try:
        return scoped(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("not found") from None
