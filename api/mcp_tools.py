"""The archive as tools for an AI assistant (Model Context Protocol): search, quote check, passages, people, documents.

Every call runs as the key the assistant was given (`Authorization: Bearer` on HTTP, `ARCHIVE_API_KEY` on stdio)
through the same access decision as the HTTP API (archive.access): the assistant never sees more than its user, and
reads of restricted documents are recorded in the audit trail as the API records them. The tools call the same
services and shape their answers with the same schemas as the API, plus a `link` to the passage in the reading view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field
from sqlmodel import Session, col, select

from api.citation import passage_link
from api.routes.documents import passage_counts
from api.schemas import (
    Citation,
    DocumentPublic,
    DocumentRef,
    QuoteCheckResponse,
    SearchResponse,
)
from api.services import Services
from archive import storage
from archive.access import Caller, readable_passage, visible_condition
from archive.errors import ArchiveError
from archive.ids import MAX_ID
from archive.models import Passage, row_id
from language.scripts import Language
from search.filters import SearchFilters
from search.persons import find_persons, get_person
from search.quotes import MAX_MATCHES, MAX_QUOTE_CHARS
from search.request import SearchRequest
from search.searcher import MAX_QUERY_CHARS

NAME = "rights-archive"
MAX_TOOL_K = 20
MAX_NEIGHBOURS = 3
INSTRUCTIONS = """\
A multilingual archive of human-rights documentation (news, NGO reports, court documents) about political \
prosecutions in Kazakhstan, in English, Russian and Kazakh. You see only what the key you were given may read.

Every passage this server returns is an exact quote: its `text` is the document's text from `char_start` to \
`char_end`. Quote it word for word and cite it as: "text" - document title, publisher, published date, p. page \
(when given), with the `link`. Never present your own paraphrase as a quote.

Start with `search` (a question or names, in any of the three languages; results in every language come back). \
Use `get_passage` to read what surrounds a result before drawing conclusions from it, `check_quote` to verify a \
quotation someone attributes to a source before repeating it, `find_person` to find a person under every spelling \
(Cyrillic, Kazakh, Latin) and the passages that mention them, and `list_documents` to see what the archive holds."""


@dataclass(frozen=True)
class Invocation:
    """What a tool call runs with: the archive's services, who asks, and where links point."""

    services: Services
    caller: Caller
    base_url: str


Resolver = Callable[[Context], Invocation]


@contextmanager
def _answering(invocation: Invocation) -> Iterator[Session]:
    """A database session for one call; the archive's domain errors reach the model as the tool's error message."""
    try:
        with Session(invocation.services.engine) as session:
            yield session
    except ArchiveError as error:
        raise ToolError(str(error)) from None


def _with_link(result: dict[str, Any], base_url: str) -> dict[str, Any]:
    return {**result, "link": passage_link(base_url, result["document"]["id"], result["passage_id"])}


def _passage(passage: Passage, document_ref: DocumentRef, base_url: str) -> dict[str, Any]:
    return {
        "passage_id": row_id(passage),
        "ordinal": passage.ordinal,
        "text": passage.text,
        "document": document_ref.model_dump(),
        "citation": Citation.of(passage).model_dump(),
        "link": passage_link(base_url, document_ref.id, row_id(passage)),
    }


READ_ONLY = ToolAnnotations(readOnlyHint=True, openWorldHint=False)


