"""The FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routes import documents, health, passages, search
from api.services import Services
from archive.settings import Settings


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """An app serving one archive; pass `services` to share already-open ones (tests, benchmarks)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or Services.open(settings or Settings())
        yield
        if owned:
            app.state.services.close()

    app = FastAPI(
        title="Rights archive",
        summary="Multilingual semantic search over human-rights documentation, answered with exact citations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (search, documents, passages, health):
        app.include_router(module.router)
    return app
