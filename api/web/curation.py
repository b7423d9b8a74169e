"""Editors' corrections of person records, posted from the person page as plain forms that carry the editor's key.

A page cannot hold a key (the browser sends none with a form), so each form has a key field; the key is checked
exactly like an `Authorization` header (a refused key counts towards the limit), and the role must be editor or
admin, as for `POST /persons/{id}/not-a-person` and the other corrections in the API. Success answers with a
redirect back to the person page, which says what was done; an error with the error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from api.auth import caller_from_key, require_editor
from api.deps import ServicesDep
from api.links import path_for
from api.params import PersonIdPath
from archive.access import ANONYMOUS, Caller
from archive.db import session_scope
from search.person_curation import mark_a_person, mark_not_a_person, merge_persons
from search.persons import known_person, resolve_person

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form(max_length=200)]


def _editor(request: Request, services: ServicesDep, key: str) -> Caller:
    """The editor (or admin) whose key the form carries; 401 without a valid key, 403 for a lower role."""
    key = key.strip()
    return require_editor(caller_from_key(request, services, key) if key else ANONYMOUS)


def _back_to(request: Request, person_id: int, done: str) -> RedirectResponse:
    url = path_for(request, "person_page", person_id=person_id).include_query_params(done=done)
    return RedirectResponse(str(url), status_code=303)


def _judge(
    request: Request, services: ServicesDep, person_id: int, key: str, judge: Callable[[Session, int, str], object]
) -> None:
    """Apply one editor's verdict on a person record the editor may see."""
    caller = _editor(request, services, key)
    with session_scope(services.engine) as session:
        known_person(session, person_id, caller)
        judge(session, person_id, caller.actor)


@router.post("/people/{person_id}/not-a-person", response_class=HTMLResponse)
def judge_not_a_person_page(
    request: Request, services: ServicesDep, person_id: PersonIdPath, key: FormText = ""
) -> RedirectResponse:
    _judge(request, services, person_id, key, mark_not_a_person)
    return _back_to(request, person_id, "not-a-person")


@router.post("/people/{person_id}/is-a-person", response_class=HTMLResponse)
def judge_a_person_page(
    request: Request, services: ServicesDep, person_id: PersonIdPath, key: FormText = ""
) -> RedirectResponse:
    _judge(request, services, person_id, key, mark_a_person)
    return _back_to(request, person_id, "a-person")


@router.post("/people/{person_id}/merge", response_class=HTMLResponse)
def merge_person_page(
    request: Request, services: ServicesDep, person_id: PersonIdPath, into: FormText = "", key: FormText = ""
) -> RedirectResponse:
    caller = _editor(request, services, key)
    with session_scope(services.engine) as session:
        known_person(session, person_id, caller)
        keep_id = resolve_person(session, into, caller)
        merge_persons(session, keep_id, person_id, caller.actor)
    return _back_to(request, keep_id, "merged")
