"""Demo assessment: last year published, this year in progress."""

import datetime as dt
import io

from fanzha.demo.assessment import load_demo
from fanzha.assessment.models import Assessment
from fanzha.demo import LOADERS


def test_demo_loader(tree, personas, mk_case):
    """The loader publishes last year (with an override and its reason) and leaves this year a draft, once."""
    assert "assessment" in LOADERS
    mk_case(node=tree.c1, reported_on=dt.date(2025, 3, 1), loss="520000")
    mk_case(node=tree.c2, reported_on=dt.date(2026, 3, 1))
    out = io.StringIO()
    load_demo(tree.street, stdout=out, today=dt.date(2026, 11, 26))
    runs = list(Assessment.objects.order_by("period"))
    assert [(r.period, r.status) for r in runs] == [("2025", "published"), ("2026", "draft")]
    overridden = runs[0].verdicts.exclude(override="")
    assert overridden.count() == 1 and overridden[0].override_reason
    load_demo(tree.street, stdout=out, today=dt.date(2026, 11, 26))
    assert Assessment.objects.count() == 2
