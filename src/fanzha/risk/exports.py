"""The .xlsx files of the risk work: the figures and the three ledgers an office files
(一人一档 list, 场所检查台账, 周三打卡台账). Numbers are masked; cells are neutralised."""

from __future__ import annotations

from fanzha.core.exports import XlsxExport
from fanzha.risk import selectors
from fanzha.risk.models import Category, SweepGrid
from fanzha.risk.reports import figure_rows

CATEGORY_LABELS = dict(Category.choices)


def figures_xlsx(report: dict):
    x = XlsxExport([("类别", 14), ("指标", 24), ("数值", 10)], sheet_name="风险统计")
    x.write(["节点", (report["node"] or {}).get("name", "全部"), None])
    x.write(["期间", report["period"]["label"], None])
    for row in figure_rows(report):
        x.write(list(row))
    return x.close()


def key_persons_xlsx(user, *, node, today):
    x = XlsxExport([("序号", 6), ("姓名", 10), ("身份证号", 20), ("类别", 18), ("社区", 14), ("网格", 14), ("住址", 24),
                    ("联系方式", 20), ("责任民警", 10), ("社区责任人", 10), ("建档日期", 12), ("最近帮教", 12),
                    ("下次回访", 12), ("是否逾期", 8), ("状态", 8), ("关注要点", 30)], sheet_name="一人一档", text_columns=[2])
    qs = selectors.key_persons_for(user, node=node, status="").order_by("community_id", "grid_id", "name", "id")
    for i, p in enumerate(qs, start=1):
        x.write([i, p.name, p.id_number_masked, "、".join(str(CATEGORY_LABELS.get(c.category, c.category))
                                                          for c in p.categories.all()),
                 p.community.name if p.community else "", p.grid.name if p.grid else "", p.address, p.contacts,
                 str(p.officer or ""), str(p.community_worker or ""), p.opened_on, p.last_follow_up_on, p.next_review_on,
                 bool(p.next_review_on and p.next_review_on < today), p.get_status_display(), p.watch_for])
    return x.close()


def checks_xlsx(user, *, node, period):
    x = XlsxExport([("检查日期", 12), ("场所名称", 20), ("类型", 10), ("所在楼宇", 14), ("地址", 24), ("社区", 12), ("网格", 14),
                    ("负责人", 10), ("检查人员", 20), ("检查内容", 24), ("发现", 10), ("情况说明", 24), ("处置措施", 24),
                    ("周三打卡", 8), ("照片数", 8)], sheet_name="场所检查台账")
    qs = selectors.checks_for(user, node=node, start=period.start, end=period.end).order_by("checked_on", "id") \
        .prefetch_related("photos")
    for c in qs:
        p = c.premises
        x.write([c.checked_on, p.name, p.get_kind_display(), p.building, p.address, c.community.name if c.community else "",
                 c.grid.name if c.grid else "", p.manager_name, c.team, c.items, c.get_finding_display(), c.finding_note,
                 c.action_taken, bool(c.sweep_id), len(c.photos.all())])
    return x.close()


def sweeps_xlsx(user, *, node, period):
    x = XlsxExport([("期数", 6), ("日期", 12), ("时间", 12), ("非周三19–22时", 10), ("覆盖网格", 30), ("队员", 30),
                    ("志愿者人数", 8), ("核查人员", 8), ("检查场所", 8), ("发现问题", 8), ("备注", 24)], sheet_name="周三打卡台账")
    sweeps = list(selectors.sweeps_for(user, node=node, start=period.start, end=period.end).order_by("held_on", "id")
                  .prefetch_related("members"))
    grids: dict[int, list[str]] = {}
    for sid, name in SweepGrid.objects.filter(sweep_id__in=[s.id for s in sweeps]).values_list("sweep_id", "grid__name"):
        grids.setdefault(sid, []).append(name)
    for i, s in enumerate(sweeps, start=1):
        x.write([i, s.held_on, f"{s.starts_at:%H:%M}-{s.ends_at:%H:%M}", s.off_window, "、".join(grids.get(s.id, [])),
                 "、".join(str(u) for u in s.members.all()), s.volunteer_count, s.people_checked, s.premises_checked,
                 s.findings, s.note])
    return x.close()



