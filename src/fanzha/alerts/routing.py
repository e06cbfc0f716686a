"""Where an alert goes: phone or ID number → resident → grid → the people on duty there.

Rules (SPEC §3):
1. The ID number's keyed hash finds the resident; failing that the phone's hash
   (main or second phone). A phone shared by several residents of one grid
   still routes to that grid; spread over several grids it needs a person.
2. A resident inside the sender's area: the alert goes to the resident's grid,
   to its grid workers and grid leader(s). A grid without any goes to the
   community staff instead. Then the street's routing rule for the grade
   (`fanzha.alerts.rules`, set by the office): by default every grade notifies
   the street's officers (the police station's duty officers), and high grade
   is also assigned to them, who phone first, for an immediate visit.
3. A resident registered outside the sender's area, or an area code from the
   sender that is not a node of its area: marked for transfer back, with the reason.
4. A person not on the register: the queue of the node the sender's area code
   names (a grid routes to its people; a community or street queue waits for
   manual assignment), else the sender's area's own queue. The grade's rule
   adds and notifies the officers as in 2.

`Router` works for one alert or ten thousand: `prepare()` looks everything up
in bulk (one IN query per 500 hashes, one query for all responders), `route()`
is then pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from fanzha.alerts.inputs import AlertInput
from fanzha.alerts.limits import LimitBook
from fanzha.alerts.models import AssigneeReason, RoutingRule, Status, TimeLimit, Webhook
from fanzha.alerts.rules import FLAGS, RuleBook
from fanzha.core import pii
from fanzha.org.models import Assignment, Node, Resident, Role, User

IN_CHUNK = 500


@dataclass
class Place:
    """Ancestor ids of a node (county, street, community, grid)."""

    county_id: int | None = None
    street_id: int | None = None
    community_id: int | None = None
    grid_id: int | None = None

    @classmethod
    def of_node(cls, node: Node) -> Place:
        # A household group's alert waits at its grid: group heads are not in the alert chain.
        return cls(node.county_id, node.street_id, node.community_id, node.grid_id)

    @property
    def depth(self) -> int:
        if self.grid_id:
            return 3
        if self.community_id:
            return 2
        if self.street_id:
            return 1
        return 0

    @property
    def node_id(self) -> int | None:
        return self.grid_id or self.community_id or self.street_id or self.county_id

    def column(self, level: str) -> int | None:
        return getattr(self, f"{level}_id", None)


@dataclass
class Route:
    status: str
    place: Place
    resident_id: int | None = None
    assignees: list[tuple[int, str]] = field(default_factory=list)  # (user id, AssigneeReason)
    note: str = ""
    transfer_reason: str = ""
    notify: list[int] = field(default_factory=list)  # told of it, not assigned (duty officers, community)
    phone_first: bool = False  # the officers phone the person first

    @property
    def max_escalation(self) -> int:
        """Levels the alert may climb: grid → community → street (never above the street)."""
        if self.status == Status.TRANSFER:
            return 0
        return max(0, self.place.depth - 1)


@dataclass(frozen=True)
class _Res:
    id: int
    place: Place


def _chunks(values: list, size: int = IN_CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _residents(id_hashes: list[str], phone_hashes: list[str]):
    """('id' or 'phone', hash, id, county, street, community, grid) of the residents whose ID number,
    phone or second phone has one of the hashes: one UNION ALL of three indexed look-ups per chunk
    (a single pushed alert is one round trip to the database)."""
    qn = connection.ops.quote_name
    table = qn(Resident._meta.db_table)
    cols = "id, county_id, street_id, community_id, grid_id"
    with connection.cursor() as cur:
        for start in range(0, max(len(id_hashes), len(phone_hashes)), IN_CHUNK):
            ids, phones = id_hashes[start:start + IN_CHUNK], phone_hashes[start:start + IN_CHUNK]
            parts, params = [], []
            if ids:
                parts.append(f"SELECT 'id', id_number_hash, {cols} FROM {table} WHERE id_number_hash IN "
                             f"({', '.join(['%s'] * len(ids))})")
                params += ids
            for column in ("phone_hash", "phone2_hash") if phones else ():
                parts.append(f"SELECT 'phone', {column}, {cols} FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(phones))})")
                params += phones
            cur.execute(" UNION ALL ".join(parts), params)
            yield from cur.fetchall()


class Router:
    """Routes alerts inside one sender area (a county or street node)."""

    def __init__(self, area: Node) -> None:
        self.area = area
        self.by_id_hash: dict[str, _Res] = {}
        self.by_phone_hash: dict[str, list[_Res]] = {}
        self.nodes_by_code: dict[str, Node] = {}
        self.responders: dict[int, list[tuple[int, str]]] = {}  # grid id → (user, reason)
        self.community_staff: dict[int, list[int]] = {}
        self.officers: dict[int, list[int]] = {}  # street id → users
        self.street_names: dict[int, str] = {}
        self.user_names: dict[int, str] = {}  # of everyone a route may name
        self.rules = RuleBook(())
        # With prepare(..., facts=True), what the intake needs after routing, read in the same query as the rules:
        self.limits: LimitBook | None = None
        self.nodes: dict[int, dict] = {}  # the candidate queue nodes: {id: {"id", "name", "level", "code"}}
        self.webhooks: dict[int, list[int]] = {}  # street id → its active group-chat bots

    # --- look-ups in bulk ---------------------------------------------------------------------
    # Plain SQL on indexed columns: for a single pushed alert the ORM's query compilation would
    # cost more than the look-ups themselves (the intake answers many small requests).
    def prepare(self, inputs: list[AlertInput], *, facts: bool = False) -> Router:
        id_hashes = sorted({pii.lookup_hash("id", i.id_number) for i in inputs if i.id_number})
        phone_hashes = sorted({pii.lookup_hash("phone", i.phone) for i in inputs if i.phone})
        for kind, h, *row in _residents(id_hashes, phone_hashes):
            if kind == "id":
                self.by_id_hash.setdefault(h, _Res(row[0], Place(*row[1:])))
            else:
                found = self.by_phone_hash.setdefault(h, [])
                if all(r.id != row[0] for r in found):
                    found.append(_Res(row[0], Place(*row[1:])))
        codes = sorted({i.area_code for i in inputs if i.area_code})
        for chunk in _chunks(codes):
            for n in Node.objects.filter(code__in=chunk):
                self.nodes_by_code[n.code] = n
        places = [r.place for r in self.by_id_hash.values()] + [r.place for rs in self.by_phone_hash.values() for r in rs]
        places += [Place.of_node(n) for n in self.nodes_by_code.values()] + [Place.of_node(self.area)]
        streets = {p.street_id for p in places}
        if facts:
            self._load_facts(streets, {p.node_id for p in places if p.node_id}, _people_nodes(places))
        else:
            self._load_people(places)
            self.rules = RuleBook(streets)
        return self

    def _load_facts(self, street_ids: set, node_ids: set, people_nodes: list[int]) -> None:
        """The people on duty at the candidate places (as `_load_people`), the streets' routing rules and
        time limits, their active group-chat bots, and the names of the candidate queue nodes, in one round
        trip (UNION ALL of indexed look-ups; a single pushed alert otherwise paid a query for each). For one
        alert or a few: the lists go into one statement."""
        qn = connection.ops.quote_name
        streets, nodes = sorted(i for i in street_ids if i), sorted(node_ids)
        flags = ", ".join(f"CASE WHEN {f} THEN 1 ELSE 0 END" for f in FLAGS)
        parts, params = [], []
        if people_nodes:
            sql, people_params = _people_sql(
                "'person', a.node_id, a.role, a.user_id, a.id, NULL, NULL, NULL, u.display_name, u.username, NULL",
                people_nodes)
            parts.append(sql)
            params += people_params
        if streets:
            marks = ", ".join(["%s"] * len(streets))
            parts += [
                f"SELECT 'rule', street_id, grade, {flags}, NULL, NULL, NULL FROM {qn(RoutingRule._meta.db_table)} "
                f"WHERE street_id IN ({marks})",
                f"SELECT 'limit', street_id, grade, sign_minutes, contact_minutes, onsite_minutes, NULL, NULL, NULL, NULL, NULL "
                f"FROM {qn(TimeLimit._meta.db_table)} WHERE street_id IN ({marks})",
                f"SELECT 'hook', street_id, NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM {qn(Webhook._meta.db_table)} "
                f"WHERE street_id IN ({marks}) AND active = %s"]
            params += [*streets, *streets, *streets, True]
        if nodes:
            parts.append(f"SELECT 'node', id, NULL, NULL, NULL, NULL, NULL, NULL, name, level, code FROM {qn(Node._meta.db_table)} "
                         f"WHERE id IN ({', '.join(['%s'] * len(nodes))})")
            params += nodes
        rules, limits, people = [], [], []
        if parts:
            with connection.cursor() as cur:
                cur.execute(" UNION ALL ".join(parts), params)
                for kind, key, grade, *v in cur.fetchall():
                    if kind == "person":  # (role, assignment id) to sort by, node, user, role, names
                        people.append(((grade, v[1]), (key, v[0], grade, v[5], v[6])))
                    elif kind == "rule":
                        rules.append((key, grade, *v[:len(FLAGS)]))
                    elif kind == "limit":
                        limits.append((key, grade, *v[:3]))
                    elif kind == "hook":
                        self.webhooks.setdefault(key, []).append(v[0])
                    else:
                        self.nodes[key] = {"id": key, "name": v[5], "level": v[6], "code": v[7]}
        people.sort(key=lambda p: p[0])  # as _load_people's ORDER BY a.role, a.id
        self._take_people(row for _key, row in people)
        self.rules = RuleBook.from_rows(rules)
        self.limits = LimitBook.from_rows(limits)

    def _load_people(self, places: list[Place]) -> None:
        """Grid workers and leaders of the grids, staff of the communities, officers of the streets: one query per 500 nodes."""
        with connection.cursor() as cur:
            for chunk in _chunks(_people_nodes(places)):
                sql, params = _people_sql("a.node_id, a.user_id, a.role, u.display_name, u.username", chunk)
                cur.execute(sql + " ORDER BY a.role, a.id", params)
                self._take_people(cur.fetchall())

    def _take_people(self, rows) -> None:
        """Rows (node, user, role, display name, user name), in the order of role then assignment."""
        reason = {Role.GRID_WORKER: AssigneeReason.GRID_WORKER, Role.GRID_LEADER: AssigneeReason.GRID_LEADER}
        for node_id, user_id, role, display, username in rows:
            self.user_names[user_id] = display or username
            if role in reason:
                self.responders.setdefault(node_id, []).append((user_id, reason[role]))
            elif role == Role.COMMUNITY:
                self.community_staff.setdefault(node_id, []).append(user_id)
            else:
                self.officers.setdefault(node_id, []).append(user_id)

    def _street_name(self, street_id: int | None) -> str:
        if street_id is None:
            return _("其他地区")
        if street_id not in self.street_names:
            self.street_names[street_id] = Node.objects.filter(pk=street_id).values_list("name", flat=True).first() or "?"
        return self.street_names[street_id]

    # --- the decision -------------------------------------------------------------------------
    def inside(self, place: Place) -> bool:
        return place.column(self.area.level) == self.area.id

    def route(self, inp: AlertInput) -> Route:
        resident, grid_place, note = self._find(inp)
        if resident is not None or grid_place is not None:
            place = resident.place if resident is not None else grid_place
            if not self.inside(place):
                return self._transfer(_("居民登记在%(street)s，不属于本辖区") % {"street": self._street_name(place.street_id)},
                                      resident_id=resident.id if resident else None)
            route = Route(status=Status.NEW, place=place, resident_id=resident.id if resident else None, note=note)
            self._add_people(route, inp.grade)
            return route
        # Not on the register.
        if inp.area_code:
            node = self.nodes_by_code.get(inp.area_code)
            if node is None or not self.inside(Place.of_node(node)):
                return self._transfer(_("发送方标注的区域“%(code)s”不在本辖区") % {"code": inp.area_code[:40]})
            place = Place.of_node(node)
            if place.grid_id:
                route = Route(status=Status.NEW, place=place, note=note + _("；按区域编码派至网格"))
                self._add_people(route, inp.grade)
                return route
            route = Route(status=Status.PENDING, place=place,
                          note=note + _("；按区域编码进入%(node)s待分派队列") % {"node": node.name})
        else:
            route = Route(status=Status.PENDING, place=Place.of_node(self.area),
                          note=note + _("；进入%(node)s待分派队列") % {"node": self.area.name})
        self._apply_rule(route, inp.grade, assign_grid=False)
        return route

    def _find(self, inp: AlertInput) -> tuple[_Res | None, Place | None, str]:
        if inp.id_number:
            r = self.by_id_hash.get(pii.lookup_hash("id", inp.id_number))
            if r is not None:
                return r, None, _("按身份证号匹配到居民")
        if inp.phone:
            found = self.by_phone_hash.get(pii.lookup_hash("phone", inp.phone), [])
            if len(found) == 1:
                return found[0], None, _("按手机号匹配到居民")
            if len(found) > 1:
                grids = {r.place.grid_id for r in found}
                if len(grids) == 1:
                    return None, found[0].place, _("手机号对应同一网格的%(n)d名居民") % {"n": len(found)}
                return None, None, _("手机号对应不同网格的%(n)d名居民，需人工确认") % {"n": len(found)}
        return None, None, _("未在居民登记中找到此人")

    def _transfer(self, reason: str, resident_id: int | None = None) -> Route:
        return Route(status=Status.TRANSFER, place=Place.of_node(self.area), resident_id=resident_id,
                     note=reason, transfer_reason=reason)

    def _grid_people(self, route: Route) -> list[tuple[int, str]]:
        place = route.place
        people = list(self.responders.get(place.grid_id, [])) if place.grid_id else []
        if not people and place.community_id:
            people = [(u, AssigneeReason.COMMUNITY) for u in self.community_staff.get(place.community_id, [])]
            if place.grid_id:
                route.note += _("；该网格暂无网格员，已派社区") if people else _("；该网格和社区暂无处置人员，请街道指派")
        return people

    def _add_people(self, route: Route, grade: str) -> None:
        self._apply_rule(route, grade, assign_grid=True)

    def _apply_rule(self, route: Route, grade: str, *, assign_grid: bool) -> None:
        """Assign and notify as the street's rule for the grade says (see fanzha.alerts.rules).

        `assign_grid` is False for a queue waiting for manual assignment (nobody at a grid yet).
        An alert is never left without anyone assigned when its grid has people: if the rule
        assigns only officers and the street has none, the grid's people take it."""
        rule = self.rules.get(route.place.street_id, grade)
        officers = self.officers.get(route.place.street_id, ())
        cops = bool(rule.assign_officers and officers)
        grid = self._grid_people(route) if assign_grid and (rule.assign_grid or not cops) else []
        if cops:
            have = {u for u, _r in grid}
            extra = [(u, AssigneeReason.OFFICER) for u in officers if u not in have]
            if rule.officers_phone_first:
                route.assignees = extra + grid
                route.phone_first = True
                route.note += _("；派出所民警先电话劝阻")
            else:
                route.assignees = grid + extra
        else:
            route.assignees = grid
        told: list[int] = []
        if rule.notify_officers and not cops:
            told += officers
        if rule.notify_community and route.place.community_id:
            told += self.community_staff.get(route.place.community_id, ())
        if told:
            assigned = {u for u, _r in route.assignees}
            route.notify = [u for u in dict.fromkeys(told) if u not in assigned]


