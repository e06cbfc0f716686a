from django import forms
from django.utils.translation import gettext_lazy as _

from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import Channel, Outcome, StaffLink
from fanzha.org.models import Gender


class CaseForm(forms.Form):
    """Keeps every typed value on error: the view re-renders the bound form."""

    number = forms.CharField(label=_("案件编号"), max_length=40, required=False)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)  # fanzha.core.versioning
    reported_on = forms.DateField(label=_("报案日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    loss_on = forms.DateField(label=_("发案日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    outcome = forms.ChoiceField(label=_("既遂/未遂"), choices=Outcome.choices, initial=Outcome.COMPLETED,
                                required=False)  # not sent (older clients): 既遂
    victim = forms.IntegerField(required=False, widget=forms.HiddenInput)
    community = forms.IntegerField(label=_("社区"), required=False)
    victim_name = forms.CharField(label=_("受害人姓名"), max_length=50, required=False)
    victim_age = forms.IntegerField(label=_("年龄"), required=False, min_value=0, max_value=120)
    victim_gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    victim_occupation = forms.CharField(label=_("职业"), max_length=50, required=False)
    victim_student = forms.BooleanField(label=_("学生"), required=False)
    victim_floating = forms.BooleanField(label=_("流动人口"), required=False)
    staff_link = forms.ChoiceField(label=_("职工或家属"), choices=StaffLink.choices, required=False)
    unit = forms.IntegerField(label=_("所在单位"), required=False)
    loss = forms.CharField(label=_("损失金额（元）"), max_length=20)
    stopped = forms.CharField(label=_("止付冻结返还（元）"), max_length=20, required=False)
    channel = forms.ChoiceField(label=_("接触渠道"), choices=Channel.choices)
    narrative = forms.CharField(label=_("简要案情"), widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=20000)
    fraud_type = forms.ChoiceField(label=_("诈骗类型"), choices=[("", _("— 请确认 —")), *FraudType.choices])


class TargetForm(forms.Form):
    node = forms.IntegerField(label=_("节点"))
    kind = forms.ChoiceField(label=_("口径"), choices=[("all", _("全部案件")), ("staff", _("职工被骗案件"))])
    period = forms.CharField(label=_("考核期"), max_length=8, help_text=_("如 2025、2025H2"))
    base_period = forms.CharField(label=_("对比期"), max_length=8)
    change_pct = forms.DecimalField(label=_("目标变化（%）"), max_digits=6, decimal_places=1)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
