"""Clue fixtures: fast public-form settings, a way to solve the form's sum, and clue helpers."""

from __future__ import annotations

import io
import re

import pytest

from fanzha.clues import services
from fanzha.clues.models import Clue, Source

NUMBERS = "零一二三四五六七八九十"


@pytest.fixture(autouse=True)
def _clue_settings(settings):
    settings.FANZHA_CLUE_MIN_FILL_SECONDS = 0
    settings.FANZHA_CLUE_SUBMIT_LIMIT = 5


def solve(question: str) -> str:
    """The answer to the public form's sum ("三 加 五 等于几？")."""
    a, b = re.findall(r"([零一二三四五六七八九十]|\d+) (?:加|plus) ([零一二三四五六七八九十]|\d+)", question)[0]
    value = lambda t: NUMBERS.index(t) if t in NUMBERS else int(t)  # noqa: E731
    return str(value(a) + value(b))


def form_fields(client, street_code: str = "S", **headers) -> dict:
    """GET the public form: its token and the answer to its sum."""
    r = client.get(f"/report/{street_code}/", **headers)
    assert r.status_code == 200
    return {"token": r.context["form"]["token"].value(), "answer": solve(r.context["question"])}


def public_post(client, data: dict, street_code: str = "S", files=None, **headers):
    fields = form_fields(client, street_code, **headers)
    body = {"summary": "有人冒充客服让我转账", **fields, **data}
    if files:
        body.update(files)
    return client.post(f"/report/{street_code}/", body, **headers)


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def make_clue(node, *, user=None, summary="群里有人发刷单广告", source=Source.STAFF, **kw) -> Clue:
    return services.clue_create_from(source=source, node=node, summary=summary, user=user, **kw)


@pytest.fixture
def checked_clue(tree, personas):
    """A clue in grid g1, checked as real by the office."""
    c = make_clue(tree.g1, user=personas.grid1, subjects=[("phone", "13912345678")])
    return services.clue_check(clue=c, user=personas.office, verdict="real")
