"""Writes of supervision: groups, contact points, plans and measures, progress, meetings and tasks,
visits, rectifications, criticism.

Keyword-only arguments, one transaction each, `ValidationError` with Chinese
messages a user can act on. Photos go through `fanzha.outreach.evidence`
(sniffed, GPS stripped, thumbnailed) and are removed again if the write fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.org.models import Level, Node, Unit, UnitKind
from fanzha.outreach import evidence as ev
from fanzha.outreach.services import prepare_files
from fanzha.supervision import example_plan
from fanzha.supervision.models import (
    ChecklistItem,
    CheckResult,
    ContactPoint,
    Criticism,
    CriticismKind,
    Decision,
    Finding,
    GroupKind,
    GroupMember,
    IssuerLevel,
    LeadingGroup,
    Measure,
    MeasureKind,
    Meeting,
    MeetingKind,
    Photo,
    Plan,
    Post,
    ProgressReport,
    Rectification,
    RectificationStatus,
    Responsibility,
    SupervisionSetting,
    Visit,
    VisitCheck,
)

EVIDENCE_FOLDER = "supervision/evidence"
EARLIEST = dt.date(2015, 1, 1)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_window(errors: dict, start: dt.date | None, deadline: dt.date | None, *, start_field: str = "start_on",
                  deadline_field: str = "deadline") -> None:
    if start is None:
        errors.setdefault(start_field, []).append(_("请填写开始日期"))
    elif start < EARLIEST:
        errors.setdefault(start_field, []).append(_("日期早于2015年，请检查"))
    if deadline is None:
        errors.setdefault(deadline_field, []).append(_("请填写完成期限"))
    elif start and deadline < start:
        errors.setdefault(deadline_field, []).append(
            _("完成期限（%(d)s）早于开始日期（%(s)s），请改正") % {"d": deadline, "s": start})


# --- holders: a unit or a community of the street ----------------------------------------


@dataclass(frozen=True)
class Holder:
    """A unit or a community that holds a responsibility, a rectification or a contact point."""

    unit: Unit | None = None
    community: Node | None = None

    @property
    def key(self) -> str:
        return f"u{self.unit.pk}" if self.unit else f"c{self.community.pk}"

    @property
    def name(self) -> str:
        return (self.unit or self.community).name

    def place(self, record) -> None:
        if self.unit:
            record.place_like(self.unit)
            if hasattr(record, "unit_id"):
                record.unit = self.unit
        else:
            record.place_at(self.community)
            if hasattr(record, "community_id"):
                record.community = self.community


def holder_of(record) -> Holder:
    return Holder(unit=record.unit, community=None if record.unit_id else record.community)


def holders_from_keys(street: Node, keys) -> list[Holder]:
    """'u12' / 'c7' keys (the forms' values) to holders of this street; unknown keys are an error."""
    unit_ids, node_ids, bad = [], [], []
    for k in dict.fromkeys(k.strip() for k in keys if k and k.strip()):
        if k[:1] in "uc" and k[1:].isdigit():
            (unit_ids if k[0] == "u" else node_ids).append(int(k[1:]))
        else:
            bad.append(k)
    units = Unit.objects.in_bulk(unit_ids)
    nodes = Node.objects.in_bulk(node_ids)
    out = []
    for k in dict.fromkeys(k.strip() for k in keys if k and k.strip()):
        if k[:1] not in "uc" or not k[1:].isdigit():
            continue
        if k[0] == "u":
            u = units.get(int(k[1:]))
            if u is None or u.street_id != street.pk:
                bad.append(k)
            else:
                out.append(Holder(unit=u))
        else:
            n = nodes.get(int(k[1:]))
            if n is None or n.level != Level.COMMUNITY or n.street_id != street.pk:
                bad.append(k)
            else:
                out.append(Holder(community=n))
    if bad:
        raise ValidationError(_("所选单位不在本街道：%(keys)s") % {"keys": "、".join(bad)})
    return out


def _street_of(node: Node) -> Node:
    if node.level != Level.STREET:
        node = Node.objects.get(pk=node.street_id)
    return node


# --- settings, leading groups, contact points ---------------------------------------------


def setting_set(*, user, street: Node, group_deadline: dt.date | None) -> SupervisionSetting:
    with transaction.atomic():
        s, _created = SupervisionSetting.objects.update_or_create(street=street, defaults={"group_deadline": group_deadline})
        return s


def group_save(*, user, kind: str, node: Node, unit: Unit | None = None, name: str, established_on: dt.date | None,
               first_responsible: str = "", office_at: str = "", note: str = "",
               members: list[tuple[str, str, str]] = (), group: LeadingGroup | None = None,
               today: dt.date | None = None) -> LeadingGroup:
    """Create or update a leading group with its members [(name, post, position)] (all replaced)."""
    today = _today(today)
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写领导小组名称")]
    if kind not in GroupKind.values:
        errors["kind"] = [_("类别无效")]
    if kind == GroupKind.DEPARTMENT and unit is None:
        errors["unit"] = [_("部门领导小组要选择部门")]
    if kind == GroupKind.COMMUNITY and node.level != Level.COMMUNITY:
        errors["node"] = [_("社区领导小组要选择社区")]
    if established_on and established_on > today:
        errors["established_on"] = [_("成立日期不能晚于今天")]
    rows = []
    for i, (mname, post, position) in enumerate(members):
        mname = (mname or "").strip()
        if not mname:
            continue
        if post not in Post.values:
            errors.setdefault("members", []).append(_("第%(n)d行的组内职务无效") % {"n": i + 1})
            continue
        rows.append(GroupMember(name=mname[:50], post=post, position=(position or "").strip()[:100], sort=i))
    _raise(errors)
    with transaction.atomic():
        g = group or LeadingGroup()
        g.kind, g.node, g.unit, g.name = kind, node, unit, name
        g.established_on, g.first_responsible, g.office_at, g.note = established_on, first_responsible.strip(), office_at.strip(), note.strip()
        if unit:
            g.place_like(unit)
        else:
            g.place_at(node)
        g.full_clean()
        g.save()
        g.members.all().delete()
        for r in rows:
            r.group = g
        GroupMember.objects.bulk_create(rows)
    return g


def contact_point_add(*, user, leader, holder: Holder, kind: str, since: dt.date | None = None) -> ContactPoint:
    from fanzha.core.access import LEADER, OFFICER
    from fanzha.core.scoping import scope_of

    roles = scope_of(leader).roles
    if not roles & {LEADER, OFFICER}:
        raise ValidationError(_("只有领导或派出所民警可以包保联系点"))
    with transaction.atomic():
        mine = ContactPoint.objects.filter(leader=leader)
        mine = mine.filter(unit=holder.unit) if holder.unit else mine.filter(community=holder.community, unit__isnull=True)
        if mine.exists():
            raise ValidationError(_("%(who)s已包保%(what)s") % {"who": leader, "what": holder.name})
        p = ContactPoint(leader=leader, kind=kind, since=since)
        holder.place(p)
        p.full_clean()
        p.save()
    return p


def contact_point_delete(*, user, point: ContactPoint) -> None:
    with transaction.atomic():
        point.delete()


# --- plans and measures ---------------------------------------------------------------------


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


# --- photos -------------------------------------------------------------------------------


def _attach_photos(prepared: list[ev.PreparedUpload], *, user, placed_like, unit: Unit | None, written: list[str],
                   **owner) -> list[Photo]:
    rows = []
    for p in prepared:
        rel = ev.write_new(p.data, p.extension, folder=EVIDENCE_FOLDER)
        written.append(rel)
        thumb = ""
        if p.thumb:
            thumb = ev.write_new(p.thumb, "jpg", folder=EVIDENCE_FOLDER)
            written.append(thumb)
        ph = Photo(kind=p.kind, content_type=p.content_type, original_name=p.original_name, size=p.size,
                   sha256=p.sha256, file=rel, thumb=thumb, taken_at=p.taken_at, unit=unit,
                   uploaded_by=user if getattr(user, "pk", None) else None, **owner)
        ph.place_like(placed_like)
        rows.append(ph)
    Photo.objects.bulk_create(rows)
    return rows


def _with_files(work):
    written: list[str] = []
    try:
        with transaction.atomic():
            return work(written)
    except BaseException:
        ev.remove_quietly(*written)
        raise


# --- progress -------------------------------------------------------------------------------


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


# --- meetings and tasks ---------------------------------------------------------------------


def meeting_record(*, user, street: Node, held_on: dt.date | None, kind: str, title: str, chair: str,
                   attendees: str = "", place: str = "", decisions: list[str] = (),
                   today: dt.date | None = None) -> Meeting:
    today = _today(today)
    errors: dict = {}
    if held_on is None:
        errors["held_on"] = [_("请填写会议日期")]
    elif held_on > today + dt.timedelta(days=366):
        errors["held_on"] = [_("会议日期太远，请检查")]
    if kind not in MeetingKind.values:
        errors["kind"] = [_("请选择会议类型")]
    if not (title or "").strip():
        errors["title"] = [_("请填写会议名称")]
    if not (chair or "").strip():
        errors["chair"] = [_("请填写主持人")]
    _raise(errors)
    with transaction.atomic():
        m = Meeting(held_on=held_on, kind=kind, title=title.strip(), chair=chair.strip(), attendees=(attendees or "").strip(),
                    place=(place or "").strip())
        m.place_at(street)
        m.full_clean()
        m.save()
        Decision.objects.bulk_create([Decision(meeting=m, number=i, text=t.strip())
                                      for i, t in enumerate((d for d in decisions if d and d.strip()), start=1)])
    return m


def decision_to_task(*, user, decision: Decision, holders: list[Holder], deadline: dt.date | None,
                     title: str = "") -> Measure:
    """A meeting decision becomes a task (tracked like a measure) with its owner(s) and deadline."""
    if hasattr(decision, "task"):
        try:
            decision.task
        except Measure.DoesNotExist:
            pass
        else:
            raise ValidationError(_("该议定事项已转为任务"))
    meeting = decision.meeting
    if not holders:
        raise ValidationError({"responsible": [_("请选择承办单位")]})
    return measure_save(user=user, street=Node.objects.get(pk=meeting.street_id), decision=decision,
                        title=(title or decision.text)[:200], content=decision.text, start_on=meeting.held_on,
                        deadline=deadline, leads=holders[:1], responsible=holders[1:])


# --- checklist, visits, findings ------------------------------------------------------------

DEFAULT_CHECKLIST = [
    "领导小组成立及分工文件",
    "工作方案及台账齐全",
    "国家反诈中心APP安装率达到目标",
    "宣传活动影像资料齐全",
    "预警劝阻按时签收反馈",
    "重点人员一人一档",
]


def checklist_for(street: Node) -> list[ChecklistItem]:
    items = list(ChecklistItem.objects.filter(street=street, active=True))
    if not items and not ChecklistItem.objects.filter(street=street).exists():
        items = ChecklistItem.objects.bulk_create(
            [ChecklistItem(street=street, text=t, sort=i) for i, t in enumerate(DEFAULT_CHECKLIST)])
    return items


def checklist_set(*, user, street: Node, texts: list[str]) -> list[ChecklistItem]:
    """The office's checklist, one line each; lines removed are kept inactive (past visits keep their copy)."""
    texts = [t.strip()[:200] for t in texts if t and t.strip()]
    if not texts:
        raise ValidationError({"items": [_("检查项目至少要有一项")]})
    with transaction.atomic():
        ChecklistItem.objects.filter(street=street).update(active=False)
        rows = ChecklistItem.objects.bulk_create([ChecklistItem(street=street, text=t, sort=i) for i, t in enumerate(texts)])
    return rows


def visit_record(*, user, street: Node, holder: Holder, visited_on: dt.date | None, visitors: str,
                 checks: list[tuple[str, str, str]], summary: str = "", findings: list[tuple[str, list]] = (),
                 today: dt.date | None = None) -> Visit:
    """A supervision visit with its checklist results and findings (text, photos)."""
    today = _today(today)
    errors: dict = {}
    if visited_on is None:
        errors["visited_on"] = [_("请填写检查日期")]
    elif visited_on > today:
        errors["visited_on"] = [_("检查日期不能晚于今天")]
    if not (visitors or "").strip():
        errors["visitors"] = [_("请填写督导人员")]
    for item, result, _note in checks:
        if result not in CheckResult.values:
            errors.setdefault("checks", []).append(_("“%(i)s”的结果无效") % {"i": item})
    prepared_findings = []
    for text, files in findings:
        if not (text or "").strip():
            if files:
                errors.setdefault("findings", []).append(_("有照片的问题要写明问题内容"))
            continue
        try:
            prepared_findings.append((text.strip(), prepare_files(files, street_id=street.pk)))
        except ValidationError as e:
            errors.setdefault("findings", []).extend(e.messages)
    _raise(errors)

    def work(written):
        v = Visit(visited_on=visited_on, visitors=visitors.strip(), summary=(summary or "").strip(), created_by=user)
        holder.place(v)
        v.full_clean()
        v.save()
        VisitCheck.objects.bulk_create([VisitCheck(visit=v, item=i[:200], result=r, note=(n or "")[:300], sort=k)
                                        for k, (i, r, n) in enumerate(checks)])
        for text, prepared in prepared_findings:
            f = Finding.objects.create(visit=v, text=text)
            _attach_photos(prepared, user=user, placed_like=v, unit=v.unit, written=written, finding=f)
        return v

    return _with_files(work)


def finding_add(*, user, visit: Visit, text: str, files=()) -> Finding:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("请填写发现的问题")]})
    prepared = prepare_files(files, street_id=visit.street_id)

    def work(written):
        f = Finding.objects.create(visit=visit, text=text)
        _attach_photos(prepared, user=user, placed_like=visit, unit=visit.unit, written=written, finding=f)
        return f

    return _with_files(work)