def build_server(resolve: Resolver) -> MCPServer:
    """The archive's MCP server; `resolve` tells each call's services, caller and link base (per transport)."""
    server: MCPServer = MCPServer(NAME, title="Rights archive", instructions=INSTRUCTIONS, version="0.1.0")

    @server.tool(annotations=READ_ONLY)
    def search(
        ctx: Context,
        query: Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_QUERY_CHARS,
                description="A question or words in English, Russian or Kazakh; names in any script",
            ),
        ],
        k: Annotated[int, Field(ge=1, le=MAX_TOOL_K, description="How many passages to return")] = 5,
        document_id: Annotated[int | None, Field(ge=1, le=MAX_ID, description="Only this document")] = None,
        person: Annotated[
            str | None, Field(max_length=200, description="Only passages that mention this person (name or id)")
        ] = None,
        language: Annotated[Language | None, Field(description="Only passages in this language")] = None,
        published_from: Annotated[
            date | None, Field(description="Only documents dated on or after (YYYY-MM-DD)")
        ] = None,
        published_to: Annotated[
            date | None, Field(description="Only documents dated on or before (YYYY-MM-DD)")
        ] = None,
        kind: Annotated[str | None, Field(max_length=100, description="Only documents of this kind")] = None,
    ) -> dict[str, Any]:
        """Search the archive by meaning and words; answers the passages that best answer the query, best first.

        Each result is an exact quote with its citation: `text` (== the document's text[char_start:char_end]),
        `document` (id, title, publisher, published, language), `citation` (page, page_end, char_start,
        char_end), `persons` it mentions, `highlight` (the answering sentence as offsets inside `text`), `score`
        and `link` (the passage in the reading view). An empty `results` with a `notice` means nothing in the
        archive answers the query well: say so rather than guess. `total` counts all matching results."""
        invocation = resolve(ctx)
        with _answering(invocation):
            asked = SearchRequest.parse(  # a bad filter (from after to) is the tool's error message too
                {
                    "q": query,
                    "k": k,
                    "document_id": document_id,
                    "person": person,
                    "language": language,
                    "published_from": published_from,
                    "published_to": published_to,
                    "kind": kind,
                }
            )
            page = asked.run(invocation.services.searcher, invocation.caller)
        answer = SearchResponse.of_page(asked.q, page, base_url=invocation.base_url).model_dump(mode="json")
        answer["results"] = [_with_link(r, invocation.base_url) for r in answer["results"]]
        return answer

    @server.tool(annotations=READ_ONLY)
    def check_quote(
        ctx: Context,
        quote: Annotated[
            str, Field(min_length=1, max_length=MAX_QUOTE_CHARS, description="The quotation to verify, any language")
        ],
        k: Annotated[int, Field(ge=1, le=MAX_MATCHES, description="At most this many matches")] = 3,
    ) -> dict[str, Any]:
        """Verify a quotation against the archive: where it is said, in which exact words, and what differs.

        Each match has a `verdict`: exact, cosmetic (only case or punctuation differ), altered (words or numbers
        changed: see `diff`), truncated (a qualifying part was left out: `original` is the full sentence),
        translation (said in another language) or paraphrase (same meaning, other words); `original` is the
        archive's wording (== the document's text[char_start:char_end]), with `document`, `citation` and `link`.
        An empty `matches` means the archive does not contain anything like the quote."""
        invocation = resolve(ctx)
        with _answering(invocation):
            found = invocation.services.quotes.check(quote, k=k, filters=SearchFilters(caller=invocation.caller))
        answer = QuoteCheckResponse.of(quote, found).model_dump(mode="json")
        answer["matches"] = [_with_link(m, invocation.base_url) for m in answer["matches"]]
        return answer

    @server.tool(annotations=READ_ONLY)
    def get_passage(
        ctx: Context,
        passage_id: Annotated[int, Field(ge=1, le=MAX_ID, description="A passage id from another tool's answer")],
        neighbours: Annotated[
            int, Field(ge=0, le=MAX_NEIGHBOURS, description="How many passages before and after to include")
        ] = 1,
    ) -> dict[str, Any]:
        """One passage with its citation and the passages around it in the same document, to read a result in
        context. `before` and `after` are in reading order; neighbouring passages overlap by a sentence. Every
        `text` is exact: the document's text[char_start:char_end]."""
        invocation = resolve(ctx)
        with _answering(invocation) as session:
            passage, document = readable_passage(session, invocation.caller, passage_id)
            around = session.exec(
                select(Passage)
                .where(
                    Passage.document_id == passage.document_id,
                    col(Passage.ordinal) >= passage.ordinal - neighbours,
                    col(Passage.ordinal) <= passage.ordinal + neighbours,
                    col(Passage.id) != passage.id,
                )
                .order_by(col(Passage.ordinal))
            ).all()
            ref = DocumentRef.of(document)
            return {
                "passage": {**_passage(passage, ref, invocation.base_url), "ocr": passage.ocr},
                "before": [_passage(p, ref, invocation.base_url) for p in around if p.ordinal < passage.ordinal],
                "after": [_passage(p, ref, invocation.base_url) for p in around if p.ordinal > passage.ordinal],
            }

    @server.tool(annotations=READ_ONLY)
    def find_person(
        ctx: Context,
        name: Annotated[
            str,
            Field(
                min_length=1,
                max_length=200,
                description="A name in any script or spelling (Cyrillic, Kazakh, Latin), e.g. Тулетаева or Tuletayeva",
            ),
        ],
        limit: Annotated[int, Field(ge=1, le=20, description="At most this many people")] = 5,
        passages: Annotated[int, Field(ge=0, le=20, description="Cited passages to include per person")] = 3,
    ) -> dict[str, Any]:
        """People in the archive whose name matches, best first, across scripts and transliterations: each with
        `id`, `name`, `aliases` (every spelling found), `mentions` (passages that name them), `link` (their page)
        and up to `passages` cited passages that mention them (exact `text` with `document`, `citation` and
        `link`). Use a person's id or name as the `person` filter of `search`."""
        invocation = resolve(ctx)
        people = []
        with _answering(invocation) as session:
            for summary in find_persons(session, name, limit, invocation.caller):
                detail = get_person(session, summary.id, invocation.caller) if passages else None
                shown = detail.passages[:passages] if detail else []
                people.append(
                    {
                        "id": summary.id,
                        "name": summary.name,
                        "aliases": summary.aliases,
                        "mentions": summary.mentions,
                        "link": f"{invocation.base_url}/people/{summary.id}",
                        "passages": [_passage(p, DocumentRef.of(d), invocation.base_url) for p, d in shown],
                    }
                )
        return {"query": name, "persons": people}

    @server.tool(annotations=READ_ONLY)
    def list_documents(
        ctx: Context,
        offset: Annotated[int, Field(ge=0, le=MAX_ID, description="Skip this many (paging)")] = 0,
        limit: Annotated[int, Field(ge=1, le=100, description="At most this many")] = 20,
    ) -> dict[str, Any]:
        """The documents the archive holds (those your key may read), oldest first: title, publisher, published
        date, language, kind, authors, source url, page count, passages and `link` to read it; `total` counts
        them all (page with `offset`)."""
        invocation = resolve(ctx)
        with _answering(invocation) as session:
            visible = visible_condition(invocation.caller)
            documents = storage.list_documents(session, offset, limit, visible)
            counts = passage_counts(session, [row_id(d) for d in documents])
            listed = [
                {
                    **DocumentPublic.of_with_count(d, counts.get(row_id(d), 0)).model_dump(mode="json"),
                    "link": f"{invocation.base_url}/read/{row_id(d)}",
                }
                for d in documents
            ]
            return {"documents": listed, "total": storage.count_documents(session, visible), "offset": offset}

    return server
