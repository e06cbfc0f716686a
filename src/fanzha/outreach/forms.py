"""Forms of the outreach pages.

They only shape what people type; the services check it, and their
ValidationErrors land back on these fields (`apply_errors`), so a refused
submit shows every reason next to its field with everything typed kept.
Multi-valued choices (audience, fraud types, visit actions) are chips:
checkboxes styled as buttons, one tap each on a phone.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fanzha.cases.fraud_types import FraudType
from fanzha.org.forms import ServiceForm
from fanzha.outreach.models import (
    ActivityKind,
    Audience,
    PushContent,
    TargetGroup,
    Venue,
    VisitAction,
)


class ChipsSelect(forms.CheckboxSelectMultiple):
    template_name = "outreach/widgets/chips.html"
    option_template_name = "django/forms/widgets/checkbox_option.html"


class ChipsRadio(forms.RadioSelect):
    template_name = "outreach/widgets/chips.html"
    option_template_name = "django/forms/widgets/radio_option.html"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _date(label, **kw):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": _("日期格式应为 YYYY-MM-DD")}, **kw)


def _count(label, **kw):
    return forms.IntegerField(label=label, min_value=0, max_value=1_000_000, required=False, initial=0,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}), **kw)


EVIDENCE_ACCEPT = "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,.jpg,.jpeg,.png,.webp,.mp4,.mov"


class ActivityForm(ServiceForm):
    held_on = _date(_("日期"))
    where = forms.ChoiceField(label=_("组织单位"), choices=())
    kind = forms.ChoiceField(label=_("形式"), choices=ActivityKind.choices, widget=ChipsRadio)
    venue = forms.ChoiceField(label=_("“六进”类别"), choices=Venue.choices, widget=ChipsRadio)
    place = forms.CharField(label=_("地点"), max_length=200)
    organiser = forms.CharField(label=_("组织者"), max_length=100)
    audiences = forms.MultipleChoiceField(label=_("宣传对象"), choices=Audience.choices, widget=ChipsSelect, required=False)
    participants = _count(_("参与人数"))
    materials = _count(_("发放资料（份）"))
    fraud_types = forms.MultipleChoiceField(label=_("宣传的诈骗类型"), choices=FraudType.choices, widget=ChipsSelect, required=False)
    summary = forms.CharField(label=_("活动情况"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    files = forms.Field(label=_("照片/视频"), required=False,
                        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
                        help_text=_("可多选；JPG、PNG、WebP 照片或 MP4、MOV 视频，拍摄时间自动记录"))

    def __init__(self, *args, where_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = list(where_choices)

    def clean_files(self):
        return None  # files are read from request.FILES and checked by the service


class EvidenceForm(forms.Form):
    files = forms.Field(label=_("照片/视频"), required=False, widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))


class VisitForm(ServiceForm):
    visited_on = _date(_("走访日期"))
    visitors = forms.CharField(label=_("走访人"), max_length=100)
    actions = forms.MultipleChoiceField(label=_("走访内容"), choices=VisitAction.choices, widget=ChipsSelect, required=False)
    materials = _count(_("发放资料（份）"))
    verifier = forms.CharField(label=_("安装核验人"), max_length=50, required=False,
                               help_text=_("勾选的安装情况由谁当面核验（默认本人）"))
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    files = forms.Field(label=_("现场照片"), required=False,
                        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))

    def clean_files(self):
        return None


class StaffInstallForm(ServiceForm):
    installed_on = _date(_("核验日期"))
    verifier = forms.CharField(label=_("核验人"), max_length=50, required=False)


class TargetForm(ServiceForm):
    node = forms.ChoiceField(label=_("节点"), choices=())
    group = forms.ChoiceField(label=_("对象"), choices=TargetGroup.choices)
    rate = forms.CharField(label=_("目标安装率（%）"), max_length=8, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    deadline = _date(_("完成期限"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, node_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = list(node_choices)


class CampaignForm(ServiceForm):
    node = forms.ChoiceField(label=_("节点"), choices=())
    kind = forms.ChoiceField(label=_("目标"), widget=ChipsRadio, initial="campaign", choices=[
        ("campaign", _("阶段目标：群众7月底30%、8月底60%、9月底100%")),
        ("plan", _("年度目标：干部职工100%、行业人员60%、群众30%（年底），三年后整体95%")),
    ])
    year = forms.IntegerField(label=_("年度"), min_value=2021, max_value=2100)

    def __init__(self, *args, node_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = list(node_choices)


class PushForm(ServiceForm):
    node = forms.ChoiceField(label=_("社区/网格"), choices=())
    group_name = forms.CharField(label=_("微信群"), max_length=100, widget=forms.TextInput(attrs={"list": "group-names"}))
    pushed_on = _date(_("推送日期"))
    title = forms.CharField(label=_("内容"), max_length=200)
    content_kind = forms.ChoiceField(label=_("形式"), choices=PushContent.choices, widget=ChipsRadio, initial=PushContent.TEXT)

    def __init__(self, *args, node_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = list(node_choices)


class LetterForm(ServiceForm):
    unit = forms.ChoiceField(label=_("学校"), choices=())
    title = forms.CharField(label=_("标题"), max_length=200, initial=_("致家长的一封信——防范电信网络诈骗"))
    sent_on = _date(_("发放日期"))
    classes = forms.CharField(label=_("班级和发放份数"), widget=forms.Textarea(attrs={"rows": 5, "placeholder": "一年级1班 45\n一年级2班 44"}),
                              help_text=_("每行一个班级：班级名称、空格、发放份数"))
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def __init__(self, *args, unit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = list(unit_choices)

    def clean_classes(self):
        rows, bad = [], []
        for n, line in enumerate(self.cleaned_data["classes"].splitlines(), start=1):
            line = line.strip().replace("，", " ").replace(",", " ").replace("\t", " ")
            if not line:
                continue
            name, _sep, count = line.rpartition(" ")
            try:
                rows.append((name.strip(), int(count)))
            except ValueError:
                bad.append(str(n))
        if bad:
            raise forms.ValidationError(_("第%(lines)s行应为“班级 份数”，如“一年级1班 45”") % {"lines": "、".join(bad)})
        return rows


class SettingForm(forms.Form):
    keep_gps = forms.BooleanField(label=_("影像资料保留位置信息（GPS）"), required=False,
                                  help_text=_("默认去除照片和视频中的位置信息；只有需要以位置为证据时才打开"))
