"""The API does what its OpenAPI schema says: schemathesis over every endpoint, as two roles.

Bounded and repeatable: a few examples per operation, derandomised (a fixed
seed), so the run is part of `./fz test` and fails the same way twice. Checks:
no server error, every status and body as documented, and what the schema
accepts is not refused for an unstated rule (nor the reverse).

A schema-valid request may still break a rule no schema can say, because it
depends on other records or on today (a date range reversed, a report date in
the future, stopped more than lost): that is the documented 400 with a message
per field. Any other refusal of a schema-valid request (422, or a 400 without
field messages such as a database refusing a value) fails the test.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings

from schemathesis.checks import positive_data_acceptance

from fanzha.core.models import ApiToken

# Autocommit, as in production: a database error in one request (refused as 4xx) must not abort the
# transaction every later request of the test runs in, which PostgreSQL would refuse wholesale.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.api_schema]

EXAMPLES = 4


def refused_only_for_a_stated_rule(ctx, response, case):
    """A schema-valid request is refused only for a service rule, with its field messages (documented 400)."""
    if response.status_code == 422:
        raise AssertionError(f"schema-valid request refused with 422: {response.text[:300]}")
    if response.status_code == 400:
        body = response.json() if response.text.startswith("{") else {}
        if not body.get("errors"):
            raise AssertionError(f"schema-valid request refused with a 400 that names no rule: {response.text[:300]}")


def _operations(raw: dict):
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("persona", ["office", "grid1"])
def test_every_endpoint_keeps_its_schema(client, tree, personas, persona):
    """No 5xx, every answer documented and conforming, nothing the schema allows refused for an unstated rule."""
    user = getattr(personas, persona)
    _token, key = ApiToken.issue(user=user, name="schema test")
    client.force_login(user)
    raw = client.get("/api/v1/openapi.json").json()
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    for op in _operations(raw):
        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance],
                                   additional_checks=[refused_only_for_a_stated_rule])

        try:
            run()
        except BaseException as e:  # noqa: BLE001 — hypothesis raises a group; every failure is collected
            failures.append(f"{op.label}: {str(e).strip()[:600]}")
    assert not failures, f"{len(failures)} operations break their schema:\n\n" + "\n\n".join(failures)
