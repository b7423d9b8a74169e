"""People: the person records found in the documents, and their mentions."""

from dataclasses import asdict
from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Query

from api.auth import CallerDep
from api.deps import SessionDep
from api.params import Digits, PersonIdPath
from api.responses import NOT_FOUND
from api.schemas import PersonDetailPublic, PersonList, PersonPublic
from search.persons import find_persons, get_person

router = APIRouter(prefix="/persons", tags=["persons"])


@router.get("", response_model=PersonList)
def list_persons(
    session: SessionDep,
    caller: CallerDep,
    q: Annotated[str | None, Query(max_length=200, description="A name in any script; best match first")] = None,
    limit: Annotated[int, Ge(1), Le(500), Digits, Query(description="At most this many")] = 20,
) -> PersonList:
    """People the caller may know of: matching `q` (Cyrillic, Kazakh or any Latin spelling), or the most mentioned."""
    return PersonList(persons=[PersonPublic(**asdict(p)) for p in find_persons(session, q, limit, caller)])


@router.get("/{person_id}", response_model=PersonDetailPublic, responses=NOT_FOUND)
def person_detail(session: SessionDep, caller: CallerDep, person_id: PersonIdPath) -> PersonDetailPublic:
    """A person's names, the documents that mention them, and every such passage with its citation."""
    return PersonDetailPublic.of(get_person(session, person_id, caller))
