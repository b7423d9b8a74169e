"""`archive mcp`: the archive's tools for an AI assistant over stdio (Model Context Protocol), as one user."""

from __future__ import annotations

import os

import anyio
import click

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@click.command()
@click.pass_context
def mcp(ctx: click.Context) -> None:
    """Serve the MCP tools (search, check_quote, get_passage, find_person, list_documents) on stdin/stdout.

    A desktop assistant starts this command itself. Every call runs as the key in ARCHIVE_API_KEY (a user's key:
    the assistant sees what that user may read); without it, as an anonymous reader (public documents only). Links
    in the answers start with ARCHIVE_PUBLIC_URL (default http://127.0.0.1:8000, where `archive serve` answers)."""
    from api.auth import caller_for_key
    from api.mcp_tools import Invocation, build_server
    from api.services import Services
    from archive.access import ANONYMOUS
    from archive.errors import AuthenticationError

    settings = ctx.obj
    services = Services.open(settings)
    key = os.environ.get("ARCHIVE_API_KEY", "").strip()
    try:
        caller = caller_for_key(services, key) if key else ANONYMOUS
    except AuthenticationError as error:
        services.close()
        raise click.ClickException(f"ARCHIVE_API_KEY: {error}") from None
    invocation = Invocation(services, caller, settings.public_url or DEFAULT_BASE_URL)
    click.echo(f"archive MCP server on stdio, as {caller.actor}", err=True)
    try:
        anyio.run(build_server(lambda _ctx: invocation).run_stdio_async)
    finally:
        services.close()
