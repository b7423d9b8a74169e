"""Which pages a span of a passage lies on, and how a page range is written in a citation."""

from __future__ import annotations

import json

from archive.models import Passage


def pages_of(
    passage: Passage, char_start: int | None = None, char_end: int | None = None
) -> tuple[int | None, int | None]:
    """(first page, last page) of the document span [char_start, char_end) inside the passage (all of it by default).

    A passage that a sentence carries across page breaks records them (`Passage.page_breaks`); each break passed
    is one page further."""
    first = passage.page_start
    if first is None:
        return None, None
    start = passage.char_start if char_start is None else char_start
    end = passage.char_end if char_end is None else char_end
    breaks = [(passage.char_start + s, passage.char_start + e) for s, e in json.loads(passage.page_breaks or "[]")]
    if not breaks:
        return first, passage.page_end if passage.page_end is not None else first
    return first + sum(e <= start for _, e in breaks), first + sum(s < end for s, _ in breaks)


def page_label(first: int | None, last: int | None) -> str | None:
    """ "12", or "12–13" for a span across a page break; None for plain text."""
    if first is None:
        return None
    return str(first) if last is None or last == first else f"{first}–{last}"
