"""The criteria of SPEC §8, computed from the records with their evidence.

`compute(root, period, base)` assesses every community and every unit at or
below `root` (a street, or a county for the benchmark) in a fixed number of
queries, whatever the number of subjects: each record kind is read once for
the whole root and grouped in Python. The result maps a subject key
("c<node id>" / "u<unit id>") to its list of criteria, each a JSON-ready dict::

    {"key": "major", "label": "无50万元以上案件", "ok": False, "manual": False,
     "summary": "有1起50万元以上案件", "evidence": {...}}

Manual criteria (community duties, unit outreach) come with `ok: None` and
the supporting figures as evidence; the office attests them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fanzha.cases.models import MAJOR_LOSS, Case, StaffLink
from fanzha.org.models import FamilyMember, Household, Level, Node, Resident, Residency, StaffMember, Unit
from fanzha.outreach.models import Activity, InstallStatus, VisitYear
from fanzha.risk.models import Category, Finding, KeyPerson, KeyPersonCategory, Premises, PremisesCheck, Screening, SweepGrid
from fanzha.supervision.selectors import units_criticised_in

#: key-person categories that fail "no offender, stranded or intercepted person"
PERSON_CATEGORIES = (Category.OFFENDER, Category.STRANDED, Category.INTERCEPTED)
CASE_LIST_LIMIT = 50

COMMUNITY_CRITERIA = ("cases", "major", "persons", "dens", "duties")
UNIT_CRITERIA = ("victims", "persons", "outreach", "criticism")


def labels() -> dict[str, str]:
    return {
        "cases": _("无发案或发案数同比下降50%以上"),
        "major": _("无50万元以上（含）案件"),
        "persons": _("无涉诈前科、滞留缅北高危、拦截人员"),
        "dens": _("无涉诈窝点"),
        "duties": _("各项工作职责落实到位"),
        "victims": _("职工（含合同工、临时工）及家属无被骗"),
        "outreach": _("对职工和服务对象开展宣传"),
        "criticism": _("未被县（区）领导小组通报批评、约谈或责令整改"),
    }


def root_q(root: Node, prefix: str = "") -> Q:
    return Q(**{f"{prefix}{root.level}_id": root.id})


def pct(n: int, d: int) -> float | None:
    return round(100 * n / d, 1) if d else None


def _case_row(c: Case, **extra) -> dict:
    row = {"id": c.id, "number": c.number or f"#{c.id}", "reported_on": c.reported_on.isoformat(),
           "loss": float(c.loss), "fraud_type": c.get_fraud_type_display(), "victim": c.victim_name}
    row.update(extra)
    return row


def cases_rule(now: int, base: int) -> bool:
    """No case, or down by at least half: exactly 50% down passes (now × 2 ≤ base)."""
    return now == 0 or (base > 0 and now * 2 <= base)


def _criterion(key: str, ok, summary: str, evidence: dict, *, manual: bool = False) -> dict:
    return {"key": key, "label": labels()[key], "ok": ok, "manual": manual, "summary": summary, "evidence": evidence}


def subjects(root: Node) -> tuple[list[Node], list[Unit]]:
    communities = list(Node.objects.filter(root_q(root), level=Level.COMMUNITY).order_by("sort", "code", "id"))
    units = list(Unit.objects.filter(root_q(root)).order_by("name", "id"))
    return communities, units


def _open_files(start: dt.date, end: dt.date, extra: Q) -> list[KeyPerson]:
    """Files open at some time in the period holding an assessed category (current categories)."""
    qs = (KeyPerson.objects.filter(extra).filter(opened_on__lte=end)
          .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
          .filter(id__in=KeyPersonCategory.objects.filter(category__in=PERSON_CATEGORIES).values("person_id")))
    files = list(qs.select_related("resident").order_by("opened_on", "id"))
    cats = defaultdict(list)
    for pid, cat in KeyPersonCategory.objects.filter(person_id__in=[f.id for f in files]).values_list("person_id", "category"):
        cats[pid].append(cat)
    for f in files:
        f.assessed_categories = [str(Category(c).label) for c in cats[f.id] if c in PERSON_CATEGORIES]
    return files


def compute(root: Node, period, base) -> dict[str, list[dict]]:
    """Criteria for every community and unit at or below `root` (`period`, `base` have .start/.end)."""
    communities, units = subjects(root)
    out: dict[str, list[dict]] = {}
    out.update(compute_communities(root, communities, period, base))
    out.update(compute_units(root, units, period))
    return out


def compute_communities(root: Node, communities: list[Node], period, base) -> dict[str, list[dict]]:
    if not communities:
        return {}
    ids = [c.id for c in communities]
    start, end = period.start, period.end
    in_root = root_q(root) & Q(community_id__in=ids) if len(ids) > 1 else Q(community_id=ids[0])

    # (1)(2) cases of the period (listed) and counts of the comparison period
    now_cases = defaultdict(list)
    for c in Case.objects.filter(in_root, reported_on__gte=start, reported_on__lte=end).order_by("-loss", "reported_on", "id"):
        now_cases[c.community_id].append(c)
    base_counts = dict(Case.objects.filter(in_root, reported_on__gte=base.start, reported_on__lte=base.end)
                       .values_list("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    # (3) files of residents (permanent or temporary; floating people are not the community's residents)
    files = defaultdict(list)
    for f in _open_files(start, end, in_root):
        if f.resident_id and f.resident.residency == Residency.FLOATING:
            continue
        files[f.community_id].append(f)
    # (4) dens found in the period, or found earlier and still open
    dens = defaultdict(list)
    den_ids = set(PremisesCheck.objects.filter(in_root, finding=Finding.DEN, checked_on__gte=start, checked_on__lte=end)
                  .values_list("premises_id", flat=True))
    for p in Premises.objects.filter(in_root).filter(Q(id__in=den_ids) | Q(open_finding=Finding.DEN, open_finding_since__lte=end)):
        dens[p.community_id].append(p)
    # (5) support for the duties
    households = dict(Household.objects.filter(in_root).values_list("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    visited = dict(VisitYear.objects.filter(in_root, year=end.year, first_visited_on__lte=end, last_visited_on__gte=start)
                   .values_list("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    residents = dict(Resident.objects.filter(in_root).exclude(residency=Residency.FLOATING)
                     .values_list("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    installed = dict(InstallStatus.objects.filter(in_root, kind="resident", app_installed_on__lte=end)
                     .values_list("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    activities = dict(Activity.objects.filter(in_root, held_on__gte=start, held_on__lte=end)
                      .values_list("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    sweeps = dict(SweepGrid.objects.filter(in_root, held_on__gte=start, held_on__lte=end)
                  .values_list("community_id").annotate(n=Count("sweep_id", distinct=True)).values_list("community_id", "n"))
    screenings = dict(Screening.objects.filter(in_root, month__gte=start, month__lte=end)
                      .values_list("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    months = (end.year - start.year) * 12 + end.month - start.month + 1

    out = {}
    for c in communities:
        cases = now_cases.get(c.id, [])
        n, b = len(cases), base_counts.get(c.id, 0)
        change = round(100 * (n - b) / b, 1) if b else None
        if n == 0:
            s1 = _("本期无发案（对比期%(b)d起）") % {"b": b}
        elif cases_rule(n, b):
            s1 = _("发案%(n)d起，对比期%(b)d起，下降%(p)s%%") % {"n": n, "b": b, "p": -change}
        elif b == 0:
            s1 = _("发案%(n)d起，对比期无发案") % {"n": n}
        else:
            s1 = _("发案%(n)d起，对比期%(b)d起，下降不足50%%（%(p)s%%）") % {"n": n, "b": b, "p": change}
        case_rows = [_case_row(x) for x in sorted(cases, key=lambda x: (x.reported_on, x.id))[:CASE_LIST_LIMIT]]
        majors = [x for x in cases if x.loss >= MAJOR_LOSS]
        largest = cases[0] if cases else None
        if majors:
            s2 = _("有%(n)d起50万元以上案件，最大一起%(loss)s元") % {"n": len(majors), "loss": f"{majors[0].loss:,.0f}"}
        elif largest:
            s2 = _("最大一起损失%(loss)s元") % {"loss": f"{largest.loss:,.0f}"}
        else:
            s2 = _("本期无发案")
        fs = files.get(c.id, [])
        s3 = (_("有%(n)d名涉诈前科、滞留缅北或拦截人员") % {"n": len(fs)}) if fs else _("无")
        ds = dens.get(c.id, [])
        s4 = (_("发现%(n)d处涉诈窝点") % {"n": len(ds)}) if ds else _("无")
        hh, vv = households.get(c.id, 0), visited.get(c.id, 0)
        rr, ii = residents.get(c.id, 0), installed.get(c.id, 0)
        support = {"households": hh, "visited": vv, "coverage": pct(vv, hh), "residents": rr, "installed": ii,
                   "install_rate": pct(ii, rr), "activities": activities.get(c.id, 0), "sweeps": sweeps.get(c.id, 0),
                   "screenings": screenings.get(c.id, 0), "months": months}
        s5 = _("走访覆盖%(cov)s%%，APP安装率%(rate)s%%，宣传活动%(a)d次，周三打卡%(s)d期，月度排查%(sc)d/%(m)d") % {
            "cov": support["coverage"] if support["coverage"] is not None else "—",
            "rate": support["install_rate"] if support["install_rate"] is not None else "—",
            "a": support["activities"], "s": support["sweeps"], "sc": support["screenings"], "m": months}
        out[f"c{c.id}"] = [
            _criterion("cases", cases_rule(n, b), s1, {"now": n, "base": b, "change_pct": change, "cases": case_rows,
                                                       "more": max(0, n - CASE_LIST_LIMIT)}),
            _criterion("major", not majors, s2, {"largest": _case_row(largest) if largest else None,
                                                 "major": [_case_row(x) for x in majors[:CASE_LIST_LIMIT]]}),
            _criterion("persons", not fs, s3, {"files": [
                {"id": f.id, "name": f.name, "categories": f.assessed_categories,
                 "residency": (f.resident.get_residency_display() if f.resident_id else ""),
                 "opened_on": f.opened_on.isoformat()} for f in fs]}),
            _criterion("dens", not ds, s4, {"premises": [
                {"id": p.id, "name": p.name, "address": p.address,
                 "since": p.open_finding_since.isoformat() if p.open_finding_since else ""} for p in ds]}),
            _criterion("duties", None, s5, support, manual=True),
        ]
    return out


def compute_units(root: Node, units: list[Unit], period) -> dict[str, list[dict]]:
    if not units:
        return {}
    ids = [u.id for u in units]
    id_set = set(ids)
    start, end = period.start, period.end
    unit_of_staff = dict(StaffMember.objects.filter(unit_id__in=ids).values_list("id", "unit_id"))

    # people of each unit by resident and by ID number: staff and their family
    people_by_resident: dict[int, list[tuple[int, str]]] = defaultdict(list)
    people_by_idhash: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for uid, name, rid, idh, emp in StaffMember.objects.filter(unit_id__in=ids).values_list(
            "unit_id", "name", "resident_id", "id_number_hash", "employment"):
        who = _("%(name)s（职工）") % {"name": name}
        if rid:
            people_by_resident[rid].append((uid, who))
        if idh:
            people_by_idhash[idh].append((uid, who))

    def family_rows(q: Q):
        for sid, name, rel, rid, idh, sname in FamilyMember.objects.filter(q).values_list(
                "staff_id", "name", "relation", "resident_id", "id_number_hash", "staff__name"):
            yield unit_of_staff.get(sid), name, rel, rid, idh, sname

    # (1) cases whose victim is staff or family: marked on the case, or the victim is one of them
    victims = defaultdict(list)
    seen = set()
    for c in Case.objects.filter(unit_id__in=ids, reported_on__gte=start, reported_on__lte=end).exclude(staff_link=""):
        victims[c.unit_id].append(_case_row(c, link=c.get_staff_link_display()))
        seen.add((c.unit_id, c.id))
    linked = {c.victim_id: c for c in Case.objects.filter(root_q(root), reported_on__gte=start, reported_on__lte=end,
                                                           victim__isnull=False)}
    if linked:
        for rid, entries in list(people_by_resident.items()):
            if rid in linked:
                c = linked[rid]
                for uid, who in entries:
                    if (uid, c.id) not in seen:
                        victims[uid].append(_case_row(c, link=_("单位职工")))
                        seen.add((uid, c.id))
        for uid, name, rel, rid, idh, sname in family_rows(Q(staff__unit_id__in=ids, resident_id__in=list(linked))):
            c = linked[rid]
            if uid in id_set and (uid, c.id) not in seen:
                victims[uid].append(_case_row(c, link=_("职工家属")))
                seen.add((uid, c.id))

    # (2) files of staff or family (linked resident, or the same ID number)
    files = _open_files(start, end, Q())
    persons = defaultdict(list)
    if files:
        f_by_res = {f.resident_id: f for f in files if f.resident_id}
        f_by_id = {f.id_number_hash: f for f in files if f.id_number_hash}
        hits = []
        for rid, f in f_by_res.items():
            hits += [(uid, who, f) for uid, who in people_by_resident.get(rid, [])]
        for h, f in f_by_id.items():
            hits += [(uid, who, f) for uid, who in people_by_idhash.get(h, [])]
        for uid, name, rel, rid, idh, sname in family_rows(Q(staff__unit_id__in=ids) & (
                Q(resident_id__in=list(f_by_res)) | Q(id_number_hash__in=list(f_by_id)))):
            f = f_by_res.get(rid) or f_by_id.get(idh)
            who = _("%(name)s（%(staff)s的家属）") % {"name": name, "staff": sname}
            hits.append((uid, who, f))
        done = set()
        for uid, who, f in hits:
            if (uid, f.id) in done:
                continue
            done.add((uid, f.id))
            persons[uid].append({"id": f.id, "name": f.name, "who": who, "categories": f.assessed_categories})

    # (3) support: staff install rate and activities
    staff_n = dict(StaffMember.objects.filter(unit_id__in=ids).values_list("unit_id").annotate(n=Count("id"))
                   .values_list("unit_id", "n"))
    inst_n = dict(InstallStatus.objects.filter(staff__unit_id__in=ids, app_installed_on__lte=end)
                  .values_list("staff__unit_id").annotate(n=Count("id")).values_list("staff__unit_id", "n"))
    acts = dict(Activity.objects.filter(unit_id__in=ids, held_on__gte=start, held_on__lte=end)
                .values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    # (4) criticism by the county leading group
    crit = units_criticised_in(ids, (start, end), county_only=True)

    out = {}
    for u in units:
        vs = victims.get(u.id, [])
        ps = persons.get(u.id, [])
        sn, inn = staff_n.get(u.id, 0), inst_n.get(u.id, 0)
        support = {"staff": sn, "installed": inn, "install_rate": pct(inn, sn), "activities": acts.get(u.id, 0)}
        cs = crit.get(u.id, [])
        out[f"u{u.id}"] = [
            _criterion("victims", not vs, (_("职工或家属被骗%(n)d起") % {"n": len(vs)}) if vs else _("无"), {"cases": vs}),
            _criterion("persons", not ps, (_("有%(n)d名涉诈前科、滞留缅北或拦截人员") % {"n": len(ps)}) if ps else _("无"),
                       {"files": ps}),
            _criterion("outreach", None, _("职工%(s)d人，APP安装率%(r)s%%，宣传活动%(a)d次") % {
                "s": sn, "r": support["install_rate"] if support["install_rate"] is not None else "—",
                "a": support["activities"]}, support, manual=True),
            _criterion("criticism", not cs, (_("被通报批评、约谈或责令整改%(n)d次") % {"n": len(cs)}) if cs else _("无"),
                       {"records": [{"id": x.id, "kind": x.get_kind_display(), "issued_on": x.issued_on.isoformat(),
                                     "reason": x.reason} for x in cs]}),
        ]
    return out


def summarise(criteria: list[dict]) -> str:
    """pass when every criterion holds, fail when any fails, pending while a manual one is unattested."""
    states = []
    for c in criteria:
        att = c.get("attested")
        states.append(att["ok"] if att else c["ok"])
    if any(s is False for s in states):
        return "fail"
    if any(s is None for s in states):
        return "pending"
    return "pass"


def has_records(root: Node, period, base) -> bool:
    """Anything at all recorded under `root` for the period or its comparison period."""
    q = root_q(root)
    lo, hi = min(period.start, base.start), max(period.end, base.end)
    return (Case.objects.filter(q, reported_on__gte=lo, reported_on__lte=hi).exists()
            or Activity.objects.filter(q, held_on__gte=lo, held_on__lte=hi).exists()
            or SweepGrid.objects.filter(q, held_on__gte=lo, held_on__lte=hi).exists()
            or Screening.objects.filter(q, month__gte=lo, month__lte=hi).exists()
            or PremisesCheck.objects.filter(q, checked_on__gte=lo, checked_on__lte=hi).exists()
            or KeyPerson.objects.filter(q, opened_on__lte=hi).exists())


__all__ = ["compute", "summarise", "subjects", "labels", "has_records", "cases_rule", "Decimal"]
