"""API edges: unknown paths answer JSON 404 to token clients whatever the method; token revoke by prefix."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanzha.core.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_unknown_api_path_is_json_404_for_a_token_client(client, personas, method):
    """A bearer client calling a path that does not exist gets JSON 404, not the CSRF page."""
    _token, key = ApiToken.issue(user=personas.office)
    resp = getattr(client, method)("/api/v1/no/such/thing", HTTP_AUTHORIZATION=f"Bearer {key}",
                                   content_type="application/json")
    assert resp.status_code == 404 and resp["Content-Type"].startswith("application/json")
    assert "/api/v1/no/such/thing" in resp.json()["detail"]


def _revoke(prefix: str) -> str:
    out = io.StringIO()
    call_command("token", "revoke", prefix, stdout=out)
    return out.getvalue()


def test_token_revoke_takes_the_prefix_as_listed_with_or_without_fz(personas):
    """`token revoke` accepts the listed prefix, the part after fz_, or a longer start of the key."""
    keys = [ApiToken.issue(user=personas.office)[1] for _ in range(3)]
    assert "revoked" in _revoke(keys[0][3:8])  # without "fz_"
    assert "revoked" in _revoke(keys[1][:12])  # longer than the stored 8 characters
    assert "revoked" in _revoke(keys[2][:8])
    assert ApiToken.objects.filter(active=True).count() == 0
    with pytest.raises(CommandError):
        _revoke("fz_ab")
