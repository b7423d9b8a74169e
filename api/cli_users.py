"""`archive users add|list`, `archive keys add|revoke` and `archive audit`: run on the archive's own machine."""

from __future__ import annotations

import json

import click

from api.cli_persons import archive_engine


@click.group()
def users() -> None:
    """Users of the HTTP API: `archive users add NAME --role ROLE`, `archive users list`."""


@users.command(name="add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice(["viewer", "researcher", "editor", "admin"]), help="What they may do."
)
@click.option("--group", "groups", multiple=True, help="A group whose restricted documents they may read.")
@click.option("--expires", "expires_days", type=click.IntRange(min=1), help="The key expires after this many days.")
@click.pass_context
def add_user(ctx: click.Context, name: str, role: str, groups: tuple[str, ...], expires_days: int | None) -> None:
    """Create user NAME; their API key is printed once, on the last line (only its hash is stored)."""
    from archive.access import LOCAL, Role, clean_groups
    from archive.db import session_scope
    from archive.users import add_user as create

    with session_scope(archive_engine(ctx.find_root())) as session:
        key = create(session, LOCAL.actor, name, Role(role), clean_groups(list(groups)), expires_days)
    click.echo(f"user {name} ({role}) created; their API key, shown only now (send it as Authorization: Bearer KEY):")
    click.echo(key)


@users.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """Users with their role, groups and number of working keys."""
    from dataclasses import asdict

    from sqlmodel import Session

    from archive.users import list_users as summaries

    with Session(archive_engine(ctx.find_root())) as session:
        found = summaries(session)
    if as_json:
        click.echo(json.dumps({"users": [asdict(user) for user in found]}, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no users: `archive users add NAME --role admin` creates the first")
    for user in found:
        groups = f"  groups: {', '.join(user.groups)}" if user.groups else ""
        click.echo(f"{user.id}. {user.name} ({user.role}) — {user.keys} working keys{groups}")


@click.group()
def keys() -> None:
    """API keys: `archive keys add NAME`, `archive keys revoke PREFIX_OR_ID`."""


@keys.command(name="add")
@click.argument("name")
@click.option("--expires", "expires_days", type=click.IntRange(min=1), help="The key expires after this many days.")
@click.pass_context
def add_key(ctx: click.Context, name: str, expires_days: int | None) -> None:
    """Another API key for user NAME, printed once on the last line."""
    from archive.access import LOCAL
    from archive.db import session_scope
    from archive.users import add_key as create

    with session_scope(archive_engine(ctx.find_root())) as session:
        key = create(session, LOCAL.actor, name, expires_days)
    click.echo(f"a new API key for {name}, shown only now:")
    click.echo(key)


@keys.command()
@click.argument("prefix_or_id")
@click.pass_context
def revoke(ctx: click.Context, prefix_or_id: str) -> None:
    """Revoke the key with this id or display prefix (the first 11 characters, e.g. ra_AbCdEfGh)."""
    from archive.access import LOCAL
    from archive.db import session_scope
    from archive.users import revoke_key

    with session_scope(archive_engine(ctx.find_root())) as session:
        key = revoke_key(session, LOCAL.actor, prefix_or_id)
    click.echo(f"key {key.id} ({key.prefix}…) is revoked")


@click.command()
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="The latest N events.")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as GET /audit.")
@click.pass_context
def audit(ctx: click.Context, limit: int, as_json: bool) -> None:
    """The audit trail, latest first: writes and reads of restricted documents."""
    from sqlmodel import Session

    from api.schemas import AuditEventPublic, AuditList
    from archive.audit import events

    with Session(archive_engine(ctx.find_root())) as session:
        found = [AuditEventPublic.of(event) for event in events(session, limit)]
    if as_json:
        click.echo(AuditList(events=found).model_dump_json(indent=2))
        return
    for event in found:
        target = f" {event.target_kind} {event.target_id}" if event.target_kind else ""
        detail = f" ({event.detail})" if event.detail else ""
        click.echo(f"{event.at:%Y-%m-%d %H:%M:%S} {event.actor}: {event.action}{target}{detail}")
