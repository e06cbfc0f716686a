"""The risk figures of a node and period: one dict for the page, the API and the .xlsx.

Each figure is defined once here:
- key persons: open files by category (a file with two categories counts in both),
  open files, overdue reviews (as of today), files opened and closed in the period,
  follow-ups done in the period;
- premises: active premises by kind, premises checked in the period's last month (this month), checks,
  checks with a finding in the period, premises flagged now (open finding);
- screening: community-months due in the period up to this month, filed, filed on time
  (by the month's last day), missing;
- sweeps: sweeps held in the period covering the node's grids ("周三打卡N期"), of which off
  the Wednesday window, people checked, premises checked, findings.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from fanzha.core.scoping import scoped
from fanzha.org.models import Level, Node
from fanzha.risk.models import (
    Category,
    CheckTally,
    FileStatus,
    Finding,
    FollowUp,
    KeyPerson,
    KeyPersonCategory,
    Premises,
    PremisesKind,
    Screening,
    Sweep,
    SweepGrid,
    SweepPerson,
    month_end,
)
from fanzha.risk.selectors import node_q


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append(m)
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _per_month(day_counts, months: list[dt.date]) -> list[int]:
    """Counts per day (the index order, no temporary sort) summed into months."""
    out = dict.fromkeys(months, 0)
    for day, n in day_counts:
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        key = day.replace(day=1)
        if key in out:
            out[key] += n
    return [out[m] for m in months]


def risk_figures(user, *, node: Node | None, period, today: dt.date) -> dict:
    start, end = period.start, min(period.end, today)
    months = _months(start, end) if start <= end else []
    where = node_q(node)

    files = scoped(KeyPerson.objects.all(), user).filter(where)
    open_files = files.filter(status=FileStatus.OPEN)
    by_cat = dict(KeyPersonCategory.objects.filter(person__in=open_files.values("id")).values("category")
                  .annotate(n=Count("id")).values_list("category", "n"))
    file_counts = files.aggregate(
        open=Count("id", filter=Q(status=FileStatus.OPEN)),
        overdue=Count("id", filter=Q(status=FileStatus.OPEN, next_review_on__lt=today)),
        opened=Count("id", filter=Q(opened_on__gte=start, opened_on__lte=end)),
        closed=Count("id", filter=Q(closed_on__gte=start, closed_on__lte=end)),
    )
    follow_ups = scoped(FollowUp.objects.all(), user).filter(where, on__gte=start, on__lte=end)
    follow_by_day = follow_ups.values("on").annotate(n=Count("id")).order_by()
    follow_series = _per_month(((d, n) for d, n in follow_by_day.values_list("on", "n")), months)

    premises = scoped(Premises.objects.all(), user).filter(where, active=True)
    by_kind = dict(premises.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    flagged = premises.filter(open_finding__in=[f for f in Finding.values if f != Finding.NONE]).count()
    tallies = scoped(CheckTally.objects.all(), user).filter(where, month__gte=start.replace(day=1), month__lte=end)
    per_month = {m: row for m, *row in tallies.values("month").annotate(
        a=Sum("checks"), b=Sum("findings"), c=Sum("dens"), d=Sum("sweep_checks"), e=Sum("sweep_findings"), f=Sum("premises"))
        .order_by().values_list("month", "a", "b", "c", "d", "e", "f")}
    totals = [sum(r[i] or 0 for r in per_month.values()) for i in range(5)]
    check_counts = {"n": totals[0], "findings": totals[1], "dens": totals[2], "sweep_n": totals[3], "sweep_f": totals[4]}
    # "Checked this month": distinct premises checked in the period's last month (the current one for this year).
    last_month = months[-1] if months else start
    checked = (per_month.get(last_month) or [0] * 6)[5] or 0

    communities = scoped(Node.objects.filter(level=Level.COMMUNITY), user).filter(where)
    n_comm = communities.count()
    due_months = [m for m in months if m <= today.replace(day=1)]
    filed = scoped(Screening.objects.all(), user).filter(where, month__in=due_months)
    past_due = [m for m in due_months if month_end(m) < today]
    tz = timezone.get_current_timezone()
    in_time = Q(pk__in=[])
    for m in due_months:  # filed by the end of the month's last day, local time
        in_time |= Q(month=m, filed_at__lt=dt.datetime.combine(month_end(m) + dt.timedelta(days=1), dt.time(0), tzinfo=tz))
    filed_counts = filed.aggregate(n=Count("id"), on_time=Count("id", filter=in_time),
                                   past=Count("id", filter=Q(month__in=past_due)))
    on_time, n_filed = filed_counts["on_time"], filed_counts["n"]
    missing_past = n_comm * len(past_due) - filed_counts["past"]

    grid_rows = scoped(SweepGrid.objects.all(), user).filter(where, held_on__gte=start, held_on__lte=end)
    if node is not None and node.level in (Level.COUNTY, Level.STREET):
        # A sweep's grids are all in one street: at street level and above it is placed inside the node.
        sweeps = scoped(Sweep.objects.all(), user).filter(where, held_on__gte=start, held_on__lte=end)
    else:
        sweeps = Sweep.objects.filter(pk__in=grid_rows.values("sweep_id").distinct())
    sweep_counts = sweeps.aggregate(n=Count("id"), off=Count("id", filter=Q(off_window=True)))
    people = scoped(SweepPerson.objects.all(), user).filter(where, held_on__gte=start, held_on__lte=end)
    people_counts = people.aggregate(n=Count("id"), f=Count("id", filter=Q(no_regular_job=True) | Q(frequent_moves=True)
                                                             | Q(hotspot_ties=True)))

    return {
        "node": {"id": node.id, "name": node.name, "level": node.level} if node else None,
        "period": {"key": str(period), "label": str(period.label) if hasattr(period, "label") else str(period),
                   "start": start.isoformat(), "end": period.end.isoformat()},
        "as_of": today.isoformat(),
        "key_persons": {
            "open": file_counts["open"],
            "overdue": file_counts["overdue"],
            "opened": file_counts["opened"],
            "closed": file_counts["closed"],
            "follow_ups": sum(follow_series),
            "by_category": [{"key": k, "label": str(lb), "count": by_cat.get(k, 0)} for k, lb in Category.choices],
        },
        "premises": {
            "total": sum(by_kind.values()),
            "by_kind": [{"key": k, "label": str(lb), "count": by_kind.get(k, 0)} for k, lb in PremisesKind.choices],
            "checked": checked,
            "checked_month": last_month.strftime("%Y-%m"),
            "checks": check_counts["n"],
            "findings": check_counts["findings"],
            "dens": check_counts["dens"],
            "flagged": flagged,
        },
        "screening": {
            "communities": n_comm,
            "due": n_comm * len(due_months),
            "filed": n_filed,
            "on_time": on_time,
            "missing_past_due": max(0, missing_past),
        },
        "sweeps": {
            "held": sweep_counts["n"],
            "off_window": sweep_counts["off"],
            "people_checked": people_counts["n"],
            "premises_checked": check_counts["sweep_n"],
            "findings": people_counts["f"] + check_counts["sweep_f"],
        },
        "months": [m.strftime("%Y-%m") for m in months],
        "series": {
            "sweeps": _per_month(sweeps.values("held_on").annotate(n=Count("id")).order_by().values_list("held_on", "n"),
                                 months),
            "checks": [(per_month.get(m) or [0])[0] or 0 for m in months],
            "follow_ups": follow_series,
        },
    }


def figure_rows(report: dict) -> list[tuple[str, str, int]]:
    """(section, figure, value) rows: the .xlsx sheet and the page's table read the same rows."""
    kp, pr, sc, sw = report["key_persons"], report["premises"], report["screening"], report["sweeps"]
    rows = [("重点人员", "在管档案", kp["open"]), ("重点人员", "逾期未回访", kp["overdue"]),
            ("重点人员", "本期新建档", kp["opened"]), ("重点人员", "本期销档", kp["closed"]),
            ("重点人员", "本期帮教次数", kp["follow_ups"])]
    rows += [("重点人员类别", c["label"], c["count"]) for c in kp["by_category"]]
    rows += [("场所", "在用场所", pr["total"]), ("场所", "本月检查场所数", pr["checked"]), ("场所", "本期检查次数", pr["checks"]),
             ("场所", "本期有发现的检查", pr["findings"]), ("场所", "本期发现疑似窝点", pr["dens"]),
             ("场所", "当前未消除发现的场所", pr["flagged"])]
    rows += [("场所类型", k["label"], k["count"]) for k in pr["by_kind"]]
    rows += [("月度排查", "应报社区·月", sc["due"]), ("月度排查", "已报", sc["filed"]), ("月度排查", "按时报送", sc["on_time"]),
             ("月度排查", "逾期未报", sc["missing_past_due"])]
    rows += [("周三打卡", "打卡期数", sw["held"]), ("周三打卡", "其中非周三19–22时", sw["off_window"]),
             ("周三打卡", "核查人员", sw["people_checked"]), ("周三打卡", "检查场所", sw["premises_checked"]),
             ("周三打卡", "发现问题", sw["findings"])]
    return rows
