"""Uploaded evidence (photos, videos, documents) served back to the pages that show it.

Files are stored by `fanzha.outreach.evidence` (sniffed, GPS stripped, under the data folder); every app's
record pages answer them through `stored_file_response`, so each answer carries the same guards.
"""

from __future__ import annotations

from django.http import FileResponse, Http404


def stored_file_response(rel: str, content_type: str, name: str = "") -> FileResponse:
    """The stored file `rel` as a response: 404 when it is missing or the path is not a stored one; private
    caching; a sandboxing Content-Security-Policy and no type sniffing, so an upload can never run as a page."""
    from fanzha.outreach import evidence as ev

    try:
        fh = open(ev.path_of(rel), "rb")
    except (OSError, ValueError):
        raise Http404 from None
    resp = FileResponse(fh, content_type=content_type, filename=name or None)
    resp["Cache-Control"] = "private, max-age=3600"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
