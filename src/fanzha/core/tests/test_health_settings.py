import pytest
from django.core.exceptions import ImproperlyConfigured

from fanzha.settings import envbool, envint


def test_healthz_ok(client, db):
    """/healthz answers 200 when the database answers."""
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_healthz_wrong_method(client, db):
    """/healthz only answers GET."""
    assert client.post("/healthz").status_code == 405


def test_strict_env_helpers(monkeypatch):
    """Bad environment values fail loudly instead of being guessed."""
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured):
        envbool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured):
        envint("X_INT", 1)
    monkeypatch.setenv("X_BOOL", "yes")
    assert envbool("X_BOOL", False) is True


def test_audit_log_page_office_only(login, personas):
    """The office reads the audit log (logins are in it); a grid worker cannot."""
    c = login(personas.grid1)
    assert c.get("/audit/").status_code == 403
    c = login(personas.office)
    r = c.get("/audit/")
    assert r.status_code == 200


def test_capped_paginator_stops_counting(tree):
    """The capped paginator counts no further than its cap and says so."""
    from fanzha.core.paging import CappedPaginator
    from fanzha.org.models import Resident

    p = CappedPaginator(Resident.objects.order_by("id"), 2)
    p.cap = 3
    assert p.count == 3 and p.capped  # 5 residents exist
    p = CappedPaginator(Resident.objects.filter(grid=tree.g1).order_by("id"), 2)
    assert p.count == 2 and not p.capped
