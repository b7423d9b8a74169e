"""The web pages for people who are not programmers: search, document view, person pages, ingest.

Server-rendered HTML (Jinja2, autoescaped) that works without JavaScript; one small script adds copy-citation and
upload progress on top. No build step, nothing loaded from elsewhere.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.web import curation
from api.web.pages import router

STATIC_DIR = Path(__file__).parent / "static"


def install_web(app: FastAPI) -> None:
    """Add the pages and their static files to the app."""
    app.include_router(router)
    app.include_router(curation.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """The icon browsers ask for at the root whatever the page links (so that no page logs a 404)."""
        return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon")


__all__ = ["install_web", "router"]
