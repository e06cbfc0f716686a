"""Routing per grade, set by the office (issue 15 §3): who is assigned an alert and who is told of it.

The seeds have the police station, the community and the departments respond
together to every pushed alert ("街道派出所、各村(社区)、街道相关部门要及时联动反应"),
and SPEC §3 sends high grade to the police-station team for an immediate visit.
The defaults below say that; an office may change them for its street:

- every grade: the grid's workers and leader are assigned, the police station's
  duty officers (officers at the street) are notified and see it in their queue;
- high grade: the officers are assigned too, and phone the person first
  (their notification says so, and the routing note shows it).

Rules are read once per routing (one indexed query), like the time limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from fanzha.alerts.models import Grade, RoutingRule
from fanzha.org.models import Level, Node

FLAGS = ("assign_grid", "assign_officers", "notify_officers", "notify_community", "officers_phone_first")


@dataclass(frozen=True)
class Rule:
    assign_grid: bool = True
    assign_officers: bool = False
    notify_officers: bool = True
    notify_community: bool = False
    officers_phone_first: bool = False


DEFAULT_RULES: dict[str, Rule] = {
    Grade.HIGH: Rule(assign_grid=True, assign_officers=True, notify_officers=True, officers_phone_first=True),
    Grade.MEDIUM: Rule(assign_grid=True, assign_officers=False, notify_officers=True),
    Grade.LOW: Rule(assign_grid=True, assign_officers=False, notify_officers=True),
}


class RuleBook:
    """The routing rules of some streets, read once (one query)."""

    def __init__(self, street_ids) -> None:
        ids = sorted(i for i in set(street_ids) if i)
        self.by_key: dict[tuple[int, str], Rule] = {}
        if ids:
            qn = connection.ops.quote_name
            with connection.cursor() as cur:
                cur.execute(f"SELECT street_id, grade, {', '.join(FLAGS)} FROM {qn(RoutingRule._meta.db_table)} "
                            f"WHERE street_id IN ({', '.join(['%s'] * len(ids))})", ids)
                for street_id, grade, *flags in cur.fetchall():
                    self.by_key[(street_id, grade)] = Rule(*(bool(f) for f in flags))

    @classmethod
    def from_rows(cls, rows) -> RuleBook:
        """A book of rows (street id, grade, *FLAGS) read elsewhere (the intake reads them with the rest of a street's facts)."""
        book = cls(())
        for street_id, grade, *flags in rows:
            book.by_key[(street_id, grade)] = Rule(*(bool(f) for f in flags))
        return book

    def get(self, street_id: int | None, grade: str) -> Rule:
        return self.by_key.get((street_id, grade)) or DEFAULT_RULES[grade]


def routing_rule_set(*, street: Node, grade: str, assign_grid: bool, assign_officers: bool, notify_officers: bool,
                     notify_community: bool, officers_phone_first: bool) -> RoutingRule:
    """Set how one grade is routed in a street; applies to alerts received from now on."""
    if street.level != Level.STREET:
        raise ValidationError({"street": _("分派规则按街道设置")})
    if grade not in Grade.values:
        raise ValidationError({"grade": _("未知的预警级别")})
    if not assign_grid and not assign_officers:
        raise ValidationError(_("至少要派给网格或派出所民警之一，否则预警无人处置"))
    if officers_phone_first and not assign_officers:
        raise ValidationError({"officers_phone_first": _("民警先电话劝阻须同时派民警处置")})
    values = {"assign_grid": assign_grid, "assign_officers": assign_officers, "notify_officers": notify_officers,
              "notify_community": notify_community, "officers_phone_first": officers_phone_first}
    with transaction.atomic():
        rule, _created = RoutingRule.objects.update_or_create(street=street, grade=grade, defaults=values)
    return rule
