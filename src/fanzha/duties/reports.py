"""A concentrated campaign's summary report: one dict feeds the page, the .xlsx and the Word file."""

from __future__ import annotations

from django.db.models import Count, Sum

from fanzha.core.documents import Column, Document
from fanzha.core.sheets import Workbook
from fanzha.duties.models import Campaign

COLUMNS = [Column("阶段/社区"), Column("活动", "int", unit="场"), Column("参与", "int", unit="人次"),
           Column("发放资料", "int", unit="份")]


def campaign_report(campaign: Campaign) -> dict:
    """Figures of the activities tagged with the campaign: by phase and by community, with totals."""
    from fanzha.org.models import Node
    from fanzha.outreach.models import Activity

    acts = Activity.objects.filter(id__in=campaign.tags.values("activity_id"))
    total = acts.aggregate(n=Count("id"), people=Sum("participants"), materials=Sum("materials"))
    phases = []
    for p in campaign.phases.all():
        f = acts.filter(held_on__range=(p.starts_on, p.ends_on)).aggregate(
            n=Count("id"), people=Sum("participants"), materials=Sum("materials"))
        phases.append({"name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on, "activities": f["n"],
                       "participants": f["people"] or 0, "materials": f["materials"] or 0})
    by_comm = list(acts.values("community_id").annotate(n=Count("id"), people=Sum("participants"),
                                                       materials=Sum("materials")).order_by("community_id"))
    names = dict(Node.objects.filter(id__in=[r["community_id"] for r in by_comm if r["community_id"]])
                 .values_list("id", "name"))
    communities = [{"name": names.get(r["community_id"], "街道本级"), "activities": r["n"],
                    "participants": r["people"] or 0, "materials": r["materials"] or 0} for r in by_comm]
    totals = {"activities": total["n"], "participants": total["people"] or 0, "materials": total["materials"] or 0}
    text = (f"{campaign.name}（{campaign.starts_on:%Y年%m月%d日}至{campaign.ends_on:%Y年%m月%d日}）期间，"
            f"共开展宣传活动{totals['activities']}场，参与{totals['participants']}人次，"
            f"发放宣传资料{totals['materials']}份。")
    return {"campaign": campaign.name, "node": str(campaign.node), "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on, "summary_due_on": campaign.summary_due_on, "phases": phases,
            "communities": communities, "totals": totals, "text": text}


def _rows(items):
    return [[i["name"], i["activities"], i["participants"], i["materials"]] for i in items]


def campaign_xlsx(report: dict) -> bytes:
    t = report["totals"]
    book = Workbook()
    book.summary_sheet("汇总", title=f"{report['campaign']}总结", subtitle=f"{report['starts_on']} 至 {report['ends_on']}",
                       fields=[("组织单位", report["node"]), ("报送日期", str(report["summary_due_on"]))],
                       paragraph=("总体情况", report["text"]),
                       figures=[("活动（场）", t["activities"], "int"), ("参与（人次）", t["participants"], "int"),
                                ("发放资料（份）", t["materials"], "int")])
    totals = ["合计", t["activities"], t["participants"], t["materials"]]
    book.table_sheet("各阶段", columns=COLUMNS, rows=_rows(report["phases"]), totals=totals, title="各阶段情况")
    book.table_sheet("各社区", columns=COLUMNS, rows=_rows(report["communities"]), totals=totals, title="各社区情况")
    return book.to_bytes()


def campaign_docx(report: dict) -> bytes:
    t = report["totals"]
    totals = ["合计", t["activities"], t["participants"], t["materials"]]
    doc = Document(title=f"{report['campaign']}工作总结", issuer=report["node"], date=report["summary_due_on"],
                   note="此件由系统根据台账记录自动生成")
    doc.heading1("总体情况")
    doc.paragraph(report["text"])
    doc.heading1("各阶段情况")
    doc.table(COLUMNS, _rows(report["phases"]), totals=totals)
    doc.heading1("各社区情况")
    doc.table(COLUMNS, _rows(report["communities"]), totals=totals)
    return doc.to_bytes()
