"""Forms of the risk pages. They only parse what was typed; the services validate,
and a view re-renders the bound form on error, so nothing typed is lost."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fanzha.risk.models import Category, Finding, FollowUpMethod, PersonState, PremisesKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class KeyPersonForm(forms.Form):
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)  # fanzha.core.versioning
    name = forms.CharField(label=_("姓名"), max_length=50, required=False, help_text=_("已登记居民请用上方搜索选择"))
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    place = forms.IntegerField(label=_("所在社区或网格"), required=False)
    categories = forms.MultipleChoiceField(label=_("类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple)
    opened_on = forms.DateField(label=_("建档日期"), required=False, widget=DATE)
    phone = forms.CharField(label=_("手机号"), max_length=30, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    contacts = forms.CharField(label=_("联系方式及联系人"), max_length=500, required=False)
    watch_for = forms.CharField(label=_("关注要点（网格员可见）"), max_length=500, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    detail = forms.CharField(label=_("涉诈情况（仅民警、反诈办、社区可见）"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    officer = forms.IntegerField(label=_("责任民警"), required=False)
    community_worker = forms.IntegerField(label=_("社区责任人"), required=False)


class FollowUpForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    method = forms.ChoiceField(label=_("方式"), choices=FollowUpMethod.choices)
    by_names = forms.CharField(label=_("参加人员"), max_length=200, required=False)
    content = forms.CharField(label=_("帮教内容（谈了什么）"), widget=forms.Textarea(attrs={"rows": 3}))
    state = forms.ChoiceField(label=_("人员状态"), choices=PersonState.choices)


class PremisesForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", "—"), *PremisesKind.choices])
    building = forms.CharField(label=_("所在楼宇（商务楼宇按公司登记）"), max_length=100, required=False)
    address = forms.CharField(label=_("地址"), max_length=200)
    grid = forms.IntegerField(label=_("网格"))
    manager_name = forms.CharField(label=_("业主或负责人"), max_length=50, required=False)
    manager_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class CheckForm(forms.Form):
    checked_on = forms.DateField(label=_("检查日期"), widget=DATE)
    team = forms.CharField(label=_("检查人员"), max_length=200, required=False)
    items = forms.CharField(label=_("检查内容"), max_length=500, required=False)
    finding = forms.ChoiceField(label=_("发现"), choices=Finding.choices)
    finding_note = forms.CharField(label=_("情况说明"), max_length=500, required=False)
    action_taken = forms.CharField(label=_("处置措施"), max_length=500, required=False)


class SweepForm(forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    starts_at = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends_at = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    grids = forms.TypedMultipleChoiceField(label=_("覆盖网格"), coerce=int, widget=forms.CheckboxSelectMultiple)
    members = forms.TypedMultipleChoiceField(label=_("队员（街道干部、民警、网格员）"), coerce=int, required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    volunteer_names = forms.CharField(label=_("志愿者姓名"), max_length=300, required=False)
    volunteer_count = forms.IntegerField(label=_("志愿者人数"), min_value=0, max_value=1000, initial=0, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)


class SweepPersonForm(forms.Form):
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    address = forms.CharField(label=_("居住地址"), max_length=200, required=False)
    grid = forms.IntegerField(label=_("网格"), required=False)
    no_regular_job = forms.BooleanField(label=_("无固定职业"), required=False)
    frequent_moves = forms.BooleanField(label=_("频繁更换住处"), required=False)
    hotspot_ties = forms.BooleanField(label=_("与涉诈重点地区有关联"), required=False)
    note = forms.CharField(label=_("情况"), max_length=300, required=False)


class ScreeningForm(forms.Form):
    dens_found = forms.IntegerField(label=_("发现窝点"), min_value=0)
    offenders = forms.IntegerField(label=_("涉诈人员"), min_value=0)
    likely_victims = forms.IntegerField(label=_("潜在受害人"), min_value=0)
    causes = forms.CharField(label=_("风险成因"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("采取措施"), widget=forms.Textarea(attrs={"rows": 3}))
