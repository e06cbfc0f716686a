"""Sessions and logins: idle timeout, "log out everywhere", forced password change, lockout page, no-store.

- Idle timeout: a session unused for FANZHA_SESSION_IDLE_MINUTES (default 8 h)
  is ended. The last-seen time is written at most every SEEN_EVERY, so an
  ordinary page view adds no write.
- Every login is recorded as a `UserSession`; "log out everywhere" deletes
  those sessions from the session store, so every browser of that user is
  logged out on its next request.
- Outside demo mode a user still holding a demo password, or one that fails
  the password validators, must change it before doing anything else.
- Failed logins are counted by django-axes per user name and per address;
  the lockout answers 429 with the wait and is written to the audit log.
- Every response that is not a static file carries `Cache-Control: no-store`:
  pages and files hold people's data, and no shared cache may keep them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from fanzha.core.audit import audit, client_ip
from fanzha.core.models import AuditAction, UserSession

SEEN_EVERY = dt.timedelta(minutes=5)
DEMO_PASSWORDS = ("demo",)
_SEEN = "fz_seen"
_MUST_CHANGE = "fz_must_change_password"


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=settings.FANZHA_SESSION_IDLE_MINUTES)


# --- login ------------------------------------------------------------------------------------

class CheckedAuthenticationForm(AuthenticationForm):
    """The login form; also notes (outside demo mode) a password that must be changed."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        password = self.cleaned_data.get("password") or ""
        if settings.FANZHA_DEMO_MODE:
            return
        weak = password in DEMO_PASSWORDS
        if not weak:
            try:
                validate_password(password, user)
            except ValidationError:
                weak = True
        user._fanzha_must_change_password = weak


@receiver(user_logged_in)
def _session_started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now()
    request.session[_SEEN] = now.timestamp()
    if getattr(user, "_fanzha_must_change_password", False):
        request.session[_MUST_CHANGE] = True
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "last_seen_at": now, "ip": client_ip(request),
                  "user_agent": request.headers.get("User-Agent", "")[:200]},
    )


@receiver(user_logged_out)
def _session_ended(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def logout_everywhere(*, user, by, request=None) -> int:
    """End every session of `user` (all their browsers); returns how many were ended."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    audit(user=by, action=AuditAction.LOGOUT_ALL, target=f"user:{user.pk}", detail=user.get_username(), request=request)
    return len(keys)


# --- lockout (django-axes) ----------------------------------------------------------------------

def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: a page (or JSON) saying how long to wait, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    text = _("登录失败次数过多，账号或来源地址已被暂时锁定。请 %(m)d 分钟后再试，或联系反诈办解除锁定。") % {"m": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": text}, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "core/security/locked_out.html", {"text": text, "minutes": minutes}, status=429)


def _locked_out(sender, request, username, ip_address, **kwargs):
    audit(user=None, action=AuditAction.LOCKOUT, target=str(username or "")[:150], detail=ip_address or "",
          request=request)


try:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="fanzha-audit-lockout")
except ImportError:  # axes not installed: no lockouts to record
    pass


# --- middleware ------------------------------------------------------------------------------

class SessionGuardMiddleware:
    """Idle timeout, forced password change and `Cache-Control: no-store` (see the module docstring)."""

    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        early = self._guard(request)
        response = early or self.get_response(request)
        if not request.path.startswith("/static/"):
            patch_cache_control(response, no_store=True, private=True)
        return response

    def _guard(self, request):
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return None  # a machine client: no browser session to time out (and none is loaded for it)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        session = request.session
        now = timezone.now()
        seen = session.get(_SEEN)
        if seen is not None and now.timestamp() - float(seen) > idle_limit().total_seconds():
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("登录已因长时间未操作而失效，请重新登录")}, status=401,
                                    json_dumps_params={"ensure_ascii": False})
            messages.info(request, _("您已超过 %(h)s 未操作，请重新登录。") % {"h": _hours(idle_limit())})
            return _away(request, f"{reverse('login')}?next={request.get_full_path()}")
        # A session without a last-seen time (made before this guard, or without the login view) is left
        # to its cookie age; every login through the login page sets it.
        if seen is not None and now.timestamp() - float(seen) > SEEN_EVERY.total_seconds():
            session[_SEEN] = now.timestamp()  # saving the session also pushes its expiry forward
            UserSession.objects.filter(session_key=session.session_key).update(last_seen_at=now)
        if session.get(_MUST_CHANGE) and not request.path.startswith(self.EXEMPT_PREFIXES):
            allowed = (reverse("password_change"), reverse("logout"))
            if request.path not in allowed:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("请先修改初始密码")}, status=403, json_dumps_params={"ensure_ascii": False})
                return _away(request, reverse("password_change"))
        return None


def _away(request, url: str):
    """Send the browser to `url`: a redirect for a page, an `HX-Redirect` for an htmx fragment (a menu badge
    polling every 30 s must not get the whole login or password page swapped into the menu)."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def password_changed(request) -> None:
    request.session.pop(_MUST_CHANGE, None)


def _hours(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0:
        return _("%(n)d 小时") % {"n": minutes // 60}
    return _("%(n)d 分钟") % {"n": minutes}
