"""`/docs` (Swagger UI) and `/redoc`, served with the assets of the fastapi-offline package: no CDN, and no inline
script (the Content-Security-Policy allows scripts from this server only: Swagger UI starts from a static file)."""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.links import path_for

ASSETS = Path(fastapi_offline.__file__).parent / "static"
REDOC_PATH = "/redoc"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · HTTP API</title>
<link rel="icon" href="{assets}/favicon.png">
{head}
</head>
<body>
{body}
</body>
</html>
"""
SWAGGER = {
    "head": '<link rel="stylesheet" href="{assets}/swagger-ui.css">',
    "body": '<div id="swagger-ui" data-openapi-url="{openapi}"></div>\n'
    '<script src="{assets}/swagger-ui-bundle.js"></script>\n<script src="{init}"></script>',
}
REDOC = {
    "head": "",
    "body": '<redoc spec-url="{openapi}"></redoc>\n<script src="{assets}/redoc.standalone.js"></script>',
}


def _page(request: Request, parts: dict[str, str]) -> HTMLResponse:
    app = request.app
    names = {
        "title": app.title,
        "assets": path_for(request, "docs-assets", path="").path.rstrip("/"),
        "openapi": request.scope.get("root_path", "") + app.openapi_url,
        "init": path_for(request, "static", path="swagger-init.js"),
    }
    return HTMLResponse(PAGE.format(**names, **{key: part.format(**names) for key, part in parts.items()}))


def install_docs(app: FastAPI) -> None:
    """Add `/docs`, `/redoc` and their assets (the app is made with `docs_url=None, redoc_url=None`)."""
    app.mount("/static-offline-docs", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return _page(request, SWAGGER)

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return _page(request, REDOC)
