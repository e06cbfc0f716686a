"""Alert intake: a pushed alert checked, routed and stored with its assignees, events and notices.

Pushes come one by one and often (SPEC §3), so the hot path reads and writes with
plain SQL on indexed columns; a repeated alert id is answered as a retry when the
content is the same and kept as an `AlertConflict` when it differs (nothing merged).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.inputs import AlertInput, clean_alert, differences
from fanzha.alerts.limits import LimitBook, due_times, first_watch
from fanzha.alerts.models import (
    Alert,
    AlertAssignee,
    AlertConflict,
    AlertEvent,
    AssigneeReason,
    EventKind,
    Grade,
    Sender,
    Source,
    Stage,
    Status,
)
from fanzha.alerts.notify import (
    alert_url,
    grade_label,
    notify_texts,
    notify_users,
    short_name,
    users_at,
    webhook_enqueue,
)
from fanzha.alerts.routing import Route, Router, place_columns
from fanzha.core import pii
from fanzha.core.bulk import insert_one, insert_rows
from fanzha.core.idnumbers import mask_id_number, mask_phone
from fanzha.org.models import Node, Role


class AlertIdConflict(Exception):
    """A repeated alert id with different content: kept as `conflict`, nothing merged."""

    def __init__(self, conflict: AlertConflict, created: bool):
        self.conflict = conflict
        self.created = created
        super().__init__(f"alert id conflict #{conflict.pk}")


class IngestResult:
    """What the intake did: the alert, whether it is new, and for a new one where it went.

    For a new alert the intake holds its column values already; the `Alert` instance is
    built only when a caller asks for it (the API's answer is made from the values).
    """

    def __init__(self, alert: Alert | None, created: bool, routed: dict | None = None, *,
                 pk: int | None = None, values: dict | None = None) -> None:
        self._alert = alert
        self.created = created
        self.routed = routed  # for a new alert: {"node": {...}, "assignees": [names]}, known without another query
        self.pk = alert.pk if alert is not None else pk
        self.values = values

    @property
    def alert(self) -> Alert:
        if self._alert is None:
            self._alert = Alert(pk=self.pk, **self.values)
            self._alert._state.adding, self._alert._state.db = False, "default"
        return self._alert


def new_alert_text(alert: Alert, place_name: str) -> str:
    due = ""
    nxt = alert.next_due()
    if nxt:
        minutes = max(0, round((nxt[1] - alert.received_at).total_seconds() / 60))
        due = _("，%(m)d分钟内%(stage)s") % {"m": minutes, "stage": Stage(nxt[0]).label}
    return _("新预警（%(grade)s）#%(id)d：%(name)s %(phone)s，%(place)s%(due)s") % {
        "grade": grade_label(alert.grade), "id": alert.pk, "name": short_name(alert.name),
        "phone": alert.phone_masked, "place": place_name, "due": due}


def alert_text(pk: int, values: dict, place_name: str) -> str:
    """`new_alert_text` of an alert just inserted, from its column values (no limit is met yet)."""
    due = ""
    for stage, key in ((Stage.SIGN, "sign_due_at"), (Stage.CONTACT, "contact_due_at"), (Stage.ONSITE, "onsite_due_at")):
        if values[key] is not None:
            minutes = max(0, round((values[key] - values["received_at"]).total_seconds() / 60))
            due = _("，%(m)d分钟内%(stage)s") % {"m": minutes, "stage": stage.label}
            break
    return _("新预警（%(grade)s）#%(id)d：%(name)s %(phone)s，%(place)s%(due)s") % {
        "grade": grade_label(values["grade"]), "id": pk, "name": short_name(values["name"]),
        "phone": values["phone_masked"], "place": place_name, "due": due}


def alert_values(inp: AlertInput, route: Route, *, limits: LimitBook, now: dt.datetime, source: str,
                 sender_id: int | None = None, intake_key: str | None = None, batch_id: int | None = None,
                 encrypt=pii.encrypt) -> dict:
    """The column values (attnames) of a new alert for `inp`, placed where `route` says, with its
    due times and first watch; the other columns take their defaults. Plain values, so a batch can
    insert them without building ten thousand model instances."""
    v = {"sender_id": sender_id, "batch_id": batch_id, "source": source, "external_id": inp.external_id,
         "intake_key": intake_key, "content_hash": inp.content_hash(), "grade": inp.grade, "status": route.status,
         "name": inp.name, "fraud_type_text": inp.fraud_type, "fraud_contact": inp.fraud_contact, "note": inp.note,
         "area_code": inp.area_code, "occurred_at": inp.occurred_at, "received_at": now,
         "resident_id": route.resident_id, "route_note": route.note[:200],
         "transfer_reason": route.transfer_reason[:200], "updated_at": now, "max_escalation": route.max_escalation,
         **place_columns(route.place),
         # what PiiMixin's setters store, with the encrypter passed in (a batch looks the key up once)
         "id_number_enc": encrypt(inp.id_number), "phone_enc": encrypt(inp.phone),
         "id_number_hash": pii.lookup_hash("id", inp.id_number), "phone_hash": pii.lookup_hash("phone", inp.phone),
         "id_number_masked": mask_id_number(inp.id_number) if inp.id_number else "",
         "phone_masked": mask_phone(inp.phone) if inp.phone else "",
         "sign_due_at": None, "contact_due_at": None, "onsite_due_at": None, "watch": "", "watch_due_at": None}
    if route.status != Status.TRANSFER:
        dues = due_times(limits.get(route.place.street_id, inp.grade), now)
        v.update(dues)
        v["watch"], v["watch_due_at"] = first_watch(dues, route.max_escalation)
    return v


def alert_from_route(inp: AlertInput, route: Route, *, limits: LimitBook, now: dt.datetime, source: str,
                     sender: Sender | None = None, intake_key: str | None = None) -> Alert:
    """An unsaved Alert for `inp` placed where `route` says, with its due times and first watch."""
    return Alert(**alert_values(inp, route, limits=limits, now=now, source=source,
                                sender_id=sender.pk if sender else None, intake_key=intake_key))


def _queue_staff(route: Route) -> list[int]:
    """Who looks after a queue waiting for manual assignment (or a transfer): community staff, else the office."""
    if route.status == Status.PENDING and route.place.community_id and not route.place.grid_id:
        staff = users_at([route.place.community_id], [Role.COMMUNITY]).get(route.place.community_id, [])
        if staff:
            return staff
    street = route.place.street_id
    if street:
        return users_at([street], [Role.OFFICE]).get(street, [])
    return []


def input_of(alert: Alert) -> AlertInput:
    """The content of a stored alert as an AlertInput (numbers decrypted; stays in memory)."""
    return AlertInput(external_id=alert.external_id, occurred_at=alert.occurred_at, grade=alert.grade, name=alert.name,
                      phone=alert.phone, id_number=alert.id_number, fraud_type=alert.fraud_type_text,
                      fraud_contact=alert.fraud_contact, note=alert.note, area_code=alert.area_code)


def alert_ingest(*, sender: Sender, data: dict, now: dt.datetime | None = None) -> IngestResult:
    """Take one pushed alert; idempotent on (sender, alert id).

    1. Check every field (ValidationError: nothing stored).
    2. Route it (all reads first, outside the write transaction, so the database's
       write lock is held only for the inserts).
    3. One transaction: the alert is inserted unless its intake key (sender, alert id)
       is taken — `ON CONFLICT DO NOTHING RETURNING id`, so a new alert costs no
       look-up of its key and a taken key no failed statement. Inserted: its assignees,
       the routing event, notifications, and for high grade a message to the street's
       group-chat bots, in the same transaction.
    4. Key taken (a retry, or a concurrent identical push that committed first):
       nothing else was written; with the same content the answer is the existing
       alert, with different content an AlertConflict is kept and AlertIdConflict raised.
    The pushes come one by one and often, so the reads and writes here are plain SQL
    on indexed columns (the ORM's compilation would cost more than the statements).
    """
    now = now or timezone.now()
    inp = clean_alert(data, now=now)
    key = f"s{sender.pk}:{inp.external_id}"
    router = Router(sender.node).prepare([inp], facts=True)
    route = router.route(inp)
    notices = _notices_for(route, inp.grade, router)
    values = alert_values(inp, route, limits=router.limits, now=now, source=Source.API, sender_id=sender.pk, intake_key=key)
    # On SQLite the backend queues the writers (first come, first served: fanzha.core.db.sqlite3).
    with transaction.atomic():
        pk = insert_one(Alert, values, on_conflict_skip="intake_key")
        if pk is not None:
            _after_routing(pk, values, route, notices, now=now)
    if pk is None:  # the id was taken (a retry, or a concurrent identical push that committed first)
        return _repeat(Alert.objects.get(intake_key=key), inp, sender=sender, now=now)
    routed = {"node": notices.node, "assignees": [router.user_names.get(u, "?") for u, _r in route.assignees]}
    return IngestResult(None, True, routed, pk=pk, values=values)


@dataclass
class _Notices:
    """What the notifications of a new alert need, read before the write transaction opens
    (on SQLite the transaction holds the database's write lock: keep it to the inserts)."""

    node: dict | None
    queue_staff: list[int]
    webhooks: list[int]

    @property
    def place_name(self) -> str:
        return self.node["name"] if self.node else ""


def _notices_for(route: Route, grade: str, router: Router) -> _Notices:
    """What the notifications need, from what the router read with the rules (the queue node, the
    street's bots); only a queue waiting for a person (pending, transfer) reads its staff here."""
    node = router.nodes.get(route.place.node_id) if route.place.node_id else None
    if node is None and route.place.node_id:
        qn = connection.ops.quote_name
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, name, level, code FROM {qn(Node._meta.db_table)} WHERE id = %s", [route.place.node_id])
            row = cur.fetchone()
        node = dict(zip(("id", "name", "level", "code"), row)) if row else None
    hooks = []
    if grade == Grade.HIGH and route.status != Status.TRANSFER and route.place.street_id:
        hooks = router.webhooks.get(route.place.street_id, [])
    staff = _queue_staff(route) if route.status in (Status.PENDING, Status.TRANSFER) else []
    return _Notices(node, staff, hooks)


def _after_routing(pk: int, values: dict, route: Route, notices: _Notices, *, now: dt.datetime) -> None:
    """The new alert's assignees, routing event, notifications (one insert for all of them) and bot messages."""
    insert_rows(AlertAssignee, ["alert_id", "user_id", "reason", "assigned_at"],
                [(pk, u, r, now) for u, r in route.assignees])
    insert_rows(AlertEvent, ["alert_id", "at", "kind", "node_id", "note"],
                [(pk, now, EventKind.TRANSFER if route.status == Status.TRANSFER else EventKind.ROUTED,
                  route.place.node_id, route.note[:1000])])
    url = alert_url(pk)
    if route.status == Status.TRANSFER:
        notify_users(notices.queue_staff, kind="transfer", now=now, alert_id=pk, url=url,
                     text=_("预警#%(id)d需移交：%(why)s") % {"id": pk, "why": route.transfer_reason})
        return
    text = alert_text(pk, values, notices.place_name)
    people = [u for u, _r in route.assignees]
    if route.status == Status.PENDING:
        people += notices.queue_staff
        text = _("待分派") + "·" + text
    officers = {u for u, r in route.assignees if r == AssigneeReason.OFFICER} if route.phone_first else set()
    # Each person once, with the first text that applies (as one notify_users call per group would).
    told: dict[int, str] = {}
    if officers:
        urgent = _("【请立即电话劝阻】") + text
        for u in people:
            if u in officers:
                told.setdefault(u, urgent)
    for u in people:
        if u not in officers:
            told.setdefault(u, text)
    aware = _("知悉·") + text
    for u in route.notify:
        told.setdefault(u, aware)
    notify_texts(told, kind="new", now=now, alert_id=pk, url=url)
    if notices.webhooks:
        webhook_enqueue(street_ids=[], hooks=notices.webhooks, text=text, now=now)


def _repeat(existing: Alert, inp: AlertInput, *, sender: Sender | None, now: dt.datetime) -> IngestResult:
    h = inp.content_hash()
    if existing.content_hash == h:
        return IngestResult(existing, False)
    conflict, created = _conflict_keep(existing, inp, h, sender=sender, now=now)
    raise AlertIdConflict(conflict, created)


def _conflict_keep(alert: Alert, inp: AlertInput, h: str, *, sender, now) -> tuple[AlertConflict, bool]:
    found = AlertConflict.objects.filter(alert=alert, content_hash=h).first()
    if found is not None:
        return found, False
    diff = differences(input_of(alert), inp)
    try:
        with transaction.atomic():
            conflict = AlertConflict(alert=alert, sender=sender, external_id=inp.external_id, received_at=now,
                                     content_hash=h, payload_enc=pii.encrypt(inp.canonical()), differences=diff)
            conflict.place_at(None)
            for f in ("county", "street", "community", "grid"):
                setattr(conflict, f"{f}_id", getattr(alert, f"{f}_id"))
            conflict.save()
            fields = "、".join(d["label"] for d in diff)
            AlertEvent.objects.create(alert=alert, at=now, kind=EventKind.CONFLICT,
                                      note=_("发送方以相同编号发来不同内容（%(f)s），已留待人工核对") % {"f": fields})
            if alert.street_id:
                notify_users(users_at([alert.street_id], [Role.OFFICE]).get(alert.street_id, []), kind="conflict",
                             now=now, alert_id=alert.pk, url=reverse("alerts:conflicts"),
                             text=_("预警#%(id)d收到编号相同但内容不同的推送（%(f)s），请核对") % {"id": alert.pk, "f": fields})
    except IntegrityError:
        return AlertConflict.objects.get(alert=alert, content_hash=h), False
    return conflict, True

