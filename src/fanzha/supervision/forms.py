"""Forms of the supervision pages. They parse; the services check and write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from fanzha.org.forms import ServiceForm
from fanzha.outreach.forms import EVIDENCE_ACCEPT, MultipleFileInput
from fanzha.supervision.models import CriticismKind, GroupKind, IssuerLevel, MeetingKind, PointKind, Post


def _date(label, **kw):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": _("日期格式应为 YYYY-MM-DD"), "required": _("请填写日期")}, **kw)


def _photos(label=_("照片"), help_text=""):
    return forms.Field(label=label, required=False, help_text=help_text,
                       widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))


def _year(**kw):
    return forms.IntegerField(label=_("年度"), min_value=2015, max_value=2100,
                              error_messages={"invalid": _("请填写年份，如2026"), "min_value": _("年度无效"),
                                              "max_value": _("年度无效")}, **kw)


class HolderChoiceForm(ServiceForm):
    """A form with unit/community choices of the street (set by the view)."""

    holder_fields: tuple[str, ...] = ()

    def __init__(self, *args, holders=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.holder_fields:
            self.fields[name].choices = ([("", "—")] if isinstance(self.fields[name], forms.ChoiceField)
                                         and not isinstance(self.fields[name], forms.MultipleChoiceField) else []) + list(holders)


class PlanForm(ServiceForm):
    year = _year()
    title = forms.CharField(label=_("方案名称"), max_length=200)
    start_on = _date(_("开始日期"))


class ExamplePlanForm(ServiceForm):
    year = _year()


class CopyPlanForm(ServiceForm):
    year = _year()
    title = forms.CharField(label=_("新方案名称"), max_length=200, required=False, help_text=_("不填则沿用原名称"))


class MeasureForm(HolderChoiceForm):
    holder_fields = ("leads", "responsible")
    number = forms.IntegerField(label=_("序号"), min_value=0, max_value=999, required=False)
    title = forms.CharField(label=_("措施"), max_length=200)
    content = forms.CharField(label=_("具体内容"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    start_on = _date(_("开始日期"))
    deadline = _date(_("完成期限"))
    leads = forms.MultipleChoiceField(label=_("牵头单位"), required=False, widget=forms.CheckboxSelectMultiple)
    responsible = forms.MultipleChoiceField(label=_("责任单位"), required=False, widget=forms.CheckboxSelectMultiple)


class ProgressForm(ServiceForm):
    percent = forms.IntegerField(label=_("完成进度（%）"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                 error_messages={"invalid": _("完成进度要填0到100之间的整数")})
    text = forms.CharField(label=_("工作开展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    files = _photos(_("佐证照片"))

    def clean_files(self):
        return None  # read from request.FILES and checked by the service


class MeetingForm(ServiceForm):
    held_on = _date(_("会议日期"))
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    chair = forms.CharField(label=_("主持人"), max_length=50)
    attendees = forms.CharField(label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    decisions = forms.CharField(label=_("议定事项"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                help_text=_("每行一项"))


class TaskForm(HolderChoiceForm):
    holder_fields = ("holder",)
    holder = forms.ChoiceField(label=_("承办单位"))
    deadline = _date(_("完成期限"))


class VisitForm(HolderChoiceForm):
    holder_fields = ("holder",)
    holder = forms.ChoiceField(label=_("被检查社区/单位"))
    visited_on = _date(_("检查日期"))
    visitors = forms.CharField(label=_("督导人员"), max_length=200)
    summary = forms.CharField(label=_("总体情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    finding = forms.CharField(label=_("发现问题"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    files = _photos(_("问题照片"))

    def clean_files(self):
        return None


class FindingForm(ServiceForm):
    text = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 3}))
    files = _photos(_("问题照片"))

    def clean_files(self):
        return None


class RectificationForm(HolderChoiceForm):
    holder_fields = ("holder",)
    holder = forms.ChoiceField(label=_("整改单位"))
    problem = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 3}))
    requirement = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}))
    issued_on = _date(_("下发日期"))
    deadline = _date(_("整改期限"))


class FixForm(ServiceForm):
    fix_note = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 4}))
    files = _photos(_("整改后照片"), help_text=_("至少一张，可直接拍照"))

    def clean_files(self):
        return None


class ReturnForm(ServiceForm):
    return_note = forms.CharField(label=_("退回原因"), max_length=300)


class CriticismForm(HolderChoiceForm):
    holder_fields = ("holder",)
    holder = forms.ChoiceField(label=_("单位/社区"))
    kind = forms.ChoiceField(label=_("类别"), choices=CriticismKind.choices)
    issuer = forms.ChoiceField(label=_("作出机关"), choices=IssuerLevel.choices)
    issued_on = _date(_("日期"))
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 3}))


POST_WORDS = {str(label): value for value, label in Post.choices}


class GroupForm(HolderChoiceForm):
    holder_fields = ("holder",)
    kind = forms.ChoiceField(label=_("类别"), choices=GroupKind.choices)
    holder = forms.ChoiceField(label=_("社区/部门"), required=False, help_text=_("街道领导小组不用选"))
    name = forms.CharField(label=_("名称"), max_length=100)
    established_on = _date(_("成立日期"), required=False)
    first_responsible = forms.CharField(label=_("第一责任人"), max_length=50, required=False)
    office_at = forms.CharField(label=_("办公室设在"), max_length=100, required=False)
    members = forms.CharField(label=_("成员"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("每行一人：姓名，组内职务（组长/副组长/成员/办公室主任/办公室工作人员），单位职务"))

    def clean_members(self):
        rows, errors = [], []
        for i, line in enumerate(self.cleaned_data["members"].splitlines(), start=1):
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if not parts or not parts[0]:
                continue
            post_word = parts[1] if len(parts) > 1 and parts[1] else str(Post.MEMBER.label)
            post = POST_WORDS.get(post_word)
            if post is None:
                errors.append(_("第%(n)d行：组内职务“%(p)s”应为组长、副组长、成员、办公室主任或办公室工作人员") % {"n": i, "p": post_word})
                continue
            rows.append((parts[0], post, parts[2] if len(parts) > 2 else ""))
        if errors:
            raise forms.ValidationError(errors)
        return rows


class PointForm(HolderChoiceForm):
    holder_fields = ("holder",)
    leader = forms.ChoiceField(label=_("领导"))
    holder = forms.ChoiceField(label=_("联系社区/部门"))
    kind = forms.ChoiceField(label=_("方式"), choices=PointKind.choices)
    since = _date(_("起始日期"), required=False)

    def __init__(self, *args, leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "—")] + list(leaders)


class SettingsForm(ServiceForm):
    group_deadline = _date(_("领导小组成立期限"), required=False,
                           help_text=_("各社区、各部门须在此日期前成立领导小组"))
    checklist = forms.CharField(label=_("督导检查项目"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("每行一项"))


def default_deadline(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=14)
