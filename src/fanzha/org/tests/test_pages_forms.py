"""Adding and editing residents, households, staff and family through the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from fanzha.core.idnumbers import make_id_number
from fanzha.org.models import FamilyMember, Household, Resident, StaffMember

BAD_ID = "110101195003071231"  # valid date, wrong check character
GOOD_ID = make_id_number("110101", dt.date(1990, 4, 5), 771)


def _resident_data(**kw):
    data = {"name": "陈新", "residency": "permanent", "id_number": "", "phone": "", "phone2": ""}
    data.update(kw)
    return data


def test_new_resident_form_renders(login, personas, tree):
    """The new-resident form opens for a household in scope."""
    resp = login(personas.grid1).get(f"/residents/new/?household={tree.h1.pk}")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'name="id_number"' in html and tree.h1.address in html


def test_new_resident_needs_household(login, personas, tree):
    """Without a household in scope there is no form to fill."""
    c = login(personas.grid1)
    assert c.get("/residents/new/").status_code == 404
    assert c.get("/residents/new/?household=x").status_code == 404


def test_create_resident_normalises_numbers(login, personas, tree):
    """A new resident's ID and phone typed loosely are stored in canonical form."""
    resp = login(personas.grid1).post(f"/residents/new/?household={tree.h1.pk}", _resident_data(
        id_number=GOOD_ID[:6] + " " + GOOD_ID[6:].lower(), phone="+86 １３９-0000-1111", is_student="on"))
    r = Resident.objects.get(name="陈新")
    assert resp.status_code == 302 and resp.url == f"/residents/{r.pk}/"
    assert r.id_number == GOOD_ID and r.phone == "13900001111"
    assert r.birth_date == dt.date(1990, 4, 5) and r.is_student and r.household == tree.h1
    assert r.grid_id == tree.g1.id


