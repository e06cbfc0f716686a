"""Monthly screening: the pre-fill equals figures counted independently; missing communities show up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fanzha.cases.models import Case
from fanzha.risk import selectors
from fanzha.risk.models import FollowUp, KeyPerson, KeyPersonCategory, PremisesCheck, Screening, SweepGrid, SweepPerson
from fanzha.risk.services import key_persons as kp
from fanzha.risk.services import premises as pr
from fanzha.risk.services import screening as sc
from fanzha.risk.services import sweeps as sw

pytestmark = pytest.mark.django_db
D = dt.date
NOV = D(2026, 11, 1)


@pytest.fixture
def month_of_records(tree, personas, hotel):
    """November 2026 in c1 (and some noise in c2 and October) made through the services."""
    today = D(2026, 11, 25)
    a = kp.key_person_open(user=personas.police, categories=["offender", "high_risk"], resident=tree.r1, data=kp.PersonData(),
                           opened_on=D(2026, 10, 5), today=today)
    b = kp.key_person_open(user=personas.police, categories=["two_card"], resident=tree.r2, data=kp.PersonData(),
                           opened_on=D(2026, 11, 3), today=today)
    kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r3, data=kp.PersonData(),
                       opened_on=D(2026, 11, 3), today=today)  # c2
    c = kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r1b, data=kp.PersonData(),
                           opened_on=D(2026, 10, 1), today=today)
    kp.key_person_close(user=personas.police, person=c, reason="迁出", today=D(2026, 11, 10))  # closed in the month
    for on in (D(2026, 10, 20), D(2026, 11, 4), D(2026, 11, 20)):
        kp.follow_up_add(user=personas.police, person=a, on=on, method="visit", content="谈话", state="stable", today=today)
    kp.follow_up_add(user=personas.police, person=b, on=D(2026, 11, 9), method="phone", content="电话", state="stable", today=today)
    flat = pr.premises_create(user=personas.grid1, grid=tree.g2, data=pr.PremisesData(name="出租屋A", kind="rented_room", address="东关路20号"))
    pr.check_record(user=personas.grid1, premises=hotel, checked_on=D(2026, 11, 2), finding="den", finding_note="多部手机", today=today)
    pr.check_record(user=personas.grid1, premises=hotel, checked_on=D(2026, 11, 16), finding="none", today=today)
    pr.check_record(user=personas.grid1, premises=flat, checked_on=D(2026, 11, 18), finding="unregistered", today=today)
    pr.check_record(user=personas.grid1, premises=flat, checked_on=D(2026, 10, 30), finding="den", today=today)  # October
    s1 = sw.sweep_create(user=personas.grid1, held_on=D(2026, 11, 4), grids=[tree.g1, tree.g2], today=today)
    sw.sweep_create(user=personas.gridleader, held_on=D(2026, 11, 11), grids=[tree.g1], today=today)
    sw.sweep_create(user=personas.police, held_on=D(2026, 11, 11), grids=[tree.g3], today=today)  # c2 only
    sw.person_check(user=personas.grid1, sweep=s1, resident=tree.r1)
    sw.person_check(user=personas.grid1, sweep=s1, resident=tree.r2, frequent_moves=True)
    Case.objects.create(reported_on=D(2026, 11, 6), loss_on=D(2026, 11, 5), loss=Decimal("1000"), fraud_type="rebate_task",
                        community=tree.c1, street=tree.street, county=tree.county, grid=tree.g1)
    return today


def _independent_count(c1_id):
    """The same figures counted straight from the tables, without the selector."""
    start, end = NOV, D(2026, 11, 30)
    files = [p for p in KeyPerson.objects.all() if p.community_id == c1_id]
    open_end = [p for p in files if p.opened_on <= end and (p.closed_on is None or p.closed_on > end)]
    checks = [c for c in PremisesCheck.objects.all() if c.community_id == c1_id and start <= c.checked_on <= end]
    return {
        "key_persons_open": len(open_end),
        "key_persons_new": sum(start <= p.opened_on <= end for p in files),
        "offenders": sum(KeyPersonCategory.objects.filter(person=p, category="offender").exists() for p in open_end),
        "follow_ups": sum(1 for f in FollowUp.objects.all() if f.person.community_id == c1_id and start <= f.on <= end),
        "checks": len(checks),
        "premises_checked": len({c.premises_id for c in checks}),
        "dens_found": sum(c.finding == "den" for c in checks),
        "findings": sum(c.finding != "none" for c in checks),
        "sweeps": len({r.sweep_id for r in SweepGrid.objects.all() if r.community_id == c1_id and start <= r.held_on <= end}),
        "people_checked": sum(1 for p in SweepPerson.objects.all() if p.community_id == c1_id and start <= p.sweep.held_on <= end),
        "cases": sum(1 for c in Case.objects.all() if c.community_id == c1_id and start <= c.reported_on <= end),
    }


def test_prefill_matches_independent_count(tree, month_of_records):
    """Every pre-filled figure of c1 for November equals the count made independently from the rows."""
    got = selectors.screening_prefill(tree.c1, NOV)
    want = _independent_count(tree.c1.id)
    assert got == want
    assert want == {"key_persons_open": 2, "key_persons_new": 1, "offenders": 1, "follow_ups": 3, "checks": 3,
                    "premises_checked": 2, "dens_found": 1, "findings": 2, "sweeps": 2, "people_checked": 2, "cases": 1}


def test_form_is_prefilled_and_filing_keeps_figures(login, personas, tree, month_of_records):
    """The form shows the record figures and pre-fills dens/offenders; filing keeps the figures with the screening."""
    c = login(personas.community)
    body = c.get(f"/risk/screening/{tree.c1.pk}/?month=2026-11").content.decode()
    assert 'data-key="follow_ups">3<' in body and 'name="dens_found" value="1"' in body
    r = c.post(f"/risk/screening/{tree.c1.pk}/?month=2026-11", {"dens_found": 1, "offenders": 1, "likely_victims": 4,
                                                                 "causes": "出租屋多", "measures": "清查出租屋"})
    assert r.status_code == 302
    s = Screening.objects.get(community=tree.c1, month=NOV)
    assert s.likely_victims == 4 and s.record_figures["checks"] == 3 and s.filed_by == personas.community


def test_missing_communities_show_after_month_end(personas, tree):
    """c1 filed October, c2 did not: after October ends c2 shows as overdue; during the month nobody is overdue."""
    sc.screening_file(user=personas.community, community=tree.c1, month=D(2026, 10, 1), dens_found=0, offenders=0,
                      likely_victims=0, measures="走访", now=timezone.make_aware(dt.datetime(2026, 10, 30, 10)))
    rows = selectors.screening_status(personas.office, node=tree.street, month=D(2026, 10, 1), today=D(2026, 11, 2))
    assert {r["community"].name: r["overdue"] for r in rows} == {"东关社区": False, "南门社区": True}
    rows = selectors.screening_status(personas.office, node=tree.street, month=D(2026, 10, 1), today=D(2026, 10, 15))
    assert not any(r["overdue"] for r in rows)


def test_screening_needs_measures(personas, tree):
    """Filing without measures is refused with a message on the field."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as e:
        sc.screening_file(user=personas.community, community=tree.c1, month=D(2026, 10, 1), dens_found=0, offenders=0,
                          likely_victims=0, measures="")
    assert "measures" in e.value.message_dict
