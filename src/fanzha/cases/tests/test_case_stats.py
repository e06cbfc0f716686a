"""Statistics checked against counts computed independently in the test."""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

import pytest

from fanzha.cases import selectors
from fanzha.cases.models import ReductionTarget
from fanzha.cases.periods import Period


@pytest.fixture
def many_cases(tree, case_maker):
    rng = random.Random(7)
    made = []
    victims = [tree.r1, tree.r1b, tree.r2, tree.r3]
    types = ["rebate_task", "fake_investment", "fake_loan", "impersonate_authority"]
    for i in range(120):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365 - 60))
        made.append(case_maker(victim=rng.choice(victims), reported_on=day, loss_on=day,
                               loss=Decimal(rng.randrange(100, 90000)), stopped=Decimal(rng.randrange(0, 50)),
                               fraud_type=rng.choice(types), channel=rng.choice(["phone", "app", "wechat"])))
    return made


def test_monthly_series_matches_independent_count(personas, tree, many_cases):
    """Every month's count and loss equal a plain Python tally of the same cases."""
    data = selectors.dashboard(personas.office, node=tree.street, period=Period.parse("2024"), granularity="month")
    tally = Counter((c.reported_on.year, c.reported_on.month) for c in many_cases)
    loss = Counter()
    for c in many_cases:
        loss[(c.reported_on.year, c.reported_on.month)] += float(c.loss)
    for p in data["trend"]:
        y, m = map(int, p["period"].split("-"))
        assert p["count"] == tally[(y, m)]
        assert p["loss"] == pytest.approx(loss[(y, m)])
    assert data["total"]["count"] == sum(n for (y, _m), n in tally.items() if y == 2024)


def test_pop_and_yoy(personas, tree, many_cases):
    """环比 and 同比 of a quarter are computed from the quarter before and the same quarter last year."""
    q = Period.parse("2024Q2")
    data = selectors.dashboard(personas.office, node=tree.street, period=q, granularity="quarter")

    def count(p):
        return sum(1 for c in many_cases if p.start <= c.reported_on <= p.end)

    now, prev, last_year = count(q), count(q.previous()), count(q.year_before())
    assert data["total"]["count"] == now
    assert data["total"]["pop_count_pct"] == (round((now - prev) / prev * 100, 1) if prev else None)
    assert data["total"]["yoy_count_pct"] == (round((now - last_year) / last_year * 100, 1) if last_year else None)


def test_breakdowns_and_groups(personas, tree, many_cases):
    """Type counts and victim groups (elderly, students, floating) match the cases."""
    data = selectors.dashboard(personas.office, node=tree.street, period=Period.parse("2024"))
    in_year = [c for c in many_cases if c.reported_on.year == 2024]
    assert {r["key"]: r["count"] for r in data["by_type"]} == dict(Counter(c.fraud_type for c in in_year))
    groups = {g["key"]: g["count"] for g in data["by_victim_group"]}
    assert groups["elderly"] == sum(1 for c in in_year if c.victim_id == tree.r1.id)
    assert groups["floating"] == sum(1 for c in in_year if c.victim_id in (tree.r1b.id, tree.r3.id))
    assert groups["student"] == sum(1 for c in in_year if c.victim_id == tree.r1b.id)


def test_ranking_and_scope(personas, tree, many_cases):
    """The street ranks its communities; a community user sees only its own cases."""
    data = selectors.dashboard(personas.office, node=tree.street, period=Period.parse("2025"))
    ranks = {r["name"]: r["count"] for r in data["ranking"]}
    in_2025 = [c for c in many_cases if c.reported_on.year == 2025]
    assert ranks["东关社区"] == sum(1 for c in in_2025 if c.community_id == tree.c1.id)
    assert ranks["南门社区"] == sum(1 for c in in_2025 if c.community_id == tree.c2.id)
    seen = selectors.cases_for(personas.community)
    assert set(seen.values_list("community_id", flat=True)) == {tree.c1.id}
    assert not selectors.cases_for(personas.outsider).exists()


def test_target_progress_projection(personas, tree, case_maker):
    """A running period projects its count pro rata; a finished one is met or missed."""
    for d in range(10):
        case_maker(victim=tree.r2, reported_on=dt.date(2025, 1, 1) + dt.timedelta(days=d * 30), loss_on=dt.date(2025, 1, 1) + dt.timedelta(days=d * 30))
    for d in range(3):
        case_maker(victim=tree.r2, reported_on=dt.date(2026, 1, 10) + dt.timedelta(days=d), loss_on=dt.date(2026, 1, 10))
    t = ReductionTarget.objects.create(node=tree.street, kind="all", period="2026", base_period="2025", change_pct=Decimal("-5"))
    p = selectors.target_progress(t, user=personas.office, today=dt.date(2026, 3, 31))
    assert (p.base, p.actual) == (10, 3)
    assert p.allowed == pytest.approx(9.5)
    assert p.projected == pytest.approx(3 / (90 / 365))
    assert p.status == "at_risk"
    p = selectors.target_progress(t, user=personas.office, today=dt.date(2027, 1, 5))
    assert p.status == "met"


def test_running_period_compares_same_days(personas, tree, case_maker):
    """A running year is compared with the same dates a year earlier, not the whole year."""
    for day in (dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 9, 1), dt.date(2026, 2, 2)):
        case_maker(victim=tree.r2, reported_on=day, loss_on=day)
    data = selectors.dashboard(personas.office, node=tree.street, period=Period.parse("2026"), today=dt.date(2026, 3, 15))
    assert data["to_date"] == "2026-03-15"
    assert data["total"]["count"] == 1
    assert data["total"]["yoy_count_pct"] == -50.0  # 1 against the 2 of 2025-01-01..2025-03-15
    assert [p["period"] for p in data["trend"]][-1] == "2026-03"  # no empty future months
