"""Who is calling the JSON API: a browser session or a machine's bearer token.

Both are accepted on every endpoint. A session is checked for CSRF on unsafe
methods (its cookie is sent by the browser on its own, a token is not). A
request that carries a bearer token which is unknown or revoked is refused
outright, even if a session cookie is present too, so a broken machine client
learns at once that its token is wrong.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from fanzha.core.models import ApiToken

# last_used_at is written at most this often per token, so a busy client does
# not turn every read into a write.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def touch_token(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record use of the token, at most once per TOUCH_INTERVAL (conditional UPDATE)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)
    ).update(last_used_at=now)
    token.last_used_at = now


class TokenAuth(HttpBearer):
    """`Authorization: Bearer fz_...` checked against ApiToken (only its hash is stored)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _sep, key = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None  # another scheme: leave it to the other authenticators
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.find(token) if token and len(token) <= 200 else None
        if found is None:
            raise AuthenticationError(401, _("接口令牌无效或已吊销"))
        touch_token(found)
        request.user = found.user
        request.api_token = found
        return found.user


class SessionAuth(APIKeyCookie):
    """Django's login session, with the CSRF check on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # Not logged in: answer 401 (not a CSRF 403) so the client knows to log in.
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF 校验失败：请刷新页面后重试"))
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - __call__ decides
        return self(request)


bearer = TokenAuth()
session = SessionAuth()
API_AUTH = [bearer, session]


def docs_guard(view):
    """The API schema and docs are for logged-in users and token holders only
    (FANZHA_API_DOCS_PUBLIC=true opens them); anyone else gets a JSON 401."""
    import functools

    from django.http import JsonResponse

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.FANZHA_API_DOCS_PUBLIC:
            user = getattr(request, "user", None)
            header = request.headers.get("Authorization", "")
            scheme, _sep, key = header.strip().partition(" ")
            by_token = scheme.lower() == "bearer" and key and len(key) <= 200 and ApiToken.find(key.strip())
            if not (user is not None and user.is_authenticated) and not by_token:
                return JsonResponse({"detail": _("请先登录或使用接口令牌")}, status=401,
                                    json_dumps_params={"ensure_ascii": False})
        return view(request, *args, **kwargs)

    return wrapper
