from fanzha.core.scoping import scoped
from fanzha.org.models import Resident


def test_grid_worker_sees_only_own_grid(personas, tree):
    """A grid worker's resident query holds their grid's residents and no others."""
    names = set(scoped(Resident.objects.all(), personas.grid1).values_list("name", flat=True))
    assert names == {"王建国", "王小明"}


def test_office_sees_own_street_not_other(personas, tree):
    """The office sees its whole street and nothing of the neighbouring street."""
    ids = set(scoped(Resident.objects.all(), personas.office).values_list("id", flat=True))
    assert ids == {tree.r1.id, tree.r1b.id, tree.r2.id, tree.r3.id}


def test_liaison_sees_no_residents_but_own_staff(personas, tree):
    """A unit liaison sees their unit's staff and no residents."""
    from fanzha.org.models import StaffMember

    assert not scoped(Resident.objects.all(), personas.liaison).exists()
    assert list(scoped(StaffMember.objects.all(), personas.liaison)) == [tree.staff]
