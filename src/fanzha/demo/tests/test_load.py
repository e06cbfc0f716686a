"""The whole demo load (`fanzha demo`): it keeps the services' promises and holds the awkward cases."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import timezone

from fanzha import demo
from fanzha.demo.org import DEMO_STREET_CODE
from fanzha.org.models import (
    ANCESTOR_FIELDS,
    Household,
    Node,
    NodeCounts,
    Residency,
    Resident,
    StaffMember,
    Unit,
    elderly_born_before,
)

FIELDS = ("households", "residents", "floating", "elderly", "elderly_alone", "students", "units", "staff")


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo street with every app's demo data, as `fanzha demo` loads it; rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            street = demo.load_street()
            yield street
            transaction.set_rollback(True)


def _live_counts(street: Node) -> dict[int, dict[str, int]]:
    """Every node's head counts counted from the records, one grouped query per model and level."""
    cutoff = elderly_born_before()
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for level in ANCESTOR_FIELDS:
        col = f"{level}_id"
        residents = (Resident.objects.filter(street=street).exclude(**{f"{col}__isnull": True}).order_by().values(col)
                     .annotate(residents=Count("id"), floating=Count("id", filter=~Q(residency=Residency.PERMANENT)),
                               elderly=Count("id", filter=Q(birth_date__lte=cutoff)),
                               elderly_alone=Count("id", filter=Q(birth_date__lte=cutoff, lives_alone=True)),
                               students=Count("id", filter=Q(is_student=True))))
        for row in residents:
            out[row[col]].update({k: row[k] for k in ("residents", "floating", "elderly", "elderly_alone", "students")})
        for model, name in ((Household, "households"), (Unit, "units"), (StaffMember, "staff")):
            for row in (model.objects.filter(street=street).exclude(**{f"{col}__isnull": True}).order_by().values(col)
                        .annotate(n=Count("id"))):
                out[row[col]][name] = row["n"]
    return out


@pytest.mark.django_db
def test_head_counts_after_the_demo_equal_live_counts(demo_world):
    """Right after the demo loads, every node of the demo street has its head-count row and it equals a live count
    (read from the table itself, so a missing refresh is not hidden by a count on first read)."""
    street = demo_world
    nodes = list(Node.objects.filter(street=street).values_list("id", flat=True))
    stored = {r["node_id"]: {k: r[k] for k in FIELDS}
              for r in NodeCounts.objects.filter(node_id__in=nodes).values("node_id", *FIELDS)}
    assert set(stored) == set(nodes)
    live = _live_counts(street)
    wrong = {n: (stored[n], dict(live[n])) for n in nodes if stored[n] != live[n]}
    assert not wrong
    top = stored[street.id]
    assert top["residents"] > 20_000 and top["households"] > 9_000 and top["units"] >= 35 and top["staff"] > 500
    county_row = NodeCounts.objects.get(node_id=street.county_id)
    assert county_row.residents == top["residents"]  # the demo county holds only the demo street


@pytest.mark.django_db
def test_the_street_and_its_logins_exist_once(demo_world):
    """`load_street` builds street DEMO with its named logins; every app's loader ran on it."""
    from fanzha.cases.models import Case
    from fanzha.outreach.models import HomeVisit

    assert Node.objects.filter(code=DEMO_STREET_CODE).count() == 1
    assert Case.objects.filter(street=demo_world).exists()
    assert HomeVisit.objects.filter(street=demo_world).exists()


@pytest.mark.django_db
def test_every_app_holds_its_awkward_cases(demo_world):
    """Not on the register, out of area, overdue, escalated and empty nodes are in every app's demo data."""
    from fanzha.alerts.models import Alert
    from fanzha.analysis.models import Briefing, BriefingStatus, TargetedTask
    from fanzha.cases.models import Case, Outcome
    from fanzha.clues.models import Handoff
    from fanzha.risk.models import KeyPerson
    from fanzha.supervision.models import Rectification

    street = demo_world
    today = timezone.localdate()
    # org: a household group nobody is registered in, a unit without staff
    assert Node.objects.filter(street=street, level="group").exclude(
        id__in=Household.objects.filter(street=street).values("group_id")).count() == 1
    assert "示范县优品生活超市（新开业）" in set(Unit.objects.filter(street=street, staff__isnull=True).values_list("name", flat=True))
    # cases: victims not on the register, an attempted one, a major one
    assert Case.objects.filter(street=street, victim__isnull=True).count() >= 3
    assert Case.objects.filter(street=street, victim__isnull=True, outcome=Outcome.ATTEMPTED).exists()
    assert Case.objects.filter(street=street, is_major=True, reported_on__gte=today.replace(day=1)).exists()
    # alerts: not on the register, out of area, escalated
    awkward = Alert.objects.filter(street=street, external_id__startswith="DEMO-AWK-")
    assert awkward.filter(resident__isnull=True).exists() and awkward.filter(escalated_to__isnull=False).exists()
    # risk: a key person not on the roster, one found in a sweep, overdue reviews
    people = KeyPerson.objects.filter(street=street)
    assert people.filter(resident__isnull=True).exists() and people.filter(source_sweep__isnull=False).exists()
    assert people.filter(status="open", next_review_on__lt=today).exists()
    # clues: a hand-off escalated past its deadline; supervision: overdue rectifications
    assert Handoff.objects.filter(street=street, escalated_at__isnull=False).exists()
    assert Rectification.objects.filter(street=street, deadline__lt=today, status="open").exists()
    # analysis: a published briefing and a grid task
    assert Briefing.objects.filter(street=street, status=BriefingStatus.PUBLISHED).exists()
    assert TargetedTask.objects.filter(street=street).exists()
