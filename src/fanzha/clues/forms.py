from django import forms
from django.utils.translation import gettext_lazy as _

from fanzha.clues.models import Kind, Outcome, Source, Verdict

KIND_CHOICES_PUBLIC = [("", _("不确定")), *Kind.choices]


class SubjectFields(forms.Form):
    """The four optional boxes for numbers, accounts, URLs and app names (several per box)."""

    phones = forms.CharField(label=_("电话号码"), max_length=300, required=False,
                             help_text=_("骗子用的电话，可填多个，用逗号隔开"),
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    accounts = forms.CharField(label=_("账号"), max_length=300, required=False,
                               help_text=_("银行卡号、微信号、QQ号、支付宝账号等"),
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    urls = forms.CharField(label=_("网址"), max_length=600, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}))
    apps = forms.CharField(label=_("App名称"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))


class PublicReportForm(SubjectFields):
    summary = forms.CharField(label=_("发生了什么？"), max_length=2000,
                              help_text=_("用自己的话说，比如：有人打电话自称公安局，让我转账到安全账户"),
                              widget=forms.Textarea(attrs={"rows": 5}))
    kind = forms.ChoiceField(label=_("属于哪一类？"), choices=KIND_CHOICES_PUBLIC, required=False)
    community = forms.TypedChoiceField(label=_("在哪个社区？"), coerce=int, required=False, empty_value=None)
    place_text = forms.CharField(label=_("具体地点"), max_length=200, required=False,
                                 help_text=_("小区、门牌号、店名等，不清楚可不填"))
    occurred_on = forms.DateField(label=_("什么时候？"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reporter_name = forms.CharField(label=_("您的称呼"), max_length=50, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "name"}))
    reporter_phone = forms.CharField(label=_("您的电话"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    anonymous = forms.BooleanField(label=_("匿名举报（不留姓名和电话）"), required=False)
    answer = forms.CharField(label=_("算术题"), max_length=6,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=400)
    # Honeypot: hidden from people (and from screen readers); robots fill every field.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("不清楚")), *[(c.pk, c.name) for c in communities]]


class StaffClueForm(SubjectFields):
    summary = forms.CharField(label=_("线索内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    source = forms.ChoiceField(label=_("来源"), choices=[c for c in Source.choices if c[0] != Source.PUBLIC])
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices, initial=Kind.OTHER)
    node = forms.TypedChoiceField(label=_("所在社区/网格"), coerce=int)
    place_text = forms.CharField(label=_("具体地点"), max_length=200, required=False)
    occurred_on = forms.DateField(label=_("发生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reporter_name = forms.CharField(label=_("反映人"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("反映人电话"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, label) for n, label in nodes]


class CheckForm(forms.Form):
    verdict = forms.ChoiceField(label=_("核查结论"), choices=Verdict.choices, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices, required=False)
    duplicate_of = forms.CharField(label=_("与哪条线索重复（回执码）"), max_length=20, required=False)
    note = forms.CharField(label=_("核查说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandoffForm(forms.Form):
    target = forms.ChoiceField(label=_("交办给"))
    days = forms.IntegerField(label=_("办理时限（天）"), min_value=1, max_value=90, initial=3,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    instructions = forms.CharField(label=_("交办要求"), max_length=500, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("police", _("派出所")), *[(f"unit:{u.pk}", u.name) for u in units]]


class AnswerForm(forms.Form):
    accepted = forms.TypedChoiceField(label=_("是否接收"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("接收并已办理")), ("no", _("不属于本部门职责，退回"))],
                                      widget=forms.RadioSelect, initial="yes")
    action = forms.CharField(label=_("采取的措施"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("办理结果（退回时写原因）"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办结结果"), choices=Outcome.choices, widget=forms.RadioSelect)
    public_outcome = forms.CharField(label=_("对举报人的答复（可不填，用默认答复）"), max_length=500, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("内部说明"), max_length=1000, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("备注"), max_length=1000)


class LookupForm(forms.Form):
    code = forms.CharField(label=_("回执码"), max_length=30,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
