"""The periodic reports (情况报送), computed from the records, as .xlsx and Word.

Two reports:
- semimonthly (每月13日、28日): a node's outreach done in the period, materials
  handed out, home-visit coverage, anti-fraud app / call warning /
  jinzhongzhao rates against the running target, per child node, with the
  period's activities, WeChat pushes, unit staff and school receipts;
- unit monthly (每月25日前报送, made on the last working day before the 25th): the units under a node (or one unit): activities
  for staff and service users, staff install rates by unit type and unit.

`semimonthly_data` / `unit_monthly_data` build one plain dict (title, meta,
summary paragraph, key figures, tables); the API returns that dict, and
`to_xlsx` / `to_docx` lay the same dict out, so every number in a file is
the number the API gives.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.cases.fraud_types import FraudType
from fanzha.core.scoping import system_actor
from fanzha.org.models import LEVEL_ORDER, Level, Node, Unit
from fanzha.outreach import selectors as sel
from fanzha.outreach.models import ActivityKind, Audience, TargetGroup, Venue
from fanzha.outreach.periods import (
    ReportPeriod,
    issue_number,
    semimonthly,
    unit_monthly,
    year_start,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"

STATUS_LABELS = {"met": "已完成", "on_track": "可按期完成", "behind": "进度滞后", "missed": "逾期未完成",
                 "no_target": "未设目标", "no_people": "—"}

# Who makes the scheduled and command-line reports: the whole tree, audited as "system".
SYSTEM = system_actor("system", display_name="系统")


def _n(v) -> str:
    """A count for the summary paragraph."""
    return f"{v:,}".replace(",", "") if isinstance(v, int) else str(v)


def _p(v) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _col(title: str, kind: str = "text", width: int = 12) -> dict:
    return {"title": title, "kind": kind, "width": width}


def _full_name(node: Node) -> str:
    names = [a.name for a in node.ancestors() if a.level != Level.COUNTY] + [node.name]
    return "".join(names) if node.level != Level.COUNTY else node.name


def _target_phrase(p: sel.Progress | None) -> str:
    if p is None or p.target is None:
        return _("尚未设定安装目标")
    t = p.target
    base = _("对照%(d)s前达到%(r)s%%的目标") % {"d": f"{t.deadline.year}年{t.deadline.month}月{t.deadline.day}日",
                                              "r": f"{float(t.rate):g}"}
    if p.status == "met":
        return base + _("，已完成")
    if p.status == "on_track":
        return base + _("，还差%(g)d人，按近%(w)d周进度预计可按期完成") % {"g": p.gap, "w": 4}
    if p.status == "behind":
        return base + _("，还差%(g)d人，按近%(w)d周进度预计难以按期完成，需加快进度") % {"g": p.gap, "w": 4}
    if p.status == "missed":
        return base + _("，期限已过，还差%(g)d人") % {"g": p.gap}
    return base


# --- semimonthly ---------------------------------------------------------------------


def semimonthly_data(user, node: Node, report_date: dt.date, *, period: ReportPeriod | None = None) -> dict:
    """Everything the semimonthly report of `node` dated `report_date` shows (see module doc).

    1. Period: from the day after the previous 13th/28th to the report date.
    2. Roll-up for the period (coverage) and for the year so far (coverage
       since 1 January), both with install rates as of the report date.
    3. Activities, visits, pushes and school receipts of the period; staff
       rates by unit type; the residents' running target for the node and
       each child.
    """
    period = period or semimonthly(report_date)
    # A report dated in the past counts the population registered by its date, as it stood then.
    rolled = sel.rollup(user, node, period=period, since=year_start(period.end),
                        heads_as_of=report_date if report_date < timezone.localdate() else None)
    total = rolled.total
    acts = sel.activities_for(user, node=node, start=period.start, end=period.end)
    letters = sel.letters_for(user, node=node, start=period.start, end=period.end)
    receipts = sel.receipt_totals(letters)
    new_installs = total.app_new
    child_level = LEVEL_ORDER[LEVEL_ORDER.index(node.level) + 1] if node.level not in (Level.GRID, Level.GROUP) else None
    if node.level == Level.GRID:
        child_level = None
    # Every count below comes from one place (selectors.outreach_by_child): the per-child rows, the 本级
    # row, 合计, 汇总 and the summary sentence. 发放资料 = activity materials + home-visit materials.
    by_child = sel.outreach_by_child(user, node, start=period.start, end=period.end, child_level=child_level or node.level)
    out = sel.outreach_totals(by_child)
    act_totals = {"activities": out["activities"], "participants": out["participants"], "materials": out["activity_materials"]}
    visits = {"visits": out["visits"], "materials": out["visit_materials"]}
    pushes = out["pushes"]
    progress = sel.install_progress(user, node, level=child_level or node.level, group=TargetGroup.RESIDENTS,
                                    as_of=period.end, rolled=rolled)
    units = sel.unit_rates(user, node=node, as_of=period.end)
    staff_total = sum(u["staff"] for u in units)
    staff_app = sum(u["app"] for u in units)
    materials = out["materials"]

    figures = {
        "activities": act_totals["activities"], "participants": act_totals["participants"],
        "materials": materials, "activity_materials": act_totals["materials"], "visit_materials": visits["materials"],
        "visits": visits["visits"], "visited_households": total.visited, "households": total.households,
        "coverage": total.coverage, "visited_households_ytd": total.visited_since, "coverage_ytd": total.coverage_since,
        "residents": total.residents, "app": total.app, "app_rate": total.app_rate, "new_installs": new_installs,
        "call_warning": total.call_warning, "call_warning_rate": total.call_warning_rate,
        "jinzhongzhao": total.jinzhongzhao, "jinzhongzhao_rate": total.jinzhongzhao_rate,
        "pushes": pushes, "letters_sent": receipts["sent"], "receipts_returned": receipts["returned"],
        "receipt_rate": receipts["rate"], "staff": staff_total, "staff_app": staff_app,
        "staff_app_rate": sel.pct(staff_app, staff_total),
    }
    root_p = progress["root"]
    if root_p and root_p.target:
        figures.update(target_rate=float(root_p.target.rate), target_deadline=root_p.target.deadline.isoformat(),
                       target_gap=root_p.gap, target_status=root_p.status)
    else:
        figures.update(target_rate=None, target_deadline=None, target_gap=None, target_status="no_target")

    end = period.end
    summary = (
        _("本期开展宣传活动%(a)s次，发放宣传资料%(m)s份，入户走访%(v)s户，国家反诈中心APP安装率%(r)s") % {
            "a": _n(figures["activities"]), "m": _n(materials), "v": _n(total.visited), "r": _p(total.app_rate)}
        + _("（截至%(mo)d月%(d)d日，辖区居民%(res)s人中已安装%(app)s人，本期新增%(new)s人），来电预警开通率%(cw)s，金钟罩注册率%(jz)s。") % {
            "mo": end.month, "d": end.day, "res": _n(total.residents), "app": _n(total.app), "new": _n(new_installs),
            "cw": _p(total.call_warning_rate), "jz": _p(total.jinzhongzhao_rate)}
        + _("本期参与群众%(p)s人次，入户宣传率%(cov)s，本年累计入户%(vy)s户、入户宣传率%(covy)s；微信群推送%(push)s次") % {
            "p": _n(act_totals["participants"]), "cov": _p(total.coverage), "vy": _n(total.visited_since),
            "covy": _p(total.coverage_since), "push": _n(pushes)}
        + (_("；学校发放致家长的一封信%(s)s份，回收回执%(r)s份，回收率%(rr)s") % {
            "s": _n(receipts["sent"]), "r": _n(receipts["returned"]), "rr": _p(receipts["rate"])} if receipts["sent"] else "")
        + (_("；单位职工%(s)s人中已安装%(a)s人，安装率%(r)s") % {"s": _n(staff_total), "a": _n(staff_app), "r": _p(figures["staff_app_rate"])}
           if staff_total else "")
        + "。" + _("居民安装率%(t)s。") % {"t": _target_phrase(root_p)}
    )

    tables = []
    # per child node
    if child_level:
        prog = {p.node_id: p for p in progress["rows"]}
        rows = []
        for c in rolled.children():
            f, p = rolled.of(c.id), prog.get(c.id)
            a = by_child.get(c.id, {})
            rows.append([c.name, a.get("activities", 0), a.get("materials", 0), a.get("pushes", 0),
                         f.households, f.visited, f.coverage, f.coverage_since, f.residents, f.app, f.app_rate,
                         f.call_warning_rate, f.jinzhongzhao_rate,
                         float(p.target.rate) if p and p.target else None,
                         p.target.deadline.isoformat() if p and p.target else "",
                         p.gap if p and p.target else None, STATUS_LABELS.get(p.status if p else "no_target", "")])
        own = by_child.get(None)
        if own:  # what the node did itself (e.g. the street office's own activities): a visible 本级 row
            rows.append([sel.own_level_label(node), own["activities"], own["materials"], own["pushes"],
                         None, None, None, None, None, None, None, None, None, None, "", None, ""])
        tables.append({
            "key": "children", "title": _("各%(level)s情况") % {"level": Level(child_level).label},
            "columns": [_col(_("名称"), "text", 18), _col(_("宣传活动（次）"), "int"), _col(_("发放资料（份）"), "int"),
                        _col(_("微信群推送（次）"), "int"), _col(_("户数"), "int"), _col(_("本期走访（户）"), "int"),
                        _col(_("本期入户宣传率（%）"), "pct"), _col(_("本年入户宣传率（%）"), "pct"), _col(_("居民"), "int"),
                        _col(_("已安装APP"), "int"), _col(_("APP安装率（%）"), "pct"), _col(_("来电预警开通率（%）"), "pct"),
                        _col(_("金钟罩注册率（%）"), "pct"), _col(_("目标（%）"), "pct"), _col(_("期限"), "text"),
                        _col(_("差距（人）"), "int"), _col(_("进度"), "text")],
            "rows": rows,
            "total": [_("合计"), act_totals["activities"], materials, pushes, total.households, total.visited,
                      total.coverage, total.coverage_since, total.residents, total.app, total.app_rate,
                      total.call_warning_rate, total.jinzhongzhao_rate,
                      figures["target_rate"], figures["target_deadline"] or "", figures["target_gap"],
                      STATUS_LABELS.get(figures["target_status"], "")],
        })
    # activities by kind
    by_kind = sel.activities_by_kind(acts)
    tables.append({
        "key": "by_kind", "title": _("宣传活动分类"),
        "columns": [_col(_("形式"), "text", 18), _col(_("次数"), "int"), _col(_("参与人数"), "int"), _col(_("活动发放资料（份）"), "int")],
        "rows": [[k["label"], k["count"], k["participants"], k["materials"]] for k in by_kind],
        "total": [_("合计"), act_totals["activities"], act_totals["participants"], act_totals["materials"]],
    })
    # the activities themselves
    kinds, venues = dict(ActivityKind.choices), dict(Venue.choices)
    types, audiences = dict(FraudType.choices), dict(Audience.choices)
    act_rows = []
    for a in acts.select_related("node", "unit").order_by("held_on", "id").iterator(chunk_size=2000):
        act_rows.append([a.held_on.isoformat(), a.unit.name if a.unit_id else a.node.name, a.place, str(kinds.get(a.kind, a.kind)),
                         str(venues.get(a.venue, a.venue)), "、".join(str(audiences.get(x, x)) for x in a.audiences),
                         a.participants, a.materials, "、".join(types.get(x, x) for x in a.fraud_types)])
    tables.append({
        "key": "activities", "title": _("宣传活动明细"),
        "columns": [_col(_("日期"), "text", 11), _col(_("组织单位"), "text", 16), _col(_("地点"), "text", 18),
                    _col(_("形式"), "text", 12), _col(_("六进类别"), "text", 10), _col(_("宣传对象"), "text", 14),
                    _col(_("参与人数"), "int"), _col(_("发放资料（份）"), "int"), _col(_("宣传的诈骗类型"), "text", 24)],
        "rows": act_rows,
    })
    # WeChat pushes per community and week
    if node.level in (Level.COUNTY, Level.STREET, Level.COMMUNITY):
        weeks = sel.push_weeks(user, node, start=period.start, end=period.end)
        tables.append({
            "key": "pushes", "title": _("微信群推送情况（每周至少两次）"),
            "columns": [_col(_("社区/村"), "text", 18)] + [_col(_("%(m)d月%(d)d日当周") % {"m": w.month, "d": w.day}, "int")
                                                        for w in weeks["weeks"]]
                       + [_col(_("合计"), "int"), _col(_("不足两次的周数"), "int")],
            "rows": [[r["name"]] + [c["count"] for c in r["cells"]] + [r["total"], r["short_weeks"]] for r in weeks["rows"]],
        })
    # staff of units by type
    if units:
        tables.append({
            "key": "units", "title": _("单位职工安装情况（按单位类型）"),
            "columns": [_col(_("单位类型"), "text", 16), _col(_("职工"), "int"), _col(_("已安装APP"), "int"),
                        _col(_("APP安装率（%）"), "pct"), _col(_("来电预警开通率（%）"), "pct"), _col(_("金钟罩注册率（%）"), "pct")],
            "rows": [[u["label"], u["staff"], u["app"], u["app_rate"], u["call_warning_rate"], u["jinzhongzhao_rate"]] for u in units],
            "total": [_("合计"), staff_total, staff_app, figures["staff_app_rate"], None, None],
        })
    schools = sel.receipts_by_school(letters)
    if schools:
        tables.append({
            "key": "schools", "title": _("学校致家长的一封信回执"),
            "columns": [_col(_("学校"), "text", 20), _col(_("班级数"), "int"), _col(_("发放（份）"), "int"),
                        _col(_("回收回执（份）"), "int"), _col(_("回收率（%）"), "pct")],
            "rows": [[s["school"], s["classes"], s["sent"], s["returned"], s["rate"]] for s in schools],
        })

    issue = issue_number(report_date) if report_date.day in (13, 28) else None
    return {
        "kind": "semimonthly",
        "title": _("%(name)s防范电信网络诈骗宣传及国家反诈中心APP安装情况报表") % {"name": node.name},
        "subtitle": (_("%(y)d年第%(n)d期") % {"y": report_date.year, "n": issue}) if issue else _("（期间报表）"),
        "node": {"id": node.id, "code": node.code, "name": node.name, "level": node.level},
        "reporting_unit": _full_name(node),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "report_date": report_date.isoformat(),
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "meta": [(_("填报单位"), _full_name(node)), (_("统计时段"), period.label),
                 (_("报送日期"), f"{report_date.year}年{report_date.month}月{report_date.day}日")],
        "summary": summary,
        "figures": figures,
        "key_figures": [
            (_("宣传活动（次）"), figures["activities"], "int"), (_("参与群众（人次）"), figures["participants"], "int"),
            (_("发放宣传资料（份）"), materials, "int"), (_("其中活动发放（份）"), act_totals["materials"], "int"),
            (_("其中入户发放（份）"), visits["materials"], "int"), (_("入户走访（户）"), total.visited, "int"),
            (_("本期入户宣传率（%）"), total.coverage, "pct"), (_("本年入户宣传率（%）"), total.coverage_since, "pct"),
            (_("居民（人）"), total.residents, "int"), (_("已安装国家反诈中心APP（人）"), total.app, "int"),
            (_("APP安装率（%）"), total.app_rate, "pct"), (_("本期新增安装（人）"), new_installs, "int"),
            (_("来电预警开通率（%）"), total.call_warning_rate, "pct"), (_("金钟罩注册率（%）"), total.jinzhongzhao_rate, "pct"),
            (_("微信群推送（次）"), pushes, "int"), (_("回执回收率（%）"), receipts["rate"], "pct"),
            (_("单位职工APP安装率（%）"), figures["staff_app_rate"], "pct"),
        ],
        "tables": tables,
        "signature": [_("填报人："), _("审核人："), _("联系电话：")],
    }


# --- unit monthly --------------------------------------------------------------------------


def unit_monthly_data(user, *, node: Node | None = None, unit: Unit | None = None, report_date: dt.date,
                      period: ReportPeriod | None = None) -> dict:
    """The units' monthly report (due by the 25th, month to date) for every unit under `node`, or for one `unit`."""
    period = period or unit_monthly(report_date)
    acts = sel.activities_for(user, node=node, unit=unit, start=period.start, end=period.end).filter(unit__isnull=False)
    act_totals = sel.activity_totals(acts)
    by_kind = sel.unit_rates(user, node=node, unit=unit, as_of=period.end, by="kind")
    by_unit = sel.unit_rates(user, node=node, unit=unit, as_of=period.end, by="unit")
    per_unit_acts = {r["unit_id"]: r for r in acts.order_by().values("unit_id").annotate(
        n=Count("id"), p=Coalesce(Sum("participants"), 0), m=Coalesce(Sum("materials"), 0))}
    letters = sel.letters_for(user, node=node, unit=unit, start=period.start, end=period.end)
    receipts = sel.receipt_totals(letters)
    staff = sum(u["staff"] for u in by_kind)
    app = sum(u["app"] for u in by_kind)
    cw = sum(u["call_warning"] for u in by_kind)
    jz = sum(u["jinzhongzhao"] for u in by_kind)
    units_total = len(by_unit)
    active_units = sum(1 for u in by_unit if per_unit_acts.get(u["key"]))
    name = unit.name if unit is not None else node.name
    figures = {"units": units_total, "units_with_activity": active_units, "activities": act_totals["activities"],
               "participants": act_totals["participants"], "materials": act_totals["materials"], "staff": staff,
               "app": app, "app_rate": sel.pct(app, staff), "call_warning": cw, "call_warning_rate": sel.pct(cw, staff),
               "jinzhongzhao": jz, "jinzhongzhao_rate": sel.pct(jz, staff), "letters_sent": receipts["sent"],
               "receipts_returned": receipts["returned"], "receipt_rate": receipts["rate"]}
    summary = (
        _("本期开展宣传活动%(a)s次，发放宣传资料%(m)s份，覆盖职工及服务对象%(p)s人次，国家反诈中心APP安装率%(r)s") % {
            "a": _n(act_totals["activities"]), "m": _n(act_totals["materials"]), "p": _n(act_totals["participants"]),
            "r": _p(figures["app_rate"])}
        + _("（职工%(s)s人中已安装%(app)s人），来电预警开通率%(cw)s，金钟罩注册率%(jz)s") % {
            "s": _n(staff), "app": _n(app), "cw": _p(figures["call_warning_rate"]), "jz": _p(figures["jinzhongzhao_rate"])}
        + (_("；%(n)s个单位中%(k)s个本期开展了宣传活动") % {"n": _n(units_total), "k": _n(active_units)} if unit is None else "")
        + (_("；发放致家长的一封信%(s)s份，回收回执%(r)s份，回收率%(rr)s") % {
            "s": _n(receipts["sent"]), "r": _n(receipts["returned"]), "rr": _p(receipts["rate"])} if receipts["sent"] else "")
        + "。"
    )
    tables = [{
        "key": "by_kind", "title": _("职工安装情况（按单位类型）"),
        "columns": [_col(_("单位类型"), "text", 16), _col(_("职工"), "int"), _col(_("已安装APP"), "int"),
                    _col(_("APP安装率（%）"), "pct"), _col(_("来电预警开通率（%）"), "pct"), _col(_("金钟罩注册率（%）"), "pct")],
        "rows": [[u["label"], u["staff"], u["app"], u["app_rate"], u["call_warning_rate"], u["jinzhongzhao_rate"]] for u in by_kind],
        "total": [_("合计"), staff, app, figures["app_rate"], figures["call_warning_rate"], figures["jinzhongzhao_rate"]],
    }, {
        "key": "units", "title": _("各单位情况"),
        "columns": [_col(_("单位"), "text", 24), _col(_("类型"), "text", 10), _col(_("宣传活动（次）"), "int"),
                    _col(_("参与人数"), "int"), _col(_("发放资料（份）"), "int"), _col(_("职工"), "int"),
                    _col(_("已安装APP"), "int"), _col(_("APP安装率（%）"), "pct"), _col(_("来电预警开通率（%）"), "pct"),
                    _col(_("金钟罩注册率（%）"), "pct")],
        "rows": [[u["label"], u["kind_label"], per_unit_acts.get(u["key"], {}).get("n", 0),
                  per_unit_acts.get(u["key"], {}).get("p", 0), per_unit_acts.get(u["key"], {}).get("m", 0),
                  u["staff"], u["app"], u["app_rate"], u["call_warning_rate"], u["jinzhongzhao_rate"]] for u in by_unit],
    }]
    kinds, venues, types = dict(ActivityKind.choices), dict(Venue.choices), dict(FraudType.choices)
    audiences = dict(Audience.choices)
    tables.append({
        "key": "activities", "title": _("宣传活动明细"),
        "columns": [_col(_("日期"), "text", 11), _col(_("单位"), "text", 20), _col(_("地点"), "text", 16), _col(_("形式"), "text", 12),
                    _col(_("六进类别"), "text", 10), _col(_("宣传对象"), "text", 14), _col(_("参与人数"), "int"),
                    _col(_("发放资料（份）"), "int"), _col(_("宣传的诈骗类型"), "text", 24)],
        "rows": [[a.held_on.isoformat(), a.unit.name, a.place, str(kinds.get(a.kind, a.kind)), str(venues.get(a.venue, a.venue)),
                  "、".join(str(audiences.get(x, x)) for x in a.audiences), a.participants, a.materials,
                  "、".join(types.get(x, x) for x in a.fraud_types)]
                 for a in acts.select_related("unit").order_by("held_on", "id")],
    })
    schools = sel.receipts_by_school(letters)
    if schools:
        tables.append({
            "key": "schools", "title": _("学校致家长的一封信回执"),
            "columns": [_col(_("学校"), "text", 20), _col(_("班级数"), "int"), _col(_("发放（份）"), "int"),
                        _col(_("回收回执（份）"), "int"), _col(_("回收率（%）"), "pct")],
            "rows": [[s["school"], s["classes"], s["sent"], s["returned"], s["rate"]] for s in schools],
        })
    unit_name = _full_name(node) if node is not None else f"{unit.node.name}{unit.name}"
    return {
        "kind": "unit_monthly",
        "title": _("%(name)s防范电信网络诈骗工作月报") % {"name": name if unit is not None else name + _("各单位")},
        "subtitle": _("%(y)d年%(m)d月") % {"y": report_date.year, "m": report_date.month},
        "node": {"id": node.id, "code": node.code, "name": node.name, "level": node.level} if node is not None else None,
        "unit": {"id": unit.id, "name": unit.name, "kind": unit.kind} if unit is not None else None,
        "reporting_unit": unit_name,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "report_date": report_date.isoformat(),
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "meta": [(_("填报单位"), unit_name), (_("统计时段"), period.label),
                 (_("报送日期"), f"{report_date.year}年{report_date.month}月{report_date.day}日")],
        "summary": summary,
        "figures": figures,
        "key_figures": [
            (_("单位（个）"), units_total, "int"), (_("开展活动的单位（个）"), active_units, "int"),
            (_("宣传活动（次）"), act_totals["activities"], "int"), (_("参与人数（人次）"), act_totals["participants"], "int"),
            (_("发放宣传资料（份）"), act_totals["materials"], "int"), (_("职工（人）"), staff, "int"),
            (_("已安装国家反诈中心APP（人）"), app, "int"), (_("APP安装率（%）"), figures["app_rate"], "pct"),
            (_("来电预警开通率（%）"), figures["call_warning_rate"], "pct"), (_("金钟罩注册率（%）"), figures["jinzhongzhao_rate"], "pct"),
        ],
        "tables": tables,
        "signature": [_("填报人："), _("单位负责人："), _("联系电话：")],
    }


