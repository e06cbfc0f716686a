import datetime as dt
from decimal import Decimal

import pytest

from fanzha.cases.models import Case


def make_case(*, node=None, victim=None, reported_on=dt.date(2025, 5, 1), loss="1000", unit=None, staff_link="",
              victim_name="某某"):
    """A hand-built case placed at the victim's household, or at `node` (a community)."""
    c = Case(reported_on=reported_on, loss_on=reported_on, victim=victim, victim_name=victim.name if victim else victim_name,
             loss=Decimal(loss), fraud_type="rebate_task", unit=unit, staff_link=staff_link,
             is_major=Decimal(loss) >= Decimal("500000"))
    if victim is not None:
        c.place_like(victim)
    else:
        c.place_at(node)
    c.save()
    return c


@pytest.fixture
def mk_case():
    return make_case
