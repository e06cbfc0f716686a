"""Supervision fixtures: a street with a leading department, and helpers to make records."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanzha.org import services as org_services
from fanzha.org.models import Role
from fanzha.supervision import services
from fanzha.supervision.services import Holder

TODAY = dt.date(2026, 6, 15)


def jpeg(name: str = "fix.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 60)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def sv(tree, personas, department):
    """A plan with one measure: lead = the department, responsible = community c1 and the school."""
    s = SimpleNamespace(tree=tree, p=personas, dept=department)
    s.other_dept_unit = org_services.unit_create(node=tree.street, name="西门街道财政所", kind="street_department")
    s.other_dept = org_services.user_create(username="dept2", password="pw", display_name="dept2", role=Role.DEPARTMENT,
                                            unit=s.other_dept_unit)
    s.plan = services.plan_create(user=personas.office, street=tree.street, year=2026, title="全民反诈工作方案",
                                  start_on=dt.date(2026, 1, 1))
    s.measure = services.measure_save(user=personas.office, plan=s.plan, title="宣传进社区", start_on=dt.date(2026, 1, 1),
                                      deadline=dt.date(2026, 6, 1), leads=[Holder(unit=department.unit)],
                                      responsible=[Holder(community=tree.c1), Holder(unit=tree.unit)])
    s.r_dept = s.measure.responsibilities.get(unit=department.unit)
    s.r_c1 = s.measure.responsibilities.get(unit__isnull=True, community=tree.c1)
    s.r_school = s.measure.responsibilities.get(unit=tree.unit)
    return s
