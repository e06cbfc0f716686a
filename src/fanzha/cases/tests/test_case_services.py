import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fanzha.cases import services
from fanzha.cases.models import Case, CaseChange


def test_register_takes_place_from_resident(tree, case_maker):
    """A case with a registered victim sits in the victim's community and grid, with the victim's age then."""
    c = case_maker(victim=tree.r1, loss=Decimal("600000"))
    assert (c.community_id, c.grid_id) == (tree.c1.id, tree.g1.id)
    assert c.victim_name == "王建国" and c.victim_age == 75
    assert c.is_major


def test_register_unregistered_victim_needs_community(tree, case_maker):
    """Without a registered victim, a community is required and used."""
    with pytest.raises(ValidationError) as e:
        case_maker(victim_name="路人甲", victim_age=30)
    assert "community" in e.value.message_dict
    c = case_maker(victim_name="路人甲", victim_age=30, community=tree.c2)
    assert c.community_id == tree.c2.id and c.grid_id is None


@pytest.mark.parametrize("kw, field", [
    (dict(loss="-5"), "loss"),
    (dict(loss="abc"), "loss"),
    (dict(loss="2000000000"), "loss"),
    (dict(loss="100", stopped="200"), "stopped"),
    (dict(loss_on=dt.date(2025, 3, 11)), "loss_on"),
    (dict(reported_on=dt.date(2027, 1, 1), loss_on=dt.date(2027, 1, 1)), "reported_on"),
    (dict(fraud_type="made_up"), "fraud_type"),
    (dict(staff_link="staff"), "unit"),
])
def test_bad_input_is_refused_with_field(tree, case_maker, kw, field):
    """Negative, absurd, inconsistent or unknown values are refused on the right field; nothing stored."""
    with pytest.raises(ValidationError) as e:
        case_maker(victim=tree.r1, **kw)
    assert field in e.value.message_dict
    assert not Case.objects.exists()


def test_update_keeps_history(tree, personas, case_maker):
    """An edit records each changed field's old and new value with who made it."""
    c = case_maker(victim=tree.r2, loss=Decimal("1000"))
    services.case_update(user=personas.office, case=c, loss=Decimal("1500"), fraud_type="fake_loan", today=dt.date(2026, 11, 23))
    ch = CaseChange.objects.get(case=c)
    assert ch.user == personas.office
    assert ch.changes["loss"] == ["1000.00", "1500.00"]
    assert ch.changes["fraud_type"] == ["rebate_task", "fake_loan"]
    services.case_update(user=personas.office, case=c, loss=Decimal("1500"), today=dt.date(2026, 11, 23))
    assert CaseChange.objects.filter(case=c).count() == 1  # no change, no entry


def test_narrative_gets_suggestion(tree, case_maker):
    """A narrative is classified on registration and the suggestion kept beside the confirmed type."""
    c = case_maker(victim=tree.r2, narrative="受害人在抖音看到兼职刷单广告，垫付做任务后无法提现返利", fraud_type="rebate_task")
    assert c.suggested_type == "rebate_task"
    assert c.suggested_confidence and c.suggested_confidence > 0


def test_default_targets(tree):
    """Seed 002's targets are applied to a node: −10% 2021H2, −5%/yr; staff −50%, −30%/yr."""
    ts = {(t.kind, t.period): t for t in services.default_targets_apply(node=tree.street)}
    assert ts[("all", "2021H2")].change_pct == Decimal("-10") and ts[("all", "2021H2")].base_period == "2021H1"
    assert ts[("all", "2023")].change_pct == Decimal("-5")
    assert ts[("staff", "2021H2")].change_pct == Decimal("-50")
    assert ts[("staff", "2024")].change_pct == Decimal("-30")


def test_target_validation(tree):
    """A target's base must precede it and be as long; bad periods are refused."""
    with pytest.raises(ValidationError):
        services.reduction_target_set(node=tree.street, kind="all", period="2025", base_period="2025", change_pct=-5)
    with pytest.raises(ValidationError):
        services.reduction_target_set(node=tree.street, kind="all", period="2025", base_period="2024H1", change_pct=-5)
    with pytest.raises(ValidationError):
        services.reduction_target_set(node=tree.street, kind="all", period="2025X", base_period="2024", change_pct=-5)
    with pytest.raises(ValidationError):
        services.reduction_target_set(node=tree.street, kind="all", period="2025", base_period="2024", change_pct="abc")
