"""Shared fixtures: a small real tree and one named persona per role.

Tree (all real rows, no mocks):
  county K
  └ street S ─ unit U (school) with staff member and family
    ├ community C1 ─ grid G1 ─ group G1a ─ household H1 ─ residents r1 (elderly), r1b
    │               └ grid G2 ─ group G2a ─ household H2 ─ resident r2
    └ community C2 ─ grid G3 ─ group G3a ─ household H3 ─ resident r3
  another street S2 ─ community C9 ─ grid G9 ─ ... resident r9  (an outsider's world)
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from fanzha.core.idnumbers import make_id_number
from fanzha.org import services
from fanzha.org.models import Level, Role


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """The test database on PostgreSQL does not wait for its WAL to reach the disk at each commit
    (synchronous_commit=off, a per-session setting): the database is thrown away after the run, and
    the migrations and the flushes between transactional tests are a commit each."""
    from django.db import connections

    for alias in connections:
        conn = connections[alias]
        if conn.vendor == "postgresql":
            options = conn.settings_dict.setdefault("OPTIONS", {})
            options["options"] = (options.get("options", "") + " -c synchronous_commit=off").strip()


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """Between transactional tests (browser, races) PostgreSQL is emptied with DELETE instead of
    TRUNCATE: TRUNCATE of the 100-odd tables makes new files for each and took 1.5–7 s per test,
    DELETE of the few rows a test wrote takes tens of milliseconds. The foreign keys Django makes
    are deferrable, so one transaction deletes in any order. (SQLite's flush is DELETE already.)"""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED"] + [f"DELETE FROM {self.quote_name(t)}" for t in tables]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    # The personas' password 'pw' is a demo-style password: tests of the forced
    # change (fanzha.core.security) turn demo mode off themselves.
    settings.FANZHA_DEMO_MODE = True


def _node(parent, level, code, name):
    return services.node_create(parent=parent, level=level, code=code, name=name)


@pytest.fixture
def tree(db):
    """The shared tree (see the module docstring), made through the services once per process and put back for
    each test (fanzha.core.tests.snapshots)."""
    from fanzha.core.tests.snapshots import restored

    return restored("tree", _build_tree)


def _build_tree():
    t = SimpleNamespace()
    t.county = _node(None, Level.COUNTY, "K", "测试区")
    t.street = _node(t.county, Level.STREET, "S", "西门街道")
    t.c1 = _node(t.street, Level.COMMUNITY, "S-C1", "东关社区")
    t.c2 = _node(t.street, Level.COMMUNITY, "S-C2", "南门社区")
    t.g1 = _node(t.c1, Level.GRID, "S-C1-G1", "东关第一网格")
    t.g2 = _node(t.c1, Level.GRID, "S-C1-G2", "东关第二网格")
    t.g3 = _node(t.c2, Level.GRID, "S-C2-G3", "南门第一网格")
    t.g1a = _node(t.g1, Level.GROUP, "S-C1-G1-01", "东关1-1联户")
    t.g2a = _node(t.g2, Level.GROUP, "S-C1-G2-01", "东关2-1联户")
    t.g3a = _node(t.g3, Level.GROUP, "S-C2-G3-01", "南门1-1联户")
    t.h1 = services.household_create(node=t.g1a, address="东关路1号1栋101", head_name="王建国")
    t.h2 = services.household_create(node=t.g2a, address="东关路2号2栋202", head_name="李秀英")
    t.h3 = services.household_create(node=t.g3a, address="南门街3号", head_name="张伟")
    t.r1 = services.resident_create(household=t.h1, name="王建国", id_number=make_id_number("110101", dt.date(1950, 3, 7), 123),
                                    phone="13800138001", lives_alone=True)
    t.r1b = services.resident_create(household=t.h1, name="王小明", id_number=make_id_number("110101", dt.date(2008, 9, 1), 456),
                                     phone="13800138011", is_student=True, residency="temporary")
    t.r2 = services.resident_create(household=t.h2, name="李秀英", id_number=make_id_number("110101", dt.date(1985, 1, 2), 222),
                                    phone="13900139002")
    t.r3 = services.resident_create(household=t.h3, name="张伟", id_number=make_id_number("110101", dt.date(1978, 6, 30), 331),
                                    phone="13700137003", residency="floating")
    t.unit = services.unit_create(node=t.street, name="西门小学", kind="school")
    t.staff = services.staff_create(unit=t.unit, name="赵老师", id_number=make_id_number("110101", dt.date(1980, 5, 5), 551),
                                    phone="13600136005", position="教师")
    t.family = services.family_member_add(staff=t.staff, relation="parent", name="赵父",
                                          id_number=make_id_number("110101", dt.date(1952, 1, 1), 553))
    t.street2 = _node(t.county, Level.STREET, "T", "东门街道")
    t.c9 = _node(t.street2, Level.COMMUNITY, "T-C9", "北关社区")
    t.g9 = _node(t.c9, Level.GRID, "T-C9-G9", "北关第一网格")
    t.g9a = _node(t.g9, Level.GROUP, "T-C9-G9-01", "北关1-1联户")
    t.h9 = services.household_create(node=t.g9a, address="北关路9号", head_name="刘洋")
    t.r9 = services.resident_create(household=t.h9, name="刘洋", id_number=make_id_number("110101", dt.date(1990, 2, 9), 991),
                                    phone="13500135009")
    return t


@pytest.fixture
def personas(tree):
    """One user per role, password 'pw' (made once per process like the tree)."""
    from fanzha.core.tests.snapshots import is_exact, restored

    return restored("personas", lambda: _build_personas(tree), exact=is_exact(tree))


def _build_personas(tree):
    def mk(username, role, node=None, unit=None):
        return services.user_create(username=username, password="pw", display_name=username, role=role, node=node, unit=unit)

    p = SimpleNamespace()
    p.office = mk("office", Role.OFFICE, tree.street)
    p.leader = mk("leader", Role.LEADER, tree.street)
    p.police = mk("police", Role.OFFICER, tree.street)
    p.community = mk("community", Role.COMMUNITY, tree.c1)
    p.gridleader = mk("gridleader", Role.GRID_LEADER, tree.g1)
    services.assignment_add(user=p.gridleader, role=Role.GRID_LEADER, node=tree.g2)
    p.grid1 = mk("grid1", Role.GRID_WORKER, tree.g1)
    p.grid2 = mk("grid2", Role.GRID_WORKER, tree.g2)
    p.grouphead = mk("grouphead", Role.GROUP_HEAD, tree.g1a)
    p.liaison = mk("liaison", Role.LIAISON, unit=tree.unit)
    p.safety = mk("safety", Role.SAFETY_STAFF, tree.c1)
    p.outsider = mk("outsider", Role.OFFICE, tree.street2)
    return p


@pytest.fixture
def department(tree, personas):
    """A street department (unit) of the first street with its account `dept` (password 'pw'):
    what clues, measures and rectifications are handed to."""
    unit = services.unit_create(node=tree.street, name="西门街道综合行政执法队", kind="street_department")
    user = services.user_create(username="dept", password="pw", display_name="dept", role=Role.DEPARTMENT, unit=unit)
    return SimpleNamespace(unit=unit, user=user)


@pytest.fixture
def login(client):
    """login(user) -> a test client logged in as that user."""
    def _login(user):
        client.force_login(user)
        return client
    return _login


# --- Browser tests -----------------------------------------------------------
# Playwright drives Debian's /usr/bin/chromium (never a downloaded browser).
# Without Chromium the browser tests skip with a reason; CI installs it.

import os  # noqa: E402
import shutil  # noqa: E402

CHROMIUM = os.environ.get("FANZHA_CHROMIUM", "/usr/bin/chromium")


def _one_request_at_a_time() -> None:
    """The live server answers one request at a time.

    On SQLite the test database lives in memory and the live server's request
    threads share the test's one connection; a page that fires two requests at
    once (the home page's campaign tiles and app panels) had two threads run
    queries on that connection together, which hung the run. Requests still
    arrive on their own threads (keep-alive works); only the application call,
    body included, is serialised.

    The in-memory connection is shared with the test's own thread too, hence
    the second lock below, around every call into SQLite."""
    import threading

    from django.test import testcases

    class OneAtATimeServer(testcases.ThreadedWSGIServer):
        def set_app(self, application):
            lock = threading.Lock()

            def serialised(environ, start_response):
                with lock:
                    result = application(environ, start_response)
                    try:
                        return [b"".join(result)]
                    finally:
                        close = getattr(result, "close", None)
                        if close:
                            close()

            super().set_app(serialised)

    testcases.LiveServerThread.server_class = OneAtATimeServer

    # The test's own thread queries that same connection while a page's background request (htmx panels, the
    # alert queue's refresh) is being answered: each call into the SQLite connection — execute and each fetch —
    # is made by one thread at a time, so the two can interleave but never run inside SQLite together (a lock
    # per connection: tests that race two connections on a file database keep their concurrency).
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    locks: dict[int, threading.RLock] = {}  # one per SQLite connection: separate connections stay concurrent

    def one_call_at_a_time(method):
        def locked(self, *args, **kwargs):
            with locks.setdefault(id(self.connection), threading.RLock()):
                return method(self, *args, **kwargs)
        return locked

    for name in ("execute", "executemany", "fetchone", "fetchmany", "fetchall", "close"):
        setattr(SQLiteCursorWrapper, name, one_call_at_a_time(getattr(SQLiteCursorWrapper, name)))


_one_request_at_a_time()


@pytest.fixture(scope="session")
def _chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium); .ci/run installs it")
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls from test code are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(_chromium, live_server):
    """A fresh page at phone size (390 px wide), Chinese locale; page.base = live server URL."""
    context = _chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def desk_page(_chromium, live_server):
    """A fresh desktop-size page; page.base = live server URL."""
    context = _chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    yield page
    context.close()


def browser_login(page, username: str, password: str = "pw") -> None:
    page.goto(page.base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture(autouse=True)
def _chinese_first():
    """Each test starts in the default language: a test that switched this thread to English (rendering a
    page with LANGUAGE_CODE=en) must not make the next one's Chinese render come out in English."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The local-memory cache outlives a test: start each test without cached figures."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
