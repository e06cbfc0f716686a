"""The built-in demo street (shape of seed 000) and the county-scale data set."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from fanzha.core.idnumbers import id_birth_date, id_gender, parse_id_number, parse_phone
from fanzha.demo import org as demo
from fanzha.org import services
from fanzha.org.models import (
    ANCESTOR_FIELDS,
    Assignment,
    FamilyMember,
    Household,
    Level,
    Node,
    Residency,
    Resident,
    Role,
    StaffMember,
    Unit,
    UnitKind,
    User,
    elderly_born_before,
)
from fanzha.org.selectors import resident_search

NAMED = ["office", "leader", "police", "community", "gridleader", "grid1", "grid2", "grouphead", "liaison", "dept", "safety"]
ID_MASK = re.compile(r"^\d{3}\*{11}\d{3}[\dX]$")
PHONE_MASK = re.compile(r"^1[3-9]\d\*{4}\d{4}$")


@pytest.fixture(scope="module")
def demo_street(django_db_setup, django_db_blocker):
    """The demo street, built once for this module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            named = demo.build_demo_street()
            yield {row["username"]: row for row in named}
            transaction.set_rollback(True)


def _users_with(role: str) -> set[int]:
    return set(Assignment.objects.filter(role=role, node__street__code=demo.DEMO_STREET_CODE).values_list("user_id", flat=True))


@pytest.mark.django_db
def test_demo_street_has_the_shape_of_seed_000(demo_street):
    """116 grids, 980 household groups, 36 grid leaders and 94 grid workers under street DEMO in county DEMO-K."""
    street = Node.objects.get(code=demo.DEMO_STREET_CODE)
    assert street.level == Level.STREET and street.parent.code == demo.DEMO_COUNTY_CODE
    by_level = Counter(Node.objects.filter(street=street).values_list("level", flat=True))
    assert by_level[Level.GRID] == 116
    assert by_level[Level.GROUP] == 980
    assert 6 <= by_level[Level.COMMUNITY] <= 10
    assert len(_users_with(Role.GRID_LEADER)) == 36
    assert len(_users_with(Role.GRID_WORKER)) == 94
    households = Household.objects.filter(street=street).count()
    assert 9000 <= households <= 10600  # about ten per group


@pytest.mark.django_db
def test_named_users_log_in_with_demo_and_have_their_scopes(demo_street):
    """The named demo users exist with password 'demo'; gridleader has ≥2 grids; grid1/grid2 share a community;
    dept is a street department's account, safety a community's safety officer."""
    assert list(demo_street) == NAMED
    users = {u.username: u for u in User.objects.filter(username__in=NAMED)}
    assert set(users) == set(NAMED)
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in users.values())
    street = Node.objects.get(code=demo.DEMO_STREET_CODE)
    for name, role in [("office", Role.OFFICE), ("leader", Role.LEADER), ("police", Role.OFFICER)]:
        a = users[name].assignments.get()
        assert (a.role, a.node_id) == (role, street.id)
        assert demo_street[name]["scope"] == "西门街道"
    community = users["community"].assignments.get().node
    assert community.level == Level.COMMUNITY and community.sort == 1
    leader_grids = [a.node for a in users["gridleader"].assignments.all()]
    assert len(leader_grids) >= 2
    assert {g.community_id for g in leader_grids} == {community.id}
    g1 = users["grid1"].assignments.get(role=Role.GRID_WORKER).node
    g2 = users["grid2"].assignments.get(role=Role.GRID_WORKER).node
    assert g1.level == g2.level == Level.GRID
    assert g1.id != g2.id and g1.community_id == g2.community_id == community.id
    group = users["grouphead"].assignments.get(role=Role.GROUP_HEAD).node
    assert group.level == Level.GROUP and group.grid_id == g1.id
    unit = users["liaison"].assignments.get(role=Role.LIAISON).unit
    assert unit.kind == UnitKind.SCHOOL and demo_street["liaison"]["scope"] == unit.name
    assert demo_street["grid1"]["scope"] == g1.name
    assert users["grid1"].groups.filter(name="role:grid_worker").exists()  # the role's permissions apply
    dept = users["dept"].assignments.get(role=Role.DEPARTMENT)
    assert dept.node_id is None and dept.unit.kind == UnitKind.STREET_DEPARTMENT
    assert users["safety"].assignments.get(role=Role.SAFETY_STAFF).node_id == community.id


