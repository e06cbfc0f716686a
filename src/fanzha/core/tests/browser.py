"""What browser tests share: axe-core run from the site's own static files, and the document's width.

    from fanzha.core.tests.browser import axe_violations, page_width
    assert page_width(page) <= 390 and axe_violations(page, live_server.url) == []
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

# axe.run bounded in time: a page so big that axe cannot finish in 30 s is reported, not waited on.
AXE_RUN = """async (tags) => {
  const late = new Promise((_, no) => setTimeout(() => no(new Error('axe took over 30 s')), 30000));
  const options = {resultTypes: ['violations'], iframes: false};
  if (tags) options.runOnly = {type: 'tag', values: tags};
  const r = await Promise.race([late, axe.run(document, options)]);
  return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' ; '));
}"""


def axe_violations(page, base: str, tags=AXE_TAGS) -> list[str]:
    """axe-core's violations on the page as it stands, one line each ("rule (impact): element — why").

    1. axe.min.js is loaded from the site (`base` + /static/…): the Content-Security-Policy refuses inline script.
    2. `tags` limits the rules (WCAG 2 A/AA by default); None runs every rule, best practices included.
    """
    assert AXE.exists(), f"axe-core not found at {AXE}"
    page.add_script_tag(url=base.rstrip("/") + "/static/vendor/axe.min.js")
    return page.evaluate(AXE_RUN, list(tags) if tags else None)


def page_width(page) -> int:
    """The document's width in CSS pixels (wider than the viewport means the page scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth")