# --- rectifications -------------------------------------------------------------------------


def rectification_issue(*, user, holder: Holder, problem: str, requirement: str, deadline: dt.date | None,
                        issued_on: dt.date | None = None, visit: Visit | None = None, finding: Finding | None = None,
                        today: dt.date | None = None) -> Rectification:
    """A rectification notice to a unit or community with a deadline (from a visit's finding, or on its own)."""
    today = _today(today)
    issued_on = issued_on or today
    errors: dict = {}
    if finding is not None:
        visit = finding.visit
        problem = problem or finding.text
    if not (problem or "").strip():
        errors["problem"] = [_("请写明存在的问题")]
    if not (requirement or "").strip():
        errors["requirement"] = [_("请写明整改要求")]
    _check_window(errors, issued_on, deadline, start_field="issued_on")
    _raise(errors)
    with transaction.atomic():
        r = Rectification(visit=visit, finding=finding, problem=problem.strip(), requirement=requirement.strip(),
                          issued_on=issued_on, deadline=deadline, issued_by=user)
        holder.place(r)
        r.full_clean()
        r.save()
        n = Rectification.objects.filter(street_id=r.street_id, issued_on__year=issued_on.year, id__lte=r.id).count()
        r.number = f"整改〔{issued_on.year}〕{n}号"
        r.save(update_fields=["number"])
    return r


