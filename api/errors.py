"""Domain errors → HTTP answers: JSON `{"detail": ...}` with a status that names what was wrong, never a trace."""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from archive.errors import ArchiveError, EmbedderMismatchError, ExtractionError, InvalidInputError, NotFoundError

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[ArchiveError], int] = {
    NotFoundError: 404,
    InvalidInputError: 400,
    ExtractionError: 422,
    EmbedderMismatchError: 409,
}


def status_for(error: ArchiveError) -> int:
    return next((status for kind, status in STATUS_BY_ERROR.items() if isinstance(error, kind)), 400)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ArchiveError)
    async def archive_error(_request: Request, error: ArchiveError) -> JSONResponse:
        return JSONResponse(status_code=status_for(error), content={"detail": str(error)})

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error; the server log has the details"})
