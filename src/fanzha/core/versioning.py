"""Optimistic locking: every edit of a record names the version it started from.

Convention: an editable model has `version = models.PositiveIntegerField(default=1)`
(see `version_field()`), forms carry it as a hidden field, API payloads as
`version`. The update service calls

    save_if_current(obj, expected_version, fields)

which runs ``UPDATE ... SET <fields>, version = version + 1 WHERE id = %s AND
version = %s`` and checks the row count: 0 rows means someone else saved first,
and it raises `Conflict` (carrying the record as it is now). Nothing is
overwritten silently:

- the API answers 409 with the message (Conflict is an HttpError(409));
- a page re-shows the form with what the user typed, the other person's values
  beside it (`differences()`), and the form's version moved to the current one,
  so "save again" keeps the user's version and "discard" keeps theirs. Every
  edit page saves through `save_from_form`, which holds this rule and answers
  409 for it (`PageSave.status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import HttpError


def version_field() -> models.PositiveIntegerField:
    """The `version` field every editable record carries (the same definition everywhere)."""
    return models.PositiveIntegerField(gettext_lazy("版本"), default=1, editable=False)


class Conflict(HttpError):
    """The record changed since the user loaded it. `current` is the record as saved now (or None if deleted)."""

    def __init__(self, current: models.Model | None = None, message: str | None = None):
        self.current = current
        self.message = message or (_("该记录已被其他人修改（您打开后），请查看对方的修改后再保存")
                                    if current is not None else _("该记录已被删除"))
        super().__init__(409, self.message)

    def __str__(self):
        return self.message


def _parse_version(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def save_if_current(obj: models.Model, expected_version: int | None, fields: Iterable[str]) -> None:
    """Write `fields` of `obj` only if its row still has `expected_version`; bump the version.

    `expected_version` None means "the version this instance was read at" (obj.version): still refuses a
    write that lost a race with another since the read. Raises Conflict when the row moved on (or is gone).
    `auto_now` fields (updated_at) are set as save() would set them.
    """
    model = type(obj)
    expected = _parse_version(expected_version)
    if expected is None:
        expected = obj.version
    values = {}
    for name in dict.fromkeys(fields):
        field = model._meta.get_field(name)
        if field.primary_key or name == "version":
            continue
        values[field.attname] = field.pre_save(obj, False)
    for field in model._meta.concrete_fields:  # updated_at and the like, even when not listed
        if getattr(field, "auto_now", False) and field.attname not in values:
            values[field.attname] = field.pre_save(obj, False)
    n = model._base_manager.filter(pk=obj.pk, version=expected).update(version=F("version") + 1, **values)
    if n != 1:
        raise Conflict(model._base_manager.filter(pk=obj.pk).first())
    obj.version = expected + 1


def concrete_names(obj: models.Model, exclude: Iterable[str] = ()) -> list[str]:
    """Every writable column of the record except its id and version (what a whole-record save writes)."""
    skip = set(exclude) | {"version"}
    return [f.name for f in obj._meta.concrete_fields if not f.primary_key and f.name not in skip]


def differences(form, current: models.Model, names: Iterable[str] | None = None) -> list[dict]:
    """The fields where the record as saved now differs from what the user typed, for the merge panel:
    [{"name", "label", "mine", "theirs"}]. Numbers (PII fields) are compared but shown masked."""
    out = []
    data = getattr(form, "cleaned_data", None) or {}
    for name in names or form.fields:
        if name == "version" or name.endswith("_clear") or name not in form.fields:
            continue
        theirs = getattr(current, name, None)
        mine = data.get(name, form.data.get(name) if hasattr(form, "data") else None)
        if hasattr(theirs, "pk"):
            theirs_key = theirs.pk
        else:
            theirs_key = theirs
        if _norm(mine) == _norm(theirs_key):
            continue
        masked = getattr(current, f"{name}_masked", None)
        if masked is not None:
            if not mine:  # an empty number field means "keep the stored one"
                continue
            shown_theirs, shown_mine = masked, _("（您填写的号码）")
        else:
            display = getattr(current, f"get_{name}_display", None)
            shown_theirs = display() if callable(display) else ("—" if theirs in (None, "") else theirs)
            shown_mine = "—" if mine in (None, "") else mine
        out.append({"name": name, "label": form.fields[name].label, "mine": shown_mine, "theirs": shown_theirs})
    return out


def _norm(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return v
    if hasattr(v, "pk"):
        return str(v.pk)
    return str(v).strip()


def conflict_context(form, exc: Conflict, *, discard_url: str, names: Iterable[str] | None = None) -> dict:
    """For a page whose save hit a Conflict: the merge panel's data (templates/core/_conflict.html), and the
    form's hidden version moved to the current one, so saving again is the user's explicit choice to keep
    theirs. The form keeps everything the user typed."""
    current = exc.current
    rows = differences(form, current, names) if current is not None else []
    if current is not None and hasattr(form, "data"):
        data = form.data.copy()
        data["version"] = str(current.version)
        form.data = data
    return {"rows": rows, "discard_url": discard_url, "current": current}


@dataclass
class PageSave:
    """What an edit page's save did (`save_from_form`): `saved` with the service's return `value`, or not; the
    merge panel `conflict` (empty unless someone else saved first) for the page's context, and the `status` the
    page answers with when it shows the form again: 409 for a conflict, else 200."""

    saved: bool = False
    value: Any = None
    conflict: dict = field(default_factory=dict)

    @property
    def status(self) -> int:
        return 409 if self.conflict else 200


def save_from_form(form, save: Callable[[], Any], *, discard_url: str,
                   form_errors: Callable[[ValidationError], None], names: Iterable[str] | None = None) -> PageSave:
    """The one rule of every page that edits a versioned record:

    1. `save()` calls the service (which calls `save_if_current`); on success the outcome is `saved` with its
       return value, and the page redirects.
    2. Conflict (saved by someone else since the form was opened): the merge panel (`conflict_context`, which
       moves the form's version on) and the message on the form; the page shows the form again with status 409,
       keeping what was typed.
    3. ValidationError: its messages on the form (`form_errors(e)`, the page's own way of placing them).
    """
    try:
        value = save()
    except Conflict as e:
        conflict = conflict_context(form, e, discard_url=discard_url, names=names)
        form.add_error(None, e.message)
        return PageSave(conflict=conflict)
    except ValidationError as e:
        form_errors(e)
        return PageSave()
    return PageSave(saved=True, value=value)


def check_locked(obj: models.Model, expected_version: Any) -> None:
    """For a record just re-read under a row lock (select_for_update): refuse a stale expected version, and
    move the instance's version on so the caller's save() writes version + 1."""
    expected = _parse_version(expected_version)
    if expected is not None and obj.version != expected:
        raise Conflict(obj)
    obj.version = obj.version + 1
