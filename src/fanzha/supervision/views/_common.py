"""What the supervision page modules share: the user's street, holders from keys, form attempts, file answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse

from fanzha.core import access
from fanzha.core.scoping import scope_of
from fanzha.supervision import services
from fanzha.supervision import selectors as sel


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _street(request):
    street = sel.street_of(request.user)
    if street is None:
        raise Http404("no street")
    return street


def _is_street_wide(user) -> bool:
    return user.is_superuser or bool(scope_of(user).roles & access.STREET_WIDE)


def _holder(street, key: str) -> services.Holder:
    return services.holders_from_keys(street, [key])[0]


def _attempt(form, work):
    """Run a service call; its ValidationError lands on the form. Returns the result or None."""
    try:
        return work()
    except ValidationError as e:
        form.apply_errors(e)
        return None


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return resp


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


