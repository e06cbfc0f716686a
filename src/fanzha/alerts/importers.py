"""Batch upload of alerts (.xlsx / .csv with Chinese headers) through the import framework.

The same checks as a pushed alert (`inputs.clean_alert`), every bad row reported,
nothing kept unless the whole file is good (`fanzha.core.imports`). Rows are
matched so that uploading the same file twice changes nothing: by 预警编号
within the upload's area (a street, or a whole county) when the file has it,
else by the row's whole content.

Speed (10,000 alerts at county scale in a few seconds): residents are looked
up in bulk by the keyed hashes of the batch's numbers (one IN query per 500),
the responders of every grid involved in one query, and alerts, assignees and
timeline events are written with multi-row INSERTs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.alerts.inputs import AlertInput, clean_alert
from fanzha.alerts.limits import LimitBook
from fanzha.alerts.models import (
    Alert,
    AlertAssignee,
    AlertBatch,
    AlertEvent,
    EventKind,
    Grade,
    Source,
    Status,
)
from fanzha.alerts.notify import notify_users, webhook_enqueue
from fanzha.alerts.routing import Router
from fanzha.alerts.services import alert_values
from fanzha.core.bulk import insert_rows
from fanzha.core.idnumbers import make_id_number
from fanzha.core.imports import (
    Column,
    Importer,
    Row,
    looks_scientific,
    values_present,
)

KEY_FIELDS = ("external_id", "occurred_at", "grade", "name", "phone", "id_number", "fraud_type", "fraud_contact", "note")


def upload_key(area_id: int, inp: AlertInput) -> str:
    """Intake key of an uploaded row: its 预警编号 within the area, else its content."""
    if inp.external_id:
        return f"u{area_id}:{inp.external_id}"
    return f"u{area_id}:#{inp.content_hash()}"


class AlertImporter(Importer):
    kind = "alerts"
    label = gettext_lazy("预警")
    description = gettext_lazy("预警中心下发的预警名单：每行一条预警，按手机号或身份证号自动分派到网格；"
                               "同一文件重复上传不会重复生成预警。")
    entities = [gettext_lazy("预警")]
    columns = [
        Column("external_id", "预警编号", aliases=("编号", "预警id", "预警单号", "id"), example="YJ20250301001", width=18,
               help=gettext_lazy("预警中心的编号；有编号时按编号识别重复")),
        Column("occurred_at", "预警时间", aliases=("时间", "推送时间", "预警日期", "下发时间"), required=True,
               example="2025-03-01 14:22", width=18),
        Column("name", "姓名", aliases=("预警对象", "受害人", "受害人姓名", "潜在受害人"), example="王建国", max_length=50),
        Column("phone", "手机号", aliases=("手机", "电话", "联系电话", "手机号码", "受害人手机号"), example="13800138000", width=15),
        Column("id_number", "身份证号", aliases=("身份证", "身份证号码", "公民身份号码", "证件号码"),
               example=make_id_number("110101", dt.date(1950, 3, 7), 123), width=20),
        Column("grade", "预警级别", aliases=("级别", "等级", "风险等级", "预警等级"), required=True, choices=("高", "中", "低"),
               example="高", width=10),
        Column("fraud_type", "诈骗类型", aliases=("案件类型", "类型", "涉诈类型"), example="刷单返利", max_length=50),
        Column("fraud_contact", "涉诈号码/网址", aliases=("涉诈号码", "涉诈网址", "诈骗号码", "涉诈号码网址", "涉案号码", "涉诈app"),
               example="https://example.invalid/app", max_length=500, width=24),
        Column("note", "备注", aliases=("说明", "预警内容"), example="", max_length=2000, width=30),
    ]

    def __init__(self, ctx):
        super().__init__(ctx)
        self.plan: list[AlertInput] = []
        self.batch: AlertBatch | None = None

    def validate(self, rows: list[Row]) -> None:
        area = self.ctx.root
        now = timezone.now()
        parsed: list[tuple[Row, AlertInput]] = []
        seen: dict[str, int] = {}
        for row in rows:
            data = {k: row[k] for k in KEY_FIELDS}
            bad = False
            for key in ("phone", "id_number"):
                if looks_scientific(data[key]):
                    self.error(row, key, _("号码被Excel当成了数字（%(v)s），后几位已丢失；请把该列设为“文本”格式后重新填写")
                               % {"v": data[key]})
                    bad = True
            try:
                inp = clean_alert(data, now=now, require_id=False)
            except ValidationError as e:
                for key, msgs in e.message_dict.items():
                    self.error(row, key if key in self.headers else "phone", msgs[0])
                continue
            if bad:
                continue
            key = upload_key(area.pk, inp)
            if key in seen:
                self.error(row, "external_id" if inp.external_id else "name",
                           _("与第%(n)d行重复") % {"n": seen[key]})
                continue
            seen[key] = row.n
            parsed.append((row, inp))
        existing = {}
        keys = [upload_key(area.pk, inp) for _r, inp in parsed]
        if keys:
            found = values_present(Alert, "intake_key", keys)
            if found:
                existing = dict(Alert.objects.filter(pk__in=list(found.values())).values_list("intake_key", "content_hash"))
        for row, inp in parsed:
            key = upload_key(area.pk, inp)
            if key in existing:
                if existing[key] == inp.content_hash():
                    self.counts[str(self.entities[0])]["unchanged"] += 1
                else:
                    self.error(row, "external_id", _("预警编号%(id)s已导入过，但内容不同；请核对后改用新的编号或删除此行")
                               % {"id": inp.external_id})
                continue
            self.plan.append(inp)
        self.counts[str(self.entities[0])]["created"] = len(self.plan)

    def apply(self) -> None:
        # The upload page reads the batch (where the alerts went) back from the context.
        self.ctx.batch = ingest_batch(self.plan, area=self.ctx.root, user=self.ctx.user,
                                      filename=getattr(self.ctx, "filename", ""), rows=len(self.plan))


def ingest_batch(inputs: list[AlertInput], *, area, user=None, filename: str = "", rows: int = 0,
                 source: str = Source.UPLOAD, now=None) -> AlertBatch:
    """Route and store many alerts at once (inside the caller's transaction).

    1. Route them all (bulk look-ups, see routing.Router.prepare).
    2. One multi-row INSERT per 2,000 alerts; their ids come back by intake key.
    3. Assignees and one routing event per alert, also as multi-row INSERTs.
    4. One summary notification per person and one chat message per street
       for the high-grade ones, instead of one per alert.
    """
    from fanzha.core.pii import encrypter

    now = now or timezone.now()
    batch = AlertBatch.objects.create(area=area, filename=filename[:200],
                                      uploaded_by=user if getattr(user, "pk", None) else None, rows=rows or len(inputs))
    if not inputs:
        return batch
    router = Router(area).prepare(inputs)
    routes = [router.route(inp) for inp in inputs]
    limits = LimitBook({r.place.street_id for r in routes})
    encrypt = encrypter()
    values = [alert_values(inp, route, limits=limits, now=now, source=source, batch_id=batch.pk,
                           intake_key=upload_key(area.pk, inp), encrypt=encrypt)
              for inp, route in zip(inputs, routes)]
    columns = list(values[0])
    insert_rows(Alert, columns, [tuple(v.values()) for v in values])
    ids = values_present(Alert, "intake_key", [v["intake_key"] for v in values])
    assignee_rows, event_rows = [], []
    per_user: Counter = Counter()
    told: Counter = Counter()
    high_by_street: Counter = Counter()
    status_counts: Counter = Counter()
    for v, route in zip(values, routes):
        pk = ids[v["intake_key"]]
        for user_id, reason in route.assignees:
            assignee_rows.append((pk, user_id, reason, now))
            per_user[user_id] += 1
        for user_id in route.notify:
            told[user_id] += 1
        kind = EventKind.TRANSFER if route.status == Status.TRANSFER else EventKind.ROUTED
        event_rows.append((pk, now, kind, route.place.node_id, route.note[:1000]))
        if v["grade"] == Grade.HIGH and route.status != Status.TRANSFER and v["street_id"]:
            high_by_street[v["street_id"]] += 1
        status_counts[route.status] += 1
    insert_rows(AlertAssignee, ["alert_id", "user_id", "reason", "assigned_at"], assignee_rows)
    insert_rows(AlertEvent, ["alert_id", "at", "kind", "node_id", "note"], event_rows)
    by_count: dict[int, list[int]] = defaultdict(list)
    for user_id, n in per_user.items():
        by_count[n].append(user_id)
    for n, users in by_count.items():
        notify_users(users, kind="batch", now=now, url=reverse("alerts:queue") + "?tab=mine",
                     text=_("批量导入的预警中有%(n)d条分派给您，请及时签收处置") % {"n": n})
    told_by_count: dict[int, list[int]] = defaultdict(list)
    for user_id, n in told.items():
        if user_id not in per_user:
            told_by_count[n].append(user_id)
    for n, users in told_by_count.items():
        notify_users(users, kind="batch", now=now, url=reverse("alerts:queue"),
                     text=_("批量导入了%(n)d条您所在辖区的预警，请知悉") % {"n": n})
    for street_id, n in high_by_street.items():
        webhook_enqueue(street_ids=[street_id], now=now,
                        text=_("【高级别预警】批量导入%(n)d条高级别预警，请相关网格和民警立即处置") % {"n": n})
    batch.counts = {s: status_counts.get(s, 0) for s in (Status.NEW, Status.PENDING, Status.TRANSFER)}
    batch.save(update_fields=["counts"])
    return batch
