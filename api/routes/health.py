from fastapi import APIRouter

from api.deps import ServicesDep, SessionDep
from api.schemas import EmbedderInfo, Health
from archive import storage

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(services: ServicesDep, session: SessionDep) -> Health:
    """Counts of documents, passages and index vectors (they agree when the archive is consistent)."""
    services.index.refresh()
    spec = services.embedder.spec
    passages = storage.passage_state(session).count
    vectors = len(services.index)
    return Health(
        status="ok" if passages == vectors else "degraded",
        documents=storage.count_documents(session),
        passages=passages,
        index_vectors=vectors,
        index_kind=services.index.index.kind,
        embedder=EmbedderInfo(backend=spec.backend, model=spec.model, dim=spec.dim),
    )
