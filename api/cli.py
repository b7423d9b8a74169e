"""The `archive` command line: ingest, search, check-quote, serve, eval, reindex (and persons, users, keys, audit)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import click

from api.cli_logging import configure_command_logging, ingest_log_file
from api.cli_mcp import mcp
from api.cli_persons import persons
from api.cli_users import audit, keys, users
from api.cli_worker import worker
from api.cli_writer import writer_role
from archive.errors import ArchiveError
from archive.logs import reset_logging
from archive.settings import Settings
from language.scripts import LANGUAGES

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000  # where `archive serve` listens unless told
DEFAULT_SERVE_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"


class ArchiveGroup(click.Group):
    """Turns domain errors into a one-line message and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ArchiveError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=ArchiveGroup)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ARCHIVE_DATA_DIR",
    help="Where the database and the vector index live [env ARCHIVE_DATA_DIR; default ./data].",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """A multilingual, citable archive of human-rights documentation."""
    ctx.obj = Settings(data_dir=data_dir) if data_dir else Settings()
    configure_command_logging(ctx.obj, ctx.invoked_subcommand)
    ctx.call_on_close(reset_logging)


def _services(ctx: click.Context):
    from api.services import Services  # heavy imports stay out of `--help`

    return Services.open(ctx.obj)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--visibility",
    type=click.Choice(["public", "internal", "restricted"]),
    help="Who may read the new documents [default: manifest.json, else ARCHIVE_DEFAULT_VISIBILITY].",
)
@click.option("--group", "groups", multiple=True, help="A group whose members may read them when restricted.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], visibility: str | None, groups: tuple[str, ...]) -> None:
    """Add files or folders (searched recursively) to the archive: PDF, text, web pages, Word and OpenDocument
    files, e-mail (.eml, .mbox, .msg, each attachment a document of its own) and images of pages.

    A file of a type the archive cannot read is named as skipped and fails the command like a failed file. Ctrl-C
    stops after the file being processed, with a summary; a second Ctrl-C stops at once (the file in hand
    stays queued); running the same command again resumes."""
    import signal
    import threading

    from api.progress import IngestProgress
    from archive.access import Submission, Visibility, clean_groups
    from indexing.formats import skip_reason
    from indexing.pipeline import collect_files

    submission = Submission(
        visibility=Visibility(visibility) if visibility else None, groups=tuple(clean_groups(list(groups)))
    )
    found = list(collect_files(paths))
    reasons = {path: skip_reason(path) for path in found}
    skipped = [(path, reason) for path, reason in reasons.items() if reason is not None]
    files = [path for path in found if reasons[path] is None]
    services = _services(ctx)
    log_file = ingest_log_file(ctx.obj)
    stop = threading.Event()
    display = IngestProgress(len(files), services.ingestor.progress, stopping=stop)

    def waiting(pid: int | None) -> None:
        holder = f"process {pid}" if pid else "another process"
        display.note(
            f"the archive is being written by {holder} (e.g. `archive serve`); its worker processes these "
            "queued files, waiting for them ..."
        )

    def interrupt(_signum, _frame) -> None:  # no output here: the display announces it (no lock taken twice)
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, interrupt)
    outcomes = None
    at_once = False
    try:
        with display:
            outcomes = services.ingestor.ingest(
                files, on_progress=display, on_wait=waiting, should_stop=stop.is_set, submission=submission
            )
    except KeyboardInterrupt:
        at_once = True  # the file being saved was rolled back and stays queued
    finally:
        signal.signal(signal.SIGINT, previous)
        services.close()
    try:
        _summary(
            ctx,
            outcomes if outcomes is not None else display.outcomes,
            len(files),
            log_file,
            interrupted=stop.is_set(),
            skipped=skipped,
        )
    finally:
        if at_once:
            from api.hard_exit import exit_now

            exit_now(130)


