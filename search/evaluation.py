"""Retrieval quality on a question set: Recall@k and MRR@10 per language."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from archive.errors import InvalidInputError
from search.searcher import Searcher, SearchMode

MRR_DEPTH = 10
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"})


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    query: str
    document: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class LanguageScore:
    lang: str
    questions: int
    recall: float
    mrr: float


@dataclass(frozen=True)
class RankScore:
    """R@1, R@5 and MRR@10 of a list of first-hit ranks (None: not found)."""

    n: int
    r1: float
    r5: float
    mrr: float


def rank_scores(ranks: list[int | None]) -> RankScore:
    n = max(len(ranks), 1)
    found = [r for r in ranks if r is not None]
    return RankScore(
        n=len(ranks),
        r1=sum(1 for r in found if r <= 1) / n,
        r5=sum(1 for r in found if r <= 5) / n,
        mrr=sum(1 / r for r in found if r <= MRR_DEPTH) / n,
    )


@dataclass(frozen=True)
class EvaluationReport:
    k: int
    by_language: list[LanguageScore]
    overall: LanguageScore
    misses: list[str]  # ids of questions with no hit in the top k


def normalise(text: str) -> str:
    """NFKC, lower case, straight quotes, collapsed white space: how answers are compared with passages."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()).strip()


def load_questions(path: Path) -> list[Question]:
    questions = []
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                questions.append(Question(row["id"], row["lang"], row["query"], row["document"], tuple(row["answers"])))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InvalidInputError(f"cannot read questions from {path.name}: {error}") from error
    return questions


def evaluate(
    searcher: Searcher, questions: list[Question], k: int = 5, mode: SearchMode = SearchMode.hybrid
) -> EvaluationReport:
    """Search every question; a result is a hit when it comes from the question's document and holds an answer."""
    ranks: dict[str, int | None] = {}
    for question in questions:
        answers = [normalise(answer) for answer in question.answers]
        hits = searcher.search(question.query, k=max(k, MRR_DEPTH), mode=mode)
        ranks[question.id] = next(
            (
                hit.rank
                for hit in hits
                if hit.document.source == question.document and any(a in normalise(hit.text) for a in answers)
            ),
            None,
        )
    by_language: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        by_language[question.lang].append(question)
    scores = [_score(lang, group, ranks, k) for lang, group in sorted(by_language.items())]
    misses = [q.id for q in questions if (rank := ranks[q.id]) is None or rank > k]
    return EvaluationReport(k, scores, _score("all", questions, ranks, k), misses)


def _score(lang: str, questions: list[Question], ranks: dict[str, int | None], k: int) -> LanguageScore:
    found = [ranks[q.id] for q in questions]
    recall = sum(1 for r in found if r is not None and r <= k) / len(found)
    mrr = sum(1 / r for r in found if r is not None and r <= MRR_DEPTH) / len(found)
    return LanguageScore(lang, len(found), recall, mrr)
