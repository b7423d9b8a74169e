"""Documents: upload, list, read, edit, delete and the original file."""

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.auth import CallerDep, EditorCallerDep
from api.deps import ServicesDep, SessionDep
from api.params import DocumentIdPath, Limit, Offset
from api.responses import EDITOR, NOT_FOUND, responses
from api.schemas import (
    AccessChange,
    AttachmentPublic,
    DocumentAccess,
    DocumentDetail,
    DocumentList,
    DocumentPublic,
    DocumentRef,
    DocumentText,
    JobAccepted,
)
from api.services import Services
from archive import audit, storage
from archive.access import (
    Caller,
    Submission,
    Visibility,
    can_read,
    clean_groups,
    document_groups,
    parse_visibility,
    readable_document,
    set_visibility,
    visible_condition,
)
from archive.errors import InvalidInputError
from archive.ids import is_number
from archive.models import Document, Passage, row_id
from indexing.jobs import UploadTooLarge, attachment_jobs, container_document_ids, original_file
from indexing.manifest import DESCRIBED_FIELDS, parse_entry

router = APIRouter(prefix="/documents", tags=["documents"])

MULTIPART_OVERHEAD = 64 * 1024  # headers and boundaries around the file in a multipart body
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "a file the archive reads"},
                        "visibility": {
                            "type": "string",
                            "enum": [v.value for v in Visibility],
                            "description": "Who may read the document (default: ARCHIVE_DEFAULT_VISIBILITY)",
                        },
                        "group": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Groups whose members may read it when restricted (repeat the field)",
                        },
                        "title": {"type": "string", "description": "The document's title (else found in the file)"},
                        "publisher": {"type": "string"},
                        "published": {
                            "type": "string",
                            "description": "ISO 8601 as precise as the source: 2021-05-05, 2021-05, 2021 or START/END",
                        },
                        "kind": {"type": "string", "description": "news article, NGO report, ..."},
                        "language": {"type": "string", "enum": ["en", "ru", "kk"]},
                    },
                }
            }
        },
    }
}


def _too_large(limit_mb: int) -> HTTPException:
    return HTTPException(413, f"the file is larger than the upload limit of {limit_mb} MB")


@router.post(
    "",
    status_code=202,
    response_model=JobAccepted,
    openapi_extra=_UPLOAD_BODY,
    responses={**EDITOR, **responses(400, 413, 415)},
)
async def upload_document(request: Request, services: ServicesDep, caller: EditorCallerDep) -> JobAccepted:
    """Submit a file (multipart field `file`; optional `visibility` and `group`, and `title`, `publisher`,
    `published`, `kind` and `language` as a manifest entry states them): it is stored and queued before the answer;
    poll `GET /jobs/{job_id}`. A field the manifest would refuse (a date that is no ISO 8601 date, a language other
    than en, ru or kk) is a 400 naming the field, before anything is stored.

    Needs an editor's or admin's key. The size limit is enforced while the body is read (413); a file whose name or
    first bytes show a type the archive cannot read is refused (415) before anything is stored."""
    form = await read_upload_form(request, services)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "the multipart field 'file' with the file is missing")
        job_id = await submit_upload(request, services, caller, form, upload)
    finally:
        await form.close()
    return JobAccepted(job_id=job_id, state="queued")


async def read_upload_form(request: Request, services: Services, max_files: int = 1) -> FormData:
    """The multipart body of an upload, its size limit enforced while it is read (413); close it when done."""
    limit_mb = services.settings.max_file_mb
    max_bytes = limit_mb * 1024 * 1024 * max_files
    length = request.headers.get("content-length", "")
    if is_number(length) and int(length) > max_bytes + MULTIPART_OVERHEAD:
        raise _too_large(limit_mb)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(415, "send the file as multipart/form-data in the field 'file'")
    received = 0

    async def limited_body():
        nonlocal received
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes + MULTIPART_OVERHEAD:
                raise UploadTooLarge("upload too large")
            yield chunk

    try:
        return await MultiPartParser(request.headers, limited_body(), max_files=max_files, max_fields=24).parse()
    except UploadTooLarge:
        raise _too_large(limit_mb) from None
    except MultiPartException as error:
        raise HTTPException(400, f"malformed multipart body: {error.message}") from None


async def submit_upload(
    request: Request, services: Services, caller: Caller, form: FormData, upload: UploadFile
) -> int:
    """Store and queue a file of the form with what the form states about it (checked first); returns the job id."""
    limit_mb = services.settings.max_file_mb
    max_bytes = limit_mb * 1024 * 1024
    submission = _submission(caller, form)
    try:
        job_id = await run_in_threadpool(
            services.ingestor.submit_stream, upload.file, upload.filename or "upload", max_bytes, submission
        )
    except UploadTooLarge:
        raise _too_large(limit_mb) from None
    audit.record(services.engine, caller.actor, "upload", "job", job_id, _filename(upload.filename))
    request.app.state.worker.notify()
    return job_id


def _submission(caller: Caller, form: FormData) -> Submission:
    """Who uploads, the visibility and groups the form asks for, and what it states about the file (title, date,
    ...: read as a manifest entry is, by the same parser): all checked before anything is stored."""
    visibility = form.get("visibility")
    if visibility is not None and not isinstance(visibility, str):
        raise InvalidInputError("the field 'visibility' must be text")
    groups = [value for value in form.getlist("group") if isinstance(value, str)]
    entry = {name: form.get(name) for name in DESCRIBED_FIELDS if form.get(name) is not None}
    stated = parse_entry(entry)
    described = {name: value for name, value in entry.items() if getattr(stated, name) is not None}
    return Submission(
        by=caller.actor,
        visibility=parse_visibility(visibility) if visibility and visibility.strip() else None,
        groups=tuple(clean_groups(groups)),
        metadata=json.dumps(described, ensure_ascii=False) if described else None,
    )