@pytest.mark.django_db
def test_grid_workers_see_only_their_own_grid(demo_street):
    """grid1's scoped residents all live in grid 1, grid2's in grid 2, and the two sets are disjoint."""
    grid1, grid2 = User.objects.get(username="grid1"), User.objects.get(username="grid2")
    g1 = grid1.assignments.get().node_id
    g2 = grid2.assignments.get().node_id
    seen1 = list(resident_search(grid1).values_list("grid_id", flat=True))
    seen2 = list(resident_search(grid2).values_list("grid_id", flat=True))
    assert seen1 and set(seen1) == {g1}
    assert seen2 and set(seen2) == {g2}
    assert len(seen1) == Resident.objects.filter(grid_id=g1).count()


@pytest.mark.django_db
def test_resident_id_and_phone_numbers_are_valid_unique_and_masked(demo_street):
    """Every ID number passes GB 11643 and matches birth date and gender; masks look like 110***********1234."""
    numbers = set()
    for r in Resident.objects.filter(street__code=demo.DEMO_STREET_CODE).iterator(chunk_size=5000):
        idn = r.id_number
        assert parse_id_number(idn) == idn
        assert (id_birth_date(idn), id_gender(idn)) == (r.birth_date, r.gender)
        assert ID_MASK.match(r.id_number_masked) and r.id_number_masked[-4:] == idn[-4:]
        numbers.add(idn)
        if r.phone_masked:
            assert parse_phone(r.phone) == r.phone and PHONE_MASK.match(r.phone_masked)
    assert len(numbers) == Resident.objects.filter(street__code=demo.DEMO_STREET_CODE).count()


@pytest.mark.django_db
def test_population_is_plausible(demo_street):
    """~2.7 per household, ~20% aged 60+, ~15% not permanent, ~3% elderly living alone, students and finance staff."""
    qs = Resident.objects.filter(street__code=demo.DEMO_STREET_CODE)
    n = qs.count()
    assert 24_000 <= n <= 29_000
    assert 2.5 <= n / Household.objects.filter(street__code=demo.DEMO_STREET_CODE).count() <= 2.9
    elderly = qs.filter(birth_date__lte=elderly_born_before())
    assert 0.17 <= elderly.count() / n <= 0.25
    assert 0.02 <= elderly.filter(lives_alone=True).count() / n <= 0.04
    assert 0.10 <= qs.exclude(residency=Residency.PERMANENT).count() / n <= 0.20
    assert qs.filter(residency=Residency.FLOATING).exists() and qs.filter(residency=Residency.TEMPORARY).exists()
    assert 0.08 <= qs.filter(is_student=True).count() / n <= 0.20
    assert qs.filter(is_finance_staff=True).count() > 100
    assert qs.filter(lives_alone=True).exclude(birth_date__lte=elderly_born_before()).count() == 0


@pytest.mark.django_db
def test_units_have_staff_some_of_them_residents_with_families(demo_street):
    """~40 units of every kind, one new one without staff yet; staff linked to residents share their ID; linked
    family live in the same household."""
    units = Unit.objects.filter(street__code=demo.DEMO_STREET_CODE)
    assert 35 <= units.count() <= 45
    kinds = set(units.values_list("kind", flat=True))
    assert {UnitKind.STREET_DEPARTMENT, UnitKind.SCHOOL, UnitKind.BANK, UnitKind.HOTEL, UnitKind.COMPANY,
            UnitKind.HOSPITAL} <= kinds
    assert list(units.filter(staff__isnull=True).values_list("name", flat=True)) == ["示范县优品生活超市（新开业）"]
    staff = StaffMember.objects.filter(street__code=demo.DEMO_STREET_CODE)
    linked = staff.filter(resident__isnull=False).select_related("resident")
    assert 0.2 * staff.count() <= linked.count() <= 0.7 * staff.count()
    for s in linked[:200]:
        assert (s.id_number_hash, s.name) == (s.resident.id_number_hash, s.resident.name)
    family = FamilyMember.objects.filter(staff__unit__street__code=demo.DEMO_STREET_CODE)
    assert set(family.values_list("relation", flat=True)) == {"parent", "spouse", "child"}
    for f in family.filter(resident__isnull=False).select_related("resident", "staff__resident")[:200]:
        assert f.staff.resident.household_id == f.resident.household_id
        assert f.id_number_hash == f.resident.id_number_hash
    assert not family.filter(resident__isnull=True, id_number_hash="").exists()


