"""Reads of the org tree, households, residents and units, always scoped.

Pages and the API both call these, so both see exactly the same records.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from fanzha.core import pii, ratelimit
from fanzha.core.names import name_q
from fanzha.core.idnumbers import normalise_digits, parse_id_number, parse_phone
from fanzha.core import scoping
from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped
from fanzha.org.models import (
    FamilyMember,
    Household,
    Level,
    Node,
    Resident,
    Residency,
    StaffMember,
    PHONE_TAIL,
    Unit,
    elderly_born_before,
    tail_hash,
)


TAIL_PREFIXES = ("手机尾号", "电话尾号", "尾号", "后四位")


def classify_query(q: str) -> tuple[str, str]:
    """('id', canonical) / ('phone', canonical) / ('tail', four digits) / ('name', text) for a search box.

    Four digits alone (or after 尾号) are the last four of a phone number:
    how people quote a number in practice.
    """
    text = normalise_digits(q or "").strip()
    if not text:
        return "empty", ""
    bare = text
    for prefix in TAIL_PREFIXES:
        if bare.startswith(prefix):
            bare = bare[len(prefix):].lstrip(" ：:")
            break
    if len(bare) == PHONE_TAIL and bare.isdigit():
        return "tail", bare
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


def phone_tail_q(tail: str) -> Q:
    """Residents whose phone or second phone ends in these four digits.

    Each side is one probe of an index on the keyed tail hash (the second
    phone's index is partial, so its condition is repeated); the mask's last
    four digits are compared too, so a hash collision cannot match.
    """
    h = tail_hash(tail)
    return (Q(phone_tail_hash=h, phone_masked__endswith=tail)
            | Q(phone2_tail_hash=h, phone2_tail_hash__gt="", phone2_masked__endswith=tail))


def residents_for(user) -> QuerySet[Resident]:
    return scoped(Resident.objects.all(), user)


def resident_search(user, *, q: str = "", node: Node | None = None, residency: str = "", tag: str = "",
                    request=None) -> QuerySet[Resident]:
    """Residents in the user's scope matching a name, phone or ID (exact).

    A name matches from the start of the name, of the given name or of the
    pinyin initials (王, 王建, 建国, wjg: `fanzha.core.names`), each an index.

    An exact number search (ID, phone, last four) takes one from the user's
    allowance (`fanzha.core.ratelimit`: raises SearchLimited over the limit) and
    is audited with hit or miss, never the number.
    """
    qs = residents_for(user)
    kind, value = classify_query(q)
    digest = ""
    if kind in ratelimit.NUMBER_KINDS:
        digest = tail_hash(value) if kind == "tail" else pii.lookup_hash(kind, value)
    if kind == "id":
        qs = qs.filter(id_number_hash=digest)
    elif kind == "phone":
        h = digest
        qs = qs.filter(Q(phone_hash=h) | Q(phone2_hash=h))
    elif kind == "tail":
        # As a subquery on the tail indexes: beside the scope's equality (county_id = K)
        # SQLite without fresh statistics would walk the scope's index instead.
        qs = qs.filter(id__in=Resident.objects.filter(phone_tail_q(value)).values("id"))
    elif kind == "invalid":
        qs = qs.none()
    elif kind == "name":
        # As a subquery too: the matching ids come from the key indexes in id order, so the
        # first page takes 50 rows instead of joining and sorting every match (30,000 for 王).
        # The subquery carries the scope (and the chosen node), so a county's search walks
        # the (county, key) indexes for that county only, not the key for the whole city.
        names = scoped(Resident.objects.filter(name_q(value)), user)
        if node is not None:
            names = names.filter(**{f"{node.level}_id": node.id})
        qs = qs.filter(id__in=names.values("id"))
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
    if kind in ratelimit.NUMBER_KINDS:
        # Allowance, hit-or-miss probe and audit row in one transaction: one COMMIT per search.
        ratelimit.search(user, kind=kind, digest=digest, probe=qs.exists, request=request)
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
    return scoping.top_nodes(user)


def scope_roots(user, tops: list[Node] | None = None) -> list[Node]:
    """The user's top nodes without any node that lies inside another (a grid leader's grids)."""
    from fanzha.org.figures import scope_roots as roots

    return roots(user, tops)


def node_switch(roots: list[Node], current: Node | None, url_of, all_url: str) -> list[tuple[str, str, bool]]:
    """(label, url, is current) for switching between a user's several nodes, "all" first; [] for one node.

    `current` is the node a page shows (None: the combined view); the entry
    of the root it lies under is the current one. `url_of(node)` gives a
    page's address for one node, `all_url` the combined one. Any page that
    shows one grid can offer it: `{% include "org/_switcher.html" %}` with
    `switch` in the context.
    """
    from django.utils.translation import gettext as _

    if len(roots) < 2:
        return []
    on = None
    if current is not None:
        for r in roots:
            if r.id == current.id or getattr(current, f"{r.level}_id", None) == r.id:
                on = r.id
                break
    grids = all(r.level == Level.GRID for r in roots)
    items = [(_("全部网格（合计）") if grids else _("全部（合计）"), all_url, on is None)]
    items += [(r.name, url_of(r), r.id == on) for r in roots]
    return items


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


def figures(user, node: Node | None = None, *, tops: list[Node] | None = None) -> dict[str, int]:
    """Head counts for the user's scope, or one node inside it (see org.figures); `tops`: the user's top nodes if known."""
    from fanzha.org import figures as tally

    if node is not None:
        return tally.figures_by_node(user, [node])[node.id]
    roots = tally.scope_roots(user, tops)
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
