from fastapi import APIRouter

from api.deps import ServicesDep, SessionDep
from api.schemas import EmbedderInfo, Health
from archive import storage
from indexing.lexical import indexed_passages

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(services: ServicesDep, session: SessionDep) -> Health:
    """Counts of documents, passages, lexical rows and index vectors (equal when the archive is consistent)."""
    services.index.refresh()
    spec = services.embedder.spec
    passages = storage.passage_state(session).count
    vectors = len(services.index)
    lexical_rows = indexed_passages(session)
    return Health(
        status="ok" if passages == vectors and lexical_rows in (passages, None) else "degraded",
        documents=storage.count_documents(session),
        passages=passages,
        lexical_rows=lexical_rows,
        index_vectors=vectors,
        index_kind=services.index.index.kind,
        embedder=EmbedderInfo(backend=spec.backend, model=spec.model, dim=spec.dim),
    )
