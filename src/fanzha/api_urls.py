"""URLs of the JSON API, mounted at /api/v1/ (schema: openapi.json, docs: docs).

Each API view is wrapped so that what Django or ninja would answer outside the
API's own error handling is JSON as well: a wrong method (405), an unknown
path under /api/v1/ (404), a body over API_MAX_BODY (413). Responses carry
people's data, so no shared cache may keep them.
"""

from __future__ import annotations

import functools

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.utils.translation import gettext as _

from fanzha.api import api

API_MAX_BODY = 1024 * 1024  # a JSON record is a few hundred bytes; imports use their own upload page


def _json_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def _guarded(view):
    @functools.wraps(view)  # keeps ninja's csrf_exempt flag
    def wrapper(request, *args, **kwargs):
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return _json_error(400, _("Content-Length 无效"))
        if length > API_MAX_BODY:
            return _json_error(413, _("请求体过大（上限 %(n)d KB）") % {"n": API_MAX_BODY // 1024})
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = _json_error(405, _("不支持 %(method)s 方法，可用：%(allowed)s") % {"method": request.method, "allowed": allowed})
            response["Allow"] = allowed
        response.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapper


def _api_patterns():
    patterns, app_name, namespace = api.urls
    for p in patterns:
        if isinstance(p, URLPattern):
            p.callback = _guarded(p.callback)
    return patterns, app_name, namespace


@csrf_exempt  # changes nothing: a POST from a token client gets the JSON 404, not the CSRF page
def not_found(request, rest: str = ""):
    return _json_error(404, _("没有这个接口：%(path)s") % {"path": request.path})


urlpatterns = [
    path("", _api_patterns()),
    re_path(r"^(?P<rest>.*)$", not_found),
]
