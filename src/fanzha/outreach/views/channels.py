"""WeChat group pushes and school letters with their receipts."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.access import allowed, area_view, require
from fanzha.core.scoping import crumbs, default_node, get_scoped_or_404, node_param, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level, Unit, UnitKind
from fanzha.outreach import services
from fanzha.outreach import selectors as sel
from fanzha.outreach.forms import LetterForm, PushForm
from fanzha.outreach.models import LetterReceipt, WeChatPush
from fanzha.outreach.periods import week_start
from fanzha.outreach.views._common import _bad, _int, _node_choices, require_form_methods


# --- WeChat pushes --------------------------------------------------------------------------


def _push_node_choices(user) -> list[tuple[str, str]]:
    return _node_choices(user, [Level.COMMUNITY, Level.GRID, Level.GROUP])


@area_view("outreach.wechat")
@require_form_methods
def wechat(request):
    """WeChat-group pushes: the week grid per community (below two in a finished week shows up) and the form."""
    user = request.user
    if not sel.scope_has_tree(user):
        raise Http404
    node = node_param(request, first=True)
    if node is None:
        raise Http404
    today = timezone.localdate()
    weeks = max(1, min(_int(request.GET.get("weeks")) or 6, 26))
    start = week_start(today) - dt.timedelta(weeks=weeks - 1)
    choices = _push_node_choices(user)
    last = WeChatPush.objects.filter(recorded_by=user).order_by("-id").first()
    default_node = str(last.node_id) if last and any(k == str(last.node_id) for k, _l in choices) else (
        str(node.id) if any(k == str(node.id) for k, _l in choices) else (choices[0][0] if choices else ""))
    form = PushForm(request.POST or None, node_choices=choices, initial={
        "node": default_node, "pushed_on": today, "group_name": last.group_name if last else ""})
    if request.method == "POST":
        require(user, "outreach.record_outreach")
        if form.is_valid():
            d = form.cleaned_data
            target = org_selectors.node_get(user, _int(d["node"]))
            try:
                services.wechat_push_record(user=user, node=target, group_name=d["group_name"], pushed_on=d["pushed_on"],
                                            title=d["title"], content_kind=d["content_kind"])
            except ValidationError as e:
                _bad(form, e)
            else:
                messages.success(request, _("已登记微信群推送"))
                return redirect(f"{request.path}?node={node.id}")
    grid = sel.push_weeks(user, node, start=start, end=today)
    recent = sel.pushes_for(user, node=node).select_related("node").order_by("-pushed_on", "-id")[:20]
    names = list(sel.pushes_for(user, node=node).order_by().values_list("group_name", flat=True).distinct()[:30])
    return render(request, "outreach/wechat.html", {
        "node": node, "crumbs": crumbs(user, node), "grid": grid, "recent": recent, "form": form, "weeks": weeks,
        "group_names": names, "can_record": allowed(user, "outreach.record_outreach"),
    })


# --- school letters -------------------------------------------------------------------------


@area_view("outreach.letters")
@require_form_methods
def letters(request):
    user = request.user
    schools = scoped(Unit.objects.filter(kind=UnitKind.SCHOOL), user).order_by("name")
    choices = [(str(u.id), u.name) for u in schools[:500]]
    form = LetterForm(request.POST or None, unit_choices=choices,
                      initial={"sent_on": timezone.localdate(), "unit": choices[0][0] if choices else ""})
    if request.method == "POST":
        require(user, "outreach.record_outreach")
        if form.is_valid():
            d = form.cleaned_data
            unit = get_scoped_or_404(Unit.objects.all(), user, pk=_int(d["unit"]))
            try:
                letter = services.school_letter_create(user=user, unit=unit, title=d["title"], sent_on=d["sent_on"],
                                                       classes=d["classes"], note=d.get("note", ""))
            except ValidationError as e:
                _bad(form, e)
            else:
                messages.success(request, _("已登记，请在回收回执后填写各班回执数"))
                return redirect("outreach:letter_detail", pk=letter.pk)
    qs = sel.letters_for(user).select_related("unit")
    page = Paginator(qs.order_by("-sent_on", "-id"), 30).get_page(request.GET.get("page"))
    totals = {}
    for r in (LetterReceipt.objects.filter(letter_id__in=[x.id for x in page.object_list]).order_by()
              .values("letter_id").annotate(sent=Sum("letters_sent"), returned=Sum("receipts_returned"))):
        totals[r["letter_id"]] = r
    for letter in page.object_list:
        t = totals.get(letter.id, {})
        letter.sent, letter.returned = t.get("sent") or 0, t.get("returned") or 0
        letter.rate = sel.pct(letter.returned, letter.sent)
    return render(request, "outreach/letters.html", {
        "page": page, "form": form, "schools": sel.receipts_by_school(qs), "has_schools": bool(choices),
        "can_record": allowed(user, "outreach.record_outreach"),
    })


@area_view("outreach.letters")
@require_form_methods
def letter_detail(request, pk: int):
    """Receipts returned per class of one letter; new classes can be added on the same form."""
    user = request.user
    letter = sel.letter_get(user, pk)
    receipts = list(letter.receipts.order_by("class_name"))
    errors: list[str] = []
    if request.method == "POST":
        require(user, "outreach.record_outreach")
        rows = []
        for i in range(len(receipts) + 5):
            rows.append((request.POST.get(f"class_{i}", ""), request.POST.get(f"sent_{i}", ""), request.POST.get(f"returned_{i}", "")))
        try:
            services.receipts_update(user=user, letter=letter, rows=rows)
        except ValidationError as e:
            errors = e.messages
        else:
            messages.success(request, _("回执情况已保存"))
            return redirect("outreach:letter_detail", pk=letter.pk)
    lines = [{"i": i, "class_name": r.class_name, "sent": r.letters_sent, "returned": r.receipts_returned, "fixed": True}
             for i, r in enumerate(receipts)]
    lines += [{"i": i, "class_name": "", "sent": "", "returned": "", "fixed": False} for i in range(len(receipts), len(receipts) + 5)]
    if request.method == "POST":  # keep what was typed
        for line in lines:
            i = line["i"]
            line.update(class_name=request.POST.get(f"class_{i}", line["class_name"]),
                        sent=request.POST.get(f"sent_{i}", line["sent"]), returned=request.POST.get(f"returned_{i}", line["returned"]))
    sent = sum(r.letters_sent for r in receipts)
    returned = sum(r.receipts_returned for r in receipts)
    return render(request, "outreach/letter_detail.html", {
        "letter": letter, "lines": lines, "errors": errors, "sent": sent, "returned": returned,
        "rate": sel.pct(returned, sent), "can_record": allowed(user, "outreach.record_outreach"),
    })


