"""Row ids as users write them: ASCII digits for a whole number from 1 to SQLite's largest integer."""

from pydantic import BeforeValidator

MAX_ID = 2**63 - 1  # SQLite's INTEGER (and PostgreSQL's BIGINT) range; a larger id would overflow the driver


def is_number(text: str) -> bool:
    """Whether `text` is written with the digits 0-9 only (no sign, no space, no other script's digits: `³`, `٣`)."""
    return text.isascii() and text.isdigit()


def parse_id(text: str) -> int | None:
    """The row id `text` names, or None when it is not 1…MAX_ID written with the digits 0-9."""
    if not is_number(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def in_range(row_id: int) -> bool:
    """Whether a row with this id can exist (asking the database for a larger one overflows)."""
    return 1 <= row_id <= MAX_ID


def _ascii_digits(value: object) -> object:
    if isinstance(value, str) and not is_number(value):
        raise ValueError("must be a whole number written with the digits 0-9")
    return value


# For a pydantic field: a number given as text must be written with the digits 0-9 (`³`, `٣`, `+5` or `5_0` are
# refused, never a 500). Put it after the bounds, so that they are written as minimum/maximum into a schema.
Digits = BeforeValidator(_ascii_digits)
