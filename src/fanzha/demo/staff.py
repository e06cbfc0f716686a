"""Staff of the demo units: positions by kind of unit, who holds them, and their family members.

Some staff are residents of the street (linked to the resident, their family
are the other members of the household); the rest live elsewhere and get a
made-up family.
"""

from __future__ import annotations

from fanzha.demo.people import People, Person, cum
from fanzha.org.models import Employment, Relation, Unit, UnitKind

POSITIONS = {
    UnitKind.STREET_DEPARTMENT: (("主任", 1), ("副主任", 2), ("科员", 6), ("办事员", 4), ("工作人员", 6)),
    UnitKind.GOVERNMENT: (("所长", 1), ("副所长", 2), ("民警", 10), ("辅警", 10), ("内勤", 2)),
    UnitKind.SCHOOL: (("校长", 1), ("副校长", 2), ("教师", 30), ("班主任", 10), ("会计", 1), ("保安", 2), ("后勤", 3)),
    UnitKind.BANK: (("行长", 1), ("副行长", 1), ("柜员", 8), ("客户经理", 6), ("理财经理", 3), ("会计", 2)),
    UnitKind.HOTEL: (("总经理", 1), ("前台", 4), ("客房服务员", 6), ("保安", 2), ("厨师", 3)),
    UnitKind.HOSPITAL: (("院长", 1), ("医生", 20), ("护士", 25), ("药剂师", 3), ("会计", 1), ("收费员", 3)),
    UnitKind.COMPANY: (("总经理", 1), ("副总经理", 1), ("会计", 1), ("出纳", 1), ("销售", 6), ("技术员", 5),
                       ("工人", 20), ("司机", 2), ("保安", 2)),
    UnitKind.INDUSTRY: (("负责人", 1), ("营业员", 6), ("客户经理", 2), ("会计", 1)),
    UnitKind.OTHER: (("负责人", 1), ("工作人员", 5)),
}
_POSITIONS_CUM = {k: cum(v) for k, v in POSITIONS.items()}
# The head position (first listed) is held by exactly one person, the first staff member.
_HEAD_POSITIONS = {v[0][0] for v in POSITIONS.values()}
_EMPLOYMENT = {
    "public": cum(((Employment.FORMAL, 70), (Employment.CONTRACT, 25), (Employment.TEMPORARY, 5))),
    "private": cum(((Employment.FORMAL, 20), (Employment.CONTRACT, 65), (Employment.TEMPORARY, 15))),
}
_PUBLIC_KINDS = {UnitKind.STREET_DEPARTMENT, UnitKind.GOVERNMENT, UnitKind.SCHOOL, UnitKind.HOSPITAL}
_FINANCE_POSITIONS = {"会计", "出纳", "柜员", "客户经理", "理财经理", "行长", "副行长"}


class StaffPicker:
    """Chooses staff for units: some are residents of the street, the rest come from elsewhere.

    Residents are taken at most once; bank and finance positions prefer
    residents who are finance staff.
    """

    def __init__(self, people: People, residents: list[Person], *, resident_share: float):
        rng = people.rng
        self.people = people
        self.resident_share = resident_share
        workers = [p for p in residents if 22 <= (people.today.year - p.birth.year) <= 58 and not p.is_student]
        rng.shuffle(workers)
        self.finance = [p for p in workers if p.is_finance_staff]
        self.others = [p for p in workers if not p.is_finance_staff]

    def staff_for(self, unit: Unit, count: int) -> list[tuple[Unit, Person, str, str, list[tuple[str, Person]]]]:
        people, rng = self.people, self.people.rng
        positions = _POSITIONS_CUM[unit.kind]
        employment = _EMPLOYMENT["public" if unit.kind in _PUBLIC_KINDS else "private"]
        rows = []
        for i in range(count):
            position = positions[0][0] if i == 0 else self._non_head(positions)
            finance = unit.kind == UnitKind.BANK or position in _FINANCE_POSITIONS
            p = None
            if rng.random() < self.resident_share:
                pool = self.finance if finance and self.finance else self.others
                p = pool.pop() if pool else None
            if p is not None:
                relatives = self._resident_family(p)
            else:
                p = people.person(rng.randint(22, 58))
                relatives = self._made_up_family(p)
            rows.append((unit, p, position, people.pick(employment), relatives))
        return rows

    def _non_head(self, positions) -> str:
        while True:
            pos = self.people.pick(positions)
            if pos not in _HEAD_POSITIONS:
                return pos

    def _resident_family(self, p: Person) -> list[tuple[str, Person]]:
        """The other members of the staff member's household, linked to their residents."""
        out = []
        for q in p.household or ():
            if q is p:
                continue
            gap = q.birth.year - p.birth.year
            relation = Relation.PARENT if gap <= -18 else Relation.CHILD if gap >= 18 else Relation.SPOUSE
            if relation == Relation.SPOUSE and (q.gender == p.gender or any(r == Relation.SPOUSE for r, _ in out)):
                continue  # a sibling or a second adult of the same generation is not family in the roster's sense
            out.append((relation, q))
        return out

    def _made_up_family(self, p: Person) -> list[tuple[str, Person]]:
        """Family of a staff member who lives elsewhere: spouse, children, sometimes a parent (not residents here)."""
        people, rng = self.people, self.people.rng
        age = people.today.year - p.birth.year
        out = []
        if age >= 25 and rng.random() < 0.35:
            out.append((Relation.SPOUSE, people.person(max(22, age + rng.randint(-4, 4)), gender="F" if p.gender == "M" else "M")))
        if age >= 28 and rng.random() < 0.25:
            out.append((Relation.CHILD, people.person(max(0, age - rng.randint(23, 34)), surname=p.name[0])))
        if rng.random() < 0.1:
            out.append((Relation.PARENT, people.person(min(95, age + rng.randint(24, 32)), surname=p.name[0], gender="M")))
        return out
