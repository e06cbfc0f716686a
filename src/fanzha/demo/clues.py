"""Demo clues: a year of history from every source, the awkward cases, and a few public clues whose
receipt codes `fanzha demo` prints so a newcomer can look one up at /r/.

The history is written in bulk (rows built in Python with their whole
timeline, then `bulk_create`): a street's year is about a thousand clues and
the county-scale bench set about 50,000. The few public clues and the awkward
cases go through the services, like a person would.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fanzha.clues.models import (
    PUBLIC_OUTCOME,
    Clue,
    ClueEvent,
    ClueSubject,
    EventKind,
    Handoff,
    HandoffStatus,
    Kind,
    Outcome,
    Source,
    Status,
    SubjectKind,
    Verdict,
)
from fanzha.clues.subjects import hash_of, shown
from fanzha.core import pii
from fanzha.org.models import Assignment, Level, Node, Role, Unit

SOURCES = [(Source.PUBLIC, 25), (Source.STAFF, 30), (Source.SWEEP, 12), (Source.PREMISES, 8), (Source.WECHAT, 10),
           (Source.P12337, 12), (Source.OTHER, 3)]
KINDS = [(Kind.NUMBER, 28), (Kind.SITE_APP, 18), (Kind.AD, 14), (Kind.SUSPECT, 12), (Kind.TWO_CARDS, 10),
         (Kind.VICTIM, 10), (Kind.DEN, 4), (Kind.OTHER, 4)]
OUTCOMES = [(Outcome.CASE_OPENED, 12), (Outcome.KEY_PERSON, 10), (Outcome.PREMISES, 8), (Outcome.DISSUADED, 30),
            (Outcome.NO_FRAUD, 28), (Outcome.REFERRED, 12)]
TEXTS = {
    Kind.NUMBER: ["接到自称“京东客服”的电话，说要注销校园贷，让下载会议软件", "有人冒充快递员打电话说包裹丢失要理赔，要银行卡号",
                  "收到短信称医保卡异常，让回拨号码办理"],
    Kind.SITE_APP: ["群里有人发投资理财App下载链接，说稳赚不赔", "刷单返利网站，先给小额返利再让大额充值",
                    "一个“贷款”App要先交保证金才放款"],
    Kind.AD: ["小区门口电线杆贴有“高薪兼职打字员”小广告，留有QQ号", "菜市场有人发“免费领鸡蛋听健康讲座”传单",
              "楼道里贴着“无抵押秒批贷款”广告"],
    Kind.SUSPECT: ["出租屋里住着几个年轻人，白天不出门，晚上打电话到很晚", "有人在网吧收购手机卡和银行卡",
                   "邻居说有陌生人挨家推销“养老理财”"],
    Kind.TWO_CARDS: ["学生被人介绍出借银行卡，每张给500元", "有人在村口高价收购电话卡，说是做网络推广用"],
    Kind.VICTIM: ["楼下王阿姨这几天一直往外转钱，说是在网上“投资”", "老人被拉进保健品群，天天听课买产品"],
    Kind.DEN: ["城郊一栋闲置厂房夜里灯火通明，进出人员可疑", "写字楼一间公司门窗遮挡，人员昼伏夜出"],
    Kind.OTHER: ["有人冒充社区工作人员上门收取“防诈骗保证金”", "微信好友头像被盗用，向亲友借钱"],
}
APPS = ["速贷宝", "聚财通", "云享会议", "金鼎理财", "优选兼职", "星耀直播"]
DOMAINS = ["jd-kefu-zx.com", "licai-888.top", "quick-loan.vip", "shuadan-fan.cn", "yibao-check.net", "touzi-pro.xyz"]
EXTRA_DEPARTMENTS = (("dept_mobile", "中国移动示范县西门营业厅"), ("dept_bank", "示范县农村商业银行西门支行"),
                     ("dept_city", "西门街道城市管理办公室"))


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _receipt(seen: set[str]) -> str:
    while True:
        code = str(secrets.randbelow(9 * 10 ** 11) + 10 ** 11)
        if code not in seen:
            seen.add(code)
            return code


def ensure_departments(street: Node) -> list[Unit]:
    """Department accounts for a few of the demo street's units (besides `dept`), so hand-offs spread out.
    The extra accounts have no usable password: they are there for the figures."""
    User = get_user_model()
    for username, unit_name in EXTRA_DEPARTMENTS:
        unit = Unit.objects.filter(street=street, name=unit_name).first()
        if unit is None or Assignment.objects.filter(unit=unit, role=Role.DEPARTMENT).exists():
            continue
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": unit_name})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Assignment.objects.get_or_create(user=user, role=Role.DEPARTMENT, unit=unit)
    return list(Unit.objects.filter(street=street, assignments__role=Role.DEPARTMENT).distinct().order_by("name"))


def build_history(street: Node, *, days: int = 365, per_day: float = 3.0, seed: int = 2026, departments=None,
                  with_details: bool = True, now: dt.datetime | None = None, stdout=None) -> int:
    """A year (`days`) of clues for `street` with their whole workflow; returns how many were made.

    `with_details`: also subjects (numbers, URLs, apps) and the timeline events (off for the
    county-scale bench set, where only the figures are read).
    """
    rng = random.Random(seed + street.pk)
    now = now or timezone.now()
    nodes = list(Node.objects.filter(street=street, level__in=[Level.COMMUNITY, Level.GRID]).order_by("id"))
    grids = [n for n in nodes if n.level == Level.GRID]
    communities = [n for n in nodes if n.level == Level.COMMUNITY]
    if departments is None:
        departments = list(Unit.objects.filter(street=street, assignments__role=Role.DEPARTMENT).distinct())
    if not departments:
        departments = list(Unit.objects.filter(street=street, kind="street_department")[:4])
    staff_ids = list(Assignment.objects.filter(node__street=street, role__in=[Role.OFFICE, Role.OFFICER])
                     .values_list("user_id", flat=True)[:4])
    encrypt, seen = pii.encrypter(), set(Clue.objects.values_list("receipt_code", flat=True)) if per_day * days < 5000 else set()
    n = int(days * per_day)
    plans = []
    for _i in range(n):
        received = now - dt.timedelta(seconds=rng.uniform(3600, days * 86400))
        roll = rng.random()
        node = rng.choice(grids) if roll < 0.8 and grids else (rng.choice(communities) if roll < 0.95 and communities else street)
        kind = _pick(rng, KINDS)
        c = Clue(source=_pick(rng, SOURCES), kind=kind, summary=rng.choice(TEXTS[kind]), received_at=received,
                 receipt_code=_receipt(seen), place_text=rng.choice(["", "", "小区门口", "菜市场旁", "出租屋", "网吧"]))
        c.place_at(node)
        c.anonymous = c.source == Source.PUBLIC and rng.random() < 0.5
        if c.source == Source.PUBLIC and not c.anonymous:
            c.reporter_name = rng.choice(["王女士", "李先生", "张阿姨", "刘大爷", "陈同学"])
        if staff_ids:
            c.checked_by_id = c.closed_by_id = rng.choice(staff_ids)
        age_h = (now - received).total_seconds() / 3600
        handoff = None
        events = [(received, EventKind.RECEIVED, str(Source(c.source).label))]
        check_h = rng.uniform(0.5, 30 if c.source == Source.PUBLIC else 12)
        if check_h < age_h:
            checked = received + dt.timedelta(hours=check_h)
            c.checked_at, c.check_seconds = checked, int(check_h * 3600)
            roll = rng.random()
            if roll < 0.06:
                c.status, c.verdict = Status.MERGED, Verdict.DUPLICATE  # merged_into set once the ids exist
                events.append((checked, EventKind.MERGED, "与先前线索重复，已合并"))
            elif roll < 0.23:
                c.status, c.verdict, c.outcome = Status.CLOSED, Verdict.NO_SUBSTANCE, Outcome.NO_FRAUD
                c.public_outcome, c.closed_at, c.close_seconds = str(PUBLIC_OUTCOME[Outcome.NO_FRAUD]), checked, c.check_seconds
                events += [(checked, EventKind.CHECKED, "无实质内容"), (checked, EventKind.CLOSED, "未发现诈骗")]
            else:
                c.status, c.verdict = Status.CHECKED, Verdict.REAL
                events.append((checked, EventKind.CHECKED, "属实"))
                hand_h = check_h + rng.uniform(0.5, 48)
                if hand_h < age_h:
                    handed = received + dt.timedelta(hours=hand_h)
                    to_police = rng.random() < 0.5 or not departments
                    unit = None if to_police else rng.choice(departments)
                    due = handed + dt.timedelta(days=3)
                    handoff = Handoff(to_police=to_police, unit=unit, handed_at=handed, due_at=due,
                                      handed_by_id=c.checked_by_id, status=HandoffStatus.OPEN)
                    handoff.place_like(c)
                    c.status, c.handed_at, c.handoff_seconds = Status.HANDED, handed, int(hand_h * 3600)
                    c.to_police, c.unit, c.due_at = to_police, unit, due
                    target = "派出所" if to_police else unit.name
                    events.append((handed, EventKind.HANDED, f"交办{target}，时限{timezone.localtime(due):%Y-%m-%d %H:%M}"))
                    answer_h = rng.lognormvariate(3.3, 0.8)  # median ~27 h, a tail past the 72 h deadline
                    answered = handed + dt.timedelta(hours=answer_h)
                    if due < min(answered, now):
                        handoff.escalated_at = due + dt.timedelta(minutes=5)
                        c.escalated_at = handoff.escalated_at
                        events.append((handoff.escalated_at, EventKind.ESCALATED, f"{target}超过办理时限未报到"))
                    if answered < now:
                        handoff.answered_at, handoff.answer_seconds = answered, int(answer_h * 3600)
                        handoff.within_deadline = answered <= due
                        handoff.accepted = True
                        handoff.status = HandoffStatus.ANSWERED
                        handoff.action, handoff.result = "已核实并处置", "已处理完毕"
                        c.status, c.answered_at = Status.ANSWERED, answered
                        events.append((answered, EventKind.ANSWERED, f"{target}：已核实并处置"))
                        closed = answered + dt.timedelta(hours=rng.uniform(2, 96))
                        if closed < now:
                            outcome = _pick(rng, OUTCOMES)
                            c.status, c.outcome, c.public_outcome = Status.CLOSED, outcome, str(PUBLIC_OUTCOME[outcome])
                            c.closed_at, c.close_seconds = closed, int((closed - received).total_seconds())
                            events.append((closed, EventKind.CLOSED, str(Outcome(outcome).label)))
        subjects = []
        if with_details:
            if kind in (Kind.NUMBER, Kind.TWO_CARDS, Kind.AD) or rng.random() < 0.3:
                subjects.append((SubjectKind.PHONE, f"1{rng.choice('3589')}{rng.randint(0, 99):02d}{rng.randint(0, 9999999):07d}"
                                 if rng.random() < 0.85 else "13912345678"))  # a number several reporters name
            if kind == Kind.SITE_APP or rng.random() < 0.15:
                subjects.append((SubjectKind.URL, rng.choice(DOMAINS)))
            if kind == Kind.SITE_APP and rng.random() < 0.6:
                subjects.append((SubjectKind.APP, rng.choice(APPS)))
        plans.append((c, handoff, events, subjects))
    plans.sort(key=lambda p: p[0].received_at)
    with transaction.atomic():
        Clue.objects.bulk_create([p[0] for p in plans], batch_size=2000)
        by_code = {p[0].receipt_code: p[0] for p in plans}
        if not all(p[0].pk for p in plans):  # backends that do not return ids from a bulk insert
            for pk, code in Clue.objects.filter(receipt_code__in=list(by_code)).values_list("id", "receipt_code"):
                by_code[code].pk = by_code[code].id = pk
        # Duplicates are merged into the latest earlier clue that was found real.
        merged, last_real = 0, None
        for c, _h, _e, _s in plans:
            if c.status == Status.MERGED and last_real is not None:
                Clue.objects.filter(pk=c.pk).update(merged_into=last_real)
                merged += 1
            elif c.status == Status.MERGED:
                Clue.objects.filter(pk=c.pk).update(status=Status.CHECKED, verdict=Verdict.REAL)
            elif c.verdict == Verdict.REAL:
                last_real = c.pk
        handoffs = []
        for c, h, _events, _subjects in plans:
            if h is not None:
                h.clue_id = c.pk
                handoffs.append(h)
        Handoff.objects.bulk_create(handoffs, batch_size=2000)
        if with_details:
            ClueEvent.objects.bulk_create([ClueEvent(clue_id=c.pk, at=at, kind=k, text=t, user_id=c.checked_by_id if k != EventKind.RECEIVED else None)
                                           for c, _h, events, _s in plans for at, k, t in events], batch_size=5000)
            rows = []
            for c, _h, _e, subjects in plans:
                done = set()
                for kind, value in subjects:
                    h = hash_of(kind, value)
                    if h not in done:
                        done.add(h)
                        rows.append(ClueSubject(clue_id=c.pk, kind=kind, value_enc=encrypt(value), value_hash=h,
                                                shown=shown(kind, value, value)))
            ClueSubject.objects.bulk_create(rows, batch_size=5000)
    if stdout:
        stdout.write(f"clues: {len(plans)} clues in {street.name} over {days} days ({len(handoffs)} hand-offs, {merged} merged)\n")
    return len(plans)


def build_public_examples(street: Node, *, stdout=None) -> list[tuple[Clue, str]]:
    """Three public clues through the services — one just received, one handed to the police station,
    one closed with an answer — and the awkward cases: an overdue hand-off, a declined one."""
    from fanzha.clues import services

    User = get_user_model()
    office = User.objects.filter(assignments__role=Role.OFFICE, assignments__node=street).first()
    police = User.objects.filter(assignments__role=Role.OFFICER, assignments__node=street).first()
    community = Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code").first() or street
    now = timezone.now()
    out = []
    c1 = services.clue_create_from(source=Source.PUBLIC, node=community, kind=Kind.AD, anonymous=True,
                                   summary="小区公告栏贴了“刷单兼职日结300元”的广告，留了一个QQ号和网址",
                                   subjects=[("account", "qq 2876543210"), ("url", "https://shuadan-fan.cn/join")])
    out.append((c1, "新收到"))
    c2 = services.clue_create_from(source=Source.PUBLIC, node=community, kind=Kind.NUMBER, reporter_name="张阿姨",
                                   reporter_phone="13700001234", summary="有人打电话自称公安局，说我涉嫌洗钱，让我把钱转到“安全账户”",
                                   subjects=[("phone", "+86 139 1234 5678")], received_at=now - dt.timedelta(hours=20))
    if office:
        services.clue_check(clue=c2, user=office, verdict=Verdict.REAL, now=now - dt.timedelta(hours=18))
        services.clue_hand_off(clue=c2, user=office, to_police=True, days=3, instructions="请核查号码并回访举报人",
                               now=now - dt.timedelta(hours=17))
    out.append((c2, "已交派出所"))
    c3 = services.clue_create_from(source=Source.PUBLIC, node=community, kind=Kind.SITE_APP, anonymous=True,
                                   summary="朋友推荐的“金鼎理财”App，充值后无法提现", subjects=[("app", "金鼎理财")],
                                   received_at=now - dt.timedelta(days=9))
    if office and police:
        services.clue_check(clue=c3, user=office, verdict=Verdict.REAL, now=now - dt.timedelta(days=8, hours=20))
        services.clue_hand_off(clue=c3, user=office, to_police=True, days=3, now=now - dt.timedelta(days=8, hours=18))
        services.clue_answer(clue=Clue.objects.get(pk=c3.pk), user=police, accepted=True, action="已对App及收款账户开展调查",
                             result="已立案侦查，并向举报人反馈", now=now - dt.timedelta(days=6))
        services.clue_close(clue=Clue.objects.get(pk=c3.pk), user=office, outcome=Outcome.CASE_OPENED,
                            now=now - dt.timedelta(days=5))
    out.append((c3, "已办结"))
    # Awkward: a hand-off to a department well past its deadline (the worker escalates it), and a declined one.
    # The `dept` demo login's unit first, so the department's own queue has work in it.
    dept = (Unit.objects.filter(street=street, assignments__role=Role.DEPARTMENT, assignments__user__username="dept").first()
            or Unit.objects.filter(street=street, assignments__role=Role.DEPARTMENT).order_by("name").first())
    if office and dept:
        late = services.clue_create_from(source=Source.STAFF, node=community, kind=Kind.SUSPECT, user=office,
                                         summary="出租屋内多人聚集，疑似电诈窝点，需执法队联合检查",
                                         received_at=now - dt.timedelta(days=6))
        services.clue_check(clue=late, user=office, verdict=Verdict.REAL, now=now - dt.timedelta(days=6))
        services.clue_hand_off(clue=late, user=office, unit=dept, days=2, now=now - dt.timedelta(days=5, hours=20))
        fresh = services.clue_create_from(source=Source.PREMISES, node=community, kind=Kind.DEN, user=office,
                                          summary="场所检查发现：某出租屋内安装多部手机和“猫池”设备", place_text="城西路88号",
                                          received_at=now - dt.timedelta(hours=6))
        services.clue_check(clue=fresh, user=office, verdict=Verdict.REAL, now=now - dt.timedelta(hours=5))
        services.clue_hand_off(clue=fresh, user=office, unit=dept, days=3, instructions="请联合派出所核查",
                               now=now - dt.timedelta(hours=4))
        back = services.clue_create_from(source=Source.WECHAT, node=street, kind=Kind.OTHER, user=office,
                                         summary="群里转发“社保卡升级”链接（地点不详）", received_at=now - dt.timedelta(days=3))
        services.clue_check(clue=back, user=office, verdict=Verdict.REAL, now=now - dt.timedelta(days=3))
        services.clue_hand_off(clue=back, user=office, unit=dept, days=3, now=now - dt.timedelta(days=3))
        dept_user = User.objects.filter(assignments__unit=dept, assignments__role=Role.DEPARTMENT).first()
        if dept_user:
            services.clue_answer(clue=Clue.objects.get(pk=back.pk), user=dept_user, accepted=False,
                                 result="不属于执法队职责，建议交社保经办机构", now=now - dt.timedelta(days=2))
    return out


def print_receipts(examples, stdout) -> None:
    if not stdout or not examples:
        return
    stdout.write("\n  public clue receipts — look one up at /r/ (no login):\n")
    for clue, label in examples:
        stdout.write(f"    {clue.receipt_display}   {label}\n")


def load_demo(street: Node, stdout=None) -> None:
    """Demo loader hook (`fanzha demo`): a year of clues, the awkward cases, three public receipts printed."""
    if Clue.objects.filter(street=street).exists():
        return
    departments = ensure_departments(street)
    build_history(street, days=365, per_day=3.0, departments=departments, stdout=stdout)
    print_receipts(build_public_examples(street, stdout=stdout), stdout)


def load_county(county: Node, stdout=None, *, per_day: float = 13.7) -> int:
    """The county-scale bench set: a year of clues for each street (~50,000 in all for 10 streets)."""
    if Clue.objects.filter(county=county).exists():
        return 0
    total = 0
    for street in Node.objects.filter(parent=county, level=Level.STREET).order_by("sort", "code"):
        total += build_history(street, days=365, per_day=per_day, with_details=False, stdout=stdout)
    return total
