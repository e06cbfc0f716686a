"""The demo street's users: grid leaders, grid workers and the named demo logins (password `demo`).

Users and role assignments go through `fanzha.org.services` (user_create,
assignment_add) so the role groups apply, as when an office adds them.
"""

from __future__ import annotations

from fanzha.demo.people import People
from fanzha.demo.tree import split
from fanzha.org import services
from fanzha.org.models import Node, Role, Unit, User

DEMO_PASSWORD = "demo"
#: The named demo logins, in the order `fanzha demo` prints them.
DEMO_LOGINS = ("office", "leader", "police", "community", "gridleader", "grid1", "grid2", "grouphead", "liaison",
               "dept", "safety")


def demo_users(people: People, street: Node, communities: list[Node], grids: list[Node], groups: list[Node], *,
               grid_leaders: list[int], grid_workers: int, liaison_unit: Unit, department_unit: Unit) -> list[dict]:
    """The grid leaders, grid workers and the named demo users; returns the named users' logins and scopes.

    `grid_leaders` is the number of grid leaders of each community, `grid_workers` the number of
    grid workers of the street; `liaison` is the liaison of `liaison_unit`, `dept` the account of
    `department_unit`.

    1. Grid leaders: each community's grids split into runs of 3-4, one leader
       per run (36 in all); the first of community #1 is `gridleader`.
    2. Grid workers: one per grid, except that 22 workers in the last
       communities cover two neighbouring grids (94 in all); grids 1 and 2 of
       community #1 are `grid1` and `grid2`.
    3. The named users at the street, community #1, a group of grid 1 and the
       school; grid leaders and workers without a name get no usable password.
    """
    from django.contrib.auth.hashers import make_password

    by_community: dict[int, list[Node]] = {}
    for g in grids:
        by_community.setdefault(g.community_id, []).append(g)
    c1 = communities[0]

    leader_runs = []
    for c, leaders in zip(communities, grid_leaders, strict=True):
        leader_runs += split(by_community[c.pk], leaders)
    pairs_needed = len(grids) - grid_workers
    worker_runs_by_c: dict[int, list[list[Node]]] = {}
    for c in reversed(communities):
        cgrids, runs, i = by_community[c.pk], [], 0
        while i < len(cgrids):
            if pairs_needed and i + 1 < len(cgrids) and c.pk != c1.pk:
                runs.append(cgrids[i:i + 2])
                pairs_needed -= 1
                i += 2
            else:
                runs.append([cgrids[i]])
                i += 1
        worker_runs_by_c[c.pk] = runs
    worker_runs = [run for c in communities for run in worker_runs_by_c[c.pk]]

    def grid_users(prefix: str, runs: list[list[Node]], role: str, named: dict[int, str]) -> list[User]:
        """One user per run of grids; `named` maps a run's index to the username of a named demo user."""
        users = []
        for i, run in enumerate(runs):
            name = people.person(people.rng.randint(26, 55))
            if i in named:
                u = services.user_create(username=named[i], password=DEMO_PASSWORD, display_name=name.name,
                                         role=role, node=run[0])
            else:
                u = User(username=f"{prefix}{i + 1:03d}", display_name=name.name, password=make_password(None))
                u.save()
                services.assignment_add(user=u, role=role, node=run[0])
            for g in run[1:]:
                services.assignment_add(user=u, role=role, node=g)
            users.append(u)
        return users

    grid_users("gl", leader_runs, Role.GRID_LEADER, {0: "gridleader"})
    g1, g2 = by_community[c1.pk][0], by_community[c1.pk][1]
    grid_users("gw", worker_runs, Role.GRID_WORKER, {worker_runs.index([g1]): "grid1", worker_runs.index([g2]): "grid2"})

    group1 = next(g for g in groups if g.grid_id == g1.pk)
    school = liaison_unit
    singles = [
        ("office", Role.OFFICE, street, None),
        ("leader", Role.LEADER, street, None),
        ("police", Role.OFFICER, street, None),
        ("community", Role.COMMUNITY, c1, None),
        ("grouphead", Role.GROUP_HEAD, group1, None),
        ("liaison", Role.LIAISON, None, school),
        ("dept", Role.DEPARTMENT, None, department_unit),
        ("safety", Role.SAFETY_STAFF, c1, None),
    ]
    for username, role, node, unit in singles:
        display = unit.contact_name if unit and unit.contact_name else people.person(people.rng.randint(28, 55)).name
        services.user_create(username=username, password=DEMO_PASSWORD, display_name=display, role=role, node=node, unit=unit)

    out = []
    for username in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assignments = list(user.assignments.select_related("node", "unit").order_by("id"))
        out.append({
            "username": username,
            "role": assignments[0].role,
            "role_label": str(Role(assignments[0].role).label),
            "scope": "、".join(str(a.node or a.unit) for a in assignments),
        })
    return out