def rectification_submit(*, user, rectification: Rectification, fix_note: str, files=(),
                         today: dt.date | None = None) -> Rectification:
    """The unit reports the fix; evidence (at least one photo) is required, then the office checks it."""
    today = _today(today)
    errors: dict = {}
    if rectification.status == RectificationStatus.ACCEPTED:
        raise ValidationError(_("该整改已验收，不能再报送"))
    fix_note = (fix_note or "").strip()
    if not fix_note:
        errors["fix_note"] = [_("请写明整改情况")]
    prepared = []
    try:
        prepared = prepare_files(files, street_id=rectification.street_id)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not prepared and not rectification.photos.exists():
        errors.setdefault("files", []).append(_("整改要有佐证材料：请上传至少一张整改后的照片"))
    _raise(errors)

    def work(written):
        r = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if r.status == RectificationStatus.ACCEPTED:
            raise ValidationError(_("该整改已验收，不能再报送"))
        _attach_photos(prepared, user=user, placed_like=r, unit=r.unit, written=written, rectification=r)
        r.fix_note, r.status, r.submitted_on, r.submitted_by = fix_note, RectificationStatus.SUBMITTED, today, user
        r.return_note = ""
        r.save(update_fields=["fix_note", "status", "submitted_on", "submitted_by", "return_note"])
        return r

    return _with_files(work)


