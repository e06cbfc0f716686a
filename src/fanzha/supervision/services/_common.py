"""What the supervision write modules share: dates and their checks, errors, the street, photos written in a transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.org.models import Level, Node, Unit
from fanzha.outreach import evidence as ev
from fanzha.supervision.models import Photo


EVIDENCE_FOLDER = "supervision/evidence"
EARLIEST = dt.date(2015, 1, 1)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_window(errors: dict, start: dt.date | None, deadline: dt.date | None, *, start_field: str = "start_on",
                  deadline_field: str = "deadline") -> None:
    if start is None:
        errors.setdefault(start_field, []).append(_("请填写开始日期"))
    elif start < EARLIEST:
        errors.setdefault(start_field, []).append(_("日期早于2015年，请检查"))
    if deadline is None:
        errors.setdefault(deadline_field, []).append(_("请填写完成期限"))
    elif start and deadline < start:
        errors.setdefault(deadline_field, []).append(
            _("完成期限（%(d)s）早于开始日期（%(s)s），请改正") % {"d": deadline, "s": start})


def _street_of(node: Node) -> Node:
    if node.level != Level.STREET:
        node = Node.objects.get(pk=node.street_id)
    return node


def _attach_photos(prepared: list[ev.PreparedUpload], *, user, placed_like, unit: Unit | None, written: list[str],
                   **owner) -> list[Photo]:
    rows = []
    for p in prepared:
        rel = ev.write_new(p.data, p.extension, folder=EVIDENCE_FOLDER)
        written.append(rel)
        thumb = ""
        if p.thumb:
            thumb = ev.write_new(p.thumb, "jpg", folder=EVIDENCE_FOLDER)
            written.append(thumb)
        ph = Photo(kind=p.kind, content_type=p.content_type, original_name=p.original_name, size=p.size,
                   sha256=p.sha256, file=rel, thumb=thumb, taken_at=p.taken_at, unit=unit,
                   uploaded_by=user if getattr(user, "pk", None) else None, **owner)
        ph.place_like(placed_like)
        rows.append(ph)
    Photo.objects.bulk_create(rows)
    return rows


_with_files = ev.with_files