_PEOPLE_ROLES = (Role.GRID_LEADER, Role.GRID_WORKER, Role.COMMUNITY, Role.OFFICER)


def _people_nodes(places: list[Place]) -> list[int]:
    """The nodes whose people a route may name: the places' grids, communities and streets."""
    return sorted({p.grid_id for p in places if p.grid_id} | {p.community_id for p in places if p.community_id}
                  | {p.street_id for p in places if p.street_id})


def _people_sql(columns: str, nodes: list[int]) -> tuple[str, list]:
    """SELECT `columns` of the active people with a responder's role at `nodes` (assignment a, user u)."""
    qn = connection.ops.quote_name
    a, u = qn(Assignment._meta.db_table), qn(User._meta.db_table)
    return (f"SELECT {columns} FROM {a} a JOIN {u} u ON u.id = a.user_id WHERE u.is_active = %s "
            f"AND a.node_id IN ({', '.join(['%s'] * len(nodes))}) AND a.role IN ({', '.join(['%s'] * len(_PEOPLE_ROLES))})",
            [True, *nodes, *_PEOPLE_ROLES])


def place_columns(place: Place) -> dict[str, int | None]:
    return {"county_id": place.county_id, "street_id": place.street_id, "community_id": place.community_id,
            "grid_id": place.grid_id, "group_id": None}

