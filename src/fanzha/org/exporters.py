"""Exports of the org app's lists to .xlsx, scoped to the user.

The sheets use the import templates' column headers, so an export (with full
numbers revealed) can be edited and imported back. ID and phone numbers are
masked unless the caller asks for them revealed — the view only does so for
users with `org.reveal_pii`, and writes the row count to the audit log.
Rows are read with `.values_list(...).iterator()` and written in constant
memory, so a county-wide export neither loads models nor holds the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core import pii
from fanzha.core.access import allowed
from fanzha.core.exports import XlsxExport
from fanzha.core.scoping import scope_of, scoped, streets_for
from fanzha.org import selectors
from fanzha.org.importers import OrgImporter, ResidentImporter, StaffImporter, UnitImporter
from fanzha.org.models import (
    Employment,
    FamilyMember,
    Gender,
    Level,
    Node,
    Relation,
    Residency,
    StaffMember,
    UnitKind,
)

CHUNK = 2000


@dataclass
class Filters:
    q: str = ""
    node: Node | None = None
    residency: str = ""
    tag: str = ""
    kind: str = ""  # unit kind

    def describe(self) -> str:
        """For the audit log: the filters, with a searched ID or phone number masked."""
        parts = []
        if self.q:
            what, value = selectors.classify_query(self.q)
            if what in ("id", "phone"):
                parts.append(_("按%(what)s查询") % {"what": _("身份证号") if what == "id" else _("手机号")})
            else:
                parts.append(f"q={self.q[:50]}")
        if self.node is not None:
            parts.append(_("范围：%(n)s") % {"n": self.node.name})
        if self.residency:
            parts.append(f"residency={self.residency}")
        if self.tag:
            parts.append(f"tag={self.tag}")
        if self.kind:
            parts.append(f"kind={self.kind}")
        return "，".join(parts) or _("全部")


@dataclass
class ExportFile:
    file: IO[bytes]
    rows: int
    filename: str


def _headers(importer_cls, widths: dict[str, int] | None = None) -> list[tuple[str, int]]:
    return [(c.header, (widths or {}).get(c.key, c.width)) for c in importer_cls.columns]


def _node_names(user) -> dict[int, str]:
    """Names of the nodes of the user's streets (a resident's community is named even for a grid worker)."""
    scope = scope_of(user)
    qs = Node.objects.all() if scope.everything else Node.objects.filter(street_id__in=[s.id for s in streets_for(scope)])
    return dict(qs.values_list("id", "name"))


def _number(reveal: bool, enc: str, masked: str) -> str:
    return pii.decrypt(enc) if reveal and enc else masked


GENDER = dict(Gender.choices)
RESIDENCY = dict(Residency.choices)
UNIT_KIND = dict(UnitKind.choices)
EMPLOYMENT = dict(Employment.choices)
RELATION = dict(Relation.choices)


def residents_rows(user, f: Filters, reveal: bool) -> Iterator[list[Any]]:
    names = _node_names(user)
    qs = selectors.resident_search(user, q=f.q, node=f.node, residency=f.residency, tag=f.tag)
    cols = ("community_id", "grid_id", "group_id", "household__address", "household__head_name", "name", "gender",
            "birth_date", "id_number_enc", "id_number_masked", "phone_enc", "phone_masked", "phone2_enc", "phone2_masked",
            "residency", "relation", "occupation", "is_student", "is_finance_staff", "lives_alone", "note")
    # A role that cannot reveal numbers gets no birth date for a resident with an ID number: with the
    # mask's seven digits it would leave about a hundred candidates for the full number.
    hide_birth = not allowed(user, "org.reveal_pii")
    for (c, g, grp, address, head, name, gender, birth, id_enc, id_m, ph_enc, ph_m, ph2_enc, ph2_m, residency, relation,
         occupation, student, finance, alone, note) in qs.values_list(*cols).iterator(chunk_size=CHUNK):
        if hide_birth and id_m:
            birth = None
        yield [names.get(c, ""), names.get(g, ""), names.get(grp, ""), address, head, name, str(GENDER.get(gender, "")),
               birth, _number(reveal, id_enc, id_m), _number(reveal, ph_enc, ph_m), _number(reveal, ph2_enc, ph2_m),
               str(RESIDENCY.get(residency, "")), relation, occupation, student, finance, alone, note]


def households_rows(user, f: Filters, reveal: bool) -> Iterator[list[Any]]:
    names = _node_names(user)
    qs = selectors.households_for(user, node=f.node, q=f.q).annotate(n=Count("residents"))
    for c, g, grp, address, head, n, note in qs.values_list("community_id", "grid_id", "group_id", "address", "head_name",
                                                            "n", "note").iterator(chunk_size=CHUNK):
        yield [names.get(c, ""), names.get(g, ""), names.get(grp, ""), address, head, n, note]


def units_rows(user, f: Filters, reveal: bool) -> Iterator[list[Any]]:
    names = _node_names(user)
    qs = selectors.units_for(user, node=f.node, kind=f.kind)
    for name, kind, c, g, address, contact, n in qs.values_list("name", "kind", "community_id", "grid_id", "address",
                                                                "contact_name", "staff_count").iterator(chunk_size=CHUNK):
        yield [name, str(UNIT_KIND.get(kind, "")), names.get(c, ""), names.get(g, ""), address, contact, n]


def staff_rows(user, f: Filters, reveal: bool) -> Iterator[list[Any]]:
    """Each staff member, followed by their family members (linked by 职工身份证号)."""
    qs = scoped(StaffMember.objects.all(), user)
    if f.node is not None:
        qs = qs.filter(**{f"{f.node.level}_id": f.node.id})
    qs = qs.order_by("unit__name", "unit_id", "name", "id")
    cols = ("id", "unit__name", "name", "id_number_enc", "id_number_masked", "phone_enc", "phone_masked", "position",
            "employment")
    batch: list[tuple] = []

    def flush():
        family: dict[int, list[tuple]] = {}
        fam_qs = scoped(FamilyMember.objects.filter(staff_id__in=[s[0] for s in batch]), user).order_by("staff_id", "relation", "id")
        for rec in fam_qs.values_list("staff_id", "name", "id_number_enc", "id_number_masked", "phone_enc", "phone_masked", "relation"):
            family.setdefault(rec[0], []).append(rec)
        for sid, unit, name, id_enc, id_m, ph_enc, ph_m, position, employment in batch:
            staff_id_number = _number(reveal, id_enc, id_m)
            yield [unit, name, staff_id_number, _number(reveal, ph_enc, ph_m), position, str(EMPLOYMENT.get(employment, "")),
                   _("本人"), ""]
            for _sid, fname, fid_enc, fid_m, fph_enc, fph_m, relation in family.get(sid, []):
                yield [unit, fname, _number(reveal, fid_enc, fid_m), _number(reveal, fph_enc, fph_m), "", "",
                       str(RELATION.get(relation, "")), staff_id_number]

    for rec in qs.values_list(*cols).iterator(chunk_size=CHUNK):
        batch.append(rec)
        if len(batch) >= CHUNK:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def org_rows(user, f: Filters, reveal: bool) -> Iterator[list[Any]]:
    """One row per household group, plus grids without groups and communities without grids."""
    qs = scoped(Node.objects.filter(level__in=[Level.COMMUNITY, Level.GRID, Level.GROUP]), user)
    if f.node is not None:
        qs = qs.filter(**{f"{f.node.level}_id": f.node.id})
    nodes = {n.id: n for n in qs.only("id", "level", "code", "name", "parent_id", "community_id", "grid_id").order_by("sort", "code")}
    has_child = {n.parent_id for n in nodes.values()}

    def cells(node):
        return [node.code, node.name] if node is not None else ["", ""]

    for n in nodes.values():
        if n.id in has_child:
            continue
        c = nodes.get(n.community_id)
        g = nodes.get(n.grid_id) if n.level != Level.COMMUNITY else None
        grp = n if n.level == Level.GROUP else None
        yield [*cells(c), *cells(g), *cells(grp)]


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: Any
    headers: list[tuple[str, int]]
    rows: Callable[..., Iterator[list[Any]]]
    text_columns: tuple[int, ...] = ()
    has_pii: bool = True


EXPORTS: dict[str, ExportKind] = {
    "residents": ExportKind("residents", gettext_lazy("居民"), _headers(ResidentImporter), residents_rows, (8, 9, 10)),
    "households": ExportKind("households", gettext_lazy("户"), [
        ("社区", 14), ("网格", 16), ("十联户", 14), ("地址", 24), ("户主", 10), ("人数", 6), ("备注", 20)], households_rows,
        has_pii=False),
    "units": ExportKind("units", gettext_lazy("单位"), [*_headers(UnitImporter), ("职工人数", 8)], units_rows, has_pii=False),
    "staff": ExportKind("staff", gettext_lazy("单位职工及家属"), _headers(StaffImporter), staff_rows, (2, 3, 7)),
    "org": ExportKind("org", gettext_lazy("组织架构"), _headers(OrgImporter), org_rows, has_pii=False),
}


def export(kind: str, user, filters: Filters, *, reveal: bool = False) -> ExportFile:
    """Write the user's rows of `kind` to a temporary .xlsx (not audited here: the caller does)."""
    spec = EXPORTS[kind]
    out = XlsxExport(spec.headers, sheet_name=str(spec.label), text_columns=spec.text_columns)
    for row in spec.rows(user, filters, reveal and spec.has_pii):
        out.write(row)
    from django.utils import timezone

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(file=out.close(), rows=out.count, filename=f"{kind}-{stamp}.xlsx")


def run_export(kind: str, user, filters: Filters, *, reveal: bool = False, request=None) -> ExportFile:
    """Export and write it to the audit log (and, when numbers are revealed, a reveal entry with the row count)."""
    from fanzha.core.audit import audit
    from fanzha.core.models import AuditAction

    spec = EXPORTS[kind]
    reveal = reveal and spec.has_pii
    result = export(kind, user, filters, reveal=reveal)
    numbers = _("含完整身份证号和手机号") if reveal else (_("号码已脱敏") if spec.has_pii else _("不含个人号码"))
    detail = _("导出%(label)s %(n)d行；筛选：%(f)s；%(numbers)s") % {
        "label": spec.label, "n": result.rows, "f": filters.describe(), "numbers": numbers}
    audit(user=user, action=AuditAction.EXPORT, target=f"export:{kind}", detail=detail, request=request)
    if reveal:
        audit(user=user, action=AuditAction.REVEAL, target=f"export:{kind}",
              detail=_("在导出中查看完整身份证号和手机号：%(label)s %(n)d行") % {"label": spec.label, "n": result.rows},
              request=request)
    return result
