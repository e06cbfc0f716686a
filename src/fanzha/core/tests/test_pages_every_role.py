"""Every role walks every page it can reach from the menu (demo street + awkward cases): no 4xx, no 5xx, and no
ASCII colon after a Chinese label."""

from __future__ import annotations

import warnings

import pytest
from django.db import transaction
from django.test import Client, override_settings

from fanzha.core.access import AREAS, can_open
from fanzha.core.tests.walk import DEMO_USERS, build_demo, crawl, pattern

# Defects this walk found in pages other helpers own, reported to them (issue 8) and not yet fixed when this test
# was written: (user, URL name of the failing page). A listed failure warns instead of failing; anything new fails.
# Remove an entry as soon as it is fixed.
KNOWN_DEFECTS: set[tuple[str, str]] = {
    ("liaison", "assessment:run"),  # 404 behind a link on a verdict's page (assessment)
    ("office", "audit_log"),  # audit details written as "西门社区: fail -> …" (assessment's audit text)
}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo street with its loaders and the awkward alerts, built once, rolled back at the end; the demo's
    evidence photos are written under a media folder of the module's own (`_demo_media` serves it to each test)."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                                         MEDIA_ROOT=media):
        with transaction.atomic():
            yield {**build_demo(), "media": media}
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _demo_media(settings, demo_world):
    """Each test reads the files the module's demo wrote (the shared autouse settings give every test its own)."""
    settings.MEDIA_ROOT = demo_world["media"]


def _getter(client):
    def get(url):
        headers = {"HTTP_HX_REQUEST": "true"} if "/queue/" in url or "/badge/" in url else {}
        r = client.get(url, **headers)
        html = r.get("Content-Type", "").startswith("text/html") and not r.streaming
        return r.status_code, r.get("Location", ""), r.content.decode(errors="replace") if html else ""
    return get


def _split_known(username: str, failures: list) -> tuple[list, list]:
    known = [v for v in failures if (username, (pattern(v.url) or ("",))[0]) in KNOWN_DEFECTS]
    return [v for v in failures if v not in known], known


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_link_a_role_is_shown_opens(demo_world, username):
    """From home, every menu entry, tab, link and hx-get fragment the role is shown answers 2xx/3xx (one page per
    URL pattern; the awkward alerts' pages and queue tabs always), and no page puts an ASCII colon after Chinese."""
    from fanzha.org.models import User

    user = User.objects.get(username=username)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    start = ["/"] + [a.url() for a in AREAS if a.menu and can_open(user, a.key)]
    forced = demo_world["alerts"] + ["/alerts/?tab=mine", "/alerts/?tab=pending", "/alerts/queue/"] \
        if username in {"office", "leader", "police"} else []
    walk = crawl(_getter(client), start, forced=forced)
    assert len(walk.pages) >= 2
    new, known = _split_known(username, walk.failures + walk.typography)
    if known:
        warnings.warn(f"{username}: {len(known)} known defects still there: " + "; ".join(
            f"{v.status} {v.url} {' '.join(v.text)}" for v in known), stacklevel=1)
    if new:
        pytest.fail(f"{username} is shown pages that fail:\n" + "\n".join(
            f"  {v.status} {v.url}   (linked from {v.came_from}) {' '.join(v.text)}" for v in new), pytrace=False)
