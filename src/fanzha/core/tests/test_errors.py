"""The error pages: styled, in the user's language, and the 500 page renders with no database at all."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import get_resolver, include, path
from django.utils import translation

from fanzha import urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("template read a missing grid")


def _db_down(request):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT * FROM no_such_table_fz")
    return HttpResponse("unreachable")


urlpatterns = [
    path("boom/", _boom),
    path("db-down/", _db_down),
    path("", include("fanzha.urls")),
]
handler500 = urls.handler500  # the project's handler, for this test URLconf


def test_handler500_renders_without_any_database_query(django_assert_num_queries):
    """The 500 page is rendered by the configured handler with zero queries (the database may be what failed)."""
    handler = get_resolver("fanzha.urls").resolve_error_handler(500)
    request = RequestFactory().get("/alerts/")
    with django_assert_num_queries(0):
        response = handler(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in body and "app.css" in body and '<html lang="zh-hans">' in body
    assert "Server Error" not in body


def test_handler500_follows_the_active_language():
    """The 500 page is in English when the user chose English (the language is still active)."""
    handler = get_resolver("fanzha.urls").resolve_error_handler(500)
    with translation.override("en"):
        body = handler(RequestFactory().get("/")).content.decode()
    assert '<html lang="en">' in body


def test_a_crashing_page_answers_the_styled_500(client, settings, personas):
    """A view that raises gives the styled Chinese 500 page, not Django's bare English one or a traceback."""
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(personas.office)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in body and "返回首页" in body and "RuntimeError" not in body and "<h1>Server Error" not in body


def test_a_failed_database_query_still_gives_the_500_page(client, settings, personas):
    """A page whose query fails still answers the styled 500 page (the error page itself queries nothing)."""
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(personas.office)
    response = client.get("/db-down/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()


def test_404_is_styled_with_the_menu(login, personas):
    """A missing or out-of-scope record gives the Chinese 404 page with the user's menu and a way home."""
    response = login(personas.grid1).get("/residents/99999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "未找到" in body and "app.css" in body and 'class="main-nav"' in body and "返回首页" in body


def test_404_for_anonymous_is_styled(client):
    """An unknown address answers the styled 404 page even when nobody is logged in."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_403_is_styled(login, personas):
    """A page the role may not open answers the styled Chinese 403 page."""
    response = login(personas.grouphead).get("/supervision/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "没有权限" in body and "app.css" in body and "返回首页" in body
