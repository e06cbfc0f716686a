"""The seeds' duties, loaded as defaults (data migration 0002, and the office's 「载入默认职责」).

Each default carries its figure from the seed documents; the office may change
the count, rhythm and reminder days afterwards (loading again never overwrites
an edited duty: rows are matched by `seed_key`).
"""

from __future__ import annotations

SIX_ENTRIES = ["residential", "community", "enterprise", "school", "family", "public_place"]  # 六进
PLAN_002 = "西办〔2021〕 反诈工作方案（种子文档002）"

DEFAULTS: list[dict] = [
    # 组织网格员、平安专干、联户长每季度至少开展2-3次六进反诈宣传活动
    dict(seed_key="six_entries_grid_worker", name="网格员每季度六进宣传", who="role", who_value="grid_worker",
         record="activity", venues=SIX_ENTRIES, rhythm="quarterly", count=2, count_max=3, remind_days=10, basis=PLAN_002),
    dict(seed_key="six_entries_safety_staff", name="平安专干每季度六进宣传", who="role", who_value="safety_staff",
         record="activity", venues=SIX_ENTRIES, rhythm="quarterly", count=2, count_max=3, remind_days=10, basis=PLAN_002),
    dict(seed_key="six_entries_group_head", name="联户长每季度六进宣传", who="role", who_value="group_head",
         record="activity", venues=SIX_ENTRIES, rhythm="quarterly", count=2, count_max=3, remind_days=10, basis=PLAN_002),
    # 在阳光村务群、网格工作群、单位工作群、学生家长群等微信群中，每周至少推出两次以上
    dict(seed_key="group_pushes", name="微信群每周推送", who="group", who_value="", record="push",
         rhythm="weekly", count=2, remind_days=2, basis=PLAN_002),
    # 每学期至少组织开展2次反诈宣传活动，确保辖区教职员工接受（全覆盖）
    dict(seed_key="school_activities", name="学校每学期反诈宣传（教职员工全覆盖）", who="unit", who_value="school",
         record="activity", audiences=["teachers", "unit_staff"], rhythm="semester", count=2, remind_days=14, basis=PLAN_002),
    dict(seed_key="high_school_broadcast", name="高中每日反诈广播", who="unit", who_value="high_school",
         record="entry", rhythm="daily", count=1, remind_days=0, basis=PLAN_002),
    # 每季度针对单位职工特别是财务管理等高危岗位……开展宣传教育
    dict(seed_key="unit_staff_education", name="单位职工每季度反诈教育", who="unit", who_value="",
         record="activity", audiences=["unit_staff", "finance_staff", "teachers"], rhythm="quarterly", count=1,
         remind_days=10, basis=PLAN_002),
    dict(seed_key="unit_finance_education", name="财务等高危岗位每季度反诈教育", who="unit", who_value="",
         record="activity", audiences=["finance_staff"], rhythm="quarterly", count=1, remind_days=10, basis=PLAN_002),
    dict(seed_key="cinema_micro_film", name="影院放映前播放反诈微电影（台账）", who="unit", who_value="cinema",
         record="entry", rhythm="daily", count=1, remind_days=0, basis=PLAN_002),
    dict(seed_key="bank_prompts", name="银行LED/ATM提示与柜台提醒（台账）", who="unit", who_value="bank",
         record="entry", rhythm="daily", count=1, remind_days=0, basis=PLAN_002),
    dict(seed_key="property_loudspeaker", name="物业小喇叭定时播报（台账）", who="unit", who_value="property",
         record="entry", rhythm="daily", count=1, remind_days=0, basis=PLAN_002),
    dict(seed_key="property_notices", name="物业楼栋出入口张贴提示（台账）", who="unit", who_value="property",
         record="entry", rhythm="monthly", count=1, remind_days=5, basis=PLAN_002),
    dict(seed_key="community_self_check", name="社区每月宣传与台账自查自纠", who="level", who_value="community",
         record="entry", rhythm="monthly", count=1, remind_days=5, basis=PLAN_002),
]


def load_defaults(duty_model=None) -> int:
    """Create the default duties not yet present (matched by seed_key); returns how many were created."""
    if duty_model is None:
        from fanzha.duties.models import Duty as duty_model
    have = set(duty_model.objects.exclude(seed_key="").values_list("seed_key", flat=True))
    new = [duty_model(**d) for d in DEFAULTS if d["seed_key"] not in have]
    duty_model.objects.bulk_create(new)
    return len(new)