# --- file layouts --------------------------------------------------------------------------


def _columns(table: dict) -> list:
    from fanzha.core.documents import Column

    return [Column(c["title"], c["kind"]) for c in table["columns"]]


def _report_day(data: dict) -> dt.date:
    return dt.date.fromisoformat(data["report_date"])


def to_xlsx(data: dict) -> bytes:
    """The report as a workbook that prints (`fanzha.core.sheets`): a 汇总 sheet (title, unit,
    period, summary, key figures) and one sheet per table. Numbers are numbers; rates are
    percentages with one decimal."""
    from fanzha.core.sheets import Workbook

    book = Workbook()
    book.summary_sheet(
        _("汇总"), title=data["title"], subtitle=data["subtitle"], fields=data["meta"],
        paragraph=(_("总体情况"), data["summary"]), figures=data["key_figures"],
        footer_lines=["    ".join(data["signature"]),
                      _("本表由系统根据台账记录自动生成：%(t)s") % {"t": data["generated_at"]}])
    for t in data["tables"]:
        book.table_sheet(t["title"], columns=_columns(t), rows=t["rows"], totals=t.get("total"),
                         title=f"{data['reporting_unit']} · {t['title']}", subtitle=data["period"]["label"],
                         empty_text=_("本期无记录。"))
    return book.to_bytes()


