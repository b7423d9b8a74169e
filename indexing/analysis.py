"""What the lexical index stores for a passage: the stems of its words (language.words).

SQLite calls `index_terms` from the FTS triggers (archive.db); queries are read by the same rules, so a word and
its inflected forms meet.
"""

from __future__ import annotations

import json

from indexing.text_pieces import blank_spans
from language.letters import join_hyphenation
from language.words import stems


def index_terms(text: str | None, page_breaks: str | None = None) -> str:
    """A passage's stems (words broken at a line end joined), space separated.

    `page_breaks` (JSON [[start, end], ...] relative to the text) are left out: page furniture between the pages
    a passage runs across."""
    if page_breaks:
        text = blank_spans(text or "", [(int(start), int(end)) for start, end in json.loads(page_breaks)])
    return " ".join(stems(join_hyphenation(text or "")))
