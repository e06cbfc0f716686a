"""Duties pages: who is behind (ranked), ledger ticks, WeChat groups, volunteers, campaigns, settings."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fanzha.core.access import area_view
from fanzha.core.documents import DOCX_TYPE
from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped
from fanzha.core.sheets import XLSX_TYPE
from fanzha.duties import reports, selectors, services
from fanzha.duties.models import Campaign, Duty, GroupKind, RecordKind, Rhythm, Volunteer, WechatGroup
from fanzha.org.models import Node, Unit

SHOWN = 200


def _date(s):
    try:
        return dt.date.fromisoformat((s or "").strip())
    except ValueError:
        return None


def _int(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def _errors(e: ValidationError) -> list[str]:
    if hasattr(e, "message_dict"):
        return [m for ms in e.message_dict.values() for m in ms]
    return list(e.messages)


def _communities(user):
    return list(scoped(Node.objects.filter(level="community"), user).order_by("sort", "code").only("id", "name"))


@area_view("duties")
def home(request):
    scope = scope_of(request.user)
    community_id = _int(request.GET.get("community"))
    rows = selectors.status_rows(scope=scope, community_id=community_id)
    mine = selectors.own_rows(request.user, rows)
    behind = selectors.ranked_behind(rows)
    return render(request, "duties/home.html", {
        "mine": mine, "behind": behind[:SHOWN], "behind_total": len(behind), "summary": selectors.summary(rows),
        "communities": _communities(request.user), "community_id": community_id})


def _entry_rows(user):
    rows = selectors.status_rows(scope=scope_of(user), duties=[d for d in selectors.active_duties()
                                                             if d.record == RecordKind.ENTRY])
    mine = selectors.own_rows(user, rows)
    return mine or rows[:SHOWN]


@area_view("duties.entry")
def entry(request):
    rows = _entry_rows(request.user)
    errors, posted, done = [], {}, None
    if request.method == "POST":
        posted = request.POST
        choice = posted.get("row", "")
        match = next((r for r in rows if f"{r.duty.id}|{r.key}" == choice), None)
        if match is None:
            errors = ["请选择要登记的职责"]
        else:
            kind, _, sid = match.key.partition(":")
            try:
                unit = get_scoped_or_404(Unit.objects.all(), request.user, pk=int(sid)) if kind == "unit" else None
                node = get_scoped_or_404(Node.objects.all(), request.user, pk=int(sid)) if kind == "node" else None
                services.entry_record(user=request.user, duty=match.duty, on=_date(posted.get("on")), unit=unit,
                                      node=node, note=posted.get("note", ""))
                return redirect(f"{request.path}?ok=1")
            except ValidationError as e:
                errors = _errors(e)
    if request.GET.get("ok"):
        done = True
    return render(request, "duties/entry.html", {"rows": rows, "errors": errors, "posted": posted, "done": done,
                                                 "today": timezone.localdate()},
                  status=400 if errors else 200)


@area_view("duties.groups")
def groups(request):
    qs = scoped(WechatGroup.objects.select_related("node", "owner"), request.user).filter(active=True)
    errors, posted = [], {}
    if request.method == "POST":
        posted = request.POST
        try:
            if posted.get("action") == "push":
                group = get_scoped_or_404(WechatGroup.objects.all(), request.user, pk=_int(posted.get("group")))
                services.push_record(user=request.user, group=group, pushed_on=_date(posted.get("pushed_on")),
                                     title=posted.get("title", ""))
            else:
                node = get_scoped_or_404(Node.objects.all(), request.user, pk=_int(posted.get("node")))
                services.group_create(user=request.user, node=node, name=posted.get("name", ""),
                                      kind=posted.get("kind", ""), owner=request.user)
            return redirect(request.path)
        except ValidationError as e:
            errors = _errors(e)
    rows = {r.key: r for r in selectors.status_rows(scope=scope_of(request.user),
                                                    duties=[d for d in selectors.active_duties() if d.record == RecordKind.PUSH])}
    items = [(g, rows.get(f"group:{g.id}")) for g in qs[:SHOWN]]
    nodes = scoped(Node.objects.filter(level__in=["street", "community", "grid"]), request.user).order_by("sort", "code")[:300]
    return render(request, "duties/groups.html", {"items": items, "kinds": GroupKind.choices, "nodes": nodes,
                                                  "errors": errors, "posted": posted, "today": timezone.localdate()},
                  status=400 if errors else 200)


@area_view("duties.volunteers")
def volunteers(request):
    errors, posted = [], {}
    if request.method == "POST":
        posted = request.POST
        try:
            node = get_scoped_or_404(Node.objects.all(), request.user, pk=_int(posted.get("node")))
            services.volunteer_create(user=request.user, node=node, name=posted.get("name", ""), note=posted.get("note", ""))
            return redirect(request.path)
        except ValidationError as e:
            errors = _errors(e)
    from django.db.models import Count, Q

    start, end = selectors.period_of(Rhythm.QUARTERLY, timezone.localdate())
    vols = scoped(Volunteer.objects.select_related("node"), request.user).filter(active=True).annotate(
        n_parts=Count("parts", filter=Q(parts__on__range=(start, end))))[:SHOWN]
    nodes = scoped(Node.objects.filter(level__in=["community", "grid"]), request.user).order_by("sort", "code")[:300]
    return render(request, "duties/volunteers.html", {"vols": vols, "nodes": nodes, "errors": errors, "posted": posted,
                                                      "period": selectors.period_label(Rhythm.QUARTERLY, start, end)},
                  status=400 if errors else 200)


@area_view("duties.campaigns")
def campaigns(request):
    errors, posted = [], {}
    if request.method == "POST":
        posted = request.POST
        try:
            node = get_scoped_or_404(Node.objects.all(), request.user, pk=_int(posted.get("node")))
            phases = []
            for i in range(1, 4):
                if posted.get(f"phase{i}"):
                    phases.append((posted.get(f"phase{i}"), _date(posted.get(f"phase{i}_start")),
                                   _date(posted.get(f"phase{i}_end"))))
            c = services.campaign_create(user=request.user, node=node, name=posted.get("name", ""),
                                         starts_on=_date(posted.get("starts_on")), ends_on=_date(posted.get("ends_on")),
                                         summary_due_on=_date(posted.get("summary_due_on")), phases=phases)
            return redirect("duties:campaign", pk=c.pk)
        except ValidationError as e:
            errors = _errors(e)
    items = scoped(Campaign.objects.select_related("node"), request.user)[:SHOWN]
    nodes = scoped(Node.objects.filter(level__in=["street", "community"]), request.user).order_by("sort", "code")[:300]
    return render(request, "duties/campaigns.html", {"items": items, "nodes": nodes, "errors": errors, "posted": posted},
                  status=400 if errors else 200)


@area_view("duties.campaigns")
def campaign(request, pk: int):
    from fanzha.outreach.models import Activity

    c = get_scoped_or_404(Campaign.objects.select_related("node"), request.user, pk=pk)
    errors = []
    if request.method == "POST":
        try:
            a = get_scoped_or_404(Activity.objects.all(), request.user, pk=_int(request.POST.get("activity")))
            services.campaign_tag(campaign=c, activity=a)
            return redirect(request.path)
        except ValidationError as e:
            errors = _errors(e)
    fmt = request.GET.get("format")
    report = reports.campaign_report(c)
    if fmt == "xlsx":
        resp = HttpResponse(reports.campaign_xlsx(report), content_type=XLSX_TYPE)
        resp["Content-Disposition"] = f'attachment; filename="campaign-{c.pk}.xlsx"'
        return resp
    if fmt == "docx":
        resp = HttpResponse(reports.campaign_docx(report), content_type=DOCX_TYPE)
        resp["Content-Disposition"] = f'attachment; filename="campaign-{c.pk}.docx"'
        return resp
    tagged = set(c.tags.values_list("activity_id", flat=True))
    candidates = scoped(Activity.objects.filter(held_on__range=(c.starts_on, c.ends_on)), request.user) \
        .exclude(id__in=tagged).order_by("-held_on")[:100]
    return render(request, "duties/campaign.html", {"c": c, "report": report, "candidates": candidates,
                                                    "errors": errors}, status=400 if errors else 200)


@area_view("duties.settings")
def settings_page(request):
    errors = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "defaults":
                services.defaults_load(user=request.user)
            else:
                duty = Duty.objects.get(pk=_int(request.POST.get("duty")))
                services.duty_update(user=request.user, duty=duty, count=_int(request.POST.get("count")),
                                     count_max=_int(request.POST.get("count_max")),
                                     rhythm=request.POST.get("rhythm", ""),
                                     remind_days=_int(request.POST.get("remind_days")) or 0,
                                     active=bool(request.POST.get("active")))
            return redirect(request.path)
        except Duty.DoesNotExist:
            errors = ["职责不存在"]
        except ValidationError as e:
            errors = _errors(e)
    return render(request, "duties/settings.html", {"duties": Duty.objects.all(), "rhythms": Rhythm.choices,
                                                    "errors": errors}, status=400 if errors else 200)