def to_docx(data: dict) -> bytes:
    """The report as a Word document in the official format (`fanzha.core.documents`): title and
    issue, reporting unit and period, 一、总体情况 (the summary paragraph), one numbered section
    per table, the signature line, and the reporting unit and date at the end (落款)."""
    return report_document(data).to_bytes()


def to_pdf(data: dict) -> bytes:
    """The Word document's PDF, printed by LibreOffice from its ODF rendering (the same document,
    read several times faster than the .docx: `fanzha.core.documents_odf`). PdfError without LibreOffice."""
    return report_document(data).to_pdf_bytes()


def report_document(data: dict):
    """The report as a `fanzha.core.documents.Document` (what to_docx and to_pdf lay out)."""
    from fanzha.core.documents import Document

    doc = Document(title=data["title"], subtitle=data["subtitle"], issuer=data["reporting_unit"],
                   date=_report_day(data),
                   note=_("此件由系统根据台账记录自动生成，%(t)s") % {"t": data["generated_at"]})
    doc.lines([f"{k}：{v}" for k, v in data["meta"][:2]], sep="　")
    doc.heading1(_("总体情况"))
    doc.paragraph(data["summary"])
    for t in data["tables"]:
        doc.heading1(t["title"])
        if not t["rows"]:
            doc.paragraph(_("本期无记录。"))
            continue
        doc.table(_columns(t), t["rows"], totals=t.get("total"))
    doc.lines(data["signature"])
    return doc


def render(data: dict, fmt: str) -> tuple[bytes, str]:
    """(content, content type) of a report in "xlsx", "docx" or "pdf"."""
    if fmt == "xlsx":
        return to_xlsx(data), XLSX_TYPE
    if fmt == "docx":
        return to_docx(data), DOCX_TYPE
    if fmt == "pdf":  # the Word document printed by LibreOffice (fanzha.core.pdf; PdfError without it)
        return to_pdf(data), PDF_TYPE
    raise ValueError(fmt)


def filename(data: dict, fmt: str) -> str:
    who = data["unit"]["name"] if data.get("unit") else data["node"]["name"]
    kind = _("宣传及APP安装情况") if data["kind"] == "semimonthly" else _("单位防范工作月报")
    return f"{who}{kind}{data['report_date']}.{fmt}"