def test_bad_id_keeps_everything_typed(login, personas, tree):
    """A bad ID checksum re-renders the form with the error and all typed values, the bad ID included."""
    typed_phone = "+86 139-0000-2222"
    resp = login(personas.grid1).post(f"/residents/new/?household={tree.h1.pk}", _resident_data(
        name="陈错", id_number=BAD_ID, phone=typed_phone, occupation="司机", note="夜班"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "身份证号校验位错误" in html
    assert f'value="{BAD_ID}"' in html
    assert f'value="{typed_phone}"' in html
    assert 'value="陈错"' in html and 'value="司机"' in html and "夜班" in html
    assert not Resident.objects.filter(name="陈错").exists()


def test_bad_phone_and_id_both_reported(login, personas, tree):
    """Several wrong fields are reported together, each next to its field."""
    html = login(personas.grid1).post(f"/residents/new/?household={tree.h1.pk}", _resident_data(
        id_number="12345", phone="555", phone2="12800001111")).content.decode()
    assert "身份证号应为18位" in html and "实际为3位" in html and "号段无效" in html


def test_missing_name_and_future_birth_date(login, personas, tree):
    """An empty name and a birth date in the future are refused."""
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    c = login(personas.grid1)
    html = c.post(f"/residents/new/?household={tree.h1.pk}", _resident_data(name="", birth_date=future)).content.decode()
    assert "errorlist" in html and future in html
    html = c.post(f"/residents/new/?household={tree.h1.pk}", _resident_data(name="陈未来", birth_date=future)).content.decode()
    assert "出生日期不能在未来" in html and future in html and 'value="陈未来"' in html
    assert Resident.objects.count() == 5


def test_duplicate_id_refused(login, personas, tree):
    """An ID number already registered to another resident is refused on the ID field."""
    html = login(personas.office).post(f"/residents/new/?household={tree.h1.pk}",
                                       _resident_data(id_number=tree.r3.id_number)).content.decode()
    assert "该身份证号已登记在其他居民名下" in html


def test_edit_form_does_not_prefill_numbers(login, personas, tree):
    """The edit form shows masked numbers as placeholders and never the full ones."""
    html = login(personas.grid1).get(f"/residents/{tree.r1.pk}/edit/").content.decode()
    assert 'placeholder="138****8001"' in html and f'placeholder="{tree.r1.id_number_masked}"' in html
    assert tree.r1.phone not in html and tree.r1.id_number not in html
    assert 'value="王建国"' in html and "留空表示不修改" in html


def test_edit_with_empty_numbers_keeps_them(login, personas, tree):
    """Saving the edit form with empty ID/phone fields keeps the stored numbers."""
    resp = login(personas.grid1).post(f"/residents/{tree.r1.pk}/edit/", _resident_data(
        name="王建国", occupation="退休", lives_alone="on"))
    assert resp.status_code == 302
    r = Resident.objects.get(pk=tree.r1.pk)
    assert r.occupation == "退休" and r.lives_alone
    assert r.id_number == tree.r1.id_number and r.phone == tree.r1.phone


def test_edit_changes_and_clears_numbers(login, personas, tree):
    """A typed number replaces the stored one; the clear box removes it."""
    c = login(personas.grid1)
    c.post(f"/residents/{tree.r1.pk}/edit/", _resident_data(name="王建国", phone2="138-0000-9999"))
    r = Resident.objects.get(pk=tree.r1.pk)
    assert r.phone2 == "13800009999" and r.phone == tree.r1.phone
    c.post(f"/residents/{tree.r1.pk}/edit/", _resident_data(name="王建国", phone2_clear="on"))
    r = Resident.objects.get(pk=tree.r1.pk)
    assert r.phone2 == "" and r.phone == tree.r1.phone and r.id_number == tree.r1.id_number


def test_edit_error_keeps_typed_values_and_stored_numbers(login, personas, tree):
    """A failed edit shows the typed bad ID and leaves the stored record as it was."""
    resp = login(personas.grid1).post(f"/residents/{tree.r1.pk}/edit/", _resident_data(
        name="王建国改", id_number=BAD_ID, phone=""))
    html = resp.content.decode()
    assert resp.status_code == 200 and "身份证号校验位错误" in html and f'value="{BAD_ID}"' in html
    assert 'value="王建国改"' in html
    assert tree.r1.phone not in html  # the stored number is still not put into the page
    r = Resident.objects.get(pk=tree.r1.pk)
    assert r.name == "王建国" and r.id_number == tree.r1.id_number


def test_group_head_can_edit_own_group(login, personas, tree):
    """A group head (no reveal permission) may still enter records of their group."""
    resp = login(personas.grouphead).post(f"/residents/{tree.r1.pk}/edit/", _resident_data(name="王建国", note="已走访"))
    assert resp.status_code == 302
    assert Resident.objects.get(pk=tree.r1.pk).phone == tree.r1.phone


# --- households --------------------------------------------------------------


def test_household_create_and_edit(login, personas, tree):
    """A household is added to a group and its address edited."""
    c = login(personas.grid1)
    resp = c.post(f"/households/new/?node={tree.g1a.pk}", {"address": "东关路8号", "head_name": "周强"})
    h = Household.objects.get(address="东关路8号")
    assert resp.status_code == 302 and resp.url == f"/households/{h.pk}/"
    assert h.group_id == tree.g1a.id and h.grid_id == tree.g1.id
    resp = c.post(f"/households/{h.pk}/edit/", {"address": "东关路8号附1", "head_name": "周强"})
    assert resp.status_code == 302
    h.refresh_from_db()
    assert h.address == "东关路8号附1"


def test_household_duplicate_address_kept_typed(login, personas, tree):
    """A duplicate address in the same grid is refused with the typed values kept."""
    html = login(personas.grid1).post(f"/households/new/?node={tree.g1a.pk}",
                                      {"address": tree.h1.address, "head_name": "某某", "note": "备注内容"}).content.decode()
    assert "errorlist" in html and "备注内容" in html and 'value="某某"' in html


def test_household_on_community_refused(login, personas, tree):
    """A household can only be added under a grid or household group."""
    html = login(personas.office).post(f"/households/new/?node={tree.c1.pk}", {"address": "某路1号"}).content.decode()
    assert "户必须归属到网格或十联户" in html
    assert not Household.objects.filter(address="某路1号").exists()


def test_household_page_lists_residents(login, personas, tree):
    """A household page lists its residents with masked numbers."""
    html = login(personas.grid1).get(f"/households/{tree.h1.pk}/").content.decode()
    assert "王建国" in html and "王小明" in html and "138****8011" in html


# --- units, staff, family --------------------------------------------------------------


def test_staff_create(login, personas, tree):
    """A liaison adds a staff member to their unit; a resident with that ID is linked."""
    resp = login(personas.liaison).post(f"/units/{tree.unit.pk}/staff/new/", {
        "name": "钱会计", "id_number": tree.r2.id_number, "phone": "13900139002", "position": "会计", "employment": "contract"})
    assert resp.status_code == 302 and resp.url == f"/units/{tree.unit.pk}/"
    s = StaffMember.objects.get(name="钱会计")
    assert s.resident_id == tree.r2.id and s.employment == "contract"


def test_staff_bad_id_kept(login, personas, tree):
    """A staff member with a bad ID is refused with what was typed kept."""
    html = login(personas.liaison).post(f"/units/{tree.unit.pk}/staff/new/", {
        "name": "钱会计", "id_number": BAD_ID, "employment": "formal"}).content.decode()
    assert "身份证号校验位错误" in html and f'value="{BAD_ID}"' in html and 'value="钱会计"' in html


def test_family_member_add(login, personas, tree):
    """A family member is added to a staff member and shown on the unit page."""
    c = login(personas.liaison)
    resp = c.post(f"/staff/{tree.staff.pk}/family/new/", {"relation": "child", "name": "赵小妹"})
    assert resp.status_code == 302
    assert FamilyMember.objects.filter(staff=tree.staff, name="赵小妹").exists()
    assert "赵小妹" in c.get(f"/units/{tree.unit.pk}/").content.decode()


def test_family_out_of_scope_404(login, personas, tree):
    """Family can only be added to staff in scope."""
    assert login(personas.grid1).post(f"/staff/{tree.staff.pk}/family/new/", {"relation": "child", "name": "x"}).status_code == 404


def test_resident_detail_shows_staff_and_family_roles(login, personas, tree):
    """A resident who is unit staff or a staff member's family shows those roles."""
    from fanzha.org import services

    services.staff_create(unit=tree.unit, name="王建国", id_number=tree.r1.id_number, position="门卫")
    services.family_member_add(staff=tree.staff, relation="spouse", name="王小明", id_number=tree.r1b.id_number)
    c = login(personas.grid1)
    html = c.get(f"/residents/{tree.r1.pk}/").content.decode()
    assert "西门小学" in html and "门卫" in html
    assert f"/units/{tree.unit.pk}/" not in html  # the unit is outside grid1's scope: named, not linked
    html = c.get(f"/residents/{tree.r1b.pk}/").content.decode()
    assert "赵老师的配偶" in html
    assert f"/units/{tree.unit.pk}/" in login(personas.office).get(f"/residents/{tree.r1.pk}/").content.decode()


@pytest.mark.parametrize("url", ["/residents/{r1}/edit/", "/residents/new/?household={h1}", "/households/new/?node={g1a}",
                                 "/households/{h1}/edit/"])
def test_forms_open_for_grid_worker(login, personas, tree, url):
    """The form pages open for a grid worker inside their grid."""
    url = url.format(r1=tree.r1.pk, h1=tree.h1.pk, g1a=tree.g1a.pk)
    assert login(personas.grid1).get(url).status_code == 200
