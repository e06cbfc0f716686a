import datetime as dt

import pytest

from fanzha.duties.models import Duty

TODAY = dt.date(2026, 11, 26)  # a Thursday in Q4 / the autumn semester


def act(node, *, user=None, on=TODAY, venue="community", kind="concentrated", audiences=(), unit=None):
    from fanzha.outreach.models import Activity

    a = Activity(node=unit.node if unit else node, unit=unit, held_on=on, place="p", organiser="o", kind=kind, venue=venue,
                 audiences=list(audiences), created_by=user)
    a.place_like(unit) if unit else a.place_at(node)
    a.save()
    return a


@pytest.fixture
def duty():
    return lambda key: Duty.objects.get(seed_key=key)


@pytest.fixture(autouse=True)
def _seeds(request):
    """The seed defaults (loaded by migration 0002; a transactional test elsewhere may have flushed them)."""
    mark = request.node.get_closest_marker("django_db")
    if mark is not None and mark.kwargs.get("transaction"):
        return  # browser tests load them themselves
    if mark is not None or {"db", "tree"} & set(request.fixturenames):
        request.getfixturevalue("db")
        from fanzha.duties.seeds import load_defaults

        load_defaults()
