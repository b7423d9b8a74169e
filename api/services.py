"""The archive's working parts, wired together once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from archive.db import make_engine
from archive.settings import Settings
from indexing.embed import Embedder, create_embedder
from indexing.index_store import IndexStore
from indexing.pipeline import Ingestor
from search.alerts import check_saved_searches
from search.language_balance import ArchiveLanguages
from search.quotes import QuoteChecker
from search.searcher import Searcher


@dataclass
class Services:
    settings: Settings
    engine: Engine
    embedder: Embedder
    index: IndexStore
    searcher: Searcher
    ingestor: Ingestor
    quotes: QuoteChecker

    @classmethod
    def open(cls, settings: Settings, *, embedder: Embedder | None = None, check_index: bool = True) -> Services:
        """Connect to the database, load the embedder and bring the vector index in step with the database."""
        engine = make_engine(settings)  # also adds the columns of newer versions to an existing database
        embedder = embedder or create_embedder(settings)
        index = IndexStore(engine, settings, embedder.spec)
        languages = ArchiveLanguages(engine, embedder.spec.dim)  # one estimate per archive, for search and quotes
        if check_index:
            index.open()
        searcher = Searcher(engine, embedder, index, languages)
        ingestor = Ingestor(engine, embedder, index, settings)
        ingestor.after_batch.append(lambda: check_saved_searches(engine, searcher, settings.alert_min_score))
        return cls(
            settings=settings,
            engine=engine,
            embedder=embedder,
            index=index,
            searcher=searcher,
            ingestor=ingestor,
            quotes=QuoteChecker(engine, embedder, index, languages),
        )

    def close(self) -> None:
        """Release the database; the index file is the writer's, saved at the end of each ingest batch."""
        self.engine.dispose()
