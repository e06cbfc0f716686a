"""A number search is one transaction: allowance, probe and audit row commit together, and stay exact when
one user's searches run at the same time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from fanzha.core import ratelimit
from fanzha.core.models import AuditAction, AuditLog, SearchCounter
from fanzha.org import services
from fanzha.org.models import Level, Role

NOW = dt.datetime(2026, 11, 26, 12, 30, 10, tzinfo=dt.timezone.utc)


@pytest.fixture
def limits(settings):
    settings.FANZHA_SEARCH_PER_MINUTE = 5
    settings.FANZHA_SEARCH_PER_DAY = 60
    settings.FANZHA_SEARCH_REVEAL_PER_MINUTE = 5  # the office may reveal numbers: the same limits for it
    settings.FANZHA_SEARCH_REVEAL_PER_DAY = 60
    settings.FANZHA_SEARCH_MISS_NOTICE = 0
    return settings


def _office_user(code: str):
    county = services.node_create(parent=None, level=Level.COUNTY, code=code, name="并发区")
    return services.user_create(username=f"searcher-{code}", password="pw", display_name="查询员", role=Role.OFFICE,
                                node=county)


def _counts(user) -> dict[str, int]:
    return dict(SearchCounter.objects.filter(user=user).values_list("window", "count"))


@pytest.mark.django_db
def test_a_search_whose_probe_fails_takes_nothing_and_leaves_no_audit_row(limits):
    """The probe raising rolls back the allowance taken for it: the counter and the audit log are as before."""
    user = _office_user("TX1")

    def broken():
        raise RuntimeError("query failed")

    with pytest.raises(RuntimeError):
        ratelimit.search(user, kind="phone", digest="ab" * 16, probe=broken, now=NOW)
    assert sum(_counts(user).values()) == 0
    assert not AuditLog.objects.filter(user=user).exists()
    assert ratelimit.search(user, kind="phone", digest="ab" * 16, probe=lambda: True, now=NOW) is True
    assert sorted(_counts(user).values()) == [1, 1]  # the minute's and the day's rows, one each
    assert AuditLog.objects.filter(user=user, action=AuditAction.SEARCH, detail__contains="hit").count() == 1


@pytest.mark.django_db
def test_a_refused_search_is_audited_and_never_probed(limits):
    """Over the minute's limit the probe does not run, the refusal is audited, and the day gets its one back."""
    user = _office_user("TX2")
    probed = []
    for _ in range(5):
        ratelimit.search(user, kind="id", digest="cd" * 16, probe=lambda: probed.append(1) or False, now=NOW)
    with pytest.raises(ratelimit.SearchLimited):
        ratelimit.search(user, kind="id", digest="cd" * 16, probe=lambda: probed.append(1) or False, now=NOW)
    assert len(probed) == 5
    assert set(_counts(user).values()) == {5}
    assert AuditLog.objects.filter(user=user, action=AuditAction.REFUSED).count() == 1
    assert AuditLog.objects.filter(user=user, action=AuditAction.SEARCH, detail__contains="miss").count() == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL "
                    "(SQLite tests share one in-memory database)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_searches_of_one_user_are_counted_exactly(limits):
    """Twelve searches of one user at once, the first on a fresh minute: exactly five are granted."""
    user = _office_user("TX3")
    barrier = threading.Barrier(12)
    results: list[str] = []
    lock = threading.Lock()

    def one():
        try:
            barrier.wait()
            try:
                ratelimit.search(user, kind="phone", digest="ef" * 16, probe=lambda: True, now=NOW)
                outcome = "granted"
            except ratelimit.SearchLimited:
                outcome = "refused"
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["granted"] * 5 + ["refused"] * 7
    assert set(_counts(user).values()) == {5}  # the minute's row and the day's (the refused gave theirs back)
    assert AuditLog.objects.filter(user=user, action=AuditAction.SEARCH).count() == 5
    assert AuditLog.objects.filter(user=user, action=AuditAction.REFUSED).count() == 7
