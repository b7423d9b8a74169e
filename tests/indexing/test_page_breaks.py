"""A sentence that runs on across a page break keeps its passage whole; the citation names the page range, offsets
stay exact and the page furniture between the pages stays out of what is embedded and indexed."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from archive.models import Document, Passage
from indexing.chunk import chunk_document
from indexing.furniture import strip_furniture
from tests.pdfs import extract, write_pdf

HEADER = "Monitoring Report on Political Prosecutions"
PAGES = (
    "The regional court heard the case of the blogger in March. Witnesses for the defence were not admitted. "
    "After a hearing that lasted less than an hour the court in Almaty sentenced the blogger",
    "to seven years in a penal colony for his posts about the strike. His lawyer said the verdict would be appealed.",
    "The appeal court upheld the verdict in May. Observers from three embassies attended the hearing.",
)
RUNS_ON = "the court in Almaty sentenced the blogger"


def _pdf(path):
    return write_pdf(path, tuple(f"{HEADER}\n{body}\nPage {n} of 3" for n, body in enumerate(PAGES, start=1)))


def test_a_sentence_across_a_page_break_stays_in_one_passage_with_a_page_range(tmp_path):
    extracted = extract(_pdf(tmp_path / "report.pdf"))
    chunks = chunk_document(extracted.text, strip_furniture(extracted.text, extracted.pages))
    [crossing] = [c for c in chunks if RUNS_ON in extracted.text[c.char_start : c.char_end]]
    assert (crossing.page, crossing.page_end) == (1, 2)
    passage = extracted.text[crossing.char_start : crossing.char_end]
    assert "seven years in a penal colony" in passage  # the sentence is whole
    assert "Page 1 of 3" in passage and HEADER in passage  # offsets exact: the stored text between the pages
    content = crossing.content(extracted.text)
    assert len(content) == len(passage)
    assert "Page 1 of 3" not in content and HEADER not in content  # the furniture is not embedded
    assert " ".join(content.split()).count("sentenced the blogger to seven years") == 1
    # A page that ends with a finished sentence is not carried on.
    assert all(c.page_end == c.page for c in chunks if c is not crossing)
    assert {page for c in chunks for page in range(c.page, c.page_end + 1)} == {1, 2, 3}


def test_a_passage_across_pages_is_cited_with_its_range_everywhere(fake_services, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    [outcome] = fake_services.ingestor.ingest([_pdf(folder / "report.pdf")])
    assert outcome.state.value == "indexed"
    with Session(fake_services.engine) as session:
        passages = session.exec(select(Passage).where(Passage.document_id == outcome.document_id)).all()
        text = session.get(Document, outcome.document_id).text
        [crossing] = [p for p in passages if RUNS_ON in p.text]
        assert (crossing.page_start, crossing.page_end) == (1, 2)
        assert crossing.text == text[crossing.char_start : crossing.char_end]
        [[start, end]] = json.loads(crossing.page_breaks)
        assert "Page 1 of 3" in crossing.text[start:end] and HEADER in crossing.text[start:end]
        # The furniture between the pages is not in the lexical index; the words of the passage are.
        fts = session.connection().exec_driver_sql
        assert fts("SELECT rowid FROM passage_fts WHERE passage_fts MATCH 'monitor'").all() == []
        assert (crossing.id,) in fts("SELECT rowid FROM passage_fts WHERE passage_fts MATCH 'coloni'").all()
    with TestClient(create_app(services=fake_services)) as client:
        citation = client.get(f"/passages/{crossing.id}").json()["citation"]
        assert citation == {"page": 1, "page_end": 2, "char_start": crossing.char_start, "char_end": crossing.char_end}
        single = client.get(f"/passages/{next(p.id for p in passages if p.page_start == 3)}").json()["citation"]
        assert single["page_end"] == 3
        assert (single["page"], single["page_end"]) == (3, 3)
        page = client.get("/", params={"q": "blogger sentenced to seven years in a penal colony"}).text
        assert "page 1–2" in page and "pp. 1–2" in page
