"""A person's timeline: the dates stated in the passages that mention them, and the dates of those documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from archive.models import Document, Passage, row_id
from indexing.chunk import sentence_spans
from indexing.dates import StatedDate, find_dates, period


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event: the date, the sentence that states it (offsets into the document text), its source.

    An entry for a document's own date has `passage` None and the document's title as its text.
    """

    date: StatedDate
    document: Document
    passage: Passage | None
    char_start: int  # the sentence (or, for a document's date, nothing: start == end)
    char_end: int
    date_start: int  # the words that state the date, inside the sentence's span
    date_end: int

    @property
    def text(self) -> str:
        return self.document.text[self.char_start : self.char_end] if self.passage else self.document.title


def timeline(passages: Sequence[tuple[Passage, Document]]) -> list[TimelineEntry]:
    """Every date stated in the passages (with its sentence), and each document's date, oldest first.

    The same date stated by the same sentence twice (a passage overlapping the next) is listed once.
    """
    entries: dict[tuple, TimelineEntry] = {}
    documents: dict[int, Document] = {}
    for passage, document in passages:
        documents[row_id(document)] = document
        sentences = sentence_spans(passage.text)
        for mention in find_dates(passage.text):
            start, end = next(
                ((s, e) for s, e in sentences if s <= mention.char_start < e), (mention.char_start, mention.char_end)
            )
            base = passage.char_start
            key = (document.id, base + start, mention.date)
            entries.setdefault(
                key,
                TimelineEntry(
                    mention.date,
                    document,
                    passage,
                    base + start,
                    base + end,
                    base + mention.char_start,
                    base + mention.char_end,
                ),
            )
    for document in documents.values():
        stated = period(document.published, document.published_end)
        if stated is not None:
            entries[(document.id, None, stated)] = TimelineEntry(stated, document, None, 0, 0, 0, 0)
    return sorted(entries.values(), key=lambda e: (e.date.start, e.date.end, e.document.id, e.char_start))


def newest_first(documents: Sequence[Document]) -> list[Document]:
    """Documents by their stated date, the newest first; undated ones after them, in archive order."""
    return sorted(documents, key=lambda d: (d.published is None, -(d.published or date.min).toordinal(), d.id or 0))
