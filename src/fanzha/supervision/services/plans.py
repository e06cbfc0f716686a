"""Yearly plans, their measures and responsibilities, the example plan, copying a plan, progress reports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fanzha.org.models import Level, Node, Unit, UnitKind
from fanzha.outreach.services import prepare_files
from fanzha.supervision import example_plan
from fanzha.supervision.models import Decision, Measure, MeasureKind, Plan, ProgressReport, Responsibility
from fanzha.supervision.services._common import _attach_photos, _check_window, _raise, _today, _with_files
from fanzha.supervision.services.holders import Holder, holder_of


def plan_create(*, user, street: Node, year: int, title: str, start_on: dt.date | None) -> Plan:
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写方案名称")]
    if not year or not (2015 <= int(year) <= 2100):
        errors["year"] = [_("年度无效")]
    if start_on is None:
        errors["start_on"] = [_("请填写开始日期")]
    if not errors and Plan.objects.filter(street=street, year=year, title=title).exists():
        errors["title"] = [_("%(y)d年已有同名方案") % {"y": year}]
    _raise(errors)
    with transaction.atomic():
        p = Plan(year=year, title=title, start_on=start_on)
        p.place_at(street)
        p.full_clean()
        p.save()
    return p


def _set_responsibilities(measure: Measure, leads: list[Holder], responsible: list[Holder]) -> None:
    """Replace the holders of a measure; holders that stay keep their progress."""
    wanted: dict[str, bool] = {}
    for h in leads:
        wanted[h.key] = True
    for h in responsible:
        wanted.setdefault(h.key, False)
    by_key = {h.key: h for h in [*leads, *responsible]}
    existing = {holder_of(r).key: r for r in measure.responsibilities.select_related("unit", "community")}
    for key, r in existing.items():
        if key not in wanted:
            r.delete()
        elif r.is_lead != wanted[key]:
            r.is_lead = wanted[key]
            r.save(update_fields=["is_lead"])
    new = []
    for key, is_lead in wanted.items():
        if key in existing:
            continue
        r = Responsibility(measure=measure, is_lead=is_lead)
        by_key[key].place(r)
        new.append(r)
    Responsibility.objects.bulk_create(new)


def measure_save(*, user, plan: Plan | None = None, title: str, content: str = "", start_on: dt.date | None,
                 deadline: dt.date | None, leads: list[Holder], responsible: list[Holder], number: int | None = None,
                 measure: Measure | None = None, street: Node | None = None, decision: Decision | None = None) -> Measure:
    """Create or update a measure of a plan (or a task of a meeting decision) with its holders."""
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写措施内容")]
    _check_window(errors, start_on, deadline)
    if not leads and not responsible:
        errors["responsible"] = [_("请至少选择一个牵头单位或责任单位")]
    _raise(errors)
    street = street or (plan and Node.objects.get(pk=plan.street_id))
    with transaction.atomic():
        m = measure or Measure(plan=plan, decision=decision,
                               kind=MeasureKind.TASK if decision else MeasureKind.MEASURE)
        if measure is None:
            m.place_at(street)
            if number is None:
                scope = Measure.objects.filter(plan=plan) if plan else Measure.objects.filter(street=street, kind=MeasureKind.TASK)
                number = (scope.aggregate(n=Max("number"))["n"] or 0) + 1
        if number is not None:
            m.number = number
        m.title, m.content, m.start_on, m.deadline = title[:200], content.strip() if content else "", start_on, deadline
        m.full_clean()
        m.save()
        _set_responsibilities(m, leads, responsible)
        _recompute_measure(m)
    return m


def measure_delete(*, user, measure: Measure) -> None:
    with transaction.atomic():
        measure.delete()


def _recompute_measure(m: Measure) -> None:
    """A measure is complete on the day its last holder reached 100%."""
    rows = list(m.responsibilities.values_list("completed_on", flat=True))
    done = bool(rows) and all(rows)
    completed = max(rows) if done else None
    if m.completed_on != completed:
        m.completed_on = completed
        m.save(update_fields=["completed_on"])


def _example_holders(street: Node, names: list[str], created: list[str]) -> list[Holder]:
    """Seed names to holders: 各社区 = every community, 各部门 = every department, 辖区各银行 = every bank;
    other names are the street's units, made as departments when missing."""
    out: list[Holder] = []
    for name in names:
        if name == example_plan.ALL_COMMUNITIES:
            out += [Holder(community=c) for c in Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code")]
        elif name == example_plan.ALL_DEPARTMENTS:
            out += [Holder(unit=u) for u in Unit.objects.filter(street=street, kind=UnitKind.STREET_DEPARTMENT).order_by("name")]
        elif name == example_plan.ALL_BANKS:
            out += [Holder(unit=u) for u in Unit.objects.filter(street=street, kind=UnitKind.BANK).order_by("name")]
        else:
            unit = Unit.objects.filter(street=street, name=name).order_by("id").first()
            for word in example_plan.ALIASES.get(name, []) if unit is None else []:
                unit = Unit.objects.filter(street=street, name__contains=word).order_by("kind", "id").first()
                if unit:
                    break
            if unit is None:
                from fanzha.org import services as org_services

                unit = org_services.unit_create(node=street, name=name, kind=UnitKind.STREET_DEPARTMENT)
                created.append(name)
            out.append(Holder(unit=unit))
    seen, unique = set(), []
    for h in out:
        if h.key not in seen:
            seen.add(h.key)
            unique.append(h)
    return unique


def plan_load_example(*, user, street: Node, year: int) -> tuple[Plan, list[str]]:
    """Load seed 002's plan (西办全民反诈, eleven measures) into the street as an example plan.

    Lead units missing from the street are created as street departments; their names are returned
    so the office can see what was added. Every deadline falls in `year`.
    """
    with transaction.atomic():
        plan = plan_create(user=user, street=street, year=year, title=example_plan.TITLE, start_on=dt.date(year, 1, 1))
        plan.is_example = True
        plan.save(update_fields=["is_example"])
        created: list[str] = []
        for i, m in enumerate(example_plan.MEASURES, start=1):
            leads = _example_holders(street, m["lead"], created)
            lead_keys = {h.key for h in leads}
            resp = [h for h in _example_holders(street, m["responsible"], created) if h.key not in lead_keys]
            deadline = dt.date(year, *m.get("deadline", (12, 31)))
            measure_save(user=user, plan=plan, number=i, title=m["title"], content=m["content"],
                         start_on=plan.start_on, deadline=deadline, leads=leads, responsible=resp)
    return plan, list(dict.fromkeys(created))


def _shift_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def plan_copy(*, user, plan: Plan, year: int, title: str = "") -> Plan:
    """A new year's plan from an old one: the same measures and holders, dates moved by the years between,
    progress starting at nothing."""
    years = int(year) - plan.year
    street = Node.objects.get(pk=plan.street_id)
    with transaction.atomic():
        new = plan_create(user=user, street=street, year=year, title=(title or plan.title).strip(),
                          start_on=_shift_year(plan.start_on, years))
        new.copied_from = plan
        new.save(update_fields=["copied_from"])
        for m in plan.measures.prefetch_related("responsibilities__unit", "responsibilities__community"):
            rs = list(m.responsibilities.all())
            measure_save(user=user, plan=new, number=m.number, title=m.title, content=m.content,
                         start_on=_shift_year(m.start_on, years), deadline=_shift_year(m.deadline, years),
                         leads=[holder_of(r) for r in rs if r.is_lead],
                         responsible=[holder_of(r) for r in rs if not r.is_lead])
    return new


def progress_report(*, user, responsibility: Responsibility, percent, text: str, files=(),
                    today: dt.date | None = None) -> ProgressReport:
    """A holder's progress on its part of a measure (what was done, evidence, % done ≤ 100)."""
    today = _today(today)
    errors: dict = {}
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        errors["percent"] = [_("完成进度要填0到100之间的整数")]
    else:
        if percent > 100:
            errors["percent"] = [_("完成进度不能超过100%%（填写的是%(p)d%%）") % {"p": percent}]
        elif percent < 0:
            errors["percent"] = [_("完成进度不能小于0")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("请填写工作开展情况")]
    prepared = []
    try:
        prepared = prepare_files(files, street_id=responsibility.street_id)
    except ValidationError as e:
        errors.update(e.message_dict)
    _raise(errors)

    def work(written):
        r = Responsibility.objects.select_for_update().get(pk=responsibility.pk)
        rep = ProgressReport(responsibility=r, reported_on=today, percent=percent, text=text, reported_by=user)
        rep.place_like(r)
        rep.save()
        _attach_photos(prepared, user=user, placed_like=r, unit=r.unit, written=written, report=rep)
        r.percent, r.last_reported_on = percent, today
        r.completed_on = (r.completed_on or today) if percent >= 100 else None
        r.save(update_fields=["percent", "last_reported_on", "completed_on"])
        _recompute_measure(r.measure)
        return rep

    return _with_files(work)
