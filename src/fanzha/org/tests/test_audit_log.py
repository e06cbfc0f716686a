"""The audit log page: filters by person, action and dates; people and records by name."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fanzha.core.audit import audit
from fanzha.core.models import AuditAction, AuditLog


def _entries(tree, personas):
    a = audit(user=personas.grid1, action=AuditAction.REVEAL, target=f"resident:{tree.r1.pk}", detail="查看")
    b = audit(user=personas.office, action=AuditAction.EXPORT, target="export:residents", detail="导出")
    c = audit(user=personas.outsider, action=AuditAction.REVEAL, target=f"resident:{tree.r9.pk}", detail="别的街道")
    old = audit(user=personas.office, action=AuditAction.IMPORT, target="import:residents", detail="旧的导入")
    AuditLog.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    return a, b, c, old


def test_audit_log_names_people_roles_and_records(login, personas, tree):
    """Entries show the person's name and role, and a resident target as a link with the resident's name."""
    _entries(tree, personas)
    html = login(personas.office).get("/audit/").content.decode()
    assert "网格员（东关第一网格）" in html
    assert f'href="/residents/{tree.r1.pk}/">居民：王建国</a>' in html
    assert "导出：居民" in html
    assert f"resident:{tree.r1.pk}" not in html  # no internal key on the page
    assert "别的街道" not in html  # another street's log stays there


def test_audit_log_filters_by_person_action_and_dates(login, personas, tree):
    """Person, action and a date range each narrow the list; a reversed range is swapped, not refused."""
    _entries(tree, personas)
    c = login(personas.office)
    html = c.get(f"/audit/?user={personas.grid1.pk}").content.decode()
    assert "查看" in html and "导出：居民" not in html
    html = c.get("/audit/?action=export").content.decode()
    assert "导出：居民" in html and "王建国" not in html
    today = timezone.localdate()
    html = c.get(f"/audit/?start={today - dt.timedelta(days=7)}&end={today}").content.decode()
    assert "旧的导入" not in html and "导出：居民" in html
    html = c.get(f"/audit/?start={today}&end={today - dt.timedelta(days=50)}").content.decode()
    assert "旧的导入" in html and "已对调" in html


def test_audit_log_access(login, personas, tree):
    """Only the office opens the audit log (the access table); others get 403."""
    assert login(personas.office).get("/audit/").status_code == 200
    for who in ("leader", "grid1", "liaison"):
        assert login(getattr(personas, who)).get("/audit/").status_code == 403
    assert login(personas.office).post("/audit/").status_code == 405


def test_audit_log_queries_bounded(login, personas, tree, django_assert_max_num_queries):
    """The page's queries do not grow with the number of entries shown."""
    for _ in range(30):
        audit(user=personas.grid1, action=AuditAction.REVEAL, target=f"resident:{tree.r1.pk}")
    c = login(personas.office)
    c.get("/audit/")
    with django_assert_max_num_queries(14):
        assert c.get("/audit/").status_code == 200
