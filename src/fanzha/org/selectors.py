"""Reads of the org tree, households, residents and units, always scoped.

Pages and the API both call these, so both see exactly the same records.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from fanzha.core import pii
from fanzha.core.idnumbers import parse_id_number, parse_phone
from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped
from fanzha.org.models import (
    FamilyMember,
    Household,
    Node,
    Resident,
    Residency,
    StaffMember,
    Unit,
    elderly_born_before,
)


def classify_query(q: str) -> tuple[str, str]:
    """('id', canonical) / ('phone', canonical) / ('name', text) for a search box."""
    text = (q or "").strip()
    if not text:
        return "empty", ""
    try:
        return "id", parse_id_number(text)
    except ValueError:
        pass
    digits = sum(c.isdigit() for c in text)
    if digits >= 7 and digits >= len(text.replace(" ", "").replace("-", "")) - 3:
        try:
            return "phone", parse_phone(text)
        except ValueError:
            return "invalid", text
    return "name", text


def residents_for(user) -> QuerySet[Resident]:
    return scoped(Resident.objects.all(), user)


def resident_search(user, *, q: str = "", node: Node | None = None, residency: str = "", tag: str = "") -> QuerySet[Resident]:
    """Residents in the user's scope matching a name (partial), phone or ID (exact)."""
    qs = residents_for(user)
    kind, value = classify_query(q)
    if kind == "id":
        qs = qs.filter(id_number_hash=pii.lookup_hash("id", value))
    elif kind == "phone":
        h = pii.lookup_hash("phone", value)
        qs = qs.filter(Q(phone_hash=h) | Q(phone2_hash=h))
    elif kind == "invalid":
        qs = qs.none()
    elif kind == "name":
        qs = qs.filter(name__contains=value)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if residency:
        qs = qs.filter(residency=residency)
    if tag == "elderly":
        qs = qs.filter(birth_date__lte=elderly_born_before())
    elif tag == "elderly_alone":
        qs = qs.filter(birth_date__lte=elderly_born_before(), lives_alone=True)
    elif tag == "student":
        qs = qs.filter(is_student=True)
    elif tag == "finance":
        qs = qs.filter(is_finance_staff=True)
    elif tag == "floating":
        qs = qs.exclude(residency=Residency.PERMANENT)
    if kind in ("id", "phone"):
        # An exact number matches one or two rows: joining and sorting cost
        # more than the one or two look-ups a page may make for their places.
        return qs
    return qs.select_related("household", "grid", "community").order_by("id")


def resident_get(user, pk) -> Resident:
    return get_scoped_or_404(Resident.objects.select_related("household", "grid", "community", "group", "street"), user, pk=pk)


def household_get(user, pk) -> Household:
    return get_scoped_or_404(Household.objects.select_related("grid", "community", "group", "street"), user, pk=pk)


def households_for(user, *, node: Node | None = None, q: str = "") -> QuerySet[Household]:
    qs = scoped(Household.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if q:
        qs = qs.filter(Q(address__contains=q) | Q(head_name__contains=q))
    return qs.select_related("grid", "group").order_by("id")


def node_get(user, pk) -> Node:
    return get_scoped_or_404(Node.objects.all(), user, pk=pk)


def top_nodes(user) -> list[Node]:
    """The nodes a user's scope starts at (their assignments)."""
    scope = scope_of(user)
    if scope.everything:
        roots = list(Node.objects.filter(parent__isnull=True))
        return roots
    return list(Node.objects.filter(pk__in=scope.top_node_ids))


def node_children(user, node: Node) -> QuerySet[Node]:
    return scoped(node.children.all(), user).order_by("sort", "code")


def units_for(user, *, node: Node | None = None, kind: str = "") -> QuerySet[Unit]:
    qs = scoped(Unit.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("node").annotate(staff_count=Count("staff")).order_by("name")


def unit_get(user, pk) -> Unit:
    return get_scoped_or_404(Unit.objects.select_related("node"), user, pk=pk)


def staff_for(user, *, unit: Unit | None = None) -> QuerySet[StaffMember]:
    qs = scoped(StaffMember.objects.all(), user)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.select_related("unit", "resident").order_by("name", "id")


def staff_get(user, pk) -> StaffMember:
    return get_scoped_or_404(StaffMember.objects.select_related("unit", "resident"), user, pk=pk)


def family_for(user, *, staff: StaffMember) -> QuerySet[FamilyMember]:
    return scoped(FamilyMember.objects.filter(staff=staff), user).order_by("relation", "id")


def figures(user, node: Node | None = None) -> dict[str, int]:
    """Head counts for the user's scope, or one node inside it (see org.figures)."""
    from fanzha.org import figures as tally

    if node is not None:
        return tally.figures_by_node(user, [node])[node.id]
    roots = tally.scope_roots(user)
    if roots:
        by_id = tally.figures_by_node(user, roots)
        return tally.total([by_id[n.id] for n in roots])
    # A liaison's scope is units only: count them directly.
    scope = scope_of(user)
    out = dict.fromkeys(tally.FIGURE_KEYS, 0)
    if scope.unit_ids:
        out["units"] = scoped(Unit.objects.all(), user).count()
        out["staff"] = scoped(StaffMember.objects.all(), user).count()
    return out
