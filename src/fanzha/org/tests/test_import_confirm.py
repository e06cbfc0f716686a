"""A passing check-only upload offers 确认导入, which imports the same file (kept server-side under a
token, for its user only, until it expires); imports refresh the street's cached head counts."""

from __future__ import annotations

import re

import pytest

from fanzha.org.models import Resident
from fanzha.org.tests.io_helpers import RESIDENT_HEADERS, as_lists, resident_row, write_xlsx
from fanzha.org.tests.test_import_web import post_import


def _token(html: str) -> str:
    return re.search(r'name="confirm" value="([^"]+)"', html).group(1)


def test_check_then_confirm_imports_without_reupload(login, personas, tree, tmp_path, settings):
    """Check passes → 确认导入 imports the checked file; the token is single-use; the form is not left on 只检查."""
    settings.FANZHA_HOME = tmp_path / "home"  # this test's own kept files (tests run in parallel processes)
    path = write_xlsx(tmp_path / "good.xlsx", as_lists([resident_row(1), resident_row(2)], RESIDENT_HEADERS))
    c = login(personas.office)
    before = Resident.objects.count()
    html = post_import(c, path, dry_run=True).content.decode()
    assert Resident.objects.count() == before
    assert "checked" not in re.search(r'<form class="import-form".*?</form>', html, re.S).group(0)
    token = _token(html)
    kept = list((settings.FANZHA_HOME / "import-checked").iterdir())
    assert len(kept) == 2
    html = c.post("/io/import/residents/", {"confirm": token}).content.decode()
    assert "导入完成" in html and Resident.objects.count() == before + 2
    assert not list((settings.FANZHA_HOME / "import-checked").iterdir())
    html = c.post("/io/import/residents/", {"confirm": token}, follow=True).content.decode()
    assert "已过期或无效" in html and Resident.objects.count() == before + 2


def test_confirm_is_the_checkers_only_and_expires(login, personas, tree, tmp_path, monkeypatch):
    """Another user, another kind or an expired token imports nothing."""
    from fanzha.org import services, views_io
    from fanzha.org.models import Role

    other = services.user_create(username="office2", password="pw", display_name="office2", role=Role.OFFICE, node=tree.street)
    path = write_xlsx(tmp_path / "good.xlsx", as_lists([resident_row(3)], RESIDENT_HEADERS))
    before = Resident.objects.count()
    token = _token(post_import(login(personas.office), path, dry_run=True).content.decode())
    assert "已过期或无效" in login(other).post("/io/import/residents/", {"confirm": token}).content.decode()
    assert Resident.objects.count() == before
    token = _token(post_import(login(personas.office), path, dry_run=True).content.decode())
    monkeypatch.setattr(views_io, "CHECKED_TTL", -1)
    assert "已过期或无效" in login(personas.office).post("/io/import/residents/", {"confirm": token}).content.decode()
    assert login(personas.office).post("/io/import/residents/", {"confirm": "../../etc/passwd"}).status_code == 200
    assert Resident.objects.count() == before


@pytest.mark.django_db
def test_import_refreshes_cached_street_counts(login, personas, tree, tmp_path, settings):
    """After an import the street's resident total agrees at once with its community rows (no 5-minute lag)."""
    from fanzha.org import figures

    settings.FANZHA_FIGURES_TTL = 300
    before = figures.figures_by_node(personas.office, [tree.street])[tree.street.id]["residents"]
    path = write_xlsx(tmp_path / "good.xlsx", as_lists([resident_row(4), resident_row(5)], RESIDENT_HEADERS))
    post_import(login(personas.office), path)
    after = figures.figures_by_node(personas.office, [tree.street])[tree.street.id]["residents"]
    assert after == before + 2