@pytest.mark.django_db
def test_one_household_group_is_empty(demo_street):
    """Exactly one household group of the demo street has nobody registered yet (pages must cope with empty nodes)."""
    groups = Node.objects.filter(street__code=demo.DEMO_STREET_CODE, level=Level.GROUP)
    filled = set(Household.objects.filter(street__code=demo.DEMO_STREET_CODE).values_list("group_id", flat=True))
    assert len([g for g in groups.values_list("id", flat=True) if g not in filled]) == 1


@pytest.mark.django_db
def test_a_second_build_fails_and_leaves_nothing(demo_street):
    """The node codes are unique: building the demo street again raises and adds no rows."""
    before = (Node.objects.count(), Resident.objects.count(), User.objects.count())
    with pytest.raises(IntegrityError), transaction.atomic():
        demo.build_demo_street()
    assert (Node.objects.count(), Resident.objects.count(), User.objects.count()) == before


SMALL = dict(streets=1, communities_per_street=2, grids_per_community=2, groups_per_grid=2, households_per_group=2,
             residents_per_household=2, units=3, staff_per_unit=2)


def _assert_placed_like(rows, parent_of):
    for row in rows:
        parent = parent_of(row)
        assert [getattr(row, f"{f}_id") for f in ANCESTOR_FIELDS] == [getattr(parent, f"{f}_id") for f in ANCESTOR_FIELDS]


@pytest.mark.django_db
def test_small_county_has_exact_counts_and_consistent_ancestor_columns():
    """build_county gives exactly the asked numbers, and every record carries its parent's ancestor columns."""
    counts = demo.build_county(**SMALL)
    assert counts == {"streets": 1, "communities": 2, "grids": 4, "groups": 8, "households": 16, "residents": 32,
                      "units": 3, "staff": 6, "family_members": counts["family_members"]}
    county = Node.objects.get(code=demo.BENCH_COUNTY_CODE)
    nodes = Node.objects.filter(county=county)
    assert Counter(nodes.values_list("level", flat=True)) == {"county": 1, "street": 1, "community": 2, "grid": 4, "group": 8}
    for node in nodes.select_related("parent"):
        assert getattr(node, f"{node.level}_id") == node.id
        if node.parent:
            assert [getattr(node, f"{f}_id") for f in ANCESTOR_FIELDS[: node.depth]] == \
                   [getattr(node.parent, f"{f}_id") for f in ANCESTOR_FIELDS[: node.depth]]
            assert node.parent.depth == node.depth - 1
    households = Household.objects.filter(county=county).select_related("group")
    assert households.count() == 16
    _assert_placed_like(households, lambda h: h.group)
    _assert_placed_like(Resident.objects.filter(county=county).select_related("household"), lambda r: r.household)
    _assert_placed_like(Unit.objects.filter(county=county).select_related("node"), lambda u: u.node)
    _assert_placed_like(StaffMember.objects.filter(county=county).select_related("unit"), lambda s: s.unit)
    _assert_placed_like(FamilyMember.objects.filter(county=county).select_related("staff"), lambda f: f.staff)
    assert Counter(Resident.objects.filter(county=county).values_list("group_id", flat=True)).most_common()[-1][1] == 4
    for r in Resident.objects.filter(county=county):
        assert parse_id_number(r.id_number) == r.id_number


@pytest.mark.django_db
def test_records_added_after_a_build_get_fresh_ids():
    """The build reserves its primary keys properly: the services can add rows afterwards."""
    demo.build_county(**SMALL)
    group = Node.objects.filter(level=Level.GROUP, county__code=demo.BENCH_COUNTY_CODE).first()
    top = Resident.objects.order_by("-id").values_list("id", flat=True).first()
    household = services.household_create(node=group, address="新建路1号")
    resident = services.resident_create(household=household, name="新居民")
    unit = services.unit_create(node=Node.objects.get(pk=group.street_id), name="新单位", kind="company")
    staff = services.staff_create(unit=unit, name="新职工")
    services.family_member_add(staff=staff, relation="child", name="新子女")
    assert resident.id > top


@pytest.mark.django_db
def test_county_and_demo_street_share_one_database(demo_street):
    """Both data sets load side by side: no ID number is used twice."""
    demo.build_county(**SMALL)
    hashes = list(Resident.objects.values_list("id_number_hash", flat=True))
    assert len(hashes) == len(set(hashes))


def test_people_are_reproducible_from_the_seed():
    """The same seed gives the same households (names, ID numbers, phones)."""
    def draw(seed):
        people = demo.People(random.Random(seed), local_regions=demo.DEMO_LOCAL_REGIONS, seq_base=0, seq_span=400)
        return [(p.name, p.id_number, p.phone) for size in (1, 2, 3, 4, 5, 6) for p in people.household(size)]

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)
