import datetime as dt
from decimal import Decimal

import pytest

from fanzha.cases import services


@pytest.fixture
def case_maker(personas):
    """case_maker(**overrides) registers a case through the cases service as the police persona."""
    def make(**kw):
        params = dict(user=personas.police, reported_on=dt.date(2025, 3, 20), loss_on=dt.date(2025, 3, 10),
                      loss=Decimal("1000"), fraud_type="rebate_task", channel="app", narrative="",
                      today=dt.date(2026, 11, 23))
        params.update(kw)
        return services.case_register(**params)
    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Compound populations are cached for ten minutes; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
