"""Risk demo data for the demo street and the county data set.

Key persons (a few overdue, one closed with a reason, one not on the roster yet, one found in a
sweep), premises of every kind with a year of checks (a few findings still open, one den cleared
later), monthly screenings (one community missing last month, one filed late) and a year of
Wednesday sweeps per community (a few missed weeks, one held on a Thursday, one grid never swept).
Written in batches with bulk_create; review dates follow the same arithmetic as the services.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fanzha.core import pii
from fanzha.core.idnumbers import make_id_number
from fanzha.org.models import Level, Node, Resident, User
from fanzha.risk.models import (
    DEFAULT_INTERVAL_DAYS,
    Category,
    FileStatus,
    Finding,
    FollowUp,
    FollowUpMethod,
    KeyPerson,
    KeyPersonCategory,
    PersonState,
    Premises,
    PremisesCheck,
    PremisesKind,
    Screening,
    Sweep,
    SweepGrid,
    SweepPerson,
    month_end,
)
from fanzha.risk.services.key_persons import PersonData, key_person_open
from fanzha.risk.services.premises import tallies_rebuild

WATCH = ["夜间外出频繁，注意是否有陌生人来访", "近期更换手机号，留意是否再次出租出售银行卡", "与境外人员有联系，留意出境动向",
         "家属反映其常在网吧过夜", "无固定工作但消费较高"]
DETAIL = ["2023年因帮助信息网络犯罪活动罪被判处有期徒刑一年，已刑满释放。", "2024年出售本人银行卡3张，被公安机关训诫。",
          "2025年欲经云南出境，被边境检查站拦截劝返。", "曾滞留缅北某园区，2025年回流，已做笔录。", "多次在网吧被发现操作多部手机。"]
KIND_WEIGHTS = [(PremisesKind.RENTED_ROOM, 40), (PremisesKind.HOTEL, 8), (PremisesKind.VACANT_HOUSE, 15),
                (PremisesKind.ABANDONED, 4), (PremisesKind.OFFICE, 18), (PremisesKind.INTERNET_CAFE, 5),
                (PremisesKind.EXPRESS, 6), (PremisesKind.OTHER, 4)]
KIND_NAMES = {PremisesKind.RENTED_ROOM: "出租屋", PremisesKind.HOTEL: "宾馆", PremisesKind.VACANT_HOUSE: "空置房",
              PremisesKind.ABANDONED: "闲置厂房", PremisesKind.OFFICE: "科技有限公司", PremisesKind.INTERNET_CAFE: "网咖",
              PremisesKind.EXPRESS: "快递驿站", PremisesKind.OTHER: "门店"}


def _say(stdout, msg):
    if stdout is not None:
        stdout.write(msg)


def _sample_residents(root: Node, n: int, rng: random.Random) -> list[Resident]:
    ids = list(Resident.objects.filter(**{f"{root.level}_id": root.id}).values_list("id", flat=True))
    return list(Resident.objects.filter(pk__in=rng.sample(ids, min(n, len(ids)))).select_related("household"))


def build(root: Node, *, today: dt.date, key_persons: int, premises_per_grid: float, seed: int = 12,
          officer: User | None = None, worker: User | None = None, stdout=None) -> dict:
    rng = random.Random(seed)
    grids = list(Node.objects.filter(**{f"{root.level}_id": root.id}, level=Level.GRID).order_by("id"))
    communities = list(Node.objects.filter(**{f"{root.level}_id": root.id}, level=Level.COMMUNITY).order_by("id"))
    grids_of: dict[int, list[Node]] = {}
    for g in grids:
        grids_of.setdefault(g.community_id, []).append(g)
    year_ago = today - dt.timedelta(days=365)
    numbers = pii.Encoder()

    # --- key persons ---
    residents = _sample_residents(root, key_persons, rng)
    cats = Category.values
    people, plans = [], []
    for i, r in enumerate(residents):
        opened = year_ago + dt.timedelta(days=rng.randrange(0, 330))
        chosen = rng.sample(cats, 1 if rng.random() < 0.8 else 2)
        p = KeyPerson(resident=r, name=r.name, address=r.household.address, status=FileStatus.OPEN, opened_on=opened,
                      watch_for=rng.choice(WATCH), detail=rng.choice(DETAIL), officer=officer, community_worker=worker,
                      id_number_enc=r.id_number_enc, id_number_hash=r.id_number_hash, id_number_masked=r.id_number_masked,
                      phone_enc=r.phone_enc, phone_hash=r.phone_hash, phone_masked=r.phone_masked)
        p.place_like(r)
        # Follow-ups every interval or so; about one file in eight falls behind (overdue).
        behind = rng.random() < 0.125
        step = min(DEFAULT_INTERVAL_DAYS[Category(c)] for c in chosen)
        dates, d = [], opened + dt.timedelta(days=rng.randrange(3, step))
        limit = today - dt.timedelta(days=step + rng.randrange(5, 40)) if behind else today
        while d <= limit:
            dates.append(d)
            d += dt.timedelta(days=step - rng.randrange(0, 5))
        last = dates[-1] if dates else None
        base = last or opened
        reviews = {c: base + dt.timedelta(days=DEFAULT_INTERVAL_DAYS[Category(c)]) for c in chosen}
        p.last_follow_up_on = last
        p.next_review_on = min(reviews.values())
        if i == 0:  # closed with a reason
            p.status, p.closed_on, p.close_reason, p.next_review_on = FileStatus.CLOSED, today - dt.timedelta(days=20), \
                "经帮教教育表现稳定，已找到固定工作，连续六个月无异常，经研判销档。", None
        people.append(p)
        plans.append((reviews, dates))
    # One person not on the roster yet (name + ID number only).
    if communities:
        c = communities[-1]
        idn = make_id_number("532501", dt.date(1996, 4, 18), 731)
        p = KeyPerson(name="岩某（未登记）", status=FileStatus.OPEN, opened_on=today - dt.timedelta(days=40),
                      watch_for="回流人员，暂住亲戚家，尚未在花名册登记", detail="自缅北回流，2026年由县反诈中心推送。",
                      **numbers.columns("id_number", idn),
                      officer=officer, community_worker=worker)
        p.place_at(c)
        p.next_review_on = p.opened_on + dt.timedelta(days=DEFAULT_INTERVAL_DAYS[Category.RETURNEE])
        people.append(p)
        plans.append(({Category.RETURNEE: p.next_review_on}, []))
    KeyPerson.objects.bulk_create(people, batch_size=500)
    KeyPersonCategory.objects.bulk_create([KeyPersonCategory(person=p, category=c, next_review_on=on)
                                           for p, (reviews, _d) in zip(people, plans) for c, on in reviews.items()],
                                          batch_size=2000)
    follow_ups = [FollowUp(person=p, on=d, by=officer, method=rng.choice(FollowUpMethod.values),
                           county_id=p.county_id, street_id=p.street_id, community_id=p.community_id, grid_id=p.grid_id,
                           group_id=p.group_id,
                           content=rng.choice(["谈话教育，告知法律后果，本人表示不再参与", "电话回访，了解近期工作和生活情况",
                                               "上门走访，与家属沟通，家属承诺配合监督", "约谈至派出所，签订承诺书"]),
                           state=rng.choice([PersonState.STABLE] * 4 + [PersonState.IMPROVING, PersonState.WATCH]))
                  for p, (_r, dates) in zip(people, plans) for d in dates]
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
    _say(stdout, f"  risk: {len(people)} key persons, {len(follow_ups)} follow-ups")

    # --- premises and a year of checks ---
    kinds = [k for k, w in KIND_WEIGHTS for _ in range(w)]
    premises = []
    for g in grids:
        n = int(premises_per_grid) + (1 if rng.random() < premises_per_grid % 1 else 0)
        for j in range(n):
            kind = rng.choice(kinds)
            building = f"{g.name[:4]}大厦" if kind == PremisesKind.OFFICE else ""
            p = Premises(name=f"{g.name[:4]}{KIND_NAMES[kind]}{j + 1}号", kind=kind, building=building,
                         address=f"{g.name[:4]}路{rng.randrange(1, 300)}号{j + 1}室", manager_name=rng.choice("王李张刘陈杨赵黄周吴") + "某")
            phone = f"13{rng.randrange(0, 10)}{rng.randrange(10**7, 10**8)}"
            p.manager_phone_enc, p.manager_phone_hash, p.manager_phone_masked = numbers.phone(phone)
            p.place_at(g)
            premises.append(p)
    Premises.objects.bulk_create(premises, batch_size=2000)
    checks = []
    for p in premises:
        every = rng.choice([30, 60, 90, 120])
        d = year_ago + dt.timedelta(days=rng.randrange(0, every))
        while d <= today:
            finding = Finding.NONE
            roll = rng.random()
            if roll < 0.01:
                finding = Finding.UNREGISTERED
            elif roll < 0.013:
                finding = Finding.TWO_CARD
            elif roll < 0.0145:
                finding = Finding.DEN
            c = PremisesCheck(premises=p, checked_on=d, team="社区网格员、派出所民警", items="登记情况、人员情况、有无大量手机电脑",
                              finding=finding, finding_note="" if finding == Finding.NONE else "发现异常，已通报派出所",
                              action_taken="" if finding == Finding.NONE else "责令整改并登记", checked_by=worker)
            c.place_like(p)
            checks.append(c)
            d += dt.timedelta(days=every + rng.randrange(-5, 6))
    PremisesCheck.objects.bulk_create(checks, batch_size=2000)
    # Each premises takes the finding of its latest check.
    latest: dict[int, PremisesCheck] = {}
    for c in checks:
        if c.premises_id not in latest or (c.checked_on, c.id) > (latest[c.premises_id].checked_on, latest[c.premises_id].id):
            latest[c.premises_id] = c
    by_id = {p.id: p for p in premises}
    changed = []
    for pid, c in latest.items():
        p = by_id[pid]
        p.last_checked_on = c.checked_on
        if c.finding != Finding.NONE:
            p.open_finding, p.open_finding_since = c.finding, c.checked_on
        changed.append(p)
    # Awkward: one den still open, found three weeks ago.
    if premises:
        den = premises[len(premises) // 2]
        c = PremisesCheck(premises=den, checked_on=today - dt.timedelta(days=21), team="派出所、社区联合检查",
                          items="房内有多部手机、电脑和银行卡", finding=Finding.DEN, finding_note="疑似电诈窝点，人员已控制",
                          action_taken="移交派出所", checked_by=officer)
        c.place_like(den)
        c.save()
        den.open_finding, den.open_finding_since, den.last_checked_on = Finding.DEN, c.checked_on, c.checked_on
        if den not in changed:
            changed.append(den)
    Premises.objects.bulk_update(changed, ["last_checked_on", "open_finding", "open_finding_since"], batch_size=2000)
    _say(stdout, f"  risk: {len(premises)} premises, {len(checks)} checks")

    # --- a year of Wednesday sweeps per community ---
    last_wed = today - dt.timedelta(days=(today.weekday() - 2) % 7)
    weds = [last_wed - dt.timedelta(weeks=i) for i in range(52)]
    never = grids[-1].id if grids else None  # a grid nobody sweeps
    pool = {c.id: [] for c in communities}
    for r in Resident.objects.filter(**{f"{root.level}_id": root.id}, residency__in=["floating", "temporary"]) \
            .values_list("id", "community_id", "grid_id", "name", "id_number_enc", "id_number_hash", "id_number_masked")[:20000]:
        if r[1] in pool:
            pool[r[1]].append(r)
    sweeps, sweep_grids, person_rows = [], [], []
    for ci, c in enumerate(communities):
        cgrids = [g for g in grids_of.get(c.id, []) if g.id != never]
        if not cgrids:
            continue
        for wi, w in enumerate(weds):
            if rng.random() < 0.08:  # a missed week
                continue
            held = w + dt.timedelta(days=1) if (ci == 0 and wi == 3) else w  # one held on a Thursday
            covered = rng.sample(cgrids, min(len(cgrids), rng.randint(1, 3)))
            s = Sweep(held_on=held, off_window=held.weekday() != 2, volunteer_count=rng.randint(0, 6),
                      volunteer_names="", note="", created_by=worker)
            s.place_at(c if len(covered) > 1 else covered[0])
            sweeps.append((s, covered))
    Sweep.objects.bulk_create([s for s, _g in sweeps], batch_size=2000)
    for s, covered in sweeps:
        for g in covered:
            row = SweepGrid(sweep=s, held_on=s.held_on)
            row.place_at(g)
            sweep_grids.append(row)
        candidates = pool.get(s.community_id or covered[0].community_id, [])
        for r in rng.sample(candidates, min(len(candidates), rng.randint(2, 6))):
            flag = rng.random() < 0.04
            sp = SweepPerson(sweep=s, held_on=s.held_on, resident_id=r[0], name=r[3], id_number_enc=r[4], id_number_hash=r[5],
                             id_number_masked=r[6], no_regular_job=flag, frequent_moves=flag and rng.random() < 0.5,
                             checked_by=worker)
            sp.county_id, sp.street_id, sp.community_id, sp.grid_id = root.county_id, s.street_id, r[1], r[2]
            person_rows.append(sp)
    SweepGrid.objects.bulk_create(sweep_grids, batch_size=2000)
    SweepPerson.objects.bulk_create(person_rows, batch_size=2000)
    # About one sweep in three also checks a premises of its grids (counted in the sweep and the tallies).
    premises_of: dict[int, list[Premises]] = {}
    for p in premises:
        premises_of.setdefault(p.grid_id, []).append(p)
    sweep_checks = []
    for s, covered in sweeps:
        choices = [p for g in covered for p in premises_of.get(g.id, [])]
        if choices and rng.random() < 0.35:
            p = rng.choice(choices)
            finding = Finding.UNREGISTERED if rng.random() < 0.05 else Finding.NONE
            c = PremisesCheck(premises=p, sweep=s, checked_on=s.held_on, team="周三打卡联合检查组", items="人员登记、住宿情况",
                              finding=finding, finding_note="" if finding == Finding.NONE else "有租客未登记，已督促登记",
                              checked_by=worker)
            c.place_like(p)
            sweep_checks.append(c)
            s.premises_checked = 1
            s.findings += finding != Finding.NONE
    PremisesCheck.objects.bulk_create(sweep_checks, batch_size=2000)
    moved = {}
    for c in sweep_checks:  # a sweep's check later than the premises' last one decides its flag
        p = c.premises
        if p.last_checked_on is None or c.checked_on >= p.last_checked_on:
            p.last_checked_on = c.checked_on
            if c.finding == Finding.NONE:
                p.open_finding, p.open_finding_since = "", None
            elif not p.open_finding:
                p.open_finding, p.open_finding_since = c.finding, c.checked_on
            moved[p.id] = p
    Premises.objects.bulk_update(list(moved.values()), ["last_checked_on", "open_finding", "open_finding_since"],
                                 batch_size=2000)
    counts: dict[int, list[int]] = {}
    for sp in person_rows:
        c = counts.setdefault(sp.sweep_id, [0, 0])
        c[0] += 1
        c[1] += sp.is_finding
    for s, _g in sweeps:
        checked, found = counts.get(s.id, [0, 0])
        s.people_checked, s.findings = checked, s.findings + found
    Sweep.objects.bulk_update([s for s, _g in sweeps], ["people_checked", "premises_checked", "findings"], batch_size=2000)
    tallies_rebuild(root)
    if officer is not None or worker is not None:
        through = Sweep.members.through
        through.objects.bulk_create([through(sweep_id=s.id, user_id=u.id) for s, _g in sweeps for u in (officer, worker) if u],
                                    batch_size=2000, ignore_conflicts=True)
    _say(stdout, f"  risk: {len(sweeps)} sweeps, {len(person_rows)} people checked")
    # Awkward: someone a sweep found without a regular job, opened as a key person from that sweep (the service).
    filed = {p.resident_id for p in people if p.resident_id}
    found = next((sp for sp in reversed(person_rows) if sp.no_regular_job and sp.resident_id not in filed), None)
    if found is not None and officer is not None:
        r = Resident.objects.select_related("household").get(pk=found.resident_id)
        people.append(key_person_open(
            user=officer, categories=[Category.HIGH_RISK], resident=r, opened_on=found.held_on, source_sweep=found.sweep,
            today=today, data=PersonData(watch_for="周三打卡时发现无固定工作、频繁更换住处，留意是否参与出租出借银行卡",
                                         detail="周三打卡联合检查时发现，经社区和派出所研判列为高危人员。",
                                         officer=officer, community_worker=worker)))

    # --- monthly screenings for the last twelve months ---
    month = today.replace(day=1)
    months = []
    for _i in range(12):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    screenings = []
    tz = timezone.get_current_timezone()
    for ci, c in enumerate(communities):
        for mi, m in enumerate(months):
            if ci == 1 and mi == 0:  # one community has not filed last month
                continue
            late = ci == 2 and mi == 1
            filed = month_end(m) + dt.timedelta(days=4 if late else -rng.randrange(0, 5))
            s = Screening(month=m, dens_found=0, offenders=rng.randint(0, 2), likely_victims=rng.randint(0, 5),
                          causes="流动人口多，出租屋管理存在漏洞", measures="开展入户走访和出租屋清查，对重点人员开展帮教",
                          record_figures={}, filed_by=worker,
                          filed_at=dt.datetime.combine(filed, dt.time(16, 0), tzinfo=tz))
            s.place_at(c)
            screenings.append(s)
    Screening.objects.bulk_create(screenings, batch_size=2000)
    _say(stdout, f"  risk: {len(screenings)} monthly screenings")
    return {"key_persons": len(people), "premises": len(premises), "checks": len(checks), "sweeps": len(sweeps),
            "people_checked": len(person_rows), "screenings": len(screenings)}


def load_demo(street: Node, stdout=None) -> dict:
    officer = User.objects.filter(username="police").first()
    worker = User.objects.filter(username="community").first()
    return build(street, today=timezone.localdate(), key_persons=60, premises_per_grid=2.5, officer=officer, worker=worker,
                 stdout=stdout)


def load_county(county: Node, stdout=None) -> dict:
    """~5,000 key persons, ~30,000 premises and a year of weekly sweeps in each community."""
    return build(county, today=timezone.localdate(), key_persons=5000, premises_per_grid=20, seed=99, stdout=stdout)
