"""`archive persons [QUERY] [--json]`, and editors' corrections: `merge A B`, `not-a-person A`, `is-a-person ID`."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from indexing.page_span import page_label, pages_of


def archive_engine(ctx: click.Context):
    """The engine of the archive the command line was given (its settings are the root context's object)."""
    from archive.db import make_engine

    return make_engine(ctx.obj)


class PersonsGroup(click.Group):
    """A group whose unknown first word is a query or an option: `archive persons Бокаев --json` lists matches."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands and args[0] not in self.get_help_option_names(ctx):
            return "find", self.commands["find"], args
        return super().resolve_command(ctx, args)


@click.group(cls=PersonsGroup, invoke_without_command=True, context_settings={"ignore_unknown_options": True})
@click.pass_context
def persons(ctx: click.Context) -> None:
    """People in the archive: `archive persons [QUERY] [--json]`, `archive persons merge A B`,
    `archive persons not-a-person A`, `archive persons is-a-person ID`."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(find)


@persons.command(hidden=True)
@click.argument("query", nargs=-1)
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print GET /persons JSON (with a query: GET /persons/{id} each).")
@click.pass_context
def find(ctx: click.Context, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """People matching QUERY in any script (best first), each with the passages that mention them."""
    from sqlmodel import Session

    from archive.access import LOCAL
    from search.persons import find_persons, get_person

    with Session(archive_engine(ctx.find_root())) as session:
        found = find_persons(session, " ".join(query) or None, limit, LOCAL)
        details = [get_person(session, person.id, LOCAL) for person in found] if query else []
    if as_json:
        from api.schemas import PersonDetailPublic, PersonPublic

        rows = [PersonDetailPublic.of(d) for d in details] if details else [PersonPublic(**asdict(p)) for p in found]
        click.echo(json.dumps({"persons": [row.model_dump(mode="json") for row in rows]}, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("nobody found")
    for number, person in enumerate(found):
        aliases = f"  ({', '.join(person.aliases)})" if person.aliases else ""
        click.secho(f"{person.id}. {person.name}", bold=True, nl=False)
        click.echo(f"{aliases} — {person.mentions} passages")
        if number < len(details):
            for passage, document in details[number].passages[:5]:
                pages = page_label(*pages_of(passage))
                page = f", page {pages}" if pages else ""
                click.echo(f"   [{document.title}{page}, characters {passage.char_start}-{passage.char_end}]")
                click.echo("   " + " ".join(passage.text.split())[:300])
            if len(details[number].passages) > 5:
                click.echo(f"   … and {len(details[number].passages) - 5} more passages")


@persons.command()
@click.argument("keep")
@click.argument("merge")
@click.pass_context
def merge(ctx: click.Context, keep: str, merge: str) -> None:
    """Merge person MERGE into person KEEP (ids or names): aliases and mentions move to KEEP, and MERGE's names
    resolve to KEEP in every later ingest."""
    from api.cli_writer import writer_role
    from archive.access import LOCAL
    from archive.db import session_scope
    from search.person_curation import merge_persons
    from search.persons import get_person, resolve_person

    root = ctx.find_root()
    with writer_role(root.obj), session_scope(archive_engine(root)) as session:  # never while an ingest tags people
        keep_id, merge_id = resolve_person(session, keep, LOCAL), resolve_person(session, merge, LOCAL)
        merge_persons(session, keep_id, merge_id, LOCAL.actor)
        merged = get_person(session, keep_id, LOCAL).summary
    click.echo(f"merged into {merged.id}. {merged.name} ({', '.join(merged.aliases)}) — {merged.mentions} passages")


@persons.command("not-a-person")
@click.argument("person")
@click.pass_context
def not_a_person(ctx: click.Context, person: str) -> None:
    """Judge PERSON (an id or a name) not a person: an organisation, place or club taken for one. It leaves the
    people list, the person filter and passages' tags, and its names make no person in later ingests."""
    from archive.access import LOCAL
    from archive.db import session_scope
    from search.person_curation import mark_not_a_person
    from search.persons import resolve_person

    with session_scope(archive_engine(ctx.find_root())) as session:
        person_id = resolve_person(session, person, LOCAL)
        name = mark_not_a_person(session, person_id, LOCAL.actor)
    click.echo(f"{person_id}. {name} is not a person (undo: archive persons is-a-person {person_id})")


@persons.command("is-a-person")
@click.argument("person_id", type=click.IntRange(min=1))
@click.pass_context
def is_a_person(ctx: click.Context, person_id: int) -> None:
    """Undo `not-a-person` for the record PERSON_ID: it is a person again, with all its mentions."""
    from archive.access import LOCAL
    from archive.db import session_scope
    from search.person_curation import mark_a_person

    with session_scope(archive_engine(ctx.find_root())) as session:
        name = mark_a_person(session, person_id, LOCAL.actor)
    click.echo(f"{person_id}. {name} is a person again")
