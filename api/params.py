"""Parameter types shared by the API routes and the web pages: ids and counts as the database can take them.

An id is 1…2^63−1 (SQLite's integer range: a larger one would overflow the driver, a 500); numbers are written
with the ASCII digits 0-9 only (`³`, `٣`, `+5` or `5_0` is a 4xx, never a 500). The API routes declare these types,
so the OpenAPI schema states the bounds; the web pages parse their form fields with `form_number`.
"""

from typing import Annotated

from annotated_types import Ge, Le
from fastapi import Path, Query

from archive.errors import InvalidInputError
from archive.ids import MAX_ID, Digits, is_number

# The bounds come before the validator: so FastAPI writes them as minimum/maximum into the schema.
DocumentIdPath = Annotated[int, Ge(1), Le(MAX_ID), Digits, Path(description="A document's id")]
PassageIdPath = Annotated[int, Ge(1), Le(MAX_ID), Digits, Path(description="A passage's id")]
PersonIdPath = Annotated[int, Ge(1), Le(MAX_ID), Digits, Path(description="A person's id")]
JobIdPath = Annotated[int, Ge(1), Le(MAX_ID), Digits, Path(description="A job's id")]
DocumentIdQuery = Annotated[int | None, Ge(1), Le(MAX_ID), Digits, Query(description="Only passages of this document")]
PassageIdQuery = Annotated[int | None, Ge(1), Le(MAX_ID), Digits, Query(description="The cited passage to open at")]
Offset = Annotated[int, Ge(0), Le(MAX_ID), Digits, Query(description="Skip this many")]
Limit = Annotated[int, Ge(1), Le(1000), Digits, Query(description="At most this many")]


def form_number(value: str | None, name: str, low: int = 1, high: int = MAX_ID) -> int | None:
    """A number typed into a web form (empty → None); a clear 400 for anything but `low`…`high` in digits 0-9."""
    value = (value or "").strip()
    if not value:
        return None
    if not is_number(value) or not low <= int(value) <= high:
        raise InvalidInputError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)
