from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func
from sqlmodel import col, select

from api.deps import SessionDep
from api.schemas import DocumentList, DocumentPublic, DocumentText
from archive import storage
from archive.models import Passage

router = APIRouter(prefix="/documents", tags=["documents"])


def _passage_counts(session: SessionDep, document_ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(Passage.document_id, func.count(col(Passage.id)))
        .where(col(Passage.document_id).in_(document_ids))
        .group_by(Passage.document_id)
    ).all()
    return dict(rows)


@router.get("", response_model=DocumentList)
def list_documents(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DocumentList:
    """The archive's documents, oldest first."""
    documents = storage.list_documents(session, offset, limit)
    counts = _passage_counts(session, [d.id for d in documents])
    return DocumentList(
        documents=[DocumentPublic.of_with_count(d, counts.get(d.id, 0)) for d in documents],
        total=storage.count_documents(session),
    )


@router.get("/{document_id}", response_model=DocumentPublic)
def get_document(session: SessionDep, document_id: int) -> DocumentPublic:
    document = storage.get_document(session, document_id)
    return DocumentPublic.of_with_count(document, _passage_counts(session, [document_id]).get(document_id, 0))


@router.get("/{document_id}/text", response_model=DocumentText)
def get_document_text(session: SessionDep, document_id: int) -> DocumentText:
    """The canonical text every citation's character offsets point into."""
    return DocumentText(text=storage.get_document(session, document_id).text)
