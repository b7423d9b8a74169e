"""The JSON shapes of the HTTP API (and of `archive search --json`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from archive.models import Document, Passage
from search.searcher import SearchHit


class DocumentRef(BaseModel):
    id: int
    title: str
    source: str
    publisher: str | None
    published: date | None
    language: str | None

    @classmethod
    def of(cls, document: Document) -> DocumentRef:
        return cls(
            id=document.id,
            title=document.title,
            source=document.source,
            publisher=document.publisher,
            published=document.published,
            language=document.language,
        )


class DocumentPublic(DocumentRef):
    kind: str | None
    page_count: int | None
    sha256: str
    created_at: datetime
    passages: int

    @classmethod
    def of_with_count(cls, document: Document, passages: int) -> DocumentPublic:
        return cls(
            **DocumentRef.of(document).model_dump(),
            kind=document.kind,
            page_count=document.page_count,
            sha256=document.sha256,
            created_at=document.created_at,
            passages=passages,
        )


class DocumentList(BaseModel):
    documents: list[DocumentPublic]
    total: int


class DocumentText(BaseModel):
    text: str


class Citation(BaseModel):
    page: int | None  # 1-based; null for plain text
    char_start: int
    char_end: int

    @classmethod
    def of(cls, passage: Passage) -> Citation:
        return cls(page=passage.page_start, char_start=passage.char_start, char_end=passage.char_end)


class PersonRef(BaseModel):
    id: int
    name: str


class PassagePublic(BaseModel):
    id: int
    ordinal: int
    text: str
    document: DocumentRef
    citation: Citation
    ocr: bool


class SearchResult(BaseModel):
    rank: int
    score: float
    passage_id: int
    text: str
    document: DocumentRef
    citation: Citation
    persons: list[PersonRef]

    @classmethod
    def of(cls, hit: SearchHit) -> SearchResult:
        return cls(
            rank=hit.rank,
            score=round(hit.score, 6),
            passage_id=hit.passage.id,
            text=hit.passage.text,
            document=DocumentRef.of(hit.document),
            citation=Citation.of(hit.passage),
            persons=[PersonRef(id=p.id, name=p.name) for p in hit.persons],
        )


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]

    @classmethod
    def of(cls, query: str, hits: list[SearchHit]) -> SearchResponse:
        return cls(query=query, results=[SearchResult.of(hit) for hit in hits])


class EmbedderInfo(BaseModel):
    backend: str
    model: str
    dim: int


class Health(BaseModel):
    status: str
    documents: int
    passages: int
    index_vectors: int
    index_kind: str
    embedder: EmbedderInfo
