from django import forms
from django.utils.translation import gettext_lazy

from fanzha.alerts.models import (
    AttemptResult,
    ContactChannel,
    EventKind,
    Judgement,
    Outcome,
)
from fanzha.org.models import Node
from fanzha.org.views_io import ImportForm


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("方式"), choices=ContactChannel.choices)
    result = forms.ChoiceField(label=gettext_lazy("结果"), choices=AttemptResult.choices)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=1000, required=False)


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(k, k) for k in (EventKind.JUDGED, EventKind.IDENTITY, EventKind.WARNING,
                                                         EventKind.FEEDBACK, EventKind.NOTE)])
    judgement = forms.ChoiceField(label=gettext_lazy("研判结论"), choices=[("", "—"), *Judgement.choices], required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=1000, required=False)


class CloseForm(forms.Form):
    """The close form keeps everything typed when the close is refused (the page re-renders it bound)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    outcome = forms.ChoiceField(label=gettext_lazy("处置结果"), choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("办结说明"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    saved_amount = forms.CharField(label=gettext_lazy("避免损失（元）"), max_length=20, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    loss = forms.CharField(label=gettext_lazy("损失金额（元，已被骗时填写）"), max_length=20, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class AssignForm(forms.Form):
    to_user = forms.IntegerField(label=gettext_lazy("改派给"), min_value=1, max_value=2**63 - 1)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=500, required=False)


def _minutes(label):
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=7 * 24 * 60,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class TimeLimitForm(forms.Form):
    sign_minutes = _minutes(gettext_lazy("签收（分钟）"))
    contact_minutes = _minutes(gettext_lazy("首次联系（分钟）"))
    onsite_minutes = _minutes(gettext_lazy("到场（分钟）"))


class RoutingRuleForm(forms.Form):
    """Who one grade's alerts are assigned to and who is told (fanzha.alerts.rules)."""

    assign_grid = forms.BooleanField(label=gettext_lazy("派网格员、网格长处置"), required=False)
    assign_officers = forms.BooleanField(label=gettext_lazy("派派出所民警处置"), required=False)
    officers_phone_first = forms.BooleanField(label=gettext_lazy("民警先电话劝阻"), required=False)
    notify_officers = forms.BooleanField(label=gettext_lazy("通知派出所值班民警"), required=False)
    notify_community = forms.BooleanField(label=gettext_lazy("通知社区工作人员"), required=False)


class WebhookForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100, required=False)
    url = forms.URLField(label=gettext_lazy("群机器人地址（Webhook）"), max_length=500, assume_scheme="https")


class UploadForm(ImportForm):
    """The import page's upload form; the target may also be a county (a county-level batch)."""

    street = forms.ModelChoiceField(label=gettext_lazy("导入到"), queryset=Node.objects.none(), required=False)

    def __init__(self, *args, streets: list[Node], **kwargs):
        super().__init__(*args, streets=streets, **kwargs)
        if "street" in self.fields:
            self.fields["street"].queryset = Node.objects.filter(pk__in=[s.pk for s in streets]).order_by("level", "sort", "code")
