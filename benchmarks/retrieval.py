"""Retrieval quality on third-party benchmarks and on the seed questions: full search beside its dense half.

    python -m benchmarks.retrieval [--external DIR] [--archives DIR] [--mixed] [--json]

The external set (XQuAD en/ru, KazQAD kk, X-WMT en/kk/ru; see its README) holds three corpora. Each becomes an
archive built with the real pipeline (a ``.txt`` per document, its title on the first line); every query is asked of
its archive twice, by the full search and by plain cosine search over the same stored vectors, and scored at
document level: R@1, R@5 and MRR@10 per task. The seed questions (`tests/data/questions.jsonl`) are scored over the
bundled corpus the same two ways (passage level: the passage must hold an answer).

``--mixed`` also puts every document of the external set into one archive and scores it by the mixed-archive
protocol (benchmarks.mixed): translations of the gold removed, same-language capture, agreement of parallel questions.

``--archives DIR`` keeps the built archives there and reuses them on the next run (delete the folder after changing
how documents are indexed); the passage vectors are kept in ``DIR/embeddings.sqlite`` in any case, so that the
archives built from the same texts embed each text once.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from api.services import Services
from archive.settings import Settings
from benchmarks.embedding_cache import CachingEmbedder
from benchmarks.mixed import MixedQuery, evaluate_mixed, print_mixed
from indexing.embed import Embedder, create_embedder
from indexing.pipeline import collect_files
from search.evaluation import MRR_DEPTH, RankScore, load_questions, normalise, rank_scores
from search.searcher import SearchHit, SearchMode

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = ROOT.parent / "shared" / "eval" / "external"
MODES = (SearchMode.hybrid, SearchMode.dense)


@dataclass(frozen=True)
class ExternalQuery:
    id: str
    task: str
    archive: str
    query: str
    gold_docs: frozenset[str]


@dataclass(frozen=True)
class TaskRow:
    task: str
    mode: str
    score: RankScore


def load_external(folder: Path) -> tuple[dict[str, list[dict]], list[ExternalQuery]]:
    """Documents by archive, and the queries, of the external set."""
    documents: dict[str, list[dict]] = defaultdict(list)
    with (folder / "docs.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            documents[row["archive"]].append(row)
    queries = []
    with (folder / "queries_dev.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            queries.append(
                ExternalQuery(row["id"], row["task"], row["archive"], row["query"], frozenset(row["gold_docs"]))
            )
    return documents, queries


def build_archive(folder: Path, documents: list[dict], embedder: Embedder | None = None) -> Services:
    """An archive of ``documents`` in ``folder`` (already-indexed files come out as duplicates: cheap to re-run)."""
    texts = folder / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    for document in documents:
        path = texts / f"{document['id']}.txt"
        if not path.exists():
            path.write_text(f"{document['title']}\n\n{document['text']}\n", encoding="utf-8")
    services = Services.open(Settings(data_dir=folder / "archive"), embedder=embedder)
    outcomes = services.ingestor.ingest(sorted(collect_files([texts])))
    failed = [o for o in outcomes if o.state.value == "failed"]
    if failed:
        raise SystemExit(f"{len(failed)} documents failed to ingest, e.g. {failed[0]}")
    return services


def first_hit(hits: Iterable[SearchHit], is_hit: Callable[[SearchHit], bool]) -> int | None:
    return next((hit.rank for hit in hits if is_hit(hit)), None)


def cached_embedder(workdir: Path) -> Embedder:
    """The configured embedder, its passage vectors kept in ``workdir`` for every archive built there."""
    return CachingEmbedder(create_embedder(Settings()), workdir / "embeddings.sqlite")


def evaluate_external(folder: Path, workdir: Path, say: Callable[[str], None]) -> list[TaskRow]:
    documents, queries = load_external(folder)
    ranks: dict[tuple[str, SearchMode], list[int | None]] = defaultdict(list)
    embedder = cached_embedder(workdir)
    for archive in sorted(documents):
        say(f"archive {archive}: {len(documents[archive])} documents")
        services = build_archive(workdir / archive, documents[archive], embedder)
        try:
            for query in (q for q in queries if q.archive == archive):
                for mode in MODES:
                    hits = services.searcher.search(query.query, k=MRR_DEPTH, mode=mode)
                    rank = first_hit(hits, lambda hit: Path(hit.document.source).stem in query.gold_docs)
                    ranks[(query.task, mode)].append(rank)
        finally:
            services.close()
    tasks = sorted({task for task, _ in ranks}, key=_task_order)
    rows = [TaskRow(task, mode.value, rank_scores(ranks[(task, mode)])) for task in tasks for mode in MODES]
    for mode in MODES:
        everything = [rank for task in tasks for rank in ranks[(task, mode)]]
        rows.append(TaskRow("all", mode.value, rank_scores(everything)))
    return rows


def evaluate_mixed_external(folder: Path, workdir: Path, say: Callable[[str], None]):
    """Every document of the external set in one archive, every query asked of it (benchmarks.mixed)."""
    documents, queries = load_external(folder)
    everything = [document for archive in sorted(documents) for document in documents[archive]]
    say(f"mixed archive: {len(everything)} documents")
    services = build_archive(workdir / "mixed", everything, cached_embedder(workdir))
    try:
        mixed = [MixedQuery(q.id, q.task, q.query, q.gold_docs) for q in queries]
        return evaluate_mixed(services.searcher, mixed, lambda hit: Path(hit.document.source).stem)
    finally:
        services.close()


def evaluate_seed(say: Callable[[str], None]) -> list[TaskRow]:
    questions = load_questions(ROOT / "tests" / "data" / "questions.jsonl")
    ranks: dict[tuple[str, SearchMode], list[int | None]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="archive-seed-eval-") as tmp:
        say("seed corpus")
        services = Services.open(Settings(data_dir=Path(tmp)))
        try:
            services.ingestor.ingest(list(collect_files([ROOT / "corpus"])))
            for question in questions:
                answers = [normalise(answer) for answer in question.answers]
                for mode in MODES:
                    hits = services.searcher.search(question.query, k=MRR_DEPTH, mode=mode)
                    rank = first_hit(
                        hits,
                        lambda hit: (
                            hit.document.source == question.document
                            and any(answer in normalise(hit.text) for answer in answers)
                        ),
                    )
                    for group in (question.lang, "all"):
                        ranks[(group, mode)].append(rank)
        finally:
            services.close()
    groups = sorted({group for group, _ in ranks}, key=lambda g: (g == "all", g))
    return [TaskRow(group, mode.value, rank_scores(ranks[(group, mode)])) for group in groups for mode in MODES]


def _task_order(task: str) -> tuple[str, str]:
    source, target = task.split("->")
    return (target, source) if source != target else (target, "")


def print_table(title: str, rows: list[TaskRow]) -> None:
    print(f"\n{title}")
    print(
        f"{'task':<8}{'n':>5}  {'full R@1':>9}{'R@5':>7}{'MRR@10':>8}"
        f"  {'dense R@1':>10}{'R@5':>7}{'MRR@10':>8}  {'ΔMRR':>6}"
    )
    by_task: dict[str, dict[str, RankScore]] = defaultdict(dict)
    for row in rows:
        by_task[row.task][row.mode] = row.score
    for task, scores in by_task.items():
        full, dense = scores[SearchMode.hybrid.value], scores[SearchMode.dense.value]
        print(
            f"{task:<8}{full.n:>5}  {full.r1:>9.3f}{full.r5:>7.3f}{full.mrr:>8.3f}  "
            f"{dense.r1:>10.3f}{dense.r5:>7.3f}{dense.mrr:>8.3f}  {full.mrr - dense.mrr:>+6.3f}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--external", type=Path, default=EXTERNAL, help="folder of docs.jsonl and queries_dev.jsonl")
    parser.add_argument("--archives", type=Path, default=None, help="build (or reuse) the external archives here")
    parser.add_argument("--no-seed", action="store_true", help="skip the seed questions")
    parser.add_argument("--mixed", action="store_true", help="also score the external set as one mixed archive")
    parser.add_argument("--no-single", action="store_true", help="skip the one-language archives")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    say = (lambda message: print(message, file=sys.stderr)) if args.json else print

    with tempfile.TemporaryDirectory(prefix="archive-retrieval-") as tmp:
        workdir = args.archives or Path(tmp)
        external = [] if args.no_single else evaluate_external(args.external, workdir, say)
        mixed, agreement = evaluate_mixed_external(args.external, workdir, say) if args.mixed else ([], {})
    seed = [] if args.no_seed else evaluate_seed(say)
    if args.json:
        print(
            json.dumps(
                {
                    "external": [asdict(r) for r in external],
                    "mixed": [asdict(r) for r in mixed],
                    "agreement": agreement,
                    "seed": [asdict(r) for r in seed],
                }
            )
        )
        return
    if external:
        print_table("External set, one archive per language (document level)", external)
    if mixed:
        print_mixed(mixed, agreement)
    if seed:
        print_table("Seed questions (passage level)", seed)


if __name__ == "__main__":
    main()
