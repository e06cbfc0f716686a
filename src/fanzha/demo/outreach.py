"""A year of plausible outreach for the demo street and the county data set.

`build_outreach(root, months=12, seed=...)` writes, for every household,
resident, unit and community under `root`:

- home visits: about 1.8 a household a year, fewer in lagging communities
  (each community gets a diligence factor), by the grid's worker;
- anti-fraud app installs: likelier for working-age people than for the
  very old or young children, rising month by month with a push in the
  July–September campaign; a share installed before the year; call warning
  on for most installers, jinzhongzhao for about a third; many installs on
  the day of a visit to the household;
- staff installs by unit type (street departments nearly all), the same
  person's rows agreeing when a staff member is a resident;
- activities: 1–7 a community a month, a few for the street, and monthly
  ones for about 40% of the units;
- WeChat pushes: two or three a community a week, now and then fewer;
- school letters with receipts per class, twice a year per school;
- the install targets (seed 002's shape) on each street.

Everything is written in bulk (`fanzha.demo.rows.insert_objects`); the county
(450,000 residents) takes well under a minute. Fictitious throughout.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import json
import math
import random

from django.db import transaction
from django.utils import timezone

from fanzha.cases.fraud_types import FOCUS_TYPES, TEN_TYPES
from fanzha.demo.people import SURNAMES
from fanzha.demo.rows import Rows, insert_objects, say
from fanzha.org.counts import recount_grids
from fanzha.org.models import (
    Assignment,
    Household,
    Level,
    Node,
    Resident,
    Role,
    StaffMember,
    Unit,
    UnitKind,
)
from fanzha.outreach.models import (
    Activity,
    ActivityKind,
    Audience,
    HomeVisit,
    InstallStatus,
    InstallTarget,
    LetterReceipt,
    PersonKind,
    PushContent,
    SchoolLetter,
    TargetGroup,
    Venue,
    VisitAction,
    VisitYear,
    WeChatPush,
)

_GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 海燕 晓东 春梅 志强 国庆".split()

# (kind, weight, venues, audiences, participants range, materials range)
KINDS = [
    (ActivityKind.CONCENTRATED, 14, [Venue.PUBLIC_PLACE, Venue.COMMUNITY, Venue.RESIDENTIAL], [Audience.GENERAL, Audience.ELDERLY], (40, 300), (100, 600)),
    (ActivityKind.DOOR_TO_DOOR, 10, [Venue.FAMILY, Venue.RESIDENTIAL], [Audience.GENERAL, Audience.ELDERLY], (20, 120), (20, 150)),
    (ActivityKind.LECTURE, 8, [Venue.COMMUNITY, Venue.SCHOOL, Venue.ENTERPRISE], [Audience.ELDERLY, Audience.GENERAL], (25, 150), (30, 200)),
    (ActivityKind.POLICE_MEETING, 4, [Venue.COMMUNITY], [Audience.GENERAL], (15, 60), (20, 80)),
    (ActivityKind.RESIDENT_MEETING, 5, [Venue.COMMUNITY, Venue.RESIDENTIAL], [Audience.ELDERLY, Audience.GENERAL], (20, 80), (20, 100)),
    (ActivityKind.PERFORMANCE, 3, [Venue.PUBLIC_PLACE, Venue.COMMUNITY], [Audience.GENERAL], (80, 400), (100, 400)),
    (ActivityKind.QUIZ, 2, [Venue.SCHOOL, Venue.COMMUNITY], [Audience.STUDENTS, Audience.GENERAL], (30, 200), (30, 120)),
    (ActivityKind.FILM, 2, [Venue.COMMUNITY, Venue.PUBLIC_PLACE], [Audience.GENERAL], (30, 150), (0, 50)),
    (ActivityKind.PLEDGE, 2, [Venue.PUBLIC_PLACE], [Audience.GENERAL], (100, 800), (100, 500)),
    (ActivityKind.LED, 4, [Venue.PUBLIC_PLACE, Venue.RESIDENTIAL], [Audience.GENERAL], (0, 0), (0, 0)),
    (ActivityKind.LOUDSPEAKER, 4, [Venue.RESIDENTIAL, Venue.PUBLIC_PLACE], [Audience.GENERAL, Audience.ELDERLY], (0, 0), (0, 0)),
    (ActivityKind.BANNER, 5, [Venue.RESIDENTIAL, Venue.PUBLIC_PLACE], [Audience.GENERAL], (0, 0), (0, 30)),
    (ActivityKind.LEAFLET, 8, [Venue.PUBLIC_PLACE, Venue.RESIDENTIAL, Venue.COMMUNITY], [Audience.GENERAL, Audience.FLOATING], (30, 200), (150, 800)),
    (ActivityKind.SMS, 2, [Venue.ONLINE], [Audience.GENERAL], (0, 0), (0, 0)),
    (ActivityKind.ONLINE, 3, [Venue.ONLINE], [Audience.GENERAL], (0, 0), (0, 0)),
]
_KIND_CUM = list(itertools.accumulate(k[1] for k in KINDS))
UNIT_KINDS = [
    (ActivityKind.LECTURE, 5, (10, 60), (10, 60)),
    (ActivityKind.TRAINING, 4, (8, 40), (8, 40)),
    (ActivityKind.LEAFLET, 3, (20, 120), (50, 300)),
    (ActivityKind.LED, 2, (0, 0), (0, 0)),
    (ActivityKind.BANNER, 2, (0, 0), (0, 20)),
]
_UNIT_KIND_CUM = list(itertools.accumulate(k[1] for k in UNIT_KINDS))
UNIT_VENUE = {UnitKind.SCHOOL: Venue.SCHOOL, UnitKind.STREET_DEPARTMENT: Venue.GOVERNMENT, UnitKind.GOVERNMENT: Venue.GOVERNMENT}
PLACES = ("党群服务中心", "社区广场", "文化活动室", "农贸市场门口", "小区中心花园", "老年活动中心", "社区警务室", "超市门口", "公交站旁")
FRAUD_POOL = [t.value for t in TEN_TYPES] * 3 + [t.value for t in FOCUS_TYPES]
SUMMARIES = ("结合身边典型案例以案释法，讲解刷单返利、虚假投资理财等高发诈骗手法，现场指导群众下载国家反诈中心APP并开通来电预警。",
             "向过往群众发放防骗宣传折页，提醒“不轻信、不透露、不转账”，解答群众咨询。",
             "组织辖区老年人观看反诈短片，讲解养老诈骗、保健品骗局的识别方法，叮嘱涉及转账汇款先告知家人。",
             "利用小喇叭、电子屏滚动播放反诈宣传语，营造全民反诈氛围。")
PUSH_TITLES = ("【反诈提醒】刷单返利都是诈骗", "警惕冒充客服退款诈骗", "国家反诈中心APP安装指南", "养老诈骗常见手法",
               "冒充公检法诈骗识别要点", "网络投资理财高收益陷阱", "注销校园贷影响征信是骗局", "陌生来电多核实，转账汇款需谨慎",
               "金钟罩开通方法", "警惕“虚假征信”诈骗", "婚恋交友诱导投资的套路", "游戏装备交易防骗")


def _month_starts(today: dt.date, months: int) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    y, m = first.year, first.month
    for _ in range(months):
        out.append(dt.date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


class Calendar:
    """Random days in the year before today, weighted by month (rising, campaign July–September)."""

    def __init__(self, rng: random.Random, today: dt.date, months: int):
        self.rng = rng
        self.today = today
        self.starts = _month_starts(today, months)
        self.start = self.starts[0]
        weights = []
        for i, s in enumerate(self.starts):
            w = 1.0 + 0.12 * i
            if s.month in (7, 8, 9):
                w *= 1.7
            weights.append(w)
        self.cum = list(itertools.accumulate(weights))

    def day(self, weighted: bool = True) -> dt.date:
        rng = self.rng
        if weighted:
            i = bisect.bisect(self.cum, rng.random() * self.cum[-1])
        else:
            i = rng.randrange(len(self.starts))
        s = self.starts[i]
        nxt = self.starts[i + 1] if i + 1 < len(self.starts) else self.today + dt.timedelta(days=1)
        span = (nxt - s).days
        d = s + dt.timedelta(days=rng.randrange(max(1, span)))
        if d.weekday() == 6 and rng.random() < 0.6:  # fewer visits on Sundays
            d -= dt.timedelta(days=1)
        return min(max(d, self.start), self.today)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES[:60]) + rng.choice(_GIVEN)


def _placed(row: dict) -> dict:
    return {f"{f}_id": row[f"{f}_id"] for f in ("county", "street", "community", "grid", "group")}


PLACE_COLS = ("county_id", "street_id", "community_id", "grid_id", "group_id")


@transaction.atomic
def build_outreach(root: Node, months: int = 12, seed: int = 2026, *, today: dt.date | None = None,
                   stdout=None, with_files: bool = False) -> dict:
    """A year of outreach under `root` (see the module doc); returns the row counts."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    cal = Calendar(rng, today, months)
    col = f"{root.level}_id"
    counts = dict.fromkeys(("visits", "installs", "staff_installs", "activities", "pushes", "letters", "targets"), 0)

    communities = list(Node.objects.filter(**{col: root.id}, level=Level.COMMUNITY).values("id", "name", *PLACE_COLS))
    diligence = {c["id"]: rng.choice((0.55, 0.7, 0.85, 0.95, 1.0, 1.05, 1.1)) for c in communities}
    grid_worker: dict[int, tuple[int | None, str]] = {}
    for a in (Assignment.objects.filter(role=Role.GRID_WORKER, node__level=Level.GRID, **{f"node__{col}": root.id})
              .select_related("user").order_by("id")):
        grid_worker.setdefault(a.node_id, (a.user_id, a.user.display_name or a.user.username))

    def worker_of(grid_id: int) -> tuple[int | None, str]:
        if grid_id not in grid_worker:
            grid_worker[grid_id] = (None, _name(rng))
        return grid_worker[grid_id]

    # 1. Home visits.
    new_visit = Rows(HomeVisit)
    visit_days: dict[int, list[dt.date]] = {}
    batch = []
    households = Household.objects.filter(**{col: root.id}).order_by("id").values_list("id", *PLACE_COLS)
    for hid, county, street, community, grid, group in households.iterator(chunk_size=20000):
        d = diligence.get(community, 0.9)
        lam = 1.8 * d
        n = _poisson(rng, lam)
        if n == 0:
            continue
        user_id, who = worker_of(grid) if grid else (None, _name(rng))
        days = sorted(cal.day() for _ in range(n))
        visit_days[hid] = days
        for day in days:
            acts = [VisitAction.EXPLAINED, VisitAction.MATERIALS]
            if rng.random() < 0.3:
                acts.append(VisitAction.POSTER)
            if rng.random() < 0.1:
                acts.append(VisitAction.PLEDGE)
            batch.append(new_visit(household_id=hid, visited_on=day, visitors=who, actions=json.dumps(acts),
                                   materials=rng.randint(1, 3), recorded_by_id=user_id, county_id=county, street_id=street,
                                   community_id=community, grid_id=grid, group_id=group))
        if len(batch) >= 20000:
            insert_objects(batch)
            counts["visits"] += len(batch)
            batch = []
    insert_objects(batch)
    counts["visits"] += len(batch)
    # Each household's first and last visit per year, as home_visit_record keeps them.
    new_year = Rows(VisitYear)
    batch = []
    for hid, county, street, community, grid, group in households.iterator(chunk_size=20000):
        by_year: dict[int, list[dt.date]] = {}
        for day in visit_days.get(hid, ()):
            by_year.setdefault(day.year, []).append(day)
        for year, days in by_year.items():
            batch.append(new_year(household_id=hid, year=year, first_visited_on=min(days), last_visited_on=max(days),
                                  visits=len(days), county_id=county, street_id=street, community_id=community,
                                  grid_id=grid, group_id=group))
        if len(batch) >= 20000:
            insert_objects(batch)
            batch = []
    insert_objects(batch)
    say(stdout, f"  outreach: {counts['visits']} home visits")

    # 2. Residents' installs.
    new_install = Rows(InstallStatus)
    status_of: dict[int, tuple] = {}
    batch = []
    early_start = dt.date(max(2021, cal.start.year - 3), 6, 1)
    early_days = max(1, (cal.start - early_start).days)
    residents = (Resident.objects.filter(**{col: root.id}).order_by("id")
                 .values_list("id", "household_id", "birth_date", "is_student", "residency", *PLACE_COLS))
    for rid, hid, birth, student, residency, county, street, community, grid, group in residents.iterator(chunk_size=20000):
        age = (today - birth).days // 365 if birth else 40
        p = 0.04 if age < 12 else 0.55 if age < 18 else 0.8 if age < 60 else 0.6 if age < 75 else 0.3
        if residency != "permanent":
            p *= 0.8
        p *= diligence.get(community, 0.9)
        if rng.random() >= p:
            continue
        r = rng.random()
        if r < 0.22:
            on = early_start + dt.timedelta(days=rng.randrange(early_days))
        elif r < 0.7 and visit_days.get(hid):
            on = rng.choice(visit_days[hid])
        else:
            on = cal.day()
        who = worker_of(grid)[1] if grid else _name(rng)
        cw = on + dt.timedelta(days=rng.choice((0, 0, 0, 0, 3, 20))) if rng.random() < 0.72 else None
        jz = on + dt.timedelta(days=rng.randrange(0, 60)) if rng.random() < 0.35 else None
        cw = cw if cw and cw <= today else None
        jz = jz if jz and jz <= today else None
        status_of[rid] = (on, who, cw, jz)
        batch.append(new_install(kind=PersonKind.RESIDENT, resident_id=rid, app_installed_on=on, app_verifier=who,
                                 call_warning_on=cw, call_warning_verifier=who if cw else "",
                                 jinzhongzhao_on=jz, jinzhongzhao_verifier=who if jz else "",
                                 county_id=county, street_id=street, community_id=community, grid_id=grid, group_id=group))
        if len(batch) >= 20000:
            insert_objects(batch)
            counts["installs"] += len(batch)
            batch = []
    insert_objects(batch)
    counts["installs"] += len(batch)
    say(stdout, f"  outreach: {counts['installs']} residents with the anti-fraud app")

    # 3. Staff installs (a staff member who is a resident shares the resident's dates).
    share = {UnitKind.STREET_DEPARTMENT: 0.97, UnitKind.GOVERNMENT: 0.93, UnitKind.SCHOOL: 0.88, UnitKind.BANK: 0.9,
             UnitKind.HOSPITAL: 0.8, UnitKind.HOTEL: 0.6, UnitKind.COMPANY: 0.58, UnitKind.INDUSTRY: 0.7, UnitKind.OTHER: 0.5}
    batch, linked_updates = [], []
    staff = (StaffMember.objects.filter(**{col: root.id}).order_by("id")
             .values_list("id", "resident_id", "unit__kind", *PLACE_COLS))
    for sid, rid, kind, county, street, community, grid, group in staff.iterator(chunk_size=20000):
        st = status_of.get(rid) if rid else None
        if st is None:
            if rng.random() >= share.get(kind, 0.6):
                continue
            on = cal.day() if rng.random() < 0.7 else early_start + dt.timedelta(days=rng.randrange(early_days))
            st = (on, "单位联络员", on if rng.random() < 0.8 else None, on if rng.random() < 0.4 else None)
            if rid:
                linked_updates.append((rid, st))
        on, who, cw, jz = st
        batch.append(new_install(kind=PersonKind.STAFF, staff_id=sid, app_installed_on=on, app_verifier=who,
                                 call_warning_on=cw, call_warning_verifier=who if cw else "",
                                 jinzhongzhao_on=jz, jinzhongzhao_verifier=who if jz else "",
                                 county_id=county, street_id=street, community_id=community, grid_id=grid, group_id=group))
    insert_objects(batch)
    counts["staff_installs"] = len(batch)
    if linked_updates:  # residents who installed at work
        placed = {r["id"]: r for r in Resident.objects.filter(pk__in=[r for r, _s in linked_updates]).values("id", *PLACE_COLS)}
        rows = []
        for rid, (on, who, cw, jz) in linked_updates:
            if rid in placed and rid not in status_of:
                status_of[rid] = (on, who, cw, jz)
                rows.append(new_install(kind=PersonKind.RESIDENT, resident_id=rid, app_installed_on=on, app_verifier=who,
                                        call_warning_on=cw, call_warning_verifier=who if cw else "",
                                        jinzhongzhao_on=jz, jinzhongzhao_verifier=who if jz else "", **_placed(placed[rid])))
        insert_objects(rows)
        counts["installs"] += len(rows)
    say(stdout, f"  outreach: {counts['staff_installs']} staff with the anti-fraud app")

    # 4. Activities of communities, streets and units.
    new_activity = Rows(Activity)
    batch = []
    streets = list(Node.objects.filter(**{col: root.id}, level=Level.STREET).values("id", "name", *PLACE_COLS))
    if root.level == Level.COMMUNITY:
        streets = []
    for month in cal.starts:
        last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        last = min(last, today)
        span = (last - month).days + 1
        for c in communities:
            for _ in range(1 + _poisson(rng, 3.2 * diligence[c["id"]])):
                batch.append(_community_activity(rng, new_activity, c, month + dt.timedelta(days=rng.randrange(span))))
        for s in streets:
            for _ in range(2):
                a = _community_activity(rng, new_activity, s, month + dt.timedelta(days=rng.randrange(span)))
                a.organiser = f"{s['name']}平安办、派出所"
                batch.append(a)
    units = list(Unit.objects.filter(**{col: root.id}).values("id", "name", "kind", "node_id", *PLACE_COLS))
    for month in cal.starts:
        last = min((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1), today)
        span = (last - month).days + 1
        for u in units:
            if rng.random() < 0.4:
                kind, _w, part, mat = UNIT_KINDS[bisect.bisect(_UNIT_KIND_CUM, rng.random() * _UNIT_KIND_CUM[-1])]
                batch.append(new_activity(
                    node_id=u["node_id"], unit_id=u["id"], held_on=month + dt.timedelta(days=rng.randrange(span)),
                    place=u["name"], organiser=u["name"], kind=kind, venue=UNIT_VENUE.get(u["kind"], Venue.ENTERPRISE),
                    audiences=json.dumps([Audience.UNIT_STAFF] + ([Audience.SERVICE_USERS] if rng.random() < 0.4 else [])),
                    participants=rng.randint(*part), materials=rng.randint(*mat),
                    fraud_types=json.dumps(rng.sample(FRAUD_POOL[:10], 2)),
                    summary="组织职工学习防范电信网络诈骗知识，提醒财务人员严格落实转账审批制度。", **_placed(u)))
        if len(batch) >= 20000:
            insert_objects(batch)
            counts["activities"] += len(batch)
            batch = []
    insert_objects(batch)
    counts["activities"] += len(batch)
    say(stdout, f"  outreach: {counts['activities']} activities")

    # 5. WeChat pushes, two or three a week per community (lagging ones sometimes fewer).
    new_push = Rows(WeChatPush)
    batch = []
    monday = cal.start - dt.timedelta(days=cal.start.weekday())
    for c in communities:
        short = c["name"][:-2] if c["name"].endswith("社区") else c["name"][:-1]
        groups = (f"{c['name']}居民群", f"{short}网格群", f"平安{short}群")
        w = monday
        while w <= today:
            d = diligence[c["id"]]
            n = rng.choice((2, 2, 3, 3, 4)) if rng.random() < d else rng.choice((0, 1, 1, 2))
            for day in sorted(rng.sample(range(7), min(n, 7))):
                on = w + dt.timedelta(days=day)
                if cal.start <= on <= today:
                    batch.append(new_push(node_id=c["id"], group_name=rng.choice(groups), pushed_on=on,
                                          title=rng.choice(PUSH_TITLES), content_kind=rng.choice(PushContent.values),
                                          **_placed(c)))
            w += dt.timedelta(days=7)
    insert_objects(batch)
    counts["pushes"] = len(batch)

    # 6. School letters, twice a year, with receipts per class.
    schools = [u for u in units if u["kind"] == UnitKind.SCHOOL]
    letters, receipts = [], []
    for u in schools:
        for month in (3, 9):
            sent = dt.date(today.year if dt.date(today.year, month, 10) <= today else today.year - 1, month, 10)
            if sent < cal.start:
                continue
            letter = SchoolLetter(unit_id=u["id"], title=f"{u['name']}致家长的一封信——防范电信网络诈骗", sent_on=sent, **_placed(u))
            letters.append(letter)
    SchoolLetter.objects.bulk_create(letters)
    for letter in letters:
        for grade in range(1, 7):
            for k in range(1, rng.randint(2, 4)):
                n = rng.randint(38, 48)
                receipts.append(LetterReceipt(letter=letter, class_name=f"{grade}年级{k}班", letters_sent=n,
                                              receipts_returned=n - min(n, int(abs(rng.gauss(0, 3))))))
    LetterReceipt.objects.bulk_create(receipts, batch_size=5000)
    counts["letters"] = len(letters)

    # 7. Install targets on each street (or the root).
    target_nodes = streets or [{"id": root.id}]
    y = today.year
    rows = [(TargetGroup.RESIDENTS, 30, dt.date(y - 1, 12, 31), "辖区群众安装率达30%以上"),
            (TargetGroup.RESIDENTS, 60, dt.date(y, 6, 30), "上半年达60%"),
            (TargetGroup.RESIDENTS, 80, dt.date(y, 12, 31), "年底达80%"),
            (TargetGroup.STREET_STAFF, 100, dt.date(y, 12, 31), "全街道干部职工安装率达100%"),
            (TargetGroup.INDUSTRY_STAFF, 60, dt.date(y, 12, 31), "行业单位人员安装率达60%以上"),
            (TargetGroup.ALL, 95, dt.date(y + 1, 12, 31), "全街道安装率整体达95%以上")]
    # The departments' campaign of this year (30/60/100% by July/August/September: some departments miss it)
    rows += [(TargetGroup.DEPARTMENTS, 30, dt.date(y, 7, 31), "7月底前完成30%"),
             (TargetGroup.DEPARTMENTS, 60, dt.date(y, 8, 31), "8月底前完成60%"),
             (TargetGroup.DEPARTMENTS, 100, dt.date(y, 9, 30), "9月底前完成100%")]
    targets = [InstallTarget(node_id=n["id"], group=g, rate=r, deadline=d, note=note)
               for n in target_nodes for g, r, d, note in rows]
    # The 2021–2024 plan entered afterwards for history (flagged historical, seed 002's figures).
    history = [(TargetGroup.STREET_STAFF, 100, dt.date(2021, 12, 31), "2021年底全街道干部职工安装率达100%"),
               (TargetGroup.INDUSTRY_STAFF, 60, dt.date(2021, 12, 31), "2021年底行业人员安装率达60%以上"),
               (TargetGroup.RESIDENTS, 30, dt.date(2021, 12, 31), "2021年底群众安装率达30%以上"),
               (TargetGroup.ALL, 55, dt.date(2022, 12, 31), "安装率逐年上升（年度目标）"),
               (TargetGroup.ALL, 75, dt.date(2023, 12, 31), "安装率逐年上升（年度目标）"),
               (TargetGroup.ALL, 95, dt.date(2024, 12, 31), "2024年底全街道安装率整体达95%以上")]
    targets += [InstallTarget(node_id=n["id"], group=g, rate=r, deadline=d, note=note, historical=True)
                for n in target_nodes for g, r, d, note in history if d.year < y]
    InstallTarget.objects.bulk_create(targets, ignore_conflicts=True)
    counts["targets"] = len(targets)
    if with_files:
        counts["evidence"] = _demo_evidence(rng, root, today)
    # A bulk write: the installs and this year's visits kept per node (org.counts), before it commits.
    recount_grids([root.id])
    say(stdout, f"  outreach: {counts}")
    return counts


