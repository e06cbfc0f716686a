"""Logins: throttling per user and per address, the office's unlock page, forced password change,
idle timeout, log out everywhere, and no-store caching of pages."""

from __future__ import annotations

import pytest
from django.test import Client

from fanzha.core.models import AuditAction, AuditLog, UserSession

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _axes_clean():
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()


def _post_login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(client, personas, settings):
    """After the failure limit the right password is refused too, with the wait time, and the lockout is audited."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post_login(client, "grid1", "wrong").status_code == 200  # the form again, with its error
    assert _post_login(client, "grid1", "wrong").status_code == 429  # the last allowed failure locks
    resp = _post_login(client, "grid1", "pw")
    assert resp.status_code == 429
    text = resp.content.decode()
    assert "分钟后再试" in text and str(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)) in text
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action=AuditAction.LOCKOUT, target="grid1").exists()


def test_one_address_trying_many_names_is_locked(client, personas, settings):
    """Wrong passwords for different user names from one address lock that address, not only the names."""
    for i in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, f"nobody{i}", "wrong", ip="10.9.9.9")
    assert _post_login(client, "office", "pw", ip="10.9.9.9").status_code == 429
    other = Client()
    resp = _post_login(other, "office", "pw", ip="10.1.1.1")  # another address is not locked
    assert resp.status_code == 302 and "_auth_user_id" in other.session


def test_office_unlocks_a_locked_account(client, personas, settings, login):
    """The office's 账号安全 page lists the locked account; unlocking lets the right password in again."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "grid2", "wrong", ip="10.0.0.2")
    assert _post_login(client, "grid2", "pw", ip="10.0.0.3").status_code == 429  # locked by name on any address
    office = Client()
    office.force_login(personas.office)
    page = office.get("/security/")
    assert page.status_code == 200 and "grid2" in page.content.decode()
    assert office.post("/security/unlock/", {"username": "grid2"}).status_code == 302
    assert AuditLog.objects.filter(action=AuditAction.UNLOCK, target="username:grid2").exists()
    fresh = Client()
    assert _post_login(fresh, "grid2", "pw", ip="10.0.0.3").status_code == 302


def test_security_page_is_the_offices_only(client, personas, login):
    """Only the office opens the security page; other roles get 403 and never see it in their menu."""
    assert login(personas.office).get("/security/").status_code == 200
    for p in (personas.leader, personas.grid1, personas.police):
        c = Client()
        c.force_login(p)
        assert c.get("/security/").status_code == 403
        assert "/security/" not in c.get("/").content.decode()


def test_outside_demo_mode_a_demo_password_must_be_changed_first(client, personas, settings):
    """Outside demo mode a user with a weak/demo password is sent to change it before any page opens."""
    settings.FANZHA_DEMO_MODE = False
    resp = _post_login(client, "grid1", "pw")
    assert resp.status_code == 302
    assert client.get("/").url == "/password/"
    badge = client.get("/alerts/notifications/badge/", HTTP_HX_REQUEST="true")  # a menu badge's poll
    assert badge.status_code == 204 and badge["HX-Redirect"] == "/password/"
    assert client.get("/api/v1/me").status_code == 403
    bad = client.post("/password/", {"old_password": "pw", "new_password1": "12345678", "new_password2": "12345678"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()  # a numeric password is refused
    good = client.post("/password/", {"old_password": "pw", "new_password1": "Qiao-Tou-2026!", "new_password2": "Qiao-Tou-2026!"})
    assert good.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditLog.objects.filter(action=AuditAction.PASSWORD, username="grid1").exists()


def test_demo_mode_keeps_demo_passwords(client, personas, settings):
    """In demo mode the demo users go straight to their home page."""
    settings.FANZHA_DEMO_MODE = True
    _post_login(client, "grid1", "pw")
    assert client.get("/").status_code == 200


def test_idle_session_is_ended(client, personas, settings):
    """A session unused for longer than the idle limit is logged out on its next request."""
    _post_login(client, "office", "pw")
    assert client.get("/").status_code == 200
    session = client.session
    session["fz_seen"] = session["fz_seen"] - settings.FANZHA_SESSION_IDLE_MINUTES * 60 - 1
    session.save()
    resp = client.get("/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")
    assert client.get("/").status_code == 302  # and stays logged out


def test_log_out_everywhere_ends_every_browser_of_the_user(personas):
    """Two browsers of one user are both logged out when the office ends all their sessions."""
    a, b = Client(), Client()
    _post_login(a, "police", "pw", ip="10.0.0.5")
    _post_login(b, "police", "pw", ip="10.0.0.6")
    assert UserSession.objects.filter(user=personas.police).count() == 2
    office = Client()
    office.force_login(personas.office)
    assert office.post(f"/security/users/{personas.police.pk}/logout-all/").status_code == 302
    for c in (a, b):
        assert c.get("/").status_code == 302
    assert not UserSession.objects.filter(user=personas.police).exists()
    assert AuditLog.objects.filter(action=AuditAction.LOGOUT_ALL, target=f"user:{personas.police.pk}").exists()


def test_office_cannot_log_out_users_of_another_street(personas, login):
    """Ending sessions works only for accounts inside the office's part of the tree."""
    c = login(personas.outsider)
    c.post(f"/security/users/{personas.police.pk}/logout-all/")
    assert not AuditLog.objects.filter(action=AuditAction.LOGOUT_ALL).exists()


def test_pages_are_not_cached(tree, personas, login):
    """Pages with people's data carry Cache-Control: no-store, the login page too."""
    c = login(personas.office)
    for url in ("/", "/residents/", f"/residents/{tree.r1.pk}/", "/cases/"):
        resp = c.get(url)
        assert resp.status_code == 200 and "no-store" in resp.get("Cache-Control", ""), url
    assert "no-store" in Client().get("/login/").get("Cache-Control", "")
