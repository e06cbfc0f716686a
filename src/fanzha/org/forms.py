"""Forms for the org pages.

The forms only shape what people type; the services parse and validate ID and
phone numbers (checksum, +86, full-width digits, ...) and their
ValidationErrors are mapped back onto these fields with `apply_errors`, so a
bad ID shows next to the ID field with everything typed still in place.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import Employment, Gender, Relation, Residency

PII_FIELDS = ("id_number", "phone", "phone2")


def _text(label, *, required=False, max_length=100, **attrs):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.TextInput(attrs=attrs or None))


def _id_field(label=_("身份证号")):
    # Typed with spaces or dashes it may be longer than 18; the service normalises it.
    return forms.CharField(label=label, required=False, max_length=40, widget=forms.TextInput(
        attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}))


def _phone_field(label=_("手机号")):
    return forms.CharField(label=label, required=False, max_length=40, widget=forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))


class ServiceForm(forms.Form):
    """A form whose data goes to a service; service errors land on its fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def apply_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                for m in messages:
                    self.add_error(target, m)
        else:
            for m in error.messages:
                self.add_error(None, m)


class ResidentForm(ServiceForm):
    name = _text(_("姓名"), required=True, max_length=50, autocomplete="off")
    id_number = _id_field()
    phone = _phone_field()
    phone2 = _phone_field(_("备用电话"))
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[("", "—")] + list(Gender.choices),
                               help_text=_("填写身份证号时按身份证号自动确定"))
    birth_date = forms.DateField(label=_("出生日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("填写身份证号时按身份证号自动确定"))
    residency = forms.ChoiceField(label=_("居住类型"), choices=Residency.choices, initial=Residency.PERMANENT)
    relation = _text(_("与户主关系"), max_length=20)
    occupation = _text(_("职业"), max_length=50)
    is_student = forms.BooleanField(label=_("学生"), required=False)
    is_finance_staff = forms.BooleanField(label=_("财务人员"), required=False)
    lives_alone = forms.BooleanField(label=_("独居"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)  # fanzha.core.versioning

    def __init__(self, *args, resident=None, hide_id_derived=False, **kwargs):
        """On edit, ID and phone fields start empty: empty means "keep the stored number".

        The stored numbers are never put into the page; the masked value is the
        placeholder, and a "clear" box removes a stored number on purpose.
        `hide_id_derived`: the user cannot reveal this resident's ID number, so the
        birth date and gender (which with the masked digits rebuild it) are left out.
        """
        self.resident = resident
        self.hide_id_derived = hide_id_derived and resident is not None
        super().__init__(*args, **kwargs)
        if self.hide_id_derived:
            del self.fields["birth_date"]
            del self.fields["gender"]
        if resident is not None:
            for f in PII_FIELDS:
                masked = getattr(resident, f"{f}_masked")
                if masked:
                    self.fields[f].widget.attrs["placeholder"] = masked
                    self.fields[f].help_text = _("留空表示不修改")
                    self.fields[f"{f}_clear"] = forms.BooleanField(label=_("清除已登记的号码"), required=False)

    def service_kwargs(self) -> dict:
        """The cleaned data as service arguments; empty numbers on edit keep the stored ones."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.endswith("_clear")}
        if self.resident is None:
            data.pop("version", None)
        if self.resident is not None:
            for f in PII_FIELDS:
                if not (data.get(f) or "").strip() and not self.cleaned_data.get(f"{f}_clear"):
                    data[f] = getattr(self.resident, f)  # decrypted stored value
            if self.hide_id_derived:
                data["birth_date"], data["gender"] = self.resident.birth_date, self.resident.gender
        return data

    def pii_pairs(self):
        """(field, clear field or None) in display order, for the template."""
        return [(self[f], self[f"{f}_clear"] if f"{f}_clear" in self.fields else None) for f in PII_FIELDS]

    def plain_fields(self):
        return [self[f] for f in self.fields if f not in PII_FIELDS and not f.endswith("_clear") and f != "version"]


class HouseholdForm(ServiceForm):
    address = _text(_("地址"), required=True, max_length=200)
    head_name = _text(_("户主"), max_length=50)
    note = forms.CharField(label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class HouseholdEditForm(HouseholdForm):
    """Editing a household: carries the version the page was opened at (fanzha.core.versioning)."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class StaffForm(ServiceForm):
    name = _text(_("姓名"), required=True, max_length=50, autocomplete="off")
    id_number = _id_field()
    phone = _phone_field()
    position = _text(_("职务"), max_length=50)
    employment = forms.ChoiceField(label=_("用工形式"), choices=Employment.choices, initial=Employment.FORMAL)


class FamilyMemberForm(ServiceForm):
    relation = forms.ChoiceField(label=_("关系"), choices=Relation.choices)
    name = _text(_("姓名"), required=True, max_length=50, autocomplete="off")
    id_number = _id_field()
    phone = _phone_field()
