"""Demo data for supervision: the example plan, a year of meetings and visits, open and overdue rectifications.

Street (`load_demo`), written through the services so it holds what users would make:
- the office's deadline for leading groups (last 15 November); the street's group with members;
  most communities' and departments' groups, one set up late, one community and some departments
  without a group (they show up);
- contact points: `leader` takes two communities and the demo department, `police` one community;
- last year's plan loaded from seed 002 (all measures done), and this year's copied from it, part
  done: measure 4 (app installs by 30 September) is overdue for several holders;
- a year of meetings (monthly 调度会, quarterly 联席会议, some 专题会); decisions become tasks,
  the recent ones still open and some overdue;
- two supervision visits a month with findings and photos; their rectification notices: most
  accepted, some submitted awaiting acceptance, one returned, some open and overdue (one held by
  the `dept` department and one by the `community` user's community);
- criticism of one department last year (by the county) and of one community this year.

County (`load_county`, for the benches): every street of the county gets five years of plans,
meetings and visits, written in bulk.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fanzha.org.models import Assignment, Level, Node, Role, Unit, UnitKind, User
from fanzha.supervision import services
from fanzha.supervision.models import (
    CheckResult,
    Decision,
    Finding,
    Measure,
    MeasureKind,
    Meeting,
    MeetingKind,
    Plan,
    ProgressReport,
    Rectification,
    RectificationStatus,
    Responsibility,
    Visit,
    VisitCheck,
)
from fanzha.supervision.services import Holder

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英伟芳军敏杰丽强静磊洋勇艳涛明超娟华平"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _jpeg(seed: int) -> SimpleUploadedFile:
    from PIL import Image

    im = Image.new("RGB", (64, 48), ((seed * 53) % 256, (seed * 97) % 256, 120))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"photo{seed}.jpg", out.getvalue(), content_type="image/jpeg")


def _say(stdout, text: str) -> None:
    if stdout:
        stdout.write(text)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _bulk_progress(rows: list[Responsibility], today: dt.date, rng: random.Random, *, done_share: float,
                   user: User | None) -> None:
    """Progress on many responsibilities at once (demo only): done ones at 100% before the deadline, others part way."""
    reports = []
    for r in rows:
        m = r.measure
        if rng.random() < done_share:
            r.percent = 100
            r.completed_on = min(today, m.deadline - dt.timedelta(days=rng.randint(0, 40)))
            if r.completed_on < m.start_on:
                r.completed_on = m.start_on
        else:
            r.percent = rng.choice([0, 20, 30, 50, 60, 80])
            r.completed_on = None
        if r.percent:
            r.last_reported_on = r.completed_on or min(today, m.start_on + dt.timedelta(days=rng.randint(20, 200)))
            rep = ProgressReport(responsibility=r, reported_on=r.last_reported_on, percent=r.percent, reported_by=user,
                                 text="已按方案要求开展工作，相关台账和影像资料已归档。" if r.percent == 100 else "正在推进中。")
            rep.place_like(r)
            reports.append(rep)
    Responsibility.objects.bulk_update(rows, ["percent", "completed_on", "last_reported_on"])
    ProgressReport.objects.bulk_create(reports)
    for m in {r.measure_id: r.measure for r in rows}.values():
        services._recompute_measure(m)


def load_demo(street: Node, stdout=None, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if Plan.objects.filter(street=street).exists():
        return  # loaded once
    rng = random.Random(14)
    office = _user("office")
    year = today.year
    communities = list(Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code"))
    departments = list(Unit.objects.filter(street=street, kind=UnitKind.STREET_DEPARTMENT).order_by("name"))
    dept_unit = Assignment.objects.filter(role=Role.DEPARTMENT, unit__street=street).values_list("unit", flat=True).first()
    dept_unit = Unit.objects.filter(pk=dept_unit).first() or (departments[0] if departments else None)
    community_user_node = (Assignment.objects.filter(role=Role.COMMUNITY, node__street=street, user__username="community")
                           .values_list("node", flat=True).first())

    # 1. leading groups, by the office's deadline
    deadline = dt.date(year - 1, 11, 15)
    services.setting_set(user=office, street=street, group_deadline=deadline)
    services.group_save(
        user=office, kind="street", node=street, name=f"{street.name}全民反诈宣传防范工作领导小组",
        established_on=dt.date(year - 1, 10, 20), first_responsible="周建华", office_at="西门派出所", today=today,
        members=[("周建华", "head", "街道党工委书记"), ("林秀芳", "deputy", "街道办事处主任"),
                 ("马强", "deputy", "西门派出所所长"), ("郭敏", "member", "平安办主任"), ("何伟", "member", "党政办主任"),
                 ("赵宪起", "office_director", "西门派出所副所长"), ("罗小军", "office_director", "平安办副主任"),
                 ("陈静", "office_staff", "平安办工作人员")])
    for i, c in enumerate(communities):
        if i == len(communities) - 1:
            continue  # no group at all: shows up after the deadline
        set_up = deadline + dt.timedelta(days=12) if i == len(communities) - 2 else deadline - dt.timedelta(days=rng.randint(3, 25))
        head = _name(rng)
        services.group_save(user=office, kind="community", node=c, name=f"{c.name}无诈社区创建工作领导小组",
                            established_on=set_up, first_responsible=head, today=today,
                            members=[(head, "head", "社区党委书记"), (_name(rng), "deputy", "社区主任"),
                                     (_name(rng), "member", "网格长"), (_name(rng), "member", "社区民警")])
    for i, u in enumerate(departments):
        if i % 3 == 2:
            continue
        head = _name(rng)
        services.group_save(user=office, kind="department", node=street, unit=u, name=f"{u.name}无诈单位创建工作领导小组",
                            established_on=deadline - dt.timedelta(days=rng.randint(1, 20)), first_responsible=head,
                            today=today, members=[(head, "head", "部门负责人"), (_name(rng), "member", "联络员")])

    # 2. contact points
    leader, police = _user("leader"), _user("police")
    if leader and communities:
        for c in communities[:2]:
            services.contact_point_add(user=office, leader=leader, holder=Holder(community=c), kind="baobao",
                                       since=dt.date(year - 1, 11, 1))
        if dept_unit:
            services.contact_point_add(user=office, leader=leader, holder=Holder(unit=dept_unit), kind="guabang",
                                       since=dt.date(year - 1, 11, 1))
    if police and len(communities) > 2:
        services.contact_point_add(user=office, leader=police, holder=Holder(community=communities[2]), kind="baobao",
                                   since=dt.date(year - 1, 11, 1))

    # 3. plans: last year's example, this year's copy
    last, created = services.plan_load_example(user=office, street=street, year=year - 1)
    if created:
        _say(stdout, f"supervision: example plan added departments {', '.join(created)}")
    rows = list(Responsibility.objects.filter(measure__plan=last).select_related("measure"))
    _bulk_progress(rows, dt.date(year - 1, 12, 31), rng, done_share=1.0, user=office)
    this = services.plan_copy(user=office, plan=last, year=year, title=last.title)
    rows = list(Responsibility.objects.filter(measure__plan=this).select_related("measure"))
    _bulk_progress(rows, today, rng, done_share=0.55, user=office)
    holders = [Holder(community=c) for c in communities] + [Holder(unit=u) for u in departments]

    # 4. a year of meetings; decisions become tasks
    start = today - dt.timedelta(days=365)
    month = dt.date(start.year, start.month, 1)
    chairs = ["周建华", "林秀芳", "马强"]
    n_meetings = 0
    while month <= today:
        held = month.replace(day=min(10 + rng.randint(0, 8), 28))
        if start <= held <= today:
            kinds = [MeetingKind.SCHEDULING] + ([MeetingKind.JOINT] if month.month % 3 == 0 else []) + (
                [MeetingKind.TOPIC] if month.month in (3, 7, 11) else [])
            for kind in kinds:
                title = {MeetingKind.SCHEDULING: f"{held.month}月反诈工作调度会",
                         MeetingKind.JOINT: f"第{(held.month - 1) // 3 + 1}季度反诈联席会议",
                         MeetingKind.TOPIC: "养老诈骗防范宣传专题会"}[kind]
                m = services.meeting_record(
                    user=office, street=street, held_on=held, kind=kind, title=title, chair=rng.choice(chairs),
                    attendees="街道班子成员、派出所、各社区书记、各部门负责人", place="街道三楼会议室", today=today,
                    decisions=["各社区本月完成重点人群入户走访，补齐APP未安装人员名单",
                               "派出所对本月预警未按时签收的社区逐一通报",
                               "各部门月底前报送职工及家属APP安装情况"])
                n_meetings += 1
                for d in list(m.decisions.all())[:2]:
                    h = rng.choice(holders)
                    task = services.decision_to_task(user=office, decision=d, holders=[h],
                                                     deadline=held + dt.timedelta(days=rng.choice([10, 20, 30])))
                    if task.deadline < today - dt.timedelta(days=20) and rng.random() < 0.85:
                        _bulk_progress(list(task.responsibilities.select_related("measure")), today, rng, done_share=1.0,
                                       user=office)
        month = (month + dt.timedelta(days=32)).replace(day=1)

    # 5. supervision visits, findings, rectifications
    n_visits = n_rects = 0
    items = [i.text for i in services.checklist_for(street)]
    photo_seed = 0
    for k in range(24):
        visited = start + dt.timedelta(days=8 + k * 15)
        if visited > today:
            break
        h = holders[k % len(holders)] if k % 4 else Holder(community=communities[k % len(communities)])
        if k == 20 and dept_unit:
            h = Holder(unit=dept_unit)
        if k == 21 and community_user_node:
            h = Holder(community=Node.objects.get(pk=community_user_node))
        problem = k % 2 == 1 or k >= 19
        checks = [(t, CheckResult.PROBLEM if problem and j == k % len(items) else CheckResult.OK, "") for j, t in enumerate(items)]
        findings = []
        if problem:
            photo_seed += 1
            findings = [(f"{items[k % len(items)]}：检查时未能提供完整台账或影像资料", [_jpeg(photo_seed)])]
        v = services.visit_record(user=office, street=street, holder=h, visited_on=visited, visitors="郭敏、陈静（平安办）",
                                  checks=checks, summary="", findings=findings, today=today)
        n_visits += 1
        for f in v.findings.all():
            due = visited + dt.timedelta(days=15)
            r = services.rectification_issue(user=office, holder=h, problem=f.text, requirement="限期补齐台账和影像资料，"
                                             "整改情况附照片报领导小组办公室。", deadline=due, issued_on=visited, finding=f,
                                             today=today)
            n_rects += 1
            age = (today - due).days
            if k == 19:  # reported, waiting for the office
                photo_seed += 1
                services.rectification_submit(user=office, rectification=r, fix_note="已整改，见照片。",
                                              files=[_jpeg(photo_seed)], today=today)
            elif k == 17:  # reported and sent back
                photo_seed += 1
                services.rectification_submit(user=office, rectification=r, fix_note="已整改。", files=[_jpeg(photo_seed)],
                                              today=today)
                services.rectification_return(user=office, rectification=r, note="照片不能反映整改后的台账，请补充。")
            elif age > 60 and k not in (20, 21):  # old: fixed and accepted
                photo_seed += 1
                services.rectification_submit(user=office, rectification=r, fix_note="已补齐台账并归档。",
                                              files=[_jpeg(photo_seed)], today=min(today, due))
                services.rectification_accept(user=office, rectification=r, today=min(today, due + dt.timedelta(days=2)))
            # the rest stay open: overdue when their deadline has passed

    # 6. criticism
    if departments:
        services.criticism_record(user=office, holder=Holder(unit=departments[-1]), kind="criticism", issuer="county",
                                  issued_on=dt.date(year - 1, 12, 20), reason="宣传防范措施落实不到位，职工APP安装率未达标。",
                                  today=today)
    if communities:
        services.criticism_record(user=office, holder=Holder(community=communities[-1]), kind="order", issuer="street",
                                  issued_on=today - dt.timedelta(days=30), reason="逾期未成立领导小组。", today=today)
    _say(stdout, f"supervision: 2 plans, {n_meetings} meetings, {n_visits} visits, {n_rects} rectifications")


# --- county scale (benches) ------------------------------------------------------------------------


def load_county(county: Node, stdout=None, *, years: int = 5, today: dt.date | None = None) -> None:
    """Five years of plans, meetings and visits for every street of the county, in bulk."""
    today = today or timezone.localdate()
    rng = random.Random(1414)
    from fanzha.supervision import example_plan

    streets = list(Node.objects.filter(county=county, level=Level.STREET).order_by("sort", "code"))
    totals = {"plans": 0, "measures": 0, "responsibilities": 0, "meetings": 0, "visits": 0, "rectifications": 0}
    for street in streets:
        communities = list(Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code"))
        units = list(Unit.objects.filter(street=street, kind=UnitKind.STREET_DEPARTMENT).order_by("name"))
        holders = [Holder(community=c) for c in communities] + [Holder(unit=u) for u in units]
        if not holders:
            continue
        for y in range(today.year - years + 1, today.year + 1):
            plan = Plan(year=y, title=example_plan.TITLE, start_on=dt.date(y, 1, 1))
            plan.place_at(street)
            plan.save()
            totals["plans"] += 1
            measures = []
            for i, spec in enumerate(example_plan.MEASURES, start=1):
                m = Measure(plan=plan, number=i, title=spec["title"], content=spec["content"], start_on=plan.start_on,
                            deadline=dt.date(y, *spec.get("deadline", (12, 31))))
                m.place_at(street)
                measures.append(m)
            Measure.objects.bulk_create(measures)
            _bulk_holders(measures, holders, rng, today, y < today.year)
            totals["measures"] += len(measures)
            totals["responsibilities"] += len(measures) * len(holders)
        # five years of meetings (about 18 a year, 3 decisions each, 1 task) and visits (24 a year)
        start = dt.date(today.year - years + 1, 1, 1)
        days = (today - start).days
        meetings = []
        for _i in range(18 * years):
            held = start + dt.timedelta(days=rng.randint(0, days))
            m = Meeting(held_on=held, kind=rng.choice(MeetingKind.values), title=f"{held.month}月反诈工作调度会", chair="组长",
                        attendees="各社区、各部门")
            m.place_at(street)
            meetings.append(m)
        Meeting.objects.bulk_create(meetings)
        decisions = [Decision(meeting=m, number=n, text=f"议定事项{n}") for m in meetings for n in (1, 2, 3)]
        Decision.objects.bulk_create(decisions)
        tasks = []
        for d in decisions[::3]:
            m = Measure(kind=MeasureKind.TASK, decision=d, title=d.text, start_on=d.meeting.held_on,
                        deadline=d.meeting.held_on + dt.timedelta(days=20))
            m.place_at(street)
            tasks.append(m)
        Measure.objects.bulk_create(tasks)
        _bulk_holders(tasks, None, rng, today, True, pick=holders)
        visits, checks, rects = [], [], []
        for _i in range(24 * years):
            h = rng.choice(holders)
            v = Visit(visited_on=start + dt.timedelta(days=rng.randint(0, days)), visitors="平安办")
            h.place(v)
            visits.append(v)
        Visit.objects.bulk_create(visits)
        findings = []
        for v in visits:
            checks += [VisitCheck(visit=v, item=t, result=CheckResult.OK, sort=j) for j, t in enumerate(services.DEFAULT_CHECKLIST)]
            if rng.random() < 0.5:
                findings.append(Finding(visit=v, text="台账不全"))
        VisitCheck.objects.bulk_create(checks)
        Finding.objects.bulk_create(findings)
        for n, f in enumerate(findings, start=1):
            v = f.visit
            due = v.visited_on + dt.timedelta(days=15)
            r = Rectification(visit=v, finding=f, number=f"整改〔{v.visited_on.year}〕{n}号", problem=f.text,
                              requirement="限期整改", issued_on=v.visited_on, deadline=due)
            services.holder_of(v).place(r)
            if due < today - dt.timedelta(days=30) and rng.random() < 0.95:
                r.status, r.accepted_on, r.submitted_on, r.fix_note = RectificationStatus.ACCEPTED, due, due, "已整改"
            rects.append(r)
        Rectification.objects.bulk_create(rects)
        totals["meetings"] += len(meetings)
        totals["visits"] += len(visits)
        totals["rectifications"] += len(rects)
    _say(stdout, f"supervision (county): {totals}")


def _bulk_holders(measures, holders, rng, today, past: bool, *, pick=None) -> None:
    rows = []
    for m in measures:
        chosen = holders if holders is not None else [rng.choice(pick)]
        complete_all = True
        for j, h in enumerate(chosen):
            r = Responsibility(measure=m, is_lead=j == 0)
            h.place(r)
            done = m.deadline < today and (rng.random() < (0.97 if past else 0.6))
            if done:
                r.percent, r.completed_on, r.last_reported_on = 100, m.deadline, m.deadline
            else:
                complete_all = complete_all and False
                r.percent = rng.choice([0, 30, 60]) if m.start_on <= today else 0
            rows.append(r)
        if complete_all:
            m.completed_on = m.deadline
    Responsibility.objects.bulk_create(rows, batch_size=2000)
    Measure.objects.bulk_update([m for m in measures if m.completed_on], ["completed_on"], batch_size=2000)

