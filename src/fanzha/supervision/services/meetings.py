"""Meetings (会议) and the tasks their decisions hand out."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanzha.org.models import Node
from fanzha.supervision.models import Decision, Measure, Meeting, MeetingKind
from fanzha.supervision.services._common import _raise, _today
from fanzha.supervision.services.holders import Holder
from fanzha.supervision.services.plans import measure_save


def meeting_record(*, user, street: Node, held_on: dt.date | None, kind: str, title: str, chair: str,
                   attendees: str = "", place: str = "", decisions: list[str] = (),
                   today: dt.date | None = None) -> Meeting:
    today = _today(today)
    errors: dict = {}
    if held_on is None:
        errors["held_on"] = [_("请填写会议日期")]
    elif held_on > today + dt.timedelta(days=366):
        errors["held_on"] = [_("会议日期太远，请检查")]
    if kind not in MeetingKind.values:
        errors["kind"] = [_("请选择会议类型")]
    if not (title or "").strip():
        errors["title"] = [_("请填写会议名称")]
    if not (chair or "").strip():
        errors["chair"] = [_("请填写主持人")]
    _raise(errors)
    with transaction.atomic():
        m = Meeting(held_on=held_on, kind=kind, title=title.strip(), chair=chair.strip(), attendees=(attendees or "").strip(),
                    place=(place or "").strip())
        m.place_at(street)
        m.full_clean()
        m.save()
        Decision.objects.bulk_create([Decision(meeting=m, number=i, text=t.strip())
                                      for i, t in enumerate((d for d in decisions if d and d.strip()), start=1)])
    return m


def decision_to_task(*, user, decision: Decision, holders: list[Holder], deadline: dt.date | None,
                     title: str = "") -> Measure:
    """A meeting decision becomes a task (tracked like a measure) with its owner(s) and deadline."""
    if hasattr(decision, "task"):
        try:
            decision.task
        except Measure.DoesNotExist:
            pass
        else:
            raise ValidationError(_("该议定事项已转为任务"))
    meeting = decision.meeting
    if not holders:
        raise ValidationError({"responsible": [_("请选择承办单位")]})
    return measure_save(user=user, street=Node.objects.get(pk=meeting.street_id), decision=decision,
                        title=(title or decision.text)[:200], content=decision.text, start_on=meeting.held_on,
                        deadline=deadline, leads=holders[:1], responsible=holders[1:])
