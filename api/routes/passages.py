from fastapi import APIRouter

from api.deps import SessionDep
from api.params import PassageIdPath
from api.responses import NOT_FOUND
from api.schemas import Citation, DocumentRef, PassagePublic
from archive import storage

router = APIRouter(prefix="/passages", tags=["passages"])


@router.get("/{passage_id}", response_model=PassagePublic, responses=NOT_FOUND)
def get_passage(session: SessionDep, passage_id: PassageIdPath) -> PassagePublic:
    passage = storage.get_passage(session, passage_id)
    document = storage.get_document(session, passage.document_id)
    return PassagePublic(
        id=passage.id,
        ordinal=passage.ordinal,
        text=passage.text,
        document=DocumentRef.of(document),
        citation=Citation.of(passage),
        ocr=passage.ocr,
    )
