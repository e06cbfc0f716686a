"""The clue ledger (.xlsx): one row per clue, and a sheet of the figures from the same report dict.

Every text cell goes through `core.exports.XlsxExport` (strings never formulas,
leading = + - @ neutralised); phone numbers and accounts appear masked.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.clues.models import Clue, ClueSubject, Handoff, HandoffStatus
from fanzha.core.exports import XlsxExport, neutralise

HEADERS = [
    (_("回执码"), 16), (_("接收时间"), 17), (_("来源"), 12), (_("类别"), 14), (_("状态"), 10), (_("核查结论"), 10),
    (_("街道"), 12), (_("社区"), 12), (_("网格"), 14), (_("地点"), 20), (_("线索内容"), 50), (_("涉及号码/账号/网址/App"), 30),
    (_("交办对象"), 18), (_("交办时间"), 17), (_("办理时限"), 17), (_("报到时间"), 17), (_("按时报到"), 8),
    (_("办结结果"), 12), (_("对外答复"), 30), (_("办结时间"), 17),
]


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def ledger(clues_qs, figures: dict):
    """Write the ledger of `clues_qs` (already scoped and filtered) and the figures; returns the open file."""
    from fanzha.org.models import Node

    exp = XlsxExport(HEADERS, sheet_name=_("线索台账"), text_columns=[0])
    exp.date_format = exp.wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    names: dict[int, str] = {}
    ids = list(clues_qs.order_by("received_at", "id").values_list("id", flat=True))
    for i in range(0, len(ids), 2000):
        chunk = ids[i:i + 2000]
        rows = list(Clue.objects.filter(pk__in=chunk).select_related("unit").order_by("received_at", "id"))
        subjects: dict[int, list[str]] = {}
        for clue_id, shown in ClueSubject.objects.filter(clue_id__in=chunk).values_list("clue_id", "shown"):
            subjects.setdefault(clue_id, []).append(shown)
        last: dict[int, Handoff] = {}
        for h in Handoff.objects.filter(clue_id__in=chunk).exclude(status=HandoffStatus.WITHDRAWN).select_related("unit").order_by("handed_at", "id"):
            last[h.clue_id] = h
        want = {n for c in rows for n in (c.street_id, c.community_id, c.grid_id) if n and n not in names}
        names.update(dict(Node.objects.filter(pk__in=want).values_list("id", "name")))
        for c in rows:
            h = last.get(c.pk)
            exp.write([
                c.receipt_display, _local(c.received_at), c.get_source_display(), c.get_kind_display(),
                c.get_status_display(), c.get_verdict_display() if c.verdict else "",
                names.get(c.street_id, ""), names.get(c.community_id, ""), names.get(c.grid_id, ""),
                c.place_text, c.summary, "、".join(subjects.get(c.pk, [])),
                h.target_label if h else "", _local(h.handed_at) if h else None, _local(h.due_at) if h else None,
                _local(h.answered_at) if h else None,
                (h.within_deadline if h and h.within_deadline is not None else ""),
                c.get_outcome_display() if c.outcome else "", c.public_outcome, _local(c.closed_at),
            ])
    ws = exp.wb.add_worksheet(_("统计"))
    bold = exp.wb.add_format({"bold": True})
    r = 0

    def line(label, value=None, fmt=None):
        nonlocal r
        ws.write_string(r, 0, neutralise(str(label)), fmt)
        if value is not None and value != "":
            if isinstance(value, (int, float)):
                ws.write_number(r, 1, value)
            else:
                ws.write_string(r, 1, neutralise(str(value)))
        r += 1

    ws.set_column(0, 0, 28)
    ws.set_column(1, 4, 14)
    line(_("期间"), figures["window"]["label"], bold)
    line(_("线索总数"), figures["total"])
    line(_("未办结"), figures["open"])
    line(_("已办结"), figures["closed"])
    line(_("平均核查用时（小时）"), figures["check_avg_h"])
    line(_("平均交办用时（小时）"), figures["handoff_avg_h"])
    line(_("部门平均报到用时（小时）"), figures["answer_avg_h"])
    line(_("按时报到率（%）"), figures["within_pct"])
    for title, key in ((_("按来源"), "by_source"), (_("按类别"), "by_kind"), (_("按状态"), "by_status"), (_("办结结果"), "outcomes")):
        r += 1
        line(title, None, bold)
        for row in figures[key]:
            line(row["label"], row["n"])
    r += 1
    line(_("承办部门"), None, bold)
    for c, head in enumerate([_("部门"), _("交办"), _("已报到"), _("退回"), _("超时未报到"), _("按时报到率（%）"), _("平均报到用时（小时）")]):
        ws.write_string(r, c, str(head), bold)
    r += 1
    for d in figures["departments"]:
        ws.write_string(r, 0, neutralise(d["name"]))
        for c, v in enumerate([d["handed"], d["answered"], d["declined"], d["overdue_open"], d["within_pct"], d["answer_avg_h"]], start=1):
            if v is not None:
                ws.write_number(r, c, v)
        r += 1
    return exp.close(), exp.count
