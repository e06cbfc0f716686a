"""Fixtures of the alert tests: a sender for street S, pushing through the real API, a file database for races."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from django.db import connection, connections
from django.utils import timezone

from fanzha.alerts import services
from fanzha.org.models import Role

API = "/api/v1"


@pytest.fixture
def sender(tree):
    """A sender (the county centre) serving street S; `sender.token` is its bearer token."""
    s, token = services.sender_create(name="县反诈中心", node=tree.street)
    s.token = token
    return s


# One alert time for the whole run: a retry must carry exactly the same content.
ALERT_TIME = timezone.localtime(timezone.now() - dt.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S")


def alert_data(**overrides) -> dict:
    """A valid pushed alert for r1 (phone 13800138001), as the JSON the centre sends."""
    data = {"id": "YJ-0001", "time": ALERT_TIME, "grade": "高",
            "name": "王建国", "phone": "13800138001", "fraud_type": "冒充公检法", "fraud_contact": "+852 5123 4567",
            "note": "正在通话中"}
    data.update(overrides)
    return data


@pytest.fixture
def push(client, sender):
    """push(**fields) -> response of POST /api/v1/alerts with the sender's token."""
    def _push(token: str | None = None, raw: bytes | None = None, **fields):
        body = raw if raw is not None else json.dumps(alert_data(**fields), ensure_ascii=False).encode()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token or sender.token}"} if token != "" else {}
        return client.generic("POST", f"{API}/alerts", body, content_type="application/json", **headers)
    return _push


def ingest(sender, **fields):
    """The intake service directly (no HTTP): returns the alert."""
    data = alert_data(**fields)
    data = {"external_id": data.pop("id"), "occurred_at": data.pop("time"), **data}
    return services.alert_ingest(sender=sender, data=data).alert


@pytest.fixture
def c2_staff(tree):
    from fanzha.org import services as org_services

    return org_services.user_create(username="c2staff", password="pw", display_name="南门社区干事", role=Role.COMMUNITY, node=tree.c2)


@pytest.fixture
def file_db(transactional_db, tmp_path):
    """On SQLite, run the test on a file copy of the (empty) test database, in WAL mode with
    IMMEDIATE transactions like production, so threads get real connections of their own.

    pytest-django's SQLite test database is in memory with a shared cache, where a second
    writer fails at once with "database table is locked" instead of waiting; races have to be
    run against a real file. On PostgreSQL the test database already is one: nothing to do.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    path = tmp_path / "race.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None  # keep the in-memory database alive (closing it would drop it)
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def later(minutes: float = 0, seconds: float = 0, base: dt.datetime | None = None) -> dt.datetime:
    return (base or timezone.now()) + dt.timedelta(minutes=minutes, seconds=seconds)


def close_thread_connections():
    connections.close_all()
