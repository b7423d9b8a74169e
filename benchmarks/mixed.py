"""The external set as one archive that holds every language, scored by the mixed-archive protocol.

Documents whose ids share PREFIX and NUM (``xq_en_017`` / ``xq_ru_017``) are translations of one another. For each
query the translations of its gold documents are removed from the ranking before scoring (neither hit nor miss), so
only documents that do not answer compete. Besides R@1, R@5 and MRR@10 per task:

- same-language capture: the share of cross-language queries whose top result is a non-gold document in the query's
  own language (an off-topic passage that won by sharing the query's language);
- agreement: for questions asked in several languages (XQuAD en/ru, X-WMT's parallel sentences), how often the
  language versions get the same top document (translations counted as the same document).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from search.evaluation import MRR_DEPTH, RankScore, rank_scores
from search.searcher import Searcher, SearchHit, SearchMode

SEARCH_DEPTH = 40  # passages asked for, so that MRR@10 still has ten after the translations are removed
_DOCUMENT_ID = re.compile(r"^(?P<prefix>[a-z]+)_(?P<lang>[a-z]{2})_(?P<num>\d+)$")


def translation_key(document_id: str) -> str:
    """What a document shares with its translations (``xq_017``); the id itself when it has none."""
    match = _DOCUMENT_ID.match(document_id)
    return f"{match['prefix']}_{match['num']}" if match and match["prefix"] != "kazqad" else document_id


def document_language(document_id: str) -> str | None:
    match = _DOCUMENT_ID.match(document_id)
    return match["lang"] if match else None


@dataclass(frozen=True)
class MixedQuery:
    id: str
    task: str
    query: str
    gold_docs: frozenset[str]

    @property
    def query_language(self) -> str:
        return self.task.split("->")[0]

    @property
    def cross_language(self) -> bool:
        source, target = self.task.split("->")
        return source != target

    @property
    def parallel_key(self) -> str | None:
        """Queries that ask the same thing in other languages share this key (None: no parallel versions)."""
        if self.id.startswith("xquad-"):
            return self.id.rsplit("-", 1)[0]  # xquad-<question>-en2ru
        if self.task.startswith("kk->") or self.task.endswith("->kk"):
            return "xwmt-" + "|".join(sorted(translation_key(d) for d in self.gold_docs))
        return None


@dataclass(frozen=True)
class Outcome:
    rank: int | None  # of the first gold passage among the scored results
    top_document: str | None  # the first scored result's document


def scored_outcome(query: MixedQuery, documents: Sequence[str]) -> Outcome:
    """Rank of the first gold result once the gold's translations are removed from the ranked documents."""
    gold_keys = {translation_key(d) for d in query.gold_docs}
    kept = [d for d in documents if d in query.gold_docs or translation_key(d) not in gold_keys]
    rank = next((i + 1 for i, d in enumerate(kept[:MRR_DEPTH]) if d in query.gold_docs), None)
    return Outcome(rank, kept[0] if kept else None)


@dataclass(frozen=True)
class MixedRow:
    task: str
    mode: str
    score: RankScore
    capture: float | None  # cross-language tasks only


def evaluate_mixed(
    searcher: Searcher,
    queries: Sequence[MixedQuery],
    document_of: Callable[[SearchHit], str],
    modes: Sequence[SearchMode] = (SearchMode.hybrid, SearchMode.dense),
) -> tuple[list[MixedRow], dict[str, float]]:
    """Per task and mode: the scores and the capture; and per mode: the agreement of parallel questions."""
    outcomes: dict[tuple[str, SearchMode], list[tuple[MixedQuery, Outcome]]] = defaultdict(list)
    for query in queries:
        for mode in modes:
            hits = searcher.search(query.query, k=SEARCH_DEPTH, mode=mode)
            outcomes[(query.task, mode)].append((query, scored_outcome(query, [document_of(hit) for hit in hits])))
    tasks = sorted({task for task, _ in outcomes}, key=_task_order)
    rows = [_row(task, mode, outcomes[(task, mode)]) for task in tasks for mode in modes]
    for mode in modes:
        cross = [item for task in tasks if _is_cross(task) for item in outcomes[(task, mode)]]
        same = [item for task in tasks if not _is_cross(task) for item in outcomes[(task, mode)]]
        rows.append(_row("cross", mode, cross))
        rows.append(_row("same", mode, same))
    agreement = {
        mode.value: parallel_agreement([item for task in tasks for item in outcomes[(task, mode)]]) for mode in modes
    }
    return rows, agreement


def parallel_agreement(items: Sequence[tuple[MixedQuery, Outcome]]) -> float:
    """Share of parallel question groups whose language versions all get the same top document (up to translation).

    A query text asked of several tasks (en->en and en->ru) is one version."""
    tops: dict[str, dict[str, str | None]] = defaultdict(dict)
    for query, outcome in items:
        key = query.parallel_key
        if key is not None:
            tops[key][query.query] = translation_key(outcome.top_document) if outcome.top_document else None
    groups = [set(versions.values()) for versions in tops.values() if len(versions) > 1]
    return sum(1 for group in groups if len(group) == 1 and None not in group) / max(len(groups), 1)


def _row(task: str, mode: SearchMode, items: list[tuple[MixedQuery, Outcome]]) -> MixedRow:
    score = rank_scores([outcome.rank for _, outcome in items])
    cross = [(q, o) for q, o in items if q.cross_language]
    capture = (
        sum(
            1
            for q, o in cross
            if o.top_document is not None
            and o.top_document not in q.gold_docs
            and document_language(o.top_document) == q.query_language
        )
        / len(cross)
        if cross
        else None
    )
    return MixedRow(task, mode.value, score, capture)


def _is_cross(task: str) -> bool:
    source, target = task.split("->")
    return source != target


def _task_order(task: str) -> tuple[bool, str, str]:
    source, target = task.split("->")
    return (source == target, target, source)


def print_mixed(rows: list[MixedRow], agreement: dict[str, float]) -> None:
    print("\nExternal set, one mixed archive (translations of the gold removed; document level)")
    print(
        f"{'task':<8}{'n':>5}  {'full R@1':>9}{'R@5':>7}{'MRR@10':>8}{'capture':>9}"
        f"  {'dense R@1':>10}{'R@5':>7}{'MRR@10':>8}{'capture':>9}  {'ΔMRR':>6}"
    )
    by_task: dict[str, dict[str, MixedRow]] = defaultdict(dict)
    for row in rows:
        by_task[row.task][row.mode] = row
    for task, by_mode in by_task.items():
        full, dense = by_mode[SearchMode.hybrid.value], by_mode[SearchMode.dense.value]
        print(
            f"{task:<8}{full.score.n:>5}  {full.score.r1:>9.3f}{full.score.r5:>7.3f}{full.score.mrr:>8.3f}"
            f"{_share(full.capture):>9}  {dense.score.r1:>10.3f}{dense.score.r5:>7.3f}{dense.score.mrr:>8.3f}"
            f"{_share(dense.capture):>9}  {full.score.mrr - dense.score.mrr:>+6.3f}"
        )
    print(
        "agreement of parallel questions (same top document): "
        + ", ".join(f"{m} {a:.3f}" for m, a in agreement.items())
    )


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