def rectification_accept(*, user, rectification: Rectification, today: dt.date | None = None) -> Rectification:
    """The office accepts a reported fix: the notice is closed."""
    today = _today(today)
    with transaction.atomic():
        n = (Rectification.objects.filter(pk=rectification.pk, status=RectificationStatus.SUBMITTED)
             .update(status=RectificationStatus.ACCEPTED, accepted_on=today, accepted_by=user))
        if n != 1:
            raise ValidationError(_("只有已报送整改情况（附佐证）的整改通知才能验收"))
        rectification.refresh_from_db()
    return rectification


def rectification_return(*, user, rectification: Rectification, note: str) -> Rectification:
    """The office sends a reported fix back: open again, with the reason."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"return_note": [_("请写明退回原因")]})
    with transaction.atomic():
        n = (Rectification.objects.filter(pk=rectification.pk, status=RectificationStatus.SUBMITTED)
             .update(status=RectificationStatus.OPEN, return_note=note[:300]))
        if n != 1:
            raise ValidationError(_("只有待验收的整改通知才能退回"))
        rectification.refresh_from_db()
    return rectification


# --- criticism ------------------------------------------------------------------------------


def criticism_record(*, user, holder: Holder, kind: str, issuer: str, issued_on: dt.date | None, reason: str,
                     rectification: Rectification | None = None, today: dt.date | None = None) -> Criticism:
    today = _today(today)
    errors: dict = {}
    if kind not in CriticismKind.values:
        errors["kind"] = [_("类别无效")]
    if issuer not in IssuerLevel.values:
        errors["issuer"] = [_("作出机关无效")]
    if issued_on is None:
        errors["issued_on"] = [_("请填写日期")]
    elif issued_on > today:
        errors["issued_on"] = [_("日期不能晚于今天")]
    if not (reason or "").strip():
        errors["reason"] = [_("请写明事由")]
    _raise(errors)
    with transaction.atomic():
        c = Criticism(kind=kind, issuer=issuer, issued_on=issued_on, reason=reason.strip(), rectification=rectification,
                      recorded_by=user)
        holder.place(c)
        c.full_clean()
        c.save()
    return c
