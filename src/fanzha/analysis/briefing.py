"""The period briefing (工作简报/通报): numbers from each app's selectors, text in the offices' style.

`briefing_numbers` gathers every figure once (the page, the Word file and the
stored version all read this dict); `briefing_text` writes the paragraphs;
`briefing_document` lays them out through `fanzha.core.documents`.

Rounding (`about`): below 100 the exact number; from 100 the number cut down to
its two leading digits plus "余" when anything was cut (2046 → "2000余",
156 → "150余", 2000 → "2000"); from 10,000 in 万 with one decimal
(12,345 → "1.2万余").
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.cases import selectors as case_selectors
from fanzha.cases.periods import Period
from fanzha.org.models import Node


def about(n: int) -> str:
    """An office's rounded figure: 2046 → "2000余", 12345 → "1.2万余", 87 → "87"."""
    n = int(n or 0)
    if n < 100:
        return str(n)
    if n >= 10000:
        tenth = n // 1000
        cut = tenth * 1000
        text = f"{tenth // 10}" if tenth % 10 == 0 else f"{tenth / 10:.1f}"
        return f"{text}万" + ("余" if cut != n else "")
    step = 10 ** (len(str(n)) - 2)
    cut = n // step * step
    return str(cut) + ("余" if cut != n else "")


def _pct_phrase(pct: float | None, noun: str) -> str:
    if pct is None:
        return _("%(noun)s无去年同期可比数据") % {"noun": noun}
    if pct < 0:
        return _("%(noun)s同比下降%(p)s%%") % {"noun": noun, "p": f"{abs(pct):.1f}"}
    if pct > 0:
        return _("%(noun)s同比上升%(p)s%%") % {"noun": noun, "p": f"{pct:.1f}"}
    return _("%(noun)s与去年同期持平") % {"noun": noun}


def briefing_numbers(user, *, node: Node, period: Period, today: dt.date | None = None) -> dict:
    """Every number of the briefing for `node` and `period`, each from its app's selectors."""
    from fanzha.outreach import selectors as outreach
    from fanzha.supervision import selectors as supervision
    from fanzha.supervision.models import MeetingKind
    from fanzha.org import selectors as org_selectors

    today = today or timezone.localdate()
    start, end = period.start, min(period.end, today)
    level = f"{node.level}_id"
    acts = outreach.activity_totals(outreach.activities_for(user, node=node, start=start, end=end))
    visits = outreach.visit_totals(outreach.visits_for(user, node=node, start=start, end=end))
    pushes = outreach.pushes_for(user, node=node, start=start, end=end).count()
    meetings = supervision.meetings_for(user).filter(**{level: node.id}, held_on__gte=start, held_on__lte=end)
    sched = meetings.filter(kind=MeetingKind.SCHEDULING).count()
    inspections = supervision.visits_for(user).filter(**{level: node.id}, visited_on__gte=start,
                                                      visited_on__lte=end).count()
    dash = case_selectors.dashboard(user, node=node, period=period, today=today)
    ranking = dash["ranking"]
    # the overdue items placed under this node (the user's top node gets all of them, a street of the county its own)
    tops = {n.id for n in org_selectors.top_nodes(user)}
    items, overdue_total = supervision.overdue_items(user, today=today, node=None if node.id in tops else node)
    overdue = [i.as_dict() for i in items]
    return {
        "node": node.name, "node_id": node.id, "period": str(period), "period_label": period.label,
        "start": start.isoformat(), "end": end.isoformat(), "generated_on": today.isoformat(),
        "activities": acts["activities"], "participants": acts["participants"],
        "materials": acts["materials"] + (visits["materials"] or 0),
        "visits": visits["visits"], "visited_households": visits["households"],
        "pushes": pushes, "scheduling_meetings": sched, "meetings": meetings.count(),
        "inspections": inspections,
        "cases": dash["total"]["count"], "loss": dash["total"]["loss"], "stopped": dash["total"]["stopped"],
        "yoy_count_pct": dash["total"]["yoy_count_pct"], "yoy_loss_pct": dash["total"]["yoy_loss_pct"],
        "by_type": dash["by_type"][:3],
        "best": sorted(ranking, key=lambda r: (r["count"], r["yoy_count_pct"] or 0))[:3],
        "worst": ranking[:3],
        "overdue": overdue, "overdue_total": overdue_total,
    }


