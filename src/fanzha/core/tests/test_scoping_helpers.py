"""The scoping module's place-in-the-tree helpers, system actors, and the one permission check."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from fanzha.core.access import allowed, require
from fanzha.core.scoping import (
    SystemActor,
    crumbs,
    crumbs_in_scope,
    default_node,
    home_street,
    node_param,
    scope_of,
    scoped,
    streets_for,
    system_actor,
)
from fanzha.org.models import Resident


def _get(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    return request


def test_default_node_is_the_single_top_node_or_none_for_several(personas, tree):
    """A user with one node opens on it; a grid leader of two grids gets the combined view, or the first with first=True."""
    assert default_node(personas.office) == tree.street
    assert default_node(personas.gridleader) is None
    assert default_node(personas.gridleader, first=True) == tree.g1
    assert default_node(personas.liaison) is None


def test_node_param_answers_404_outside_the_scope_and_for_garbage(personas, tree):
    """?node= inside the scope gives the node; outside it or malformed answers 404 like a missing node."""
    assert node_param(_get(personas.office, node=tree.c1.pk)) == tree.c1
    assert node_param(_get(personas.office)) == tree.street
    for bad in (tree.street2.pk, "abc", 10**12, 2**70, -3):
        with pytest.raises(Http404):
            node_param(_get(personas.office, node=bad))
    with pytest.raises(Http404):
        node_param(_get(personas.grid1, node=tree.g2.pk))


def test_crumbs_link_only_nodes_inside_the_scope(personas, tree):
    """The path above a node, and down to a record, links only what the user may open."""
    assert crumbs(personas.community, tree.g1) == [(tree.county, False), (tree.street, False), (tree.c1, True)]
    assert crumbs_in_scope(personas.community, tree.g1) == [tree.c1]
    assert crumbs(personas.grid1, tree.r1) == [(tree.street, False), (tree.c1, False), (tree.g1, True), (tree.g1a, True)]
    assert crumbs(personas.office, None) == []


def test_streets_for_each_kind_of_user(personas, tree, django_user_model):
    """The streets a user works in: their own for staff of a street or below, all for a superuser, none for a liaison."""
    admin = django_user_model.objects.create_superuser("root", password="pw")
    assert streets_for(personas.office) == [tree.street]
    assert streets_for(personas.grid1) == [tree.street]
    assert streets_for(scope_of(personas.community)) == [tree.street]
    assert streets_for(admin) == [tree.street, tree.street2]
    assert streets_for(personas.liaison) == []
    assert home_street(personas.grid1) == tree.street
    assert home_street(admin) == tree.street and home_street(admin, everything_first=False) is None


def test_a_system_actor_is_a_named_scope_audited_under_its_name(tree):
    """A system actor sees what its scope says, is recorded in the audit log by name, and writes no private attribute."""
    from fanzha.core.audit import audit
    from fanzha.core.models import AuditAction

    whole = system_actor("worker")
    assert isinstance(whole, SystemActor) and whole.is_superuser and whole.has_perm("org.reveal_pii")
    assert scoped(Resident.objects.all(), whole).count() == Resident.objects.count()
    street = system_actor("cli:alice", street=tree.street)
    assert not street.is_superuser
    assert set(scoped(Resident.objects.all(), street)) == {tree.r1, tree.r1b, tree.r2, tree.r3}
    assert streets_for(street) == [tree.street]
    assert not hasattr(street, "_fanzha_scope") and scope_of(street) is street.scope
    entry = audit(user=street, action=AuditAction.EXPORT, target="x")
    assert entry.username == "cli:alice" and entry.user_id is None and entry.street_id == tree.street.id


def test_the_reports_system_actor_sees_the_whole_tree(tree):
    """The reports' SYSTEM actor is a real system actor over the whole tree."""
    from fanzha.outreach.reports import SYSTEM

    assert isinstance(SYSTEM, SystemActor) and SYSTEM.username == "system" and scope_of(SYSTEM).everything


def test_allowed_takes_an_area_a_permission_or_a_rule(personas):
    """One check for areas of the table, Django permissions and rules; an unknown area is a programming error."""
    assert allowed(personas.office, "io") and not allowed(personas.grid1, "io")
    assert allowed(personas.police, "org.reveal_pii") and not allowed(personas.leader, "org.reveal_pii")
    assert allowed(personas.grid1, lambda u: u.username == "grid1")
    with pytest.raises(KeyError):
        allowed(personas.office, "no_such_area")
    with pytest.raises(PermissionDenied, match="只能查看"):
        require(personas.leader, "org.change_records", "只能查看")


def test_a_refusal_is_the_403_page_on_pages_and_403_json_on_the_api(personas, tree, login, client):
    """The same helper refuses a page with 403 and an API call with a JSON 403 carrying the message."""
    page = login(personas.grouphead).get("/io/export/")
    assert page.status_code == 403
    client.logout()
    assert client.get("/io/export/").status_code == 302  # anonymous: the login page
    api = login(personas.leader).post("/api/v1/households", {"node": tree.g1a.pk, "address": "x"},
                                      content_type="application/json")
    assert api.status_code == 403 and "不能录入或修改" in api.json()["detail"]
