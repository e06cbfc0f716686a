"""Each criterion of SPEC §8 on hand-built records, at its boundary."""

import datetime as dt

import pytest

from fanzha.assessment import services
from fanzha.assessment.criteria import cases_rule
from fanzha.assessment.models import Verdict
from fanzha.org import services as org
from fanzha.org.models import FamilyMember
from fanzha.risk.models import Finding, Premises, PremisesCheck
from fanzha.risk.services import key_persons as kp
from fanzha.supervision.models import Criticism

pytestmark = pytest.mark.django_db


def crit_of(run, obj, key):
    field = "unit" if obj.__class__.__name__ == "Unit" else "subject"
    v = Verdict.objects.get(assessment=run, **{field: obj})
    return next(c for c in v.criteria if c["key"] == key), v


def open_run(tree, personas, period="2025"):
    return services.assessment_open(street=tree.street, period=period, user=personas.office)


def test_cases_rule_boundaries():
    """No case passes; exactly half the comparison period passes; one more fails; new cases from zero fail."""
    assert cases_rule(0, 0) and cases_rule(0, 5)
    assert cases_rule(2, 4) and cases_rule(5, 10)
    assert not cases_rule(3, 4) and not cases_rule(3, 5)
    assert not cases_rule(1, 0)


def test_community_cases_exactly_half_down_passes(tree, personas, mk_case):
    """c1: 4 cases in 2024, 2 in 2025 (exactly 50% down) passes; c2: 2 → 2 fails, with the counts and the list."""
    for d in (dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1), dt.date(2024, 5, 1)):
        mk_case(node=tree.c1, reported_on=d)
    mk_case(node=tree.c1, reported_on=dt.date(2025, 1, 1))
    mk_case(node=tree.c1, reported_on=dt.date(2025, 12, 31))
    for d in (dt.date(2024, 6, 1), dt.date(2024, 7, 1), dt.date(2025, 6, 1), dt.date(2025, 7, 1)):
        mk_case(node=tree.c2, reported_on=d)
    run = open_run(tree, personas)
    c, _ = crit_of(run, tree.c1, "cases")
    assert c["ok"] is True and c["evidence"]["now"] == 2 and c["evidence"]["base"] == 4
    assert c["evidence"]["change_pct"] == -50.0 and len(c["evidence"]["cases"]) == 2
    c, v = crit_of(run, tree.c2, "cases")
    assert c["ok"] is False and v.computed == "fail"


def test_exactly_500000_counts_as_major(tree, personas, mk_case):
    """A case of exactly 500,000 yuan fails "no major case"; 499,999.99 does not."""
    mk_case(node=tree.c1, loss="500000.00")
    mk_case(node=tree.c2, loss="499999.99")
    run = open_run(tree, personas)
    c, _ = crit_of(run, tree.c1, "major")
    assert c["ok"] is False and c["evidence"]["major"][0]["loss"] == 500000.0
    c, _ = crit_of(run, tree.c2, "major")
    assert c["ok"] is True and c["evidence"]["largest"]["loss"] == 499999.99


def test_temporary_resident_with_offender_file_fails(tree, personas, mk_case):
    """r1b (temporary resident of c1) has an offender file: c1 fails (3); a floating person's or two-card file does not count."""
    mk_case(node=tree.c1)
    kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r1b, data=kp.PersonData(),
                       opened_on=dt.date(2025, 3, 1))
    kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r3, data=kp.PersonData(),
                       opened_on=dt.date(2025, 3, 1))  # r3 is floating, in c2
    kp.key_person_open(user=personas.police, categories=["two_card"], resident=tree.r2, data=kp.PersonData(),
                       opened_on=dt.date(2025, 3, 1))
    run = open_run(tree, personas)
    c, _ = crit_of(run, tree.c1, "persons")
    assert c["ok"] is False
    assert [f["name"] for f in c["evidence"]["files"]] == [tree.r1b.name]
    assert c["evidence"]["files"][0]["residency"] == "暂住"
    c, _ = crit_of(run, tree.c2, "persons")
    assert c["ok"] is True