def _community_activity(rng, new_activity, c: dict, day: dt.date):
    kind, _w, venues, audiences, part, mat = KINDS[bisect.bisect(_KIND_CUM, rng.random() * _KIND_CUM[-1])]
    place = c["name"] + rng.choice(PLACES) if kind not in (ActivityKind.SMS, ActivityKind.ONLINE) else c["name"] + "微信公众号"
    return new_activity(
        node_id=c["id"], held_on=day, place=place, organiser=c["name"] + rng.choice(("居委会", "网格站", "", "党支部")),
        kind=kind, venue=rng.choice(venues), audiences=json.dumps(list(dict.fromkeys(rng.sample(audiences, 1) + [Audience.GENERAL]))),
        participants=rng.randint(*part), materials=rng.randint(*mat),
        fraud_types=json.dumps(list(dict.fromkeys(rng.sample(FRAUD_POOL, rng.randint(2, 4))))),
        summary=rng.choice(SUMMARIES), **_placed(c))


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; lam is small here."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _demo_evidence(rng: random.Random, root: Node, today: dt.date) -> int:
    """Drawn photos (with an EXIF time) for the latest activities, so the demo shows evidence."""
    from PIL import Image, ImageDraw

    from fanzha.outreach import evidence as ev
    from fanzha.outreach.services import _attach

    made = 0
    written: list[str] = []
    for a in Activity.objects.filter(**{f"{root.level}_id": root.id}, unit__isnull=True).order_by("-held_on", "-id")[:24]:
        im = Image.new("RGB", (800, 600), (rng.randint(150, 230), rng.randint(150, 230), rng.randint(180, 240)))
        draw = ImageDraw.Draw(im)
        draw.rectangle((60, 60, 740, 160), fill=(179, 38, 30))
        for _ in range(14):
            x, y = rng.randint(40, 760), rng.randint(250, 560)
            draw.ellipse((x - 18, y - 18, x + 18, y + 18), fill=(rng.randint(40, 120),) * 3)
            draw.rectangle((x - 16, y + 18, x + 16, y + 70), fill=(rng.randint(30, 200), 80, 120))
        exif = Image.Exif()
        exif.get_ifd(ev.EXIF_IFD)[ev.TAG_DATETIME_ORIGINAL] = f"{a.held_on:%Y:%m:%d} {rng.randint(9, 17):02d}:{rng.randint(0, 59):02d}:00"
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=80, exif=exif.tobytes())
        buf.seek(0)
        buf.name = f"IMG_{a.held_on:%Y%m%d}_{a.pk}.jpg"
        prepared = [ev.prepare(buf, name=buf.name)]
        _attach(prepared, user=None, activity=a, written=written)
        made += 1
    return made


def load_demo(street: Node, stdout=None) -> None:
    """Demo street: a year of outreach, with drawn photos on the latest activities."""
    build_outreach(street, stdout=stdout, with_files=True)


def load_county(county: Node, stdout=None) -> None:
    """County data set: a year of outreach for 450,000 residents."""
    build_outreach(county, stdout=stdout)
