"""Three years of plausible cases for the demo street and the county data set.

Shares follow what the Ministry of Public Security publishes: the ten
high-incidence types make up about 88% of cases, with 刷单返利 far ahead;
victims are mostly 18–40; student, elderly and unit-staff victims have the
types that target them. Counts have a seasonal shape (peaks before the
Spring Festival and in the summer holidays). A few investment and
impersonation cases are major (≥ 500,000 yuan).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fanzha.cases.models import MAJOR_LOSS, Case, Outcome, StaffLink
from fanzha.org.models import Node, Residency, Resident, StaffMember

# (code, share of all cases, median loss in yuan, channels)
TYPE_SHARES = [
    ("rebate_task", 0.30, 12000, ["app", "qq", "wechat"]),
    ("fake_investment", 0.14, 60000, ["app", "wechat", "website"]),
    ("fake_loan", 0.09, 8000, ["app", "phone", "sms"]),
    ("fake_customer_service", 0.08, 25000, ["phone", "app"]),
    ("fake_shopping", 0.07, 3000, ["app", "website", "wechat"]),
    ("impersonate_authority", 0.06, 80000, ["phone", "app"]),
    ("fake_credit_record", 0.05, 30000, ["phone", "app"]),
    ("impersonate_boss_acquaintance", 0.04, 40000, ["qq", "wechat"]),
    ("romance", 0.03, 70000, ["wechat", "app"]),
    ("game_trade", 0.02, 2000, ["app", "qq"]),
    ("impersonate_relative", 0.03, 15000, ["phone", "wechat"]),
    ("elderly_health_products", 0.025, 20000, ["in_person", "phone"]),
    ("illegal_fundraising", 0.02, 100000, ["in_person", "wechat"]),
    ("fake_poverty_relief", 0.01, 5000, ["phone", "sms"]),
    ("email_fraud", 0.005, 30000, ["website"]),
    ("other", 0.06, 6000, ["phone", "other"]),
]

# Month multipliers: Spring Festival shopping, summer holidays, Double 11.
SEASON = {1: 1.25, 2: 0.9, 3: 0.95, 4: 0.9, 5: 0.95, 6: 1.0, 7: 1.15, 8: 1.15, 9: 0.95, 10: 0.95, 11: 1.1, 12: 1.15}

NARRATIVES = {
    "rebate_task": ["{name}在{app}上看到兼职刷单广告，按客服要求垫付做任务，前几单返利后被要求连续做单，共被骗{loss}元。",
                    "受害人称加入一个点赞返佣的群，做任务需先垫付，提现时被告知操作失误需继续充值，损失{loss}元。"],
    "fake_investment": ["{name}被拉入炒股群，在所谓导师带单下于虚假投资平台充值，平台显示高收益但无法提现，损失{loss}元。",
                        "受害人下载一款理财App购买虚拟币，对方承诺保本高收益，后平台关闭，被骗{loss}元。"],
    "fake_loan": ["{name}急需用钱，在网上申请无抵押贷款，对方以银行流水不足、账户冻结需缴纳解冻金为由，骗取{loss}元。"],
    "fake_customer_service": ["{name}接到自称快递客服电话，称快递丢失可理赔，按指示开通共享屏幕后转账{loss}元。",
                              "受害人接到自称电商平台客服来电，称其误开会员将每月扣费，需配合取消，被骗{loss}元。"],
    "fake_shopping": ["{name}在朋友圈看到低价代购，付款后对方以清关费、保证金为由多次要钱，后被拉黑，损失{loss}元。"],
    "impersonate_authority": ["{name}接到自称公安局民警电话，称其涉嫌洗钱案需配合调查，要求将资金转入安全账户，被骗{loss}元。"],
    "fake_credit_record": ["{name}接到自称金融平台客服电话，称其学生时期开通校园贷需注销，否则影响征信，按要求转账{loss}元。"],
    "impersonate_boss_acquaintance": ["{name}被拉入一个有“领导”的QQ群，“领导”要求其先向合作方转账，事后发现被骗{loss}元。"],
    "romance": ["{name}在婚恋交友网站认识一名网友，确定恋爱关系后被诱导在博彩平台投注，损失{loss}元。"],
    "game_trade": ["{name}在游戏中购买账号装备，对方以账户冻结需解冻为由要求转账，被骗{loss}元。"],
    "impersonate_relative": ["{name}接到自称孙子的电话，称在外打架被扣需要赔钱，让其把钱交给上门的“朋友”，被骗{loss}元。"],
    "elderly_health_products": ["{name}参加免费养生讲座，被推销高价保健品，称可治百病，先后购买共计{loss}元。"],
    "illegal_fundraising": ["{name}听信熟人介绍投资养老项目，对方承诺高额回报，后公司负责人失联，损失{loss}元。"],
    "fake_poverty_relief": ["{name}接到自称扶贫办工作人员电话，称可领取扶贫补贴，需先缴纳手续费，被骗{loss}元。"],
    "email_fraud": ["{name}所在公司财务收到冒充合作方的邮件，称收款账户变更，按邮件指示付款{loss}元。"],
    "other": ["{name}被他人以各种理由骗取钱财{loss}元。"],
}

APPS = ["抖音", "快手", "QQ", "微信", "小红书", "某App"]


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _loss(rng: random.Random, median: int) -> Decimal:
    value = math.exp(rng.gauss(math.log(median), 1.0))
    if rng.random() < 0.004:  # the occasional major case
        value = rng.uniform(500_000, 2_000_000)
    return Decimal(str(round(min(value, 5_000_000), 2)))


@transaction.atomic
def build_cases(*, root: Node, per_10k_per_year: float = 180.0, years: int = 3, seed: int = 2026,
                today: dt.date | None = None, stdout=None) -> int:
    """Cases for every resident population under `root`, in bulk.

    1. Load victims-to-be (id, birth date, gender, residency, student, place)
       for the root's residents in one query; load staff links by resident.
    2. Draw the number of cases per month from the population, the rate and
       the season.
    3. For each case draw the type by share, then a victim whose age suits
       the type (students for games, elderly for health products ...).
    4. bulk_create in batches.
    """
    rng = random.Random(seed)
    today = today or timezone.localdate()
    residents = list(
        Resident.objects.filter(**{f"{root.level}_id": root.id})
        .values_list("id", "name", "birth_date", "gender", "residency", "is_student", "occupation",
                     "county_id", "street_id", "community_id", "grid_id", "group_id")
    )
    if not residents:
        return 0
    staff_by_resident = dict(
        StaffMember.objects.filter(**{f"{root.level}_id": root.id}, resident__isnull=False).values_list("resident_id", "unit_id")
    )
    young, middle, elderly, students = [], [], [], []
    for r in residents:
        age = _age(r[2], today)
        if r[5]:
            students.append(r)
        if age is None:
            continue
        (elderly if age >= 60 else middle if age > 40 else young if age >= 18 else students).append(r)
    pools = {"young": young or residents, "middle": middle or residents, "elderly": elderly or residents,
             "student": students or residents}
    type_codes = [t[0] for t in TYPE_SHARES]
    weights = [t[1] for t in TYPE_SHARES]
    info = {t[0]: t for t in TYPE_SHARES}
    monthly_mean = len(residents) / 10_000 * per_10k_per_year / 12
    start = dt.date(today.year - years, today.month, 1)
    batch: list[Case] = []
    total = 0
    month = start
    while month <= today:
        # A slow decline over the years: the campaign works.
        trend = 1.0 - 0.06 * (month.year - start.year)
        n = max(0, round(rng.gauss(monthly_mean * SEASON[month.month] * trend, math.sqrt(max(monthly_mean, 1)))))
        days_in_month = ((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - month).days
        for _ in range(n):
            reported = month + dt.timedelta(days=rng.randrange(days_in_month))
            if reported > today:
                continue
            code = rng.choices(type_codes, weights)[0]
            pool = {"game_trade": "student", "elderly_health_products": "elderly", "impersonate_relative": "elderly",
                    "illegal_fundraising": "elderly", "fake_poverty_relief": "elderly"}.get(code)
            if pool is None:
                pool = rng.choices(["young", "middle", "elderly", "student"], [0.62, 0.24, 0.08, 0.06])[0]
            r = rng.choice(pools[pool])
            for _retry in range(5):  # a victim must have been old enough on that day
                age_then = _age(r[2], reported)
                if age_then is None or age_then >= 10:
                    break
                r = rng.choice(pools["young"])
            loss = _loss(rng, info[code][2])
            stopped = (loss * Decimal(str(round(rng.uniform(0.05, 0.6), 2)))).quantize(Decimal("0.01")) if rng.random() < 0.3 else Decimal("0")
            staff_unit = staff_by_resident.get(r[0])
            name = r[1][0] + "某"
            serial = rng.randrange(10**5)
            attempted = serial % 7 == 0  # about one in seven stopped before any loss (未遂); no extra draw
            if attempted:
                loss = stopped = Decimal("0")
            c = Case(
                number=f"A{reported:%Y%m%d}{serial:05d}",
                outcome=Outcome.ATTEMPTED if attempted else Outcome.COMPLETED,
                reported_on=reported,
                loss_on=reported - dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 5])),
                victim_id=r[0], victim_name=r[1], victim_age=_age(r[2], reported), victim_gender=r[3],
                victim_occupation=r[6], victim_student=r[5], victim_floating=r[4] != Residency.PERMANENT,
                staff_link=StaffLink.STAFF if staff_unit else "", unit_id=staff_unit,
                loss=loss, stopped=stopped, fraud_type=code, suggested_type=code, suggested_confidence=None,
                channel=rng.choice(info[code][3]),
                narrative=rng.choice(NARRATIVES[code]).format(name=name, loss=f"{loss:,.0f}", app=rng.choice(APPS)),
                is_major=loss >= MAJOR_LOSS,
                county_id=r[7], street_id=r[8], community_id=r[9], grid_id=r[10], group_id=r[11],
            )
            batch.append(c)
            if len(batch) >= 5000:
                Case.objects.bulk_create(batch)
                total += len(batch)
                batch.clear()
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    Case.objects.bulk_create(batch)
    total += len(batch)
    if stdout is not None:
        stdout.write(f"  cases: {total}")
    return total


def build_awkward_cases(street: Node, *, today: dt.date | None = None, stdout=None) -> int:
    """The cases a demo must show, registered through the service as the police station would:

    1. a victim not on the register (visiting relatives), placed at the community the officer picks;
    2. a floating worker not on the register, stopped before any loss (未遂), placed at a grid;
    3. a street department's staff member who lives elsewhere (counts for the unit's staff target);
    4. a major case (≥ 500,000 yuan) of this month for a registered elderly resident.
    Returns how many were registered.
    """
    from django.contrib.auth import get_user_model

    from fanzha.cases.services import case_register
    from fanzha.org.models import Level, Unit

    today = today or timezone.localdate()
    officer = get_user_model().objects.filter(username="police").first()
    community = Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code").first()
    grid = Node.objects.filter(street=street, level=Level.GRID).order_by("-sort", "-code").first()
    unit = Unit.objects.filter(street=street, kind="street_department").order_by("name").first()
    elderly = (Resident.objects.filter(street=street, birth_date__lte=dt.date(today.year - 70, 1, 1))
               .order_by("id").first())
    made = 0
    if community is not None:
        case_register(user=officer, reported_on=today - dt.timedelta(days=3), loss_on=today - dt.timedelta(days=4),
                      loss=36000, fraud_type="impersonate_authority", channel="phone", community=community,
                      victim_name="孙某某", victim_age=67, victim_gender="F", victim_occupation="退休",
                      narrative="孙某某（外地户籍，来本社区探亲）接到自称公安局民警的电话，称其涉嫌洗钱，"
                                "按对方要求将36000元转入所谓“安全账户”。", today=today)
        made += 1
    if grid is not None:
        case_register(user=officer, reported_on=today - dt.timedelta(days=10), loss_on=today - dt.timedelta(days=10),
                      loss=0, fraud_type="rebate_task", channel="app", community=grid, victim_name="韦某",
                      victim_age=24, victim_gender="M", victim_occupation="外卖骑手", victim_floating=True,
                      outcome=Outcome.ATTEMPTED, today=today,
                      narrative="韦某（流动人员，未在本街道登记）在某App上参与刷单，转账前被网格员劝阻，未造成损失。")
        made += 1
    if unit is not None and community is not None:
        case_register(user=officer, reported_on=today - dt.timedelta(days=20), loss_on=today - dt.timedelta(days=21),
                      loss=8800, fraud_type="fake_customer_service", channel="phone", community=community,
                      victim_name="钱某", victim_age=35, victim_gender="F", victim_occupation="科员",
                      staff_link=StaffLink.STAFF, unit=unit, today=today,
                      narrative="钱某（街道工作人员，居住在外街道）接到自称快递客服的电话，称包裹丢失需理赔，"
                                "按对方指引开通“备用金”并转账8800元。")
        made += 1
    if elderly is not None:
        case_register(user=officer, reported_on=today.replace(day=1), loss_on=today.replace(day=1), loss=520000,
                      fraud_type="fake_investment", channel="wechat", victim=elderly, today=today,
                      narrative="受害人被拉入所谓“养老理财”微信群，在群内“导师”指导下分多次投入520000元，后无法提现。")
        made += 1
    if stdout is not None:
        stdout.write(f"  cases: {made} awkward cases (not on the register, attempted, a unit's staff, major)")
    return made


def load_demo(street: Node, stdout=None) -> None:
    """Demo street: three years of cases, the awkward ones, and seed 002's reduction targets (continued to this year)."""
    from fanzha.cases.services import default_targets_apply

    build_cases(root=street, stdout=stdout)
    build_awkward_cases(street, stdout=stdout)
    default_targets_apply(node=street, years=tuple(range(2025, timezone.localdate().year + 1)))


def load_county(county: Node, stdout=None) -> None:
    """County data set: three years of cases, about 25,000 for 450,000 residents."""
    build_cases(root=county, per_10k_per_year=185, stdout=stdout)
