"""The city data set's pieces: several counties in one database, distinct ID numbers, exact sizes."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fanzha.core.idnumbers import make_id_number, parse_id_number
from fanzha.demo.city import city_county_code, county_shape
from fanzha.demo.org import build_county
from fanzha.demo.people import BENCH_LOCAL_REGIONS, INLAND_REGIONS, People, _id_number
from fanzha.org.models import Node, NodeCounts, Resident, StaffMember

TINY = {"streets": 1, "communities_per_street": 1, "grids_per_community": 2, "groups_per_grid": 2,
        "households_per_group": 3, "residents_per_household": 3, "units": 2, "staff_per_unit": 3}


def test_memoised_id_numbers_are_make_id_number():
    """The demo's fast ID numbers are exactly `make_id_number`'s, check digit included, and parse as valid."""
    rng = random.Random(5)
    for _ in range(5000):
        region = rng.choice(BENCH_LOCAL_REGIONS + INLAND_REGIONS)
        birth = dt.date(1920, 1, 1) + dt.timedelta(days=rng.randrange(38000))
        seq = rng.randrange(1000)
        assert _id_number(region, birth, seq) == make_id_number(region, birth, seq)
    assert parse_id_number(_id_number("330726", dt.date(1980, 5, 6), 433), today=dt.date(2026, 1, 1))


def test_county_shape_is_exact():
    """A city county of 150,000 residents is 10 streets of 5 communities with 1,000 units; sizes that do not
    divide are refused rather than rounded."""
    shape = county_shape(150_000)
    assert shape["streets"] * shape["communities_per_street"] * shape["grids_per_community"] * shape[
        "groups_per_grid"] * shape["households_per_group"] * shape["residents_per_household"] == 150_000
    assert (shape["communities_per_street"], shape["units"]) == (5, 1000)
    with pytest.raises(ValueError):
        county_shape(100_000)
    assert (city_county_code(0), city_county_code(1), city_county_code(19)) == ("BENCH-K", "CITY-K02", "CITY-K20")


@pytest.mark.django_db
def test_two_counties_in_one_database_keep_apart():
    """Two counties built with one People have their own codes, trees and head counts, and no ID number twice."""
    people = People(random.Random(3), local_regions=BENCH_LOCAL_REGIONS, seq_base=400, seq_span=300)
    first = build_county(code=city_county_code(0), name="东江县", people=people, **TINY)
    second = build_county(code=city_county_code(1), name="西岭县", people=people, **TINY)
    assert first["residents"] == second["residents"] == 2 * 2 * 3 * 3
    k1, k2 = Node.objects.get(code="BENCH-K"), Node.objects.get(code="CITY-K02")
    assert Node.objects.filter(code__startswith="CITY-K02-", county=k2).count() == Node.objects.filter(
        code__startswith="BENCH-K-", county=k1).count() == 1 + 1 + 2 + 4
    assert NodeCounts.objects.get(node=k2).residents == Resident.objects.filter(county=k2).count() == 36
    hashes = list(Resident.objects.values_list("id_number_hash", flat=True))
    assert len(hashes) == len(set(hashes)) == 72
    assert StaffMember.objects.filter(county=k2).count() == 2 * 3