def _summary(
    ctx: click.Context,
    outcomes,
    total: int,
    log_file: Path | None = None,
    interrupted: bool = False,
    skipped: list[tuple[Path, str]] | None = None,
) -> None:
    """Counts by end state (files not reached are "not started"), each failure and skipped file with its reason and
    every warning (what of a file could not be read); exit 1 on a failure or a skipped file, 130 when interrupted.

    Files found inside the submitted ones (attachments, a mailbox's messages) are counted apart."""
    skipped = skipped or []
    counts = Counter(outcome.state.value for outcome in outcomes)
    inside = max(len(outcomes) - total, 0)
    total += inside + len(skipped)
    not_started = total - len(skipped) - counts["indexed"] - counts["duplicate"] - counts["failed"]
    found = f" ({inside} of them found inside other files)" if inside else ""
    click.echo(
        f"{total} files{found}: {counts['indexed']} indexed, {counts['duplicate']} duplicate, {counts['failed']} failed"
        + (f", {len(skipped)} skipped" if skipped else "")
        + (f", {not_started} not started" if not_started or interrupted else "")
    )
    for outcome in outcomes:
        if outcome.state.value == "failed":
            click.echo(f"  failed: {outcome.path}: {outcome.reason}")
    for path, reason in skipped:
        click.echo(f"  skipped: {path}: {reason}")
    for outcome in outcomes:
        for warning in getattr(outcome, "warnings", ()):
            click.echo(f"  warning: {outcome.path}: {warning}")
    if log_file is not None and any((o.reason or "").startswith("unexpected error") for o in outcomes):
        click.echo(f"  the errors' details are in {log_file}")
    if interrupted:
        click.echo("interrupted: run the same command again to resume (indexed files are not processed again)")
        ctx.exit(130)
    if counts["failed"] or skipped:
        ctx.exit(1)


@cli.command()
@click.option(
    "--state",
    type=click.Choice(["queued", "running", "indexed", "duplicate", "failed"]),
    help="Only jobs in this state.",
)
@click.option("--limit", default=1000, show_default=True, help="At most this many jobs (oldest first).")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as GET /jobs.")
@click.pass_context
def jobs(ctx: click.Context, state: str | None, limit: int, as_json: bool) -> None:
    """List ingest jobs: one per submitted file, with its state and, when it failed, why."""
    from sqlmodel import Session

    from archive.db import make_engine
    from archive.models import JobState
    from indexing import jobs as job_store

    engine = make_engine(ctx.obj)  # no model, no index: only the database
    with Session(engine) as session:
        rows = job_store.list_jobs(session, JobState(state) if state else None, 0, limit)
        counts = job_store.count_by_state(session)
    engine.dispose()
    if as_json:
        from api.schemas import JobPublic

        click.echo(json.dumps({"jobs": [JobPublic.of(j).model_dump() for j in rows], "counts": counts}, indent=2))
        return
    for job in rows:
        document = f" document {job.document_id}" if job.document_id else ""
        reason = f": {job.reason}" if job.reason else ""
        warnings = "".join(f" (warning: {w})" for w in job_store.job_warnings(job))
        click.echo(f"{job.id:>6}  {job.state.value:<9} {job.filename}{document}{reason}{warnings}")
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))


@cli.command()
@click.argument("job_ids", nargs=-1, type=int)
@click.pass_context
def retry(ctx: click.Context, job_ids: tuple[int, ...]) -> None:
    """Queue failed jobs again (all, or the given JOB_IDS) and process every queued job now."""
    from api.progress import IngestProgress
    from indexing import job_states
    from indexing import jobs as job_store

    services = _services(ctx)
    try:
        requeued = job_store.retry_failed(services.engine, job_ids or None)
        lock = services.ingestor.writer_lock()
        if not lock.acquire(timeout=0):
            click.echo(
                f"{len(requeued)} failed jobs queued again; process {lock.holder_pid() or '?'} is writing the "
                "archive and processes them (see `archive jobs`)"
            )
            return
        try:
            job_states.requeue_abandoned(services.engine)
            queued = len(job_store.queued_job_ids(services.engine))
            with IngestProgress(queued, services.ingestor.progress) as display:
                outcomes = services.ingestor.process_queued(on_outcome=display)
        finally:
            lock.release()
    finally:
        services.close()
    _summary(ctx, outcomes, len(outcomes), ingest_log_file(ctx.obj))


