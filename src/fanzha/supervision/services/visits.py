"""Supervision visits (督导检查), their checklist and findings."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanzha.org.models import Node
from fanzha.outreach.services import prepare_files
from fanzha.supervision.models import ChecklistItem, CheckResult, Finding, Visit, VisitCheck
from fanzha.supervision.services._common import _attach_photos, _raise, _today, _with_files
from fanzha.supervision.services.holders import Holder


DEFAULT_CHECKLIST = [
    "领导小组成立及分工文件",
    "工作方案及台账齐全",
    "国家反诈中心APP安装率达到目标",
    "宣传活动影像资料齐全",
    "预警劝阻按时签收反馈",
    "重点人员一人一档",
]


def checklist_for(street: Node) -> list[ChecklistItem]:
    items = list(ChecklistItem.objects.filter(street=street, active=True))
    if not items and not ChecklistItem.objects.filter(street=street).exists():
        items = ChecklistItem.objects.bulk_create(
            [ChecklistItem(street=street, text=t, sort=i) for i, t in enumerate(DEFAULT_CHECKLIST)])
    return items


def checklist_set(*, user, street: Node, texts: list[str]) -> list[ChecklistItem]:
    """The office's checklist, one line each; lines removed are kept inactive (past visits keep their copy)."""
    texts = [t.strip()[:200] for t in texts if t and t.strip()]
    if not texts:
        raise ValidationError({"items": [_("检查项目至少要有一项")]})
    with transaction.atomic():
        ChecklistItem.objects.filter(street=street).update(active=False)
        rows = ChecklistItem.objects.bulk_create([ChecklistItem(street=street, text=t, sort=i) for i, t in enumerate(texts)])
    return rows


def visit_record(*, user, street: Node, holder: Holder, visited_on: dt.date | None, visitors: str,
                 checks: list[tuple[str, str, str]], summary: str = "", findings: list[tuple[str, list]] = (),
                 today: dt.date | None = None) -> Visit:
    """A supervision visit with its checklist results and findings (text, photos)."""
    today = _today(today)
    errors: dict = {}
    if visited_on is None:
        errors["visited_on"] = [_("请填写检查日期")]
    elif visited_on > today:
        errors["visited_on"] = [_("检查日期不能晚于今天")]
    if not (visitors or "").strip():
        errors["visitors"] = [_("请填写督导人员")]
    for item, result, _note in checks:
        if result not in CheckResult.values:
            errors.setdefault("checks", []).append(_("“%(i)s”的结果无效") % {"i": item})
    prepared_findings = []
    for text, files in findings:
        if not (text or "").strip():
            if files:
                errors.setdefault("findings", []).append(_("有照片的问题要写明问题内容"))
            continue
        try:
            prepared_findings.append((text.strip(), prepare_files(files, street_id=street.pk)))
        except ValidationError as e:
            errors.setdefault("findings", []).extend(e.messages)
    _raise(errors)

    def work(written):
        v = Visit(visited_on=visited_on, visitors=visitors.strip(), summary=(summary or "").strip(), created_by=user)
        holder.place(v)
        v.full_clean()
        v.save()
        VisitCheck.objects.bulk_create([VisitCheck(visit=v, item=i[:200], result=r, note=(n or "")[:300], sort=k)
                                        for k, (i, r, n) in enumerate(checks)])
        for text, prepared in prepared_findings:
            f = Finding.objects.create(visit=v, text=text)
            _attach_photos(prepared, user=user, placed_like=v, unit=v.unit, written=written, finding=f)
        return v

    return _with_files(work)


def finding_add(*, user, visit: Visit, text: str, files=()) -> Finding:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("请填写发现的问题")]})
    prepared = prepare_files(files, street_id=visit.street_id)

    def work(written):
        f = Finding.objects.create(visit=visit, text=text)
        _attach_photos(prepared, user=user, placed_like=visit, unit=visit.unit, written=written, finding=f)
        return f

    return _with_files(work)
