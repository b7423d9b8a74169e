"""People: the person records found in the documents, their mentions, and editors' corrections of them."""

from dataclasses import asdict
from typing import Annotated, Literal

from annotated_types import Ge, Le
from fastapi import APIRouter, Query
from sqlmodel import Session

from api.auth import CallerDep, EditorCallerDep
from api.deps import SessionDep
from api.params import Digits, Offset, PersonIdPath
from api.responses import EDITOR, NOT_FOUND, responses
from api.schemas import PersonDetailPublic, PersonJudgement, PersonList, PersonMerge, PersonPublic
from archive.access import Caller
from search.person_curation import mark_a_person, mark_not_a_person, merge_persons
from search.persons import get_person, known_person, list_persons

router = APIRouter(prefix="/persons", tags=["persons"])
EDITS = {**EDITOR, **NOT_FOUND, **responses(400)}


@router.get("", response_model=PersonList)
def list_people(
    session: SessionDep,
    caller: CallerDep,
    q: Annotated[str | None, Query(max_length=200, description="A name in any script; best match first")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Ge(1), Le(500), Digits, Query(description="At most this many")] = 20,
    sort: Annotated[
        Literal["mentions", "name"] | None,
        Query(description="Most mentioned first, or by name; default: best match with `q`, else most mentioned"),
    ] = None,
) -> PersonList:
    """People the caller may know of: matching `q` (Cyrillic, Kazakh or any Latin spelling), or everyone; a page
    from `offset`, and `total`, the size of the whole list (the same for every page)."""
    page = list_persons(session, q, offset=offset, limit=limit, sort=sort, caller=caller)
    return PersonList(total=page.total, offset=page.offset, persons=[PersonPublic(**asdict(p)) for p in page.persons])


@router.get("/{person_id}", response_model=PersonDetailPublic, responses=NOT_FOUND)
def person_detail(session: SessionDep, caller: CallerDep, person_id: PersonIdPath) -> PersonDetailPublic:
    """A person's names, the documents that mention them, and every such passage with its citation (also for a
    record an editor judged not a person: `not_a_person` says so)."""
    return PersonDetailPublic.of(get_person(session, person_id, caller))


def _judged(session: Session, caller: Caller, person_id: int, not_a_person: bool) -> PersonJudgement:
    known_person(session, person_id, caller)
    judge = mark_not_a_person if not_a_person else mark_a_person
    name = judge(session, person_id, caller.actor)
    session.commit()
    return PersonJudgement(id=person_id, name=name, not_a_person=not_a_person)


@router.post("/{person_id}/not-a-person", response_model=PersonJudgement, responses=EDITS)
def judge_not_a_person(session: SessionDep, caller: EditorCallerDep, person_id: PersonIdPath) -> PersonJudgement:
    """Judge a record not a person (an organisation, place or club taken for one), editor or admin: it leaves the
    people list, the person filter, person search and passages' tags, and its names make no person in any later
    ingest. Undo with `DELETE`."""
    return _judged(session, caller, person_id, not_a_person=True)


@router.delete("/{person_id}/not-a-person", response_model=PersonJudgement, responses=EDITS)
def judge_a_person(session: SessionDep, caller: EditorCallerDep, person_id: PersonIdPath) -> PersonJudgement:
    """Undo "not a person" (editor or admin): the record is a person again, with every mention it gathered."""
    return _judged(session, caller, person_id, not_a_person=False)


@router.post("/{person_id}/merge", response_model=PersonPublic, responses=EDITS)
def merge_person(
    session: SessionDep, caller: EditorCallerDep, person_id: PersonIdPath, merge: PersonMerge
) -> PersonPublic:
    """Fold this record into the person `into` (editor or admin): names and mentions move there, this record goes,
    and its names resolve to `into` in every later ingest. Answers with the person kept."""
    known_person(session, person_id, caller)
    known_person(session, merge.into, caller)
    merge_persons(session, merge.into, person_id, caller.actor)
    session.commit()
    return PersonPublic(**asdict(get_person(session, merge.into, caller).summary))