@cli.command()
@click.argument("query", required=False)
@click.option("-k", default=10, show_default=True, help="How many results (per page).")
@click.option(
    "--page", "page_number", default=1, show_default=True, type=click.IntRange(min=1), help="Which page of k results."
)
@click.option("--document-id", type=int, help="Only passages of this document.")
@click.option("--person", help="Only passages that mention this person (id or name, any script).")
@click.option("--language", type=click.Choice(LANGUAGES), help="Only passages in this language.")
@click.option(
    "--from",
    "published_from",
    metavar="YYYY-MM-DD",
    help="Only documents whose stated date reaches on or after this day.",
)
@click.option(
    "--to",
    "published_to",
    metavar="YYYY-MM-DD",
    help="Only documents whose stated date begins on or before this day.",
)
@click.option(
    "--undated",
    type=click.Choice(["include", "exclude"]),
    help="With --from or --to: include undated documents too [default: exclude].",
)
@click.option("--kind", help="Only documents of this kind, e.g. 'news article'.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json", "ris", "csl-json"]),
    default="text",
    show_default=True,
    help="Print the results as text or as an export file (as GET /search/export).",
)
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    help="A file of queries (names or questions), one a line ('-' for standard input): one JSON line of "
    "results per query.",
)
@click.option(
    "--base-url",
    help="Where readers reach the server, for the links back to each passage [default: the configured public URL, "
    f"ARCHIVE_PUBLIC_URL; without one, {DEFAULT_SERVE_URL}, where `archive serve` answers by default].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as GET /search.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str | None,
    k: int,
    page_number: int,
    document_id: int | None,
    person: str | None,
    language: str | None,
    published_from: str | None,
    published_to: str | None,
    undated: str | None,
    kind: str | None,
    fmt: str,
    batch,
    base_url: str | None,
    as_json: bool,
) -> None:
    """Find the passages that answer QUERY (English, Russian or Kazakh), or every query of a --batch file."""
    from api.citation import cite_hit
    from api.export import ExportFormat, meta_of, render, result_set, rows_of
    from api.schemas import SearchResponse
    from archive.access import LOCAL
    from archive.settings import public_url
    from search.highlight import marked_sentences
    from search.request import FILTERS, SearchRequest

    if (query is None) == (batch is None):
        raise click.UsageError("give either a QUERY or --batch FILE")
    try:
        base_url = public_url(base_url) or ctx.obj.public_url or DEFAULT_SERVE_URL
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--base-url") from None
    fields = {"k": k, "page": page_number, **{name: ctx.params[name] for name in FILTERS}}  # options named as fields
    services = _services(ctx)
    searcher = services.searcher

    def rows(asked: SearchRequest, found):
        return rows_of(found, base_url, marked_sentences(services.embedder, asked.q, found.hits))

    if batch is not None:
        if fmt not in ("text", "json") or as_json:
            raise click.UsageError("--batch prints one JSON line per query; --format and --json do not apply")
        for line in batch:
            if not line.strip():
                continue
            asked = SearchRequest.parse({**fields, "q": line})
            found = asked.run(searcher, LOCAL)
            click.echo(
                json.dumps(
                    result_set(rows(asked, found), asked.q, meta_of(found, asked.filters(LOCAL))),
                    ensure_ascii=False,
                )
            )
        return
    asked = SearchRequest.parse({**fields, "q": query})
    found = asked.run(searcher, LOCAL)
    if fmt != "text":
        click.echo(
            render(rows(asked, found), ExportFormat(fmt), asked.q, meta_of(found, asked.filters(LOCAL))), nl=False
        )
        return
    response = SearchResponse.of_page(asked.q, found, base_url=base_url)
    if as_json:
        click.echo(response.model_dump_json(indent=2))
        return
    if response.notice:
        click.echo(response.notice)
    elif response.total is not None:
        click.echo(f"results {asked.start + 1}-{asked.start + len(response.results)} of {response.total}")
    if response.undated_excluded:
        click.echo(f"{_undated_note(response.undated_excluded)} (--undated include brings them in)")
    highlights = marked_sentences(services.embedder, asked.q, found.hits)
    for result, hit, highlight in zip(response.results, found.hits, highlights, strict=True):
        page = f", page {result.citation.pages}" if result.citation.pages else ""
        click.secho(f"{result.rank}. {result.document.title}{page}", bold=True)
        dated = f", {result.document.published}" if result.document.published else ""
        click.echo(
            f"   document {result.document.id}{dated}, characters {result.citation.char_start}-"
            f"{result.citation.char_end}, {result.language or '?'}, score {result.score:.4f}"
        )
        click.echo("   " + " ".join(result.text.split()))
        click.echo("   cite: " + cite_hit(hit, highlight, base_url))
        click.echo()


def _undated_note(count: int) -> str:
    return f"{count} undated document{'' if count == 1 else 's'} left out by the date filter"


@cli.command(name="check-quote")
@click.argument("quote")
@click.option("-k", default=3, show_default=True, help="At most this many matches.")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as POST /quotes/check.")
@click.pass_context
def check_quote(ctx: click.Context, quote: str, k: int, as_json: bool) -> None:
    """Where the archive says QUOTE: verdict, original wording, differences and citation."""
    from api.schemas import QuoteCheckResponse
    from archive.access import LOCAL
    from search.filters import SearchFilters

    response = QuoteCheckResponse.of(
        quote, _services(ctx).quotes.check(quote, k=k, filters=SearchFilters(caller=LOCAL))
    )
    if as_json:
        click.echo(response.model_dump_json(indent=2))
        return
    if not response.matches:
        click.echo("nothing in the archive resembles this quote")
    for number, match in enumerate(response.matches, start=1):
        page = f", page {match.citation.pages}" if match.citation.pages else ""
        click.secho(f"{number}. {match.verdict.upper()} (similarity {match.similarity:.2f})", bold=True)
        click.echo(f"   {match.explanation}")
        click.echo(f"   {match.document.title}{page}")
        click.echo(
            f"   document {match.document.id}, passage {match.passage_id},"
            f" characters {match.citation.char_start}-{match.citation.char_end}"
        )
        click.echo("   original: " + " ".join(match.original.split()))
        for change in match.diff:
            if change.op != "equal":
                click.echo(f"   {change.op}: {change.quote or '-'!r} -> {change.original or '-'!r}")
        click.echo()