def test_den_found_in_period_fails(tree, personas, mk_case):
    """A den found at a premises of c1 during the year fails (4) for c1 only."""
    mk_case(node=tree.c1)
    p = Premises(name="某出租屋", kind="rented_room", address="东关路9号")
    p.place_at(tree.g1)
    p.save()
    chk = PremisesCheck(premises=p, checked_on=dt.date(2025, 8, 6), finding=Finding.DEN)
    chk.place_at(tree.g1)
    chk.save()
    run = open_run(tree, personas)
    c, _ = crit_of(run, tree.c1, "dens")
    assert c["ok"] is False and c["evidence"]["premises"][0]["name"] == "某出租屋"
    assert crit_of(run, tree.c2, "dens")[0]["ok"] is True


def test_contract_workers_mother_defrauded_fails_unit(tree, personas, mk_case):
    """A contract worker's mother defrauded fails the unit's (1); shown with the case."""
    worker = org.staff_create(unit=tree.unit, name="钱师傅", employment="contract")
    mother = org.family_member_add(staff=worker, relation="parent", name="钱母")
    mk_case(node=tree.c1, unit=tree.unit, staff_link="family", victim_name=mother.name, loss="3000")
    run = open_run(tree, personas)
    c, v = crit_of(run, tree.unit, "victims")
    assert c["ok"] is False and c["evidence"]["cases"][0]["victim"] == "钱母"
    assert v.computed == "fail"


def test_family_member_linked_as_victim_resident_counts(tree, personas, mk_case):
    """A case whose victim is the resident a family member is linked to counts, even unmarked on the case."""
    FamilyMember.objects.filter(pk=tree.family.pk).update(resident=tree.r1)
    mk_case(victim=tree.r1)
    run = open_run(tree, personas)
    c, _ = crit_of(run, tree.unit, "victims")
    assert c["ok"] is False and c["evidence"]["cases"][0]["link"] == "职工家属"


def test_staff_family_with_file_fails_unit(tree, personas, mk_case):
    """A staff member's parent with a stranded-in-northern-Myanmar file fails the unit's (2)."""
    mk_case(node=tree.c1)
    FamilyMember.objects.filter(pk=tree.family.pk).update(resident=tree.r2)
    kp.key_person_open(user=personas.police, categories=["stranded"], resident=tree.r2, data=kp.PersonData(),
                       opened_on=dt.date(2024, 3, 1))
    run = open_run(tree, personas)
    c, _ = crit_of(run, tree.unit, "persons")
    assert c["ok"] is False and "赵父" in c["evidence"]["files"][0]["who"]


def test_criticised_by_county_fails_street_does_not(tree, personas, mk_case):
    """Only the county leading group's criticism fails (4)."""
    mk_case(node=tree.c1)
    x = Criticism(kind="summons", issuer="street", unit=tree.unit, issued_on=dt.date(2025, 4, 1), reason="街道约谈")
    x.place_like(tree.unit)
    x.save()
    run = open_run(tree, personas)
    assert crit_of(run, tree.unit, "criticism")[0]["ok"] is True
    x.pk = None
    x.issuer, x.reason = "county", "县领导小组通报批评"
    x.save()
    run = open_run(tree, personas)
    c, _ = crit_of(run, tree.unit, "criticism")
    assert c["ok"] is False and c["evidence"]["records"][0]["reason"] == "县领导小组通报批评"


def test_first_period_h2_against_h1(tree, personas, mk_case):
    """2021H2 is compared with 2021H1."""
    mk_case(node=tree.c1, reported_on=dt.date(2021, 3, 1))
    mk_case(node=tree.c1, reported_on=dt.date(2021, 4, 1))
    mk_case(node=tree.c1, reported_on=dt.date(2021, 9, 1))
    run = open_run(tree, personas, "2021H2")
    assert run.base_period == "2021H1"
    c, _ = crit_of(run, tree.c1, "cases")
    assert (c["evidence"]["now"], c["evidence"]["base"], c["ok"]) == (1, 2, True)
