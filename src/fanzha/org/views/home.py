"""The home page (figures of the user's part of the tree, the campaign, the apps' panels) and a node's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from fanzha.core.access import area_view, can_open
from fanzha.core.scoping import crumbs, scope_of
from fanzha.org import selectors
from fanzha.org.campaign import campaign
from fanzha.org.figures import figures_by_node
from fanzha.org.models import Level
from fanzha.org.views._common import PAGE_SIZE, _is_fragment


#: Panels other apps add to the home page, in order: (area, template, context callable or None).
#: A panel is shown only to roles that may open its area. The template is
#: included with the page's context plus `panel` = callable(user, roots) when
#: one is named (a dotted path). The integrator adds the rows as apps land, e.g.
#:     ("risk", "risk/_home_panel.html", "fanzha.risk.selectors.home_panel"),
#:     ("clues", "clues/_home_panel.html", "fanzha.clues.selectors.home_panel"),
#:     ("supervision", "supervision/_home_panel.html", "fanzha.supervision.selectors.home_panel"),
HOME_PANELS: list[tuple[str, str, str | None]] = [
    ("risk", "org/panels/risk.html", None),  # the user's overdue key-person reviews, loaded after the page
    ("clues", "org/panels/clues.html", None),  # clue hand-offs past their deadline
    ("supervision", "org/panels/supervision.html", None),  # the leader's contact points and what is overdue
    ("duties", "org/panels/duties.html", None),  # the user's duties this period, and who is behind
    ("analysis", "analysis/_overview.html", "fanzha.analysis.overview.home_overview"),  # the leader's overview
]


FIGURE_LABELS = [
    ("households", gettext_lazy("户数")),
    ("residents", gettext_lazy("居民")),
    ("floating", gettext_lazy("流动人口")),
    ("elderly", gettext_lazy("老人")),
    ("elderly_alone", gettext_lazy("独居老人")),
    ("students", gettext_lazy("学生")),
    ("units", gettext_lazy("单位")),
    ("staff", gettext_lazy("单位职工")),
]


def _as_of(fig: dict):
    """When cached counts were taken (None for live counts)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(fig["as_of"], tz=dt.timezone.utc) if "as_of" in fig else None


def _labelled(fig: dict) -> list[tuple[str, str, int]]:
    return [(key, label, fig.get(key, 0)) for key, label in FIGURE_LABELS]


def _child_rows(user, nodes) -> list[dict]:
    figs = figures_by_node(user, nodes)  # cached for county and street nodes
    return [{"node": n, "fig": figs[n.id]} for n in nodes]


def _home_panels(user) -> list[str]:
    """The areas whose panels this user gets; they are loaded after the page (`home_panels`), so the home
    page itself costs the same few queries whatever the apps add."""
    return [area for area, _template, _context in HOME_PANELS if can_open(user, area)]


@area_view("home")
@require_safe
def home_panels(request):
    """The apps' panels of the home page in one fragment, loaded after the page (one request, not one per
    app); without JavaScript it opens as a page of its own."""
    from django.utils.module_loading import import_string

    roots = selectors.scope_roots(request.user)
    panels = [{"area": area, "template": template,
               "data": import_string(context)(request.user, roots) if context else None}
              for area, template, context in HOME_PANELS if can_open(request.user, area)]
    template = "org/_panels.html" if _is_fragment(request) else "org/panel_page.html"
    response = render(request, template, {"panels": panels})
    patch_vary_headers(response, ["HX-Request"])
    return response


@area_view("home")
@require_safe
def home(request):
    """The user's own part of the tree: the campaign, figures, their nodes, the nodes one level down.

    Several nodes (a grid leader of two grids) are shown combined, with a
    switcher to each one.
    """
    user = request.user
    tops = selectors.top_nodes(user)
    roots = selectors.scope_roots(user, tops)
    rows_parent = None
    if len(tops) == 1:
        rows_parent = tops[0]
        rows = list(selectors.node_children(user, tops[0]))
    else:
        rows = tops
    units = []
    if scope_of(user).unit_ids:
        units = list(selectors.units_for(user))
    fig = selectors.figures(user, tops=tops)
    return render(request, "org/home.html", {
        "figures": _labelled(fig),
        "figures_as_of": _as_of(fig),
        "tops": tops,
        "rows_parent": rows_parent,
        "rows": _child_rows(user, rows),
        "my_units": units,
        "campaign_url": reverse("home_campaign") if roots and any(can_open(user, a) for a in CAMPAIGN_AREAS) else "",
        "switch": _switch(user, roots, None, lambda n: reverse("node_detail", args=[n.pk]), reverse("home")),
        "home_panels": _home_panels(user),
        "may": _may(user),
    })


# The areas behind the campaign tiles (a role that may open none of them gets no campaign).
CAMPAIGN_AREAS = ("alerts", "cases", "outreach", "outreach.targets")


@area_view("home")
@require_safe
def home_campaign(request):
    """The campaign tiles of the home page, loaded after the page (a county's roll-up takes a moment).

    htmx asks for the fragment; without JavaScript the link opens it as a page.
    """
    user = request.user
    roots = selectors.scope_roots(user)
    c = campaign(user, roots) if roots else None
    template = "org/_campaign.html" if _is_fragment(request) else "org/campaign.html"
    if _is_fragment(request) and (c is None or c.empty):
        return HttpResponse("")
    response = render(request, template, {"campaign": c})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _may(user) -> dict[str, bool]:
    """Which of the org pages this page links to the user may open (no link to a page that answers 403)."""
    return {"residents": can_open(user, "residents"), "units": can_open(user, "units")}


def _switch(user, roots, current, url_of, all_url) -> list[tuple[str, str, bool]]:
    """(label, url, current) for the node switcher of a user with several nodes; [] for one node."""
    return [(label, url, on) for label, url, on in selectors.node_switch(roots, current, url_of, all_url)]


@area_view("home")
@require_safe
def node_detail(request, pk: int):
    user = request.user
    node = selectors.node_get(user, pk)
    children = list(selectors.node_children(user, node))
    page = None
    if node.level in (Level.GRID, Level.GROUP):
        households = selectors.households_for(user, node=node).annotate(resident_count=Count("residents"))
        page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    roots = selectors.scope_roots(user)
    return render(request, "org/node_detail.html", {
        "node": node,
        "switch": _switch(user, roots, node, lambda n: reverse("node_detail", args=[n.pk]), reverse("home")),
        "crumbs": crumbs(user, node),
        "figures": _labelled(selectors.figures(user, node)),
        "rows": _child_rows(user, children),
        "page": page,
        "can_add_household": node.level in (Level.GRID, Level.GROUP),
        "may": _may(user),
    })
