"""Scoping that cannot be forgotten: every URL's view is marked, every model with people's data is placed.

A new view or model that skips the rule fails here, not in production:
- pages: each view carries `fanzha_access` — an area of the table (`@area_view`),
  "scoped" (`@scoped_view`) or "public" (`@public_view`);
- API: each operation needs a caller (the API's login or token, then the same
  selectors as the pages) unless its handler is marked `@public_view`;
- models: one holding a person's name, ID number, phone or encrypted value, or
  pointing at a resident, is `Placed` in the tree (so `scope_of(user).filter`
  limits it), or is listed below with the reason it is safe.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from fanzha.core.access import BY_KEY

MARKS = set(BY_KEY) | {"scoped", "public"}

# URL names whose views are not ours to mark, with why they hold no records.
UNMARKED_URLS = {
    "set_language": "Django's language switch: sets a cookie, reads no records",
    "openapi-json": "the API's schema: no records; docs_guard asks for a login unless FANZHA_API_DOCS_PUBLIC",
    "openapi-view": "the API's docs page: no records; docs_guard as above",
    "api-root": "ninja's root of /api/v1/: no records",
    None: "the API's catch-all JSON 404 (api_urls.not_found)",
}

# Models with a field that looks personal but that are safe unplaced, and why.
UNPLACED_MODELS = {
    "core.ApiToken": "`name` is the token's label; a token is listed only to its own user",
    "org.User": "staff accounts, placed through their Assignment rows; residents are never users",
    "alerts.Sender": "`name` is a sending system's label (a machine, not a person)",
    "alerts.Webhook": "`name` is a group robot's label",
    "supervision.GroupMember": "officials on a street's leading group, read only through their LeadingGroup",
    "duties.Duty": "`name` is the duty's title",
    "duties.CampaignPhase": "`name` is the phase's title",
    "clues.ClueSubject": "a clue's phone/ID/account values, read only through their clue (placed)",
}

PERSONAL_FIELD = re.compile(r"^(name|display_name|first_name|last_name|head_name)$|^(id_number|phone)|_enc$")


def _walk(resolver: URLResolver, prefix: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _is_api_operation(pattern: URLPattern) -> bool:
    view = getattr(pattern.callback, "__wrapped__", pattern.callback)
    return view.__module__ == "ninja.operation"


def test_every_page_view_is_marked_scoped_or_public():
    """Each page's view names its area of the access table, or is marked scoped or public."""
    unmarked = []
    for route, pattern in _walk(get_resolver()):
        if route.startswith("api/v1/") and _is_api_operation(pattern):
            continue  # checked operation by operation below
        if pattern.name in UNMARKED_URLS:
            continue
        mark = getattr(pattern.callback, "fanzha_access", None)
        if mark not in MARKS:
            unmarked.append(f"{route} ({pattern.name}): {mark!r}")
    assert not unmarked, "views with no access mark (use @area_view, @scoped_view or @public_view):\n" + "\n".join(unmarked)


def test_every_api_operation_needs_a_caller_or_is_marked_public():
    """Each API operation refuses an anonymous caller, unless its handler is marked @public_view."""
    from fanzha.api import api

    get_resolver().url_patterns  # mounts the API's routers
    loose, seen = [], 0
    for router in api._get_bound_routers():  # the operations as mounted, with the API's auth applied
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                seen += 1
                public = getattr(op.view_func, "fanzha_access", None) == "public"
                if not op.auth_callbacks and not public:
                    loose.append(f"{op.methods} {path} ({op.view_func.__module__}.{op.view_func.__name__})")
    assert seen > 50, "the walk found the API's operations"
    assert not loose, "API operations open to anyone but not marked @public_view:\n" + "\n".join(loose)


def test_the_api_urls_the_resolver_knows_are_all_operations_or_listed():
    """Every URL under /api/v1/ is an API operation (checked above) or a listed non-record view."""
    others = [f"{route} ({p.name})" for route, p in _walk(get_resolver())
              if route.startswith("api/v1/") and not _is_api_operation(p) and p.name not in UNMARKED_URLS]
    assert not others, others


def _personal_fields(model) -> list[str]:
    from fanzha.org.models import Resident

    out = []
    for f in model._meta.get_fields():
        if not getattr(f, "concrete", False):
            continue
        if PERSONAL_FIELD.search(f.name) or (f.is_relation and f.related_model is Resident):
            out.append(f.name)
    return out


def test_every_model_holding_personal_data_is_placed_in_the_tree():
    """A model with a person's name, ID, phone or encrypted value, or a link to a resident, is Placed (or listed with why)."""
    from fanzha.org.models import Placed

    unplaced = []
    for model in apps.get_models():
        if not model.__module__.startswith("fanzha.") or issubclass(model, Placed):
            continue
        fields = _personal_fields(model)
        if fields and model._meta.label not in UNPLACED_MODELS:
            unplaced.append(f"{model._meta.label}: {', '.join(fields)}")
    assert not unplaced, "models with people's data outside the tree (make them Placed, or list them with a reason):\n" \
        + "\n".join(unplaced)


def test_the_allow_lists_hold_nothing_stale():
    """Every listed exception still exists and still needs listing, so the lists cannot grow stale."""
    from fanzha.org.models import Placed

    for label in UNPLACED_MODELS:
        model = apps.get_model(label)
        assert not issubclass(model, Placed) and _personal_fields(model), label
    names = {p.name for _r, p in _walk(get_resolver())}
    assert set(UNMARKED_URLS) <= names


def test_a_placed_model_is_really_limited_by_the_scope(tree, personas):
    """The check above means something: a Placed model's rows outside the user's grid are filtered out."""
    from fanzha.core.scoping import scoped
    from fanzha.org.models import Household

    assert set(scoped(Household.objects.all(), personas.grid1)) == {tree.h1}