def _filename(name: str | None) -> str:
    return (name or "upload")[:200]


def passage_counts(session: SessionDep, document_ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(Passage.document_id, func.count(col(Passage.id)))
        .where(col(Passage.document_id).in_(document_ids))
        .group_by(col(Passage.document_id))
    ).all()
    return dict(rows)


@router.get("", response_model=DocumentList)
def list_documents(
    session: SessionDep,
    caller: CallerDep,
    offset: Offset = 0,
    limit: Limit = 100,
) -> DocumentList:
    """The documents the caller may read, oldest first."""
    visible = visible_condition(caller)
    documents = storage.list_documents(session, offset, limit, visible)
    counts = passage_counts(session, [row_id(d) for d in documents])
    return DocumentList(
        documents=[DocumentPublic.of_with_count(d, counts.get(row_id(d), 0)) for d in documents],
        total=storage.count_documents(session, visible),
    )


@router.get("/{document_id}", response_model=DocumentDetail, responses=NOT_FOUND)
def get_document(session: SessionDep, caller: CallerDep, document_id: DocumentIdPath) -> DocumentDetail:
    """A document's metadata, with the files found inside its file (`attachments`: an e-mail's attachments, a
    mailbox's messages, each with its job's state) and the documents whose files held it (`attached_to`)."""
    document = readable_document(session, caller, document_id)
    return document_detail(session, caller, document)


def document_detail(session: Session, caller: Caller, document: Document) -> DocumentDetail:
    """A document with its family, as far as the caller may see it (a hidden attachment is left out)."""
    document_id = row_id(document)
    attachments = []
    for job in attachment_jobs(session, document_id):
        child = _readable(session, caller, job.document_id)
        if job.document_id is not None and child is None:
            continue
        title = child.title if child is not None else None
        attachments.append(
            AttachmentPublic(
                filename=job.filename,
                state=job.state.value,
                reason=job.reason,
                document_id=job.document_id,
                title=title,
            )
        )
    containers = [_readable(session, caller, parent) for parent in container_document_ids(session, document_id)]
    base = DocumentPublic.of_with_count(document, passage_counts(session, [document_id]).get(document_id, 0))
    return DocumentDetail(
        **base.model_dump(),
        attachments=attachments,
        attached_to=[DocumentRef.of(parent) for parent in containers if parent is not None],
    )


def _readable(session: Session, caller: Caller, document_id: int | None) -> Document | None:
    if document_id is None:
        return None
    document = session.get(Document, document_id)
    if document is None or not can_read(caller, document, document_groups(session, document_id)):
        return None
    return document


@router.patch("/{document_id}", response_model=DocumentAccess, responses={**EDITOR, **NOT_FOUND, **responses(400)})
def change_access(
    session: SessionDep, caller: EditorCallerDep, document_id: DocumentIdPath, change: AccessChange
) -> DocumentAccess:
    """Change who may read a document: `visibility` and/or `groups` (editor or admin)."""
    document = readable_document(session, caller, document_id, "change access of")
    groups = clean_groups(change.groups) if change.groups is not None else None

    def state() -> str:
        groups = document_groups(session, document_id)
        return f"{document.visibility} ({', '.join(groups)})" if groups else document.visibility

    before = state()
    set_visibility(session, document, change.visibility, groups)
    session.flush()
    audit.add(session, caller.actor, "visibility changed", "document", document_id, f"{before} -> {state()}")
    session.commit()
    return DocumentAccess(id=document_id, visibility=document.visibility, groups=document_groups(session, document_id))


@router.get("/{document_id}/text", response_model=DocumentText, responses=NOT_FOUND)
def get_document_text(session: SessionDep, caller: CallerDep, document_id: DocumentIdPath) -> DocumentText:
    """The canonical text every citation's character offsets point into."""
    return DocumentText(text=readable_document(session, caller, document_id, "read text of").text)


MEDIA_BY_SUFFIX = {  # opened in the browser; every other file (a web page, an e-mail, ...) is only downloaded
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
OTHER_MEDIA = "application/octet-stream"
MEDIA_TYPES = [*MEDIA_BY_SUFFIX.values(), OTHER_MEDIA]


@router.get(
    "/{document_id}/file",
    response_class=FileResponse,
    name="document_file",
    responses={200: {"content": {media.split(";")[0]: {} for media in MEDIA_TYPES}}, **NOT_FOUND},
)
def get_document_file(session: SessionDep, caller: CallerDep, document_id: DocumentIdPath) -> FileResponse:
    """The original file as submitted (a PDF opens in the browser; add `#page=N` to open it at a page). A web page,
    an e-mail or an office file is sent as a download, never rendered by the archive."""
    readable_document(session, caller, document_id, "read file of")  # 404 for an unknown (or hidden) document
    path, filename = original_file(session, document_id)
    media = MEDIA_BY_SUFFIX.get(path.suffix.lower())
    disposition = "inline" if media else "attachment"
    return FileResponse(path, media_type=media or OTHER_MEDIA, filename=filename, content_disposition_type=disposition)
