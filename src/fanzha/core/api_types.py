"""Shared input types for the JSON API: each rule is stated in the OpenAPI schema itself.

What the schema says a field accepts, the endpoint accepts, and what it refuses
is refused before any service runs (422 with a field message). So a text field
carries its length and "no NUL character" (PostgreSQL cannot store NUL) as a
pattern; an id its range; an amount of money its cents; a period its shape.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Optional

from pydantic import BeforeValidator, Field, WithJsonSchema

MAX_ID = 2**63 - 1  # the largest primary key any supported database stores
MAX_VERSION = 2**31 - 1
NO_NUL = r"^[^\x00]*$"

# The years a period may name (fanzha.cases.periods.Period.parse checks the same).
_YEAR = r"(199\d|20\d\d|2100)"
PERIOD_PATTERN = rf"^({_YEAR}([Hh][12]|[Qq][1-4]|-(0?[1-9]|1[0-2]))?)?$"
"""'' or 2024, 2024H1, 2024Q3, 2024-07."""


def Text(max_length: int, *, min_length: int = 0, description: str | None = None):
    """A string of at most `max_length` characters with no NUL character, both stated in the schema."""
    return Annotated[str, Field(max_length=max_length, min_length=min_length, pattern=NO_NUL, description=description)]


RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
# An optional id in a query string: absent means "any"; an empty value is refused (it is not an id).
OptId = Optional[RecordId]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
Period = Annotated[str, Field(max_length=8, pattern=PERIOD_PATTERN,
                              description="'' (default) or a year, half, quarter or month: 2024, 2024H1, 2024Q3, 2024-07")]


def _to_cents(value):
    """A JSON number for an amount of money: floats that are a whole number of cents (within float error)
    become that exact Decimal; anything else is left for the decimal_places rule to refuse."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        try:
            exact = Decimal(repr(value))
            cents = exact.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            return value
        return cents if abs(exact - cents) <= Decimal("1e-9") * max(1, abs(exact)) else exact
    return value


MAX_MONEY = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
Money = Annotated[
    Decimal,
    BeforeValidator(_to_cents),
    Field(ge=0, le=MAX_MONEY, max_digits=14, decimal_places=2),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": float(MAX_MONEY), "multipleOf": 0.01,
                    "description": "yuan, whole cents"}),
]

__all__ = ["MAX_ID", "MAX_VERSION", "NO_NUL", "PERIOD_PATTERN", "Text", "RecordId", "OptId", "Version", "Period",
           "Money", "MAX_MONEY", "dt"]
