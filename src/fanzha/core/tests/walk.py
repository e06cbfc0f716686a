"""Walking the product as each role: the demo street with its awkward cases, and a bounded same-origin crawl.

Used by test_pages_every_role.py (Django test client) and test_pages_every_role_browser.py (Chromium at 390 px).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import deque
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import parse_qsl, urlsplit

from django.urls import Resolver404, resolve

DEMO_USERS = ["office", "leader", "police", "community", "gridleader", "grid1", "grid2", "grouphead", "liaison", "dept",
              "safety"]

# Never followed: leaving, switching language or text size, files and machine APIs.
SKIP_PREFIXES = ("/logout", "/i18n/", "/static/", "/media/", "/api/", "/admin/")
SKIP_URL_NAMES = {"io_export"}  # whole-street exports: seconds each, covered by their own tests
SKIP_PARAMS = {"fz_text"}
LINK_RE = re.compile(r'\s(?:href|hx-get)="([^"#][^"]*)"')


def build_demo(stdout=None) -> dict:
    """The demo street exactly as `fanzha demo` loads it, plus alerts for the awkward cases.

    Returns {"alerts": [urls of the awkward alerts' pages]}.
    """
    from fanzha import demo

    street = demo.load_street(stdout=stdout)
    return {"alerts": _awkward_alerts(street)}


def _awkward_alerts(street) -> list[str]:
    """Alerts for a person not on the register, one outside the area, one with no number; then escalation."""
    from django.test import Client
    from django.utils import timezone

    services = import_module("fanzha.alerts.services")
    sender_create = getattr(services, "sender_create", None) or import_module("fanzha.alerts.services.intake").sender_create
    _sender, token = sender_create(name="走查测试发送方", node=street)
    now = timezone.localtime(timezone.now() - dt.timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S")
    client = Client()
    pages = []
    rows = [
        {"id": "WALK-UNREG", "grade": "高", "name": "未登记人", "phone": "13399990001", "fraud_type": "刷单返利"},
        {"id": "WALK-OUT", "grade": "中", "name": "外区人", "phone": "13399990002", "fraud_type": "虚假贷款",
         "area_code": "NOT-OURS"},
        {"id": "WALK-LOW", "grade": "低", "name": "未登记低", "phone": "13399990003", "fraud_type": ""},
    ]
    for row in rows:
        pages.append(_push(client, token, {"time": now, "note": "走查", "fraud_contact": "", **row}))
    try:
        from fanzha.alerts.sweep import run_sweep

        run_sweep(now=timezone.now() + dt.timedelta(hours=30))  # every open alert past its limits escalates
    except Exception as e:  # noqa: BLE001 - a sweep failure is the alerts' tests' business; the walk still runs
        print("walk: sweep failed:", e)
    return [p for p in pages if p]


def _push(client, token: str, data: dict) -> str | None:
    resp = client.generic("POST", "/api/v1/alerts", json.dumps(data, ensure_ascii=False).encode(),
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    if resp.status_code not in (200, 201):
        return None
    return f"/alerts/{resp.json()['id']}/"


@dataclass
class Visit:
    url: str
    status: int
    came_from: str
    text: list[str] = field(default_factory=list)


@dataclass
class Walk:
    visits: list[Visit] = field(default_factory=list)

    @property
    def failures(self) -> list[Visit]:
        return [v for v in self.visits if v.status >= 400]

    @property
    def typography(self) -> list[Visit]:
        return [v for v in self.visits if v.text]

    @property
    def pages(self) -> list[str]:
        """The HTML pages that answered 200 (one per URL pattern)."""
        return [v.url for v in self.visits if v.status == 200 and not v.url.endswith((".xlsx", ".docx", ".csv"))]


def pattern(url: str) -> tuple | None:
    """What makes two addresses "the same page": the URL name and the query's keys (with their word values:
    ?tab=mine and ?tab=pending differ, ?page=2 and ?page=3 do not). None for addresses never walked."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("404", parts.path)
    if match.view_name in SKIP_URL_NAMES:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k in SKIP_PARAMS for k, _v in query):
        return None
    return (match.view_name, tuple(sorted((k, v if v and not re.search(r"\d", v) and len(v) <= 24 else "#")
                                          for k, v in query)))


_INVISIBLE = re.compile(r"<(script|style|textarea)\b.*?</\1>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_ASCII_COLON_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff][ \t]*:(?!//)")


def visible_text(body: str) -> str:
    return html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", body)))


def text_problems(body: str) -> list[str]:
    """Typography a Chinese page must not have: an ASCII colon after a Chinese label ("姓名:")."""
    text = visible_text(body)
    return [f"ASCII colon after Chinese: …{' '.join(text[max(0, m.start() - 12):m.end() + 8].split())}…"
            for m in _ASCII_COLON_AFTER_CHINESE.finditer(text)][:5]


def links_in(body: str) -> list[str]:
    return [html.unescape(u) for u in LINK_RE.findall(body)]


def crawl(get, start: list[str], *, forced: list[str] = (), limit: int = 160) -> Walk:
    """Breadth-first from `start`: every same-origin link and hx-get, one address per pattern, `forced` always.

    `get(url) -> (status, location, body)`."""
    walk = Walk()
    seen: set = set()
    queue = deque([(u, "(start)") for u in start] + [(u, "(awkward case)") for u in forced])
    forced = set(forced)
    while queue and len(walk.visits) < limit:
        url, came_from = queue.popleft()
        key = pattern(url)
        if key is None or (key in seen and url not in forced):
            continue
        seen.add(key)
        status, location, body = get(url)
        walk.visits.append(Visit(url, status, came_from, text_problems(body) if body else []))
        if 300 <= status < 400 and location:
            queue.append((location, url))
        elif status == 200 and body:
            queue.extend((absolute(u, url), url) for u in links_in(body))
    return walk


def absolute(url: str, base_path: str) -> str:
    """Resolve a page-relative link (?tab=x, page=2) against the page's path."""
    if url.startswith("?"):
        return urlsplit(base_path).path + url
    return url
