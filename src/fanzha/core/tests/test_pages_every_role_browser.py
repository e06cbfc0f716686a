"""In Chromium at 390 px, every role's pages: none wider than the screen, none with a WCAG 2 A/AA violation (axe-core),
the larger-text setting included; on the demo street with its awkward cases."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from fanzha.core.access import AREAS, can_open
from fanzha.core.tests.browser import AXE, axe_violations
from fanzha.core.tests.walk import DEMO_USERS, build_demo, pattern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Time bounds. Every role opens its home page (its own menu) at normal and larger text. The roles in FULL open each
# of their menu pages and tabs; the others (a second street-wide role, a second grid worker) open the menu pages no
# earlier role opened. Beyond the menu, a role opens at most DEEP_PER_ROLE pages of URL patterns no earlier role
# opened (one detail page per URL name). axe runs once per URL pattern.
FULL = {"office", "community", "gridleader", "grouphead", "liaison", "dept", "safety"}
DEEP_PER_ROLE = int(os.environ.get("FANZHA_WALK_PAGES", "15"))
NOT_PAGES = (".xlsx", ".docx", ".csv", "/thumb/", "/evidence/", "/queue/", "/badge/", "/reveal/", "/timeline/")
SHOTS = Path(os.environ["FANZHA_SHOTS"]) if os.environ.get("FANZHA_SHOTS") else None

PHONE = 390
# The document's width against the phone's (not window.innerWidth: a mobile browser widens its layout viewport to
# fit an overflowing page), and the first elements sticking out.
WIDE = """(w) => {
  const out = [];
  if (document.documentElement.scrollWidth <= w) return null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
      if (out.length >= 4) break;
    }
  }
  return document.documentElement.scrollWidth + 'px: ' + out.join(' | ');
}"""

LINKS = """() => [...document.querySelectorAll('main a[href], header a[href]')]
  .filter(a => !a.hasAttribute('download') && a.origin === location.origin)
  .map(a => a.pathname + a.search)"""

def _is_page(url: str) -> bool:
    return pattern(url) is not None and not urlsplit(url).path.endswith(NOT_PAGES) and "/download" not in url


def _session_cookie(user, base: str) -> dict:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}


def _too_wide(page):
    return page.evaluate(WIDE, PHONE)


def test_every_page_of_every_role_fits_a_phone_and_passes_axe(_chromium, live_server):
    """Each role, logged in on a 390 px phone, opens its menu pages, tabs and the pages linked from them (one per URL
    pattern): the document is never wider than the viewport, axe-core finds no WCAG 2 A/AA violation (each page
    pattern checked once), and with the larger-text setting the first menu pages still fit the screen."""
    from playwright.sync_api import Error as PlaywrightError

    from fanzha.org.models import User

    world = build_demo()
    log = open(os.environ.get("FANZHA_WALK_LOG", os.devnull), "w")  # noqa: SIM115 - progress while it runs
    assert AXE.exists(), f"axe-core not found at {AXE}"
    problems: list[str] = []
    axed: set = set()
    done: set = set()
    walked = 0
    for username in DEMO_USERS:
        user = User.objects.get(username=username)
        context = _chromium.new_context(viewport={"width": PHONE, "height": 844}, locale="zh-CN", is_mobile=True,
                                        has_touch=True)
        context.add_cookies([_session_cookie(user, live_server.url)])
        page = context.new_page()
        page.set_default_timeout(15_000)
        menu = ["/"] + [a.url() for a in AREAS if a.menu and can_open(user, a.key)]
        queue = list(menu)
        if username in {"office", "police"}:
            queue += world["alerts"]
        seen: set = set()
        visited = deep = 0
        while queue:
            url = queue.pop(0)
            key = pattern(url)
            if not _is_page(url) or key in seen:
                continue
            if url == "/" or (url in menu and username in FULL):
                pass
            elif key in done:
                continue
            elif url not in menu:
                if deep >= DEEP_PER_ROLE:
                    continue
                deep += 1
            done.add(key)
            seen.add(key)
            t0 = time.monotonic()
            print(f"{username} {url} ...", file=log, flush=True)
            try:
                response = page.goto(live_server.url + url, wait_until="load")
            except PlaywrightError as e:
                if "Download is starting" in str(e):
                    continue  # a file behind a plain link: fine
                raise
            visited += 1
            print(f"{username} {url} {time.monotonic() - t0:.2f}s", file=log, flush=True)
            status = response.status if response else 0
            if status >= 400:
                problems.append(f"{username} {url}: answered {status}")
                print("  PROBLEM", problems[-1], file=log, flush=True)
                continue
            if "text/html" not in (response.headers.get("content-type", "") if response else ""):
                continue
            wide = _too_wide(page)
            if wide:
                problems.append(f"{username} {url}: wider than 390 px: {wide}")
                print("  PROBLEM", problems[-1], file=log, flush=True)
            if key not in axed:
                axed.add(key)
                try:
                    violations = axe_violations(page, live_server.url)
                except PlaywrightError as e:  # a page so big axe cannot finish is too big for a phone
                    violations = [f"not checked: {str(e).splitlines()[0]} ({page.evaluate('document.querySelectorAll(`*`).length')} elements)"]
                for v in violations:
                    problems.append(f"{username} {url}: axe {v}")
                    print("  PROBLEM", problems[-1], file=log, flush=True)
            if url == "/" and SHOTS:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"home-{username}-390.png"), full_page=True)
            if url in menu:  # one step from the menu: the pages its lists and tabs lead to
                queue += [u for u in page.evaluate(LINKS) if _is_page(u)]
        # the larger-text setting (适老化): the same pages, scaled, still fit
        context.add_cookies([{"name": "fz_text", "value": "large", "url": live_server.url}])
        for url in menu[:2]:
            page.goto(live_server.url + url, wait_until="load")
            wide = _too_wide(page)
            if wide:
                problems.append(f"{username} {url} (large text): wider than 390 px: {wide}")
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
        walked += visited
        context.close()
    assert walked >= 3 * len(DEMO_USERS)
    if problems:
        pytest.fail(f"{len(problems)} problems on {walked} pages:\n" + "\n".join(problems), pytrace=False)
