"""Staff pages for clues: the queue (a department's own queue), intake from a phone, the clue with its
workflow steps, the figures and the ledger export. Views parse, call a service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fanzha.clues import selectors, services
from fanzha.clues.figures import clue_figures
from fanzha.clues.forms import AnswerForm, CheckForm, CloseForm, HandoffForm, NoteForm, StaffClueForm
from fanzha.clues.models import PUBLIC_OUTCOME, Clue, ClueFile, Kind, Source, Status
from fanzha.clues.services.intake import department_units
from fanzha.clues.services.workflow import may_answer
from fanzha.clues.subjects import pairs_from_texts
from fanzha.core.access import LEADER, allowed, area_view, can_open, require
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import crumbs_in_scope, home_street, node_param, scope_of
from fanzha.org.models import Level, Node

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABS = [("new", _("待核查")), ("checked", _("待交办")), ("handed", _("已交办")), ("overdue", _("超时未报到")),
        ("answered", _("已报到")), ("closed", _("已办结")), ("all", _("全部"))]
DEPT_TABS = [("handed", _("待报到")), ("overdue", _("超时")), ("all", _("全部"))]


def _street_of(user) -> Node | None:
    return home_street(user)


@area_view("clues")
@require_safe
def queue(request):
    user = request.user
    dept = selectors.is_department_only(user)
    tabs = DEPT_TABS if dept else TABS
    tab = request.GET.get("tab") or ("handed" if dept else "new")
    if tab not in dict(tabs):
        tab = tabs[0][0]
    source = request.GET.get("source", "") if request.GET.get("source", "") in Source.values else ""
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in Kind.values else ""
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.clue_queue(user, tab, source=source, kind=kind, q=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    street = _street_of(user)
    return render(request, "clues/queue.html", {
        "page": page, "tab": tab, "tabs": tabs, "counts": selectors.queue_counts(user), "dept": dept,
        "source": source, "kind": kind, "q": q, "sources": Source.choices, "kinds": Kind.choices,
        "keep": keep.urlencode(), "can_add": can_open(user, "clues.new"),
        "street": street, "now": timezone.now(), "record": selectors.department_record(user) if dept else None,
    })


def _intake_nodes(user) -> list[tuple[Node, str]]:
    """The places a staff member may put a clue: their street/communities/grids, indented."""
    scope = scope_of(user)
    qs = Node.objects.filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID])
    qs = scope.filter(qs) if not scope.everything else qs.filter(street_id=_street_of(user).pk if _street_of(user) else None)
    out = []
    for n in qs.order_by("street_id", "community_id", "grid_id", "sort", "code")[:2000]:
        indent = {"street": "", "community": "　", "grid": "　　"}[n.level]
        out.append((n, f"{indent}{n.name}"))
    return out


@area_view("clues.new")
def new(request):
    """Add a clue from a phone: what, where, numbers, photos."""
    user = request.user
    nodes = _intake_nodes(user)
    if request.method == "POST":
        form = StaffClueForm(request.POST, nodes=nodes)
        if form.is_valid():
            cd = form.cleaned_data
            node = next(n for n, _label in nodes if n.pk == cd["node"])
            try:
                clue = services.clue_create_from(
                    source=cd["source"], node=node, summary=cd["summary"], kind=cd["kind"], place_text=cd["place_text"],
                    occurred_on=cd["occurred_on"], reporter_name=cd["reporter_name"], reporter_phone=cd["reporter_phone"],
                    subjects=pairs_from_texts(phones=cd["phones"], accounts=cd["accounts"], urls=cd["urls"], apps=cd["apps"]),
                    photos=request.FILES.getlist("photos")[:20], user=user)
            except ValidationError as e:
                _add_errors(form, e)
            else:
                messages.success(request, _("已登记线索 %(code)s") % {"code": clue.receipt_display})
                return redirect("clues:detail", pk=clue.pk)
    else:
        initial = {"source": Source.STAFF}
        offered = {n.pk for n, _label in nodes}
        first = next((pk for pk in scope_of(user).top_node_ids if pk in offered), None)
        if first:
            initial["node"] = first
        form = StaffClueForm(initial=initial, nodes=nodes)
    return render(request, "clues/new.html", {"form": form}, status=400 if form.errors else 200)


@area_view("clues.new")
@require_POST
def from_finding(request, what: str, pk: int):
    """One tap on a premises check's finding or a flagged sweep person: the clue is made (or, made before,
    found) and opened."""
    try:
        clue, created = services.clue_from_finding(user=request.user, what=what, pk=pk)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("clues:queue")
    if created:
        messages.success(request, _("已登记线索 %(code)s") % {"code": clue.receipt_display})
    else:
        messages.info(request, _("这条发现已转为线索 %(code)s") % {"code": clue.receipt_display})
    return redirect("clues:detail", pk=clue.pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            for e in errs:
                form.add_error(field if field in form.fields else None, e)
    else:
        for m in error.messages:
            form.add_error(None, m)


def _detail_context(request, clue: Clue, **forms) -> dict:
    user = request.user
    manage = services.may_manage(user)
    units = list(department_units(clue.street_id)) if manage else []
    ctx = {
        "clue": clue, "events": list(clue.events.select_related("user").order_by("at", "id")),
        "subjects": list(clue.subjects.all()), "files": list(clue.files.filter(handoff__isnull=True)),
        "handoffs": selectors.handoffs_of(clue), "manage": manage, "can_answer": may_answer(user, clue),
        "can_note": LEADER not in scope_of(user).roles or user.is_superuser,
        "dept_only": selectors.is_department_only(user),
        "duplicates": selectors.duplicates_of(user, clue) if clue.status != Status.MERGED else [],
        "now": timezone.now(), "outcome_defaults": {k: str(v) for k, v in PUBLIC_OUTCOME.items()},
        "check_form": forms.get("check_form") or CheckForm(initial={"kind": clue.kind}),
        "handoff_form": forms.get("handoff_form") or HandoffForm(units=units, initial={"days": services.workflow.default_handoff_days()}),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "note_form": forms.get("note_form") or NoteForm(),
    }
    files_by_handoff: dict[int, list[ClueFile]] = {}
    for f in clue.files.filter(handoff__isnull=False):
        files_by_handoff.setdefault(f.handoff_id, []).append(f)
    for h in ctx["handoffs"]:
        h.evidence = files_by_handoff.get(h.pk, [])
    return ctx


@area_view("clues")
@require_safe
def detail(request, pk: int):
    clue = selectors.clue_get(request.user, pk)
    return render(request, "clues/detail.html", _detail_context(request, clue))


def _step(request, pk: int, form_class, key: str, act, **form_kwargs):
    """Run one workflow step: a refused step shows the clue page again with the form as typed."""
    clue = selectors.clue_get(request.user, pk)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            act(clue, form.cleaned_data)
        except ValidationError as e:
            _add_errors(form, e)
        else:
            return redirect(reverse("clues:detail", args=[clue.pk]) + "#timeline")
    clue.refresh_from_db()
    # htmx swaps only 2xx answers: the refused form is shown to it with 200, to a plain post with 400
    status = 200 if request.headers.get("HX-Request") else 400
    return render(request, "clues/detail.html", _detail_context(request, clue, **{key: form}), status=status)


@area_view("clues")
@require_POST
def check(request, pk: int):
    require(request.user, services.may_manage)

    def act(clue, cd):
        dup = None
        if cd["verdict"] == "duplicate":
            code = "".join(ch for ch in cd["duplicate_of"] if ch.isdigit())
            dup = selectors.clues_for(request.user).filter(receipt_code=code).first() if code else None
            if dup is None:
                raise ValidationError({"duplicate_of": _("找不到回执码为“%(c)s”的线索") % {"c": cd["duplicate_of"][:20]}})
        services.clue_check(clue=clue, user=request.user, verdict=cd["verdict"], note=cd["note"], duplicate_of=dup,
                            kind=cd["kind"] or None)

    return _step(request, pk, CheckForm, "check_form", act)


@area_view("clues")
@require_POST
def hand_off(request, pk: int):
    require(request.user, services.may_manage)
    clue = selectors.clue_get(request.user, pk)
    units = list(department_units(clue.street_id))

    def act(clue, cd):
        target = cd["target"]
        unit = None
        if target != "police":
            unit = next((u for u in units if f"unit:{u.pk}" == target), None)
        services.clue_hand_off(clue=clue, user=request.user, to_police=target == "police", unit=unit, days=cd["days"],
                               instructions=cd["instructions"])

    return _step(request, pk, HandoffForm, "handoff_form", act, units=units)


@area_view("clues")
@require_POST
def answer(request, pk: int):
    clue = selectors.clue_get(request.user, pk)
    if not may_answer(request.user, clue):
        raise Http404("not handed to you")

    def act(clue, cd):
        services.clue_answer(clue=clue, user=request.user, accepted=cd["accepted"], action=cd["action"],
                             result=cd["result"], photos=request.FILES.getlist("photos")[:20])

    return _step(request, pk, AnswerForm, "answer_form", act)


@area_view("clues")
@require_POST
def close(request, pk: int):
    require(request.user, services.may_manage)

    def act(clue, cd):
        services.clue_close(clue=clue, user=request.user, outcome=cd["outcome"], public_outcome=cd["public_outcome"],
                            note=cd["note"])

    return _step(request, pk, CloseForm, "close_form", act)


@area_view("clues")
@require_POST
def note(request, pk: int):
    if LEADER in scope_of(request.user).roles and not request.user.is_superuser:
        raise PermissionDenied

    def act(clue, cd):
        services.clue_add_note(clue=clue, user=request.user, text=cd["text"])

    return _step(request, pk, NoteForm, "note_form", act)


@area_view("clues")
@require_safe
def file(request, pk: int, file_id: int, thumb: bool = False):
    """A photo or video of a clue, only for those who may see the clue."""
    clue = selectors.clue_get(request.user, pk)
    f = ClueFile.objects.filter(clue=clue, pk=file_id).first()
    if f is None:
        raise Http404
    from fanzha.outreach import evidence

    rel = f.thumb_path if thumb and f.thumb_path else f.path
    try:
        fh = open(evidence.path_of(rel), "rb")  # noqa: SIM115 - FileResponse closes it
    except (OSError, ValueError):
        raise Http404 from None
    resp = FileResponse(fh, content_type="image/jpeg" if thumb and f.thumb_path else f.content_type)
    resp["Cache-Control"] = "private, max-age=3600"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _figures_params(request):
    from fanzha.alerts.figures import Window

    node = node_param(request)
    problem = ""
    try:
        if request.GET.get("start") and request.GET.get("end"):
            window = Window.between(request.GET["start"], request.GET["end"])
        else:
            window = Window.parse(request.GET.get("period", ""))
    except ValueError as e:
        problem = str(e)
        window = Window.parse("")
    return node, window, problem


@area_view("clues.figures")
@require_safe
def figures(request):
    node, window, problem = _figures_params(request)
    if problem:
        messages.error(request, problem)
    data = clue_figures(request.user, node=node, window=window)
    ancestors = crumbs_in_scope(request.user, node)
    return render(request, "clues/figures.html", {
        "data": data, "node": node, "window": window, "ancestors": ancestors,
        "range_query": f"start={window.start.isoformat()}&end={window.end.isoformat()}",
        "can_export": allowed(request.user, "org.export_data"),
    })


@area_view("clues.figures")
@require_safe
def figures_export(request):
    """The ledger of the clues behind the figures, with the figures on a second sheet."""
    require(request.user, "org.export_data")
    node, window, _problem = _figures_params(request)
    data = clue_figures(request.user, node=node, window=window)
    from fanzha.clues.exports import ledger
    from fanzha.clues.figures import _bounds

    start, end = _bounds(window)
    qs = selectors.clues_for(request.user).filter(received_at__gte=start, received_at__lt=end)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    fh, n = ledger(qs, data)
    audit(user=request.user, action=AuditAction.EXPORT, target=f"clue-ledger:{node.pk if node else 'all'}:{window.key}",
          detail=f"{n} rows", request=request)
    resp = FileResponse(fh, content_type=XLSX, as_attachment=True, filename=f"clues-{window.key}.xlsx")
    return resp
