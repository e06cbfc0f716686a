"""The one place that limits queries to the user's part of the org tree.

Every query that returns people's data goes through `scope_of(user).filter(qs)`.
Records outside the scope answer 404 exactly like records that do not exist
(`get_scoped_or_404`), so nothing leaks that they exist.

How a model is scoped:
- models with ancestor columns (`org.models.Placed`) match when the column of
  any of the user's assigned levels holds one of the user's node ids;
- models with a `scope_unit_field` also match a liaison's unit(s).

The pages and the API take their place in the tree from here too, so each
rule is written once: `streets_for` (the streets a user works in),
`default_node` and `node_param` (which node a page shows, `?node=`),
`crumbs` (the path down to a node or record). Work no person does by hand
(the worker, reports, command-line imports) acts as a `system_actor`: a named
scope that the audit log records under its name.
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
    if isinstance(user, SystemActor):
        return user.scope
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


# --- system actors ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SystemActor:
    """Who acts when no person does: the worker, scheduled reports, command-line imports.

    It quacks like a logged-in user where services and selectors need one
    (`is_authenticated`, `has_perm`, `username`), its scope is fixed when it
    is made, and the audit log records it under `username` (no user row).
    """

    username: str
    scope: Scope
    display_name: str = ""
    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False

    @property
    def is_superuser(self) -> bool:
        return self.scope.everything

    def has_perm(self, perm: str, obj=None) -> bool:
        return True

    def has_perms(self, perms, obj=None) -> bool:
        return True

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


def system_actor(name: str, *, street=None, display_name: str = "") -> SystemActor:
    """A named system actor: the whole tree, or one street (a node) when `street` is given.

    `name` is what the audit log shows ("system", "worker", "cli:alice").
    """
    if street is None:
        scope = Scope(everything=True)
    else:
        scope = Scope(nodes={street.level: frozenset({street.id})}, primary_street_id=street.street_id,
                      top_node_ids=(street.id,))
    return SystemActor(username=name, scope=scope, display_name=display_name or name)


# --- the user's place in the tree ----------------------------------------------------------------


def top_nodes(user) -> list:
    """The nodes a user's scope starts at (their assignments; the tree's roots for everything)."""
    from fanzha.org.models import Node

    scope = scope_of(user)
    if scope.everything:
        return list(Node.objects.filter(parent__isnull=True))
    if not scope.top_node_ids:
        return []
    return list(Node.objects.filter(pk__in=scope.top_node_ids))


def streets_for(user_or_scope) -> list:
    """The streets a user works in: those in the scope, or holding a node of it (sort order)."""
    from fanzha.org.models import Level, Node

    scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_of(user_or_scope)
    if scope.everything:
        return list(Node.objects.filter(level=Level.STREET).order_by("sort", "code"))
    if not scope.nodes:
        return []
    ids = Node.objects.filter(scope.node_q()).exclude(street__isnull=True).values_list("street_id", flat=True).distinct()
    return list(Node.objects.filter(pk__in=list(ids)).order_by("sort", "code"))


def home_street(user, *, everything_first: bool = True):
    """The one street a user's street-level pages open on: the street of their first assignment.

    A user who sees everything gets the first street (or None when
    `everything_first` is False: the page asks them to pick one).
    """
    from fanzha.org.models import Level, Node

    scope = scope_of(user)
    if scope.primary_street_id:
        return Node.objects.filter(pk=scope.primary_street_id).first()
    if scope.everything and everything_first:
        return Node.objects.filter(level=Level.STREET).order_by("sort", "code").first()
    return None


def default_node(user, *, first: bool = False):
    """The node a page opens on when no `?node=` is given.

    The user's single top node; a user with several (a grid leader of two
    grids) gets None — the page shows them combined — or, with `first`, the
    first of them, for pages that always show one node.
    """
    tops = top_nodes(user)
    if len(tops) == 1 or (first and tops):
        return tops[0]
    return None


def node_for(user, node_id, *, first: bool = False, default: bool = True):
    """The node `node_id` inside the user's scope (404 outside it, like a missing one);
    when no id is given, `default_node` (or None with `default=False`: a list's optional filter).
    For the API's `node` parameter."""
    from fanzha.org.models import Node

    if node_id in (None, "", 0):
        return default_node(user, first=first) if default else None
    try:
        pk = int(node_id)
    except (TypeError, ValueError):
        raise Http404("bad node") from None
    if not 0 < pk < 2**63:  # beyond any id: the database would refuse the number itself
        raise Http404("bad node")
    return get_scoped_or_404(Node.objects.all(), user, pk=pk)


def node_param(request, key: str = "node", *, first: bool = False, default: bool = True):
    """The node of `?node=` (404 outside the user's scope or malformed, like a missing one);
    without it, `default_node` (None with `default=False`)."""
    return node_for(request.user, request.GET.get(key) or None, first=first, default=default)


def crumbs(user, at) -> list[tuple]:
    """(node, linkable) for the path down to `at`; nodes above the user's scope are shown, not linked.

    `at` is a node (the nodes above it, county first) or a placed record such
    as a household or resident (the nodes it sits in, street first, down to
    its own group). None: no path.
    """
    from fanzha.org.models import ANCESTOR_FIELDS, Node

    if at is None:
        return []
    if isinstance(at, Node):
        nodes = at.ancestors()
    else:
        fields = [f for f in ANCESTOR_FIELDS[1:] if getattr(at, f"{f}_id", None)]
        if all(type(at)._meta.get_field(f).is_cached(at) for f in fields):
            nodes = [getattr(at, f) for f in fields]  # loaded with the record (select_related)
        else:
            by_id = Node.objects.in_bulk([getattr(at, f"{f}_id") for f in fields])
            nodes = [by_id[i] for i in (getattr(at, f"{f}_id") for f in fields) if i in by_id]
    scope = scope_of(user)
    return [(n, scope.contains_node(n)) for n in nodes]


def crumbs_in_scope(user, node) -> list:
    """The nodes above `node` the user may open (figure pages link only to those)."""
    return [n for n, linkable in crumbs(user, node) if linkable]
