"""Rectification notices (整改通知) from issue to acceptance, and criticism (通报批评)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanzha.outreach.services import prepare_files
from fanzha.supervision.models import (
    Criticism, CriticismKind, Finding, IssuerLevel, Rectification, RectificationStatus, Visit,
)
from fanzha.supervision.services._common import _attach_photos, _check_window, _raise, _today, _with_files
from fanzha.supervision.services.holders import Holder


def rectification_issue(*, user, holder: Holder, problem: str, requirement: str, deadline: dt.date | None,
                        issued_on: dt.date | None = None, visit: Visit | None = None, finding: Finding | None = None,
                        today: dt.date | None = None) -> Rectification:
    """A rectification notice to a unit or community with a deadline (from a visit's finding, or on its own)."""
    today = _today(today)
    issued_on = issued_on or today
    errors: dict = {}
    if finding is not None:
        visit = finding.visit
        problem = problem or finding.text
    if not (problem or "").strip():
        errors["problem"] = [_("请写明存在的问题")]
    if not (requirement or "").strip():
        errors["requirement"] = [_("请写明整改要求")]
    _check_window(errors, issued_on, deadline, start_field="issued_on")
    _raise(errors)
    with transaction.atomic():
        r = Rectification(visit=visit, finding=finding, problem=problem.strip(), requirement=requirement.strip(),
                          issued_on=issued_on, deadline=deadline, issued_by=user)
        holder.place(r)
        r.full_clean()
        r.save()
        n = Rectification.objects.filter(street_id=r.street_id, issued_on__year=issued_on.year, id__lte=r.id).count()
        r.number = f"整改〔{issued_on.year}〕{n}号"
        r.save(update_fields=["number"])
    return r


def rectification_submit(*, user, rectification: Rectification, fix_note: str, files=(),
                         today: dt.date | None = None) -> Rectification:
    """The unit reports the fix; evidence (at least one photo) is required, then the office checks it."""
    today = _today(today)
    errors: dict = {}
    if rectification.status == RectificationStatus.ACCEPTED:
        raise ValidationError(_("该整改已验收，不能再报送"))
    fix_note = (fix_note or "").strip()
    if not fix_note:
        errors["fix_note"] = [_("请写明整改情况")]
    prepared = []
    try:
        prepared = prepare_files(files, street_id=rectification.street_id)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not prepared and not rectification.photos.exists():
        errors.setdefault("files", []).append(_("整改要有佐证材料：请上传至少一张整改后的照片"))
    _raise(errors)

    def work(written):
        r = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if r.status == RectificationStatus.ACCEPTED:
            raise ValidationError(_("该整改已验收，不能再报送"))
        _attach_photos(prepared, user=user, placed_like=r, unit=r.unit, written=written, rectification=r)
        r.fix_note, r.status, r.submitted_on, r.submitted_by = fix_note, RectificationStatus.SUBMITTED, today, user
        r.return_note = ""
        r.save(update_fields=["fix_note", "status", "submitted_on", "submitted_by", "return_note"])
        return r

    return _with_files(work)


def rectification_accept(*, user, rectification: Rectification, today: dt.date | None = None) -> Rectification:
    """The office accepts a reported fix: the notice is closed."""
    today = _today(today)
    with transaction.atomic():
        n = (Rectification.objects.filter(pk=rectification.pk, status=RectificationStatus.SUBMITTED)
             .update(status=RectificationStatus.ACCEPTED, accepted_on=today, accepted_by=user))
        if n != 1:
            raise ValidationError(_("只有已报送整改情况（附佐证）的整改通知才能验收"))
        rectification.refresh_from_db()
    return rectification


def rectification_return(*, user, rectification: Rectification, note: str) -> Rectification:
    """The office sends a reported fix back: open again, with the reason."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"return_note": [_("请写明退回原因")]})
    with transaction.atomic():
        n = (Rectification.objects.filter(pk=rectification.pk, status=RectificationStatus.SUBMITTED)
             .update(status=RectificationStatus.OPEN, return_note=note[:300]))
        if n != 1:
            raise ValidationError(_("只有待验收的整改通知才能退回"))
        rectification.refresh_from_db()
    return rectification


def criticism_record(*, user, holder: Holder, kind: str, issuer: str, issued_on: dt.date | None, reason: str,
                     rectification: Rectification | None = None, today: dt.date | None = None) -> Criticism:
    today = _today(today)
    errors: dict = {}
    if kind not in CriticismKind.values:
        errors["kind"] = [_("类别无效")]
    if issuer not in IssuerLevel.values:
        errors["issuer"] = [_("作出机关无效")]
    if issued_on is None:
        errors["issued_on"] = [_("请填写日期")]
    elif issued_on > today:
        errors["issued_on"] = [_("日期不能晚于今天")]
    if not (reason or "").strip():
        errors["reason"] = [_("请写明事由")]
    _raise(errors)
    with transaction.atomic():
        c = Criticism(kind=kind, issuer=issuer, issued_on=issued_on, reason=reason.strip(), rectification=rectification,
                      recorded_by=user)
        holder.place(c)
        c.full_clean()
        c.save()
    return c