def has_data(numbers: dict) -> bool:
    keys = ("activities", "materials", "visits", "pushes", "meetings", "inspections", "cases")
    return any(numbers.get(k) for k in keys)


def briefing_text(n: dict) -> str:
    """The generated paragraphs (one per line), in the seeds' style; the office edits them before publishing."""
    paras = []
    paras.append(_("%(period)s，%(node)s本期开展宣传活动%(acts)s次，覆盖群众%(people)s人次，发放资料%(mat)s份，"
                   "入户走访%(visits)s次（%(hh)s户），微信群推送%(push)s期，召开调度会%(sched)s次，督导检查%(insp)s次。") % {
        "period": n["period_label"], "node": n["node"], "acts": n["activities"], "people": about(n["participants"]),
        "mat": about(n["materials"]), "visits": about(n["visits"]), "hh": about(n["visited_households"]),
        "push": n["pushes"], "sched": n["scheduling_meetings"], "insp": n["inspections"]})
    case_line = _("本期发案%(c)s起，%(yoy)s；损失%(loss)s万元，%(lyoy)s。") % {
        "c": n["cases"], "yoy": _pct_phrase(n["yoy_count_pct"], _("发案数")),
        "loss": f"{n['loss'] / 10000:.1f}", "lyoy": _pct_phrase(n["yoy_loss_pct"], _("损失"))}
    if n["by_type"]:
        case_line += _("主要类型为%(types)s。") % {"types": "、".join(f"{t['label']}（{t['count']}起）" for t in n["by_type"])}
    paras.append(case_line)
    if n["worst"]:
        paras.append(_("发案较少的有：%(best)s；发案较多的有：%(worst)s。") % {
            "best": "、".join(f"{r['name']}（{r['count']}起）" for r in n["best"]),
            "worst": "、".join(f"{r['name']}（{r['count']}起）" for r in n["worst"])})
    if n["overdue_total"]:
        paras.append(_("截至%(d)s，逾期未完成事项%(t)s项：%(items)s。") % {
            "d": n["generated_on"], "t": n["overdue_total"],
            "items": "；".join(f"{i['title']}（{i['holders']}，逾期{i['days_overdue']}天）" for i in n["overdue"])})
    elif n["overdue_total"] == 0:
        paras.append(_("截至%(d)s，无逾期未完成事项。") % {"d": n["generated_on"]})
    return "\n".join(paras)


def briefing_document(briefing) -> bytes:
    """The Word file of a briefing: its (edited) text, and the numbers table it was generated from."""
    from fanzha.core.documents import Column, Document

    n = briefing.numbers
    doc = Document(title=briefing.title, subtitle=n.get("period_label", ""), issuer=n.get("node", ""),
                   date=(briefing.published_at or briefing.created_at or timezone.now()).date(),
                   note=_("此件由系统根据台账记录生成，经办公室审核") if briefing.status == "published" else _("草稿，未发布"))
    doc.heading1(_("工作情况"))
    for line in briefing.text.splitlines():
        if line.strip():
            doc.paragraph(line.strip())
    doc.heading1(_("主要数据"))
    rows = [[_("宣传活动（次）"), n["activities"]], [_("发放资料（份）"), n["materials"]], [_("入户走访（次）"), n["visits"]],
            [_("微信群推送（期）"), n["pushes"]], [_("调度会（次）"), n["scheduling_meetings"]],
            [_("督导检查（次）"), n["inspections"]], [_("发案（起）"), n["cases"]]]
    doc.table([Column(_("项目")), Column(_("数量"), "int")], rows)
    if n.get("worst"):
        doc.heading1(_("各单位发案情况"))
        doc.table([Column(_("名称")), Column(_("发案"), "int", unit="起"), Column(_("去年同期"), "int", unit="起")],
                  [[r["name"], r["count"], r["year_before"]] for r in sorted(n["worst"] + [b for b in n["best"] if b not in n["worst"]], key=lambda r: -r["count"])])
    return doc.to_bytes()
