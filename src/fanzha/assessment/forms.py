from django import forms
from django.utils.translation import gettext_lazy as _

from fanzha.assessment.models import Outcome


class OpenForm(forms.Form):
    period = forms.CharField(label=_("考核期"), max_length=8, help_text=_("年度如 2024；首期如 2021H2（对比2021H1）"))


class AttestForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    ok = forms.TypedChoiceField(label=_("认定结论"), choices=[("1", _("落实到位")), ("0", _("未落实"))],
                                coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    note = forms.CharField(label=_("认定依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                           help_text=_("写明查阅的台账、影像资料、检查记录"))


class OverrideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("复核结论"), choices=[(Outcome.PASS, _("达标")), (Outcome.FAIL, _("未达标")),
                                                          ("", _("撤销复核，按系统结论"))], required=False)
    reason = forms.CharField(label=_("复核理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
