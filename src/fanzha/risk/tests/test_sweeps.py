"""Sweeps, premises checks and their bad input."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fanzha.core.idnumbers import make_id_number
from fanzha.org.models import Resident
from fanzha.outreach.tests.conftest import jpeg_bytes
from fanzha.risk import selectors
from fanzha.risk.models import CheckPhoto, KeyPerson, SweepPerson
from fanzha.risk.services import premises as pr
from fanzha.risk.services import sweeps as sw

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 25)


@pytest.fixture
def sweep(tree, personas):
    return sw.sweep_create(user=personas.gridleader, held_on=TODAY, grids=[tree.g1, tree.g2], members=[personas.police],
                           volunteer_count=3, today=TODAY)


def test_off_window_sweeps_are_marked(tree, personas):
    """Wednesday 19:00–22:00 is in the window; a Thursday or a 17:00 start is recorded and marked."""
    ok = sw.sweep_create(user=personas.grid1, held_on=TODAY, grids=[tree.g1], today=TODAY)
    thu = sw.sweep_create(user=personas.grid1, held_on=D(2026, 11, 19), grids=[tree.g1], today=TODAY)
    early = sw.sweep_create(user=personas.grid1, held_on=TODAY, grids=[tree.g1], starts_at=dt.time(17), today=TODAY)
    assert (ok.off_window, thu.off_window, early.off_window) == (False, True, True)


def test_member_not_of_this_street_is_refused(tree, personas):
    """A team member who is not a user of the street is named in the error; nothing is saved."""
    with pytest.raises(ValidationError) as e:
        sw.sweep_create(user=personas.grid1, held_on=TODAY, grids=[tree.g1], members=[personas.outsider], today=TODAY)
    assert "outsider" in str(e.value.message_dict["members"])


def test_same_person_twice_is_one_record(tree, personas, sweep):
    """Checking r1 twice in a sweep keeps one record; the second check's flags replace the first's."""
    sw.person_check(user=personas.grid1, sweep=sweep, resident=tree.r1)
    sp = sw.person_check(user=personas.police, sweep=sweep, resident=tree.r1, hotspot_ties=True, note="常去边境")
    assert SweepPerson.objects.filter(sweep=sweep).count() == 1
    sp.refresh_from_db()
    assert sp.hotspot_ties and sp.note == "常去边境"
    sweep.refresh_from_db()
    assert (sweep.people_checked, sweep.findings) == (1, 1)


def test_floating_person_added_on_the_spot(tree, personas, sweep):
    """A new floating person is registered as a floating resident of the grid; again by ID number → same record."""
    idn = make_id_number("450102", D(1999, 1, 2), 77)
    sw.person_check(user=personas.grid1, sweep=sweep, name="韦某", id_number=idn, address="东关路30号", grid=tree.g1,
                    no_regular_job=True)
    sw.person_check(user=personas.grid1, sweep=sweep, name="韦某", id_number=idn, address="东关路30号", grid=tree.g1)
    r = Resident.objects.get(name="韦某")
    assert r.residency == "floating" and r.grid_id == tree.g1.id
    assert SweepPerson.objects.filter(sweep=sweep, resident=r).count() == 1


def test_one_tap_opens_a_file(tree, personas, sweep):
    """A finding becomes a key-person file in one call; a second tap returns the same file."""
    sp = sw.person_check(user=personas.grid1, sweep=sweep, resident=tree.r2, frequent_moves=True)
    p = sw.person_open_file(user=personas.grid1, checked=sp)
    assert p.resident == tree.r2 and p.source_sweep == sweep and "频繁更换住处" in p.watch_for
    assert sw.person_open_file(user=personas.grid1, checked=sp) == p
    assert KeyPerson.objects.count() == 1


def test_grid_worker_sees_sweeps_of_their_grids(tree, personas, sweep):
    """A sweep placed at the community is visible to grid1 (covers g1) and not to a c2 user."""
    assert sweep.grid_id is None and sweep.community_id == tree.c1.id
    assert list(selectors.sweeps_for(personas.grid1)) == [sweep]
    assert list(selectors.sweeps_for(personas.outsider)) == []


def test_premises_flag_stays_until_cleared(tree, personas, hotel):
    """A den finding flags the premises; an earlier-dated clean check does not clear it; a later clean check does."""
    pr.check_record(user=personas.grid1, premises=hotel, checked_on=D(2026, 11, 10), finding="den", today=TODAY)
    hotel.refresh_from_db()
    assert hotel.open_finding == "den" and hotel.open_finding_since == D(2026, 11, 10)
    pr.check_record(user=personas.grid1, premises=hotel, checked_on=D(2026, 11, 1), finding="none", today=TODAY)
    hotel.refresh_from_db()
    assert hotel.open_finding == "den"
    period = type("P", (), {"start": D(2026, 1, 1), "end": D(2026, 12, 31)})
    assert list(selectors.premises_with_open_den_finding(tree.c1, period)) == [hotel]
    pr.check_record(user=personas.grid1, premises=hotel, checked_on=D(2026, 11, 20), finding="none", today=TODAY)
    hotel.refresh_from_db()
    assert hotel.open_finding == "" and hotel.last_checked_on == D(2026, 11, 20)
    # The den was still found in 2026: the assessment still sees it for the year, not for 2027.
    assert list(selectors.premises_with_open_den_finding(tree.c1, period)) == [hotel]
    p2027 = type("P", (), {"start": D(2027, 1, 1), "end": D(2027, 12, 31)})
    assert list(selectors.premises_with_open_den_finding(tree.c1, p2027)) == []


def test_photo_is_checked_and_stripped(tree, personas, hotel):
    """A JPEG photo is kept without GPS; a PDF named .jpg is refused and nothing is saved."""
    good = SimpleUploadedFile("a.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")
    c = pr.check_record(user=personas.grid1, premises=hotel, checked_on=TODAY, finding="none", files=[good], today=TODAY)
    photo = CheckPhoto.objects.get(check_record=c)
    assert photo.had_gps and photo.thumb
    fake = SimpleUploadedFile("b.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        pr.check_record(user=personas.grid1, premises=hotel, checked_on=TODAY, finding="none", files=[fake], today=TODAY)
    assert CheckPhoto.objects.count() == 1


def test_premises_in_sweep_once(tree, personas, sweep, hotel):
    """A premises checked twice in one sweep is one check (updated); one outside the sweep's grids is refused."""
    sw.premises_check_in_sweep(user=personas.grid1, sweep=sweep, premises=hotel)
    sw.premises_check_in_sweep(user=personas.grid1, sweep=sweep, premises=hotel, finding="unregistered", note="2人未登记")
    assert hotel.checks.count() == 1 and hotel.checks.get().finding == "unregistered"
    sweep.refresh_from_db()
    assert (sweep.premises_checked, sweep.findings) == (1, 1)
    other = pr.premises_create(user=personas.police, grid=tree.g3, data=pr.PremisesData(name="网吧", kind="internet_cafe", address="南门街1号"))
    with pytest.raises(ValidationError):
        sw.premises_check_in_sweep(user=personas.police, sweep=sweep, premises=other)