@cli.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="API processes answering on the port, each with its own vector index; with more than one, ingest jobs "
    "are left to `archive worker`.",
)
@click.option(
    "--proxy-headers",
    is_flag=True,
    help="Behind a reverse proxy: trust its X-Forwarded-Proto and X-Forwarded-For (from --forwarded-allow-ips).",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Comma-separated addresses (or '*') of the proxies whose forwarded headers are trusted.",
)
@click.option("--root-path", default="", help="The path prefix the proxy serves the archive under, e.g. /archive.")
@click.option(
    "--public-url",
    envvar="ARCHIVE_PUBLIC_URL",
    help="Where clients reach the server, for links in exports and pages [env ARCHIVE_PUBLIC_URL].",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int,
    proxy_headers: bool,
    forwarded_allow_ips: str,
    root_path: str,
    public_url: str | None,
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs)."""
    from indexing.threads import limit_threads

    limit_threads(ctx.obj.serve_threads)  # before the model loads: its OpenMP runtime reads the budget once
    import uvicorn

    from api.app import create_app
    from archive.settings import public_url as checked_url

    try:
        settings = ctx.obj.model_copy(update={"public_url": checked_url(public_url)})
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--public-url") from None
    click.echo(f"serving the archive in {settings.resolved_data_dir} on http://{host}:{port} (docs at /docs)")
    server: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": proxy_headers,
        "forwarded_allow_ips": forwarded_allow_ips,
        "root_path": root_path.rstrip("/"),
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **server)
        return
    # Each process builds its app from the environment (settings, thread budget), which it inherits from this one.
    os.environ["ARCHIVE_DATA_DIR"] = str(settings.resolved_data_dir)
    os.environ["ARCHIVE_SERVE_INGEST"] = "false"
    if settings.public_url:
        os.environ["ARCHIVE_PUBLIC_URL"] = settings.public_url
    uvicorn.run("api.app:create_app", factory=True, workers=workers, **server)


@cli.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-k", default=5, show_default=True, help="Recall is measured at this depth.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def evaluate(ctx: click.Context, questions: Path, k: int, as_json: bool) -> None:
    """Recall@k and MRR@10 per language on a question set (JSON lines)."""
    from dataclasses import asdict

    from search.evaluation import evaluate as run_evaluation
    from search.evaluation import load_questions
    from search.searcher import SearchMode

    searcher, asked = _services(ctx).searcher, load_questions(questions)
    report = run_evaluation(searcher, asked, k=k)
    dense = run_evaluation(searcher, asked, k=k, mode=SearchMode.dense)
    if as_json:
        click.echo(json.dumps({**asdict(report), "dense": asdict(dense)}, indent=2))
        return
    click.echo(
        f"{'language':<10}{'questions':>10}{f'Recall@{k}':>12}{'MRR@10':>10}"
        f"   dense alone: {f'Recall@{k}':>9}{'MRR@10':>8}"
    )
    for score, alone in zip([*report.by_language, report.overall], [*dense.by_language, dense.overall], strict=True):
        click.echo(
            f"{score.lang:<10}{score.questions:>10}{score.recall:>12.3f}{score.mrr:>10.3f}"
            f"   {'':>13}{alone.recall:>9.3f}{alone.mrr:>8.3f}"
        )
    if report.misses:
        click.echo(f"not found in the top {k}: {', '.join(report.misses)}")


@cli.command()
@click.option("--re-embed", is_flag=True, help="Embed every passage again with the configured embedder.")
@click.pass_context
def reindex(ctx: click.Context, re_embed: bool) -> None:
    """Rebuild the vector index from the embeddings stored in the database."""
    from api.services import Services
    from indexing.reembed import reembed_archive

    services = Services.open(ctx.obj, check_index=False)
    with writer_role(ctx.obj):
        if re_embed:
            count = reembed_archive(services.engine, services.embedder)
            spec = services.embedder.spec
            click.echo(f"re-embedded {count} passages with {spec.backend}:{spec.model}")
        report = services.index.rebuild()
    click.echo(f"vector index rebuilt: {report.added} vectors ({services.index.index.kind})")


cli.add_command(persons)
cli.add_command(users)
cli.add_command(keys)
cli.add_command(audit)
cli.add_command(worker)
cli.add_command(mcp)


def main() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cli(prog_name="archive")
