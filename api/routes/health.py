"""`GET /health`: whether the archive answers, and how many documents, passages and vectors it holds."""

from fastapi import APIRouter

from api.auth import CallerDep
from api.deps import ServicesDep, SessionDep
from api.schemas import EmbedderInfo, Health
from archive import storage
from archive.access import VISIBLE_PASSAGES, visible_condition
from indexing.lexical_index import indexed_passages

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(services: ServicesDep, session: SessionDep, caller: CallerDep) -> Health:
    """Counts of the documents and passages the caller may read; lexical rows and index vectors (equal to the
    passages when the archive is consistent) only for a caller who may read every document."""
    services.index.refresh(force=True)  # the counts as they are now, not as of the last second
    spec = services.embedder.spec
    passages = storage.passage_state(session).count
    vectors = len(services.index)
    lexical_rows = indexed_passages(session)
    allowed = VISIBLE_PASSAGES.allowed(session, caller)
    sees_all = allowed is None
    return Health(
        status="ok" if passages == vectors and lexical_rows in (passages, None) else "degraded",
        documents=storage.count_documents(session, visible_condition(caller)),
        passages=passages if allowed is None else int(allowed.size),
        lexical_rows=lexical_rows if sees_all else None,
        index_vectors=vectors if sees_all else None,
        index_kind=services.index.index.kind,
        embedder=EmbedderInfo(backend=spec.backend, model=spec.model, dim=spec.dim),
    )
