"""Checks of what a caller asks for, shared by search and the quote check (domain errors, translated in api/)."""

from __future__ import annotations

from archive.errors import InvalidInputError


def require_text(text: str, what: str, max_chars: int) -> str:
    """`text` without surrounding white space; an error naming `what` when it is empty or too long."""
    text = text.strip()
    if not text:
        raise InvalidInputError(f"the {what} is empty")
    if len(text) > max_chars:
        raise InvalidInputError(f"the {what} is longer than {max_chars} characters")
    return text


def require_count(k: int, most: int) -> None:
    if not 1 <= k <= most:
        raise InvalidInputError(f"k must be between 1 and {most}")


def require_offset(offset: int, most: int) -> None:
    if not 0 <= offset <= most:
        raise InvalidInputError(f"offset must be between 0 and {most}")
