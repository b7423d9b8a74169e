"""The FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.errors import install_error_handlers
from api.routes import documents, health, jobs, passages, persons, quotes, search
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
        yield
        app.state.worker.stop()
        if owned:
            app.state.services.close()

    app = FastAPIOffline(  # /docs and /redoc served from the package's own assets: they work offline
        title="Rights archive",
        summary="Multilingual semantic search over human-rights documentation, answered with exact citations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (search, quotes, documents, passages, persons, health, jobs):
        app.include_router(module.router)
    install_web(app)  # the HTML pages: /, /check, /read/{id}, /people, /ingest
    return app