def test_calendar_and_unswept_grids(tree, personas):
    """Sweeps on two Wednesdays of c1's grids show on the calendar; g3 and g2 are unswept for 4 weeks."""
    sw.sweep_create(user=personas.grid1, held_on=D(2026, 11, 18), grids=[tree.g1], today=TODAY)
    sw.sweep_create(user=personas.grid1, held_on=D(2026, 11, 5), grids=[tree.g1], today=TODAY)
    cal = selectors.sweep_calendar(personas.office, node=tree.street, today=TODAY, weeks=4)
    assert cal["wednesdays"][-1] == TODAY and len(cal["wednesdays"]) == 4
    c1 = next(r for r in cal["rows"] if r["community"] == tree.c1)
    assert c1["swept"] == [True, False, True, False] and c1["count"] == 2  # the Thursday 11-05 counts for its week
    assert {u["grid"].name for u in cal["unswept"]} == {tree.g2.name, tree.g3.name}


def test_document_upload_not_what_it_says(personas, tree, file_r1):
    """A document whose content does not match its name is refused with the reason."""
    from fanzha.risk.services import key_persons as kp

    with pytest.raises(ValidationError) as e:
        kp.document_add(user=personas.police, person=file_r1, upload=SimpleUploadedFile("判决书.pdf", jpeg_bytes()))
    assert "不是PDF" in str(e.value)
    d = kp.document_add(user=personas.police, person=file_r1, upload=SimpleUploadedFile("判决书.pdf", b"%PDF-1.4\n..."))
    assert d.content_type == "application/pdf"
    _ = io


def test_tallies_follow_every_check(tree, personas, sweep, hotel):
    """The monthly tallies kept by the services equal a recount from the checks, also after a sweep check is changed."""
    from fanzha.risk.models import CheckTally

    pr.check_record(user=personas.grid1, premises=hotel, checked_on=D(2026, 10, 3), finding="den", today=TODAY)
    pr.check_record(user=personas.grid1, premises=hotel, checked_on=D(2026, 11, 3), finding="none", today=TODAY)
    sw.premises_check_in_sweep(user=personas.grid1, sweep=sweep, premises=hotel, finding="two_card")
    sw.premises_check_in_sweep(user=personas.grid1, sweep=sweep, premises=hotel, finding="none")

    def kept():
        return sorted(CheckTally.objects.values_list("grid_id", "month", "checks", "findings", "dens", "sweep_checks",
                                                     "sweep_findings"))
    before = kept()
    pr.tallies_rebuild(tree.street)
    assert kept() == before == [(tree.g1.id, D(2026, 10, 1), 1, 1, 1, 0, 0), (tree.g1.id, D(2026, 11, 1), 2, 0, 0, 1, 0)]
