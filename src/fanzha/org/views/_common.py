"""What the org page modules share: page size, the write permission, fragments, ids from the query string."""

from __future__ import annotations

from django.views.decorators.http import require_http_methods

from fanzha.core.access import requires
from fanzha.org.models import StaffMember


PAGE_SIZE = 50
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def can_change(view):
    """Entering or changing records (the form pages as well as their POSTs)."""
    return requires("org.change_records")(view)


def _is_fragment(request) -> bool:
    # A history restore after a cache miss needs the whole page, not a fragment.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _staff_resident_ids(residents) -> set[int]:
    ids = [r.id for r in residents]
    if not ids:
        return set()
    return set(StaffMember.objects.filter(resident_id__in=ids).values_list("resident_id", flat=True))
