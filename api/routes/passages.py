"""`GET /passages/{id}`: one passage with its citation."""

from fastapi import APIRouter

from api.auth import CallerDep
from api.deps import SessionDep
from api.params import PassageIdPath
from api.responses import NOT_FOUND
from api.schemas import Citation, DocumentRef, PassagePublic
from archive.access import readable_passage

router = APIRouter(prefix="/passages", tags=["passages"])


@router.get("/{passage_id}", response_model=PassagePublic, responses=NOT_FOUND)
def get_passage(session: SessionDep, caller: CallerDep, passage_id: PassageIdPath) -> PassagePublic:
    passage, document = readable_passage(session, caller, passage_id)
    return PassagePublic(
        id=passage.id,
        ordinal=passage.ordinal,
        text=passage.text,
        document=DocumentRef.of(document),
        citation=Citation.of(passage),
        ocr=passage.ocr,
    )
