"""The FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.docs import REDOC_PATH, install_docs
from api.errors import install_error_handlers
from api.mcp_http import http_server, install_mcp
from api.responses import CALLER
from api.routes import audit, documents, health, jobs, passages, persons, quotes, saved_searches, search
from api.security_headers import REDOC_CSP, SecurityHeaders
from api.services import Services
from api.web import install_web
from archive.settings import Settings
from indexing.worker import JobWorker


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """An app serving one archive; pass `services` to share already-open ones (tests, benchmarks).

    Called without arguments (`archive serve --workers N`: uvicorn's app factory), it reads the settings from the
    environment."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or Services.open(settings or Settings())
        app.state.worker = JobWorker(app.state.services.ingestor, app.state.services.engine)
        ingests = app.state.services.settings.serve_ingest  # else `archive worker` processes the uploads
        if ingests:
            app.state.worker.start()  # processes uploads (and jobs a crash left behind)
        app.state.mcp = http_server()  # a session manager runs once: a new one for each start of the app
        async with app.state.mcp.session_manager.run():
            yield
        app.state.worker.stop()
        if owned:
            app.state.services.close()

    app = FastAPI(
        title="Rights archive",
        summary="Multilingual semantic search over human-rights documentation, answered with exact citations.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, with local assets and no inline script
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders, policies={REDOC_PATH: REDOC_CSP})
    install_error_handlers(app)
    install_docs(app)  # /docs and /redoc with fastapi-offline's assets: they work offline
    for module in (search, quotes, documents, passages, persons, saved_searches, health, jobs, audit):
        app.include_router(module.router, responses=CALLER)  # each reads the caller's key, if one is sent
    install_mcp(app)  # the tools for AI assistants at /mcp
    install_web(app)  # the HTML pages: /, /check, /read/{id}, /people, /ingest
    return app
