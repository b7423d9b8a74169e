"""The ingest pipeline: file → job → extract → chunk → embed → one transaction → vector index.

Every file submitted ends as an `IngestJob` in state indexed, duplicate or failed (with a reason a person
understands). The database commit is the moment a document exists; the vector index follows it and is brought
back in step from stored embeddings if the process dies in between.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from archive import storage
from archive.db import session_scope
from archive.errors import ArchiveError, ExtractionError
from archive.models import Document, IngestJob, JobState, Passage, utcnow
from archive.settings import Settings
from indexing.chunk import Chunk, chunk_document, embedding_text
from indexing.embed import Embedder, content_hash
from indexing.extract import SUPPORTED_SUFFIXES, ExtractedText, ExtractionLimits, extract
from indexing.index_store import IndexStore, check_embedder, record_embedder
from indexing.language import guess_language
from indexing.manifest import DocumentMetadata, metadata_for, title_from_text

import numpy as np


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one submitted file."""

    path: str
    state: JobState
    reason: str | None = None
    document_id: int | None = None
    passages: int = 0


ProgressCallback = Callable[[IngestOutcome], None]


def collect_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to ingest: named files as given, folders searched recursively for supported types."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            yield path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Ingestor:
    """Turns files into documents, passages and vectors."""

    def __init__(self, engine: Engine, embedder: Embedder, index_store: IndexStore, settings: Settings) -> None:
        self._engine = engine
        self._embedder = embedder
        self._index = index_store
        self._limits = ExtractionLimits(
            timeout_s=settings.pdf_timeout_s, memory_mb=settings.pdf_memory_mb, max_pages=settings.pdf_max_pages
        )

    def ingest(self, paths: Sequence[Path], on_progress: ProgressCallback | None = None) -> list[IngestOutcome]:
        """Ingest files one by one; a bad file is recorded as failed and never stops the batch."""
        with Session(self._engine) as session:
            check_embedder(session, self._embedder.spec)
        outcomes = []
        try:
            for path in paths:
                outcome = self.ingest_file(path)
                outcomes.append(outcome)
                if on_progress:
                    on_progress(outcome)
        finally:
            self._index.save()
        return outcomes

    def ingest_file(self, path: Path) -> IngestOutcome:
        try:
            sha256 = file_sha256(path)
        except OSError as error:
            return IngestOutcome(str(path), JobState.failed, f"cannot read the file: {error.strerror}")
        job_id = self._open_job(path, sha256)
        try:
            return self._process(job_id, path, sha256)
        except ArchiveError as error:
            return self._finish_job(job_id, path, JobState.failed, reason=str(error))

    # ------------------------------------------------------------------ stages
    def _process(self, job_id: int, path: Path, sha256: str) -> IngestOutcome:
        with session_scope(self._engine) as session:
            existing = storage.find_document_by_sha256(session, sha256)
        if existing is not None:
            return self._finish_job(job_id, path, JobState.duplicate, document_id=existing.id,
                                    reason=f"same file as document {existing.id} ({existing.source})")
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ExtractionError(
                f"unsupported file type {path.suffix or '(none)'} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
            )
        extracted = extract(path, self._limits)
        chunks = chunk_document(extracted.text, extracted.pages)
        if not chunks:
            raise ExtractionError("no text could be extracted")
        metadata = metadata_for(path)
        document = _new_document(path, sha256, extracted, metadata)
        embedded_texts = [embedding_text(document.title, extracted.text[c.char_start : c.char_end]) for c in chunks]
        vectors, hashes = self._embed(embedded_texts)
        try:
            with session_scope(self._engine) as session:
                session.add(document)
                session.flush()
                passages = _new_passages(document, chunks, hashes, vectors)
                session.add_all(passages)
                session.flush()
                record_embedder(session, self._embedder.spec)
                self._close_job(session, job_id, JobState.indexed, document_id=document.id)
                ids = np.array([p.id for p in passages], dtype=np.int64)
        except IntegrityError:  # the same file was committed meanwhile by another writer
            with session_scope(self._engine) as session:
                existing = storage.find_document_by_sha256(session, sha256)
            return self._finish_job(job_id, path, JobState.duplicate, document_id=existing.id if existing else None,
                                    reason="same file was indexed meanwhile")
        self._index.add(ids, vectors)
        return IngestOutcome(str(path), JobState.indexed, document_id=document.id, passages=len(passages))

    def _embed(self, texts: list[str]) -> tuple[np.ndarray, list[str]]:
        """Vectors for the texts, embedding only those never embedded before (by content hash)."""
        spec = self._embedder.spec
        hashes = [content_hash(spec, text) for text in texts]
        with Session(self._engine) as session:
            known = storage.embeddings_by_hash(session, hashes)
        todo = {h: t for h, t in zip(hashes, texts) if h not in known}
        if todo:
            fresh = self._embedder.embed_passages(list(todo.values()))
            known.update({h: storage.vector_to_bytes(v) for h, v in zip(todo, fresh)})
        vectors = storage.bytes_to_vectors([known[h] for h in hashes], spec.dim)
        return vectors, hashes

    # ------------------------------------------------------------------ jobs
    def _open_job(self, path: Path, sha256: str) -> int:
        with session_scope(self._engine) as session:
            job = IngestJob(sha256=sha256, filename=path.name, stored_path=str(path), state=JobState.running, attempts=1)
            session.add(job)
            session.flush()
            return job.id

    def _close_job(self, session: Session, job_id: int, state: JobState, *, reason: str | None = None,
                   document_id: int | None = None) -> None:
        job = session.get(IngestJob, job_id)
        job.state, job.reason, job.document_id, job.updated_at = state, reason, document_id, utcnow()
        session.add(job)

    def _finish_job(self, job_id: int, path: Path, state: JobState, *, reason: str | None = None,
                    document_id: int | None = None) -> IngestOutcome:
        with session_scope(self._engine) as session:
            self._close_job(session, job_id, state, reason=reason, document_id=document_id)
        return IngestOutcome(str(path), state, reason, document_id)


def _new_document(path: Path, sha256: str, extracted: ExtractedText, metadata: DocumentMetadata) -> Document:
    title = metadata.title or extracted.title_hint or title_from_text(extracted.text) or path.name
    return Document(
        sha256=sha256,
        source=path.name,
        title=title,
        publisher=metadata.publisher,
        published=metadata.published,
        language=metadata.language or guess_language(extracted.text),
        kind=metadata.kind,
        page_count=len(extracted.pages) or None,
        text=extracted.text,
    )


def _new_passages(document: Document, chunks: list[Chunk], hashes: list[str], vectors: np.ndarray) -> list[Passage]:
    return [
        Passage(
            document_id=document.id,
            ordinal=ordinal,
            char_start=chunk.char_start,
            char_end=chunk.char_end,
            page_start=chunk.page,
            page_end=chunk.page,
            text=document.text[chunk.char_start : chunk.char_end],
            heading=chunk.heading,
            ocr=chunk.ocr,
            content_hash=content_hash_,
            embedding=storage.vector_to_bytes(vector),
        )
        for ordinal, (chunk, content_hash_, vector) in enumerate(zip(chunks, hashes, vectors))
    ]
